/*
 * wl_stream.c - ping-pong over byte streams: pipes and UNIX sockets.
 *
 * Linked into: build/host/hostbench.
 *
 * One iteration is one round trip: the benchmark process writes a stamped
 * message of `size` bytes, the partner reads all of it, checks the stamp
 * and writes it back, and the benchmark process compares the reply with
 * what it sent, byte for byte. A stream cannot carry an empty message, so
 * size 0 sends a 1-byte token (reported as the "wire_bytes" counter).
 * Closing the benchmark's end is the partner's signal to stop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host.h"

enum { KIND_PIPE, KIND_UNIX };

struct stream_kind {
    int kind;
    const char *name;
};

/* Both directions of a channel, as seen by each side. */
struct chan {
    int p_rd, p_wr; /* benchmark process */
    int c_rd, c_wr; /* partner */
    size_t len;     /* bytes per message */
};

static const int64_t sizes[] = {0, 8, 64, 256, 1024, 4096, 16384, 65536};

static int chan_open(int kind, struct chan *c)
{
    int a[2], b[2];

    if (kind == KIND_UNIX) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) < 0)
            return -1;
        c->p_rd = c->p_wr = a[0];
        c->c_rd = c->c_wr = a[1];
        return 0;
    }
    if (pipe(a) < 0)
        return -1;
    if (pipe(b) < 0) {
        close(a[0]);
        close(a[1]);
        return -1;
    }
    c->p_wr = a[1]; c->c_rd = a[0]; /* request: benchmark -> partner */
    c->c_wr = b[1]; c->p_rd = b[0]; /* reply: partner -> benchmark */
    return 0;
}

/* Close one side's descriptors (a socket is one descriptor per side). */
static void chan_close(int rd, int wr)
{
    close(rd);
    if (wr != rd)
        close(wr);
}

/* Partner: echo every message until the benchmark closes its end. */
static int echo(struct pctl *ctl, void *arg)
{
    struct chan *c = arg;
    uint8_t *buf = malloc(c->len);

    chan_close(c->p_rd, c->p_wr);
    if (!buf)
        return 1;
    for (uint64_t seq = 0;; seq++) {
        int r = read_full(c->c_rd, buf, c->len);
        if (r == 1)
            return 0; /* benchmark closed: done */
        if (r < 0) {
            partner_fail(ctl, "read: %s", strerror(errno));
            return 1;
        }
        if (!msg_stamp_ok(buf, c->len, seq))
            partner_fail(ctl, "message %llu: bad stamp",
                         (unsigned long long)seq);
        msg_corrupt(buf, c->len, seq);
        if (write_full(c->c_wr, buf, c->len) < 0)
            return 0; /* benchmark gone after an error */
    }
}

static void bm_stream(gb_state *st, const void *arg)
{
    const struct stream_kind *k = arg;
    size_t size = (size_t)gb_arg(st, 0);
    struct chan c = {.len = size ? size : 1};
    uint8_t *out = malloc(c.len), *in = malloc(c.len);
    struct partner p;
    uint64_t seq = 0;

    gb_label(st, "round_trip");
    gb_counter(st, "wire_bytes", (double)c.len);
    if (!out || !in || chan_open(k->kind, &c) < 0) {
        bench_fail(st, "%s: setup: %s", k->name, strerror(errno));
        goto out;
    }
    if (partner_start(&p, echo, &c) < 0) {
        bench_fail(st, "%s: fork: %s", k->name, strerror(errno));
        chan_close(c.p_rd, c.p_wr);
        chan_close(c.c_rd, c.c_wr);
        goto out;
    }
    chan_close(c.c_rd, c.c_wr);
    msg_init(out, c.len);
    while (gb_keep_running(st)) {
        long at;
        check_begin(st);
        msg_stamp(out, c.len, seq);
        check_end(st);
        if (write_full(c.p_wr, out, c.len) < 0 ||
            read_full(c.p_rd, in, c.len) != 0) {
            bench_fail(st, "%s/%zu: message %llu: I/O failed", k->name,
                       size, (unsigned long long)seq);
            break;
        }
        check_begin(st);
        at = msg_diff(out, in, c.len);
        check_end(st);
        if (at >= 0) {
            bench_fail(st, "%s/%zu: reply %llu differs at byte %ld",
                       k->name, size, (unsigned long long)seq, at);
            break;
        }
        seq++;
    }
    chan_close(c.p_rd, c.p_wr); /* partner reads end of file and exits */
    bench_finish(st, &p, k->name);
    gb_bytes(st, (int64_t)(2 * seq * c.len));
out:
    free(out);
    free(in);
}

static const struct stream_kind pipe_kind = {KIND_PIPE, "pipe"};
static const struct stream_kind unix_kind = {KIND_UNIX, "unix_socket"};

/* Register pingpong/pipe/<size> and pingpong/unix_socket/<size>. */
void stream_register(void)
{
    gb_bench *bp = gb_register("pingpong/pipe", bm_stream, &pipe_kind);
    gb_bench *bu = gb_register("pingpong/unix_socket", bm_stream, &unix_kind);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gb_bench_arg(bp, sizes[i]);
        gb_bench_arg(bu, sizes[i]);
    }
}
