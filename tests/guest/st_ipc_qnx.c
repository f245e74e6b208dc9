/* st_ipc_qnx.c - self tests of the qnx strategy (kernels/micro/ipc/
 * qnx.c): bad channels and parts, a reply to a client that is not ours,
 * a three-part message gathered into two receive parts and answered in
 * three, single-buffer messages (a negative part count), and priority
 * inheritance: a high-priority client that must queue behind a
 * low-priority request raises the server above a medium-priority hog,
 * so its answer comes before the hog has run at all (without the boost,
 * the hog runs to its end first and the test fails). Linked into the
 * micro-qnx selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"

static long send1(long ch, uint64_t *m, uint64_t *r)
{
	return syscall6(SYS_QNX_SEND, (uint64_t)ch, (uint64_t)m, -(uint64_t)8, (uint64_t)r, -(uint64_t)8, 0).rax;
}

static long receive1(long ch, uint64_t *m)
{
	return syscall6(SYS_QNX_RECEIVE, (uint64_t)ch, (uint64_t)m, -(uint64_t)8, 0, 0, 0).rax;
}

static long reply1(long rcvid, long status, uint64_t *r)
{
	return syscall6(SYS_QNX_REPLY, (uint64_t)rcvid, (uint64_t)status, (uint64_t)r, -(uint64_t)8, 0, 0).rax;
}

static void spin(unsigned long n)
{
	for (volatile unsigned long i = 0; i < n; i++)
		;
}

/* The server (priority 1) takes a low client's request (priority 1) and
 * tells us it is busy with it; a hog of priority 2 is then started and we
 * (our own priority, above both) send: the server must finish the low
 * request and answer us before the hog runs. */
static void test_priority_inheritance(void)
{
	long ch = os_chan_create(), go = os_chan_create();
	int base = os_set_prio(0, 0);
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=qnxpi ch=%ld go=%ld", ch, go);
	int srv = os_spawn("selftest", arg);
	fmt_snprintf(arg, sizeof arg, "role=qnxlow ch=%ld", ch);
	int low = os_spawn("selftest", arg);
	int step = 0, hog = -1;
	uint64_t m = 0, r = 0;
	long status = -1;
	if (base > 2 && srv > 0 && low > 0 && os_set_prio(srv, 1) == 0 && os_set_prio(low, 1) == 0) {
		step = 1;
		long busy = receive1(go, &m);   /* the server has the low request */
		if (busy == srv && reply1(busy, 0, &r) == 0) {
			step = 2;
			hog = os_spawn("selftest", "role=qnxhog");
			if (hog > 0 && os_set_prio(hog, 2) == 0 && os_set_prio(0, base) == 0) {
				step = 3, m = 5;
				status = send1(ch, &m, &r);
			}
		}
	}
	int hog_ran = hog > 0 && syscall3(SYS_PROC_ALIVE, (uint64_t)hog, 0, 0) != 1;
	int s1 = -1, s2 = -1, s3 = -1;
	if (status != 7)   /* something failed: nobody may be left waiting */
		os_kill(srv), os_kill(low);
	if (hog > 0)
		os_kill(hog), os_wait(hog, &s3);
	os_wait(srv, &s1), os_wait(low, &s2);
	char why[160];
	fmt_snprintf(why, sizeof why, "base priority %d, step %d of 3, answer %ld (want 7), reply %lu "
		     "(want 6), hog had run: %d, server %d, low client %d", base, step, status,
		     (unsigned long)r, hog_ran, s1, s2);
	report("qnx_priority_inheritance", step == 3 && status == 7 && r == 6 && !hog_ran && s1 == 0 &&
	       s2 == 0, why);
}

/* Pulses queue on the channel in order, each a kernel object charged to
 * the sender's process tree: its share (10) is queued, the next is
 * refused (-E_QUOTA, never a hang); MsgReceive returns each as rcvid 0
 * with its code and sender; then a pulse goes again. A pulse to no
 * channel is -E_BADH. */
static void test_pulses(long ch)
{
	long sent[11], got = 0;
	for (int i = 0; i < 11; i++)
		sent[i] = syscall3(SYS_QNX_PULSE, (uint64_t)ch, (uint64_t)i, 0);
	for (int i = 0; i < 10; i++) {
		struct qnx_pulse p = { -1, 0, 0 };
		long r = syscall6(SYS_QNX_RECEIVE, (uint64_t)ch, (uint64_t)&p, -(uint64_t)sizeof p, 0, 0, 0).rax;
		got += r == 0 && p.code == i && p.scoid == os_getpid();
	}
	long again = syscall3(SYS_QNX_PULSE, (uint64_t)ch, 5, 0);
	struct qnx_pulse p;
	long last = syscall6(SYS_QNX_RECEIVE, (uint64_t)ch, (uint64_t)&p, -(uint64_t)sizeof p, 0, 0, 0).rax;
	char d[120];
	fmt_snprintf(d, sizeof d, "10 queued: %d, 11th %ld, received in order %ld, again %ld/%ld, no channel %ld",
		     sent[0] == 0 && sent[9] == 0, sent[10], got, again, last,
		     syscall3(SYS_QNX_PULSE, 999, 0, 0));
	report("qnx_pulses_queued", sent[0] == 0 && sent[9] == 0 && sent[10] == -E_QUOTA && got == 10 &&
	       again == 0 && last == 0 && syscall3(SYS_QNX_PULSE, 999, 0, 0) == -E_BADH, d);
}

void test_ipc_strategy(void)
{
	long ch = os_chan_create();
	struct qnx_iov bad[1] = { { 0x100000, 16 } }, many[QNX_IOV_MAX + 1];
	memset(many, 0, sizeof many);
	report("qnx_bad_channel", syscall6(SYS_QNX_SEND, 999, 0, 0, 0, 0, 0).rax == -E_BADH, "");
	test_pulses(ch);
	report("qnx_bad_part", syscall6(SYS_QNX_SEND, (uint64_t)ch, (uint64_t)bad, 1, 0, 0, 0).rax == -E_FAULT,
	       "a part in kernel memory");
	report("qnx_too_many_parts", syscall6(SYS_QNX_SEND, (uint64_t)ch, (uint64_t)many, QNX_IOV_MAX + 1, 0,
					      0, 0).rax == -E_FAULT, "");
	report("qnx_reply_not_ours", syscall6(SYS_QNX_REPLY, 1, 0, 0, 0, 0, 0).rax == -E_SRCH,
	       "a reply to a process that is not REPLY-blocked on us");
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=qnxserver ch=%ld", ch);
	int pid = os_spawn("selftest", arg), st = -1;
	struct qnx_iov s[3] = { { (uint64_t)"abc", 3 }, { (uint64_t)"defgh", 5 }, { (uint64_t)"ij", 2 } };
	char reply[16] = { 0 };
	struct qnx_iov r[1] = { { (uint64_t)reply, sizeof reply } };
	struct sysret6 x = syscall6(SYS_QNX_SEND, (uint64_t)ch, (uint64_t)s, 3, (uint64_t)r, 1, 0);
	os_wait(pid, &st);
	report("qnx_multipart", x.rax == 42 && x.rdx == 11 && !memcmp(reply, "ij|abcdefgh", 11) && st == 0,
	       "three parts gathered, scattered into two; status and reply returned");
	report("qnx_single_buffer_bounds", syscall6(SYS_QNX_SEND, (uint64_t)ch, 0x100000, -(uint64_t)16, 0, 0,
						  0).rax == -E_FAULT &&
	       syscall6(SYS_QNX_SEND, (uint64_t)ch, (uint64_t)reply, (uint64_t)INT64_MIN, 0, 0, 0).rax == -E_FAULT,
	       "a single buffer in kernel memory, and a length past QNX_MSG_MAX");
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
	test_priority_inheritance();
}

/* Receive the three-part message into two parts (4 + 16 bytes), answer
 * it reordered: the parts must have been cut where the receiver's were. */
static int server(long ch)
{
	char a[4], b[16] = { 0 };
	struct qnx_iov v[2] = { { (uint64_t)a, sizeof a }, { (uint64_t)b, sizeof b } };
	struct sysret6 x = syscall6(SYS_QNX_RECEIVE, (uint64_t)ch, (uint64_t)v, 2, 0, 0, 0);
	if (x.rax <= 0 || x.rdx != 10 || memcmp(a, "abcd", 4) || memcmp(b, "efghij", 6))
		return 1;
	struct qnx_iov s[3] = { { (uint64_t)b + 4, 2 }, { (uint64_t)"|", 1 }, { (uint64_t)"abcdefgh", 8 } };
	return syscall6(SYS_QNX_REPLY, (uint64_t)x.rax, 42, (uint64_t)s, 3, 0, 0).rax == 0 ? 0 : 2;
}

/* The priority-inheritance server: the low request, word to the tester
 * that it is busy, the rest of the low request's work, then the tester's
 * request (its word plus one, status 7). */
static int pi_server(long ch, long go)
{
	uint64_t m = 0, r = 0;
	long low = receive1(ch, &m);
	if (low <= 0 || send1(go, &m, &r) != 0)
		return 1;
	spin(100000);
	if (reply1(low, 0, &m) != 0)
		return 2;
	long hi = receive1(ch, &m);
	m++;
	return hi > 0 && reply1(hi, 7, &m) == 0 ? 0 : 3;
}

int role_ipc(const char *role, const char *arg)
{
	char v[16], g[16];
	fmt_getarg(arg, "ch", v, sizeof v);
	if (!strcmp(role, "qnxserver"))
		return server((long)fmt_parse_u64(v, 0));
	if (!strcmp(role, "qnxpi") && fmt_getarg(arg, "go", g, sizeof g) >= 0)
		return pi_server((long)fmt_parse_u64(v, 0), (long)fmt_parse_u64(g, 0));
	if (!strcmp(role, "qnxlow")) {
		uint64_t m = 1, r = 0;
		return send1((long)fmt_parse_u64(v, 0), &m, &r) == 0 ? 0 : 1;
	}
	if (!strcmp(role, "qnxhog")) {
		spin(3000000);
		return 0;
	}
	return 100;
}
