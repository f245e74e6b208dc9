/*
 * trial.c - several boots in one QEMU process: "trials=<K>" on the
 * command line makes this boot one of K trials, each a whole boot of the
 * kernel, separated by machine resets (issue 16: the fault campaign pays
 * a QEMU start, about 0.09 s of host CPU, once per K boots instead of once
 * per boot; a reset costs a few milliseconds). Linked into both kernels.
 *
 * Trial i (0, 1, ..., K-1) is the boot the same command line would make
 * with the fault seed raised by i ("fault=fs:any:7" becomes fs:any:7+i),
 * so its outcome is the single boot's. Nothing carries over: the loader
 * reloads the kernel image on every reset, every page the kernel hands
 * out is zeroed (pmm.c), and the timer starts counting when timer_init()
 * programs it. The trial number lives in two bytes of the RTC's CMOS RAM,
 * which a reset keeps and which only port I/O reaches (a wild write
 * cannot change it). At a trial's end, qemu_exit() prints the end line
 * and resets the machine, or leaves QEMU after the last trial. A trial
 * that hangs is ended the same way by the watchdog (watchdog.c); one that
 * the watchdog cannot end is stopped by the budget plugin
 * (bench/budget/budget.c), which ends the process, and the harness
 * (scripts/faults.py) starts the remaining seeds in a new one.
 */
#include "defs.h"
#include "protocol.h"
#include "x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define TRIAL_CMOS 0x7C   /* and 0x7D: NVRAM QEMU's pc machine and the BIOSes leave alone */
#define PIIX_RESET 0xCF9  /* reset control register: 0x06 = full reset */

static int trial_mode, trial_last;
static int trial_index, trial_count;

static unsigned cmos_read(unsigned reg)
{
	outb(CMOS_INDEX, (uint8_t)reg);
	return inb(CMOS_DATA);
}

static void cmos_write(unsigned reg, unsigned v)
{
	outb(CMOS_INDEX, (uint8_t)reg);
	outb(CMOS_DATA, (uint8_t)v);
}

/* Called with the command line before anything reads it: in trial mode,
 * take the next trial's number and give the fault spec its seed. */
void trial_begin(char *cmdline, size_t cap)
{
	char v[48];
	if (fmt_getarg(cmdline, "trials", v, sizeof v) < 0)
		return;
	uint64_t k = fmt_parse_u64(v, 0);
	if (k < 1 || k > 60000)
		panic("trials=%s: give 1 to 60000 trials", v);
	unsigned i = cmos_read(TRIAL_CMOS) | cmos_read(TRIAL_CMOS + 1) << 8;
	trial_mode = 1, trial_count = (int)k, trial_index = (int)i;
	if (i >= k) {   /* the last trial reset the machine (a triple fault) */
		kprintf(MKB_PREFIX "{\"type\":\"trials_done\",\"trials\":%d}\n", trial_count);
		trial_mode = 0;
		qemu_exit(MKB_EXIT_SUCCESS);
	}
	cmos_write(TRIAL_CMOS, (i + 1) & 0xFF);
	cmos_write(TRIAL_CMOS + 1, (i + 1) >> 8);
	trial_last = i + 1 == k;
	int n = fmt_getarg(cmdline, "fault", v, sizeof v);
	if (n < 0 || n >= (int)sizeof v)
		v[0] = '\0';
	else {
		char *seed = 0;
		for (char *p = v; *p; p++)
			if (*p == ':')
				seed = p + 1;
		if (!seed)
			panic("trials need fault=<service>:<class>:<seed>, not fault=%s", v);
		uint64_t s = fmt_parse_u64(seed, 0) + i;
		fmt_snprintf(seed, sizeof v - (size_t)(seed - v), "%lu", s);
		if (fmt_setarg(cmdline, cap, "fault", v) < 0)
			panic("the command line is too long for fault=%s", v);
	}
	kprintf(MKB_PREFIX "{\"type\":\"trial\",\"index\":%d,\"trials\":%d,\"fault\":\"%s\"}\n",
		trial_index, trial_count, v);
}

/* qemu_exit()'s first step: in trial mode, say how the trial ended and,
 * unless it was the last, reset the machine for the next. */
void trial_end(int code)
{
	if (!trial_mode)
		return;
	trial_mode = 0;   /* once, even if printing faults */
	kprintf(MKB_PREFIX "{\"type\":\"trial_end\",\"index\":%d,\"exit\":%d}\n", trial_index, code);
	if (trial_last)
		return;
	outb(PIIX_RESET, 0x02);
	outb(PIIX_RESET, 0x06);
	for (;;)
		__asm__ volatile("cli; hlt");
}
