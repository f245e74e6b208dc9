/*
 * watchdog.c - "watchdog=<N>" on the command line: a boot that has run N
 * guest instructions since the kernel started has hung; the kernel says
 * so and ends the boot (in trial mode: resets the machine for the next
 * trial, trial.c). Linked into both kernels; only the fault campaign
 * (scripts/faults.py) asks for it.
 *
 * Why in the guest: the budget plugin (bench/budget/budget.c) can stop
 * QEMU but cannot reset the machine, so a hung trial used to end its
 * whole QEMU process, and the campaign paid a new QEMU start for the
 * seeds after it (issue 16: two mono boots in five hang). A hang often
 * spins with interrupts off, so the check runs from a non-maskable
 * interrupt: timer 0 of the HPET (QEMU's pc machine has one at
 * 0xFED00000; IA-PC HPET Specification 1.0a, section 2.3) runs periodic
 * and raises an I/O APIC pin whose redirection entry delivers an NMI
 * (82093AA I/O APIC datasheet, section 3.2.4). The HPET counts virtual
 * time, and under -icount shift=0 a nanosecond of it is one instruction,
 * as rdtsc is: the verdict falls at the same instruction on every host.
 * The NMI runs on its own stack (IST 1, gdt.c), so it is safe anywhere,
 * even between syscall and the switch to the kernel stack. QEMU's pc
 * machine lets timer 0 raise only pin 2, where the PIT's IRQ 0 arrives
 * too, so the check also runs at every timer tick (100 Hz): harmless.
 *
 * The check comes every WATCHDOG_CHECKS-th of the budget (at least every
 * WATCHDOG_MIN_PERIOD instructions), so a trial is judged hung at most that
 * much past its budget; the NMI costs the trial a few dozen instructions
 * each time. The plugin's budget stays as the backstop for a watchdog that
 * cannot fire (a fault that wrecked the NMI path).
 */
#include "defs.h"
#include "memlayout.h"
#include "protocol.h"
#include "x86.h"

#define IOAPIC_BASE 0xFEC00000UL
#define IOAPIC_WIN 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define IOAPIC_DM_NMI (4u << 8)

#define HPET_BASE 0xFED00000UL
#define HPET_CAP 0x000           /* bits 63:32: counter period in femtoseconds */
#define HPET_CONF 0x010          /* bit 0: enable; bit 1: legacy routing */
#define HPET_COUNTER 0x0F0
#define HPET_T0_CONF 0x100       /* bits 63:32: the I/O APIC pins it may raise */
#define HPET_T0_CMP 0x108
#define HPET_T1_CONF 0x120
#define HPET_T1_CMP 0x128
#define HPET_TN_INT_ENB (1u << 2)
#define HPET_TN_PERIODIC (1u << 3)
#define HPET_TN_PER_CAP (1u << 4)
#define HPET_TN_VAL_SET (1u << 6)
#define HPET_TN_32BIT (1u << 8)
#define HPET_TN_ROUTE_SHIFT 9

#define WATCHDOG_CHECKS 32
#define WATCHDOG_MIN_PERIOD 10000ULL
#define FS_PER_NS 1000000ULL

extern uint64_t boot_pdpt[512];
static uint64_t mmio_pd[512] __attribute__((aligned(4096)));

static uint64_t deadline;   /* rdtsc past which the boot has hung; 0: no watchdog */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)a; }
static void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

static void watchdog_start(const char *v, uint32_t period_fs);

static void ioapic_write(unsigned reg, uint32_t v)
{
	wr32(IOAPIC_BASE, reg);
	wr32(IOAPIC_BASE + IOAPIC_WIN, v);
}

/* "quantum=<N>" (an SMP kernel under -icount; scripts/faults.py asks for
 * it in the isolation workload): timer 1 of the HPET runs periodic every
 * N instructions of virtual time with its interrupt disabled. The guest
 * never sees it; QEMU does: under -icount its round-robin loop runs each
 * vCPU until the next deadline of any virtual-clock timer, or until the
 * vCPU halts or pauses (accel/tcg/tcg-accel-ops-rr.c, tcg_get_icount_limit;
 * 7.2 gives the whole budget to the vCPU that runs first), so with no
 * such timer near, one CPU's turn ran millions of instructions while an
 * interrupt waited on another: a critical task's tick was taken a whole
 * period late (README: Several CPUs). A quantum ends every turn within N
 * instructions. The timer fires without an interrupt (QEMU's hpet.c
 * arms a comparator whatever its interrupt bit). Called after the
 * watchdog's set-up, which restarts the counter. */
static void quantum_init(const char *cmdline, uint32_t period_fs)
{
	char v[24];
	if (fmt_getarg(cmdline, "quantum", v, sizeof v) < 0)
		return;
	uint64_t n = fmt_parse_u64(v, 0), ticks = n * FS_PER_NS / period_fs;
	if (!ticks || ticks > 0x7FFFFFFFu)
		panic("quantum=%s: give a number of guest instructions, from 1 to %lu", v,
		      (unsigned long)(0x7FFFFFFFull * period_fs / FS_PER_NS));
	if (!(rd32(HPET_BASE + HPET_T1_CONF) & HPET_TN_PER_CAP))
		panic("quantum: the HPET's timer 1 cannot run periodic");
	uint32_t conf = rd32(HPET_BASE + HPET_CONF);
	wr32(HPET_BASE + HPET_CONF, conf & ~1u);   /* stopped while it is set */
	/* 32-bit mode: the comparator's high half (all ones after reset) goes */
	wr32(HPET_BASE + HPET_T1_CONF, HPET_TN_PERIODIC | HPET_TN_VAL_SET | HPET_TN_32BIT);
	wr32(HPET_BASE + HPET_T1_CMP, (uint32_t)ticks);
	wr32(HPET_BASE + HPET_CONF, (conf & ~2u) | 1u);
	kprintf("mkb: quantum: the emulator's turns end every %lu instructions (HPET timer 1, "
		"no interrupt)\n", (unsigned long)n);
}

/* Called once, before the first process, while the boot page tables are
 * loaded: the 2 MiB page holding the I/O APIC and the HPET is mapped for
 * the set-up only (the NMI handler needs neither). */
void watchdog_init(const char *cmdline)
{
	char v[24];
	int dog = fmt_getarg(cmdline, "watchdog", v, sizeof v) >= 0, quantum = 0;
#ifdef MKB_SMP
	char q[24];
	quantum = fmt_getarg(cmdline, "quantum", q, sizeof q) >= 0;
#endif
	if (!dog && !quantum)
		return;
	boot_pdpt[IOAPIC_BASE >> 30] = (uint64_t)mmio_pd | PTE_P | PTE_W;
	mmio_pd[(IOAPIC_BASE >> 21) & 511] = (IOAPIC_BASE & ~0x1FFFFFUL) | PTE_P | PTE_W | PTE_PS |
					     PTE_PCD | PTE_PWT;
	lcr3(rcr3());
	uint32_t period_fs = rd32(HPET_BASE + HPET_CAP + 4);
	if (dog)
		watchdog_start(v, period_fs);
	if (quantum)
		quantum_init(cmdline, period_fs);
	boot_pdpt[IOAPIC_BASE >> 30] = 0;
	lcr3(rcr3());
}

static void watchdog_start(const char *v, uint32_t period_fs)
{
	uint64_t budget = fmt_parse_u64(v, 0);
	if (!budget)
		panic("watchdog=%s: give a budget of guest instructions, at least 1", v);
	uint32_t t0 = rd32(HPET_BASE + HPET_T0_CONF), pins = rd32(HPET_BASE + HPET_T0_CONF + 4);
	if (!period_fs || period_fs > 100000000u || !(t0 & HPET_TN_PER_CAP) || !(pins & ~1u))
		panic("watchdog: no HPET with a periodic timer 0 (period %u fs, conf %x, pins %x)",
		      period_fs, t0, pins);
	unsigned pin = 31;
	while (!(pins & (1u << pin)))   /* the highest pin it may raise: past the ISA ones */
		pin--;
	uint64_t every = budget / WATCHDOG_CHECKS;
	if (every < WATCHDOG_MIN_PERIOD)
		every = WATCHDOG_MIN_PERIOD;
	uint64_t ticks = every * FS_PER_NS / period_fs;
	if (ticks > 0xFFFFFFFFu)
		ticks = 0xFFFFFFFFu;
	wr32(HPET_BASE + HPET_CONF, 0);   /* stopped, no legacy routing: the PIT keeps IRQ 0 */
	wr32(HPET_BASE + HPET_COUNTER, 0);
	wr32(HPET_BASE + HPET_COUNTER + 4, 0);
	ioapic_write(IOAPIC_REDIR(pin) + 1, 0);                 /* destination: APIC 0 */
	ioapic_write(IOAPIC_REDIR(pin), IOAPIC_DM_NMI | 2);    /* NMI, edge, active high, unmasked */
	wr32(HPET_BASE + HPET_T0_CONF, pin << HPET_TN_ROUTE_SHIFT | HPET_TN_INT_ENB |
		     HPET_TN_PERIODIC | HPET_TN_VAL_SET);          /* edge-triggered */
	wr32(HPET_BASE + HPET_T0_CMP, (uint32_t)ticks);        /* first expiry and period */
	wr32(HPET_BASE + HPET_CONF, 1);
	deadline = rdtsc() + budget;
	kprintf("mkb: watchdog: %lu instructions, checked every %lu (HPET timer 0, I/O APIC pin %u, NMI)\n",
		budget, every, pin);
}

/* The NMI: past the deadline, the boot has hung. Nothing here takes a
 * lock or touches memory a hang could be holding; the console line
 * starts on a line of its own whatever was being printed. */
void watchdog_nmi(void)
{
	if (!deadline || rdtsc() < deadline)
		return;
	deadline = 0;
	console_raw = 1;   /* the boot ends here: print whatever lock is held, whatever GS holds */
	kprintf("\n" MKB_PREFIX "{\"type\":\"watchdog\",\"verdict\":\"hang\"}\n");
	qemu_exit(MKB_EXIT_HANG);
}
