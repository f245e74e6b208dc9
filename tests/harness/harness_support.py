"""harness_support.py - helpers for the harness tests: fake kernels, a bench.py runner.

A fake kernel is a JSON file read by fake_qemu.py, which plays the guest;
bench.py runs for real as a subprocess, exactly as a user would run it.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(REPO, "scripts")
FAKE_QEMU = os.path.join(HERE, "fake_qemu.py")
FAKE_HOST = os.path.join(HERE, "fake_host_baseline.py")
sys.path.insert(0, SCRIPTS)


def write_kernels(root, mono=None, micro=None, ipcs=("sel4",)):
    """Create root/build/<system>/kernel.elf specs (mono, micro-<ipc> for
    each of ipcs); mono/micro map workload->behaviour."""
    build = os.path.join(root, "build")
    systems = [("mono", "mono", None, mono)] + [(f"micro-{i}", "micro", i, micro) for i in ipcs]
    for system, mode, ipc, do in systems:
        os.makedirs(os.path.join(build, system), exist_ok=True)
        with open(os.path.join(build, system, "kernel.elf"), "w") as f:
            json.dump({"mode": mode, "ipc": ipc, "do": do or {}}, f)
    return build


def run_script(name, *args, timeout=60):
    """Run scripts/<name> with the test interpreter; return CompletedProcess."""
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, name), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


class Bench:
    """bench.py against fake kernels under tmp_path."""

    def __init__(self, root):
        self.root = str(root)
        self.results = os.path.join(self.root, "results")

    def kernels(self, mono=None, micro=None, ipcs=("sel4",)):
        self.build = write_kernels(self.root, mono, micro, ipcs)
        return self

    def run(self, *args, modes="mono,micro", workloads="null,pingpong", timeout=20, ipc="sel4"):
        base = ["--qemu", FAKE_QEMU, "--kernel-dir", self.build, "--results-dir",
                self.results, "--accel", "icount", "--quick", "--timeout", str(timeout),
                "--modes", modes, "--workloads", workloads, "--ipc", ipc,
                "--host-baseline", os.path.join(self.root, "no_host_baseline.py")]
        return run_script("bench.py", *base, *args)

    def latest(self):
        return os.path.realpath(os.path.join(self.results, "latest"))

    def lines(self):
        with open(os.path.join(self.latest(), "results.jsonl")) as f:
            return [json.loads(line) for line in f]

    def meta(self):
        with open(os.path.join(self.latest(), "meta.json")) as f:
            return json.load(f)
