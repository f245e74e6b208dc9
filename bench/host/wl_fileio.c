/*
 * wl_fileio.c - file reads and writes on tmpfs (one process).
 *
 * Linked into: build/host/hostbench.
 *
 * A SPAN-byte file in host_opts.tmpfs (default /dev/shm) is filled with
 * stamped blocks (block j carries stamp j) before the timed loop. One
 * iteration is one pread() or pwrite() of `size` bytes at the next block,
 * wrapping at the end of the file (sequential access, per_op). Every read
 * is compared byte for byte with what the block must hold; every write's
 * count is checked in the loop and the whole file is read back and checked
 * after it. Opening, creating and closing the file are not timed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "host.h"

#define SPAN (1 << 20)

static const int64_t sizes[] = {64, 512, 4096, 16384, 65536};

enum { FIO_READ, FIO_WRITE };

struct fio {
    int fd;
    size_t size, nblocks;
    uint8_t *buf, *ref;
    char path[256];
};

static int fio_open(struct fio *f)
{
    struct statfs sfs;

    if (statfs(host_opts.tmpfs, &sfs) < 0)
        return -1;
    if (sfs.f_type != TMPFS_MAGIC) {
        errno = EXDEV; /* reported as "not tmpfs" by the caller */
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/mkb-fileio-%d", host_opts.tmpfs,
             (int)getpid());
    f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f->fd < 0)
        return -1;
    unlink(f->path); /* gone when closed, whatever happens */
    msg_init(f->ref, f->size);
    for (size_t j = 0; j < f->nblocks; j++) {
        msg_stamp(f->ref, f->size, j);
        if (pwrite(f->fd, f->ref, f->size, (off_t)(j * f->size)) !=
            (ssize_t)f->size)
            return -1;
    }
    return 0;
}

/* After n writes (write i went to block i % nblocks with stamp i), check
 * every block. Returns -1 if all match, else the first bad block. */
static long fio_verify(struct fio *f, uint64_t n)
{
    for (size_t j = 0; j < f->nblocks; j++) {
        uint64_t stamp = j < n ? j + f->nblocks * ((n - 1 - j) / f->nblocks) : j;
        if (pread(f->fd, f->buf, f->size, (off_t)(j * f->size)) !=
            (ssize_t)f->size)
            return (long)j;
        msg_corrupt(f->buf, f->size, j);
        msg_stamp(f->ref, f->size, stamp);
        if (msg_diff(f->ref, f->buf, f->size) >= 0)
            return (long)j;
    }
    return -1;
}

static void bm_fileio(gb_state *st, const void *arg)
{
    int op = *(const int *)arg;
    struct fio f = {.fd = -1, .size = (size_t)gb_arg(st, 0)};
    const char *name = op == FIO_READ ? "read" : "write";
    uint64_t seq = 0;
    long bad;

    gb_label(st, "per_op");
    f.nblocks = SPAN / f.size;
    f.buf = malloc(f.size);
    f.ref = malloc(f.size);
    if (!f.buf || !f.ref || fio_open(&f) < 0) {
        bench_fail(st, "fileio/%s/%zu: setup in %s: %s", name, f.size,
                   host_opts.tmpfs, errno == EXDEV ? "not tmpfs" : strerror(errno));
        goto out;
    }
    while (gb_keep_running(st)) {
        size_t j = seq % f.nblocks;
        off_t off = (off_t)(j * f.size);
        if (op == FIO_WRITE) {
            msg_stamp(f.ref, f.size, seq);
            if (pwrite(f.fd, f.ref, f.size, off) != (ssize_t)f.size) {
                bench_fail(st, "fileio/write/%zu: write %llu: short or failed",
                           f.size, (unsigned long long)seq);
                break;
            }
        } else {
            if (pread(f.fd, f.buf, f.size, off) != (ssize_t)f.size) {
                bench_fail(st, "fileio/read/%zu: read %llu: short or failed",
                           f.size, (unsigned long long)seq);
                break;
            }
            msg_corrupt(f.buf, f.size, seq);
            msg_stamp(f.ref, f.size, j);
            if ((bad = msg_diff(f.ref, f.buf, f.size)) >= 0) {
                bench_fail(st, "fileio/read/%zu: read %llu differs at byte %ld",
                           f.size, (unsigned long long)seq, bad);
                break;
            }
        }
        seq++;
    }
    if (op == FIO_WRITE && !gb_failed(st) && (bad = fio_verify(&f, seq)) >= 0)
        bench_fail(st, "fileio/write/%zu: block %ld wrong on read-back",
                   f.size, bad);
    gb_bytes(st, (int64_t)(seq * f.size));
out:
    if (f.fd >= 0)
        close(f.fd);
    free(f.buf);
    free(f.ref);
}

static const int op_read = FIO_READ, op_write = FIO_WRITE;

/* Register fileio/read/<size> and fileio/write/<size>. */
void fileio_register(void)
{
    gb_bench *br = gb_register("fileio/read", bm_fileio, &op_read);
    gb_bench *bw = gb_register("fileio/write", bm_fileio, &op_write);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gb_bench_arg(br, sizes[i]);
        gb_bench_arg(bw, sizes[i]);
    }
}
