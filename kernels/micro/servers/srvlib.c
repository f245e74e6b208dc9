/* srvlib.c - the server loop: reply to the last request and wait for the
 * next in one reply_recv system call. Linked into every micro server. */
#include "srvlib.h"

int srv_alive(uint32_t pid)
{
	return syscall3(SYS_PROC_ALIVE, pid, 0, 0) == 1;
}

void srv_loop(long ep, void *rbuf, size_t rcap, srv_handler handle)
{
	struct ipc_in req = ipc_op(SYS_IPC_RECV, ep, 0, 0, 0, 0, 0, 0, rbuf, rcap);
	for (;;) {
		struct srv_reply out = { { 0, 0, 0 }, 0, 0 };
		if (req.status == 0)
			handle(&req, rbuf, &out);
		else
			out.mr[0] = (uint64_t)req.status;
		req = ipc_op(SYS_IPC_REPLY_RECV, ep, 0, out.mr[0], out.mr[1], out.mr[2], out.buf,
			     out.len, rbuf, rcap);
	}
}
