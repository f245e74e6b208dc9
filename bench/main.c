/*
 * main.c - the bench program: started by init for run=bench, it reads
 * workload=, sizes=, iters=, warmup= (and fsshape= or servers=) from the kernel command line and runs
 * that workload. The same source runs on both kernels. Exit status is
 * the number of failed results (a data check that did not hold).
 */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

#define DEFAULT_ITERS 1000
#define DEFAULT_WARMUP 100

static const struct {
	const char *name;
	int (*run)(const struct bench_args *a);
} workloads[] = {
	{ "null", wl_null },
	{ "pingpong", wl_pingpong },
	{ "sem", wl_sem },
	{ "shm", wl_shm },
	{ "fileio", wl_fileio },
	{ "kvstore", wl_kvstore },   /* apps/: the application workloads */
	{ "build", wl_build },
	{ "mix", wl_mix },
	{ "smp", wl_smp },       /* several CPUs: an SMP kernel */
	{ "clients", wl_clients },
	{ "calib", wl_calib },   /* the cycle model's check, not a benchmark */
};

static void fail(const char *msg, const char *what)
{
	os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"%s: %s\"}\n", msg, what);
}

/* Parse "0,8,64" into a->sizes; returns 0 or -1 on a malformed list. */
static int parse_sizes(const char *s, struct bench_args *a)
{
	a->nsizes = 0;
	while (*s) {
		const char *end;
		uint64_t v = fmt_parse_u64(s, &end);
		if (end == s || v > (1u << 20) || a->nsizes == sizeof a->sizes / sizeof a->sizes[0])
			return -1;
		a->sizes[a->nsizes++] = (int64_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return 0;
}

static unsigned arg_uint(const char *cmdline, const char *key, unsigned dflt)
{
	char v[16];
	if (fmt_getarg(cmdline, key, v, sizeof v) < 0)
		return dflt;
	uint64_t n = fmt_parse_u64(v, 0);
	return n ? (unsigned)n : dflt;
}

int main(const char *cmdline)
{
	char name[24], sizes[160];
	struct bench_args a = { .nsizes = 0 };
	if (fmt_getarg(cmdline, "workload", name, sizeof name) < 0) {
		fail("no workload= on the command line", cmdline);
		return 1;
	}
	if (fmt_getarg(cmdline, "sizes", sizes, sizeof sizes) >= 0 && parse_sizes(sizes, &a) < 0) {
		fail("bad sizes= list", sizes);
		return 1;
	}
	a.iters = arg_uint(cmdline, "iters", DEFAULT_ITERS);
	a.warmup = arg_uint(cmdline, "warmup", DEFAULT_WARMUP);
	/* Only the micro kernel has shapes: of the file server (fsshape=,
	 * default "fs") or, for the clients workload, of the servers
	 * (servers=, default "shared"); mono results carry none. */
	int servers = !strcmp(name, "clients");
	if (!strcmp(os_mode, "micro") &&
	    fmt_getarg(cmdline, servers ? "servers" : "fsshape", a.shape, sizeof a.shape) < 0)
		fmt_snprintf(a.shape, sizeof a.shape, servers ? "shared" : "fs");
	if (a.iters > BENCH_MAX_SAMPLES)
		a.iters = BENCH_MAX_SAMPLES;
	for (unsigned i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
		if (strcmp(workloads[i].name, name))
			continue;
		int failures = workloads[i].run(&a);
		os_printf(MKB_PREFIX "{\"type\":\"done\",\"status\":%d}\n", failures);
		return failures ? 1 : 0;
	}
	fail("unknown workload", name);
	return 1;
}
