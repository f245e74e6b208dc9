/* st_micro.c - self tests only the micro kernel has: endpoint IPC
 * argument checks, a server dying mid-call, notifications, and the
 * ring-3 console server (separate, killable, restarted). */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

static long call_raw(long ep, uint64_t tag, const struct ipc_desc *d)
{
	return syscall6(SYS_IPC_CALL, (uint64_t)ep, tag, 1, 2, 3, (uint64_t)d).rax;
}

static void test_ipc_args(void)
{
	struct ipc_desc kd = { (void *)0x100000, 100, 0, 0 };
	long ep = os_chan_create();
	report("ipc_bad_endpoint", call_raw(999, 0, 0) == -E_BADH && call_raw(30, 0, 0) == -E_BADH, "");
	report("ipc_bad_desc_pointer", call_raw(ep, IPC_TAG(0, 100), (void *)0x100000) == -E_FAULT, "");
	report("ipc_long_msg_kernel_buffer", call_raw(ep, IPC_TAG(0, 100), &kd) == -E_FAULT, "");
	report("ipc_short_desc", call_raw(ep, IPC_TAG(0, 100), &(struct ipc_desc){ "abc", 3, 0, 0 }) == -E_FAULT,
	       "a tag longer than the descriptor's buffer");
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
}

/* The callee receives and dies without replying: the caller gets -E_PEER. */
static void test_peer_death(void)
{
	long ep = os_chan_create();
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=diehard ch=%ld", ep);
	int pid = os_spawn("selftest", arg), st;
	uint64_t v = 7, out = 0;
	long r = os_chan_call(ep, &v, sizeof v, &out, sizeof out);
	os_wait(pid, &st);
	report("ipc_peer_death", r == -E_PEER && st == 0, "caller of a server that exits gets an error");
}

static void test_notification(void)
{
	long n = syscall3(SYS_NTFN_CREATE, 0, 0, 0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=signal ch=%ld", n);
	int pid = os_spawn("selftest", arg), st;
	long bits = syscall3(SYS_NTFN_WAIT, (uint64_t)n, 0, 0);
	os_wait(pid, &st);
	report("notification", n > 0 && bits == 0x5, "signal bits 0x5 delivered to a blocked waiter");
	report("notification_bad_handle", syscall3(SYS_NTFN_SIGNAL, 999, 1, 0) == -E_BADH, "");
}

/* The console is its own ring-3 process; killing it does not take the
 * kernel down, and the kernel restarts it. */
static void test_console_server(void)
{
	int pid = os_findproc("console"), st;
	report("console_server_process", pid > 1 && pid != os_getpid(), "console runs as its own process");
	int k = os_kill(pid);
	int pid2 = os_findproc("console");
	long w = os_write("selftest: console after restart\n", 32);
	report("console_server_restart", k == 0 && pid2 > 0 && pid2 != pid && w == 32,
	       "killed console server restarted; output flows again");
	(void)st;
}

void test_mode(void)
{
	test_ipc_args();
	test_peer_death();
	test_notification();
	test_console_server();
}

int role_mode(const char *role, const char *arg)
{
	char chs[16];
	fmt_getarg(arg, "ch", chs, sizeof chs);
	long ch = (long)fmt_parse_u64(chs, 0);
	uint64_t buf[4];
	if (!strcmp(role, "diehard"))
		return os_chan_recv(ch, buf, sizeof buf) == 8 ? 0 : 1;
	if (!strcmp(role, "signal"))
		return (int)syscall3(SYS_NTFN_SIGNAL, (uint64_t)ch, 0x5, 0);
	return 100;
}
