"""extract.py - the data queries behind each report figure.

Each query takes the run's results (data check "ok" only) and returns an
Extract: a wide table (first column x or category, one column per series)
that is written once as CSV and drawn from by both matplotlib and gnuplot.
report/figures.json names a query by its key in QUERIES plus arguments.
"""
import csv
import math

from . import stats

NAN = float("nan")


class Extract:
    """columns: header; rows: lists; unit: y unit; sizes: x values if any."""

    def __init__(self, columns, rows, unit="", sizes=None):
        self.columns, self.rows, self.unit, self.sizes = columns, rows, unit, sizes or []

    def empty(self):
        return not self.rows or len(self.columns) < 2

    def write_csv(self, path):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
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


def by_size(results, workload, what=None, modes=("mono", "micro")):
    """Median against size; one series per mode (and variant, shape)."""
    rs = [r for r in results if r["workload"] == workload and r["mode"] in modes
          and r["size"] is not None and (what is None or r["what"] == what)]
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


def mode_bars(results, workload=None, modes=("mono", "micro")):
    """Median per workload/variant (headline size), one column per mode."""
    rows = [r for r in stats.headline_rows(results)
            if workload is None or r["workload"] == workload]
    modes = [m for m in modes if any(r[m] for r in rows)]
    out = []
    for r in rows:
        if not any(r[m] for m in modes):
            continue
        any_r = next(r[m] for m in modes if r[m])
        out.append([stats.label(dict(any_r, variant=r["variant"], shape=r["shape"]))]
                   + [r[m]["median"] if r[m] else NAN for m in modes])
    used = [r[m] for r in rows for m in modes if r[m]]
    return Extract(["case"] + modes, out, _units(used))


def relative_to_null(results):
    """Each system's cost divided by its own null call (unitless)."""
    triples = stats.relative_to_null(results)
    modes = list(dict.fromkeys(m for m, _, _ in triples))
    order = {w: i for i, w in enumerate(stats.WORKLOAD_ORDER)}
    cases = sorted(dict.fromkeys(c for _, c, _ in triples),
                   key=lambda c: (order.get(c.split("/")[0], 9), c))
    value = {(m, c): v for m, c, v in triples}
    rows = [[c] + [value.get((m, c), NAN) for m in modes] for c in cases]
    return Extract(["case"] + modes, rows, "x null call")


def events(results, modes=("mono", "micro")):
    """Kernel events per operation at each workload's headline size."""
    out = []
    for r in stats.headline_rows(results):
        for m in modes:
            if r[m] and r[m].get("events"):
                ev = r[m]["events"]
                name = stats.label(dict(r[m], variant=r["variant"], shape=r["shape"]), False)
                out.append([f"{name} {m}"]
                           + [ev.get(e, NAN) for e in ("kentries", "switches", "as_switches")])
    return Extract(["case", "kentries", "switches", "as_switches"], out, "events per op")


QUERIES = {"by_size": by_size, "mode_bars": mode_bars,
           "relative_to_null": relative_to_null, "events": events}


def run_query(query, results):
    """Run a manifest query {"fn": name, ...args} over results."""
    args = {k: (tuple(v) if isinstance(v, list) else v)
            for k, v in query.items() if k != "fn"}
    return QUERIES[query["fn"]](results, **args)
