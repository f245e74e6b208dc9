"""test_validate.py - make validate's harness (scripts/validate.py) on the
model side, against the host figures of the committed reference
measurement (results/validate-reference/validate.json, this kind of
machine), so the verdicts depend on the model alone, not on this host's
load: the mechanisms the model means to capture stay within a bound,
and a model that charges every miss of a copy in full, one after
another, falls outside it."""
import json
import os
import subprocess
import sys

import pytest

from harness_support import REPO

SCRIPT = os.path.join(REPO, "scripts", "validate.py")
REFERENCE = os.path.join(REPO, "results", "validate-reference", "validate.json")
BOUND = 0.40   # model/host within 1 +- BOUND: wider than the issue's +-25%, a serial copy's is about 5x
CAPTURED = ("alu_indep,chase_l2,chase_pages,rep_movsb_64,rep_movsb_4k,rep_movsb_4k_cold,"
            "fs_read_4k,fs_open_close,pack_sel4,pack_mach,pack_minix")


def validate(tmp_path, *args):
    p = subprocess.run([sys.executable, SCRIPT, "--against", REFERENCE, "--results-dir",
                        str(tmp_path / "results")] + list(args), capture_output=True, text=True,
                       timeout=600)
    runs = sorted((tmp_path / "results").glob("*/validate.json")) if (tmp_path / "results").exists() else []
    return p, (json.loads(runs[-1].read_text()) if runs else None)


def ratios(out):
    return {r["mechanism"]: r["ratio"] for r in out["rows"]}


def test_the_reference_names_its_host_and_profile():
    ref = json.load(open(REFERENCE))
    assert ref["meta"]["profile"] in ("skylake", "zen3", "zen4") and ref["meta"]["native_runs"] >= 5
    assert all(r["host_cycles"]["min"] <= r["host_cycles"]["median"] <= r["host_cycles"]["max"]
               for r in ref["rows"])


def test_captured_mechanisms_stay_within_the_bound(tmp_path):
    p, out = validate(tmp_path, "--mechanisms", CAPTURED)
    assert p.returncode == 0, p.stderr
    got = ratios(out)
    assert set(got) == set(CAPTURED.split(","))
    assert all(abs(x - 1) <= BOUND for x in got.values()), got
    assert "model/host" in p.stdout and out["meta"]["host_from"] == REFERENCE


def test_a_model_charging_a_copys_misses_serially_fails_the_bound(tmp_path):
    ref = json.load(open(REFERENCE))
    cfg = os.path.join(REPO, "bench", "model", "profiles", f"{ref['meta']['profile']}.cfg")
    serial = tmp_path / "serial.cfg"
    serial.write_text("".join("fill_buffers 1\n" if line.startswith("fill_buffers ") else line
                              for line in open(cfg)))
    p, out = validate(tmp_path, "--mechanisms", "rep_movsb_4k_cold", "--profile-file", str(serial))
    assert p.returncode == 0, p.stderr
    assert ratios(out)["rep_movsb_4k_cold"] > 1 + 2 * BOUND, ratios(out)


def test_an_unknown_mechanism_is_a_clear_error(tmp_path):
    p, out = validate(tmp_path, "--mechanisms", "no_such_thing")
    assert p.returncode == 1 and "no mechanism no_such_thing" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("vendor, family, model, want", [
    ("AuthenticAMD", 25, 0x01, "zen3"), ("AuthenticAMD", 25, 0x61, "zen4"),
    ("GenuineIntel", 6, 0x5E, "skylake"), ("GenuineIntel", 6, 0x97, None)])
def test_the_hosts_core_picks_its_profile(tmp_path, vendor, family, model, want):
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    import validate as v
    info = tmp_path / "cpuinfo"
    info.write_text(f"vendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n"
                    "model name\t: test\n")
    assert v.host_profile(str(info))[0] == want
