/* profile.c - reading a cycle-model profile (bench/model/profiles/<name>.cfg:
 * "key value  # source" lines) into struct params for mkbmodel.c. Part
 * of the plugin build/model/mkbmodel.so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "qemu_plugin_api.h"

struct params P;

/* ---- the profile: "key value  # source" lines ---- */
static const struct { const char *key; uint64_t *m; unsigned *u; } keys[] = {
	{ "base_cycles", &P.base_m, 0 }, { "syscall_cycles", &P.syscall_m, 0 },
	{ "sysret_cycles", &P.sysret_m, 0 }, { "iret_cycles", &P.iret_m, 0 },
	{ "exception_cycles", &P.exception_m, 0 },
	{ "cr3_write_cycles", &P.cr3_m, 0 }, { "wrmsr_cycles", &P.wrmsr_m, 0 },
	{ "rdtsc_cycles", &P.rdtsc_m, 0 }, { "l1d_latency", &P.l1d_lat_m, 0 }, { "l2_latency", &P.l2_lat_m, 0 },
	{ "memory_latency", &P.mem_lat_m, 0 }, { "stlb_latency", &P.stlb_lat_m, 0 },
	{ "copy_bytes_per_cycle", 0, 0 }, { "rep_startup_cycles", &P.rep_start_m, 0 },
	{ "fill_buffers", 0, &P.fill_buffers },
	{ "l1i_kib", 0, &P.l1i_kib }, { "l1i_ways", 0, &P.l1i_ways }, { "l1d_kib", 0, &P.l1d_kib },
	{ "l1d_ways", 0, &P.l1d_ways }, { "l2_kib", 0, &P.l2_kib }, { "l2_ways", 0, &P.l2_ways },
	{ "itlb_entries", 0, &P.itlb }, { "itlb_ways", 0, &P.itlb_ways },
	{ "itlb_2m_entries", 0, &P.itlb2m }, { "itlb_2m_ways", 0, &P.itlb2m_ways },
	{ "dtlb_entries", 0, &P.dtlb }, { "dtlb_ways", 0, &P.dtlb_ways },
	{ "dtlb_2m_entries", 0, &P.dtlb2m }, { "dtlb_2m_ways", 0, &P.dtlb2m_ways },
	{ "stlb_entries", 0, &P.stlb }, { "stlb_ways", 0, &P.stlb_ways },
};
#define NKEYS (sizeof keys / sizeof keys[0])

int model_fail(const char *why, const char *what)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "mkbmodel: %s%s%.512s\n", why, what ? ": " : "", what ? what : "");
	qemu_plugin_outs(buf);
	fputs(buf, stderr);
	return -1;
}

int load_profile(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return model_fail("cannot open the profile", path);
	char line[512];
	int seen[NKEYS] = { 0 };
	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), key[64], val[192];
		if (hash)
			*hash = 0;
		if (sscanf(line, "%63s %191[^\n]", key, val) != 2)
			continue;
		for (char *e = val + strlen(val); e > val && (e[-1] == ' ' || e[-1] == '\t'); )
			*--e = 0;
		if (!strcmp(key, "name")) {
			snprintf(P.name, sizeof P.name, "%s", val);
			continue;
		}
		if (!strcmp(key, "mcpu"))
			continue;   /* LLVM's name for the core: the harness's (scripts/mkb/mca.py) */
		if (!strcmp(key, "cpu")) {
			snprintf(P.cpu, sizeof P.cpu, "%s", val);
			continue;
		}
		size_t k = 0;
		while (k < NKEYS && strcmp(keys[k].key, key))
			k++;
		char *end;
		double v = strtod(val, &end), lo = v, hi = v;
		while (*end == ' ' || *end == '\t')
			end++;
		int n = -1;
		if (*end == '[' && (sscanf(end, "[%lf-%lf]%n", &lo, &hi, &n) != 2 || n < 0 || end[n]))
			n = -2;   /* a range, [low-high] (scripts/mkb/bands.py reads it) */
		if (k == NKEYS || end == val || v < 0 || n == -2 || (n < 0 && *end) || lo > v || v > hi) {
			fclose(f);
			return model_fail("unknown key, bad value or bad range ([low-high] holding the value) "
					  "in the profile", line);
		}
		seen[k] = 1;
		if (!strcmp(key, "copy_bytes_per_cycle"))
			P.copy_bpc = (uint64_t)llround(v);
		else if (keys[k].m)
			*keys[k].m = (uint64_t)llround(v * UNITS);
		else
			*keys[k].u = (unsigned)llround(v);
	}
	fclose(f);
	for (size_t k = 0; k < NKEYS; k++)
		if (!seen[k])
			return model_fail("the profile lacks", keys[k].key);
	if (!P.name[0] || !P.copy_bpc || !P.fill_buffers)
		return model_fail("the profile needs a name, copy_bytes_per_cycle > 0 and fill_buffers > 0", path);
	return 0;
}

