"""The C wrapper around Google Benchmark (bench/host/gbench.h), through
hostbench's --selftest benchmarks, and hostbench's own command line."""
import subprocess

from hostbench_support import hostbench, run_gbench  # noqa: F401 (fixture)


def by_name(doc, prefix):
    return [b for b in doc["benchmarks"] if b["name"].startswith(prefix)]


def test_paused_time_is_excluded_and_counters_and_label_reach_the_json(hostbench):
    rc, doc = run_gbench(hostbench, "--selftest", "--benchmark_filter=^selftest/pause")
    assert rc == 0
    (run,) = by_name(doc, "selftest/pause/7")
    assert run["iterations"] == 100                 # gb_bench_iterations
    assert run["arg"] == 7                          # gb_arg -> gb_counter
    assert run["paused_us"] == 200
    assert run["label"] == "per_op"                 # gb_label
    assert run["time_unit"] == "ns"
    # each iteration sleeps 200 us with the timer paused: far less is timed
    assert 0 < run["real_time"] < 100_000


def test_an_error_reaches_the_json_and_the_exit_status(hostbench):
    rc, doc = run_gbench(hostbench, "--selftest", "--benchmark_filter=^selftest/error")
    assert rc == 1
    (run,) = by_name(doc, "selftest/error")
    assert run["error_occurred"] is True
    assert "deliberate error" in run["error_message"]


def test_placement_is_recorded_in_the_json_context(hostbench):
    for cpus in ("1", "2"):
        rc, doc = run_gbench(hostbench, f"--cpus={cpus}", "--benchmark_filter=^null/getppid",
                             "--benchmark_min_time=0.001")
        assert rc == 0
        assert doc["context"]["mkb_cpus"] == cpus
        assert "CPU 0" in doc["context"]["mkb_placement"]


def test_unknown_argument_is_a_usage_error(hostbench):
    proc = subprocess.run([hostbench, "--cpus=3"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "--cpus=3" in proc.stderr


def test_help_lists_our_flags_and_the_librarys(hostbench):
    proc = subprocess.run([hostbench, "--help"], capture_output=True, text=True)
    assert "--cpus=2" in proc.stdout and "benchmark_filter" in proc.stdout
