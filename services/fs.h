/*
 * fs.h - a small file system on a block device (fs.c, fs_check.c).
 *
 * One flat directory of up to FS_NINODES files.  Linked into the mono kernel
 * (called from system-call handlers) and into the micro file server (called
 * from its IPC loop); host-tested by tests/unit/test_fs.c.  The hosting
 * serialises calls: nothing here is thread-safe.
 *
 * On-disk layout, 4096-byte blocks (block numbers):
 *   0                 superblock (struct fs_super, rest zero)
 *   1                 block bitmap, bit b set = block b in use (LSB first)
 *   2 .. 2+IB-1       inode table, FS_NINODES x 128-byte struct fs_dinode;
 *                     each inode carries its file's name (the directory)
 *   2+IB .. nblocks-1 data and indirect blocks
 * A file has FS_NDIRECT direct block pointers and one single-indirect block
 * of FS_NINDIRECT pointers, so FS_MAX_FILE_SIZE = (12 + 1024) * 4096 bytes
 * (about 4 MiB).  Pointer 0 is a hole (reads as zeros).  One bitmap block
 * limits a disk to FS_MAX_BLOCKS blocks (128 MiB).
 *
 * The directory: lookups and creates scan the inode table only up to a
 * high-water mark (struct fs.ihi: one past the highest inode in use), as a
 * MINIX or ext2 lookup scans a directory file up to its length, so a call's
 * cost follows the files that exist, not the table's capacity; unlink
 * lowers the mark when it frees the last inode, so a workload's costs do
 * not depend on the files earlier ones made and removed.
 *
 * Caching: the bitmap and the inode table are kept in struct fs and written
 * through to the device by every call that changes them; file data always
 * goes to the device.  So every fs_read/fs_write reaches the block device,
 * which is what makes the two-hop (fs + block server) shape meaningful.
 *
 * Handles: fs_open returns a small int.  Each handle belongs to the owner
 * (client id) that opened it; any other owner gets SVC_EBADF for it.
 */
#ifndef FS_H
#define FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blkdev.h"

#define FS_BLOCK_SIZE 4096u
#define FS_NAME_MAX 27u          /* bytes in a name, not counting the NUL */
#define FS_NDIRECT 12u
#define FS_NINDIRECT (FS_BLOCK_SIZE / 4u)
#define FS_MAX_FILE_SIZE ((FS_NDIRECT + FS_NINDIRECT) * FS_BLOCK_SIZE)
#define FS_NINODES 512u          /* max files */
#define FS_MAX_OPEN 64u          /* open handles, all owners together */
#define FS_INODE_BLOCKS (FS_NINODES * 128u / FS_BLOCK_SIZE)
#define FS_META_BLOCKS (2u + FS_INODE_BLOCKS)  /* superblock, bitmap, inodes */
#define FS_MIN_BLOCKS (FS_META_BLOCKS + 2u)
#define FS_MAX_BLOCKS (FS_BLOCK_SIZE * 8u)
#define FS_MAGIC 0x4d4b4653u     /* "MKFS" */
#define FS_VERSION 1u
#define FS_INODE_USED 0x494e4f44u /* "INOD" in fs_dinode.used */

/* fs_open flags */
#define FS_O_READ 1u
#define FS_O_WRITE 2u
#define FS_O_RDWR (FS_O_READ | FS_O_WRITE)
#define FS_O_CREATE 4u           /* create the file if it does not exist */
#define FS_O_TRUNC 8u            /* empty the file (needs FS_O_WRITE) */

/* fs_seek whence */
#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2

/* Block 0. All fields are fixed by the device size at format time. */
struct fs_super {
    uint32_t magic, version, block_size, nblocks, ninodes;
    uint32_t bitmap_start, inode_start, inode_blocks, data_start;
};

/* One inode = one file: its name, size and block pointers. */
struct fs_dinode {
    uint32_t used;                   /* FS_INODE_USED or 0 */
    uint32_t size;                   /* bytes */
    uint32_t direct[FS_NDIRECT];     /* 0 = hole */
    uint32_t indirect;               /* block of FS_NINDIRECT pointers, or 0 */
    char name[FS_NAME_MAX + 1];      /* NUL-terminated */
    uint32_t reserved[10];
};
_Static_assert(sizeof(struct fs_dinode) == 128, "inode is 128 bytes");

struct fs_stat {
    uint32_t size;    /* bytes */
    uint32_t blocks;  /* blocks allocated, data and indirect */
    uint32_t inum;    /* inode number */
};

struct fs_file {
    bool used;
    uint32_t owner;
    uint32_t inum;
    uint32_t flags;
    uint32_t off;
};

/* All state of one mounted file system.  Fields are private to fs*.c. */
struct fs {
    struct blkdev dev;
    struct fs_super sb;
    bool mounted;
    bool bmap_dirty;
    uint32_t nfree;                           /* free data blocks */
    uint32_t ihi;                             /* inodes >= ihi are free */
    struct fs_file files[FS_MAX_OPEN];
    struct fs_dinode itable[FS_NINODES];      /* copy of the inode table */
    uint8_t bmap[FS_BLOCK_SIZE];              /* copy of the bitmap block */
    uint32_t ind[FS_NINDIRECT];               /* scratch: an indirect block */
    uint8_t blk[FS_BLOCK_SIZE];               /* scratch: a data block */
};

/* fs.c */
int fs_format(struct fs *fs, const struct blkdev *dev);
int fs_mount(struct fs *fs, const struct blkdev *dev);
int fs_create(struct fs *fs, const char *name);
int fs_open(struct fs *fs, uint32_t owner, const char *name, uint32_t flags);
int fs_read(struct fs *fs, uint32_t owner, int h, void *buf, size_t len);
int fs_write(struct fs *fs, uint32_t owner, int h, const void *buf, size_t len);
int fs_seek(struct fs *fs, uint32_t owner, int h, int32_t off, int whence);
int fs_close(struct fs *fs, uint32_t owner, int h);
int fs_close_owner(struct fs *fs, uint32_t owner);
int fs_sweep(struct fs *fs, int (*alive)(uint32_t owner));
int fs_unlink(struct fs *fs, const char *name);
int fs_stat(struct fs *fs, const char *name, struct fs_stat *st);
int fs_free_blocks(const struct fs *fs);

/* fs_check.c */
int fs_check(struct fs *fs);

#endif
