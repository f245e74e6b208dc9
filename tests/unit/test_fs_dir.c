/*
 * test_fs_dir.c - host unit tests of services/fs.c's directory: the inode
 * table's limit (FS_NINODES files) and the high-water mark that bounds a
 * lookup's scan (fs.h: struct fs.ihi), which fs_check verifies.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fs_helpers.h"

static void test_inode_table_full_is_enospc(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    char name[16];
    for (uint32_t i = 0; i < FS_NINODES; i++) {
        snprintf(name, sizeof name, "f%u", i);
        CHECK_EQ(fs_create(&the_fs, name), 0);
    }
    CHECK_EQ(fs_create(&the_fs, "one-more"), SVC_ENOSPC);
    CHECK_EQ(open_rw(1, "one-more"), SVC_ENOSPC);
    CHECK_EQ(fs_unlink(&the_fs, "f7"), 0);
    CHECK_EQ(fs_create(&the_fs, "one-more"), 0);
    CHECK_EQ(fs_check(&the_fs), 0);
}

/* The directory's high-water mark (fs.h): one past the last inode in use,
 * lowered when that one goes, rebuilt by a mount, checked by fs_check. */
static void test_directory_mark_follows_the_last_file(void)
{
    REQUIRE_EQ(disk_fresh(64), 0);
    CHECK_EQ(the_fs.ihi, 0u);
    CHECK_EQ(fs_create(&the_fs, "a"), 0);
    CHECK_EQ(fs_create(&the_fs, "b"), 0);
    CHECK_EQ(fs_create(&the_fs, "c"), 0);
    CHECK_EQ(the_fs.ihi, 3u);
    CHECK_EQ(fs_unlink(&the_fs, "b"), 0);              /* a hole: mark stays */
    CHECK_EQ(the_fs.ihi, 3u);
    CHECK_EQ(fs_open(&the_fs, 1, "b", FS_O_READ), SVC_ENOENT);
    CHECK_EQ(fs_create(&the_fs, "d"), 0);              /* fills the hole */
    struct fs_stat st;
    CHECK_EQ(fs_stat(&the_fs, "d", &st), 0);
    CHECK_EQ(st.inum, 1u);
    CHECK_EQ(fs_unlink(&the_fs, "c"), 0);
    CHECK_EQ(the_fs.ihi, 2u);
    CHECK_EQ(fs_unlink(&the_fs, "a"), 0);              /* d (inode 1) remains */
    CHECK_EQ(the_fs.ihi, 2u);
    CHECK_EQ(fs_check(&the_fs), 0);
    static struct fs other;
    CHECK_EQ(fs_mount(&other, &disk_dev), 0);
    CHECK_EQ(other.ihi, 2u);
    CHECK_EQ(fs_stat(&other, "d", &st), 0);
    CHECK_EQ(fs_unlink(&the_fs, "d"), 0);
    CHECK_EQ(the_fs.ihi, 0u);
    CHECK_EQ(fs_check(&the_fs), 0);
    CHECK_EQ(fs_create(&the_fs, "e"), 0);
    the_fs.ihi = 2;                                    /* mark past the last file */
    CHECK_EQ(fs_check(&the_fs), SVC_ECORRUPT);
    the_fs.ihi = 0;                                    /* a file past the mark */
    CHECK_EQ(fs_check(&the_fs), SVC_ECORRUPT);
    the_fs.ihi = 1;
    CHECK_EQ(fs_check(&the_fs), 0);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_inode_table_full_is_enospc),
    CHECK_TEST(test_directory_mark_follows_the_last_file),
};
CHECK_MAIN(tests)
