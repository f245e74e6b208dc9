"""test_budget.py - the instruction budget plugin (bench/budget/budget.c)
on the real kernels: a boot over its budget is stopped with the same
verdict and the same serial output on an idle host and beside a CPU hog;
a healthy boot's length is exact; bad arguments are refused."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import QEMU, REPO, Hog, build_of  # noqa: E402
from mkb import qemu  # noqa: E402


def run(tmp_path, mode, append, budget, name="v"):
    kernel = os.path.join(REPO, "build", build_of(mode), "kernel.elf")
    out = str(tmp_path / f"{name}.json")
    argv = qemu.command(QEMU, kernel, append, "icount") + qemu.budget_args(budget, out)
    p = subprocess.run(argv, capture_output=True, timeout=300)
    return p, qemu.read_budget(out)


def test_a_boot_over_budget_stops_the_same_way_beside_a_cpu_hog(tmp_path):
    append = "run=bench workload=pingpong sizes=8 iters=200 warmup=10"
    _, healthy = run(tmp_path, "micro", append, 10_000_000_000, "healthy")
    budget = healthy["executed"] * 2 // 3
    p1, v1 = run(tmp_path, "micro", append, budget, "idle")
    with Hog():
        p2, v2 = run(tmp_path, "micro", append, budget, "busy")
    assert p1.returncode == qemu.BUDGET_EXIT == p2.returncode
    assert v1["exceeded"] and v2["exceeded"] and v1["executed"] > budget
    assert p1.stdout == p2.stdout and p1.stdout   # cut at the same byte
    assert b'"type":"done"' not in p1.stdout


def test_a_healthy_boot_is_measured_exactly_and_runs_to_its_end(tmp_path):
    append = "run=bench workload=null iters=50 warmup=5"
    p1, v1 = run(tmp_path, "mono", append, 10_000_000_000, "a")
    p2, v2 = run(tmp_path, "mono", append, v1["executed"], "b")   # exactly enough
    assert p1.returncode == 33 == p2.returncode, p1.stdout[-500:]
    assert v1["executed"] == v2["executed"] and not v1["exceeded"] and not v2["exceeded"]
    assert v1["how"] == "exit"
    p3, v3 = run(tmp_path, "mono", append, v1["executed"] - 1, "c")   # one short
    assert p3.returncode == qemu.BUDGET_EXIT and v3["exceeded"]


def test_trials_in_one_process_are_each_bounded_by_the_budget(tmp_path):
    """trials=3 (kernels/core/trial.c): three boots with resets between
    them; the budget bounds each trial, not the process, and the verdict
    counts each trial from its reset."""
    kernel = os.path.join(REPO, "build", "mono", "kernel.elf")
    append = "run=faults workload=sem ops=50 trials=3"
    out = str(tmp_path / "t.json")
    argv = qemu.command(QEMU, kernel, append, "icount", reboot=True)
    _, one = run(tmp_path, "mono", "run=faults workload=sem ops=50 trials=1", 10**10, "one")
    budget = one["executed"] + 1000   # room for one trial, not for three
    p = subprocess.run(argv + qemu.budget_args(budget, out), capture_output=True, timeout=300)
    v = qemu.read_budget(out)
    assert p.returncode == 33 and not v["exceeded"], (p.returncode, v)
    assert len(v["trials"]) == 3 and sum(v["trials"]) == v["executed"] > budget
    assert all(abs(t - one["executed"]) < 1000 for t in v["trials"]), (v, one)
    assert p.stdout.count(b'"type":"trial_end"') == 3 and b'"index":2,"trials":3' in p.stdout
    assert p.stdout.count(b'"type":"faults"') == 3


def test_a_spin_with_interrupts_off_is_stopped_by_the_watch(tmp_path):
    """Mono: a loop injected into a kernel service spins with interrupts
    off and writes no port; the plugin's watch thread ends it."""
    append = "run=faults workload=sem ops=200 fault=sem:loop:1"
    p, v = run(tmp_path, "mono", append, 40_000_000)
    assert p.returncode == qemu.BUDGET_EXIT and v["exceeded"] and v["how"] == "watch", v
    assert b"fault: sem: loop" in p.stdout


@pytest.mark.parametrize("args", ["budget=0,out=/tmp/x", "budget=12x,out=/tmp/x", "out=/tmp/x",
                                  "budget=5", "budget=5,out=/tmp/x,colour=red"])
def test_bad_plugin_arguments_are_refused(args):
    kernel = os.path.join(REPO, "build", "mono", "kernel.elf")
    argv = qemu.command(QEMU, kernel, "run=test", "icount") + [
        "-plugin", f"{qemu.BUDGET_PLUGIN},{args}"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "mkbbudget:" in p.stderr
