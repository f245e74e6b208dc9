/* st_micro.c - self tests only the micro kernel has, one source for
 * every IPC strategy (user/ipc.h): a server dying mid-call,
 * notifications, ownership, and the ring-3 console server (separate,
 * killable, restarted). Each strategy's own checks are in
 * st_ipc_<strategy>.c. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "svcproto.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

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
	long n = ntfn_create();
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=signal ch=%ld", n);
	int pid = os_spawn("selftest", arg), st;
	long bits = ntfn_wait(n);
	os_wait(pid, &st);
	report("notification", n > 0 && bits == 0x5, "signal bits 0x5 delivered to a blocked waiter");
	report("notification_bad_handle", ntfn_signal(999, 1, 0) == -E_BADH, "");
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
	long n = ntfn_create();
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

/* A semaphore waiter that dies while the server keeps its request: the
 * post that would hand it the unit finds its answer refused and gives
 * the unit to the next waiter. */
static void test_sem_dead_waiter(void)
{
	int sem = os_sem_create(0), st = -1, st2 = -1;
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=semsleeper sem=%d", sem);
	int a = os_spawn("selftest", arg);
	for (int i = 0; i < 20; i++)
		os_yield();   /* a is asleep in its wait */
	int b = os_spawn("selftest", arg);
	for (int i = 0; i < 20; i++)
		os_yield();   /* b too, queued behind a */
	int k = os_kill(a);
	os_wait(a, &st);
	int post = os_sem_post(sem);
	for (int i = 0; i < 20; i++)
		os_yield();   /* b has its unit and exits */
	os_kill(b);       /* (if the unit was lost, b is still waiting) */
	os_wait(b, &st2);
	char d[96];
	fmt_snprintf(d, sizeof d, "kill %d, post %d, second waiter's status %d (1000: its wait returned 0)", k,
		     post, st2);
	report("sem_dead_waiter_skipped", k == 0 && post == 0 && st2 == 1000, d);
	os_sem_destroy(sem);
}

/* The deferred reply (user/ipc.h): a server keeps one call, takes and
 * answers another, then answers the first; a used token answers nobody. */
static void test_deferred_reply(void)
{
	long ch = os_chan_create();
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=deferrer ch=%ld", ch);
	int srv = os_spawn("selftest", arg), st[3] = { -1, -1, -1 }, c[2];
	for (int i = 0; i < 2; i++) {
		fmt_snprintf(arg, sizeof arg, "role=defcaller ch=%ld v=%d", ch, i + 1);
		c[i] = os_spawn("selftest", arg);
	}
	os_wait(c[0], &st[0]);
	os_wait(c[1], &st[1]);
	os_wait(srv, &st[2]);
	char d[96];
	fmt_snprintf(d, sizeof d, "callers %d %d, server %d (1: keep, 2: answers, 3: a used token answered)",
		     st[0], st[1], st[2]);
	report("deferred_reply", st[0] == 0 && st[1] == 0 && st[2] == 0, d);
}

/* role deferrer: keep the first call, answer the second, then the first. */
static int deferrer(long ch)
{
	struct ipc_in a = ipc_recv(ch, 0, 0);
	long ta = ipc_defer();
	struct ipc_in b = ipc_recv(ch, 0, 0);
	long tb = ipc_defer();
	if (a.status || b.status || ta < 0 || tb < 0)
		return 1;
	const uint64_t ma[3] = { a.mr[0] + 100, 0, 0 }, mb[3] = { b.mr[0] + 100, 0, 0 };
	if (ipc_answer(tb, mb) != 0 || ipc_answer(ta, ma) != 0)
		return 2;
	return ipc_answer(ta, ma) < 0 && ipc_defer() < 0 ? 0 : 3;
}

/* The design's own wake-up (user/ipc.h): a signal sent before its wait
 * is kept, a signal to a waiter already asleep wakes it; a wake-up that
 * does not exist is an error, not a hang. */
static void test_wake(void)
{
	long w = ipc_wake_create(0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=waker ch=%ld", w);
	int child = w > 0 ? os_spawn("selftest", arg) : -1, st = -1;
	for (int i = 0; i < 3; i++)
		os_yield();   /* the child signals first */
	long a = ipc_wake_wait(w), b = ipc_wake_wait(w);   /* b: we sleep before its signal */
	if (child > 0)
		os_wait(child, &st);
	uint32_t state = 0;
	long bad = ipc_wake_signal(4000, &state);
	char d[120];
	fmt_snprintf(d, sizeof d, "%s: create %ld, kept %ld, woken %ld, signaller %d, no channel %ld",
		     IPC_WAKE, w, a, b, st, bad);
	report("wake_kept_and_woken", w > 0 && a == 0 && b == 0 && st == 0 && bad < 0, d);
}

/* role waker: signal, let the parent take it and fall asleep, signal. */
static int waker(long w)
{
	uint32_t state = 0;
	if (ipc_wake_signal(w, &state) < 0)
		return 1;
	for (int i = 0; i < 6; i++)
		os_yield();
	return ipc_wake_signal(w, &state) < 0 ? 2 : 0;
}

/* 70,000 mappings of one page: the reference count runs out, SYS_MAP
 * fails, and the kernel lives. */
static void test_map_flood(void)
{
	int st = run_child("mapflood", 0);
	report("attack_page_refcount", st == 0, "mapping one page past its reference count fails");
}

/* Recovery: a killed file server comes back; over a block server that
 * kept the disk (fs+blk) it remounts it and a completed write survives;
 * with the disk inside it (fs) the file is gone, cleanly (ENOENT, not
 * garbage). A killed block server loses the disk: the file server then
 * fails requests (EIO), never returns zeros; a second restart of the file
 * server formats the new disk, so the tests after this one have a file
 * system again. */
static void test_server_recovery(void)
{
	static char data[600], got[600];
	int two_hops = os_findproc("blk") > 0, st = -1;
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 23);
	int h = os_fs_open("survivor", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	long w = os_fs_write(h, data, sizeof data);
	os_fs_close(h);
	int k = os_kill(os_findproc("fs"));
	h = os_fs_open("survivor", FS_O_READ);
	long r = h >= 0 ? os_fs_read(h, got, sizeof got) : h;
	os_fs_close(h);
	char d[96];
	fmt_snprintf(d, sizeof d, "%s: wrote %ld, kill %d, then open %d read %ld", two_hops ? "fs+blk" : "fs",
		     w, k, h, r);
	if (two_hops)
		report("recovery_fs_remounts", w == 600 && k == 0 && r == 600 && !memcmp(got, data, 600), d);
	else
		report("recovery_fs_restarts_empty", w == 600 && k == 0 && h == SVC_ENOENT, d);
	if (two_hops) {
		int kb = os_kill(os_findproc("blk"));
		h = os_fs_open("survivor", FS_O_READ);
		r = h >= 0 ? os_fs_read(h, got, sizeof got) : h;
		fmt_snprintf(d, sizeof d, "kill blk %d, then open %d read %ld", kb, h, r);
		report("recovery_blk_lost_disk_is_an_error", kb == 0 && (h == SVC_EIO || r == SVC_EIO), d);
		os_kill(os_findproc("fs"));   /* a fresh file system on the new disk */
		report("recovery_fs_after_blk", os_fs_create("after_blk") == 0, "the next file server formats");
	}
	/* A waiter blocked on a semaphore whose server dies wakes with an error. */
	int sem = os_sem_create(0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=semsleeper sem=%d", sem);
	int pid = os_spawn("selftest", arg);
	for (int i = 0; i < 50; i++)
		os_yield();   /* it is asleep now */
	int ks = os_kill(os_findproc("sem"));
	os_wait(pid, &st);
	fmt_snprintf(d, sizeof d, "kill sem %d, sleeper's wait returned %d", ks, st);
	report("recovery_sem_waiter_woken", ks == 0 && st == SVC_EIO + 1000, d);
}

void test_mode(void)
{
	test_ipc_strategy();   /* st_ipc_<strategy>.c */
	test_peer_death();
	test_notification();
	test_console_server();
	test_usurp();
	test_two_callers();
	test_sem_dead_waiter();
	test_deferred_reply();
	test_wake();
	test_map_flood();
	test_server_recovery();
	/* Raw block writes are the file server's alone (fsshape=fs+blk; with
	 * fsshape=fs there is no block server and no endpoint). */
	static uint8_t blk[4096];
	long r = ipc_call3(EP_BLK, BLK_WRITE, 1, 0, 0, blk, sizeof blk, 0, 0).status;
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
	static const uint64_t mr[3];
	bad |= (ipc_recv(EP_FS, 0, 0).status != -E_PERM) << 0;
	bad |= (ipc_reply_recv(EP_FS, mr, 0, 0, 0, 0).status != -E_PERM) << 1;
	bad |= (os_spawn("fs", "") != -E_PERM) << 2;
	bad |= (ntfn_wait(parents_ntfn) != -E_BADH) << 3;
	bad |= (os_kill(os_findproc("console")) != -E_PERM) << 4;
	page[0] = 1;
	bad |= (syscall6(SYS_MAP, parent, (uint64_t)page, 0x50000000, 1, 1, 0).rax != -E_PERM) << 5;
	bad |= (os_spawn("blk", "") != -E_PERM) << 6;
	return bad;
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
		return (int)ntfn_signal(ch, 0x5, 0);
	if (!strcmp(role, "usurp"))
		return usurp(ch, arg);
	if (!strcmp(role, "recv2")) {
		long a = os_chan_recv(ch, buf, sizeof buf), b = os_chan_recv(ch, buf, sizeof buf);
		return a >= 0 && b >= 0 ? 0 : 1;   /* then exit without replying */
	}
	if (!strcmp(role, "caller")) {
		uint64_t v = 1;
		return os_chan_call(ch, &v, sizeof v, buf, sizeof buf) == -E_PEER ? 0 : 1;
	}
	if (!strcmp(role, "deferrer"))
		return deferrer(ch);
	if (!strcmp(role, "waker"))
		return waker(ch);
	if (!strcmp(role, "defcaller")) {   /* a call answered with our value + 100 */
		fmt_getarg(arg, "v", chs, sizeof chs);
		uint64_t v = fmt_parse_u64(chs, 0);
		struct ipc_in r = ipc_call3(ch, 7, v, 0, 0, 0, 0, 0, 0);
		return r.status == 0 && r.mr[0] == v + 100 ? 0 : 1;
	}
	if (!strcmp(role, "mapflood"))
		return map_flood();
	if (!strcmp(role, "semsleeper")) {   /* exit status: what the wait returned, + 1000 */
		fmt_getarg(arg, "sem", chs, sizeof chs);
		return os_sem_wait((int)fmt_parse_u64(chs, 0)) + 1000;
	}
	return role_ipc(role, arg);   /* st_ipc_<strategy>.c */
}
