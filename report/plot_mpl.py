"""plot_mpl.py - matplotlib drawings of the report figures (800x500 PNG;
a panel grid is 1000 wide and 360 per row of panels).

Each function reads a figure's CSV (the file gnuplot also reads) and
writes one PNG. Used by scripts/report.py; kinds match report/gnuplot/.
"""
import csv

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

WIDTH_IN, HEIGHT_IN, DPI = 8, 5, 100   # 800 x 500 pixels, same as gnuplot


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


def _finish(fig, ax, spec, out):
    """Title, labels, legend (spec "legend": "top" puts it in two columns
    between title and plot), note at the bottom; laid out so that no label
    is clipped (the picture keeps its pixel size)."""
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    if spec.get("legend") == "top":
        fig.suptitle(spec["title"])
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=2, fontsize=8,
                  frameon=False)
    else:
        ax.set_title(spec["title"])
        ax.legend(loc="best", fontsize=8)
    bottom = 0.0
    if spec.get("note"):
        fig.text(0.5, 0.01, spec["note"], ha="center", va="bottom", fontsize=8)
        bottom = 0.04
    fig.tight_layout(rect=(0, bottom, 1, 1))
    _keep_xlabels_inside(fig, ax)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)


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


def _size_lines(ax, rows, series, spec, tick_fontsize=None):
    """One line per (column index, label) in series against the size in
    column 0 (size 0 drawn at 1, which a log axis can show); NaN points
    are skipped; ticks at exactly the measured sizes."""
    xs = [max(r[0], 1) for r in rows]
    for i, label in series:
        pts = [(x, r[i]) for x, r in zip(xs, rows) if r[i] == r[i]]  # skip NaN
        ax.plot([q[0] for q in pts], [q[1] for q in pts], marker="o", linewidth=2, label=label)
    if spec.get("logx"):
        ax.set_xscale("log", base=2)
    if spec.get("logy"):
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator(xs))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([_size(r[0]) for r in rows], fontsize=tick_fontsize)
    ax.grid(True, which="both", alpha=0.3)


def lines(csv_path, spec, out):
    """One line per column against the first column (a size in bytes)."""
    columns, rows = read_csv(csv_path)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    _size_lines(ax, rows, list(enumerate(columns[1:], 1)), spec)
    _finish(fig, ax, spec, out)


def bars(csv_path, spec, out):
    """Clustered bars: one cluster per row, one bar per column; spec
    "titles" (if given, one per column) names the bars in the legend;
    spec "hline" draws a dashed reference line at that y."""
    columns, rows = read_csv(csv_path)
    titles = spec.get("titles") or columns
    if len(titles) != len(columns):
        titles = columns
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    n = len(columns) - 1
    width = 0.8 / n
    for i, name in enumerate(titles[1:]):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(rows))]
        ax.bar(xs, [r[i + 1] for r in rows], width, label=name)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([str(r[0]) for r in rows], rotation=30, ha="right",
                       rotation_mode="anchor", fontsize=8)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    if spec.get("hline") is not None:
        ax.axhline(spec["hline"], color="black", linewidth=1, linestyle="--")
    if spec.get("logy"):
        ax.set_yscale("log")
    ax.grid(True, axis="y", alpha=0.3)
    _finish(fig, ax, spec, out)


def panel_layout(n):
    """(rows, columns, width px, height px) of a grid of n panels; gnuplot
    gets the same numbers from scripts/report.py."""
    cols = 1 if n <= 1 else 2
    rows = (n + cols - 1) // cols
    return rows, cols, 1000, 360 * rows + 90


def panels(csv_path, spec, out):
    """A grid of line plots against the first column (a size in bytes):
    spec["panels"] says which columns each panel draws, spec["titles"]
    each column's legend name."""
    columns, rows = read_csv(csv_path)
    ps = spec["panels"]
    nrow, ncol, w, h = panel_layout(len(ps))
    fig, axes = plt.subplots(nrow, ncol, figsize=(w / DPI, h / DPI), dpi=DPI, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(ps):
            ax.remove()
            continue
        p = ps[k]
        _size_lines(ax, rows, [(i, spec["titles"][i]) for i in range(p["first"] - 1, p["last"])],
                    spec, tick_fontsize=8)
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel(spec["xlabel"], fontsize=9)
        ax.set_ylabel(p["ylabel"], fontsize=9)
        ax.legend(loc="best", fontsize=8)
    fig.suptitle(spec["title"])
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    if spec.get("note"):
        fig.text(0.5, 0.01, spec["note"], ha="center", va="bottom", fontsize=8)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)


def _size(v):
    v = int(v)
    return f"{v // 1024}K" if v >= 1024 and v % 1024 == 0 else str(v)


KINDS = {"lines": lines, "bars": bars, "panels": panels}
