/* st_ipc_l4.c - self tests of the l4 strategy's ipc call
 * (kernels/micro/ipc/l4.c): bad thread ids, zero timeouts, and an answer
 * to a thread that is not waiting for us. Linked into the micro-l4
 * selftest. */
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
}

int role_ipc(const char *role, const char *arg)
{
	(void)role, (void)arg;
	return 100;
}
