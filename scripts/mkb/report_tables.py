"""report_tables.py - the report's mono-against-micro tables, one column
per micro IPC strategy.

stats.comparable() and the tables built on it (table.py, the terminal's)
set mono against the default strategy (sel4) only, so a run without sel4
had no micro column at all. The report compares mono with every strategy
that ran, or with the ones named (scripts/report.py --vs, or VS= on the
make command line, as for bench.py's tables): pick() chooses them, for_system() gives the rows one
comparison sees (mono, the Linux host on one CPU, and that strategy's
micro rows), and the tables here put the strategies side by side. A run
with no mono has no ratios and still shows every median it measured; a
run with no micro shows mono's.
"""
from . import bands, matrix, stats, table

NAMED_BY = "VS"   # the variable (make, or the environment) that names strategies


class Choice:
    """The micro systems a report compares with mono ("micro-l4", ...), in
    the order of matrix.IPCS, and what to say about the choice."""

    def __init__(self, systems, present, named, unknown, by=None):
        self.systems, self.present, self.named, self.unknown = systems, present, named, unknown
        self.by = by or f"named by {NAMED_BY}={','.join(named + unknown)}"

    @property
    def primary(self):
        """The one strategy a figure of mono against micro draws, or None."""
        return self.systems[0] if self.systems else None

    def names(self, systems=None):
        return ", ".join(matrix.label(s) for s in (self.systems if systems is None else systems))

    def sentence(self):
        """Which strategies the mono-against-micro tables use, and why."""
        if not self.present:
            return "No micro kernel in this run: the tables show mono (and the Linux host) only."
        others = [s for s in self.present if s not in self.systems]
        if self.named:
            text = (f"Micro here is {self.names()}, {self.by}"
                    + (f"; this run also has {self.names(others)}" if others else "") + ".")
        elif len(self.systems) == 1:
            text = f"Micro here is {self.names()}, the one IPC strategy in this run."
        else:
            text = (f"Micro here is every IPC strategy in this run, one column each: "
                    f"{self.names()} ({NAMED_BY}=<strategy> on the make command line picks "
                    "one).")
        if self.unknown:
            text += (f" Not in this run: {', '.join(self.unknown)} ({self.by})"
                     + (", so every strategy that ran is shown." if not self.named else "."))
        return text


def micro_systems(results):
    """The micro systems in results, in matrix.all_systems() order."""
    present = {stats.system(r) for r in results if r["mode"] == "micro"}
    return [s for s in matrix.all_systems() if s in present]


def pick(results, named=None, by=None):
    """A Choice: the strategies named (a list or a comma-separated string of
    IPC names) that are in results, or, with none named or none of them
    present, every strategy present; by: who named them, in words (default
    "named by VS=...")."""
    if isinstance(named, str):
        named = [x for x in named.replace(",", " ").split() if x]
    named = list(dict.fromkeys(named or []))
    present = micro_systems(results)
    want = [s for s in present if matrix.ipc_of(s) in named]
    unknown = [n for n in named if matrix.system("micro", n) not in present]
    if named and not want:
        return Choice(present, present, [], unknown, by)
    return Choice(want or present, present, [n for n in named if n not in unknown], unknown, by)


def for_system(results, system):
    """The rows one mono-against-micro comparison sees: mono, the Linux host
    on one CPU (the guests have one) and the micro rows of system (none if
    system is None)."""
    return [r for r in results if r["mode"] == "mono"
            or (r["mode"] == "linux" and r.get("cpus", 1) == 1)
            or (r["mode"] == "micro" and system and stats.system(r) == system)]


def short(system):
    """"sel4" for "micro-sel4", "mach+handoff" for "micro-mach+handoff"."""
    return matrix.label(system)


def _x(v):
    return f"{v:.2f}x" if v is not None else "-"


def _med(r):
    return stats.fmt_num(r["median"]) if r else "-"


_mb, _xb = table._mb, table._xb   # with a modeled row's band (scripts/mkb/bands.py)


def _unit(results):
    return "/".join(sorted({r["unit"].replace("_", " ") for r in results
                            if r["mode"] != "linux"})) or "-"


def headline(results, choice):
    """The headline cases (stats.HEADLINE) with every chosen strategy:
    [{"workload", "case", "what", "size", "mono", "linux", "shape" ("" or
    the other micro shape this row is, e.g. "fs+blk"), "micro": {system:
    result or None}, "ratio": {system: micro/mono or None}}]; a workload's
    other micro shapes (the two-hop file server) are rows of their own."""
    by_system = {s: {r["workload"]: r for r in stats.headline(for_system(results, s))}
                 for s in (choice.systems or [None])}
    out = []
    for workload, *_ in stats.HEADLINE:
        rows = {s: h[workload] for s, h in by_system.items() if workload in h}
        if not rows:
            continue
        first = next(iter(rows.values()))
        micros = {s: rows[s]["micro"] if s in rows else None for s in choice.systems}
        names = [first["mono"]["variant"]] if first["mono"] else []
        names += [m["variant"] for m in micros.values() if m]
        if not names and first["linux"]:
            names = [first["linux"]["variant"]]
        case = " / ".join(dict.fromkeys(names))
        if first["size"] is not None:
            case += " " + stats.fmt_size(first["size"])
        base = {"workload": workload, "what": first["what"], "size": first["size"],
                "mono": first["mono"], "linux": first["linux"]}
        out.append(dict(base, case=case, shape="", micro=micros,
                        ratio={s: rows[s]["ratio"] if s in rows else None
                               for s in choice.systems}))
        for shape in sorted({a for r in rows.values() for a in r["alt"]}):
            out.append(dict(base, case=f"{case}, micro {shape}", shape=shape, linux=None,
                            micro={s: rows[s]["alt"].get(shape) if s in rows else None
                                   for s in choice.systems},
                            ratio={s: rows[s]["alt_ratio"].get(shape) if s in rows else None
                                   for s in choice.systems}))
    return out


def headline_table(results, choice, linux=True):
    """(headers, rows): the headline medians, mono, then each strategy and
    its ratio to mono (when mono ran), then the Linux host (ns) beside."""
    rows = headline(results, choice)
    has_mono = any(r["mono"] for r in rows)
    has_linux = linux and any(r["linux"] for r in rows)
    systems = [s for s in choice.systems if any(r["micro"][s] for r in rows)]
    headers = ["workload", "case", "what"] + (["mono"] if has_mono else [])
    for s in systems:
        headers += [short(s)] + ([f"{short(s)}/mono"] if has_mono else [])
    headers += ["linux case", "linux [ns]"] if has_linux else []
    out = []
    for r in rows:
        cells = [r["workload"], r["case"], r["what"]] + ([_mb(r["mono"])] if has_mono else [])
        for s in systems:
            cells += [_mb(r["micro"][s])] + ([_xb(r["micro"][s], r["mono"], r["ratio"][s])] if has_mono else [])
        if has_linux:
            lx = r["linux"]
            cells += [lx["variant"] + ("" if lx["size"] is None else " " + stats.fmt_size(
                lx["size"])) if lx else "-", _med(lx)]
        if len(cells) > 3:
            out.append(cells)
    return (headers, out) if len(headers) > 3 else (headers, [])


def events_table(results, choice):
    """(headers, rows): kernel events per operation of the headline cases,
    "kentries/switches/as_switches/bytes_copied" per system."""
    rows = [r for r in headline(results, choice) if r["mono"] or any(r["micro"].values())]
    cols = ([("mono", lambda r: r["mono"])] if any(r["mono"] for r in rows) else [])
    cols += [(short(s), lambda r, s=s: r["micro"][s]) for s in choice.systems]
    cols = [(n, get) for n, get in cols if any((get(r) or {}).get("events") for r in rows)]
    out = []
    for r in rows:
        cells = [r["workload"], r["case"]]
        for _, get in cols:
            ev = (get(r) or {}).get("events") or {}
            cells.append("/".join(stats.fmt_num(ev.get(e)) for e in stats.EVENTS) if ev else "-")
        out.append(cells)
    return ["workload", "case"] + [n for n, _ in cols], (out if cols else [])


def headline_csv(results, choice):
    """(headers, rows) for data/headline.csv: table.headline() (every event
    in its own column) once per strategy, its name in the first column."""
    blocks = []
    for s in choice.systems or [None]:
        h, rows = table.headline(for_system(results, s))
        blocks.append((short(s) if s else "-", h, rows))
    headers = ["micro"]
    for _, h, _ in blocks:
        headers += [x for x in h if x not in headers]
    out = []
    for name, h, rows in blocks:
        for r in rows:
            d = dict(zip(h, r))
            out.append([name] + [d.get(x, "-") for x in headers[1:]])
    return headers, out


def mechanisms_note(results, choice):
    """What the pingpong headline row compares, with the counts behind it,
    for every strategy, and mono's other channel (mq) beside; "" without
    mono and micro rows."""
    row = next((r for r in headline(results, choice)
                if r["workload"] == "pingpong" and not r["shape"]), None)
    if not row or not row["mono"] or not any(row["micro"].values()):
        return ""

    def counts(r):
        ev = r.get("events") or {}
        return (f"{stats.fmt_num(ev.get('kentries'))} kernel entries, "
                f"{stats.fmt_num(ev.get('bytes_copied'))} bytes copied")
    micro = "; ".join(f"{short(s)} {counts(r)}" for s, r in row["micro"].items() if r)
    note = (f"pingpong compares each kernel's own mechanism: mono a packet pipe "
            f"({counts(row['mono'])} per round trip), micro call/reply_recv ({micro}). "
            "Mono has no synchronous call")
    mq = next((r for r in results if r["mode"] == "mono" and r["workload"] == "pingpong"
               and r["variant"] == "mq" and r["size"] == row["size"]), None)
    if mq:
        note += (f"; its message queue, the other channel it has, takes "
                 f"{stats.fmt_num(mq['median'])} for the same round trip")
    return note + "."


def ratio_units(measured, modeled, choice):
    """(headers, rows): micro/mono of each headline case per strategy, in
    the measured unit and in modeled cycles side by side; ([], []) with no
    ratio to show (no mono, or no micro)."""
    a, b = headline(measured, choice), headline(modeled, choice)
    b = {(r["workload"], r["shape"]): r for r in b}
    unit = _unit(measured)
    systems = [s for s in choice.systems if any(r["ratio"][s] for r in a)]
    headers = ["workload", "case"]
    for s in systems:
        headers += [f"{short(s)} [{unit}]", f"{short(s)} [modeled cycles]"]
    rows = []
    for r in a:
        other = b.get((r["workload"], r["shape"]))
        if not any(r["ratio"][s] for s in systems):
            continue
        cells = [r["workload"], r["case"]]
        for s in systems:
            cells += [_x(r["ratio"][s]), _xb(other["micro"][s], other["mono"], other["ratio"][s])
                      if other else "-"]
        rows.append(cells)
    return (headers, rows) if systems and rows else ([], [])


def all_results(results, choice):
    """(headers, rows): every result's median, one row per (workload,
    variant, size, what), mono, then each strategy and its ratio to mono,
    then the Linux host; a micro shape other than the primary one is a row
    of its own ("seq_read (micro fs+blk)")."""
    merged = {}
    for s in choice.systems or [None]:
        for r in stats.compare_rows(for_system(results, s)):
            key = (r["workload"], r["variant"], r["size"], r["what"])
            m = merged.setdefault(key, {"mono": r["mono"], "linux": r["linux"], "shape": "",
                                        "micro": {}, "ratio": {}, "alt": {}})
            m["mono"] = m["mono"] or r["mono"]
            m["linux"] = m["linux"] or r["linux"]
            m["shape"] = m["shape"] or r["shape"]
            if s:
                m["micro"][s], m["ratio"][s] = r["micro"], r["ratio"]
                for a, x in r["alt"].items():
                    m["alt"].setdefault(a, {})[s] = (x, r["alt_ratio"].get(a))
    keys = sorted(merged, key=lambda k: stats.sort_key(k + ("",)))
    has_mono = any(m["mono"] for m in merged.values())
    has_linux = any(m["linux"] for m in merged.values())
    systems = [s for s in choice.systems
               if any(m["micro"].get(s) or any(s in a for a in m["alt"].values())
                      for m in merged.values())]
    unit = _unit(results)
    headers = ["workload", "variant", "size", "what"] + ([f"mono [{unit}]"] if has_mono else [])
    for s in systems:
        headers += [short(s)] + ([f"{short(s)}/mono"] if has_mono else [])
    headers += ["linux [ns]"] if has_linux else []
    out = []
    for k in keys:
        m = merged[k]
        w, variant, size, what = k
        lines = [(variant + (f" (micro {m['shape']})" if m["shape"] else ""), m["mono"],
                  {s: (m["micro"].get(s), m["ratio"].get(s)) for s in systems}, m["linux"])]
        lines += [(f"{variant} (micro {a})", m["mono"], {s: by.get(s, (None, None))
                                                          for s in systems}, None)
                  for a, by in sorted(m["alt"].items())]
        for name, mono, micro, linux in lines:
            cells = [w, name, stats.fmt_size(size), what] + ([_mb(mono)] if has_mono else [])
            for s in systems:
                x, ratio = micro[s]
                cells += [_mb(x)] + ([_xb(x, mono, ratio)] if has_mono else [])
            cells += [_med(linux)] if has_linux else []
            out.append(cells)
    return headers, out


def price(results, system):
    """The median over the headline cases of micro/mono for system (the
    price of the micro kernel in one number), or None."""
    ratios = sorted(r["ratio"] for r in stats.headline(for_system(results, system))
                    if r["ratio"])
    return ratios[len(ratios) // 2] if ratios else None


def band_drivers(modeled, choice):
    """(headers, rows): per headline case and kernel, the modeled median,
    its band over the profile's ranges, and the two prices whose ranges
    move it most (each with how far, in cycles: scripts/mkb/bands.py)."""
    out = []
    for r in headline(modeled, choice):
        kernels = [("mono", r["mono"])] + [(short(s), r["micro"][s]) for s in choice.systems]
        for name, x in kernels:
            if not x or not bands.repriceable(x):
                continue
            top = bands.safe(bands.dominant, x) or []
            out.append([r["workload"], r["case"], name, _mb(x),
                        ", ".join(f"{k} ({stats.fmt_num(v)})" for k, v in top) or "none"])
    return ["workload", "case", "kernel", "modeled cycles (band)",
            "prices that move it most (swing over their range, cycles)"], out
