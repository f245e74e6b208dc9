"""matrix.py - the run matrix: valid modes and workloads, default sizes.

Sizes are data: one table per workload, a full sweep and a --quick one.
One QEMU boot runs one (mode, workload) with all its sizes.
"""

MODES = ("mono", "micro", "linux")
GUEST_MODES = ("mono", "micro")
WORKLOADS = ("null", "pingpong", "shm", "sem", "fileio")

SIZES = {
    "pingpong": [0, 8, 64, 256, 1024, 4096, 16384, 65536],
    "fileio": [64, 512, 4096, 16384, 65536],
    "shm": [64, 1024, 4096, 16384, 65536],
    "null": [],
    "sem": [],
}
QUICK_SIZES = {
    "pingpong": [0, 64, 4096, 65536],
    "fileio": [64, 4096, 65536],
    "shm": [64, 4096, 65536],
    "null": [],
    "sem": [],
}
ITERS, WARMUP = 1000, 100
QUICK_ITERS, QUICK_WARMUP = 100, 10


class MatrixError(Exception):
    """An unknown mode, workload or accelerator on the command line."""


def parse_list(text, valid, what):
    """Split a comma (or space) separated list and check every item.

    Keeps the user's order, drops duplicates; raises MatrixError naming the
    valid values for anything unknown.
    """
    items = [x for x in text.replace(",", " ").split() if x]
    bad = [x for x in items if x not in valid]
    if bad:
        raise MatrixError(f"unknown {what} {', '.join(repr(b) for b in bad)} "
                          f"(valid: {', '.join(valid)})")
    if not items:
        raise MatrixError(f"no {what} given (valid: {', '.join(valid)})")
    return list(dict.fromkeys(items))


def cmdline(workload, quick, iters=None, warmup=None):
    """The kernel command line for a benchmark boot of one workload."""
    sizes = (QUICK_SIZES if quick else SIZES)[workload]
    iters = iters or (QUICK_ITERS if quick else ITERS)
    warmup = warmup if warmup is not None else (QUICK_WARMUP if quick else WARMUP)
    parts = ["run=bench", f"workload={workload}"]
    if sizes:
        parts.append("sizes=" + ",".join(str(s) for s in sizes))
    parts += [f"iters={iters}", f"warmup={warmup}"]
    return " ".join(parts)
