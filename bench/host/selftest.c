/*
 * selftest.c - benchmarks that exercise the gbench.h wrapper itself
 * (registered only with --selftest; run by tests/host).
 *
 * Linked into: build/host/hostbench.
 *
 * selftest/pause: each iteration sleeps PAUSE_US with the timer paused and
 *   then does almost nothing, so its reported time must be far below
 *   PAUSE_US; it also sets a counter and a label.
 * selftest/error: fails deliberately on iteration 3; the run must show
 *   error_occurred in the JSON and hostbench must exit non-zero.
 */
#include <time.h>

#include "host.h"

#define PAUSE_US 200

static void bm_pause(gb_state *st, const void *arg)
{
    struct timespec ts = {.tv_nsec = PAUSE_US * 1000};
    volatile uint64_t sink = 0;

    (void)arg;
    gb_label(st, "per_op");
    gb_counter(st, "paused_us", PAUSE_US);
    gb_counter(st, "arg", (double)gb_arg(st, 0));
    while (gb_keep_running(st)) {
        gb_pause(st);
        nanosleep(&ts, NULL);
        gb_resume(st);
        sink = sink + 1;
    }
}

static void bm_error(gb_state *st, const void *arg)
{
    int64_t i = 0;

    (void)arg;
    while (gb_keep_running(st))
        if (++i == 3)
            gb_error(st, "selftest: deliberate error at iteration 3");
}

/* Register selftest/pause/<7> (fixed iterations) and selftest/error. */
void selftest_register(void)
{
    gb_bench *b = gb_register("selftest/pause", bm_pause, NULL);

    gb_bench_arg(b, 7);
    gb_bench_iterations(b, 100);
    gb_bench_iterations(gb_register("selftest/error", bm_error, NULL), 10);
}
