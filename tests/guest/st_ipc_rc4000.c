/* st_ipc_rc4000.c - self tests of the rc4000 strategy (kernels/micro/
 * ipc/rc4000.c): asynchronous send with several messages out, the buffer
 * claim as a visible error, buffers that are not ours, the storage areas'
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

void test_ipc_strategy(void)
{
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
	return 100;
}
