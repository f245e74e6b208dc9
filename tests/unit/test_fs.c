/*
 * test_fs.c - host unit tests of services/fs.c, fs_check.c and ramdisk.c:
 * normal use, every refused input, limits (name length, file size, full
 * disk, tables) and failing devices.  The randomized test is in
 * test_fs_random.c.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fs_helpers.h"

static uint8_t wbuf[300 * 1024], rbuf[300 * 1024];

static void test_format_mount_round_trip_keeps_files(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    CHECK_EQ(fs_check(&the_fs), 0);
    int free0 = fs_free_blocks(&the_fs);
    CHECK(free0 > 1000 && free0 < (int)DISK_BLOCKS);
    int h = open_rw(1, "hello");
    REQUIRE(h >= 0);
    pattern(wbuf, 10000, 0, 1);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 10000), 10000);
    CHECK_EQ(fs_close(&the_fs, 1, h), 0);
    static struct fs other;
    CHECK_EQ(fs_mount(&other, &disk_dev), 0);
    CHECK_EQ(fs_check(&other), 0);
    CHECK_EQ(fs_free_blocks(&other), free0 - 3);
    h = fs_open(&other, 2, "hello", FS_O_READ);
    REQUIRE(h >= 0);
    memset(rbuf, 0, 10000);
    CHECK_EQ(fs_read(&other, 2, h, rbuf, sizeof rbuf), 10000);
    CHECK(memcmp(rbuf, wbuf, 10000) == 0);
}

static void test_format_and_mount_refuse_bad_devices(void)
{
    struct ramdisk rd;
    struct blkdev dev;
    static struct fs fs;
    memset(disk_mem, 0, FS_BLOCK_SIZE * 64);
    CHECK_EQ(ramdisk_init(&rd, disk_mem, 64 * 512, 512, &dev), 0);
    CHECK_EQ(fs_format(&fs, &dev), SVC_EINVAL);          /* 512-byte blocks */
    CHECK_EQ(ramdisk_init(&rd, disk_mem, (FS_MIN_BLOCKS - 1) * FS_BLOCK_SIZE,
                          FS_BLOCK_SIZE, &dev), 0);
    CHECK_EQ(fs_format(&fs, &dev), SVC_EINVAL);          /* too small */
    CHECK_EQ(ramdisk_init(&rd, disk_mem, FS_MIN_BLOCKS * FS_BLOCK_SIZE,
                          FS_BLOCK_SIZE, &dev), 0);
    CHECK_EQ(fs_mount(&fs, &dev), SVC_EINVAL);           /* blank disk */
    CHECK_EQ(fs_create(&fs, "x"), SVC_EINVAL);           /* not mounted */
    CHECK_EQ(fs_format(&fs, &dev), 0);                   /* smallest */
    CHECK_EQ(fs_check(&fs), 0);
    struct blkdev big = dev;
    big.nblocks = FS_MAX_BLOCKS + 1;
    CHECK_EQ(fs_format(&fs, &big), SVC_EINVAL);
    struct blkdev noread = dev;
    noread.read = NULL;
    CHECK_EQ(fs_mount(&fs, &noread), SVC_EINVAL);
    CHECK_EQ(fs_format(NULL, &dev), SVC_EINVAL);
    CHECK_EQ(fs_format(&fs, NULL), SVC_EINVAL);
    struct blkdev other = dev;
    other.nblocks = FS_MIN_BLOCKS + 1;   /* superblock says one fewer */
    CHECK_EQ(fs_mount(&fs, &other), SVC_ECORRUPT);
}

static void test_mount_refuses_malformed_inode(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    CHECK_EQ(fs_create(&the_fs, "f"), 0);
    struct fs_dinode *ip = (struct fs_dinode *)(disk_mem + 2 * FS_BLOCK_SIZE);
    ip->size = FS_MAX_FILE_SIZE + 1;
    static struct fs fs;
    CHECK_EQ(fs_mount(&fs, &disk_dev), SVC_ECORRUPT);
}

static void test_names_at_and_over_the_limit(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    char n27[28], n28[29], n100[101];
    memset(n27, 'a', 27);
    n27[27] = 0;
    memset(n28, 'b', 28);
    n28[28] = 0;
    memset(n100, 'c', 100);
    n100[100] = 0;
    struct fs_stat st;
    CHECK_EQ(fs_create(&the_fs, n27), 0);
    CHECK_EQ(fs_stat(&the_fs, n27, &st), 0);
    CHECK_EQ(fs_create(&the_fs, n28), SVC_ENAMETOOLONG);
    CHECK_EQ(fs_create(&the_fs, n100), SVC_ENAMETOOLONG);
    CHECK_EQ(fs_open(&the_fs, 1, n28, FS_O_RDWR | FS_O_CREATE),
             SVC_ENAMETOOLONG);
    CHECK_EQ(fs_stat(&the_fs, n28, &st), SVC_ENAMETOOLONG);
    CHECK_EQ(fs_unlink(&the_fs, n100), SVC_ENAMETOOLONG);
    /* a 27-byte prefix of a longer name is a different (refused) name */
    n28[27] = 'a';
    memset(n28, 'a', 27);
    CHECK_EQ(fs_stat(&the_fs, n28, &st), SVC_ENAMETOOLONG);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_empty_slash_and_null_names_are_einval(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    struct fs_stat st;
    const char *bad[] = { "", "a/b", "/", "abc/" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(fs_create(&the_fs, bad[i]), SVC_EINVAL);
        CHECK_EQ(open_rw(1, bad[i]), SVC_EINVAL);
        CHECK_EQ(fs_unlink(&the_fs, bad[i]), SVC_EINVAL);
        CHECK_EQ(fs_stat(&the_fs, bad[i], &st), SVC_EINVAL);
    }
    CHECK_EQ(fs_create(&the_fs, NULL), SVC_EINVAL);
    CHECK_EQ(open_rw(1, NULL), SVC_EINVAL);
    CHECK_EQ(fs_stat(&the_fs, NULL, &st), SVC_EINVAL);
    CHECK_EQ(fs_create(&the_fs, "ok"), 0);
    CHECK_EQ(fs_stat(&the_fs, "ok", NULL), SVC_EINVAL);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_create_existing_is_eexist(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    CHECK_EQ(fs_create(&the_fs, "a"), 0);
    CHECK_EQ(fs_create(&the_fs, "a"), SVC_EEXIST);
    CHECK_EQ(fs_create(&the_fs, "b"), 0);
}

static void test_open_missing_and_bad_flags(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    CHECK_EQ(fs_open(&the_fs, 1, "nope", FS_O_READ), SVC_ENOENT);
    CHECK_EQ(fs_create(&the_fs, "f"), 0);
    CHECK_EQ(fs_open(&the_fs, 1, "f", 0), SVC_EINVAL);
    CHECK_EQ(fs_open(&the_fs, 1, "f", FS_O_CREATE), SVC_EINVAL);
    CHECK_EQ(fs_open(&the_fs, 1, "f", FS_O_READ | FS_O_TRUNC), SVC_EINVAL);
    CHECK_EQ(fs_open(&the_fs, 1, "f", FS_O_READ | 16), SVC_EINVAL);
    CHECK(fs_open(&the_fs, 1, "f", FS_O_READ) >= 0);
}

static void test_read_past_end_is_short_then_empty(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    int h = open_rw(1, "f");
    pattern(wbuf, 5000, 0, 2);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 5000), 5000);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 4000, FS_SEEK_SET), 4000);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, 4096), 1000);
    CHECK(memcmp(rbuf, wbuf + 4000, 1000) == 0);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, 4096), 0);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 100000, FS_SEEK_SET), 100000);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, 10), 0);
    CHECK_EQ(fs_read(&the_fs, 1, h, NULL, 0), 0);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_SET), 0);
    CHECK_EQ(fs_read(&the_fs, 1, h, NULL, 10), SVC_EINVAL);
    CHECK_EQ(fs_write(&the_fs, 1, h, NULL, 10), SVC_EINVAL);
    CHECK_EQ(fs_write(&the_fs, 1, h, NULL, 0), 0);
}

static void test_seek_whence_and_limits(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    int h = open_rw(1, "f");
    CHECK_EQ(fs_write(&the_fs, 1, h, "0123456789", 10), 10);
    CHECK_EQ(fs_seek(&the_fs, 1, h, -3, FS_SEEK_END), 7);
    CHECK_EQ(fs_seek(&the_fs, 1, h, -2, FS_SEEK_CUR), 5);
    char c[4] = { 0 };
    CHECK_EQ(fs_read(&the_fs, 1, h, c, 3), 3);
    CHECK(memcmp(c, "567", 3) == 0);
    CHECK_EQ(fs_seek(&the_fs, 1, h, -1, FS_SEEK_SET), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, -11, FS_SEEK_END), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, (int32_t)FS_MAX_FILE_SIZE + 1,
                     FS_SEEK_SET), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, INT32_MAX, FS_SEEK_END), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, 3), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, -1), SVC_EINVAL);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_CUR), 8);  /* unchanged */
}

static void test_gap_after_seek_reads_as_zeros(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    int h = open_rw(1, "f");
    CHECK_EQ(fs_seek(&the_fs, 1, h, 3 * FS_BLOCK_SIZE + 5, FS_SEEK_SET),
             3 * FS_BLOCK_SIZE + 5);
    CHECK_EQ(fs_write(&the_fs, 1, h, "xy", 2), 2);
    struct fs_stat st;
    CHECK_EQ(fs_stat(&the_fs, "f", &st), 0);
    CHECK_EQ(st.size, 3 * FS_BLOCK_SIZE + 7);
    CHECK_EQ(st.blocks, 1);                      /* the hole takes no blocks */
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_SET), 0);
    memset(rbuf, 0xaa, st.size);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, sizeof rbuf), (int)st.size);
    int nonzero = 0;
    for (uint32_t i = 0; i < st.size - 2; i++)
        nonzero += rbuf[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK(memcmp(rbuf + st.size - 2, "xy", 2) == 0);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_bad_handles_are_ebadf(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    char b[4] = "abc";
    int bad[] = { -1, 1, (int)FS_MAX_OPEN, 1 << 30 };
    int h = open_rw(1, "f");
    CHECK_EQ(h, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(fs_read(&the_fs, 1, bad[i], b, 3), SVC_EBADF);
        CHECK_EQ(fs_write(&the_fs, 1, bad[i], b, 3), SVC_EBADF);
        CHECK_EQ(fs_seek(&the_fs, 1, bad[i], 0, FS_SEEK_SET), SVC_EBADF);
        CHECK_EQ(fs_close(&the_fs, 1, bad[i]), SVC_EBADF);
    }
    CHECK_EQ(fs_close(&the_fs, 1, h), 0);
    CHECK_EQ(fs_close(&the_fs, 1, h), SVC_EBADF);
    CHECK_EQ(fs_read(&the_fs, 1, h, b, 3), SVC_EBADF);
    CHECK_EQ(fs_read(NULL, 1, h, b, 3), SVC_EBADF);
}

static void test_other_owners_handle_is_ebadf(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    int h = open_rw(1, "mine");
    REQUIRE(h >= 0);
    char b[4] = "abc";
    CHECK_EQ(fs_write(&the_fs, 2, h, b, 3), SVC_EBADF);
    CHECK_EQ(fs_read(&the_fs, 2, h, b, 3), SVC_EBADF);
    CHECK_EQ(fs_seek(&the_fs, 2, h, 0, FS_SEEK_SET), SVC_EBADF);
    CHECK_EQ(fs_close(&the_fs, 2, h), SVC_EBADF);
    CHECK_EQ(fs_write(&the_fs, 1, h, b, 3), 3);     /* still the owner's */
    CHECK_EQ(fs_close(&the_fs, 1, h), 0);
}

static void test_access_mode_is_enforced(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    CHECK_EQ(fs_create(&the_fs, "f"), 0);
    char b[4] = "abc";
    int r = fs_open(&the_fs, 1, "f", FS_O_READ);
    int w = fs_open(&the_fs, 1, "f", FS_O_WRITE);
    CHECK_EQ(fs_write(&the_fs, 1, r, b, 3), SVC_EBADF);
    CHECK_EQ(fs_write(&the_fs, 1, w, b, 3), 3);
    CHECK_EQ(fs_read(&the_fs, 1, w, b, 3), SVC_EBADF);
    CHECK_EQ(fs_read(&the_fs, 1, r, b, 3), 3);
}

static void test_handle_table_full_is_emfile(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    for (uint32_t i = 0; i < FS_MAX_OPEN; i++)
        CHECK(fs_open(&the_fs, i % 3, "f", FS_O_RDWR | FS_O_CREATE) >= 0);
    CHECK_EQ(open_rw(9, "f"), SVC_EMFILE);
    CHECK_EQ(open_rw(9, "g"), SVC_EMFILE);
    struct fs_stat st;
    CHECK_EQ(fs_stat(&the_fs, "g", &st), SVC_ENOENT);   /* not created */
    CHECK_EQ(fs_close_owner(&the_fs, 1), (int)(FS_MAX_OPEN + 1) / 3);
    CHECK(open_rw(9, "f") >= 0);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static int only_owner_2_alive(uint32_t owner) { return owner == 2; }

static void test_sweep_frees_handles_of_dead_owners(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    int live = fs_open(&the_fs, 2, "f", FS_O_RDWR | FS_O_CREATE);
    for (uint32_t i = 1; i < FS_MAX_OPEN; i++)
        CHECK(fs_open(&the_fs, 1, "f", FS_O_READ) >= 0);
    CHECK_EQ(open_rw(3, "f"), SVC_EMFILE);
    CHECK_EQ(fs_sweep(&the_fs, only_owner_2_alive), (int)FS_MAX_OPEN - 1);
    CHECK_EQ(fs_write(&the_fs, 2, live, "x", 1), 1);   /* the live owner's handle stays */
    CHECK(open_rw(3, "f") >= 0);
    CHECK_EQ(fs_sweep(NULL, only_owner_2_alive), SVC_EINVAL);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_unlink_frees_blocks_and_refuses_open_files(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    int free0 = fs_free_blocks(&the_fs);
    int h = open_rw(1, "big");
    pattern(wbuf, 200 * 1024, 0, 3);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 200 * 1024), 200 * 1024);
    CHECK_EQ(fs_free_blocks(&the_fs), free0 - 50 - 1);  /* + indirect */
    CHECK_EQ(fs_unlink(&the_fs, "big"), SVC_EBUSY);
    CHECK_EQ(fs_close(&the_fs, 1, h), 0);
    CHECK_EQ(fs_unlink(&the_fs, "big"), 0);
    CHECK_EQ(fs_free_blocks(&the_fs), free0);
    CHECK_EQ(fs_unlink(&the_fs, "big"), SVC_ENOENT);
    CHECK_EQ(fs_open(&the_fs, 1, "big", FS_O_READ), SVC_ENOENT);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_trunc_empties_file(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    int free0 = fs_free_blocks(&the_fs);
    int h = open_rw(1, "f");
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 100000), 100000);
    int h2 = fs_open(&the_fs, 2, "f", FS_O_WRITE | FS_O_TRUNC);
    REQUIRE(h2 >= 0);
    struct fs_stat st;
    CHECK_EQ(fs_stat(&the_fs, "f", &st), 0);
    CHECK_EQ(st.size, 0);
    CHECK_EQ(st.blocks, 0);
    CHECK_EQ(fs_free_blocks(&the_fs), free0);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, 10), 0);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_256k_file_round_trip(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    uint32_t n = 256 * 1024 + 777;
    pattern(wbuf, n, 0, 4);
    int h = open_rw(1, "f");
    /* odd-sized pieces so that writes straddle block boundaries */
    for (uint32_t off = 0; off < n; off += 3001) {
        uint32_t len = n - off < 3001 ? n - off : 3001;
        CHECK_EQ(fs_write(&the_fs, 1, h, wbuf + off, len), (int)len);
    }
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_SET), 0);
    memset(rbuf, 0, n);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, sizeof rbuf), (int)n);
    CHECK(memcmp(rbuf, wbuf, n) == 0);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_write_past_max_size_is_enospc_and_changes_nothing(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    int h = open_rw(1, "f");
    int32_t end = (int32_t)FS_MAX_FILE_SIZE;
    CHECK_EQ(fs_seek(&the_fs, 1, h, end - 100, FS_SEEK_SET), end - 100);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 100), 100);    /* up to the max */
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 1), SVC_ENOSPC);
    CHECK_EQ(fs_seek(&the_fs, 1, h, end - 50, FS_SEEK_SET), end - 50);
    int free1 = fs_free_blocks(&the_fs);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf + 1000, 200), SVC_ENOSPC);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_CUR), end - 50);
    CHECK_EQ(fs_free_blocks(&the_fs), free1);
    CHECK_EQ(fs_seek(&the_fs, 1, h, end - 100, FS_SEEK_SET), end - 100);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, 1000), 100);
    CHECK(memcmp(rbuf, wbuf, 100) == 0);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, SIZE_MAX), SVC_ENOSPC);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_full_disk_is_enospc_and_keeps_data(void)
{
    REQUIRE_EQ(disk_fresh(FS_META_BLOCKS + 18), 0);   /* 18 data blocks */
    int nfree = fs_free_blocks(&the_fs);
    CHECK_EQ(nfree, 18);
    int h = open_rw(1, "a");
    pattern(wbuf, sizeof wbuf, 0, 5);
    /* 18 data blocks need an indirect block too: 19 > 18, refused whole */
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 18 * FS_BLOCK_SIZE), SVC_ENOSPC);
    CHECK_EQ(fs_free_blocks(&the_fs), 18);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_CUR), 0);
    CHECK_EQ(fs_check(&the_fs), 0);
    /* 12 direct + indirect + 5 = 18 blocks: exactly full */
    uint32_t fit = 17 * FS_BLOCK_SIZE;
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, fit - 10), (int)fit - 10);
    CHECK_EQ(fs_free_blocks(&the_fs), 0);
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf + fit - 10, 10), 10);  /* no block */
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf + fit, 1), SVC_ENOSPC);
    CHECK_EQ(fs_create(&the_fs, "b"), 0);   /* inodes need no data blocks */
    int h2 = open_rw(1, "b");
    CHECK_EQ(fs_write(&the_fs, 1, h2, wbuf, 1), SVC_ENOSPC);
    CHECK_EQ(fs_check(&the_fs), 0);
    struct fs_stat st;
    CHECK_EQ(fs_stat(&the_fs, "a", &st), 0);
    CHECK_EQ(st.size, fit);
    CHECK_EQ(fs_seek(&the_fs, 1, h, 0, FS_SEEK_SET), 0);
    CHECK_EQ(fs_read(&the_fs, 1, h, rbuf, sizeof rbuf), (int)fit);
    CHECK(memcmp(rbuf, wbuf, fit) == 0);
    /* a write needing more blocks than are free writes nothing at all */
    CHECK_EQ(fs_close(&the_fs, 1, h), 0);
    CHECK_EQ(fs_unlink(&the_fs, "a"), 0);
    CHECK_EQ(fs_write(&the_fs, 1, h2, wbuf, 19 * FS_BLOCK_SIZE), SVC_ENOSPC);
    CHECK_EQ(fs_stat(&the_fs, "b", &st), 0);
    CHECK_EQ(st.size, 0);
    CHECK_EQ(fs_free_blocks(&the_fs), 18);
    CHECK_EQ(fs_check(&the_fs), 0);
}

static void test_check_detects_corruption(void)
{
    static struct fs fs;
    uint8_t *bitmap = disk_mem + FS_BLOCK_SIZE;
    struct fs_dinode *ino = (struct fs_dinode *)(disk_mem + 2 * FS_BLOCK_SIZE);

    REQUIRE_EQ(disk_fresh(64), 0);
    int h = open_rw(1, "a");
    CHECK_EQ(fs_write(&the_fs, 1, h, wbuf, 2 * FS_BLOCK_SIZE), 2 * 4096);
    CHECK_EQ(fs_create(&the_fs, "b"), 0);
    CHECK_EQ(fs_check(&the_fs), 0);

    bitmap[5] ^= 0x10;                                 /* leaked block */
    CHECK_EQ(fs_mount(&fs, &disk_dev), 0);
    CHECK_EQ(fs_check(&fs), SVC_ECORRUPT);
    CHECK_EQ(fs_check(&the_fs), SVC_ECORRUPT);         /* disk != memory */
    bitmap[5] ^= 0x10;

    ino[1].direct[0] = ino[0].direct[1];               /* shared block */
    ino[1].size = 1;
    CHECK_EQ(fs_mount(&fs, &disk_dev), 0);
    CHECK_EQ(fs_check(&fs), SVC_ECORRUPT);
    ino[1].direct[0] = 0;
    ino[1].size = 0;

    ino[0].direct[5] = 40;                             /* past end of file */
    CHECK_EQ(fs_mount(&fs, &disk_dev), 0);
    CHECK_EQ(fs_check(&fs), SVC_ECORRUPT);
    ino[0].direct[5] = 0;

    ino[0].direct[0] = 9999;                           /* out of range */
    CHECK_EQ(fs_mount(&fs, &disk_dev), 0);
    CHECK_EQ(fs_check(&fs), SVC_ECORRUPT);
    CHECK_EQ(fs_read(&fs, 0, fs_open(&fs, 0, "a", FS_O_READ), rbuf, 10),
             SVC_EIO);                                 /* and no crash */

    CHECK_EQ(fs_check(NULL), SVC_EINVAL);
}

/* A block device that fails reads, or writes to data blocks, on demand. */
struct flaky {
    struct blkdev inner;
    int fail_reads;
    int data_writes_left;        /* < 0: never fail */
};

static int flaky_read(void *ctx, uint32_t b, void *buf)
{
    struct flaky *f = ctx;
    return f->fail_reads ? -1 : f->inner.read(f->inner.ctx, b, buf);
}

static int flaky_write(void *ctx, uint32_t b, const void *buf)
{
    struct flaky *f = ctx;
    if (b >= 6 && f->data_writes_left >= 0 && f->data_writes_left-- == 0)
        return -1;
    return f->inner.write(f->inner.ctx, b, buf);
}

/* Check that file "f" holds zeros up to off, then wbuf. */
static void check_contents(struct fs *fs, int h, uint32_t off)
{
    struct fs_stat st;
    REQUIRE_EQ(fs_stat(fs, "f", &st), 0);
    REQUIRE(st.size == 0 || st.size > off);
    CHECK_EQ(fs_seek(fs, 1, h, 0, FS_SEEK_SET), 0);
    CHECK_EQ(fs_read(fs, 1, h, rbuf, sizeof rbuf), (int)st.size);
    for (uint32_t i = 0; i < st.size && i < off; i++)
        REQUIRE_EQ(rbuf[i], 0);
    if (st.size > off)
        CHECK(memcmp(rbuf + off, wbuf, st.size - off) == 0);
}

static void test_device_errors_are_eio_and_keep_consistency(void)
{
    REQUIRE_EQ(disk_fresh(DISK_BLOCKS), 0);
    static struct flaky fl;
    static struct fs fs;
    fl.inner = disk_dev;
    fl.fail_reads = 0;
    fl.data_writes_left = -1;
    struct blkdev dev = disk_dev;
    dev.ctx = &fl;
    dev.read = flaky_read;
    dev.write = flaky_write;
    REQUIRE_EQ(fs_mount(&fs, &dev), 0);
    int free0 = fs_free_blocks(&fs);
    pattern(wbuf, 100000, 0, 6);
    for (int k = 0; k < 30; k++) {
        /* odd rounds start in the indirect part, after a hole */
        uint32_t off = (k % 2) ? 13 * FS_BLOCK_SIZE + 100 : 0;
        int h = fs_open(&fs, 1, "f", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
        CHECK_EQ(fs_free_blocks(&fs), free0);
        CHECK_EQ(fs_seek(&fs, 1, h, (int32_t)off, FS_SEEK_SET), (int)off);
        fl.data_writes_left = k / 2;      /* fail this data-block write */
        int r = fs_write(&fs, 1, h, wbuf, 100000);
        fl.data_writes_left = -1;
        CHECK(r == SVC_EIO || r == 100000);
        CHECK_EQ(fs_check(&fs), 0);
        check_contents(&fs, h, off);
        CHECK_EQ(fs_close(&fs, 1, h), 0);
    }
    int h = fs_open(&fs, 1, "f", FS_O_RDWR);
    CHECK_EQ(fs_write(&fs, 1, h, wbuf, 10000), 10000);
    CHECK_EQ(fs_seek(&fs, 1, h, 0, FS_SEEK_SET), 0);
    fl.fail_reads = 1;
    CHECK_EQ(fs_read(&fs, 1, h, rbuf, 10000), SVC_EIO);
    CHECK_EQ(fs_mount(&fs, &dev), SVC_EIO);
    fl.fail_reads = 0;
    CHECK_EQ(fs_mount(&fs, &dev), 0);
    CHECK_EQ(fs_check(&fs), 0);
}

static void test_ramdisk_reads_writes_and_refuses_bad_arguments(void)
{
    struct ramdisk rd;
    struct blkdev dev;
    uint8_t mem[2048], blk[512];
    CHECK_EQ(ramdisk_init(&rd, mem, sizeof mem, 1000, &dev), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(&rd, mem, sizeof mem, 256, &dev), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(&rd, mem, 511, 512, &dev), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(NULL, mem, sizeof mem, 512, &dev), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(&rd, NULL, sizeof mem, 512, &dev), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(&rd, mem, sizeof mem, 512, NULL), SVC_EINVAL);
    CHECK_EQ(ramdisk_init(&rd, mem, sizeof mem - 100, 512, &dev), 0);
    CHECK_EQ(dev.nblocks, 3);                 /* partial block ignored */
    memset(blk, 0x5a, sizeof blk);
    CHECK_EQ(dev.write(dev.ctx, 2, blk), 0);
    memset(blk, 0, sizeof blk);
    CHECK_EQ(dev.read(dev.ctx, 2, blk), 0);
    CHECK(blk[0] == 0x5a && blk[511] == 0x5a);
    CHECK_EQ(dev.read(dev.ctx, 3, blk), SVC_EINVAL);
    CHECK_EQ(dev.write(dev.ctx, 3, blk), SVC_EINVAL);
    CHECK_EQ(dev.read(dev.ctx, 0, NULL), SVC_EINVAL);
    CHECK_EQ(dev.read(NULL, 0, blk), SVC_EINVAL);
    CHECK_EQ(rd.nreads, 1);
    CHECK_EQ(rd.nwrites, 1);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_format_mount_round_trip_keeps_files),
    CHECK_TEST(test_format_and_mount_refuse_bad_devices),
    CHECK_TEST(test_mount_refuses_malformed_inode),
    CHECK_TEST(test_names_at_and_over_the_limit),
    CHECK_TEST(test_empty_slash_and_null_names_are_einval),
    CHECK_TEST(test_create_existing_is_eexist),
    CHECK_TEST(test_open_missing_and_bad_flags),
    CHECK_TEST(test_read_past_end_is_short_then_empty),
    CHECK_TEST(test_seek_whence_and_limits),
    CHECK_TEST(test_gap_after_seek_reads_as_zeros),
    CHECK_TEST(test_bad_handles_are_ebadf),
    CHECK_TEST(test_other_owners_handle_is_ebadf),
    CHECK_TEST(test_access_mode_is_enforced),
    CHECK_TEST(test_handle_table_full_is_emfile),
    CHECK_TEST(test_sweep_frees_handles_of_dead_owners),
    CHECK_TEST(test_unlink_frees_blocks_and_refuses_open_files),
    CHECK_TEST(test_trunc_empties_file),
    CHECK_TEST(test_256k_file_round_trip),
    CHECK_TEST(test_write_past_max_size_is_enospc_and_changes_nothing),
    CHECK_TEST(test_full_disk_is_enospc_and_keeps_data),
    CHECK_TEST(test_check_detects_corruption),
    CHECK_TEST(test_device_errors_are_eio_and_keep_consistency),
    CHECK_TEST(test_ramdisk_reads_writes_and_refuses_bad_arguments),
};
CHECK_MAIN(tests)
