/* model.h - what the cycle model's files share: mkbmodel.c (the plugin:
 * instructions, segments, effects, data accesses), memsys.c (caches,
 * TLBs, page walks of the guest's tables), blocks.c (the base costs by
 * segment), stats.c (the timing points and their statistics) and
 * profile.c (the profile reader). */
#ifndef MKB_MODEL_H
#define MKB_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MODEL_VERSION "4"
#define LINE 64u
#define MODEL_SERVERS 8         /* x86.h: model_shadow's list of server address spaces */
#define KERNEL_TOP 0x40000000u /* the kernel's identity map (kernels/core/boot.S): guest RAM below it */

/* The *_cycles parameters and counters are in UNITS per cycle (exact for
 * 1/32 cycle a byte). */
#define UNITS 1000000ULL

/* A profile's parameters; costs in UNITS per cycle. */
struct params {
	char name[64], cpu[128];
	uint64_t base_m, syscall_m, sysret_m, iret_m, cr3_m, wrmsr_m, rdtsc_m;   /* in UNITS */
	uint64_t exception_m;              /* an interrupt's or exception's delivery (UNITS) */
	uint64_t copy_bpc;                 /* rep movs/stos: bytes per cycle */
	uint64_t rep_start_m;              /* ... and each execution's start-up (UNITS) */
	unsigned fill_buffers;             /* L1D misses one copy keeps in flight */
	unsigned l1i_kib, l1i_ways, l1d_kib, l1d_ways, l2_kib, l2_ways;
	uint64_t l1d_lat_m;                /* a page walk's read that hits L1D (UNITS) */
	uint64_t l2_lat_m, mem_lat_m;      /* an L1 miss that hits L2; an L2 miss (UNITS) */
	unsigned itlb, itlb_ways, itlb2m, itlb2m_ways, dtlb, dtlb_ways, dtlb2m, dtlb2m_ways;
	unsigned stlb, stlb_ways;
	uint64_t stlb_lat_m;               /* an L1 TLB miss that hits the STLB */
};
extern struct params P;

/* Read the profile at path into P; 0, or -1 after saying why. */
int load_profile(const char *path);

/* Say why the plugin cannot go on (QEMU's log and stderr); returns -1. */
int model_fail(const char *why, const char *what);

/* ---- counters: what a sample is made of (stats.c keeps them) ---- */
/* Cycles by class; then events; then the uses of each priced parameter
 * (how many times its cost was charged, so that the harness can re-price
 * a run over each parameter's range without running it again:
 * scripts/mkb/model.py). */
enum { C_CYCLES, C_BASE, C_KENTRY, C_CR3, C_COPY, C_TLB, C_CACHE, C_INSNS, C_ITLB_MISS,
       C_DTLB_MISS, C_STLB_MISS, C_WALKS, C_L1I_MISS, C_L1D_MISS, C_L2_MISS, C_CR3_WRITES,
       C_REP_ITERS, C_PT_READS,
       C_SYSCALLS, C_SYSRETS, C_IRETS, C_WRMSRS, C_RDTSCS, C_REP_BYTES, C_REP_RUNS, C_UNPRICED,
       C_PT_L1_HITS, C_L2_SERIAL, C_L2_OVERLAPPED, C_MEM_SERIAL, C_MEM_OVERLAPPED, C_L1_CREDITS,
       C_EXCEPTIONS, C_KERNEL_CYCLES, C_SERVER_CYCLES, C_KERNEL_INSNS, C_SERVER_INSNS, NC };
/* The *_cycles counters are in UNITS per cycle; the rest are counts. */
extern uint64_t now[NC];

static inline void charge(int what, uint64_t m)
{
	now[what] += m;
	now[C_CYCLES] += m;
}

/* ---- the timing points: bench/bench.h's marker NOPs (stats.c) ---- */
#define MARK_TAG 0x4B4Du       /* "MK" */
enum { M_CLOCK = 1, M_SAMPLE, M_OVERHEAD, M_END };
int stats_open(const char *path);
void stats_close(void);
void marker(int m);

/* ---- caches and TLBs: set-associative, LRU (memsys.c) ---- */
/* Each set keeps its ways in recency order, most recent first, so a hit
 * is usually found at once and LRU is exact. Sets are a power of two. */
struct assoc {
	unsigned sets, ways;
	uint64_t mask;
	uint64_t *tag;      /* sets * ways; 0 = empty, else key + 1 */
};
extern struct assoc l1i, l1d, l2, itlb, itlb2m, dtlb, dtlb2m, stlb;

/* TLBs keep the page's global bit beside its key (TLB_G): a lookup
 * ignores it, a CR3 write keeps only the entries that have it. */
#define TLB_G (1ULL << 62)

/* TLB keys: the virtual page number, shifted left one, low bit = 2 MiB page. */
static inline uint64_t key4k(uint64_t va) { return (va >> 12) << 1; }
static inline uint64_t key2m(uint64_t va) { return (va >> 21) << 1 | 1; }

/* Is key the most recent entry of its set? */
static inline int is_mru(const struct assoc *a, uint64_t key) { return a->tag[(key & a->mask) * a->ways] == key + 1; }
static inline int tlb_is_mru(const struct assoc *a, uint64_t key)
{
	return (a->tag[(key & a->mask) * a->ways] & ~TLB_G) == key + 1;
}

/* The caches and TLBs of the profile's geometry; 0, or -1 after saying why. */
int memsys_init(const char *profile);
/* An ordinary access of physical address pa through L1I or L1D, L2,
 * memory: an L1 hit is in the base cost, a miss costs the next level's
 * latency (a data miss less the L1 latency the base cost holds). */
void fetch_line(uint64_t pa);
void data_line(uint64_t pa);
/* A data access of a rep string instruction, whose misses overlap
 * (*misses: the run's so far). */
void stream_line(uint64_t pa, unsigned *misses);
/* Translate va through an L1 TLB pair, the STLB, a walk. */
void translate(struct assoc *l1, struct assoc *l1_2m, uint64_t va, int miss_counter);

/* Guest RAM in host memory: host_base is the host address of guest
 * physical 0 (found from the kernel's identity-mapped code), ram_bytes
 * its size (the plugin's ram= argument, QEMU's -m). */
extern uint64_t host_base, ram_bytes;
extern int host_base_known;
/* Under qemu-user (make validate): a Linux process, no guest page
 * tables and no physical addresses (memsys.c: walk, user_pa). */
extern int user_mode;
uint64_t user_pa(uint64_t va);
/* Is va one of the kernel's interrupt and exception entry points? */
int is_vector_entry(uint64_t va);
/* The effects the kernel tells the model of (x86.h: model_shadow). */
int memsys_announce(uint64_t shadow_pa);   /* where the shadow is: 1 if taken */
void memsys_cr3(void);                     /* a CR3 write (no PCID): new root, non-global entries go */
int memsys_server(void);                   /* is the current address space a server's (the shadow's list)? */
void memsys_invlpg(void);                  /* an invlpg: the page's entries go */

/* ---- base costs by segment (blocks.c): hash -> UNITS ---- */
int blocks_load(const char *path);
void block_put(uint64_t key, uint64_t val);
int block_get(uint64_t key, uint64_t *val);
uint64_t fnv(uint64_t h, const uint8_t *b, size_t n);
#endif
