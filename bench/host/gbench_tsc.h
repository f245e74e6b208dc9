/*
 * gbench_tsc.h - what the Linux guest's init (guest_init.c) tells the
 * guest implementation of gbench.h (gbench_tsc.c) before gb_run.
 */
#ifndef MKB_GBENCH_TSC_H
#define MKB_GBENCH_TSC_H
#include <stdint.h>

struct gbt_config {
	unsigned iters, warmup;    /* samples and dropped iterations per run (scaled by size) */
	const char *prefix;        /* run benchmarks whose name starts so ("pingpong/") */
	const int64_t *sizes;      /* run only these arguments (nsizes 0: all) */
	unsigned nsizes;
	const char *mode;          /* the rows' "mode" */
	const char *extra_json;    /* appended to every result object: ",\"k\":v..." */
};
void gbt_configure(const struct gbt_config *c);
#endif
