/*
 * fs_check.c - verify that the file system on the device is consistent.
 *
 * Linked into: host unit tests, and any hosting that wants a self-check
 * (mono kernel or micro file server in "run=test").  Reads everything from
 * the device, not from the in-memory copies, then also compares the two.
 */
#include "fs.h"
#include "svc_base.h"

#define IPB (FS_BLOCK_SIZE / sizeof(struct fs_dinode))

static int bread(struct fs *fs, uint32_t b, void *buf)
{
    return fs->dev.read(fs->dev.ctx, b, buf) < 0 ? SVC_EIO : 0;
}

static bool bit_get(const uint8_t *map, uint32_t b)
{
    return (map[b / 8] >> (b % 8)) & 1;
}

/* Record block b (file block index bn, 0 = hole) as used by one file;
 * seen is a bitmap of blocks claimed so far. */
static int claim(const struct fs *fs, uint8_t *seen, uint32_t b,
                 uint32_t bn, uint32_t nbn)
{
    if (b == 0)
        return 0;
    if (bn >= nbn || b < fs->sb.data_start || b >= fs->sb.nblocks ||
        bit_get(seen, b))
        return SVC_ECORRUPT;   /* past EOF, out of range, or shared */
    seen[b / 8] |= (uint8_t)(1u << (b % 8));
    return 0;
}

/* Check one in-use inode's name, size and blocks; fs->blk is `seen`. */
static int check_inode(struct fs *fs, const struct fs_dinode *ip)
{
    size_t len = 0;
    while (len <= FS_NAME_MAX && ip->name[len] != '\0')
        len++;
    if (len == 0 || len > FS_NAME_MAX || ip->size > FS_MAX_FILE_SIZE)
        return SVC_ECORRUPT;
    for (size_t i = 0; i < len; i++)
        if (ip->name[i] == '/')
            return SVC_ECORRUPT;
    uint32_t nbn = (ip->size + FS_BLOCK_SIZE - 1) / FS_BLOCK_SIZE;
    for (uint32_t i = 0; i < FS_NDIRECT; i++)
        if (claim(fs, fs->blk, ip->direct[i], i, nbn) < 0)
            return SVC_ECORRUPT;
    if (!ip->indirect)
        return 0;
    if (nbn <= FS_NDIRECT ||
        claim(fs, fs->blk, ip->indirect, FS_NDIRECT, nbn) < 0)
        return SVC_ECORRUPT;
    int r = bread(fs, ip->indirect, fs->ind);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < FS_NINDIRECT; i++)
        if (claim(fs, fs->blk, fs->ind[i], FS_NDIRECT + i, nbn) < 0)
            return SVC_ECORRUPT;
    return 0;
}

/* Compare the on-disk superblock and inode table with the copies in fs. */
static int check_copies(struct fs *fs)
{
    struct fs_super want = fs->sb;
    int r = bread(fs, 0, fs->blk);
    if (r < 0)
        return r;
    if (memcmp(fs->blk, &want, sizeof want) != 0 ||
        want.magic != FS_MAGIC || want.nblocks != fs->dev.nblocks ||
        want.nblocks > FS_MAX_BLOCKS || want.data_start >= want.nblocks ||
        want.inode_blocks * IPB != FS_NINODES)
        return SVC_ECORRUPT;
    for (uint32_t k = 0; k < want.inode_blocks; k++) {
        r = bread(fs, want.inode_start + k, fs->blk);
        if (r < 0)
            return r;
        if (memcmp(fs->blk, &fs->itable[k * IPB], FS_BLOCK_SIZE) != 0)
            return SVC_ECORRUPT;
    }
    return 0;
}

/*
 * fs_check: verify the mounted file system: superblock and inode table on
 * disk equal the in-memory copies; the directory's high-water mark is one
 * past the last in-use inode; every in-use inode has a valid unique
 * name and size; no block pointer is out of range, shared, or past the end
 * of its file; the bitmap on disk equals the in-memory one and marks
 * exactly the metadata blocks plus the blocks files use; the free count is
 * right; every open handle refers to an in-use inode.  Uses fs's scratch
 * buffers only.  Returns 0, SVC_EINVAL (not mounted), SVC_ECORRUPT, SVC_EIO.
 */
int fs_check(struct fs *fs)
{
    if (!fs || !fs->mounted)
        return SVC_EINVAL;
    int r = check_copies(fs);
    if (r < 0)
        return r;
    memset(fs->blk, 0, FS_BLOCK_SIZE);           /* the `seen` bitmap */
    for (uint32_t b = 0; b < fs->sb.data_start; b++)
        fs->blk[b / 8] |= (uint8_t)(1u << (b % 8));
    if (fs->ihi > FS_NINODES ||
        (fs->ihi > 0 && fs->itable[fs->ihi - 1].used != FS_INODE_USED))
        return SVC_ECORRUPT;
    for (uint32_t i = 0; i < FS_NINODES; i++) {
        const struct fs_dinode *ip = &fs->itable[i];
        if (ip->used == 0)
            continue;
        if (ip->used != FS_INODE_USED || i >= fs->ihi)
            return SVC_ECORRUPT;
        r = check_inode(fs, ip);
        if (r < 0)
            return r;
        for (uint32_t j = 0; j < i; j++)
            if (fs->itable[j].used == FS_INODE_USED &&
                strncmp(fs->itable[j].name, ip->name, FS_NAME_MAX + 1) == 0)
                return SVC_ECORRUPT;
    }
    r = bread(fs, fs->sb.bitmap_start, fs->ind);
    if (r < 0)
        return r;
    if (memcmp(fs->ind, fs->bmap, FS_BLOCK_SIZE) != 0 ||
        memcmp(fs->blk, fs->bmap, FS_BLOCK_SIZE) != 0)
        return SVC_ECORRUPT;
    uint32_t nfree = 0;
    for (uint32_t b = fs->sb.data_start; b < fs->sb.nblocks; b++)
        nfree += !bit_get(fs->bmap, b);
    if (nfree != fs->nfree)
        return SVC_ECORRUPT;
    for (uint32_t h = 0; h < FS_MAX_OPEN; h++) {
        const struct fs_file *f = &fs->files[h];
        if (f->used && (f->inum >= FS_NINODES || f->off > FS_MAX_FILE_SIZE ||
                        fs->itable[f->inum].used != FS_INODE_USED))
            return SVC_ECORRUPT;
    }
    return 0;
}
