/* st_mono.c - self tests only the mono kernel has: pipe argument checks
 * and the absence of the micro kernel's IPC calls. */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

void test_mode(void)
{
	static char buf[64];
	long p = syscall3(SYS_PIPE, 0, 0, 0);
	report("pipe_bad_handle", syscall3(SYS_PIPE_WRITE, 999, (uint64_t)buf, 8) == -E_BADH, "");
	report("pipe_write_kernel_buffer", syscall3(SYS_PIPE_WRITE, (uint64_t)p, 0x100000, 8) == -E_FAULT, "");
	syscall3(SYS_PIPE_WRITE, (uint64_t)p, (uint64_t)buf, 8);
	report("pipe_read_kernel_buffer", syscall3(SYS_PIPE_READ, (uint64_t)p, 0x100000, 8) == -E_FAULT, "");
	report("pipe_too_big", syscall3(SYS_PIPE_WRITE, (uint64_t)p, (uint64_t)buf, 1 << 20) == -E_MSGSIZE, "");
	report("pipe_close", syscall3(SYS_PIPE_CLOSE, (uint64_t)p, 0, 0) == 0 &&
	       syscall3(SYS_PIPE_READ, (uint64_t)p, (uint64_t)buf, 8) == -E_BADH, "");
	report("micro_call_absent", syscall3(SYS_IPC_CALL, 1, 0, 0) == -E_NOSYS, "IPC is not in the mono kernel");
	report("console_in_kernel", os_findproc("console") == -E_SRCH, "no console process: the kernel prints");
	/* A pipe is its owner's and its children's: a grandchild may not
	 * read, write or close it, a child may not close it. */
	long q = syscall3(SYS_PIPE, 0, 0, 0);
	syscall3(SYS_PIPE_WRITE, (uint64_t)q, (uint64_t)"private", 8);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=pipechild ch=%ld", q);
	int pid = os_spawn("selftest", arg), st = -1;
	os_wait(pid, &st);
	long n = syscall3(SYS_PIPE_READ, (uint64_t)q, (uint64_t)buf, sizeof buf);
	report("attack_pipe_ownership", st == 0 && n == 8, "a grandchild cannot use, a child cannot "
	       "close the parent's pipe; the owner still reads its data");
	syscall3(SYS_PIPE_CLOSE, (uint64_t)q, 0, 0);
}

int role_mode(const char *role, const char *arg)
{
	static char buf[16];
	char v[16], a[48];
	fmt_getarg(arg, "ch", v, sizeof v);
	uint64_t q = fmt_parse_u64(v, 0);
	if (!strcmp(role, "pipechild")) {
		int st = -1, pid;
		fmt_snprintf(a, sizeof a, "role=pipegrandchild ch=%lu", (unsigned long)q);
		if ((pid = os_spawn("selftest", a)) < 0 || os_wait(pid, &st) != pid || st)
			return 1;
		return syscall3(SYS_PIPE_CLOSE, q, 0, 0) == -E_BADH ? 0 : 2;
	}
	if (!strcmp(role, "pipegrandchild"))
		return (syscall3(SYS_PIPE_READ, q, (uint64_t)buf, sizeof buf) != -E_BADH) |
		       (syscall3(SYS_PIPE_WRITE, q, (uint64_t)buf, 1) != -E_BADH) << 1 |
		       (syscall3(SYS_PIPE_CLOSE, q, 0, 0) != -E_BADH) << 2;
	return 100;
}
