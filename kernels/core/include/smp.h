/*
 * smp.h - several CPUs (kernels/core/smp.c). Both kernels build twice:
 * a uniprocessor kernel (build/<system>/), whose code is what it was
 * before multicore, so that the single-CPU figures stay what they were,
 * and a multiprocessor one (build/<system>-smp/, -DMKB_SMP) that starts
 * every CPU QEMU's -smp gives it. Linux once did the same (CONFIG_SMP).
 *
 * In the SMP kernel each CPU has a struct cpu, reached through %gs
 * (swapgs on every entry from ring 3, as Linux does), with its current
 * process, its idle thread, its run queues, its kernel stack pointer and
 * its TSS. Kernel code runs with interrupts off. Two ways to lock it:
 *
 * micro (MKB_SMP): one big kernel lock (BKL) serialises the kernel:
 *   taken on every entry (syscall_dispatch, trap), dropped on the way
 *   back to ring 3 and while a CPU idles. That is seL4's design for its
 *   multicore kernel (Peters, Danis, Elphinstone, Heiser: "For a
 *   Microkernel, a Big Lock Is Fine", APSys 2015): a short kernel path
 *   gains little from finer locks, and its services run in ring 3, in
 *   parallel already.
 * mono (MKB_SMP and MKB_FINE_LOCKS): no big lock; a lock per subsystem,
 *   as Linux replaced its own BKL: the scheduler and process table
 *   (sched_lock, held across a switch as xv6 holds its ptable lock), the
 *   page allocator, the quotas, the console, and each in-kernel service
 *   (file system, semaphores, shared memory, pipes, message queues,
 *   futexes). A service locks itself; to sleep it takes sched_lock
 *   before dropping its own (so no wake-up is lost) and blocks; to wake,
 *   it takes sched_lock under its own. Order: service, then sched_lock,
 *   then the allocator, quotas and console. Two system calls to
 *   different services run on two CPUs at once.
 *
 * Every lock is a ticket lock whose spin loop runs `pause` and answers
 * TLB shootdowns while it waits (see smp.c).
 */
#ifndef MKB_SMP_H
#define MKB_SMP_H
#include <stdint.h>
#include "proc.h"

#define NCPU 4   /* CPUs started at most (QEMU's -smp may give more: they stay halted) */

#ifdef MKB_SMP
/* A ticket lock: CPUs get it in the order they asked (smp.c). */
struct spinlock {
	volatile uint32_t next, serving;
	volatile int owner;           /* 1 + the CPU holding it, 0 if free (a zeroed lock is free) */
	const char *name;             /* for a panic; 0: a pipe's */
};
#define SPINLOCK_INIT(nm) { 0, 0, 0, nm }
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
int spin_held(const struct spinlock *l);   /* by this CPU */

struct cpu {
	struct cpu *self;             /* %gs:0 (smp_cpu) */
	uint64_t kstack_top;          /* %gs:8: syscall.S's stack */
	uint64_t scratch;             /* %gs:16: the user rsp while syscall.S switches stacks */
	struct proc *proc;            /* running now */
	struct proc *idle;            /* its idle thread */
	int id;                       /* 0 .. ncpu-1 */
	int apic_id;
	volatile int started;         /* the AP is up (smp_start waits for it) */
	volatile int flush;           /* a TLB shootdown asked of it (smp_flush) */
	volatile uint64_t cr3;        /* the page tables it has loaded */
	struct waitq runq[NPRIO];     /* its run queues */
	uint64_t ipis;                /* IPIs it received */
	uint64_t ticks, switches;     /* its own timer ticks and thread switches (the heartbeat) */
	int preempt;                  /* fine locks: a wake-up here asks for the CPU (sched.c) */
	struct waitq tickq;           /* processes waiting for its next tick (SYS_TICK_WAIT) */
};
extern struct cpu cpus[NCPU];
extern int ncpu;

static inline struct cpu *smp_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
static inline int cpu_id(void) { return smp_cpu()->id; }
#define curproc (smp_cpu()->proc)
#define idleproc (smp_cpu()->idle)
#define kstack_top (smp_cpu()->kstack_top)

void smp_early(void);                 /* the boot CPU's struct cpu; the lock taken */
void smp_init(const char *cmdline);   /* find the CPUs (ACPI MADT), LAPIC timer */
void smp_start(void);                 /* start the APs; they wait in their idle loops */
void smp_resched(int cpu);           /* IPI: cpu should look at its run queues */
void smp_tlb_shootdown(const uint64_t *pml4);   /* every other CPU drops pml4's TLB entries */
void smp_eoi(void);
int smp_ipi(int vector);              /* trap.c: an IPI vector's work; 1 if it was one */
void smp_tick_wake(void);             /* trap.c, at a tick: wake this CPU's tickq */
int64_t smp_tick_wait(int query);     /* SYS_TICK_WAIT */
#else
#define ncpu 1
static inline int cpu_id(void) { return 0; }
static inline void smp_tlb_shootdown(const uint64_t *pml4) { (void)pml4; }
static inline void smp_early(void) {}
static inline void smp_init(const char *cmdline) { (void)cmdline; }
static inline void smp_start(void) {}
#endif

/* The locks each kernel takes (see the top). LOCK_DEFINE(name) declares
 * a subsystem's lock where it has one, svc_lock(name) and svc_unlock(name) take
 * and drop it; sched_lock() guards the scheduler and the process table. */
#if defined(MKB_SMP) && defined(MKB_FINE_LOCKS)
extern struct spinlock sched_lk;
static inline void kernel_lock(void) {}
static inline void kernel_unlock(void) {}
static inline void sched_lock(void) { spin_lock(&sched_lk); }
static inline void sched_unlock(void) { spin_unlock(&sched_lk); }
#define LOCK_DEFINE(name) static struct spinlock name = SPINLOCK_INIT(#name)
#define svc_lock(name) spin_lock(&(name))
#define svc_unlock(name) spin_unlock(&(name))
#define svc_held(name) spin_held(&(name))
#define FINE_LOCKS 1
#else
#ifdef MKB_SMP
void kernel_lock(void);
void kernel_unlock(void);
#else
static inline void kernel_lock(void) {}
static inline void kernel_unlock(void) {}
#endif
static inline void sched_lock(void) {}
static inline void sched_unlock(void) {}
#define LOCK_DEFINE(name) struct mkb_no_lock
#define svc_lock(name) ((void)0)
#define svc_unlock(name) ((void)0)
#define svc_held(name) 0
#define FINE_LOCKS 0
#endif

#define VEC_RESCHED 33   /* IPI: look at your run queue (trapasm.S has the vectors) */
#define VEC_FLUSH 34     /* IPI: TLB shootdown */
#endif
