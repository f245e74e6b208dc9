/*
 * pipe.c - kernel pipes for the mono kernel: a 128 KiB ring of pages per
 * pipe (one 64 KiB message fits), in packet mode (each write is one
 * message that one read returns, like Linux's O_DIRECT pipes); write copies in from the writer, read
 * copies out to the reader (two copies per message). Blocked readers and
 * writers wait on the pipe's queues and are woken by the other side.
 */
#include "defs.h"
#include "proc.h"
#include "syscall.h"

#define NPIPE 32
#define PIPE_PAGES 32
#define PIPE_CAP (PIPE_PAGES * PGSIZE)

struct pipe {
	int used;
	uint8_t *page[PIPE_PAGES];
	uint64_t rpos, wpos;   /* bytes read and written since creation */
	struct waitq readers, writers;
};

static struct pipe pipes[NPIPE];

static struct pipe *pipe_get(uint64_t id)
{
	return id < NPIPE && pipes[id].used ? &pipes[id] : 0;
}

static void wake_all(struct waitq *q)
{
	struct proc *p;
	while ((p = waitq_pop(q)))
		sched_ready(p);
}

int64_t sys_pipe(struct sysframe *sf)
{
	(void)sf;
	for (int i = 1; i < NPIPE; i++) {
		struct pipe *pp = &pipes[i];
		if (pp->used)
			continue;
		memset(pp, 0, sizeof *pp);
		for (int j = 0; j < PIPE_PAGES; j++) {
			if (!(pp->page[j] = page_alloc())) {
				while (j--)
					page_free(pp->page[j]);
				return -E_NOMEM;
			}
		}
		pp->used = 1;
		return i;
	}
	return -E_NOMEM;
}

int64_t sys_pipe_close(struct sysframe *sf)
{
	struct pipe *pp = pipe_get(ARG0(sf));
	if (!pp)
		return -E_BADH;
	pp->used = 0;
	for (int j = 0; j < PIPE_PAGES; j++)
		page_free(pp->page[j]);
	wake_all(&pp->readers);
	wake_all(&pp->writers);
	return 0;
}

/* Move n bytes between the ring at position pos and user memory. */
static int ring_xfer(struct pipe *pp, uint64_t pos, uint64_t ubuf, uint64_t n, int to_user)
{
	while (n) {
		uint64_t off = pos % PIPE_CAP, k = n;
		if (k > PGSIZE - off % PGSIZE)
			k = PGSIZE - off % PGSIZE;
		uint8_t *kp = pp->page[off / PGSIZE] + off % PGSIZE;
		int r = to_user ? copyout(ubuf, kp, k) : copyin(kp, ubuf, k);
		if (r < 0)
			return r;
		pos += k, ubuf += k, n -= k;
	}
	return 0;
}

static uint64_t *ring_word(struct pipe *pp, uint64_t pos)
{
	uint64_t off = pos % PIPE_CAP;
	return (uint64_t *)(pp->page[off / PGSIZE] + off % PGSIZE);
}

#define PKT_SPACE(len) (8 + (((len) + 7) & ~7UL))

/* Write one packet of len bytes (0 to 64 KiB - 8), blocking until it
 * fits whole: packets are atomic, as in Linux's packet-mode pipes. */
int64_t sys_pipe_write(struct sysframe *sf)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), len = ARG2(sf);
	struct pipe *pp = pipe_get(id);
	if (!pp)
		return -E_BADH;
	if (len > PIPE_CAP - 8)
		return -E_MSGSIZE;
	if (!vm_check(curproc->pml4, ubuf, len, 0))
		return -E_FAULT;
	while (PIPE_CAP - (pp->wpos - pp->rpos) < PKT_SPACE(len)) {
		sched_block(W_PIPE, &pp->writers);
		if (!pipe_get(id))
			return -E_PIPE;   /* closed while we slept */
	}
	if (ring_xfer(pp, pp->wpos + 8, ubuf, len, 0) < 0)
		return -E_FAULT;
	*ring_word(pp, pp->wpos) = len;
	pp->wpos += PKT_SPACE(len);
	wake_all(&pp->readers);
	return (int64_t)len;
}

/* Read one packet into ubuf (at most cap bytes; the rest of a longer
 * packet is dropped), blocking while the pipe is empty. */
int64_t sys_pipe_read(struct sysframe *sf)
{
	uint64_t id = ARG0(sf), ubuf = ARG1(sf), cap = ARG2(sf);
	struct pipe *pp = pipe_get(id);
	if (!pp)
		return -E_BADH;
	if (!vm_check(curproc->pml4, ubuf, cap, 1))
		return -E_FAULT;
	while (pp->wpos == pp->rpos) {
		sched_block(W_PIPE, &pp->readers);
		if (!pipe_get(id))
			return -E_PIPE;
	}
	uint64_t len = *ring_word(pp, pp->rpos), n = len < cap ? len : cap;
	if (ring_xfer(pp, pp->rpos + 8, ubuf, n, 1) < 0)
		return -E_FAULT;
	pp->rpos += PKT_SPACE(len);
	wake_all(&pp->writers);
	return (int64_t)n;
}
