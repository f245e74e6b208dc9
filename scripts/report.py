#!/usr/bin/env python3
"""report.py - turn one results/<run-id>/ into report/out/index.html.

For every figure in report/figures.json: run its data query, write the CSV
extract to <out>/data/<id>.csv and draw it twice from that file: with
matplotlib (<out>/fig/<id>.png, .svg and .pdf) and with gnuplot through a
generated script <out>/gnuplot/<id>.gp (<out>/fig/<id>-gnuplot.png and
.svg). The page shows one of them (matplotlib when this Python has it,
else gnuplot; --renderer chooses) and links the other's files from the
caption. A missing gnuplot is reported, not fatal.

Mono-against-micro tables have one column per micro IPC strategy that
ran, or the ones --vs (or VS in the environment: make report VS=l4, as
make bench's tables) names; figures of mono against micro draw the first
of them and say which (scripts/mkb/report_tables.py, report_queries.py).
Exit status: 0 done, 1 unreadable run or manifest.
"""
import argparse
import csv
import html
import json
import multiprocessing
import os
import shutil
import signal
import string
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "report"))
from mkb import cli  # noqa: E402
from mkb import (apps, bands, extract, matrix, published, report_faults, report_linux, report_smp,  # noqa: E402
                 report_queries, report_tables, results, strategies, table)
from gnuplot_figure import gnuplot_script, picture_layout, picture_size, run_gnuplot  # noqa: E402


def _matplotlib():
    """report/plot_mpl.py, or None when no Python here has matplotlib (the
    page then shows gnuplot's figures)."""
    try:
        cli.require("matplotlib")
    except SystemExit:
        print("report.py: no matplotlib: the page shows gnuplot's figures", file=sys.stderr)
        return None
    import plot_mpl
    return plot_mpl


plot_mpl = _matplotlib()
REPORT_DIR = os.path.join(REPO, "report")
KINDS = ("lines", "bars", "panels", "barpanels", "stacked")
# {unit} in a figure's labels: what the number is, in a few words, so that
# every guest figure says an icount unit is an instruction, not a cycle.
UNIT_LABEL = {"instructions": "guest instructions (icount), not cycles",
              "tsc_ticks": "emulated TSC ticks (tcg)"}
NO_RUN_HINT = ("no run yet? `make bench` writes one, or show the committed reference run: "
               "make report RUN=results/reference")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Write an HTML report (matplotlib and "
                                "gnuplot figures) for one benchmark run.")
    p.add_argument("--run", default="results/latest", help="run directory (default results/latest)")
    p.add_argument("--out", default="report/out", help="output directory (default report/out)")
    p.add_argument("--manifest", default=os.path.join(REPORT_DIR, "figures.json"),
                   help="figure manifest (default report/figures.json)")
    p.add_argument("--only", action="append", metavar="ID",
                   help="redraw only this figure (repeatable); index.html is left alone")
    p.add_argument("--gnuplot", default="gnuplot", help="gnuplot binary (default gnuplot)")
    p.add_argument("--renderer", choices=("auto", "matplotlib", "gnuplot"), default="auto",
                   help="whose figures the page shows (default auto: matplotlib when this "
                        "Python has it, else gnuplot); the other's are linked from each caption")
    p.add_argument("--vs", default=os.environ.get(report_tables.NAMED_BY) or None,
                   help="the micro IPC strategy (or strategies, comma-separated) the tables set "
                        f"against mono (default: ${report_tables.NAMED_BY} if set, else every "
                        "strategy in the run, one column each)")
    p.add_argument("--cycles-run",
                   help="a run under ACCEL=kvm (measured cycles on real hardware): its figures "
                        "stand beside this run's modeled cycles")
    p.add_argument("--faults", default=os.path.join(REPO, "results", "faults"),
                   help="where make faults writes its runs; the latest is shown (default "
                        "results/faults)")
    p.add_argument("--published", default=os.path.join(REPORT_DIR, "published.json"),
                   help="other kernels' published figures (default report/published.json)")
    return p.parse_args(argv)


def load_manifest(path):
    try:
        with open(path, encoding="utf-8") as f:
            figs = json.load(f)["figures"]
    except (OSError, ValueError, KeyError) as e:
        raise results.ResultsError(f"{path}: not a figure manifest ({e})") from None
    queries = report_queries.all_queries()
    for fig in figs:
        if fig["kind"] not in KINDS or fig["query"]["fn"] not in queries \
                or fig.get("rows", "default") not in ROWS:
            raise results.ResultsError(f"{path}: figure {fig['id']}: unknown kind, query or rows")
    return figs


class Context:
    """What every figure and section of one report shares: the run, the
    micro strategies compared with mono (report_tables.Choice), the
    published figures, and the renderers."""

    def __init__(self, run, args):
        self.run, self.args = run, args
        self.choice = report_tables.pick(run.ok_results(), args.vs)
        self.published = published.load(args.published)
        self.page = ("matplotlib" if plot_mpl and args.renderer != "gnuplot" else "gnuplot")
        if self.choice.unknown:
            print(f"report.py: {self.choice.sentence()}", file=sys.stderr)
        if args.renderer == "matplotlib" and not plot_mpl:
            print("report.py: --renderer matplotlib, but no matplotlib here: the page shows "
                  "gnuplot's figures", file=sys.stderr)

    def micro(self):
        """The micro system a mono-against-micro figure draws, in words."""
        return self.choice.primary or "micro (none in this run)"


# The rows a figure's query sees (figures.json "rows").
ROWS = {
    # mono against micro: mono, the Linux host on one CPU, one strategy
    "default": lambda c: report_tables.for_system(c.run.ok_results(), c.choice.primary),
    "modeled": lambda c: report_tables.for_system(c.run.modeled_results(), c.choice.primary),
    "both": lambda c: report_tables.for_system(c.run.ok_results() + c.run.modeled_results(),
                                               c.choice.primary),
    # every strategy
    "all": lambda c: c.run.ok_results(),
    "modeled_all": lambda c: c.run.modeled_results(),
    "both_all": lambda c: c.run.ok_results() + c.run.modeled_results(),
    "faults": lambda c: report_faults.fault_rows(c.run, c.run.ok_results()),
}


def figure_files(out, fid):
    """{what: path} of one figure's files under out."""
    return {"csv": os.path.join(out, "data", fid + ".csv"),
            "png": os.path.join(out, "fig", fid + ".png"),
            "gp": os.path.join(out, "gnuplot", fid + ".gp"),
            "gpng": os.path.join(out, "fig", fid + "-gnuplot.png")}


def draw(fig, ctx, out):
    """Extract, write CSV and draw one figure; return a dict for the page."""
    ex = report_queries.run_query(fig["query"], ROWS[fig.get("rows", "default")](ctx),
                                  ctx.published)
    item = {"fig": fig, "empty": ex.empty(), "title": fig["title"].format(micro=ctx.micro())}
    if item["empty"]:
        return item
    fill = {"unit": UNIT_LABEL.get(ex.unit, ex.unit) or "unit not recorded",
            "unit1": extract.unit_one(ex.unit) or "unit", "micro": ctx.micro()}
    note = " ".join(x for x in (fig.get("note", "").format(**fill),
                                getattr(ex, "note", "")) if x)
    panels = panel_specs(fig["kind"], ex, fill)
    spec = dict(fig, title=item["title"], ylabel=fig["ylabel"].format(**fill), note=note,
                titles=ex.titles, panels=panels, vrot=bars_upright(fig["kind"], ex, panels))
    paths = figure_files(out, fig["id"])
    ex.write_csv(paths["csv"])
    item.update(paths, note=note, size=picture_size(fig["kind"], panels))
    if plot_mpl:
        plot_mpl.KINDS[fig["kind"]](paths["csv"], spec, paths["png"])
    # The gnuplot script names its files relative to the report directory
    # (it runs there, with its own copy of report/gnuplot/), so it still
    # works after the directory is moved into place or elsewhere.
    gnuplot_script(fig, spec, ex, f"data/{fig['id']}.csv", f"fig/{fig['id']}-gnuplot",
                   paths["gp"])
    item["gnuplot_error"] = run_gnuplot(ctx.args.gnuplot, out, f"gnuplot/{fig['id']}.gp")
    return item


_DRAWING = None   # (figs, ctx, out) of draw_all, for its forked workers


def _draw_nth(i):
    figs, ctx, out = _DRAWING
    return draw(figs[i], ctx, out)


def _quiet_worker():
    """A drawing worker leaves Ctrl-C, SIGTERM and SIGHUP to the report
    (mkb/cli.py), which stops the pool: it ends without a word."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def draw_all(figs, ctx, out):
    """draw() every figure, in order; two at a time on two cores, each in a
    forked process of its own (matplotlib draws in one thread only): the
    same files, in about half the time (the report is the last step of
    every make bench)."""
    global _DRAWING
    jobs = min(len(figs), os.cpu_count() or 1, 4)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [draw(f, ctx, out) for f in figs]
    _DRAWING = (figs, ctx, out)
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_quiet_worker)
    try:
        items = pool.map(_draw_nth, range(len(figs)), chunksize=1)
        pool.close()
        return items
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _DRAWING = None


def panel_specs(kind, ex, fill):
    """The panels of ex as both renderers draw them: y labels filled in
    (in two lines when long: a panel is short), which panels show their y
    label (the left column, or one unlike its left neighbour's) and a
    legend (where a series appears first), and, for bar panels, the
    columns with a value in the panel's rows."""
    ncol = picture_layout(kind, [dict(p, rfirst=p.get("rfirst", 0), rlast=p.get(
        "rlast", len(ex.rows) - 1)) for p in ex.panels])[1] if ex.panels else 1
    out, shown = [], set()
    for k, p in enumerate(ex.panels):
        label = p["ylabel"].format(**fill)
        if len(label) > 40 and " [" in label:
            label = label.replace(" [", "\n[", 1)
        d = dict(p, ylabel=label, rfirst=p.get("rfirst", 0), rlast=p.get("rlast", len(ex.rows) - 1))
        if kind == "barpanels":
            rows = ex.rows[d["rfirst"]:d["rlast"] + 1]
            d["cols"] = [i for i in range(p["first"], p["last"] + 1)
                         if any(_has_value(r[i - 1]) for r in rows)]
            mine = {ex.titles[i - 1] for i in d["cols"]}
        else:
            mine = {ex.titles[i - 1] for i in range(p["first"], p["last"] + 1)}
        d["show_ylabel"] = k % ncol == 0 or out[-1]["ylabel"] != label
        d["show_legend"] = kind == "barpanels" or not mine <= shown
        shown |= mine
        out.append(d)
    return out


def _has_value(v):
    return isinstance(v, (int, float)) and v == v


def bars_upright(kind, ex, panels):
    """Whether a bar's value is written upright (too many bars side by side
    for it to fit across)."""
    if kind == "barpanels":
        return any(len(p["cols"]) * (p["rlast"] - p["rfirst"] + 1) > 24 for p in panels)
    return kind == "bars" and (len(ex.columns) - 1) * len(ex.rows) > 24


def _a(href, text=None):
    return f'<a href="{html.escape(href)}">{html.escape(text or href)}</a>'


def figure_html(item, ctx, redraw):
    """One figure: one picture (the page's renderer), its caption with the
    vector files, the data and the other renderer's script and pictures."""
    fig, e, fid = item["fig"], html.escape, item["fig"]["id"]
    mpl = [f"fig/{fid}.png", f"fig/{fid}.svg", f"fig/{fid}.pdf"] if plot_mpl else []
    gp = [f"fig/{fid}-gnuplot.png", f"fig/{fid}-gnuplot.svg"] if not item["gnuplot_error"] \
        else []
    shown, other = (mpl, gp) if ctx.page == "matplotlib" else (gp, mpl)
    w, h = item["size"]
    if shown:
        img = (f'<a href="{shown[1]}"><img src="{shown[0]}" width="{w}" height="{h}" '
               f'alt="{e(item["title"])} ({ctx.page})"></a>')
    else:
        img = '<p class="warn">No picture: neither matplotlib nor gnuplot could draw it.</p>'
    if item["gnuplot_error"]:
        img += f'<p class="warn">{e(item["gnuplot_error"])}</p>'
    links = [f"Drawn by {ctx.page}" + ("; vector: " + ", ".join(_a(x) for x in shown[1:])
                                       if shown else ""),
             "data: " + _a(f"data/{fid}.csv")]
    gp_files = [_a(f"gnuplot/{fid}.gp")] + [_a(x) for x in gp]
    if ctx.page == "matplotlib":
        links.append("gnuplot: " + " / ".join(gp_files))
    elif other:
        links.append("matplotlib: " + " / ".join(_a(x) for x in other))
        links.append("gnuplot script: " + gp_files[0])
    else:
        links.append("gnuplot script: " + gp_files[0])
    return (f'<div class="figure" id="fig-{fid}"><h3>{e(item["title"])}</h3>{img}'
            f'<p class="caption">{e(item["note"])}</p>'
            f'<p class="files">{". ".join(links)}.</p>'
            f'<details><summary>Redraw</summary><pre>{e(redraw(fig))}</pre></details></div>')


table_html, _scroll = report_faults.table_html, report_faults.scroll


def unit_words(rows):
    units = sorted({r["unit"] for r in rows if r["mode"] != "linux"})
    return "; ".join(table.UNIT_WORDS.get(u, u) for u in units)


def headline_html(ctx, out):
    """(medians, events) of the headline cases as two HTML tables, one
    column per micro strategy compared; the full table, every event in its
    own column, once per strategy, goes to out/data/headline.csv."""
    res, choice = ctx.run.ok_results(), ctx.choice
    headers, rows = report_tables.headline_csv(res, choice)
    with open(os.path.join(out, "data", "headline.csv"), "w", newline="",
              encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(headers)
        w.writerows(rows)
    medians = report_tables.headline_table(res, choice)
    if not medians[1]:
        return "<p>No guest results in this run.</p>", ""
    which = (f'<p class="which">{html.escape(choice.sentence())} Medians in '
             f'{html.escape(unit_words(res) or "-")}; Linux in ns.</p>')
    note = report_tables.mechanisms_note(res, choice)
    events = report_tables.events_table(res, choice)
    return (which + _scroll(*medians) + (f"<p>{html.escape(note)}</p>" if note else ""),
            _scroll(*events) if events[1] else "<p>No kernel events.</p>")


def published_html(ctx):
    """The "ours beside published" tables, from report/published.json."""
    data, res = ctx.published, ctx.run.ok_results()
    accel = ctx.run.meta.get("accel", "accelerator not recorded")
    return "\n".join([
        "<h3>Published figures, as published</h3>",
        _scroll(*published.published_rows(data)),
        "<h3>Round trips beside round trips (8-byte message)</h3>",
        _scroll(*published.round_trip_rows(data, res, accel)),
        "<h3>Liedtke 1993's ratios beside our nearest analogue</h3>",
        "<p>Our mono pipe is a kernel-buffered copy-in, copy-out channel like a "
        "Mach port, but it is not Mach; the ratio is in one unit, so it is exact "
        "for what it measures. Our mach strategy against our l4 is in the IPC strategies "
        "section.</p>",
        _scroll(*published.ratio_rows(data, res))])


def strategies_html(ctx):
    """The IPC strategies section: cases per strategy, the round trip's
    breakdown, and Liedtke 1993's claim beside our l4 and mach."""
    res = ctx.run.ok_results()
    if len(strategies.systems(res)) < 2:
        return ("<p>No IPC strategies beside each other in this run (it has "
                f"{html.escape(', '.join(strategies.systems(res)) or 'no guest')}); the "
                "headline above has every median it measured.</p>")
    return "\n".join([
        _scroll(*strategies.table_rows(res)),
        "<h3>What a round trip is made of</h3>",
        "<p>Per round trip: the iterations of <code>rep movs</code>/<code>stos</code> in "
        "it (counted by the cycle model; icount counts each as one instruction, so a "
        "byte-wise copy of 4 KiB is 4,096 of them) and the instructions outside them (the "
        "bookkeeping); counted by the kernel: kernel entries, thread switches, "
        "scheduler decisions against direct switches to the partner, and message moves "
        "by kind, as count (bytes): in registers, one copy between the two address "
        "spaces (direct), into and out of a kernel buffer, and on a grant.</p>",
        _scroll(*strategies.breakdown_rows(res, ctx.run.modeled_results())),
        '<h3 id="liedtke">Liedtke 1993 reproduced: l4 against mach</h3>',
        _scroll(*strategies.liedtke_rows(res, ctx.published["ratios"])),
        f"<p>{html.escape(strategies.liedtke_text(res, ctx.run.modeled_results()))}</p>"])


def modeled_html(ctx):
    """The modeled-cycles section: the headline and the comparisons in
    modeled cycles (one column per strategy), micro/mono in both units,
    and the published cycle figures beside our modeled round trips."""
    run, choice = ctx.run, ctx.choice
    modeled = run.modeled_results()
    if not modeled:
        return ("<p>No modeled cycles in this run (it ran with MODEL=off, or under KVM, where "
                "the plugin cannot run).</p>")
    m = run.meta.get("model") or {}
    e = html.escape
    parts = [f"<p>Profile <b>{e(m.get('profile', '?'))}</b> "
             f"({e(m.get('cpu', 'CPU not recorded'))}; <code>{e(m.get('file', ''))}"
             f"</code>, every value with its source), model version "
             f"{e(str(modeled[0].get('model_version')))}.</p>",
             "<h3>Headline in modeled cycles</h3>",
             f'<p class="which">{e(choice.sentence())}</p>',
             _scroll(*report_tables.headline_table(modeled, choice, linux=False))]
    drivers = report_tables.band_drivers(modeled, choice)
    if drivers[1]:
        parts += ["<h3>What the bands rest on</h3>",
                  f"<p>{e(bands.EXPLAINED)}</p>", _scroll(*drivers)]
    both = report_tables.ratio_units(run.ok_results(), modeled, choice)
    parts.append("<h3>micro / mono in both units</h3>")
    parts.append(_scroll(*both) if both[1] else
                 "<p>No micro/mono in this run (it needs mono and micro results); the "
                 "headline in each unit above has every case it measured.</p>")
    if len(strategies.systems(modeled)) > 2:
        parts += ["<h3>IPC strategies in modeled cycles</h3>",
                  _scroll(*strategies.table_rows(modeled)),
                  "<h3>Liedtke 1993 in modeled cycles</h3>",
                  _scroll(*strategies.liedtke_rows(modeled, ctx.published["ratios"]))]
    if getattr(run, "cycles_run", None):
        micro = choice.primary
        parts += ["<h3>Modeled beside measured cycles</h3>",
                  f"<p>Measured: run {e(run.cycles_run.run_id)} under KVM "
                  f"(-cpu {e(str(run.cycles_run.meta.get('kvm_cpu')))}, host CPU "
                  f"{e(str(run.cycles_run.meta.get('host_cpu')))}); micro: "
                  f"{e(micro or 'none')}.</p>",
                  _scroll(*table.modeled_measured(
                      report_tables.for_system(modeled, micro),
                      report_tables.for_system(run.cycles_run.ok_results(), micro)))]
    parts += ["<details><summary>All results in modeled cycles (medians)</summary>"
              + _scroll(*report_tables.all_results(modeled, choice)) + "</details>",
              "<h3>Published cycles beside our modeled round trips (8-byte message)</h3>",
              _scroll(*published.modeled_rows(ctx.published, modeled)),
              "<h3>Held-out checks</h3>", f"<p>{e(published.HELD_OUT)}</p>",
              _scroll(*published.held_out_rows(ctx.published, modeled, run.ok_results())),
              f"<p>{e(published.TRUST)}</p>"]
    return "\n".join(parts)


def reproduce_html(ctx, items, out):
    """The "reproduce a published figure" table: for each published figure
    the suite reproduces (report/published.json "reproduce"), the command,
    the figure and the data files, and whether this report has it."""
    drawn = {i["fig"]["id"]: i for i in items if not i["empty"]}
    rows = []
    e = html.escape
    for x in ctx.published.get("reproduce", []):
        fid = x["figure"]
        files = ", ".join(_a(p) for p in (f"fig/{fid}.png", f"fig/{fid}.svg", f"fig/{fid}.pdf"))
        data = ", ".join(_a(d.replace("{out}/", "")) if d.startswith("{out}/") else
                         f"<code>{e(d)}</code>" for d in x["data"])
        here = (f'<a href="#fig-{fid}">in this report</a>' if fid in drawn
                else "not in this run: run the command")
        if x.get("section") in dict(SECTIONS):
            here += (f'; tables: <a href="#{e(x["section"])}">'
                     f'{e(dict(SECTIONS)[x["section"]])}</a>')
        rows.append(f"<tr><td>{e(x['published'])} <i>({e(x['source'])})</i></td>"
                    f"<td>{e(x['ours'])}</td><td><code>{e(x['command'])}</code></td>"
                    f"<td>{files}</td><td>{data}</td><td>{here}</td></tr>")
    if not rows:
        return "<p>No published figures to reproduce (report/published.json has none).</p>"
    return ("<p>Each command runs the benchmarks it needs and then this report; the figure "
            f"and its data land in <code>{e(out)}</code> (<code>fig/</code>, "
            "<code>data/</code>), the run in <code>results/&lt;id&gt;/</code>.</p>"
            '<div class="scroll"><table class="data"><thead><tr><th>published figure</th>'
            "<th>what the suite measures</th><th>command</th><th>figure</th><th>data</th>"
            "<th>here</th></tr></thead><tbody>" + "\n".join(rows) + "</tbody></table></div>")


def provenance_html(run):
    m, e = run.meta, html.escape
    git = m.get("git", {})
    comp = m.get("compiler", {})
    mat = m.get("matrix", {})
    rows = [("run", run.run_id), ("date", m.get("date")),
            ("git commit", f"{git.get('commit')}{' (dirty)' if git.get('dirty') else ''}"),
            ("compiler", f"{comp.get('version')} {comp.get('cflags') or ''}"),
            ("QEMU", m.get("qemu", {}).get("version")),
            ("accelerator", f"{m.get('accel')}: {m.get('accel_reason')}"),
            ("host CPU", m.get("host_cpu")),
            ("matrix", json.dumps({k: mat.get(k) for k in
                                   ("modes", "ipc", "workloads", "quick", "iters", "warmup",
                                    "timeout")}))]
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    cmds = "\n".join(" ".join(c["command"]) for c in m.get("runs", []))
    return (f'<table class="prov">{body}</table><details><summary>command line of each run'
            f'</summary><pre>{e(cmds)}</pre></details>')


SECTIONS = (("units", "What one number is"), ("headline", "Headline: micro / mono per workload"),
            ("strategies", "IPC strategies"), ("apps", "Applications"),
            ("linux-guest", "Linux as a guest"), ("smp", "Several CPUs"),
            ("modeled", "Modeled cycles"),
            ("faults", "Fault isolation"), ("published", "Ours beside published"),
            ("reproduce", "Reproduce a published figure"), ("figures", "Figures"),
            ("all", "All results"), ("provenance", "Provenance"))


def toc_html(items):
    """The table of contents: every section, and under Figures every figure
    drawn."""
    e = html.escape
    figs = "".join(f'<li><a href="#fig-{i["fig"]["id"]}">{e(i["title"])}</a></li>'
                   for i in items if not i["empty"])
    out = []
    for sid, title in SECTIONS:
        sub = f"<ul>{figs}</ul>" if sid == "figures" and figs else ""
        out.append(f'<li><a href="#{sid}">{e(title)}</a>{sub}</li>')
    return f'<nav class="toc"><h2>Contents</h2><ul>{"".join(out)}</ul></nav>'


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run = results.load_run(args.run)
        run.cycles_run = results.load_run(args.cycles_run) if args.cycles_run else None
        if run.cycles_run and not any(r["unit"] == "cycles" for r in run.cycles_run.ok_results()):
            raise results.ResultsError(f"{args.cycles_run}: no measured cycles (not an ACCEL=kvm run)")
        figs = load_manifest(args.manifest)
        ctx = Context(run, args)
    except (results.ResultsError, published.PublishedError) as e:
        hint = f" ({NO_RUN_HINT})" if not os.path.exists(args.run) else ""
        print(f"report.py: {e}{hint}", file=sys.stderr)
        return 1
    if args.only:
        unknown = set(args.only) - {f["id"] for f in figs}
        if unknown:
            print(f"report.py: unknown figure {', '.join(sorted(unknown))} (valid: "
                  f"{', '.join(f['id'] for f in figs)})", file=sys.stderr)
            return 1
        figs = [f for f in figs if f["id"] in args.only]
    # A whole report is drawn into a fresh directory that then replaces the
    # old one, so no figure or CSV of an earlier report survives, and a
    # report that fails half-way leaves the previous one whole.
    final = args.out
    work = final if args.only else f"{final.rstrip('/')}.new-{os.getpid()}"
    if not args.only and os.path.exists(work):
        shutil.rmtree(work)
    try:
        status = write_report(ctx, figs, work, final)
    except BaseException:
        if work != final:
            shutil.rmtree(work, ignore_errors=True)
        raise
    if work != final:
        old = f"{final.rstrip('/')}.old-{os.getpid()}"
        if os.path.exists(final):
            os.rename(final, old)
        os.rename(work, final)
        shutil.rmtree(old, ignore_errors=True)
        print(f"report: {os.path.join(final, 'index.html')} "
              f"({status} figures{', run incomplete' if incomplete(run) else ''})")
    return 0


def incomplete(run):
    """True for a run that bench.py did not finish (interrupted or crashed)."""
    return run.meta.get("complete") is False


def write_report(ctx, figs, out, final):
    """Draw figs of the run into out (index.html unless --only); return the
    number of figures drawn."""
    args, run = ctx.args, ctx.run
    for d in ("data", "fig", "gnuplot"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    # the kind scripts beside the per-figure ones: the directory redraws alone
    for name in os.listdir(os.path.join(REPORT_DIR, "gnuplot")):
        if name.endswith(".gp"):
            shutil.copy(os.path.join(REPORT_DIR, "gnuplot", name), os.path.join(out, "gnuplot"))
    run.faults = report_faults.load_faults(args.faults)[1]
    items = draw_all(figs, ctx, out)
    problems = sorted({i["gnuplot_error"] for i in items if i.get("gnuplot_error")})
    for p in problems:
        print(f"report.py: {p}", file=sys.stderr)
    if args.only:
        return len(items)

    def redraw(fig):
        return (f"scripts/report.py --run {args.run} --out {final} --only {fig['id']}\n"
                f"cd {final} && gnuplot gnuplot/{fig['id']}.gp")
    warnings = [f'<p class="fail">Run failure: {html.escape(f["mode"])} '
                f'{html.escape(f["workload"])}{html.escape(" " + f["shape"] if f.get("shape") else "")}'
                f': {html.escape(f["reason"])} (log: {html.escape(f.get("log", "-"))})</p>'
                for f in run.failures]
    warnings += [f'<p class="warn">{html.escape(p)}</p>' for p in problems]
    if ctx.choice.unknown:
        warnings.append(f'<p class="warn">{html.escape(ctx.choice.sentence())}</p>')
    if incomplete(run):
        warnings.insert(0, '<p class="fail">This run did not finish (interrupted, or '
                        'bench.py stopped early): only the runs it completed are here.</p>')
    headline, events = headline_html(ctx, out)
    drawn = [i for i in items if not i["empty"]]
    empty = [i for i in items if i["empty"]]
    figures = "\n".join(figure_html(i, ctx, redraw) for i in drawn)
    if empty:
        figures += ("<p>No data in this run for: " + "; ".join(
            html.escape(i["title"]) for i in empty) + ".</p>")
    with open(os.path.join(REPORT_DIR, "template.html"), encoding="utf-8") as f:
        page = string.Template(f.read()).substitute(
            run_id=html.escape(run.run_id), warnings="\n".join(warnings), toc=toc_html(items),
            unit=html.escape(unit_words(run.ok_results()) or "no guest results in this run"),
            headline=headline, events=events,
            published=published_html(ctx),
            strategies=strategies_html(ctx),
            apps=apps.html_section(run, _scroll),
            linux_guest=report_linux.html_section(
                run, _scroll, matrix.ipc_of(ctx.choice.primary) if ctx.choice.primary else None),
            smp=report_smp.html_section(run, _scroll),
            modeled=modeled_html(ctx),
            faults=report_faults.faults_html(ctx),
            reproduce=reproduce_html(ctx, items, final),
            renderer=ctx.page, other=("gnuplot" if ctx.page == "matplotlib" else "matplotlib"),
            figures=figures,
            table=f'<p class="which">{html.escape(ctx.choice.sentence())}</p>'
            + _scroll(*report_tables.all_results(run.ok_results(), ctx.choice)),
            provenance=provenance_html(run))
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(page)
    return len(drawn)


if __name__ == "__main__":
    cli.run(main)
