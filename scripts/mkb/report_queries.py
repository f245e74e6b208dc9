"""report_queries.py - the report's figure queries beyond extract.py's.

Each takes the rows a figure sees (report/figures.json "rows") and returns
an extract.Extract; scripts/report.py looks them up in QUERIES beside
extract.QUERIES. Panels carry, beyond extract.py's keys, "logy" (their own
y scale), "hline" (a dashed line at that y) and, for bar panels, "rfirst"
and "rlast" (the data rows they draw, from 0). Extract.note, when set, is
appended to the figure's note (what this run's data says the figure is).
"""
from . import apps, extract, matrix, parse, published, report_tables, stats, strategies

NAN = float("nan")
# Bar panels of the mono-against-micro figures: one per kind of case, so
# a round trip and a single operation are never read off one axis.
WHAT_PANELS = (("Round trips", ("round_trip",), "round trip"),
               ("One operation", ("per_op", "per_handoff"), "per operation or hand-off"))
LOG_SPAN = 20   # a bar panel whose values span more than this factor gets a log axis


def _micro_name(results):
    """The micro system in results ("micro-l4"), or "micro"."""
    names = sorted({stats.system(r) for r in results if r["mode"] == "micro"})
    return names[0] if len(names) == 1 else "micro"


def _logy(values):
    vals = [v for v in values if isinstance(v, float) and v == v and v > 0]
    return bool(vals) and max(vals) / min(vals) > LOG_SPAN


def _ymin(values):
    vals = [v for v in values if isinstance(v, float) and v == v and v > 0]
    return min(vals) / 2 if vals else 0


def _finish_panels(groups, columns, titles, unit, ylabel):
    """An Extract of bar panels from groups [(title, rows)], each panel
    drawing every column, rows one after the other."""
    rows, panels = [], []
    for title, mine in groups:
        if not mine:
            continue
        vals = [float(v) for r in mine for v in r[1:]]
        logy = _logy(vals)
        panels.append({"title": title, "ylabel": ylabel.format(what=title.lower()),
                       "first": 2, "last": len(columns), "rfirst": len(rows),
                       "rlast": len(rows) + len(mine) - 1, "logy": logy,
                       "ymin": _ymin(vals) if logy else 0})
        rows += mine
    return extract.Extract(columns, rows, unit, panels=panels, titles=titles)


def mode_panels(results, workload=None, modes=("mono", "micro")):
    """Median per workload and variant (headline size), one column per mode
    and other micro shape (micro fs+blk), as extract.mode_bars, but in one
    bar panel per kind of case (round trips; one operation), each on its
    own y axis (log when its values span more than LOG_SPAN)."""
    rows = [r for r in stats.headline_rows(results)
            if workload is None or r["workload"] == workload]
    modes = [m for m in modes if any(r[m] for r in rows)]
    alts = stats.alt_shapes(rows)
    micro = _micro_name(results)
    groups = {title: [] for title, _, _ in WHAT_PANELS}
    used = []
    for r in rows:
        if not any(r[m] for m in modes) and not r["alt"]:
            continue
        any_r = next((r[m] for m in modes if r[m]), None) or next(iter(r["alt"].values()))
        used += [r[m] for m in modes if r[m]]
        cells = ([stats.label(dict(any_r, variant=r["variant"], shape=None))]
                 + [r[m]["median"] if r[m] else NAN for m in modes]
                 + [r["alt"][a]["median"] if a in r["alt"] else NAN for a in alts])
        title = next((t for t, whats, _ in WHAT_PANELS if r["what"] in whats), r["what"])
        groups.setdefault(title, []).append(cells)
    columns = ["case"] + modes + [f"micro {a}" for a in alts]
    titles = ["case"] + [micro if m == "micro" else m for m in modes] + [
        f"{micro} {a}" for a in alts]
    return _finish_panels(list(groups.items()), columns, titles, extract._units(used),
                          "{what}, median [{{unit}}]")


def ratio_bars_units(results):
    """micro/mono per comparable operation (stats.OPERATIONS) in the
    measured unit and, when the run has them, in modeled cycles (rows
    "both"): one column per unit and micro shape, each bar's value on it."""
    measured = [r for r in results if r["unit"] != "modeled_cycles"]
    modeled = [r for r in results if r["unit"] == "modeled_cycles"]
    a = stats.operations(measured)
    b = {op["label"]: op for op in stats.operations(modeled)}
    unit = extract._units([r for r in measured if r["mode"] != "linux"]) or "?"
    shapes = [""] + sorted({s for op in a for s in op["alt_ratio"]})
    micro = _micro_name(results)

    def get(op, shape):
        if op is None:
            return None
        return op["ratio"] if not shape else op["alt_ratio"].get(shape)
    series = []
    for shape in shapes:
        name = f"micro {shape}/mono" if shape else "micro/mono"
        title = f"{micro} {shape}/mono" if shape else f"{micro}/mono"
        series.append((f"{name} [{unit}]", f"{title}, {unit}",
                       lambda op, s=shape: get(op, s)))
        if b:
            series.append((f"{name} [modeled cycles]", f"{title}, modeled cycles",
                           lambda op, s=shape: get(b.get(op["label"]), s)))
    rows = [[op["label"]] + [NAN if f(op) is None else f(op) for _, _, f in series]
            for op in a if any(f(op) is not None for _, _, f in series)]
    keep = [k for k in range(len(series)) if any(r[k + 1] == r[k + 1] for r in rows)]
    series = [series[k] for k in keep]
    rows = [[r[0]] + [r[k + 1] for k in keep] for r in rows]
    return extract.Extract(["operation"] + [c for c, _, _ in series], rows, "x mono",
                           titles=["operation"] + [t for _, t, _ in series])


def ipc_size_panels(results, workload="pingpong", what="round_trip"):
    """Round trip against size per system (mono's pipe, each strategy's
    call): the CSV is extract.ipc_by_size's, drawn twice: as it is (log-log)
    and, in a second panel, each column over sel4's at the same size (over
    the first strategy's when sel4 did not run; panel key "over": the base
    column, divided at drawing time), so lines that lie on top of each
    other on the log axis come apart."""
    ex = extract.ipc_by_size(results, workload, what)
    names = ex.columns[1:]
    base = next((n for n in names if n == "micro sel4"),
                next((n for n in names if n.startswith("micro ")), None))
    ex.panels = [{"title": "round trip", "ylabel": "round trip, median [{unit}]", "first": 2,
                  "last": len(ex.columns), "logy": True}]
    if base and len(names) > 1:
        short = base.replace("micro ", "")
        ex.panels.append({"title": f"over {short}", "ylabel": f"round trip / {short}'s at the "
                          "same size", "first": 2, "last": len(ex.columns), "logy": False,
                          "over": ex.columns.index(base) + 1})
    return ex


def ratio_units_panels(results):
    """micro/mono per comparable operation (stats.OPERATIONS) for every
    strategy (rows "both_all"): one bar per strategy, a panel per unit (the
    measured one, then modeled cycles when the run has them)."""
    measured = [r for r in results if r["unit"] != "modeled_cycles"]
    modeled = [r for r in results if r["unit"] == "modeled_cycles"]
    systems = report_tables.micro_systems(measured)
    units = [(extract._units([r for r in measured if r["mode"] != "linux"]) or "?", measured)]
    if modeled:
        units.append(("modeled cycles", modeled))
    ops = {}
    for unit, rows in units:
        for s in systems:
            for op in stats.operations(report_tables.for_system(rows, s)):
                if op["ratio"] is not None:
                    ops.setdefault(op["label"], {})[(unit, s)] = op["ratio"]
    order = [op[0].format(size=stats.fmt_bytes(op[3])) for op in stats.OPERATIONS]
    labels = sorted(ops, key=lambda x: order.index(x) if x in order else len(order))
    cols, titles, panels = ["operation"], ["operation"], []
    for unit, _ in units:
        mine = [s for s in systems if any((unit, s) in ops[x] for x in labels)]
        if not mine:
            continue
        panels.append({"title": f"in {unit}", "ylabel": "micro median / mono median",
                       "first": len(cols) + 1, "last": len(cols) + len(mine), "rfirst": 0,
                       "rlast": len(labels) - 1, "logy": False, "hline": 1})
        cols += [f"{matrix.label(s)}/mono [{unit}]" for s in mine]
        titles += [matrix.label(s) for s in mine]
    keys = [(c.split(" [")[1][:-1], "micro-" + c.split("/")[0]) for c in cols[1:]]
    rows = [[x] + [ops[x].get(k, NAN) for k in keys] for x in labels]
    return extract.Extract(cols, rows, "x mono", panels=panels if rows else [], titles=titles)


# What a round trip is made of: (CSV column, event field, legend name).
IPC_SWITCHES = (("kernel entries", "kentries", "kernel entries"),
                ("switches", "switches", "thread switches"),
                ("scheduler", "sched_picks", "scheduler decisions (sched_pick)"),
                ("direct switches", "direct_switches", "direct switches to the partner"))
IPC_MOVES = {"reg": "in registers", "direct": "one copy, address space to address space",
             "kbuf_in": "copied into a kernel buffer", "kbuf_out": "copied out of a kernel buffer",
             "grant": "grant copy", "virt": "virtual copy (pages mapped)",
             "cow": "page copied on a write"}


def ipc_event_panels(results, size=8):
    """Per system, what the round trip at size is made of (per sample), in
    two bar panels: kernel entries and switches (scheduler decisions and
    direct switches to the partner), then message moves by kind (copies,
    not switches). A kind of move no system made is left out."""
    moves = tuple((f"moves {k.replace('_', ' ')}", f"copies_{k}", IPC_MOVES[k])
                  for k in parse.COPY_KINDS)
    seen = []
    for y in strategies.systems(results):
        r = strategies.find(results, y, "pingpong", "pipe" if y == "mono" else "call_replyrecv",
                            size, None)
        if r:
            seen.append((matrix.label(y), r.get("events") or {}))
    moves = tuple(m for m in moves if any(ev.get(m[1]) for _, ev in seen))
    fields = IPC_SWITCHES + moves
    rows = [[name] + [float(ev.get(f, 0)) for _, f, _ in fields] for name, ev in seen]
    cols = ["system"] + [c for c, _, _ in fields]
    titles = ["system"] + [t for _, _, t in fields]
    panels = [{"title": f"Kernel entries and thread switches per {stats.fmt_bytes(size)} round "
                        "trip", "ylabel": "per round trip", "first": 2,
               "last": 1 + len(IPC_SWITCHES), "rfirst": 0, "rlast": len(rows) - 1,
               "logy": False}]
    if moves:
        panels.append({"title": "Message moves per round trip, by kind (copies, not switches)",
                       "ylabel": "moves per round trip", "first": 2 + len(IPC_SWITCHES),
                       "last": len(cols), "rfirst": 0, "rlast": len(rows) - 1,
                       "logy": False})
    return extract.Extract(cols, rows, "events", panels=panels if rows else [], titles=titles)


def liedtke_panels(results):
    """Liedtke 1993 (L3 against Mach) in our terms (rows "both_all"): the l4
    and mach round trips against size, and mach over l4 at each size in the
    measured unit and in modeled cycles (when the run has them)."""
    measured = [r for r in results if r["unit"] != "modeled_cycles"]
    modeled = [r for r in results if r["unit"] == "modeled_cycles"]

    def by_size(rows, system):
        return {r["size"]: r["median"] for r in rows if stats.system(r) == system
                and r["workload"] == "pingpong" and r["variant"] == "call_replyrecv"
                and r["what"] == "round_trip" and r["size"] is not None}
    l4, mach = by_size(measured, "micro-l4"), by_size(measured, "micro-mach")
    if not (l4 and mach):
        return extract.Extract(["size"], [])
    unit = extract._units([r for r in measured if stats.system(r) in ("micro-l4", "micro-mach")])

    def over(a, b):
        return {s: a[s] / b[s] for s in a if s in b and b[s]}
    ratio = {f"mach / l4 [{unit}]": over(mach, l4)}
    ml4, mmach = by_size(modeled, "micro-l4"), by_size(modeled, "micro-mach")
    if ml4 and mmach:
        ratio["mach / l4 [modeled cycles]"] = over(mmach, ml4)
    out = extract._panels([("round trip", "round trip, median [{unit}]",
                            {"l4": l4, "mach": mach}),
                           ("mach over l4", "mach / l4 (same size, same unit)", ratio)],
                          set(l4) | set(mach), unit)
    out.panels[0]["logy"] = True
    out.panels[1].update(logy=False, hline=1)
    return out


def published_cycles(results, data):
    """Our modeled 8-byte round trips (rows "modeled_all": every strategy)
    beside the published kernels' round trips derived from their one-way
    cycle figures (report/published.json, scripts/mkb/published.py): one
    bar each, two colours; a published figure is on its own hardware."""
    rows = [[what, r["median"], NAN] for what, r in published.modeled_round_trips(results)]
    if not rows:
        return extract.Extract(["kernel"], [])
    rows += [[f"{k} ({cpu})", NAN, float(c)] for k, cpu, c, _ in
             published.derived_round_trips(data)]
    profile = next((r.get("profile") for r in results if r.get("profile")), "?")
    return extract.Extract(["kernel", "ours, modeled cycles", "published cycles"], rows,
                           "cycles", titles=["kernel", f"mkbench, modeled (profile {profile})",
                                             "published, derived round trip"])


# Queries that also need the published figures (report/published.json).
WITH_PUBLISHED = {"published_cycles"}
QUERIES = {"mode_panels": mode_panels, "ratio_bars_units": ratio_bars_units,
           "ratio_units_panels": ratio_units_panels,
           "ipc_size_panels": ipc_size_panels, "ipc_event_panels": ipc_event_panels,
           "liedtke_panels": liedtke_panels, "published_cycles": published_cycles,
           "app_overhead_panels": apps.overhead_panels, "app_size_panels": apps.size_panels}


def all_queries():
    """extract.QUERIES and these."""
    return dict(extract.QUERIES, **QUERIES)


def run_query(query, results, published_data=None):
    """Run a manifest query {"fn": name, ...args} over results."""
    args = {k: (tuple(v) if isinstance(v, list) else v) for k, v in query.items() if k != "fn"}
    if query["fn"] in WITH_PUBLISHED:
        args["data"] = published_data
    return all_queries()[query["fn"]](results, **args)
