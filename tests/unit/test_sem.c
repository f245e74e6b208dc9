/*
 * test_sem.c - host unit tests of services/sem.c.
 */
#include <stdint.h>

#include "check.h"
#include "sem.h"
#include "svc_err.h"

static struct sem_table T;

static void fresh(void)
{
    sem_init(&T);
}

static void test_wait_takes_initial_units(void)
{
    fresh();
    int id = sem_create(&T, 2);
    REQUIRE(id >= 0);
    CHECK_EQ(sem_wait(&T, id, 1), 0);
    CHECK_EQ(sem_wait(&T, id, 1), 0);
    CHECK_EQ(sem_value(&T, id), 0);
    CHECK_EQ(sem_wait(&T, id, 1), SVC_EWOULDBLOCK);
}

static void test_post_without_waiters_counts(void)
{
    fresh();
    int id = sem_create(&T, 0);
    uint32_t w = 99;
    CHECK_EQ(sem_post(&T, id, &w), 0);
    CHECK_EQ(w, 99);
    CHECK_EQ(sem_post(&T, id, &w), 0);
    CHECK_EQ(sem_value(&T, id), 2);
    CHECK_EQ(sem_trywait(&T, id), 0);
    CHECK_EQ(sem_trywait(&T, id), 0);
    CHECK_EQ(sem_trywait(&T, id), SVC_EAGAIN);
}

static void test_post_wakes_waiters_in_fifo_order(void)
{
    fresh();
    int id = sem_create(&T, 0);
    for (uint32_t w = 10; w < 15; w++)
        CHECK_EQ(sem_wait(&T, id, w), SVC_EWOULDBLOCK);
    for (uint32_t w = 10; w < 15; w++) {
        uint32_t woken = 0;
        CHECK_EQ(sem_post(&T, id, &woken), 1);
        CHECK_EQ(woken, w);
        CHECK_EQ(sem_value(&T, id), 0);   /* the unit went to the waiter */
    }
    uint32_t woken = 0;
    CHECK_EQ(sem_post(&T, id, &woken), 0);
    CHECK_EQ(sem_value(&T, id), 1);
}

static void test_fifo_survives_queue_wraparound(void)
{
    fresh();
    int id = sem_create(&T, 0);
    uint32_t next_in = 0, next_out = 0, woken;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < SEM_QUEUE_MAX - 3; i++)
            CHECK_EQ(sem_wait(&T, id, next_in++), SVC_EWOULDBLOCK);
        for (int i = 0; i < SEM_QUEUE_MAX - 3; i++) {
            CHECK_EQ(sem_post(&T, id, &woken), 1);
            CHECK_EQ(woken, next_out++);
        }
    }
}

static void test_full_queue_is_eagain_and_not_queued(void)
{
    fresh();
    int id = sem_create(&T, 0);
    for (uint32_t w = 0; w < SEM_QUEUE_MAX; w++)
        CHECK_EQ(sem_wait(&T, id, w), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_wait(&T, id, 1000), SVC_EAGAIN);
    uint32_t woken;
    for (uint32_t w = 0; w < SEM_QUEUE_MAX; w++) {
        CHECK_EQ(sem_post(&T, id, &woken), 1);
        CHECK(woken != 1000);
    }
    CHECK_EQ(sem_post(&T, id, &woken), 0);
}

static void test_waiter_queued_twice_is_refused(void)
{
    fresh();
    int id = sem_create(&T, 0);
    CHECK_EQ(sem_wait(&T, id, 7), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_wait(&T, id, 7), SVC_EINVAL);
}

static void test_cancel_removes_waiter_everywhere(void)
{
    fresh();
    int a = sem_create(&T, 0), b = sem_create(&T, 0);
    CHECK_EQ(sem_wait(&T, a, 1), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_wait(&T, a, 2), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_wait(&T, a, 3), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_wait(&T, b, 2), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_cancel(&T, 2), 2);
    CHECK_EQ(sem_cancel(&T, 2), 0);
    uint32_t woken;
    CHECK_EQ(sem_post(&T, a, &woken), 1);
    CHECK_EQ(woken, 1);
    CHECK_EQ(sem_post(&T, a, &woken), 1);
    CHECK_EQ(woken, 3);
    CHECK_EQ(sem_post(&T, a, &woken), 0);
    CHECK_EQ(sem_post(&T, b, &woken), 0);
    CHECK_EQ(sem_value(&T, b), 1);
}

static int only_5_alive(uint32_t owner) { return owner == 5; }

static void test_owned_semaphores_go_with_their_owner(void)
{
    fresh();
    int a = sem_create_for(&T, 0, 4), b = sem_create_for(&T, 0, 4), c = sem_create_for(&T, 1, 5);
    int anon = sem_create(&T, 1);
    CHECK_EQ(sem_wait(&T, b, 77), SVC_EWOULDBLOCK);   /* b has a waiter: it stays */
    CHECK_EQ(sem_owner_gone(&T, 4), 1);
    CHECK_EQ(sem_value(&T, a), SVC_ENOENT);
    CHECK(sem_value(&T, b) >= 0);
    CHECK_EQ(sem_sweep(&T, only_5_alive), 0);          /* b still has its waiter */
    CHECK_EQ(sem_cancel(&T, 77), 1);
    CHECK_EQ(sem_sweep(&T, only_5_alive), 1);          /* now b goes; c is 5's */
    CHECK(sem_value(&T, c) >= 0 && sem_value(&T, anon) >= 0);   /* owner 0: nobody's */
    CHECK_EQ(sem_owner_gone(&T, 0), SVC_EINVAL);
}

static void test_bad_ids_are_enoent(void)
{
    fresh();
    uint32_t w;
    int bad[] = { -1, 0, 1, SEM_MAX - 1, SEM_MAX, 12345, 0x7fffffff };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(sem_wait(&T, bad[i], 1), SVC_ENOENT);
        CHECK_EQ(sem_trywait(&T, bad[i]), SVC_ENOENT);
        CHECK_EQ(sem_post(&T, bad[i], &w), SVC_ENOENT);
        CHECK_EQ(sem_destroy(&T, bad[i]), SVC_ENOENT);
        CHECK_EQ(sem_value(&T, bad[i]), SVC_ENOENT);
    }
}

static void test_destroyed_id_stays_dead_after_slot_reuse(void)
{
    fresh();
    int old = sem_create(&T, 1);
    CHECK_EQ(sem_destroy(&T, old), 0);
    int id = sem_create(&T, 5);
    CHECK(id >= 0);
    CHECK(id != old);
    CHECK_EQ(id % SEM_MAX, old % SEM_MAX);   /* same slot, new generation */
    CHECK_EQ(sem_trywait(&T, old), SVC_ENOENT);
    CHECK_EQ(sem_destroy(&T, old), SVC_ENOENT);
    CHECK_EQ(sem_value(&T, id), 5);
}

static void test_destroy_with_waiters_is_busy(void)
{
    fresh();
    int id = sem_create(&T, 0);
    CHECK_EQ(sem_wait(&T, id, 4), SVC_EWOULDBLOCK);
    CHECK_EQ(sem_destroy(&T, id), SVC_EBUSY);
    CHECK_EQ(sem_cancel(&T, 4), 1);
    CHECK_EQ(sem_destroy(&T, id), 0);
}

static void test_table_full_is_enospc(void)
{
    fresh();
    for (int i = 0; i < SEM_MAX; i++)
        CHECK(sem_create(&T, 0) >= 0);
    CHECK_EQ(sem_create(&T, 0), SVC_ENOSPC);
}

static void test_bad_arguments_are_einval(void)
{
    fresh();
    CHECK_EQ(sem_init(NULL), SVC_EINVAL);
    CHECK_EQ(sem_create(NULL, 0), SVC_EINVAL);
    CHECK_EQ(sem_create(&T, -1), SVC_EINVAL);
    int id = sem_create(&T, 0);
    CHECK_EQ(sem_post(&T, id, NULL), SVC_EINVAL);
    CHECK_EQ(sem_value(&T, id), 0);
    CHECK_EQ(sem_wait(NULL, id, 1), SVC_ENOENT);
    CHECK_EQ(sem_cancel(NULL, 1), SVC_EINVAL);
}

static void test_post_at_max_value_overflows(void)
{
    fresh();
    int id = sem_create(&T, SEM_VALUE_MAX);
    uint32_t w;
    CHECK_EQ(sem_post(&T, id, &w), SVC_EOVERFLOW);
    CHECK_EQ(sem_value(&T, id), SEM_VALUE_MAX);
}

static void test_tables_are_independent(void)
{
    struct sem_table a, b;
    sem_init(&a);
    sem_init(&b);
    int ia = sem_create(&a, 3);
    CHECK_EQ(sem_value(&b, ia), SVC_ENOENT);
    CHECK_EQ(sem_value(&a, ia), 3);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_wait_takes_initial_units),
    CHECK_TEST(test_post_without_waiters_counts),
    CHECK_TEST(test_post_wakes_waiters_in_fifo_order),
    CHECK_TEST(test_fifo_survives_queue_wraparound),
    CHECK_TEST(test_full_queue_is_eagain_and_not_queued),
    CHECK_TEST(test_waiter_queued_twice_is_refused),
    CHECK_TEST(test_cancel_removes_waiter_everywhere),
    CHECK_TEST(test_owned_semaphores_go_with_their_owner),
    CHECK_TEST(test_bad_ids_are_enoent),
    CHECK_TEST(test_destroyed_id_stays_dead_after_slot_reuse),
    CHECK_TEST(test_destroy_with_waiters_is_busy),
    CHECK_TEST(test_table_full_is_enospc),
    CHECK_TEST(test_bad_arguments_are_einval),
    CHECK_TEST(test_post_at_max_value_overflows),
    CHECK_TEST(test_tables_are_independent),
};
CHECK_MAIN(tests)
