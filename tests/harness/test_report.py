"""test_report.py - report.py and compare.py on a small fake run.

The run is made by bench.py with the fake guest and fake host baseline;
the report must draw real PNGs (checked by their header) and link them.
"""
import json
import os
import struct

import pytest

from harness_support import FAKE_HOST, Bench, run_script


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    b = Bench(tmp_path_factory.mktemp("run")).kernels()
    p = b.run("--host-baseline", FAKE_HOST, modes="mono,micro,linux",
              workloads="null,pingpong,sem,fileio")
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
    for fig in ("pingpong_size", "mono_vs_micro", "events", "sem", "fileio_size",
                "relative_to_null"):
        for name in (f"{fig}.png", f"{fig}-gnuplot.png"):
            assert png_size(os.path.join(out, "fig", name)) == (800, 500)
            assert f'src="fig/{name}"' in page
        assert f"--only {fig}" in page and f"gnuplot {out}/gnuplot/{fig}.gp" in page
    assert "No data in this run" in page  # shm was not run
    assert "icount" in page and "getppid" not in page  # provenance; fake linux null is syscall


def test_figure_csv_is_shared_by_both_plotters(run_dir, tmp_path):
    out = str(tmp_path / "out")
    assert run_script("report.py", "--run", run_dir, "--out", out,
                      "--only", "fileio_size").returncode == 0
    csv_text = open(os.path.join(out, "data", "fileio_size.csv")).read().splitlines()
    assert csv_text[0] == "size,mono,micro fs,micro fs+blk"
    script = open(os.path.join(out, "gnuplot", "fileio_size.gp")).read()
    assert os.path.abspath(os.path.join(out, "data", "fileio_size.csv")) in script
    assert not os.path.exists(os.path.join(out, "index.html"))


def test_relative_figure_compares_each_system_to_its_own_null(run_dir, tmp_path):
    out = str(tmp_path / "out")
    run_script("report.py", "--run", run_dir, "--out", out, "--only", "relative_to_null")
    rows = open(os.path.join(out, "data", "relative_to_null.csv")).read().splitlines()
    assert rows[0] == "case,mono,micro,micro fs,micro fs+blk,linux"
    assert rows[1].startswith("pingpong/pipe / call_replyrecv 0,4.0,4.0,NaN,NaN,66.6")


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
    (run / "results.jsonl").write_text('{"type":"result","workload":"null"}\n{broken\n')
    p = run_script("report.py", "--run", str(run), "--out", str(tmp_path / "out"))
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "results.jsonl:1: result lacks field(s)" in p.stderr
    p = run_script("report.py", "--run", str(tmp_path / "nothing"))
    assert p.returncode == 1 and "no such run directory" in p.stderr


def test_compare_prints_deltas(run_dir, tmp_path):
    other = tmp_path / "b"
    other.mkdir()
    lines = []
    for line in open(os.path.join(run_dir, "results.jsonl")):
        r = json.loads(line)
        if r.get("mode") == "micro" and r.get("workload") == "null":
            r["median"] = r["median"] * 1.1
        lines.append(json.dumps(r))
    (other / "results.jsonl").write_text("\n".join(lines) + "\n")
    html = tmp_path / "cmp.html"
    p = run_script("compare.py", run_dir, str(other), "--html", str(html))
    assert p.returncode == 0, p.stderr
    row = next(x for x in p.stdout.splitlines() if x.startswith("micro  null"))
    assert "+10.0%" in row and "+150" in row
    assert "<table" in html.read_text()
    assert run_script("compare.py", run_dir, str(tmp_path / "none")).returncode == 1
