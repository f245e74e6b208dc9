"""test_linux_guest.py - Linux as a guest (MODES=linux-guest): Debian's
kernel boots with our init (bench/host/guest_init.c) under the suite's
icount flags, its rows repeat exactly, its data checks can fail, and
bench.py runs it beside our kernels, names what Linux runs on a path
(the profile plugin), and keeps every other result when the kernel is
missing. Needs `make deps` (linux-image-cloud-amd64, cpio) and
`make kernels linux-guest budget profile`."""
import json
import os
import subprocess
import sys

import pytest

from bootlib import QEMU, REPO, SAFETY_NET, Boot

sys.path.insert(0, os.path.join(REPO, "scripts"))
from mkb import linuxguest, qemu  # noqa: E402

BUDGET = 5_000_000_000   # a Linux boot runs about 0.7 G instructions before /init


def kernel():
    try:
        build = os.path.join(REPO, "build")
        return linuxguest.find_kernel(kernel_dir=build)[0], linuxguest.initramfs(build)
    except linuxguest.LinuxGuestError as e:
        pytest.fail(str(e))


def boot(args, system="linux-guest", tmp=None):
    vmlinuz, ramfs = kernel()
    verdict = os.path.join(tmp, "budget.json")
    argv = qemu.command(QEMU, vmlinuz, linuxguest.append(system, args), "icount",
                        memory=linuxguest.MEMORY) + ["-initrd", ramfs] + linuxguest.RTC \
        + qemu.budget_args(BUDGET, verdict)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=SAFETY_NET,
                       cwd=REPO)
    with open(verdict) as f:
        assert not json.load(f)["exceeded"], "the Linux guest passed its instruction budget"
    return Boot("linux-guest", args, p.returncode, p.stdout.decode(errors="replace"))


def results(b):
    return [r for r in b.records if r.get("type") == "result"]


def test_rows_repeat_exactly_and_hold_their_checks(tmp_path):
    args = "run=bench workload=pingpong sizes=8,4096 iters=40 warmup=4"
    a, b = boot(args, tmp=str(tmp_path)), boot(args, tmp=str(tmp_path))
    assert a.status == 33, a.out[-2000:]
    ra = results(a)
    assert {r["variant"] for r in ra} == {"pipe", "unix_socket", "posix_mq", "futex"}
    assert all(r["check"] == "ok" and r["mode"] == "linux-guest" and r["n"] == 40 for r in ra)
    pipe8 = next(r for r in ra if r["variant"] == "pipe" and r["size"] == 8)
    assert 2000 < pipe8["median"] < 100000   # instructions, far above our kernels' few hundred
    key = [(r["variant"], r["size"], r["min"], r["median"], r["max"]) for r in ra]
    assert key == [(r["variant"], r["size"], r["min"], r["median"], r["max"]) for r in results(b)]


def test_a_corrupted_message_fails_its_check(tmp_path):
    b = boot("run=bench workload=pingpong sizes=8 iters=20 warmup=2 corrupt=1", tmp=str(tmp_path))
    assert b.status == 35, b.out[-2000:]   # lib/protocol.h MKB_EXIT_FAILURE
    bad = [r for r in results(b) if r["check"] != "ok"]
    assert {"pipe", "unix_socket", "posix_mq"} <= {r["variant"] for r in bad}
    assert all(r["n"] == 0 for r in bad)   # a failed run keeps no figure
    assert [r["status"] for r in b.records if r.get("type") == "done"] == [len(bad)]


def test_an_unknown_workload_is_one_clear_error(tmp_path):
    b = boot("run=bench workload=kvstore iters=10 warmup=1", tmp=str(tmp_path))
    assert b.status == 35
    errors = [r["msg"] for r in b.records if r.get("type") == "error"]
    assert errors and "unknown workload 'kvstore'" in errors[0]


def bench(tmp, *args):
    return subprocess.run([sys.executable, os.path.join(REPO, "scripts", "bench.py"),
                           "--modes", "mono,linux-guest", "--workloads", "null", "--quick",
                           "--model", "off", "--results-dir", str(tmp), *args],
                          capture_output=True, text=True, timeout=1800, cwd=REPO)


def read_run(tmp):
    run = os.path.join(str(tmp), "latest")
    with open(os.path.join(run, "meta.json")) as f:
        meta = json.load(f)
    with open(os.path.join(run, "results.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    return run, meta, rows


def test_bench_runs_linux_beside_mono_and_says_what_it_runs(tmp_path):
    p = bench(tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    run, meta, rows = read_run(tmp_path)
    lx = [r for r in rows if r.get("mode") == "linux-guest"]
    assert {(r["mitigations"], r["variant"]) for r in lx} == {
        (m, v) for m in ("off", "default") for v in ("getppid", "yield")}
    assert all(r["unit"] == "instructions" and r["kernel"] for r in lx)
    assert meta["linux_guest"]["release"] in lx[0]["kernel"]
    prof = [r["profile"] for r in lx if r["mitigations"] == "off"]
    assert len(prof) == 2 and all(p["kernel"] > 0 and p["functions"] for p in prof)
    n = {r["variant"]: r["n"] for r in lx}
    assert all(p["iterations"] == n["getppid"] - 1 for p in prof)   # the samples' window
    names = [n for p in prof for n, _ in p["functions"]]
    assert any("sys" in n or "entry" in n for n in names), names   # the kernel's own names
    with open(os.path.join(run, "table.txt")) as f:
        assert "Linux as a guest beside our kernels" in f.read()
    out = tmp_path / "report"
    r = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "report.py"), "--run", run,
                        "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=REPO)
    assert r.returncode == 0, r.stderr
    page = (out / "index.html").read_text()
    assert "null system call" in page and "What Linux runs on each path" in page


def test_a_missing_kernel_is_one_line_and_keeps_the_other_results(tmp_path):
    p = bench(tmp_path, "--linux-kernel", "/nonexistent/vmlinuz")
    assert p.returncode == 1
    assert "LINUX_KERNEL=/nonexistent/vmlinuz: no such file" in p.stderr
    _, meta, rows = read_run(tmp_path)
    assert {r["variant"] for r in rows if r.get("mode") == "mono"} == {"syscall", "yield"}
    failed = [f for f in meta["failures"] if f["system"].startswith("linux-guest")]
    assert len(failed) == 2 and all("no such file" in f["reason"] for f in failed)
