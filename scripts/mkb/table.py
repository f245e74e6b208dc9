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


def comparison(results):
    """(headers, rows) of medians: mono, micro, micro/mono, linux.

    Only columns of modes that have results are shown; the unit of each
    column is in its header.
    """
    rows = stats.compare_rows(results)
    modes = [m for m in ("mono", "micro") if any(r[m] for r in rows)]
    has_linux = any(r["linux"] for r in rows)
    headers = ["workload", "variant", "size", "what"]
    headers += [f"{m} [{_unit(rows, m)}]" for m in modes]
    if len(modes) == 2:
        headers.append("micro/mono")
    if has_linux:
        headers.append(f"linux [{_unit(rows, 'linux')}]")
    out = []
    for r in rows:
        variant = r["variant"] + (f" ({r['shape']})" if r["shape"] else "")
        cells = [r["workload"], variant, stats.fmt_size(r["size"]), r["what"]]
        cells += [stats.fmt_num(r[m]["median"]) if r[m] else "-" for m in modes]
        if len(modes) == 2:
            cells.append(f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-")
        if has_linux:
            cells.append(stats.fmt_num(r["linux"]["median"]) if r["linux"] else "-")
        out.append(cells)
    return headers, out
