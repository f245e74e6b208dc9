/*
 * partner.c - the helpers every host workload uses: shared memory, CPU
 * pinning, the forked partner process, and stamped, verifiable messages.
 *
 * Linked into: build/host/hostbench.
 *
 * A two-process benchmark forks its partner before the timed loop and
 * reaps it after; the partner is pinned to CPU 0 (--cpus=1) or CPU 1
 * (--cpus=2) while the benchmark process itself stays on CPU 0. A
 * watchdog alarm turns a hang (a partner that died mid-exchange) into a
 * clear failure of the whole binary instead of a silent stall.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"

#define WATCHDOG_S 120 /* no single benchmark run takes this long */

static pid_t watched; /* partner to kill if the watchdog fires */

/* Map len bytes of zeroed memory shared with forked children; NULL on
 * failure. */
void *shared_alloc(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Unmap memory from shared_alloc. */
void shared_free(void *p, size_t len)
{
    if (p)
        munmap(p, len);
}

/* Pin the calling process to one CPU. Returns 0 or -1 (errno set). */
int pin_self(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static void on_watchdog(int sig)
{
    static const char msg[] = "hostbench: a benchmark hung (partner gone?);"
                              " giving up\n";
    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing left to do */ }
    if (watched > 0)
        kill(watched, SIGKILL);
    _exit(3);
}

/* Fork a partner that runs fn(ctl, arg) pinned to the partner CPU and
 * exits with its return value. Fills *p. Returns 0, or -1 on failure. */
int partner_start(struct partner *p, int (*fn)(struct pctl *, void *),
                  void *arg)
{
    p->ctl = shared_alloc(sizeof *p->ctl);
    if (!p->ctl)
        return -1;
    p->pid = fork();
    if (p->pid < 0) {
        shared_free(p->ctl, sizeof *p->ctl);
        return -1;
    }
    if (p->pid == 0) {
        int rc = 100;
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
        if (pin_self(host_opts.cpus == 2 ? 1 : 0) == 0)
            rc = fn(p->ctl, arg);
        _exit(rc);
    }
    watched = p->pid;
    signal(SIGALRM, on_watchdog);
    alarm(WATCHDOG_S);
    return 0;
}

/* Reap a partner that has been told to stop. Returns 0 if it exited
 * cleanly and saw only good messages; otherwise -1 with err describing
 * why. Frees the control block. */
int partner_finish(struct partner *p, char *err, size_t errlen)
{
    int status, rc = 0;

    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
        ;
    alarm(0);
    watched = 0;
    if (p->ctl->failed) {
        snprintf(err, errlen, "partner: %s", p->ctl->err);
        rc = -1;
    } else if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "partner killed by signal %d",
                 WTERMSIG(status));
        rc = -1;
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "partner exited with status %d",
                 WEXITSTATUS(status));
        rc = -1;
    }
    shared_free(p->ctl, sizeof *p->ctl);
    p->ctl = NULL;
    return rc;
}

/* In the partner: record the first failure (printf-style). */
void partner_fail(struct pctl *ctl, const char *fmt, ...)
{
    va_list ap;

    if (ctl->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(ctl->err, sizeof ctl->err, fmt, ap);
    va_end(ap);
    ctl->failed = 1;
}

/* Fill a message buffer with a fixed, position-dependent pattern. */
void msg_init(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + 1);
}

/* Stamp sequence number seq into a message: into its first and last 8
 * bytes when it has 16 or more, else byte i gets byte i%8 of seq. */
void msg_stamp(uint8_t *buf, size_t len, uint64_t seq)
{
    if (len >= 16) {
        memcpy(buf, &seq, 8);
        memcpy(buf + len - 8, &seq, 8);
        return;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seq >> (8 * (i % 8)));
}

/* True if buf carries the stamp msg_stamp(buf, len, seq) would write. */
int msg_stamp_ok(const uint8_t *buf, size_t len, uint64_t seq)
{
    uint8_t ref[16];

    if (len >= 16)
        return memcmp(buf, &seq, 8) == 0 && memcmp(buf + len - 8, &seq, 8) == 0;
    msg_stamp(ref, len, seq);
    return memcmp(buf, ref, len) == 0;
}

/* Test hook: with --mkb-corrupt, flip one byte of message CORRUPT_AT. */
void msg_corrupt(uint8_t *buf, size_t len, uint64_t seq)
{
    if (host_opts.corrupt && seq == CORRUPT_AT && len > 0)
        buf[len / 2] ^= 0x5a;
}

/* Index of the first byte where a and b differ, or -1 if equal. */
long msg_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (memcmp(a, b, len) == 0)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i])
            return (long)i;
    return -1;
}

/* Read exactly len bytes. Returns 0, 1 at end of file, -1 on error. */
int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n == 0)
            return 1;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

/* Write exactly len bytes. Returns 0 or -1 on error. */
int write_full(int fd, const void *buf, size_t len)
{
    size_t put = 0;

    while (put < len) {
        ssize_t n = write(fd, (const char *)buf + put, len - put);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        put += (size_t)n;
    }
    return 0;
}

/* Fail the current run with a printf-style message. */
void bench_fail(gb_state *st, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gb_error(st, msg);
}

/* Reap the (already stopped) partner of workload what; a partner failure
 * fails the run unless it already failed. */
void bench_finish(gb_state *st, struct partner *p, const char *what)
{
    char err[200];

    if (partner_finish(p, err, sizeof err) != 0)
        bench_fail(st, "%s: %s", what, err);
}
