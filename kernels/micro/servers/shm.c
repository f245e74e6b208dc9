/*
 * shm.c - the shared-memory server (micro kernel): services/shm.c behind
 * EP_SHM. Segment pages come from a pool in this server's own memory; an
 * attach maps them into the client with the kernel's page mapping
 * (SYS_MAP) at the segment slot's fixed address, a detach unmaps them.
 */
#include "shm.h"
#include "srvlib.h"
#include "str.h"
#include "svc_err.h"
#include "svcproto.h"

#define POOL_PAGES 2048   /* 8 MiB: a process tree may hold a third of the segments (svc_share.h), up to 2.5 MiB */
#define PAGE 4096

static uint8_t pool[POOL_PAGES][PAGE] __attribute__((aligned(PAGE)));
static uintptr_t free_pages[POOL_PAGES];
static int nfree;
static struct shm_table shms;
static uintptr_t pages[SHM_MAX_PAGES];

static uintptr_t pool_alloc(void *ctx)
{
	(void)ctx;
	if (!nfree)
		return 0;
	uintptr_t p = free_pages[--nfree];
	memset((void *)p, 0, PAGE);
	return p;
}

static void pool_free(void *ctx, uintptr_t p)
{
	(void)ctx;
	free_pages[nfree++] = p;
}

static const struct shm_pager pager = { 0, pool_alloc, pool_free };

static uint64_t slot_va(int id)
{
	return SHM_BASE + (uint64_t)(id % SHM_MAX) * SHM_SPAN;
}

static int attach(int id, long client)
{
	int n = shm_attach(&shms, id, (uint32_t)client, pages);
	for (int i = 0; n > 0 && i < n; i++) {
		long r = syscall6(SYS_MAP, (uint64_t)client, pages[i], slot_va(id) + (uint64_t)i * PAGE, 1, 1, 0).rax;
		if (r < 0) {
			syscall3(SYS_UNMAP, (uint64_t)client, slot_va(id), (uint64_t)i);
			shm_detach(&shms, id, (uint32_t)client);
			return SVC_ENOMEM;
		}
	}
	return n;
}

static void handle(const struct ipc_in *req, const void *rbuf, struct srv_reply *r)
{
	(void)rbuf;
	int id = (int)req->mr[0];
	int64_t res;
	struct shm_info info;
	switch (req->label) {
	case SHM_CREATE:
		if (SRV_TREE_FULL(req->badge, shms.segs, SHM_MAX)) {
			res = SVC_EDQUOT;
			break;
		}
		res = shm_create(&shms, (uint32_t)req->mr[0], (size_t)req->mr[1], (uint32_t)req->badge);
		if ((res == SVC_ENOSPC || res == SVC_ENOMEM || res == SVC_EEXIST) &&
		    shm_sweep(&shms, srv_alive) > 0)   /* dead owners' and clients' */
			res = shm_create(&shms, (uint32_t)req->mr[0], (size_t)req->mr[1],
					 (uint32_t)req->badge);
		break;
	case SHM_ATTACH:   /* its owner's and the owner's children's (svc_share.h) */
		if (shm_info(&shms, id, &info) == 0 && info.owner && info.owner != (uint32_t)req->badge &&
		    !srv_child_of((uint32_t)req->badge, info.owner)) {
			res = SVC_EPERM;
			break;
		}
		res = attach(id, req->badge);
		if (res == SVC_ENOSPC && shm_sweep(&shms, srv_alive) > 0)   /* dead clients' */
			res = attach(id, req->badge);
		if (res >= 0)
			res = (int64_t)slot_va(id);
		break;
	case SHM_DETACH:
		res = shm_info(&shms, id, &info);
		if (res >= 0 && (res = shm_detach(&shms, id, (uint32_t)req->badge)) >= 0) {
			syscall3(SYS_UNMAP, (uint64_t)req->badge, slot_va(id), info.npages);
			res = 0;
		}
		break;
	default:
		res = SVC_EINVAL;
	}
	r->mr[0] = (uint64_t)res;
}

int main(const char *arg)
{
	srv_fault_setup("shm", arg);
	for (int i = POOL_PAGES - 1; i >= 0; i--)
		free_pages[nfree++] = (uintptr_t)pool[i];
	shm_init(&shms, &pager);
	srv_loop(EP_SHM, 0, 0, handle);
}
