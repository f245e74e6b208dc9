/*
 * profile.c - a QEMU TCG plugin that says where a guest's measured
 * instructions go: for each benchmark run, the instructions per sample in
 * kernel code by the translation block they ran in, and the total in user
 * code. Loaded beside -icount on the Linux guest's boots (MODES=linux-guest,
 * scripts/mkb/linuxguest.py) with
 *   -plugin build/profile/mkbprof.so,out=<file>
 * so that the report can say what Linux does on a path (its functions, from
 * the kernel's System.map) where for our kernels it has their counters.
 *
 * The window of a run is the guest's own (bench/bench.h markers, which
 * bench/host/gbench_tsc.c executes): it opens at the first sample mark of a
 * run and closes at the run's end mark, which follows the last sample's
 * mark; so it spans samples - 1 whole iterations of the timed loop (each
 * with the loop's own few instructions), and the figures are per iteration.
 * Every run has exactly one end mark, a run that failed before its loop
 * too (its line then has no samples), and the calibration loop that comes
 * first makes a run of its own: line 1 is the calibration, line k + 1 the
 * guest's k-th result line.
 *
 * Counting: one inline add per block entered (no call), the block's
 * execution count; instructions = entries x the block's instructions (a
 * block left early by an exception counts whole, as in the budget plugin).
 * At a window's start every block's count is remembered; at its end each
 * block's difference is its share, less what ran between a pause mark and
 * the next resume mark (untimed work inside a sample, gb_pause/gb_resume).
 * Kernel code: addresses with bit 63 set.
 *
 * Output, one JSON line per run:
 *   {"samples": S, "insns": N, "kernel": K,
 *    "blocks": [[vaddr, instructions], ...]}   (kernel blocks, summed by vaddr)
 * all over the whole window (the reader divides by samples - 1). Single vCPU.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = MKB_PLUGIN_API_VERSION;

struct block {
	uint64_t vaddr, entries, at_start, at_pause, paused;
	unsigned ninsns;
};

static struct block **blocks;   /* every block translated, in order */
static size_t nblocks, capblocks;
static FILE *out;
static int in_window;
static uint64_t samples;

/* bench/bench.h: nopl 0x4b4d000<code>(%rax) = 0f 1f 80 <code> 00 4d 4b */
static int marker(const uint8_t *b, size_t n)
{
	if (n == 7 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x80 && b[4] == 0 && b[5] == 0x4d &&
	    b[6] == 0x4b)
		return b[3];
	return 0;
}

static int by_vaddr(const void *a, const void *b)
{
	uint64_t x = (*(struct block *const *)a)->vaddr, y = (*(struct block *const *)b)->vaddr;
	return x < y ? -1 : x > y;
}

static void at_sample(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	if (!in_window) {
		for (size_t i = 0; i < nblocks; i++)
			blocks[i]->at_start = blocks[i]->at_pause = blocks[i]->entries, blocks[i]->paused = 0;
		in_window = 1, samples = 0;
	}
	samples++;
}

/* Untimed work inside a sample (gb_pause .. gb_resume): left out. */
static void at_pause(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	if (in_window)
		for (size_t i = 0; i < nblocks; i++)
			blocks[i]->at_pause = blocks[i]->entries;
}

static void at_resume(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	if (in_window)
		for (size_t i = 0; i < nblocks; i++)
			blocks[i]->paused += blocks[i]->entries - blocks[i]->at_pause;
}

static uint64_t counted(const struct block *b)
{
	return (b->entries - b->at_start - b->paused) * b->ninsns;
}

static void at_end(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	if (!in_window) {   /* a run without samples (it failed first): a line all the same */
		fputs("{\"samples\": 0, \"insns\": 0, \"kernel\": 0, \"blocks\": []}\n", out);
		fflush(out);
		return;
	}
	in_window = 0;
	static struct block **kern;
	static size_t capk;
	size_t nk = 0;
	uint64_t all = 0, kernel = 0;
	for (size_t i = 0; i < nblocks; i++) {
		struct block *b = blocks[i];
		uint64_t n = counted(b);
		if (!n)
			continue;
		all += n;
		if (b->vaddr >> 63) {
			kernel += n;
			if (nk == capk) {
				capk = capk ? 2 * capk : 1024;
				kern = realloc(kern, capk * sizeof *kern);
				if (!kern)
					abort();
			}
			kern[nk++] = b;
		}
	}
	qsort(kern, nk, sizeof *kern, by_vaddr);
	fprintf(out, "{\"samples\": %" PRIu64 ", \"insns\": %" PRIu64 ", \"kernel\": %" PRIu64
		", \"blocks\": [", samples, all, kernel);
	for (size_t i = 0; i < nk;) {
		uint64_t v = kern[i]->vaddr, n = 0;
		for (; i < nk && kern[i]->vaddr == v; i++)
			n += counted(kern[i]);
		fprintf(out, "[%" PRIu64 ", %" PRIu64 "]", v, n);
		if (i < nk)
			fputs(", ", out);
	}
	fputs("]}\n", out);
	fflush(out);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	struct block *b = calloc(1, sizeof *b);
	if (!b || (nblocks == capblocks &&
		   !(blocks = realloc(blocks, (capblocks = capblocks ? 2 * capblocks : 4096) * sizeof *blocks))))
		abort();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->ninsns = (unsigned)qemu_plugin_tb_n_insns(tb);
	blocks[nblocks++] = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->entries, 1);
	for (size_t i = 0; i < b->ninsns; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int m = marker(qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn));
		if (m == 2)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, at_sample, QEMU_PLUGIN_CB_NO_REGS, 0);
		else if (m == 4)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, at_end, QEMU_PLUGIN_CB_NO_REGS, 0);
		else if (m == 5)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, at_pause, QEMU_PLUGIN_CB_NO_REGS, 0);
		else if (m == 6)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, at_resume, QEMU_PLUGIN_CB_NO_REGS, 0);
	}
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	(void)id, (void)userdata;
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	if (info->version.min > MKB_PLUGIN_API_VERSION || info->version.cur < MKB_PLUGIN_API_VERSION ||
	    !info->system_emulation || info->system.smp_vcpus != 1) {
		fprintf(stderr, "mkbprof: needs plugin API version 1, system emulation, one vCPU\n");
		return -1;
	}
	const char *path = 0;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path || argc != 1 || !(out = fopen(path, "w"))) {
		fprintf(stderr, "mkbprof: needs out=<file>, writable\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, 0);
	return 0;
}
