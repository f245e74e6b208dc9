"""test_faults.py - a small fault-injection campaign (scripts/faults.py)
with the same checks as make faults: faults are injected in both
kernels, the micro kernel with a block server survives every one and
loses no completed write, and the mono kernel's whole-system failures
are counted, by class."""
import json
import os
import subprocess
import sys

from bootlib import REPO


def test_small_campaign(tmp_path):
    p = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "faults.py"), "--faults", "30",
                        "--results-dir", str(tmp_path)], capture_output=True, text=True, timeout=600,
                       cwd=REPO)
    assert p.returncode == 0, p.stdout + p.stderr
    runs = [d for d in os.listdir(tmp_path) if d != "latest"]
    summary = json.load(open(tmp_path / runs[0] / "summary.json"))
    c = {(x["mode"], x["shape"]): x for x in summary["configs"]}
    for key in (("mono", None), ("micro", "fs"), ("micro", "fs+blk")):
        assert c[key]["faults"] >= 30, (key, c[key]["faults"])
    blk = c[("micro", "fs+blk")]
    assert blk["system_failures"] == 0 and blk["completed_writes_lost"] == 0
    assert blk["services_restarted"] > 0 and blk["client_errors"] > 0   # seen, and recovered
    assert c[("micro", "fs")]["system_failures"] == 0
    mono = c[("mono", None)]
    assert mono["system_failures"] > 0   # a fault in the kernel's services takes it down
    assert sum(v["injected"] for v in mono["by_class"].values()) == mono["faults"]
    null = mono["by_class"].get("null")
    assert not null or null["then_panic"] == null["injected"]   # every null read panics
