// gbench.cc - the C interface of gbench.h on top of Google Benchmark 1.7.1.
//
// Linked into: build/host/hostbench. The only C++ file in the project; it
// only forwards calls, so the benchmarks themselves stay in C.
#include "gbench.h"

#include <benchmark/benchmark.h>

// The opaque C types are the C++ objects themselves.
static benchmark::State *S(gb_state *st) {
  return reinterpret_cast<benchmark::State *>(st);
}
static benchmark::internal::Benchmark *B(gb_bench *b) {
  return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

static int error_count;           // gb_error calls, returned by gb_run
static int64_t default_iters;     // see gb_default_iterations
static void (*c_usage)(void);     // our flags, printed before the library's

static void print_help() {
  if (c_usage) c_usage();
  benchmark::PrintDefaultHelp();
}

extern "C" {

void gb_init(int *argc, char **argv, void (*usage)(void)) {
  c_usage = usage;
  benchmark::Initialize(argc, argv, print_help);
}

void gb_context(const char *key, const char *value) {
  benchmark::AddCustomContext(key, value);
}

void gb_default_iterations(int64_t n) { default_iters = n; }

gb_bench *gb_register(const char *name, gb_fn fn, const void *arg) {
  auto *b = benchmark::RegisterBenchmark(
      name, [fn, arg](benchmark::State &st) {
        fn(reinterpret_cast<gb_state *>(&st), arg);
      });
  // IPC waits block, so CPU time says little: estimate and report wall time.
  b->UseRealTime()->Unit(benchmark::kNanosecond);
  if (default_iters > 0) b->Iterations(default_iters);
  return reinterpret_cast<gb_bench *>(b);
}

void gb_bench_arg(gb_bench *b, int64_t x) { B(b)->Arg(x); }

void gb_bench_iterations(gb_bench *b, int64_t n) { B(b)->Iterations(n); }

int gb_run(void) {
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return error_count;
}

int gb_keep_running(gb_state *st) { return S(st)->KeepRunning(); }

int64_t gb_arg(gb_state *st, int i) { return S(st)->range(i); }

void gb_pause(gb_state *st) { S(st)->PauseTiming(); }

void gb_resume(gb_state *st) { S(st)->ResumeTiming(); }

void gb_error(gb_state *st, const char *msg) {
  if (S(st)->error_occurred()) return;  // Google Benchmark allows one
  error_count++;
  S(st)->SkipWithError(msg);
}

int gb_failed(gb_state *st) { return S(st)->error_occurred(); }

void gb_counter(gb_state *st, const char *name, double value) {
  S(st)->counters[name] = value;
}

void gb_label(gb_state *st, const char *label) { S(st)->SetLabel(label); }

void gb_bytes(gb_state *st, int64_t bytes) { S(st)->SetBytesProcessed(bytes); }

int64_t gb_iterations(gb_state *st) { return S(st)->iterations(); }

}  // extern "C"
