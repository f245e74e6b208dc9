/*
 * host.h - everything the host-baseline C files share: options, the
 * partner-process helpers, message helpers and each workload file's
 * registration function (a table of contents of bench/host/).
 *
 * Linked into: build/host/hostbench.
 *
 * Benchmark names are "<workload>/<variant>[/<size>]" with workload and
 * variant exactly as in the result schema (scripts/host_baseline.py relies
 * on it); the label of each run is what one iteration is ("round_trip",
 * "per_op", "per_handoff").
 */
#ifndef MKB_HOST_H
#define MKB_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gbench.h"

/* Options from the command line (hostbench.c). */
struct host_opts {
    int cpus;           /* 1: both processes on CPU 0; 2: CPU 0 and CPU 1 */
    int corrupt;        /* test hook: the partner corrupts one message */
    const char *tmpfs;  /* directory for the fileio workload */
    int untimed_checks; /* the Linux guest: data checks outside the samples */
};
extern struct host_opts host_opts;

/* Around a timed loop's data checks and stamps (none of the kernel's
 * work): in the Linux guest they are left out of the sample, as our
 * guests leave theirs (its pause is two clock reads, whose cost
 * gbench_tsc.c measures and subtracts); on the host they stay timed,
 * where Google Benchmark's pause costs more than a check. */
static inline void check_begin(gb_state *st)
{
    if (host_opts.untimed_checks)
        gb_pause(st);
}

static inline void check_end(gb_state *st)
{
    if (host_opts.untimed_checks)
        gb_resume(st);
}

/* With --mkb-corrupt the partner corrupts this message (the first, so
 * that even a run of one iteration sees it). */
#define CORRUPT_AT 0

/* Control block shared by a benchmark process and its partner. */
struct pctl {
    volatile int stop;  /* parent asks the partner to finish */
    int failed;         /* partner saw a bad message ... */
    char err[160];      /* ... described here */
};

/* A forked partner process and its shared control block. */
struct partner {
    pid_t pid;
    struct pctl *ctl;
};

// partner.c
void *shared_alloc(size_t len);
void shared_free(void *p, size_t len);
int pin_self(int cpu);
int partner_start(struct partner *p, int (*fn)(struct pctl *, void *),
                  void *arg);
int partner_finish(struct partner *p, char *err, size_t errlen);
void partner_fail(struct pctl *ctl, const char *fmt, ...);
void msg_init(uint8_t *buf, size_t len);
void msg_stamp(uint8_t *buf, size_t len, uint64_t seq);
int msg_stamp_ok(const uint8_t *buf, size_t len, uint64_t seq);
void msg_corrupt(uint8_t *buf, size_t len, uint64_t seq);
long msg_diff(const uint8_t *a, const uint8_t *b, size_t len);
int read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);
void bench_fail(gb_state *st, const char *fmt, ...);
void bench_finish(gb_state *st, struct partner *p, const char *what);

// wl_null.c
void null_register(void);

// wl_stream.c
void stream_register(void);

// wl_sync.c
void sync_register(void);

// wl_mq.c
void mq_register(void);

// wl_shm.c
void shm_register(void);

// wl_fileio.c
void fileio_register(void);

// selftest.c
void selftest_register(void);

#endif
