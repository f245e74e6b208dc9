/*
 * test_fs_random.c - randomized write/read-back test of services/fs.c
 * against a reference model: file contents, sizes, which file blocks are
 * allocated, and the free-block count.  A small disk makes SVC_ENOSPC
 * frequent.  fs_check runs after every step.  FS_SEED=<n> in the
 * environment picks another seed; the seed is printed on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs_helpers.h"

#define NFILES 3
#define REF_MAX (320u * 1024u)       /* reaches the indirect part */
#define REF_BLOCKS (REF_MAX / FS_BLOCK_SIZE)
#define STEPS 3000

struct model {
    uint8_t data[REF_MAX];
    uint32_t size;
    bool has[REF_BLOCKS];      /* file block i is allocated */
    bool has_ind;              /* indirect block allocated */
    int h;                     /* open handle, owner = index + 1 */
};

static struct model M[NFILES];
static uint32_t model_free;
static uint64_t rng;
static uint8_t buf[REF_MAX + 4096];

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *name_of(int f)
{
    static const char *names[NFILES] = {
        "alpha", "beta", "a-longer-name-of-27-bytes!!",
    };
    return names[f];
}

static uint32_t rnd_len(void)
{
    switch (rnd(4)) {
    case 0: return 1 + rnd(100);
    case 1: return 1 + rnd(FS_BLOCK_SIZE * 2);
    case 2: return FS_BLOCK_SIZE * (1 + rnd(4));
    default: return 1 + rnd(64 * 1024);
    }
}

/* Write len random bytes at off; returns 1 if it was (rightly) refused
 * with SVC_ENOSPC. */
static int do_write(int f, uint32_t off, uint32_t len)
{
    struct model *m = &M[f];
    uint32_t first = off / FS_BLOCK_SIZE;
    uint32_t last = (off + len - 1) / FS_BLOCK_SIZE;
    uint32_t need = (last >= FS_NDIRECT && !m->has_ind);
    for (uint32_t b = first; b <= last; b++)
        need += !m->has[b];
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rnd(256);
    CHECK_EQ(fs_seek(&the_fs, (uint32_t)f + 1, m->h, (int32_t)off, FS_SEEK_SET),
             (int)off);
    int r = fs_write(&the_fs, (uint32_t)f + 1, m->h, buf, len);
    if (need > model_free) {
        CHECK_EQ(r, SVC_ENOSPC);
        return 1;
    }
    CHECK_EQ(r, (int)len);
    memcpy(m->data + off, buf, len);
    if (off + len > m->size)
        m->size = off + len;
    for (uint32_t b = first; b <= last; b++)
        m->has[b] = true;
    m->has_ind |= last >= FS_NDIRECT;
    model_free -= need;
    return 0;
}

static void do_read(int f, uint32_t off, uint32_t len)
{
    struct model *m = &M[f];
    uint32_t want = off >= m->size ? 0 : m->size - off;
    if (want > len)
        want = len;
    CHECK_EQ(fs_seek(&the_fs, (uint32_t)f + 1, m->h, (int32_t)off, FS_SEEK_SET),
             (int)off);
    memset(buf, 0xee, len);
    CHECK_EQ(fs_read(&the_fs, (uint32_t)f + 1, m->h, buf, len), (int)want);
    CHECK(memcmp(buf, m->data + off, want) == 0);
}

static void model_empty(struct model *m)
{
    for (uint32_t b = 0; b < REF_BLOCKS; b++)
        model_free += m->has[b];
    model_free += m->has_ind;
    memset(m->data, 0, sizeof m->data);
    memset(m->has, 0, sizeof m->has);
    m->has_ind = false;
    m->size = 0;
}

static void do_reopen(int f, uint32_t flags)
{
    struct model *m = &M[f];
    CHECK_EQ(fs_close(&the_fs, (uint32_t)f + 1, m->h), 0);
    if (flags == 0) {          /* unlink, then create again */
        CHECK_EQ(fs_unlink(&the_fs, name_of(f)), 0);
        flags = FS_O_CREATE;
    }
    m->h = fs_open(&the_fs, (uint32_t)f + 1, name_of(f), FS_O_RDWR | flags);
    CHECK(m->h >= 0);
    if (flags & (FS_O_TRUNC | FS_O_CREATE))
        model_empty(m);
}

static void do_remount(void)
{
    CHECK_EQ(fs_mount(&the_fs, &disk_dev), 0);
    for (int f = 0; f < NFILES; f++) {
        M[f].h = fs_open(&the_fs, (uint32_t)f + 1, name_of(f), FS_O_RDWR);
        CHECK(M[f].h >= 0);
        do_read(f, 0, REF_MAX);
    }
}

static void check_model(void)
{
    CHECK_EQ(fs_free_blocks(&the_fs), (int)model_free);
    for (int f = 0; f < NFILES; f++) {
        struct fs_stat st;
        CHECK_EQ(fs_stat(&the_fs, name_of(f), &st), 0);
        CHECK_EQ(st.size, M[f].size);
    }
}

static void test_random_writes_match_reference(void)
{
    const char *env = getenv("FS_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed1234u;
    rng = seed ? seed : 1;       /* xorshift needs a non-zero state */
    REQUIRE_EQ(disk_fresh(100), 0);
    model_free = (uint32_t)fs_free_blocks(&the_fs);
    memset(M, 0, sizeof M);
    for (int f = 0; f < NFILES; f++) {
        M[f].h = fs_open(&the_fs, (uint32_t)f + 1, name_of(f),
                         FS_O_RDWR | FS_O_CREATE);
        REQUIRE(M[f].h >= 0);
    }
    int before = check_failures, enospc = 0;
    for (int step = 0; step < STEPS && check_failures == before; step++) {
        int f = (int)rnd(NFILES), op = (int)rnd(100);
        uint32_t len = rnd_len(), off = rnd(REF_MAX - 1);
        if (off + len > REF_MAX)
            len = REF_MAX - off;
        if (op < 50) {
            enospc += do_write(f, off, len);
        } else if (op < 60) {
            if (M[f].size + len <= REF_MAX)
                enospc += do_write(f, M[f].size, len);  /* append */
        } else if (op < 85) {
            do_read(f, rnd(M[f].size + 200), len);
        } else if (op < 90) {
            do_reopen(f, FS_O_TRUNC);
        } else if (op < 93) {
            do_reopen(f, 0);
        } else if (op < 96) {
            do_reopen(f, FS_O_READ);                   /* plain reopen */
        } else {
            do_remount();
        }
        CHECK_EQ(fs_check(&the_fs), 0);
        check_model();
        if (check_failures != before)
            fprintf(stderr, "  seed %#llx: failed at step %d, op %d, file %d\n",
                    (unsigned long long)seed, step, op, f);
    }
    CHECK(enospc > 0);      /* the small disk did fill up sometimes */
    printf("random: %d steps, %d refused with SVC_ENOSPC\n", STEPS, enospc);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_random_writes_match_reference),
};
CHECK_MAIN(tests)
