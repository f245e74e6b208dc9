/*
 * syscall.c - system-call set-up, dispatch through the mode's table, and
 * the handlers both kernels share (process control, counters). Every
 * user pointer goes through copyin/copyout/copyinstr (vm.c).
 */
#include "defs.h"
#include "proc.h"
#include "quota.h"
#include "syscall.h"
#include "x86.h"

extern void syscall_entry(void), syscall_compat_entry(void);

/* A handler of the process table: under sched_lock with the SMP kernel's
 * fine locks (mono, smp.h), as it is; the plain function otherwise. */
#if FINE_LOCKS
#define SCHED_LOCKED(fn) \
	static int64_t fn##_locked(struct sysframe *sf); \
	int64_t fn(struct sysframe *sf) \
	{ \
		sched_lock(); \
		int64_t r = fn##_locked(sf); \
		sched_unlock(); \
		return r; \
	} \
	static int64_t fn##_locked(struct sysframe *sf)
#else
#define SCHED_LOCKED(fn) int64_t fn(struct sysframe *sf)
#endif
struct kcounters kstat;

/* syscall/sysret set-up. Only 64-bit code may enter: a syscall from
 * 32-bit compatibility mode lands in syscall_compat_entry (CSTAR), and
 * SYSENTER_CS = 0 makes sysenter a #GP in ring 3. FMASK clears every flag
 * a user could set to disturb the kernel: IF (the kernel runs with
 * interrupts off), TF, DF (string copies run forwards), NT (a later iretq
 * would fault in ring 0) and AC (SMAP stays in force). */
void syscall_init(void)
{
	wrmsr(MSR_STAR, ((uint64_t)0x18 << 48) | ((uint64_t)SEG_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
	wrmsr(MSR_SYSENTER_CS, 0);
	wrmsr(MSR_SYSENTER_ESP, 0);
	wrmsr(MSR_SYSENTER_EIP, 0);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
}

/* Called by syscall_compat_entry: kill the caller. */
void syscall_compat(void)
{
	kernel_lock();
	kstat.kentries++;
	kprintf("mkb: pid %d (%s) killed: syscall from 32-bit compatibility mode\n",
		curproc->pid, curproc->name);
	proc_exit(EXIT_FAULT_BASE | 13);
}

/* Called by syscall.S with the saved frame; the result goes to rax. */
void syscall_dispatch(struct sysframe *sf)
{
	kernel_lock();   /* SMP: the big kernel lock (smp.h); nothing on one CPU */
	kstat.kentries++;
	curproc->sf = sf;
#ifdef MKB_SMP
	proc_killed();
#endif
	uint64_t n = sf->rax;
	sf->rax = (uint64_t)(n < NSYSCALLS && mode_syscalls[n] ? mode_syscalls[n](sf) : -E_NOSYS);
	kernel_unlock();
#if FINE_LOCKS
	sched_preempt();
#endif
}

int64_t sys_null(struct sysframe *sf)
{
	(void)sf;
	return 0;
}

int64_t sys_exit(struct sysframe *sf)
{
	proc_exit((int)ARG0(sf) & 0xFFF);
}

int64_t sys_spawn(struct sysframe *sf)
{
	char name[PNAME_MAX], arg[USER_ARG_MAX];
	int r = copyinstr(name, ARG0(sf), sizeof name);
	if (r < 0)
		return r;
	if (ARG1(sf)) {
		if ((r = copyinstr(arg, ARG1(sf), sizeof arg)) < 0)
			return r;
	} else {
		arg[0] = '\0';
	}
	if (!mode_spawn_allowed(name))
		return -E_PERM;   /* a server image: only the kernel starts those */
	/* A child of init starts a process tree of its own (a session, with
	 * its own limits: quota.h); so does one spawned with SPAWN_NEW_TREE
	 * by a process that may (PRIV_TREE). Every other child joins its
	 * parent's tree. */
	struct proc *cur = curproc;
	struct account *acct = cur->acct;
	if (ARG2(sf) & SPAWN_NEW_TREE && !(cur->privs & PRIV_TREE))
		return -E_PERM;
	if (cur->pid == 1 || ARG2(sf) & SPAWN_NEW_TREE) {
		if (!(acct = account_new()))
			return -E_NOMEM;
	} else {
		account_hold(acct);   /* held across the spawn, as a new one is */
	}
	sched_lock();
	int pid = proc_spawn(name, arg, cur, cur->prio, acct);
	account_drop(acct);   /* the child holds it now, if it was made */
	struct proc *p = pid > 0 ? proc_find(pid) : 0;
	if (p)
		p->privs = cur->privs & (unsigned)ARG2(sf) & PRIV_ALL;
	sched_unlock();
	return pid;
}

int64_t sys_wait(struct sysframe *sf)
{
	int status = 0;
	int pid = (int)ARG0(sf);
	if (ARG1(sf) && !vm_user_range_ok(ARG1(sf), sizeof status))
		return -E_FAULT;
	int r = proc_wait(pid, &status);
	if (r > 0 && ARG1(sf) && copyout(ARG1(sf), &status, sizeof status) < 0)
		return -E_FAULT;
	return r;
}

/* Kill a process: ourself, a child, or (with PRIV_KILL) any but init. */
SCHED_LOCKED(sys_kill)
{
	struct proc *p = proc_find((int)ARG0(sf)), *cur = curproc;
	if (!p || p == idleproc)
		return -E_SRCH;
	if (p != cur && (p->pid == 1 || (p->parent != cur && !(cur->privs & PRIV_KILL))))
		return -E_PERM;
	proc_kill(p, EXIT_KILLED);
	return 0;
}

/* What a process may learn of others: a server (it answers clients it
 * must tell apart) anything; anyone else itself and its children. */
static int may_ask_about(int pid)
{
	struct proc *cur = curproc, *p = proc_find(pid);
	return cur->server_ep >= 0 || pid == cur->pid || (p && p->parent == cur);
}

/* (pid, of): does pid live (and is it of, or of's child)? */
SCHED_LOCKED(sys_proc_alive)
{
	int pid = (int)ARG0(sf), of = (int)ARG1(sf);
	if (!may_ask_about(pid))
		return -E_PERM;
	struct proc *p = proc_find(pid);
	if (!p)
		return 0;
	return !of || p->pid == of || (p->parent && p->parent->pid == of);
}

/* (pid): the process tree pid is in (quota.h), for a server keeping a
 * tree's share of its own tables. */
SCHED_LOCKED(sys_proc_tree)
{
	struct proc *p = proc_find((int)ARG0(sf));
	if (curproc->server_ep < 0)
		return -E_PERM;
	return p ? account_id(p->acct) : -E_SRCH;
}

/* (pid or 0, prio): give ourself or a child a base priority from 1 to
 * our own (no one can raise anyone above where it stands); a process that
 * lowered itself lets the higher ones run. prio 0 only asks: -> its base
 * priority. */
SCHED_LOCKED(sys_set_prio)
{
	struct proc *cur = curproc, *p = ARG0(sf) ? proc_find((int)ARG0(sf)) : cur;
	if (!p)
		return -E_SRCH;
	if (p != cur && p->parent != cur)
		return -E_PERM;
	if (!ARG1(sf))
		return p->base_prio;
	if (ARG1(sf) > (uint64_t)cur->base_prio)
		return -E_INVAL;
	p->base_prio = (int)ARG1(sf);
	sched_set_prio(p, p->base_prio);
	if (p == cur)
		sched_yield();
	return 0;
}

/* (pid or 0, cpu): ourself or a child runs on cpu from now on (its
 * affinity: nothing else moves it). A runnable one moves to that CPU's
 * run queue; one running on another CPU moves when that CPU next enters
 * the kernel (an IPI makes it); the caller moves at once. */
SCHED_LOCKED(sys_set_cpu)
{
	struct proc *cur = curproc, *p = ARG0(sf) ? proc_find((int)ARG0(sf)) : cur;
#ifdef MKB_SMP
	/* A child that has ended (and is not yet waited for) runs nowhere
	 * from now on: done, as Linux's sched_setaffinity answers for a
	 * zombie. A parent placing a child it just started may find it so: on
	 * the parent's CPU it may have run to its end before the parent ran
	 * again (bench/wl_clients.c, client 0). */
	for (int i = 1; !p && ARG0(sf) && i < NPROC; i++)
		if (ptable[i].pid == (int)ARG0(sf) && ptable[i].state == P_ZOMBIE &&
		    ptable[i].parent == cur)
			return ARG1(sf) < (uint64_t)ncpu ? 0 : -E_INVAL;
#endif
	if (!p)
		return -E_SRCH;
	if (p != cur && p->parent != cur)
		return -E_PERM;
	if (ARG1(sf) >= (uint64_t)ncpu)
		return -E_INVAL;
	int from = p->cpu, to = (int)ARG1(sf);
	if (from == to)
		return 0;
	if (p->state == P_RUNNABLE) {
		sched_unready(p);
		p->cpu = to;
		sched_ready(p);
	} else {
		p->cpu = to;
	}
#ifdef MKB_SMP
	if (p == cur) {
		cur->sf->rax = 0;
		sched_yield();   /* queued on its new CPU; this one picks another */
	} else if (p->state == P_RUNNING) {
		smp_resched(from);
	}
#endif
	return 0;
}

#ifdef MKB_SMP
/* (query): this CPU's next tick, or a tick's length (smp.c: smp_tick_wait). */
SCHED_LOCKED(sys_tick_wait)
{
	return smp_tick_wait(ARG0(sf) != 0);
}
#endif

/* () -> the CPU the caller runs on, and how many there are (<< 16). */
int64_t sys_get_cpu(struct sysframe *sf)
{
	(void)sf;
	return cpu_id() | (int64_t)ncpu << 16;
}

int64_t sys_yield(struct sysframe *sf)
{
	(void)sf;
	sched_lock();
	sched_yield();
	sched_unlock();
	return 0;
}

int64_t sys_getpid(struct sysframe *sf)
{
	(void)sf;
	return curproc->pid;
}

SCHED_LOCKED(sys_findproc)
{
	char name[PNAME_MAX];
	int r = copyinstr(name, ARG0(sf), sizeof name);
	if (r < 0)
		return r;
	struct proc *p = proc_find_name(name);   /* a server, or a child of ours */
	return p && (p->server_ep >= 0 || p->parent == curproc) ? p->pid : -E_SRCH;
}

int64_t sys_counters(struct sysframe *sf)
{
	return copyout(ARG0(sf), &kstat, sizeof kstat);
}

/* Write straight to the kernel console (diagnostics; bypasses servers). */
int64_t sys_debug_write(struct sysframe *sf)
{
	char buf[256];
	uint64_t len = ARG1(sf);
	if (len > sizeof buf)
		return -E_INVAL;
	int r = copyin(buf, ARG0(sf), len);
	if (r < 0)
		return r;
	console_write(buf, len);
	return (int64_t)len;
}
