/*
 * ramdisk.h - a block device over a caller-provided byte array.
 *
 * Linked into: mono kernel, micro file server (one hop) or block-device
 * server (two hops), host unit tests.
 */
#ifndef RAMDISK_H
#define RAMDISK_H

#include <stddef.h>
#include <stdint.h>

#include "blkdev.h"

struct ramdisk {
    uint8_t *mem;         /* nblocks * block_size bytes, owned by the caller */
    uint32_t block_size;
    uint32_t nblocks;
    uint32_t nreads;      /* successful ramdisk_read calls */
    uint32_t nwrites;     /* successful ramdisk_write calls */
};

int ramdisk_init(struct ramdisk *rd, void *mem, size_t size,
                 uint32_t block_size, struct blkdev *dev);
int ramdisk_read(void *ctx, uint32_t blk, void *buf);
int ramdisk_write(void *ctx, uint32_t blk, const void *buf);

#endif
