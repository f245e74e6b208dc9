/*
 * sem.h - a table of counting semaphores with FIFO wait queues (sem.c).
 *
 * sem.c never blocks anyone: sem_wait either takes a unit or queues the
 * waiter id and returns SVC_EWOULDBLOCK, and the hosting then blocks that
 * thread (mono kernel) or withholds the reply (micro server).  sem_post
 * hands the unit directly to the first waiter and tells the hosting whom to
 * wake.  Waiter ids are opaque to sem.c (thread ids, client ids...).
 *
 * Ids: sem_create returns id = generation * SEM_MAX + slot, so an id used
 * after sem_destroy gets SVC_ENOENT even when the slot has been reused.
 *
 * Linked into: mono kernel, micro semaphore server, host unit tests.
 */
#ifndef SEM_H
#define SEM_H

#include <stdbool.h>
#include <stdint.h>

#define SEM_MAX 32          /* semaphores per table */
#define SEM_QUEUE_MAX 16    /* waiters per semaphore */
#define SEM_VALUE_MAX 0x7fffffff

struct sem {
    bool used;
    uint32_t owner;                  /* creator (sem_create_for), 0: none */
    uint32_t gen;                    /* bumped by sem_destroy */
    int32_t count;                   /* free units, >= 0 */
    uint32_t head, nwait;            /* ring of waiters in queue[] */
    uint32_t queue[SEM_QUEUE_MAX];
};

struct sem_table {
    struct sem sems[SEM_MAX];
};

int sem_init(struct sem_table *t);
int sem_create(struct sem_table *t, int32_t initial);
int sem_create_for(struct sem_table *t, int32_t initial, uint32_t owner);
int sem_owner_gone(struct sem_table *t, uint32_t owner);
int sem_sweep(struct sem_table *t, int (*alive)(uint32_t owner));
int sem_destroy(struct sem_table *t, int id);
int sem_wait(struct sem_table *t, int id, uint32_t waiter);
int sem_trywait(struct sem_table *t, int id);
int sem_post(struct sem_table *t, int id, uint32_t *woken);
int sem_cancel(struct sem_table *t, uint32_t waiter);
int sem_value(const struct sem_table *t, int id);

/* sem_owner: the creator of id (0: none), or -1 if id names no live
 * semaphore (the call that follows says SVC_ENOENT). Inline: the hosting
 * asks it on every wait and post (svc_share.h). */
static inline int sem_owner(const struct sem_table *t, int id)
{
    const struct sem *s = &t->sems[(uint32_t)id % SEM_MAX];
    return id >= 0 && s->used && s->gen == (uint32_t)id / SEM_MAX ? (int)s->owner : -1;
}

#endif
