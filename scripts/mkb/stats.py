"""stats.py - line results up across modes: keys, ratios, representative sizes.

A result is identified by (workload, variant, size, what, shape). Mono and
micro rows pair when these match; a micro fileio row with a shape ("fs",
"fs+blk") pairs with the mono row of the same key without a shape. Linux
rows (unit ns) are shown beside but never divided by guest rows.
"""

WORKLOAD_ORDER = ("null", "pingpong", "shm", "sem", "fileio")
GUEST_MODES = ("mono", "micro")

# Size used for one-line-per-workload summaries (headline table, bar charts);
# the nearest size present is used when this one was not run.
HEADLINE_SIZE = {"pingpong": 0, "shm": 4096, "fileio": 4096}


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


def index(results):
    """{(mode,) + key: result} over results (later duplicates win)."""
    return {(r["mode"],) + key_of(r): r for r in results}


def _lookup(idx, mode, key):
    r = idx.get((mode,) + key)
    if r is None and key[4]:
        r = idx.get((mode,) + key[:4] + ("",))
    return r


def join_variants(results):
    """results with pairable variant names joined, e.g. "pipe / call_replyrecv".

    The same workload over each kernel's own mechanism has a different
    variant name per mode. For one (workload, what), when mono has exactly
    one variant that micro lacks, it pairs with the micro-only variant run
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

    Each row: dict(key fields, mono, micro, linux results or None, ratio =
    micro median / mono median). A mono row already shown beside shaped
    micro rows is not repeated on its own. Variants pair as join_variants().
    """
    results = join_variants(results)
    idx = index(results)
    keys = {key_of(r) for r in results}
    shaped = {k[:4] for k in keys if k[4]}
    rows = []
    for k in sorted(keys, key=sort_key):
        if not k[4] and k[:4] in shaped and (("micro",) + k) not in idx:
            continue
        row = dict(zip(("workload", "variant", "size", "what", "shape"), k))
        for mode in GUEST_MODES + ("linux",):
            row[mode] = _lookup(idx, mode, k)
        mono, micro = row["mono"], row["micro"]
        same_unit = mono and micro and mono["unit"] == micro["unit"]
        row["ratio"] = ratio(micro["median"], mono["median"]) if same_unit else None
        rows.append(row)
    return rows


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


def comparable(results):
    """Results to set side by side: the guests run on one CPU, so of the
    Linux rows only the one-CPU placement (cpus 1, or unstated) is kept."""
    return [r for r in results if r["mode"] != "linux" or r.get("cpus", 1) == 1]


def null_baseline(results, mode):
    """The null system call result of one mode (variant "syscall" if any)."""
    nulls = [r for r in results if r["mode"] == mode and r["workload"] == "null"]
    for r in nulls:
        if r["variant"] == "syscall":
            return r
    return min(nulls, key=lambda r: r["median"]) if nulls else None


def relative_to_null(results):
    """Rows (series, label, value): each non-null headline result divided by
    its own system's null call, so systems with different units compare.
    series is the mode, plus the shape for micro fileio rows."""
    out = []
    results = join_variants(results)
    modes = sorted({r["mode"] for r in results},
                   key=lambda m: (GUEST_MODES + ("linux",)).index(m)
                   if m in GUEST_MODES + ("linux",) else 9)
    for mode in modes:
        base = null_baseline(results, mode)
        if base is None:
            continue
        mine = [r for r in results if r["mode"] == mode and r["workload"] != "null"]
        pick = _pick_sizes(mine)
        for r in sorted(mine, key=lambda r: sort_key(key_of(r))):
            if r["size"] == pick[(r["workload"], r["variant"])]:
                series = mode + (f" {r['shape']}" if r.get("shape") else "")
                out.append((series, label(dict(r, shape=None)),
                            ratio(r["median"], base["median"])))
    return out


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


def fmt_num(v):
    """Compact number for tables: whole units from 100 up, else 4 digits."""
    if v is None:
        return "-"
    if isinstance(v, int) or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.4g}"
