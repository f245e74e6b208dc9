"""test_determinism.py - two icount runs of the real kernels give identical numbers.

Under -icount shift=0,sleep=off every guest instruction advances rdtsc by
one and idle time is skipped, so two runs of the same kernels must agree
exactly: every statistic and every event count of every result. Runs
bench.py itself (as a user would) against build/mono/ and every
build/micro-<ipc>/kernel.elf (each IPC strategy) and real QEMU; skipped
only when those are missing.
"""
import json
import os
import shutil

import pytest

from harness_support import REPO, run_script

SYSTEMS = ("mono",) + tuple(f"micro-{i}" for i in ("sel4", "l4", "mach", "qnx", "minix", "rc4000"))
KERNELS = [os.path.join(REPO, "build", m, "kernel.elf") for m in SYSTEMS]
STATS = ("min", "median", "mean", "stddev", "p99", "max")
QEMU = "qemu-system-x86_64"


def key(r):
    return (r["mode"], r.get("ipc"), r.get("handoff"), r["workload"], r["variant"], r["size"],
            r["what"], r.get("shape"))


def measured(r):
    """Everything in a result that a deterministic run must repeat."""
    return {**{s: r.get(s) for s in STATS}, "n": r["n"], "events": r.get("events")}


def bench_once(results_dir):
    p = run_script("bench.py", "--modes", "mono,micro", "--workloads", "null,pingpong",
                   "--accel", "icount", "--quick", "--timeout", "25",
                   "--kernel-dir", os.path.join(REPO, "build"),
                   "--results-dir", str(results_dir), timeout=120)
    assert p.returncode == 0, f"bench.py failed:\n{p.stdout}\n{p.stderr}"
    with open(os.path.join(results_dir, "latest", "results.jsonl")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    assert all(x["type"] == "result" for x in lines), lines
    out = {}
    for r in lines:
        assert key(r) not in out, f"duplicate result {key(r)}"
        assert all(s in r for s in STATS), f"result lacks a statistic: {r}"
        out[key(r)] = measured(r)
    return out


@pytest.mark.skipif(not all(os.path.isfile(k) for k in KERNELS),
                    reason="kernels not built (build/mono/, build/micro-<ipc>/kernel.elf); "
                           "run `make kernels`")
@pytest.mark.skipif(shutil.which(QEMU) is None, reason=f"{QEMU} not installed")
def test_two_icount_runs_are_identical(tmp_path):
    first = bench_once(tmp_path / "a")
    second = bench_once(tmp_path / "b")
    systems = {(m, i) for m, i, *_ in first}
    assert systems == {("mono", "mono")} | {("micro", y.split("-")[1]) for y in SYSTEMS[1:]}
    assert {k[3] for k in first} == {"null", "pingpong"}
    assert {k[2] for k in first} == {None, "off", "on"}   # mach with and without handoff
    assert set(first) == set(second), "the two runs produced different result sets"
    differ = {k: (first[k], second[k]) for k in first if first[k] != second[k]}
    assert not differ, "icount runs differ:\n" + "\n".join(
        f"{k}: {a} != {b}" for k, (a, b) in sorted(differ.items(), key=str))
