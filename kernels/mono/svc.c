/*
 * svc.c - the mono kernel's services: the file system (on a RAM disk),
 * semaphores and shared-memory segments from services/, linked into the
 * kernel and reached by system calls. Each handler checks and copies its
 * user arguments, then calls the same service function the micro
 * kernel's servers call. Results are the services' SVC_E* codes.
 */
#include "defs.h"
#include "kpages.h"
#include "quota.h"
#include "fault.h"
#include "proc.h"
#include "syscall.h"
#include "fs.h"
#include "ramdisk.h"
#include "sem.h"
#include "shm.h"
#include "svc_share.h"
#include "svc_err.h"
#include "svcproto.h"

#define DISK_BYTES (4u << 20)
/* One bounce buffer as large as the largest request, so a read or write
 * is one file-system call, exactly as in the micro file server. */
#define CHUNK FS_IO_MAX

static uint8_t disk[DISK_BYTES] __attribute__((aligned(4096)));
static struct ramdisk rd;
static struct blkdev dev;
static struct fs fs;
static struct sem_table sems;
static struct shm_table shms;
static struct waitq sem_waiters;
static uint8_t bounce[CHUNK];
/* Several CPUs (the SMP kernel's fine locks, smp.h): one lock per
 * service, held across a request (IN); a semaphore wait sleeps without
 * its lock (svc_sleep, kpages.h). */
LOCK_DEFINE(fs_lk);
LOCK_DEFINE(sem_lk);
LOCK_DEFINE(shm_lk);
#if FINE_LOCKS
#define IN(lk, call) ({ spin_lock(&(lk)); int64_t r_ = (call); spin_unlock(&(lk)); r_; })
#else
#define IN(lk, call) (call)
#endif

static uintptr_t pager_alloc(void *ctx)
{
	(void)ctx;
	return (uintptr_t)page_alloc();
}

static void pager_free(void *ctx, uintptr_t page)
{
	(void)ctx;
	page_free((void *)page);
}

static const struct shm_pager pager = { 0, pager_alloc, pager_free };

/* fault.h's environment in the mono kernel: the line goes to the
 * console; an early exit skips the request (the call returns as if done). */
void fault_say(const char *line) { kprintf("%s", line); }
int fault_exit(void) { return 2; }

/* A request of service svc: run its fault if due. Returns 0 to go on, 1 to
 * corrupt the result, 2 to skip the request. */
static int svc_fault(const char *svc) { return fault_point(svc); }

void svc_init(const char *cmdline)
{
	char spec[48];
	if (fmt_getarg(cmdline, "fault", spec, sizeof spec) >= 0)
		for (const char *const *svc = (const char *const[]){ "fs", "sem", "shm", 0 }; *svc; svc++)
			fault_configure(*svc, spec, 0);
	if (ramdisk_init(&rd, disk, sizeof disk, FS_BLOCK_SIZE, &dev) < 0 || fs_format(&fs, &dev) < 0)
		panic("cannot format the RAM disk");
	sem_init(&sems);
	shm_init(&shms, &pager);
}

/* A service is gone for a dead process: handles, queue places, maps. */
void svc_proc_exit(struct proc *p)
{
	svc_lock(fs_lk);
	fs_close_owner(&fs, (uint32_t)p->pid);
	svc_unlock(fs_lk);
	svc_lock(sem_lk);
	sem_cancel(&sems, (uint32_t)p->pid);
	sem_owner_gone(&sems, (uint32_t)p->pid);
	svc_unlock(sem_lk);
	svc_lock(shm_lk);
	shm_owner_gone(&shms, (uint32_t)p->pid);
	svc_unlock(shm_lk);
}

static int get_name(char *name, uint64_t uva)
{
	int r = copyinstr(name, uva, FS_NAME_MAX + 2);
	return r == -E_INVAL ? SVC_ENAMETOOLONG : r < 0 ? SVC_EFAULT : 0;
}

static int64_t sys_fs_create_body(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	return r < 0 ? r : fs_create(&fs, name);
}

/* The process tree of the live process pid, or -1 (svc_share.h). */
static int tree_of(uint32_t pid)
{
	sched_lock();
	struct proc *p = proc_find((int)pid);
	int id = p ? account_id(p->acct) : -1;
	sched_unlock();
	return id;
}

/* Does the caller's tree hold its share of a table (svc_share.h)? The
 * system's own processes have no share to keep. */
#define TREE_FULL(arr, n) SVC_TREE_FULL(arr, n, account_id(curproc->acct), tree_of)

static int64_t sys_fs_open_body(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	if (r < 0)
		return r;
	static unsigned files_hw;
	if (svc_share_possible(files_hw, FS_MAX_OPEN) && TREE_FULL(fs.files, FS_MAX_OPEN))
		return SVC_EDQUOT;
	r = fs_open(&fs, (uint32_t)curproc->pid, name, (uint32_t)ARG1(sf));
	svc_share_used(&files_hw, r);
	return r;
}

SVC_LOCKED(sys_fs_unlink, fs_lk)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	return r < 0 ? r : fs_unlink(&fs, name);
}

SVC_LOCKED(sys_fs_stat, fs_lk)
{
	char name[FS_NAME_MAX + 2];
	struct fs_stat st;
	int r = get_name(name, ARG0(sf));
	if (r < 0 || (r = fs_stat(&fs, name, &st)) < 0)
		return r;
	return copyout(ARG1(sf), &st, sizeof st) < 0 ? SVC_EFAULT : 0;
}

/* Read or write through the bounce buffer (one chunk: len <= FS_IO_MAX). */
static int64_t sys_fs_read_body(struct sysframe *sf)
{
	uint64_t ubuf = ARG1(sf), len = ARG2(sf), done = 0;
	int h = (int)ARG0(sf);
	if (len > FS_IO_MAX)
		return SVC_EINVAL;
	if (!vm_check(curproc->pml4, ubuf, len, 1))
		return SVC_EFAULT;
	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		int r = fs_read(&fs, (uint32_t)curproc->pid, h, bounce, n);
		if (r < 0)
			return done ? (int64_t)done : r;
		copyout(ubuf + done, bounce, (size_t)r);
		done += (uint64_t)r;
		if ((size_t)r < n)
			break;
	}
	return (int64_t)done;
}

static int64_t sys_fs_write_body(struct sysframe *sf)
{
	uint64_t ubuf = ARG1(sf), len = ARG2(sf), done = 0;
	int h = (int)ARG0(sf);
	if (len > FS_IO_MAX)
		return SVC_EINVAL;
	if (!vm_check(curproc->pml4, ubuf, len, 0))
		return SVC_EFAULT;
	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		copyin(bounce, ubuf + done, n);
		int r = fs_write(&fs, (uint32_t)curproc->pid, h, bounce, n);
		if (r < 0)
			return done ? (int64_t)done : r;
		done += (uint64_t)r;
	}
	return (int64_t)done;
}

int64_t sys_fs_seek(struct sysframe *sf)
{
	return IN(fs_lk, fs_seek(&fs, (uint32_t)curproc->pid, (int)ARG0(sf), (int32_t)ARG1(sf),
				 (int)ARG2(sf)));
}

int64_t sys_fs_close(struct sysframe *sf)
{
	return IN(fs_lk, fs_close(&fs, (uint32_t)curproc->pid, (int)ARG0(sf)));
}

static int64_t sys_sem_create_body(struct sysframe *sf)
{
	if (TREE_FULL(sems.sems, SEM_MAX))
		return SVC_EDQUOT;
	return sem_create_for(&sems, (int32_t)ARG0(sf), (uint32_t)curproc->pid);
}

/* May the caller use semaphore id (svc_share.h)? 0 (or, for no such
 * semaphore, what the call itself will answer), or SVC_EPERM. */
static inline int sem_may(int id, int destroy)
{
	int owner = sem_owner(&sems, id);
	return owner <= 0 || kobj_may_use(owner, destroy) ? 0 : SVC_EPERM;
}

SVC_LOCKED(sys_sem_destroy, sem_lk)
{
	int r = sem_may((int)ARG0(sf), 1);
	return r < 0 ? r : sem_destroy(&sems, (int)ARG0(sf));
}

/* Wait: take a unit, or queue in the service and block until a post
 * hands us one (the post wakes exactly the waiter it chose). */
static int64_t sys_sem_wait_body(struct sysframe *sf)
{
	int r = sem_may((int)ARG0(sf), 0);
	if (r < 0)
		return r;
	r = sem_wait(&sems, (int)ARG0(sf), (uint32_t)curproc->pid);
	if (r != SVC_EWOULDBLOCK)
		return r;
	svc_sleep(W_SVC, &sem_waiters, sem_lk);
	return 0;
}

static int64_t sys_sem_post_body(struct sysframe *sf)
{
	uint32_t woken;
	int r = sem_may((int)ARG0(sf), 0);
	if (r < 0)
		return r;
	r = sem_post(&sems, (int)ARG0(sf), &woken);
#if FINE_LOCKS
	/* The waiter the unit went to may be dying on another CPU (killed,
	 * its queue place not yet cancelled): post again, to the next waiter
	 * or to the count, so the unit is not lost with it. */
	while (r == 1) {
		sched_lock();
		struct proc *p = proc_find((int)woken);
		int ok = p && p->state == P_BLOCKED && p->wait == W_SVC;
		if (ok)
			sched_wakeup(p);
		sched_unlock();
		r = ok ? 0 : sem_post(&sems, (int)ARG0(sf), &woken);
	}
#else
	if (r == 1) {
		struct proc *p = proc_find((int)woken);
		if (p && p->state == P_BLOCKED && p->wait == W_SVC)
			sched_wakeup(p);
		r = 0;
	}
#endif
	return r;
}

static int64_t sys_shm_create_body(struct sysframe *sf)
{
	if (TREE_FULL(shms.segs, SHM_MAX))
		return SVC_EDQUOT;
	return shm_create(&shms, (uint32_t)ARG0(sf), (size_t)ARG1(sf), (uint32_t)curproc->pid);
}

/* Map the segment's pages at its slot's fixed address in the caller. */
static int64_t sys_shm_attach_body(struct sysframe *sf)
{
	static uintptr_t pages[SHM_MAX_PAGES];
	int id = (int)ARG0(sf);
	struct shm_info info;   /* its owner's and the owner's children's (svc_share.h) */
	if (shm_info(&shms, id, &info) == 0 && info.owner && !kobj_may_use((int)info.owner, 0))
		return SVC_EPERM;
	int n = shm_attach(&shms, id, (uint32_t)curproc->pid, pages);
	if (n < 0)
		return n;
	uint64_t va = SHM_BASE + (uint64_t)(id % SHM_MAX) * SHM_SPAN;
	for (int i = 0; i < n; i++) {
		if (vm_translate(curproc->pml4, va + (uint64_t)i * PGSIZE, 0))
			continue;   /* attached before */
		if (vm_map_shared(curproc->pml4, va + (uint64_t)i * PGSIZE, pages[i], 1) < 0) {
			vm_unmap(curproc->pml4, va, (uint64_t)i);
			shm_detach(&shms, id, (uint32_t)curproc->pid);
			return SVC_ENOMEM;
		}
	}
	return (int64_t)va;
}

SVC_LOCKED(sys_shm_detach, shm_lk)
{
	int id = (int)ARG0(sf);
	struct shm_info info;
	if (shm_info(&shms, id, &info) < 0)
		return SVC_ENOENT;
	int r = shm_detach(&shms, id, (uint32_t)curproc->pid);
	if (r >= 0)
		vm_unmap(curproc->pml4, SHM_BASE + (uint64_t)(id % SHM_MAX) * SHM_SPAN, info.npages);
	return r < 0 ? r : 0;
}

/* The fault-injected entry points (fault.h): each request of a service
 * may run its fault first (svc_fault: 1 corrupts the result, 2 skips the
 * request, as an early exit would). */
static inline int64_t faulted(const char *svc, int64_t (*body)(struct sysframe *),
			      struct sysframe *sf)
{
	if (!fault_armed)   /* no plan: the plain call */
		return body(sf);
	int f = svc_fault(svc);
	if (f == 2)
		return 0;
	int64_t r = body(sf);
	return f ? r ^ 1 : r;
}

int64_t sys_fs_open(struct sysframe *sf) { return IN(fs_lk, faulted("fs", sys_fs_open_body, sf)); }
int64_t sys_fs_create(struct sysframe *sf) { return IN(fs_lk, faulted("fs", sys_fs_create_body, sf)); }
int64_t sys_fs_read(struct sysframe *sf) { return IN(fs_lk, faulted("fs", sys_fs_read_body, sf)); }
int64_t sys_fs_write(struct sysframe *sf) { return IN(fs_lk, faulted("fs", sys_fs_write_body, sf)); }
int64_t sys_sem_wait(struct sysframe *sf) { return IN(sem_lk, faulted("sem", sys_sem_wait_body, sf)); }
int64_t sys_sem_post(struct sysframe *sf) { return IN(sem_lk, faulted("sem", sys_sem_post_body, sf)); }
int64_t sys_sem_create(struct sysframe *sf) { return IN(sem_lk, faulted("sem", sys_sem_create_body, sf)); }
int64_t sys_shm_create(struct sysframe *sf) { return IN(shm_lk, faulted("shm", sys_shm_create_body, sf)); }
int64_t sys_shm_attach(struct sysframe *sf) { return IN(shm_lk, faulted("shm", sys_shm_attach_body, sf)); }
