"""table.py - plain-text tables for the terminal (and their HTML twin).

render() aligns columns; numbers right, text left. The mono/micro/linux
comparison table used by bench.py and report.py is built here too, and
the terminal summary (terminal()) that fits 120 columns: the units, the
headline, the kernel events of the headline cases and one line per
workload; the full tables go to the run directory (table.txt) and the
report.
"""
import html
import statistics

from . import bands, stats


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
        f'<td class="{"num" if _numeric(str(c)) else "txt"}">{_cell_html(c)}</td>'
        for c in r) + "</tr>\n" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>'


def _cell_html(c):
    """A cell's text, escaped; a web address may break after each "/" so a
    long one wraps instead of widening the table past the page."""
    text = html.escape(str(c))
    return text.replace("/", "/<wbr>") if "://" in text else text


def _numeric(s):
    try:
        float(s.rstrip("xK%"))
        return True
    except ValueError:
        return s == "-"


def _unit(rows, mode):
    units = {r[mode]["unit"] for r in rows if r[mode]}
    return "/".join(sorted(units)) or "no results"


def _alt_unit(rows, shape):
    units = {r["alt"][shape]["unit"] for r in rows if shape in r["alt"]}
    return "/".join(sorted(units)) or "no results"


def _x(v):
    return f"{v:.2f}x" if v is not None else "-"


def _med(r):
    return stats.fmt_num(r["median"]) if r else "-"


def _mb(r):
    """_med, and for a modeled row its band over the profile's ranges."""
    return bands.figure_text(r, _med)


def _xb(num, den, value):
    """_x(value) of num/den, and for modeled rows its band."""
    return bands.ratio_text(num, den, value, _x)


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
        cells += [_mb(r[m]) for m in modes]
        if len(modes) == 2:
            cells.append(_xb(r["micro"], r["mono"], r["ratio"]))
        for a in alts:
            cells.append(_mb(r["alt"].get(a)))
            if "mono" in modes:
                cells.append(_xb(r["alt"].get(a), r["mono"], r["alt_ratio"].get(a)))
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
    bytes_copied); other micro shapes and Linux beside when present. Only
    the kernels with results get columns.
    compact: the four events of a mode in one "a/b/c/d" cell (terminal)."""
    rows = stats.headline(results)
    modes = [m for m in ("mono", "micro") if any(r[m] for r in rows)]
    both = len(modes) == 2
    alts = sorted({a for r in rows for a in r["alt"]})
    has_linux = any(r["linux"] for r in rows)
    headers = ["workload", "case", "what"] + [f"{m} [{_unit(rows, m)}]" for m in modes]
    headers += ["micro/mono"] if both else []
    for a in alts:
        headers += [f"micro {a} [{_alt_unit(rows, a)}]"] + ([f"{a}/mono"] if "mono" in modes else [])
    if compact:
        headers += [f"{m} events [{'/'.join(stats.EVENTS)}]" for m in modes]
    else:
        headers += [f"{e} {m}" for e in stats.EVENTS for m in modes]
    if has_linux:
        headers += ["linux case", f"linux [{_unit(rows, 'linux')}]"]
    out = []
    for r in rows:
        cells = [r["workload"], _case(r), r["what"]] + [_med(r[m]) for m in modes]
        cells += [_x(r["ratio"])] if both else []
        for a in alts:
            cells += [_med(r["alt"].get(a))] + ([_x(r["alt_ratio"].get(a))] if "mono" in modes else [])
        ev = {m: (r[m] or {}).get("events") or {} for m in modes}
        if compact:
            cells += ["/".join(stats.fmt_num(ev[m].get(e)) for e in stats.EVENTS)
                      if ev[m] else "-" for m in modes]
        else:
            cells += [stats.fmt_num(ev[m].get(e)) for e in stats.EVENTS for m in modes]
        if has_linux:
            lx = r["linux"]
            case = lx and lx["variant"] + ("" if lx["size"] is None
                                           else " " + stats.fmt_size(lx["size"]))
            cells += [case or "-", _med(lx)]
        out.append(cells)
    return headers, out


# What one unit is, in words (the terminal's units line and the report).
UNIT_WORDS = {
    "instructions": "guest instructions (QEMU icount: exact and repeatable; not cycles)",
    "tsc_ticks": "emulated TSC ticks (QEMU tcg: host-speed dependent, noisy)",
    "cycles": "CPU cycles (KVM)",
    "ns": "nanoseconds (Linux host)",
    "modeled_cycles": "modeled cycles (the cycle model, bench/model/: a model, not a measurement)",
}
MODE_ORDER = ("mono", "micro", "linux")
EVENT_WORDS = "kernel entries / thread switches / address-space switches / bytes copied"


def units_note(results):
    """"mono, micro: guest instructions (...); linux: nanoseconds (...)"."""
    by_unit = {}
    for r in results:
        by_unit.setdefault(r["unit"], set()).add(r["mode"])
    order = {m: i for i, m in enumerate(MODE_ORDER)}
    parts = sorted((sorted(ms, key=lambda m: order.get(m, 9)), u) for u, ms in by_unit.items())
    parts.sort(key=lambda p: order.get(p[0][0], 9))
    return "; ".join(f"{', '.join(ms)}: {UNIT_WORDS.get(u, u)}" for ms, u in parts)


def brief_headline(results):
    """(headers, rows): the headline without events, for the terminal.
    Columns only for modes (and micro shapes) that have results; the unit
    of each column is in units_note()."""
    rows = stats.headline(results)
    modes = [m for m in ("mono", "micro") if any(r[m] for r in rows)]
    alts = sorted({a for r in rows for a in r["alt"]})
    has_linux = any(r["linux"] for r in rows)
    headers = ["workload", "case", "what"] + modes
    headers += ["micro/mono"] if len(modes) == 2 else []
    for a in alts:
        headers += [f"micro {a}"] + ([f"{a}/mono"] if "mono" in modes else [])
    headers += ["linux case", "linux"] if has_linux else []
    out = []
    for r in rows:
        case = _case(dict(r, shape="")) if (r["mono"] or r["micro"]) else "-"
        cells = [r["workload"], case, r["what"]] + [_mb(r[m]) for m in modes]
        cells += [_xb(r["micro"], r["mono"], r["ratio"])] if len(modes) == 2 else []
        for a in alts:
            cells += [_mb(r["alt"].get(a))]
            cells += [_xb(r["alt"].get(a), r["mono"], r["alt_ratio"].get(a))] if "mono" in modes else []
        if has_linux:
            lx = r["linux"]
            cells += [lx["variant"] + ("" if lx["size"] is None else " " + stats.fmt_size(
                lx["size"])) if lx else "-", _med(lx)]
        out.append(cells)
    return headers, out


def brief_events(results):
    """(headers, rows): kernel events per operation of the headline cases."""
    rows = [r for r in stats.headline(results) if r["mono"] or r["micro"]]
    cases = [(m, lambda r, m=m: r[m]) for m in ("mono", "micro")]
    cases += [(f"micro {a}", lambda r, a=a: r["alt"].get(a))
              for a in sorted({a for r in rows for a in r["alt"]})]
    cases = [(name, get) for name, get in cases
             if any((get(r) or {}).get("events") for r in rows)]
    headers = ["workload", "case"] + [name for name, _ in cases]
    out = []
    for r in rows:
        cells = [r["workload"], _case(dict(r, shape=""))]
        for _, get in cases:
            ev = (get(r) or {}).get("events") or {}
            cells.append("/".join(stats.fmt_num(ev.get(e)) for e in stats.EVENTS)
                         if ev else "-")
        out.append(cells)
    return headers, out


def workload_summary(results):
    """(headers, rows): per workload (and micro shape), how many cases each
    mode ran and the spread of micro/mono over the paired cases, with the
    cheapest and dearest case for micro."""
    rows = stats.compare_rows(results)
    headers = ["workload", "results mono/micro/linux", "vs mono", "pairs",
               "min", "median", "max", "micro cheapest", "micro dearest"]
    out = []
    for w in dict.fromkeys(r["workload"] for r in rows):
        mine = [r for r in rows if r["workload"] == w]
        counts = "/".join(str(sum(1 for r in mine for x in _all(r, m) if x))
                          for m in MODE_ORDER)
        series = [("micro", [(r, r["ratio"]) for r in mine])]
        series += [(f"micro {a}", [(r, r["alt_ratio"].get(a)) for r in mine])
                   for a in stats.alt_shapes(mine)]
        first = True
        for name, pairs in series:
            pairs = [(r, x) for r, x in pairs if x is not None]
            cells = [w if first else "", counts if first else "", name, str(len(pairs))]
            if pairs:
                xs = [x for _, x in pairs]
                lo = min(pairs, key=lambda p: p[1])[0]
                hi = max(pairs, key=lambda p: p[1])[0]
                cells += [_x(min(xs)), _x(statistics.median(xs)), _x(max(xs)),
                          _short(lo), _short(hi)]
            else:
                cells += ["-"] * 5
            out.append(cells)
            first = False
    if all(r[3] == "0" for r in out):  # nothing to divide: the counts alone
        return headers[:2], [r[:2] for r in out if r[0]]
    return headers, out


def _wrap(text, width):
    """text in lines of at most width characters."""
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return "\n".join(lines + [cur])


def _all(row, mode):
    return [row[mode]] + (list(row["alt"].values()) if mode == "micro" else [])


def _short(row):
    """A case named briefly: "call_replyrecv 8", "open_close"."""
    v = row["variant"].split(" / ")[-1]
    return v + ("" if row["size"] is None else " " + stats.fmt_size(row["size"]))


def mechanisms_note(results):
    """What the pingpong headline row compares, with the counts behind it,
    and mono's other channel (mq) beside; "" without both kernels' rows."""
    row = next((r for r in stats.headline(results) if r["workload"] == "pingpong"), None)
    if not row or not row["mono"] or not row["micro"]:
        return ""
    ev = {m: row[m].get("events") or {} for m in ("mono", "micro")}

    def n(m, e):
        return stats.fmt_num(ev[m].get(e))
    mq = next((r for r in results if r["mode"] == "mono" and r["workload"] == "pingpong"
               and r["variant"] == "mq" and r["size"] == row["size"]), None)
    note = (f"pingpong compares each kernel's own mechanism: mono a packet pipe "
            f"({n('mono', 'kentries')} kernel entries, {n('mono', 'bytes_copied')} bytes "
            f"copied per round trip), micro call/reply_recv ({n('micro', 'kentries')} "
            f"entries, {n('micro', 'bytes_copied')} bytes copied). Mono has no "
            "synchronous call")
    if mq:
        note += (f"; its message queue, the other channel it has, takes "
                 f"{stats.fmt_num(mq['median'])} for the same round trip")
    return note + "."


# A run with at most this many cases (a narrowed one) shows them all in
# the terminal; a longer one leaves them to table.txt.
ALL_ROWS_SHOWN = 30


def micro_name(results):
    """"micro is micro-l4" for the micro rows of a comparable() set, or ""."""
    ran = stats.micro_strategies(results)
    return f"micro is micro-{'/'.join(ran)}" if ran else ""


def strategy_ratios(every):
    """(headers, rows): micro/mono of each headline case for every micro
    strategy that ran (one column each), in the run's unit; empty without
    mono rows or with fewer than two strategies."""
    ipcs = stats.micro_strategies(every)
    if len(ipcs) < 2 or not any(r["mode"] == "mono" for r in every):
        return [], []
    per = {i: {r["workload"]: r for r in stats.headline(stats.comparable(every, i))}
           for i in ipcs}
    unit = "/".join(sorted({r["unit"] for r in every if r["mode"] != "linux"}))
    headers = ["workload", "case", f"mono [{unit}]"] + [f"{i}/mono" for i in ipcs]
    rows = []
    for w in dict.fromkeys(r["workload"] for rs in per.values() for r in rs.values()):
        first = next(per[i][w] for i in ipcs if w in per[i])
        if not first["mono"]:
            continue
        rows.append([w, _case(dict(first, shape="")), _med(first["mono"])]
                    + [_x(per[i][w]["ratio"]) if w in per[i] else "-" for i in ipcs])
    return headers, rows


def terminal(results, every=None):
    """The end-of-run summary for the terminal: units, headline, events of
    the headline cases, one line per workload; fits 120 columns. results:
    a comparable() set (one micro strategy); every: all the run's rows,
    for micro/mono of each strategy when several ran."""
    if not results:
        return "no results"
    parts = [f"Units: {units_note(results)}."]
    h = brief_headline(results)
    who = micro_name(results)
    if h[1]:
        parts += ["", f"Headline: one case per workload (medians{'; ' + who if who else ''}; "
                  "micro fileio: fs shape, fs+blk beside)", render(*h)]
        note = mechanisms_note(results)
        if note:
            parts += ["", _wrap(note, 120)]
    e = brief_events(results)
    if e[1] and len(e[0]) > 2:
        parts += ["", f"Kernel events per operation of those cases ({EVENT_WORDS})",
                  render(*e)]
    s = workload_summary(results)
    if s[1]:
        title = (f"micro/mono of the medians over every case both ran ({who})" if len(s[0]) > 2
                 else "how many results each mode has (no case ran in both kernels)")
        parts += ["", f"Per workload: {title}", render(*s)]
    r = strategy_ratios(every or [])
    if r[1]:
        parts += ["", "micro/mono of the headline cases for every IPC strategy that ran",
                  render(*r)]
    c = comparison(results)
    if len(c[1]) <= ALL_ROWS_SHOWN:
        parts += ["", f"All results (medians{'; ' + who if who else ''})", render(*c)]
    return "\n".join(parts)


def ratio_units(measured, modeled):
    """(headers, rows): per headline case, micro/mono in the measured unit
    beside micro/mono in modeled cycles (and the two-hop file server's)."""
    a = {r["workload"]: r for r in stats.headline(measured)}
    b = {r["workload"]: r for r in stats.headline(modeled)}
    rows = []
    for w, ra in a.items():
        rb = b.get(w)
        if not rb or ra["ratio"] is None:
            continue
        case = _case(dict(ra, shape="")) if (ra["mono"] or ra["micro"]) else "-"
        rows.append([w, case, _x(ra["ratio"]), _xb(rb["micro"], rb["mono"], rb["ratio"])]
                    + [f"{_x(ra['alt_ratio'].get(s))} / "
                       f"{_xb(rb['alt'].get(s), rb['mono'], rb['alt_ratio'].get(s))}"
                       for s in sorted(ra["alt"]) if s in rb["alt"]])
    unit = "/".join(sorted({r["unit"] for r in measured if r["mode"] != "linux"}))
    alts = sorted({s for r in stats.headline(measured) for s in r["alt"]})
    headers = ["workload", "case", f"micro/mono [{unit}]", "micro/mono [modeled cycles]"]
    headers += [f"{s}/mono [both]" for s in alts]
    return headers, [r + ["-"] * (len(headers) - len(r)) for r in rows]


def modeled_summary(measured, modeled, profile):
    """The terminal's modeled-cycles part: the headline in modeled cycles
    and micro/mono in both units."""
    who = micro_name(modeled)
    h = brief_headline(modeled)
    parts = ["", f"Modeled cycles (cycle model, profile {profile}: a model of a CPU, not a "
             f"measurement; bench/model/){'; ' + who if who else ''}",
             "(in brackets: the lowest and highest value over the profile's ranges of its "
             "prices, scripts/mkb/bands.py)",
             render(*h) if h[1] else "no modeled rows"]
    c = comparison(modeled)
    if h[1] and len(c[1]) <= ALL_ROWS_SHOWN:
        parts += ["", "All results in modeled cycles (medians)", render(*c)]
    h, rows = ratio_units(measured, modeled)
    if rows:
        parts += ["", "micro/mono in both units", render(h, rows)]
    return "\n".join(parts)


def ratio_price(results):
    """(headers, rows): the price of the micro kernel, one case per
    workload: mono, micro (and its other shapes) and micro/mono."""
    rows = []
    for r in stats.headline(results):
        if not (r["mono"] and r["micro"]):
            continue
        case = _case(dict(r, shape=""))
        rows.append([r["workload"], case, _med(r["mono"]), _med(r["micro"]), _x(r["ratio"])]
                    + [f"{_med(x)} ({_x(r['alt_ratio'].get(a))})" for a, x in sorted(r["alt"].items())])
    unit = "/".join(sorted({r["unit"] for r in results if r["mode"] != "linux"}))
    alts = sorted({a for r in stats.headline(results) for a in r["alt"]})
    headers = ["workload", "case", f"mono [{unit}]", "micro", "micro/mono"] + [f"micro {a}" for a in alts]
    return headers, [r + ["-"] * (len(headers) - len(r)) for r in rows]


def modeled_measured(modeled, measured):
    """(headers, rows): per headline case and kernel, modeled cycles (the
    cycle model) beside measured cycles (a KVM run) and their ratio."""
    a = {r["workload"]: r for r in stats.headline(modeled)}
    rows = []
    for r in stats.headline(measured):
        m = a.get(r["workload"])
        for mode in ("mono", "micro"):
            x, y = (m or {}).get(mode), r.get(mode)
            if x and y and y["unit"] == "cycles":
                rows.append([r["workload"], mode, _med(x), _med(y),
                             _x(stats.ratio(x["median"], y["median"]))])
    return ["workload", "kernel", "modeled cycles", "measured cycles (KVM)", "modeled/measured"], rows
