/*
 * fs_helpers.h - shared set-up for the file-system unit tests: a RAM disk
 * in a static array and a mounted struct fs on it.  Host only.
 */
#ifndef FS_HELPERS_H
#define FS_HELPERS_H

#include <stdint.h>
#include <string.h>

#include "fs.h"
#include "ramdisk.h"
#include "svc_err.h"

#define DISK_BLOCKS 1024u                    /* 4 MiB */

static uint8_t disk_mem[DISK_BLOCKS * FS_BLOCK_SIZE];
static struct ramdisk disk_rd;
static struct blkdev disk_dev;
static struct fs the_fs;

/* Format a zeroed disk of nblocks blocks; returns fs_format's result. */
static inline int disk_fresh(uint32_t nblocks)
{
    memset(disk_mem, 0, sizeof disk_mem);
    if (ramdisk_init(&disk_rd, disk_mem, (size_t)nblocks * FS_BLOCK_SIZE,
                     FS_BLOCK_SIZE, &disk_dev) != 0)
        return -1000;
    return fs_format(&the_fs, &disk_dev);
}

/* Open (creating) name read-write as owner; returns the handle. */
static inline int open_rw(uint32_t owner, const char *name)
{
    return fs_open(&the_fs, owner, name, FS_O_RDWR | FS_O_CREATE);
}

/* A byte pattern that differs per file offset and per seed. */
static inline void pattern(uint8_t *buf, size_t len, uint32_t off,
                           uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t x = (uint32_t)(off + i) * 2654435761u + seed;
        buf[i] = (uint8_t)(x >> 13);
    }
}

#endif
