"""test_report.py - report.py and compare.py on a small fake run.

The run is made by bench.py with the fake guest and fake host baseline;
the report must draw real PNGs (checked by their header) and link them.
"""
import json
import os
import shutil
import struct

import pytest

from harness_support import FAKE_HOST, Bench, run_script


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    b = Bench(tmp_path_factory.mktemp("run")).kernels()
    p = b.run("--host-baseline", FAKE_HOST, modes="mono,micro,linux",
              workloads="null,pingpong,sem,fileio")  # no shm: a figure without data
    assert p.returncode == 0, p.stderr
    return b.latest()


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; fails if not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def test_report_draws_png_figures_and_links_them(run_dir, tmp_path):
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", run_dir, "--out", out)
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    sizes = {"fileio_size": (1000, 810)}  # a 2 x 2 panel grid
    for fig in ("pingpong_size", "mono_vs_micro", "events", "null", "sem", "fileio_ops",
                "fileio_size", "micro_over_mono"):
        for name in (f"{fig}.png", f"{fig}-gnuplot.png"):
            assert png_size(os.path.join(out, "fig", name)) == sizes.get(fig, (800, 500))
            assert f'src="fig/{name}"' in page
        assert f"--only {fig}" in page and f"cd {out} &amp;&amp; gnuplot gnuplot/{fig}.gp" in page
    assert "No data in this run" in page  # shm was not run
    assert "icount" in page and "fsshape=fs+blk" in page  # provenance


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
    assert rows[0] == ["operation", "micro/mono", "micro fs+blk/mono"]
    got = {r[0]: r[1:] for r in rows[1:]}
    # one x position per operation both kernels ran (shm was not run); no Linux
    assert list(got) == ["null call", "yield rt", "IPC 8 B rt", "sem ping-pong",
                         "read 4 KiB", "write 4 KiB", "create"]
    # fake costs: micro 3x the base, plus the size; fs+blk 4000 more
    assert float(got["null call"][0]) == 3.0 and got["null call"][1] == "NaN"
    assert float(got["read 4 KiB"][1]) == 30098 / 10098
    script = open(os.path.join(out, "gnuplot", "micro_over_mono.gp")).read()
    assert "hline = 1.0" in script  # the reference line at equal cost
    for name in ("micro_over_mono.png", "micro_over_mono-gnuplot.png"):
        assert png_size(os.path.join(out, "fig", name)) == (800, 500)


def test_page_states_its_unit_and_sets_published_figures_beside_ours(run_dir, tmp_path):
    out = str(tmp_path / "out")
    assert run_script("report.py", "--run", run_dir, "--out", out).returncode == 0
    page = open(os.path.join(out, "index.html")).read()
    assert "one guest instruction, not a cycle" in page and "rep movs" in page
    assert "guest instructions (QEMU icount" in page  # this run's unit, in words
    gp = open(os.path.join(out, "gnuplot", "pingpong_size.gp")).read()
    assert "guest instructions (icount), not cycles" in gp  # on the figure itself
    published = page.split("Ours beside published")[1].split("<h2>Figures")[0]
    for fact in ("375", "382", "i7-6700", "sel4.systems", "SOSP 1993", "HotOS 1997",
                 "Opteron 242", "i7-920", "22x"):
        assert fact in published, fact
    # round trips beside round trips: seL4's Call + ReplyRecv, ours measured
    assert "Call 375 + ReplyRecv 382" in published and ">757<" in published
    assert "mkbench micro call/reply_recv, fast path" in published
    assert "measured in this run" in published


def test_published_figures_file_is_checked(run_dir, tmp_path):
    bad = tmp_path / "published.json"
    bad.write_text('{"ipc": [{"kernel": "x", "direction": "sideways"}], "ratios": []}')
    p = run_script("report.py", "--run", run_dir, "--out", str(tmp_path / "out"),
                   "--published", str(bad))
    assert p.returncode == 1 and "ipc entry 1" in p.stderr and "Traceback" not in p.stderr


def test_bars_left_margin_fits_rotated_labels():
    import report  # scripts/report.py, on the path through harness_support
    assert report.bars_lmargin(["null call", "yield rt"], True) == 0
    assert report.bars_lmargin(["pingpong/call_replyrecv_slowpath 8"] + ["x"] * 15, False) > 12
    assert report.bars_lmargin([], False) == 0


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


def _copy_run(run_dir, dest, change):
    """A copy of run_dir at dest with change(record) applied to each line."""
    dest.mkdir()
    lines = [json.dumps(change(json.loads(line)) or json.loads(line))
             for line in open(os.path.join(run_dir, "results.jsonl"))]
    (dest / "results.jsonl").write_text("\n".join(lines) + "\n")
    shutil.copy(os.path.join(run_dir, "meta.json"), dest / "meta.json")
    return str(dest)


def test_compare_summarises_what_moved_and_exits_1(run_dir, tmp_path):
    def slower_micro_null(r):
        if r.get("mode") == "micro" and r.get("workload") == "null":
            return dict(r, median=r["median"] * 1.1)
    other = _copy_run(run_dir, tmp_path / "b", slower_micro_null)
    html = tmp_path / "cmp.html"
    p = run_script("compare.py", run_dir, other, "--html", str(html))
    assert p.returncode == 1, p.stderr
    assert "2 of " in p.stdout and "null (guests): 2 changed" in p.stdout
    row = next(x for x in p.stdout.splitlines() if x.split()[:2] == ["micro-sel4", "syscall"])
    assert "+10.0%" in row and "+150" in row
    assert "fileio" not in p.stdout  # unchanged rows are not in the summary
    p = run_script("compare.py", run_dir, other, "--all")
    fileio = [x for x in p.stdout.splitlines() if " seq_read " in x and " 4K " in x]
    assert len(fileio) == 3  # mono, micro fs, micro fs+blk stay apart
    assert any("seq_read (fs+blk)" in x for x in fileio)
    assert "<table" in html.read_text()
    assert run_script("compare.py", run_dir, str(tmp_path / "none")).returncode == 2


def test_compare_same_run_exits_0_and_noisy_units_use_the_spread(run_dir, tmp_path):
    p = run_script("compare.py", run_dir, run_dir)
    assert p.returncode == 0 and "nothing moved" in p.stdout

    def noisy(sem_delta):  # ns rows, each with a spread (stddev) of 10
        def change(r):
            if r.get("type") == "result":
                return dict(r, unit="ns", stddev=10, median=r["median"] + (
                    sem_delta if r["workload"] == "sem" else 0))
        return change
    a = _copy_run(run_dir, tmp_path / "a", noisy(0))
    inside = _copy_run(run_dir, tmp_path / "b", noisy(15))   # 15 <= 10 + 10
    beyond = _copy_run(run_dir, tmp_path / "c", noisy(25))   # 25 > 10 + 10
    assert run_script("compare.py", a, inside).returncode == 0
    p = run_script("compare.py", a, beyond)
    assert p.returncode == 1 and "sem (guests)" in p.stdout


def test_compare_puts_guests_before_the_linux_host(run_dir, tmp_path):
    def linux_too(r):
        if r.get("type") == "result" and r["mode"] == "mono":
            return dict(r, median=r["median"] + 1)
    b = _copy_run(run_dir, tmp_path / "b", linux_too)
    lines = []
    for line in open(os.path.join(b, "results.jsonl")):
        r = json.loads(line)
        lines.append(line.strip())
        if r.get("type") == "result" and r["mode"] == "mono" and r["workload"] == "null":
            lines.append(json.dumps(dict(r, mode="linux", unit="ns", cpus=1)))
    open(os.path.join(b, "results.jsonl"), "w").write("\n".join(lines) + "\n")
    p = run_script("compare.py", run_dir, b)
    heads = [x for x in p.stdout.splitlines() if " changed" in x and "(" in x]
    assert heads[0].startswith("null (guests)")
    assert heads[-1].startswith("null (Linux host)")
    assert "only in B" in p.stdout


def test_headline_table_in_report(run_dir, tmp_path):
    out = str(tmp_path / "out")
    assert run_script("report.py", "--run", run_dir, "--out", out).returncode == 0
    rows = open(os.path.join(out, "data", "headline.csv")).read().splitlines()
    head = rows[0].split(",")
    assert head[:8] == ["workload", "case", "what", "mono [instructions]",
                        "micro [instructions]", "micro/mono", "micro fs+blk [instructions]",
                        "fs+blk/mono"]
    assert head[8:16] == [f"{e} {m}" for e in ("kentries", "switches", "as_switches",
                                                "bytes_copied") for m in ("mono", "micro")]
    assert head[16:] == ["linux case", "linux [ns]"]
    got = {r.split(",")[0]: r.split(",") for r in rows[1:]}
    assert list(got) == ["null", "pingpong", "sem", "fileio"]  # shm was not run
    assert got["pingpong"][1:6] == ["pipe / call_replyrecv 8", "round_trip", "2004", "6004",
                                    "3.00x"]
    assert got["fileio"][1:16] == ["seq_read 4K (micro fs)", "per_op", "10098", "26098",
                                   "2.58x", "30098", "2.98x", "2", "4", "0", "2", "0", "2",
                                   "4096", "8192"]
    assert got["fileio"][16:] == ["read 4K", "900"] and got["null"][16:] == ["getppid", "60"]
    # the page: medians and events in two tables narrow enough for a page
    page = open(os.path.join(out, "index.html")).read()
    medians = page.split("<h2>Headline")[1].split("<table")[1].split("</table>")[0]
    assert medians.count("<th>") == 10 and "<td class=\"txt\">seq_read 4K</td>" in medians
    events = page.split("<h2>Headline")[1].split("<table")[2].split("</table>")[0]
    assert "<td class=\"txt\">2/0/0/4096</td>" in events


def test_shm_figure_shows_throughput(tmp_path):
    b = Bench(tmp_path).kernels()
    assert b.run(workloads="shm").returncode == 0
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out, "--only", "shm_size")
    assert p.returncode == 0, p.stderr
    rows = open(os.path.join(out, "data", "shm_size.csv")).read().splitlines()
    assert rows[0] == ("size,cost (per_handoff): mono,cost (per_handoff): micro,"
                       "throughput: mono,throughput: micro")
    size, mono, micro, tmono, tmicro = map(float, rows[2].split(","))
    assert (size, mono, micro) == (4096, 5048, 11048)
    assert tmono == size / mono and tmicro == size / micro  # bytes per instruction
    assert png_size(os.path.join(out, "fig", "shm_size.png")) == (1000, 450)
    assert png_size(os.path.join(out, "fig", "shm_size-gnuplot.png")) == (1000, 450)
    script = open(os.path.join(out, "gnuplot", "shm_size.gp")).read()
    assert "'bytes per instruction (size / median)'" in script


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
