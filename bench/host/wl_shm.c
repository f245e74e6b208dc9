/*
 * wl_shm.c - shared memory with semaphore hand-off: a producer fills
 * blocks of a shared ring, a consumer drains them.
 *
 * Linked into: build/host/hostbench.
 *
 * The ring has RING slots of `size` bytes and two process-shared POSIX
 * semaphores: `free` (slots the producer may fill) and `full` (slots the
 * consumer may drain). The benchmark process is the producer: one
 * iteration copies one stamped block into the ring and posts it
 * (per_handoff). The partner copies each block out, checks every byte and
 * hands the slot back. At most RING blocks are still in the ring when the
 * timed loop ends; the consumer drains and checks them before it exits.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define RING 4

static const int64_t sizes[] = {64, 1024, 4096, 16384, 65536};

struct ring {
    sem_t free, full;
    volatile uint64_t total; /* blocks produced, valid once ctl->stop */
    size_t size;
    uint8_t data[];          /* RING * size bytes */
};

static int wait_sem(sem_t *s)
{
    while (sem_wait(s) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Partner: drain and check blocks until all `total` have been seen. */
static int consume(struct pctl *ctl, void *arg)
{
    struct ring *r = arg;
    uint8_t *ref = malloc(r->size), *blk = malloc(r->size);

    if (!ref || !blk)
        return 1;
    msg_init(ref, r->size);
    for (uint64_t seq = 0;; seq++) {
        long at;
        if (wait_sem(&r->full) < 0)
            return 1;
        if (ctl->stop && seq == r->total)
            return 0;
        memcpy(blk, r->data + (seq % RING) * r->size, r->size);
        if (sem_post(&r->free) < 0)
            return 1;
        msg_corrupt(blk, r->size, seq);
        msg_stamp(ref, r->size, seq);
        if ((at = msg_diff(ref, blk, r->size)) >= 0)
            partner_fail(ctl, "block %llu differs at byte %ld",
                         (unsigned long long)seq, at);
    }
}

static void bm_shm(gb_state *st, const void *arg)
{
    size_t size = (size_t)gb_arg(st, 0), len = sizeof(struct ring) + RING * size;
    struct ring *r = shared_alloc(len);
    uint8_t *src = malloc(size);
    struct partner p;
    uint64_t seq = 0;

    (void)arg;
    gb_label(st, "per_handoff");
    if (!r || !src || sem_init(&r->free, 1, RING) || sem_init(&r->full, 1, 0)) {
        bench_fail(st, "shm/%zu: setup: %s", size, strerror(errno));
        goto out;
    }
    r->size = size;
    if (partner_start(&p, consume, r) < 0) {
        bench_fail(st, "shm: fork: %s", strerror(errno));
        goto out;
    }
    msg_init(src, size);
    while (gb_keep_running(st)) {
        if (wait_sem(&r->free) < 0) {
            bench_fail(st, "shm/%zu: sem_wait: %s", size, strerror(errno));
            break;
        }
        msg_stamp(src, size, seq);
        memcpy(r->data + (seq % RING) * size, src, size);
        sem_post(&r->full);
        seq++;
        if (p.ctl->failed)
            break; /* bench_finish reports the consumer's message */
    }
    r->total = seq;
    p.ctl->stop = 1;
    sem_post(&r->full); /* one extra post: wakes the consumer at the end */
    bench_finish(st, &p, "shm");
    gb_bytes(st, (int64_t)(seq * size));
out:
    free(src);
    shared_free(r, len);
}

/* Register shm/sem_ring/<block size>. */
void shm_register(void)
{
    gb_bench *b = gb_register("shm/sem_ring", bm_shm, NULL);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        gb_bench_arg(b, sizes[i]);
}
