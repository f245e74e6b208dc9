/* mode.c - the mono kernel's mode group: its system-call table, which
 * reaches the in-kernel services (console, pipes, futexes, message
 * queues, file system, semaphores, shared memory: svc.c) directly. */
#include "defs.h"
#include "proc.h"
#include "syscall.h"

int64_t sys_write(struct sysframe *sf);
int64_t sys_pipe(struct sysframe *sf);
int64_t sys_pipe_write(struct sysframe *sf);
int64_t sys_pipe_read(struct sysframe *sf);
int64_t sys_pipe_close(struct sysframe *sf);
int64_t sys_fs_create(struct sysframe *sf);
int64_t sys_fs_open(struct sysframe *sf);
int64_t sys_fs_read(struct sysframe *sf);
int64_t sys_fs_write(struct sysframe *sf);
int64_t sys_fs_seek(struct sysframe *sf);
int64_t sys_fs_close(struct sysframe *sf);
int64_t sys_fs_unlink(struct sysframe *sf);
int64_t sys_fs_stat(struct sysframe *sf);
int64_t sys_sem_create(struct sysframe *sf);
int64_t sys_sem_wait(struct sysframe *sf);
int64_t sys_sem_post(struct sysframe *sf);
int64_t sys_sem_destroy(struct sysframe *sf);
int64_t sys_shm_create(struct sysframe *sf);
int64_t sys_shm_attach(struct sysframe *sf);
int64_t sys_shm_detach(struct sysframe *sf);
void svc_init(const char *cmdline);
void svc_proc_exit(struct proc *p);
void pipe_proc_exit(struct proc *p);
void mq_proc_exit(struct proc *p);
int64_t sys_futex_wait(struct sysframe *sf);
int64_t sys_futex_wake(struct sysframe *sf);
int64_t sys_mq_create(struct sysframe *sf);
int64_t sys_mq_send(struct sysframe *sf);
int64_t sys_mq_receive(struct sysframe *sf);
int64_t sys_mq_close(struct sysframe *sf);

const char *const mode_name = "mono";

syscall_fn mode_syscalls[NSYSCALLS] = {
	COMMON_SYSCALLS,
	[SYS_WRITE] = sys_write,
	[SYS_PIPE] = sys_pipe,
	[SYS_PIPE_WRITE] = sys_pipe_write,
	[SYS_PIPE_READ] = sys_pipe_read,
	[SYS_PIPE_CLOSE] = sys_pipe_close,
	[SYS_FS_CREATE] = sys_fs_create,
	[SYS_FS_OPEN] = sys_fs_open,
	[SYS_FS_READ] = sys_fs_read,
	[SYS_FS_WRITE] = sys_fs_write,
	[SYS_FS_SEEK] = sys_fs_seek,
	[SYS_FS_CLOSE] = sys_fs_close,
	[SYS_FS_UNLINK] = sys_fs_unlink,
	[SYS_FS_STAT] = sys_fs_stat,
	[SYS_SEM_CREATE] = sys_sem_create,
	[SYS_SEM_WAIT] = sys_sem_wait,
	[SYS_SEM_POST] = sys_sem_post,
	[SYS_SEM_DESTROY] = sys_sem_destroy,
	[SYS_SHM_CREATE] = sys_shm_create,
	[SYS_SHM_ATTACH] = sys_shm_attach,
	[SYS_SHM_DETACH] = sys_shm_detach,
	[SYS_FUTEX_WAIT] = sys_futex_wait,
	[SYS_FUTEX_WAKE] = sys_futex_wake,
	[SYS_MQ_CREATE] = sys_mq_create,
	[SYS_MQ_SEND] = sys_mq_send,
	[SYS_MQ_RECEIVE] = sys_mq_receive,
	[SYS_MQ_CLOSE] = sys_mq_close,
};

void mode_init(const char *cmdline)
{
	svc_init(cmdline);
}

void mode_proc_start(struct proc *p) { (void)p; }

void mode_proc_exit(struct proc *p)
{
	svc_proc_exit(p);
	pipe_proc_exit(p);
	mq_proc_exit(p);
}

/* The mono kernel has no server images: every image may be spawned. */
int mode_spawn_allowed(const char *image)
{
	(void)image;
	return 1;
}

/* Console output lives in the kernel: copy in and write to COM1. */
int64_t sys_write(struct sysframe *sf)
{
	char buf[256];
	uint64_t ubuf = ARG0(sf), len = ARG1(sf), done = 0;
	if (!vm_user_range_ok(ubuf, len))
		return -E_FAULT;
	while (done < len) {
		uint64_t n = len - done < sizeof buf ? len - done : sizeof buf;
		if (copyin(buf, ubuf + done, n) < 0)
			return done ? (int64_t)done : -E_FAULT;
		console_write(buf, n);
		done += n;
	}
	return (int64_t)len;
}
