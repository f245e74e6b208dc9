/*
 * fs.c - a small file system on a block device: format, mount, and the
 * file operations.  Layout and limits are described in fs.h; the
 * consistency checker is in fs_check.c.
 *
 * Linked into: mono kernel, micro file server, host unit tests.
 *
 * Every call that changes metadata writes it through before returning:
 * data blocks first, then the indirect block, the inode and the bitmap.
 * fs_write checks up front that the whole write fits (file size limit and
 * free blocks), so SVC_ENOSPC leaves the file system untouched.
 */
#include "fs.h"
#include "svc_base.h"

#define IPB (FS_BLOCK_SIZE / sizeof(struct fs_dinode))  /* inodes per block */
_Static_assert(FS_INODE_BLOCKS * IPB == FS_NINODES, "whole inode blocks");

static int bread(struct fs *fs, uint32_t b, void *buf)
{
    return fs->dev.read(fs->dev.ctx, b, buf) < 0 ? SVC_EIO : 0;
}

static int bwrite(struct fs *fs, uint32_t b, const void *buf)
{
    return fs->dev.write(fs->dev.ctx, b, buf) < 0 ? SVC_EIO : 0;
}

static bool bit_get(const uint8_t *map, uint32_t b)
{
    return (map[b / 8] >> (b % 8)) & 1;
}

static void bit_put(uint8_t *map, uint32_t b, bool v)
{
    if (v)
        map[b / 8] |= (uint8_t)(1u << (b % 8));
    else
        map[b / 8] &= (uint8_t)~(1u << (b % 8));
}

/* Allocate a free data block in the bitmap copy; 0 if the disk is full. */
static uint32_t balloc(struct fs *fs)
{
    for (uint32_t b = fs->sb.data_start; b < fs->sb.nblocks; b++) {
        if (b % 8 == 0 && fs->bmap[b / 8] == 0xff) {
            b += 7;
            continue;
        }
        if (!bit_get(fs->bmap, b)) {
            bit_put(fs->bmap, b, true);
            fs->nfree--;
            fs->bmap_dirty = true;
            return b;
        }
    }
    return 0;
}

static void bfree(struct fs *fs, uint32_t b)
{
    if (b >= fs->sb.data_start && b < fs->sb.nblocks && bit_get(fs->bmap, b)) {
        bit_put(fs->bmap, b, false);
        fs->nfree++;
        fs->bmap_dirty = true;
    }
}

/* Write the bitmap (if changed) and the inode block holding inum. */
static int meta_flush(struct fs *fs, uint32_t inum)
{
    int r = 0;
    if (fs->bmap_dirty) {
        r = bwrite(fs, fs->sb.bitmap_start, fs->bmap);
        if (r == 0)
            fs->bmap_dirty = false;
    }
    uint32_t k = inum / IPB;
    int r2 = bwrite(fs, fs->sb.inode_start + k, &fs->itable[k * IPB]);
    return r < 0 ? r : r2;
}

static bool dev_ok(const struct blkdev *dev)
{
    return dev && dev->read && dev->write &&
           dev->block_size == FS_BLOCK_SIZE &&
           dev->nblocks >= FS_MIN_BLOCKS && dev->nblocks <= FS_MAX_BLOCKS;
}

static void layout(struct fs_super *sb, uint32_t nblocks)
{
    sb->magic = FS_MAGIC;
    sb->version = FS_VERSION;
    sb->block_size = FS_BLOCK_SIZE;
    sb->nblocks = nblocks;
    sb->ninodes = FS_NINODES;
    sb->bitmap_start = 1;
    sb->inode_start = 2;
    sb->inode_blocks = FS_INODE_BLOCKS;
    sb->data_start = sb->inode_start + sb->inode_blocks;
}

/* fs_format: write an empty file system over all of dev and mount it in fs.
 * dev must have FS_BLOCK_SIZE blocks, FS_MIN_BLOCKS..FS_MAX_BLOCKS of them.
 * Returns 0, SVC_EINVAL (NULL or unsuitable dev), SVC_EIO. */
int fs_format(struct fs *fs, const struct blkdev *dev)
{
    if (!fs || !dev_ok(dev))
        return SVC_EINVAL;
    memset(fs, 0, sizeof *fs);
    fs->dev = *dev;
    layout(&fs->sb, dev->nblocks);
    memcpy(fs->blk, &fs->sb, sizeof fs->sb);
    int r = bwrite(fs, 0, fs->blk);
    for (uint32_t b = 0; b < fs->sb.data_start; b++)
        bit_put(fs->bmap, b, true);
    if (r == 0)
        r = bwrite(fs, fs->sb.bitmap_start, fs->bmap);
    for (uint32_t k = 0; r == 0 && k < fs->sb.inode_blocks; k++)
        r = bwrite(fs, fs->sb.inode_start + k, &fs->itable[k * IPB]);
    if (r < 0)
        return r;
    fs->nfree = fs->sb.nblocks - fs->sb.data_start;
    fs->mounted = true;
    return 0;
}

/* fs_mount: load the file system on dev into fs (superblock, bitmap, inode
 * table, the directory's mark); no handles are open afterwards.  Returns 0,
 * SVC_EINVAL (NULL or unsuitable dev, or no file system on it), SVC_ECORRUPT
 * (superblock does not match the device, or an inode is malformed), SVC_EIO. */
int fs_mount(struct fs *fs, const struct blkdev *dev)
{
    if (!fs || !dev_ok(dev))
        return SVC_EINVAL;
    memset(fs, 0, sizeof *fs);
    fs->dev = *dev;
    struct fs_super want;
    layout(&want, dev->nblocks);
    int r = bread(fs, 0, fs->blk);
    if (r < 0)
        return r;
    memcpy(&fs->sb, fs->blk, sizeof fs->sb);
    if (fs->sb.magic != FS_MAGIC)
        return SVC_EINVAL;
    if (memcmp(&fs->sb, &want, sizeof want) != 0)
        return SVC_ECORRUPT;
    r = bread(fs, fs->sb.bitmap_start, fs->bmap);
    for (uint32_t k = 0; r == 0 && k < fs->sb.inode_blocks; k++)
        r = bread(fs, fs->sb.inode_start + k, &fs->itable[k * IPB]);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < FS_NINODES; i++) {
        const struct fs_dinode *ip = &fs->itable[i];
        if (ip->used != FS_INODE_USED)
            continue;
        if (ip->size > FS_MAX_FILE_SIZE || ip->name[FS_NAME_MAX] != '\0')
            return SVC_ECORRUPT;
        fs->ihi = i + 1;
    }
    for (uint32_t b = fs->sb.data_start; b < fs->sb.nblocks; b++)
        fs->nfree += !bit_get(fs->bmap, b);
    fs->mounted = true;
    return 0;
}

/* 0 if name is 1..FS_NAME_MAX bytes without '/', else the error. */
static int name_check(const char *name)
{
    if (!name)
        return SVC_EINVAL;
    for (size_t i = 0; i <= FS_NAME_MAX; i++) {
        if (name[i] == '\0')
            return i == 0 ? SVC_EINVAL : 0;
        if (name[i] == '/')
            return SVC_EINVAL;
    }
    return SVC_ENAMETOOLONG;
}

/* Inode number of a valid name, or SVC_ENOENT. */
static int lookup(const struct fs *fs, const char *name)
{
    for (uint32_t i = 0; i < fs->ihi; i++) {
        const struct fs_dinode *ip = &fs->itable[i];
        if (ip->used == FS_INODE_USED &&
            strncmp(ip->name, name, FS_NAME_MAX + 1) == 0)
            return (int)i;
    }
    return SVC_ENOENT;
}

/* Common argument checks of name-based calls; the inode number or error. */
static int name_lookup(struct fs *fs, const char *name)
{
    if (!fs || !fs->mounted)
        return SVC_EINVAL;
    int r = name_check(name);
    return r < 0 ? r : lookup(fs, name);
}

/* fs_create: create an empty file called name.  Returns 0, SVC_EINVAL (fs
 * not mounted, name NULL, empty or containing '/'), SVC_ENAMETOOLONG (more
 * than FS_NAME_MAX bytes), SVC_EEXIST, SVC_ENOSPC (inode table full), SVC_EIO. */
int fs_create(struct fs *fs, const char *name)
{
    int r = name_lookup(fs, name);
    if (r >= 0)
        return SVC_EEXIST;
    if (r != SVC_ENOENT)
        return r;
    uint32_t i = 0;
    while (i < fs->ihi && fs->itable[i].used == FS_INODE_USED)
        i++;
    if (i == FS_NINODES)
        return SVC_ENOSPC;
    struct fs_dinode *ip = &fs->itable[i];
    memset(ip, 0, sizeof *ip);
    ip->used = FS_INODE_USED;
    memcpy(ip->name, name, strlen(name) + 1);
    r = meta_flush(fs, i);
    if (r < 0)
        ip->used = 0;
    else if (i == fs->ihi)
        fs->ihi = i + 1;
    return r;
}

/* Free every block of inode ip and make it empty (not written out). */
static int itrunc(struct fs *fs, struct fs_dinode *ip)
{
    if (ip->indirect) {
        int r = bread(fs, ip->indirect, fs->ind);
        if (r < 0)
            return r;
        for (uint32_t i = 0; i < FS_NINDIRECT; i++)
            bfree(fs, fs->ind[i]);
        bfree(fs, ip->indirect);
        ip->indirect = 0;
    }
    for (uint32_t i = 0; i < FS_NDIRECT; i++) {
        bfree(fs, ip->direct[i]);
        ip->direct[i] = 0;
    }
    ip->size = 0;
    return 0;
}

/*
 * fs_open: open name for owner with flags (FS_O_READ and/or FS_O_WRITE,
 * optionally FS_O_CREATE, FS_O_TRUNC); the offset starts at 0.  Returns a
 * handle >= 0, or the errors of fs_create, SVC_ENOENT (no such file and no
 * FS_O_CREATE), SVC_EINVAL (bad flags), SVC_EMFILE (handle table full).
 */
int fs_open(struct fs *fs, uint32_t owner, const char *name, uint32_t flags)
{
    uint32_t all = FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC;
    if ((flags & ~all) || !(flags & FS_O_RDWR) ||
        ((flags & FS_O_TRUNC) && !(flags & FS_O_WRITE)))
        return SVC_EINVAL;
    int inum = name_lookup(fs, name);
    if (inum == SVC_ENOENT && !(flags & FS_O_CREATE))
        return SVC_ENOENT;
    if (inum != SVC_ENOENT && inum < 0)
        return inum;
    int h = 0;
    while (h < (int)FS_MAX_OPEN && fs->files[h].used)
        h++;
    if (h == (int)FS_MAX_OPEN)
        return SVC_EMFILE;
    if (inum == SVC_ENOENT) {
        int r = fs_create(fs, name);
        if (r < 0)
            return r;
        inum = lookup(fs, name);
    } else if (flags & FS_O_TRUNC) {
        int r = itrunc(fs, &fs->itable[inum]);
        if (r == 0)
            r = meta_flush(fs, (uint32_t)inum);
        if (r < 0)
            return r;
    }
    struct fs_file *f = &fs->files[h];
    f->used = true;
    f->owner = owner;
    f->inum = (uint32_t)inum;
    f->flags = flags & FS_O_RDWR;
    f->off = 0;
    return h;
}

/* The open file behind handle h of owner, or NULL. */
static struct fs_file *file_get(struct fs *fs, uint32_t owner, int h)
{
    if (!fs || !fs->mounted || h < 0 || h >= (int)FS_MAX_OPEN)
        return NULL;
    struct fs_file *f = &fs->files[h];
    return f->used && f->owner == owner ? f : NULL;
}

/* Block number of file block bn (0 = hole); loads fs->ind on first need. */
static int block_of(struct fs *fs, const struct fs_dinode *ip, uint32_t bn,
                    bool *ind_loaded, uint32_t *b)
{
    if (bn < FS_NDIRECT) {
        *b = ip->direct[bn];
        return 0;
    }
    *b = 0;
    if (bn >= FS_NDIRECT + FS_NINDIRECT)
        return SVC_ECORRUPT;
    if (!ip->indirect)
        return 0;
    if (!*ind_loaded) {
        int r = bread(fs, ip->indirect, fs->ind);
        if (r < 0)
            return r;
        *ind_loaded = true;
    }
    *b = fs->ind[bn - FS_NDIRECT];
    return 0;
}

/*
 * fs_read: read up to len bytes at owner's handle h into buf and advance
 * the offset.  Returns the bytes read: fewer than len near the end of the
 * file, 0 at or past it.  Errors: SVC_EBADF (bad handle, another owner's,
 * not open for reading), SVC_EINVAL (buf NULL with len > 0), SVC_EIO.
 */
int fs_read(struct fs *fs, uint32_t owner, int h, void *buf, size_t len)
{
    struct fs_file *f = file_get(fs, owner, h);
    if (!f || !(f->flags & FS_O_READ))
        return SVC_EBADF;
    if (len > 0 && !buf)
        return SVC_EINVAL;
    const struct fs_dinode *ip = &fs->itable[f->inum];
    if (f->off >= ip->size)
        return 0;
    uint32_t n = ip->size - f->off;
    if (len < n)
        n = (uint32_t)len;
    bool ind_loaded = false;
    uint8_t *dst = buf;
    for (uint32_t done = 0; done < n;) {
        uint32_t pos = f->off + done, boff = pos % FS_BLOCK_SIZE;
        uint32_t chunk = FS_BLOCK_SIZE - boff, b;
        if (chunk > n - done)
            chunk = n - done;
        int r = block_of(fs, ip, pos / FS_BLOCK_SIZE, &ind_loaded, &b);
        if (r == 0 && b == 0)
            memset(dst + done, 0, chunk);
        else if (r == 0 && chunk == FS_BLOCK_SIZE)
            r = bread(fs, b, dst + done);
        else if (r == 0 && (r = bread(fs, b, fs->blk)) == 0)
            memcpy(dst + done, fs->blk + boff, chunk);
        if (r < 0)
            return r;
        done += chunk;
    }
    f->off += n;
    return (int)n;
}

/* Blocks fs_write must allocate for [off, off+len); fs->ind loaded if any. */
static int blocks_needed(struct fs *fs, const struct fs_dinode *ip,
                         uint32_t off, uint32_t len, uint32_t *need)
{
    uint32_t first = off / FS_BLOCK_SIZE;
    uint32_t last = (off + len - 1) / FS_BLOCK_SIZE;
    bool ind_loaded = false;
    *need = (last >= FS_NDIRECT && !ip->indirect) ? 1 : 0;
    for (uint32_t bn = first; bn <= last; bn++) {
        uint32_t b;
        int r = block_of(fs, ip, bn, &ind_loaded, &b);
        if (r < 0)
            return r;
        *need += (b == 0);
    }
    return 0;
}

/* Write one chunk of file block bn; allocates the block if it is a hole. */
static int write_chunk(struct fs *fs, uint32_t *slot, uint32_t boff,
                       const uint8_t *src, uint32_t chunk)
{
    bool fresh = (*slot == 0);
    if (fresh && (*slot = balloc(fs)) == 0)
        return SVC_ENOSPC;
    int r;
    if (chunk == FS_BLOCK_SIZE) {
        r = bwrite(fs, *slot, src);
    } else {
        if (fresh)
            memset(fs->blk, 0, FS_BLOCK_SIZE);
        r = fresh ? 0 : bread(fs, *slot, fs->blk);
        memcpy(fs->blk + boff, src, chunk);
        if (r == 0)
            r = bwrite(fs, *slot, fs->blk);
    }
    if (r < 0 && fresh) {
        bfree(fs, *slot);
        *slot = 0;
    }
    return r;
}

/*
 * fs_write: write len bytes from buf at owner's handle h and advance the
 * offset; writing past the end extends the file (a gap reads as zeros).
 * All or nothing: returns len, or SVC_ENOSPC (the file would exceed
 * FS_MAX_FILE_SIZE or the disk has too few free blocks) with nothing
 * changed.  Errors: SVC_EBADF (bad handle, another owner's, not open for
 * writing), SVC_EINVAL (buf NULL with len > 0), SVC_EIO (the device
 * failed; the bytes before the failure are written, metadata consistent).
 */
int fs_write(struct fs *fs, uint32_t owner, int h, const void *buf, size_t len)
{
    struct fs_file *f = file_get(fs, owner, h);
    if (!f || !(f->flags & FS_O_WRITE))
        return SVC_EBADF;
    if (len == 0)
        return 0;
    if (!buf)
        return SVC_EINVAL;
    if (len > FS_MAX_FILE_SIZE - f->off)
        return SVC_ENOSPC;
    struct fs_dinode *ip = &fs->itable[f->inum];
    uint32_t n = (uint32_t)len, need;
    int r = blocks_needed(fs, ip, f->off, n, &need);
    if (r < 0)
        return r;
    if (need > fs->nfree)
        return SVC_ENOSPC;
    uint32_t last = (f->off + n - 1) / FS_BLOCK_SIZE;
    bool new_ind = last >= FS_NDIRECT && !ip->indirect;
    bool ind_dirty = new_ind;
    if (new_ind) {
        ip->indirect = balloc(fs);
        memset(fs->ind, 0, sizeof fs->ind);
    }
    const uint8_t *src = buf;
    uint32_t done = 0;
    while (r == 0 && done < n) {
        uint32_t pos = f->off + done, bn = pos / FS_BLOCK_SIZE;
        uint32_t boff = pos % FS_BLOCK_SIZE, chunk = FS_BLOCK_SIZE - boff;
        if (chunk > n - done)
            chunk = n - done;
        uint32_t *slot = bn < FS_NDIRECT ? &ip->direct[bn]
                                         : &fs->ind[bn - FS_NDIRECT];
        ind_dirty |= (bn >= FS_NDIRECT && *slot == 0);
        r = write_chunk(fs, slot, boff, src + done, chunk);
        if (r == 0)
            done += chunk;
    }
    if (done > 0 && f->off + done > ip->size)
        ip->size = f->off + done;
    f->off += done;
    if (new_ind && ip->size <= FS_NDIRECT * FS_BLOCK_SIZE) {
        bfree(fs, ip->indirect);   /* failed before any indirect data */
        ip->indirect = 0;
        ind_dirty = false;
    }
    int r2 = ind_dirty ? bwrite(fs, ip->indirect, fs->ind) : 0;
    int r3 = meta_flush(fs, f->inum);
    if (r == 0)
        r = r2 < 0 ? r2 : r3;
    return r < 0 ? r : (int)done;
}

/*
 * fs_seek: set owner's handle h offset to off relative to whence
 * (FS_SEEK_SET, FS_SEEK_CUR, FS_SEEK_END).  Returns the new offset, or
 * SVC_EBADF, SVC_EINVAL (bad whence, result below 0 or above
 * FS_MAX_FILE_SIZE).
 */
int fs_seek(struct fs *fs, uint32_t owner, int h, int32_t off, int whence)
{
    struct fs_file *f = file_get(fs, owner, h);
    if (!f)
        return SVC_EBADF;
    int64_t base;
    if (whence == FS_SEEK_SET)
        base = 0;
    else if (whence == FS_SEEK_CUR)
        base = f->off;
    else if (whence == FS_SEEK_END)
        base = fs->itable[f->inum].size;
    else
        return SVC_EINVAL;
    int64_t pos = base + off;
    if (pos < 0 || pos > (int64_t)FS_MAX_FILE_SIZE)
        return SVC_EINVAL;
    f->off = (uint32_t)pos;
    return (int)pos;
}

/* fs_close: release owner's handle h.  Returns 0 or SVC_EBADF. */
int fs_close(struct fs *fs, uint32_t owner, int h)
{
    struct fs_file *f = file_get(fs, owner, h);
    if (!f)
        return SVC_EBADF;
    f->used = false;
    return 0;
}

/* fs_close_owner: release every handle of owner (e.g. a client died).
 * Returns how many were closed, or SVC_EINVAL (fs NULL or not mounted). */
int fs_close_owner(struct fs *fs, uint32_t owner)
{
    if (!fs || !fs->mounted)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t h = 0; h < FS_MAX_OPEN; h++) {
        if (fs->files[h].used && fs->files[h].owner == owner) {
            fs->files[h].used = false;
            n++;
        }
    }
    return n;
}

/* fs_sweep: release every handle whose owner alive() says is gone (a
 * server that is not told of its clients' deaths calls this when its
 * table is full).  Returns how many were closed, or SVC_EINVAL. */
int fs_sweep(struct fs *fs, int (*alive)(uint32_t owner))
{
    if (!fs || !fs->mounted || !alive)
        return SVC_EINVAL;
    int n = 0;
    for (uint32_t h = 0; h < FS_MAX_OPEN; h++) {
        if (fs->files[h].used && !alive(fs->files[h].owner)) {
            fs->files[h].used = false;
            n++;
        }
    }
    return n;
}

/*
 * fs_unlink: delete file name and free its blocks.  Returns 0, the name
 * errors of fs_create, SVC_ENOENT, SVC_EBUSY (some handle has it open),
 * SVC_EIO.
 */
int fs_unlink(struct fs *fs, const char *name)
{
    int inum = name_lookup(fs, name);
    if (inum < 0)
        return inum;
    for (uint32_t h = 0; h < FS_MAX_OPEN; h++)
        if (fs->files[h].used && fs->files[h].inum == (uint32_t)inum)
            return SVC_EBUSY;
    struct fs_dinode *ip = &fs->itable[inum];
    int r = itrunc(fs, ip);
    if (r < 0)
        return r;
    memset(ip, 0, sizeof *ip);
    while (fs->ihi > 0 && fs->itable[fs->ihi - 1].used != FS_INODE_USED)
        fs->ihi--;
    return meta_flush(fs, (uint32_t)inum);
}

/*
 * fs_stat: fill *st for file name.  Returns 0, the name errors of
 * fs_create, SVC_EINVAL (st NULL), SVC_ENOENT, SVC_EIO.
 */
int fs_stat(struct fs *fs, const char *name, struct fs_stat *st)
{
    int inum = name_lookup(fs, name);
    if (inum < 0)
        return inum;
    if (!st)
        return SVC_EINVAL;
    const struct fs_dinode *ip = &fs->itable[inum];
    uint32_t nb = 0;
    for (uint32_t i = 0; i < FS_NDIRECT; i++)
        nb += ip->direct[i] != 0;
    if (ip->indirect) {
        int r = bread(fs, ip->indirect, fs->ind);
        if (r < 0)
            return r;
        nb++;
        for (uint32_t i = 0; i < FS_NINDIRECT; i++)
            nb += fs->ind[i] != 0;
    }
    st->size = ip->size;
    st->blocks = nb;
    st->inum = (uint32_t)inum;
    return 0;
}

/* fs_free_blocks: free data blocks, or SVC_EINVAL if fs is not mounted. */
int fs_free_blocks(const struct fs *fs)
{
    if (!fs || !fs->mounted)
        return SVC_EINVAL;
    return (int)fs->nfree;
}
