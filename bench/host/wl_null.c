/*
 * wl_null.c - the cheapest kernel entries: a null system call (getppid)
 * and a sched_yield ping-pong between two processes.
 *
 * Linked into: build/host/hostbench.
 *
 * null/getppid: one iteration is one getppid() call, its result checked
 * against the parent's pid (per_op). null/yield: the two processes take
 * turns through a shared word; whoever waits calls sched_yield(). One
 * iteration is one round trip (the word goes 2k+1 -> 2k+2). On one CPU each
 * turn needs a switch; on two CPUs sched_yield finds nothing else to run
 * and the exchange is a cache-line ping-pong with system calls in between.
 */
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "host.h"

static void bm_getppid(gb_state *st, const void *arg)
{
    pid_t want = getppid();
    uint64_t seq = 0;

    (void)arg;
    gb_label(st, "per_op");
    while (gb_keep_running(st)) {
        pid_t got = getppid();
        msg_corrupt((uint8_t *)&got, sizeof got, seq);
        if (got != want) {
            bench_fail(st, "getppid: call %llu returned %d, want %d",
                       (unsigned long long)seq, (int)got, (int)want);
            break;
        }
        seq++;
    }
}

struct turn {
    _Atomic uint64_t word; /* odd: partner's turn; even: benchmark's */
};

/* Partner: answer each odd value v with v + 1 until told to stop. */
static int yield_partner(struct pctl *ctl, void *arg)
{
    struct turn *t = arg;
    uint64_t last = 0;

    for (uint64_t seq = 0;; seq++) {
        uint64_t v;
        while ((v = atomic_load(&t->word)) == last) {
            if (ctl->stop)
                return 0;
            sched_yield();
        }
        if (v != 2 * seq + 1)
            partner_fail(ctl, "turn %llu: got %llu",
                         (unsigned long long)seq, (unsigned long long)v);
        last = v + 1;
        msg_corrupt((uint8_t *)&last, sizeof last, seq);
        atomic_store(&t->word, last);
    }
}

static void bm_yield(gb_state *st, const void *arg)
{
    struct turn *t = shared_alloc(sizeof *t);
    struct partner p;
    uint64_t seq = 0;

    (void)arg;
    gb_label(st, "round_trip");
    if (!t || partner_start(&p, yield_partner, t) < 0) {
        bench_fail(st, "yield: setup failed");
        shared_free(t, sizeof *t);
        return;
    }
    while (gb_keep_running(st)) {
        uint64_t v, sent = 2 * seq + 1;
        atomic_store(&t->word, sent);
        while ((v = atomic_load(&t->word)) == sent)
            sched_yield();
        if (v != sent + 1) {
            bench_fail(st, "yield: turn %llu came back as %llu, want %llu",
                       (unsigned long long)seq, (unsigned long long)v,
                       (unsigned long long)(sent + 1));
            break;
        }
        seq++;
    }
    p.ctl->stop = 1;
    bench_finish(st, &p, "yield");
    shared_free(t, sizeof *t);
}

/* Register null/getppid and null/yield. */
void null_register(void)
{
    gb_register("null/getppid", bm_getppid, NULL);
    gb_register("null/yield", bm_yield, NULL);
}
