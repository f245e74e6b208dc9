/* ipc/mach.h - user side of the mach strategy (kernels/micro/ipc/
 * mach.c). A call is one mach_msg trap: send the request (label, words,
 * body) to the server's port with a reply right, receive the answer on
 * our reply port. A server's loop is mach_msg_server's: send the reply
 * to the send-once right the request carried (its name in our space)
 * and receive the next request, one trap. */
#ifndef MKB_UIPC_MACH_H
#define MKB_UIPC_MACH_H

#define IPC_STRATEGY "mach"

static uint32_t reply_name;   /* servers: the send-once right of the request last received */
static size_t ool_min;        /* ipc_ool: bodies this long (whole pages) go out of line; 0: none */

static inline long ipc_ool(size_t min)
{
	ool_min = min;
	return 0;
}

/* mach_port_allocate: the receive right and a send right, in our space. */
static inline long ipc_chan_create(void)
{
	return syscall3(SYS_MACH_PORT_ALLOCATE, 0, 0, 0);
}

/* The typed header of what we send (user/ipc.h's message, lib/abi.h's
 * types): a request copies a send right (a call also makes a send-once
 * right to our reply port), an answer moves the send-once right. */
#define REQUEST MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0u)
#define CALL MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE)
#define ANSWER MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0u)

static inline struct mach_msg msg_of(uint32_t bits, uint32_t label, const uint64_t *mr, const void *sbuf,
				     size_t slen, void *rbuf, size_t rcap)
{
	int ool = sbuf && ool_min && slen >= ool_min && !(((uint64_t)sbuf | slen) & 4095);
	struct mach_msg m = { label, (uint32_t)slen, bits | (sbuf ? MACH_MSG_BODY : 0), 0,
			      MACH_TYPE_WORDS, !sbuf ? 0 : ool ? MACH_TYPE_BYTES_OOL : MACH_TYPE_BYTES,
			      { mr ? mr[0] : 0, mr ? mr[1] : 0, mr ? mr[2] : 0 }, 0,
			      (uint64_t)sbuf, sbuf ? slen : 0, (uint64_t)rbuf, rcap };
	return m;
}

static inline struct ipc_in in_of(long status, const struct mach_msg *m)
{
	if (status < 0)
		return (struct ipc_in){ status, 0, 0, 0, 0, { 0, 0, 0 } };
	struct ipc_in in = { 0, (long)m->badge, m->label, m->len, (m->bits & MACH_MSG_BODY) != 0,
			     { m->mr[0], m->mr[1], m->mr[2] } };
	return in;
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	struct mach_msg m = msg_of(CALL, label, mr, sbuf, slen, rbuf, rcap);
	long r = syscall6(SYS_MACH_MSG, MACH_SEND_MSG | MACH_RCV_MSG, (uint64_t)ep, (uint64_t)&m,
			  MACH_PORT_REPLY, (uint64_t)&m, 0).rax;
	return in_of(r, &m);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	struct mach_msg m = msg_of(0, 0, 0, 0, 0, rbuf, rcap);
	long r = syscall6(SYS_MACH_MSG, MACH_RCV_MSG, 0, 0, (uint64_t)ep, (uint64_t)&m, 0).rax;
	reply_name = r == 0 ? m.reply : 0;
	return in_of(r, &m);
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	if (!reply_name)
		return ipc_recv(ep, rbuf, rcap);
	struct mach_msg out = msg_of(ANSWER, 0, mr, sbuf, slen, 0, 0), in = msg_of(0, 0, 0, 0, 0, rbuf, rcap);
	long r = syscall6(SYS_MACH_MSG, MACH_SEND_MSG | MACH_RCV_MSG, reply_name, (uint64_t)&out,
			  (uint64_t)ep, (uint64_t)&in, 0).rax;
	if (r == -E_SRCH || r == -E_BADH)   /* the caller died: nobody to answer */
		return ipc_recv(ep, rbuf, rcap);
	reply_name = r == 0 ? in.reply : 0;
	return in_of(r, &in);
}

/* Keep the send-once right (its name): answer by a send to it later. */
static inline long ipc_defer(void)
{
	long t = reply_name;
	reply_name = 0;
	return t ? t : -E_SRCH;
}

static inline long ipc_answer(long token, const uint64_t mr[3])
{
	struct mach_msg out = msg_of(ANSWER, 0, mr, 0, 0, 0, 0);
	return syscall6(SYS_MACH_MSG, MACH_SEND_MSG, (uint64_t)token, (uint64_t)&out, 0, 0, 0).rax;
}

/* The wake-up: Mach has no notification object; a message is one. The
 * waiter receives on a port whose receive right it holds; the signaller
 * sends it a one-way message (no reply right), queued in the kernel. A
 * message that carried a reply right is answered with nothing. The
 * receiver of grant_ep gets a send right to the port (children spawned
 * later inherit ours). */
#define IPC_WAKE "msg"

static inline long ipc_wake_create(long grant_ep)
{
	long w = ipc_chan_create();
	if (w > 0 && grant_ep) {
		long r = syscall3(SYS_MACH_PORT_INSERT, (uint64_t)w, (uint64_t)grant_ep, 0);
		if (r < 0)
			return r;   /* (the port stays ours, unused) */
	}
	return w;
}

static inline long ipc_wake_wait(long w)
{
	struct mach_msg m = msg_of(0, 0, 0, 0, 0, 0, 0);
	long r = syscall6(SYS_MACH_MSG, MACH_RCV_MSG, 0, 0, (uint64_t)w, (uint64_t)&m, 0).rax;
	if (r == 0 && m.reply) {
		struct mach_msg out = msg_of(ANSWER, 0, 0, 0, 0, 0, 0);
		syscall6(SYS_MACH_MSG, MACH_SEND_MSG, m.reply, (uint64_t)&out, 0, 0, 0);
	}
	return r;
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	struct mach_msg m = msg_of(REQUEST, 0, 0, 0, 0, 0, 0);
	(void)state;
	return syscall6(SYS_MACH_MSG, MACH_SEND_MSG, (uint64_t)w, (uint64_t)&m, 0, 0, 0).rax;
}

static inline void ipc_wake_settle(uint32_t *state) { (void)state; }   /* nothing stays out */
#endif
