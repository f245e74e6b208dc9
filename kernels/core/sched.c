/*
 * sched.c - preemptive priority scheduler, shared by both kernels. With
 * the SMP kernel's fine locks (mono, smp.h) every function here is called
 * with sched_lock held, and a switch passes it to the thread switched to.
 * One FIFO run queue per priority (higher number runs first); round robin
 * within a priority on timer ticks. The idle thread runs only when no
 * queue holds anything. sched_switch_to() is also the direct-switch
 * primitive the micro kernel's IPC uses to hand the CPU to its partner
 * without going through sched_pick().
 *
 * Time slices: a process gets a fresh slice only when sched_pick() takes
 * it off a run queue; a direct switch does not refill one. A server
 * working on a caller's request charges the caller too: each tick that
 * lands in the server also counts against the caller (blocked in
 * W_REPLY on it), and a reply to a caller whose slice ran out puts the
 * caller at the back of its run queue instead of switching to it. So a
 * process cannot keep the CPU past its slice by bouncing through servers
 * (classic L4 donates the slice on IPC; this charges it, to the same end).
 */
#include "defs.h"
#include "proc.h"
#include "x86.h"

#define TIMESLICE_TICKS 2

extern uint64_t boot_pml4[];
#ifdef MKB_SMP
/* Several CPUs (smp.h): a process runs on p->cpu, queued on that CPU's
 * run queues; making it ready there from another CPU sends that CPU an
 * IPI if it should look (it idles, or runs something of lower
 * priority). A direct switch (IPC hand-off) to a process of another CPU
 * becomes a remote wake-up. Nothing moves a process between CPUs but
 * SYS_SET_CPU: placement is the caller's, as with seL4's affinity. */
#define RUNQ(p) (cpus[(p)->cpu].runq)
static struct proc ap_idle[NCPU];
#else
extern uint64_t kstack_top;
struct proc *curproc;
struct proc *idleproc;
static struct waitq runq[NPRIO];
#define RUNQ(p) runq
#endif

void waitq_push(struct waitq *q, struct proc *p)
{
	p->qnext = 0;
	if (q->tail)
		q->tail->qnext = p;
	else
		q->head = p;
	q->tail = p;
}

struct proc *waitq_pop(struct waitq *q)
{
	struct proc *p = q->head;
	if (p) {
		q->head = p->qnext;
		if (!q->head)
			q->tail = 0;
		p->qnext = 0;
	}
	return p;
}

/* Put p in q behind every waiter of its priority or higher: a queue in
 * priority order, oldest first within a priority (QNX's send queue). */
void waitq_push_prio(struct waitq *q, struct proc *p)
{
	struct proc *prev = 0, *x = q->head;
	for (; x && x->prio >= p->prio; prev = x, x = x->qnext)
		;
	p->qnext = x;
	if (prev)
		prev->qnext = p;
	else
		q->head = p;
	if (!x)
		q->tail = p;
}

/* Remove p from q wherever it stands (no-op if absent). */
void waitq_remove(struct waitq *q, struct proc *p)
{
	struct proc *prev = 0;
	for (struct proc *x = q->head; x; prev = x, x = x->qnext) {
		if (x != p)
			continue;
		if (prev)
			prev->qnext = x->qnext;
		else
			q->head = x->qnext;
		if (q->tail == x)
			q->tail = prev;
		x->qnext = 0;
		return;
	}
}

/* Make p runnable at the tail of its priority's queue. */
void sched_ready(struct proc *p)
{
	p->state = P_RUNNABLE;
	p->wait = W_NONE;
	p->waitobj = 0;
	waitq_push(&RUNQ(p)[p->prio], p);
#ifdef MKB_SMP
	struct proc *there = cpus[p->cpu].proc;
	if (p->cpu != cpu_id() && (there == cpus[p->cpu].idle || there->prio < p->prio))
		smp_resched(p->cpu);
#endif
}

void sched_unready(struct proc *p)
{
	waitq_remove(&RUNQ(p)[p->prio], p);
}

/* Take the highest-priority runnable process off its queue (idle if
 * none), with a fresh time slice. */
struct proc *sched_pick(void)
{
	kstat.sched_picks++;
#ifdef MKB_SMP
	struct waitq *runq = smp_cpu()->runq;
#endif
	for (int i = NPRIO - 1; i >= 0; i--)
		if (runq[i].head) {
			struct proc *p = waitq_pop(&runq[i]);
			p->ticks_left = TIMESLICE_TICKS;
			return p;
		}
	return idleproc;
}

/* Give the CPU to next now: address space, kernel stack, I/O rights. */
void sched_switch_to(struct proc *next)
{
	struct proc *prev = curproc;
#ifdef MKB_SMP
	if (next->cpu != cpu_id() && next != idleproc) {   /* another CPU's: wake it there */
		if (next->state != P_RUNNABLE)
			sched_ready(next);
		next = sched_pick();
	}
#endif
	if (next == prev) {
		next->state = P_RUNNING;
		return;
	}
	kstat.switches++;
#ifdef MKB_SMP
	smp_cpu()->switches++;
#endif
	if (next->pml4 && next->cr3 != rcr3()) {
		lcr3(next->cr3);
		kstat.as_switches++;
#ifdef MKB_SMP
		smp_cpu()->cr3 = next->cr3;
#endif
	}
	if (prev->io_console != next->io_console)
		tss_set_console_io(next->io_console);
	curproc = next;
	next->state = P_RUNNING;
	kstack_top = (uint64_t)next->kstack + KSTACK_PAGES * PGSIZE;
	tss_set_rsp0(kstack_top);
	swtch(&prev->ksp, next->ksp);
}

/* Block the current process (on q if given) and run someone else. */
void sched_block(int why, struct waitq *q)
{
#if FINE_LOCKS
	/* Killed while it ran here, past its last kernel entry's check: it
	 * ends instead of sleeping where nothing would wake it (it holds no
	 * service's lock: svc_sleep and proc_wait hold only sched_lock). */
	if (curproc->killed) {
		sched_unlock();
		proc_exit(curproc->killed);
	}
#endif
	curproc->state = P_BLOCKED;
	curproc->wait = why;
	curproc->waitobj = q;
	curproc->waited = 1;   /* a server's first wait for a request comes here */
	if (q)
		waitq_push(q, curproc);
	sched_switch_to(sched_pick());
}

/* Block the current process (on q if given) and give the CPU to next, a
 * runnable process, without a scheduler pass (Mach 3's handoff). next
 * runs out the rest of our time slice, so that a pair handing off to
 * each other is preempted as one process would be. */
void sched_block_to(int why, struct waitq *q, struct proc *next)
{
	curproc->state = P_BLOCKED;
	curproc->wait = why;
	curproc->waitobj = q;
	curproc->waited = 1;
	if (q)
		waitq_push(q, curproc);
#ifdef MKB_SMP
	if (next->cpu != cpu_id()) {   /* readied on its own CPU already */
		sched_switch_to(sched_pick());
		return;
	}
#endif
	sched_unready(next);
	next->ticks_left = curproc->ticks_left;
	sched_switch_to(next);
}

/* Block the current process on q in priority order (waitq_push_prio). */
void sched_block_prio(int why, struct waitq *q)
{
	curproc->state = P_BLOCKED;
	curproc->wait = why;
	curproc->waitobj = q;
	curproc->waited = 1;
	waitq_push_prio(q, curproc);
	sched_switch_to(sched_pick());
}

/* p now runs at prio (a boost, or a priority set by SYS_SET_PRIO); a
 * runnable p moves to that priority's run queue. The caller yields if
 * it has made itself lower than someone ready. */
void sched_set_prio(struct proc *p, int prio)
{
	if (p->state == P_RUNNABLE) {
		sched_unready(p);
		p->prio = prio;
		waitq_push(&RUNQ(p)[prio], p);
	} else {
		p->prio = prio;
	}
}

/* Timeouts (l4's finite IPC timeouts): p, about to block, wakes with
 * -E_TIMEOUT once n timer ticks have passed, unless it is woken first
 * and disarms. The timer checks only while someone is armed. */
static int narmed;

void sched_arm(struct proc *p, uint64_t n)
{
	if (!p->deadline)
		narmed++;
	p->deadline = ticks + n;
}

void sched_disarm(struct proc *p)
{
	if (p->deadline) {
		p->deadline = 0;
		narmed--;
	}
}

/* At each tick: wake every blocked process whose deadline has come. One
 * waiting for an answer stops waiting (its server's answer will find
 * nobody). */
void sched_timeouts(void)
{
	if (!narmed)
		return;
	for (int i = 1; i < NPROC; i++) {
		struct proc *p = &ptable[i];
		if (!p->deadline || ticks < p->deadline || p->state != P_BLOCKED)
			continue;
		sched_disarm(p);
		if (p->wait == W_REPLY && p->callee) {
			if (p->callee->reply_to == p)
				p->callee->reply_to = 0;
			p->callee = 0;
		}
		p->sf->rax = (uint64_t)-E_TIMEOUT;
		sched_wakeup(p);
	}
}

/* Wake a blocked process: off its wait queue and onto the run queue.
 * A wake-up of a higher-priority process preempts the current one, if it
 * is still running (a dying process that wakes its parent is a zombie
 * already, and must not be made runnable again). */
void sched_wakeup(struct proc *p)
{
	if (p->state != P_BLOCKED)
		return;
	if (p->waitobj)
		waitq_remove(p->waitobj, p);
	sched_ready(p);
	if (curproc != idleproc && curproc->state == P_RUNNING && p->prio > curproc->prio
#ifdef MKB_SMP
	    && p->cpu == cpu_id()   /* another CPU's: sched_ready interrupted it */
#endif
	    ) {
#if FINE_LOCKS
		/* The caller may hold a service's lock (a semaphore post): the
		 * switch waits for the end of the system call (sched_preempt). */
		smp_cpu()->preempt = 1;
#else
		sched_ready(curproc);
		sched_switch_to(sched_pick());
#endif
	}
}

#if FINE_LOCKS
/* On the way back to ring 3 with no lock held: a wake-up of a higher
 * priority here (sched_wakeup) takes the CPU now. */
void sched_preempt(void)
{
	if (!smp_cpu()->preempt)
		return;
	sched_lock();
	smp_cpu()->preempt = 0;
	if (curproc->state == P_RUNNING && sched_preempted())
		sched_yield();
	sched_unlock();
}
#endif

#ifdef MKB_SMP
/* Is something of higher priority than the current process ready here? */
int sched_preempted(void)
{
	struct waitq *runq = smp_cpu()->runq;
	for (int i = NPRIO - 1; i > curproc->prio; i--)
		if (runq[i].head)
			return 1;
	return 0;
}
#endif

/* Let processes of the same or higher priority run. */
void sched_yield(void)
{
	if (curproc != idleproc)
		sched_ready(curproc);
	sched_switch_to(sched_pick());
}

/* Timer tick while a user process ran: preempt when its slice is used.
 * A server serving a call charges its caller as well (see the top). */
/* The heartbeat, in the spirit of MINIX 3's reincarnation server, which
 * pings its drivers: a restartable server that has run for this many
 * timer ticks (30: 300 ms of guest time, unless the command line says
 * heartbeat=<ticks>) without a single thread switch, that is without
 * ever waiting for work, has stopped answering, and is killed, so that
 * the kernel restarts it. (Being current at consecutive ticks is not
 * enough: a busy server can be, by the rhythm of its work.) */
int heartbeat_ticks = 30;

void sched_tick(void)
{
	struct proc *c = curproc->reply_to;
	if (curproc->restart) {
#ifdef MKB_SMP
		/* this CPU's own ticks and switches: the others' say nothing of it */
		uint64_t now = smp_cpu()->ticks, switches = smp_cpu()->switches;
#else
		uint64_t now = ticks, switches = kstat.switches;
#endif
		int ran_on = curproc->last_tick == now - 1 && curproc->last_switches == switches;
		curproc->busy_ticks = ran_on ? curproc->busy_ticks + 1 : 1;
		curproc->last_tick = now;
		curproc->last_switches = switches;
		if (curproc->busy_ticks >= heartbeat_ticks) {
			kprintf("mkb: server %s (pid %d) stopped answering (ran %d ticks without "
				"waiting); killed\n", curproc->name, curproc->pid, heartbeat_ticks);
			sched_unlock();   /* fine locks: proc_exit takes it after the services */
			proc_exit(EXIT_KILLED);
		}
	}
	if (c && c->state == P_BLOCKED && c->wait == W_REPLY && c->callee == curproc)
		c->ticks_left--;
	if (--curproc->ticks_left <= 0)
		sched_yield();
}

static void idle_loop(void)
{
	for (;;) {
		kernel_unlock();   /* SMP: nobody waits for the lock on an idle CPU */
		sti_hlt_cli();
		kernel_lock();
		sched_lock();      /* mono on several CPUs: the scheduler's own lock (smp.h) */
		struct proc *p = sched_pick();
		if (p != idleproc)
			sched_switch_to(p);
		sched_unlock();
	}
}

/* A new process's first return to ring 3 (trapasm.S forkret): the lock
 * its CPU switched to it under is dropped. */
void sched_first_return(void)
{
	kernel_unlock();
	sched_unlock();
}

static void idle_setup(struct proc *idle, uint8_t *stack)
{
	idle->state = P_RUNNING;
	idle->pid = 0;
	idle->prio = 0;
	idle->cpu = cpu_id();
	memcpy(idle->name, "idle", 5);
	idle->kstack = stack;   /* unused: idle never enters from ring 3 */
	idle->cr3 = (uint64_t)boot_pml4;
}

/* Set up the idle thread; it owns the boot stack from here on. */
void sched_init(void)
{
	static uint8_t idle_stack[KSTACK_PAGES * PGSIZE] __attribute__((aligned(16)));
#ifdef MKB_SMP
	smp_cpu()->idle = &ptable[0];
#endif
	idleproc = &ptable[0];
	idle_setup(idleproc, idle_stack);
	curproc = idleproc;
}

/* Start scheduling: the boot thread becomes the idle thread. */
void sched_start(void)
{
	sched_lock();
	struct proc *p = sched_pick();
	if (p != idleproc)
		sched_switch_to(p);
	sched_unlock();
	idle_loop();
	__builtin_unreachable();
}

#ifdef MKB_SMP
void sched_place(struct proc *p, int cpu)
{
	sched_unready(p);
	p->cpu = cpu;
	waitq_push(&RUNQ(p)[p->prio], p);
}

void sched_move(struct proc *p, int cpu)
{
	if (p->cpu == cpu)
		return;
	sched_unready(p);
	p->cpu = cpu;
	sched_ready(p);
}

/* An application processor's boot thread becomes its idle thread (smp.c). */
void sched_ap_start(void)
{
	struct cpu *c = smp_cpu();
	c->idle = &ap_idle[c->id];
	idle_setup(c->idle, 0);
	c->proc = c->idle;
	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);   /* the BSP waits for this, */
	kernel_lock();                                        /* holding the lock */
	idle_loop();
	__builtin_unreachable();
}
#endif
