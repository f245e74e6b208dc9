/* model.h - what the cycle model's two files share (mkbmodel.c, the
 * plugin; profile.c, its profile reader): the parameters of a profile. */
#ifndef MKB_MODEL_H
#define MKB_MODEL_H
#include <stdint.h>

/* The *_cycles parameters and counters are in UNITS per cycle (exact for
 * 1/32 cycle a byte). */
#define UNITS 1000000ULL

/* A profile's parameters; costs in UNITS per cycle. */
struct params {
	char name[64], cpu[128];
	uint64_t base_m, syscall_m, sysret_m, iret_m, cr3_m, wrmsr_m, rdtsc_m;   /* in UNITS */
	uint64_t copy_bpc;                 /* rep movs/stos: bytes per cycle */
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
#endif
