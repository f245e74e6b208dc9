"""test_readme_figures.py - every figure README.md quotes is that of a
committed run (results/quoted.json, scripts/check_figures.py), and the
checker does fail: on a list whose quoted text the run contradicts, on a
README that lacks a figure, and (exit 2) on a list it cannot use."""
import json
import os
import sys

import pytest

from harness_support import REPO, SCRIPTS, run_script

sys.path.insert(0, SCRIPTS)
import check_figures  # noqa: E402

LIST = os.path.join(REPO, "results", "quoted.json")
MF = "Measured figures"
FI = "Fault isolation: recovery and the fault-injection campaign"


def test_the_readme_quotes_the_committed_runs():
    p = run_script("check_figures.py")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines()[-1].endswith(" figures checked, 0 stale")


def _real_list():
    with open(LIST, encoding="utf-8") as f:
        return json.load(f)


def _pick(figures, section, **where):
    """The one entry of the real list at that place (by row/column or
    context/slot), so that these tests follow the list's values."""
    found = [e for e in figures if e["section"] == section and
             all(e.get(k, 1 if k == "slot" else None) == v for k, v in where.items())]
    assert len(found) == 1, (section, where, len(found))
    return found[0]


def small_case(tmp_path):
    """A list of a few entries taken from the real one (a table row of each
    run, a phrase with two figures) and a README made to quote them, in
    tmp_path; returns (list path, README path, the entries)."""
    figures = _real_list()["figures"]
    row = "null system call (per op)"
    e = {"mono": _pick(figures, MF, row=row, column="mono"),
         "micro": _pick(figures, MF, row=row, column="micro (sel4)"),
         "ratio": _pick(figures, MF, row=row, column="micro/mono"),
         "l4": _pick(figures, MF, context="hence {} against {})", slot=1),
         "sel4": _pick(figures, MF, context="hence {} against {})", slot=2),
         "faults": _pick(figures, FI, row="faults injected (boots)", column="mono", slot=1),
         "boots": _pick(figures, FI, row="faults injected (boots)", column="mono", slot=2)}
    t = {k: v["text"] for k, v in e.items()}
    readme = "\n".join([
        "# mkbench", "", "```sh", "# not a heading", "```", "", f"## {MF}", "",
        "| what | mono | micro (sel4) | micro/mono |", "|---|---:|---:|---:|",
        f"| {row} | {t['mono']} | {t['micro']} | {t['ratio']} |", "",
        "sel4 and l4 move the message in registers (l4 has no fast path, hence",
        f"{t['l4']} against {t['sel4']}); mach copies it twice.", "", f"## {FI}", "",
        "| | mono |", "|---|---:|",
        f"| faults injected (boots) | {t['faults']} ({t['boots']}) |", ""])
    lst = {"runs": _real_list()["runs"], "figures": list(e.values())}
    return write(tmp_path, lst, readme), e


def write(tmp_path, lst, readme):
    lp, rp = tmp_path / "quoted.json", tmp_path / "README.md"
    lp.write_text(json.dumps(lst, indent=1), encoding="utf-8")
    rp.write_text(readme, encoding="utf-8")
    return str(lp), str(rp)


def check(paths):
    lp, rp = paths
    return run_script("check_figures.py", "--list", lp, "--readme", rp)


def test_a_readme_that_quotes_the_list_passes(tmp_path):
    paths, e = small_case(tmp_path)
    p = check(paths)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout == f"{len(e)} figures checked, 0 stale\n"


def test_a_wrong_value_in_the_list_is_stale(tmp_path):
    paths, e = small_case(tmp_path)
    lp, rp = paths
    lst = json.loads(open(lp, encoding="utf-8").read())
    true = e["l4"]["text"]
    wrong = f"{int(true.replace(',', '')) + 27:,}"
    for f in lst["figures"]:
        if f == e["l4"]:
            f["text"] = wrong
    with open(rp, encoding="utf-8") as f:
        readme = f.read().replace(f"hence\n{true} against", f"hence\n{wrong} against")
    p = check(write(tmp_path, lst, readme))
    assert p.returncode == 1, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 2 and lines[-1] == f"{len(e)} figures checked, 1 stale"
    assert f"quoted '{wrong}', the run says '{true}'" in lines[0]
    assert "results/reference:" in lines[0] and "'hence {} against {})'" in lines[0]


def test_a_figure_missing_from_the_readme_is_reported(tmp_path):
    paths, e = small_case(tmp_path)
    lp, rp = paths
    lst = json.loads(open(lp, encoding="utf-8").read())
    with open(rp, encoding="utf-8") as f:
        readme = f.read()
    # the README quotes another figure in the phrase, and a table row is gone
    other = f"{int(e['l4']['text'].replace(',', '')) + 27:,}"
    edited = readme.replace(f"hence\n{e['l4']['text']} against", f"hence\n{other} against")
    edited = "\n".join(x for x in edited.splitlines() if not x.startswith("| faults injected"))
    p = check(write(tmp_path, lst, edited))
    assert p.returncode == 1, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[-1] == f"{len(e)} figures checked, 3 stale"
    assert any(f"the README has '{other}' there" in x and f"quoted '{e['l4']['text']}'" in x
               for x in lines), lines
    assert sum("no such table row and column" in x for x in lines) == 2, lines
    # a figure inside a longer number is not the figure
    glued = readme.replace(f"hence\n{e['l4']['text']}", f"hence\n1{e['l4']['text']}")
    p = check(write(tmp_path, lst, glued))
    assert p.returncode == 1 and "1 stale" in p.stdout.splitlines()[-1], p.stdout


def test_placeholders_say_what_to_write(tmp_path):
    figures = _real_list()["figures"]
    rate = _pick(figures, FI, row="faults per CPU-second of QEMU", column="mono")
    assert rate.get("placeholder") == "MONO_RATE"
    readme = f"## {FI}\n\n| | mono |\n|---|---:|\n| faults per CPU-second of QEMU | MONO_RATE |\n"
    p = check(write(tmp_path, {"runs": _real_list()["runs"], "figures": [rate]}, readme))
    assert p.returncode == 1
    assert "the cell says 'MONO_RATE' (the placeholder MONO_RATE)" in p.stdout
    assert f"the run says '{rate['text']}'" in p.stdout


@pytest.mark.parametrize("change, why", [
    (lambda e: e["value"]["row"].update(size=12345), "0 rows match"),
    (lambda e: e["value"]["row"].pop("unit"), "2 rows match"),
    (lambda e: e.update(colum="mono"), "unknown keys ['colum']"),
    (lambda e: e.update(format="round"), "unknown format 'round'"),
    (lambda e: e.update(run="elsewhere"), "run 'elsewhere' is not one of"),
])
def test_a_list_it_cannot_use_is_exit_2(tmp_path, change, why):
    paths, e = small_case(tmp_path)
    lp, rp = paths
    lst = json.loads(open(lp, encoding="utf-8").read())
    change(lst["figures"][0])
    p = check(write(tmp_path, lst, open(rp, encoding="utf-8").read()))
    assert p.returncode == 2, p.stdout + p.stderr
    assert why in p.stderr and p.stderr.rstrip().endswith("cannot be used)"), p.stderr


def test_an_unreadable_list_or_run_is_exit_2(tmp_path):
    paths, _ = small_case(tmp_path)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    p = run_script("check_figures.py", "--list", str(tmp_path / "bad.json"), "--readme", paths[1])
    assert p.returncode == 2 and "cannot be read" in p.stderr, p.stderr
    lst = json.loads(open(paths[0], encoding="utf-8").read())
    lst["runs"]["reference"] = str(tmp_path / "no-such-run")
    p = check(write(tmp_path, lst, open(paths[1], encoding="utf-8").read()))
    assert p.returncode == 2 and "no such run directory" in p.stderr, p.stderr


@pytest.mark.parametrize("value, spec, text", [
    (1828, "int", "1,828"), (552.0, "int", "552"), (11320.5, "int", "11,321"),
    (552 / 1828, "fixed:2", "0.30"), (11.45, "fixed:1", "11.5"), (100.0, "upto:1", "100"),
    (50.6, "upto:1", "50.6"), (199.3, "duration", "3 minutes 19 s"), (60, "duration", "1 minute"),
    (0.0, "word", "no"), (2, "word", "two"), (2, "times", "twice"), (None, "int", "no data"),
])
def test_formats(value, spec, text):
    assert check_figures.fmt(value, spec) == text


def test_a_figure_is_whole():
    find = check_figures.find_in
    assert find("took 1,552 and 552.5 and 5520", "552", None) == ""
    assert find("took 1,552 and 552, then", "552", None) is None
    assert find("hence 896 against 552)", "869", "hence {} against {})", 1) == "896"
    assert find("hence 869 against 552)", "552", "hence {} against {})", 2) is None


def test_ratio_sum_and_diff_of_rows():
    """Operands combine: a ratio, a sum and a difference of a run's rows
    (a difference: instructions outside the rep iterations)."""
    class Run(check_figures.BenchRun):
        def __init__(self, rows):
            self.rows = rows
    run = Run([{"mode": "micro", "ipc": "mach", "unit": "instructions", "median": 2625},
               {"mode": "micro", "ipc": "mach", "unit": "modeled_cycles", "median": 3028,
                "events": {"rep_iters": 412.0}}])
    ins = {"row": {"unit": "instructions"}}
    rep = {"row": {"unit": "modeled_cycles"}, "field": "events.rep_iters"}
    assert check_figures.evaluate({"diff": [ins, rep]}, run) == 2213
    assert check_figures.evaluate({"sum": [ins, rep]}, run) == 3037
    assert check_figures.evaluate({"ratio": [ins, rep]}, run) == pytest.approx(2625 / 412)
    assert "(median of instructions) - (events.rep_iters of modeled_cycles)" == \
        check_figures.describe({"diff": [ins, rep]})
    with pytest.raises(check_figures.ListError):
        check_figures.evaluate({"diff": [ins]}, run)
