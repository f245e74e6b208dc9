"""stats.py - line results up across modes: keys, ratios, representative sizes.

A result is identified by (workload, variant, size, what, shape). Mono and
micro rows pair when (workload, variant, size, what) match; of the micro
fileio shapes the primary one ("fs", one hop) sits in the micro column and
gives the micro/mono ratio, the others ("fs+blk", two hops) are shown
beside it. Linux rows (unit ns) are shown beside but never divided by guest
rows.
"""
from . import matrix

WORKLOAD_ORDER = matrix.WORKLOADS
GUEST_MODES = ("mono", "micro")

# Size used for one-line-per-workload summaries (headline table, bar charts);
# the nearest size present is used when this one was not run.
HEADLINE_SIZE = {"pingpong": 8, "shm": 4096, "fileio": 4096, "kvstore": 100, "build": 32, "mix": 2}

# The headline table: one representative case per workload, as
# (workload, guest variants by preference, size, Linux variants by preference).
# A mode lacking every listed variant falls back to its first variant.
HEADLINE = (
    ("null", ("syscall",), None, ("syscall", "getppid")),
    ("pingpong", ("pipe", "call_replyrecv"), 8, ("pipe",)),
    ("sem", ("pingpong",), None, ("posix_sem", "sysv_sem", "pingpong")),
    ("shm", ("handoff",), 4096, ("sem_ring", "handoff")),
    ("fileio", ("seq_read",), 4096, ("read", "seq_read")),
    # the applications: a whole run, mono against each design (no Linux rows)
    ("kvstore", ("ycsb_a_run",), 100, ()),
    ("build", ("job",), 32, ()),
    ("mix", ("aim7_shared",), 2, ()),
)
# The micro_over_mono figure: one x position per operation every system
# can run, as (short label, "{size}" filled in; workload; guest variants by
# preference; size; Linux variants by preference). Each kernel uses its own
# mechanism (IPC: mono pipe, micro call/reply_recv, Linux pipe).
NULL_VARIANTS = ("syscall", "getppid")
OPERATIONS = (
    ("null call", "null", NULL_VARIANTS, None, NULL_VARIANTS),
    ("yield rt", "null", ("yield",), None, ("yield",)),
    ("IPC {size} rt", "pingpong", ("pipe", "call_replyrecv"), 8, ("pipe",)),
    ("sem ping-pong", "sem", ("pingpong",), None, ("posix_sem", "sysv_sem", "pingpong")),
    ("shm {size} hand-off", "shm", ("handoff",), 4096, ("sem_ring", "handoff")),
    ("read {size}", "fileio", ("seq_read",), 4096, ("read", "seq_read")),
    ("write {size}", "fileio", ("seq_write",), 4096, ("write", "seq_write")),
    ("create", "fileio", ("create",), None, ("create",)),
)
EVENTS = ("kentries", "switches", "as_switches", "bytes_copied")
# Each mode's default mechanism, paired with the other mode's when a
# workload has several mode-only variants (mono: pipe beside mq).
DEFAULT_VARIANTS = ("pipe",)


def key_of(r):
    return (r["workload"], r["variant"], r["size"], r["what"], r.get("shape") or "")


def sort_key(k):
    w, variant, size, what, shape = k
    order = WORKLOAD_ORDER.index(w) if w in WORKLOAD_ORDER else len(WORKLOAD_ORDER)
    return (order, w, variant, -1 if size is None else size, what, shape)


def ratio(a, b):
    """a / b, or None when either is missing or b is zero."""
    if a is None or b in (None, 0):
        return None
    return a / b


def join_variants(results):
    """results with pairable variant names joined, e.g. "pipe / call_replyrecv".

    The same workload over each kernel's own mechanism has a different
    variant name per mode. For one (workload, what), when mono has exactly
    one variant that micro lacks (or several, one of them a default
    mechanism, DEFAULT_VARIANTS), it pairs with the micro-only variant run
    at the most of the same sizes (so an extra "..._slowpath" point stays
    alone); both become "<mono> / <micro>". Linux rows named like the mono
    variant join them too.
    """
    sizes = {}
    for r in results:
        if r["mode"] in GUEST_MODES:
            k = (r["workload"], r["what"])
            sizes.setdefault(k, {}).setdefault(r["mode"], {}).setdefault(
                r["variant"], set()).add(r["size"])
    joined = {}
    for k, modes in sizes.items():
        mono, micro = modes.get("mono", {}), modes.get("micro", {})
        mono_only = [v for v in mono if v not in micro]
        micro_only = [v for v in micro if v not in mono]
        if len(mono_only) > 1:
            mono_only = [v for v in DEFAULT_VARIANTS if v in mono_only][:1]
        if len(mono_only) != 1 or not micro_only:
            continue
        a = mono_only[0]
        b = max(sorted(micro_only), key=lambda v: (len(micro[v] & mono[a]), len(micro[v])))
        for mode, v in (("mono", a), ("micro", b), ("linux", a)):
            joined[(mode,) + k + (v,)] = f"{a} / {b}"
    out = []
    for r in results:
        v = joined.get((r["mode"], r["workload"], r["what"], r["variant"]))
        out.append(dict(r, variant=v) if v else r)
    return out


def compare_rows(results):
    """Rows for a mono/micro/linux table, sorted by workload order.

    One row per (workload, variant, size, what). Each row: the key fields,
    mono, micro, linux (results or None), ratio = micro median / mono
    median, shape ("" or the micro shape in the micro column), and alt /
    alt_ratio: {shape: result} and {shape: its median / mono median} for the
    micro's other shapes. The micro column holds the primary shape
    (matrix.SHAPES: "fs", one hop like mono's one system call); "fs+blk"
    (two hops) is an alt. Variants pair as join_variants().
    """
    results = join_variants(results)
    rows = {}
    for r in results:
        k = (r["workload"], r["variant"], r["size"], r["what"])
        row = rows.setdefault(k, dict(zip(("workload", "variant", "size", "what"), k),
                                      mono=None, micro=None, linux=None, shape="",
                                      shaped={}))
        if r.get("shape"):
            row["shaped"].setdefault(r["mode"], {})[r["shape"]] = r
        elif r["mode"] in row:
            row[r["mode"]] = r
    out = []
    for k in sorted(rows, key=lambda k: sort_key(k + ("",))):
        row = rows[k]
        shaped = row.pop("shaped")
        for mode, by_shape in shaped.items():
            if row.get(mode) is None and mode in row:
                first = matrix.primary_shape(row["workload"])
                pick = first if first in by_shape else sorted(by_shape)[0]
                row[mode] = by_shape.pop(pick)
                if mode == "micro":
                    row["shape"] = pick
        row["alt"] = dict(sorted(shaped.get("micro", {}).items()))
        row["ratio"] = _mode_ratio(row["micro"], row["mono"])
        row["alt_ratio"] = {s: _mode_ratio(r, row["mono"]) for s, r in row["alt"].items()}
        out.append(row)
    return out


def _mode_ratio(micro, mono):
    """micro median / mono median when both exist in the same unit."""
    if micro and mono and micro["unit"] == mono["unit"]:
        return ratio(micro["median"], mono["median"])
    return None


def alt_shapes(rows):
    """The micro shapes other than the primary one in compare_rows() rows."""
    return sorted({s for r in rows for s in r["alt"]})


def headline_size(workload, sizes):
    """The size to summarise a workload at, given the sizes present."""
    sizes = sorted(s for s in sizes if s is not None)
    if not sizes:
        return None
    want = HEADLINE_SIZE.get(workload, sizes[0])
    return min(sizes, key=lambda s: (abs(s - want), s))


def _pick_sizes(rows):
    """{(workload, variant): headline size} over rows with those keys."""
    sizes = {}
    for r in rows:
        sizes.setdefault((r["workload"], r["variant"]), set()).add(r["size"])
    return {k: headline_size(k[0], s) for k, s in sizes.items()}


def headline_rows(results):
    """compare_rows() restricted to one size per workload and variant."""
    rows = compare_rows(results)
    pick = _pick_sizes(rows)
    return [r for r in rows if r["size"] == pick[(r["workload"], r["variant"])]]


def _representative(rs, variants, size, strict=False):
    """Of rs (one mode, one workload), the result of the first of variants
    present (else, unless strict, the first variant by name, "_slowpath"
    ones last) at the size nearest to size; None if there is none."""
    if not rs:
        return None
    have = {r["variant"] for r in rs}
    pick = next((v for v in variants if v in have), None)
    if pick is None:
        if strict:
            return None
        pick = min(have, key=lambda v: (v.endswith("_slowpath"), v))
    mine = [r for r in rs if r["variant"] == pick]
    if size is None:
        return min(mine, key=lambda r: (r["size"] is not None, r["size"] or 0))
    sized = [r for r in mine if r["size"] is not None] or mine
    return min(sized, key=lambda r: (abs((r["size"] or 0) - size), r["size"] or 0))


def _case(results, workload, variants, size, linux_variants, strict=False):
    """One operation in every system: {"workload", "size", "what", "mono",
    "micro", "linux", "shape", "alt", "ratio", "alt_ratio"} (see headline()),
    or None when no system ran it. The Linux result is the one nearest the
    guest's size."""
    mine = {m: [r for r in results if r["workload"] == workload and r["mode"] == m]
            for m in GUEST_MODES + ("linux",)}
    primary = matrix.primary_shape(workload)
    mono = _representative([r for r in mine["mono"] if not r.get("shape")], variants, size,
                           strict)
    micro_all = mine["micro"]
    micro_main = [r for r in micro_all if (r.get("shape") or "") in ("", primary)]
    micro = _representative(micro_main or micro_all, variants, size, strict)
    alt = {}
    if micro:
        alt = {r["shape"]: r for r in micro_all
               if r.get("shape") and r is not micro and r["variant"] == micro["variant"]
               and r["size"] == micro["size"] and r["what"] == micro["what"]}
    guest = mono or micro
    want = guest["size"] if guest else size
    linux = _representative(mine["linux"], linux_variants, want, strict)
    if not (mono or micro or linux):
        return None
    return {"workload": workload, "size": want,
            "what": (guest or linux)["what"], "mono": mono, "micro": micro,
            "linux": linux, "shape": (micro or {}).get("shape") or "",
            "alt": dict(sorted(alt.items())), "ratio": _mode_ratio(micro, mono),
            "alt_ratio": {s: _mode_ratio(r, mono) for s, r in sorted(alt.items())}}


def headline(results):
    """One row per workload (HEADLINE): its representative case in each mode.

    Row: workload, size, what, mono, micro, linux (results or None), shape
    (of the micro result: the primary one), alt {shape: micro result of each
    other shape, same variant and size}, ratio (micro/mono), alt_ratio.
    """
    out = []
    for workload, variants, size, linux_variants in HEADLINE:
        row = _case(results, workload, variants, size, linux_variants)
        if row:
            out.append(row)
    return out


def operations(results):
    """One row per comparable operation (OPERATIONS) that some system ran:
    as headline() rows plus "label" (short, with the size), "op" (the
    OPERATIONS label template). No fall-back to another variant: a system
    without one of the listed variants has no result for the operation.
    Only the comparable() Linux rows (one CPU) are considered."""
    results = comparable(results)
    out = []
    for op, workload, variants, size, linux_variants in OPERATIONS:
        row = _case(results, workload, variants, size, linux_variants, strict=True)
        if row:
            row.update(op=op, label=op.format(size=fmt_bytes(row["size"])))
            out.append(row)
    return out


def system(r):
    """Which system a row is from: "mono", "micro-<ipc>" (or
    "micro-mach+handoff") or "linux" (micro rows of runs older than the IPC
    strategies are the default's), "linux-guest" or "linux-guest+mitigations";
    "<system>@<cpus>" on several CPUs."""
    return matrix.system_of(r) if r["mode"] in ("mono", "micro", matrix.LINUX_GUEST) else r["mode"]


def one_cpu_rows(results):
    """Results without the guest rows of boots on several CPUs (the SMP
    kernels: report_smp.py has their tables); the Linux host's rows stay,
    each table picks its placement."""
    return [r for r in results if r["mode"] not in matrix.GUEST_MODES or r.get("cpus", 1) == 1]


def vs_strategy(results, ipc=None):
    """The micro IPC strategy that mono is set against: ipc when given,
    else the default (matrix.DEFAULT_IPC) if it ran, else the first in
    matrix.IPCS order that ran; None when no micro row is there."""
    if ipc:
        return ipc
    ran = {r.get("ipc") or matrix.DEFAULT_IPC for r in results if r["mode"] == "micro"}
    return next((i for i in matrix.IPCS if i in ran), None)


def comparable(results, ipc=None):
    """Results to set side by side as mono against micro: the micro rows
    of one IPC strategy only (vs_strategy(): ipc, else the default when it
    ran, else the first that ran; the strategies have their own tables,
    strategies.py), and, as the guests run on one CPU, of the Linux rows
    only the one-CPU placement (cpus 1, or unstated); no Linux guest rows
    (they have their own tables: report_linux.py)."""
    vs = matrix.system("micro", vs_strategy(results, ipc))
    return [r for r in results if (r["mode"] != "linux" or r.get("cpus", 1) == 1)
            and (r["mode"] != "micro" or system(r) == vs) and r["mode"] != matrix.LINUX_GUEST]


def micro_strategies(results):
    """The micro IPC strategies with rows, in matrix.IPCS order."""
    ran = {r.get("ipc") or matrix.DEFAULT_IPC for r in results if r["mode"] == "micro"}
    return [i for i in matrix.IPCS if i in ran]


def label(r, with_size=True):
    """A short human label: workload/variant[ shape][ size]."""
    s = f"{r['workload']}/{r['variant']}"
    if r.get("shape"):
        s += f" [{r['shape']}]"
    if with_size and r.get("size") is not None:
        s += f" {fmt_size(r['size'])}"
    return s


def fmt_size(size):
    if size is None:
        return "-"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024}K"
    return str(size)


def fmt_bytes(size):
    """"8 B", "4 KiB" for figure labels; "" for None."""
    if size is None:
        return ""
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} B"


def fmt_num(v):
    """Compact number for tables: whole units from 100 up, else 4 digits."""
    if v is None:
        return "-"
    if isinstance(v, int) or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.4g}"
