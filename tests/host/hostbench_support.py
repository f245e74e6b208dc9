"""Paths, helpers and fixtures shared by the host-baseline tests.

Test files import the fixtures by name from here. This is deliberately not
a conftest.py: other test directories import their own conftest module by
that name, and a second one would shadow theirs.

hostbench: the binary, built with the top-level Makefile's `host-bench`
target when there is one, else with a throw-away makefile that sets
BUILD/CC/HOST_CFLAGS the way the top-level one does and includes
bench/host/host.mk. baseline: scripts/host_baseline.py as a module.
"""
import importlib.util
import json
import os
import subprocess

import pytest

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


FALLBACK_MK = """BUILD := build
CC := gcc
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror
include bench/host/host.mk
"""


def _has_target(target):
    if not os.path.exists(os.path.join(REPO, "Makefile")):
        return False
    probe = subprocess.run(["make", "-C", REPO, "-n", target], capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def hostbench(tmp_path_factory):
    """Path of a freshly built build/host/hostbench."""
    if _has_target("host-bench"):
        cmd = ["make", "-C", REPO, "host-bench"]
    else:
        mk = tmp_path_factory.mktemp("mk") / "host.mk"
        mk.write_text(FALLBACK_MK)
        cmd = ["make", "-C", REPO, "-f", str(mk), "host-bench"]
    build = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    assert os.access(BINARY, os.X_OK)
    return BINARY


@pytest.fixture(scope="session")
def baseline():
    """scripts/host_baseline.py imported as a module."""
    spec = importlib.util.spec_from_file_location("host_baseline", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
