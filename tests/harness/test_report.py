"""test_report.py - report.py and compare.py on a small fake run.

The run is made by bench.py with the fake guest and fake host baseline;
the report must draw real PNGs (checked by their header) and link them.
Narrowed runs (micro only, one strategy, no mono) and runs of several
strategies (tests/harness/fake_qemu.py: each strategy costs a factor of
sel4's) check that the report shows every number it measured, in both
units, with one column per strategy against mono.
"""
import html
import json
import os
import re
import struct
import subprocess
import sys

import pytest

from harness_support import FAKE_QEMU, REPO, Bench, run_script


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; fails if not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def render(run, tmp_path_factory, name):
    """The whole report of run, in a fresh folder (read, not changed, by the tests)."""
    out = str(tmp_path_factory.mktemp(name) / "out")
    p = run_script("report.py", "--run", run, "--out", out)
    assert p.returncode == 0, p.stderr
    return out


@pytest.fixture(scope="module")
def report_out(run_dir, tmp_path_factory):
    return render(run_dir, tmp_path_factory, "report")


def page_of(out):
    with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
        return f.read()


def figures(page):
    """{figure id: its HTML} of the figures on a page."""
    return dict(re.findall(r'<div class="figure" id="fig-([a-z0-9_]+)">(.*?)</div>', page, re.S))


def test_report_draws_png_figures_and_links_them(run_dir, report_out):
    out, page = report_out, page_of(report_out)
    sizes = {"fileio_size": (1000, 810),   # a 2 x 2 panel grid
             "mono_vs_micro": (900, 880),  # 2 bar panels, one above the other
             "null": (900, 500), "sem": (900, 500),   # 2 small bar panels side by side
             "fileio_ops": (900, 480)}     # one bar panel: fileio has single operations only
    for fig in ("pingpong_size", "mono_vs_micro", "events", "null", "sem", "fileio_ops",
                "fileio_size", "micro_over_mono"):
        for name in (f"{fig}.png", f"{fig}-gnuplot.png"):
            assert png_size(os.path.join(out, "fig", name)) == sizes.get(fig, (800, 500)), name
        assert f'src="fig/{fig}.png"' in page
        assert f"--only {fig}" in page and f"cd {out} &amp;&amp; gnuplot gnuplot/{fig}.gp" in page
    assert "No data in this run for: " in page and "Shared memory" in page  # shm was not run
    assert "icount" in page and "fsshape=fs+blk" in page  # provenance


def test_one_picture_per_figure_the_other_renderer_linked(report_out):
    """The page shows matplotlib's picture of each figure, once; gnuplot's
    script and pictures are in the output folder and linked from the
    caption; the directory redraws alone (the kind scripts are copied)."""
    out, page = report_out, page_of(report_out)
    figs = figures(page)
    assert len(figs) >= 8
    for fid, body in figs.items():
        srcs = re.findall(r'<img src="([^"]+)"', body)
        assert srcs == [f"fig/{fid}.png"], (fid, srcs)
        for f in (f"gnuplot/{fid}.gp", f"fig/{fid}-gnuplot.png", f"fig/{fid}-gnuplot.svg"):
            assert os.path.exists(os.path.join(out, f)) and f'href="{f}"' in body, (fid, f)
        assert f'href="data/{fid}.csv"' in body
    assert page.count("<img ") == len(figs)
    for kind in ("style", "bars", "lines", "panels", "barpanels", "stacked"):
        assert os.path.exists(os.path.join(out, "gnuplot", f"{kind}.gp"))
    script = open(os.path.join(out, "gnuplot", "sem.gp")).read()
    assert "gpdir = 'gnuplot/'" in script and "/report/gnuplot" not in script


def test_vector_picture_beside_every_png(report_out):
    out, page = report_out, page_of(report_out)
    pngs = [f for f in os.listdir(os.path.join(out, "fig")) if f.endswith(".png")]
    assert len(pngs) >= 16
    for png in pngs:
        base = os.path.join(out, "fig", png[:-4])
        with open(base + ".svg", encoding="utf-8") as f:
            assert "<svg" in f.read(2000), png
        if not png.endswith("-gnuplot.png"):   # matplotlib's: a PDF too
            with open(base + ".pdf", "rb") as f:
                assert f.read(5) == b"%PDF-", png
            assert f'href="fig/{png[:-4]}.svg"' in page and f'href="fig/{png[:-4]}.pdf"' in page


def test_page_has_a_table_of_contents_and_a_viewport(report_out):
    page = page_of(report_out)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    toc = page.split('<nav class="toc">')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([^"]+)"', toc)
    for sid in ("units", "headline", "strategies", "modeled", "faults", "published",
                "reproduce", "figures", "all", "provenance"):
        assert sid in targets
    assert "fig-micro_over_mono" in targets and "fig-shm_size" not in targets  # drawn only
    for t in targets:
        assert f'id="{t}"' in page, t


def test_gnuplot_on_the_page_when_asked(run_dir, tmp_path):
    """--renderer gnuplot (what a Python without matplotlib gets): gnuplot's
    picture on the page, matplotlib's linked."""
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--renderer", "gnuplot")
    assert p.returncode == 0, p.stderr
    figs = figures(page_of(out))
    body = figs["sem"]
    assert re.findall(r'<img src="([^"]+)"', body) == ["fig/sem-gnuplot.png"]
    assert 'href="fig/sem.png"' in body and 'href="fig/sem.pdf"' in body
    assert "Drawn by gnuplot" in body


def test_figure_csv_is_shared_by_both_plotters(run_dir, tmp_path):
    out = str(tmp_path / "out")
    assert run_script("report.py", "--run", run_dir, "--out", out,
                      "--only", "fileio_size").returncode == 0
    csv_text = open(os.path.join(out, "data", "fileio_size.csv")).read().splitlines()
    # one panel per sized variant, each with mono and both micro shapes
    panels = ("seq_write", "seq_read", "rand_write", "rand_read")
    assert csv_text[0] == "size," + ",".join(
        f"{v}: {s}" for v in panels for s in ("mono", "micro fs", "micro fs+blk"))
    assert csv_text[2].startswith("4096,10048,26048,30048,10098,")
    script = open(os.path.join(out, "gnuplot", "fileio_size.gp")).read()
    # paths relative to the report directory, where gnuplot runs
    assert "csv = 'data/fileio_size.csv'" in script
    assert not os.path.exists(os.path.join(out, "index.html"))


def test_micro_over_mono_figure_divides_same_unit_results_only(run_dir, tmp_path):
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--only", "micro_over_mono")
    assert p.returncode == 0, p.stderr
    rows = [r.split(",") for r in
            open(os.path.join(out, "data", "micro_over_mono.csv")).read().splitlines()]
    # no modeled cycles in this run: the measured unit only
    assert rows[0] == ["operation", "micro/mono [instructions]",
                       "micro fs+blk/mono [instructions]"]
    got = {r[0]: r[1:] for r in rows[1:]}
    # one x position per operation both kernels ran (shm was not run); no Linux
    assert list(got) == ["null call", "yield rt", "IPC 8 B rt", "sem ping-pong",
                         "read 4 KiB", "write 4 KiB", "create"]
    # fake costs: micro 3x the base, plus the size; fs+blk 4000 more
    assert float(got["null call"][0]) == 3.0 and got["null call"][1] == "NaN"
    assert float(got["read 4 KiB"][1]) == 30098 / 10098
    script = open(os.path.join(out, "gnuplot", "micro_over_mono.gp")).read()
    assert "hline = 1\n" in script  # the reference line at equal cost
    assert "vfmt = '%.2f'" in script  # each bar's value on it
    assert "ttl = 'micro-sel4 over mono" in script  # which strategy
    assert "'micro-sel4/mono, instructions'" in script  # legend
    for name in ("micro_over_mono.png", "micro_over_mono-gnuplot.png"):
        assert png_size(os.path.join(out, "fig", name)) == (800, 500)


def test_page_states_its_unit_and_sets_published_figures_beside_ours(report_out):
    out = report_out
    page = page_of(out)
    assert "one guest instruction, not a cycle" in page and "rep movs" in page
    assert "guest instructions (QEMU icount" in page  # this run's unit, in words
    gp = open(os.path.join(out, "gnuplot", "pingpong_size.gp")).read()
    assert "guest instructions (icount), not cycles" in gp  # on the figure itself
    published = page.split('<h2 id="published">')[1].split('<h2 id="reproduce">')[0]
    for fact in ("381", "389", "i7-6700", "sel4.systems", "SOSP 1993", "HotOS 1997",
                 "Opteron 242", "i7-920", "22x", "l4re.org", "Platinum 8352S"):
        assert fact in published, fact
    # round trips beside round trips: seL4's Call + ReplyRecv, ours measured
    assert "Call 381 + ReplyRecv 389" in published and ">770<" in published
    assert "mkbench micro-sel4 call/reply_recv, fast path" in published
    assert "measured in this run" in published


def test_published_figures_file_is_checked(run_dir, tmp_path):
    bad = tmp_path / "published.json"
    bad.write_text('{"ipc": [{"kernel": "x", "direction": "sideways"}], "ratios": []}')
    p = run_script("report.py", "--run", run_dir, "--out", str(tmp_path / "out"),
                   "--published", str(bad))
    assert p.returncode == 1 and "ipc entry 1" in p.stderr and "Traceback" not in p.stderr


def test_bars_left_margin_fits_rotated_labels():
    sys.path.insert(0, os.path.join(REPO, "report"))
    from gnuplot_figure import bars_lmargin   # report/gnuplot_figure.py
    assert bars_lmargin(["null call", "yield rt"], True) == 0
    assert bars_lmargin(["pingpong/call_replyrecv_slowpath 8"] + ["x"] * 15, False) > 12
    assert bars_lmargin([], False) == 0


def test_missing_gnuplot_is_reported_not_fatal(run_dir, tmp_path):
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--gnuplot", "/nonexistent/gnuplot")
    assert p.returncode == 0
    assert "gnuplot not found" in p.stderr
    assert "gnuplot not found" in open(os.path.join(out, "index.html")).read()
    assert png_size(os.path.join(out, "fig", "pingpong_size.png")) == (800, 500)


def test_malformed_results_file_is_a_clear_error(tmp_path):
    run = tmp_path / "bad"
    run.mkdir()
    (run / "meta.json").write_text('{"run_id": "bad"}\n')
    (run / "results.jsonl").write_text('{"type":"result","workload":"null"}\n{broken\n')
    p = run_script("report.py", "--run", str(run), "--out", str(tmp_path / "out"))
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "results.jsonl:1: result lacks field(s)" in p.stderr
    p = run_script("report.py", "--run", str(tmp_path / "nothing"))
    assert p.returncode == 1 and "no such run directory" in p.stderr
    assert "make report RUN=results/reference" in p.stderr  # a fresh clone has that one


def test_headline_table_in_report(report_out):
    out = report_out
    rows = open(os.path.join(out, "data", "headline.csv")).read().splitlines()
    head = rows[0].split(",")
    # table.headline() once per strategy compared, its name first
    assert head[:9] == ["micro", "workload", "case", "what", "mono [instructions]",
                        "micro [instructions]", "micro/mono", "micro fs+blk [instructions]",
                        "fs+blk/mono"]
    assert head[9:17] == [f"{e} {m}" for e in ("kentries", "switches", "as_switches",
                                                "bytes_copied") for m in ("mono", "micro")]
    assert head[17:] == ["linux case", "linux [ns]"]
    got = {r.split(",")[1]: r.split(",") for r in rows[1:]}
    assert list(got) == ["null", "pingpong", "sem", "fileio"]  # shm was not run
    assert {r.split(",")[0] for r in rows[1:]} == {"sel4"}
    assert got["pingpong"][2:7] == ["pipe / call_replyrecv 8", "round_trip", "2004", "6004",
                                    "3.00x"]
    assert got["fileio"][2:17] == ["seq_read 4K (micro fs)", "per_op", "10098", "26098",
                                   "2.58x", "30098", "2.98x", "2", "4", "0", "2", "0", "2",
                                   "4096", "8192"]
    assert got["fileio"][17:] == ["read 4K", "900"] and got["null"][17:] == ["getppid", "60"]
    # the page: medians and events in two tables narrow enough for a page,
    # one column (and its ratio) per strategy; the two-hop shape a row of its own
    page = page_of(out)
    section = page.split('<h2 id="headline">')[1]
    assert "Micro here is sel4, the one IPC strategy in this run." in section
    medians = section.split("<table")[1].split("</table>")[0]
    assert re.findall(r"<th>([^<]*)</th>", medians) == [
        "workload", "case", "what", "mono", "sel4", "sel4/mono", "linux case", "linux [ns]"]
    assert '<td class="txt">seq_read 4K</td>' in medians
    assert '<td class="txt">seq_read 4K, micro fs+blk</td>' in medians
    assert '<td class="num">30098</td><td class="num">2.98x</td>' in medians
    events = section.split("<table")[2].split("</table>")[0]
    assert "<td class=\"txt\">2/0/0/4096</td>" in events


def test_shm_figure_is_one_plot_of_cost(tmp_path):
    """shm: one plot of the cost per hand-off, the legend above it (not over
    the flat lines); the throughput panel is gone (it only restated size /
    cost)."""
    b = Bench(tmp_path).kernels()
    assert b.run(workloads="shm").returncode == 0
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out, "--only", "shm_size")
    assert p.returncode == 0, p.stderr
    rows = open(os.path.join(out, "data", "shm_size.csv")).read().splitlines()
    assert rows[0] == "size,mono,micro"
    assert rows[2] == "4096,5048,11048"
    assert png_size(os.path.join(out, "fig", "shm_size.png")) == (800, 500)
    assert png_size(os.path.join(out, "fig", "shm_size-gnuplot.png")) == (800, 500)
    script = open(os.path.join(out, "gnuplot", "shm_size.gp")).read()
    assert "keytop = 1" in script and "throughput" not in script


def test_report_shows_the_latest_fault_campaign(run_dir, tmp_path):
    faults = tmp_path / "faults"
    (faults / "f1").mkdir(parents=True)
    config = {"faults": 40, "system_failures": 0, "panics": 0, "hangs": 0,
              "contained_per_100_faults": 100.0, "services_restarted": 31, "heartbeat_kills": 7,
              "client_errors": 55, "completed_writes_lost": 0, "corrupted": 0,
              "by_class": {"wild": {"injected": 8, "then_panic": 0, "then_hang": 0}}}
    mono = dict(config, faults=12, system_failures=9, panics=5, hangs=4,
                contained_per_100_faults=25.0)
    json.dump({"run_id": "f1", "ops": 200, "configs": [
        dict(mono, mode="mono", shape=None), dict(config, mode="micro", shape="fs+blk")]},
        open(faults / "f1" / "summary.json", "w"))
    os.symlink("f1", faults / "latest")
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--faults", str(faults))
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "The benefit: what the faults did" in page and ">25.0<" in page
    assert "29% eliminated by a microkernel design" in page
    assert 'src="fig/fault_benefit.png"' in page
    p = run_script("report.py", "--run", run_dir, "--out", out, "--faults", str(tmp_path / "none"))
    assert "No fault-injection run yet" in open(os.path.join(out, "index.html")).read()


def test_report_shows_the_isolation_campaign(run_dir, tmp_path):
    """The committed isolation campaign (results/reference-isolation) gets
    its own table: the critical task lost, its releases and lateness, and
    its lateness with no fault."""
    faults = tmp_path / "faults"
    os.makedirs(faults)
    os.symlink(os.path.join(REPO, "results", "reference-isolation"), faults / "latest")
    data = json.load(open(faults / "latest" / "summary.json"))
    mono = next(c for c in data["configs"] if c["system"] == "mono@2")["isolation"]
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--faults", str(faults))
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "Isolation on a dedicated CPU" in page and "critical task lost" in page
    assert f">{mono['critical_lost']}<" in page and f">{mono['releases']}<" in page


def test_report_compares_containment_across_strategies_and_says_no_data(run_dir, tmp_path):
    """A campaign on two strategies gets a containment-by-strategy table; a
    configuration with no fault says "no data" and draws no bar."""
    faults = tmp_path / "faults"
    (faults / "f2").mkdir(parents=True)
    base = {"faults": 20, "system_failures": 0, "panics": 0, "hangs": 0, "services_restarted": 3,
            "heartbeat_kills": 1, "client_errors": 5, "completed_writes_lost": 0, "corrupted": 0,
            "recovery_mean": None, "by_class": {}, "mode": "micro", "boots": 3}
    configs = [dict(base, system="mono", mode="mono", ipc="mono", shape=None, faults=0,
                    contained_per_100_faults=None)]
    for ipc, rate in (("sel4", 100.0), ("mach", 95.0)):
        configs += [dict(base, system=f"micro-{ipc}", ipc=ipc, shape=shape,
                         contained_per_100_faults=rate) for shape in ("fs", "fs+blk")]
    json.dump({"run_id": "f2", "ops": 200, "seed": 1, "configs": configs,
               "timing": {"faults_per_cpu_second": 12.5}}, open(faults / "f2" / "summary.json", "w"))
    os.symlink("f2", faults / "latest")
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--faults", str(faults))
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "Containment by IPC strategy" in page and ">95.0<" in page
    section = page[page.index("The benefit: what the faults did"):page.index("The price:")]
    assert "micro-mach fs+blk" in section and "no data" in section and "None" not in section
    assert "12.5 faults per CPU-second" in page
    with open(os.path.join(out, "data", "fault_benefit.csv")) as f:
        data = f.read()
    assert "mono" not in data.split("\n", 1)[1] and "micro-mach fs" in data


def section(page, sid):
    """The HTML of one section of the page (from its h2 to the next)."""
    return page.split(f'<h2 id="{sid}">')[1].split("<h2 ")[0]


def cells(table_html):
    """[[cell text]] of an HTML table's rows, header first."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c))
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


@pytest.fixture(scope="module")
def narrow_out(tmp_path_factory):
    """make bench MODES=micro IPC=l4 WORKLOADS=pingpong (with the cycle
    model), and its report."""
    root = tmp_path_factory.mktemp("narrow")
    b = Bench(root).kernels(ipcs=("l4",))
    p = b.run("--model", "skylake", "--model-plugin", FAKE_QEMU, modes="micro",
              workloads="pingpong", ipc="l4")
    assert p.returncode == 0, p.stderr
    out = str(root / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out)
    assert p.returncode == 0, p.stderr
    return out


def test_a_narrowed_run_shows_what_it_measured_in_both_units(narrow_out):
    """Micro only, one strategy that is not sel4: the headline, the events,
    the modeled headline and every result still have their numbers (fake
    l4: (3 x 2000 + 8 / 2) x 1.5 = 9006 instructions at 8 B, modeled 2.5
    times that); no empty unit, no "no guest results"."""
    page = page_of(narrow_out)
    assert "No guest results" not in page and "[]" not in page
    head = section(page, "headline")
    assert "Micro here is l4, the one IPC strategy in this run." in head
    medians = cells(head.split("<table")[1])
    assert medians[0] == ["workload", "case", "what", "l4"]
    assert medians[1] == ["pingpong", "call_replyrecv 8", "round_trip", "9006"]
    assert cells(head.split("<table")[2])[1] == ["pingpong", "call_replyrecv 8", "4/2/2/16"]
    modeled = section(page, "modeled")
    assert cells(modeled.split("<table")[1])[1] == ["pingpong", "call_replyrecv 8",
                                                    "round_trip", "22515"]
    assert "No micro/mono in this run" in modeled
    everything = cells(section(page, "all"))
    assert everything[0] == ["workload", "variant", "size", "what", "l4"]
    assert ["pingpong", "call_replyrecv", "8", "round_trip", "9006"] in everything
    figs = figures(page)
    assert {"pingpong_size", "mono_vs_micro", "events", "model_breakdown"} <= set(figs)
    assert "Mono against micro-l4 per workload and variant" in figs["mono_vs_micro"]
    rows = open(os.path.join(narrow_out, "data", "mono_vs_micro.csv")).read().splitlines()
    assert rows[0] == "case,micro" and "pingpong/call_replyrecv 8,9006" in rows


@pytest.fixture(scope="module")
def strategies_dir(tmp_path_factory):
    """mono and three strategies (null, pingpong, sem), with the cycle model."""
    b = Bench(tmp_path_factory.mktemp("three")).kernels(ipcs=("sel4", "l4", "mach"))
    p = b.run("--model", "skylake", "--model-plugin", FAKE_QEMU, "--mach-handoff", "off",
              modes="mono,micro", workloads="null,pingpong,sem", ipc="sel4,l4,mach")
    assert p.returncode == 0, p.stderr
    return b.latest()


@pytest.fixture(scope="module")
def strategies_out(strategies_dir, tmp_path_factory):
    return render(strategies_dir, tmp_path_factory, "three-report")


def test_mono_against_every_strategy_that_ran(strategies_out):
    """One column and one ratio per strategy in the headline (fake costs:
    mono 2004, micro 6004 x 1 (sel4), 1.5 (l4), 6 (mach) at 8 B), in both
    units, and in the table of every result."""
    page = page_of(strategies_out)
    head = section(page, "headline")
    assert ("Micro here is every IPC strategy in this run, one column each: sel4, l4, mach"
            in head)
    medians = cells(head.split("<table")[1])
    assert medians[0] == ["workload", "case", "what", "mono", "sel4", "sel4/mono", "l4",
                          "l4/mono", "mach", "mach/mono"]
    row = next(r for r in medians if r[0] == "pingpong")
    assert row[3:] == ["2004", "6004", "3.00x", "9006", "4.49x", "36024", "17.98x"]
    events = cells(head.split("<table")[2])
    assert events[0] == ["workload", "case", "mono", "sel4", "l4", "mach"]
    both = section(page, "modeled").split("micro / mono in both units")[1]
    both = cells(both.split("</table>")[0])
    assert both[0][2:4] == ["sel4 [instructions]", "sel4 [modeled cycles]"]
    assert next(r for r in both if r[0] == "pingpong")[2:] == ["3.00x", "3.00x", "4.49x",
                                                               "4.49x", "17.98x", "17.98x"]
    everything = cells(section(page, "all"))
    assert everything[0][4:] == ["mono [instructions]", "sel4", "sel4/mono", "l4", "l4/mono",
                                 "mach", "mach/mono"]
    csv_rows = open(os.path.join(strategies_out, "data", "headline.csv")).read().splitlines()
    assert [r.split(",")[0] for r in csv_rows[1:]] == ["sel4"] * 3 + ["l4"] * 3 + ["mach"] * 3
    units = open(os.path.join(strategies_out, "data", "ratio_units.csv")).readline().strip()
    assert units == ("operation," + ",".join(f"{s}/mono [{u}]" for u in
                                             ("instructions", "modeled cycles")
                                             for s in ("sel4", "l4", "mach")))
    over = open(os.path.join(strategies_out, "data", "micro_over_mono.csv")).readline()
    assert over.strip() == ("operation,micro/mono [instructions],"
                            "micro/mono [modeled cycles]")


def test_the_strategy_a_variable_names(strategies_dir, tmp_path):
    """--vs, or VS in the environment (make report VS=l4): those
    strategies against mono, and the page says so."""
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", strategies_dir, "--out", out, "--vs", "l4")
    assert p.returncode == 0, p.stderr
    head = section(page_of(out), "headline")
    assert "Micro here is l4, named by VS=l4; this run also has sel4, mach." in head
    assert cells(head.split("<table")[1])[0] == ["workload", "case", "what", "mono", "l4",
                                                 "l4/mono"]
    env = dict(os.environ, VS="mach")
    p = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "report.py"), "--run",
                        strategies_dir, "--out", out, "--only", "micro_over_mono"],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert p.returncode == 0, p.stderr
    script = open(os.path.join(out, "gnuplot", "micro_over_mono.gp")).read()
    assert "ttl = 'micro-mach over mono" in script
    p = run_script("report.py", "--run", strategies_dir, "--out", out, "--vs", "qnx",
                   "--only", "micro_over_mono")
    assert p.returncode == 0
    assert "Not in this run: qnx (named by VS=qnx), so every strategy that ran is shown." \
        in p.stderr


def test_figure_fixes(strategies_out):
    """The figures of issue 17: a ratio-to-sel4 panel beside the strategies
    against size; switches and copies apart; semaphores on two axes; the
    model breakdown stacked with its total; the Liedtke figure in both
    units."""
    out = strategies_out

    def script(fid):
        return open(os.path.join(out, "gnuplot", f"{fid}.gp")).read()
    size = script("ipc_strategies_size")
    assert "array ptitle[2] = ['round trip', 'over sel4']" in size
    assert "array pover[2] = [0, 3]" in size   # divided by column 3, micro sel4
    head = open(os.path.join(out, "data", "ipc_strategies_size.csv")).readline().strip()
    assert head == "size,mono,micro sel4,micro l4,micro mach"   # the CSV as before
    events = script("ipc_strategies_events")   # the fake guest counts no message moves
    assert "array ptitle[1] = ['Kernel entries and thread switches per 8 B round trip']" in events
    assert "'direct switches to the partner'" in events and "'direct'" not in events
    sem = script("sem")
    assert "array ptitle[2] = ['Round trips', 'One operation']" in sem
    assert "load gpdir.'stacked.gp'" in script("model_breakdown")
    assert "vfmt = '%.0f'" in script("model_breakdown")
    lied = open(os.path.join(out, "data", "liedtke_1993.csv")).readline().strip()
    assert lied == ("size,round trip: l4,round trip: mach,mach over l4: mach / l4 "
                    "[instructions],mach over l4: mach / l4 [modeled cycles]")
    fileio_like = script("ipc_strategies_size")
    assert "array pshowyl[2] = [1, 1]" in fileio_like and "array pkey[2] = [1, 0]" in fileio_like


def test_reproduce_a_published_figure_section(strategies_out):
    page = page_of(strategies_out)
    rep = section(page, "reproduce")
    rows = cells(rep)
    assert [r[2] for r in rows[1:]] == [
        "make bench MODES=micro IPC=l4,mach WORKLOADS=pingpong",
        "make bench MODES=mono,micro IPC=sel4,l4 WORKLOADS=pingpong MODEL=skylake",
        "make faults && make report RUN=results/reference"]
    assert 'href="fig/liedtke_1993.png"' in rep and 'href="data/liedtke_1993.csv"' in rep
    assert 'href="#fig-liedtke_1993"' in rep and 'href="#fig-published_cycles"' in rep
    assert "SOSP 1993" in rep and "APSys 2018" in rep
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    from mkb import published
    md = published.reproduce_markdown(published.load(os.path.join(REPO, "report",
                                                                  "published.json")))
    assert "`report/out/fig/liedtke_1993.png`" in md and md.count("\n| ") == 3


def test_make_report_in_a_fresh_clone_says_what_to_run(tmp_path):
    """No results/latest yet: the error names the committed reference run,
    and make echoes no command line (it used to echo one with a stray
    backslash)."""
    top = tmp_path / "top.mk"
    top.write_text(f"BUILD := {tmp_path}/build\nPYTHON := {sys.executable}\n"
                   "include scripts/harness.mk\n")
    p = subprocess.run(["make", "--no-print-directory", "-f", str(top), "report",
                        f"RESULTS={tmp_path}/results", f"REPORT_OUT={tmp_path}/out"],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "no such run directory" in p.stderr and "make report RUN=results/reference" in p.stderr
    assert "\\" not in p.stdout and "report.py" not in p.stdout


def test_fault_section_reads_the_newest_summary_and_qemu_processes(run_dir, tmp_path):
    """The campaign's QEMU processes (timing "qemu_processes") are in the
    table; a latest campaign still running (no summary.json yet) gives way
    to the newest one that has a summary; the price is this run's for the
    strategies the campaign injected into."""
    faults = tmp_path / "faults"
    (faults / "f1").mkdir(parents=True)
    (faults / "f2").mkdir()
    base = {"faults": 20, "system_failures": 0, "panics": 0, "hangs": 0, "services_restarted": 3,
            "heartbeat_kills": 1, "client_errors": 5, "completed_writes_lost": 0, "corrupted": 0,
            "recovery_mean": None, "by_class": {}, "mode": "micro", "boots": 6,
            "contained_per_100_faults": 100.0}
    configs = [dict(base, system=f"micro-{ipc}", ipc=ipc, shape="fs",
                    timing={"cpu_seconds": 2.0, "qemu_processes": 2, "faults_per_cpu_second": 10.0})
               for ipc in ("sel4", "mach")]
    json.dump({"run_id": "f1", "ops": 200, "seed": 1, "configs": configs,
               "timing": {"faults_per_cpu_second": 10.0}}, open(faults / "f1" / "summary.json", "w"))
    os.symlink("f2", faults / "latest")   # f2: still running
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out, "--faults", str(faults))
    assert p.returncode == 0, p.stderr
    sec = section(page_of(out), "faults")
    assert "has no summary yet" in sec and "run f1" in sec
    table = cells(sec.split("The benefit")[1].split("</table>")[0])
    assert table[0][2] == "QEMU processes" and table[1][2] == "2"
    assert "12 boots in 4 QEMU processes" in sec
    assert "Not in this run: mach (the ones the fault campaign injected into)" in sec
    with open(os.path.join(out, "data", "fault_benefit.csv")) as f:
        rows = f.read().splitlines()
    assert rows[1].startswith("micro-sel4 fs,100.0,") and rows[2] == "micro-mach fs,100.0,NaN"
