/*
 * smp.c - several CPUs, in the SMP kernel only (smp.h says why two
 * builds): finding them, starting them, the local APIC (timer and
 * IPIs), the big kernel lock and TLB shootdown. Linked into both kernels.
 *
 * Finding: the ACPI MADT (ACPI 6.5, 5.2.12), reached from the RSDP the
 * firmware leaves in the BIOS area (5.2.5.1); QEMU's qboot and SeaBIOS
 * both build it. Starting: INIT, then two start-up IPIs at the trampoline
 * (apboot.S; Intel SDM vol. 3A, 9.4.4.1). QEMU needs none of the real
 * delays between them; the BSP waits only for the AP to say it is up.
 *
 * Timer: each CPU's local APIC timer, periodic at 100 Hz on vector 32
 * (the uniprocessor kernel's PIT rate and vector), its rate measured
 * against the PIT's channel 2 (as Linux's pit_calibrate_tsc does). Under
 * -icount the APIC timer counts virtual time, so the count is the same
 * on every host. CPU 0's timer counts `ticks`.
 *
 * Big kernel lock: see smp.h. TLB shootdown: a CPU that changes or drops
 * a mapping of an address space another CPU has loaded asks that CPU to
 * reload its CR3 (an IPI on VEC_FLUSH) and waits until it has. The other
 * CPU is either in ring 3 or halted (interrupts on: it takes the IPI at
 * once, without the lock) or waiting for the lock with interrupts off:
 * the lock's spin loop answers the request itself.
 */
#include "defs.h"
#include "memlayout.h"
#include "proc.h"
#include "smp.h"
#include "x86.h"

#ifdef MKB_SMP
#define LAPIC_PA 0xFEE00000UL
#define LAPIC_VA 0x3FE00000UL   /* the identity map's last 2 MiB (pmm.c stops below) */
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_BUSY (1u << 12)
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define AP_TRAMPOLINE 0x8000UL
#define AP_STACK (4 * PGSIZE)
#define TIMER_HZ 100
#define PIT_HZ 1193182
#define CALIB_MS 10

struct cpu cpus[NCPU];
int ncpu = 1;
static uint8_t ap_stacks[NCPU][AP_STACK] __attribute__((aligned(4096)));
/* Locks are ticket locks, so CPUs take one in the order they asked
 * (seL4's big lock is a queue lock, for the same fairness). An unfair
 * test-and-set lock starves a CPU under QEMU's round-robin emulation: a
 * waiting CPU looks once per turn (each pause ends its turn), the CPU
 * that holds the lock runs a whole turn of millions of instructions, and
 * the lock is rarely free at the moment a turn ends.
 *
 * "pause": an unlock that sees another CPU waiting (a ticket taken past
 * the one it serves now) executes pause. Under QEMU's round-robin
 * emulation (TCG under -icount runs the vCPUs in turn on one thread) a
 * pause ends the vCPU's turn (target/i386 helper_pause), so the waiter
 * runs next, as it would on parallel hardware a few instructions after
 * the release; without it the waiter waited for the holder's whole turn,
 * up to the next timer deadline, millions of instructions: the "lock
 * holder preemption" of virtualised multiprocessors (Uhlig, Levasseur,
 * Skoglund, Dannowski, Uhlig: "Towards Scalable Multiprocessor Virtual
 * Machines", VM 2004), here of the emulator's making. Linux's
 * paravirtual spinlocks answer it the same way: the unlocker of a
 * contended lock kicks its waiter (pv_kick). On hardware it costs a
 * pause only when a CPU waits. */
#ifdef MKB_FINE_LOCKS
struct spinlock sched_lk = SPINLOCK_INIT("sched");
#else
static struct spinlock bkl = SPINLOCK_INIT("kernel");
#endif
static uint32_t timer_count;      /* APIC timer counts per tick */
static uint64_t tsc_per_count;    /* time-stamp counts per APIC timer count, x 2^16 (calibrate) */
extern uint64_t boot_pd[512], boot_pml4[];
extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_cr3[], ap_tramp_stack[], ap_tramp_entry[],
	ap_tramp_stage[];

static uint32_t lapic_rd(unsigned reg) { return *(volatile uint32_t *)(LAPIC_VA + reg); }
static void lapic_wr(unsigned reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_VA + reg) = v; }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }

static uint64_t rdtsc_(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The CPU's own struct cpu in GS (kernel) and 0 in KERNEL_GS_BASE (what
 * ring 3 gets at its first swapgs). */
static void cpu_set_gs(struct cpu *c)
{
	c->self = c;
	wrmsr(0xC0000101, (uint64_t)c);   /* IA32_GS_BASE */
	wrmsr(0xC0000102, 0);             /* IA32_KERNEL_GS_BASE */
}

static int sum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s == 0;
}

static const uint8_t *find_rsdp(void)
{
	/* The EBDA's first KiB, where the BIOS data area's word at 0x40E
	 * points; that word is in page 0, which the kernel keeps unmapped
	 * (boot.S), so the usual place, the last KiB below 640 KiB, stands
	 * in for it; then the BIOS read-only area. */
	uint64_t ranges[2][2] = { { 0x9FC00, 0xA0000 }, { 0xE0000, 0x100000 } };
	for (int r = 0; r < 2; r++)
		for (uint64_t a = ranges[r][0]; a && a + 20 <= ranges[r][1]; a += 16)
			if (!memcmp((const void *)a, "RSD PTR ", 8) && sum_ok((const uint8_t *)a, 20))
				return (const uint8_t *)a;
	return 0;
}

static uint32_t rd32u(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* The enabled local APICs of the MADT, in its order (the BSP first, as
 * ACPI asks); returns how many, at most NCPU. */
static int read_madt(int apic_ids[NCPU], int *listed)
{
	const uint8_t *rsdp = find_rsdp();
	*listed = 0;
	if (!rsdp)
		return 0;
	const uint8_t *rsdt = (const uint8_t *)(uint64_t)rd32u(rsdp + 16);
	if ((uint64_t)rsdt >= LAPIC_VA || memcmp(rsdt, "RSDT", 4))
		return 0;
	uint32_t len = rd32u(rsdt + 4), n = 0;
	for (uint32_t off = 36; off + 4 <= len; off += 4) {
		const uint8_t *t = (const uint8_t *)(uint64_t)rd32u(rsdt + off);
		if ((uint64_t)t >= LAPIC_VA || memcmp(t, "APIC", 4))
			continue;
		uint32_t tlen = rd32u(t + 4);
		for (uint32_t e = 44; e + 2 <= tlen && t[e + 1] >= 2; e += t[e + 1]) {
			if (t[e] != 0 || t[e + 1] < 8)   /* type 0: processor local APIC */
				continue;
			if (!(rd32u(t + e + 4) & 1))     /* not enabled */
				continue;
			++*listed;
			if (n < NCPU)
				apic_ids[n++] = t[e + 3];
		}
		break;
	}
	return (int)n;
}

/* APIC timer counts in CALIB_MS, by the PIT's channel 2 (gate on port
 * 0x61, output read back in its bit 5). */
static uint32_t calibrate(void)
{
	uint16_t latch = PIT_HZ * CALIB_MS / 1000;
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));   /* gate high, speaker off */
	outb(0x43, 0xB0);                                     /* channel 2, mode 0, binary */
	outb(0x42, (uint8_t)latch);
	outb(0x42, (uint8_t)(latch >> 8));
	lapic_wr(LAPIC_TIMER_DIV, 0x3);                       /* divide by 16 */
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED);
	uint64_t t0 = rdtsc_();
	lapic_wr(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	while (!(inb(0x61) & 0x20))
		;
	uint32_t n = 0xFFFFFFFFu - lapic_rd(LAPIC_TIMER_CUR);
	uint64_t t1 = rdtsc_();
	lapic_wr(LAPIC_TIMER_INIT, 0);
	if (n)
		tsc_per_count = ((t1 - t0) << 16) / n;
	return n;
}

static void lapic_setup(int bsp)
{
	lapic_wr(LAPIC_SVR, 0x1FF);                       /* enabled, spurious vector 0xFF */
	lapic_wr(LAPIC_TPR, 0);
	if (!bsp) {
		lapic_wr(LAPIC_LVT_LINT0, LVT_MASKED);    /* the PIC reaches the BSP only */
		lapic_wr(LAPIC_LVT_LINT1, LVT_MASKED);
	}
	lapic_wr(LAPIC_TIMER_DIV, 0x3);
	lapic_wr(LAPIC_LVT_TIMER, LVT_PERIODIC | 32);
	lapic_wr(LAPIC_TIMER_INIT, timer_count);
}

void smp_eoi(void)
{
	lapic_wr(LAPIC_EOI, 0);
}

static void send_ipi(int apic_id, uint32_t lo)
{
	while (lapic_rd(LAPIC_ICR_LO) & ICR_BUSY)
		cpu_pause();
	lapic_wr(LAPIC_ICR_HI, (uint32_t)apic_id << 24);
	lapic_wr(LAPIC_ICR_LO, lo);
}

/* The boot CPU, first thing: its struct cpu, and the kernel lock, which
 * its idle loop drops (sched.c). */
void smp_early(void)
{
	cpu_set_gs(&cpus[0]);
	cpus[0].id = 0;
	kernel_lock();
}

/* Called by the BSP after paging, before any process: map the local
 * APIC, read the MADT, measure the timer and start CPU 0's. */
void smp_init(const char *cmdline)
{
	(void)cmdline;
	boot_pd[LAPIC_VA >> 21] = LAPIC_PA | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	lcr3(rcr3());
	int ids[NCPU], listed;
	ncpu = read_madt(ids, &listed);
	int me = (int)(lapic_rd(LAPIC_ID) >> 24);
	if (!ncpu) {
		kprintf("mkb: smp: no ACPI MADT; running on the boot CPU only\n");
		ncpu = 1, ids[0] = me;
	}
	if (ids[0] != me)
		panic("smp: the MADT's first CPU is APIC %d, the boot CPU is %d", ids[0], me);
	for (int i = 0; i < ncpu; i++)
		cpus[i].id = i, cpus[i].apic_id = ids[i];
	cpus[0].started = 1;
	cpus[0].cr3 = rcr3();
	timer_count = calibrate() * (1000 / CALIB_MS) / TIMER_HZ;
	if (!timer_count)
		panic("smp: the local APIC timer did not count");
	lapic_setup(1);
	outb(0x21, 0xFF);   /* the PIT's IRQ 0 masked at the PIC: the APIC timers tick */
	kprintf("mkb: smp: %d CPUs (%d in the MADT), APIC timer %u counts a tick\n",
		ncpu, listed, timer_count);
}

/* An application processor, from apboot.S on its own stack. */
static void ap_main(void)
{
	struct cpu *c = 0;
	int apic = (int)(lapic_rd(LAPIC_ID) >> 24);
	for (int i = 1; i < ncpu; i++)
		if (cpus[i].apic_id == apic)
			c = &cpus[i];
	if (!c)
		for (;;)
			hlt();
	cpu_set_gs(c);
	gdt_init();
	cpu_init();
	idt_load();
	syscall_init();
	lapic_setup(0);
	c->cr3 = rcr3();
	sched_ap_start();   /* the idle thread: never returns */
}

/* Start every AP the MADT listed, one at a time. */
void smp_start(void)
{
	size_t len = (size_t)(ap_tramp_end - ap_tramp_start);
	uint8_t *t = (uint8_t *)AP_TRAMPOLINE;
	memcpy(t, ap_tramp_start, len);
	uint64_t cr3 = (uint64_t)boot_pml4, entry = (uint64_t)ap_main;
	memcpy(t + (ap_tramp_cr3 - ap_tramp_start), &cr3, 8);
	memcpy(t + (ap_tramp_entry - ap_tramp_start), &entry, 8);
	for (int i = 1; i < ncpu; i++) {
		uint64_t sp = (uint64_t)(ap_stacks[i] + AP_STACK);
		memcpy(t + (ap_tramp_stack - ap_tramp_start), &sp, 8);
		send_ipi(cpus[i].apic_id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
		send_ipi(cpus[i].apic_id, ICR_INIT | ICR_LEVEL);
		for (int sipi = 0; sipi < 2 && !cpus[i].started; sipi++) {
			send_ipi(cpus[i].apic_id, ICR_STARTUP | (uint32_t)(AP_TRAMPOLINE >> 12));
			for (uint64_t t0 = rdtsc_(); !cpus[i].started && rdtsc_() - t0 < 100000000;)
				cpu_pause();
		}
		if (!cpus[i].started)
			panic("smp: CPU %d (APIC %d) did not start (trampoline stage %u of 3)", i,
			      cpus[i].apic_id, t[ap_tramp_stage - ap_tramp_start]);
	}
}

/* Ask this CPU's TLB shootdown, if one is pending: reload the page
 * tables (an idle CPU drops a space it no longer runs for the kernel's). */
static void flush_here(void)
{
	struct cpu *c = smp_cpu();
	if (!c->flush)
		return;
	uint64_t cr3 = c->proc == c->idle ? (uint64_t)boot_pml4 : rcr3();
	lcr3(cr3);
	c->cr3 = cr3;
	__atomic_store_n(&c->flush, 0, __ATOMIC_RELEASE);
}

void spin_lock(struct spinlock *l)
{
	struct cpu *c = smp_cpu();
	if (l->owner == c->id + 1)
		panic("smp: CPU %d takes the %s lock it holds", c->id, l->name ? l->name : "pipe");
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket) {
		flush_here();
		cpu_pause();
	}
	l->owner = c->id + 1;
}

void spin_unlock(struct spinlock *l)
{
	if (l->owner != cpu_id() + 1)
		panic("smp: CPU %d drops the %s lock, held by %d", cpu_id(), l->name ? l->name : "pipe",
		      l->owner - 1);
	l->owner = 0;
	uint32_t s = l->serving + 1;
	__atomic_store_n(&l->serving, s, __ATOMIC_RELEASE);
	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) != s)
		cpu_pause();   /* a CPU waits for it: see "pause" at the top */
}

int spin_held(const struct spinlock *l)
{
	return l->owner == cpu_id() + 1;
}

#ifndef MKB_FINE_LOCKS
void kernel_lock(void)
{
	spin_lock(&bkl);
}

void kernel_unlock(void)
{
	spin_unlock(&bkl);
}
#endif

void smp_resched(int cpu)
{
	if (cpu != cpu_id()) {
		send_ipi(cpus[cpu].apic_id, VEC_RESCHED);
		kstat.ipis++;
	}
}

void smp_tlb_shootdown(const uint64_t *pml4)
{
	int me = cpu_id();
	for (int i = 0; i < ncpu; i++)
		if (i != me && cpus[i].cr3 == (uint64_t)pml4) {
			cpus[i].flush = 1;
			send_ipi(cpus[i].apic_id, VEC_FLUSH);
			kstat.ipis++;
			kstat.shootdowns++;
		}
	for (int i = 0; i < ncpu; i++)
		while (__atomic_load_n(&cpus[i].flush, __ATOMIC_ACQUIRE)) {
			flush_here();   /* two CPUs may shoot at each other */
			cpu_pause();
		}
}

/* A tick on this CPU: wake the processes waiting for it, each told when
 * the tick fell due. That is now less the APIC timer counts since it
 * expired (the periodic timer reloads at expiry and counts down), in
 * time-stamp counts: the time an interrupt waited to be taken (this CPU
 * in the kernel with interrupts off, or the kernel lock held elsewhere)
 * is in what the waiter measures. Under -icount both clocks are QEMU's
 * virtual clock, so the answer is exact to an APIC count (16 ns at the
 * divider of 16). Called with the scheduler locked. */
void smp_tick_wake(void)
{
	struct cpu *c = smp_cpu();
	if (!c->tickq.head)
		return;
	uint64_t now = rdtsc_();
	uint32_t left = lapic_rd(LAPIC_TIMER_CUR), since = left <= timer_count ? timer_count - left : 0;
	uint64_t due = now - (((uint64_t)since * tsc_per_count) >> 16);
	while (c->tickq.head) {
		struct proc *p = c->tickq.head;
		p->tick_due = due;
		sched_wakeup(p);
	}
}

/* SYS_TICK_WAIT (query 0): sleep until this CPU's next timer tick; ->
 * the time stamp at which it fell due (smp_tick_wake). query 1: -> a
 * tick's length in time-stamp counts. For a periodic task pinned to its
 * CPU (the isolation workload, tests/guest/faultload.c): its releases are
 * the ticks. Called with the scheduler locked. */
int64_t smp_tick_wait(int query)
{
	if (query)
		return (int64_t)(((uint64_t)timer_count * tsc_per_count) >> 16);
	struct proc *p = curproc;
	sched_block(W_TICK, &smp_cpu()->tickq);
	return (int64_t)p->tick_due;
}

/* An IPI that needs no lock (trap.c calls this first): 1 if handled. */
int smp_ipi(int vector)
{
	if (vector != VEC_FLUSH)
		return 0;
	smp_cpu()->ipis++;
	flush_here();
	lapic_wr(LAPIC_EOI, 0);
	return 1;
}
#endif
