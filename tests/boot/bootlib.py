"""bootlib.py - boot-test helpers: boot a built kernel under QEMU (icount)
bounded by a budget of guest instructions (bench/budget/budget.c) and
return its serial output, protocol records and exit status. A boot over
its budget fails the test as a hang, on any host; the wall-clock limit is
only a safety net, and hitting it fails the test as "host too slow".
(A uniquely named module, so it never clashes with other tests' helpers.)"""
import json
import os
import subprocess
import sys
import tempfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
from mkb import protocol, qemu  # noqa: E402

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
# 10 x the longest healthy self-test boot: micro-mach run=test fsshape=fs+blk
# executes 1.03 G instructions (mono 0.95 G, micro-sel4 0.76 G).
BOOT_BUDGET = 10_000_000_000
SAFETY_NET = 600
# The micro kernel's IPC strategies, one build each (build/micro-<ipc>/).
IPCS = ("sel4", "l4", "mach", "qnx", "minix", "rc4000")
MICRO_BUILDS = tuple(f"micro-{i}" for i in IPCS)


# make test CPUS=2 (or 4): every boot test boots the SMP kernels on that
# many CPUs (tests/boot/test_smp.py boots them on 2 and 4 whatever it says).
CPUS = int(os.environ.get("MKB_CPUS", "1") or 1)


def build_of(mode):
    """The build directory of mode: "micro" is the default strategy's."""
    return "micro-sel4" if mode == "micro" else mode


def kernel_of(mode, cpus):
    """The kernel a boot of mode on cpus CPUs runs: above one, the SMP build."""
    return os.path.join(REPO, "build", build_of(mode) + ("-smp" if cpus > 1 else ""), "kernel.elf")


def mode_of(build):
    """The kernel mode of a build name ("micro-l4" -> "micro")."""
    return build.split("-")[0]


class Boot:
    def __init__(self, mode, args, status, out):
        self.mode, self.args, self.status, self.out = mode, args, status, out
        prefix = protocol.load().prefix
        self.records = [json.loads(l[len(prefix):]) for l in out.splitlines() if l.startswith(prefix)]

    def tests(self):
        return {r["name"]: r for r in self.records if r.get("type") == "test"}


def boot(mode, args, budget=BOOT_BUDGET, tmp=None, cpus=None):
    cpus = cpus or CPUS
    kernel = kernel_of(mode, cpus)
    if not os.path.exists(kernel):
        pytest.fail(f"{kernel} missing: run `make` first")
    if not os.path.exists(qemu.BUDGET_PLUGIN):
        pytest.fail(f"{qemu.BUDGET_PLUGIN} missing: run `make budget` first")
    fd, verdict = tempfile.mkstemp(prefix="mkb-budget-", dir=tmp)
    os.close(fd)
    argv = qemu.command(QEMU, kernel, args, "icount", cpus=cpus) + qemu.budget_args(budget, verdict)
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=SAFETY_NET)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"{mode} kernel: the host was too slow to run {budget:,} instructions in "
                    f"{SAFETY_NET} s (not a guest hang); serial output:\n{out[-3000:]}")
    finally:
        v = qemu.read_budget(verdict)
        os.unlink(verdict)
    out = p.stdout.decode("utf-8", "replace")
    if v and v["exceeded"]:
        pytest.fail(f"{mode} kernel hung: it passed its budget of {budget:,} guest "
                    f"instructions; serial output:\n{out[-3000:]}")
    b = Boot(mode, args, p.returncode, out)
    b.executed = v and v["executed"]
    return b


class Hog:
    """Busy loops on every CPU while it is open: a host whose cores are all
    taken by unrelated work."""

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                      for _ in range(os.cpu_count() or 1)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()
