/* st_ipc_l4.c - self tests of the l4 strategy's ipc call
 * (kernels/micro/ipc/l4.c): bad thread ids, zero timeouts, and an answer
 * to a thread that is not waiting for us; the fast path (l4_fast.c): a
 * short call and its answer take no scheduler pass and switch directly,
 * with the words and the sender's id delivered; finite timeouts: an open
 * wait and a call that nobody answers end with -E_TIMEOUT, a call answered
 * in time does not. Linked into the micro-l4 selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"

static long l4(uint64_t a0, uint64_t tag)
{
	return syscall6(SYS_L4_IPC, a0, tag, 1, 2, 3, 0).rax;
}

void test_ipc_strategy(void)
{
	long ep = os_chan_create();
	report("l4_bad_thread", l4(L4_ARG(999, L4_FROM_DEST, 0), 0) == -E_BADH &&
	       l4(L4_ARG(30, L4_FROM_DEST, 0), 0) == -E_BADH, "");
	report("l4_send_timeout_zero", l4(L4_ARG(ep, L4_FROM_DEST, L4_SND_NB), 0) == -E_AGAIN,
	       "a call with a zero send timeout and nobody waiting fails at once");
	report("l4_receive_timeout_zero", l4(L4_ARG(0, ep, L4_RCV_NB), 0) == -E_AGAIN,
	       "an open wait with a zero timeout and no sender fails at once");
	report("l4_answer_nobody", l4(L4_ARG(L4_TID | 1, 0, L4_SND_NB), 0) == -E_AGAIN,
	       "an answer to a thread not waiting for us is refused");
	report("l4_long_without_string", l4(L4_ARG(ep, L4_FROM_DEST, L4_SND_NB), IPC_TAG(0, 100)) == -E_FAULT,
	       "more than three words with no string item");
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
	long wait_t = l4(L4_ARG_T(0, ep, 0, 2), 0), call_t = l4(L4_ARG_T(ep, L4_FROM_DEST, 0, 3), 0);
	char why[120];
	fmt_snprintf(why, sizeof why, "an open wait of 2 ticks with no sender: %ld; a call of 3 ticks "
		     "nobody receives: %ld (want -E_TIMEOUT, %d)", wait_t, call_t, -E_TIMEOUT);
	report("l4_finite_timeouts", wait_t == -E_TIMEOUT && call_t == -E_TIMEOUT, why);

	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=l4slow ep=%ld", ep);
	int slow = os_spawn("selftest", arg), sst = -1;
	long late = l4(L4_ARG_T(ep, L4_FROM_DEST, 0, 2), 0);   /* taken, then not answered in time */
	os_wait(slow, &sst);
	fmt_snprintf(why, sizeof why, "a call of 2 ticks whose server answers after 5: %ld; the late "
		     "answer refused, the server lives on: status %d", late, sst);
	report("l4_timeout_waiting_for_answer", late == -E_TIMEOUT && sst == 0, why);

	fmt_snprintf(arg, sizeof arg, "role=l4echo ep=%ld", ep);
	int pid = os_spawn("selftest", arg), st = -1, words_ok = 1;
	struct kcounters k0, k1;
	for (int i = 0; i < 10; i++) {
		if (i == 5)
			os_counters(&k0);
		if (i == 9)   /* the last answer ends the server: not a fast one */
			os_counters(&k1);
		uint64_t a0 = i == 1 ? L4_ARG_T(ep, L4_FROM_DEST, 0, 50) : L4_ARG(ep, L4_FROM_DEST, 0);
		struct sysret6 r = syscall6(SYS_L4_IPC, a0, IPC_TAG(7, 24), (uint64_t)i, 100, 200, 0);
		words_ok &= r.rax == 0 && r.rdx == (uint64_t)i + 1 && r.r10 == 101 && r.r8 == 201 &&
			    r.rdi == (uint64_t)pid && IPC_LABEL(r.rsi) == 8;
	}
	os_wait(pid, &st);
	fmt_snprintf(why, sizeof why, "4 short round trips: words and thread id delivered (%d), "
		     "scheduler passes %lu (want 0), direct switches %lu (want 8); one call with a "
		     "50-tick timeout answered in time", words_ok,
		     (unsigned long)(k1.sched_picks - k0.sched_picks),
		     (unsigned long)(k1.direct_switches - k0.direct_switches));
	report("l4_short_round_trips", words_ok && st == 0 && k1.sched_picks == k0.sched_picks &&
	       k1.direct_switches - k0.direct_switches == 8, why);
}

/* Answer 10 calls on ep by thread id, each word one more and the label
 * one more, then leave. */
static int echo(long ep)
{
	struct sysret6 r = syscall6(SYS_L4_IPC, L4_ARG(0, ep, 0), 0, 0, 0, 0, 0);
	for (int i = 0; i < 10; i++) {
		if (r.rax != 0)
			return 1;
		uint32_t to = L4_TID | (uint32_t)r.rdi;
		uint64_t a0 = i < 9 ? L4_ARG(to, ep, L4_SND_NB) : L4_ARG(to, 0, L4_SND_NB);
		r = syscall6(SYS_L4_IPC, a0, IPC_TAG(IPC_LABEL(r.rsi) + 1, 24), r.rdx + 1, r.r10 + 1, r.r8 + 1, 0);
	}
	return r.rax == 0 ? 0 : 2;
}

/* Take one call, work for about 5 ticks, then answer it: the caller's
 * timeout has run out, so the answer must be refused (0 if it is). */
static int slow_server(long ep)
{
	struct sysret6 r = syscall6(SYS_L4_IPC, L4_ARG(0, ep, 0), 0, 0, 0, 0, 0);
	if (r.rax != 0)
		return 1;
	for (volatile unsigned long i = 0; i < 20000000; i++)
		;
	long a = syscall6(SYS_L4_IPC, L4_ARG(L4_TID | (uint32_t)r.rdi, 0, L4_SND_NB), 0, 0, 0, 0, 0).rax;
	return a == -E_AGAIN ? 0 : 2;
}

int role_ipc(const char *role, const char *arg)
{
	char v[16];
	fmt_getarg(arg, "ep", v, sizeof v);
	if (!strcmp(role, "l4echo"))
		return echo((long)fmt_parse_u64(v, 0));
	if (!strcmp(role, "l4slow"))
		return slow_server((long)fmt_parse_u64(v, 0));
	return 100;
}
