/* st_mono.c - self tests only the mono kernel has: pipe argument checks
 * and the absence of the micro kernel's IPC calls. */
#include "os.h"
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
}

int role_mode(const char *role, const char *arg)
{
	(void)role, (void)arg;
	return 100;
}
