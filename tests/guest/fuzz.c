/*
 * fuzz.c - a seeded system-call fuzzer, one source for both kernels
 * (run=fuzz calls=N seed=S [first=F] [chunk=C]). Call i of seed S is a
 * pure function of (S, i): its number and arguments come from
 * splitmix64(S ^ i), so any call can be replayed alone (first=i calls=1).
 *
 * The driver runs the calls in chunks, each in a fresh child (a process
 * of this image, role=child), and after every chunk checks that the
 * system still works: a null call, a channel echo with another process,
 * a file written and read back, a semaphore, a shared-memory segment
 * (micro: every server still answers). It prints one protocol line per
 * chunk ({"type":"fuzz","first":F,"count":C,...}, so a panic or hang
 * names the calls in flight) and a summary at the end. A child that
 * dies of a fault is counted (its own memory is fair game), one that
 * blocks for good (a receive on its own endpoint) is killed and counted;
 * either way a new child goes on after the call it was in.
 * Two calls are never made: exit (it would end the chunk) and a detach
 * of the segment that carries the child's progress count to the driver.
 * Console output is kept quiet (at most 16 zero bytes), so that nothing
 * the fuzzer prints can look like a protocol line.
 *
 * trees=N (2 to 4; issue 18): each chunk runs N children at once, child
 * k on the k-th run of count calls from first, each in a process tree of
 * its own (SPAWN_NEW_TREE, under its own limits), while the driver, a
 * tree of its own, checks its service every CHECK_EVERY yields, not only
 * between chunks: no fuzzed tree may deny it anything.
 */
#include "fmt.h"
#include "syscall.h"
#include "os.h"
#include "protocol.h"
#include "str.h"
#include "svcproto.h"

#define DEFAULT_CHUNK 4000
#define STUCK_YIELDS 300      /* driver yields without progress: the child is blocked */
#define MAX_TREES 4
#define CHECK_EVERY 50        /* trees > 1: yields between the driver's checks during a chunk */
#define SHM_KEY 0xF022

static uint8_t scratch[65536] __attribute__((aligned(4096)));
#define PGSIZE_FUZZ 4096   /* scratch's pages: mach's out-of-line bodies */
static const uint8_t quiet[16];   /* what console writes print */
static volatile uint64_t *progress;   /* calls done by each current child (shared) */

static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct rng { uint64_t s; };

static uint64_t next(struct rng *r) { return r->s = splitmix(r->s); }
static uint64_t pick(struct rng *r, uint64_t n) { return next(r) % n; }

/* Every number either kernel knows, and a few it does not. */
static const uint16_t numbers[] = {
	SYS_NULL, SYS_SPAWN, SYS_WAIT, SYS_KILL, SYS_YIELD, SYS_GETPID, SYS_FINDPROC, SYS_WRITE,
	SYS_DEBUG_WRITE,
	SYS_COUNTERS, SYS_PROC_ALIVE, SYS_PROC_TREE, SYS_SET_PRIO, SYS_PIPE, SYS_PIPE_WRITE, SYS_PIPE_READ,
	SYS_PIPE_CLOSE, SYS_FS_CREATE, SYS_FS_OPEN, SYS_FS_READ, SYS_FS_WRITE, SYS_FS_SEEK,
	SYS_FS_CLOSE, SYS_FS_UNLINK, SYS_FS_STAT, SYS_SEM_CREATE, SYS_SEM_WAIT, SYS_SEM_POST,
	SYS_SEM_DESTROY, SYS_SHM_CREATE, SYS_SHM_ATTACH, SYS_SHM_DETACH, SYS_EP_CREATE,
	SYS_IPC_SEND, SYS_IPC_RECV, SYS_IPC_CALL, SYS_IPC_REPLY_RECV, SYS_NTFN_CREATE,
	SYS_NTFN_SIGNAL, SYS_NTFN_WAIT, SYS_MAP, SYS_UNMAP, SYS_NTFN_GRANT, SYS_SAVE_CALLER, SYS_FUTEX_WAIT,
	SYS_FUTEX_WAKE, SYS_MQ_CREATE, SYS_MQ_SEND, SYS_MQ_RECEIVE, SYS_MQ_CLOSE, SYS_L4_IPC,
	SYS_MACH_MSG, SYS_MACH_PORT_ALLOCATE, SYS_MACH_PORT_INSERT, SYS_QNX_SEND, SYS_QNX_RECEIVE, SYS_QNX_REPLY, SYS_QNX_PULSE, SYS_MX_SEND, SYS_MX_RECEIVE,
	SYS_MX_SENDREC, SYS_MX_SETGRANT, SYS_MX_KERNEL_CALL, SYS_MX_NOTIFY, SYS_RC_SEND_MESSAGE, SYS_RC_WAIT_ANSWER,
	SYS_RC_WAIT_MESSAGE, SYS_RC_SEND_ANSWER, SYS_RC_COPY, SYS_SET_CPU, SYS_GET_CPU, 15, 47, 63, 66, 95,
	96, 999,
};

/* Calls that may wait for another process: mostly given a bad handle,
 * so that a chunk seldom blocks for good. */
static int may_block(uint64_t n)
{
	return n == SYS_WAIT || n == SYS_PIPE_READ || n == SYS_PIPE_WRITE || n == SYS_SEM_WAIT ||
	       n == SYS_FUTEX_WAIT || n == SYS_MQ_SEND || n == SYS_MQ_RECEIVE ||
	       n == SYS_IPC_SEND || n == SYS_IPC_RECV || n == SYS_IPC_CALL ||
	       n == SYS_IPC_REPLY_RECV || n == SYS_NTFN_WAIT || n == SYS_MACH_MSG ||
	       n == SYS_QNX_SEND || n == SYS_QNX_RECEIVE || n == SYS_MX_SEND || n == SYS_MX_RECEIVE ||
	       n == SYS_MX_SENDREC || n == SYS_RC_WAIT_ANSWER || n == SYS_RC_WAIT_MESSAGE;
}

static const char *const strings[] = { "selftest", "fuzz", "fs", "console", "no-such", "" };

/* An argument: a handle, a small or odd integer, a length, or a pointer
 * (into our scratch buffer, the kernel, nowhere, or a string). */
static uint64_t arg(struct rng *r)
{
	static const uint64_t ints[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 24, 25, 31, 32, 63, 64,
					 255, 256, 4095, 4096, 65536, 65537, 1u << 20,
					 0x7FFFFFFF, 0x80000000u, (uint64_t)-1, (uint64_t)-2,
					 1ULL << 40, 1ULL << 63 };
	static const uint64_t ptrs[] = { 0, 0x1000, 0x100000, 0x200000, 0x3FFFF000,
					 0x40000000, 0x60000000, 0x7FFFF000, 0x80000000u,
					 0x7FFFFFFFFFFFULL, 0xFFFF800000000000ULL,
					 0x8000000000000000ULL };
	switch (pick(r, 8)) {
	case 0: case 1:
		return ints[pick(r, sizeof ints / sizeof ints[0])];
	case 2:
		return pick(r, 40);                              /* a plausible handle */
	case 3:
		return ptrs[pick(r, sizeof ptrs / sizeof ptrs[0])];
	case 4: case 5:
		return (uint64_t)(scratch + pick(r, sizeof scratch));   /* ours, writable */
	case 6:
		return (uint64_t)strings[pick(r, sizeof strings / sizeof strings[0])];
	default:
		return next(r);
	}
}

/* Call number i of seed: its number and six arguments. */
static void make_call(uint64_t seed, uint64_t i, uint64_t a[7])
{
	struct rng r = { splitmix(seed ^ (i * 0xD1B54A32D192ED03ULL)) };
	a[0] = pick(&r, 10) ? numbers[pick(&r, sizeof numbers / sizeof numbers[0])] : pick(&r, 256);
	if (a[0] == SYS_EXIT)
		a[0] = SYS_NULL;
	for (int k = 1; k < 7; k++)
		a[k] = arg(&r);
	if (a[0] == SYS_SPAWN)
		a[2] = (uint64_t)"role=exit42";   /* a child that ends at once, never a spinner */
	if (may_block(a[0]) && pick(&r, 10))
		a[1] = 1000 + pick(&r, 1000);    /* a handle nobody has */
	if (a[0] == SYS_WRITE || a[0] == SYS_DEBUG_WRITE) {
		a[1] = pick(&r, 4) ? (uint64_t)quiet : arg(&r) & ~0xFFFFFFFULL;   /* or unmapped */
		a[2] = pick(&r, 17);
	}
	if (a[0] == SYS_IPC_CALL || a[0] == SYS_IPC_SEND) {
		if (pick(&r, 2))
			a[1] = EP_FS + pick(&r, 4);   /* fs, sem, shm, blk: servers that answer */
		if (pick(&r, 2)) {                /* a descriptor of hostile buffers */
			struct ipc_desc *d = (struct ipc_desc *)(scratch + 64 * pick(&r, 16));
			*d = (struct ipc_desc){ (const void *)arg(&r), arg(&r), (void *)arg(&r), arg(&r) };
			a[6] = (uint64_t)d;
		}
		a[2] = IPC_TAG(pick(&r, 12), pick(&r, 4) ? pick(&r, 32) : arg(&r)) |
		       (pick(&r, 8) ? 0 : IPC_INBUF);
	}
	if (a[0] == SYS_MACH_MSG && pick(&r, 2)) {   /* a well-typed header, a body in or out of line */
		struct mach_msg *m = (struct mach_msg *)(scratch + 128 * pick(&r, 8));
		uint64_t len = pick(&r, 2) ? PGSIZE_FUZZ * (1 + pick(&r, 4)) : arg(&r);
		*m = (struct mach_msg){ .label = (uint32_t)pick(&r, 12), .len = (uint32_t)len,
					.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0u) | MACH_MSG_BODY,
					.mr_type = MACH_TYPE_WORDS,
					.body_type = pick(&r, 2) ? MACH_TYPE_BYTES_OOL : MACH_TYPE_BYTES,
					.body = pick(&r, 2) ? (uint64_t)(scratch + PGSIZE_FUZZ * pick(&r, 12)) : arg(&r),
					.body_len = len, .rbody = arg(&r), .rcap = arg(&r) };
		a[3] = (uint64_t)m;
		a[5] = (uint64_t)m;
		if (pick(&r, 2))
			a[2] = EP_FIRST_FREE + pick(&r, 40);   /* a port it may have allocated */
	}
	if ((a[0] == SYS_IPC_CALL || a[0] == SYS_IPC_SEND || a[0] == SYS_IPC_REPLY_RECV) &&
	    a[1] == EP_CONSOLE && IPC_LABEL(a[2]) == CONSOLE_WRITE)
		a[2] = IPC_TAG(0, IPC_LEN(a[2]));   /* a label the console ignores */
}

/* Make the call, unless it would detach our progress segment seg. */
static void do_call(const uint64_t a[7], long seg)
{
	/* (the kernel and the server read an id as an int: compare 32 bits) */
	if ((a[0] == SYS_SHM_DETACH && (uint32_t)a[1] == (uint32_t)seg) ||
	    ((a[0] == SYS_IPC_CALL || a[0] == SYS_IPC_SEND) && a[1] == EP_SHM &&
	     IPC_LABEL(a[2]) == SHM_DETACH && (uint32_t)a[3] == (uint32_t)seg))
		return;
	syscall6(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

/* The child: calls [first, first + count) of seed; its progress in
 * slot slot of the segment. */
static int child(uint64_t seed, uint64_t first, uint64_t count, long seg, uint64_t slot)
{
	long at = os_shm_attach((int)seg);
	if (at < 0 || slot >= MAX_TREES)
		return 90;
	progress = (volatile uint64_t *)at + slot;
	uint64_t a[7];
	for (uint64_t i = 0; i < count; i++) {
		make_call(seed, first + i, a);
		do_call(a, seg);
		*progress = i + 1;
	}
	return 0;
}

static uint8_t sreq[512], sresp[512];
static long why;   /* the value a failed sanity check got */

/* A channel echo between two processes that the fuzzed children cannot
 * reach (the channel's owner is not their parent): 0, or what failed. */
static int chancheck(void)
{
	long ch = os_chan_create();
	char a[48];
	fmt_snprintf(a, sizeof a, "role=echo ch=%ld", ch);
	int pid = ch >= 0 ? os_spawn("fuzz", a) : -1;
	if (pid < 0)
		return 2;
	for (size_t k = 0; k < sizeof sreq; k++)
		sreq[k] = (uint8_t)(k * 7 + 3);
	long n = os_chan_call(ch, sreq, sizeof sreq, sresp, sizeof sresp);
	os_kill(pid);
	os_wait(pid, &(int){ 0 });
	return n != (long)sizeof sreq || memcmp(sreq, sresp, sizeof sreq) ? 3 : 0;
}

/* Does the system still work? 0, or which check failed (> 0). */
static int sanity(void)
{
	if (os_null() != 0)
		return 1;
	int pid = os_spawn("fuzz", "role=chancheck"), st = -1;
	if (pid < 0 || os_wait(pid, &st) != pid || st) {
		why = pid < 0 ? pid : st;
		return st > 0 && st < 4 ? st : 2;
	}
	int h = os_fs_open("fuzz-sanity", FS_O_RDWR | FS_O_CREATE);
	if (h < 0 || os_fs_write(h, sreq, sizeof sreq) != (long)sizeof sreq ||
	    os_fs_seek(h, 0, FS_SEEK_SET) != 0 || os_fs_read(h, sresp, sizeof sresp) != (long)sizeof sresp ||
	    memcmp(sreq, sresp, sizeof sreq) || os_fs_close(h))
		return 4;
	int sem = os_sem_create(1);
	if (sem < 0 || os_sem_wait(sem) || os_sem_post(sem) || os_sem_destroy(sem))
		return 5;
	return 0;
}

static uint64_t arg_u64(const char *cmdline, const char *key, uint64_t dflt)
{
	char v[24];
	return fmt_getarg(cmdline, key, v, sizeof v) < 0 ? dflt : fmt_parse_u64(v, 0);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static int sanity(void);

/* Run one chunk: trees children at once, child k on calls [first + k *
 * count, + count), each in a tree of its own when trees > 1; returns the
 * calls done, how[k] how each ended, *issued the calls made (a child that
 * died or blocked was in one more), *bad a check that failed meanwhile. */
static uint64_t run_chunk(uint64_t seed, uint64_t first, uint64_t count, uint64_t total, long seg,
			  int trees, const char **how, uint64_t *issued, int *bad)
{
	uint64_t cnt[MAX_TREES];
	for (int k = 0; k < trees; k++)   /* the last child may get fewer (total is all of them) */
		cnt[k] = total - (uint64_t)k * count < count ? total - (uint64_t)k * count : count;
	char a[112];
	int pid[MAX_TREES], st = -1;
	uint64_t seen[MAX_TREES] = { 0 }, done = 0;
	int still[MAX_TREES] = { 0 };
	for (int k = 0; k < trees; k++) {
		progress[k] = 0;
		fmt_snprintf(a, sizeof a, "role=child seed=%lu first=%lu count=%lu seg=%ld slot=%d",
			     (unsigned long)seed, (unsigned long)(first + (uint64_t)k * count),
			     (unsigned long)cnt[k], seg, k);
		pid[k] = os_spawn_priv("fuzz", a, trees > 1 ? SPAWN_NEW_TREE : 0);
	}
	*issued = 0;
	for (int yields = 0, alive = 1; alive;) {
		alive = 0;
		os_yield();
		for (int k = 0; k < trees; k++) {
			if (pid[k] < 0 || syscall3(SYS_PROC_ALIVE, (uint64_t)pid[k], 0, 0) != 1)
				continue;
			alive = 1;
			uint64_t p = progress[k];
			still[k] = p == seen[k] ? still[k] + 1 : 0;
			seen[k] = p;
			if (still[k] > STUCK_YIELDS)
				os_kill(pid[k]);
		}
		if (trees > 1 && alive && ++yields % CHECK_EVERY == 0 && !*bad)
			*bad = sanity();   /* while the other trees fuzz */
	}
	for (int k = 0; k < trees; k++) {
		if (pid[k] < 0) {
			how[k] = "spawn failed";
			continue;
		}
		os_wait(pid[k], &st);
		how[k] = st == 0 ? "done" : st == EXIT_KILLED ? "blocked" : st >= EXIT_FAULT_BASE ? "fault"
		       : "exit";
		done += progress[k];
		*issued += progress[k] + (progress[k] < cnt[k]);   /* past the call it died or blocked in */
	}
	return done;
}

int main(const char *cmdline)
{
	char role[16];
	if (fmt_getarg(cmdline, "role", role, sizeof role) >= 0) {
		if (!strcmp(role, "child"))
			return child(arg_u64(cmdline, "seed", 1), arg_u64(cmdline, "first", 0),
				     arg_u64(cmdline, "count", 0), (long)arg_u64(cmdline, "seg", 0),
				     arg_u64(cmdline, "slot", 0));
		if (!strcmp(role, "exit42"))
			return 42;
		if (!strcmp(role, "chancheck"))
			return chancheck();
		if (!strcmp(role, "echo")) {
			long ch = (long)arg_u64(cmdline, "ch", 0);
			long n = os_chan_recv(ch, sreq, sizeof sreq);
			while (n >= 0)
				n = os_chan_reply_recv(ch, sreq, (size_t)n, sreq, sizeof sreq);
			return 3;
		}
		return 100;
	}
	uint64_t seed = arg_u64(cmdline, "seed", 1), calls = arg_u64(cmdline, "calls", 100000);
	uint64_t first = arg_u64(cmdline, "first", 0), chunk = arg_u64(cmdline, "chunk", DEFAULT_CHUNK);
	int trees = (int)arg_u64(cmdline, "trees", 1);
	if (trees < 1 || trees > MAX_TREES) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"fuzz: trees=%d (use 1 to %d)\"}\n", trees,
			  MAX_TREES);
		return 1;
	}
	int seg = os_shm_create(SHM_KEY, 4096);
	long at = seg >= 0 ? os_shm_attach(seg) : -1;
	if (at < 0 || !chunk) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"fuzz: no progress segment (%ld)\"}\n", at);
		return 1;
	}
	progress = (volatile uint64_t *)at;
	os_printf("fuzz: %s kernel, seed %lu, calls %lu from %lu, chunks of %lu, %d tree%s\n", os_mode,
		  (unsigned long)seed, (unsigned long)calls, (unsigned long)first,
		  (unsigned long)chunk, trees, trees > 1 ? "s at once" : "");
	uint64_t done = 0, faults = 0, blocked = 0, t0 = rdtsc(), at0 = first;
	int bad = sanity();   /* also makes the check's file before any fuzzing */
	while (at0 < first + calls && !bad) {
		uint64_t left = first + calls - at0, n = chunk;
		if (n * (uint64_t)trees > left)   /* the last: shared out among the trees */
			n = (left + (uint64_t)trees - 1) / (uint64_t)trees;
		int kids = (left + n - 1) / n < (uint64_t)trees ? (int)((left + n - 1) / n) : trees;
		const char *how[MAX_TREES] = { "none" };
		uint64_t total = n * (uint64_t)kids < left ? n * (uint64_t)kids : left;
		uint64_t start = at0, issued, got = run_chunk(seed, at0, n, total, seg, kids, how, &issued, &bad);
		done += got;
		at0 += kids > 1 ? total : issued;   /* one tree: on after the call it ended in */
		for (int k = 0; k < kids; k++) {
			faults += !strcmp(how[k], "fault");
			blocked += !strcmp(how[k], "blocked");
		}
		if (!bad)
			bad = sanity();
		os_printf(MKB_PREFIX "{\"type\":\"fuzz\",\"seed\":%lu,\"first\":%lu,\"count\":%lu,"
			  "\"done\":%lu,\"end\":\"%s\",\"next\":%lu,\"trees\":%d,\"sanity\":%d,\"why\":%ld}\n",
			  (unsigned long)seed, (unsigned long)start, (unsigned long)total,
			  (unsigned long)got, how[0], (unsigned long)at0, kids, bad, why);
	}
	/* calls: returned; issued: also the call each killed or blocked child was in */
	os_printf(MKB_PREFIX "{\"type\":\"fuzz_summary\",\"mode\":\"%s\",\"seed\":%lu,\"calls\":%lu,"
		  "\"issued\":%lu,\"child_faults\":%lu,\"child_blocked\":%lu,\"tsc\":%lu,"
		  "\"sanity\":%d}\n", os_mode, (unsigned long)seed, (unsigned long)done,
		  (unsigned long)(at0 - first), (unsigned long)faults, (unsigned long)blocked,
		  (unsigned long)(rdtsc() - t0), bad);
	os_printf(MKB_PREFIX "{\"type\":\"done\",\"status\":%d}\n", bad);
	return bad ? 1 : 0;
}
