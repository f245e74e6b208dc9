/*
 * wl_build.c - the make-like application (build.h), driver side. Per N
 * (sizes=: the number of source files, 8, 32 and 128 by default) the
 * sources are written (untimed: text of 2 to 8 KiB, deterministic), then
 * each job is timed whole ("per_run", one sample a job; work = N files):
 * spawn the workers, receive each one's report on its channel, wait for
 * them, run the final step (role=link) and read its result. A report is
 * answered with an empty reply (os_chan_defer, os_chan_answer), after which its worker
 * exits. Checked: each
 * report names its sources with the checksums the driver computed, every
 * process exits 0, and the result holds every checksum and their sum.
 */
#include "app.h"
#include "bench.h"
#include "build.h"
#include "lz.h"
#include "os.h"
#include "str.h"

#define JOBS 3   /* samples per N (icount makes each job's cost repeat) */

static struct bench_run run;
static const char *shape;   /* the micro file server's shape (fsshape=), else 0 */
static uint8_t text[BUILD_SRC_MAX];
static uint32_t want[BUILD_MAX_FILES];
static struct build_report rep;
static struct build_result res;

/* Source i: C-like lines, 2 to 8 KiB, the same every run. */
static size_t make_source(unsigned i)
{
	size_t len = 2048 + (i * 1571u) % (BUILD_SRC_MAX - 2048), n = 0;
	uint32_t x = 2654435761u * (i + 1);
	while (n < len) {
		char line[80];
		int k = fmt_snprintf(line, sizeof line, "static int f%u_%u(int x) { return x * %u + %u; }\n", i,
				     x % 97, x % 13, x % 7);
		for (int j = 0; j < k && n < len; j++)
			text[n++] = (uint8_t)line[j];
		x = x * 1103515245u + 12345u;
	}
	return len;
}

static int put_file(const char *name, const void *buf, size_t len)
{
	int h = os_fs_open(name, FS_O_WRITE | FS_O_CREATE | FS_O_TRUNC);
	if (h < 0)
		return -1;
	long w = os_fs_write(h, buf, len);
	return os_fs_close(h) == 0 && w == (long)len ? 0 : -1;
}

/* One job; "" or what failed. */
static const char *job(unsigned n, long ch[BUILD_WORKERS])
{
	int pid[BUILD_WORKERS], st, bad = 0;
	char arg[64];
	for (int w = 0; w < BUILD_WORKERS; w++) {
		fmt_snprintf(arg, sizeof arg, "role=worker ch=%ld w=%d n=%u", ch[w], w, n);
		pid[w] = os_spawn(APP_IMAGE, arg);
		bad |= pid[w] < 0;
	}
	if (bad)
		return "a worker could not be spawned";
	unsigned built = 0;
	for (int w = 0; w < BUILD_WORKERS; w++) {   /* each worker's report, in turn */
		long r = os_chan_recv(ch[w], &rep, sizeof rep);
		if (r != (long)sizeof rep || rep.status != 0 || rep.count > BUILD_PER_WORKER)
			bad = 1;
		for (uint32_t k = 0; !bad && k < rep.count; k++)
			bad = rep.index[k] >= n || rep.index[k] % BUILD_WORKERS != (unsigned)w ||
			      rep.sum[k] != want[rep.index[k]];
		built += bad ? 0 : rep.count;
		long t = r >= 0 ? os_chan_defer(ch[w]) : -1;
		if (r >= 0 && (t < 0 || os_chan_answer(ch[w], t) < 0))   /* the worker may exit now */
			bad = 1;
	}
	for (int w = 0; w < BUILD_WORKERS; w++)
		bad |= os_wait(pid[w], &st) != pid[w] || st != 0;
	if (bad || built != n)
		return "a worker failed or reported wrong checksums";
	fmt_snprintf(arg, sizeof arg, "role=link n=%u", n);
	int link = os_spawn(APP_IMAGE, arg);
	if (link < 0 || os_wait(link, &st) != link || st != 0)
		return "the final step failed";
	int h = os_fs_open(BUILD_RESULT, FS_O_READ);
	long r = h < 0 ? -1 : os_fs_read(h, &res, sizeof res);
	if (h >= 0)
		os_fs_close(h);
	uint32_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += want[i], bad |= res.sum[i] != want[i];
	return r != (long)sizeof res || bad || res.n != n || res.total != total ? "the result is wrong" : "";
}

int wl_build(const struct bench_args *a)
{
	shape = a->shape[0] ? a->shape : 0;
	static const int64_t dflt[] = { 8, 32, 128 };
	unsigned nsizes = a->nsizes ? a->nsizes : 3;
	int failures = 0;
	long ch[BUILD_WORKERS];
	for (int w = 0; w < BUILD_WORKERS; w++)
		ch[w] = os_chan_create();
	for (unsigned s = 0; s < nsizes; s++) {
		int64_t n = a->nsizes ? a->sizes[s] : dflt[s];
		struct bench_params p = { "build", "job", n, "per_run", shape, JOBS, 1 };
		char name[16];
		bench_begin(&run, &p);
		run.work = (uint64_t)n;
		if (n < 1 || n > BUILD_MAX_FILES || ch[BUILD_WORKERS - 1] < 0) {
			bench_fail(&run, "%lld files (1-%d), or no channels", (long long)n, BUILD_MAX_FILES);
			failures += bench_end(&run);
			continue;
		}
		for (unsigned i = 0; i < n && !run.check[0]; i++) {
			size_t len = make_source(i);
			want[i] = lz_adler32(text, len);
			build_src_name(name, i);
			if (put_file(name, text, len))
				bench_fail(&run, "source %u could not be written", i);
		}
		for (unsigned j = 0; j < 1 + JOBS && !run.check[0]; j++) {
			if (j == 1)
				os_counters(&run.ev0);
			bench_window(&run);
			uint64_t t0 = bench_now();
			const char *why = job((unsigned)n, ch);
			uint64_t t1 = bench_now();
			if (*why)
				bench_fail(&run, "job %u of %lld files: %s", j, (long long)n, why);
			else if (j >= 1)
				bench_sample(&run, t1 - t0);
		}
		failures += bench_end(&run);
		for (unsigned i = 0; i < n; i++) {
			build_src_name(name, i);
			os_fs_unlink(name);
			build_obj_name(name, i);
			os_fs_unlink(name);
		}
		os_fs_unlink(BUILD_RESULT);
	}
	return failures;
}
