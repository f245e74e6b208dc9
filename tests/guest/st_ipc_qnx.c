/* st_ipc_qnx.c - self tests of the qnx strategy (kernels/micro/ipc/
 * qnx.c): bad channels and parts, a reply to a client that is not ours,
 * and a three-part message gathered into two receive parts and answered
 * in three. Linked into the micro-qnx selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"

void test_ipc_strategy(void)
{
	long ch = os_chan_create();
	struct qnx_iov bad[1] = { { 0x100000, 16 } }, many[QNX_IOV_MAX + 1];
	memset(many, 0, sizeof many);
	report("qnx_bad_channel", syscall6(SYS_QNX_SEND, 999, 0, 0, 0, 0, 0).rax == -E_BADH, "");
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
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
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

int role_ipc(const char *role, const char *arg)
{
	char v[16];
	fmt_getarg(arg, "ch", v, sizeof v);
	if (!strcmp(role, "qnxserver"))
		return server((long)fmt_parse_u64(v, 0));
	return 100;
}
