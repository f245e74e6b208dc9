"""test_edges.py - the harness at its edges: bad input, broken pipes, KVM
that cannot run the guest, concurrent runs, malformed results files.

Every case must end with a clear message and a meaningful exit status,
never a Python traceback.
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys

import pytest

from harness_support import REPO, SCRIPTS, run_script
from test_harness_mk import make


@pytest.fixture
def kvm(tmp_path, monkeypatch):
    """A stand-in KVM device (scripts/mkb/accel.py MKB_KVM_DEVICE): the fake
    QEMU plays KVM on hosts without /dev/kvm."""
    dev = tmp_path / "kvm"
    dev.write_text("")
    monkeypatch.setenv("MKB_KVM_DEVICE", str(dev))


def test_kvm_that_aborts_stops_the_guest_runs_with_qemus_own_message(bench, kvm):
    bench.kernels(mono={"null": "abort", "pingpong": "abort"},
                  micro={"null": "abort", "pingpong": "abort"})
    p = bench.run("--accel", "kvm")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stdout.count("FAILED") == 1  # the first boot, not four
    assert "error: failed to set MSR 0x10a to 0x69" in p.stdout
    assert "KVM cannot run the guest here" in p.stderr and "3 other guest runs" in p.stderr
    reasons = [f["reason"] for f in bench.meta()["failures"]]
    assert len(reasons) == 4 and reasons[0].startswith("QEMU said: fake_qemu.py: error:")
    assert all(r.startswith("not run: KVM cannot run the guest") for r in reasons[1:])


def test_kvm_that_breaks_the_guest_stops_the_run_and_says_why(bench, kvm):
    """A restart storm (a KVM whose system calls fault at their entry) ends
    the boot at once; the cause is named, the other KVM boots are skipped,
    and QEMU's warning is kept with the run."""
    bench.kernels(mono={"null": "storm", "pingpong": "storm"},
                  micro={"null": "storm", "pingpong": "storm"})
    p = bench.run("--accel", "kvm")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stdout.count("FAILED") == 1, p.stdout
    assert "the guest cannot run on this CPU: kernel panic: restart storm" in p.stdout
    assert "KVM cannot run the guest here (the guest on mono null: kernel panic: restart " \
        "storm" in p.stderr and "3 other guest runs are skipped" in p.stderr
    meta = bench.meta()
    assert meta["qemu_warnings"] == ["fake_qemu.py: warning: host doesn't support requested "
                                     "feature: CPUID.07H:EBX.smep [bit 7]"]
    assert "(QEMU warned: fake_qemu.py: warning: host doesn't support" in p.stdout


def test_kvm_host_cpu_that_aborts_falls_back_to_a_named_model(bench, kvm):
    bench.kernels(mono={"null": "aborthost"}, micro={"null": "aborthost"})
    p = bench.run("--accel", "kvm", workloads="null")
    assert p.returncode == 0, p.stderr
    assert "(-cpu host failed; again with -cpu qemu64" in p.stdout
    meta = bench.meta()
    assert meta["kvm_cpu"].startswith("qemu64") and "-cpu host failed on mono null" in \
        meta["kvm_cpu_fallback"]
    cmds = [r["command"] for r in meta["runs"]]
    assert all(c[c.index("-cpu") + 1].startswith("qemu64") for c in cmds)


def test_a_list_of_accelerators_is_refused(bench, tmp_path):
    p = bench.run("--accel", "icount,tcg")
    assert p.returncode == 2 and "one accelerator per run" in p.stderr
    assert "Traceback" not in p.stderr
    p = make(tmp_path, "bench", "ACCEL=icount,tcg", "WORKLOADS=null")
    assert p.returncode != 0 and "one accelerator per run" in p.stderr


def test_output_into_a_closed_pipe_is_quiet():
    ref = os.path.join(REPO, "results", "reference")
    for script in (f"compare.py {ref} {ref} --all", "bench.py --help",
                   f"report.py --help"):
        p = subprocess.run(f"{sys.executable} {SCRIPTS}/{script} | head -1", shell=True,
                           capture_output=True, text=True, timeout=60)
        assert p.stdout.strip() and p.stderr == "", (script, p.stderr)


def test_scripts_pick_an_interpreter_that_has_matplotlib(tmp_path):
    # a venv sees none of Debian's packages, like a python3 that is not Debian's
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "v")],
                   check=True)
    bare = str(tmp_path / "v" / "bin" / "python3")
    assert subprocess.run([bare, "-c", "import matplotlib"], capture_output=True).returncode
    p = subprocess.run([bare, os.path.join(SCRIPTS, "report.py"), "--help"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "usage: report.py" in p.stdout, p.stderr
    p = subprocess.run(["sh", os.path.join(SCRIPTS, "pick-python"), "no_such_module_mkb"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "apt-get install -y python3 python3-no_such_module_mkb" in p.stderr


def test_a_second_make_bench_in_the_tree_is_refused_while_one_runs(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    with open(build / "bench.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = make(tmp_path, "bench", "WORKLOADS=null", "ACCEL=icount", "MODES=mono")
    assert p.returncode != 0
    assert "another make bench is running in this tree" in p.stderr
    assert not os.path.exists(tmp_path / "results")
    p = make(tmp_path, "bench", "WORKLOADS=null", "ACCEL=icount", "MODES=mono")
    assert p.returncode == 0, p.stderr  # the lock went with its holder


def _run_dir(tmp_path, lines, meta=True):
    run = tmp_path / "run"
    run.mkdir()
    if meta:
        (run / "meta.json").write_text('{"run_id": "run"}\n')
    (run / "results.jsonl").write_text("".join(line + "\n" for line in lines))
    return str(run)


GOOD = json.loads(open(os.path.join(REPO, "results", "reference",
                                    "results.jsonl")).readline())


@pytest.mark.parametrize("change, why", [
    ({"median": float("nan")}, "median"), ({"p99": float("inf")}, "p99"),
    ({"stddev": -1}, "negative: stddev"), ({"min": None}, "min"),
    ({"n": 1.5}, "must be an integer"),
])
def test_bad_statistics_are_errors_with_file_and_line(tmp_path, change, why):
    bad = dict(GOOD, **change)
    run = _run_dir(tmp_path, [json.dumps(GOOD), json.dumps(bad)])
    for script in (["report.py", "--run", run, "--out", str(tmp_path / "out")],
                   ["compare.py", run, run]):
        p = run_script(*script)
        assert p.returncode in (1, 2) and "Traceback" not in p.stderr, p.stderr
        assert f"{run}/results.jsonl:2: result" in p.stderr and why in p.stderr, p.stderr


def test_missing_statistic_field_and_empty_or_missing_files(tmp_path):
    no_median = {k: v for k, v in GOOD.items() if k != "median"}
    run = _run_dir(tmp_path, [json.dumps(no_median)])
    p = run_script("report.py", "--run", run)
    assert p.returncode == 1 and "results.jsonl:1: result lacks field(s) median" in p.stderr
    os.remove(os.path.join(run, "meta.json"))
    p = run_script("compare.py", run, run)
    assert p.returncode == 2 and f"{run}/meta.json: missing" in p.stderr
    shutil.rmtree(run)
    run = _run_dir(tmp_path, [])
    p = run_script("report.py", "--run", run)
    assert p.returncode == 1 and "results.jsonl: no results and no failures" in p.stderr


def test_report_replaces_the_old_one_whole_and_marks_an_incomplete_run(tmp_path):
    ref = os.path.join(REPO, "results", "reference")
    out = tmp_path / "out"
    (out / "fig").mkdir(parents=True)
    (out / "fig" / "stale.png").write_text("from an older report")
    (out / "data").mkdir()
    (out / "data" / "stale.csv").write_text("x\n")
    p = run_script("report.py", "--run", ref, "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert not os.path.exists(out / "fig" / "stale.png")
    assert not os.path.exists(out / "data" / "stale.csv")
    assert "did not finish" not in (out / "index.html").read_text()
    assert [d for d in os.listdir(tmp_path) if d != "out"] == []  # no work dirs left
    run = tmp_path / "partial"
    shutil.copytree(ref, run)
    meta = json.load(open(run / "meta.json"))
    json.dump(dict(meta, complete=False), open(run / "meta.json", "w"))
    p = run_script("report.py", "--run", str(run), "--out", str(out))
    assert p.returncode == 0 and "run incomplete" in p.stdout
    assert "This run did not finish" in (out / "index.html").read_text()


def test_summary_csv_uses_plain_newlines(bench):
    assert bench.run(workloads="null").returncode == 0
    data = open(os.path.join(bench.latest(), "summary.csv"), "rb").read()
    assert b"\n" in data and b"\r" not in data


def test_make_help_lists_every_target():
    phony = set()
    for mk in ("Makefile", "scripts/harness.mk", "bench/host/host.mk", "tests/unit/unit.mk"):
        for line in open(os.path.join(REPO, mk)):
            if line.startswith(".PHONY:"):
                phony |= set(line.split(":", 1)[1].split())
    internal = {"bench-run", "bench-check", "fuzz-run", "faults-run"}
    p = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True)
    listed = {line.split()[1] for line in p.stdout.splitlines()
              if line.startswith("make ") and len(line.split()) > 1}
    assert phony - internal <= listed, sorted(phony - internal - listed)
