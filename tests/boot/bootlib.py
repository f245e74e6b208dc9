"""bootlib.py - boot-test helpers: boot a built kernel under QEMU with a
time-out and return its serial output, protocol records and exit status.
(A uniquely named module, so it never clashes with other tests' helpers.)"""
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
from mkb import protocol, qemu  # noqa: E402

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
BOOT_TIMEOUT = 60
# The micro kernel's IPC strategies, one build each (build/micro-<ipc>/).
IPCS = ("sel4", "l4", "mach", "qnx", "minix", "rc4000")
MICRO_BUILDS = tuple(f"micro-{i}" for i in IPCS)


def build_of(mode):
    """The build directory of mode: "micro" is the default strategy's."""
    return "micro-sel4" if mode == "micro" else mode


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


def boot(mode, args, timeout=BOOT_TIMEOUT):
    kernel = os.path.join(REPO, "build", build_of(mode), "kernel.elf")
    if not os.path.exists(kernel):
        pytest.fail(f"{kernel} missing: run `make` first")
    argv = [QEMU, "-kernel", kernel, "-append", args, "-m", "128M", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel", "tcg", "-icount", "shift=0"] + qemu.TCG_CPU
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"{mode} kernel did not finish within {timeout}s; serial output:\n{out[-3000:]}")
    return Boot(mode, args, p.returncode, p.stdout.decode("utf-8", "replace"))

