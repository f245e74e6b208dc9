/*
 * os_micro.c - os_* for the micro kernel: the console is a ring-3 server
 * reached by IPC on EP_CONSOLE, and a channel is an IPC endpoint. Up to
 * 24 bytes travel in registers (the kernel's fast path); longer messages
 * name their buffers in a struct ipc_desc and the kernel copies them.
 * Console writes always go by buffer, so the kernel checks the pointer.
 */
#include "os.h"
#include "str.h"
#include "syscall.h"

const char os_mode[] = "micro";
const char os_chan_variant[] = "call_replyrecv";

#define CONSOLE_CHUNK 4096

/* One IPC system call; unpacks an inline reply/request into buf. */
static long ipc(uint64_t num, long ep, uint32_t label, const void *sbuf, size_t slen,
		void *rbuf, size_t rcap, int copy_by_kernel)
{
	uint64_t mr[3] = { 0, 0, 0 };
	int long_send = copy_by_kernel || slen > IPC_INLINE_MAX;
	struct ipc_desc d = { long_send ? sbuf : 0, slen, rbuf, rcap };
	int use_desc = long_send || rcap > IPC_INLINE_MAX;
	if (!long_send && slen)
		memcpy(mr, sbuf, slen);
	struct sysret6 r = syscall6(num, (uint64_t)ep, IPC_TAG(label, slen), mr[0], mr[1], mr[2],
				    use_desc ? (uint64_t)&d : 0);
	if (r.rax < 0)
		return r.rax;
	uint32_t len = IPC_LEN(r.rsi);
	if (!(r.rsi & IPC_INBUF)) {
		uint64_t in[3] = { r.rdx, r.r10, r.r8 };
		if (len > rcap)
			len = (uint32_t)rcap;
		if (len)
			memcpy(rbuf, in, len);
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
		long r = ipc(SYS_IPC_CALL, EP_CONSOLE, CONSOLE_WRITE, p + done, n, &written, sizeof written, 1);
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
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

long os_chan_call(long ch, const void *req, size_t len, void *resp, size_t cap)
{
	return ipc(SYS_IPC_CALL, ch, 0, req, len, resp, cap, 0);
}

long os_chan_recv(long ch, void *req, size_t cap)
{
	return ipc(SYS_IPC_RECV, ch, 0, 0, 0, req, cap, 0);
}

long os_chan_reply_recv(long ch, const void *resp, size_t len, void *req, size_t cap)
{
	return ipc(SYS_IPC_REPLY_RECV, ch, 0, resp, len, req, cap, 0);
}
