/*
 * sem.c - the semaphore server (micro kernel): services/sem.c behind
 * EP_SEM. A wait that cannot take a unit is not answered: the server
 * keeps the request (srv_defer: the design's own deferred reply, user/
 * ipc.h), queues its token as the waiter, and answers it when a post
 * hands it the unit, so the client stays blocked in its call, as a
 * MINIX 3 or QNX server holds a client. A waiter that died is skipped
 * (its answer fails): the unit goes to the next waiter.
 */
#include "sem.h"
#include "srvlib.h"
#include "svc_err.h"
#include "svcproto.h"

static struct sem_table sems;

/* Post id, handing the unit to the first waiter still there: its kept
 * request is answered now. */
static int post(int id)
{
	uint32_t woken;
	int res;
	while ((res = sem_post(&sems, id, &woken)) == 1)
		if (srv_answer((long)woken, 0) == 0)
			return 0;
	return res;
}

/* Wait on id: a free unit is taken at once; else the request is kept and
 * queued (-> SVC_EWOULDBLOCK: no answer now). An error is answered now. */
static int wait(int id)
{
	int res = sem_trywait(&sems, id);
	if (res != SVC_EAGAIN)
		return res;
	long token = srv_defer();
	if (token < 0)
		return SVC_EAGAIN;   /* it cannot be kept: say so now */
	res = sem_wait(&sems, id, (uint32_t)token);
	if (res != SVC_EWOULDBLOCK)
		srv_answer(token, (uint64_t)(int64_t)res);   /* taken or refused after all: answered now */
	return SVC_EWOULDBLOCK;
}

/* The last client found allowed on each slot's semaphore (its id, as
 * ids carry a generation): a pid is never reused and a child stays its
 * parent's, so the answer holds while the semaphore lives. */
static int allowed_id[SEM_MAX];
static uint32_t allowed_pid[SEM_MAX];

/* May client use semaphore id (svc_share.h: its owner or the owner's
 * child; destroy, the owner)? 0 or SVC_EPERM. */
static int sem_may(int id, long client, int destroy)
{
	int owner = sem_owner(&sems, id);
	if (owner <= 0 || owner == client)
		return 0;   /* no such semaphore: the call itself says so */
	uint32_t slot = (uint32_t)id % SEM_MAX;
	if (!destroy && allowed_id[slot] == id && allowed_pid[slot] == (uint32_t)client)
		return 0;
	if (destroy || !srv_child_of((uint32_t)client, (uint32_t)owner))
		return SVC_EPERM;
	allowed_id[slot] = id, allowed_pid[slot] = (uint32_t)client;
	return 0;
}

static void handle(const struct ipc_in *req, const void *rbuf, struct srv_reply *r)
{
	(void)rbuf;
	int id = (int)req->mr[0], res;
	switch (req->label) {
	case SEM_CREATE:
		if (SRV_TREE_FULL(req->badge, sems.sems, SEM_MAX)) {
			res = SVC_EDQUOT;
			break;
		}
		res = sem_create_for(&sems, (int32_t)req->mr[0], (uint32_t)req->badge);
		if (res == SVC_ENOSPC && sem_sweep(&sems, srv_alive) > 0)   /* dead owners' */
			res = sem_create_for(&sems, (int32_t)req->mr[0], (uint32_t)req->badge);
		break;
	case SEM_WAIT:
		if ((res = sem_may(id, req->badge, 0)) == 0)
			res = wait(id);   /* SVC_EWOULDBLOCK: kept, answered by a post */
		break;
	case SEM_POST:
		if ((res = sem_may(id, req->badge, 0)) == 0)
			res = post(id);
		break;
	case SEM_DESTROY:
		if ((res = sem_may(id, req->badge, 1)) == 0)
			res = sem_destroy(&sems, id);
		break;
	default:
		res = SVC_EINVAL;
	}
	r->mr[0] = (uint64_t)(int64_t)res;
}

int main(const char *arg)
{
	srv_fault_setup("sem", arg);
	sem_init(&sems);
	srv_loop(srv_endpoint(arg, EP_SEM), 0, 0, handle);
}
