"""plot_mpl.py - matplotlib drawings of the report figures.

Each function reads a figure's CSV (the file gnuplot also reads) and
writes one picture three times: <out> (PNG, the page's), and beside it
<out minus .png>.svg and .pdf (vector, for papers). Sizes in pixels are
report/figlayout.py's, shared with gnuplot, and so are the series colours
and markers. Used by scripts/report.py; kinds match report/gnuplot/<kind>.gp.

Spec keys (scripts/report.py fills them from report/figures.json and the
query): title, xlabel, ylabel, note, logx, logy, legend ("top": above the
plot in columns; "outside": right of it), hline (a dashed line at that y),
values (a format such as "%.2f": each bar's value on it), titles (the
legend name of every CSV column), vrot (values written upright), panels
(kinds panels and barpanels: [{"title", "ylabel", "first", "last",
"rfirst", "rlast", "logy", "hline", "cols", "over", "show_ylabel",
"show_legend"}], columns first..last counted from 1 as gnuplot does (or
exactly the columns in "cols"), each divided by column "over" if given,
rows rfirst..rlast counted from 0 among the data rows).
"""
import csv
import os

import matplotlib
from figlayout import (COLOURS, HEIGHT, LINESTYLES, MARKERS, WIDTH, barpanel_layout,
                       most_rows, panel_layout, series_index)
matplotlib.use("Agg")
matplotlib.rcParams["pdf.fonttype"] = 42   # TrueType in PDFs (journals refuse Type 3)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

DPI = 100
VECTOR = (".svg", ".pdf")


def read_csv(path):
    """(columns, rows) with numeric cells as floats, others as str."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))

    def cell(v):
        try:
            return float(v)
        except ValueError:
            return v
    return rows[0], [[cell(v) for v in r] for r in rows[1:]]


def vector_paths(out):
    """The vector files written beside the PNG out."""
    base = os.path.splitext(out)[0]
    return [base + ext for ext in VECTOR]


def _save(fig, out):
    fig.savefig(out, dpi=DPI)
    for path in vector_paths(out):
        fig.savefig(path)
    plt.close(fig)


def _legend(ax, spec, loc="best"):
    if not ax.get_legend_handles_labels()[0]:
        return
    where = spec.get("legend")
    if where == "top":
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=2, fontsize=8,
                  frameon=False)
    elif where == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    else:
        ax.legend(loc=loc, fontsize=8)


def _finish(fig, ax, spec, out):
    """Title, labels, legend, note at the bottom; laid out so that no label
    is clipped (the picture keeps its pixel size)."""
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    if spec.get("legend") == "top":
        fig.suptitle(spec["title"])
    else:
        ax.set_title(spec["title"])
    _legend(ax, spec)
    bottom = 0.0
    if spec.get("note"):
        fig.text(0.5, 0.01, spec["note"], ha="center", va="bottom", fontsize=8, wrap=True)
        bottom = 0.04
    fig.tight_layout(rect=(0, bottom, 1, 1))
    _keep_xlabels_inside(fig, ax)
    _save(fig, out)


def _keep_xlabels_inside(fig, ax):
    """Widen the left margin until no rotated x tick label starts left of
    the picture (tight_layout does not see how far they reach)."""
    fig.canvas.draw()
    left = min((t.get_window_extent().x0 for t in ax.get_xticklabels() if t.get_text()),
               default=0)
    if left < 2:
        pos = ax.get_position()
        shift = (2 - left) / fig.bbox.width
        ax.set_position([pos.x0 + shift, pos.y0, pos.width - shift, pos.height])


def _style(k):
    """Colour, marker and line style of series k: overlapping lines stay
    visible (gnuplot's line type k + 1 looks the same, style.gp)."""
    return {"color": _colour(k), "marker": MARKERS[k % len(MARKERS)],
            "linestyle": LINESTYLES[k % len(LINESTYLES)]}


def _size_lines(ax, rows, cols, titles, spec, logy, tick_fontsize=None, over=None):
    """One line per CSV column in cols against the size in column 0 (size
    0 drawn at 1, which a log axis can show), divided by column over if
    given; NaN points are skipped; ticks at exactly the measured sizes."""
    xs = [max(r[0], 1) for r in rows]
    idx = series_index(titles)
    if over is not None:
        rows = [[r[0]] + [v / r[over] if r[over] == r[over] and r[over] else float("nan")
                          for v in r[1:]] for r in rows]
    for i in cols:
        pts = [(x, r[i]) for x, r in zip(xs, rows) if r[i] == r[i]]  # skip NaN
        ax.plot([q[0] for q in pts], [q[1] for q in pts], linewidth=1.8, markersize=6,
                label=titles[i], **_style(idx[i]))
    if spec.get("logx"):
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator(xs))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([_size(r[0]) for r in rows], fontsize=tick_fontsize)
    ax.grid(True, which="both", alpha=0.3)


def _colour(k):
    """Series k's colour (figlayout.series_index), the same in gnuplot."""
    return COLOURS[k % len(COLOURS)]


def _titles(spec, columns):
    titles = spec.get("titles") or columns
    return titles if len(titles) == len(columns) else columns


def lines(csv_path, spec, out):
    """One line per column against the first column (a size in bytes)."""
    columns, rows = read_csv(csv_path)
    titles = _titles(spec, columns)
    fig, ax = plt.subplots(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    _size_lines(ax, rows, range(1, len(columns)), titles, spec, spec.get("logy"))
    _finish(fig, ax, spec, out)


def _clustered(ax, rows, cols, titles, spec, logy, hline=None):
    """Clustered bars of rows (one cluster each) for CSV columns cols."""
    cols = list(cols)
    n = len(cols)
    width = 0.8 / max(n, 1)
    idx = series_index(titles)
    for k, i in enumerate(cols):
        xs = [j + (k - (n - 1) / 2) * width for j in range(len(rows))]
        bars = ax.bar(xs, [r[i] for r in rows], width, label=titles[i], color=_colour(idx[i]))
        if spec.get("values"):
            labels = ["" if r[i] != r[i] else spec["values"] % r[i] for r in rows]
            ax.bar_label(bars, labels=labels, fontsize=7, padding=1,
                         rotation=90 if spec.get("vrot") else 0)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([str(r[0]) for r in rows], rotation=30, ha="right",
                       rotation_mode="anchor", fontsize=8)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    if hline is not None:
        ax.axhline(hline, color="black", linewidth=1, linestyle="--")
    if logy:
        ax.set_yscale("log")
    if spec.get("values"):
        ax.margins(y=0.12)   # room for the labels above the tallest bar
    ax.grid(True, axis="y", alpha=0.3)


def bars(csv_path, spec, out):
    """Clustered bars: one cluster per row, one bar per column; spec
    "titles" names the bars in the legend, "hline" draws a dashed
    reference line, "values" writes each bar's value on it."""
    columns, rows = read_csv(csv_path)
    titles = _titles(spec, columns)
    fig, ax = plt.subplots(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    _clustered(ax, rows, range(1, len(columns)), titles, spec, spec.get("logy"),
               spec.get("hline"))
    _finish(fig, ax, spec, out)


def stacked(csv_path, spec, out):
    """Stacked bars: one bar per row, its columns stacked bottom to top,
    the total (the sum of the parts) written above each bar."""
    columns, rows = read_csv(csv_path)
    titles = _titles(spec, columns)
    fig, ax = plt.subplots(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    bottom = [0.0] * len(rows)
    idx = series_index(titles)
    for i in range(1, len(columns)):
        vals = [r[i] if r[i] == r[i] else 0.0 for r in rows]
        ax.bar(range(len(rows)), vals, 0.7, bottom=bottom, label=titles[i],
               color=_colour(idx[i]))
        bottom = [b + v for b, v in zip(bottom, vals)]
    for x, total in enumerate(bottom):
        ax.text(x, total, spec.get("values", "%.0f") % total, ha="center", va="bottom",
                fontsize=7)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([str(r[0]) for r in rows], rotation=30, ha="right",
                       rotation_mode="anchor", fontsize=8)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    ax.margins(y=0.08)
    ax.grid(True, axis="y", alpha=0.3)
    _finish(fig, ax, spec, out)


def panels(csv_path, spec, out):
    """A grid of line plots against the first column (a size in bytes):
    spec["panels"] says which columns each panel draws, spec["titles"]
    each column's legend name. Only the left column of panels carries a y
    label (the right one's would run into its neighbour)."""
    columns, rows = read_csv(csv_path)
    ps = spec["panels"]
    nrow, ncol, w, h = panel_layout(len(ps))
    fig, axes = plt.subplots(nrow, ncol, figsize=(w / DPI, h / DPI), dpi=DPI, squeeze=False)
    titles = _titles(spec, columns)
    for k, ax in enumerate(axes.flat):
        if k >= len(ps):
            ax.remove()
            continue
        p = ps[k]
        logy = p.get("logy", spec.get("logy"))
        _size_lines(ax, rows, range(p["first"] - 1, p["last"]), titles, spec, logy,
                    tick_fontsize=8, over=p["over"] - 1 if p.get("over") else None)
        if p.get("hline") is not None:
            ax.axhline(p["hline"], color="black", linewidth=1, linestyle="--")
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel(spec["xlabel"], fontsize=9)
        if p.get("show_ylabel", True):
            ax.set_ylabel(p["ylabel"], fontsize=9)
        if p.get("show_legend", True):
            ax.legend(loc="best", fontsize=8)
    fig.suptitle(spec["title"])
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    if spec.get("note"):
        fig.text(0.5, 0.01, spec["note"], ha="center", va="bottom", fontsize=8, wrap=True)
    _save(fig, out)


def barpanels(csv_path, spec, out):
    """Clustered bar plots one above the other: panel p draws rows
    rfirst..rlast and columns first..last, on its own y axis (log or not),
    so round trips and single operations are never read off one scale."""
    columns, rows = read_csv(csv_path)
    ps = spec["panels"]
    nrow, ncol, w, h = barpanel_layout(len(ps), most_rows(ps))
    fig, axes = plt.subplots(nrow, ncol, figsize=(w / DPI, h / DPI), dpi=DPI, squeeze=False)
    titles = _titles(spec, columns)
    for ax, p in zip(axes.flat, ps):
        mine = rows[p["rfirst"]:p["rlast"] + 1]
        cols = [c - 1 for c in p["cols"]] if "cols" in p else range(p["first"] - 1, p["last"])
        _clustered(ax, mine, cols, titles, spec,
                   p.get("logy", spec.get("logy")), p.get("hline", spec.get("hline")))
        ax.set_ylabel(p["ylabel"], fontsize=9)
        if ncol > 1:   # side by side: the legend above each plot, under its title
            ax.set_title(p["title"], fontsize=10, pad=24)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8,
                      frameon=False)
        else:
            ax.set_title(p["title"], fontsize=10)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.suptitle(spec["title"])
    bottom = 0.0
    if spec.get("note"):
        fig.text(0.5, 0.005, spec["note"], ha="center", va="bottom", fontsize=8)
        bottom = 25 / h
    fig.tight_layout(rect=(0, bottom, 1, 1))
    _save(fig, out)


def _size(v):
    v = int(v)
    return f"{v // 1024}K" if v >= 1024 and v % 1024 == 0 else str(v)


KINDS = {"lines": lines, "bars": bars, "panels": panels, "barpanels": barpanels,
         "stacked": stacked}
