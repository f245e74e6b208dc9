/*
 * test_shm.c - host unit tests of services/shm.c, with a counting fake
 * page allocator that can be told to run dry.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "shm.h"
#include "svc_err.h"

#define POOL 512

/* Fake pager: hands out 1..POOL, tracks which are out, can fail. */
struct pool {
    uint8_t out[POOL + 1];
    int nout;
    int limit;            /* alloc fails once nout reaches this */
    int bad_frees;        /* frees of pages not handed out */
};

static uintptr_t pool_alloc(void *ctx)
{
    struct pool *p = ctx;
    if (p->nout >= p->limit)
        return 0;
    for (uintptr_t i = 1; i <= POOL; i++) {
        if (!p->out[i]) {
            p->out[i] = 1;
            p->nout++;
            return i;
        }
    }
    return 0;
}

static void pool_free(void *ctx, uintptr_t page)
{
    struct pool *p = ctx;
    if (page == 0 || page > POOL || !p->out[page]) {
        p->bad_frees++;
        return;
    }
    p->out[page] = 0;
    p->nout--;
}

static struct pool P;
static struct shm_table T;

static void fresh(int limit)
{
    memset(&P, 0, sizeof P);
    P.limit = limit;
    struct shm_pager pager = { &P, pool_alloc, pool_free };
    shm_init(&T, &pager);
}

static void test_create_attach_gives_page_list(void)
{
    fresh(POOL);
    int id = shm_create(&T, 42, 3 * SHM_PAGE_SIZE + 1, 7);
    REQUIRE(id >= 0);
    CHECK_EQ(P.nout, 4);
    CHECK_EQ(shm_lookup(&T, 42), id);
    uintptr_t pages[SHM_MAX_PAGES];
    CHECK_EQ(shm_attach(&T, id, 7, pages), 4);
    uintptr_t other[SHM_MAX_PAGES];
    CHECK_EQ(shm_attach(&T, id, 8, other), 4);
    CHECK(memcmp(pages, other, 4 * sizeof pages[0]) == 0);
    for (int i = 0; i < 4; i++)
        CHECK(pages[i] >= 1 && pages[i] <= POOL && P.out[pages[i]]);
    struct shm_info info;
    CHECK_EQ(shm_info(&T, id, &info), 0);
    CHECK_EQ(info.key, 42);
    CHECK_EQ(info.size, 3 * SHM_PAGE_SIZE + 1);
    CHECK_EQ(info.npages, 4);
    CHECK_EQ(info.owner, 7);
    CHECK_EQ(info.nattach, 2);
}

static void test_max_size_segment(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    int id = shm_create(&T, 1, SHM_MAX_SIZE, 1);
    REQUIRE(id >= 0);
    CHECK_EQ(shm_attach(&T, id, 1, pages), SHM_MAX_PAGES);
    CHECK_EQ(P.nout, SHM_MAX_PAGES);
}

static void test_bad_sizes_are_einval(void)
{
    fresh(POOL);
    CHECK_EQ(shm_create(&T, 1, 0, 1), SVC_EINVAL);
    CHECK_EQ(shm_create(&T, 1, SHM_MAX_SIZE + 1, 1), SVC_EINVAL);
    CHECK_EQ(shm_create(&T, 1, (size_t)-1, 1), SVC_EINVAL);
    CHECK_EQ(shm_create(&T, 1, (size_t)1 << 32, 1), SVC_EINVAL);
    CHECK_EQ(P.nout, 0);
}

static void test_duplicate_key_is_eexist(void)
{
    fresh(POOL);
    CHECK(shm_create(&T, 5, 100, 1) >= 0);
    CHECK_EQ(shm_create(&T, 5, 100, 2), SVC_EEXIST);
    CHECK_EQ(P.nout, 1);
}

static void test_missing_segment_is_enoent(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    struct shm_info info;
    CHECK_EQ(shm_lookup(&T, 9), SVC_ENOENT);
    int bad[] = { -1, 0, 3, SHM_MAX, 99999 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(shm_attach(&T, bad[i], 1, pages), SVC_ENOENT);
        CHECK_EQ(shm_detach(&T, bad[i], 1), SVC_ENOENT);
        CHECK_EQ(shm_destroy(&T, bad[i], 1), SVC_ENOENT);
        CHECK_EQ(shm_info(&T, bad[i], &info), SVC_ENOENT);
    }
}

static void test_destroy_unattached_frees_pages(void)
{
    fresh(POOL);
    int id = shm_create(&T, 5, 2 * SHM_PAGE_SIZE, 1);
    CHECK_EQ(P.nout, 2);
    CHECK_EQ(shm_destroy(&T, id, 1), 0);
    CHECK_EQ(P.nout, 0);
    CHECK_EQ(P.bad_frees, 0);
    CHECK_EQ(shm_lookup(&T, 5), SVC_ENOENT);
    CHECK_EQ(shm_destroy(&T, id, 1), SVC_ENOENT);
}

static void test_destroy_waits_for_last_detach(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    int id = shm_create(&T, 5, SHM_PAGE_SIZE, 1);
    CHECK_EQ(shm_attach(&T, id, 1, pages), 1);
    CHECK_EQ(shm_attach(&T, id, 2, pages), 1);
    CHECK_EQ(shm_destroy(&T, id, 1), 1);
    CHECK_EQ(P.nout, 1);                       /* still mapped by 1 and 2 */
    CHECK_EQ(shm_lookup(&T, 5), SVC_ENOENT);   /* but the key is gone */
    CHECK_EQ(shm_attach(&T, id, 3, pages), SVC_ENOENT);
    CHECK_EQ(shm_destroy(&T, id, 1), SVC_ENOENT);
    int id2 = shm_create(&T, 5, SHM_PAGE_SIZE, 9);   /* key reusable */
    CHECK(id2 >= 0 && id2 != id);
    CHECK_EQ(shm_detach(&T, id, 1), 0);
    CHECK_EQ(P.nout, 2);
    CHECK_EQ(shm_detach(&T, id, 2), 1);
    CHECK_EQ(P.nout, 1);
    CHECK_EQ(P.bad_frees, 0);
    CHECK_EQ(shm_detach(&T, id, 2), SVC_ENOENT);
    CHECK_EQ(shm_lookup(&T, 5), id2);
}

static void test_only_owner_may_destroy(void)
{
    fresh(POOL);
    int id = shm_create(&T, 5, 10, 1);
    CHECK_EQ(shm_destroy(&T, id, 2), SVC_EPERM);
    CHECK_EQ(shm_lookup(&T, 5), id);
    CHECK_EQ(shm_destroy(&T, id, 1), 0);
}

static void test_attach_errors(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    int id = shm_create(&T, 5, 10, 1);
    CHECK_EQ(shm_attach(&T, id, 1, NULL), SVC_EINVAL);
    CHECK_EQ(shm_attach(&T, id, 1, pages), 1);
    CHECK_EQ(shm_attach(&T, id, 1, pages), SVC_EEXIST);
    for (uint32_t c = 2; c <= SHM_MAX_ATTACH; c++)
        CHECK_EQ(shm_attach(&T, id, c, pages), 1);
    CHECK_EQ(shm_attach(&T, id, 100, pages), SVC_ENOSPC);
    CHECK_EQ(shm_detach(&T, id, 100), SVC_EINVAL);
    CHECK_EQ(shm_detach(&T, id, 3), 0);
    CHECK_EQ(shm_attach(&T, id, 100, pages), 1);
}

static void test_detach_all_on_client_death(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    int a = shm_create(&T, 1, 10, 1), b = shm_create(&T, 2, 10, 1);
    shm_attach(&T, a, 7, pages);
    shm_attach(&T, b, 7, pages);
    shm_attach(&T, b, 8, pages);
    CHECK_EQ(shm_destroy(&T, a, 1), 1);
    CHECK_EQ(shm_detach_all(&T, 7), 2);
    CHECK_EQ(P.nout, 1);                 /* a freed, b still held by 8 */
    struct shm_info info;
    CHECK_EQ(shm_info(&T, b, &info), 0);
    CHECK_EQ(info.nattach, 1);
    CHECK_EQ(shm_detach_all(&T, 7), 0);
}

static int only_7_alive(uint32_t pid) { return pid == 7; }

static void test_owner_gone_and_sweep(void)
{
    fresh(POOL);
    uintptr_t pages[SHM_MAX_PAGES];
    int a = shm_create(&T, 1, 10, 1), b = shm_create(&T, 2, 10, 7);
    shm_attach(&T, a, 7, pages);      /* a: owner 1, used by 7 */
    shm_attach(&T, b, 8, pages);      /* b: owner 7, used by 8 */
    CHECK_EQ(shm_owner_gone(&T, 1), 1);
    CHECK_EQ(shm_lookup(&T, 1), SVC_ENOENT);   /* its key is gone at once */
    CHECK_EQ(P.nout, 2);                       /* a lives until 7 detaches */
    CHECK(shm_sweep(&T, only_7_alive) > 0);    /* 8 and 1 are dead */
    struct shm_info info;
    CHECK_EQ(shm_info(&T, b, &info), 0);
    CHECK_EQ(info.nattach, 0);
    CHECK_EQ(shm_detach(&T, a, 7), 1);         /* the last client: a is freed */
    CHECK_EQ(P.nout, 1);                       /* b is 7's, and 7 lives */
    CHECK_EQ(shm_sweep(NULL, only_7_alive), SVC_EINVAL);
}

static void test_pager_running_dry_is_enomem_without_leak(void)
{
    fresh(5);
    CHECK_EQ(shm_create(&T, 1, 8 * SHM_PAGE_SIZE, 1), SVC_ENOMEM);
    CHECK_EQ(P.nout, 0);
    CHECK_EQ(P.bad_frees, 0);
    CHECK_EQ(shm_lookup(&T, 1), SVC_ENOENT);
    CHECK(shm_create(&T, 1, 5 * SHM_PAGE_SIZE, 1) >= 0);
}

static void test_table_full_is_enospc(void)
{
    fresh(POOL);
    for (uint32_t k = 0; k < SHM_MAX; k++)
        CHECK(shm_create(&T, k, 1, 1) >= 0);
    CHECK_EQ(shm_create(&T, 1000, 1, 1), SVC_ENOSPC);
    CHECK_EQ(P.nout, SHM_MAX);
}

static void test_bad_arguments_are_einval(void)
{
    fresh(POOL);
    struct shm_pager nopager = { NULL, NULL, pool_free };
    struct shm_table t2;
    CHECK_EQ(shm_init(NULL, &nopager), SVC_EINVAL);
    CHECK_EQ(shm_init(&t2, NULL), SVC_EINVAL);
    CHECK_EQ(shm_init(&t2, &nopager), SVC_EINVAL);
    CHECK_EQ(shm_create(NULL, 1, 10, 1), SVC_EINVAL);
    CHECK_EQ(shm_lookup(NULL, 1), SVC_ENOENT);
    CHECK_EQ(shm_detach_all(NULL, 1), SVC_EINVAL);
    int id = shm_create(&T, 1, 10, 1);
    CHECK_EQ(shm_info(&T, id, NULL), SVC_EINVAL);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_create_attach_gives_page_list),
    CHECK_TEST(test_max_size_segment),
    CHECK_TEST(test_bad_sizes_are_einval),
    CHECK_TEST(test_duplicate_key_is_eexist),
    CHECK_TEST(test_missing_segment_is_enoent),
    CHECK_TEST(test_destroy_unattached_frees_pages),
    CHECK_TEST(test_destroy_waits_for_last_detach),
    CHECK_TEST(test_only_owner_may_destroy),
    CHECK_TEST(test_attach_errors),
    CHECK_TEST(test_detach_all_on_client_death),
    CHECK_TEST(test_owner_gone_and_sweep),
    CHECK_TEST(test_pager_running_dry_is_enomem_without_leak),
    CHECK_TEST(test_table_full_is_enospc),
    CHECK_TEST(test_bad_arguments_are_einval),
};
CHECK_MAIN(tests)
