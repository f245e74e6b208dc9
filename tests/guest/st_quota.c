/* st_quota.c - no process tree can deny service to another (issue 18),
 * the same in both kernels: a hostile tree takes all it may of every
 * pool, then an unrelated tree must get full service; a grant dies with
 * its endpoint, even when the id is given out again; a semaphore refuses
 * strangers; FINDPROC and PROC_ALIVE tell a process only what it needs.
 * A pool a kernel lacks answers -E_NOSYS and is left out. */
#include "fmt.h"
#include "os.h"
#include "selftest.h"
#include "str.h"
#include "svc_err.h"
#include "syscall.h"

enum { H_PROCS, H_CHANS, H_NTFNS, H_MQS, H_SEMS, H_SEGS, H_FILES, H_PTPAGES, H_KMSGS, H_KINDS };
static const char *const kind_name[H_KINDS] = { "processes", "channels", "notifications", "queues",
	"semaphores", "segments", "files", "page_tables", "message_buffers" };

#define HOG_CAP 400      /* a limit this high means there is none */
#define HOG_HELPERS 4    /* rc4000: processes that hold messages for the tree */

/* What the hostile tree found, in a segment the driver made (only the
 * owner's children may attach one: the hog's helpers report to the hog
 * in a segment of its own, struct helpers). */
struct hog_report {
	volatile int done;
	int n[H_KINDS];      /* objects it got */
	int last[H_KINDS];   /* the answer that stopped it */
	int pids[HOG_HELPERS + 1];   /* its live processes, for the driver to kill */
};

struct helpers {
	volatile int done[HOG_HELPERS];
	int n[HOG_HELPERS], last[HOG_HELPERS];
};

#define REPORT_KEY 0x7E57u

/* Notifications (micro; user/ipc.h is micro-only): raw calls, which the
 * mono kernel answers -E_NOSYS. */
static long ntfn_create(void) { return syscall3(SYS_NTFN_CREATE, 0, 0, 0); }
static long ntfn_wait(long n) { return syscall3(SYS_NTFN_WAIT, (uint64_t)n, 0, 0); }
static long ntfn_signal(long n, uint64_t bits, long pid)
{
	return syscall3(SYS_NTFN_SIGNAL, (uint64_t)n, bits, (uint64_t)pid);
}
static long ntfn_grant(long n, long ep) { return syscall3(SYS_NTFN_GRANT, (uint64_t)n, (uint64_t)ep, 0); }

static int arg_int(const char *arg, const char *key)
{
	char v[24];
	return fmt_getarg(arg, key, v, sizeof v) < 0 ? -1 : (int)fmt_parse_u64(v, 0);
}

static struct hog_report *attach_report(int seg)
{
	long a = os_shm_attach(seg);
	return a > 0 ? (struct hog_report *)a : 0;
}

/* Take objects of one kind until refused; the count and the refusal go
 * to the report. */
#define TAKE(rep, kind, expr)                                          \
	do {                                                           \
		long r_ = 0;                                           \
		int n_ = 0;                                            \
		while (n_ < HOG_CAP && (r_ = (expr)) >= 0)             \
			n_++;                                          \
		(rep)->n[kind] = n_, (rep)->last[kind] = (int)r_;      \
	} while (0)

static uint8_t map_page[4096] __attribute__((aligned(4096)));

/* Page tables: map one page of ours into a child of ours, 2 MiB apart,
 * each in a page table of its own, until refused. */
static long map_one(int child, int i)
{
	uint64_t va = 0x48000000UL + (uint64_t)i * (2UL << 20);   /* above the child's image */
	if (va >= SHM_BASE)
		return -E_NOMEM;
	return syscall6(SYS_MAP, (uint64_t)child, (uint64_t)map_page, va, 1, 0, 0).rax;
}

static long rc_send(long ep)
{
	uint64_t w[RC_WORDS] = { 7 };
	return syscall3(SYS_RC_SEND_MESSAGE, (uint64_t)ep, (uint64_t)w, 0);
}

static long mach_send(long port)
{
	struct mach_msg m = { .label = 1, .bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0u),
			      .mr_type = MACH_TYPE_WORDS };
	return syscall6(SYS_MACH_MSG, MACH_SEND_MSG, (uint64_t)port, (uint64_t)&m, 0, 0, 0).rax;
}

/* Kernel message buffers, where the strategy has them: mach, messages
 * queued on ports of ours (MACH_QLIMIT each, then a send would wait);
 * rc4000, messages nobody receives, from helpers (a process may have
 * only RC 4000's claim of 4 out). Taken last but for the processes: past
 * its share a tree's every message, even a service call, is refused.
 * ports: endpoints made before the tree ran out of them. */
static void take_kmsgs(struct hog_report *rep, int seg, struct helpers *hl, const long *ports)
{
	int n = 0;
	long r = -E_NOSYS;
	if (!strcmp(os_ipc, "mach")) {
		for (int p = 0; p < 3 && r != -E_QUOTA && r != -E_NOMEM; p++)
			for (int i = 0; ports[p] >= 0 && i < MACH_QLIMIT && (r = mach_send(ports[p])) == 0; i++)
				n++;
	} else if (!strcmp(os_ipc, "rc4000")) {
		char arg[64];
		for (int h = 0; h < HOG_HELPERS && r != -E_QUOTA; h++) {
			fmt_snprintf(arg, sizeof arg, "role=rchold ep=%ld seg=%d slot=%d", ports[0], seg, h);
			if ((rep->pids[h + 1] = os_spawn("selftest", arg)) < 0)
				break;
			for (int spins = 0; !hl->done[h] && spins < 100000; spins++)
				os_yield();
			n += hl->n[h];
			r = hl->last[h];
		}
	}
	rep->n[H_KMSGS] = n, rep->last[H_KMSGS] = (int)r;
}

/* The hostile tree's root: take all it may of everything, say so in
 * the report, then hold it all until killed. */
static int hog(const char *arg)
{
	int seg = arg_int(arg, "seg");
	struct hog_report *rep = attach_report(seg);
	if (!rep)
		return 1;
	int target = rep->pids[0] = os_spawn("selftest", "role=spin");   /* for the page tables */
	long ports[3] = { os_chan_create(), os_chan_create(), os_chan_create() };
	int hseg = os_shm_create(0x6F00u, sizeof(struct helpers));
	struct helpers *hl = hseg >= 0 ? (struct helpers *)attach_report(hseg) : 0;
	if (!hl)
		return 2;
	TAKE(rep, H_CHANS, os_chan_create());
	TAKE(rep, H_NTFNS, ntfn_create());
	TAKE(rep, H_MQS, os_mq_create(2, 64));
	TAKE(rep, H_SEMS, os_sem_create(0));
	TAKE(rep, H_SEGS, os_shm_create(0x6000u + (unsigned)n_, 4096));
	os_fs_create("hogfile");
	TAKE(rep, H_FILES, os_fs_open("hogfile", FS_O_READ));
	take_kmsgs(rep, hseg, hl, ports);
	TAKE(rep, H_PROCS, os_spawn("selftest", "role=exit42"));   /* zombies: never waited for */
	TAKE(rep, H_PTPAGES, map_one(target, n_));   /* last: a process needs page tables */
	rep->done = 1;
	for (;;)
		os_yield();
}

/* rc4000: send until refused, say how many, then hold them. */
static int rc_hold(const char *arg)
{
	struct helpers *hl = (struct helpers *)attach_report(arg_int(arg, "seg"));
	int slot = arg_int(arg, "slot");
	if (!hl || slot < 0 || slot >= HOG_HELPERS)
		return 1;
	long ep = arg_int(arg, "ep"), r;
	int n = 0;
	while ((r = rc_send(ep)) > 0)
		n++;
	hl->n[slot] = n, hl->last[slot] = (int)r;
	hl->done[slot] = 1;
	for (;;)
		os_yield();
}

static uint8_t pattern[4096], back[4096];

/* An unrelated tree's fixed workload, every result checked: a child,
 * a channel round trip, a file, a semaphore, a segment, a notification
 * or a message queue, the console. Returns a bit per failed step. */
static int checker(void)
{
	int bad = 0, st = -1;
	int pid = os_spawn("selftest", "role=exit42");
	bad |= (pid < 0 || os_wait(pid, &st) != pid || st != 42) << 0;
	bad |= !echo_rounds(3) << 1;
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	int h = os_fs_create("chkfile") == 0 ? os_fs_open("chkfile", FS_O_RDWR) : -1;
	bad |= (h < 0 || os_fs_write(h, pattern, sizeof pattern) != (long)sizeof pattern ||
		os_fs_seek(h, 0, FS_SEEK_SET) != 0 || os_fs_read(h, back, sizeof back) != (long)sizeof back ||
		memcmp(pattern, back, sizeof back) || os_fs_close(h) != 0 || os_fs_unlink("chkfile") != 0)
	       << 2;
	int sem = os_sem_create(0);
	bad |= (sem < 0 || os_sem_post(sem) != 0 || os_sem_wait(sem) != 0 || os_sem_destroy(sem) != 0) << 3;
	int seg = os_shm_create(0x7100u, 4096);
	long a = seg >= 0 ? os_shm_attach(seg) : -1;
	if (a > 0)
		memcpy((void *)a, pattern, 64);
	bad |= (a <= 0 || memcmp((void *)a, pattern, 64) || os_shm_detach(seg) != 0) << 4;
	if (!strcmp(os_mode, "micro")) {
		long n = ntfn_create();
		bad |= (n < 0 || ntfn_signal(n, 0x5, os_getpid()) != 0 || ntfn_wait(n) != 0x5) << 5;
	} else {
		int q = os_mq_create(2, 16);
		char m[16] = "quota", r[16] = "";
		bad |= (q < 0 || os_mq_send(q, m, sizeof m, 1) != 0 || os_mq_receive(q, r, sizeof r, 0) != (long)sizeof r ||
			memcmp(m, r, sizeof m) || os_mq_close(q) != 0)
		       << 5;
	}
	bad |= (os_printf("selftest: checker pid %d served\n", os_getpid()) <= 0) << 6;
	return bad;
}

/* Which answers mean "this tree's limit": the kernel's and the
 * services'; -E_NOSYS: the kernel has no such pool. */
static int limited(int last)
{
	return last == -E_QUOTA || last == SVC_EDQUOT;
}

static void test_tree_at_every_limit(void)
{
	int seg = os_shm_create(REPORT_KEY, sizeof(struct hog_report));
	struct hog_report *rep = seg >= 0 ? attach_report(seg) : 0;
	if (!rep) {
		report("quota_hostile_tree", 0, "cannot make the report segment");
		return;
	}
	memset((void *)rep, 0, sizeof *rep);
	char arg[48], d[160];
	fmt_snprintf(arg, sizeof arg, "role=treehog seg=%d", seg);
	int hogpid = os_spawn_priv("selftest", arg, SPAWN_NEW_TREE), st = -1;
	for (int spins = 0; hogpid > 0 && !rep->done && spins < 200000; spins++)
		os_yield();
	int all = hogpid > 0 && rep->done;
	for (int k = 0; k < H_KINDS && all; k++) {
		if (rep->last[k] == -E_NOSYS)
			continue;   /* not in this kernel */
		char name[40];
		fmt_snprintf(name, sizeof name, "quota_%s", kind_name[k]);
		fmt_snprintf(d, sizeof d, "the hostile tree got %d, then %d (want -E_QUOTA or SVC_EDQUOT)",
			     rep->n[k], rep->last[k]);
		report(name, rep->n[k] > 0 && limited(rep->last[k]), d);
	}
	/* an unrelated tree, while the hostile one holds everything */
	int chk = os_spawn_priv("selftest", "role=checker", SPAWN_NEW_TREE), cst = -1;
	if (chk > 0)
		os_wait(chk, &cst);
	fmt_snprintf(d, sizeof d, "hostile tree ready %d; unrelated tree's workload: status %d (bits: spawn, "
		     "channel, file, semaphore, segment, notification or queue, console)", all, cst);
	report("quota_unrelated_tree_served", all && cst == 0, d);
	if (hogpid > 0) {   /* the tree: its root, then what it started */
		os_kill(hogpid);
		os_wait(hogpid, &st);
		for (int i = 0; i <= HOG_HELPERS; i++)
			if (rep->pids[i] > 0)
				os_kill(rep->pids[i]);
	}
	os_shm_detach(seg);
}

/* seL4 and the like: a grant of our notification to an endpoint dies with
 * it; a process that gets the same id later cannot signal us. */
static void test_grant_revoked(void)
{
	if (strcmp(os_mode, "micro"))
		return;
	long n = ntfn_create(), box = os_chan_create(), ep = -1;
	char arg[64], msg[16] = "";
	fmt_snprintf(arg, sizeof arg, "role=epholder box=%ld", box);
	int holder = os_spawn("selftest", arg), st = -1;
	if (holder > 0 && os_chan_recv(box, msg, sizeof msg) > 0)
		ep = (long)fmt_parse_u64(msg, 0);   /* its endpoint; it waits for an answer */
	long granted = ep > 0 ? ntfn_grant(n, ep) : -1;
	os_kill(holder);   /* its endpoint goes with it */
	os_wait(holder, &st);
	fmt_snprintf(arg, sizeof arg, "role=grabparent ep=%ld n=%ld parent=%d", ep, n, os_getpid());
	int grab = os_spawn_priv("selftest", arg, SPAWN_NEW_TREE);
	st = -1;
	if (grab > 0)
		os_wait(grab, &st);
	char d[128];
	fmt_snprintf(d, sizeof d, "grant to endpoint %ld: %ld; its id given out again, then a signal: status %d "
		     "(0 refused, 1 signalled, 2 never got the id)", ep, granted, st);
	report("quota_grant_dies_with_endpoint", granted == 0 && st == 0, d);
}

/* An endpoint of ours, its id sent to our parent, then wait to be killed. */
static int ep_holder(const char *arg)
{
	long box = arg_int(arg, "box"), ep = os_chan_create();
	char msg[16], r[16];
	fmt_snprintf(msg, sizeof msg, "%ld", ep);
	os_chan_call(box, msg, strlen(msg) + 1, r, sizeof r);   /* no answer comes */
	for (;;)
		os_yield();
	return 1;
}

/* Not a child of the notification's owner: make endpoints until the
 * freed id comes back, then try to signal through the dead grant. */
static int grab(const char *arg)
{
	long want = arg_int(arg, "ep"), n = arg_int(arg, "n"), parent = arg_int(arg, "parent");
	for (int i = 0; i < 16; i++) {
		long e = os_chan_create();
		if (e == want)
			return ntfn_signal(n, 0x40, parent) == -E_PERM ? 0 : 1;
		if (e < 0)
			break;
	}
	return 2;
}

/* A semaphore or a segment is its owner's and its children's: a
 * process further off may not post or destroy the one (a wait of its
 * would block: not tried), nor attach the other. */
static void test_sem_owner(void)
{
	int sem = os_sem_create(0), seg = os_shm_create(0x7200u, 4096), st = -1, kst = -1;
	char arg[64], d[160];
	fmt_snprintf(arg, sizeof arg, "role=strangerparent sem=%d seg=%d", sem, seg);
	int sp = os_spawn("selftest", arg);   /* its child is no child of ours */
	if (sp > 0)
		os_wait(sp, &st);
	fmt_snprintf(arg, sizeof arg, "role=sempost sem=%d", sem);
	int kid = os_spawn("selftest", arg);   /* a child of ours may */
	if (kid > 0)
		os_wait(kid, &kst);
	int ours = kst == 0 && os_sem_wait(sem) == 0;   /* the child's post arrived */
	fmt_snprintf(d, sizeof d, "a grandchild's post, destroy and attach: status %d (0: all refused); "
		     "a child's post: status %d", st, kst);
	report("quota_semaphore_and_segment_owner", sem >= 0 && seg >= 0 && st == 0 && ours &&
	       os_sem_destroy(sem) == 0, d);
}

/* What a process may learn of others: servers (micro) and its own
 * children by name; only itself and its children alive or not. */
static int snoop(const char *arg)
{
	int parent = arg_int(arg, "parent"), bad = 0;
	bad |= (os_findproc("selftest") != -E_SRCH) << 0;   /* our parent is named so */
	bad |= (syscall3(SYS_PROC_ALIVE, (uint64_t)parent, 0, 0) != -E_PERM) << 1;
	bad |= (syscall3(SYS_PROC_ALIVE, 1, 0, 0) != -E_PERM) << 2;
	bad |= (syscall3(SYS_PROC_TREE, (uint64_t)parent, 0, 0) != -E_PERM) << 3;
	bad |= (syscall3(SYS_PROC_ALIVE, (uint64_t)os_getpid(), 0, 0) != 1) << 4;
	if (!strcmp(os_mode, "micro"))
		bad |= (os_findproc("fs") <= 0) << 5;   /* a server: its clients need it */
	return bad;
}

static void test_process_info(void)
{
	char arg[32], d[96];
	fmt_snprintf(arg, sizeof arg, "role=procsnoop parent=%d", os_getpid());
	int pid = os_spawn("selftest", arg), st = -1;
	if (pid > 0)
		os_wait(pid, &st);
	fmt_snprintf(d, sizeof d, "status %d (bits: findproc parent, alive parent, alive init, tree, "
		     "alive self, findproc server)", st);
	report("quota_process_info", st == 0, d);
}

void test_quotas(void)
{
	test_tree_at_every_limit();
	test_grant_revoked();
	test_sem_owner();
	test_process_info();
}

int role_quota(const char *role, const char *arg)
{
	if (!strcmp(role, "treehog"))
		return hog(arg);
	if (!strcmp(role, "rchold"))
		return rc_hold(arg);
	if (!strcmp(role, "checker"))
		return checker();
	if (!strcmp(role, "epholder"))
		return ep_holder(arg);
	if (!strcmp(role, "grabparent") || !strcmp(role, "strangerparent")) {
		/* our child, with our arguments: no child of our parent's */
		const char *rest = arg;
		while (*rest && *rest != ' ')
			rest++;
		char a[96];
		fmt_snprintf(a, sizeof a, "role=%s%s", role[0] == 'g' ? "grab" : "stranger", rest);
		int pid = os_spawn("selftest", a), st = -1;
		return pid > 0 && os_wait(pid, &st) == pid ? st : 3;
	}
	if (!strcmp(role, "grab"))
		return grab(arg);
	if (!strcmp(role, "stranger")) {
		int sem = arg_int(arg, "sem");
		return (os_sem_post(sem) != SVC_EPERM) | (os_sem_destroy(sem) != SVC_EPERM) << 1 |
		       (os_shm_attach(arg_int(arg, "seg")) != SVC_EPERM) << 2;
	}
	if (!strcmp(role, "sempost"))
		return os_sem_post(arg_int(arg, "sem")) == 0 ? 0 : 1;
	if (!strcmp(role, "procsnoop"))
		return snoop(arg);
	return -1;
}
