/* mode.c - the micro kernel's mode group: its system-call table (only
 * IPC, notifications, memory mapping and process control; the IPC calls
 * are those of the strategy linked in, ipc/<name>.c) and the start-up of
 * the ring-3 servers. */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"
#include "x86.h"

#define SERVER_PRIO 6

int64_t sys_ep_create(struct sysframe *sf);
int64_t sys_ntfn_create(struct sysframe *sf);
int64_t sys_ntfn_signal(struct sysframe *sf);
int64_t sys_ntfn_wait(struct sysframe *sf);
int64_t sys_map(struct sysframe *sf);
int64_t sys_unmap(struct sysframe *sf);
int64_t sys_ntfn_grant(struct sysframe *sf);
static int64_t sys_replica(struct sysframe *sf);

const char *const mode_name = "micro";

/* The strategy's calls are added by mode_init. */
syscall_fn mode_syscalls[NSYSCALLS] = {
	COMMON_SYSCALLS,
	[SYS_EP_CREATE] = sys_ep_create,
	[SYS_NTFN_CREATE] = sys_ntfn_create,
	[SYS_NTFN_SIGNAL] = sys_ntfn_signal,
	[SYS_NTFN_WAIT] = sys_ntfn_wait,
	[SYS_MAP] = sys_map,
	[SYS_UNMAP] = sys_unmap,
	[SYS_NTFN_GRANT] = sys_ntfn_grant,
	[SYS_REPLICA] = sys_replica,
};

/* Server images: only the kernel starts them (a second file server, or a
 * fake block server, would otherwise be one spawn away). */
static const char *const server_images[] = { "console", "fs", "blk", "sem", "shm" };

int mode_spawn_allowed(const char *image)
{
	for (size_t i = 0; i < sizeof server_images / sizeof server_images[0]; i++)
		if (!strcmp(image, server_images[i]))
			return 0;
	return 1;
}

/* Start a server on its well-known endpoint, on CPU cpu; the kernel
 * restarts it there if it dies. io_console grants it COM1's ports
 * through the TSS bitmap. */
static void server_start(const char *image, const char *arg, int ep, int io_console, int cpu)
{
	int pid = proc_spawn(image, arg, 0, SERVER_PRIO, &system_account);
	struct proc *p = proc_find(pid);
	if (!p)
		panic("cannot start server %s (%d)", image, pid);
	if (ep_alloc_at(ep, p) != ep)
		panic("endpoint %d taken", ep);
	p->restart = 1;
	p->server_ep = ep;
	p->io_console = io_console;
	if (cpu)
		sched_place(p, cpu);
	model_server(ep, p->cr3);
	kprintf("mkb: server %s pid %d ring 3 on endpoint %d%s%s%s\n", image, pid, ep, *arg ? " " : "",
		arg, cpu ? ", on its CPU" : "");
}

/* Start the servers. fsshape=fs+blk on the command line puts the RAM
 * disk in its own block server, two hops from clients; the default
 * (fsshape=fs) keeps it inside the file server. servers=percpu (an SMP
 * kernel) also starts, for every CPU but the first, a file server and a
 * semaphore server pinned to it (EP_FS_OF, EP_SEM_OF: lib/abi.h): a
 * replicated service, each replica with its own state (its own RAM disk:
 * a file lives in the replica it was created in), as a multikernel keeps
 * one per core; a client picks a CPU's (SYS_REPLICA, os_replica) and
 * goes on calling EP_FS and EP_SEM (kernels/micro/ipc.h: ep_get). The
 * default, servers=shared, keeps one of each, on CPU 0; servers=last
 * puts that one of each (and the console and block servers) on the last
 * CPU, leaving CPU 0 to a critical task (the isolation workload,
 * tests/guest/faultload.c; a restarted server keeps its CPU, proc.c). */
static int replicas = 1;   /* CPUs with their own file and semaphore servers */

static int64_t sys_replica(struct sysframe *sf)
{
	uint64_t cpu = ARG0(sf);
	if (cpu >= (uint64_t)ncpu)
		return -E_INVAL;
	if (cpu >= (uint64_t)replicas)
		return -E_NOENT;   /* servers=shared: CPU 0's are everyone's */
	curproc->replica = (int)cpu;
	return 0;
}

void mode_init(const char *cmdline)
{
	char shape[16] = "fs", servers[16] = "shared", arg[96], fault[48] = "", farg[64] = "";
	for (const struct ipc_sysent *e = ipc_syscalls; e->fn; e++)
		mode_syscalls[e->num] = e->fn;
	kprintf("mkb: ipc strategy %s\n", ipc_name);
	ipc_init(cmdline);
	fmt_getarg(cmdline, "fsshape", shape, sizeof shape);
	if (strcmp(shape, "fs") && strcmp(shape, "fs+blk"))
		panic("fsshape=%s: use fsshape=fs or fsshape=fs+blk", shape);
	fmt_getarg(cmdline, "servers", servers, sizeof servers);
#ifdef MKB_SMP
	if (strcmp(servers, "shared") && strcmp(servers, "percpu") && strcmp(servers, "last"))
		panic("servers=%s: use servers=shared, servers=percpu or servers=last", servers);
	replicas = !strcmp(servers, "percpu") ? ncpu : 1;
	if (ncpu == 1 && strcmp(servers, "shared"))
		panic("servers=%s: needs several CPUs (an SMP kernel, CPUS=2 or 4)", servers);
	int home = !strcmp(servers, "last") ? ncpu - 1 : 0;   /* the shared servers' CPU */
#else   /* the uniprocessor kernel's code stays what it was (smp.h) */
	if (strcmp(servers, "shared") && strcmp(servers, "percpu"))
		panic("servers=%s: one CPU has servers=shared only (servers=percpu and servers=last "
		      "need several CPUs: an SMP kernel, CPUS=2 or 4)", servers);
	replicas = !strcmp(servers, "percpu") ? ncpu : 1;
	if (replicas == 1 && strcmp(servers, "shared"))
		panic("servers=percpu: needs several CPUs (an SMP kernel, CPUS=2 or 4)");
	enum { home = 0 };
#endif
	server_start("console", "", EP_CONSOLE, 1, home);
	if (!strcmp(shape, "fs+blk"))
		server_start("blk", "", EP_BLK, 0, home);
	if (fmt_getarg(cmdline, "fault", fault, sizeof fault) >= 0)   /* fault injection (fault.h) */
		fmt_snprintf(farg, sizeof farg, "fault=%s", fault);
	fmt_snprintf(arg, sizeof arg, "shape=%s%s%s", shape, *farg ? " " : "", farg);
	server_start("fs", arg, EP_FS, 0, home);
	server_start("sem", farg, EP_SEM, 0, home);
	for (int c = 1; c < replicas; c++) {   /* servers=percpu: each on its endpoint, RAM disk inside */
		fmt_snprintf(arg, sizeof arg, "shape=fs ep=%d%s%s", EP_FS_OF(c), *farg ? " " : "", farg);
		server_start("fs", arg, EP_FS_OF(c), 0, c);
		fmt_snprintf(arg, sizeof arg, "ep=%d%s%s", EP_SEM_OF(c), *farg ? " " : "", farg);
		server_start("sem", arg, EP_SEM_OF(c), 0, c);
	}
	server_start("shm", farg, EP_SHM, 0, home);
	endpoints[EP_BLK].call_ep = EP_FS;   /* raw blocks: the file server's alone */
}
