"""test_apps.py - the application workloads (bench/apps/app.h) boot on
mono and on every micro strategy, one source, and every result's own
check holds: the key-value store returns what was written (also after a
crash and the log's replay), the build's result holds every source's
checksum, and every user of the mix exits 0 (each test's check)."""
import pytest

from bootlib import IPCS, boot

BUILDS = ("mono",) + tuple(f"micro-{i}" for i in IPCS)
SHORT = {"kvstore": "sizes=100 iters=60 warmup=6", "build": "sizes=8",
         "mix": "sizes=2 iters=250"}   # mix: iters / 250 jobs per user
VARIANTS = {"kvstore": {"ycsb_a", "ycsb_a_run", "ycsb_b", "ycsb_b_run", "ycsb_c", "ycsb_c_run",
                        "recovery"},
            "build": {"job"}, "mix": {"aim7_shared"}}


def results_of(build, workload, extra="", args=None):
    b = boot(build, f"run=bench workload={workload} {args or SHORT[workload]} {extra}".strip())
    assert b.status == 33, b.out[-2000:]
    done = [r for r in b.records if r.get("type") == "done"]
    assert done and done[0]["status"] == 0, b.out[-2000:]
    return [r for r in b.records if r.get("type") == "result"]


@pytest.mark.parametrize("workload", sorted(SHORT))
@pytest.mark.parametrize("build", BUILDS)
def test_application_runs_checked(build, workload):
    rows = results_of(build, workload)
    assert {r["variant"] for r in rows} == VARIANTS[workload]
    assert all(r["check"] == "ok" and r["median"] > 0 for r in rows), rows
    runs = [r for r in rows if r["what"] == "per_run" and r["variant"] != "recovery"]
    assert runs and all(r["work"] > 0 for r in runs)


@pytest.mark.parametrize("build", ("micro-sel4", "micro-mach"))
@pytest.mark.parametrize("workload", sorted(SHORT))
def test_application_runs_over_the_block_server(build, workload):
    rows = results_of(build, workload, "fsshape=fs+blk")
    assert all(r["check"] == "ok" and r.get("shape") == "fs+blk" for r in rows), rows


def test_work_scales_the_build_and_the_mix():
    """A larger job costs more in all, less per file; twice the users
    twice the jobs."""
    rows = results_of("mono", "build", args="sizes=8,32")
    per = {r["size"]: r["median"] for r in rows}
    assert per[32] > per[8] and per[32] / 32 < per[8] / 8
    mix = {r["size"]: r for r in results_of("micro-l4", "mix", args="sizes=1,2 iters=250")}
    assert mix[2]["work"] == 2 * mix[1]["work"]
    assert 1.8 < mix[2]["median"] / mix[1]["median"] < 2.2


def test_a_bad_size_is_a_failed_result_not_a_hang():
    b = boot("mono", "run=bench workload=build sizes=500")
    rows = [r for r in b.records if r.get("type") == "result"]
    assert rows and rows[0]["check"] != "ok" and "500 files" in rows[0]["check"]
    b = boot("micro-sel4", "run=bench workload=kvstore sizes=5000 iters=10 warmup=1")
    done = [r for r in b.records if r.get("type") == "done"]
    assert done and done[0]["status"] > 0 and "value size 5000" in b.out
