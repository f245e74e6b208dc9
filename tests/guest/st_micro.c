/* st_micro.c - self tests only the micro kernel has: endpoint IPC
 * argument checks, a server dying mid-call, notifications, and the
 * ring-3 console server (separate, killable, restarted). */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "svcproto.h"
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

/* Ownership: what a process may not do to servers and its parent. */
static void test_usurp(void)
{
	long n = syscall3(SYS_NTFN_CREATE, 0, 0, 0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=usurp ch=%ld parent=%d", n, os_getpid());
	int pid = os_spawn("selftest", arg), st = -1;
	os_wait(pid, &st);
	char d[120];
	fmt_snprintf(d, sizeof d, "bits not refused (recv fs, reply_recv fs, spawn fs, wait parent's "
		     "ntfn, kill console, map into parent, spawn blk): 0x%x", st);
	report("attack_ownership", st == 0, d);
	report("attack_server_alive", os_fs_create("after_usurp") == 0, "the file server still answers");
}

static char secret[24] = "SECRET-of-the-parent!!!";

/* The fast path must not pass on the caller's "payload in buffer" bit:
 * else the file server writes its stale receive buffer (the parent's
 * secret, written just before) into the attacker's file. */
static void test_inbuf_tag(void)
{
	int h = os_fs_open("secretf", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	os_fs_write(h, secret, sizeof secret);
	os_fs_close(h);
	report("attack_fast_path_tag", run_child("inbuf", 0) == 0,
	       "a short call with IPC_INBUF set delivers no buffer");
}

/* A server takes two calls without replying and dies: both callers wake. */
static void test_two_callers(void)
{
	long ep = os_chan_create();
	char arg[48];
	int st1 = -1, st2 = -1, sst = -1;
	fmt_snprintf(arg, sizeof arg, "role=recv2 ch=%ld", ep);
	int srv = os_spawn("selftest", arg);
	fmt_snprintf(arg, sizeof arg, "role=caller ch=%ld", ep);
	int c1 = os_spawn("selftest", arg), c2 = os_spawn("selftest", arg);
	os_wait(c1, &st1);
	os_wait(c2, &st2);
	os_wait(srv, &sst);
	report("attack_server_dies_two_callers", st1 == 0 && st2 == 0 && sst == 0,
	       "every caller of a dead server gets -E_PEER, not only the last");
}

/* A semaphore wait naming another process's notification: the post that
 * serves it must not signal that notification (the kernel refuses a
 * signal meant for another owner), and the unit is not lost. */
static void test_sem_forge(void)
{
	long n = syscall3(SYS_NTFN_CREATE, 0, 0, 0);
	syscall3(SYS_NTFN_GRANT, (uint64_t)n, EP_SEM, 0);
	int sem = os_sem_create(0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=semforge ch=%ld sem=%d", n, sem);
	int pid = os_spawn("selftest", arg), st = -1;
	os_wait(pid, &st);                    /* it queued a waiter in our name */
	int post = os_sem_post(sem);
	syscall3(SYS_NTFN_SIGNAL, (uint64_t)n, 0x100, 0);
	long bits = syscall3(SYS_NTFN_WAIT, (uint64_t)n, 0, 0);   /* ours only: 0x100 */
	char d[96];
	fmt_snprintf(d, sizeof d, "forger %d, post %d, our notification's bits 0x%lx", st, post, bits);
	report("attack_sem_forged_waiter", st == 0 && post == 0 && bits == 0x100, d);
	os_sem_destroy(sem);
}

/* 70,000 mappings of one page: the reference count runs out, SYS_MAP
 * fails, and the kernel lives. */
static void test_map_flood(void)
{
	int st = run_child("mapflood", 0);
	report("attack_page_refcount", st == 0, "mapping one page past its reference count fails");
}

void test_mode(void)
{
	test_ipc_args();
	test_peer_death();
	test_notification();
	test_console_server();
	test_usurp();
	test_inbuf_tag();
	test_two_callers();
	test_sem_forge();
	test_map_flood();
	/* Raw block writes are the file server's alone (fsshape=fs+blk; with
	 * fsshape=fs there is no block server and no endpoint). */
	static uint8_t blk[4096];
	long r = ipc_op(SYS_IPC_CALL, EP_BLK, BLK_WRITE, 1, 0, 0, blk, sizeof blk, 0, 0).status;
	report("attack_block_server_direct", r == -E_PERM || r == -E_BADH,
	       r == -E_PERM ? "refused: EPERM" : r == -E_BADH ? "no block server: EBADH" : "accepted");
}

static int usurp(long parents_ntfn, const char *arg)
{
	char v[16];
	fmt_getarg(arg, "parent", v, sizeof v);
	uint64_t parent = fmt_parse_u64(v, 0);
	static uint8_t page[4096] __attribute__((aligned(4096)));
	int bad = 0;
	bad |= (syscall6(SYS_IPC_RECV, EP_FS, 0, 0, 0, 0, 0).rax != -E_PERM) << 0;
	bad |= (syscall6(SYS_IPC_REPLY_RECV, EP_FS, 0, 0, 0, 0, 0).rax != -E_PERM) << 1;
	bad |= (os_spawn("fs", "") != -E_PERM) << 2;
	bad |= (syscall3(SYS_NTFN_WAIT, (uint64_t)parents_ntfn, 0, 0) != -E_BADH) << 3;
	bad |= (os_kill(os_findproc("console")) != -E_PERM) << 4;
	page[0] = 1;
	bad |= (syscall6(SYS_MAP, parent, (uint64_t)page, 0x50000000, 1, 1, 0).rax != -E_PERM) << 5;
	bad |= (os_spawn("blk", "") != -E_PERM) << 6;
	return bad;
}

/* Raw FS_WRITE of 24 bytes with IPC_INBUF set and no buffer: EINVAL, and
 * the file holds nothing of the parent's secret. */
static int inbuf_attack(void)
{
	char got[32] = { 0 };
	int h = os_fs_open("stolen", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	struct sysret6 r = syscall6(SYS_IPC_CALL, EP_FS, IPC_TAG(FS_WRITE, 24) | IPC_INBUF,
				    (uint64_t)h, 0, 0, 0);
	os_fs_seek(h, 0, FS_SEEK_SET);
	long n = os_fs_read(h, got, sizeof got);
	os_fs_close(h);
	return (int64_t)r.rdx == SVC_EINVAL && n == 0 && !memcmp(got, "\0\0\0\0", 4) ? 0 : 1;
}

static int map_flood(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	int child = os_spawn("selftest", "role=spin"), failed = 0;
	page[0] = 1;
	for (uint64_t i = 0; i < 70000 && !failed; i++) {
		long r = syscall6(SYS_MAP, (uint64_t)child, (uint64_t)page, 0x48000000 + i * 4096, 1, 1,
				  0).rax;
		if (r == -E_NOMEM)
			failed = 1;
		else if (r < 0)
			return 2;
	}
	os_kill(child);
	os_wait(child, &(int){ 0 });
	return failed ? 0 : 1;
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
	if (!strcmp(role, "usurp"))
		return usurp(ch, arg);
	if (!strcmp(role, "inbuf"))
		return inbuf_attack();
	if (!strcmp(role, "recv2")) {
		long a = os_chan_recv(ch, buf, sizeof buf), b = os_chan_recv(ch, buf, sizeof buf);
		return a >= 0 && b >= 0 ? 0 : 1;   /* then exit without replying */
	}
	if (!strcmp(role, "caller")) {
		uint64_t v = 1;
		return os_chan_call(ch, &v, sizeof v, buf, sizeof buf) == -E_PEER ? 0 : 1;
	}
	if (!strcmp(role, "semforge")) {
		fmt_getarg(arg, "sem", chs, sizeof chs);
		struct ipc_in r = ipc_op(SYS_IPC_CALL, EP_SEM, SEM_WAIT, fmt_parse_u64(chs, 0),
					 (uint64_t)ch, 0, 0, 0, 0, 0);
		return r.status == 0 && (int64_t)r.mr[0] == SVC_EWOULDBLOCK ? 0 : 1;
	}
	if (!strcmp(role, "mapflood"))
		return map_flood();
	return 100;
}
