/* st_ipc_rc4000.c - self tests of the rc4000 strategy (kernels/micro/
 * ipc/rc4000.c): asynchronous send with several messages out, the buffer
 * claim as a visible error, a process tree's share of the pool, buffers that are not ours, the storage areas'
 * bounds, and a dummy answer when the receiver dies holding a message.
 * Linked into the micro-rc4000 selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"

static long send(long ep, uint64_t w0, const struct rc_area *a)
{
	uint64_t w[RC_WORDS] = { w0 };
	return syscall3(SYS_RC_SEND_MESSAGE, (uint64_t)ep, (uint64_t)w, (uint64_t)a);
}

/* The pool is shared: a process tree holds at most its share of it
 * (quota.h: Q_KMSGS) however many senders it has, so another tree (the
 * servers') always finds buffers. Three children of ours try 4 messages
 * each (their claim) to a queue nobody reads: 10 are taken, the rest
 * refused with -E_QUOTA; once answered, every buffer is back. */
static void test_pool_share(void)
{
	struct kcounters before, now;
	os_counters(&before);
	long ep = os_chan_create();
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=rcflood ch=%ld", ep);
	int pid[3], st[3] = { -1, -1, -1 }, spins = 0, answered = 0;
	for (int i = 0; i < 3; i++)
		pid[i] = os_spawn("selftest", arg);
	do {   /* until the children have sent what they could */
		os_yield();
		os_counters(&now);
	} while (now.kbufs - before.kbufs < 10 && ++spins < 10000);
	uint64_t w[RC_WORDS];
	for (int i = 0; i < 10; i++) {
		long b = syscall6(SYS_RC_WAIT_MESSAGE, (uint64_t)ep, (uint64_t)w, 0, 0, 0, 0).rax;
		answered += b > 0 && syscall3(SYS_RC_SEND_ANSWER, (uint64_t)b, (uint64_t)w, 0) == 0;
	}
	for (int i = 0; i < 3; i++)
		os_wait(pid[i], &st[i]);
	os_counters(&now);
	int taken = st[0] % 10 + st[1] % 10 + st[2] % 10, refused = st[0] / 10 + st[1] / 10 + st[2] / 10;
	char d[120];
	fmt_snprintf(d, sizeof d, "taken %d, refused %d (statuses %d %d %d), answered %d, buffers in use %lu -> %lu",
		     taken, refused, st[0], st[1], st[2], answered, (unsigned long)before.kbufs,
		     (unsigned long)now.kbufs);
	report("rc4000_pool_share", taken == 10 && refused == 2 && answered == 10 && now.kbufs == before.kbufs, d);
}

/* role rcflood: send our claim's worth to ep, then take the answers:
 * exit status messages taken + 10 x refused by the tree's quota. */
static int flood(long ep)
{
	long b[4];
	int taken = 0, refused = 0;
	for (int i = 0; i < 4; i++) {
		b[i] = send(ep, (uint64_t)i, 0);
		taken += b[i] > 0;
		refused += b[i] == -E_QUOTA;
	}
	uint64_t w[RC_WORDS];
	for (int i = 0; i < 4; i++)
		if (b[i] > 0 && syscall3(SYS_RC_WAIT_ANSWER, (uint64_t)b[i], (uint64_t)w, 0) < 0)
			return 99;
	return taken + 10 * refused;
}

void test_ipc_strategy(void)
{
	test_pool_share();
	long ep = os_chan_create();
	uint64_t w[RC_WORDS];
	long b[5];
	/* Reports wait until the answers are in: while our claim is used up
	 * even the console (a message to its server) is refused. */
	for (int i = 0; i < 5; i++)
		b[i] = send(ep, (uint64_t)i, 0);
	int not_ours = syscall3(SYS_RC_SEND_ANSWER, (uint64_t)b[0], (uint64_t)w, 0) == -E_BADH &&
		       syscall3(SYS_RC_WAIT_ANSWER, 99, (uint64_t)w, 0) == -E_BADH;
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=rcserver ch=%ld", ep);
	int pid = os_spawn("selftest", arg), st = -1;
	long r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = syscall3(SYS_RC_WAIT_ANSWER, (uint64_t)b[i], (uint64_t)w, 0);
		if (i < 3 && w[0] != (uint64_t)i + 100)
			r[i] = -99;
	}
	os_wait(pid, &st);
	report("rc4000_asynchronous_send", b[0] > 0 && b[1] > 0 && b[2] > 0 && b[3] > 0,
	       "four messages out, nobody has received one");
	report("rc4000_claim", b[4] == -E_AGAIN, "a fifth is refused: the buffer claim is used up");
	report("rc4000_not_our_buffer", not_ours, "");
	char d[96];
	fmt_snprintf(d, sizeof d, "answers %ld %ld %ld, then %ld after the receiver died; server %d",
		     r[0], r[1], r[2], r[3], st);
	report("rc4000_answers_in_order", r[0] == 7 && r[1] == 7 && r[2] == 7 && st == 0, d);
	report("rc4000_dummy_answer", r[3] == -E_PEER, d);
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
}

/* Answer three messages (word 0 + 100, result 7), checking the area
 * bounds on the first; take the fourth and die holding it. */
static int server(long ep)
{
	uint64_t w[RC_WORDS];
	char x[8];
	for (int i = 0; i < 3; i++) {
		long b = syscall3(SYS_RC_WAIT_MESSAGE, (uint64_t)ep, (uint64_t)w, 0);
		if (b <= 0)
			return 1;
		if (i == 0 && syscall6(SYS_RC_COPY, (uint64_t)b, 0, (uint64_t)x, 1, 0, 0).rax != -E_PERM)
			return 2;   /* no area named: nothing to copy */
		w[0] += 100;
		if (syscall3(SYS_RC_SEND_ANSWER, (uint64_t)b, (uint64_t)w, 7) != 0)
			return 3;
	}
	return syscall3(SYS_RC_WAIT_MESSAGE, (uint64_t)ep, (uint64_t)w, 0) > 0 ? 0 : 4;
}

int role_ipc(const char *role, const char *arg)
{
	char v[16];
	fmt_getarg(arg, "ch", v, sizeof v);
	if (!strcmp(role, "rcserver"))
		return server((long)fmt_parse_u64(v, 0));
	if (!strcmp(role, "rcflood"))
		return flood((long)fmt_parse_u64(v, 0));
	return 100;
}
