"""accel.py - pick the QEMU accelerator for --accel auto.

KVM is used only when /dev/kvm is usable AND it runs guest code at close to
native speed. Nested KVM can be about a thousand times slower than native,
which would make "cycles" meaningless, so auto calibrates: a tiny
Multiboot guest (machine code below, no assembler needed) spins a
`dec ecx; jnz` loop N times and exits through isa-debug-exit. The loop
rate under KVM, with QEMU's start-up time subtracted, must reach a quarter
of the host clock (the loop retires about one iteration per cycle).
Otherwise auto picks icount (deterministic instruction counts).
"""
import os
import struct
import tempfile

from . import qemu as q

SMALL_N = 1 << 22   # native: ~2 ms; nested slow KVM: seconds
BIG_N = 1 << 30     # native: ~0.5 s at 2 GHz
FRACTION_OF_NATIVE = 0.25
FALLBACK_RATE = 5e8  # loop iterations/s required when the host MHz is unknown


class CalibrationError(Exception):
    """The calibration guest did not run to its exit code."""


def loop_guest(n):
    """A Multiboot (a.out kludge) image that loops n times, then exits 33."""
    magic, flags, load = 0x1BADB002, 0x00010000, 0x100000
    header = struct.pack("<8I", magic, flags, (-(magic + flags)) & 0xFFFFFFFF,
                         load, load, 0, 0, load + 32)  # entry: right after header
    code = (b"\xb9" + struct.pack("<I", n)  # mov ecx, n
            + b"\x49"                        # 1: dec ecx
            + b"\x75\xfd"                    # jnz 1b
            + b"\xb0\x10"                    # mov al, 0x10 (MKB_EXIT_SUCCESS)
            + b"\xe6\xf4"                    # out 0xf4, al  -> QEMU exits 33
            + b"\xf4"                        # 2: hlt
            + b"\xeb\xfd")                   # jmp 2b
    return header + code


def time_guest(qemu, accel, n, workdir, timeout):
    """Wall seconds for one boot of the n-iteration guest under accel."""
    image = os.path.join(workdir, f"loop-{n}.bin")
    with open(image, "wb") as f:
        f.write(loop_guest(n))
    argv = q.command(qemu, image, "", accel, memory="16M")
    log = os.path.join(workdir, f"loop-{n}.log")
    out = q.run(argv, log, timeout)
    if out.error or out.timed_out or out.status != 33:
        raise CalibrationError(failure_words(out, q.qemu_messages(log, qemu)))
    return out.seconds


def failure_words(out, messages):
    """Why a QEMU run failed, in plain words, with QEMU's own message."""
    if out.error:
        why = out.error
    elif out.timed_out:
        why = f"QEMU did not finish in {out.seconds:.0f} s"
    elif out.status is not None and out.status < 0:
        name = {6: "aborted (SIGABRT)", 9: "was killed (SIGKILL)",
                11: "crashed (SIGSEGV)"}.get(-out.status, f"died of signal {-out.status}")
        why = f"QEMU {name}"
    else:
        why = f"QEMU exited with status {out.status}"
    return why + (f": {messages}" if messages else "")


def host_mhz():
    """The host clock from /proc/cpuinfo in MHz, or None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def kvm_usable():
    """(ok, reason): can this process open the KVM device read-write?
    (/dev/kvm; MKB_KVM_DEVICE names another, for the harness tests, which
    play KVM with a fake QEMU on hosts without it.)"""
    dev = os.environ.get("MKB_KVM_DEVICE", "/dev/kvm")
    try:
        fd = os.open(dev, os.O_RDWR)
    except OSError as e:
        return False, f"{dev} not usable ({e.strerror})"
    os.close(fd)
    return True, f"{dev} usable"


def decide(rate, mhz):
    """(use_kvm, reason) for a measured loop rate (iterations/s)."""
    need = FRACTION_OF_NATIVE * mhz * 1e6 if mhz else FALLBACK_RATE
    basis = f"{FRACTION_OF_NATIVE:g} x host {mhz:.0f} MHz" if mhz else "fixed floor"
    verdict = "native speed" if rate >= need else "too slow (nested or emulated KVM?)"
    return rate >= need, (f"kvm loop rate {rate:.3g}/s vs required {need:.3g}/s "
                          f"({basis}): {verdict}")


def calibrate(qemu, timeout=60):
    """Measure KVM's loop rate; return (use_kvm, reason)."""
    with tempfile.TemporaryDirectory(prefix="mkb-cal-") as tmp:
        try:
            base = time_guest(qemu, "kvm", 1, tmp, timeout)
            small = time_guest(qemu, "kvm", SMALL_N, tmp, timeout)
            if small - base > 0.5:  # far below native: skip the long run
                return decide(SMALL_N / (small - base), host_mhz())
            big = time_guest(qemu, "kvm", BIG_N, tmp, timeout)
        except CalibrationError as e:
            return False, f"KVM cannot run a guest here: {e}"
    return decide(BIG_N / max(big - base, 1e-6), host_mhz())


def choose(requested, qemu):
    """Resolve --accel to (accel, reason). Only "auto" calibrates."""
    if requested != "auto":
        return requested, "requested"
    ok, why = kvm_usable()
    if not ok:
        return "icount", f"auto: {why}; using icount"
    use_kvm, why = calibrate(qemu)
    return ("kvm" if use_kvm else "icount"), f"auto: {why}; using {'kvm' if use_kvm else 'icount'}"
