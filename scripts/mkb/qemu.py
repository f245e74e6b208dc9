"""qemu.py - build a QEMU command line for one guest boot and run it.

One boot: the kernel image with its command line, isa-debug-exit (the
guest's exit code, lib/protocol.h), the serial console on stdout, no
display. The serial console and QEMU's own stderr go to one log file;
qemu_messages() picks QEMU's own lines back out of it (why it aborted).

Under icount a boot is bounded by a budget of guest instructions, not by
wall time: the budget plugin (bench/budget/budget.c, loaded by
budget_args()) stops QEMU once the guest has executed more than the
budget, before its next port write, so "the guest hung" (it passed its
budget) is the same verdict on every host, and such a boot's log holds
exactly what the guest printed within its budget. The wall-clock limit
run() also takes stays as a safety net only, far above the time the
budget needs (safety_net()); hitting it means the host was too slow to
finish the budget, never that the guest hung. Boots under tcg or kvm have
no instruction budget and keep the wall-clock limit as their only bound.

icount runs with sleep=off: with QEMU's default (sleep=on) virtual time
keeps advancing in real time while the guest idles (hlt), so timer
interrupts, and with them the instruction counts, would depend on the
host's speed and load. sleep=off jumps straight to the next timer event,
which makes an icount run repeat exactly.
"""
import json
import os
import signal
import subprocess
import threading
import time

from . import protocol

BUDGET_PLUGIN = os.path.join(protocol.REPO, "build", "budget", "mkbbudget.so")
BUDGET_EXIT = 124    # QEMU's status when the plugin stopped it (bench/budget/budget.c)
# The safety net's assumed slowest host: a boot may take budget / this
# many seconds of wall time before it is given up as "host too slow".
# This machine runs guests at 100-300 million instructions a second under
# icount; the net allows a host 50 to 150 times slower than that.
SLOWEST_IPS = 2_000_000

# The firmware: qboot (QEMU's own minimal BIOS, Debian's qemu-system-data,
# found in QEMU's data directory) instead of SeaBIOS. It loads the kernel
# through the same multiboot option ROM and runs about 0.5 million guest
# instructions before it, where SeaBIOS runs about 6 million and takes
# about 0.05 s longer to start: every boot pays it once, a fault campaign
# about a thousand times. The kernel sets up the local APIC's virtual-wire
# mode itself (kernels/core/boot.S), which SeaBIOS did for it.
FIRMWARE = "qboot.rom"

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


def command(qemu, kernel, append, accel, memory="128M", kvm_cpu="host", reboot=False, cpus=1):
    """The argv that boots kernel with kernel command line append; under
    KVM with the CPU model kvm_cpu; with cpus CPUs (QEMU's -smp: an SMP
    kernel, kernels/core/include/smp.h). A reset (a triple fault, the
    guest's own) ends QEMU unless reboot is set (several trials in one
    process, kernels/core/trial.c)."""
    port = protocol.load().debug_exit_port
    flags = ["-accel", "kvm", "-cpu", kvm_cpu] if accel == "kvm" else ACCEL_FLAGS[accel]
    return [qemu, "-bios", FIRMWARE, "-kernel", kernel, "-append", append, "-m", memory,
            "-nodefaults", "-display", "none", "-serial", "stdio"] + \
        ([] if reboot else ["-no-reboot"]) + \
        ["-monitor", "none", "-device", f"isa-debug-exit,iobase={port:#x},iosize=0x04"] + flags + \
        (["-smp", str(cpus)] if cpus > 1 else [])


def budget_args(budget, out_path, plugin=BUDGET_PLUGIN):
    """QEMU arguments that stop the guest after budget instructions and
    write the plugin's verdict (read_budget()) to out_path."""
    return ["-plugin", f"{plugin},budget={int(budget)},out={out_path}"]


def safety_net(budget, floor=60.0):
    """Wall-clock seconds allowed to a boot whose budget is budget
    instructions: far above what any usable host needs."""
    return max(floor, budget / SLOWEST_IPS)


def read_budget(out_path):
    """The budget plugin's verdict: {"executed", "budget", "exceeded",
    "how"}, or None when QEMU ended without one (killed by the safety net,
    or it never started the plugin)."""
    try:
        with open(out_path, "rb") as f:
            return parse_budget(f.read())
    except OSError:
        return None


def parse_budget(data):
    """read_budget() of the file's bytes."""
    try:
        text = data.decode("utf-8").strip()
        v = json.loads(text) if text else None
    except ValueError:
        return None
    return v if isinstance(v, dict) and {"executed", "budget", "exceeded"} <= set(v) else None


class Outcome:
    """How a process ended: status (exit code, -signal, or None on time-out),
    timed_out (the wall-clock limit: under an instruction budget, the host
    was too slow), seconds of wall time, cpu_seconds (user + system time of
    the process), error (could not start it), and under an instruction
    budget: executed (instructions) and over_budget (the guest passed it)."""

    def __init__(self, status=None, timed_out=False, seconds=0.0, error=None, cpu_seconds=0.0):
        self.status, self.timed_out = status, timed_out
        self.seconds, self.error, self.cpu_seconds = seconds, error, cpu_seconds
        self.executed, self.budget, self.over_budget = None, None, False

    def take_budget(self, verdict):
        """Fold the budget plugin's verdict in (None: no verdict)."""
        if verdict:
            self.executed, self.budget = verdict["executed"], verdict["budget"]
            self.over_budget = bool(verdict["exceeded"])
        return self

    def limit_reached(self):
        """How a limit ended the boot, in words, or None: over its
        instruction budget (the guest hung, on any host), the wall-clock
        safety net under a budget (the host was too slow), or the only
        wall-clock limit (tcg, kvm: a busy host can look like a hang)."""
        if self.over_budget:
            return f"hung: passed its budget of {self.budget:,} guest instructions"
        if self.timed_out and self.budget is not None:
            return (f"host too slow: the wall-clock safety net ended it after "
                    f"{self.seconds:.0f} s, before its budget of {self.budget:,} "
                    "instructions (not a guest hang)")
        if self.timed_out:
            return (f"timed out after {self.seconds:.0f}s (a wall-clock limit: no instruction "
                    "budget outside icount, and a busy host can look like a hang)")
        return None

    def as_dict(self):
        return {"status": self.status, "timed_out": self.timed_out, "seconds": self.seconds,
                "cpu_seconds": self.cpu_seconds, "error": self.error, "executed": self.executed,
                "budget": self.budget, "over_budget": self.over_budget}

    @classmethod
    def from_dict(cls, d):
        o = cls(d["status"], d["timed_out"], d["seconds"], d["error"], d["cpu_seconds"])
        o.executed, o.budget, o.over_budget = d["executed"], d["budget"], d["over_budget"]
        return o


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


def qemu_warnings(log_path, qemu):
    """QEMU's own warning lines in a run's log, each once, in order
    ("qemu-system-x86_64: warning: host doesn't support requested feature:
    CPUID.07H:EBX.smep [bit 7]")."""
    tag = os.path.basename(qemu) + ":"
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.startswith(tag) and "warning:" in ln]
    except OSError:
        return []
    return list(dict.fromkeys(lines))


# What a guest prints when this CPU or hypervisor cannot run it (under KVM:
# the run stops, the other KVM boots are skipped): the kernel's restart
# storm (kernels/core/proc.c), a fault in the kernel itself
# (kernels/core/trap.c), init killed by a fault.
CANNOT_RUN = (r"^kernel panic: restart storm.*$", r"^kernel fault: .*$",
              r"^mkb: pid 1 \(init\) killed: .*$")


def guest_cannot_run(log_path):
    """The first line of the log that says the guest cannot run on this
    CPU (CANNOT_RUN), or None."""
    import re
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    for pattern in CANNOT_RUN:
        m = re.search(pattern, text, re.M)
        if m:
            return m.group(0).strip()
    return None


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
