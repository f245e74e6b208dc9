"""conftest.py - pytest fixtures for the harness tests (helpers: harness_support.py)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness_support import Bench  # noqa: E402


@pytest.fixture
def bench(tmp_path):
    """A Bench with well-behaved fake kernels under tmp_path."""
    return Bench(tmp_path).kernels()
