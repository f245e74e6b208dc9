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
 *
 * The name operations, as the guests' fileio times them (bench/wl_fileio.c;
 * no size, per_op): create makes an empty regular file (mknod(2), which
 * opens nothing, as our file systems' create) and removes it untimed, unlink
 * removes one made untimed just before, open_close opens an existing file
 * read-only and closes it. Each is checked: every file created is there to
 * remove, every file unlinked is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
            check_begin(st);
            msg_stamp(f.ref, f.size, seq);
            check_end(st);
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
            check_begin(st);
            msg_corrupt(f.buf, f.size, seq);
            msg_stamp(f.ref, f.size, j);
            bad = msg_diff(f.ref, f.buf, f.size);
            check_end(st);
            if (bad >= 0) {
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

enum { NAME_CREATE, NAME_UNLINK, NAME_OPEN_CLOSE };

static void name_of(char *out, size_t cap, uint64_t i)
{
    snprintf(out, cap, "%s/mkb-name-%d-%llu", host_opts.tmpfs, (int)getpid(),
             (unsigned long long)i);
}

/* create / unlink / open_close: one name operation per iteration; the
 * work around it is untimed (Google Benchmark's pause, or the guest's):
 * naming the next file, removing a file just created (our guests' create
 * removes each file after it too, so the directory stays small), making
 * the file an unlink removes. */
static void bm_names(gb_state *st, const void *arg)
{
    int op = *(const int *)arg;
    static const char *const what[] = {"create", "unlink", "open_close"};
    char path[300], keep[300];
    struct stat sb;
    uint64_t i = 0;

    gb_label(st, "per_op");
    name_of(keep, sizeof keep, ~0ull);
    name_of(path, sizeof path, 0);
    if ((op == NAME_OPEN_CLOSE && mknod(keep, S_IFREG | 0600, 0) < 0) ||
        (op == NAME_UNLINK && mknod(path, S_IFREG | 0600, 0) < 0)) {
        bench_fail(st, "fileio/%s: setup in %s: %s", what[op], host_opts.tmpfs, strerror(errno));
        return;
    }
    while (gb_keep_running(st)) {
        if (op == NAME_OPEN_CLOSE) {
            int fd = open(keep, O_RDONLY);
            check_begin(st);
            msg_corrupt((uint8_t *)&fd, sizeof fd, i++);   /* test hook: a lost file */
            check_end(st);
            if (fd < 0 || close(fd) < 0) {
                bench_fail(st, "fileio/open_close: %s", strerror(errno));
                break;
            }
            continue;
        }
        int r = op == NAME_CREATE ? mknod(path, S_IFREG | 0600, 0) : unlink(path);
        gb_pause(st);
        msg_corrupt((uint8_t *)&r, sizeof r, i);   /* test hook: a wrong answer */
        int gone = op == NAME_UNLINK && stat(path, &sb) < 0 && errno == ENOENT;
        int there = op == NAME_CREATE && unlink(path) == 0;   /* it was made */
        name_of(path, sizeof path, ++i);
        int next = op == NAME_UNLINK ? mknod(path, S_IFREG | 0600, 0) : 0;
        gb_resume(st);
        if (r != 0 || !(gone || there) || next < 0) {
            bench_fail(st, "fileio/%s: file %llu: %s", what[op], (unsigned long long)i - 1,
                       r > 0 ? "a wrong answer" : r < 0 || next < 0 ? strerror(errno) : "not done");
            break;
        }
    }
    if (op == NAME_UNLINK)
        unlink(path);   /* the one made for an iteration that did not come */
    if (op == NAME_OPEN_CLOSE)
        unlink(keep);
}

static const int op_read = FIO_READ, op_write = FIO_WRITE;
static const int name_ops[] = {NAME_CREATE, NAME_UNLINK, NAME_OPEN_CLOSE};

/* Register fileio/read/<size>, fileio/write/<size> and the name operations. */
void fileio_register(void)
{
    gb_bench *br = gb_register("fileio/read", bm_fileio, &op_read);
    gb_bench *bw = gb_register("fileio/write", bm_fileio, &op_write);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gb_bench_arg(br, sizes[i]);
        gb_bench_arg(bw, sizes[i]);
    }
    gb_register("fileio/create", bm_names, &name_ops[NAME_CREATE]);
    gb_register("fileio/unlink", bm_names, &name_ops[NAME_UNLINK]);
    gb_register("fileio/open_close", bm_names, &name_ops[NAME_OPEN_CLOSE]);
}
