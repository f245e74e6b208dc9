"""scripts/host_baseline.py's pure parts on captured inputs: Google
Benchmark JSON -> result rows, and `perf stat -x,` output -> counts."""
import json
import os

import pytest

from hostbench_support import baseline, DATA  # noqa: F401 (fixture)


@pytest.fixture()
def rows(baseline):
    with open(os.path.join(DATA, "gbench_sample.json")) as f:
        doc = json.load(f)
    return {r["name"]: r for r in baseline.convert(doc, 2)}


def test_one_row_per_benchmark_and_aggregates_ignored(rows):
    assert sorted(rows) == ["fileio/read/64/real_time",
                            "null/getppid/iterations:100/real_time",
                            "pingpong/pipe/0/real_time",
                            "shm/sem_ring/4096/real_time"]


def test_statistics_are_over_the_repetitions(rows):
    r = rows["pingpong/pipe/0/real_time"]         # reps 110, 100, 130 ns
    assert (r["n"], r["min"], r["median"], r["p99"]) == (3, 100.0, 110.0, 130.0)
    assert r["mean"] == pytest.approx(113.33, abs=0.01)
    assert r["stddev"] == pytest.approx(15.28, abs=0.01)
    assert "3 Google Benchmark repetitions of 1000 iterations" in r["stat_basis"]


def test_schema_fields_names_and_units(rows):
    r = rows["pingpong/pipe/0/real_time"]
    assert (r["type"], r["workload"], r["mode"], r["variant"], r["size"]) == \
        ("result", "pingpong", "linux", "pipe", 0)
    assert (r["what"], r["unit"], r["cpus"], r["check"]) == ("round_trip", "ns", 2, "ok")
    assert r["wire_bytes"] == 1 and "1-byte token" in r["note"]
    s = rows["shm/sem_ring/4096/real_time"]       # reported in us
    assert (s["what"], s["min"], s["median"], s["p99"]) == ("per_handoff", 1500.0, 2000.0, 2500.0)
    g = rows["null/getppid/iterations:100/real_time"]
    assert (g["workload"], g["variant"], g["size"], g["what"]) == ("null", "getppid", None, "per_op")
    assert "placement does not apply" in g["note"]


def test_a_failed_benchmark_becomes_a_failed_row_not_a_number(rows):
    r = rows["fileio/read/64/real_time"]
    assert r["check"] == "fileio/read/64: read 2 differs at byte 32"
    assert r["n"] == 0


def test_perf_csv_counts_and_not_supported(baseline):
    with open(os.path.join(DATA, "perf_stat_sample.csv")) as f:
        c = baseline.parse_perf_csv(f.read())
    assert c["context-switches"] == 2002
    assert c["task-clock"] == pytest.approx(8.46e6)   # msec -> ns
    assert c["cycles"] is None and c["instructions"] is None


def test_a_count_per_operation_is_never_negative(baseline, monkeypatch):
    """perf_stat's estimate is (count over K - count over 1) / (K - 1): where
    the short run saw one more context switch than the long one, it is 0,
    not a negative count (the results validator refuses those)."""
    def once(args, cpus, flt, iters):
        return {ev: (10.0 if iters == 1 else 9.0 + iters) if ev != "context-switches"
                else (3.0 if iters == 1 else 2.0) for ev in baseline.PERF_EVENTS}
    monkeypatch.setattr(baseline, "perf_stat_once", once)
    row = {"workload": "fileio", "variant": "read", "size": 64, "median": 1000.0}
    per_op, missing = baseline.perf_stat(None, 1, row, 0.001)
    assert per_op["context_switches"] == 0.0 and not missing
    assert per_op["page_faults"] > 0


def test_split_name(baseline):
    assert baseline.split_name("pingpong/posix_mq/8192/real_time") == ("pingpong", "posix_mq", 8192)
    assert baseline.split_name("sem/sysv_sem/iterations:5/real_time") == ("sem", "sysv_sem", None)
