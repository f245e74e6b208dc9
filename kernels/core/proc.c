/*
 * proc.c - processes: spawn from a built-in ELF image, exit, kill, wait,
 * and the user-fault path. Shared by both kernels; the mode's
 * mode_proc_exit() undoes mode-specific links (IPC partners, services).
 * With the SMP kernel's fine locks (mono, smp.h) the process table is
 * the scheduler's: proc_spawn, proc_kill and proc_find are called with
 * sched_lock held; proc_exit and proc_wait take it; mode_proc_exit runs
 * without it (the services take their own locks, then sched_lock).
 */
#include "defs.h"
#include "image.h"
#include "proc.h"
#include "protocol.h"
#include "quota.h"
#include "x86.h"

struct proc ptable[NPROC];
/* A process a lookup finds: not a free slot, a zombie, nor (fine locks)
 * one being killed. */
#if FINE_LOCKS
#define LIVE(s) ((s) != P_UNUSED && (s) != P_ZOMBIE && (s) != P_DYING)
#else
#define LIVE(s) ((s) != P_UNUSED && (s) != P_ZOMBIE)
#endif
static uint8_t kstacks[NPROC][KSTACK_PAGES * PGSIZE] __attribute__((aligned(4096)));
static int nextpid = 1;
#define PIDMAP 256   /* more than NPROC: a live process keeps its entry for 256 spawns */
static struct proc *pidmap[PIDMAP];   /* pid % PIDMAP -> the last process given such a pid */
extern uint64_t boot_pml4[];
extern void trapret(void);
#ifdef MKB_SMP
extern void forkret(void);   /* trapasm.S: drops the kernel lock first */
#define FIRST_RETURN forkret
#else
#define FIRST_RETURN trapret
#endif

void proc_init(void)
{
	for (int i = 0; i < NPROC; i++)
		ptable[i].kstack = kstacks[i];
}

const struct user_image *image_find(const char *name)
{
	for (int i = 0; i < n_user_images; i++)
		if (!strcmp(user_images[i].name, name))
			return &user_images[i];
	return 0;
}

/* A free slot: unused, or an orphaned zombie that is not running. */
static struct proc *proc_alloc(void)
{
	for (int i = 1; i < NPROC; i++) {
		struct proc *p = &ptable[i];
		if (p->state == P_UNUSED || (p->state == P_ZOMBIE && !p->parent && p != curproc))
			return p;
	}
	return 0;
}

/* Build the initial kernel stack: a trap frame that enters ring 3 at
 * entry with rdi = user arg, under a swtch frame that returns to trapret. */
static void setup_kstack(struct proc *p, uint64_t entry, uint64_t usp, uint64_t uarg)
{
	uint64_t *sp = (uint64_t *)(p->kstack + KSTACK_PAGES * PGSIZE);
	struct trapframe *tf = (struct trapframe *)sp - 1;
	memset(tf, 0, sizeof *tf);
	tf->rip = entry;
	tf->cs = SEG_UCODE | 3;
	tf->rflags = 0x202;
	tf->rsp = usp;
	tf->ss = SEG_UDATA | 3;
	tf->rdi = uarg;
	sp = (uint64_t *)tf;
	*--sp = (uint64_t)FIRST_RETURN;
	for (int i = 0; i < 6; i++)
		*--sp = 0;   /* rbp rbx r12 r13 r14 r15 */
	p->ksp = (uint64_t)sp;
}

/* Map the user stack and copy arg to its top; returns the user address
 * of the copied string, or 0 if out of memory. */
static uint64_t setup_ustack(uint64_t *pml4, const char *arg)
{
	uint8_t *top = 0;
	for (int i = 1; i <= USER_STACK_PAGES; i++) {
		uint8_t *pg = page_alloc();
		if (!pg || vm_map_page(pml4, USER_STACK_TOP - i * PGSIZE, (uint64_t)pg, 1, 0) < 0) {
			if (pg)
				page_free(pg);
			return 0;
		}
		if (i == 1)
			top = pg;
	}
	size_t n = strlen(arg) + 1;
	memcpy(top + PGSIZE - USER_ARG_MAX, arg, n);
	return USER_STACK_TOP - USER_ARG_MAX;
}

/* The process whose address space pml4 is (being built, or live), or 0. */
struct proc *proc_of_space(const uint64_t *pml4)
{
	for (int i = 1; i < NPROC; i++)
		if (ptable[i].pml4 == pml4)
			return &ptable[i];
	return 0;
}

/* Free p's address space, giving its page tables back to its account. */
static void proc_free_space(struct proc *p)
{
	smp_tlb_shootdown(p->pml4);   /* an idle CPU may still have it loaded */
	vm_destroy(p->pml4);
	p->pml4 = 0;
	for (; p->ptpages > 0; p->ptpages--)
		quota_give(p->acct, Q_PTPAGES);
}

/* p's slot is no longer charged to its account (p is reaped, or an
 * orphan that died: nobody will wait for it). */
static void proc_release(struct proc *p)
{
	if (p->released || !p->acct)
		return;
	p->released = 1;
	quota_give(p->acct, Q_PROCS);
	account_drop(p->acct);
}

/* Create a process running image `name` with argument string arg, in
 * account acct (charged one process slot). Returns its pid, or -E_NOENT
 * (no such image), -E_NOMEM, -E_INVAL, -E_QUOTA. */
int proc_spawn(const char *name, const char *arg, struct proc *parent, int prio, struct account *acct)
{
	const struct user_image *img = image_find(name);
	if (!img)
		return -E_NOENT;
	if (strlen(arg) >= USER_ARG_MAX || prio < 1 || prio >= NPRIO)
		return -E_INVAL;
	if (quota_take(acct, Q_PROCS) < 0)
		return -E_QUOTA;
	struct proc *p = proc_alloc();
	if (!p) {
		quota_give(acct, Q_PROCS);
		return -E_NOMEM;
	}
	uint8_t *kstack = p->kstack;
	memset(p, 0, sizeof *p);
	p->kstack = kstack;
	p->acct = acct;
	account_hold(acct);
	uint64_t entry, uarg;
	int r = (p->pml4 = vm_create()) ? 0 : -E_NOMEM;
	if (r == 0)
		r = elf_load(p->pml4, img->start, (size_t)(img->end - img->start), &entry);
	if (r == 0 && !(uarg = setup_ustack(p->pml4, arg)))
		r = -E_NOMEM;
	if (r < 0) {
		if (p->pml4)
			proc_free_space(p);
		proc_release(p);   /* the slot stays unused */
		return r;
	}
	p->cr3 = (uint64_t)p->pml4;
	p->pid = nextpid++;
	pidmap[(unsigned)p->pid % PIDMAP] = p;
	p->prio = p->base_prio = prio;
#ifdef MKB_SMP
	p->cpu = parent ? parent->cpu : cpu_id();   /* 0 on one CPU: p was zeroed */
#endif
	p->parent = parent;
	p->image = img;
	p->server_ep = -1;
	memcpy(p->arg, arg, strlen(arg) + 1);
	size_t n = strlen(name);
	memcpy(p->name, name, n < PNAME_MAX ? n + 1 : PNAME_MAX - 1);
	setup_kstack(p, entry, USER_STACK_TOP - USER_ARG_MAX - 64, uarg);
	mode_proc_start(p);
	sched_ready(p);
	return p->pid;
}

/* The live process pid, or 0. One probe of pidmap finds it unless a
 * process PIDMAP pids younger took its entry (pids are never reused, so
 * an entry whose process has another pid is stale); then the table is
 * scanned, as it is for a pid that is gone. The IPC strategies answer a
 * client by pid (l4, qnx, minix): MINIX and QNX find the process from its
 * endpoint or rcvid by an index, not a search. */
struct proc *proc_find(int pid)
{
	struct proc *p = pidmap[(unsigned)pid % PIDMAP];
	if (p && p->pid == pid && LIVE(p->state))
		return p;
	for (int i = 1; i < NPROC; i++)
		if (ptable[i].pid == pid && LIVE(ptable[i].state))
			return &ptable[i];
	return 0;
}

struct proc *proc_find_name(const char *name)
{
	for (int i = 1; i < NPROC; i++)
		if (LIVE(ptable[i].state) && !strcmp(ptable[i].name, name))
			return &ptable[i];
	return 0;
}

#define RESTART_STORM 8   /* deaths in a row before a server ever waited */

/* Start a dead server again with the same image, endpoint and rights.
 * Its slot may be reused by the new process, so read it first. */
static void proc_restart(struct proc *dead)
{
	struct proc old = *dead;
	/* A server that dies again and again before it ever waits for a
	 * request cannot run here (a CPU or hypervisor that does not run the
	 * guest correctly, say a system call that faults at its entry):
	 * restarting it forever would only hide that. A fault injected into a
	 * server fires at a request, so it has waited first. */
	int stillborn = old.waited ? 0 : old.stillborn + 1;
	if (stillborn >= RESTART_STORM)
		panic("restart storm: server %s died %d times in a row before it ever waited for a "
		      "request (status %d); this CPU or hypervisor does not run the guest correctly",
		      old.name, stillborn, old.exit_status);
	model_server(old.server_ep, 0);   /* its address space is gone (a failed restart leaves none) */
	int pid = proc_spawn(old.image->name, old.arg, 0, old.base_prio, &system_account);
	struct proc *np = proc_find(pid);
	kprintf("mkb: server %s (pid %d) died; restarted as pid %d\n", old.name, old.pid, pid);
	if (np) {
		np->restart = 1;
		np->stillborn = stillborn;
		np->io_console = old.io_console;
		np->server_ep = old.server_ep;
		sched_move(np, old.cpu);   /* where it was placed (servers=percpu, servers=last) */
		model_server(np->server_ep, np->cr3);
	}
}

/* Tear p down (not the running stack): off every queue, memory freed,
 * children orphaned, parent woken. p becomes a zombie. */
static void proc_teardown(struct proc *p, int status)
{
	sched_disarm(p);
	if (p->state == P_RUNNABLE)
		sched_unready(p);
	else if (p->state == P_BLOCKED && p->waitobj)
		waitq_remove(p->waitobj, p);
#if !FINE_LOCKS
	mode_proc_exit(p);   /* with fine locks the caller did, without sched_lock */
#endif
	for (int i = 1; i < NPROC; i++)
		if (ptable[i].parent == p) {   /* orphans: init's, which reaps at once */
			ptable[i].parent = 0;
			if (ptable[i].state == P_ZOMBIE) {
				proc_release(&ptable[i]);
				ptable[i].state = P_UNUSED;
			}
		}
	if (p == curproc) {
		lcr3((uint64_t)boot_pml4);
#ifdef MKB_SMP
		smp_cpu()->cr3 = (uint64_t)boot_pml4;   /* no shootdown is owed to this CPU now */
#endif
	}
	proc_free_space(p);
	p->cr3 = (uint64_t)boot_pml4;
	p->state = P_ZOMBIE;
	p->exit_status = status;
	if (!p->parent)
		proc_release(p);   /* nobody waits for it: its slot is free once it stops running */
	if (p->pid == 1) {
		kprintf("mkb: init exited with status %d\n", status);
		qemu_exit(status == 0 ? MKB_EXIT_SUCCESS : MKB_EXIT_FAILURE);
	}
	struct proc *parent = p->parent;
	if (parent && parent->state == P_BLOCKED && parent->wait == W_CHILD &&
	    (parent->wait_pid == -1 || parent->wait_pid == p->pid))
		sched_wakeup(parent);
	if (p->restart)
		proc_restart(p);
}

/* End the current process with status; never returns. */
void proc_exit(int status)
{
#if FINE_LOCKS
	mode_proc_exit(curproc);
	sched_lock();   /* passed on with the switch below */
#endif
	proc_teardown(curproc, status);
	sched_switch_to(sched_pick());
	panic("zombie %d ran", curproc->pid);
}

/* Kill process p (possibly the caller) with status. */
void proc_kill(struct proc *p, int status)
{
	if (p == curproc) {
		sched_unlock();   /* proc_exit takes it again */
		proc_exit(status);
	}
#ifdef MKB_SMP
	if (p->state == P_RUNNING) {   /* on another CPU: it ends itself there, at its */
		p->killed = status ? status : EXIT_KILLED;   /* next kernel entry (proc_killed) */
		smp_resched(p->cpu);
		return;
	}
#endif
#if FINE_LOCKS
	/* Off every queue first, so that no wake-up finds it while its
	 * services' state is undone, which takes their locks: not under ours. */
	sched_disarm(p);
	if (p->state == P_RUNNABLE)
		sched_unready(p);
	else if (p->state == P_BLOCKED && p->waitobj)
		waitq_remove(p->waitobj, p);
	p->state = P_DYING;
	sched_unlock();
	mode_proc_exit(p);
	sched_lock();
#endif
	proc_teardown(p, status);
}

#ifdef MKB_SMP
/* At every kernel entry from ring 3: a process another CPU killed while
 * it ran here ends now, before it can block with the kill pending. */
void proc_killed(void)
{
	if (curproc->killed)
		proc_exit(curproc->killed);
}
#endif

/* Wait for a child (pid, or -1 for any) to end; returns its pid and
 * stores its status, or -E_CHILD if there is no such child. */
#if FINE_LOCKS
int proc_wait_locked(int pid, int *status);

int proc_wait(int pid, int *status)
{
	sched_lock();
	int r = proc_wait_locked(pid, status);
	sched_unlock();
	return r;
}
#else
#define proc_wait_locked proc_wait
#endif

int proc_wait_locked(int pid, int *status)
{
	for (;;) {
		int found = 0;
		for (int i = 1; i < NPROC; i++) {
			struct proc *p = &ptable[i];
			if (p->parent != curproc || p->state == P_UNUSED || (pid != -1 && p->pid != pid))
				continue;
			found = 1;
			if (p->state == P_ZOMBIE) {
				*status = p->exit_status;
				proc_release(p);
				p->state = P_UNUSED;
				p->parent = 0;
				return p->pid;
			}
		}
		if (!found)
			return -E_CHILD;
		curproc->wait_pid = pid;
		sched_block(W_CHILD, 0);
	}
}

/* A ring-3 exception: one console line naming process and fault, then
 * the process dies and the system runs on. */
void proc_fault(struct trapframe *tf, const char *what)
{
	kprintf("mkb: pid %d (%s) killed: %s\n", curproc->pid, curproc->name, what);
	proc_exit(EXIT_FAULT_BASE | (int)tf->vector);
}
