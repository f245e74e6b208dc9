"""The system-call fuzzer (tests/guest/fuzz.c) through its harness,
scripts/fuzz.py, on both real kernels: a short budget here; `make fuzz`
runs the long one."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import REPO  # noqa: E402

FUZZ = os.path.join(REPO, "scripts", "fuzz.py")


def fuzz(tmp_path, *args):
    p = subprocess.run([sys.executable, FUZZ, "--results-dir", str(tmp_path), *args],
                       capture_output=True, text=True, timeout=600, cwd=REPO)
    runs = [d for d in os.listdir(tmp_path)] if os.path.isdir(tmp_path) else []
    summary = json.load(open(os.path.join(tmp_path, runs[0], "summary.json"))) if runs else None
    return p, summary


@pytest.mark.parametrize("mode, ipc", [("mono", "sel4")] + [("micro", i) for i in
                                                            ("sel4", "l4", "mach", "qnx", "minix",
                                                             "rc4000")])
def test_fuzzer_leaves_the_kernel_working(tmp_path, mode, ipc):
    """Every kernel, each IPC strategy's too, survives the fuzzer."""
    p, s = fuzz(tmp_path, "--modes", mode, "--ipc", ipc, "--calls", "150000", "--seed", "11")
    assert p.returncode == 0, p.stdout + p.stderr
    m = s["modes"][0]
    assert m["ok"] and m["problems"] == [] and m["calls"] >= 149000, m
    assert m["calls_per_second"] > 0 and "sanity held after every chunk" in p.stdout


@pytest.mark.parametrize("mode, ipc", [("mono", "sel4"), ("micro", "sel4"), ("micro", "mach"),
                                       ("micro", "rc4000")])
def test_fuzzed_trees_cannot_deny_service_to_another(tmp_path, mode, ipc):
    """Issue 18: two trees fuzz at once, each under its own limits, while the
    driver's tree checks its service every few yields (sanity 0 throughout)."""
    p, s = fuzz(tmp_path, "--modes", mode, "--ipc", ipc, "--calls", "12000", "--chunk", "2000",
                "--trees", "2", "--seed", "3", "--accel", "icount")
    assert p.returncode == 0, p.stdout + p.stderr
    m = s["modes"][0]
    assert m["ok"] and m["problems"] == [] and m["calls"] > 6000, m
    log = os.path.join(tmp_path, os.listdir(tmp_path)[0], "logs", f"fuzz-{mode}"
                       + (f"-{ipc}" if mode == "micro" else "") + ".log")
    chunks = [line for line in open(log, errors="replace") if '"type":"fuzz"' in line]
    assert chunks and all('"trees":2' in c and '"sanity":0' in c for c in chunks), chunks


def test_fuzz_calls_are_a_function_of_seed_and_index(tmp_path):
    def chunks(sub, seed):
        p, s = fuzz(tmp_path / sub, "--modes", "micro", "--calls", "12000", "--seed", seed,
                    "--accel", "icount", "--chunk", "3000")
        assert p.returncode == 0, p.stderr
        log = os.path.join(tmp_path / sub, os.listdir(tmp_path / sub)[0], "logs",
                           "fuzz-micro-sel4.log")
        return [line for line in open(log, errors="replace") if '"type":"fuzz"' in line]
    assert chunks("a", "5") == chunks("b", "5")   # icount: the same run, line for line
    assert chunks("a2", "5") != chunks("c", "6")


def test_a_panic_names_the_calls_in_flight_and_how_to_replay_them(tmp_path):
    p, s = fuzz(tmp_path, "--modes", "mono", "--calls", "8000", "--seed", "3", "--append",
                "kfault=1")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "kernel panic" in p.stderr and "calls in flight 0..3999 of seed 3" in p.stderr
    assert "replay: make fuzz MODES=mono SEED=3 FIRST=0 CALLS=4000" in p.stderr
    assert s["modes"][0]["ok"] is False


def test_make_fuzz_rejects_bad_values():
    for var, word in (("CALLS=0", "--calls"), ("MODES=linux", "names no kernel")):
        p = subprocess.run(["make", "-s", "-C", REPO, "fuzz", var], capture_output=True,
                           text=True, timeout=120)
        assert p.returncode != 0 and word in p.stderr, (var, p.stderr)
