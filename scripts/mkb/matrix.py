"""matrix.py - the run matrix: valid modes and workloads, default sizes.

Sizes are data: one table per workload, a full sweep and a --quick one.
One QEMU boot runs one (mode, workload) with all its sizes; a workload with
shapes (the micro file server: fs alone, or fs calling a block server)
gets one boot per shape, told by fsshape=<shape> on the command line.
"""

MODES = ("mono", "micro", "linux", "linux-guest")
GUEST_MODES = ("mono", "micro")
# Debian's Linux kernel booted as a guest under the same flags
# (scripts/mkb/linuxguest.py): with mitigations=off, and with its defaults.
LINUX_GUEST = "linux-guest"
MITIGATIONS_SUFFIX = "+mitigations"
LINUX_GUESTS = (LINUX_GUEST, LINUX_GUEST + MITIGATIONS_SUFFIX)
# The micro kernel's IPC strategies (kernels/micro/ipc/<ipc>.c), one build
# each: build/micro-<ipc>/. The first is the default, the one "micro"
# means in the mono-against-micro comparisons.
IPCS = ("sel4", "l4", "mach", "qnx", "minix", "rc4000")
DEFAULT_IPC = IPCS[0]
MECHANISMS = ("null", "pingpong", "shm", "sem", "fileio")
# The application workloads (bench/apps/app.h): written once against
# user/os.h; "apps" names all three on the command line.
APPS = ("kvstore", "build", "mix")
WORKLOADS = MECHANISMS + APPS
ALIASES = {"apps": APPS}
# Several CPUs (CPUS=2,4: the SMP kernels, build/<system>-smp/, under
# QEMU's -smp): every workload runs there too, all its processes on CPU 0
# (what SMP readiness costs), and the multicore workloads run only there
# (bench/wl_smp.c: round trips, hand-offs, pairs; bench/wl_clients.c: k
# clients on k CPUs sharing the file and semaphore services). A system on N > 1 CPUs is named "<system>@N"; its
# rows carry "cpus" (rows without it ran on one CPU, the uniprocessor
# kernel). Not part of the default run: named in WORKLOADS.
MULTICORE = ("smp", "clients")
VALID_WORKLOADS = WORKLOADS + MULTICORE
CPUS = (1, 2, 4)   # the SMP kernel starts 4 CPUs at most (kernels/core/include/smp.h: NCPU)
CPUS_SEP = "@"

SIZES = {
    "pingpong": [0, 8, 64, 256, 1024, 4096, 16384, 65536],
    "fileio": [64, 512, 4096, 16384, 65536],
    "shm": [64, 1024, 4096, 16384, 65536],
    "null": [],
    "sem": [],
    # value bytes; source files; concurrent users
    "kvstore": [100, 1024],
    "build": [8, 32, 128],
    "mix": [1, 2, 4, 8],
    "smp": [8, 4096],
    "clients": [1, 2, 4],   # clients, one per CPU (a boot on fewer CPUs skips the larger counts)
}
# The applications in a run that did not name them (the default run): one
# size each, so that the whole default run keeps its time goal; naming
# them (WORKLOADS=apps, or an app by name) runs SIZES' sweep.
APP_ONE_SIZE = {"kvstore": [100], "build": [32], "mix": [2]}
QUICK_SIZES = {
    "pingpong": [0, 8, 64, 4096, 65536],
    "fileio": [64, 4096, 65536],
    "shm": [64, 4096, 65536],
    "null": [],
    "sem": [],
    "kvstore": [100],
    "build": [8],
    "mix": [2],
    "smp": [8],
    "clients": [1, 2],
}
# (mode, workload) -> its shapes, one boot each; the first is the primary
# one that micro/mono ratios use (fs: one hop, like mono's one system call).
# The clients workload's shapes are the micro services' placement: one file
# and one semaphore server on CPU 0 that every client calls ("shared"), or
# a replica of each pinned to every CPU ("percpu"; kernels/micro/mode.c,
# servers=), told by servers=<shape>.
SHAPES = {("micro", w): ("fs", "fs+blk") for w in ("fileio",) + APPS}
SHAPES[("micro", "clients")] = ("shared", "percpu")
SHAPE_ARG = "fsshape"
SHAPE_ARGS = {"clients": "servers"}   # workloads whose shape another argument tells
# Mach 3's handoff scheduling is a boot option of the mach build
# (kernels/micro/ipc/mach.c, handoff=on|off): system "micro-mach" boots
# with it off, "micro-mach+handoff" with it on (same kernel); both carry
# "handoff" in their rows.
HANDOFF_IPC, HANDOFF_ARG, HANDOFF_SUFFIX = "mach", "handoff", "+handoff"
HANDOFFS = ("off", "on")
ITERS, WARMUP = 1000, 100
# Workloads whose default run takes fewer samples: fileio's medians at 500
# samples equal those at 1,000 to the instruction under icount (every row
# of micro-sel4 fs+blk, checked when this was set), at half the boot.
ITERS_OF = {"fileio": 500}
WARMUP_OF = {"fileio": 50}
QUICK_ITERS, QUICK_WARMUP = 100, 10


class MatrixError(Exception):
    """An unknown mode, workload or accelerator on the command line."""


def parse_list(text, valid, what, aliases=None):
    """Split a comma (or space) separated list and check every item.

    Keeps the user's order, drops duplicates; an alias (aliases: name ->
    items) stands for its items; raises MatrixError naming the valid values
    for anything unknown.
    """
    aliases = aliases or {}
    items = [y for x in text.replace(",", " ").split() if x for y in aliases.get(x, (x,))]
    bad = [x for x in items if x not in valid]
    if bad:
        names = list(valid) + [f"{a} (= {','.join(v)})" for a, v in aliases.items()]
        raise MatrixError(f"unknown {what} {', '.join(repr(b) for b in bad)} "
                          f"(valid: {', '.join(names)})")
    if not items:
        raise MatrixError(f"no {what} given (valid: {', '.join(valid)})")
    return list(dict.fromkeys(items))


def shapes(mode, workload):
    """The shapes (mode, workload) runs in: one boot each; (None,) if it has none."""
    return SHAPES.get((mode, workload), (None,))


def shape_arg(workload):
    """The command-line argument that tells workload's boot its shape."""
    return SHAPE_ARGS.get(workload, SHAPE_ARG)


def primary_shape(workload):
    """The shape micro/mono ratios use for workload ("fs" for fileio), or None."""
    for (_, w), names in SHAPES.items():
        if w == workload:
            return names[0]
    return None


def system(mode, ipc=None, handoff=None, mitigations=None, cpus=None):
    """A system's name: "mono", "micro-<ipc>" (its kernel under
    build/micro-<ipc>/), "micro-mach+handoff" (mach booted with handoff=on),
    "linux-guest" (mitigations off) or "linux-guest+mitigations"; a guest
    kernel on cpus > 1 CPUs gets "@<cpus>" ("mono@2")."""
    if mode == LINUX_GUEST:
        return LINUX_GUEST + (MITIGATIONS_SUFFIX if mitigations == "default" else "")
    at = f"{CPUS_SEP}{cpus}" if mode in GUEST_MODES and cpus and int(cpus) > 1 else ""
    if mode != "micro":
        return mode + at
    name = f"micro-{ipc or DEFAULT_IPC}"
    return (name + HANDOFF_SUFFIX if handoff == "on" and ipc == HANDOFF_IPC else name) + at


def system_of(row):
    """The system a result row (or run info) is from."""
    return system(row["mode"], row.get("ipc"), row.get("handoff"), row.get("mitigations"),
                  row.get("cpus"))


def cpus_of(system_name):
    """How many CPUs a system runs on ("mono@2" -> 2, "mono" -> 1)."""
    _, at, n = system_name.partition(CPUS_SEP)
    return int(n) if at else 1


def one_cpu(system_name):
    """The system's name on one CPU ("micro-sel4@2" -> "micro-sel4")."""
    return system_name.split(CPUS_SEP, 1)[0]


def build_of(system_name):
    """The build directory of a system ("micro-mach+handoff" -> "micro-mach";
    on several CPUs the SMP kernel: "mono@2" -> "mono-smp")."""
    base = one_cpu(system_name).split("+", 1)[0]
    return base + "-smp" if cpus_of(system_name) > 1 else base


def handoff_of(system_name):
    """"on" or "off" for a mach system, else None."""
    if ipc_of(system_name) != HANDOFF_IPC:
        return None
    return "on" if system_name.endswith(HANDOFF_SUFFIX) else "off"


def label(system_name):
    """A system's short name in tables: "sel4", "mach+handoff", "mono",
    "linux-guest+mitigations"."""
    if system_name.startswith(LINUX_GUEST):
        return system_name
    return system_name.split("-", 1)[1] if "-" in system_name else system_name


def mode_of(system_name):
    """The kernel mode of a system name ("micro-l4" -> "micro", "mono@2" -> "mono")."""
    if system_name.startswith(LINUX_GUEST):
        return LINUX_GUEST
    return one_cpu(system_name).split("-", 1)[0]


def ipc_of(system_name):
    """The IPC strategy of a system name: the micro strategy, or the mode."""
    return label(one_cpu(system_name).split("+", 1)[0])


def all_systems(ipcs=IPCS, handoffs=HANDOFFS):
    """Every guest system in table order: mono, then each strategy (mach
    once per handoff setting, off first)."""
    out = ["mono"]
    for i in ipcs:
        out += [system("micro", i, h) for h in (handoffs if i == HANDOFF_IPC else (None,))]
    return out


def plan(modes, workloads, ipcs=IPCS, handoffs=("off",), cpus=(1,)):
    """[(system, workload, shape)]: the guest boots of a run, in order;
    mode micro boots once per IPC strategy in ipcs (mach once per handoff
    setting in handoffs); each guest system once per CPU count in cpus
    ("mono@2"), the multicore workloads only on 2 or more; mode
    linux-guest boots each of LINUX_GUESTS for each mechanism workload,
    on one CPU."""
    systems = [y for y in all_systems(ipcs, handoffs)
               if mode_of(y) in modes and mode_of(y) in GUEST_MODES]
    out = [(y + (f"{CPUS_SEP}{c}" if c > 1 else ""), w, s) for c in cpus for y in systems
           for w in workloads if c > 1 or w not in MULTICORE for s in shapes(mode_of(y), w)]
    if LINUX_GUEST in modes:   # the mechanisms only: the applications use our os.h
        out += [(y, w, None) for y in LINUX_GUESTS for w in workloads if w in MECHANISMS]
    return out


def check_cpus(workloads, cpus):
    """Raise MatrixError if the multicore workloads are asked for with no
    CPU count above 1 to run them on."""
    multi = [w for w in workloads if w in MULTICORE]
    if multi and max(cpus) < 2:
        raise MatrixError(f"workload {', '.join(multi)} needs CPUS=2 or 4 (several CPUs), "
                          f"not CPUS={','.join(str(c) for c in cpus)}")


def parse_cpus(text):
    """"1,2,4" -> [1, 2, 4], checked against CPUS."""
    items = parse_list(text, tuple(str(c) for c in CPUS), "CPU count")
    return [int(c) for c in items]


def sizes_of(workload, quick, app_sweep=False):
    """The sizes a boot of workload runs: QUICK_SIZES under --quick; an
    application's one size unless its sweep was asked for (app_sweep)."""
    if quick:
        return QUICK_SIZES[workload]
    if workload in APPS and not app_sweep:
        return APP_ONE_SIZE[workload]
    return SIZES[workload]


def counts(workload, quick, iters=None, warmup=None):
    """(iters, warmup) a boot of workload runs: those given, else its own
    default (ITERS_OF, WARMUP_OF) or --quick's."""
    iters = iters or (QUICK_ITERS if quick else ITERS_OF.get(workload, ITERS))
    warmup = warmup if warmup is not None else (QUICK_WARMUP if quick else WARMUP_OF.get(workload, WARMUP))
    return iters, warmup


def cmdline(workload, quick, iters=None, warmup=None, shape=None, handoff=None, app_sweep=False):
    """The kernel command line for a benchmark boot of one workload (and shape)."""
    sizes = sizes_of(workload, quick, app_sweep)
    iters, warmup = counts(workload, quick, iters, warmup)
    parts = ["run=bench", f"workload={workload}"]
    if sizes:
        parts.append("sizes=" + ",".join(str(s) for s in sizes))
    parts += [f"iters={iters}", f"warmup={warmup}"]
    if shape:
        parts.append(f"{shape_arg(workload)}={shape}")
    if handoff:
        parts.append(f"{HANDOFF_ARG}={handoff}")
    return " ".join(parts)
