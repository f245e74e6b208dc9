/* os_mono.c - os_* for the mono kernel: the console and channels are
 * system calls into in-kernel services. A channel is two packet pipes,
 * requests one way and replies the other: ch = req | resp << 16. */
#include "os.h"
#include "syscall.h"

const char os_mode[] = "mono";
const char os_chan_variant[] = "pipe";

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

long os_chan_reply_recv(long ch, const void *resp, size_t len, void *req, size_t cap)
{
	long r = chan_reply(ch, resp, len);
	return r < 0 ? r : os_chan_recv(ch, req, cap);
}
