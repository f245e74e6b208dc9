/*
 * wl_sync.c - ping-pong through bare synchronisation objects: a futex
 * pair, a SysV semaphore set and two process-shared POSIX semaphores.
 *
 * Linked into: build/host/hostbench.
 *
 * One iteration is one round trip. The message is a 64-bit value in
 * shared memory: the benchmark process writes 2k+1 and wakes the partner,
 * the partner checks it, writes 2k+2 and wakes the benchmark process,
 * which checks the answer. Stopping: set ctl->stop, then wake the partner.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host.h"

enum { SYNC_FUTEX, SYNC_SYSV, SYNC_POSIX };

struct sync_kind {
    int kind;
    const char *name;
};

/* Shared between the two processes. */
struct sync_shm {
    _Atomic uint32_t req, rep;  /* futex words: last request and reply */
    volatile uint64_t msg;      /* semaphores: the value handed over */
    sem_t sreq, srep;           /* POSIX: request posted / reply posted */
    int semid;                  /* SysV: sem 0 = request, sem 1 = reply */
    const struct sync_kind *k;
    struct pctl *ctl;
};

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
    /* Shared (not FUTEX_PRIVATE) futexes: the word lives in MAP_SHARED
     * memory and two processes wait on it. */
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Futex: store v into *word and wake its waiter. */
static void futex_send(_Atomic uint32_t *word, uint32_t v)
{
    atomic_store(word, v);
    futex(word, FUTEX_WAKE, 1);
}

/* Futex: wait until *word differs from last; return the new value. */
static uint32_t futex_recv(_Atomic uint32_t *word, uint32_t last)
{
    uint32_t v;

    while ((v = atomic_load(word)) == last)
        futex(word, FUTEX_WAIT, last);
    return v;
}

static int sysv_op(int semid, int num, int delta)
{
    struct sembuf op = {.sem_num = (unsigned short)num,
                        .sem_op = (short)delta};

    while (semop(semid, &op, 1) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static int posix_wait(sem_t *s)
{
    while (sem_wait(s) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Semaphores: signal "request posted" (to partner) or "reply posted". */
static int sem_signal(struct sync_shm *s, int to_partner)
{
    if (s->k->kind == SYNC_SYSV)
        return sysv_op(s->semid, to_partner ? 0 : 1, +1);
    return sem_post(to_partner ? &s->sreq : &s->srep);
}

static int sem_await(struct sync_shm *s, int from_partner)
{
    if (s->k->kind == SYNC_SYSV)
        return sysv_op(s->semid, from_partner ? 1 : 0, -1);
    return posix_wait(from_partner ? &s->srep : &s->sreq);
}

/* Partner: answer request 2k+1 with 2k+2 until told to stop. */
static int sync_partner(struct pctl *ctl, void *arg)
{
    struct sync_shm *s = arg;
    uint32_t last = 0;

    for (uint64_t seq = 0;; seq++) {
        uint64_t v, reply;
        if (s->k->kind == SYNC_FUTEX)
            v = last = futex_recv(&s->req, last);
        else if (sem_await(s, 0) < 0)
            return 1;
        else
            v = s->msg;
        if (ctl->stop)
            return 0;
        if (v != (uint32_t)(2 * seq + 1))
            partner_fail(ctl, "request %llu: got %llu",
                         (unsigned long long)seq, (unsigned long long)v);
        reply = v + 1;
        msg_corrupt((uint8_t *)&reply, 4, seq);
        if (s->k->kind == SYNC_FUTEX) {
            futex_send(&s->rep, (uint32_t)reply);
        } else {
            s->msg = reply;
            if (sem_signal(s, 0) < 0)
                return 1;
        }
    }
}

static int sync_open(struct sync_shm *s)
{
    if (s->k->kind == SYNC_SYSV) {
        s->semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
        return s->semid < 0 ? -1 : 0; /* Linux starts the values at 0 */
    }
    if (s->k->kind == SYNC_POSIX)
        return sem_init(&s->sreq, 1, 0) || sem_init(&s->srep, 1, 0);
    return 0;
}

static void sync_close(struct sync_shm *s)
{
    if (s->k->kind == SYNC_SYSV)
        semctl(s->semid, 0, IPC_RMID);
    if (s->k->kind == SYNC_POSIX) {
        sem_destroy(&s->sreq);
        sem_destroy(&s->srep);
    }
}

/* One round trip from the benchmark side; returns the reply, or
 * UINT64_MAX if a semaphore call failed. */
static uint64_t round_trip(struct sync_shm *s, uint32_t req)
{
    if (s->k->kind == SYNC_FUTEX) {
        futex_send(&s->req, req);
        return futex_recv(&s->rep, req - 1);
    }
    s->msg = req;
    if (sem_signal(s, 1) < 0 || sem_await(s, 1) < 0)
        return UINT64_MAX;
    return s->msg;
}

static void bm_sync(gb_state *st, const void *arg)
{
    struct sync_shm *s = shared_alloc(sizeof *s);
    struct partner p;
    uint64_t seq = 0;

    gb_label(st, "round_trip");
    if (!s) {
        bench_fail(st, "sync: no shared memory");
        return;
    }
    s->k = arg;
    if (sync_open(s) != 0) {
        bench_fail(st, "%s: setup: %s", s->k->name, strerror(errno));
        shared_free(s, sizeof *s);
        return;
    }
    if (partner_start(&p, sync_partner, s) < 0) {
        bench_fail(st, "%s: fork: %s", s->k->name, strerror(errno));
        goto out;
    }
    while (gb_keep_running(st)) {
        uint32_t req = (uint32_t)(2 * seq + 1);
        uint64_t got = round_trip(s, req);
        if (got != (uint32_t)(req + 1)) {
            bench_fail(st, "%s: reply %llu is %llu, want %llu", s->k->name,
                       (unsigned long long)seq, (unsigned long long)got,
                       (unsigned long long)(uint32_t)(req + 1));
            break;
        }
        seq++;
    }
    p.ctl->stop = 1;
    if (s->k->kind == SYNC_FUTEX)
        futex_send(&s->req, 0); /* 0 is never a request */
    else
        sem_signal(s, 1);
    bench_finish(st, &p, s->k->name);
out:
    sync_close(s);
    shared_free(s, sizeof *s);
}

static const struct sync_kind futex_kind = {SYNC_FUTEX, "futex"};
static const struct sync_kind sysv_kind = {SYNC_SYSV, "sysv_sem"};
static const struct sync_kind posix_kind = {SYNC_POSIX, "posix_sem"};

/* Register pingpong/futex, sem/sysv_sem and sem/posix_sem. */
void sync_register(void)
{
    gb_register("pingpong/futex", bm_sync, &futex_kind);
    gb_register("sem/sysv_sem", bm_sync, &sysv_kind);
    gb_register("sem/posix_sem", bm_sync, &posix_kind);
}
