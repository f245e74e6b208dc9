/*
 * mkbmodel.c - a QEMU TCG plugin that prices what the guest executes in
 * modeled cycles, beside icount's exact instruction counts (issue 11).
 * Loaded by scripts/mkb/qemu.py with
 *   -plugin build/model/mkbmodel.so,profile=<file>,out=<file>
 * It models one CPU from a profile (bench/model/profiles/<name>.cfg, every
 * value with its source): a cost per instruction class (base; syscall,
 * sysret and iretq; mov to CR3; wrmsr; rdtsc; each rep movs/stos
 * iteration by its bytes at a modeled copy bandwidth), set-associative
 * TLBs (instruction and data, per page size, and a shared second level;
 * a CR3 write flushes the non-global entries, as without PCID) whose
 * misses walk the guest's own page tables (read from guest memory from
 * the root the kernel last loaded, x86.h: cr3_shadow) through the
 * caches, and L1I, L1D and L2 caches by physical address, a miss costing
 * the next level's latency. A page's size and global bit are those of
 * its entry in the guest's tables.
 *
 * The guest's benchmark runtime (bench/bench.h, bench/runtime.c) marks
 * its timing points with multi-byte NOPs the plugin recognises: a clock
 * read (right after each rdtsc of bench_now), a sample taken (the last
 * two clock reads), an empty pair of the overhead calibration, and the
 * end of a run, where the plugin writes one JSON line of statistics (the
 * guest's: min, median, mean, stddev, p99, max, after subtracting the
 * median empty pair) and per-sample events. The harness pairs the k-th
 * line with the k-th result line of the boot.
 *
 * The base cost of the ordinary instructions (all but the classes the
 * profile prices) comes, with blocks=<file>, from LLVM's scheduling
 * model of the profile's core: llvm-mca's cycles per iteration of each
 * straight-line segment, computed by the harness (scripts/mkb/mca.py)
 * and cached by a hash of the segment's bytes. A segment not in the
 * file is priced at the profile's base_cycles per instruction and
 * written to missing=<file>; the harness prices those and boots again.
 * Without blocks=, base_cycles prices every ordinary instruction.
 *
 * Everything is integer arithmetic on the instruction stream and guest
 * physical addresses, so a run repeats exactly. Single vCPU (the guest
 * is uniprocessor).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = MKB_PLUGIN_API_VERSION;

#define MODEL_VERSION "2"
#define MARK_TAG 0x4B4Du       /* "MK": bench/bench.h's marker NOPs */
#define LINE 64u
#define KERNEL_TOP 0x40000000u /* the kernel's identity map (kernels/core/boot.S): guest RAM below it */

struct params P;

/* ---- caches and TLBs: set-associative, LRU ---- */
/* Each set keeps its ways in recency order, most recent first, so a hit
 * is usually found at once and LRU is exact. Sets are a power of two. */
struct assoc {
	unsigned sets, ways;
	uint64_t mask;
	uint64_t *tag;      /* sets * ways; 0 = empty, else key + 1 */
};

static int assoc_init(struct assoc *a, unsigned entries, unsigned ways)
{
	if (!entries || !ways || entries % ways || (entries / ways) & (entries / ways - 1))
		return -1;
	a->ways = ways, a->sets = entries / ways, a->mask = a->sets - 1;
	a->tag = calloc(entries, sizeof *a->tag);
	return a->tag ? 0 : -1;
}

/* Look key up past the most recent way; on a miss insert it (evicting
 * the LRU way). 1 = hit. */
static int assoc_rest(uint64_t *t, unsigned ways, uint64_t want)
{
	unsigned w = 1;
	while (w < ways && t[w] != want)
		w++;
	int hit = w < ways;
	if (!hit)
		w = ways - 1;
	memmove(t + 1, t, w * sizeof *t);
	t[0] = want;
	return hit;
}

/* Look key up; on a miss insert it. 1 = hit. The most recent way is
 * checked here, inline: it is most lookups. */
static inline __attribute__((always_inline)) int assoc_access(struct assoc *a, uint64_t key)
{
	uint64_t *t = a->tag + (key & a->mask) * a->ways, want = key + 1;
	return t[0] == want || assoc_rest(t, a->ways, want);
}

/* TLBs keep the page's global bit beside its key (TLB_G): a lookup
 * ignores it, a CR3 write keeps only the entries that have it. */
#define TLB_G (1ULL << 62)

/* Is key in a (promoted to most recent if so)? No insertion. */
static int tlb_probe(struct assoc *a, uint64_t key)
{
	uint64_t *t = a->tag + (key & a->mask) * a->ways, want = key + 1;
	for (unsigned w = 0; w < a->ways; w++)
		if ((t[w] & ~TLB_G) == want) {
			uint64_t e = t[w];
			memmove(t + 1, t, w * sizeof *t);
			t[0] = e;
			return 1;
		}
	return 0;
}

/* Put key in a as its most recent entry (the LRU way goes). */
static void tlb_insert(struct assoc *a, uint64_t key, int global)
{
	uint64_t *t = a->tag + (key & a->mask) * a->ways;
	memmove(t + 1, t, (a->ways - 1) * sizeof *t);
	t[0] = (key + 1) | (global ? TLB_G : 0);
}

static int tlb_is_mru(const struct assoc *a, uint64_t key)
{
	return (a->tag[(key & a->mask) * a->ways] & ~TLB_G) == key + 1;
}

static void tlb_flush_nonglobal(struct assoc *a)
{
	for (unsigned set = 0; set < a->sets; set++) {
		uint64_t *t = a->tag + set * a->ways;
		unsigned k = 0;
		for (unsigned w = 0; w < a->ways; w++)
			if (t[w] & TLB_G)
				t[k++] = t[w];
		while (k < a->ways)
			t[k++] = 0;
	}
}

static struct assoc l1i, l1d, l2, itlb, itlb2m, dtlb, dtlb2m, stlb;

/* ---- base costs by segment (blocks=, missing=): hash -> UNITS ---- */
static uint64_t *bkey, *bval, bcap, bcount;   /* open addressing; key 0 = empty */
static FILE *missing;
static int use_blocks;

static void block_put(uint64_t key, uint64_t val)
{
	if (2 * (bcount + 1) > bcap) {
		uint64_t *ok = bkey, *ov = bval, oc = bcap;
		bcap = bcap ? 2 * bcap : 4096;
		bkey = calloc(bcap, sizeof *bkey), bval = calloc(bcap, sizeof *bval);
		bcount = 0;
		for (uint64_t i = 0; i < oc; i++)
			if (ok[i])
				block_put(ok[i], ov[i]);
		free(ok), free(ov);
	}
	uint64_t i = key & (bcap - 1);
	while (bkey[i] && bkey[i] != key)
		i = (i + 1) & (bcap - 1);
	bcount += !bkey[i];
	bkey[i] = key, bval[i] = val;
}

/* 1 and *val if key is known. */
static int block_get(uint64_t key, uint64_t *val)
{
	if (!bcap)
		return 0;
	for (uint64_t i = key & (bcap - 1); bkey[i]; i = (i + 1) & (bcap - 1))
		if (bkey[i] == key) {
			*val = bval[i];
			return 1;
		}
	return 0;
}

static int load_blocks(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return model_fail("cannot open the block costs", path);
	char line[128];
	while (fgets(line, sizeof line, f)) {
		unsigned long long k, v;
		if (sscanf(line, "%llx %llu", &k, &v) != 2 || !k) {
			fclose(f);
			return model_fail("a bad line in the block costs (want: <hash> <cost>)", line);
		}
		block_put(k, v);
	}
	fclose(f);
	use_blocks = 1;
	return 0;
}

/* FNV-1a over the segment's ordinary instructions, each as its length
 * and its bytes (0 is kept for "empty"). */
static uint64_t fnv(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- counters: what a sample is made of ---- */
enum { C_CYCLES, C_BASE, C_KENTRY, C_CR3, C_COPY, C_TLB, C_CACHE, C_INSNS, C_ITLB_MISS,
       C_DTLB_MISS, C_STLB_MISS, C_WALKS, C_L1I_MISS, C_L1D_MISS, C_L2_MISS, C_CR3_WRITES,
       C_REP_ITERS, C_PT_READS, NC };
static const char *const cname[NC] = {
	"cycles", "base_cycles", "kentry_cycles", "cr3_cycles", "copy_cycles", "tlb_cycles",
	"cache_cycles", "insns", "itlb_misses", "dtlb_misses", "stlb_misses", "page_walks",
	"l1i_misses", "l1d_misses", "l2_misses", "cr3_writes", "rep_iters", "pt_reads" };
/* The *_cycles counters are in UNITS per cycle (exact for 1/32 cycle a
 * byte); the rest are counts. */
static uint64_t now[NC];

static void charge(int what, uint64_t m)
{
	now[what] += m;
	now[C_CYCLES] += m;
}

/* An access of physical address pa through an L1 (l1i or l1d), then L2,
 * then memory; miss_counter counts the L1's misses. */
static inline __attribute__((always_inline)) void
line_as(struct assoc *l1, int miss_counter, uint64_t pa, int what, uint64_t hit_m)
{
	if (assoc_access(l1, pa / LINE)) {
		if (hit_m)
			charge(what, hit_m);
		return;
	}
	now[miss_counter]++;
	if (assoc_access(&l2, pa / LINE)) {
		charge(what, P.l2_lat_m);
		return;
	}
	now[C_L2_MISS]++;
	charge(what, P.mem_lat_m);
}

/* ... an ordinary access: an L1 hit is in the base cost. */
static void cache_line(struct assoc *l1, int miss_counter, uint64_t pa)
{
	line_as(l1, miss_counter, pa, C_CACHE, 0);
}

static void data_line(uint64_t pa) { cache_line(&l1d, C_L1D_MISS, pa); }

/* TLB keys: the virtual page number, shifted left one, low bit = 2 MiB page. */
static uint64_t key4k(uint64_t va) { return (va >> 12) << 1; }
static uint64_t key2m(uint64_t va) { return (va >> 21) << 1 | 1; }

/* Guest RAM in host memory (host_base: the host address of guest
 * physical 0, from the kernel's identity-mapped code) and the page-table
 * root: where the kernel keeps it (announced once at boot, x86.h:
 * model_announce) and its value since the last CR3 write. */
static uint64_t host_base;
static int host_base_known;
static uint64_t cr3var, cr3_pa;

static uint64_t guest_read64(uint64_t pa)
{
	uint64_t v;
	memcpy(&v, (const void *)(uintptr_t)(host_base + pa), sizeof v);
	return v;
}

static void read_cr3(void)
{
	if (host_base_known && cr3var)
		cr3_pa = guest_read64(cr3var) & 0x000FFFFFFFFFF000ULL;
}

/* One read of a page walk, at physical address pa, through the caches:
 * an L1 hit costs the L1's latency, a miss the next level's; all of it
 * is TLB cost. */
static void walk_read(uint64_t pa)
{
	now[C_PT_READS]++;
	line_as(&l1d, C_L1D_MISS, pa, C_TLB, P.l1d_lat_m);
}

/* A page walk of va in the guest's tables: 1 if it ends at a 2 MiB page;
 * *global: the leaf entry's G bit. The paging-structure caches (Intel
 * SDM vol. 3A, 4.10.3; AMD's page directory cache) are taken to hold
 * the upper levels (a process uses one PML4 entry and one or two PDPT
 * entries), so a walk reads its page-directory entry and, for a 4 KiB
 * page, its page-table entry. An entry that is not present ends the
 * walk (the guest takes a page fault, which QEMU raises). */
static int walk(uint64_t va, int *global)
{
	now[C_WALKS]++;
	*global = 0;
	if (!cr3_pa)
		return 0;
	uint64_t table = cr3_pa;
	for (int l = 0; l < 4; l++) {
		uint64_t ea = table + ((va >> (39 - 9 * l)) & 511) * 8;
		if (ea + 8 > KERNEL_TOP)
			return 0;   /* not guest RAM: a table we cannot read */
		uint64_t e = guest_read64(ea);
		if (l >= 2)
			walk_read(ea);
		if (!(e & 1))
			return 0;
		if (l == 3 || (l == 2 && (e & 0x80))) {
			*global = (e & 0x100) != 0;
			return l == 2;
		}
		table = e & 0x000FFFFFFFFFF000ULL;
	}
	return 0;
}

/* Translate va through an L1 TLB pair (4 KiB, 2 MiB: looked up side by
 * side), then the shared second level (it holds both sizes), then a
 * walk; what is found fills the levels that missed. */
static void translate(struct assoc *l1, struct assoc *l1_2m, uint64_t va, int miss_counter)
{
	uint64_t k4 = key4k(va), k2 = key2m(va);
	if (tlb_probe(l1, k4) || tlb_probe(l1_2m, k2))
		return;
	now[miss_counter]++;
	charge(C_TLB, P.stlb_lat_m);   /* the second level's lookup, hit or miss */
	int large, global = 0;
	if (tlb_probe(&stlb, k4)) {
		large = 0;
	} else if (tlb_probe(&stlb, k2)) {
		large = 1;
	} else {
		now[C_STLB_MISS]++;
		large = walk(va, &global);
		tlb_insert(&stlb, large ? k2 : k4, global);
	}
	global = global || (stlb.tag[((large ? k2 : k4) & stlb.mask) * stlb.ways] & TLB_G) != 0;
	tlb_insert(large ? l1_2m : l1, large ? k2 : k4, global);
}

/* ---- the timing points (bench/bench.h markers) and their statistics ---- */
enum { M_CLOCK = 1, M_SAMPLE, M_OVERHEAD, M_END };
static uint64_t clk_prev[NC], clk_cur[NC];
static uint64_t *samples, nsamples, cap_samples, sums[NC];
/* The calibration's empty pairs, each with what it is made of; the
 * median pair's total is taken off every sample, its classes off the
 * per-class figures. */
struct pair { uint64_t c[NC]; };
static struct pair overheads[256], overhead_pair;
static uint64_t noverheads, overhead_m;
static int overhead_known;
static unsigned runs;
static FILE *out;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
	return cmp_u64(&((const struct pair *)a)->c[C_CYCLES], &((const struct pair *)b)->c[C_CYCLES]);
}

/* UNITS -> cycles, "12.345" */
static void fmt_m(char *buf, size_t cap, double m) { snprintf(buf, cap, "%.3f", m / UNITS); }

static void end_run(void)
{
	uint64_t n = nsamples;
	for (uint64_t i = 0; i < n; i++)
		samples[i] = samples[i] > overhead_m ? samples[i] - overhead_m : 0;
	qsort(samples, n, sizeof *samples, cmp_u64);
	double mean = 0, var = 0;
	for (uint64_t i = 0; i < n; i++)
		mean += (double)samples[i];
	mean = n ? mean / n : 0;
	for (uint64_t i = 0; i < n; i++)
		var += ((double)samples[i] - mean) * ((double)samples[i] - mean);
	double sd = n ? sqrt(var / n) : 0;   /* population, as bench/stats.c */
	uint64_t r99 = (99 * n + 99) / 100;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	fmt_m(a, sizeof a, n ? samples[0] : 0);
	fmt_m(b, sizeof b, n ? samples[(n - 1) / 2] : 0);
	fmt_m(c, sizeof c, mean);
	fmt_m(d, sizeof d, sd);
	fmt_m(e, sizeof e, n ? samples[(r99 ? r99 : 1) - 1] : 0);   /* rank ceil(0.99 n) */
	fmt_m(f, sizeof f, n ? samples[n - 1] : 0);
	fmt_m(g, sizeof g, overhead_m);
	fprintf(out, "{\"run\":%u,\"n\":%" PRIu64 ",\"min\":%s,\"median\":%s,\"mean\":%s,\"stddev\":%s,"
		"\"p99\":%s,\"max\":%s,\"overhead\":%s,\"profile\":\"%s\",\"model_version\":\"%s\",\"events\":{",
		runs, n, a, b, c, d, e, f, g, P.name, MODEL_VERSION);
	/* Per class: the mean per sample less the timing pair's mean (the
	 * headline's median has the median pair taken off). */
	for (int i = 1; i < NC; i++) {
		double per = n ? (double)sums[i] / n : 0;
		if (overhead_known)
			per -= (double)overhead_pair.c[i];
		if (per < 0)
			per = 0;
		if (strstr(cname[i], "cycles"))
			per /= UNITS;
		fprintf(out, "%s\"%s\":%.2f", i > 1 ? "," : "", cname[i], per);
	}
	fprintf(out, "}}\n");
	fflush(out);
	runs++;
	nsamples = 0;
	memset(sums, 0, sizeof sums);
}

static void marker(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	switch ((int)(uintptr_t)udata) {
	case M_CLOCK:
		memcpy(clk_prev, clk_cur, sizeof clk_cur);
		memcpy(clk_cur, now, sizeof now);
		break;
	case M_SAMPLE:
		if (nsamples == cap_samples) {
			cap_samples = cap_samples ? 2 * cap_samples : 4096;
			samples = realloc(samples, cap_samples * sizeof *samples);
		}
		samples[nsamples++] = clk_cur[C_CYCLES] - clk_prev[C_CYCLES];
		for (int i = 0; i < NC; i++)
			sums[i] += clk_cur[i] - clk_prev[i];
		break;
	case M_OVERHEAD:
		if (!overhead_known && noverheads < 256) {
			for (int i = 0; i < NC; i++)
				overheads[noverheads].c[i] = clk_cur[i] - clk_prev[i];
			noverheads++;
		}
		if (!overhead_known && noverheads == 256) {
			qsort(overheads, noverheads, sizeof *overheads, cmp_pair);
			overhead_pair = overheads[(noverheads - 1) / 2];
			overhead_m = overhead_pair.c[C_CYCLES];
			overhead_known = 1;
		}
		break;
	case M_END:
		end_run();
		break;
	}
}

/* ---- instructions: classes, segments of translation blocks ---- */
enum cls { K_PLAIN, K_SYSCALL, K_SYSRET, K_IRET, K_CR3, K_WRMSR, K_RDTSC, K_REP, K_MARK, K_INVLPG,
	   K_CR3VAR };

/* Classify an instruction from its bytes; *bytes_per_iter for rep
 * movs/stos, *mark for a marker (for K_CR3VAR: the address it names). */
static enum cls classify(const uint8_t *b, size_t n, unsigned *bytes_per_iter, unsigned *mark)
{
	size_t i = 0;
	int rep = 0, opsize16 = 0, rexw = 0;
	for (; i < n; i++) {   /* legacy prefixes, then REX */
		if (b[i] == 0xF3 || b[i] == 0xF2)
			rep = 1;
		else if (b[i] == 0x66)
			opsize16 = 1;
		else if (!(b[i] == 0xF0 || b[i] == 0x2E || b[i] == 0x36 || b[i] == 0x3E || b[i] == 0x26 ||
			   b[i] == 0x64 || b[i] == 0x65 || b[i] == 0x67))
			break;
	}
	if (i < n && (b[i] & 0xF0) == 0x40)
		rexw = (b[i++] & 8) != 0;
	if (i >= n)
		return K_PLAIN;
	uint8_t op = b[i], op2 = i + 1 < n ? b[i + 1] : 0;
	if (op == 0xCF)
		return K_IRET;
	if (rep && (op == 0xA4 || op == 0xA5 || op == 0xAA || op == 0xAB)) {
		*bytes_per_iter = (op & 1) == 0 ? 1 : rexw ? 8 : opsize16 ? 2 : 4;
		return K_REP;
	}
	if (op != 0x0F)
		return K_PLAIN;
	if (op2 == 0x05)
		return K_SYSCALL;
	if (op2 == 0x07)
		return K_SYSRET;
	if (op2 == 0x30)
		return K_WRMSR;
	if (op2 == 0x31)
		return K_RDTSC;
	if (op2 == 0x22 && i + 2 < n && (b[i + 2] & 0x38) == 0x18)   /* mov %reg, %cr3 */
		return K_CR3;
	if (op2 == 0x01 && i + 2 < n && (b[i + 2] & 0x38) == 0x38 && (b[i + 2] & 0xC0) != 0xC0)
		return K_INVLPG;   /* 0f 01 /7 with a memory operand */
	if (op2 == 0x1F && opsize16 && n - i == 7 && b[i + 2] == 0x80) {   /* nopw disp32(%rax) */
		uint32_t disp;
		memcpy(&disp, b + i + 3, 4);
		*mark = disp;   /* x86.h: model_announce, where cr3_shadow is */
		return K_CR3VAR;
	}
	if (op2 == 0x1F && n - i == 7 && b[i + 2] == 0x80) {   /* nopl disp32(%rax) */
		uint32_t disp;
		memcpy(&disp, b + i + 3, 4);
		if (disp >> 16 == MARK_TAG && (disp & 0xFFFF) >= M_CLOCK && (disp & 0xFFFF) <= M_END) {
			*mark = disp & 0xFFFF;
			return K_MARK;
		}
	}
	return K_PLAIN;
}

/* A run of instructions that executes as a unit (a translation block is
 * cut after each marker, CR3 write and invlpg, whose effect has a place):
 * its static cost and its instruction-fetch lines and pages (4 KiB page
 * addresses), charged when its first instruction is about to run. The
 * effect that ends it is applied when that instruction is about to run,
 * after every earlier instruction and its data accesses (effect_exec). */
struct segment {
	uint64_t cost[NC];
	unsigned ncost;              /* the non-zero costs, for seg_exec */
	uint8_t cidx[NC];
	uint64_t cval[NC];
	uint64_t *lines, *pages;
	unsigned nlines, npages, ninsns;
	uint64_t seen;               /* ichanges when its fetches last changed nothing */
	struct segment *next;        /* the block's next segment */
	unsigned nplain;             /* its ordinary instructions (base cost) */
	uint64_t hash;               /* ... their bytes' (blocks=) */
	char *hex;                   /* ... their bytes in hex, for missing= */
	size_t nhex;
};

/* The last segment whose fetches ran, and the last data line touched:
 * repeating either right away finds everything where it was left (most
 * recent in its set), so the lookups are skipped; exact (a data line
 * only while no page walk has touched L1D since), and most of the
 * model's speed (rep movs iterations, tight loops, one field after
 * another). A CR3 write forgets both. */
static struct segment *last_seg;
static uint64_t last_dline = ~0ULL, last_dpage = ~0ULL, last_ipage = ~0ULL, last_iline = ~0ULL;

/* The data line touched before last_dline, when repeating it is exact
 * too: a copy alternates between a source and a destination line. That
 * holds while both lines are the most recent in their L1D sets and both
 * pages in their DTLB sets: they are in different sets (or the same
 * page), and no page walk has touched L1D since (pair_walks). */
static uint64_t prev_dline = ~0ULL, prev_dpage, prev_pline, last_pline = ~0ULL, last_walks, pair_walks;
static int pair_ok;

/* Guest virtual page -> physical page, as QEMU's own lookup (slow) last
 * gave it; forgotten on every CR3 write and invlpg, when the guest's own
 * TLB would be. Direct-mapped; key = page + 1 (0 = empty). */
#define XLATE 1024
static uint64_t xlate_key[XLATE], xlate_pa[XLATE];

static void forget_translations(void)
{
	memset(xlate_key, 0, sizeof xlate_key);
	last_seg = 0, last_dline = last_dpage = last_ipage = last_iline = last_pline = ~0ULL;
	pair_ok = 0;
}

/* Counts the changes of L1I and the instruction TLBs (an access that was
 * not to the most recent way of its set, a flush). A segment whose
 * fetches all found the most recent ways, with no change since, would
 * find them again and change nothing: its lookups are skipped. Exact. */
static uint64_t ichanges = 1;

static int is_mru(const struct assoc *a, uint64_t key) { return a->tag[(key & a->mask) * a->ways] == key + 1; }

/* Is the page at va the most recent entry of its set in the ITLB of
 * either size? */
static int itlb_mru(uint64_t va) { return tlb_is_mru(&itlb, key4k(va)) || tlb_is_mru(&itlb2m, key2m(va)); }

static void run_segment(struct segment *s)
{
	if (s != last_seg && s->seen != ichanges) {
		uint64_t before = ichanges;
		for (unsigned i = 0; i < s->npages; i++)
			if (s->pages[i] != last_ipage) {   /* else the ITLB's most recent entry */
				last_ipage = s->pages[i];
				ichanges += !itlb_mru(s->pages[i]);
				translate(&itlb, &itlb2m, s->pages[i], C_ITLB_MISS);
			}
		for (unsigned i = 0; i < s->nlines; i++)
			if (s->lines[i] != last_iline) {   /* else L1I's most recent line */
				last_iline = s->lines[i];
				ichanges += !is_mru(&l1i, s->lines[i] / LINE);
				cache_line(&l1i, C_L1I_MISS, s->lines[i]);
			}
		if (ichanges == before)
			s->seen = ichanges;
	}
	last_seg = s;
	for (unsigned i = 0; i < s->ncost; i++)
		now[s->cidx[i]] += s->cval[i];
}

static void seg_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	run_segment(udata);
}

/* What ends a segment, applied when its instruction is about to run:
 * a marker, a CR3 write (the new root read from the kernel's shadow,
 * written just before; the non-global TLB entries flushed, as without
 * PCID), an invlpg, the announcement of where the shadow lives. */
enum { E_MARK, E_CR3 = 16, E_INVLPG, E_CR3VAR };

static void effect_exec(unsigned int vcpu, void *udata)
{
	uintptr_t e = (uintptr_t)udata;
	if (e == E_CR3 || e == E_INVLPG)
		forget_translations();
	if (e == E_CR3) {
		ichanges++;
		read_cr3();
		tlb_flush_nonglobal(&itlb);
		tlb_flush_nonglobal(&itlb2m);
		tlb_flush_nonglobal(&dtlb);
		tlb_flush_nonglobal(&dtlb2m);
		tlb_flush_nonglobal(&stlb);
	} else if (e > E_CR3VAR) {   /* E_CR3VAR + the shadow's address */
		cr3var = e - E_CR3VAR;
		read_cr3();
	} else if (e < E_CR3) {
		marker(vcpu, (void *)e);
	}
}

/* Do two data accesses' lines (physical) and pages (virtual) stay the
 * most recent in their sets side by side? */
static int apart(uint64_t pline_a, uint64_t va_a, uint64_t pline_b, uint64_t va_b)
{
	if ((pline_a & l1d.mask) == (pline_b & l1d.mask))
		return 0;
	/* each page is in one of the two L1 DTLBs (its size): apart in both */
	uint64_t a4 = key4k(va_a), b4 = key4k(va_b), a2 = key2m(va_a), b2 = key2m(va_b);
	return (a4 == b4 || ((a4 ^ b4) & dtlb.mask) != 0) && (a2 == b2 || ((a2 ^ b2) & dtlb2m.mask) != 0);
}

static void __attribute__((noinline)) mem_lookup(qemu_plugin_meminfo_t info, uint64_t va, uint64_t line);

/* A data access: the repeats of the last two lines return at once (no
 * registers to save); the rest is mem_lookup's. */
static void mem_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	(void)vcpu, (void)udata;
	uint64_t line = va / LINE;
	if (line == last_dline && last_walks == now[C_WALKS])   /* a walk may have moved it */
		return;
	if (pair_ok && line == prev_dline && pair_walks == now[C_WALKS]) {
		uint64_t l = last_dline, pg = last_dpage, pl = last_pline;   /* both stay where they are */
		last_dline = prev_dline, last_dpage = prev_dpage, last_pline = prev_pline;
		prev_dline = l, prev_dpage = pg, prev_pline = pl;
		return;
	}
	mem_lookup(info, va, line);
}

static void mem_lookup(qemu_plugin_meminfo_t info, uint64_t va, uint64_t line)
{
	uint64_t before_line = last_dline, before_pline = last_pline, before_page = last_dpage;
	uint64_t before_walks = last_walks;
	last_dline = line, last_pline = ~0ULL;   /* (until an access of memory is made) */
	pair_ok = 0;
	uint64_t page = va >> 12, slot = page % XLATE, pa;
	if (xlate_key[slot] == page + 1) {
		pa = xlate_pa[slot] | (va & 0xFFF);
	} else {
		struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, va);
		if (!hw || qemu_plugin_hwaddr_is_io(hw))
			return;
		pa = qemu_plugin_hwaddr_phys_addr(hw);
		xlate_key[slot] = page + 1, xlate_pa[slot] = pa & ~0xFFFULL;
	}
	if (page != last_dpage) {   /* else the DTLB's most recent entry */
		last_dpage = page;
		translate(&dtlb, &dtlb2m, va, C_DTLB_MISS);
	}
	data_line(pa);
	last_pline = pa / LINE, last_walks = now[C_WALKS];
	if (before_pline != ~0ULL && before_walks == last_walks &&
	    apart(last_pline, va, before_pline, before_line * LINE)) {
		prev_dline = before_line, prev_dpage = before_page, prev_pline = before_pline;
		pair_ok = 1, pair_walks = last_walks;
	}
}

static void add_unique(uint64_t **v, unsigned *n, uint64_t x)
{
	for (unsigned i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	*v = realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = x;
}

/* Price an instruction of class k into s; 1 if it is an ordinary one,
 * whose base cost is its segment's (seg_base). */
static int price(struct segment *s, enum cls k, unsigned bytes_per_iter)
{
	uint64_t m = 0;
	int what = C_KENTRY;
	switch (k) {
	case K_SYSCALL: m = P.syscall_m; break;
	case K_SYSRET: m = P.sysret_m; break;
	case K_IRET: m = P.iret_m; break;
	case K_WRMSR: m = P.wrmsr_m; break;
	case K_RDTSC: m = P.rdtsc_m, what = C_BASE; break;
	case K_CR3: m = P.cr3_m, what = C_CR3; s->cost[C_CR3_WRITES]++; break;
	case K_REP:   /* one iteration (each counts one instruction under icount too) */
		m = bytes_per_iter * UNITS / P.copy_bpc, what = C_COPY;
		s->cost[C_REP_ITERS]++;
		break;
	default:
		s->nplain++;
		return 1;
	}
	s->cost[what] += m;
	s->cost[C_CYCLES] += m;
	return 0;
}

/* An ordinary instruction's bytes join its segment's hash (and hex). */
static void add_plain(struct segment *s, const uint8_t *b, size_t n)
{
	uint8_t len = (uint8_t)n;
	if (!s->hash)
		s->hash = 0xcbf29ce484222325ULL;
	s->hash = fnv(fnv(s->hash, &len, 1), b, n);
	if (!missing)
		return;
	s->hex = realloc(s->hex, s->nhex + 2 * n + 2);
	for (size_t i = 0; i < n; i++)
		s->nhex += (size_t)sprintf(s->hex + s->nhex, "%02x", b[i]);
	s->hex[s->nhex++] = ' ';
	s->hex[s->nhex] = 0;
}

/* The segment's base cost: its block cost if known, else the profile's
 * base_cycles per ordinary instruction (and, with blocks=, the segment
 * goes to missing=, once). */
static void seg_base(struct segment *s)
{
	uint64_t m;
	if (!s->nplain)
		return;
	if (!(use_blocks && block_get(s->hash ? s->hash : 1, &m))) {
		m = s->nplain * P.base_m;
		if (use_blocks && missing) {
			fprintf(missing, "%016llx %s\n", (unsigned long long)s->hash, s->hex);
			block_put(s->hash, m);   /* written once */
		}
	}
	s->cost[C_BASE] += m;
	s->cost[C_CYCLES] += m;
	free(s->hex);
	s->hex = 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct segment *head = calloc(1, sizeof *head), *s = head;
	int first = 1;   /* the next instruction starts segment s */
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (first)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, seg_exec, QEMU_PLUGIN_CB_NO_REGS, s);
		first = 0;
		const uint8_t *b = qemu_plugin_insn_data(insn);
		size_t size = qemu_plugin_insn_size(insn);
		uint64_t va = qemu_plugin_insn_vaddr(insn), ha = (uint64_t)(uintptr_t)qemu_plugin_insn_haddr(insn);
		if (!host_base_known && va >= 0x100000 && va < KERNEL_TOP && ha) {
			/* the kernel (from 1 MiB; below it the firmware's ROMs) runs
			 * identity-mapped, so this pins guest RAM in host memory */
			host_base = ha - va;
			host_base_known = 1;
		}
		unsigned bpi = 1, mark = 0;
		enum cls k = classify(b, size, &bpi, &mark);
		qemu_plugin_register_vcpu_mem_cb(insn, mem_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
						 NULL);
		if (host_base_known && ha) {
			uint64_t pa = ha - host_base;
			add_unique(&s->lines, &s->nlines, pa / LINE * LINE);
			if (pa / LINE != (pa + size - 1) / LINE)
				add_unique(&s->lines, &s->nlines, (pa + size - 1) / LINE * LINE);
		}
		add_unique(&s->pages, &s->npages, va >> 12 << 12);
		s->ninsns++;
		s->cost[C_INSNS]++;
		if (price(s, k, bpi))
			add_plain(s, b, size);
		if (k == K_MARK || k == K_CR3 || k == K_INVLPG || k == K_CR3VAR) {   /* its effect has a place */
			uintptr_t e = k == K_MARK ? mark : k == K_CR3 ? E_CR3 : k == K_INVLPG ? E_INVLPG
										   : E_CR3VAR + (uintptr_t)mark;
			qemu_plugin_register_vcpu_insn_exec_cb(insn, effect_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)e);
			if (i + 1 < n) {
				s->next = calloc(1, sizeof *s);
				s = s->next;
				first = 1;
			}
		}
	}
	for (struct segment *x = head; x; x = x->next)
		seg_base(x);
	for (struct segment *x = head; x; x = x->next)
		for (int i = 0; i < NC; i++)
			if (x->cost[i]) {
				x->cidx[x->ncost] = (uint8_t)i;
				x->cval[x->ncost++] = x->cost[i];
			}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id, (void)udata;
	if (out)
		fclose(out);
	out = 0;
	if (missing)
		fclose(missing);
	missing = 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	if (info->version.min > MKB_PLUGIN_API_VERSION || info->version.cur < MKB_PLUGIN_API_VERSION)
		return model_fail("this QEMU does not offer plugin API version 1", 0);
	if (!info->system_emulation)
		return model_fail("system emulation only", 0);
	const char *profile = 0, *outpath = 0, *blocks = 0, *missingpath = 0;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "profile=", 8))
			profile = argv[i] + 8;
		else if (!strncmp(argv[i], "out=", 4))
			outpath = argv[i] + 4;
		else if (!strncmp(argv[i], "blocks=", 7))
			blocks = argv[i] + 7;
		else if (!strncmp(argv[i], "missing=", 8))
			missingpath = argv[i] + 8;
		else
			return model_fail("unknown argument (use profile=<file>,out=<file>"
					  "[,blocks=<file>,missing=<file>])", argv[i]);
	}
	if (!profile || !outpath)
		return model_fail("needs profile=<file> and out=<file>", 0);
	if (load_profile(profile) < 0)
		return -1;
	if (blocks && load_blocks(blocks) < 0)
		return -1;
	if (missingpath && !(missing = fopen(missingpath, "w")))
		return model_fail("cannot write", missingpath);
	unsigned line_sets = 1024 / LINE;   /* KiB -> lines */
	if (assoc_init(&l1i, P.l1i_kib * line_sets, P.l1i_ways) || assoc_init(&l1d, P.l1d_kib * line_sets, P.l1d_ways) ||
	    assoc_init(&l2, P.l2_kib * line_sets, P.l2_ways) || assoc_init(&itlb, P.itlb, P.itlb_ways) ||
	    assoc_init(&itlb2m, P.itlb2m, P.itlb2m_ways) || assoc_init(&dtlb, P.dtlb, P.dtlb_ways) ||
	    assoc_init(&dtlb2m, P.dtlb2m, P.dtlb2m_ways) || assoc_init(&stlb, P.stlb, P.stlb_ways))
		return model_fail("a cache or TLB geometry in the profile is not sets x ways", profile);
	if (!(out = fopen(outpath, "w")))
		return model_fail("cannot write", outpath);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, 0);
	return 0;
}
