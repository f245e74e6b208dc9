"""test_compare.py - compare.py on copies of the committed reference run:
every unit is compared (the cycle model's too), and a narrowed run is
compared on the rows both runs have; and on copies of a small fake run
(what moved, the spread of noisy units, guests before the Linux host)."""
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


# On a small fake run (conftest.py run_dir) whose copies change on purpose.

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
    p = run_script("compare.py", run_dir, b, "--rows", "all")
    heads = [x for x in p.stdout.splitlines() if " changed" in x and "(" in x]
    assert heads[0].startswith("null (guests)")
    assert heads[-1].startswith("null (Linux host)")
    assert "only in B" in p.stdout
