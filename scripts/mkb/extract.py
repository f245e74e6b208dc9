"""extract.py - the data queries behind each report figure.

Each query takes the run's results (data check "ok" only) and returns an
Extract: a wide table (first column x or category, one column per series)
that is written once as CSV and drawn from by both matplotlib and gnuplot.
report/figures.json names a query by its key in QUERIES plus arguments.
"""
import csv
import math

from . import parse, stats, strategies

NAN = float("nan")


class Extract:
    """columns: header; rows: lists; unit: y unit; sizes: x values if any.

    panels (kind "panels" only): [{"title", "ylabel", "first", "last"}],
    each panel drawing CSV columns first..last (1-based, as gnuplot counts)
    against column 1; titles: the legend name of every column.
    """

    def __init__(self, columns, rows, unit="", sizes=None, panels=None, titles=None):
        self.columns, self.rows, self.unit, self.sizes = columns, rows, unit, sizes or []
        self.panels, self.titles = panels or [], titles or list(columns)

    def empty(self):
        return not self.rows or len(self.columns) < 2

    def write_csv(self, path):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(self.columns)
            for row in self.rows:
                w.writerow(["NaN" if isinstance(v, float) and math.isnan(v) else v
                            for v in row])


def _units(rs):
    return "/".join(sorted({r["unit"] for r in rs}))


def _series_name(r, variants):
    name = r["mode"]
    if len(variants[r["mode"]]) > 1:
        name += " " + r["variant"]
    if r.get("shape"):
        name += " " + r["shape"]
    return name


def _sized(results, workload, what=None, modes=("mono", "micro"), variant=None):
    return [r for r in results if r["workload"] == workload and r["mode"] in modes
            and r["size"] is not None and (what is None or r["what"] == what)
            and (variant is None or r["variant"] == variant)]


def by_size(results, workload, what=None, modes=("mono", "micro"), variant=None):
    """Median against size; one series per mode (and variant, shape)."""
    rs = _sized(results, workload, what, modes, variant)
    variants = {m: {r["variant"] for r in rs if r["mode"] == m} for m in modes}
    series, points = [], {}
    for r in sorted(rs, key=lambda r: (modes.index(r["mode"]), r["variant"],
                                       r.get("shape") or "")):
        name = _series_name(r, variants)
        if name not in series:
            series.append(name)
        points[(name, r["size"])] = r["median"]
    sizes = sorted({r["size"] for r in rs})
    rows = [[s] + [points.get((n, s), NAN) for n in series] for s in sizes]
    return Extract(["size"] + series, rows, _units(rs), sizes)


def unit_one(unit):
    """The singular of a unit for "bytes per ..." labels."""
    return {"instructions": "instruction", "cycles": "cycle",
            "tsc_ticks": "tsc tick"}.get(unit, unit)


def _panels(groups, xs, unit):
    """An Extract of panels from groups [(title, ylabel, {series: {x: y}})]."""
    columns, titles, panels = ["size"], ["size"], []
    for title, ylabel, series in groups:
        series = {n: pts for n, pts in series.items() if pts}
        if not series:
            continue
        panels.append({"title": title, "ylabel": ylabel, "first": len(columns) + 1,
                       "last": len(columns) + len(series)})
        for name in series:
            columns.append(f"{title}: {name}")
            titles.append(name)
    sizes = sorted(xs)
    cols = [(g[2], n) for g in groups for n in g[2] if g[2][n]]
    rows = [[x] + [pts.get(n, {}).get(x, NAN) for pts, n in cols] for x in sizes]
    return Extract(columns, rows, unit, sizes, panels, titles)


def _series(rs, modes):
    """{series name: {size: median}} in mode, variant, shape order."""
    variants = {m: {r["variant"] for r in rs if r["mode"] == m} for m in modes}
    out = {}
    for r in sorted(rs, key=lambda r: (modes.index(r["mode"]), r["variant"],
                                       r.get("shape") or "")):
        out.setdefault(_series_name(r, variants), {})[r["size"]] = r["median"]
    return out


def size_panels(results, workload, what=None, modes=("mono", "micro"), variants=None):
    """Median against size, one panel per sized variant (in variants order
    if given), one line per mode and micro shape in each."""
    rs = _sized(results, workload, what, modes)
    names = list(variants) if variants else sorted({r["variant"] for r in rs})
    names += sorted({r["variant"] for r in rs} - set(names))
    groups = []
    for v in names:
        mine = [r for r in rs if r["variant"] == v]
        ylabel = f"{mine[0]['what'] if mine else 'per op'}, median [{{unit}}]"
        groups.append((v, ylabel, _series([dict(r, variant=v) for r in mine], modes)))
    return _panels(groups, {r["size"] for r in rs}, _units(rs))


def throughput_panels(results, workload, what=None, modes=("mono", "micro")):
    """Two panels against size: median cost per operation, and throughput
    in bytes per unit (size / median)."""
    rs = _sized(results, workload, what, modes)
    cost = _series(rs, modes)
    rate = {n: {x: (x / y if y else NAN) for x, y in pts.items()} for n, pts in cost.items()}
    unit = _units(rs)
    what = "/".join(sorted({r["what"] for r in rs})) or "per op"
    groups = [(f"cost ({what})", f"{what}, median [{{unit}}]", cost),
              ("throughput", f"bytes per {unit_one(unit) or '?'} (size / median)", rate)]
    return _panels(groups, {r["size"] for r in rs}, unit)


def mode_bars(results, workload=None, modes=("mono", "micro")):
    """Median per workload/variant (headline size), one column per mode,
    plus one per other micro shape (micro fs+blk)."""
    rows = [r for r in stats.headline_rows(results)
            if workload is None or r["workload"] == workload]
    modes = [m for m in modes if any(r[m] for r in rows)]
    alts = stats.alt_shapes(rows)
    out = []
    for r in rows:
        if not any(r[m] for m in modes) and not r["alt"]:
            continue
        any_r = next((r[m] for m in modes if r[m]), None) or next(iter(r["alt"].values()))
        out.append([stats.label(dict(any_r, variant=r["variant"], shape=None))]
                   + [r[m]["median"] if r[m] else NAN for m in modes]
                   + [r["alt"][a]["median"] if a in r["alt"] else NAN for a in alts])
    used = [r[m] for r in rows for m in modes if r[m]]
    return Extract(["case"] + modes + [f"micro {a}" for a in alts], out, _units(used))


def ratio_bars(results):
    """micro median / mono median per comparable operation (stats.OPERATIONS,
    short label with its size): one column for the micro primary shape, one
    per other shape (micro fs+blk). Both kernels count in one unit, so the
    ratio is exact; the Linux host, in another unit, is left out."""
    ops = [op for op in stats.operations(results) if op["ratio"] is not None
           or any(x is not None for x in op["alt_ratio"].values())]
    alts = sorted({a for op in ops for a in op["alt_ratio"]})

    def num(x):
        return NAN if x is None else x
    rows = [[op["label"], num(op["ratio"])] + [num(op["alt_ratio"].get(a)) for a in alts]
            for op in ops]
    return Extract(["operation", "micro/mono"] + [f"micro {a}/mono" for a in alts], rows,
                   "x mono")


def events(results, modes=("mono", "micro")):
    """Kernel events per operation of the headline cases (stats.headline):
    one bar group per case and mode (and other micro shape)."""
    out = []
    for r in stats.headline(results):
        case = r["workload"] + ("" if r["size"] is None else " " + stats.fmt_bytes(r["size"]))
        cases = [(m, r[m]) for m in modes] + [(f"micro {a}", x) for a, x in r["alt"].items()]
        for m, x in cases:
            if x and x.get("events"):
                ev = x["events"]
                out.append([f"{case}, {m}"]
                           + [ev.get(e, NAN) for e in ("kentries", "switches", "as_switches")])
    return Extract(["case", "kentries", "switches", "as_switches"], out, "events per op",
                   titles=["case", "kernel entries", "thread switches",
                           "address-space switches"])


def ipc_by_size(results, workload="pingpong", what="round_trip"):
    """Round trip against size, one series per system: mono's pipe and
    each micro IPC strategy's call (every strategy runs the same code)."""
    ys = strategies.systems(results)
    rs = [r for r in results if r["workload"] == workload and r["what"] == what
          and r["size"] is not None and stats.system(r) in ys
          and r["variant"] == ("pipe" if r["mode"] == "mono" else "call_replyrecv")]
    names = [y.replace("micro-", "micro ") for y in ys if any(stats.system(r) == y for r in rs)]
    points = {(stats.system(r).replace("micro-", "micro "), r["size"]): r["median"] for r in rs}
    sizes = sorted({r["size"] for r in rs})
    rows = [[s] + [points.get((n, s), NAN) for n in names] for s in sizes]
    return Extract(["size"] + names, rows, _units(rs), sizes)


def ipc_events(results, size=8):
    """Per system, what the round trip at size is made of (per sample):
    kernel entries, switches, scheduler decisions, direct switches and
    message moves by kind."""
    fields = ("kentries", "switches", "sched_picks", "direct_switches") + tuple(
        f"copies_{k}" for k in parse.COPY_KINDS)
    out, used = [], []
    for y in strategies.systems(results):
        r = strategies.find(results, y, "pingpong", "pipe" if y == "mono" else "call_replyrecv",
                            size, None)
        if r:
            used.append(r)
            ev = r.get("events") or {}
            out.append([y.replace("micro-", "")] + [ev.get(f, 0) for f in fields])
    cols = ["system", "kernel entries", "switches", "scheduler", "direct"] + [
        f"moves {k.replace('_', ' ')}" for k in parse.COPY_KINDS]
    return Extract(cols, out, "events")


def ratio_units(results):
    """micro/mono per comparable operation in the measured unit beside the
    same ratio in modeled cycles (rows "both": measured and modeled)."""
    measured = [r for r in results if r["unit"] != "modeled_cycles"]
    modeled = [r for r in results if r["unit"] == "modeled_cycles"]
    b = {op["label"]: op for op in stats.operations(modeled)}
    rows = []
    for op in stats.operations(measured):
        other = b.get(op["label"])
        if op["ratio"] is None or not other or other["ratio"] is None:
            continue
        rows.append([op["label"], op["ratio"], other["ratio"]])
    unit = _units([r for r in measured if r["mode"] != "linux"])
    return Extract(["operation", f"micro/mono [{unit}]", "micro/mono [modeled cycles]"], rows,
                   "x mono")


MODEL_PARTS = (("base_cycles", "instructions"), ("kentry_cycles", "kernel entry/exit"),
               ("cr3_cycles", "CR3 writes"), ("copy_cycles", "rep movs/stos"),
               ("tlb_cycles", "TLB refills"), ("cache_cycles", "cache misses"))


def model_breakdown(results):
    """Modeled cycles per sample of the headline cases by what they went
    on (rows "modeled"): one bar group per case and mode."""
    out = []
    for r in stats.headline(results):
        case = r["workload"] + ("" if r["size"] is None else " " + stats.fmt_bytes(r["size"]))
        for m, x in [(m, r[m]) for m in ("mono", "micro")] + [(f"micro {a}", x)
                                                              for a, x in r["alt"].items()]:
            if x and x.get("events"):
                out.append([f"{case}, {m}"] + [x["events"].get(k, NAN) for k, _ in MODEL_PARTS])
    return Extract(["case"] + [k for k, _ in MODEL_PARTS], out, "modeled_cycles",
                   titles=["case"] + [t for _, t in MODEL_PARTS])


def fault_benefit(rows):
    """The benefit beside the price per kernel (rows "faults": the latest
    fault campaign's configurations, each with this run's price): failures
    contained per 100 faults, and the median micro/mono of the headline
    cases in percent of mono (mono: 100)."""
    out = [[r["kernel"], r["contained"], r["price"]] for r in rows]
    return Extract(["kernel", "failures contained per 100 faults",
                    "price: headline cost, % of mono (median)"], out, "percent")


QUERIES = {"ratio_units": ratio_units, "fault_benefit": fault_benefit, "model_breakdown": model_breakdown,
           "by_size": by_size, "ipc_by_size": ipc_by_size, "ipc_events": ipc_events,
           "mode_bars": mode_bars, "size_panels": size_panels, "throughput_panels": throughput_panels,
           "ratio_bars": ratio_bars, "events": events}


def run_query(query, results):
    """Run a manifest query {"fn": name, ...args} over results."""
    args = {k: (tuple(v) if isinstance(v, list) else v)
            for k, v in query.items() if k != "fn"}
    return QUERIES[query["fn"]](results, **args)
