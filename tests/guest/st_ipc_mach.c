/* st_ipc_mach.c - self tests of the mach strategy (kernels/micro/ipc/
 * mach.c): asynchronous sends queued in the kernel up to the port's
 * limit (then the sender blocks), received in order with their bodies;
 * a reply with no right to answer; a receive on the reply port with no
 * request out; port rights (a name is nothing without the right behind
 * it); out-of-line bodies by virtual copy. Linked into the micro-mach
 * selftest. */
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

static long port_insert(long port, long dest)
{
	return syscall3(SYS_MACH_PORT_INSERT, (uint64_t)port, (uint64_t)dest, 0);
}

/* Rights (a: a port of ours, empty): a child spawned before a port was made holds no send right to
 * it (its send fails) until one is inserted; a right is refused to one
 * who is not the port's receiver; a dead port's name sends nowhere; and
 * every message's names are translated (a one-way send: one). */
static void test_port_rights(long a)
{
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=machrights a=%ld", a);
	int pid = os_spawn("selftest", arg), st = -1;
	long c = os_chan_create();   /* after the spawn: the child has no right to it */
	struct mach_msg got = { 0 };
	long r1 = msg(MACH_RCV_MSG, 0, 0, (uint64_t)a, &got);   /* the child's port D, its right given us */
	long d = (long)got.mr[0];
	struct mach_msg s = { .bits = REQ, .mr_type = MACH_TYPE_WORDS, .mr = { (uint64_t)c } };
	long r2 = msg(MACH_SEND_MSG, (uint64_t)d, &s, 0, 0);   /* tell the child C's name */
	os_wait(pid, &st);
	long dead = msg(MACH_SEND_MSG, (uint64_t)d, &s, 0, 0);   /* D died with the child */
	struct kcounters k0, k1;
	os_counters(&k0);
	long own = msg(MACH_SEND_MSG, (uint64_t)c, &s, 0, 0);
	os_counters(&k1);
	struct mach_msg drop = { 0 };
	msg(MACH_RCV_MSG, 0, 0, (uint64_t)c, &drop);
	char dd[160];
	fmt_snprintf(dd, sizeof dd, "receive %ld, send to the child's port %ld, child status %d (0: its send "
		     "to C refused, its insert of A refused), dead name %ld, translations per send %lu",
		     r1, r2, st, dead, (unsigned long)(k1.rights - k0.rights));
	report("mach_port_rights", r1 == 0 && d >= EP_FIRST_FREE && r2 == 0 && st == 0 && dead == -E_BADH &&
	       own == 0 && k1.rights - k0.rights == 1, dd);
}

/* A child's port D, its right given to the parent (who receives on a)
 * and its name told; then the parent's first message on D, into *got.
 * -> D, or -1 (no port or no right) or -2 (no message). */
static long child_port(long a, struct mach_msg *got)
{
	long d = os_chan_create();
	if (d < 0 || port_insert(d, a) != 0)
		return -1;
	struct mach_msg s = { .bits = REQ, .mr_type = MACH_TYPE_WORDS, .mr = { (uint64_t)d } };
	if (msg(MACH_SEND_MSG, (uint64_t)a, &s, 0, 0) != 0 || msg(MACH_RCV_MSG, 0, 0, (uint64_t)d, got) != 0)
		return -2;
	return d;
}

/* The child's half: make D, give the parent a send right to it, tell
 * it the name, learn C's name on D: a send to C fails (no right), and so
 * does inserting a right to A (the parent receives on it, not we). */
static int rights_child(long a)
{
	struct mach_msg got = { 0 };
	long d = child_port(a, &got);
	if (d < 0)
		return (int)-d;
	struct mach_msg s = { .bits = REQ, .mr_type = MACH_TYPE_WORDS, .mr = { (uint64_t)d } };
	if (msg(MACH_SEND_MSG, got.mr[0], &s, 0, 0) != -E_BADH)
		return 3;
	if (port_insert(a, a) != -E_PERM || port_insert(d, 999) != -E_BADH)
		return 4;
	return 0;
}

static uint8_t osrc[3 * 4096] __attribute__((aligned(4096))), odst[3 * 4096] __attribute__((aligned(4096)));

/* An out-of-line body of two pages to our own (empty) port: it arrives whole
 * with nothing copied but the header (one virtual copy); a later write
 * on the sending side copies that page and leaves the received pages as
 * they came; the receiver's write to the same page copies nothing (the
 * page is its alone by then), to the other page one. Unaligned or
 * partial pages are refused, and neither leaves a buffer. */
static void test_out_of_line(long port)
{
	for (size_t i = 0; i < 2 * 4096; i++)
		osrc[i] = (uint8_t)(i * 13 + 1);
	struct mach_msg s = { .len = 2 * 4096, .bits = REQ | MACH_MSG_BODY, .mr_type = MACH_TYPE_WORDS,
			      .body_type = MACH_TYPE_BYTES_OOL, .body = (uint64_t)osrc, .body_len = 2 * 4096 };
	struct kcounters k0, k1, k2, k3;
	os_counters(&k0);
	long sent = msg(MACH_SEND_MSG, (uint64_t)port, &s, 0, 0);
	struct mach_msg got = { .rbody = (uint64_t)odst, .rcap = 2 * 4096 };
	long rcv = msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &got);
	os_counters(&k1);
	int same = !memcmp(osrc, odst, 2 * 4096);
	osrc[5] = 0xEE;   /* the sender's write: a page copied */
	os_counters(&k2);
	int kept = odst[5] == (uint8_t)(5 * 13 + 1);
	odst[6] = 0xDD;   /* the receiver's, same page: its own by now */
	os_counters(&k3);
	odst[4096] = 0xDD;   /* the other page: still shared, copied */
	struct kcounters k5;
	os_counters(&k5);
	int kept2 = osrc[4096] == (uint8_t)(4096 * 13 + 1) && osrc[6] == (uint8_t)(6 * 13 + 1);
	struct mach_msg bad[2] = { s, s };
	bad[0].body = (uint64_t)(osrc + 8);                       /* unaligned */
	bad[1].len = bad[1].body_len = 4096 + 100;                /* a partial page */
	long b0 = msg(MACH_SEND_MSG, (uint64_t)port, &bad[0], 0, 0), b1 = msg(MACH_SEND_MSG, (uint64_t)port, &bad[1], 0, 0);
	struct kcounters k4;
	os_counters(&k4);
	char d[240];
	fmt_snprintf(d, sizeof d, "send %ld receive %ld len %u same %d; virtual copies %lu, bytes copied %lu; "
		     "page copies on the sender's write %lu, on the receiver's %lu and %lu; kept %d %d; bad %ld %ld, "
		     "buffers %lu -> %lu", sent, rcv, got.len, same,
		     (unsigned long)(k1.copies[COPY_VIRT] - k0.copies[COPY_VIRT]),
		     (unsigned long)(k1.bytes_copied - k0.bytes_copied),
		     (unsigned long)(k2.copies[COPY_COW] - k1.copies[COPY_COW]),
		     (unsigned long)(k3.copies[COPY_COW] - k2.copies[COPY_COW]),
		     (unsigned long)(k5.copies[COPY_COW] - k3.copies[COPY_COW]), kept, kept2, b0, b1,
		     (unsigned long)k0.kbufs, (unsigned long)k4.kbufs);
	report("mach_out_of_line", sent == 0 && rcv == 0 && got.len == 2 * 4096 && same &&
	       got.body_type == MACH_TYPE_BYTES_OOL && k1.copies[COPY_VIRT] - k0.copies[COPY_VIRT] == 1 &&
	       k1.bytes_copied - k0.bytes_copied < 4096 && k2.copies[COPY_COW] - k1.copies[COPY_COW] == 1 &&
	       k3.copies[COPY_COW] == k2.copies[COPY_COW] && k5.copies[COPY_COW] - k3.copies[COPY_COW] == 1 &&
	       kept && kept2 && odst[4096] == 0xDD &&
	       b0 == -E_INVAL && b1 == -E_INVAL && k4.kbufs == k0.kbufs, d);
}

/* One page out of line through our own port: -> 0 if it left from src
 * and arrived at dst. */
static long ool_through(long port, uint8_t *src, uint8_t *dst)
{
	struct mach_msg s = { .len = 4096, .bits = REQ | MACH_MSG_BODY, .mr_type = MACH_TYPE_WORDS,
			      .body_type = MACH_TYPE_BYTES_OOL, .body = (uint64_t)src, .body_len = 4096 },
			got = { .rbody = (uint64_t)dst, .rcap = 4096 };
	long r = msg(MACH_SEND_MSG, (uint64_t)port, &s, 0, 0);
	return r ? r : msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &got);
}

#define PEEK_VA 0x48000000UL   /* where the child sees our shared page (above its image) */
static uint8_t sh_p[4096] __attribute__((aligned(4096))), sh_q[4096] __attribute__((aligned(4096))),
	sh_r[4096] __attribute__((aligned(4096))), sh_t[4096] __attribute__((aligned(4096)));

/* Out of line and shared memory: memory shared with another space stays
 * shared. A copy-on-write page (P, just sent to T) mapped into a child
 * becomes ours first and then the child's too; sent out of line, P is
 * copied, not made copy-on-write; a body received into P is copied into
 * it, not mapped over it. Our last write to P must be what the child
 * reads, with the body R brought. */
static void test_out_of_line_shared(long port)
{
	for (int i = 0; i < 4096; i++)
		sh_p[i] = (uint8_t)(i + 1), sh_r[i] = (uint8_t)(3 * i + 7);
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=machpeek a=%ld", port);
	int pid = os_spawn("selftest", arg), st = -1;
	struct mach_msg got = { 0 };
	long r0 = msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &got);   /* the child's port D */
	long d = (long)got.mr[0];
	struct kcounters k0, k1, k2, k3;
	os_counters(&k0);
	long r1 = ool_through(port, sh_p, sh_t);   /* P copy-on-write, shared with T */
	os_counters(&k1);
	long r2 = syscall6(SYS_MAP, (uint64_t)pid, (uint64_t)sh_p, PEEK_VA, 1, 1, 0).rax;
	os_counters(&k2);
	long r3 = ool_through(port, sh_p, sh_q);   /* P is shared now: copied */
	long r4 = ool_through(port, sh_r, sh_p);   /* R, private: virtual; into P: copied, not mapped */
	os_counters(&k3);
	sh_p[0] = 0x77;
	int kept = sh_t[0] == 1 && sh_q[0] == 1 && sh_q[4095] == (uint8_t)4096 && sh_p[1] == sh_r[1];
	struct mach_msg go = { .bits = REQ, .mr_type = MACH_TYPE_WORDS, .mr = { 1 } };
	long r5 = msg(MACH_SEND_MSG, (uint64_t)d, &go, 0, 0);
	if (r5 != 0)
		os_kill(pid);
	os_wait(pid, &st);
	char dd[240];
	fmt_snprintf(dd, sizeof dd, "calls %ld %ld map %ld %ld %ld go %ld; virtual copies %lu then %lu (R's), page "
		     "copies on mapping %lu; T and Q kept %d; child status %d (0: it read our last write)",
		     r0, r1, r2, r3, r4, r5, (unsigned long)(k1.copies[COPY_VIRT] - k0.copies[COPY_VIRT]),
		     (unsigned long)(k3.copies[COPY_VIRT] - k2.copies[COPY_VIRT]),
		     (unsigned long)(k2.copies[COPY_COW] - k1.copies[COPY_COW]), kept, st);
	report("mach_out_of_line_shared", r0 == 0 && r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0 && r5 == 0 &&
	       k1.copies[COPY_VIRT] - k0.copies[COPY_VIRT] == 1 && k3.copies[COPY_VIRT] - k2.copies[COPY_VIRT] == 1 &&
	       k2.copies[COPY_COW] - k1.copies[COPY_COW] == 1 && kept && st == 0, dd);
}

/* The child's half: make D, give the parent a right to it and its name,
 * wait on D, then read the shared page. */
static int peek_child(long a)
{
	struct mach_msg got = { 0 };
	long d = child_port(a, &got);
	if (d < 0)
		return (int)-d;
	const volatile uint8_t *x = (const volatile uint8_t *)PEEK_VA;
	return x[0] == 0x77 && x[1] == (uint8_t)(3 * 1 + 7) ? 0 : 3;
}

/* An answer that cannot be carried leaves the send-once right with the
 * server: with every message buffer of our tree in use (two full ports
 * hold quota.c's 10), an answer fails
 * (EQUOTA); once they are free, the same right answers, out of line from
 * read-only memory (our code, copied). The caller, a child running the
 * same image, finds that code page in its answer. */
static void test_answer_kept(long port)
{
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=machcall a=%ld", port);
	int pid = os_spawn("selftest", arg), st = -1;
	struct mach_msg req = { 0 };
	long r0 = msg(MACH_RCV_MSG, 0, 0, (uint64_t)port, &req);
	long b = os_chan_create();
	int queued = 0;
	long full = 0;
	struct mach_msg f = { .bits = REQ, .mr_type = MACH_TYPE_WORDS };
	for (int i = 0; i < 2 * MACH_QLIMIT && b >= 0 && (full = msg(MACH_SEND_MSG, (uint64_t)(i < MACH_QLIMIT ? port : b), &f, 0, 0)) == 0; i++)
		queued++;
	struct mach_msg ans = { .len = 4096, .bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0u) | MACH_MSG_BODY,
				.mr_type = MACH_TYPE_WORDS, .body_type = MACH_TYPE_BYTES_OOL,
				.body = (uint64_t)&test_answer_kept & ~4095ULL, .body_len = 4096 };
	long a1 = msg(MACH_SEND_MSG, req.reply, &ans, 0, 0);
	for (int i = 0; i < queued; i++) {
		struct mach_msg drop = { 0 };
		msg(MACH_RCV_MSG, 0, 0, (uint64_t)(i < MACH_QLIMIT ? port : b), &drop);
	}
	long a2 = msg(MACH_SEND_MSG, req.reply, &ans, 0, 0);
	if (a2 != 0)
		os_kill(pid);
	os_wait(pid, &st);
	char d[200];
	fmt_snprintf(d, sizeof d, "request %ld; %d queued before the quota said %ld; answer %ld with no buffer, "
		     "%ld after; caller status %d (0: our code page arrived)", r0, queued, full, a1, a2, st);
	report("mach_answer_keeps_right", r0 == 0 && (req.reply & MACH_PORT_SO) &&
	       (queued == 2 * MACH_QLIMIT || full == -E_QUOTA) && a1 == -E_QUOTA && a2 == 0 && st == 0, d);
}

/* The caller's half: a call to the parent's port; the answer's body must
 * be the code page the parent sent (the same image: the same page here). */
static int call_child(long a)
{
	static uint8_t rb[4096] __attribute__((aligned(4096)));
	struct mach_msg s = { .label = 7, .bits = CALL, .mr_type = MACH_TYPE_WORDS },
			r = { .rbody = (uint64_t)rb, .rcap = sizeof rb };
	if (msg(MACH_SEND_MSG | MACH_RCV_MSG, (uint64_t)a, &s, MACH_PORT_REPLY, &r) != 0)
		return 1;
	const void *code = (const void *)((uint64_t)&test_answer_kept & ~4095ULL);
	return r.len == 4096 && r.body_type == MACH_TYPE_BYTES_OOL && !memcmp(rb, code, 4096) ? 0 : 2;
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
	/* (on the port above, drained: endpoints are a quota, quota.h) */
	test_port_rights(port);
	test_out_of_line(port);
	test_out_of_line_shared(port);
	test_answer_kept(port);
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
	if (!strcmp(role, "machrights") && fmt_getarg(arg, "a", v, sizeof v) >= 0)
		return rights_child((long)fmt_parse_u64(v, 0));
	if (!strcmp(role, "machpeek") && fmt_getarg(arg, "a", v, sizeof v) >= 0)
		return peek_child((long)fmt_parse_u64(v, 0));
	if (!strcmp(role, "machcall") && fmt_getarg(arg, "a", v, sizeof v) >= 0)
		return call_child((long)fmt_parse_u64(v, 0));
	return 100;
}
