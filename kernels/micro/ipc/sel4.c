/*
 * sel4.c - IPC strategy "sel4" (the default): synchronous endpoints,
 * seL4 style (seL4 Reference Manual, ch. 4 "Message Passing"): send,
 * recv, call, reply_recv. Up to 24 bytes travel in registers (rdx, r10,
 * r8); a message whose struct ipc_desc names a send buffer is copied once
 * by the kernel from the sender's buffer into the receiver's. A call
 * hands the CPU straight to a waiting receiver and a reply straight back
 * to the caller, without the scheduler. A server that would answer a
 * call later moves its reply capability into a slot of its own (as seL4's
 * SaveCaller did before the MCS kernel made reply objects explicit), may
 * receive other calls meanwhile, and answers by a send on that slot. This
 * is the general path;
 * sel4_fast.c handles the common short case first; regs.c reads and
 * delivers the register-and-string message it shares with l4.
 */
#include "defs.h"
#include "ipc.h"
#include "rendezvous.h"
#include "syscall.h"

const char ipc_name[] = "sel4";

void ipc_init(const char *cmdline) { ipc_no_options(cmdline); }

static int64_t send_or_call(struct sysframe *sf, int is_call)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_call(ep))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 1);
	return r < 0 ? r : ipc_send_regs(ep, is_call, 0);
}

/* A send on a saved reply capability (SEL4_REPLY_CAP | name): the
 * answer to a call received earlier; the capability is used up. */
static int64_t send_saved_reply(struct sysframe *sf)
{
	struct proc *cur = curproc, *c;
	struct ipc_msg m;
	int r = ipc_msg_read(sf, &m, 1);
	if (r < 0)
		return r;   /* the capability stays */
	if (ipc_kept_take(cur, ARG0(sf) & ~(uint64_t)SEL4_REPLY_CAP, &c) < 0)
		return -E_BADH;
	if (!ipc_awaits(c, cur))
		return -E_SRCH;   /* its caller died */
	ipc_deliver_regs(cur, &m, c);
	c->callee = 0;
	sched_ready(c);
	return 0;
}

static int64_t sys_ipc_send(struct sysframe *sf)
{
	return ARG0(sf) & SEL4_REPLY_CAP ? send_saved_reply(sf) : send_or_call(sf, 0);
}

/* SaveCaller: the reply capability of the call last received moves into
 * a slot of ours (-> its name); the next receive may take another call. */
static int64_t sys_save_caller(struct sysframe *sf)
{
	(void)sf;
	struct proc *cur = curproc, *c = cur->reply_to;
	if (!ipc_awaits(c, cur))
		return -E_SRCH;   /* no call to answer */
	int64_t name = ipc_keep(cur, c);
	if (name >= 0)
		cur->reply_to = 0;
	return name;
}
int64_t sys_ipc_call_slow(struct sysframe *sf) { return send_or_call(sf, 1); }

static int64_t sys_ipc_recv(struct sysframe *sf)
{
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	int r = ipc_msg_read(sf, &curproc->msg, 0);
	return r < 0 ? r : ipc_wait_regs(ep, 0, 0);
}

/* Reply to the caller this server holds, then wait on ep. With no queued
 * sender the server blocks and the CPU goes straight to the caller. */
int64_t sys_ipc_reply_recv_slow(struct sysframe *sf)
{
	struct proc *cur = curproc, *caller = cur->reply_to;
	struct endpoint *ep = ep_get(ARG0(sf));
	if (!ep)
		return -E_BADH;
	if (!ep_may_recv(ep, ARG0(sf)))
		return -E_PERM;
	struct ipc_msg reply;
	int r = ipc_msg_read(sf, &reply, 1);
	if (r < 0)
		return r;
	cur->msg.rbuf = reply.rbuf, cur->msg.rcap = reply.rcap;
	cur->reply_to = 0;
	if (!ipc_awaits(caller, cur))
		return ipc_wait_regs(ep, 0, 0);   /* nobody to reply to (caller died) */
	ipc_deliver_regs(cur, &reply, caller);
	caller->callee = 0;
	return ipc_wait_regs(ep, 0, caller);
}

int64_t sys_ep_create(struct sysframe *sf);
int64_t sys_ipc_call_fast(struct sysframe *sf);
int64_t sys_ipc_reply_recv_fast(struct sysframe *sf);

const struct ipc_sysent ipc_syscalls[] = {
	{ SYS_EP_CREATE, sys_ep_create },
	{ SYS_IPC_SEND, sys_ipc_send },
	{ SYS_IPC_RECV, sys_ipc_recv },
	{ SYS_IPC_CALL, sys_ipc_call_fast },
	{ SYS_IPC_REPLY_RECV, sys_ipc_reply_recv_fast },
	{ SYS_SAVE_CALLER, sys_save_caller },
	{ 0, 0 },
};

void ipc_proc_start(struct proc *p) { (void)p; }
void ipc_proc_exit(struct proc *p) { (void)p; }
void ipc_ep_free(struct endpoint *ep) { (void)ep; }
