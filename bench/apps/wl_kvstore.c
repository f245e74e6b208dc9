/*
 * wl_kvstore.c - the key-value application (kv.h), client side. Per value
 * size (sizes=, bytes: 100 and 1024 by default): a server is started on
 * a fresh log, 1,000 keys are loaded (one PUT each), then the YCSB core
 * mixes run in turn (Cooper et al., SoCC 2010: A 50% reads / 50% updates,
 * B 95/5, C reads only), keys from a scrambled Zipfian distribution
 * (zipf.h, seeded), iters operations each. Rows per mix: each operation
 * timed ("per_op"), then as many again timed as one run ("per_run", one
 * sample: client work included; work = its operations). Then the server is killed between two requests (a crash)
 * and a new one replays the log: its recovery, from start to its first
 * answer, is a "per_run" row, and every key is read back.
 *
 * Checked: every GET returns the bytes of the key's last PUT (kv_byte at
 * the generation the client counts), every PUT succeeds, and after the
 * crash every key is there with its last value.
 */
#include "app.h"
#include "bench.h"
#include "kv.h"
#include "os.h"
#include "str.h"
#include "zipf.h"

#define KEYS KV_KEYS_MAX
#define LOG_NAME "kv.log"

static struct bench_run run;
static const char *shape;   /* the micro file server's shape (fsshape=), else 0 */
static struct zipf zipf;
static struct kv_req req;
static struct kv_resp resp;
static uint32_t gen[KEYS];

static const struct mix {
	const char *name;
	unsigned update_pct;
} mixes[] = { { "ycsb_a", 50 }, { "ycsb_b", 5 }, { "ycsb_c", 0 } };

static long call(long ch, uint32_t op, uint32_t key, uint32_t len)
{
	req.op = op, req.key = key, req.len = len, req.gen = key < KEYS ? gen[key] : 0;
	return os_chan_call(ch, &req, KV_REQ_HDR + (op == KV_PUT ? len : 0), &resp, sizeof resp);
}

static void fill(uint32_t key, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		req.value[i] = kv_byte(key, gen[key], i);
}

/* "" if resp holds key's value at its generation, else what is wrong. */
static const char *check_value(uint32_t key, uint32_t len, long n)
{
	if (n != (long)(KV_RESP_HDR + len) || resp.status != 0 || resp.len != len)
		return "wrong answer";
	for (uint32_t i = 0; i < len; i++)
		if (resp.value[i] != kv_byte(key, gen[key], i))
			return "a value that was not written";
	return "";
}

static long start_server(long ch, int *pid)
{
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "ch=%ld log=" LOG_NAME, ch);
	*pid = os_spawn(KV_IMAGE, arg);
	return *pid;
}

/* One operation of mix m: "" or what was wrong with its answer. */
static const char *one_op(long ch, const struct mix *m, uint32_t vlen, uint32_t *key, int *put)
{
	*key = zipf_key(&zipf);
	*put = zipf_uniform(&zipf, 100) < m->update_pct;
	if (*put)
		gen[*key]++, fill(*key, vlen);
	long n = call(ch, *put ? KV_PUT : KV_GET, *key, vlen);
	if (*put)
		return n == (long)KV_RESP_HDR && resp.status == 0 ? "" : "a PUT failed";
	return check_value(*key, vlen, n);
}

/* Mix m twice: each operation timed (the per_op row), then a whole run of
 * as many operations timed from end to end, the client's own work
 * included (the per_run row; no clock read inside it, so the cycle
 * model's sample is the run's: bench/model/stats.c takes a sample as the
 * last two clock reads). */
static int one_mix(long ch, const struct mix *m, uint32_t vlen, unsigned iters, unsigned warmup)
{
	struct bench_params p = { "kvstore", m->name, vlen, "per_op", shape, iters, warmup };
	uint32_t key;
	int put;
	bench_begin(&run, &p);
	for (unsigned i = 0; i < warmup + run.p.iters && !run.check[0]; i++) {
		if (i == warmup)
			os_counters(&run.ev0);
		bench_window(&run);
		uint64_t t0 = bench_now();
		const char *bad = one_op(ch, m, vlen, &key, &put);
		uint64_t t1 = bench_now();
		if (*bad)
			bench_fail(&run, "%s %u of key %u: %s (status %d)", put ? "put" : "get", i, key, bad,
				   (int)resp.status);
		else if (i >= warmup)
			bench_sample(&run, t1 - t0);
	}
	unsigned ops = run.p.iters;
	int failures = bench_end(&run);
	char name[24];
	fmt_snprintf(name, sizeof name, "%s_run", m->name);
	struct bench_params w = { "kvstore", name, vlen, "per_run", shape, 1, 0 };
	bench_begin(&run, &w);
	run.work = ops;
	const char *bad = failures ? "the per-operation pass failed" : "";
	bench_window(&run);
	uint64_t t0 = bench_now();
	for (unsigned i = 0; i < ops && !*bad; i++)
		bad = one_op(ch, m, vlen, &key, &put);
	uint64_t t1 = bench_now();
	if (*bad)
		bench_fail(&run, "the whole run: %s", bad);
	else
		bench_sample(&run, t1 - t0);
	return failures + bench_end(&run);
}

static int recovery(long ch, int *pid, uint32_t vlen)
{
	struct bench_params p = { "kvstore", "recovery", vlen, "per_run", shape, 1, 0 };
	int st;
	bench_begin(&run, &p);
	if (os_kill(*pid) < 0 || os_wait(*pid, &st) != *pid) {
		bench_fail(&run, "the server could not be killed");
		return bench_end(&run);
	}
	os_counters(&run.ev0);
	bench_window(&run);
	uint64_t t0 = bench_now();
	long n = start_server(ch, pid) < 0 ? -1 : call(ch, KV_STAT, 0, 0);
	uint64_t t1 = bench_now();
	if (n != (long)KV_RESP_HDR || resp.status != 0 || resp.keys != KEYS)
		bench_fail(&run, "recovery: %ld, status %d, %u keys of %u", n, (int)resp.status, resp.keys, KEYS);
	else
		bench_sample(&run, t1 - t0);
	for (uint32_t k = 0; k < KEYS && !run.check[0]; k++) {
		const char *bad = check_value(k, vlen, call(ch, KV_GET, k, vlen));
		if (*bad)
			bench_fail(&run, "after recovery, key %u: %s", k, bad);
	}
	return bench_end(&run);
}

int wl_kvstore(const struct bench_args *a)
{
	shape = a->shape[0] ? a->shape : 0;
	static const int64_t dflt[] = { 100, 1024 };
	unsigned nsizes = a->nsizes ? a->nsizes : 2;
	int failures = 0;
	for (unsigned s = 0; s < nsizes; s++) {
		int64_t vlen = a->nsizes ? a->sizes[s] : dflt[s];
		int pid = -1, st;
		long ch = os_chan_create();
		if (vlen < 1 || vlen > (int64_t)KV_VALUE_MAX || ch < 0) {
			os_printf("bench: kvstore: value size %lld (1-%u) or channel %ld refused\n", (long long)vlen,
				  KV_VALUE_MAX, ch);
			failures++;
			continue;
		}
		/* The log only grows: the load, then at most 55% of 2 x iters +
		 * warmup operations are PUTs (mix A's half, B's 5%, both passes);
		 * it must fit the 4 MiB disk with room for the file system's own. */
		uint64_t puts = KEYS + (11 * (2 * (uint64_t)a->iters + a->warmup) + 19) / 20;
		if (puts * (sizeof(struct kv_rec) + (uint64_t)vlen) > (3u << 20)) {
			os_printf("bench: kvstore: iters=%u is too many for %lld-byte values: the log would "
				  "outgrow the 4 MiB disk (at most about %llu)\n", a->iters, (long long)vlen,
				  (unsigned long long)(((3u << 20) / (sizeof(struct kv_rec) + (uint64_t)vlen) - KEYS)
						       * 20 / 22));
			failures++;
			continue;
		}
		os_fs_unlink(LOG_NAME);   /* a fresh log (none is the usual answer) */
		zipf_init(&zipf, KEYS, 0x5eed0000u + (uint64_t)vlen);
		memset(gen, 0, sizeof gen);
		int loaded = start_server(ch, &pid) >= 0;
		for (uint32_t k = 0; k < KEYS && loaded; k++) {
			fill(k, (uint32_t)vlen);
			loaded = call(ch, KV_PUT, k, (uint32_t)vlen) == (long)KV_RESP_HDR && resp.status == 0;
		}
		if (!loaded) {
			os_printf("bench: kvstore: the server (pid %d) did not take the load\n", pid);
			failures++;
		}
		for (unsigned m = 0; m < sizeof mixes / sizeof mixes[0] && loaded; m++)
			failures += one_mix(ch, &mixes[m], (uint32_t)vlen, a->iters, a->warmup);
		if (loaded)
			failures += recovery(ch, &pid, (uint32_t)vlen);
		if (pid >= 0 && os_kill(pid) >= 0)
			os_wait(pid, &st);
		os_fs_unlink(LOG_NAME);
	}
	return failures;
}
