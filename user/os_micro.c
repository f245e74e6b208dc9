/*
 * os_micro.c - os_* for the micro kernel: the console, file system,
 * semaphores and shared memory are ring-3 servers reached by IPC on their
 * well-known endpoints (svcproto.h), and a channel is an IPC endpoint.
 * Written against user/ipc.h, so it is one source for every IPC strategy:
 * up to 24 bytes travel in the message words, longer messages by buffer.
 * Console writes always go by buffer, so the kernel checks the pointer.
 */
#include "ipc.h"
#include "os.h"
#include "svcproto.h"
#include "str.h"
#include "syscall.h"

const char os_mode[] = "micro";
const char os_chan_variant[] = "call_replyrecv";
const char *const os_ipc = IPC_STRATEGY;

#define CONSOLE_CHUNK 4096

/* A channel message (op 0: call, 1: receive, 2: reply and receive): up
 * to 24 bytes in the words, longer ones by buffer (copy_by_buffer forces
 * the buffer); a reply or request that came in the words is unpacked
 * into rbuf. rbuf is named to the strategy only if it is longer than the
 * words, so short messages stay short. Always inlined: each caller gets
 * the code of its one op (this is the timed path of pingpong). */
static inline __attribute__((always_inline)) long chan_msg(int op, long ep, uint32_t label,
							   const void *sbuf, size_t slen, void *rbuf,
							   size_t rcap, int copy_by_buffer)
{
	uint64_t mr[3] = { 0, 0, 0 };
	int by_buffer = copy_by_buffer || slen > IPC_INLINE_MAX;
	if (!by_buffer && slen)
		memcpy(mr, sbuf, slen);
	const void *sb = by_buffer ? sbuf : 0;
	size_t rc = rcap > IPC_INLINE_MAX ? rcap : 0;
	struct ipc_in r = op == 0 ? ipc_call(ep, label, mr, sb, slen, rbuf, rc)
			: op == 1 ? ipc_recv(ep, rbuf, rc) : ipc_reply_recv(ep, mr, sb, slen, rbuf, rc);
	if (r.status < 0)
		return r.status;
	uint32_t len = r.len;
	if (!r.inbuf) {
		if (len > rcap)
			len = (uint32_t)rcap;
		if (len)
			memcpy(rbuf, r.mr, len);
	}
	return len;
}

long os_write(const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	/* The kernel checks each chunk; check the whole range first, as the
	 * mono kernel's write does, so a bad length writes nothing. */
	if (len && ((uintptr_t)buf < ABI_USER_BASE || len > ABI_USER_TOP - ABI_USER_BASE ||
		    (uintptr_t)buf > ABI_USER_TOP - len))
		return -E_FAULT;
	while (done < len) {
		size_t n = len - done > CONSOLE_CHUNK ? CONSOLE_CHUNK : len - done;
		uint64_t written = 0;
		long r = chan_msg(0, EP_CONSOLE, CONSOLE_WRITE, p + done, n, &written, sizeof written, 1);
		if (r < 0)
			return done ? (long)done : r;
		if (written != n)
			return (long)(done + written);
		done += n;
	}
	return (long)len;
}

long os_chan_create(void)
{
	return ipc_chan_create();
}

long os_chan_call(long ch, const void *req, size_t len, void *resp, size_t cap)
{
	return chan_msg(0, ch, 0, req, len, resp, cap, 0);
}

long os_chan_recv(long ch, void *req, size_t cap)
{
	return chan_msg(1, ch, 0, 0, 0, req, cap, 0);
}

long os_chan_defer(long ch)
{
	(void)ch;   /* the request last received is the one kept */
	return ipc_defer();
}

long os_chan_answer(long ch, long token)
{
	static const uint64_t none[3] = { 0, 0, 0 };
	(void)ch;
	return ipc_answer(token, none);
}

long os_chan_ool(size_t min)
{
	return ipc_ool(min);
}

long os_chan_reply_recv(long ch, const void *resp, size_t len, void *req, size_t cap)
{
	return chan_msg(2, ch, 0, resp, len, req, cap, 0);
}

/* One request to a server: mr0 of the reply is the result. IPC errors
 * (bad buffer, server gone) become SVC_EFAULT / SVC_EIO. */
static long svc(long ep, uint32_t label, uint64_t m0, uint64_t m1, uint64_t m2, const void *sbuf,
		size_t slen, void *rbuf, size_t rcap)
{
	struct ipc_in r = ipc_call3(ep, label, m0, m1, m2, sbuf, slen, rbuf, rcap);
	if (r.status < 0)
		return r.status == -E_FAULT ? SVC_EFAULT : SVC_EIO;
	return (long)(int64_t)r.mr[0];
}

/* Names travel with their NUL; the stub measures them, as any RPC stub
 * marshals its arguments (a bad name pointer faults here, in the caller). */
static long svc_name(uint32_t label, const char *name, uint64_t m0, void *rbuf, size_t rcap)
{
	size_t n = 0;
	while (n <= FS_NAME_MAX + 1 && name[n])
		n++;
	return svc(EP_FS, label, m0, 0, 0, name, n + 1, rbuf, rcap);
}

int os_fs_create(const char *name) { return (int)svc_name(FS_CREATE, name, 0, 0, 0); }
int os_fs_unlink(const char *name) { return (int)svc_name(FS_UNLINK, name, 0, 0, 0); }
int os_fs_open(const char *name, unsigned flags) { return (int)svc_name(FS_OPEN, name, flags, 0, 0); }
int os_fs_stat(const char *name, struct fs_stat *st) { return (int)svc_name(FS_STAT, name, 0, st, sizeof *st); }
int os_fs_close(int h) { return (int)svc(EP_FS, FS_CLOSE, (uint64_t)h, 0, 0, 0, 0, 0, 0); }

long os_fs_read(int h, void *buf, size_t len)
{
	return len > FS_IO_MAX ? SVC_EINVAL : svc(EP_FS, FS_READ, (uint64_t)h, len, 0, 0, 0, buf, len);
}

long os_fs_write(int h, const void *buf, size_t len)
{
	return len > FS_IO_MAX ? SVC_EINVAL : svc(EP_FS, FS_WRITE, (uint64_t)h, 0, 0, buf, len, 0, 0);
}

long os_fs_seek(int h, long off, int whence)
{
	return svc(EP_FS, FS_SEEK, (uint64_t)h, (uint64_t)off, (uint64_t)whence, 0, 0, 0, 0);
}

int os_sem_create(int initial) { return (int)svc(EP_SEM, SEM_CREATE, (uint64_t)initial, 0, 0, 0, 0, 0, 0); }
int os_sem_post(int id) { return (int)svc(EP_SEM, SEM_POST, (uint64_t)id, 0, 0, 0, 0, 0, 0); }
int os_sem_destroy(int id) { return (int)svc(EP_SEM, SEM_DESTROY, (uint64_t)id, 0, 0, 0, 0, 0, 0); }

/* Wait: one call, answered when a unit is ours (at once, or when a post
 * hands it to us: the server keeps the request until then). */
int os_sem_wait(int id) { return (int)svc(EP_SEM, SEM_WAIT, (uint64_t)id, 0, 0, 0, 0, 0, 0); }

int os_shm_create(unsigned key, size_t size) { return (int)svc(EP_SHM, SHM_CREATE, key, size, 0, 0, 0, 0, 0); }
long os_shm_attach(int id) { return svc(EP_SHM, SHM_ATTACH, (uint64_t)id, 0, 0, 0, 0, 0, 0); }
int os_shm_detach(int id) { return (int)svc(EP_SHM, SHM_DETACH, (uint64_t)id, 0, 0, 0, 0, 0, 0); }
