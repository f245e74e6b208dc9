/* srvlib.c - the server loop: answer the last request and wait for the
 * next (user/ipc.h: one reply_recv, however the strategy does it).
 * Linked into every micro server. */
#include "srvlib.h"
#include "svc_err.h"

int srv_alive(uint32_t pid)
{
	return syscall3(SYS_PROC_ALIVE, pid, 0, 0) == 1;
}

void srv_loop(long ep, void *rbuf, size_t rcap, srv_handler handle)
{
	struct ipc_in req = ipc_recv(ep, rbuf, rcap);
	for (;;) {
		struct srv_reply out = { { 0, 0, 0 }, 0, 0 };
		if (req.status == 0)
			handle(&req, rbuf, &out);
		else if (req.status == -E_FAULT)   /* its data could not be fetched (a bad grant or area) */
			out.mr[0] = (uint64_t)(int64_t)SVC_EFAULT;
		else
			out.mr[0] = (uint64_t)req.status;
		req = ipc_reply_recv(ep, out.mr, out.buf, out.len, rbuf, rcap);
	}
}
