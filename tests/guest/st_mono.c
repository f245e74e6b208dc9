/* st_mono.c - self tests only the mono kernel has: pipe argument checks
 * and the absence of the micro kernel's IPC calls. */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

/* POSIX mq semantics: highest priority first, oldest first among equals,
 * bounded, sizes checked, bad buffers refused. */
static void test_mq(void)
{
	static char b[64];
	unsigned prio = 0;
	int q = os_mq_create(3, 16), ok = q > 0;
	ok &= os_mq_send(q, "low", 4, 1) == 0 && os_mq_send(q, "high", 5, 9) == 0 &&
	      os_mq_send(q, "low2", 5, 1) == 0;
	long n1 = os_mq_receive(q, b, 16, &prio);
	ok &= n1 == 5 && !strcmp(b, "high") && prio == 9;
	ok &= os_mq_receive(q, b, 16, &prio) == 4 && !strcmp(b, "low") && prio == 1;
	ok &= os_mq_receive(q, b, 16, 0) == 5 && !strcmp(b, "low2");
	report("mq_priority_order", ok, "highest priority first, then the oldest");
	report("mq_sizes", os_mq_send(q, b, 17, 0) == -E_MSGSIZE &&
	       os_mq_receive(q, b, 15, 0) == -E_MSGSIZE &&
	       os_mq_create(0, 16) == -E_INVAL && os_mq_create(65, 16) == -E_INVAL &&
	       os_mq_create(8, 1 << 20) == -E_INVAL, "message, buffer and queue limits");
	report("mq_bad_buffers", os_mq_send(q, (void *)0x100000, 8, 0) == -E_FAULT &&
	       os_mq_receive(q, (void *)0x100000, 16, 0) == -E_FAULT, "");
	for (int i = 0; i < 3; i++)
		os_mq_send(q, "x", 2, 0);
	char arg[48];   /* a child blocks sending to the full queue until we receive */
	fmt_snprintf(arg, sizeof arg, "role=mqsend ch=%d", q);
	int pid = os_spawn("selftest", arg), st = -1;
	os_yield();
	long got = 0;
	for (int i = 0; i < 4; i++)
		got += os_mq_receive(q, b, 16, 0) > 0;
	os_wait(pid, &st);
	report("mq_full_blocks_sender", st == 0 && got == 4, "a send to a full queue waits for room");
	report("mq_close", os_mq_close(q) == 0 && os_mq_send(q, "x", 2, 0) == -E_BADH, "");
}

/* Futexes: wait only while the word holds the value, wake across processes
 * on a shared segment, bad addresses refused. */
static void test_futex(void)
{
	static uint32_t word = 5;
	report("futex_value_changed", os_futex_wait(&word, 4) == -E_AGAIN, "");
	report("futex_bad_address", os_futex_wait((uint32_t *)0x100000, 0) == -E_FAULT &&
	       os_futex_wake((uint32_t *)((char *)&word + 1), 1) == -E_INVAL, "");
	report("futex_wake_nobody", os_futex_wake(&word, 1) == 0, "");
	int seg = os_shm_create(0xF07, 4096);
	long at = os_shm_attach(seg);
	volatile uint32_t *w = (volatile uint32_t *)at;
	*w = 0;
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=futexwait ch=%d", seg);
	int pid = os_spawn("selftest", arg), st = -1, woken = 0;
	for (int i = 0; i < 100 && !woken; i++) {   /* until the child sleeps on it */
		os_yield();
		*w = 0;
		woken = os_futex_wake(w, 1);
	}
	os_wait(pid, &st);
	report("futex_wake_across_processes", at > 0 && woken == 1 && st == 0,
	       "a waiter on a shared word is woken by another process");
	os_shm_detach(seg);
}

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
	test_mq();
	test_futex();
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
	if (!strcmp(role, "mqsend"))
		return os_mq_send((int)q, "late", 5, 3) == 0 ? 0 : 1;
	if (!strcmp(role, "futexwait")) {
		long at = os_shm_attach((int)q);
		return at > 0 && os_futex_wait((volatile uint32_t *)at, 0) == 0 ? 0 : 1;
	}
	if (!strcmp(role, "pipegrandchild"))
		return (syscall3(SYS_PIPE_READ, q, (uint64_t)buf, sizeof buf) != -E_BADH) |
		       (syscall3(SYS_PIPE_WRITE, q, (uint64_t)buf, 1) != -E_BADH) << 1 |
		       (syscall3(SYS_PIPE_CLOSE, q, 0, 0) != -E_BADH) << 2;
	return 100;
}
