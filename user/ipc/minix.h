/* ipc/minix.h - user side of the minix strategy (kernels/micro/ipc/
 * minix.c). A request is one 64-byte message: the label is m_type, the
 * payload holds the three words and, for a buffer, a grant the client
 * made in its own grant table (read for the data it sends, write for the
 * reply it wants). The server's library copies the request data in with
 * safecopy before the handler runs and the reply data out before it
 * answers with a send; then it receives the next request. */
#ifndef MKB_UIPC_MINIX_H
#define MKB_UIPC_MINIX_H

#define IPC_STRATEGY "minix"

/* The payload of every message (56 bytes at most). */
struct body {
	uint64_t mr[3];
	uint32_t len, flags;      /* B_* */
	uint32_t sgrant, slen;    /* grant of the data sent */
	uint32_t rgrant, rcap;    /* grant of the reply buffer */
};
_Static_assert(sizeof(struct body) <= sizeof(((struct mx_msg *)0)->m_payload), "body fits");
#define B_SGRANT 1u
#define B_RGRANT 2u
#define B_INBUF 4u

/* The process's one grant table: weak, so every translation unit that
 * includes this names the same table (the kernel knows only one). */
enum { G_SEND, G_REPLY, NGRANTS };
__attribute__((weak)) struct mx_grant mx_grants[NGRANTS];
__attribute__((weak)) int mx_grants_set;
static struct { long src; uint32_t rgrant, rcap; int has_rgrant; } last;   /* servers */

static inline struct body *body_of(struct mx_msg *m) { return (struct body *)m->m_payload; }

/* sys_safecopyfrom / sys_safecopyto: a kernel call with its request in a
 * message (len | MX_TO_GRANTER copies into the granter). */
static inline long mx_safecopy(long granter, uint64_t grant, uint64_t off, void *addr, uint64_t len)
{
	struct mx_msg m = { 0, 0, { 0 } };
	*(struct mx_safecopy *)m.m_payload = (struct mx_safecopy){ (uint64_t)granter, grant, off,
								   (uint64_t)addr, len & ~MX_TO_GRANTER };
	return syscall3(SYS_MX_KERNEL_CALL, len & MX_TO_GRANTER ? MX_SYS_SAFECOPYTO : MX_SYS_SAFECOPYFROM,
			(uint64_t)&m, 0);
}

static inline void grant(int slot, uint32_t flags, long ep, const void *addr, size_t len)
{
	mx_grants[slot] = (struct mx_grant){ MX_GRANT_VALID | flags, MX_GRANTEE_EP | (uint32_t)ep,
					  (uint64_t)addr, len };
}

static inline struct ipc_in in_of(long status, struct mx_msg *m)
{
	struct body *b = body_of(m);
	struct ipc_in in = { status, m->m_source, (uint32_t)m->m_type, b->len, (b->flags & B_INBUF) != 0,
			     { b->mr[0], b->mr[1], b->mr[2] } };
	return in;
}

static inline long ipc_ool(size_t min) { (void)min; return -E_NOSYS; }   /* no virtual copy */

static inline long ipc_chan_create(void)
{
	return syscall3(SYS_EP_CREATE, 0, 0, 0);
}

static inline struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
				     const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	struct mx_msg m = { 0, (int32_t)label, { 0 } };
	struct body *b = body_of(&m);
	if (!mx_grants_set && syscall3(SYS_MX_SETGRANT, (uint64_t)mx_grants, NGRANTS, 0) == 0)
		mx_grants_set = 1;
	memcpy(b->mr, mr, sizeof b->mr);
	b->len = (uint32_t)slen;
	if (sbuf) {
		grant(G_SEND, MX_GRANT_READ, ep, sbuf, slen);
		b->flags |= B_SGRANT, b->sgrant = G_SEND, b->slen = (uint32_t)slen;
	}
	if (rcap) {
		grant(G_REPLY, MX_GRANT_WRITE, ep, rbuf, rcap);
		b->flags |= B_RGRANT, b->rgrant = G_REPLY, b->rcap = (uint32_t)rcap;
	}
	long r = syscall3(SYS_MX_SENDREC, (uint64_t)ep, (uint64_t)&m, 0);
	mx_grants[G_SEND].flags = mx_grants[G_REPLY].flags = 0;   /* revoked */
	if (r < 0)
		return (struct ipc_in){ r, 0, 0, 0, 0, { 0, 0, 0 } };
	return in_of(0, &m);
}

static inline struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap)
{
	struct mx_msg m;
	long r;
	do   /* a server's requests are messages: a stray notify is dropped */
		r = syscall3(SYS_MX_RECEIVE, (uint64_t)ep, (uint64_t)&m, 0);
	while (r == MX_NOTIFIED);
	last.src = 0;
	if (r < 0)
		return (struct ipc_in){ r, 0, 0, 0, 0, { 0, 0, 0 } };
	struct body *b = body_of(&m);
	last.src = m.m_source;
	last.has_rgrant = (b->flags & B_RGRANT) != 0;
	last.rgrant = b->rgrant, last.rcap = b->rcap;
	struct ipc_in in = in_of(0, &m);
	in.inbuf = 0;
	if (b->flags & B_SGRANT) {   /* the request's data: copy it in now */
		size_t n = b->slen < rcap ? b->slen : rcap;
		if (n && mx_safecopy(m.m_source, b->sgrant, 0, rbuf, n) < 0)
			in.status = -E_FAULT;
		in.inbuf = 1, in.len = (uint32_t)n;
	}
	return in;
}

static inline struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
					   size_t slen, void *rbuf, size_t rcap)
{
	if (last.src) {
		struct mx_msg m = { 0, 0, { 0 } };
		struct body *b = body_of(&m);
		memcpy(b->mr, mr, sizeof b->mr);
		b->len = (uint32_t)slen;
		if (sbuf) {   /* reply data: into the client's grant, then the message */
			size_t n = !last.has_rgrant ? 0 : slen < last.rcap ? slen : last.rcap;
			if (n && mx_safecopy(last.src, last.rgrant, 0, (void *)sbuf, n | MX_TO_GRANTER) < 0)
				n = 0;
			b->len = (uint32_t)n, b->flags = B_INBUF;
		}
		syscall3(SYS_MX_SEND, MX_PROC | (uint64_t)last.src, (uint64_t)&m, 0);
	}
	return ipc_recv(ep, rbuf, rcap);
}
/* Keep the caller's endpoint: it stays blocked in sendrec until our
 * send reaches it (as MINIX 3's servers answer a suspended caller). */
static inline long ipc_defer(void)
{
	long t = last.src;
	last.src = 0;
	return t ? t : -E_SRCH;
}

static inline long ipc_answer(long token, const uint64_t mr[3])
{
	struct mx_msg m = { 0, 0, { 0 } };
	memcpy(body_of(&m)->mr, mr, sizeof body_of(&m)->mr);
	return syscall3(SYS_MX_SEND, MX_PROC | (uint64_t)token, (uint64_t)&m, 0);
}

/* The wake-up: notify to an endpoint of the waiter's; receive delivers
 * it and says so (MX_NOTIFIED). A request that arrives instead gets no
 * answer (its sender fails with -E_PEER when we die). */
#define IPC_WAKE "notify"

static inline long ipc_wake_create(long grant_ep)
{
	(void)grant_ep;   /* anyone may notify (MINIX: whoever its IPC mask allows) */
	return ipc_chan_create();
}

static inline long ipc_wake_wait(long w)
{
	struct mx_msg m;
	long r;
	do
		r = syscall3(SYS_MX_RECEIVE, (uint64_t)w, (uint64_t)&m, 0);
	while (r == 0);
	return r < 0 ? r : 0;
}

static inline long ipc_wake_signal(long w, uint32_t *state)
{
	(void)state;
	return syscall3(SYS_MX_NOTIFY, (uint64_t)w, 0, 0);
}

static inline void ipc_wake_settle(uint32_t *state) { (void)state; }   /* nothing stays out */
#endif
