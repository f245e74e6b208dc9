/*
 * mkbmodel.c - a QEMU TCG plugin that prices what the guest executes in
 * modeled cycles, beside icount's exact instruction counts (issue 11).
 * Loaded by scripts/mkb/model.py with
 *   -plugin build/model/mkbmodel.so,profile=<file>,out=<file>
 *           [,blocks=<file>,missing=<file>][,ram=<n>M]
 * It models one CPU from a profile (bench/model/profiles/<name>.cfg, every
 * value with its source): a cost per instruction class (base; syscall,
 * sysret and iretq; mov to CR3; wrmsr; rdtsc; each rep movs/stos
 * iteration by its bytes at a modeled copy bandwidth) and the memory
 * system of memsys.c (caches, TLBs, walks of the guest's own page
 * tables). This file cuts translation blocks into segments, prices them,
 * and applies the effects that end them (a timing point, stats.c; a CR3
 * write, an invlpg, the kernel's announcement of where it keeps what the
 * model cannot see in instruction bytes, x86.h: model_shadow); data
 * accesses come from QEMU's memory callbacks.
 *
 * The base cost of the ordinary instructions (all but the classes the
 * profile prices) comes, with blocks=<file>, from LLVM's scheduling
 * model of the profile's core: llvm-mca's cycles per iteration of each
 * straight-line segment, computed by the harness (scripts/mkb/mca.py)
 * and cached by a hash of the segment's bytes (blocks.c). A segment not
 * in the file is priced at the profile's base_cycles per instruction
 * and written to missing=<file>; the harness prices those and boots
 * again. Without blocks=, base_cycles prices every ordinary instruction.
 * ram= is the guest's RAM (QEMU's -m; 128M unless told): page walks read
 * nothing past it.
 *
 * Everything is integer arithmetic on the instruction stream and guest
 * physical addresses, so a run repeats exactly. Single vCPU (the guest
 * is uniprocessor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = MKB_PLUGIN_API_VERSION;


/* The block-cost file's segments (blocks=) and where the ones it lacks
 * go (missing=). */
static int use_blocks;
static FILE *missing;

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
		*mark = disp;   /* x86.h: model_announce, where model_shadow is */
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
	uint64_t rep_first;          /* it starts with the rep movs/stos at this address, or 0 */
	int delivery;                /* a block entered through the IDT starts with it */
	int kernel;                  /* its code is the kernel's (below KERNEL_TOP) */
	uint64_t syscall_m;          /* the syscall that ends it: its entry cost, the kernel's */
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
				fetch_line(s->lines[i]);
			}
		if (ichanges == before)
			s->seen = ichanges;
	}
	last_seg = s;
	for (unsigned i = 0; i < s->ncost; i++)
		now[s->cidx[i]] += s->cval[i];
}

/* A rep movs/stos runs one iteration per execution of its instruction
 * (QEMU ends a translation block after it and loops back to a block
 * that is the instruction alone). rep_pc: the instruction whose run is
 * going on (0: none); rep_misses: its L1D misses so far (stream_line). */
static uint64_t rep_pc;
static unsigned rep_misses;

/* An iteration of the rep instruction at pc: the first of a run pays the
 * start-up (microcode picks the copy's method from its size and
 * alignment; Intel Optimization Reference Manual, "Enhancement for REP
 * string"). */
static void rep_iteration(uint64_t pc)
{
	if (pc != rep_pc) {
		rep_pc = pc, rep_misses = 0;
		now[C_REP_RUNS]++;
		charge(C_COPY, P.rep_start_m);
	}
}

/* Where a sample's time goes (issue 21's shares): from one segment to
 * the next the costs charged belong to the kernel (its code, identity-
 * mapped below KERNEL_TOP), to a server (user code in an address space
 * the kernel lists in its shadow: memsys_server()) or to the application
 * (any other user code). Attributed when the owner changes and before
 * every timing point (share_flush), so each sample has its own. */
enum { OWN_APP, OWN_KERNEL, OWN_SERVER };
static int owner = OWN_KERNEL;
static uint64_t owner_cycles, owner_insns;   /* now[] when the owner last changed */

static void share_flush(void)
{
	uint64_t dc = now[C_CYCLES] - owner_cycles, di = now[C_INSNS] - owner_insns;
	if (owner == OWN_KERNEL)
		now[C_KERNEL_CYCLES] += dc, now[C_KERNEL_INSNS] += di;
	else if (owner == OWN_SERVER)
		now[C_SERVER_CYCLES] += dc, now[C_SERVER_INSNS] += di;
	owner_cycles = now[C_CYCLES], owner_insns = now[C_INSNS];
}

static void share_to(int who)
{
	if (who != owner) {
		share_flush();
		owner = who;
	}
}

/* A segment that starts with a rep instruction sees each of its
 * iterations here (the loop-back block is the instruction alone); one
 * that does not ends any run. */
static void seg_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	struct segment *s = udata;
	share_to(s->kernel ? OWN_KERNEL : memsys_server() ? OWN_SERVER : OWN_APP);
	if (s->rep_first)
		rep_iteration(s->rep_first);
	else
		rep_pc = 0;   /* any run is over */
	if (s->delivery) {   /* entered through the IDT */
		now[C_EXCEPTIONS]++;
		charge(C_KENTRY, P.exception_m);
	}
	run_segment(s);
	if (s->syscall_m) {   /* it ends in a syscall: the entry is the kernel's */
		share_to(OWN_KERNEL);
		charge(C_KENTRY, s->syscall_m);
	}
}

/* A rep instruction inside a segment: its first iteration (the later
 * ones come back through a segment of their own, above). */
static void rep_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	rep_iteration((uintptr_t)udata);
}

/* What ends a segment, applied when its instruction is about to run:
 * a marker, a CR3 write (the new root read from the kernel's shadow,
 * written just before; the non-global TLB entries flushed, as without
 * PCID), an invlpg (its address read from the shadow likewise), the
 * announcement of where the shadow lives. */
enum { E_MARK, E_CR3 = 16, E_INVLPG, E_ANNOUNCE };

static void effect_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	uintptr_t e = (uintptr_t)udata;
	if (e == E_CR3 || e == E_INVLPG)
		forget_translations();
	if (e == E_CR3) {
		ichanges++;
		memsys_cr3();
	} else if (e == E_INVLPG) {
		ichanges++;
		memsys_invlpg();
	} else if (e > E_ANNOUNCE) {   /* E_ANNOUNCE + the shadow's address */
		memsys_announce(e - E_ANNOUNCE);
	} else if (e < E_CR3) {
		share_flush();
		marker((int)e);
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

static void __attribute__((noinline)) mem_lookup(qemu_plugin_meminfo_t info, uint64_t va, uint64_t line,
						 int stream);

/* A data access: the repeats of the last two lines return at once (no
 * registers to save); the rest is mem_lookup's. */
static void mem_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	(void)vcpu;
	uint64_t line = va / LINE;
	if (line == last_dline && last_walks == now[C_WALKS])   /* a walk may have moved it */
		return;
	if (pair_ok && line == prev_dline && pair_walks == now[C_WALKS]) {
		uint64_t l = last_dline, pg = last_dpage, pl = last_pline;   /* both stay where they are */
		last_dline = prev_dline, last_dpage = prev_dpage, last_pline = prev_pline;
		prev_dline = l, prev_dpage = pg, prev_pline = pl;
		return;
	}
	mem_lookup(info, va, line, udata != 0);
}

/* stream: the access is a rep movs/stos iteration's (udata 1). */
static void mem_lookup(qemu_plugin_meminfo_t info, uint64_t va, uint64_t line, int stream)
{
	uint64_t before_line = last_dline, before_pline = last_pline, before_page = last_dpage;
	uint64_t before_walks = last_walks;
	last_dline = line, last_pline = ~0ULL;   /* (until an access of memory is made) */
	pair_ok = 0;
	uint64_t page = va >> 12, slot = page % XLATE, pa;
	if (xlate_key[slot] == page + 1) {
		pa = xlate_pa[slot] | (va & 0xFFF);
	} else {
		struct qemu_plugin_hwaddr *hw = user_mode ? 0 : qemu_plugin_get_hwaddr(info, va);
		if (!user_mode && (!hw || qemu_plugin_hwaddr_is_io(hw)))
			return;
		pa = user_mode ? user_pa(va) : qemu_plugin_hwaddr_phys_addr(hw);
		xlate_key[slot] = page + 1, xlate_pa[slot] = pa & ~0xFFFULL;
	}
	if (page != last_dpage) {   /* else the DTLB's most recent entry */
		last_dpage = page;
		translate(&dtlb, &dtlb2m, va, C_DTLB_MISS);
	}
	if (stream)
		stream_line(pa, &rep_misses);
	else
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
	case K_SYSCALL:   /* entering the kernel is the kernel's time (seg_exec) */
		s->syscall_m += P.syscall_m, s->cost[C_SYSCALLS]++;
		return 0;
	case K_SYSRET: m = P.sysret_m, s->cost[C_SYSRETS]++; break;
	case K_IRET: m = P.iret_m, s->cost[C_IRETS]++; break;
	case K_WRMSR: m = P.wrmsr_m, s->cost[C_WRMSRS]++; break;
	case K_RDTSC: m = P.rdtsc_m, what = C_BASE, s->cost[C_RDTSCS]++; break;
	case K_CR3: m = P.cr3_m, what = C_CR3; s->cost[C_CR3_WRITES]++; break;
	case K_REP:   /* one iteration (each counts one instruction under icount too) */
		m = bytes_per_iter * UNITS / P.copy_bpc, what = C_COPY;
		s->cost[C_REP_ITERS]++;
		s->cost[C_REP_BYTES] += bytes_per_iter;
		break;
	default:
		s->nplain++;
		return 1;
	}
	s->cost[what] += m;
	s->cost[C_CYCLES] += m;
	return 0;
}

/* An ordinary instruction's bytes join its segment's hash (and hex);
 * price() has counted it. */
static void add_plain(struct segment *s, const uint8_t *b, size_t n)
{
	uint8_t len = (uint8_t)n;
	if (s->nplain == 1)
		s->hash = 0xcbf29ce484222325ULL;   /* FNV-1a's offset basis */
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
	uint64_t m, key = s->hash ? s->hash : 1;   /* (0 is the table's "empty") */
	if (!s->nplain)
		return;
	if (!(use_blocks && block_get(key, &m))) {
		m = s->nplain * P.base_m;
		s->cost[C_UNPRICED] += s->nplain;
		if (use_blocks && missing) {
			fprintf(missing, "%016llx %s\n", (unsigned long long)key, s->hex);
			block_put(key, m);   /* written once */
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
		if (i == 0 && !user_mode)
			s->delivery = is_vector_entry(va);
		if (!s->ninsns)
			s->kernel = !user_mode && va < KERNEL_TOP;
		if (user_mode) {
			host_base_known = 1, host_base = 0, ha = user_pa(va);   /* (memsys.c) */
		} else if (!host_base_known && va >= 0x100000 && va < KERNEL_TOP && ha) {
			/* the kernel (from 1 MiB; below it the firmware's ROMs) runs
			 * identity-mapped, so this pins guest RAM in host memory */
			host_base = ha - va;
			host_base_known = 1;
		}
		unsigned bpi = 1, mark = 0;
		enum cls k = classify(b, size, &bpi, &mark);
		if (k == K_REP && !s->ninsns)
			s->rep_first = va;   /* (a user address is never 0) */
		else if (k == K_REP)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, rep_exec, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)va);
		qemu_plugin_register_vcpu_mem_cb(insn, mem_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
						 (void *)(uintptr_t)(k == K_REP));
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
		if (k == K_CR3VAR && !(va >= 0x100000 && va < KERNEL_TOP))
			k = K_PLAIN;   /* only the kernel's announcement counts (user code is above) */
		if (k == K_MARK || k == K_CR3 || k == K_INVLPG || k == K_CR3VAR) {   /* its effect has a place */
			uintptr_t e = k == K_MARK ? mark : k == K_CR3 ? E_CR3 : k == K_INVLPG ? E_INVLPG
										   : E_ANNOUNCE + (uintptr_t)mark;
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
	stats_close();
	if (missing)
		fclose(missing);
	missing = 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	if (info->version.min > MKB_PLUGIN_API_VERSION || info->version.cur < MKB_PLUGIN_API_VERSION)
		return model_fail("this QEMU does not offer plugin API version 1", 0);
	user_mode = !info->system_emulation;   /* qemu-x86_64: make validate */
	const char *profile = 0, *outpath = 0, *blocks = 0, *missingpath = 0;
	char *end;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "profile=", 8))
			profile = argv[i] + 8;
		else if (!strncmp(argv[i], "out=", 4))
			outpath = argv[i] + 4;
		else if (!strncmp(argv[i], "blocks=", 7))
			blocks = argv[i] + 7;
		else if (!strncmp(argv[i], "missing=", 8))
			missingpath = argv[i] + 8;
		else if (!strncmp(argv[i], "ram=", 4) && (ram_bytes = strtoull(argv[i] + 4, &end, 10)) &&
			 (!strcmp(end, "M") || !strcmp(end, "G")))
			ram_bytes <<= *end == 'M' ? 20 : 30;   /* as QEMU's -m */
		else
			return model_fail("unknown argument (use profile=<file>,out=<file>"
					  "[,blocks=<file>,missing=<file>,ram=<n>M])", argv[i]);
	}
	if (!profile || !outpath)
		return model_fail("needs profile=<file> and out=<file>", 0);
	if (load_profile(profile) < 0)
		return -1;
	if (blocks && blocks_load(blocks) < 0)
		return -1;
	use_blocks = blocks != 0;
	if (missingpath && !(missing = fopen(missingpath, "w")))
		return model_fail("cannot write", missingpath);
	if (memsys_init(profile) < 0 || stats_open(outpath) < 0)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, 0);
	return 0;
}
