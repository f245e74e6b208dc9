/* trap.c - IDT set-up and the C side of interrupts and exceptions.
 * A fault in ring 3 kills the process (proc_fault); a fault in ring 0
 * is a kernel bug: panic with registers. Linked into both kernels. */
#include "defs.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"
#include "memlayout.h"
#include "smp.h"

#define NVEC 35   /* exceptions, the timer, the SMP kernel's IPIs (smp.h) */
#define VEC_NMI 2
#define VEC_TIMER 32

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsv;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern uint64_t vectors[NVEC];

static const char *const exc_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 error", "alignment check", "machine check",
	"SIMD error", "virtualization", "control protection",
};

void idt_init(void)
{
	for (int i = 0; i < NVEC; i++) {
		uint64_t a = vectors[i];
		idt[i] = (struct idt_entry){ (uint16_t)a, SEG_KCODE, i == VEC_NMI ? 1 : 0, 0x8E,
					     (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };   /* NMI: IST 1 */
	}
	model_shadow.vectors = (uint64_t)vectors, model_shadow.nvec = NVEC;   /* x86.h */
#ifdef MKB_SMP
	extern char vec_spurious[];
	uint64_t s = (uint64_t)vec_spurious;
	idt[0xFF] = (struct idt_entry){ (uint16_t)s, SEG_KCODE, 0, 0x8E, (uint16_t)(s >> 16),
					(uint32_t)(s >> 32), 0 };
#endif
	idt_load();
}

/* Load the IDT (every CPU shares it). */
void idt_load(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(p));
}

static void dump_regs(struct trapframe *tf)
{
	kprintf("  rip=%016lx cs=%lx rflags=%lx rsp=%016lx ss=%lx\n", tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss);
	kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("  r13=%016lx r14=%016lx r15=%016lx cr2=%016lx err=%lx\n", tf->r13, tf->r14, tf->r15, rcr2(), tf->error);
}

/* Describe a user fault in words for the kill line. */
static void describe_fault(struct trapframe *tf, char *buf, size_t cap)
{
	const char *name = tf->vector < 32 && exc_names[tf->vector] ? exc_names[tf->vector] : "exception";
	if (tf->vector == 14) {
		uint64_t a = rcr2();
		const char *why = (tf->error & 1) ? "protection" : "not mapped";
		if (a < USER_BASE || a >= USER_TOP)
			why = "kernel or non-user address";
		fmt_snprintf(buf, cap, "page fault: %s of %p (%s) at rip %p",
			     (tf->error & 16) ? "execute" : (tf->error & 2) ? "write" : "read",
			     (void *)a, why, (void *)tf->rip);
	} else {
		fmt_snprintf(buf, cap, "%s (vector %lu) at rip %p", name, tf->vector, (void *)tf->rip);
	}
}

static void trap_locked(struct trapframe *tf);

void trap(struct trapframe *tf)
{
	if (tf->vector == VEC_NMI) {   /* only the watchdog raises one; it counts nothing */
		watchdog_nmi();
		return;
	}
#ifdef MKB_SMP
	if (smp_ipi((int)tf->vector))   /* a shootdown: answered without the lock */
		return;
	if ((tf->cs & 3) != 3 && tf->vector < 32) {   /* a kernel fault: the lock is ours */
		trap_locked(tf);
		return;
	}
#endif
	kernel_lock();
	trap_locked(tf);
	kernel_unlock();
#if FINE_LOCKS
	if ((tf->cs & 3) == 3)
		sched_preempt();
#endif
}

static void timer_tick(int from_user)
{
#ifdef MKB_SMP
	smp_cpu()->ticks++;
	smp_tick_wake();
	if (cpu_id() == 0) {   /* CPU 0 keeps the time (acknowledged in trap_locked) */
		ticks++;
		sched_timeouts();
	}
#else
	outb(0x20, 0x20);   /* EOI to the master PIC */
	ticks++;
	sched_timeouts();   /* l4's finite IPC timeouts */
#endif
	if (from_user)
		sched_tick();
}

/* The timer's work on the scheduler, under its lock (mono on several CPUs). */
static void timer_locked(int from_user)
{
	sched_lock();
	timer_tick(from_user);
	sched_unlock();
}

static void trap_locked(struct trapframe *tf)
{
	int from_user = (tf->cs & 3) == 3;
	if (from_user)
		kstat.kentries++;
#ifdef MKB_SMP
	/* Every interrupt here is the local APIC's: acknowledged first, as
	 * what follows may not return (an exit; a switch away). Unacknowledged,
	 * its priority class (the timer's and the IPIs') would stay masked. */
	if (tf->vector >= 32)
		smp_eoi();
	if (from_user)
		proc_killed();
#endif
	if (tf->vector == VEC_TIMER) {
		timer_locked(from_user);
		return;
	}
#ifdef MKB_SMP
	if (tf->vector == VEC_RESCHED) {   /* another CPU readied something here */
		smp_cpu()->ipis++;
		sched_lock();
		if (from_user && (curproc->cpu != cpu_id() || sched_preempted()))
			sched_yield();
		sched_unlock();
		return;
	}
#endif
	if (!from_user) {
		kprintf("\nkernel fault: %s (vector %lu) in %s\n",
			tf->vector < 32 ? exc_names[tf->vector] : "?", tf->vector,
			curproc ? curproc->name : "boot");
		dump_regs(tf);
		panic("unexpected exception in kernel mode");
	}
	/* a write to a copy-on-write page (vm.c): copy it and go on */
	if (tf->vector == 14 && (tf->error & 3) == 3 && vm_cow_break(curproc->pml4, rcr2()) == 0)
		return;
	char what[160];
	describe_fault(tf, what, sizeof what);
	proc_fault(tf, what);
}
