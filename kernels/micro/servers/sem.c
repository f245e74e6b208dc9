/*
 * sem.c - the semaphore server (micro kernel): services/sem.c behind
 * EP_SEM. A wait that cannot take a unit queues the caller's notification
 * object and answers SVC_EWOULDBLOCK; the client then waits on that
 * notification, which a later post signals (seL4-style notifications do
 * the blocking, so the server never holds a reply).
 */
#include "sem.h"
#include "srvlib.h"
#include "svc_err.h"
#include "svcproto.h"

static struct sem_table sems;

static void handle(const struct ipc_in *req, const void *rbuf, struct srv_reply *r)
{
	(void)rbuf;
	int id = (int)req->mr[0], res;
	uint32_t woken;
	switch (req->label) {
	case SEM_CREATE:
		res = sem_create(&sems, (int32_t)req->mr[0]);
		break;
	case SEM_WAIT:
		res = sem_wait(&sems, id, (uint32_t)req->mr[1]);   /* waiter = its notification */
		break;
	case SEM_POST:
		res = sem_post(&sems, id, &woken);
		if (res == 1) {
			syscall3(SYS_NTFN_SIGNAL, woken, 1, 0);
			res = 0;
		}
		break;
	case SEM_DESTROY:
		res = sem_destroy(&sems, id);
		break;
	default:
		res = SVC_EINVAL;
	}
	r->mr[0] = (uint64_t)(int64_t)res;
}

int main(void)
{
	sem_init(&sems);
	srv_loop(EP_SEM, 0, 0, handle);
}
