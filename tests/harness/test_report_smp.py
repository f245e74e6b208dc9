"""test_report_smp.py - several CPUs in the harness (scripts/mkb/matrix.py,
report_smp.py, stats.py) on fake rows: system names with "@<cpus>", their
SMP builds, the run plan, the round-trip and SMP-cost tables, and the
multicore rows kept out of the one-CPU comparison."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import matrix, report_smp, stats  # noqa: E402


def row(system, workload, variant, size, median, cpus=None, ipis=None, mode=None, **extra):
    mode = mode or matrix.mode_of(system)
    r = {"mode": mode, "workload": workload, "variant": variant, "size": size,
         "what": "round_trip", "median": median, "unit": "instructions", "check": "ok",
         "ipc": matrix.ipc_of(system) if mode == "micro" else mode}
    if cpus:
        r["cpus"] = cpus
    if ipis is not None:
        r["events"] = {"ipis": ipis}
    r.update(extra)
    return r


ROWS = [row("mono", "pingpong", "pipe", 8, 1792),
        row("mono", "pingpong", "pipe", 8, 2464, cpus=2),
        row("mono", "smp", "ipc_same", 8, 2464, cpus=2, ipis=0.0),
        row("mono", "smp", "ipc_cross", 8, 3050, cpus=2, ipis=2.0),
        row("mono", "smp", "poll_cross", 8, 109, cpus=2, ipis=0.0),
        row("micro-sel4", "pingpong", "call_replyrecv", 8, 576),
        row("micro-sel4", "pingpong", "call_replyrecv", 8, 677, cpus=2),
        row("micro-sel4", "smp", "ipc_same", 8, 677, cpus=2, ipis=0.0),
        row("micro-sel4", "smp", "ipc_cross", 8, 1377, cpus=2, ipis=2.0),
        row("mono", "smp", "handoff_cross", 8, 2075, cpus=2, ipis=2.0),
        row("mono", "smp", "handoff_futex_cross", 8, 2316, cpus=2, ipis=2.0),
        row("mono", "smp", "pairs_1", 8, 2491, cpus=2),
        row("mono", "smp", "pairs_2", 8, 2491, cpus=2),
        row("linux", "pingpong", "pipe", 8, 6000.0, cpus=1, unit="ns"),
        row("linux", "pingpong", "pipe", 8, 50000.0, cpus=2, unit="ns")]


def test_system_names_and_builds():
    assert matrix.system("mono", cpus=2) == "mono@2"
    assert matrix.system("micro", "mach", "on", cpus=4) == "micro-mach+handoff@4"
    assert matrix.system("micro", "sel4", cpus=1) == "micro-sel4"
    assert matrix.build_of("micro-mach+handoff@4") == "micro-mach-smp"
    assert matrix.build_of("mono") == "mono"
    assert (matrix.mode_of("micro-l4@2"), matrix.ipc_of("micro-l4@2"), matrix.cpus_of("micro-l4@2")) \
        == ("micro", "l4", 2)
    assert matrix.label("micro-qnx@2") == "qnx@2" and matrix.one_cpu("mono@4") == "mono"
    assert stats.system(ROWS[1]) == "mono@2" and stats.system(ROWS[0]) == "mono"


def test_plan_boots_each_count_and_multicore_only_above_one():
    plan = matrix.plan(("mono",), ["null", "smp"], cpus=(1, 2))
    assert plan == [("mono", "null", None), ("mono@2", "null", None), ("mono@2", "smp", None)]
    with pytest.raises(matrix.MatrixError, match="needs CPUS=2 or 4"):
        matrix.check_cpus(["smp"], [1])
    assert matrix.parse_cpus("1,4") == [1, 4]
    with pytest.raises(matrix.MatrixError, match="CPU count"):
        matrix.parse_cpus("3")


def test_round_trips_table():
    head, rows = report_smp.round_trip_rows(ROWS)
    got = {r[0]: r for r in rows}
    assert got["mono@2"][2:7] == ["2464", "3050", "586", "2", "109"], got["mono@2"]
    assert got["sel4@2"][2:7] == ["677", "1377", "700", "2", "-"]
    assert got["linux host"][2:5] == ["6000", "50000", "44000"] and got["linux host"][-1] == "ns (pipe)"


def test_handoff_table():
    head, rows = report_smp.handoff_rows(ROWS)
    assert rows == [["mono@2", "8", "2075", "2", "2316", "2", "futex", "instructions, all CPUs"]]


def test_pairs_table():
    head, rows = report_smp.pairs_rows(ROWS)
    assert head == ["system", "1 pair", "2 pairs", "unit"]
    assert rows == [["mono@2", "2491", "2491", "instructions, all CPUs"]]


def test_smp_cost_table():
    head, rows = report_smp.cost_rows(ROWS)
    assert ["IPC round trip 8 B", "mono@2", "1792", "2464", "1.38x"] in rows
    assert ["IPC round trip 8 B", "sel4@2", "576", "677", "1.18x"] in rows


def test_multicore_rows_stay_out_of_the_one_cpu_comparison():
    one = stats.one_cpu_rows(ROWS)
    assert all(r.get("cpus", 1) == 1 or r["mode"] == "linux" for r in one)
    assert len([r for r in one if r["mode"] == "mono"]) == 1
    assert report_smp.multicore(ROWS) == [r for r in ROWS if r.get("cpus", 1) > 1 and r["mode"] != "linux"]
    assert report_smp.text([r for r in ROWS if "cpus" not in r]) == ""
    assert "mono@2" in report_smp.text(ROWS)


CLIENTS = [row("mono", "clients", "read", 1, 1709, cpus=2, ipis=0.0),
           row("mono", "clients", "read", 2, 1714, cpus=2, ipis=0.0),
           row("micro-sel4", "clients", "read", 1, 4718, cpus=2, ipis=0.0, shape="shared"),
           row("micro-sel4", "clients", "read", 2, 5497, cpus=2, ipis=2.0, shape="shared"),
           row("micro-sel4", "clients", "sem", 2, 2055, cpus=2, ipis=2.0, shape="shared"),
           row("micro-sel4", "clients", "read", 1, 4718, cpus=2, ipis=0.0, shape="percpu"),
           row("micro-sel4", "clients", "read", 2, 4723, cpus=2, ipis=0.0, shape="percpu")]


def test_clients_plan_boots_each_server_placement():
    plan = matrix.plan(("mono", "micro"), ["clients"], ipcs=["sel4"], cpus=(1, 2))
    assert plan == [("mono@2", "clients", None), ("micro-sel4@2", "clients", "shared"),
                    ("micro-sel4@2", "clients", "percpu")]
    assert matrix.cmdline("clients", True, shape="percpu").endswith("servers=percpu")
    assert matrix.cmdline("fileio", True, shape="fs+blk").endswith("fsshape=fs+blk")
    assert matrix.primary_shape("clients") == "shared"
    with pytest.raises(matrix.MatrixError, match="needs CPUS=2 or 4"):
        matrix.check_cpus(["clients"], [1])


def test_clients_table():
    head, rows = report_smp.clients_rows(CLIENTS)
    assert head == ["system", "servers", "operation", "1 client", "2 clients", "IPIs per op", "unit"]
    assert rows == [
        ["mono@2", "in the kernel", "file read 4 KiB", "1709", "1714", "0", "instructions, all CPUs, per op"],
        ["sel4@2", "one, on CPU 0", "file read 4 KiB", "4718", "5497", "2", "instructions, all CPUs, per op"],
        ["sel4@2", "one, on CPU 0", "semaphore post + wait", "-", "2055", "2",
         "instructions, all CPUs, per op"],
        ["sel4@2", "one per CPU", "file read 4 KiB", "4718", "4723", "0", "instructions, all CPUs, per op"]]
    assert "Many clients, one server" in report_smp.text(CLIENTS)
