"""test_schedule.py - the order of a run's boots (scripts/mkb/schedule.py):
submitted longest first by the reference run's lengths, and a run's files
written back in plan order whichever boot finished first."""
import json
import os
import sys

from harness_support import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
from mkb import schedule  # noqa: E402

PLAN = [("mono", "null", None), ("mono", "fileio", None), ("micro-sel4", "fileio", "fs+blk"),
        ("micro-sel4", "null", None), ("linux", "all", None)]


def test_longest_first_unknown_boots_lead():
    lengths = {PLAN[0]: 10, PLAN[1]: 500, PLAN[2]: 900}   # micro-sel4 null: not in the reference
    order = schedule.longest_first({"reference": (lengths, None)}, PLAN)
    assert order == [4, 3, 2, 1]   # numbers from 1; the Linux baseline is not a guest boot


def test_in_plan_order_rewrites_results_and_runs(tmp_path):
    rows = [{"type": "result", "mode": "micro", "ipc": "sel4", "workload": "null", "n": 1},
            {"type": "result", "mode": "linux", "workload": "pingpong", "n": 2},
            {"type": "failure", "mode": "micro", "ipc": "sel4", "workload": "fileio",
             "shape": "fs+blk"},
            {"type": "result", "mode": "mono", "ipc": "mono", "workload": "fileio", "n": 3},
            {"type": "result", "mode": "mono", "ipc": "mono", "workload": "null", "n": 4},
            {"type": "result", "mode": "micro", "ipc": "sel4", "workload": "null", "n": 5}]
    with open(tmp_path / "results.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    meta = {"runs": [{"mode": "micro", "ipc": "sel4", "workload": "null"},
                     {"mode": "mono", "ipc": "mono", "workload": "null"}]}
    everything = [r for r in rows if r["type"] == "result"]
    schedule.in_plan_order(str(tmp_path), meta, PLAN, everything)
    with open(tmp_path / "results.jsonl") as f:
        got = [json.loads(line) for line in f]
    assert [(r["mode"], r["workload"], r.get("n")) for r in got] == [
        ("mono", "null", 4), ("mono", "fileio", 3), ("micro", "fileio", None),
        ("micro", "null", 1), ("micro", "null", 5), ("linux", "pingpong", 2)]   # stable
    assert [r["mode"] for r in meta["runs"]] == ["mono", "micro"]
    assert [r["n"] for r in everything] == [4, 3, 1, 5, 2]
