/*
 * ramdisk.c - a block device over a caller-provided byte array.
 *
 * Linked into: mono kernel, micro file server or block-device server,
 * host unit tests.  See blkdev.h for the interface.
 */
#include "ramdisk.h"
#include "svc_base.h"

/*
 * ramdisk_init: make rd serve the first size/block_size whole blocks of mem,
 * and fill *dev with ctx = rd and the read/write functions below.  block_size
 * must be a power of two from 512 to 65536.  Returns 0, or SVC_EINVAL (NULL
 * argument, bad block size, less than one block, more than 2^32-1 blocks).
 * mem is not cleared: a disk keeps its contents across ramdisk_init.
 */
int ramdisk_init(struct ramdisk *rd, void *mem, size_t size,
                 uint32_t block_size, struct blkdev *dev)
{
    if (!rd || !mem || !dev)
        return SVC_EINVAL;
    if (block_size < 512 || block_size > 65536 ||
        (block_size & (block_size - 1)) != 0)
        return SVC_EINVAL;
    size_t n = size / block_size;
    if (n == 0 || n > UINT32_MAX)
        return SVC_EINVAL;
    rd->mem = mem;
    rd->block_size = block_size;
    rd->nblocks = (uint32_t)n;
    rd->nreads = 0;
    rd->nwrites = 0;
    dev->ctx = rd;
    dev->block_size = block_size;
    dev->nblocks = rd->nblocks;
    dev->read = ramdisk_read;
    dev->write = ramdisk_write;
    return 0;
}

/* ramdisk_read: copy block blk into buf (block_size bytes).
 * Returns 0, or SVC_EINVAL for a NULL argument or blk out of range. */
int ramdisk_read(void *ctx, uint32_t blk, void *buf)
{
    struct ramdisk *rd = ctx;
    if (!rd || !buf || blk >= rd->nblocks)
        return SVC_EINVAL;
    memcpy(buf, rd->mem + (size_t)blk * rd->block_size, rd->block_size);
    rd->nreads++;
    return 0;
}

/* ramdisk_write: copy buf (block_size bytes) to block blk.
 * Returns 0, or SVC_EINVAL for a NULL argument or blk out of range. */
int ramdisk_write(void *ctx, uint32_t blk, const void *buf)
{
    struct ramdisk *rd = ctx;
    if (!rd || !buf || blk >= rd->nblocks)
        return SVC_EINVAL;
    memcpy(rd->mem + (size_t)blk * rd->block_size, buf, rd->block_size);
    rd->nwrites++;
    return 0;
}
