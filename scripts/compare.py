#!/usr/bin/env python3
"""compare.py - what changed between two benchmark runs (A before, B after)?

Rows pair on (system: mono, micro-<ipc>, linux; workload, variant, size,
what, shape, CPU placement, and measured or modeled); every unit is
compared, the cycle model's modeled cycles too. The delta is of the
median, B - A, and in percent of A. A row has moved when the change is
beyond what the runs themselves can tell apart:
  - exact units (instructions under icount, which repeat exactly, and the
    modeled cycles computed from them): any change;
  - noisy units (ns, cycles, tsc ticks): |B - A| above stddev A + stddev B,
    the two runs' own spread.
First comes a summary of the rows that moved, grouped by workload, the
guests (mono, micro) before the Linux host; rows whose units differ are
listed too. --rows common compares only the rows both runs have and
counts the others in one line (the default when one run's rows are a
subset of the other's, as after a narrowed run); --rows all lists the
rows found in one run only too (the default otherwise). --all adds the
full table.

Exit status: 0 nothing moved, 1 something moved (or, with --rows all, is
in one run only, or cannot be compared), 2 a run could not be read. (Make
reports any failing command as its own status 2: `make compare` exits 0
or 2, and its last line names compare.py's status.)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, matrix, model, results, stats, table  # noqa: E402

EXACT_UNITS = ("instructions", model.UNIT)
HEADERS = ["system", "workload", "variant", "size", "what", "unit", "A median", "B median",
           "B - A", "change"]


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", metavar="A", help="run directory before (e.g. results/reference)")
    p.add_argument("b", metavar="B", help="run directory after (e.g. results/latest)")
    p.add_argument("--all", action="store_true",
                   help="also print the full table of every row after the summary")
    p.add_argument("--html", metavar="FILE", help="also write the full table as HTML")
    p.add_argument("--rows", choices=("auto", "common", "all"), default="auto",
                   help="common: only rows both runs have; all: rows in one run only too; "
                        "auto (default): common when one run's rows are a subset of the other's")
    return p.parse_args(argv)


def _key(r):
    """A row's identity across runs: its system (micro-<ipc>: micro rows of
    runs older than the IPC strategies are the default's) and case."""
    system = stats.system(r) + (f" cpus={r['cpus']}" if "cpus" in r else "")
    if r["unit"] == model.UNIT:
        system += f" model={r.get('profile', '?')}"
    return (system,) + stats.key_of(r)


def _order(k):
    system = k[0].split()[0]
    host = system == "linux"
    order = matrix.all_systems() + list(matrix.LINUX_GUESTS) + ["linux"]
    return (host, stats.sort_key(k[1:]), order.index(system) if system in order else 99, k[0])


def moved(ra, rb):
    """(verdict, threshold) for a pair of results: verdict is "moved",
    "same", "only in A", "only in B" or "units differ"."""
    if ra is None or rb is None:
        return ("only in B" if ra is None else "only in A"), None
    if ra["unit"] != rb["unit"]:
        return "units differ", None
    limit = 0 if ra["unit"] in EXACT_UNITS else ra["stddev"] + rb["stddev"]
    return ("moved" if abs(rb["median"] - ra["median"]) > limit else "same"), limit


def _rows(run):
    return {_key(r): r for r in run.ok_results() + run.modeled_results()}


def pairs(run_a, run_b, rows="all"):
    """[(key, A result or None, B result or None, verdict)] in display order;
    rows "common": only the keys both runs have."""
    a, b = _rows(run_a), _rows(run_b)
    keys = set(a) & set(b) if rows == "common" else set(a) | set(b)
    return [(k, a.get(k), b.get(k), moved(a.get(k), b.get(k))[0])
            for k in sorted(keys, key=_order)]


def row_choice(run_a, run_b, rows):
    """"common" or "all": --rows, or for auto, common when one run's rows
    are a subset of the other's."""
    if rows != "auto":
        return rows
    a, b = set(_rows(run_a)), set(_rows(run_b))
    return "common" if a and b and (a <= b or b <= a) else "all"


def row_cells(k, ra, rb, verdict):
    mode, workload, variant, size, what, shape = k
    unit = (ra or rb)["unit"]
    va = ra["median"] if ra else None
    vb = rb["median"] if rb else None
    if verdict == "units differ":
        change, pct, unit = "units differ", "-", f"{ra['unit']}->{rb['unit']}"
    elif va is None or vb is None:
        change, pct = verdict, "-"
    else:
        change = ("+" if vb > va else "") + stats.fmt_num(vb - va)
        pct = f"{100.0 * (vb - va) / va:+.1f}%" if va else "-"
    return [mode, workload, variant + (f" ({shape})" if shape else ""), stats.fmt_size(size),
            what, unit, stats.fmt_num(va), stats.fmt_num(vb), change, pct]


def delta_rows(run_a, run_b):
    """(headers, rows) of the full comparison table."""
    return HEADERS, [row_cells(*p) for p in pairs(run_a, run_b)]


def summary(ps):
    """The summary text: changed rows grouped by workload, guests first."""
    changed = [p for p in ps if p[3] != "same"]
    if not changed:
        return f"nothing moved: all {len(ps)} rows are the same within the threshold"
    out = [f"{len(changed)} of {len(ps)} rows changed"]
    groups = {}
    for k, ra, rb, verdict in changed:
        host = k[0].split()[0] == "linux"
        groups.setdefault((host, k[1]), []).append(row_cells(k, ra, rb, verdict))
    for (host, workload), rows in groups.items():
        out += ["", f"{workload} ({'Linux host' if host else 'guests'}): {len(rows)} changed",
                table.render([h for h in HEADERS if h != "workload"],
                             [r[:1] + r[2:] for r in rows])]
    return "\n".join(out)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run_a, run_b = results.load_run(args.a), results.load_run(args.b)
    except results.ResultsError as e:
        print(f"compare.py: {e}\ncompare.py: exit 2 (a run could not be read)", file=sys.stderr)
        return 2
    rows = row_choice(run_a, run_b, args.rows)
    ps = pairs(run_a, run_b, rows)
    print(f"A = {run_a.run_id} ({run_a.meta.get('accel', 'accelerator not recorded')}), "
          f"B = {run_b.run_id} ({run_b.meta.get('accel', 'accelerator not recorded')})")
    print("threshold: instructions (icount, exact) and modeled cycles: any change; ns, cycles, "
          "tsc ticks: beyond stddev A + stddev B")
    if rows == "common":
        a, b = set(_rows(run_a)), set(_rows(run_b))
        why = "" if args.rows == "common" else " (one run's rows are a subset of the other's)"
        print(f"rows both runs have: {len(a & b)}; left out{why}: {len(a - b)} only in A, "
              f"{len(b - a)} only in B (--rows all lists them)")
    print()
    print(summary(ps) if ps else "no results in either run")
    headers, rows = HEADERS, [row_cells(*p) for p in ps]
    if args.all and rows:
        print("\nAll rows\n" + table.render(headers, rows))
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(f"<!DOCTYPE html><meta charset='utf-8'><title>compare {run_a.run_id} "
                    f"{run_b.run_id}</title>\n<h1>{run_a.run_id} (A) against "
                    f"{run_b.run_id} (B)</h1>\n{table.render_html(headers, rows)}\n")
        print(f"html: {args.html}")
    status = 1 if any(p[3] != "same" for p in ps) else 0
    if status:
        print("\ncompare.py: exit 1 (something moved)")
    return status


if __name__ == "__main__":
    cli.run(main)
