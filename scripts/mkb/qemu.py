"""qemu.py - build a QEMU command line for one guest boot and run it.

One boot: the kernel image with its command line, isa-debug-exit (the
guest's exit code, bench/protocol.h), the serial console on stdout, no
display. The serial console and QEMU's own stderr go to one log file;
qemu_messages() picks QEMU's own lines back out of it (why it aborted).
A run is bounded by a time-out after which QEMU's whole process group is
killed.

icount runs with sleep=off: with QEMU's default (sleep=on) virtual time
keeps advancing in real time while the guest idles (hlt), so timer
interrupts, and with them the instruction counts, would depend on the
host's speed and load. sleep=off jumps straight to the next timer event,
which makes an icount run repeat exactly.
"""
import os
import signal
import subprocess
import threading
import time

from . import protocol

# Under TCG the CPU model is qemu64 with the protections the kernel turns
# on when present (kernels/core/cpu.c): SMEP, SMAP, UMIP.
TCG_CPU = ["-cpu", "qemu64,+smep,+smap,+umip"]
ACCEL_FLAGS = {
    "icount": ["-accel", "tcg", "-icount", "shift=0,sleep=off"] + TCG_CPU,
    "tcg": ["-accel", "tcg"] + TCG_CPU,
    "kvm": ["-accel", "kvm", "-cpu", "host"],
}
# Under KVM -cpu host passes the host CPU through (measured cycles are
# that CPU's); some hosts abort on it (a paravirtual KVM refusing an MSR),
# and bench.py then retries once with this named model.
KVM_FALLBACK_CPU = "qemu64,+smep,+smap,+umip"


def command(qemu, kernel, append, accel, memory="128M", kvm_cpu="host"):
    """The argv that boots kernel with kernel command line append; under
    KVM with the CPU model kvm_cpu."""
    port = protocol.load().debug_exit_port
    flags = ["-accel", "kvm", "-cpu", kvm_cpu] if accel == "kvm" else ACCEL_FLAGS[accel]
    return [qemu, "-kernel", kernel, "-append", append, "-m", memory,
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-monitor", "none",
            "-device", f"isa-debug-exit,iobase={port:#x},iosize=0x04",
            ] + flags


class Outcome:
    """How a process ended: status (exit code, -signal, or None on time-out),
    timed_out, seconds of wall time, error (could not start it)."""

    def __init__(self, status=None, timed_out=False, seconds=0.0, error=None):
        self.status, self.timed_out = status, timed_out
        self.seconds, self.error = seconds, error


_live = set()   # processes run() has started and not reaped (boots may run in threads)
_live_lock = threading.Lock()


def kill_all():
    """Kill every process run() is waiting for (an interrupted parallel run)."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run(argv, log_path, timeout, echo=None):
    """Run argv with stdout and stderr into log_path; return an Outcome.

    echo: called with each output line (str) as it arrives, for progress;
    None: the output only goes to the log. Safe to call from several
    threads at once."""
    start = time.monotonic()
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE if echo else log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            return Outcome(error=f"cannot run {argv[0]}: {e.strerror}")
        with _live_lock:
            _live.add(proc)
        copier = None
        if echo:
            copier = threading.Thread(target=_copy_lines, args=(proc.stdout, log, echo),
                                      daemon=True)
            copier.start()
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Outcome(timed_out=True, seconds=time.monotonic() - start)
        except KeyboardInterrupt:  # QEMU is in its own session: stop it too
            _kill_group(proc)
            raise
        finally:
            with _live_lock:
                _live.discard(proc)
            if copier:
                copier.join(timeout=5)
    return Outcome(status=status, seconds=time.monotonic() - start)


def _copy_lines(pipe, log, echo):
    for line in pipe:
        log.write(line)
        log.flush()
        echo(line.decode("utf-8", "replace").rstrip("\n"))


def qemu_messages(log_path, qemu, limit=2):
    """QEMU's own last error lines in a run's log ("qemu-system-x86_64:
    error: failed to set MSR 0x10a to 0x69"), joined by "; ", or "".
    Warnings are left out when there are errors."""
    tag = os.path.basename(qemu) + ":"
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            mine = [ln.strip() for ln in f if ln.startswith(tag)]
    except OSError:
        return ""
    mine = [ln for ln in mine if "terminating on signal" not in ln]
    errors = [ln for ln in mine if "warning:" not in ln]
    return "; ".join((errors or mine)[-limit:])


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
