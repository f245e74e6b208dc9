/* ipc/qnx.h - user side of the qnx strategy (kernels/micro/ipc/qnx.c).
 * A message is two parts: a header (label, length, the three words) and
 * the data, if any; a reply the same. The client's MsgSend names both its
 * parts and its reply parts; the server's library answers with MsgReply
 * and then waits with MsgReceive (two system calls). A message of one
 * part (the header alone) goes as a single buffer: the part count is
 * minus its length, with no IOV array (MsgSend rather than MsgSendv). */
#ifndef MKB_UIPC_QNX_H
#define MKB_UIPC_QNX_H

#define IPC_STRATEGY "qnx"

struct hdr {
	uint32_t label, len;
	uint32_t data, pad;   /* data: the second part carries the payload */
	uint64_t mr[3];
};

static long client;   /* rcvid we owe a reply (servers) */

static inline long ipc_ool(size_t min) { (void)min; return -E_NOSYS; }   /* no virtual copy */

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in in_of(long status, long badge, const struct hdr *h, uint64_t got, size_t rcap)
{
	uint64_t data = got > sizeof *h ? got - sizeof *h : 0;
	uint32_t len = h->data ? (uint32_t)(data < h->len ? data : h->len) : h->len;
	if (h->data && len > rcap)
		len = (uint32_t)rcap;
	struct ipc_in in = { status, badge, h->label, len, h->data != 0, { h->mr[0], h->mr[1], h->mr[2] } };
	return in;
}

/* The parts of a message: the header alone as a single buffer (a
 * negative count, no IOV array), or the header and the data as two parts
 * in v. Returns what the kernel call takes as the parts, *n their count. */
static inline uint64_t parts(struct qnx_iov v[2], void *hdr, const void *data, size_t dlen, uint64_t *n)
{
	if (!data) {
		*n = -(uint64_t)sizeof(struct hdr);
		return (uint64_t)hdr;
	}
	v[0] = (struct qnx_iov){ (uint64_t)hdr, sizeof(struct hdr) };
	v[1] = (struct qnx_iov){ (uint64_t)data, dlen };
	*n = 2;
	return (uint64_t)v;
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	struct hdr h = { label, (uint32_t)slen, sbuf != 0, 0, { mr[0], mr[1], mr[2] } }, r = { 0 };
	struct qnx_iov s[2], v[2];
	uint64_t ns, nr, sp = parts(s, &h, sbuf, slen, &ns), rp = parts(v, &r, rcap ? rbuf : 0, rcap, &nr);
	struct sysret6 x = syscall6(SYS_QNX_SEND, (uint64_t)ep, sp, ns, rp, nr, 0);
	if (x.rax < 0)
		return (struct ipc_in){ x.rax, 0, 0, 0, 0, { 0, 0, 0 } };
	return in_of(0, 0, &r, x.rdx, rcap);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	struct hdr h = { 0 };
	struct qnx_iov v[2];
	uint64_t n, p = parts(v, &h, rcap ? rbuf : 0, rcap, &n);
	struct sysret6 x;
	do   /* rcvid 0 is a pulse: a server's requests are messages */
		x = syscall6(SYS_QNX_RECEIVE, (uint64_t)ep, p, n, 0, 0, 0);
	while (x.rax == 0);
	client = x.rax > 0 ? x.rax : 0;
	if (x.rax < 0)
		return (struct ipc_in){ x.rax, 0, 0, 0, 0, { 0, 0, 0 } };
	return in_of(0, x.rax, &h, x.rdx < sizeof h + rcap ? x.rdx : sizeof h + rcap, rcap);
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	if (client) {
		struct hdr h = { 0, (uint32_t)slen, sbuf != 0, 0, { mr[0], mr[1], mr[2] } };
		struct qnx_iov s[2];
		uint64_t n, p = parts(s, &h, sbuf, slen, &n);
		syscall6(SYS_QNX_REPLY, (uint64_t)client, 0, p, n, 0, 0);
	}
	return ipc_recv(ep, rbuf, rcap);
}
/* Keep the rcvid: the client stays REPLY-blocked until MsgReply. */
static inline long ipc_defer(void)
{
	long t = client;
	client = 0;
	return t ? t : -E_SRCH;
}

static inline long ipc_answer(long token, const uint64_t mr[3])
{
	struct hdr h = { 0, 0, 0, 0, { mr[0], mr[1], mr[2] } };
	return syscall6(SYS_QNX_REPLY, (uint64_t)token, 0, (uint64_t)&h, -(uint64_t)sizeof h, 0, 0).rax;
}

/* The wake-up: a pulse on a channel of the waiter's, taken by MsgReceive
 * (rcvid 0). A message that arrives instead is refused. */
#define IPC_WAKE "pulse"

static inline long ipc_wake_create(long grant_ep)
{
	(void)grant_ep;   /* anyone with a connection may pulse */
	return ipc_chan_create();
}

static inline long ipc_wake_wait(long w)
{
	struct qnx_pulse p;
	for (;;) {
		long r = syscall6(SYS_QNX_RECEIVE, (uint64_t)w, (uint64_t)&p, -(uint64_t)sizeof p, 0, 0, 0).rax;
		if (r <= 0)
			return r;
		syscall6(SYS_QNX_REPLY, (uint64_t)r, (uint64_t)-E_NOSYS, 0, 0, 0, 0);
	}
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	(void)state;
	return syscall3(SYS_QNX_PULSE, (uint64_t)w, 1, 0);
}

static inline void ipc_wake_settle(uint32_t *state) { (void)state; }   /* nothing stays out */
#endif
