"""test_apps.py - the application workloads in the harness: the matrix
(an "apps" alias, one size each in a default run, the sweep when named),
their overheads over mono and the SOSP 1997 table (scripts/mkb/apps.py),
and the report's section, on a fake run of mono, l4 and mach."""
import os
import sys

import pytest

from harness_support import Bench, run_script

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import apps, matrix  # noqa: E402


def test_apps_alias_and_sizes():
    assert matrix.parse_list("null,apps", matrix.WORKLOADS, "workload", matrix.ALIASES) == [
        "null", "kvstore", "build", "mix"]
    with pytest.raises(matrix.MatrixError, match=r"apps \(= kvstore,build,mix\)"):
        matrix.parse_list("appz", matrix.WORKLOADS, "workload", matrix.ALIASES)
    assert matrix.sizes_of("mix", quick=False) == [2]
    assert matrix.sizes_of("mix", quick=False, app_sweep=True) == [1, 2, 4, 8]
    assert matrix.sizes_of("fileio", quick=False) == matrix.SIZES["fileio"]
    assert "sizes=8,32,128" in matrix.cmdline("build", False, app_sweep=True)
    assert matrix.shapes("micro", "kvstore") == ("fs", "fs+blk")


def row(system, workload, variant, size, median, work, shape=None, unit="instructions"):
    mode, _, ipc = system.partition("-")
    r = {"mode": mode, "ipc": (ipc or "mono").split("+")[0], "workload": workload,
         "variant": variant, "size": size, "what": "per_run", "median": median, "work": work,
         "unit": unit, "events": {"kentries": 10 * work}, "check": "ok"}
    if "+" in system:
        r["handoff"] = "on"
    if shape:
        r["shape"] = shape
    return r


def mix_rows(l4=105, mach=135, unit="instructions"):
    return [row("mono", "mix", "aim7_shared", 4, 100 * 16, 16, unit=unit),
            row("micro-l4", "mix", "aim7_shared", 4, l4 * 16, 16, "fs", unit=unit),
            row("micro-mach", "mix", "aim7_shared", 4, mach * 16, 16, "fs", unit=unit),
            row("micro-mach", "mix", "aim7_shared", 4, 2 * mach * 16, 16, "fs+blk", unit=unit)]


def test_overhead_per_unit_of_work_and_the_sosp_ratio():
    head, rows = apps.table_rows(mix_rows())
    assert head[4:] == ["mono", "l4", "mach"]
    fs = next(r for r in rows if r[1] == "aim7_shared")
    assert fs[4] == "100" and fs[5] == "105 (+5.0%)" and fs[6] == "135 (+35.0%)"
    blk = next(r for r in rows if r[1] == "aim7_shared [fs+blk]")
    assert blk[6] == "270 (+170.0%)"   # both shapes against the one mono row
    head, rows = apps.sosp_rows(mix_rows())
    # throughput lost: 5/105 and 35/135 of a job's time: 5.4 times
    assert rows == [["4", "+5.0%", "+35.0%", "-", "5.4x", "L4Linux 5%; MkLinux 5-7x L4Linux's"]]
    assert apps.sosp_rows(mix_rows(l4=100))[1][0][4] == "-"   # no l4 overhead: no ratio
    assert apps.sosp_rows(mix_rows(l4=95))[1][0][4] == "-"    # l4 faster than mono: none either
    assert "not fitted" in apps.sosp_text(mix_rows())


def test_overhead_figure_has_a_bar_per_strategy_and_unit():
    rs = mix_rows() + mix_rows(110, 150, "modeled_cycles")
    ex = apps.overhead_panels(rs)
    assert [p["title"] for p in ex.panels] == ["in instructions", "in modeled cycles"]
    assert all(p["hline"] == 0 for p in ex.panels)
    assert ex.rows[0][0] == "mix aim7_shared (4 users)"
    assert ex.rows[0][1:] == pytest.approx([5.0, 35.0, 10.0, 50.0])


@pytest.fixture(scope="module")
def app_run(tmp_path_factory):
    b = Bench(tmp_path_factory.mktemp("apps")).kernels(ipcs=("l4", "mach"))
    p = b.run("--app-sweep", modes="mono,micro", workloads="apps", ipc="l4,mach")
    assert p.returncode == 0, p.stderr
    return b


def test_a_run_of_the_apps_has_every_size_and_shape(app_run):
    rows = [r for r in app_run.lines() if r.get("type") == "result"]
    assert {r["size"] for r in rows if r["workload"] == "mix"} == set(matrix.QUICK_SIZES["mix"])
    assert {r.get("shape") for r in rows if r["mode"] == "micro"} == {"fs", "fs+blk"}
    assert app_run.meta()["matrix"]["app_sweep"] is True


def test_the_report_has_the_applications_section(app_run, tmp_path):
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", app_run.latest(), "--out", out)
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    section = page[page.index('id="apps"'):page.index('id="modeled"')]
    assert "kvstore" in section and "build" in section and "aim7_shared" in section
    assert "%)" in section and 'id="sosp1997"' in section and "SOSP 1997" in section
    assert 'href="#apps"' in page and 'id="fig-app_overhead"' in page


def test_shares_of_kernel_servers_and_application():
    ev = {"insns": 1000, "kernel_insns": 500, "server_insns": 300, "base_cycles": 600,
          "kentry_cycles": 300, "cache_cycles": 100, "kernel_cycles": 450, "server_cycles": 250}
    sh = apps.shares(ev)
    assert sh["insns"] == pytest.approx((50, 30, 20)) and sh["cycles"] == pytest.approx((45, 25, 30))
    assert apps.shares({"insns": 1000}) is None   # a model without the shares
    r = dict(row("micro-l4", "mix", "aim7_shared", 4, 1600, 16, "fs", unit="modeled_cycles"), events=ev)
    head, rows = apps.shares_rows([r])
    assert rows == [["mix", "aim7_shared", "4", "l4", "50% / 30% / 20%", "45% / 25% / 30%"]]


def test_mix_throughput_is_jobs_per_unit_of_time():
    rs = mix_rows() + [row("mono", "mix", "aim7_shared", 8, 100 * 64 * 1.25, 64)]
    head, rows = apps.throughput_rows(rs)
    assert head == ["users", "mono [jobs / 10^9 instructions]", "l4 [jobs / 10^9 instructions]",
                    "mach [jobs / 10^9 instructions]"]
    # 100 instructions a job: 10^7 jobs per 10^9; 8 users at 125 a job: 8 x 10^6
    assert rows == [["4", "10,000,000.0", "9,523,809.5", "7,407,407.4"], ["8", "8,000,000.0", "-", "-"]]
