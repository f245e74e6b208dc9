/* os_common.c - the os_* calls that are the same system call in both
 * kernels (process control, counters; the mono kernel's futexes and
 * message queues, which the micro kernel answers with -E_NOSYS) and
 * formatted output. */
#include <stdarg.h>
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"

int os_spawn(const char *image, const char *arg)
{
	return os_spawn_priv(image, arg, 0);
}

int os_spawn_priv(const char *image, const char *arg, unsigned privs)
{
	return (int)syscall3(SYS_SPAWN, (uint64_t)image, (uint64_t)arg, privs);
}

int os_wait(int pid, int *status)
{
	return (int)syscall3(SYS_WAIT, (uint64_t)(int64_t)pid, (uint64_t)status, 0);
}

int os_kill(int pid) { return (int)syscall3(SYS_KILL, (uint64_t)pid, 0, 0); }
int os_yield(void) { return (int)syscall3(SYS_YIELD, 0, 0, 0); }
int os_set_prio(int pid, int prio) { return (int)syscall3(SYS_SET_PRIO, (uint64_t)pid, (uint64_t)prio, 0); }
int os_set_cpu(int pid, int cpu) { return (int)syscall3(SYS_SET_CPU, (uint64_t)pid, (uint64_t)cpu, 0); }
int os_get_cpu(void) { return (int)syscall3(SYS_GET_CPU, 0, 0, 0); }
int os_getpid(void) { return (int)syscall3(SYS_GETPID, 0, 0, 0); }
int os_null(void) { return (int)syscall3(SYS_NULL, 0, 0, 0); }
int os_findproc(const char *image) { return (int)syscall3(SYS_FINDPROC, (uint64_t)image, 0, 0); }
int os_counters(struct kcounters *c) { return (int)syscall3(SYS_COUNTERS, (uint64_t)c, 0, 0); }

int os_futex_wait(volatile uint32_t *addr, uint32_t expected)
{
	return (int)syscall3(SYS_FUTEX_WAIT, (uint64_t)addr, expected, 0);
}

int os_futex_wake(volatile uint32_t *addr, int n)
{
	return (int)syscall3(SYS_FUTEX_WAKE, (uint64_t)addr, (uint64_t)n, 0);
}

int os_mq_create(unsigned maxmsg, size_t msgsize)
{
	return (int)syscall3(SYS_MQ_CREATE, maxmsg, msgsize, 0);
}

int os_mq_send(int q, const void *buf, size_t len, unsigned prio)
{
	return (int)syscall6(SYS_MQ_SEND, (uint64_t)q, (uint64_t)buf, len, prio, 0, 0).rax;
}

long os_mq_receive(int q, void *buf, size_t cap, unsigned *prio)
{
	return syscall6(SYS_MQ_RECEIVE, (uint64_t)q, (uint64_t)buf, cap, (uint64_t)prio, 0, 0).rax;
}

int os_mq_close(int q) { return (int)syscall3(SYS_MQ_CLOSE, (uint64_t)q, 0, 0); }

int os_debug_write(const void *buf, size_t len)
{
	return (int)syscall3(SYS_DEBUG_WRITE, (uint64_t)buf, len, 0);
}

void os_exit(int status)
{
	syscall3(SYS_EXIT, (uint64_t)status, 0, 0);
	for (;;)
		;
}

int os_printf(const char *fmt, ...)
{
	static char buf[2048];   /* one result line (bench/runtime.c) fits */
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	return (int)os_write(buf, (size_t)n);
}
