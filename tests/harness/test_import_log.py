"""test_import_log.py - scripts/import_log.py: the serial log of boots of
make iso's image on a PC becomes a run directory that make report takes
as CYCLES_RUN. The logs are written here the way such a capture looks:
GRUB's menu (escape sequences, carriage returns), the entry line GRUB
echoes, the kernel's lines, CRLF line ends."""
import json
import os

from harness_support import REPO, run_script
from mkb import protocol, results

PREFIX = protocol.load().prefix
GRUB = "\x1b[H\x1b[J\x1b[1;1H\x1b[H\x1b[J\x1b[1;1H  Booting `{title}'\r\n\r\n\r"


def result(mode, ipc, workload, variant, size, median, shape=None, check="ok"):
    r = {"type": "result", "workload": workload, "mode": mode, "ipc": ipc, "variant": variant,
         "size": size, "what": "round_trip", "unit": "tsc", "n": 100, "warmup": 10,
         "min": median - 10, "median": median, "mean": median + 0.5, "stddev": 3.0,
         "p99": median + 20, "max": median + 40, "overhead": 6,
         "events": {"kentries": 4.0, "switches": 2.0}, "check": check}
    if shape:
        r["shape"] = shape
    return r


def boot(entry, mode, recs, done=True, build="0123456789ab"):
    """One boot's serial output: GRUB, its entry line, the kernel's lines."""
    out = GRUB.format(title=entry) + f"mkb: entry {entry} (mkbench {build})\r\n\r"
    out += PREFIX + json.dumps({"type": "boot", "mode": mode, "free_kib": 123416}) + "\n"
    out += "".join(PREFIX + json.dumps(r) + "\n" for r in recs)
    if done:
        out += PREFIX + '{"type":"done","status":0}\nmkb: init exited with status 0\n'
        out += "mkb: finished (success), you may power off\n"
    return out.replace("\n", "\r\n")


MONO = [result("mono", "mono", "pingpong", "pipe", s, 1000 + s) for s in (0, 64)]
MICRO = [result("micro", "sel4", "fileio", "seq_read", s, 9000 + s, "fs+blk") for s in (64, 4096)]


def write(tmp_path, text, name="run.log"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def test_a_serial_log_becomes_a_run_of_measured_cycles(tmp_path):
    log = write(tmp_path, boot("mono-pingpong", "mono", MONO)
                + boot("micro-sel4-fileio-fs+blk", "micro", MICRO))
    p = run_script("import_log.py", log, "--results-dir", str(tmp_path / "hw"),
                   "--cpu", "Example CPU @ 2.0GHz")
    assert p.returncode == 0, p.stderr
    assert "2 boots, 4 results, 0 failed" in p.stdout and "make report CYCLES_RUN=" in p.stdout
    run = results.load_run(str(tmp_path / "hw" / "latest"))
    got = run.ok_results()
    assert [(r["mode"], r["ipc"], r["variant"], r["size"], r["median"]) for r in got] == [
        ("mono", "mono", "pipe", 0, 1000), ("mono", "mono", "pipe", 64, 1064),
        ("micro", "sel4", "seq_read", 64, 9064), ("micro", "sel4", "seq_read", 4096, 13096)]
    assert all(r["unit"] == "cycles" and r["accel"] == "hardware" and r["run_id"] == run.run_id
               for r in got)
    assert [r.get("shape") for r in got] == [None, None, "fs+blk", "fs+blk"]
    m = run.meta
    assert m["accel"] == "hardware" and m["host_cpu"] == "Example CPU @ 2.0GHz"
    assert m["git"] == {"commit": "0123456789ab", "dirty": False, "builds_in_log": ["0123456789ab"]}
    assert [(r["entry"], r["ok"]) for r in m["runs"]] == [
        ("mono-pingpong", True), ("micro-sel4-fileio-fs+blk", True)]
    assert m["matrix"]["modes"] == ["micro", "mono"] and m["matrix"]["ipc"] == ["sel4"]
    assert os.path.exists(os.path.join(run.path, "summary.csv"))
    with open(os.path.join(run.path, "logs", "run.log"), "rb") as f, open(log, "rb") as g:
        assert f.read() == g.read()   # the log, kept as it came


def test_make_report_takes_it_as_cycles_run(tmp_path):
    """report.py checks CYCLES_RUN has measured cycles before drawing."""
    log = write(tmp_path, boot("mono-pingpong", "mono", MONO))
    assert run_script("import_log.py", log, "--results-dir", str(tmp_path / "hw")).returncode == 0
    reference = os.path.join(REPO, "results", "reference")
    p = run_script("report.py", "--run", reference, "--cycles-run", str(tmp_path / "hw" / "latest"),
                   "--out", str(tmp_path / "out"), "--only", "null")
    assert p.returncode == 0, p.stderr


def test_unfinished_failed_and_repeated_boots(tmp_path):
    """A boot cut short and one with a failed check are failures (their
    results left out); an entry booted twice counts once, the later."""
    first = [dict(r, median=r["median"] + 1) for r in MONO]
    cut = [result("micro", "l4", "pingpong", "call_replyrecv", 0, 500)]
    bad = [result("micro", "qnx", "pingpong", "call_replyrecv", 0, 700, check="pattern mismatch")]
    log = write(tmp_path, boot("mono-pingpong", "mono", first)
                + boot("micro-l4-pingpong", "micro", cut, done=False)
                + boot("micro-qnx-pingpong", "micro", bad, build="0123456789ab-dirty")
                + PREFIX + "{not json\r\n" + boot("mono-pingpong", "mono", MONO))
    p = run_script("import_log.py", log, "--results-dir", str(tmp_path / "hw"))
    assert p.returncode == 1
    assert "micro-l4 pingpong: no done line" in p.stderr
    assert "check failed (call_replyrecv size 0): pattern mismatch" in p.stderr
    run = results.load_run(str(tmp_path / "hw" / "latest"))
    assert [r["median"] for r in run.results] == [1000, 1064]   # the second mono boot
    assert {f["system"] for f in run.failures} == {"micro-l4", "micro-qnx"}
    assert [r.get("superseded", False) for r in run.meta["runs"]] == [True, False, False, False]
    qnx = next(f for f in run.failures if f["system"] == "micro-qnx")
    assert "malformed protocol line 23: invalid JSON" in qnx["reason"]
    assert qnx["log"] == "logs/run.log:18" and not qnx["results_kept"]
    assert run.meta["git"]["commit"] is None   # two builds in one log


def test_a_log_without_boots_is_refused(tmp_path):
    log = write(tmp_path, GRUB.format(title="mono: null") + "mkb: entry mono-null\r\n")
    p = run_script("import_log.py", log, "--results-dir", str(tmp_path / "hw"))
    assert p.returncode == 2 and "no boot in" in p.stderr
    assert not os.path.exists(tmp_path / "hw")
