/*
 * shm.c - shared-memory segment bookkeeping; see shm.h for the split of
 * work with the hosting (which allocates, zeroes and maps pages).
 *
 * Linked into: mono kernel, micro shared-memory server, host unit tests.
 */
#include "shm.h"
#include "svc_base.h"

#define SHM_GEN_LIMIT (0x7fffffffu / SHM_MAX)   /* keeps ids positive */

/* The segment named by id (live or dying), or NULL. */
static struct shm_seg *seg_get(const struct shm_table *t, int id)
{
    if (!t || id < 0)
        return NULL;
    const struct shm_seg *s = &t->segs[(uint32_t)id % SHM_MAX];
    if (!s->used || s->gen != (uint32_t)id / SHM_MAX)
        return NULL;
    return (struct shm_seg *)s;
}

/* Give back the first n pages of s and free its slot. */
static void seg_release(struct shm_table *t, struct shm_seg *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        t->pager.free_page(t->pager.ctx, s->pages[i]);
    s->used = false;
    s->dying = false;
    s->nattach = 0;
    s->gen = (s->gen + 1) % SHM_GEN_LIMIT;
}

/* Index of client in s->clients, or -1. */
static int attach_index(const struct shm_seg *s, uint32_t client)
{
    for (uint32_t i = 0; i < s->nattach; i++)
        if (s->clients[i] == client)
            return (int)i;
    return -1;
}

/*
 * shm_init: empty t and remember the hosting's page allocator.
 * Returns 0, or SVC_EINVAL (NULL argument or callback).
 */
int shm_init(struct shm_table *t, const struct shm_pager *pager)
{
    if (!t || !pager || !pager->alloc_page || !pager->free_page)
        return SVC_EINVAL;
    memset(t, 0, sizeof *t);
    t->pager = *pager;
    return 0;
}

/*
 * shm_create: a segment of size bytes (rounded up to whole pages) under key,
 * owned by owner, with pages from the pager.  Returns its id (>= 0),
 * SVC_EINVAL (t NULL, size 0 or above SHM_MAX_SIZE), SVC_EEXIST (key in
 * use), SVC_ENOSPC (table full), SVC_ENOMEM (pager empty; pages taken so
 * far are given back).
 */
int shm_create(struct shm_table *t, uint32_t key, size_t size, uint32_t owner)
{
    if (!t || !t->pager.alloc_page || size == 0 || size > SHM_MAX_SIZE)
        return SVC_EINVAL;
    if (shm_lookup(t, key) >= 0)
        return SVC_EEXIST;
    uint32_t i = 0;
    while (i < SHM_MAX && t->segs[i].used)
        i++;
    if (i == SHM_MAX)
        return SVC_ENOSPC;
    struct shm_seg *s = &t->segs[i];
    s->npages = (uint32_t)((size + SHM_PAGE_SIZE - 1) / SHM_PAGE_SIZE);
    for (uint32_t p = 0; p < s->npages; p++) {
        s->pages[p] = t->pager.alloc_page(t->pager.ctx);
        if (s->pages[p] == 0) {
            seg_release(t, s, p);
            return SVC_ENOMEM;
        }
    }
    s->used = true;
    s->dying = false;
    s->key = key;
    s->size = (uint32_t)size;
    s->owner = owner;
    s->nattach = 0;
    return (int)(s->gen * SHM_MAX + i);
}

/* shm_lookup: the id of the live segment under key, or SVC_ENOENT
 * (also for t NULL). */
int shm_lookup(const struct shm_table *t, uint32_t key)
{
    if (!t)
        return SVC_ENOENT;
    for (uint32_t i = 0; i < SHM_MAX; i++) {
        const struct shm_seg *s = &t->segs[i];
        if (s->used && !s->dying && s->key == key)
            return (int)(s->gen * SHM_MAX + i);
    }
    return SVC_ENOENT;
}

/*
 * shm_attach: record that client maps segment id and copy its page list
 * into pages[0 .. n-1] (room for SHM_MAX_PAGES).  Returns n, SVC_ENOENT (no
 * such or destroyed segment), SVC_EINVAL (pages NULL), SVC_EEXIST (client
 * already attached), SVC_ENOSPC (SHM_MAX_ATTACH clients attached).
 */
int shm_attach(struct shm_table *t, int id, uint32_t client,
               uintptr_t pages[SHM_MAX_PAGES])
{
    struct shm_seg *s = seg_get(t, id);
    if (!s || s->dying)
        return SVC_ENOENT;
    if (!pages)
        return SVC_EINVAL;
    if (attach_index(s, client) >= 0)
        return SVC_EEXIST;
    if (s->nattach == SHM_MAX_ATTACH)
        return SVC_ENOSPC;
    s->clients[s->nattach++] = client;
    memcpy(pages, s->pages, s->npages * sizeof pages[0]);
    return (int)s->npages;
}

/*
 * shm_detach: client no longer maps segment id (the hosting unmaps it).
 * Returns 0, or 1 when this was the last client of a destroyed segment and
 * its pages went back to the pager.  Errors: SVC_ENOENT (no such segment),
 * SVC_EINVAL (client not attached).
 */
int shm_detach(struct shm_table *t, int id, uint32_t client)
{
    struct shm_seg *s = seg_get(t, id);
    if (!s)
        return SVC_ENOENT;
    int i = attach_index(s, client);
    if (i < 0)
        return SVC_EINVAL;
    s->clients[i] = s->clients[--s->nattach];
    if (s->dying && s->nattach == 0) {
        seg_release(t, s, s->npages);
        return 1;
    }
    return 0;
}

/* shm_detach_all: detach client from every segment (it died).
 * Returns how many it was attached to, or SVC_EINVAL (t NULL). */
int shm_detach_all(struct shm_table *t, uint32_t client)
{
    if (!t)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t i = 0; i < SHM_MAX; i++) {
        struct shm_seg *s = &t->segs[i];
        if (s->used && attach_index(s, client) >= 0) {
            shm_detach(t, (int)(s->gen * SHM_MAX + i), client);
            n++;
        }
    }
    return n;
}

/* shm_owner_gone: owner died: detach it everywhere and destroy the
 * segments it owns (each is freed at its last detach).  Returns how many
 * segments it owned, or SVC_EINVAL (t NULL). */
int shm_owner_gone(struct shm_table *t, uint32_t owner)
{
    if (!t)
        return SVC_EINVAL;
    shm_detach_all(t, owner);
    int n = 0;
    for (uint32_t i = 0; i < SHM_MAX; i++) {
        struct shm_seg *s = &t->segs[i];
        if (s->used && !s->dying && s->owner == owner) {
            shm_destroy(t, (int)(s->gen * SHM_MAX + i), owner);
            n++;
        }
    }
    return n;
}

/* shm_sweep: shm_owner_gone for every owner or client alive() says is
 * gone.  Returns how many processes were swept, or SVC_EINVAL. */
int shm_sweep(struct shm_table *t, int (*alive)(uint32_t pid))
{
    if (!t || !alive)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t i = 0; i < SHM_MAX; i++) {
        struct shm_seg *s = &t->segs[i];
        for (uint32_t c = 0; s->used && c < s->nattach; c++)
            if (!alive(s->clients[c])) {
                shm_owner_gone(t, s->clients[c]);
                n++;
                c = (uint32_t)-1;   /* the list changed: look again */
            }
        if (s->used && !s->dying && !alive(s->owner)) {
            shm_owner_gone(t, s->owner);
            n++;
        }
    }
    return n;
}

/*
 * shm_destroy: the owner removes segment id: its key disappears now, its
 * pages are freed now if nobody is attached (returns 0), else at the last
 * shm_detach (returns 1).  Errors: SVC_ENOENT (no such or already destroyed
 * segment), SVC_EPERM (client is not the owner).
 */
int shm_destroy(struct shm_table *t, int id, uint32_t client)
{
    struct shm_seg *s = seg_get(t, id);
    if (!s || s->dying)
        return SVC_ENOENT;
    if (s->owner != client)
        return SVC_EPERM;
    if (s->nattach > 0) {
        s->dying = true;
        return 1;
    }
    seg_release(t, s, s->npages);
    return 0;
}

/* shm_info: fill *info for segment id (live or dying).
 * Returns 0, SVC_ENOENT, SVC_EINVAL (info NULL). */
int shm_info(const struct shm_table *t, int id, struct shm_info *info)
{
    const struct shm_seg *s = seg_get(t, id);
    if (!s)
        return SVC_ENOENT;
    if (!info)
        return SVC_EINVAL;
    info->key = s->key;
    info->size = s->size;
    info->npages = s->npages;
    info->owner = s->owner;
    info->nattach = s->nattach;
    return 0;
}
