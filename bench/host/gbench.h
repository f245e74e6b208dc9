/*
 * gbench.h - a thin C interface to Google Benchmark (libbenchmark 1.7.1).
 *
 * Linked into: build/host/hostbench (implemented in gbench.cc, the only C++
 * in the project). C code registers benchmark functions and drives the
 * timing loop; Google Benchmark does the iteration-count estimation, the
 * repetitions and the console/JSON output (--benchmark_format=json,
 * --benchmark_out=FILE), which we keep unchanged.
 *
 * Use:
 *   static void bm_foo(gb_state *st, const void *arg) {
 *       int64_t size = gb_arg(st, 0);          // from gb_bench_arg()
 *       ... set up (not timed) ...
 *       while (gb_keep_running(st)) {          // timed; one iteration each
 *           if (bad) { gb_error(st, "..."); break; }
 *       }
 *       ... tear down (not timed) ...
 *   }
 *   gb_init(&argc, argv, NULL);                 // strips --benchmark_* flags
 *   gb_bench *b = gb_register("pingpong/pipe", bm_foo, NULL);
 *   gb_bench_arg(b, 64);                        // name "pingpong/pipe/64"
 *   return gb_run() == 0 ? 0 : 1;               // number of failed runs
 *
 * Every benchmark is timed in real (wall-clock) time, in nanoseconds.
 */
#ifndef MKB_GBENCH_H
#define MKB_GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state; /* a benchmark::State, opaque to C */
typedef struct gb_bench gb_bench; /* a registered benchmark, opaque to C */
typedef void (*gb_fn)(gb_state *st, const void *arg);

/* Parse and remove Google Benchmark's own flags from argv. Call first.
 * On --help, prints usage() (may be NULL) and Google Benchmark's flags,
 * then exits. */
void gb_init(int *argc, char **argv, void (*usage)(void));

/* Record key=value in the "context" object of the JSON output. */
void gb_context(const char *key, const char *value);

/* Benchmarks registered after this call run exactly n iterations per
 * repetition (0: let Google Benchmark estimate, the default). */
void gb_default_iterations(int64_t n);

/* Register fn under name; arg is passed back unchanged on every run.
 * Returns a handle for the gb_bench_* calls below. */
gb_bench *gb_register(const char *name, gb_fn fn, const void *arg);

/* Add one run of b with argument x (appended to the name as "/x"). */
void gb_bench_arg(gb_bench *b, int64_t x);

/* Run exactly n iterations per repetition instead of estimating a count. */
void gb_bench_iterations(gb_bench *b, int64_t n);

/* Run all registered benchmarks that match --benchmark_filter.
 * Returns how many runs reported an error (0 = all fine). */
int gb_run(void);

/* Inside a benchmark function: */

/* True while another timed iteration should run. Starts the timer on the
 * first call and stops it when it returns false. */
int gb_keep_running(gb_state *st);

/* Argument i of this run (see gb_bench_arg). */
int64_t gb_arg(gb_state *st, int i);

/* Stop / restart the timer inside the loop (costly: use sparingly). */
void gb_pause(gb_state *st);
void gb_resume(gb_state *st);

/* Mark this run failed with msg (copied); gb_keep_running then returns
 * false. May be called before, inside or after the loop, once. */
void gb_error(gb_state *st, const char *msg);

/* True once gb_error was called for this run. */
int gb_failed(gb_state *st);

/* Set a user counter; it appears as a field of the run in the JSON. */
void gb_counter(gb_state *st, const char *name, double value);

/* Set the run's label (the "label" field of the JSON). */
void gb_label(gb_state *st, const char *label);

/* Record bytes processed (Google Benchmark reports bytes_per_second). */
void gb_bytes(gb_state *st, int64_t bytes);

/* Iterations completed so far in this run (valid after the loop). */
int64_t gb_iterations(gb_state *st);

#ifdef __cplusplus
}
#endif

#endif
