/*
 * blkdev.h - the block-device interface the file system runs on.
 *
 * A blkdev is a table of two functions and a context.  The mono kernel and
 * one-hop micro use ramdisk.c directly; two-hop micro gives the file server
 * a blkdev whose read/write send IPC to a separate block-device server
 * (which itself runs ramdisk.c), as MINIX does.
 */
#ifndef BLKDEV_H
#define BLKDEV_H

#include <stdint.h>

struct blkdev {
    void *ctx;            /* passed back to read/write */
    uint32_t block_size;  /* bytes per block */
    uint32_t nblocks;     /* blocks 0 .. nblocks-1 exist */
    /* Copy block blk into buf (block_size bytes). 0, or negative on error. */
    int (*read)(void *ctx, uint32_t blk, void *buf);
    /* Copy buf (block_size bytes) to block blk. 0, or negative on error. */
    int (*write)(void *ctx, uint32_t blk, const void *buf);
};

#endif
