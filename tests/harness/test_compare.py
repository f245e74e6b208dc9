"""test_compare.py - compare.py on copies of the committed reference run:
every unit is compared (the cycle model's too), and a narrowed run is
compared on the rows both runs have."""
import json
import os
import shutil

from harness_support import REPO, run_script

REFERENCE = os.path.join(REPO, "results", "reference")


def copy_with(tmp_path, name, change):
    """A copy of the reference run whose results.jsonl rows pass through
    change(row) (None drops the row)."""
    out = tmp_path / name
    shutil.copytree(REFERENCE, out)
    with open(os.path.join(REFERENCE, "results.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    with open(out / "results.jsonl", "w") as f:
        for r in rows:
            r = change(r)
            if r is not None:
                f.write(json.dumps(r) + "\n")
    return str(out)


def test_tripled_modeled_cycles_are_seen(tmp_path):
    def triple(r):
        if r.get("unit") == "modeled_cycles":
            r = dict(r, median=r["median"] * 3, min=r["min"] * 3, mean=r["mean"] * 3)
        return r
    b = copy_with(tmp_path, "b", triple)
    p = run_script("compare.py", REFERENCE, b)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "modeled_cycles" in p.stdout and "+200.0%" in p.stdout
    assert "compare.py: exit 1 (something moved)" in p.stdout
    same = run_script("compare.py", REFERENCE, REFERENCE)
    assert same.returncode == 0 and "nothing moved" in same.stdout


def test_a_narrowed_run_is_compared_on_the_rows_both_have(tmp_path):
    b = copy_with(tmp_path, "b", lambda r: r if r.get("workload") == "pingpong"
                  and r.get("mode") == "micro" and r.get("ipc") == "l4" else None)
    p = run_script("compare.py", REFERENCE, b)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "rows both runs have:" in p.stdout and "only in A, 0 only in B" in p.stdout
    assert "only in A  " not in p.stdout and len(p.stdout.splitlines()) < 10
    every = run_script("compare.py", REFERENCE, b, "--rows", "all")
    assert every.returncode == 1 and "only in A" in every.stdout


def test_an_unreadable_run_says_exit_2(tmp_path):
    p = run_script("compare.py", REFERENCE, str(tmp_path / "none"))
    assert p.returncode == 2 and "exit 2 (a run could not be read)" in p.stderr
