/* os_mono.c - os_* for the mono kernel: the console, channels, files,
 * semaphores and shared memory are system calls into in-kernel services. A channel is two packet pipes,
 * requests one way and replies the other: ch = req | resp << 16. */
#include "os.h"
#include "syscall.h"

const char os_mode[] = "mono";
const char os_chan_variant[] = "pipe";
const char *const os_ipc = "mono";

long os_write(const void *buf, size_t len)
{
	return syscall3(SYS_WRITE, (uint64_t)buf, len, 0);
}

long os_chan_create(void)
{
	long a = syscall3(SYS_PIPE, 0, 0, 0), b;
	if (a < 0)
		return a;
	if ((b = syscall3(SYS_PIPE, 0, 0, 0)) < 0) {
		syscall3(SYS_PIPE_CLOSE, (uint64_t)a, 0, 0);
		return b;
	}
	return a | b << 16;
}

long os_chan_call(long ch, const void *req, size_t len, void *resp, size_t cap)
{
	long r = syscall3(SYS_PIPE_WRITE, (uint64_t)(ch & 0xFFFF), (uint64_t)req, len);
	if (r < 0)
		return r;
	return syscall3(SYS_PIPE_READ, (uint64_t)(ch >> 16), (uint64_t)resp, cap);
}

long os_chan_recv(long ch, void *req, size_t cap)
{
	return syscall3(SYS_PIPE_READ, (uint64_t)(ch & 0xFFFF), (uint64_t)req, cap);
}

static long chan_reply(long ch, const void *resp, size_t len)
{
	return syscall3(SYS_PIPE_WRITE, (uint64_t)(ch >> 16), (uint64_t)resp, len);
}

long os_chan_defer(long ch)
{
	(void)ch;
	return 0;   /* the answer goes on ch's reply pipe, whoever waits there */
}
long os_chan_answer(long ch, long token)
{
	(void)token;
	static const char none;   /* an empty packet still names a buffer */
	long r = chan_reply(ch, &none, 0);
	return r < 0 ? r : 0;
}
long os_chan_ool(size_t min)
{
	(void)min;
	return -E_NOSYS;   /* pipes copy */
}

long os_chan_reply_recv(long ch, const void *resp, size_t len, void *req, size_t cap)
{
	long r = chan_reply(ch, resp, len);
	return r < 0 ? r : os_chan_recv(ch, req, cap);
}

int os_fs_create(const char *name) { return (int)syscall3(SYS_FS_CREATE, (uint64_t)name, 0, 0); }
int os_fs_unlink(const char *name) { return (int)syscall3(SYS_FS_UNLINK, (uint64_t)name, 0, 0); }
int os_fs_close(int h) { return (int)syscall3(SYS_FS_CLOSE, (uint64_t)h, 0, 0); }

int os_fs_open(const char *name, unsigned flags)
{
	return (int)syscall3(SYS_FS_OPEN, (uint64_t)name, flags, 0);
}

long os_fs_read(int h, void *buf, size_t len)
{
	return syscall3(SYS_FS_READ, (uint64_t)h, (uint64_t)buf, len);
}

long os_fs_write(int h, const void *buf, size_t len)
{
	return syscall3(SYS_FS_WRITE, (uint64_t)h, (uint64_t)buf, len);
}

long os_fs_seek(int h, long off, int whence)
{
	return syscall3(SYS_FS_SEEK, (uint64_t)h, (uint64_t)off, (uint64_t)whence);
}

int os_fs_stat(const char *name, struct fs_stat *st)
{
	return (int)syscall3(SYS_FS_STAT, (uint64_t)name, (uint64_t)st, 0);
}

int os_sem_create(int initial) { return (int)syscall3(SYS_SEM_CREATE, (uint64_t)initial, 0, 0); }
int os_sem_wait(int id) { return (int)syscall3(SYS_SEM_WAIT, (uint64_t)id, 0, 0); }
int os_sem_post(int id) { return (int)syscall3(SYS_SEM_POST, (uint64_t)id, 0, 0); }
int os_sem_destroy(int id) { return (int)syscall3(SYS_SEM_DESTROY, (uint64_t)id, 0, 0); }
int os_shm_create(unsigned key, size_t size) { return (int)syscall3(SYS_SHM_CREATE, key, size, 0); }
long os_shm_attach(int id) { return syscall3(SYS_SHM_ATTACH, (uint64_t)id, 0, 0); }
int os_shm_detach(int id) { return (int)syscall3(SYS_SHM_DETACH, (uint64_t)id, 0, 0); }
