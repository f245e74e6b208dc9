"""test_bench.py - bench.py run for real against a fake QEMU guest.

Each test boots fake guests that behave well or badly and checks what the
harness records, prints and returns.
"""
import csv
import os

from harness_support import FAKE_HOST
from mkb import results


def test_clean_run_writes_results_meta_summary_and_latest(bench):
    p = bench.run()
    assert p.returncode == 0, p.stderr
    assert "[1/4] mono null ... ok 1 results" in p.stdout
    assert "micro/mono" in p.stdout and "mono [instructions]" in p.stdout
    lines = bench.lines()
    assert len(lines) == 10 and all(x["unit"] == "instructions" for x in lines)
    assert all(x["accel"] == "icount" and x["run_id"] for x in lines)
    meta = bench.meta()
    assert meta["accel"] == "icount" and meta["failures"] == []
    assert meta["git"]["commit"] and not meta["host_cpu"].startswith("model name")
    cmd = meta["runs"][1]["command"]
    assert cmd[cmd.index("-append") + 1].startswith("run=bench workload=pingpong sizes=0,64,")
    assert ["-icount", "shift=0,sleep=off"] == cmd[cmd.index("-icount"):cmd.index("-icount") + 2]
    with open(os.path.join(bench.latest(), "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:len(results.SUMMARY_COLUMNS)] == list(results.SUMMARY_COLUMNS)
    assert len(rows) == 10
    assert os.path.exists(os.path.join(bench.latest(), "logs", "micro-pingpong.log"))


def test_hanging_guest_is_timed_out_and_other_results_are_kept(tmp_path, bench):
    bench.kernels(micro={"pingpong": "hang"})
    p = bench.run(timeout=1)
    assert p.returncode == 1
    assert "micro pingpong ... FAILED (timed out after 1s" in p.stdout
    assert "micro pingpong (timed out" in p.stderr
    failures = [x for x in bench.lines() if x["type"] == "failure"]
    assert [(f["mode"], f["workload"]) for f in failures] == [("micro", "pingpong")]
    assert bench.meta()["failures"][0]["reason"].startswith("timed out")
    kept = [x for x in bench.lines() if x["type"] == "result"]
    assert {(x["mode"], x["workload"]) for x in kept} == {
        ("mono", "null"), ("mono", "pingpong"), ("micro", "null")}


def test_malformed_line_is_a_clear_failure_not_a_traceback(bench):
    bench.kernels(mono={"null": "malformed"})
    p = bench.run()
    assert p.returncode == 1
    assert "Traceback" not in p.stdout + p.stderr
    reason = bench.meta()["failures"][0]["reason"]
    assert reason.startswith("malformed protocol line 3: invalid JSON")
    assert '{"type":"result","workload":"null",' in reason


def test_crash_and_panic_exit_codes_are_reported(bench):
    bench.kernels(mono={"null": "crash"}, micro={"null": "panic"})
    p = bench.run(workloads="null")
    assert p.returncode == 1
    reasons = {f["mode"]: f["reason"] for f in bench.meta()["failures"]}
    assert reasons["mono"].startswith("exit 1 (crash")
    assert reasons["micro"].startswith("exit 37 (kernel panic)")


def test_failed_check_no_results_and_guest_error_are_failures(bench):
    bench.kernels(mono={"null": "checkfail", "pingpong": "noresults"}, micro={"null": "error"})
    p = bench.run()
    assert p.returncode == 1
    reasons = {(f["mode"], f["workload"]): f["reason"] for f in bench.meta()["failures"]}
    assert "check failed (syscall size None): data mismatch" in reasons[("mono", "null")]
    assert "no results" in reasons[("mono", "pingpong")]
    assert "guest error: unknown workload: null" in reasons[("micro", "null")]
    assert ("micro", "pingpong") not in reasons


def test_missing_kernel_is_a_failure(bench):
    os.remove(os.path.join(bench.build, "micro", "kernel.elf"))
    p = bench.run(workloads="null")
    assert p.returncode == 1 and "kernel not built" in p.stderr


def test_unknown_workload_mode_accel_are_rejected(bench):
    for args, word in ((("--workloads", "null,bogus"), "workload 'bogus'"),
                       (("--modes", "mono,nano"), "mode 'nano'"),
                       (("--accel", "hvf"), "accelerator 'hvf'")):
        p = bench.run(*args)
        assert p.returncode == 2, args
        assert word in p.stderr and "valid:" in p.stderr
        assert "Traceback" not in p.stderr
    assert not os.path.exists(bench.results)


def test_runs_never_overwrite_each_other(tmp_path, bench):
    first, first_dir = results.new_run_dir(str(tmp_path / "r"), now=1e9)
    open(os.path.join(first_dir, "meta.json"), "w").write("keep")
    second, _ = results.new_run_dir(str(tmp_path / "r"), now=1e9)
    assert second == first + "-2"
    assert open(os.path.join(first_dir, "meta.json")).read() == "keep"
    assert bench.run(workloads="null").returncode == 0
    assert bench.run(workloads="null").returncode == 0
    runs = [d for d in os.listdir(bench.results) if d != "latest"]
    assert len(runs) == 2 and os.path.basename(bench.latest()) == max(runs)


def test_linux_mode_appends_host_rows(bench):
    p = bench.run("--host-baseline", FAKE_HOST, modes="mono,linux", workloads="null,pingpong")
    assert p.returncode == 0, p.stderr
    linux = [x for x in bench.lines() if x.get("mode") == "linux"]
    assert len(linux) == 3 and all(x["unit"] == "ns" for x in linux)
    assert "linux [ns]" in p.stdout


def test_missing_host_baseline_is_recorded(bench):
    p = bench.run(modes="mono,linux", workloads="null")
    assert p.returncode == 1
    assert bench.meta()["failures"][0]["reason"].startswith("host baseline not built")


def test_auto_accel_records_its_decision(bench):
    p = bench.run("--accel", "auto", workloads="null")
    meta = bench.meta()
    assert meta["accel"] == "icount" and meta["accel_requested"] == "auto"
    assert meta["accel_reason"].startswith("auto: ")
    assert p.returncode == 0
