/* ipc/rc4000.h - user side of the rc4000 strategy (kernels/micro/ipc/
 * rc4000.c). A call is send message + wait answer; a server's loop is
 * wait message, then send answer. The 8 words carry the label and
 * length, the three words and what the storage areas hold; the server's
 * library copies request data from the sender's in area and reply data
 * into its out area (SYS_RC_COPY) while it holds the buffer. */
#ifndef MKB_UIPC_RC4000_H
#define MKB_UIPC_RC4000_H

#define IPC_STRATEGY "rc4000"

/* Word 0: label | len << 32; 1-3: the words; 4: flags; 5: data length
 * in the in area; 6: room in the out area. */
#define F_DATA 1u    /* the message's data is in the in area */
#define F_INBUF 2u   /* the answer's data went into the out area */

static struct { uint64_t buf, rcap; } last;   /* servers: the message we hold */

static inline long ipc_ool(size_t min) { (void)min; return -E_NOSYS; }   /* no virtual copy */

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in in_of(long status, long badge, const uint64_t *w)
{
	struct ipc_in in = { status, badge, (uint32_t)w[0], (uint32_t)(w[0] >> 32), (w[4] & F_INBUF) != 0,
			     { w[1], w[2], w[3] } };
	return in;
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	uint64_t w[RC_WORDS] = { label | (uint64_t)slen << 32, mr[0], mr[1], mr[2], sbuf ? F_DATA : 0,
				 slen, rcap, 0 };
	struct rc_area a = { (uint64_t)sbuf, sbuf ? slen : 0, (uint64_t)rbuf, rcap };
	long b = syscall3(SYS_RC_SEND_MESSAGE, (uint64_t)ep, (uint64_t)w, (uint64_t)&a);
	if (b < 0)
		return (struct ipc_in){ b, 0, 0, 0, 0, { 0, 0, 0 } };
	long r = syscall3(SYS_RC_WAIT_ANSWER, (uint64_t)b, (uint64_t)w, 0);
	if (r < 0)
		return (struct ipc_in){ r, 0, 0, 0, 0, { 0, 0, 0 } };
	return in_of(0, 0, w);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	uint64_t w[RC_WORDS];
	struct sysret6 x = syscall6(SYS_RC_WAIT_MESSAGE, (uint64_t)ep, (uint64_t)w, 0, 0, 0, 0);
	last.buf = x.rax > 0 ? (uint64_t)x.rax : 0;
	if (x.rax < 0)
		return (struct ipc_in){ x.rax, 0, 0, 0, 0, { 0, 0, 0 } };
	last.rcap = w[6];
	struct ipc_in in = in_of(0, (long)x.rdi, w);
	in.inbuf = 0;
	if (w[4] & F_DATA) {   /* the request's data: from the sender's in area */
		size_t n = w[5] < rcap ? w[5] : rcap;
		if (n && syscall6(SYS_RC_COPY, last.buf, 0, (uint64_t)rbuf, n, 0, 0).rax < 0)
			in.status = -E_FAULT;
		in.inbuf = 1, in.len = (uint32_t)n;
	}
	return in;
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	if (last.buf) {
		uint64_t w[RC_WORDS] = { (uint64_t)slen << 32, mr[0], mr[1], mr[2], 0, 0, 0, 0 };
		if (sbuf) {   /* reply data: into the sender's out area */
			size_t n = slen < last.rcap ? slen : last.rcap;
			if (n && syscall6(SYS_RC_COPY, last.buf, 0, (uint64_t)sbuf, n | RC_TO_SENDER, 0, 0).rax < 0)
				n = 0;
			w[0] = (uint64_t)n << 32, w[4] = F_INBUF;
		}
		syscall3(SYS_RC_SEND_ANSWER, last.buf, (uint64_t)w, 0);
	}
	return ipc_recv(ep, rbuf, rcap);
}
/* Keep the message buffer: its sender stays in wait answer until our
 * send answer. */
static inline long ipc_defer(void)
{
	long t = (long)last.buf;
	last.buf = 0;
	return t ? t : -E_SRCH;
}

static inline long ipc_answer(long token, const uint64_t mr[3])
{
	uint64_t w[RC_WORDS] = { 0, mr[0], mr[1], mr[2], 0, 0, 0, 0 };
	return syscall3(SYS_RC_SEND_ANSWER, (uint64_t)token, (uint64_t)w, 0);
}

/* The wake-up: a message, as in the nucleus (where a message was the
 * only signal). The waiter waits for a message on its own queue and
 * answers it at once; the signaller sends without waiting and collects
 * the answer to its last one (*state, the buffer) with wait answer at
 * its next signal, by when it has normally arrived, so its buffer claim
 * never runs out. */
#define IPC_WAKE "msg"

static inline long ipc_wake_create(long grant_ep)
{
	(void)grant_ep;   /* anyone may send a message */
	return ipc_chan_create();
}

static inline long ipc_wake_wait(long w)
{
	uint64_t wds[RC_WORDS];
	struct sysret6 x = syscall6(SYS_RC_WAIT_MESSAGE, (uint64_t)w, (uint64_t)wds, 0, 0, 0, 0);
	if (x.rax < 0)
		return x.rax;
	syscall3(SYS_RC_SEND_ANSWER, (uint64_t)x.rax, (uint64_t)wds, 0);
	return 0;
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	uint64_t wds[RC_WORDS] = { 0 };
	if (*state) {
		syscall3(SYS_RC_WAIT_ANSWER, *state, (uint64_t)wds, 0);
		*state = 0;
	}
	long b = syscall3(SYS_RC_SEND_MESSAGE, (uint64_t)w, (uint64_t)wds, 0);
	if (b < 0)
		return b;
	*state = (uint32_t)b;
	return 0;
}

static inline void ipc_wake_settle(uint32_t *state)
{
	uint64_t wds[RC_WORDS];
	if (*state)
		syscall3(SYS_RC_WAIT_ANSWER, *state, (uint64_t)wds, 0);
	*state = 0;
}
#endif
