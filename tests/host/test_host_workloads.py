"""Every host workload, run briefly for both CPU placements through
scripts/host_baseline.py --quick, gives valid results; a corrupted message
fails its benchmark; missing perf is a note, not a failure."""
import json
import os
import subprocess
import sys

import pytest

from hostbench_support import (baseline, hostbench,  # noqa: F401 (fixtures)
                                REPO, SCRIPT, run_gbench)

PY = sys.executable
SIZES = {"pipe": [0, 8, 64, 256, 1024, 4096, 16384, 65536],
         "posix_mq": [0, 8, 64, 256, 1024, 4096, 8192],
         "sem_ring": [64, 1024, 4096, 16384, 65536],
         "read": [64, 512, 4096, 16384, 65536]}
EXPECTED = ({("null", "getppid", None), ("null", "yield", None),
             ("pingpong", "futex", None), ("sem", "sysv_sem", None),
             ("sem", "posix_sem", None)}
            | {("pingpong", v, s) for v in ("pipe", "unix_socket") for s in SIZES["pipe"]}
            | {("pingpong", "posix_mq", s) for s in SIZES["posix_mq"]}
            | {("shm", "sem_ring", s) for s in SIZES["sem_ring"]}
            | {("fileio", v, s) for v in ("read", "write") for s in SIZES["read"]}
            | {("fileio", v, None) for v in ("create", "unlink", "open_close")})
FIELDS = ("type", "workload", "mode", "variant", "size", "what", "unit", "n", "min",
          "median", "mean", "stddev", "p99", "check", "cpus", "stat_basis")


def read_rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def quick_run(hostbench, tmp_path_factory):
    out = tmp_path_factory.mktemp("linux") / "linux.jsonl"
    proc = subprocess.run([PY, SCRIPT, "--quick", "--out", str(out), "--binary", hostbench],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, read_rows(out), proc


def ours(rows):
    return [r for r in rows if not r["variant"].startswith("perf_bench")]


def test_every_workload_reports_for_both_placements(quick_run):
    _, rows, _ = quick_run
    for cpus in (1, 2):
        got = {(r["workload"], r["variant"], r["size"]) for r in ours(rows) if r["cpus"] == cpus}
        assert got == EXPECTED, f"cpus={cpus}"


def test_results_are_valid_schema_rows_with_checks_ok(quick_run):
    _, rows, _ = quick_run
    for r in rows:
        missing = [f for f in FIELDS if f not in r]
        assert not missing, (r.get("name"), missing)
        assert (r["type"], r["mode"], r["unit"], r["check"]) == ("result", "linux", "ns", "ok"), r
        assert r["what"] in ("round_trip", "per_op", "per_handoff")
        assert r["n"] == 3 and 0 < r["min"] <= r["median"] <= r["p99"]
        assert all(isinstance(v, (int, float)) for v in r.get("events", {}).values())


def test_rows_pass_the_harness_validator(quick_run):
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    try:
        from mkb import parse
    except ImportError:
        pytest.skip("harness library scripts/mkb not present")
    finally:
        sys.path.pop(0)
    path, rows, _ = quick_run
    for i, r in enumerate(rows, 1):
        parse.validate(r, i, json.dumps(r), str(path))


def test_raw_google_benchmark_json_is_kept(quick_run):
    path, rows, _ = quick_run
    for cpus in (1, 2):
        raw = path.parent / f"linux-gbench-cpus{cpus}.json"
        with open(raw) as f:
            doc = json.load(f)
        assert doc["context"]["mkb_cpus"] == str(cpus)
        names = {b["run_name"] for b in doc["benchmarks"]}
        assert names == {r["name"] for r in ours(rows) if r["cpus"] == cpus}


def test_perf_counts_or_a_note_on_every_row(quick_run, baseline):
    _, rows, _ = quick_run
    perf_missing = baseline.perf_probe("perf")
    for r in ours(rows):
        if perf_missing:
            assert "perf" in r["note"]
            continue
        assert r["perf"]["iters"] >= 500
        if r["variant"] == "pipe" and r["cpus"] == 1:
            # a ping-pong on one CPU switches twice per round trip
            assert 1.8 <= r["perf"]["context_switches"] <= 2.5, r


def test_perf_bench_sched_pipe_recorded_beside_our_pipe(quick_run, baseline):
    _, rows, _ = quick_run
    if baseline.perf_probe("perf"):
        pytest.skip("perf not usable here")
    ref = {r["cpus"]: r for r in rows if r["variant"] == "perf_bench_sched_pipe"}
    assert sorted(ref) == [1, 2]
    for r in ref.values():
        assert r["size"] == 4 and r["median"] > 0 and "pipe/8" in r["compare"]["name"]
    # same placement (both on CPU 0): the two figures agree within a factor 2
    assert 0.5 <= ref[1]["compare"]["ratio_ours_to_perf"] <= 2.0


@pytest.mark.parametrize("cpus", [1, 2])
def test_a_corrupted_message_fails_every_benchmark(hostbench, cpus):
    rc, doc = run_gbench(hostbench, f"--cpus={cpus}", "--mkb-corrupt",
                         "--benchmark_min_time=0.001")
    assert rc == 1
    runs = doc["benchmarks"]
    assert len(runs) == len(EXPECTED)
    silent = [b["name"] for b in runs if not b.get("error_occurred")]
    assert not silent, f"corruption not detected in {silent}"


def test_missing_perf_is_a_note_not_a_failure(hostbench, tmp_path):
    out = tmp_path / "np.jsonl"
    proc = subprocess.run([PY, SCRIPT, "--quick", "--out", str(out), "--binary", hostbench,
                           "--cpus=1", "--filter=^null/getppid", "--perf=/nonexistent/perf"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "NOTE: perf not found" in proc.stderr
    (row,) = read_rows(out)
    assert row["check"] == "ok" and "perf not found" in row["note"] and "perf" not in row


def test_missing_binary_is_a_clear_error(tmp_path):
    proc = subprocess.run([PY, SCRIPT, "--out", str(tmp_path / "x.jsonl"),
                           "--binary", str(tmp_path / "nope")], capture_output=True, text=True)
    assert proc.returncode != 0 and "make host-bench" in proc.stderr
