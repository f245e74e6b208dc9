"""Host unit tests of portable C code (services/, tests/unit/test_*.c).

Builds every tests/unit/test_*.c once with `make -k unit` (ASan + UBSan,
see tests/unit/unit.mk), then runs each binary as one pytest test.  Also
compiles each services/*.c with the freestanding kernel flags and no libc
headers, which proves the service code needs nothing the kernel lacks.

Run from anywhere:  /usr/bin/python3 -m pytest -q tests/unit
"""
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT_DIR = ROOT / "tests" / "unit"
BUILD = ROOT / "build"
TEST_SOURCES = sorted(UNIT_DIR.glob("test_*.c"))
SERVICE_SOURCES = sorted((ROOT / "services").glob("*.c"))

# Used only while the top-level Makefile does not include unit.mk yet.
FALLBACK_MAKEFILE = """\
BUILD := build
CC := gcc
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror
include tests/unit/unit.mk
"""

# The only outside symbols service code may use (services/svc_base.h).
ALLOWED_UNDEFINED = {"memcpy", "memset", "memcmp", "strlen", "strncmp"}

KERNEL_CFLAGS = ["-ffreestanding", "-mno-red-zone", "-mgeneral-regs-only",
                 "-fno-pic", "-nostdinc", "-std=c11", "-O2",
                 "-Wall", "-Wextra", "-Werror"]


def _top_makefile_has_unit():
    top = ROOT / "Makefile"
    return top.exists() and "tests/unit/unit.mk" in top.read_text()


def _make_cmd(tmp_path_factory):
    if _top_makefile_has_unit():
        return ["make"]
    mk = tmp_path_factory.mktemp("unit") / "unit.mk"
    mk.write_text(FALLBACK_MAKEFILE)
    return ["make", "-f", str(mk)]


@pytest.fixture(scope="session")
def unit_build(tmp_path_factory):
    """Run `make -k unit` once.  One test that does not build fails only
    its own pytest test; the others still run."""
    make = _make_cmd(tmp_path_factory)
    proc = subprocess.run(make + ["-k", "unit"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    return make, proc


@pytest.mark.parametrize("source", TEST_SOURCES, ids=lambda p: p.stem)
def test_unit_binary_passes(unit_build, source):
    make, build = unit_build
    binary = BUILD / "unit" / source.stem
    if build.returncode != 0:
        # make -q: is this binary up to date (not a stale one)?
        fresh = subprocess.run(make + ["-q", str(binary.relative_to(ROOT))],
                               cwd=ROOT, capture_output=True)
        if fresh.returncode != 0:
            pytest.fail(f"make unit did not build {binary.name}:\n"
                        f"{build.stdout}\n{build.stderr}")
    assert binary.exists(), f"make unit did not build {binary}"
    proc = subprocess.run([str(binary)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, (
        f"{binary.name} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
    assert " passed, 0 failed" in proc.stdout


def _gcc_include_dir():
    out = subprocess.run(["gcc", "-print-file-name=include"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize("source", SERVICE_SOURCES, ids=lambda p: p.name)
def test_service_compiles_freestanding_without_libc(source, tmp_path):
    cmd = (["gcc", "-c"] + KERNEL_CFLAGS +
           [f"-I{_gcc_include_dir()}", f"-I{ROOT / 'services'}",
            str(source), "-o", str(tmp_path / "out.o")])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr}"
    nm = subprocess.run(["nm", "-u", str(tmp_path / "out.o")],
                        capture_output=True, text=True, check=True)
    undefined = {line.split()[-1] for line in nm.stdout.splitlines() if line}
    assert undefined <= ALLOWED_UNDEFINED, (
        f"{source.name} calls {sorted(undefined - ALLOWED_UNDEFINED)}, "
        "which not every hosting provides (see services/svc_base.h)")
