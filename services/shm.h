/*
 * shm.h - a table of shared-memory segments named by key (shm.c).
 *
 * shm.c does the bookkeeping only: which segments exist, their pages, who
 * is attached.  Pages come from the hosting through struct shm_pager: the
 * mono kernel hands out physical pages, a micro memory server its own
 * virtual pages; the values are opaque here (0 means "none").  The hosting
 * zeroes new pages if it wants to, and maps the page list shm_attach gives
 * it into the client.
 *
 * Destroying a segment removes its key at once (a new segment may reuse it)
 * but frees the pages only when the last client detaches, as SysV
 * IPC_RMID does.  Ids are generation * SHM_MAX + slot, so a stale id gets
 * SVC_ENOENT.
 *
 * Linked into: mono kernel, micro shared-memory server, host unit tests.
 */
#ifndef SHM_H
#define SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_PAGE_SIZE 4096u
#define SHM_MAX_SIZE (256u * 1024u)
#define SHM_MAX_PAGES (SHM_MAX_SIZE / SHM_PAGE_SIZE)   /* 64 */
#define SHM_MAX 32            /* segments per table */
#define SHM_MAX_ATTACH 8      /* clients attached to one segment */

struct shm_pager {
    void *ctx;
    uintptr_t (*alloc_page)(void *ctx);          /* a page, or 0 if none */
    void (*free_page)(void *ctx, uintptr_t page);
};

struct shm_seg {
    bool used;
    bool dying;                       /* destroyed, waiting for detaches */
    uint32_t gen;
    uint32_t key, size, npages, owner, nattach;
    uint32_t clients[SHM_MAX_ATTACH];
    uintptr_t pages[SHM_MAX_PAGES];
};

struct shm_table {
    struct shm_pager pager;
    struct shm_seg segs[SHM_MAX];
};

struct shm_info {
    uint32_t key, size, npages, owner, nattach;
};

int shm_init(struct shm_table *t, const struct shm_pager *pager);
int shm_create(struct shm_table *t, uint32_t key, size_t size, uint32_t owner);
int shm_lookup(const struct shm_table *t, uint32_t key);
int shm_attach(struct shm_table *t, int id, uint32_t client,
               uintptr_t pages[SHM_MAX_PAGES]);
int shm_detach(struct shm_table *t, int id, uint32_t client);
int shm_detach_all(struct shm_table *t, uint32_t client);
int shm_destroy(struct shm_table *t, int id, uint32_t client);
int shm_owner_gone(struct shm_table *t, uint32_t owner);
int shm_sweep(struct shm_table *t, int (*alive)(uint32_t pid));
int shm_info(const struct shm_table *t, int id, struct shm_info *info);

#endif
