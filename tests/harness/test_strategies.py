"""test_strategies.py - the IPC strategies through bench.py, report.py and
compare.py: one boot per strategy's build, rows that say which, the
mono-against-micro tables on the default strategy only, and the
strategies' own tables (fake guests whose cost differs per strategy,
tests/harness/fake_qemu.py)."""
import json
import os
import shutil

import pytest

from harness_support import Bench, run_script

ALL = ("sel4", "l4", "mach", "qnx", "minix", "rc4000")
# The systems a default run has: mach twice, its handoff scheduling off and on.
SYSTEMS = ("sel4", "l4", "mach", "mach+handoff", "qnx", "minix", "rc4000")


@pytest.fixture(scope="module")
def strategies_run(tmp_path_factory):
    b = Bench(tmp_path_factory.mktemp("ipc")).kernels(ipcs=ALL)
    p = b.run(modes="mono,micro", workloads="null,pingpong", ipc=",".join(ALL))
    assert p.returncode == 0, p.stderr
    return b, p


def test_each_strategy_boots_its_own_build_and_rows_say_which(strategies_run):
    b, p = strategies_run
    for i in ALL:
        assert f"micro-{i} pingpong ... ok" in p.stdout
        assert os.path.exists(os.path.join(b.latest(), "logs", f"micro-{i}-pingpong.log"))
    rows = b.lines()
    assert {r["ipc"] for r in rows if r["mode"] == "micro"} == set(ALL)
    assert {r.get("handoff") for r in rows if r["mode"] == "micro"} == {None, "off", "on"}
    assert all(r.get("handoff") for r in rows if r.get("ipc") == "mach")
    assert os.path.exists(os.path.join(b.latest(), "logs", "micro-mach+handoff-pingpong.log"))
    assert {r["ipc"] for r in rows if r["mode"] == "mono"} == {"mono"}
    commands = {r["ipc"]: r["command"] for r in b.meta()["runs"] if r["workload"] == "pingpong"}
    assert commands["mach"][commands["mach"].index("-kernel") + 1].endswith("micro-mach/kernel.elf")
    assert b.meta()["matrix"]["ipc"] == list(ALL)


def test_mono_against_micro_uses_the_default_strategy(strategies_run):
    b, p = strategies_run
    sel4 = next(r for r in b.lines() if r.get("ipc") == "sel4" and r["variant"] == "call_replyrecv"
                and r["size"] == 8)
    head = next(x for x in p.stdout.splitlines() if x.startswith("pingpong  pipe"))
    assert f" {sel4['median']} " in head   # not mach's, nor an average


def test_terminal_shows_the_strategies_side_by_side(strategies_run):
    _, p = strategies_run
    lines = p.stdout.splitlines()
    i = lines.index("IPC strategies: the same workloads on each micro IPC design (medians)")
    assert lines[i + 1].split()[2:] == ["mono", *SYSTEMS]
    assert max(len(x) for x in lines if not x.startswith("results:")) <= 120


def test_report_has_strategies_and_liedtke_tables(strategies_run, tmp_path):
    b, _ = strategies_run
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out)
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "IPC strategies: the same servers and workloads" in page
    rows = b.lines()
    med = {r["ipc"]: r["median"] for r in rows if r["workload"] == "pingpong" and r["size"] == 8
           and r["variant"] in ("call_replyrecv", "pipe") and r.get("handoff") != "on"}
    assert f"{med['mach'] / med['l4']:.2f}x at 8 B" in page   # ours: mach / l4
    assert "22x" in page and "L3" in page
    for fig in ("ipc_strategies_size", "ipc_strategies_events"):
        assert f'src="fig/{fig}.png"' in page
    csv_head = open(os.path.join(out, "data", "ipc_strategies_size.csv")).readline().strip()
    assert csv_head == "size,mono," + ",".join(f"micro {i}" for i in SYSTEMS)


def test_unknown_strategy_is_refused(tmp_path):
    b = Bench(tmp_path).kernels()
    p = b.run(ipc="sel4,hurd")
    assert p.returncode == 2
    assert "unknown IPC strategy 'hurd' (valid: sel4, l4, mach, qnx, minix, rc4000)" in p.stderr
    assert not os.path.exists(b.results)


def test_compare_pairs_rows_by_strategy(strategies_run, tmp_path):
    b, _ = strategies_run
    other = tmp_path / "b"
    shutil.copytree(b.latest(), other)
    path = other / "results.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    for r in rows:
        if r.get("ipc") == "mach" and r.get("handoff") == "off" and r["workload"] == "null":
            r["median"] += 7
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    p = run_script("compare.py", b.latest(), str(other))
    assert p.returncode == 1
    moved = [x.split()[0] for x in p.stdout.splitlines() if "+7" in x]
    assert moved and set(moved) == {"micro-mach"}, p.stdout


def test_user_level_semaphore_rows_are_each_designs_own_wakeup():
    """One case, each system's own mechanism: mono's futex row, qnx's
    pulse row, minix's notify row; a design's row under another's name is
    not taken."""
    from mkb import strategies

    def row(mode, ipc, variant, median):
        return {"workload": "sem", "mode": mode, "ipc": ipc, "variant": variant, "size": None,
                "median": median, "unit": "instructions"}
    rows = [row("mono", None, "futex_pingpong", 700), row("micro", "qnx", "pulse_pingpong", 1400),
            row("micro", "minix", "notify_pingpong", 1300), row("micro", "minix", "pingpong", 7000),
            row("micro", "sel4", "futex_pingpong", 1)]
    cells = dict(strategies.case_rows(rows))["user-level semaphore ping-pong (wake-up: futex, "
                                              "design's own)"]
    assert {y: c["median"] for y, c in cells.items() if c} == {
        "mono": 700, "micro-qnx": 1400, "micro-minix": 1300}


def test_breakdown_shows_instructions_outside_rep_iterations():
    """With the cycle model's row of the same case, the round trip's rep
    iterations and the instructions outside them; without one, '-'."""
    from mkb import strategies

    def row(ipc, size, median, unit="instructions", **events):
        return {"workload": "pingpong", "mode": "micro", "ipc": ipc, "variant": "call_replyrecv",
                "size": size, "what": "round_trip", "median": median, "unit": unit,
                "events": events}
    measured = [row("mach", 4096, 20138), row("l4", 4096, 10536)]
    modeled = [row("mach", 4096, 30000.5, "modeled_cycles", rep_iters=16736.0)]
    headers, rows = strategies.breakdown_rows(measured, modeled)
    got = {r[0]: r[headers.index("rep iterations")] + " / " + r[headers.index("outside rep")]
           for r in rows}
    assert got == {"mach": "16736 / 3402", "l4": "- / -"}


def test_liedtke_text_sizes_the_copies_with_the_models_rep_count():
    """With the cycle model's rows, the Liedtke paragraph says how many of
    mach's and l4's instructions are rep iterations; without, it does not."""
    from mkb import strategies

    def row(ipc, median, unit="instructions", handoff=None, **events):
        r = {"workload": "pingpong", "mode": "micro", "ipc": ipc, "variant": "call_replyrecv",
             "size": 8, "what": "round_trip", "median": median, "unit": unit, "events": events}
        return dict(r, handoff=handoff) if handoff else r
    measured = [row("l4", 592), row("mach", 2625, handoff="off")]
    modeled = [row("l4", 1143.0, "modeled_cycles", rep_iters=36.0),
               row("mach", 3028.0, "modeled_cycles", handoff="off", rep_iters=380.0)]
    said = strategies.liedtke_text(measured, modeled)
    assert "mach's round trip is 2033 longer than l4's; 344 of that are iterations of rep" in said
    assert "380 against 36, the cycle model's count), the other 1689 the bookkeeping" in said
    assert "iterations of rep" not in strategies.liedtke_text(measured)


def test_liedtke_text_splits_the_modeled_difference_by_class_and_names_virtual_copy():
    """The modeled difference is split by the model's cost classes (mach's
    minus l4's, per round trip), and mach's out-of-line 4 KiB row is set
    against l4's copy."""
    from mkb import strategies

    def row(ipc, size, median, unit="instructions", variant="call_replyrecv", **events):
        return {"workload": "pingpong", "mode": "micro", "ipc": ipc, "variant": variant,
                "size": size, "what": "round_trip", "median": median, "unit": unit,
                "profile": "skylake", "events": events}
    measured = [row("l4", 8, 592), row("mach", 8, 2650, rights=6.0), row("l4", 4096, 9944),
                row("mach", 4096, 19945), row("mach", 4096, 8010, variant="call_replyrecv_ool")]
    modeled = [row("l4", 8, 1143.0, "modeled_cycles", base_cycles=580.0, cache_cycles=0.0,
                   tlb_cycles=12.0),
               row("mach", 8, 3028.0, "modeled_cycles", base_cycles=2237.0, cache_cycles=108.0,
                   tlb_cycles=120.0)]
    said = strategies.liedtke_text(measured, modeled)
    assert "(6 right translations per round trip)" in said
    assert "executing the instructions 1657, cache misses 108, TLB misses 108" in said
    assert "mach's 4 KiB round trip takes 8010 instructions, 0.8 times l4's copy" in said
    assert "by the model's classes" not in strategies.liedtke_text(measured)
