/*
 * sem.c - counting semaphores with FIFO wait queues; see sem.h for how
 * the hosting blocks and wakes waiters.
 *
 * Linked into: mono kernel, micro semaphore server, host unit tests.
 */
#include "sem.h"
#include "svc_base.h"

#define SEM_GEN_LIMIT (0x7fffffffu / SEM_MAX)   /* keeps ids positive */

/* The live semaphore named by id, or NULL. */
static struct sem *sem_get(const struct sem_table *t, int id)
{
    if (!t || id < 0)
        return NULL;
    const struct sem *s = &t->sems[(uint32_t)id % SEM_MAX];
    if (!s->used || s->gen != (uint32_t)id / SEM_MAX)
        return NULL;
    return (struct sem *)s;
}

static bool queued(const struct sem *s, uint32_t waiter)
{
    for (uint32_t i = 0; i < s->nwait; i++)
        if (s->queue[(s->head + i) % SEM_QUEUE_MAX] == waiter)
            return true;
    return false;
}

/* sem_init: make every slot of t free.  Returns 0 or SVC_EINVAL (t NULL). */
int sem_init(struct sem_table *t)
{
    if (!t)
        return SVC_EINVAL;
    memset(t, 0, sizeof *t);
    return 0;
}

/*
 * sem_create: a new semaphore holding initial units.  Returns its id (>= 0),
 * SVC_EINVAL (t NULL, initial < 0), SVC_ENOSPC (table full).
 */
int sem_create(struct sem_table *t, int32_t initial)
{
    return sem_create_for(t, initial, 0);
}

/* sem_create_for: sem_create, owned by owner (freed by sem_owner_gone). */
int sem_create_for(struct sem_table *t, int32_t initial, uint32_t owner)
{
    if (!t || initial < 0)
        return SVC_EINVAL;
    for (uint32_t i = 0; i < SEM_MAX; i++) {
        struct sem *s = &t->sems[i];
        if (s->used)
            continue;
        s->used = true;
        s->owner = owner;
        s->count = initial;
        s->head = s->nwait = 0;
        return (int)(s->gen * SEM_MAX + i);
    }
    return SVC_ENOSPC;
}

/* sem_owner_gone: owner died: free its semaphores that nobody waits on
 * (one with waiters stays until they are served).  Returns how many were
 * freed, or SVC_EINVAL (t NULL or owner 0). */
int sem_owner_gone(struct sem_table *t, uint32_t owner)
{
    if (!t || !owner)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t i = 0; i < SEM_MAX; i++) {
        struct sem *s = &t->sems[i];
        if (s->used && s->owner == owner && s->nwait == 0) {
            sem_destroy(t, (int)(s->gen * SEM_MAX + i));
            n++;
        }
    }
    return n;
}

/* sem_sweep: sem_owner_gone for every owner alive() says is gone.
 * Returns how many semaphores were freed, or SVC_EINVAL. */
int sem_sweep(struct sem_table *t, int (*alive)(uint32_t owner))
{
    if (!t || !alive)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t i = 0; i < SEM_MAX; i++) {
        struct sem *s = &t->sems[i];
        if (s->used && s->owner && s->nwait == 0 && !alive(s->owner)) {
            sem_destroy(t, (int)(s->gen * SEM_MAX + i));
            n++;
        }
    }
    return n;
}

/*
 * sem_destroy: free semaphore id.  Returns 0, SVC_ENOENT (no such id),
 * SVC_EBUSY (waiters are queued: the hosting must sem_cancel them first).
 */
int sem_destroy(struct sem_table *t, int id)
{
    struct sem *s = sem_get(t, id);
    if (!s)
        return SVC_ENOENT;
    if (s->nwait > 0)
        return SVC_EBUSY;
    s->used = false;
    s->gen = (s->gen + 1) % SEM_GEN_LIMIT;
    return 0;
}

/*
 * sem_wait: take a unit of id for waiter.  Returns 0 (taken), or
 * SVC_EWOULDBLOCK: no unit, waiter is now queued (FIFO) and the hosting must
 * block it until a sem_post names it.  Errors (nothing queued): SVC_ENOENT,
 * SVC_EAGAIN (queue full), SVC_EINVAL (waiter already queued on id).
 */
int sem_wait(struct sem_table *t, int id, uint32_t waiter)
{
    struct sem *s = sem_get(t, id);
    if (!s)
        return SVC_ENOENT;
    if (s->count > 0) {
        s->count--;
        return 0;
    }
    if (queued(s, waiter))
        return SVC_EINVAL;
    if (s->nwait == SEM_QUEUE_MAX)
        return SVC_EAGAIN;
    s->queue[(s->head + s->nwait) % SEM_QUEUE_MAX] = waiter;
    s->nwait++;
    return SVC_EWOULDBLOCK;
}

/* sem_trywait: take a unit of id if one is free, never queue.
 * Returns 0, SVC_EAGAIN (no unit), SVC_ENOENT. */
int sem_trywait(struct sem_table *t, int id)
{
    struct sem *s = sem_get(t, id);
    if (!s)
        return SVC_ENOENT;
    if (s->count == 0)
        return SVC_EAGAIN;
    s->count--;
    return 0;
}

/*
 * sem_post: release a unit of id.  If waiters are queued the unit goes to
 * the first: returns 1 and sets *woken to it (the hosting wakes it; its
 * sem_wait has succeeded).  Otherwise returns 0 after counting the unit.
 * Errors: SVC_ENOENT, SVC_EINVAL (woken NULL), SVC_EOVERFLOW (count
 * already SEM_VALUE_MAX).
 */
int sem_post(struct sem_table *t, int id, uint32_t *woken)
{
    struct sem *s = sem_get(t, id);
    if (!s)
        return SVC_ENOENT;
    if (!woken)
        return SVC_EINVAL;
    if (s->nwait > 0) {
        *woken = s->queue[s->head];
        s->head = (s->head + 1) % SEM_QUEUE_MAX;
        s->nwait--;
        return 1;
    }
    if (s->count == SEM_VALUE_MAX)
        return SVC_EOVERFLOW;
    s->count++;
    return 0;
}

/*
 * sem_cancel: remove waiter from every queue (it died or was interrupted),
 * keeping the others' order.  Returns how many entries were removed, or
 * SVC_EINVAL (t NULL).
 */
int sem_cancel(struct sem_table *t, uint32_t waiter)
{
    if (!t)
        return SVC_EINVAL;
    int removed = 0;
    for (uint32_t i = 0; i < SEM_MAX; i++) {
        struct sem *s = &t->sems[i];
        if (!s->used)
            continue;
        uint32_t kept = 0;
        for (uint32_t j = 0; j < s->nwait; j++) {
            uint32_t w = s->queue[(s->head + j) % SEM_QUEUE_MAX];
            if (w == waiter)
                removed++;
            else
                s->queue[(s->head + kept++) % SEM_QUEUE_MAX] = w;
        }
        s->nwait = kept;
    }
    return removed;
}

/* sem_value: the free units of id (>= 0), or SVC_ENOENT. */
int sem_value(const struct sem_table *t, int id)
{
    const struct sem *s = sem_get(t, id);
    return s ? s->count : SVC_ENOENT;
}
