"""table.py - plain-text tables for the terminal (and their HTML twin).

render() aligns columns; numbers right, text left. The mono/micro/linux
comparison table used by bench.py and report.py is built here too.
"""
import html

from . import stats


def render(headers, rows):
    """Rows (lists of str) under headers as an aligned text table."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def fmt(cells):
        out = []
        for c, w in zip(cells, widths):
            c = str(c)
            out.append(c.rjust(w) if _numeric(c) else c.ljust(w))
        return "  ".join(out).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    return "\n".join(lines + [fmt(r) for r in rows])


def render_html(headers, rows, cls="data"):
    """The same table as an HTML <table>."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="{"num" if _numeric(str(c)) else "txt"}">{html.escape(str(c))}</td>'
        for c in r) + "</tr>\n" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>'


def _numeric(s):
    try:
        float(s.rstrip("xK%"))
        return True
    except ValueError:
        return s == "-"


def _unit(rows, mode):
    units = {r[mode]["unit"] for r in rows if r[mode]}
    return "/".join(sorted(units)) or "?"


def _alt_unit(rows, shape):
    units = {r["alt"][shape]["unit"] for r in rows if shape in r["alt"]}
    return "/".join(sorted(units)) or "?"


def _x(v):
    return f"{v:.2f}x" if v is not None else "-"


def _med(r):
    return stats.fmt_num(r["median"]) if r else "-"


def comparison(results):
    """(headers, rows) of medians: mono, micro, micro/mono, other micro
    shapes, linux.

    Only columns of modes that have results are shown; the unit of each
    column is in its header. A shaped workload (micro fileio) has one row:
    the micro column is its primary shape ("fs", named in the variant
    cell); each other shape ("fs+blk") gets a column and its ratio to mono.
    """
    rows = stats.compare_rows(results)
    modes = [m for m in ("mono", "micro") if any(r[m] for r in rows)]
    alts = stats.alt_shapes(rows)
    has_linux = any(r["linux"] for r in rows)
    headers = ["workload", "variant", "size", "what"]
    headers += [f"{m} [{_unit(rows, m)}]" for m in modes]
    if len(modes) == 2:
        headers.append("micro/mono")
    for a in alts:
        headers.append(f"micro {a} [{_alt_unit(rows, a)}]")
        if "mono" in modes:
            headers.append(f"{a}/mono")
    if has_linux:
        headers.append(f"linux [{_unit(rows, 'linux')}]")
    out = []
    for r in rows:
        variant = r["variant"] + (f" (micro {r['shape']})" if r["shape"] else "")
        cells = [r["workload"], variant, stats.fmt_size(r["size"]), r["what"]]
        cells += [_med(r[m]) for m in modes]
        if len(modes) == 2:
            cells.append(_x(r["ratio"]))
        for a in alts:
            cells.append(_med(r["alt"].get(a)))
            if "mono" in modes:
                cells.append(_x(r["alt_ratio"].get(a)))
        if has_linux:
            cells.append(_med(r["linux"]))
        out.append(cells)
    return headers, out


def _case(row):
    """"pipe / call_replyrecv 8" or "seq_read 4K (micro fs)" for a headline row."""
    names = list(dict.fromkeys(row[m]["variant"] for m in ("mono", "micro") if row[m]))
    if not names and row["linux"]:
        names = [row["linux"]["variant"]]
    s = " / ".join(names)
    if row["size"] is not None:
        s += " " + stats.fmt_size(row["size"])
    return s + (f" (micro {row['shape']})" if row["shape"] else "")


def headline(results, compact=False):
    """(headers, rows): one representative case per workload (stats.HEADLINE)
    with its micro/mono ratio and, per mode, the kernel events per
    operation that explain it (kentries, switches, as_switches,
    bytes_copied); other micro shapes and Linux beside when present.
    compact: the four events of a mode in one "a/b/c/d" cell (terminal)."""
    rows = stats.headline(results)
    alts = sorted({a for r in rows for a in r["alt"]})
    has_linux = any(r["linux"] for r in rows)
    headers = ["workload", "case", "what", f"mono [{_unit(rows, 'mono')}]",
               f"micro [{_unit(rows, 'micro')}]", "micro/mono"]
    for a in alts:
        headers += [f"micro {a} [{_alt_unit(rows, a)}]", f"{a}/mono"]
    if compact:
        headers += [f"{m} events [{'/'.join(stats.EVENTS)}]" for m in ("mono", "micro")]
    else:
        headers += [f"{e} {m}" for e in stats.EVENTS for m in ("mono", "micro")]
    if has_linux:
        headers += ["linux case", f"linux [{_unit(rows, 'linux')}]"]
    out = []
    for r in rows:
        cells = [r["workload"], _case(r), r["what"], _med(r["mono"]), _med(r["micro"]),
                 _x(r["ratio"])]
        for a in alts:
            cells += [_med(r["alt"].get(a)), _x(r["alt_ratio"].get(a))]
        ev = {m: (r[m] or {}).get("events") or {} for m in ("mono", "micro")}
        if compact:
            cells += ["/".join(stats.fmt_num(ev[m].get(e)) for e in stats.EVENTS)
                      if ev[m] else "-" for m in ("mono", "micro")]
        else:
            cells += [stats.fmt_num(ev[m].get(e)) for e in stats.EVENTS
                      for m in ("mono", "micro")]
        if has_linux:
            lx = r["linux"]
            case = lx and lx["variant"] + ("" if lx["size"] is None
                                           else " " + stats.fmt_size(lx["size"]))
            cells += [case or "-", _med(lx)]
        out.append(cells)
    return headers, out
