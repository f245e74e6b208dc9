/*
 * budget.c - a QEMU TCG plugin that bounds a guest boot by a budget of
 * guest instructions (virtual time) instead of wall time, so that "the
 * guest hung" is the same verdict on every host however busy (issue 16).
 * Loaded by scripts/mkb/qemu.py beside -icount with
 *   -plugin build/budget/mkbbudget.so,budget=<instructions>,out=<file>
 *
 * It counts the instructions of every translation block the vCPU enters
 * (one inline add per block, no call), and stops QEMU once the count has
 * passed the budget:
 *  - exactly, before any port write (out, outs): the guest's serial
 *    console, its isa-debug-exit and the timer's end-of-interrupt are all
 *    port writes, so a guest over budget never prints another byte and
 *    never reports an end; its log holds exactly what it printed within
 *    the budget, on every host;
 *  - otherwise from a thread that looks at the count every millisecond,
 *    for a guest spinning with interrupts off, which writes no port.
 *    Such a guest would never write a port again, so the verdict is the
 *    same; only how far past the budget QEMU stops depends on the host.
 * The count is per block entered: an exception in mid-block counts the
 * block's tail, identically in every run.
 *
 * Trials: a guest may run several trials in one QEMU process, resetting
 * the machine between them (kernels/core/trial.c, which the fault
 * campaign uses to save a QEMU start per boot). The budget is then per
 * trial: a trial begins each time the vCPU enters the reset vector
 * (linear address 0xFFFFFFF0, where the first boot begins too), and each
 * trial's count starts from there. The fault campaign's kernels end a hung
 * trial themselves (kernels/core/watchdog.c) and reset for the next; the
 * plugin, given a larger budget there, is the backstop.
 *
 * On every end it writes one JSON line to out=<file>:
 *   {"executed": N, "trials": [N1, N2, ...], "budget": B,
 *    "exceeded": true|false, "how": "..."}
 * executed: every instruction of the process; trials: each trial's count
 * (one entry for a guest that never resets), the last one the trial that
 * was running at the end; exceeded: the last trial passed the budget.
 * how: "port write" or "watch" (stopped over budget), "exit" (QEMU ended
 * by itself, for instance the guest's isa-debug-exit). Stopped over
 * budget, QEMU exits with status 124. Single vCPU.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = MKB_PLUGIN_API_VERSION;

#define BUDGET_EXIT 124     /* as timeout(1) */

#define RESET_VECTOR 0xFFFFFFF0u
#define MAX_TRIALS 4096

static uint64_t executed;   /* instructions of the blocks entered */
static uint64_t trial_start;   /* executed when the running trial began */
static uint64_t trials[MAX_TRIALS];   /* the finished trials' counts */
static unsigned ntrials;   /* finished trials; one more is running */
static uint64_t budget;
static char *outpath;
static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;
static int ended;

/* Write the verdict once (from whichever thread ends first). */
static void report(const char *how)
{
	pthread_mutex_lock(&end_lock);
	if (!ended) {
		ended = 1;
		uint64_t n = __atomic_load_n(&executed, __ATOMIC_RELAXED);
		uint64_t last = n - __atomic_load_n(&trial_start, __ATOMIC_RELAXED);
		FILE *f = fopen(outpath, "w");
		if (f) {
			fprintf(f, "{\"executed\": %" PRIu64 ", \"trials\": [", n);
			for (unsigned i = 0; i < ntrials; i++)
				fprintf(f, "%" PRIu64 ", ", trials[i]);
			fprintf(f, "%" PRIu64 "], \"budget\": %" PRIu64 ", \"exceeded\": %s, "
				"\"how\": \"%s\"}\n", last, budget, last > budget ? "true" : "false",
				how);
			fclose(f);
		}
	}
	pthread_mutex_unlock(&end_lock);
}

static void stop(const char *how)
{
	report(how);
	_exit(BUDGET_EXIT);
}

static int over_budget(void)
{
	return __atomic_load_n(&executed, __ATOMIC_RELAXED) -
	       __atomic_load_n(&trial_start, __ATOMIC_RELAXED) > budget;
}

static void before_port_write(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	if (over_budget())
		stop("port write");
}

/* The vCPU entered the reset vector: a new trial begins (the first at
 * power-on, whose empty predecessor is not counted). Whether the reset
 * block's own instruction is counted before or after this callback is
 * QEMU's order, the same in every run. */
static void at_reset(unsigned int vcpu, void *userdata)
{
	(void)vcpu, (void)userdata;
	uint64_t now = executed;
	if (now > trial_start || ntrials) {
		if (ntrials == MAX_TRIALS) {
			fprintf(stderr, "mkbbudget: more than %d trials in one process\n", MAX_TRIALS);
			stop("too many trials");
		}
		trials[ntrials++] = now - trial_start;
	}
	__atomic_store_n(&trial_start, now, __ATOMIC_RELAXED);
}

static void *watch(void *arg)
{
	(void)arg;
	struct timespec ms = {0, 1000000};
	for (;;) {
		nanosleep(&ms, 0);
		if (over_budget())
			stop("watch");
	}
	return 0;
}

/* Is this an out or outs instruction? Legacy and REX prefixes skipped. */
static int is_port_write(const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xF2 || b[i] == 0xF3 ||
			 b[i] == 0x2E || b[i] == 0x36 || b[i] == 0x3E || b[i] == 0x26 ||
			 b[i] == 0x64 || b[i] == 0x65 || (b[i] & 0xF0) == 0x40))
		i++;
	return i < n && (b[i] == 0xE6 || b[i] == 0xE7 || b[i] == 0xEE || b[i] == 0xEF ||
			 b[i] == 0x6E || b[i] == 0x6F);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	if (qemu_plugin_tb_vaddr(tb) == RESET_VECTOR)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, at_reset, QEMU_PLUGIN_CB_NO_REGS, 0);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (is_port_write(qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, before_port_write,
							       QEMU_PLUGIN_CB_NO_REGS, 0);
	}
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	(void)id, (void)userdata;
	report("exit");
}

static int fail(const char *why, const char *what)
{
	fprintf(stderr, "mkbbudget: %s%s%s\n", why, what ? ": " : "", what ? what : "");
	return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	if (info->version.min > MKB_PLUGIN_API_VERSION || info->version.cur < MKB_PLUGIN_API_VERSION)
		return fail("this QEMU does not offer plugin API version 1", 0);
	if (!info->system_emulation)
		return fail("system emulation only", 0);
	const char *limit = 0;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "budget=", 7))
			limit = argv[i] + 7;
		else if (!strncmp(argv[i], "out=", 4))
			outpath = argv[i] + 4;
		else
			return fail("unknown argument (use budget=<instructions>,out=<file>)", argv[i]);
	}
	char *end = 0;
	if (limit)
		budget = strtoull(limit, &end, 10);
	if (!limit || !*limit || *end || !budget || !outpath)
		return fail("needs budget=<instructions, at least 1> and out=<file>", limit);
	FILE *f = fopen(outpath, "w");   /* writable now, not only at the end */
	if (!f)
		return fail("cannot write", outpath);
	fclose(f);
	pthread_t t;
	if (pthread_create(&t, 0, watch, 0) || pthread_detach(t))
		return fail("cannot start the watch thread", 0);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, 0);
	return 0;
}
