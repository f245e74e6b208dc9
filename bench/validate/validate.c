/*
 * validate.c - user-mode microbenchmarks that check the cycle model
 * (bench/model/) against the CPU it runs on (make validate,
 * scripts/validate.py). The same static Linux binary runs natively,
 * timed with rdtsc, and under qemu-x86_64 with the model's plugin, which
 * prices the same instructions from the timing points (the marker NOPs
 * of bench/bench.h, repeated here: this program is not a guest of ours).
 *
 * Each mechanism runs WARMUP untimed and SAMPLES timed calls; a sample is
 * reps calls between two fenced clock reads, less the median of 256
 * empty pairs. Natively it prints, per mechanism, one line
 *   {"name": ..., "n": ..., "reps": ..., "min": ticks, "median": ticks, "max": ticks}
 * in TSC ticks; the harness turns ticks into core cycles with the
 * dependent add chain (alu_dep: 1,000 adds of one cycle each). Under the
 * plugin the ticks mean nothing and the plugin's lines (one per
 * mechanism, in the same order) carry the modeled cycles.
 *
 * Usage: validate [name ...]   (no name: every mechanism)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SAMPLES 64
#define WARMUP 8
#define OVERHEAD_PAIRS 256

/* bench/bench.h's timing points ("MK" in the displacement). */
#define MARK(code) __asm__ volatile("nopl 0x4b4d000" #code "(%%rax)" ::: "memory")
static inline uint64_t now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; nopl 0x4b4d0001(%%rax); lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- mechanisms ---- */
static void alu_dep(void)   /* 1,000 adds, each waiting for the last: 1 cycle each */
{
	__asm__ volatile(".rept 1000\n\tadd $1, %%rax\n\t.endr" ::: "rax", "cc");
}

static void alu_indep(void)   /* 1,000 adds in four independent chains */
{
	__asm__ volatile(".rept 250\n\tadd $1, %%rax\n\tadd $1, %%rbx\n\tadd $1, %%rcx\n\tadd $1, %%rdx\n\t.endr"
			 ::: "rax", "rbx", "rcx", "rdx", "cc");
}

static void imul_dep(void)   /* 100 dependent multiplies (3 cycles of latency each on these cores) */
{
	__asm__ volatile("mov $3, %%rax\n\t.rept 100\n\timul %%rax, %%rax\n\t.endr" ::: "rax", "cc");
}

/* A compiled dispatch loop: a small interpreter over 1,000 operations. */
static uint8_t program[1000];
static volatile uint64_t sink;

static void dispatch_setup(void)
{
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof program; i++) {
		x = x * 1103515245u + 12345u;
		program[i] = (uint8_t)((x >> 16) % 6);
	}
}

static void __attribute__((noinline)) dispatch(void)
{
	uint64_t acc = 1, b = 7;
	for (size_t pc = 0; pc < sizeof program; pc++) {
		switch (program[pc]) {
		case 0: acc += b; break;
		case 1: acc ^= b << 3; break;
		case 2: acc = acc * 3 + 1; break;
		case 3: b += acc & 15; break;
		case 4: acc -= b; break;
		default: b ^= acc >> 2; break;
		}
	}
	sink = acc + b;
}

/* Pointer chases: CHASE dependent loads around a random cycle of nodes,
 * one node a line (or a page): each load waits for the last. */
#define CHASE 1000
struct chase {
	void **start;
	size_t nodes, stride;
};
static struct chase ch_l1, ch_l2, ch_l3, ch_pages;

static void *region(size_t bytes)
{
	void *p = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("validate: mmap");
		exit(1);
	}
	madvise(p, bytes, MADV_NOHUGEPAGE);   /* 4 KiB pages, as the model takes them */
	return p;
}

/* nodes nodes stride bytes apart (a page's nodes at varying offsets, so
 * that they do not all fall in one cache set), linked in a random cycle. */
static void chase_setup(struct chase *c, size_t nodes, size_t stride)
{
	uint8_t *base = region(nodes * stride + 4096);
	size_t *order = malloc(nodes * sizeof *order);
	for (size_t i = 0; i < nodes; i++)
		order[i] = i;
	uint32_t x = 777;
	for (size_t i = nodes - 1; i > 0; i--) {
		x = x * 1103515245u + 12345u;
		size_t j = (x >> 8) % (i + 1), t = order[i];
		order[i] = order[j], order[j] = t;
	}
	for (size_t i = 0; i < nodes; i++) {
		size_t a = order[i], b = order[(i + 1) % nodes];
		size_t off_a = stride >= 4096 ? (a * 64) % 4096 : 0, off_b = stride >= 4096 ? (b * 64) % 4096 : 0;
		*(void **)(base + a * stride + off_a) = base + b * stride + off_b;
	}
	c->start = (void **)(base + order[0] * stride + (stride >= 4096 ? (order[0] * 64) % 4096 : 0));
	c->nodes = nodes, c->stride = stride;
	free(order);
}

/* Each call goes on from where the last stopped, so that a region larger
 * than CHASE lines is walked whole (not the same lines again). */
static void chase_run(struct chase *c)
{
	void **p = c->start;
	for (int i = 0; i < CHASE; i++)
		p = *p;
	c->start = p;
}

static void l1_setup(void) { chase_setup(&ch_l1, 16 << 10 >> 6, 64); }           /* 16 KiB */
static void l2_setup(void) { chase_setup(&ch_l2, 256 << 10 >> 6, 64); }          /* 256 KiB */
static void l3_setup(void) { chase_setup(&ch_l3, 8 << 20 >> 6, 64); }            /* 8 MiB */
static void pages_setup(void) { chase_setup(&ch_pages, 1024, 4096); }            /* a line in each of 1,024 pages */
static void chase_l1(void) { chase_run(&ch_l1); }
static void chase_l2(void) { chase_run(&ch_l2); }
static void chase_l3(void) { chase_run(&ch_l3); }
static void chase_pages(void) { chase_run(&ch_pages); }

/* rep movsb between two page-aligned buffers. */
static uint8_t *src, *dst, *evict;
#define EVICT (256 << 10)

static void copy_setup(void)
{
	if (src)
		return;
	src = region(16 << 10), dst = region(16 << 10), evict = region(EVICT);
	memset(src, 1, 16 << 10), memset(dst, 2, 16 << 10), memset(evict, 3, EVICT);
}

static inline void rep_movsb(void *d, const void *s, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
}

static void copy_8(void) { rep_movsb(dst, src, 8); }
static void copy_64(void) { rep_movsb(dst, src, 64); }
static void copy_512(void) { rep_movsb(dst, src, 512); }
static void copy_4k(void) { rep_movsb(dst, src, 4096); }
static void copy_16k(void) { rep_movsb(dst, src, 16384); }

/* Before each sample of the cold copy (untimed): read 256 KiB of other
 * lines, which leaves source and destination out of L1 (32 KiB) and in
 * L2 (512 KiB and up on the profiled cores). */
static void evict_l1(void)
{
	uint64_t s = 0;
	for (size_t i = 0; i < EVICT; i += 64)
		s += evict[i];
	sink = s;
}

/* ---- the suite's own user-level code (bench/validate/validate.mk) ---- */

/* The file system of services/ (what the mono kernel and the micro file
 * server run for each request) over a RAM disk of 1 MiB: a 16 KiB file,
 * read and written at its start, opened and closed by name. */
#include "fs.h"
#include "ramdisk.h"

static struct fs fs;
static int fh = -1;
static uint8_t iobuf[4096];

static void fs_die(const char *what, long r)
{
	fprintf(stderr, "validate: services/fs.c: %s returned %ld\n", what, r);
	exit(1);
}

static void fs_setup(void)
{
	static struct ramdisk rd;
	static struct blkdev dev;
	if (fh >= 0)
		return;
	long r;
	if ((r = ramdisk_init(&rd, region(1 << 20), 1 << 20, FS_BLOCK_SIZE, &dev)) < 0)
		fs_die("ramdisk_init", r);
	if ((r = fs_format(&fs, &dev)) < 0 || (r = fs_create(&fs, "data")) < 0)
		fs_die("fs_format/fs_create", r);
	if ((fh = fs_open(&fs, 1, "data", FS_O_RDWR)) < 0)
		fs_die("fs_open", fh);
	memset(iobuf, 5, sizeof iobuf);
	for (int i = 0; i < 4; i++)
		if ((r = fs_write(&fs, 1, fh, iobuf, sizeof iobuf)) != sizeof iobuf)
			fs_die("fs_write", r);
}

static void fs_read_4k(void)
{
	long r = fs_seek(&fs, 1, fh, 0, FS_SEEK_SET);
	if (r < 0 || (r = fs_read(&fs, 1, fh, iobuf, 4096)) != 4096)
		fs_die("fs_read", r);
}

static void fs_write_512(void)
{
	long r = fs_seek(&fs, 1, fh, 0, FS_SEEK_SET);
	if (r < 0 || (r = fs_write(&fs, 1, fh, iobuf, 512)) != 512)
		fs_die("fs_write", r);
}

static void fs_open_close(void)
{
	long h = fs_open(&fs, 1, "data", FS_O_READ), r;
	if (h < 0 || (r = fs_close(&fs, 1, (int)h)) < 0)
		fs_die("fs_open/fs_close", h);
}

/* Each strategy's user side of a round trip (user/os_micro.c's channel
 * calls over user/ipc/<s>.h, the path pingpong times): the client's call
 * and the server's reply-and-receive of an 8-byte message, the kernel a
 * stub (bench/validate/trap.c). VALIDATE_IPCS lists the strategies
 * (X(sel4) X(l4) ...; the Makefile's IPCS_ALL). */
#define X(s) long s##_chan_call(long, const void *, size_t, void *, size_t); \
	long s##_chan_reply_recv(long, const void *, size_t, void *, size_t); \
	static void pack_##s(void) \
	{ \
		uint64_t msg = 0x0123456789abcdefull, in; \
		if (s##_chan_call(3, &msg, 8, &in, 8) < 0 || s##_chan_reply_recv(3, &msg, 8, &in, 8) < 0) { \
			fprintf(stderr, "validate: pack_" #s " failed\n"); \
			exit(1); \
		} \
	}
VALIDATE_IPCS
#undef X

/* reps: calls per sample (short ones are repeated, the clock ticking
 * in steps of some tens of cycles on some hosts); figures are per call. */
struct mech {
	const char *name;
	void (*setup)(void), (*run)(void), (*between)(void);
	unsigned reps;
};

static const struct mech mechs[] = {
	{ "alu_dep", 0, alu_dep, 0, 1 },
	{ "alu_indep", 0, alu_indep, 0, 4 },
	{ "imul_dep", 0, imul_dep, 0, 4 },
	{ "dispatch", dispatch_setup, dispatch, 0, 1 },
	{ "chase_l1", l1_setup, chase_l1, 0, 1 },
	{ "chase_l2", l2_setup, chase_l2, 0, 1 },
	{ "chase_l3", l3_setup, chase_l3, 0, 1 },
	{ "chase_pages", pages_setup, chase_pages, 0, 1 },
	{ "rep_movsb_8", copy_setup, copy_8, 0, 64 },
	{ "rep_movsb_64", copy_setup, copy_64, 0, 64 },
	{ "rep_movsb_512", copy_setup, copy_512, 0, 16 },
	{ "rep_movsb_4k", copy_setup, copy_4k, 0, 4 },
	{ "rep_movsb_16k", copy_setup, copy_16k, 0, 1 },
	{ "rep_movsb_4k_cold", copy_setup, copy_4k, evict_l1, 1 },
	{ "fs_read_4k", fs_setup, fs_read_4k, 0, 4 },
	{ "fs_write_512", fs_setup, fs_write_512, 0, 4 },
	{ "fs_open_close", fs_setup, fs_open_close, 0, 16 },
#define X(s) { "pack_" #s, 0, pack_##s, 0, 64 },
	VALIDATE_IPCS
#undef X
};
#define NMECHS (sizeof mechs / sizeof mechs[0])

static uint64_t overhead(void)
{
	static uint64_t v[OVERHEAD_PAIRS];
	for (int i = 0; i < OVERHEAD_PAIRS; i++) {
		uint64_t a = now(), b = now();
		MARK(3);
		v[i] = b - a;
	}
	qsort(v, OVERHEAD_PAIRS, sizeof *v, cmp_u64);
	return v[(OVERHEAD_PAIRS - 1) / 2];
}

static void measure(const struct mech *m, uint64_t over)
{
	uint64_t v[SAMPLES];
	if (m->setup)
		m->setup();
	for (int i = 0; i < WARMUP; i++) {
		if (m->between)
			m->between();
		for (unsigned r = 0; r < m->reps; r++)
			m->run();
	}
	for (int i = 0; i < SAMPLES; i++) {
		if (m->between)
			m->between();
		uint64_t a = now();
		for (unsigned r = 0; r < m->reps; r++)
			m->run();
		uint64_t b = now();
		MARK(2);
		v[i] = b - a > over ? b - a - over : 0;
	}
	MARK(4);
	qsort(v, SAMPLES, sizeof *v, cmp_u64);
	printf("{\"name\": \"%s\", \"n\": %d, \"reps\": %u, \"min\": %llu, \"median\": %llu, \"max\": %llu}\n",
	       m->name, SAMPLES, m->reps,
	       (unsigned long long)v[0], (unsigned long long)v[(SAMPLES - 1) / 2],
	       (unsigned long long)v[SAMPLES - 1]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		size_t i = 0;
		while (i < NMECHS && strcmp(mechs[i].name, argv[a]))
			i++;
		if (i == NMECHS) {
			fprintf(stderr, "validate: no mechanism %s (valid:", argv[a]);
			for (i = 0; i < NMECHS; i++)
				fprintf(stderr, " %s", mechs[i].name);
			fprintf(stderr, ")\n");
			return 2;
		}
	}
	uint64_t over = overhead();
	for (size_t i = 0; i < NMECHS; i++) {
		int want = argc == 1;
		for (int a = 1; a < argc && !want; a++)
			want = !strcmp(mechs[i].name, argv[a]);
		if (want)
			measure(&mechs[i], over);
	}
	return 0;
}
