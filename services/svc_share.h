/*
 * svc_share.h - what the hosting of a service (the mono kernel, a micro
 * server) enforces beyond the tables themselves (issue 18):
 *
 * - A process tree's share: every table a client can fill (semaphores,
 *   shared-memory segments, open files) lets one process tree hold at
 *   most a third of it (SVC_SHARE), so a tree at its limit leaves the
 *   rest to everyone else; past it the call fails with SVC_EDQUOT. The
 *   tables know owners (pids); the hosting knows their trees (the mono
 *   kernel its processes' accounts, a server the kernel's SYS_PROC_TREE).
 * - Who may use a semaphore or attach a segment: its owner and the
 *   owner's children (whom it gave the id to when it started them);
 *   destroy, the owner only, as the mono kernel's pipes and queues
 *   (kernels/mono/kpages.h).
 *
 * Linked into: mono kernel, micro servers. Header only.
 */
#ifndef SVC_SHARE_H
#define SVC_SHARE_H

#define SVC_SHARE(max) ((max) / 3)

/* count = how many of the n entries of arr (each with .used and .owner)
 * are live and owned in tree, by tree_of(owner) (-1 for an owner that is
 * gone: its leftovers count for nobody). */
#define SVC_TREE_HOLDS(count, arr, n, tree, tree_of)                              \
    do {                                                                          \
        (count) = 0;                                                              \
        for (unsigned svc_i_ = 0; svc_i_ < (unsigned)(n); svc_i_++)               \
            if ((arr)[svc_i_].used && (tree_of)((arr)[svc_i_].owner) == (tree))   \
                (count)++;                                                        \
    } while (0)

/* Does tree hold its share of arr (n entries)? tree_of gives an owner's
 * tree as tree does; tree 0 is the system's (no limit), -1 a tree that is
 * gone. The mono kernel and the micro servers wrap it with how they learn
 * the caller's tree. */
#define SVC_TREE_FULL(arr, n, tree, tree_of)                                      \
    ({                                                                            \
        int svc_held_, svc_tree_ = (tree);                                        \
        SVC_TREE_HOLDS(svc_held_, arr, n, svc_tree_, tree_of);                    \
        svc_tree_ > 0 && svc_held_ >= (int)SVC_SHARE(n);                          \
    })

/* A cheap bound for a table that is searched lowest slot first (open
 * files): *hw is above every slot used so far, so while it is at most a
 * share no tree can hold one, and the count is skipped (an open is timed
 * by the benchmarks; a count would cost it more than the open itself). */
static inline int svc_share_possible(unsigned hw, unsigned n) { return hw >= SVC_SHARE(n); }
static inline void svc_share_used(unsigned *hw, int slot)
{
    if (slot >= 0 && (unsigned)slot + 1 > *hw)
        *hw = (unsigned)slot + 1;
}

#endif
