/*
 * svc.c - the mono kernel's services: the file system (on a RAM disk),
 * semaphores and shared-memory segments from services/, linked into the
 * kernel and reached by system calls. Each handler checks and copies its
 * user arguments, then calls the same service function the micro
 * kernel's servers call. Results are the services' SVC_E* codes.
 */
#include "defs.h"
#include "proc.h"
#include "syscall.h"
#include "fs.h"
#include "ramdisk.h"
#include "sem.h"
#include "shm.h"
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

void svc_init(void)
{
	if (ramdisk_init(&rd, disk, sizeof disk, FS_BLOCK_SIZE, &dev) < 0 || fs_format(&fs, &dev) < 0)
		panic("cannot format the RAM disk");
	sem_init(&sems);
	shm_init(&shms, &pager);
}

/* A service is gone for a dead process: handles, queue places, maps. */
void svc_proc_exit(struct proc *p)
{
	fs_close_owner(&fs, (uint32_t)p->pid);
	sem_cancel(&sems, (uint32_t)p->pid);
	sem_owner_gone(&sems, (uint32_t)p->pid);
	shm_owner_gone(&shms, (uint32_t)p->pid);
}

static int get_name(char *name, uint64_t uva)
{
	int r = copyinstr(name, uva, FS_NAME_MAX + 2);
	return r == -E_INVAL ? SVC_ENAMETOOLONG : r < 0 ? SVC_EFAULT : 0;
}

int64_t sys_fs_create(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	return r < 0 ? r : fs_create(&fs, name);
}

int64_t sys_fs_open(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	return r < 0 ? r : fs_open(&fs, (uint32_t)curproc->pid, name, (uint32_t)ARG1(sf));
}

int64_t sys_fs_unlink(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	int r = get_name(name, ARG0(sf));
	return r < 0 ? r : fs_unlink(&fs, name);
}

int64_t sys_fs_stat(struct sysframe *sf)
{
	char name[FS_NAME_MAX + 2];
	struct fs_stat st;
	int r = get_name(name, ARG0(sf));
	if (r < 0 || (r = fs_stat(&fs, name, &st)) < 0)
		return r;
	return copyout(ARG1(sf), &st, sizeof st) < 0 ? SVC_EFAULT : 0;
}

/* Read or write through the bounce buffer (one chunk: len <= FS_IO_MAX). */
int64_t sys_fs_read(struct sysframe *sf)
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

int64_t sys_fs_write(struct sysframe *sf)
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
	return fs_seek(&fs, (uint32_t)curproc->pid, (int)ARG0(sf), (int32_t)ARG1(sf), (int)ARG2(sf));
}

int64_t sys_fs_close(struct sysframe *sf)
{
	return fs_close(&fs, (uint32_t)curproc->pid, (int)ARG0(sf));
}

int64_t sys_sem_create(struct sysframe *sf)
{
	return sem_create_for(&sems, (int32_t)ARG0(sf), (uint32_t)curproc->pid);
}

int64_t sys_sem_destroy(struct sysframe *sf)
{
	return sem_destroy(&sems, (int)ARG0(sf));
}

/* Wait: take a unit, or queue in the service and block until a post
 * hands us one (the post wakes exactly the waiter it chose). */
int64_t sys_sem_wait(struct sysframe *sf)
{
	int r = sem_wait(&sems, (int)ARG0(sf), (uint32_t)curproc->pid);
	if (r != SVC_EWOULDBLOCK)
		return r;
	sched_block(W_SVC, &sem_waiters);
	return 0;
}

int64_t sys_sem_post(struct sysframe *sf)
{
	uint32_t woken;
	int r = sem_post(&sems, (int)ARG0(sf), &woken);
	if (r == 1) {
		struct proc *p = proc_find((int)woken);
		if (p && p->state == P_BLOCKED && p->wait == W_SVC)
			sched_wakeup(p);
		r = 0;
	}
	return r;
}

int64_t sys_shm_create(struct sysframe *sf)
{
	return shm_create(&shms, (uint32_t)ARG0(sf), (size_t)ARG1(sf), (uint32_t)curproc->pid);
}

/* Map the segment's pages at its slot's fixed address in the caller. */
int64_t sys_shm_attach(struct sysframe *sf)
{
	static uintptr_t pages[SHM_MAX_PAGES];
	int id = (int)ARG0(sf);
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

int64_t sys_shm_detach(struct sysframe *sf)
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
