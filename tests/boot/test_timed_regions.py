"""What a benchmark sample covers: only the operation it names. Boots the
real bench program (short runs) and checks the timed regions and the
event counts of the shm and fileio workloads."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import boot  # noqa: E402


def results(mode, args):
    b = boot(mode, f"run=bench {args} iters=50 warmup=5")
    rs = [r for r in b.records if r.get("type") == "result"]
    assert rs and all(r["check"] == "ok" for r in rs), b.out[-2000:]
    return {(r["variant"], r["size"]): r for r in rs}


@pytest.mark.parametrize("mode", ["mono", "micro"])
def test_shm_hand_off_excludes_the_fill_and_the_check(mode):
    """A hand-off of a block already in place costs the same at every size
    (the producer's fill and the consumer's byte check are outside it)."""
    rs = results(mode, "workload=shm sizes=64,65536")
    small, big = rs[("handoff", 64)], rs[("handoff", 65536)]
    assert big["median"] == small["median"], (small["median"], big["median"])
    assert small["events"]["bytes_copied"] == 0


@pytest.mark.parametrize("mode, entries", [("mono", 1), ("micro", 2)])
def test_file_name_calls_count_only_the_timed_call(mode, entries):
    """create and unlink make one call each (mono: one system call; micro:
    one request to the file server, two kernel entries); the create before
    a timed unlink and the unlink after a timed create are not counted."""
    rs = results(mode, "workload=fileio sizes=4096")
    for variant in ("create", "unlink"):
        assert rs[(variant, None)]["events"]["kentries"] == entries, rs[(variant, None)]


def test_file_figures_do_not_depend_on_the_iteration_count():
    """Samples cover the file in whole passes, so the direct-block and
    indirect-block calls always come in the file's own proportion."""
    def medians(iters):
        b = boot("mono", f"run=bench workload=fileio sizes=4096 iters={iters} warmup=5")
        return {r["variant"]: r["median"] for r in b.records
                if r.get("type") == "result" and r["size"] == 4096 and r["check"] == "ok"}
    few, many = medians(60), medians(400)
    assert len(few) == 4 and few == many, (few, many)
