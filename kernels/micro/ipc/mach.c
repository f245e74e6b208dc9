/*
 * mach.c - IPC strategy "mach": Mach 3 ports (Rashid et al., "Mach: a
 * foundation for open systems", 1989; Draves et al., "Using
 * continuations to implement thread management and communication in
 * operating systems", SOSP 1991). A port's receive right is held by one
 * task (the endpoint's owner); anyone with a send right (here: anyone the
 * endpoint rules allow) may send. Messages are asynchronous and queued in
 * the kernel: the whole message is copied into a kernel buffer when it is
 * sent and out of it when it is received (two copies), at most
 * MACH_QLIMIT per port (a sender blocks while the port is full). RPC is
 * one mach_msg trap that sends (with a send-once right to the caller's
 * reply port) and then receives on the reply port. The right enters the
 * receiver's name space (ep.c: ipc_keep) under a name the received header
 * carries; the receiver answers by a send to that name, at once or after
 * other requests, and the right is used up. A server's loop sends the
 * reply and receives the next request in one trap too. By default
 * nobody switches straight to the receiver: it is made ready and the
 * scheduler picks who runs. With handoff=on on the command line, a
 * mach_msg that sends to a waiting receiver and then must wait itself
 * hands its CPU to that receiver without a scheduler pass (Mach 3's
 * handoff scheduling: Draves et al. 1991; Black, "Scheduling support for
 * concurrency and parallelism in the Mach operating system", IEEE
 * Computer 23(5), 1990). The header is typed and checked on every send
 * (header_ok). Every task has a port name space (struct space) and
 * every name a message uses is translated through it (kstat.rights
 * counts the translations). A body whose type word says out-of-line
 * (whole pages at a page-aligned address) moves by virtual copy: the
 * kmsg holds the sender's pages, made copy-on-write, and the receive
 * maps them into the receive buffer (vm.c: vm_cow_*); the first write on
 * either side copies the page (Rashid et al. 1989, "virtual copy").
 */
#include "defs.h"
#include "ipc.h"
#include "quota.h"
#include "syscall.h"

const char ipc_name[] = "mach";

#define NKMSG 64
#define MACH_HDR_OUT offsetof(struct mach_msg, body)   /* what a receive writes back */

/* The receive half of a mach_msg header: where a body may land. */
struct mach_rcv {
	uint64_t rbody, rcap;
};
#define BODY_MAX (64u << 10)
#define BODY_PAGES (BODY_MAX / PGSIZE)

/* A message in the kernel: the header words and the body, page by page. */
struct kmsg {
	int used;
	int sender;               /* pid, for the badge */
	struct account *acct;     /* the sender's process tree, charged for it (quota.h) */
	struct proc *reply_to;    /* the send-once right it carries (RPC), or 0 */
	uint32_t label, len, flags;
	int ool;                  /* the pages are the sender's, copy-on-write (not zone pages) */
	uint32_t copied;          /* out of line, but page i copied into a zone page (bit i) */
	uint64_t mr[3];
	uint8_t *page[BODY_PAGES];
	struct kmsg *next;
};

static struct kmsg kmsgs[NKMSG];

/* A task's port name space (Mach 3's ipc_space): the send rights it
 * holds, by name. A port's name is its id in every space (Mach lets the
 * kernel pick names; one number per port keeps them printable, and a
 * name means nothing in a space without the right behind it). An entry
 * keeps the port's generation when the right entered, so a port
 * destroyed since leaves a dead name (MACH_SEND_INVALID_DEST: -E_BADH).
 * The receive right is the port's receiver (the endpoint's owner, ep.c),
 * as Mach's ip_receiver names the space that holds it; send-once rights
 * are the kept slots (ep.c: ipc_keep), named MACH_PORT_SO | slot. The
 * well-known service ports are every task's registered ports (Mach 3's
 * mach_ports_register): a send right to them comes with every space. A
 * new task gets a send right to each port its parent holds one to (our
 * stand-in for the parent, holding the new task's task port, inserting
 * them: the workloads name the ports in the spawn argument). */
struct space {
	uint32_t send[NEP];   /* a send right to port i: the port's gen when it entered, else 0 */
};
static struct space spaces[NPROC];

static struct space *space_of(const struct proc *p)
{
	return &spaces[p - ptable];
}

/* Enter a send right to port id into p's space. */
static void give_send(struct proc *p, int id)
{
	kstat.rights++;
	space_of(p)->send[id] = endpoints[id].gen;
}

/* The port a send right in our space names, or 0 (no right, or a dead
 * name): one translation (Mach 3: ipc_right_lookup). */
static struct endpoint *translate_send(uint64_t name)
{
	kstat.rights++;
	struct endpoint *ep = ep_get(name);
	if (!ep || (name >= EP_FIRST_FREE && space_of(curproc)->send[name] != ep->gen))
		return 0;
	return ep;
}

void ipc_proc_start(struct proc *p)
{
	struct space *s = space_of(p);
	memset(s, 0, sizeof *s);
	if (!p->parent)
		return;
	const struct space *from = space_of(p->parent);
	for (int i = EP_FIRST_FREE; i < NEP; i++)
		if (from->send[i] && endpoints[i].used && endpoints[i].gen == from->send[i])
			give_send(p, i);
}

/* mach_port_allocate: a new port, its receive right (ownership) and a
 * send right in our space. */
static int64_t sys_port_allocate(struct sysframe *sf)
{
	(void)sf;
	int id = ep_alloc_at(-1, curproc);
	if (id >= 0)
		give_send(curproc, id);
	return id;
}

/* mach_port_insert_right(task, port, MAKE_SEND), the task named by a port
 * it receives on (we hold a send right to that port, dest): a send right
 * to our port enters its space. We must hold port's receive right. */
static int64_t sys_port_insert(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf)), *dest = translate_send(ARG1(sf));
	if (!ep || !dest)
		return -E_BADH;
	if (ep->owner != curproc)
		return -E_PERM;   /* KERN_INVALID_RIGHT: not our receive right */
	if (!dest->owner)
		return -E_SRCH;   /* nobody holds its receive right now */
	give_send(dest->owner, (int)ARG0(sf));
	return 0;
}

/* handoff=on: the receiver this trap's send woke, to be handed the CPU
 * should the trap's receive then wait (0: none, or handoff is off). */
static int handoff;
static struct proc *woken;

void ipc_init(const char *cmdline)
{
	char v[8] = "off";
	fmt_getarg(cmdline, "handoff", v, sizeof v);
	if (strcmp(v, "on") && strcmp(v, "off"))
		panic("handoff=%s: use handoff=on or handoff=off", v);
	handoff = !strcmp(v, "on");
	kprintf("mkb: mach handoff scheduling %s\n", v);
}

/* p (a receiver) has a message: ready, and the one to hand off to. */
static void wake(struct proc *p)
{
	sched_ready(p);
	if (handoff)
		woken = p;
}

/* The trap waits: on to the receiver it woke (handoff), else the
 * scheduler picks. */
static void wait_for(int why, struct waitq *q)
{
	struct proc *to = woken;
	woken = 0;
	if (to && to->state == P_RUNNABLE && to != curproc) {
#ifdef MKB_SMP
		if (to->cpu == cpu_id())   /* else a wake-up on its own CPU (sched_block_to) */
#endif
		kstat.direct_switches++;
		sched_block_to(why, q, to);
	} else {
		sched_block(why, q);
	}
}

/* Body pages come from a zone that keeps freed pages for reuse (as Mach's
 * zone allocator keeps kmsgs), so a message does not pay for zeroing a
 * fresh page it is about to overwrite. */
#define ZONE_PAGES 64
static uint8_t *zone[ZONE_PAGES];
static int nzone;

static uint8_t *zone_get(void)
{
	return nzone ? zone[--nzone] : page_alloc();
}

static void zone_put(uint8_t *pg)
{
	if (nzone < ZONE_PAGES)
		zone[nzone++] = pg;
	else
		page_free(pg);
}

_Static_assert(BODY_PAGES <= 32, "struct kmsg: copied holds a bit per body page");

/* k goes back to the pool. Only what copy_in() does not set again is
 * cleared: the flags and the body pages (not all 192 bytes). */
static void kmsg_free(struct kmsg *k)
{
	quota_give(k->acct, Q_KMSGS);
	for (uint32_t i = 0; i < BODY_PAGES; i++) {
		if (k->page[i]) {   /* (out of line: one mapped already is 0) */
			if (k->ool && !(k->copied & 1u << i))
				page_free(k->page[i]);
			else
				zone_put(k->page[i]);
			k->page[i] = 0;
		} else if (!k->ool) {
			break;
		}
	}
	k->used = 0, k->copied = 0;
	kstat.kbufs--;
}

/* Copy n body bytes between the kmsg's pages and user memory at u. */
static int body_xfer(struct kmsg *k, uint64_t u, uint32_t n, int out)
{
	for (uint32_t off = 0; off < n; off += PGSIZE) {
		uint32_t c = n - off < PGSIZE ? n - off : PGSIZE;
		int r = out ? copyout(u + off, k->page[off / PGSIZE], c) : copyin(k->page[off / PGSIZE], u + off, c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A kernel copy of the message m (its body in the caller's memory),
 * charged to the caller's process tree; 0 with *err set if none. */
static struct kmsg *copy_in(const struct mach_msg *m, struct proc *reply_to, int64_t *err)
{
	struct kmsg *k = 0;
	for (int i = 0; i < NKMSG && !k; i++)
		if (!kmsgs[i].used)
			k = &kmsgs[i];
	*err = -E_NOMEM;
	if (!k)
		return 0;
	if (quota_take(curproc->acct, Q_KMSGS) < 0) {
		*err = -E_QUOTA;
		return 0;
	}
	k->used = 1;
	k->acct = curproc->acct;
	kstat.kbufs++;
	uint32_t len = m->bits & MACH_MSG_BODY ? (uint32_t)m->body_len : 0;
	k->ool = len && m->body_type == MACH_TYPE_BYTES_OOL;
	uint32_t virt = 0;
	for (uint32_t i = 0; i * PGSIZE < len; i++) {
		/* Out of line: the sender's page itself, copy-on-write from now.
		 * A page that must stay as it is (read-only, or shared with
		 * another space) is copied, as Mach's vm_map_copyin copies what
		 * it cannot share copy-on-write. */
		if (k->ool && (k->page[i] = (uint8_t *)vm_cow_take(curproc->pml4, m->body + i * PGSIZE))) {
			virt += PGSIZE;
			continue;
		}
		if (!(k->page[i] = zone_get()) ||
		    (k->ool && copyin(k->page[i], m->body + i * PGSIZE, PGSIZE) < 0)) {
			if (k->page[i])
				k->copied |= 1u << i;
			*err = k->page[i] ? -E_FAULT : -E_NOMEM;
			kmsg_free(k);
			return 0;
		}
		if (k->ool)
			k->copied |= 1u << i;
	}
	k->sender = curproc->pid, k->reply_to = reply_to;
	k->label = m->label, k->flags = m->bits & MACH_MSG_BODY;
	k->len = k->flags ? len : m->len;
	memcpy(k->mr, m->mr, sizeof k->mr);
	if (k->ool) {
		kstat_copy(COPY_KBUF_IN, sizeof *m + (len - virt));
		if (virt)
			kstat_copy(COPY_VIRT, virt);
	} else {
		kstat_copy(COPY_KBUF_IN, sizeof *m + len);
		if (body_xfer(k, m->body, len, 0) < 0) {   /* (checked before: cannot fail) */
			*err = -E_FAULT;
			kmsg_free(k);
			return 0;
		}
	}
	return k;
}

static void enqueue(void **head, void **tail, struct kmsg *k)
{
	k->next = 0;
	if (*tail)
		((struct kmsg *)*tail)->next = k;
	else
		*head = k;
	*tail = k;
}

static struct kmsg *dequeue(void **head, void **tail)
{
	struct kmsg *k = *head;
	if (k && !(*head = k->next))
		*tail = 0;
	return k;
}

/* Is p blocked waiting on its reply port? */
static int awaits_reply(const struct proc *p)
{
	return p->state == P_BLOCKED && p->wait == W_REPLY;
}

/* Is m's typed header what the send does? The destination's disposition
 * (an answer moves the send-once right it names, a request copies a send
 * right), the reply port's (a call makes a send-once right; a one-way
 * message has none), and the data's type words (three 64-bit integers;
 * the body as len bytes, inline or out of line). Mach 3 checks the same in
 * ipc_kmsg_copyin_header() and, for typed data, ipc_kmsg_copyin_body(). */
static int header_ok(const struct mach_msg *m, uint64_t id, int call)
{
	uint32_t remote = id & MACH_PORT_SO ? MACH_MSG_TYPE_MOVE_SEND_ONCE : MACH_MSG_TYPE_COPY_SEND;
	if ((m->bits & ~MACH_MSG_BODY) != MACH_MSGH_BITS(remote, call ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0u) ||
	    m->mr_type != MACH_TYPE_WORDS)
		return 0;
	if (!(m->bits & MACH_MSG_BODY))
		return m->body_type == 0;
	if (m->body_type == MACH_TYPE_BYTES_OOL)   /* out of line: whole pages, page-aligned */
		return m->body_len == m->len && m->body_len && !((m->body | m->body_len) & (PGSIZE - 1));
	return m->body_type == MACH_TYPE_BYTES && m->body_len == m->len;
}

/* Send m to port id (or to the send-once right we hold). call: it
 * carries a send-once right to our reply port. */
static int64_t msg_send(uint64_t id, const struct mach_msg *m, int call)
{
	struct proc *cur = curproc;
	if (!header_ok(m, id, call))
		return -E_INVAL;
	if ((m->bits & MACH_MSG_BODY) && (m->body_len > BODY_MAX || !ipc_user_ok(cur, m->body, m->body_len, 0)))
		return -E_FAULT;
	if (id & MACH_PORT_SO) {   /* a reply: to the caller whose send-once right we hold */
		struct proc *c;
		uint64_t name = id & ~(uint64_t)MACH_PORT_SO;
		kstat.rights++;
		if (ipc_kept_find(cur, name, &c) < 0)
			return -E_BADH;   /* no such right in our name space */
		/* The answer is copied in before the right is used up: an answer
		 * that cannot be carried leaves the right with us, to answer
		 * again (Mach 3 likewise fails a send before it consumes rights). */
		struct kmsg *k = 0;
		int64_t err;
		if (c && c->callee == cur && c->ipc_is_call && !(k = copy_in(m, 0, &err)))
			return err;
		ipc_kept_take(cur, name, &c);
		if (c && cur->reply_to == c)
			cur->reply_to = 0;
		if (!c || c->callee != cur)
			return -E_SRCH;   /* a dead name: its caller is gone */
		if (!k)
			return 0;   /* it no longer waits for an answer: nothing is parked */
		struct kmsg *t = c->reply_q;
		while (t && t->next)
			t = t->next;
		void *tail = t;
		enqueue(&c->reply_q, &tail, k);
		c->callee = 0;
		if (awaits_reply(c))
			wake(c);
		return 0;
	}
	struct endpoint *ep = translate_send(id);
	if (!ep)
		return -E_BADH;   /* no send right of ours: MACH_SEND_INVALID_DEST */
	if (!ep_may_call(ep))
		return -E_PERM;
	if (call)
		kstat.rights++;   /* MAKE_SEND_ONCE: a right to our reply port */
	while (ep->kq_len >= MACH_QLIMIT) {   /* the port is full: wait for room */
		cur->sf->rax = 0;
		sched_block(W_SEND, &ep->sendq);
		if ((int64_t)cur->sf->rax < 0 || !ep->used)
			return -E_PEER;
	}
	int64_t err;
	struct kmsg *k = copy_in(m, call ? cur : 0, &err);
	if (!k)
		return err;
	enqueue(&ep->kq_head, &ep->kq_tail, k);
	ep->kq_len++;
	struct proc *rcv = waitq_pop(&ep->recvq);
	if (rcv)
		wake(rcv);
	return 0;
}

/* The send-once right to c's reply port died unused (its port went, or
 * no name was left for it): c, waiting on that port with no answer
 * queued, hears so. */
static void right_died(struct proc *c)
{
	if (c && awaits_reply(c) && !c->reply_q) {
		c->sf->rax = (uint64_t)-E_PEER;
		sched_ready(c);
	}
}

/* Out-of-line pages into the receive buffer at u (len bytes of them): a
 * whole page onto a private page of a page-aligned buffer is mapped in
 * its place (the kmsg's reference moves to the mapping), as
 * MACH_RCV_OVERWRITE asks; anything else is copied (a short last piece,
 * an unaligned buffer, a shared page). 0, or -E_NOMEM when a copy into a
 * copy-on-write page of the buffer found no page for its own copy. */
static int ool_out(struct kmsg *k, uint64_t u, uint32_t len)
{
	for (uint32_t off = 0; off < len; off += PGSIZE) {
		uint32_t c = len - off < PGSIZE ? len - off : PGSIZE;
		uint8_t *pg = k->page[off / PGSIZE];
		if (c == PGSIZE && !(u & (PGSIZE - 1)) && vm_cow_place(curproc->pml4, u + off, (uint64_t)pg) == 0) {
			k->page[off / PGSIZE] = 0;   /* (counted once, as COPY_VIRT, when sent) */
		} else {
			kstat_copy(COPY_KBUF_OUT, c);
			int r = copyout(u + off, pg, c);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Copy the message k out: the received part of the header (label to
 * badge) to um, the body into the receive buffer rv names, and free k.
 * The buffers were checked when the trap began, so only a copy into a
 * copy-on-write page can fail, for want of a page (vm_cow_break), and
 * the receive says -E_NOMEM: if the body's copy failed, the header has
 * arrived and the body has not (Mach's MACH_RCV_BODY_ERROR); if the
 * header's did, nothing arrived, and the send-once right it would have
 * named dies (its caller hears so) rather than sit under a name its
 * holder never learnt. */
static int copy_out(struct kmsg *k, uint64_t um, const struct mach_rcv *rv)
{
	struct mach_msg m;
	uint32_t len = k->len;
	if (k->flags && len > rv->rcap)
		len = (uint32_t)rv->rcap;
	m.label = k->label, m.len = len, m.bits = k->flags, m.reply = 0;
	m.mr_type = MACH_TYPE_WORDS;
	m.body_type = !k->flags ? 0 : k->ool ? MACH_TYPE_BYTES_OOL : MACH_TYPE_BYTES;
	m.mr[0] = k->mr[0], m.mr[1] = k->mr[1], m.mr[2] = k->mr[2];
	m.badge = k->sender;
	struct proc *c = k->reply_to;
	int64_t name = -1;
	if (c) {   /* its send-once right enters our name space */
		kstat.rights++;
		name = ipc_keep(curproc, c);
		if (name >= 0) {
			m.reply = MACH_PORT_SO | (uint32_t)name;
			m.bits |= MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);   /* as Mach's msgh_remote_port */
			curproc->reply_to = c;
			c->callee = curproc;
		} else {
			right_died(c);
		}
	}
	kstat_copy(COPY_KBUF_OUT, MACH_HDR_OUT + (k->flags && !k->ool ? len : 0));
	int r = copyout(um, &m, MACH_HDR_OUT);
	if (r < 0 && name >= 0) {   /* the right goes back out of our name space */
		struct proc *gone;
		ipc_kept_take(curproc, (uint64_t)name, &gone);
		curproc->reply_to = 0, c->callee = 0;
		right_died(c);
	}
	if (r == 0 && k->ool)
		r = ool_out(k, rv->rbody, len);
	else if (r == 0 && k->flags)
		r = body_xfer(k, rv->rbody, len, 1);
	kmsg_free(k);
	return r;
}

/* Receive on port id, or on our reply port, into um; sys_mach_msg has
 * checked um and the receive buffer rv names. */
static int64_t msg_receive(uint64_t id, uint64_t um, const struct mach_rcv *rv)
{
	struct proc *cur = curproc;
	kstat.rights++;   /* the receive right's name */
	if (id == MACH_PORT_REPLY) {
		struct kmsg *k;
		void *tail = 0;
		while (!(k = cur->reply_q)) {
			if (!cur->ipc_is_call)
				return -E_AGAIN;   /* no request of ours is out */
			cur->sf->rax = 0;
			wait_for(W_REPLY, 0);
			if ((int64_t)cur->sf->rax < 0) {
				cur->ipc_is_call = 0;
				return (int64_t)cur->sf->rax;
			}
		}
		dequeue(&cur->reply_q, &tail);
		cur->ipc_is_call = 0;
		return copy_out(k, um, rv);
	}
	struct endpoint *ep = ep_get(id);
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, id))
		return -E_PERM;
	struct kmsg *k;
	while (!(k = dequeue(&ep->kq_head, &ep->kq_tail))) {
		cur->sf->rax = 0;
		wait_for(W_RECV, &ep->recvq);
		if ((int64_t)cur->sf->rax < 0)
			return (int64_t)cur->sf->rax;
	}
	ep->kq_len--;
	struct proc *s = waitq_pop(&ep->sendq);   /* room for one more */
	if (s)
		sched_ready(s);
	return copy_out(k, um, rv);
}

static int64_t sys_mach_msg(struct sysframe *sf)
{
	uint64_t opt = ARG0(sf);
	struct proc *cur = curproc;
	woken = 0;
	struct mach_msg m;
	struct mach_rcv r;
	/* The receive half is checked before anything is sent: a call whose
	 * answer could not be delivered must fail whole, or its reply would
	 * stay parked in the kernel for good. Only its receive buffer is read
	 * (a call names one header for both halves: it is read in once). */
	if ((opt & MACH_RCV_MSG) &&
	    (copyin(&r, ARG4(sf) + offsetof(struct mach_msg, rbody), sizeof r) < 0 ||
	     !ipc_user_ok(cur, ARG4(sf), MACH_HDR_OUT, 1) || (r.rcap && !ipc_user_ok(cur, r.rbody, r.rcap, 1))))
		return -E_FAULT;
	if (opt & MACH_SEND_MSG) {
		if (copyin(&m, ARG2(sf), sizeof m) < 0)
			return -E_FAULT;
		int call = (opt & MACH_RCV_MSG) && ARG3(sf) == MACH_PORT_REPLY;
		if (call)
			cur->callee = 0;   /* set when a server takes the request */
		int64_t r = msg_send(ARG1(sf), &m, call);
		if (r < 0)
			return r;
		cur->ipc_is_call = call;
	}
	if (!(opt & MACH_RCV_MSG))
		return 0;
	return msg_receive(ARG3(sf), ARG4(sf), &r);
}

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_MACH_MSG, sys_mach_msg },
	{ SYS_EP_CREATE, sys_port_allocate },
	{ SYS_MACH_PORT_ALLOCATE, sys_port_allocate },
	{ SYS_MACH_PORT_INSERT, sys_port_insert },
	{ 0, 0 },
};

/* p dies: its reply port's messages go; queued requests of p lose their
 * reply right (the server answers nobody). */
void ipc_proc_exit(struct proc *p)
{
	struct kmsg *k;
	void *tail = 0;
	while ((k = dequeue(&p->reply_q, &tail)))
		kmsg_free(k);
	for (int i = 0; i < NKMSG; i++)
		if (kmsgs[i].used && kmsgs[i].reply_to == p)
			kmsgs[i].reply_to = 0;
}

/* The port goes: its queued messages are destroyed, and a caller
 * waiting on a reply right one of them carried hears the port died. */
void ipc_ep_free(struct endpoint *ep)
{
	struct kmsg *k;
	while ((k = dequeue(&ep->kq_head, &ep->kq_tail))) {
		right_died(k->reply_to);
		kmsg_free(k);
	}
	ep->kq_len = 0;
}
