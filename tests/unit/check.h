/*
 * check.h - a tiny unit-test framework for host tests of portable code.
 *
 * A test file defines test functions `static void test_xxx(void)` that use
 * the macros below, lists them, and ends with CHECK_MAIN:
 *
 *     static const struct check_test tests[] = {
 *         CHECK_TEST(test_create_then_open),
 *         CHECK_TEST(test_long_name_is_refused),
 *     };
 *     CHECK_MAIN(tests)
 *
 * CHECK(cond) and CHECK_EQ(a, b) record a failure (file:line, the
 * expression, for CHECK_EQ both values) and go on; REQUIRE and REQUIRE_EQ
 * also return from the test function, for when going on would crash.
 * main runs every test, prints a line per failed test and
 * "N passed, N failed", and exits 1 if any failed.  Header only; host only.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>

struct check_test {
    const char *name;
    void (*fn)(void);
};

#define CHECK_TEST(fn) { #fn, fn }

/* Failures in the running test; a test passes when this stays 0. */
static int check_failures;
static const char *check_current = "?";

static inline int check_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "%s: %s:%d: CHECK failed: %s\n", check_current, file,
            line, expr);
    check_failures++;
    return 0;
}

static inline int check_fail_eq(const char *file, int line, const char *a,
                                const char *b, long long va, long long vb)
{
    fprintf(stderr, "%s: %s:%d: CHECK failed: %s == %s (%lld vs %lld)\n",
            check_current, file, line, a, b, va, vb);
    check_failures++;
    return 0;
}

#define CHECK(cond) \
    ((cond) ? 1 : check_fail(__FILE__, __LINE__, #cond))

#define CHECK_EQ(a, b)                                                   \
    do {                                                                 \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);  \
        if (check_a_ != check_b_)                                        \
            check_fail_eq(__FILE__, __LINE__, #a, #b, check_a_, check_b_); \
    } while (0)

#define REQUIRE(cond)    \
    do {                 \
        if (!CHECK(cond)) \
            return;      \
    } while (0)

#define REQUIRE_EQ(a, b)                     \
    do {                                     \
        int check_before_ = check_failures;  \
        CHECK_EQ(a, b);                      \
        if (check_failures != check_before_) \
            return;                          \
    } while (0)

static inline int check_run(const struct check_test *tests, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        check_failures = 0;
        check_current = tests[i].name;
        tests[i].fn();
        if (check_failures == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define CHECK_MAIN(tests)                                          \
    int main(void)                                                 \
    {                                                              \
        return check_run(tests, sizeof(tests) / sizeof(tests[0])); \
    }

#endif
