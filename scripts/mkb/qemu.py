"""qemu.py - build a QEMU command line for one guest boot and run it.

The command line follows /tmp/CONTRACTS.md ("Booting a guest"); the serial
console (and QEMU's own stderr) goes to a log file. A run is bounded by a
time-out after which QEMU's whole process group is killed.

icount runs with sleep=off: with QEMU's default (sleep=on) virtual time
keeps advancing in real time while the guest idles (hlt), so timer
interrupts, and with them the instruction counts, would depend on the
host's speed and load. sleep=off jumps straight to the next timer event,
which makes an icount run repeat exactly.
"""
import os
import signal
import subprocess
import time

from . import protocol

ACCEL_FLAGS = {
    "icount": ["-accel", "tcg", "-icount", "shift=0,sleep=off"],
    "tcg": ["-accel", "tcg"],
    "kvm": ["-accel", "kvm", "-cpu", "host"],
}


def command(qemu, kernel, append, accel, memory="128M"):
    """The argv that boots kernel with kernel command line append."""
    port = protocol.load().debug_exit_port
    return [qemu, "-kernel", kernel, "-append", append, "-m", memory,
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-monitor", "none",
            "-device", f"isa-debug-exit,iobase={port:#x},iosize=0x04",
            ] + ACCEL_FLAGS[accel]


class Outcome:
    """How a process ended: status (exit code, -signal, or None on time-out),
    timed_out, seconds of wall time, error (could not start it)."""

    def __init__(self, status=None, timed_out=False, seconds=0.0, error=None):
        self.status, self.timed_out = status, timed_out
        self.seconds, self.error = seconds, error


def run(argv, log_path, timeout):
    """Run argv with stdout and stderr into log_path; return an Outcome."""
    start = time.monotonic()
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            return Outcome(error=f"cannot run {argv[0]}: {e.strerror}")
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Outcome(timed_out=True, seconds=time.monotonic() - start)
        except KeyboardInterrupt:  # QEMU is in its own session: stop it too
            _kill_group(proc)
            raise
    return Outcome(status=status, seconds=time.monotonic() - start)


def _kill_group(proc):
    """Kill the process group we started for proc, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def version(qemu):
    """First line of `qemu --version`, or a note that it could not run."""
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    lines = out.stdout.strip().splitlines()
    return lines[0] if lines else "unknown"
