"""figlayout.py - what both renderers of a report figure agree on, without
importing either: picture sizes of each kind and the series colours and
markers, so that matplotlib (report/plot_mpl.py) and gnuplot
(report/gnuplot/*.gp, through the script scripts/report.py writes) draw the
same series in the same colour.

The colours are matplotlib's default cycle ("tab10"); report/gnuplot/style.gp
sets gnuplot's line types to the same list.
"""

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# matplotlib marker of series k (k mod len), and the gnuplot point type that
# looks most like it (report/gnuplot/style.gp: pt of line type k).
MARKERS = ("o", "s", "^", "D", "v", "X", "P", "*", "<", ">")
LINESTYLES = ("-", "--", "-.", ":")

WIDTH, HEIGHT = 800, 500          # lines, bars, stacked: one plot


def panel_layout(n):
    """(rows, columns, width px, height px) of a grid of n line panels."""
    cols = 1 if n <= 1 else 2
    rows = (n + cols - 1) // cols
    return rows, cols, 1000, 360 * rows + 90


def barpanel_layout(n, most_rows=None):
    """(rows, columns, width px, height px) of n bar panels: one above the
    other (each keeps the full width for its rotated case labels), or,
    when no panel has more than 3 bar groups (most_rows), side by side."""
    if n > 1 and most_rows is not None and most_rows <= 3:
        return 1, n, 900, 500
    return n, 1, 900, 400 * n + 80


def most_rows(panels):
    """The most bar groups (rows) of any of panels (barpanel_layout)."""
    return max((p["rlast"] - p["rfirst"] + 1 for p in panels), default=0)


def series_index(titles):
    """The style index (colour, marker, dash) of every CSV column; column 0,
    the x value or case name, gets 0. A title's first appearance fixes its
    index, so a series keeps its colour in every panel of a figure."""
    seen = {}
    return [0] + [seen.setdefault(t, len(seen)) for t in list(titles)[1:]]
