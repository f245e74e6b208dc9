/*
 * faultload.c - the workload of a fault-injection run (run=faults,
 * scripts/faults.py): one service used for ops operations, every result
 * checked, then everything that completed verified. It expects faults
 * (fault=... on the command line, lib/fault.h) and carries on after
 * errors, so one boot sees many faults in the micro kernel (its servers
 * restart); in the mono kernel a fault in the kernel's services may end
 * the boot (a panic or a hang), which the driver records. Prints one
 * {"type":"faults",...} line: operations done, client-visible errors, and
 * what the final check found lost or corrupted.
 *   fileio: write 8 files in turn (a fresh pattern each time), reading
 *           the last completed one back after each write; at the end read
 *           every file whose last write completed (retrying an error
 *           three times, as a client would once a server is back);
 *   sem:    post then wait on a semaphore (a new one after an error);
 *   shm:    write a pattern into a segment, detach, attach, check it;
 *   kvstore: the key-value application (bench/apps/kv.h) over the file
 *           system: PUT a fresh value to 16 keys in turn, GET it back at
 *           once; at the end the server is killed and a new one replays
 *           its log, and every key is read: a key holding less than its
 *           last PUT answered with success is lost, one holding bytes no
 *           PUT ever sent is corrupt (a PUT that failed may still have
 *           reached the log: its value is one the client wrote);
 *   isolation: (an SMP kernel, 2 CPUs or more) a critical periodic task
 *           pinned to CPU 0 (role=critical, below) while fileio runs in
 *           rounds on the last CPU with the services (micro:
 *           servers=last), for as long as the task's periods last. The
 *           task prints one {"type":"isolation",...} line: releases,
 *           misses and lateness.
 *
 * The critical task's period is its CPU's timer tick (SYS_TICK_WAIT:
 * 100 Hz, 10 million instructions of QEMU's virtual clock under icount
 * shift=0; the clock counts every CPU's instructions). Its release is
 * the moment the tick fell due; its lateness the time from there to its
 * first instruction after the wait (the kernel's wake-up path, interrupts
 * held off, locks held by the other CPU); then it does `work` loop
 * iterations (6 instructions each; the default 1,000 stays under the
 * quantum=10000 of scripts/faults.py, README: Several CPUs says why). A
 * release is missed when its
 * work ends after the next release, or when the task never ran for it
 * (a later wait returned a tick more than one period on). CPU 0 is the
 * critical one because QEMU 7.2 runs the vCPUs in turn from CPU 0, each
 * up to the next timer deadline: a task on CPU 1 got no turn while CPU 0
 * looped (README: Several CPUs).
 */
#include "app.h"
#include "bench.h"
#include "fmt.h"
#include "kv.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

#define NFILES 8
#define LEN 512

static char buf[LEN], got[LEN];
static int committed[NFILES];   /* generation of the last completed write, or -1 */
static unsigned long errors, done, lost, corrupt, verified;

/* Recovery as the client sees it: from the first failed operation to the
 * next one that succeeds, in the guest's time-stamp unit (instructions
 * under icount, as the benchmarks). */
static uint64_t fail_at, recover_sum, recover_max;
static unsigned long recoveries;

static void outcome(int ok)
{
	uint64_t now = bench_now();
	if (!ok) {
		errors++;
		if (!fail_at)
			fail_at = now;
		return;
	}
	done++;
	if (fail_at) {
		uint64_t t = now - fail_at;
		recover_sum += t, recoveries++;
		recover_max = t > recover_max ? t : recover_max;
		fail_at = 0;
	}
}

static void pattern(char *p, int gen, int file)
{
	for (int i = 0; i < LEN; i++)
		p[i] = (char)(gen * 31 + file * 7 + i);
}

static int read_file(int f, char *out)
{
	char name[8];
	fmt_snprintf(name, sizeof name, "ff%d", f);
	int h = os_fs_open(name, FS_O_READ);
	if (h < 0)
		return h;
	long r = os_fs_read(h, out, LEN);
	os_fs_close(h);
	return r == LEN ? 0 : r < 0 ? (int)r : SVC_EIO;
}

static void fileio(unsigned ops)
{
	for (int f = 0; f < NFILES; f++)
		committed[f] = -1;
	for (unsigned i = 0; i < ops; i++) {
		int f = (int)(i % NFILES);
		char name[8];
		fmt_snprintf(name, sizeof name, "ff%d", f);
		pattern(buf, (int)i, f);
		committed[f] = -1;   /* the rewrite replaces what was there, by design */
		int h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
		long w = h >= 0 ? os_fs_write(h, buf, LEN) : h;
		int c = h >= 0 ? os_fs_close(h) : h;
		if (w == LEN && c == 0)
			committed[f] = (int)i;
		outcome(w == LEN && c == 0);
		if (read_file(f, got) == 0 && committed[f] == (int)i && memcmp(got, buf, LEN))
			corrupt++;   /* read back at once, different */
	}
	for (int f = 0; f < NFILES; f++) {
		if (committed[f] < 0)
			continue;
		pattern(buf, committed[f], f);
		int r = -1;
		for (int k = 0; k < 4 && r != 0; k++)
			r = read_file(f, got);
		if (r != 0 || memcmp(got, buf, LEN))
			lost++;   /* a completed write that is not there */
		else
			verified++;
	}
}

static void sem(unsigned ops)
{
	int s = os_sem_create(0);
	for (unsigned i = 0; i < ops; i++) {
		if (s < 0)
			s = os_sem_create(0);
		int p = s >= 0 ? os_sem_post(s) : s;
		int w = p == 0 ? os_sem_wait(s) : p;
		outcome(p == 0 && w == 0);
		if (p != 0 || w != 0)
			s = -1;   /* a fresh semaphore after an error */
	}
	verified = done;
}

/* An attach reply a careful client can use: a segment slot's address. */
static int plausible(long a)
{
	return a >= (long)SHM_BASE && a < (long)ABI_USER_TOP && (a - (long)SHM_BASE) % SHM_SPAN == 0;
}

/* Four segments, made once and used over and over: an operation attaches
 * one, writes it, detaches, attaches again and checks. A segment that is
 * gone (its server restarted) is made again; a key whose segment exists
 * but whose id was lost (a corrupted reply) is given up for the next. */
static void shm(unsigned ops)
{
	int ids[4] = {-1, -1, -1, -1};
	unsigned keys[4] = {100, 101, 102, 103};
	for (unsigned i = 0; i < ops; i++) {
		unsigned s = i % 4;
		if (ids[s] < 0) {
			ids[s] = os_shm_create(keys[s], 4096);
			if (ids[s] == SVC_EEXIST)
				keys[s] += 4;
		}
		int id = ids[s];
		long a = id >= 0 ? os_shm_attach(id) : id;
		if (!plausible(a)) {
			ids[s] = -1;
			outcome(0);
			continue;
		}
		for (int k = 0; k < LEN; k++)
			((volatile char *)a)[k] = (char)(i + k);
		int d = os_shm_detach(id);
		long b = d == 0 ? os_shm_attach(id) : d;
		if (!plausible(b)) {
			outcome(0);
			continue;
		}
		int bad = 0;
		for (int k = 0; k < LEN; k++)
			bad |= ((volatile char *)b)[k] != (char)(i + k);
		os_shm_detach(id);
		if (bad)
			corrupt++;
		else
			outcome(1);
	}
	verified = done;
}

#define KV_KEYS 16
#define KV_LEN 100

static struct kv_req kreq;
static struct kv_resp kresp;
static int kv_committed[KV_KEYS], kv_attempted[KV_KEYS];   /* generations; 0: none */

static long kv_call(long ch, uint32_t op, uint32_t key, int gen)
{
	kreq.op = op, kreq.key = key, kreq.len = op == KV_PUT ? KV_LEN : 0, kreq.gen = (uint32_t)gen;
	for (uint32_t i = 0; op == KV_PUT && i < KV_LEN; i++)
		kreq.value[i] = kv_byte(key, (uint32_t)gen, i);
	return os_chan_call(ch, &kreq, KV_REQ_HDR + kreq.len, &kresp, sizeof kresp);
}

/* The generation kresp holds for key: one of committed .. attempted, 0
 * for none (absent), -1 for bytes no PUT sent. */
static int kv_gen_of(uint32_t key, long n)
{
	if (n == (long)KV_RESP_HDR && kresp.status == SVC_ENOENT)
		return 0;
	if (n != (long)(KV_RESP_HDR + KV_LEN) || kresp.status != 0)
		return -1;
	for (int g = kv_attempted[key]; g >= 1; g--) {
		int same = 1;
		for (uint32_t i = 0; i < KV_LEN && same; i++)
			same = kresp.value[i] == kv_byte(key, (uint32_t)g, i);
		if (same)
			return g;
	}
	return -1;
}

static int kv_start(long ch, int *pid)
{
	char a[48];
	fmt_snprintf(a, sizeof a, "ch=%ld log=kvf.log", ch);
	for (int k = 0; k < 4; k++) {   /* the file system may be restarting */
		if (*pid < 0)
			*pid = os_spawn(KV_IMAGE, a);
		if (*pid >= 0 && kv_call(ch, KV_STAT, 0, 0) == (long)KV_RESP_HDR && kresp.status == 0)
			return 0;
		int st;
		if (*pid >= 0 && os_kill(*pid) >= 0)
			os_wait(*pid, &st);
		*pid = -1;
	}
	return -1;
}

static void kvstore(unsigned ops)
{
	long ch = os_chan_create();
	int pid = -1, st;
	os_fs_unlink("kvf.log");
	if (ch < 0 || kv_start(ch, &pid) < 0) {
		outcome(0);
		return;
	}
	for (unsigned i = 0; i < ops; i++) {
		uint32_t key = i % KV_KEYS;
		int gen = (int)(i / KV_KEYS) + 1;
		kv_attempted[key] = gen;
		long n = kv_call(ch, KV_PUT, key, gen);
		int ok = n == (long)KV_RESP_HDR && kresp.status == 0;
		if (ok)
			kv_committed[key] = gen;
		outcome(ok);
		if (n < 0) {   /* the server itself died: reap it, start another */
			if (pid >= 0) {
				os_kill(pid);
				os_wait(pid, &st);
			}
			pid = -1;
			if (kv_start(ch, &pid) < 0)
				break;
		}
		n = kv_call(ch, KV_GET, key, 0);
		int g = kv_gen_of(key, n);
		if (n >= 0 && kresp.status == 0 && g < 0)
			corrupt++;   /* read back at once: bytes never written */
	}
	/* a crash of the server and its recovery from the log */
	if (pid >= 0 && os_kill(pid) >= 0)
		os_wait(pid, &st);
	pid = -1;
	int up = kv_start(ch, &pid) == 0;
	for (uint32_t key = 0; key < KV_KEYS; key++) {
		if (!kv_committed[key])
			continue;
		long n = -1;
		for (int k = 0; k < 4 && up && (n < 0 || kresp.status != 0); k++)
			n = kv_call(ch, KV_GET, key, 0);
		int g = up ? kv_gen_of(key, n) : 0;
		if (g < 0 && n == (long)(KV_RESP_HDR + KV_LEN) && kresp.status == 0)
			corrupt++;
		else if (g < kv_committed[key])
			lost++;   /* an answered PUT the replayed log does not hold */
		else
			verified++;
	}
	if (pid >= 0 && os_kill(pid) >= 0)
		os_wait(pid, &st);
	os_fs_unlink("kvf.log");
}

static volatile uint64_t sink;

/* The critical task: periods releases of its CPU's tick (see the top). */
static int critical(unsigned periods, unsigned work)
{
	int64_t len = os_tick_length();
	if (os_set_cpu(0, 0) < 0 || len <= 0) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"isolation: no tick wait on CPU 0 "
			  "(error %ld): an SMP kernel with 2 CPUs or more\"}\n", (long)len);
		return 1;
	}
	uint64_t period = (uint64_t)len, prev = (uint64_t)os_tick_wait();   /* in step with the ticks */
	unsigned long released = 0, ran = 0, missed = 0, skipped = 0, overran = 0;
	uint64_t late_max = 0, late_sum = 0;
	while (released < periods) {
		int64_t due = os_tick_wait();
		uint64_t start = bench_now();
		if (due < 0)
			return 1;
		uint64_t gap = ((uint64_t)due - prev + period / 2) / period;   /* releases since the last */
		gap = gap ? gap : 1;
		skipped += gap - 1, missed += gap - 1, released += gap;
		prev = (uint64_t)due;
		uint64_t late = start - (uint64_t)due;
		late_sum += late, ran++;
		late_max = late > late_max ? late : late_max;
		for (unsigned i = 0; i < work; i++)
			sink += i;
		if (bench_now() > (uint64_t)due + period)
			overran++, missed++;
	}
	os_printf(MKB_PREFIX "{\"type\":\"isolation\",\"periods\":%lu,\"ran\":%lu,\"missed\":%lu,"
		  "\"skipped\":%lu,\"overran\":%lu,\"late_max\":%lu,\"late_sum\":%lu,\"period\":%lu,"
		  "\"work\":%u}\n", released, ran, missed, skipped, overran, (unsigned long)late_max,
		  (unsigned long)late_sum, (unsigned long)period, work);
	return 0;
}

/* The isolation workload's other side: fileio in rounds of ops on the
 * last CPU while the critical task's periods last. */
static int isolation(unsigned ops, unsigned periods, unsigned work)
{
	int cpus = os_get_cpu() >> 16;
	int64_t len = os_tick_length();
	if (cpus < 2 || len <= 0 || os_set_cpu(0, cpus - 1) < 0) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"isolation: needs an SMP kernel "
			  "with 2 CPUs or more (CPUS=2)\"}\n");
		return 1;
	}
	char a[64];
	fmt_snprintf(a, sizeof a, "role=critical periods=%u work=%u", periods, work);
	int pid = os_spawn("faultload", a), st;
	if (pid >= 0)   /* on CPU 0 before it runs; two ticks for it to start there */
		for (int k = os_set_cpu(pid, 0); k < 2 && k >= 0; k++)
			os_tick_wait();
	if (pid < 0) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"isolation: cannot start the critical "
			  "task: error %d\"}\n", -pid);
		return 1;
	}
	uint64_t end = bench_now() + (uint64_t)periods * (uint64_t)len;
	while (bench_now() < end)
		fileio(ops);
	os_wait(pid, &st);
	return 0;
}

int main(const char *arg)
{
	char w[16] = "", n[16] = "200", role[16] = "", per[16] = "20", wk[16] = "1000";
	fmt_getarg(arg, "workload", w, sizeof w);
	fmt_getarg(arg, "ops", n, sizeof n);
	fmt_getarg(arg, "role", role, sizeof role);
	fmt_getarg(arg, "periods", per, sizeof per);
	fmt_getarg(arg, "work", wk, sizeof wk);
	unsigned ops = (unsigned)fmt_parse_u64(n, 0), periods = (unsigned)fmt_parse_u64(per, 0),
		 work = (unsigned)fmt_parse_u64(wk, 0);
	if (!strcmp(role, "critical"))
		return critical(periods, work);
	if (!strcmp(w, "isolation")) {
		if (isolation(ops, periods, work))
			return 1;
	} else if (!strcmp(w, "fileio"))
		fileio(ops);
	else if (!strcmp(w, "sem"))
		sem(ops);
	else if (!strcmp(w, "shm"))
		shm(ops);
	else if (!strcmp(w, "kvstore"))
		kvstore(ops);
	else {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"unknown workload: %s\"}\n", w);
		return 1;
	}
	os_printf(MKB_PREFIX "{\"type\":\"faults\",\"workload\":\"%s\",\"ops\":%u,\"done\":%lu,\"errors\":%lu,"
		  "\"verified\":%lu,\"lost\":%lu,\"corrupt\":%lu,\"recoveries\":%lu,\"recovery_sum\":%lu,"
		  "\"recovery_max\":%lu}\n", w, ops, done, errors, verified, lost, corrupt, recoveries,
		  (unsigned long)recover_sum, (unsigned long)recover_max);
	os_printf(MKB_PREFIX "{\"type\":\"done\",\"status\":0}\n");
	return 0;
}
