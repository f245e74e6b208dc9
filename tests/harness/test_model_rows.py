"""test_model_rows.py - the cycle model through bench.py and report.py:
each guest result gets a modeled_cycles row from the plugin's lines
(fake_qemu.py plays the plugin), the two units stay apart, and a model
that does not line up with the results fails the boot, keeping the
instruction rows."""
import json
import os
import shutil

from harness_support import FAKE_QEMU, Bench, run_script


def run(tmp_path, *extra, **kw):
    b = Bench(tmp_path).kernels(**kw)
    return b, b.run("--model", "skylake", "--model-plugin", FAKE_QEMU, *extra,
                    workloads="null,pingpong,fileio")


def test_every_result_gets_a_modeled_row(tmp_path):
    b, p = run(tmp_path)
    assert p.returncode == 0, p.stderr
    rows = b.lines()
    measured = [r for r in rows if r["unit"] == "instructions"]
    modeled = [r for r in rows if r["unit"] == "modeled_cycles"]
    assert measured and len(modeled) == len(measured)
    for a, m in zip(measured, modeled):
        assert (m["workload"], m["variant"], m["size"], m["mode"]) == (
            a["workload"], a["variant"], a["size"], a["mode"])
        assert m["median"] == a["median"] * 2.5 and m["profile"] == "skylake"
        assert m["model_version"] == "1" and m["events"]["cr3_writes"] == 2.0
    meta = b.meta()
    assert meta["model"]["profile"] == "skylake" and "Skylake" in meta["model"]["cpu"]
    cmd = next(r["command"] for r in meta["runs"])
    assert cmd[cmd.index("-plugin") + 1].startswith(FAKE_QEMU + ",profile=")
    assert "Modeled cycles (cycle model, profile skylake" in p.stdout
    assert "micro/mono in both units" in p.stdout


def test_the_units_stay_apart_in_the_tables(tmp_path):
    b, p = run(tmp_path)
    head = next(x for x in p.stdout.splitlines() if x.startswith("pingpong  pipe"))
    instr = next(r for r in b.lines() if r["unit"] == "instructions" and r["mode"] == "mono"
                 and r["variant"] == "pipe" and r["size"] == 8)
    assert f" {instr['median']} " in head   # the instruction headline, not the modeled one
    full = open(os.path.join(b.latest(), "table.txt")).read()
    assert "modeled" not in full.split("IPC strategies")[0].split("Headline")[0]


def test_a_model_that_does_not_line_up_fails_the_boot(tmp_path):
    b, p = run(tmp_path, mono={"null": "modelshort"})
    assert p.returncode == 1
    assert "mono null (cycle model wrote 1 runs for 2 results)" in p.stderr
    kept = [r for r in b.lines() if r["type"] == "result" and r["mode"] == "mono"
            and r["workload"] == "null"]
    assert len(kept) == 2 and all(r["unit"] == "instructions" for r in kept)


def test_unknown_profile_or_missing_plugin_is_refused(tmp_path):
    b = Bench(tmp_path).kernels()
    p = b.run("--model", "pentium")
    assert p.returncode == 2 and "unknown model profile 'pentium' (valid: skylake, zen3, zen4, off)" in p.stderr
    p = b.run("--model", "zen3", "--model-plugin", str(tmp_path / "none.so"))
    assert p.returncode == 2 and "run `make model`, or MODEL=off" in p.stderr
    assert not os.path.exists(b.results) or not os.listdir(b.results)


def test_the_report_shows_both_units(tmp_path):
    b, _ = run(tmp_path)
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out)
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "Modeled cycles" in page and "skylake" in page
    assert 'src="fig/ratio_units.png"' in page and 'src="fig/model_breakdown.png"' in page


def test_measured_cycles_of_a_kvm_run_stand_beside_the_modeled(tmp_path):
    b, _ = run(tmp_path / "a")
    kvm = tmp_path / "kvm"
    shutil.copytree(b.latest(), kvm)
    rows = [json.loads(x) for x in (kvm / "results.jsonl").read_text().splitlines()]
    rows = [dict(r, unit="cycles", accel="kvm", median=r["median"] * 3) for r in rows
            if r.get("type") == "result" and r["unit"] == "instructions"]
    (kvm / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = str(tmp_path / "out")
    p = run_script("report.py", "--run", b.latest(), "--out", out, "--cycles-run", str(kvm))
    assert p.returncode == 0, p.stderr
    page = open(os.path.join(out, "index.html")).read()
    assert "Modeled beside measured cycles" in page and "0.83x" in page   # 2.5 / 3
    p = run_script("report.py", "--run", b.latest(), "--out", out, "--cycles-run", b.latest())
    assert p.returncode == 1 and "no measured cycles (not an ACCEL=kvm run)" in p.stderr
