/* st_ipc_mach.c - self tests of the mach strategy (kernels/micro/ipc/
 * mach.c): asynchronous sends queued in the kernel up to the port's
 * limit (then the sender blocks), received in order with their bodies;
 * a reply with no right to answer; a receive on the reply port with no
 * request out. Linked into the micro-mach selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"
#include "svcproto.h"

/* A one-way request's header (REQ) or a call's (CALL), typed as the
 * kernel checks it. */
#define REQ MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0u)
#define CALL MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE)

static long msg(uint64_t opt, uint64_t dest, struct mach_msg *s, uint64_t rcv, struct mach_msg *r)
{
	return syscall6(SYS_MACH_MSG, opt, dest, (uint64_t)s, rcv, (uint64_t)r, 0).rax;
}

/* A call to the semaphore server whose receive half points at kernel
 * memory fails whole (nothing is sent), and no reply is ever parked:
 * 64 of them leave every kernel message buffer free for the next call. */
static void test_no_parked_replies(void)
{
	struct kcounters before, after;
	os_counters(&before);
	int refused = 0;
	for (int i = 0; i < 64; i++) {
		struct mach_msg s = { .label = SEM_CREATE, .bits = CALL, .mr_type = MACH_TYPE_WORDS };
		refused += msg(MACH_SEND_MSG | MACH_RCV_MSG, EP_SEM, &s, MACH_PORT_REPLY,
			       (struct mach_msg *)0x100000) == -E_FAULT;
	}
	os_counters(&after);
	int sem = os_sem_create(1);
	char d[96];
	fmt_snprintf(d, sizeof d, "%d of 64 refused; kernel buffers in use %lu before, %lu after; then a semaphore %d",
		     refused, (unsigned long)before.kbufs, (unsigned long)after.kbufs, sem);
	report("mach_bad_receive_parks_nothing", refused == 64 && after.kbufs == before.kbufs && sem >= 0, d);
	if (sem >= 0)
		os_sem_destroy(sem);
}

void test_ipc_strategy(void)
{
	long port = os_chan_create();
	struct mach_msg m = { .bits = REQ, .mr_type = MACH_TYPE_WORDS },
			bad = { .label = 1, .len = 16, .bits = REQ | MACH_MSG_BODY, .mr_type = MACH_TYPE_WORDS,
				.body_type = MACH_TYPE_BYTES, .body = 0x100000, .body_len = 16 };
	report("mach_bad_port", msg(MACH_SEND_MSG, 999, &m, 0, 0) == -E_BADH, "");
	report("mach_bad_body", msg(MACH_SEND_MSG, (uint64_t)port, &bad, 0, 0) == -E_FAULT, "a body in kernel memory");
	struct mach_msg answer = m;
	answer.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0u);
	report("mach_reply_without_right", msg(MACH_SEND_MSG, MACH_PORT_SO | 5, &answer, 0, 0) == -E_BADH,
	       "no such send-once right in our name space");
	/* The typed header: each wrong disposition or type word is refused
	 * before anything is queued. */
	struct mach_msg h[6];
	for (int i = 0; i < 6; i++)
		h[i] = m;
	h[0].bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0u);   /* an answer's, to a port */
	h[1].bits = CALL;                                               /* a reply right, no receive */
	h[2].mr_type = MACH_MSG_TYPE(MACH_MSG_TYPE_INTEGER_64, 64u, 4u, 0u);   /* four words */
	h[3].body_type = MACH_TYPE_BYTES;                               /* a body type, no body */
	h[4] = bad, h[4].body = (uint64_t)"typed", h[4].body_len = 5;   /* len 16, body_len 5 */
	h[5] = h[4], h[5].len = 5, h[5].body_type = MACH_MSG_TYPE(MACH_MSG_TYPE_INTEGER_64, 64u, 0u, 1u);
	int refused = 0;
	struct kcounters k0, k1;
	os_counters(&k0);
	for (int i = 0; i < 6; i++)
		refused += msg(MACH_SEND_MSG, (uint64_t)port, &h[i], 0, 0) == -E_INVAL;
	os_counters(&k1);
	struct mach_msg good = h[5];
	good.body_type = MACH_TYPE_BYTES;
	long ok = msg(MACH_SEND_MSG, (uint64_t)port, &good, 0, 0);
	char body[8] = { 0 };
	struct mach_msg got = { .rbody = (uint64_t)body, .rcap = sizeof body };
	long rcv = msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &got);
	char dh[120];
	fmt_snprintf(dh, sizeof dh, "%d of 6 refused (EINVAL), buffers %lu -> %lu; then a good one %ld/%ld",
		     refused, (unsigned long)k0.kbufs, (unsigned long)k1.kbufs, ok, rcv);
	report("mach_typed_header", refused == 6 && k1.kbufs == k0.kbufs && ok == 0 && rcv == 0 &&
	       got.mr_type == MACH_TYPE_WORDS && got.body_type == MACH_TYPE_BYTES && got.len == 5 &&
	       !memcmp(body, "typed", 5), dh);
	report("mach_reply_port_idle", msg(MACH_RCV_MSG, 0, 0, MACH_PORT_REPLY, &m) == -E_AGAIN,
	       "no request out: nothing will come");
	long sent = 0;
	for (int i = 0; i < MACH_QLIMIT; i++) {
		struct mach_msg s = { .label = 10 + i, .len = 6, .bits = REQ | MACH_MSG_BODY,
				      .mr_type = MACH_TYPE_WORDS, .body_type = MACH_TYPE_BYTES,
				      .mr = { (uint64_t)i }, .body = (uint64_t)"queued", .body_len = 6 };
		sent += msg(MACH_SEND_MSG, (uint64_t)port, &s, 0, 0) == 0;
	}
	report("mach_async_queue", sent == MACH_QLIMIT, "five sends return before anyone receives");
	struct kcounters kc;   /* five buffers queued: the drainer must find no sixth */
	os_counters(&kc);
	char arg[80];
	fmt_snprintf(arg, sizeof arg, "role=machdrain ch=%ld parent=%d kb=%lu", port, os_getpid(),
		     (unsigned long)kc.kbufs);
	int pid = os_spawn("selftest", arg), st = -1;
	struct mach_msg s = { .label = 99, .bits = REQ, .mr_type = MACH_TYPE_WORDS, .mr = { 99 } };
	long blocked = msg(MACH_SEND_MSG, (uint64_t)port, &s, 0, 0);   /* full: waits for the drain */
	os_wait(pid, &st);
	fmt_snprintf(arg, sizeof arg, "drainer status %d (4: the sixth was queued past the limit)", st);
	report("mach_queue_limit", blocked == 0 && st == 0, arg);
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
	test_no_parked_replies();
}

/* Receive the six in order; the sixth send must still be waiting when
 * we start (kernel buffers in use as the sender left them, kb). */
static int drain(long port, long parent, uint64_t kb)
{
	struct kcounters kc;
	if (os_counters(&kc) != 0 || kc.kbufs != kb)
		return 4;
	for (int i = 0; i < MACH_QLIMIT + 1; i++) {
		char body[16] = { 0 };
		struct mach_msg r = { .rbody = (uint64_t)body, .rcap = sizeof body };
		if (msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &r) != 0)
			return 1;
		if (i < MACH_QLIMIT && (r.label != 10u + i || r.mr[0] != (uint64_t)i || r.len != 6 ||
					memcmp(body, "queued", 6) || r.badge != parent))
			return 2;
		if (i == MACH_QLIMIT && (r.label != 99 || r.mr[0] != 99))
			return 3;
	}
	return 0;
}

int role_ipc(const char *role, const char *arg)
{
	char v[16];
	fmt_getarg(arg, "ch", v, sizeof v);
	long port = (long)fmt_parse_u64(v, 0);
	fmt_getarg(arg, "parent", v, sizeof v);
	long parent = (long)fmt_parse_u64(v, 0);
	fmt_getarg(arg, "kb", v, sizeof v);
	if (!strcmp(role, "machdrain"))
		return drain(port, parent, fmt_parse_u64(v, 0));
	return 100;
}
