/* st_core.c - self tests of what both kernels share: processes,
 * preemption, isolation, argument checking, channels. */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

#define FAULT(v) (EXIT_FAULT_BASE | (v))

static void expect_status(const char *name, const char *role, int want)
{
	char d[96];
	int st = run_child(role, 0);
	fmt_snprintf(d, sizeof d, "child %s exit status 0x%x, want 0x%x", role, st, want);
	report(name, st == want, d);
}

void test_processes(void)
{
	expect_status("exit_status", "exit42", 42);
	int st, r = os_wait(12345, &st);
	report("wait_no_child", r == -E_CHILD, "wait on a pid that is not a child");
	report("spawn_unknown_image", os_spawn("no-such-prog", "") == -E_NOENT, "");
	report("kill_no_such_pid", os_kill(54321) == -E_SRCH, "");
	int base = os_set_prio(0, 0), child = -1, cst = -1;
	int raise = os_set_prio(0, base + 1), other = os_set_prio(1, 1), none = os_set_prio(54321, 1);
	run_child("spin", &child);
	if (base > 1 && child > 0) {
		int lowered = os_set_prio(child, base - 1), now = os_set_prio(child, 0);
		os_kill(child);
		os_wait(child, &cst);
		report("set_prio", raise == -E_INVAL && other == -E_PERM && none == -E_SRCH && lowered == 0 &&
		       now == base - 1, "a child lowered; raising ourself, init, or a missing pid refused");
	} else {
		char d[80];
		fmt_snprintf(d, sizeof d, "base priority %d (want above 1), child %d", base, child);
		report("set_prio", 0, d);
	}
}

/* A child that never yields must not stop a second child from running. */
void test_preemption(void)
{
	int spin, st = -1;
	run_child("spin", &spin);
	int hello = run_child("hello", 0);
	int k = os_kill(spin), w = os_wait(spin, &st);
	report("preemption", spin > 0 && hello == 0 && k == 0 && w == spin && st == EXIT_KILLED,
	       "a CPU-bound child is preempted so another child runs and exits");
}

void test_isolation(void)
{
	expect_status("isolation_kernel_read", "kread", FAULT(14));
	expect_status("isolation_kernel_write", "kwrite", FAULT(14));
	expect_status("readonly_text_write", "rowrite", FAULT(14));
	expect_status("invalid_instruction", "badinsn", FAULT(6));
	expect_status("unmapped_read", "unmapped", FAULT(14));
	int holder, st;
	run_child("secret", &holder);
	os_yield();
	int snoop = run_child("snoop", 0);
	os_kill(holder);
	os_wait(holder, &st);
	report("isolation_other_process", holder > 0 && snoop == 0,
	       "another process's memory at the same address is not visible");
}

void test_bad_pointers(void)
{
	struct kcounters c;
	int st;
	report("badptr_write_kernel", os_write((void *)0x100000, 16) == -E_FAULT, "");
	report("badptr_write_null", os_write(0, 16) == -E_FAULT, "");
	report("badptr_write_huge_len", os_write("x", 1UL << 40) == -E_FAULT, "");
	report("badptr_write_wrap", os_write((void *)0x7FFFFFF0, 0x20) == -E_FAULT, "");
	report("badptr_spawn_name", os_spawn((const char *)0xdead0000, "") == -E_FAULT, "");
	report("badptr_wait_status", os_wait(-1, (int *)0x1000) == -E_FAULT, "");
	report("badptr_counters", os_counters((struct kcounters *)0x7FFFFFFC) == -E_FAULT, "");
	report("counters_ok", os_counters(&c) == 0 && c.kentries > 0, "");
	report("unknown_syscall", syscall3(999, 0, 0, 0) == -E_NOSYS, "");
	report("badptr_debug_write", os_debug_write((void *)0x300000, 8) == -E_FAULT, "");
	(void)st;
}

static uint8_t req[65536], resp[65536];

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Echo over a channel in both modes, every byte checked. */
void test_channels(void)
{
	static const size_t sizes[] = { 0, 1, 8, 24, 25, 64, 4096, 4097, 65536 - 8 };
	long ch = os_chan_create();
	char arg[48], d[96];
	fmt_snprintf(arg, sizeof arg, "role=echo ch=%ld", ch);
	int pid = os_spawn("selftest", arg), bad = 0;
	for (unsigned i = 0; ch >= 0 && pid > 0 && i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		fill(req, n, i);
		memset(resp, 0xEE, n);
		long r = os_chan_call(ch, req, n, resp, sizeof resp);
		if (r != (long)n || memcmp(req, resp, n)) {
			fmt_snprintf(d, sizeof d, "size %lu: got %ld", (unsigned long)n, r);
			bad = 1;
			break;
		}
	}
	os_kill(pid);
	int st;
	os_wait(pid, &st);
	report("channel_echo", ch >= 0 && pid > 0 && !bad, bad ? d : "sizes 0 to 65528 echoed and checked");
}

/* The echo child: reply with what came in. */
int role_echo(const char *arg)
{
	char chs[16];
	if (fmt_getarg(arg, "ch", chs, sizeof chs) < 0)
		return 2;
	long ch = (long)fmt_parse_u64(chs, 0);
	long n = os_chan_recv(ch, req, sizeof req);
	while (n >= 0)
		n = os_chan_reply_recv(ch, req, (size_t)n, req, sizeof req);
	return 3;
}
