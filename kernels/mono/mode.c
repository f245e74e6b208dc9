/* mode.c - the mono kernel's mode group: its system-call table, which
 * reaches the in-kernel services (console, pipes) directly. */
#include "defs.h"
#include "proc.h"
#include "syscall.h"

int64_t sys_write(struct sysframe *sf);
int64_t sys_pipe(struct sysframe *sf);
int64_t sys_pipe_write(struct sysframe *sf);
int64_t sys_pipe_read(struct sysframe *sf);
int64_t sys_pipe_close(struct sysframe *sf);

const char *const mode_name = "mono";

const syscall_fn mode_syscalls[NSYSCALLS] = {
	COMMON_SYSCALLS,
	[SYS_WRITE] = sys_write,
	[SYS_PIPE] = sys_pipe,
	[SYS_PIPE_WRITE] = sys_pipe_write,
	[SYS_PIPE_READ] = sys_pipe_read,
	[SYS_PIPE_CLOSE] = sys_pipe_close,
};

void mode_init(void)
{
}

void mode_proc_exit(struct proc *p)
{
	(void)p;
}

/* Console output lives in the kernel: copy in and write to COM1. */
int64_t sys_write(struct sysframe *sf)
{
	char buf[256];
	uint64_t ubuf = ARG0(sf), len = ARG1(sf), done = 0;
	if (!vm_user_range_ok(ubuf, len))
		return -E_FAULT;
	while (done < len) {
		uint64_t n = len - done < sizeof buf ? len - done : sizeof buf;
		if (copyin(buf, ubuf + done, n) < 0)
			return done ? (int64_t)done : -E_FAULT;
		console_write(buf, n);
		done += n;
	}
	return (int64_t)len;
}
