"""conftest.py - pytest fixtures for the harness tests (helpers: harness_support.py)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness_support import FAKE_HOST, Bench  # noqa: E402


@pytest.fixture
def bench(tmp_path):
    """A Bench with well-behaved fake kernels under tmp_path."""
    return Bench(tmp_path).kernels()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A small fake run of every mode, shared by a test module's tests."""
    b = Bench(tmp_path_factory.mktemp("run")).kernels()
    p = b.run("--host-baseline", FAKE_HOST, modes="mono,micro,linux",
              workloads="null,pingpong,sem,fileio")  # no shm: a figure without data
    assert p.returncode == 0, p.stderr
    return b.latest()
