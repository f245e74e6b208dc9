"""test_harness_mk.py - scripts/harness.mk targets through make itself.

A stand-in top-level makefile defines what the real one does (BUILD,
PYTHON, CC, a host-bench target) and includes scripts/harness.mk.
"""
import os
import re
import subprocess
import sys

from harness_support import FAKE_HOST, FAKE_QEMU, REPO, write_kernels


def make(tmp_path, *args, mono=None):
    build = write_kernels(str(tmp_path), mono=mono)
    top = tmp_path / "top.mk"
    top.write_text(f"BUILD := {build}\nPYTHON := {sys.executable}\nCC := gcc\n"
                   f"BUDGET_SO := {REPO}/build/budget/mkbbudget.so\n"
                   "include scripts/harness.mk\n.PHONY: host-bench deps\n"
                   "deps:\n\t@echo deps ran\n"
                   "host-bench:\n\t@echo host-bench ran\n")
    return subprocess.run(["make", "-s", "-f", str(top), *args,
                           f"QEMU={FAKE_QEMU}", f"HOST_BASELINE={FAKE_HOST}", "MODEL=off",
                           f"RESULTS={tmp_path}/results",
                           f"REPORT_OUT={tmp_path}/out"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def test_make_bench_runs_matrix_and_report(tmp_path):
    p = make(tmp_path, "bench", "MODES=mono micro", "IPC=sel4", "WORKLOADS=null", "ACCEL=icount", "QUICK=1")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^\[[12]/2\] micro-sel4 null \.\.\. ok", p.stdout, re.M), p.stdout
    assert "host-bench ran" not in p.stdout
    assert os.path.exists(tmp_path / "out" / "index.html")


def test_make_bench_builds_host_bench_for_linux_and_propagates_failure(tmp_path):
    p = make(tmp_path, "bench", "MODES=mono,linux", "WORKLOADS=null", "ACCEL=icount",
             "QUICK=1", mono={"null": "crash"})
    assert "host-bench ran" in p.stdout and "linux all ... ok" in p.stdout
    assert p.returncode != 0 and "mono null (exit 1" in p.stderr
    assert os.path.exists(tmp_path / "out" / "index.html")  # the report is still made


def test_make_bench_stops_on_unknown_value(tmp_path):
    p = make(tmp_path, "bench", "WORKLOADS=null,nope", "ACCEL=icount")
    assert p.returncode != 0
    assert "unknown workload 'nope'" in p.stderr and "host-bench ran" not in p.stdout
    assert not os.path.exists(tmp_path / "results")


def test_make_compare_needs_both_runs(tmp_path):
    p = make(tmp_path, "compare", "A=results/x")
    assert p.returncode != 0 and "compare needs A=<run dir> B=<run dir>" in p.stderr


def test_switches_take_only_their_documented_values(tmp_path):
    for bad in ("QUICK=yes", "QUICK=off"):
        p = make(tmp_path, "bench", "MODES=mono", "WORKLOADS=null", "ACCEL=icount", bad)
        assert p.returncode != 0 and f"{bad}: use QUICK=1, or leave it out" in p.stderr, bad
    assert not os.path.exists(tmp_path / "results")
    p = make(tmp_path, "compare", "A=x", "B=y", "FULL=yes")
    assert p.returncode != 0 and "FULL=yes: use FULL=1" in p.stderr
