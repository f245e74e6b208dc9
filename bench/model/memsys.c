/*
 * memsys.c - the cycle model's memory system: L1I, L1D and L2 caches by
 * physical address (a miss costs the next level's latency), TLBs for
 * each page size and a shared second level (STLB), and page walks that
 * read the guest's own page tables in guest memory, from the root the
 * kernel last loaded (kernels/core/include/x86.h: model_shadow), through
 * the caches. A page's size and global bit are its entry's in those
 * tables. A CR3 write flushes the non-global entries (no PCID); an
 * invlpg drops its page's.
 */
#include <stdlib.h>
#include <string.h>
#include "model.h"

struct assoc l1i, l1d, l2, itlb, itlb2m, dtlb, dtlb2m, stlb;


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

/* Drop key from a, global or not (the rest of its set moves up). */
static void tlb_drop(struct assoc *a, uint64_t key)
{
	uint64_t *t = a->tag + (key & a->mask) * a->ways, want = key + 1;
	for (unsigned w = 0; w < a->ways; w++)
		if ((t[w] & ~TLB_G) == want) {
			memmove(t + w, t + w + 1, (a->ways - 1 - w) * sizeof *t);
			t[a->ways - 1] = 0;
			return;
		}
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

/* An access of physical address pa through an L1 (l1i or l1d), then L2,
 * then memory; miss_counter counts the L1's misses. */
static inline __attribute__((always_inline)) void
line_as(struct assoc *l1, int miss_counter, uint64_t pa, int what, uint64_t hit_m, uint64_t credit)
{
	if (assoc_access(l1, pa / LINE)) {
		if (hit_m) {
			now[C_PT_L1_HITS]++;
			charge(what, hit_m);
		}
		return;
	}
	now[miss_counter]++;
	if (credit)
		now[C_L1_CREDITS]++;
	if (assoc_access(&l2, pa / LINE)) {
		now[C_L2_SERIAL]++;
		charge(what, P.l2_lat_m - credit);
		return;
	}
	now[C_L2_MISS]++;
	now[C_MEM_SERIAL]++;
	charge(what, P.mem_lat_m - credit);
}

/* An instruction fetch's line: a miss stalls fetch for the next level's
 * latency (the base cost takes every instruction as fetched). */
void fetch_line(uint64_t pa)
{
	line_as(&l1i, C_L1I_MISS, pa, C_CACHE, 0, 0);
}

/* An ordinary load's or store's line. Its L1 load-to-use latency is in
 * the base cost already (llvm-mca's scheduling models take every load
 * to hit L1), so a miss costs the next level's latency less that
 * (l1d_latency), not on top of it. */
void data_line(uint64_t pa)
{
	line_as(&l1d, C_L1D_MISS, pa, C_CACHE, 0, P.l1d_lat_m);
}

/* A rep movs/stos knows its addresses before any data arrives, so its
 * misses overlap, as many at once as the core has L1D fill buffers: by
 * Little's law a run of n misses of latency L costs L + (n - 1) L /
 * fill_buffers, not n L. (Hardware prefetch, which would hide more, is
 * not modelled.) An ordinary access's miss is charged whole: whether
 * the next load depends on it is not known here. */
void stream_line(uint64_t pa, unsigned *misses)
{
	if (assoc_access(&l1d, pa / LINE))
		return;
	now[C_L1D_MISS]++;
	int mem = !assoc_access(&l2, pa / LINE), rest = (*misses)++ > 0;
	now[C_L2_MISS] += mem;
	now[mem ? (rest ? C_MEM_OVERLAPPED : C_MEM_SERIAL) : (rest ? C_L2_OVERLAPPED : C_L2_SERIAL)]++;
	uint64_t lat = mem ? P.mem_lat_m : P.l2_lat_m;
	charge(C_CACHE, rest ? lat / P.fill_buffers : lat);
}

/* A user process's page va lies at some physical page Linux chose: here
 * a fixed scramble of the page number (a multiplicative hash), so that
 * the pages of a buffer fall in cache sets as scattered pages do, not as
 * the consecutive virtual pages would. Deterministic. */
uint64_t user_pa(uint64_t va)
{
	uint64_t p = (va >> 12) * 0x9E3779B97F4A7C15ULL;
	p ^= p >> 29;
	return (p & ((1ULL << 36) - 1)) << 12 | (va & 0xFFF);
}

int memsys_init(const char *profile)
{
	unsigned line_sets = 1024 / LINE;   /* KiB -> lines */
	if (assoc_init(&l1i, P.l1i_kib * line_sets, P.l1i_ways) || assoc_init(&l1d, P.l1d_kib * line_sets, P.l1d_ways) ||
	    assoc_init(&l2, P.l2_kib * line_sets, P.l2_ways) || assoc_init(&itlb, P.itlb, P.itlb_ways) ||
	    assoc_init(&itlb2m, P.itlb2m, P.itlb2m_ways) || assoc_init(&dtlb, P.dtlb, P.dtlb_ways) ||
	    assoc_init(&dtlb2m, P.dtlb2m, P.dtlb2m_ways) || assoc_init(&stlb, P.stlb, P.stlb_ways))
		return model_fail("a cache or TLB geometry in the profile is not sets x ways", profile);
	return 0;
}

/* Guest RAM in host memory, and the kernel's model_shadow: where it is
 * (announced once at boot, x86.h: model_announce) and the page-table
 * root read from it at the last CR3 write. */
uint64_t host_base, ram_bytes = 128ULL << 20;
int host_base_known, user_mode;
static uint64_t shadow_pa, cr3_pa;
static int cr3_server;   /* cr3_pa is a server's (the shadow's list, x86.h MODEL_SERVERS) */
#define SHADOW_WORDS (4 + MODEL_SERVERS)

/* The 8 bytes of guest RAM at pa (0 if they are not RAM). */
static uint64_t guest_read64(uint64_t pa)
{
	uint64_t v = 0;
	if (host_base_known && pa + 8 <= ram_bytes && pa + 8 > pa)
		memcpy(&v, (const void *)(uintptr_t)(host_base + pa), sizeof v);
	return v;
}

/* The announcement is taken once, and only if it names an aligned
 * shadow in guest RAM (mkbmodel.c takes it only from kernel code). */
int memsys_announce(uint64_t pa)
{
	if (user_mode || shadow_pa || !pa || pa % 8 || pa + sizeof(uint64_t[SHADOW_WORDS]) > ram_bytes)
		return 0;
	shadow_pa = pa;
	cr3_pa = guest_read64(shadow_pa) & 0x000FFFFFFFFFF000ULL;
	return 1;
}

/* The kernel's entry points, read from its table once it has set it up
 * (the shadow's third and fourth words: the table's address, its length). */
#define MAX_VECTORS 256
static uint64_t vectors[MAX_VECTORS];
static unsigned nvectors;

int is_vector_entry(uint64_t va)
{
	if (!nvectors && shadow_pa) {
		uint64_t table = guest_read64(shadow_pa + 16), n = guest_read64(shadow_pa + 24);
		for (uint64_t i = 0; table && i < n && i < MAX_VECTORS; i++)
			vectors[nvectors++] = guest_read64(table + 8 * i);
	}
	for (unsigned i = 0; i < nvectors; i++)
		if (vectors[i] == va)
			return 1;
	return 0;
}

/* The address space a CR3 write loads is a server's if the kernel lists
 * its root among the shadow's servers (written when it starts one). */
int memsys_server(void) { return cr3_server; }

void memsys_cr3(void)
{
	if (shadow_pa) {
		cr3_pa = guest_read64(shadow_pa) & 0x000FFFFFFFFFF000ULL;
		cr3_server = 0;
		for (unsigned i = 0; i < MODEL_SERVERS && !cr3_server; i++)
			cr3_server = (guest_read64(shadow_pa + 8 * (4 + i)) & 0x000FFFFFFFFFF000ULL) == cr3_pa &&
				     cr3_pa;
	}
	tlb_flush_nonglobal(&itlb);
	tlb_flush_nonglobal(&itlb2m);
	tlb_flush_nonglobal(&dtlb);
	tlb_flush_nonglobal(&dtlb2m);
	tlb_flush_nonglobal(&stlb);
}

/* invlpg drops the page's entries of either size, global or not (Intel
 * SDM vol. 3A, 4.10.4.1); the address is the shadow's second word. */
void memsys_invlpg(void)
{
	if (!shadow_pa)
		return;
	uint64_t va = guest_read64(shadow_pa + 8);
	struct assoc *t4[] = { &itlb, &dtlb, &stlb }, *t2[] = { &itlb2m, &dtlb2m, &stlb };
	for (int i = 0; i < 3; i++) {
		tlb_drop(t4[i], key4k(va));
		tlb_drop(t2[i], key2m(va));
	}
}

/* One read of a page walk, at physical address pa, through the caches:
 * an L1 hit costs the L1's latency, a miss the next level's; all of it
 * is TLB cost. */
static void walk_read(uint64_t pa)
{
	now[C_PT_READS]++;
	line_as(&l1d, C_L1D_MISS, pa, C_TLB, P.l1d_lat_m, 0);
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
	if (user_mode) {
		/* A Linux process's tables cannot be read from here: its 4 KiB
		 * pages' entries are taken to lie as the kernel lays them out,
		 * eight to a line, each 2 MiB region's table in a page of its
		 * own; the reads are at addresses above any user address. */
		walk_read((1ULL << 48) + (va >> 21) * 8);
		walk_read((1ULL << 49) + (va >> 12) * 8);
		return 0;
	}
	if (!cr3_pa)
		return 0;
	uint64_t table = cr3_pa;
	for (int l = 0; l < 4; l++) {
		uint64_t ea = table + ((va >> (39 - 9 * l)) & 511) * 8;
		if (ea + 8 > ram_bytes)
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
void translate(struct assoc *l1, struct assoc *l1_2m, uint64_t va, int miss_counter)
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
