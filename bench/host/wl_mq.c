/*
 * wl_mq.c - ping-pong through two POSIX message queues.
 *
 * Linked into: build/host/hostbench.
 *
 * One iteration is one round trip of a `size`-byte message (size 0 is a
 * real empty message here; its check is its length). The queues hold one
 * message each and are unlinked as soon as both processes have them open.
 * Linux caps a message at /proc/sys/fs/mqueue/msgsize_max (8192 by
 * default), hence the shorter size sweep. Stopping: set ctl->stop and send
 * one more request.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

static const int64_t sizes[] = {0, 8, 64, 256, 1024, 4096, 8192};

struct mq_pair {
    mqd_t req, rep; /* benchmark -> partner, partner -> benchmark */
    size_t len, cap; /* message size; queue message size (>= 1) */
};

static int mq_pair_open(struct mq_pair *q)
{
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = (long)q->cap};
    char name[2][64];

    for (int i = 0; i < 2; i++)
        snprintf(name[i], sizeof name[i], "/mkb-%d-%d", (int)getpid(), i);
    q->req = mq_open(name[0], O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q->req == (mqd_t)-1)
        return -1;
    q->rep = mq_open(name[1], O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    mq_unlink(name[0]);
    if (q->rep == (mqd_t)-1) {
        mq_close(q->req);
        return -1;
    }
    mq_unlink(name[1]);
    return 0;
}

/* Receive one message into buf (cap bytes); returns its length or -1. */
static ssize_t mq_get(mqd_t q, uint8_t *buf, size_t cap)
{
    ssize_t n;

    while ((n = mq_receive(q, (char *)buf, cap, NULL)) < 0 && errno == EINTR)
        ;
    return n;
}

static int mq_put(mqd_t q, const uint8_t *buf, size_t len)
{
    while (mq_send(q, (const char *)buf, len, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Partner: echo every request until told to stop. */
static int mq_partner(struct pctl *ctl, void *arg)
{
    struct mq_pair *q = arg;
    uint8_t *buf = malloc(q->cap);

    if (!buf)
        return 1;
    for (uint64_t seq = 0;; seq++) {
        ssize_t n = mq_get(q->req, buf, q->cap);
        if (n < 0) {
            partner_fail(ctl, "mq_receive: %s", strerror(errno));
            return 1;
        }
        if (ctl->stop)
            return 0;
        if ((size_t)n != q->len || !msg_stamp_ok(buf, q->len, seq))
            partner_fail(ctl, "request %llu: bad length or stamp",
                         (unsigned long long)seq);
        msg_corrupt(buf, q->len, seq);
        /* an empty message has no byte to flip: corrupt its length */
        if (mq_put(q->rep, buf, q->len + (host_opts.corrupt && !q->len &&
                                          seq == CORRUPT_AT)) < 0)
            return 1;
    }
}

static void bm_mq(gb_state *st, const void *arg)
{
    struct mq_pair q = {.len = (size_t)gb_arg(st, 0)};
    uint8_t *out, *in;
    struct partner p;
    uint64_t seq = 0;

    (void)arg;
    gb_label(st, "round_trip");
    q.cap = q.len ? q.len : 1;
    out = malloc(q.cap);
    in = malloc(q.cap);
    if (!out || !in || mq_pair_open(&q) < 0) {
        bench_fail(st, "posix_mq/%zu: setup: %s", q.len, strerror(errno));
        goto out;
    }
    if (partner_start(&p, mq_partner, &q) < 0) {
        bench_fail(st, "posix_mq: fork: %s", strerror(errno));
        goto close;
    }
    msg_init(out, q.cap);
    while (gb_keep_running(st)) {
        ssize_t n;
        long at = -1;
        check_begin(st);
        msg_stamp(out, q.len, seq);
        check_end(st);
        if (mq_put(q.req, out, q.len) < 0 ||
            (n = mq_get(q.rep, in, q.cap)) < 0) {
            bench_fail(st, "posix_mq/%zu: message %llu: %s", q.len,
                       (unsigned long long)seq, strerror(errno));
            break;
        }
        check_begin(st);
        if ((size_t)n == q.len)
            at = msg_diff(out, in, q.len);
        check_end(st);
        if ((size_t)n != q.len || at >= 0) {
            bench_fail(st, "posix_mq/%zu: reply %llu: length %zd, first "
                       "differing byte %ld", q.len,
                       (unsigned long long)seq, n, at);
            break;
        }
        seq++;
    }
    p.ctl->stop = 1;
    mq_put(q.req, out, q.len);
    bench_finish(st, &p, "posix_mq");
    gb_bytes(st, (int64_t)(2 * seq * q.len));
close:
    mq_close(q.req);
    mq_close(q.rep);
out:
    free(out);
    free(in);
}

/* Register pingpong/posix_mq/<size>. */
void mq_register(void)
{
    gb_bench *b = gb_register("pingpong/posix_mq", bm_mq, NULL);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        gb_bench_arg(b, sizes[i]);
}
