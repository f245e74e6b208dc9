"""Paths and helpers shared by the host-baseline tests (tests/host/).

A uniquely named module, not conftest, so that test files can import it
even when other test directories have their own conftest.py.
"""
import json
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(REPO, "build", "host", "hostbench")
SCRIPT = os.path.join(REPO, "scripts", "host_baseline.py")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def run_gbench(binary, *args, timeout=60):
    """Run hostbench with JSON on stdout; return (exit status, document)."""
    proc = subprocess.run([binary, "--benchmark_format=json", *args],
                          capture_output=True, text=True, timeout=timeout)
    doc = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc.returncode, doc
