"""test_bench.py - bench.py run for real against a fake QEMU guest.

Each test boots fake guests that behave well or badly and checks what the
harness records, prints and returns.
"""
import csv
import json
import os
import re

from harness_support import FAKE_HOST, FAKE_QEMU
from mkb import results


def test_clean_run_writes_results_meta_summary_and_latest(bench):
    p = bench.run()
    assert p.returncode == 0, p.stderr
    # boots are collected as they finish: [k/4], k in any order
    assert re.search(r"^\[[1-4]/4\] mono null \.\.\. ok 2 results", p.stdout, re.M), p.stdout
    assert "micro/mono" in p.stdout
    assert "Units: mono, micro: guest instructions (QEMU icount" in p.stdout
    assert max(len(x) for x in p.stdout.splitlines() if not x.startswith("results:")) <= 120
    assert "[?]" not in p.stdout
    full = open(os.path.join(bench.latest(), "table.txt")).read()
    assert "mono [instructions]" in full and "call_replyrecv_slowpath" in full
    lines = bench.lines()
    # null: syscall, yield; pingpong: 5 quick sizes, micro also its slow path at 8 B
    assert len(lines) == 15 and all(x["unit"] == "instructions" for x in lines)
    assert all(x["accel"] == "icount" and x["run_id"] for x in lines)
    meta = bench.meta()
    assert meta["accel"] == "icount" and meta["failures"] == []
    assert meta["git"]["commit"] and not meta["host_cpu"].startswith("model name")
    cmd = meta["runs"][1]["command"]
    assert cmd[cmd.index("-append") + 1].startswith("run=bench workload=pingpong sizes=0,8,64,")
    assert ["-icount", "shift=0,sleep=off"] == cmd[cmd.index("-icount"):cmd.index("-icount") + 2]
    with open(os.path.join(bench.latest(), "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:len(results.SUMMARY_COLUMNS)] == list(results.SUMMARY_COLUMNS)
    assert len(rows) == 15
    assert os.path.exists(os.path.join(bench.latest(), "logs", "micro-sel4-pingpong.log"))


def test_hanging_guest_passes_its_budget_and_other_results_are_kept(tmp_path, bench):
    bench.kernels(micro={"pingpong": "hang"})
    p = bench.run()
    assert p.returncode == 1
    assert "micro-sel4 pingpong ... FAILED (hung: passed its budget of" in p.stdout
    assert "micro-sel4 pingpong (hung: passed its budget" in p.stderr
    failures = [x for x in bench.lines() if x["type"] == "failure"]
    assert [(f["mode"], f["workload"]) for f in failures] == [("micro", "pingpong")]
    assert bench.meta()["failures"][0]["reason"].startswith("hung: passed its budget")
    kept = [x for x in bench.lines() if x["type"] == "result"]
    assert {(x["mode"], x["workload"]) for x in kept} == {
        ("mono", "null"), ("mono", "pingpong"), ("micro", "null")}
    runs = {(r["mode"], r["workload"]): r for r in bench.meta()["runs"]}
    assert runs[("micro", "pingpong")]["over_budget"] is True
    assert runs[("mono", "null")]["executed"] > 0 and runs[("mono", "null")]["budget"] > 0


def test_a_boot_the_host_cannot_finish_is_a_slow_host_not_a_hang(tmp_path, bench):
    bench.kernels(micro={"pingpong": "slowhost"})
    p = bench.run(timeout=1)
    assert p.returncode == 1
    reason = bench.meta()["failures"][0]["reason"]
    assert reason.startswith("host too slow: the wall-clock safety net ended it"), reason
    assert "not a guest hang" in reason and "hung" not in reason


def test_budgets_come_from_the_reference_run(tmp_path, bench):
    """10 x the same boot's length in the reference; 10 x its longest boot
    for one it lacks."""
    bench.kernels()
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "meta.json").write_text(json.dumps({"matrix": {"iters": 100, "warmup": 10}, "runs": [
        {"mode": "mono", "ipc": None, "workload": "null", "ok": True, "executed": 1000},
        {"mode": "micro", "ipc": "sel4", "workload": "null", "ok": True, "executed": 3000}]}))
    p = bench.run("--reference", str(ref))
    assert p.returncode == 0, p.stderr
    runs = {(r["mode"], r["workload"]): r for r in bench.meta()["runs"]}
    assert runs[("mono", "null")]["budget"] == 10_000
    assert runs[("micro", "null")]["budget"] == 30_000
    assert runs[("mono", "pingpong")]["budget"] == 30_000   # not in the reference
    assert "longest boot" in runs[("mono", "pingpong")]["budget_source"]


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
    os.remove(os.path.join(bench.build, "micro-sel4", "kernel.elf"))
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
    assert len(linux) == 7 and all(x["unit"] == "ns" for x in linux)
    assert {x["cpus"] for x in linux} == {1, 2}
    assert "linux: nanoseconds" in p.stdout and "linux case" in p.stdout
    assert "linux [ns]" in open(os.path.join(bench.latest(), "table.txt")).read()


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


def test_micro_fileio_runs_once_per_shape_with_own_log_and_rows(bench):
    p = bench.run(workloads="null,fileio")
    assert p.returncode == 0, p.stderr
    for line in ("mono fileio ... ok", "micro-sel4 fileio fs ... ok",
                 "micro-sel4 fileio fs+blk ... ok"):
        assert re.search(r"^\[[1-5]/5\] " + re.escape(line), p.stdout, re.M), p.stdout
    logs = sorted(f for f in os.listdir(os.path.join(bench.latest(), "logs")) if f.endswith(".log"))
    assert logs == ["micro-sel4-fileio-fs+blk.log", "micro-sel4-fileio-fs.log", "micro-sel4-null.log",
                    "mono-fileio.log", "mono-null.log"]
    runs = {(r["mode"], r["workload"], r.get("shape")): r for r in bench.meta()["runs"]}
    blk = runs[("micro", "fileio", "fs+blk")]["command"]
    assert blk[blk.index("-append") + 1].endswith(" fsshape=fs+blk")
    mono = runs[("mono", "fileio", None)]["command"]
    assert "fsshape" not in mono[mono.index("-append") + 1]
    fileio = [x for x in bench.lines() if x["workload"] == "fileio"]
    shapes = {}
    for x in fileio:
        shapes.setdefault(x["mode"], []).append(x.get("shape"))
    assert set(shapes["mono"]) == {None}
    assert shapes["micro"].count("fs") == shapes["micro"].count("fs+blk") == len(shapes["mono"])
    keys = [(x["mode"], x["variant"], x["size"], x.get("shape")) for x in fileio]
    assert len(keys) == len(set(keys))  # every row stays distinguishable
    with open(os.path.join(bench.latest(), "summary.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["workload"] == "fileio"]
    assert {r["shape"] for r in rows if r["mode"] == "micro"} == {"fs", "fs+blk"}
    assert {r["shape"] for r in rows if r["mode"] == "mono"} == {""}
    # the full table: the micro column is fs (ratio against mono), fs+blk beside it
    full = open(os.path.join(bench.latest(), "table.txt")).read().splitlines()
    head = next(x for x in full if x.startswith("workload  variant"))
    assert "micro/mono" in head and "micro fs+blk [instructions]" in head
    assert "fs+blk/mono" in head
    row = next(x for x in full
               if x.startswith("fileio") and "seq_read (micro fs)" in x and " 4K " in x)
    # fake costs: mono 8000+2048+50, micro fs 24000+2048+50, fs+blk 4000 more
    assert "10098" in row and "26098" in row and "2.58x" in row and "30098" in row


def test_one_failing_shape_keeps_the_other(bench):
    bench.kernels(micro={"fileio fs+blk": "crash"})
    p = bench.run(modes="micro", workloads="fileio")
    assert p.returncode == 1
    assert "micro-sel4 fileio fs ... ok" in p.stdout
    assert "micro-sel4 fileio fs+blk ... FAILED (exit 1" in p.stdout
    assert "micro-sel4 fileio fs+blk (exit 1" in p.stderr
    failure = bench.meta()["failures"][0]
    assert (failure["shape"], failure["log"]) == ("fs+blk", "logs/micro-sel4-fileio-fs+blk.log")
    kept = {x.get("shape") for x in bench.lines() if x["type"] == "result"}
    assert "fs" in kept


def test_headline_table_has_one_row_per_workload(bench):
    p = bench.run("--host-baseline", FAKE_HOST, modes="mono,micro,linux",
                  workloads="null,pingpong,shm,sem,fileio")
    assert p.returncode == 0, p.stderr
    assert max(len(x) for x in p.stdout.splitlines() if not x.startswith("results:")) <= 120

    def block(title):
        out = p.stdout.split(title)[1].split("\n\n")[0].splitlines()
        return out[1], {x.split()[0]: x for x in out[3:] if not x.startswith(" ")}
    head, rows = block("Headline: one case per workload")
    assert list(rows) == ["null", "pingpong", "sem", "shm", "fileio"]
    assert "micro/mono" in head and "micro fs+blk" in head and "linux case" in head
    assert "syscall" in rows["null"] and "getppid" in rows["null"]
    assert "pipe / call_replyrecv 8" in rows["pingpong"] and "pipe 8" in rows["pingpong"]
    assert "handoff 4K" in rows["shm"] and "sem_ring 4K" in rows["shm"]
    assert "seq_read 4K" in rows["fileio"] and "read 4K" in rows["fileio"]
    assert "sem" in rows and "posix_sem" in rows["sem"]
    head, rows = block("Kernel events per operation of those cases")
    assert head.split() == ["workload", "case", "mono", "micro", "micro", "fs+blk"]
    assert " 2/0/0/4096 " in rows["fileio"] and " 4/2/2/8192 " in rows["fileio"]
    head, rows = block("Per workload: micro/mono")
    assert list(rows) == ["null", "pingpong", "shm", "sem", "fileio"]
    assert "micro fs+blk" in p.stdout.split("Per workload:")[1]  # second fileio line
    # the full headline, every event in its own column, is in table.txt
    full = open(os.path.join(bench.latest(), "table.txt")).read()
    assert "kentries mono" in full.split("Headline:")[1]


def test_a_narrowed_run_prints_what_it_measured(bench):
    """Micro only, one strategy that is not the default: the terminal and
    table.txt still show every result, and say which strategy micro is."""
    bench.kernels(ipcs=("l4",))
    p = bench.run(modes="micro", ipc="l4", workloads="pingpong")
    assert p.returncode == 0, p.stderr
    assert "micro is micro-l4" in p.stdout and "All results (medians; micro is micro-l4)" in p.stdout
    assert "no results" not in p.stdout
    rows = [x for x in bench.lines() if x["type"] == "result"]
    for r in rows:   # every measured case is in the terminal table
        assert f" {r['what']}" in p.stdout
    table = open(os.path.join(bench.latest(), "table.txt")).read()
    assert "no results" not in table and "micro is micro-l4" in table


def test_mono_against_every_strategy_that_ran(bench):
    bench.kernels(ipcs=("l4", "mach"))
    p = bench.run(modes="mono,micro", ipc="l4,mach", workloads="pingpong")
    assert p.returncode == 0, p.stderr
    assert "micro is micro-l4" in p.stdout   # no sel4: the first that ran
    assert "l4/mono" in p.stdout and "mach/mono" in p.stdout
    table = open(os.path.join(bench.latest(), "table.txt")).read()
    assert "Mono against micro-mach (medians)" in table
    p = bench.run("--vs", "mach", modes="mono,micro", ipc="l4,mach", workloads="pingpong")
    assert p.returncode == 0 and "micro is micro-mach" in p.stdout
    p = bench.run("--vs", "qnx", modes="mono,micro", ipc="l4,mach", workloads="pingpong")
    assert p.returncode == 2 and "--vs qnx: not one of the strategies this run boots" in p.stderr


def test_sigterm_stops_every_qemu_and_marks_the_run_incomplete(bench):
    """timeout(1) and a closed terminal send SIGTERM or SIGHUP: handled as
    Ctrl-C, no QEMU left behind."""
    import signal
    import subprocess
    import sys
    import time
    from harness_support import SCRIPTS
    bench.kernels(mono={"pingpong": "slowhost"}, micro={"pingpong": "slowhost"})
    for sig in (signal.SIGTERM, signal.SIGHUP):
        argv = [sys.executable, os.path.join(SCRIPTS, "bench.py"), "--qemu", FAKE_QEMU,
                "--kernel-dir", bench.build, "--results-dir", bench.results, "--accel", "icount",
                "--quick", "--modes", "mono,micro", "--workloads", "pingpong", "--ipc", "sel4",
                "--host-baseline", os.path.join(bench.root, "none.py")]
        before = set(_fakes())
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not set(_fakes()) - before:
            time.sleep(0.2)
        mine = set(_fakes()) - before
        assert mine, "the fake QEMUs never started"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 128 + sig, (proc.returncode, err)
        assert f"stopped by {signal.Signals(sig).name}" in err and "marked incomplete" in err
        time.sleep(0.5)
        assert not mine & set(_fakes()), "QEMU left running"
        assert bench.meta()["complete"] is False


def _fakes():
    """Fake QEMU processes the engine started (pgrep -f)."""
    import subprocess
    p = subprocess.run(["pgrep", "-f", "fake_qemu.py -bios .*mkb-boot-files"], capture_output=True,
                       text=True)
    return p.stdout.split()


def test_host_baseline_is_left_out_without_its_workloads(bench):
    """The Linux host baseline runs the mechanism workloads only: asked for
    none of them it is not run (said so), never a failed run; with nothing
    else to run the command is refused before a run directory exists."""
    bench.kernels(mono={"kvstore": "ok"})
    p = bench.run("--host-baseline", FAKE_HOST, modes="mono,linux", workloads="kvstore")
    assert "the Linux host baseline has none of the workloads kvstore" in p.stderr, p.stderr
    assert not any(f["mode"] == "linux" for f in bench.meta()["failures"])
    assert all(r["mode"] != "linux" for r in bench.lines())
    p = bench.run("--host-baseline", FAKE_HOST, modes="linux", workloads="kvstore")
    assert p.returncode == 2 and "nothing to run" in p.stderr, p.stderr
