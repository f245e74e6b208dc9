"""linuxguest.py - the Linux guest (MODES=linux-guest): Debian's own kernel
booted under the suite's QEMU flags, its /init the host baseline's
workloads timed as our guests time (bench/host/guest_init.c,
gbench_tsc.c), so that Linux rows are in the guests' unit (instructions
under icount) beside mono and micro.

Two systems, one boot per workload each: "linux-guest" boots with
mitigations=off (our kernels have no Spectre or Meltdown mitigations
either) and "linux-guest+mitigations" with the kernel's defaults; rows say
which ("mitigations": "off" or "default").

The kernel: Debian's linux-image-cloud-amd64 as scripts/deps.sh linux-guest
unpacks it under build/linux-guest/kernel/ (downloaded, not installed),
else the newest /boot/vmlinuz-*-cloud-amd64, or LINUX_KERNEL=.
The initramfs is build/linux-guest/initramfs.cpio (scripts/linux_guest.mk).
The cycle model does not run on this guest: it reads address-space
switches from our kernels' shadow (bench/model/x86.h), which Linux lacks.
"""
import bisect
import glob
import json
import os
import re
import subprocess

from . import protocol
from . import qemu as qemu_cmd

PACKAGE = "linux-image-cloud-amd64"
SYSTEMS = ("linux-guest", "linux-guest+mitigations")
MODE = "linux-guest"
MITIGATIONS = {"linux-guest": "off", "linux-guest+mitigations": "default"}
WORKLOADS = ("null", "pingpong", "shm", "sem", "fileio")
MEMORY = "256M"
INITRAMFS = os.path.join("linux-guest", "initramfs.cpio")   # under the build directory
# The kernel's command line before our init's arguments. quiet: the
# console's boot messages cost instructions and log space; cryptomgr.notests:
# the crypto self-tests cost about 0.74 G instructions of each boot
# (initcall_debug: crypto_algapi_init), nothing a workload uses; nokaslr:
# the kernel's code where its symbols say (the profile's functions).
BASE_ARGS = "console=ttyS0 quiet cryptomgr.notests nokaslr"
# The profile plugin (bench/profile/profile.c) runs on this system's boots:
# where Linux's instructions go on each path, by kernel function.
PROFILED = "linux-guest"
TOP_FUNCTIONS = 12
# The real-time clock starts at a fixed date and follows the virtual clock:
# the kernel reads it at boot, and with the host's date there a boot would
# not repeat exactly.
RTC = ["-rtc", "base=2026-01-01T00:00:00,clock=vm"]


class LinuxGuestError(Exception):
    """No kernel to boot, or no initramfs: one line saying what to do."""


def _version_key(path):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", os.path.basename(path))]


def unpacked(kernel_dir):
    """Where scripts/deps.sh linux-guest unpacks Debian's kernel package."""
    return os.path.join(kernel_dir, "linux-guest", "kernel")


def find_kernel(explicit=None, kernel_dir="build"):
    """(path, release) of the kernel to boot: explicit if given, else the
    newest Debian cloud kernel unpacked under the build directory, else
    under /boot."""
    if explicit:
        if not os.path.isfile(explicit):
            raise LinuxGuestError(f"LINUX_KERNEL={explicit}: no such file")
        path = explicit
    else:
        found = sorted(glob.glob(os.path.join(unpacked(kernel_dir), "boot", "vmlinuz-*")),
                       key=_version_key) or \
            sorted(glob.glob("/boot/vmlinuz-*-cloud-amd64"), key=_version_key)
        if not found:
            raise LinuxGuestError(f"no Linux kernel to boot: Debian's {PACKAGE} is not unpacked "
                                  f"under {unpacked(kernel_dir)} (scripts/deps.sh linux-guest, "
                                  "which make bench runs with MODES=...,linux-guest; or "
                                  "LINUX_KERNEL=<vmlinuz>)")
        path = found[-1]
    release = os.path.basename(path)[len("vmlinuz-"):] if os.path.basename(path).startswith(
        "vmlinuz-") else os.path.basename(path)
    return path, release


def package_version(release, kernel_dir="build"):
    """The Debian version of the package that holds the kernel, or None:
    from deps.sh's package.txt beside the unpacked kernel, else dpkg's."""
    try:
        with open(os.path.join(unpacked(kernel_dir), "package.txt"), encoding="utf-8") as f:
            name, version = f.read().split()
        if name == f"linux-image-{release}":
            return version
    except (OSError, ValueError):
        pass
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", f"linux-image-{release}"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def initramfs(kernel_dir):
    """The initramfs path, or LinuxGuestError if it was not built."""
    path = os.path.join(kernel_dir, INITRAMFS)
    if not os.path.isfile(path):
        raise LinuxGuestError(f"the Linux guest's initramfs is not built: {path} (make linux-guest)")
    return path


def append(system, guest_cmdline):
    """The kernel command line of a boot of system running guest_cmdline
    (matrix.cmdline's words, which the kernel hands to /init after "--")."""
    mit = " mitigations=off" if MITIGATIONS[system] == "off" else ""
    return f"{BASE_ARGS}{mit} -- {guest_cmdline}"


def describe(kernel_dir, explicit=None):
    """What meta.json records of the Linux guest: the kernel, its package,
    the initramfs and each system's command line (without a workload's
    arguments); or {"error": why}."""
    try:
        path, release = find_kernel(explicit, kernel_dir)
        ramfs = initramfs(kernel_dir)
    except LinuxGuestError as e:
        return {"error": str(e)}
    return {"kernel": path, "release": release, "package": PACKAGE,
            "package_version": package_version(release, kernel_dir), "initramfs": ramfs,
            "memory": MEMORY, "rtc": RTC[1],
            "cmdlines": {s: append(s, "<workload arguments>") for s in SYSTEMS}}


def symbols_path(kernel_dir, release):
    return os.path.join(kernel_dir, "linux-guest", f"kallsyms-{release}.txt")


def symbols(kernel_dir, qemu, kernel, release, timeout=600):
    """The kernel's code symbols [(address, name)] sorted, read once per
    kernel from /proc/kallsyms in a boot of our init (run=kallsyms; Debian's
    /boot/System.map is a stub) and kept in the build directory. Raises
    LinuxGuestError when that boot fails."""
    path = symbols_path(kernel_dir, release)
    if not os.path.isfile(path):
        ramfs = initramfs(kernel_dir)
        argv = qemu_cmd.command(qemu, kernel, f"{BASE_ARGS} -- run=kallsyms", "tcg",
                                memory=MEMORY) + ["-initrd", ramfs]
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                 errors="replace")
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LinuxGuestError(f"the symbols boot failed: {e}")
        lines = [x for x in out.stdout.splitlines() if x.startswith("K ")]
        if out.returncode != protocol.load().exit_success or not lines:
            raise LinuxGuestError(f"the symbols boot failed (QEMU status {out.returncode}, "
                                  f"{len(lines)} symbols)")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(path + ".tmp", path)
    syms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                syms.append((int(parts[1], 16), parts[2]))
    return sorted(syms)


def profiles(path, syms, n_results):
    """The profile plugin's lines as per-operation figures, one per result
    line of the boot (the first line, the calibration loop, dropped):
    [{"kernel", "user", "iterations", "functions": [[name, instructions], ...]}
    or None]. Instructions are means per iteration of the timed loop (its
    own few instructions and any timer interrupt included); functions: the
    TOP_FUNCTIONS kernel functions that ran most, by instructions."""
    with open(path, encoding="utf-8") as f:
        runs = [json.loads(line) for line in f if line.strip()]
    runs = runs[1:]
    if len(runs) != n_results:
        raise LinuxGuestError(f"the profile has {len(runs)} runs for {n_results} results")
    addrs = [a for a, _ in syms]
    out = []
    for r in runs:
        per = r["samples"] - 1
        if per < 1:
            out.append(None)
            continue
        funcs = {}
        for vaddr, n in r["blocks"]:
            i = bisect.bisect_right(addrs, vaddr) - 1
            name = syms[i][1] if i >= 0 else f"{vaddr:#x}"
            funcs[name] = funcs.get(name, 0) + n
        top = sorted(funcs.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_FUNCTIONS]
        out.append({"kernel": round(r["kernel"] / per, 1),
                    "user": round((r["insns"] - r["kernel"]) / per, 1), "iterations": per,
                    "functions": [[name, round(n / per, 1)] for name, n in top]})
    return out


def boot_files(system, ctx, profile_plugin, log, argv, inputs, outputs, local):
    """Add what a Linux guest's boot needs to a bench.py boot (its argv, the
    engine's inputs and outputs, and the paths of the @in:/@out: tokens):
    the initramfs, the fixed RTC, and on the profiled system under TCG the
    profile plugin with its output beside the log."""
    argv += ["-initrd", "@in:initrd"] + RTC
    inputs["initrd"] = local["@in:initrd"] = ctx["linux"]["initramfs"]
    if system == PROFILED and ctx["accel"] != "kvm":   # plugins run under TCG only
        argv += ["-plugin", "@in:kprof.so,out=@out:kprof"]
        inputs["kprof.so"] = local["@in:kprof.so"] = profile_plugin
        outputs.append("kprof")
        local["@out:kprof"] = os.path.join(ctx["dir"], log[:-4] + ".kprof.jsonl")


def attach_profiles(rows, path, ctx, kernel_dir, qemu):
    """Give each result row of a profiled boot its "profile" (profiles());
    the kernel's symbols are read once a run, kept in ctx. None, or why
    there are no profiles (the rows stand without them)."""
    try:
        if "linux_symbols" not in ctx:   # once a run, a failed symbols boot too
            ctx["linux_symbols"] = None
            ctx["linux_symbols"] = symbols(kernel_dir, qemu, ctx["linux"]["kernel"],
                                           ctx["linux"]["release"])
        if ctx["linux_symbols"] is None:
            raise LinuxGuestError("no kernel symbols (their boot failed before)")
        for r, p in zip(rows, profiles(path, ctx["linux_symbols"], len(rows))):
            if p:
                r["profile"] = p
    except (LinuxGuestError, OSError, ValueError, KeyError) as e:
        return str(e)
    return None
