/*
 * wl_fileio.c - file I/O through the file system on a RAM disk: mono, the
 * in-kernel file system by system calls; micro, the file server by IPC
 * (shape "fs": RAM disk inside it; "fs+blk": a block server behind it).
 * Per size: sequential writes, then another process reads the file back
 * and checks it, then sequential reads, random writes and random reads
 * (a seek plus one call) of a 256 KiB file, every byte checked. Each
 * write phase writes a pattern of its own (a generation per slot of the
 * file), and the whole file is read back and checked after it, so a
 * write that did nothing would fail. Without a size: create, open+close
 * and unlink.
 *
 * A call's cost depends on the block it lands in, so the measured samples
 * of a phase cover the file's blocks in whole passes (bench/filepass.h:
 * every slot once per pass for slots of a block or more; for smaller
 * slots a run of consecutive slots from each block), sequential phases in
 * file order, random ones in a fresh permutation per pass: the figure is
 * the file's own mix, whatever the iteration count. Samples: about iters
 * (fewer for sizes above 4 KiB: bench_scale), rounded up to whole passes,
 * at most BENCH_MAX_SAMPLES; the result's n says how many. A sequential
 * phase seeks, untimed, where a pass moves to the next block's run.
 */
#include "bench.h"
#include "fastpat.h"
#include "filepass.h"
#include "fmt.h"
#include "os.h"
#include "str.h"

#define FILE_LEN (256u * 1024u)

static struct bench_run run;
static uint8_t buf[65536];

static uint8_t gen_of[FILE_LEN / 64];   /* the pattern generation of each slot */

/* The byte at offset off in generation g (0: what prepare() and the
 * checking helper use). */
static uint8_t pat(uint32_t off, unsigned g)
{
	return (uint8_t)((off * 7 + (off >> 8) * 3 + (off >> 16)) ^ (g * 0x5B));
}

/* pat() of the 8 bytes at off, a multiple of 8 (fastpat.h: within such a
 * group off >> 8 and off >> 16 stay the same, and each byte adds 7). */
static uint64_t pat8(uint32_t off, unsigned g, uint64_t steps)
{
	return pat_group((uint8_t)(off * 7 + (off >> 8) * 3 + (off >> 16)), steps) ^
	       (PAT_ONES * (uint8_t)(g * 0x5B));
}

static void fill(uint8_t *b, uint32_t off, size_t n, unsigned g)
{
	size_t i = 0;
	if (off % 8 == 0) {
		uint64_t steps = pat_steps(7);
		for (; i + 8 <= n; i += 8)
			pat_store(b + i, pat8(off + (uint32_t)i, g, steps));
	}
	for (; i < n; i++)
		b[i] = pat(off + (uint32_t)i, g);
}

static int same(const uint8_t *b, uint32_t off, size_t n, unsigned g)
{
	size_t i = 0;
	if (off % 8 == 0) {
		uint64_t steps = pat_steps(7);
		for (; i + 8 <= n; i += 8)
			if (pat_load(b + i) != pat8(off + (uint32_t)i, g, steps))
				return 0;
	}
	for (; i < n; i++)
		if (b[i] != pat(off + (uint32_t)i, g))
			return 0;
	return 1;
}

/* Read the whole file back (untimed), in reads as large as the buffer:
 * does every slot of size bytes hold its generation? (Reads of the slot
 * size would check the same bytes at many times the cost: a pass of
 * 64-byte reads costs as much as a measured phase.) */
static int file_holds(int h, int64_t size, char *why, size_t cap)
{
	if (os_fs_seek(h, 0, FS_SEEK_SET) != 0)
		return fmt_snprintf(why, cap, "seek for the check failed"), 0;
	for (uint32_t at = 0; at < FILE_LEN; at += sizeof buf) {
		if (os_fs_read(h, buf, sizeof buf) != (long)sizeof buf)
			return fmt_snprintf(why, cap, "reading the file back at %u failed", at), 0;
		for (uint32_t o = 0; o < sizeof buf; o += (uint32_t)size) {
			uint32_t off = at + o;
			if (!same(buf + o, off, (size_t)size, gen_of[off / size]))
				return fmt_snprintf(why, cap, "slot at %u does not hold what was written", off), 0;
		}
	}
	return 1;
}

/* The passes of a phase and its samples and warm-ups: bench_scale's, the
 * samples rounded up to whole passes, at most BENCH_MAX_SAMPLES. */
static struct bench_count counts_for(const struct bench_args *a, int64_t size, struct filepass *fp)
{
	struct bench_count c = bench_scale(a->iters, a->warmup, size);
	*fp = filepass_plan(FILE_LEN, (uint32_t)size, FS_BLOCK_SIZE, c.iters);
	c.iters = (c.iters + fp->per_pass - 1) / fp->per_pass * fp->per_pass;
	if (c.iters > BENCH_MAX_SAMPLES)
		c.iters = BENCH_MAX_SAMPLES / fp->per_pass * fp->per_pass;
	return c;
}

static uint16_t perm[FILE_LEN / 64];

/* A fresh order of the n visits of pass number pass (Fisher-Yates, seeded). */
static void shuffle(uint32_t n, uint32_t pass)
{
	uint32_t seed = 12345u + pass * 7919u;
	for (uint32_t i = 0; i < n; i++)
		perm[i] = (uint16_t)i;
	for (uint32_t i = n - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		uint32_t j = (seed >> 8) % (i + 1), t = perm[i];
		perm[i] = perm[j], perm[j] = (uint16_t)t;
	}
}

/* One timed phase over file h: kind is 'w' or 'r', random if rnd. */
static int phase(const struct bench_args *a, const char *variant, int h, int64_t size, int write, int rnd,
		 const char *shape)
{
	struct filepass fp;
	struct bench_count c = counts_for(a, size, &fp);
	struct bench_params p = { "fileio", variant, size, "per_op", shape, c.iters, c.warmup };
	uint32_t off = 0, at = 0;   /* the slot's offset; the file's position */
	unsigned g = write ? (rnd ? 2 : 1) : 0;   /* the generation this phase writes */
	bench_begin(&run, &p);
	if (os_fs_seek(h, 0, FS_SEEK_SET) != 0)
		bench_fail(&run, "seek to 0 failed");
	for (unsigned i = 0; i < run.p.warmup + run.p.iters && !run.check[0]; i++) {
		if (i == run.p.warmup)
			os_counters(&run.ev0);   /* measured samples start a pass */
		uint32_t k = i < run.p.warmup ? i : i - run.p.warmup;   /* index in this stretch */
		uint32_t pass = k / fp.per_pass, j = k % fp.per_pass;
		if (rnd) {
			if (j == 0)
				shuffle(fp.per_pass, pass + (i < run.p.warmup ? 1000 : 0));
			j = perm[j];
		}
		off = filepass_slot(&fp, pass, j) * (uint32_t)size;
		if (!rnd && off != at && os_fs_seek(h, off, FS_SEEK_SET) != (long)off)
			bench_fail(&run, "%s %u: seek to %u failed", variant, i, off);
		if (write)
			fill(buf, off, (size_t)size, g);
		bench_window(&run);
		uint64_t t0 = bench_now();
		long s = rnd ? os_fs_seek(h, off, FS_SEEK_SET) : (long)off;
		long r = write ? os_fs_write(h, buf, (size_t)size) : os_fs_read(h, buf, (size_t)size);
		uint64_t t1 = bench_now();
		if (s != (long)off || r != size)
			bench_fail(&run, "%s %u at %u: seek %ld, %ld bytes", variant, i, off, s, r);
		else if (!write && !same(buf, off, (size_t)size, gen_of[off / size]))
			bench_fail(&run, "%s %u: data at offset %u differs", variant, i, off);
		else if (i >= run.p.warmup)
			bench_sample(&run, t1 - t0);
		if (write)
			gen_of[off / size] = (uint8_t)g;
		at = off + (uint32_t)size;
	}
	char why[80];
	if (write && !run.check[0] && !file_holds(h, size, why, sizeof why))
		bench_fail(&run, "%s: %s", variant, why);
	return bench_end(&run);
}

/* Write the whole file sequentially, then have another process check it. */
static int prepare(int h, char *why, size_t cap)
{
	memset(gen_of, 0, sizeof gen_of);
	for (uint32_t off = 0; off < FILE_LEN; off += sizeof buf) {
		fill(buf, off, sizeof buf, 0);
		long r = os_fs_write(h, buf, sizeof buf);
		if (r != (long)sizeof buf) {
			fmt_snprintf(why, cap, "writing the file: %ld", r);
			return -1;
		}
	}
	return 0;
}

static int other_process_reads(const char *name, char *why, size_t cap)
{
	char arg[64];
	int st = -1;
	fmt_snprintf(arg, sizeof arg, "role=fscheck name=%s len=%u", name, FILE_LEN);
	int pid = os_spawn("bench-helper", arg);
	if (pid < 0 || os_wait(pid, &st) != pid || st != 0) {
		fmt_snprintf(why, cap, "another process read back different data (status %d)", st);
		return -1;
	}
	return 0;
}

static int sized(const struct bench_args *a, int64_t size, const char *shape)
{
	char name[16], why[80] = "";
	int failures = 0;
	fmt_snprintf(name, sizeof name, "f%ld", (long)size);
	int h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	if (h < 0 || prepare(h, why, sizeof why) < 0 || other_process_reads(name, why, sizeof why) < 0) {
		bench_begin(&run, &(struct bench_params){ "fileio", "seq_write", size, "per_op", shape, 1, 0 });
		bench_fail(&run, "%s", why[0] ? why : "cannot open the file");
		return bench_end(&run);
	}
	failures += phase(a, "seq_write", h, size, 1, 0, shape);
	failures += phase(a, "seq_read", h, size, 0, 0, shape);
	failures += phase(a, "rand_write", h, size, 1, 1, shape);
	failures += phase(a, "rand_read", h, size, 0, 1, shape);
	/* The helper checks generation 0: write it back, then let it read. */
	if (os_fs_seek(h, 0, FS_SEEK_SET) != 0 || prepare(h, why, sizeof why) < 0 ||
	    other_process_reads(name, why, sizeof why) < 0) {
		os_printf("bench: fileio size %ld: %s\n", (long)size, why);
		failures++;
	}
	os_fs_close(h);
	os_fs_unlink(name);
	return failures;
}

/* create / open_close / unlink: one name operation per sample. */
static int names(const struct bench_args *a, const char *variant, const char *shape)
{
	struct bench_params p = { "fileio", variant, -1, "per_op", shape, a->iters, a->warmup };
	char name[16];
	int keep = os_fs_create("keep");
	bench_begin(&run, &p);
	for (unsigned i = 0; i < a->warmup + run.p.iters && !run.check[0]; i++) {
		fmt_snprintf(name, sizeof name, "n%u", i);
		if (i == a->warmup)
			os_counters(&run.ev0);
		if (variant[0] == 'u' && os_fs_create(name) < 0)
			bench_fail(&run, "create %s before unlink failed", name);
		bench_window(&run);
		uint64_t t0 = bench_now(), t1;
		int r;
		if (variant[0] == 'c') {
			r = os_fs_create(name);
		} else if (variant[0] == 'o') {
			int h = os_fs_open("keep", FS_O_READ);
			r = h < 0 ? h : os_fs_close(h);
		} else {
			r = os_fs_unlink(name);
		}
		t1 = bench_now();
		if (r < 0)
			bench_fail(&run, "%s %u: %s", variant, i, svc_strerror(r));
		else if (i >= a->warmup)
			bench_sample(&run, t1 - t0);
		if (variant[0] == 'c')
			os_fs_unlink(name);
	}
	if (keep == 0)
		os_fs_unlink("keep");
	return bench_end(&run);
}

int wl_fileio(const struct bench_args *a)
{
	const char *shape = a->shape[0] ? a->shape : 0;
	int failures = names(a, "create", shape) + names(a, "open_close", shape) + names(a, "unlink", shape);
	for (unsigned i = 0; i < a->nsizes; i++) {
		if (a->sizes[i] < 1 || a->sizes[i] > 65536 || FILE_LEN % a->sizes[i]) {
			bench_begin(&run, &(struct bench_params){ "fileio", "seq_write", a->sizes[i], "per_op", shape, 1, 0 });
			bench_fail(&run, "size must divide 256 KiB and be at most 64 KiB");
			failures += bench_end(&run);
			continue;
		}
		failures += sized(a, a->sizes[i], shape);
	}
	return failures;
}
