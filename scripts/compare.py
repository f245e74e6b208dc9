#!/usr/bin/env python3
"""compare.py - a table of deltas between two benchmark runs (A before, B after).

Rows pair on (mode, workload, variant, size, what, shape); the delta is of
the median, B - A, and in percent of A. Rows whose units differ (e.g. the
runs used different accelerators) are shown but not subtracted.
Exit status: 0 done, 1 unreadable run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, results, stats, table  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="Compare two runs: median deltas B - A.")
    p.add_argument("a", metavar="A", help="run directory before (e.g. results/20261124-101500)")
    p.add_argument("b", metavar="B", help="run directory after")
    p.add_argument("--html", metavar="FILE", help="also write the table as HTML")
    return p.parse_args(argv)


def delta_rows(run_a, run_b):
    """(headers, rows) of the comparison table."""
    def key(r):  # Linux rows also differ by CPU placement
        mode = r["mode"] + (f" cpus={r['cpus']}" if "cpus" in r else "")
        return (mode,) + stats.key_of(r)
    a = {key(r): r for r in run_a.ok_results()}
    b = {key(r): r for r in run_b.ok_results()}
    modes = stats.GUEST_MODES + ("linux",)
    keys = sorted(set(a) | set(b), key=lambda k: (
        stats.sort_key(k[1:]), modes.index(k[0].split()[0]) if k[0].split()[0] in modes
        else 9, k[0]))
    rows = []
    for k in keys:
        ra, rb = a.get(k), b.get(k)
        mode, workload, variant, size, what, shape = k
        unit = (ra or rb)["unit"]
        va = ra["median"] if ra else None
        vb = rb["median"] if rb else None
        if ra and rb and ra["unit"] != rb["unit"]:
            change, pct, unit = "units differ", "-", f"{ra['unit']}->{rb['unit']}"
        elif va is None or vb is None:
            change, pct = ("only in B" if va is None else "only in A"), "-"
        else:
            change = ("+" if vb > va else "") + stats.fmt_num(vb - va)
            pct = f"{100.0 * (vb - va) / va:+.1f}%" if va else "-"
        rows.append([mode, workload, variant + (f" ({shape})" if shape else ""),
                     stats.fmt_size(size), what, unit, stats.fmt_num(va),
                     stats.fmt_num(vb), change, pct])
    headers = ["mode", "workload", "variant", "size", "what", "unit",
               "A median", "B median", "B - A", "change"]
    return headers, rows


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run_a, run_b = results.load_run(args.a), results.load_run(args.b)
    except results.ResultsError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 1
    headers, rows = delta_rows(run_a, run_b)
    print(f"A = {run_a.run_id} ({run_a.meta.get('accel', '?')}), "
          f"B = {run_b.run_id} ({run_b.meta.get('accel', '?')})")
    print(table.render(headers, rows) if rows else "no results in either run")
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(f"<!DOCTYPE html><meta charset='utf-8'><title>compare {run_a.run_id} "
                    f"{run_b.run_id}</title>\n<h1>{run_a.run_id} (A) against "
                    f"{run_b.run_id} (B)</h1>\n{table.render_html(headers, rows)}\n")
        print(f"html: {args.html}")
    return 0


if __name__ == "__main__":
    cli.run(main)
