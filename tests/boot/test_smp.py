"""The SMP kernels (kernels/core/include/smp.h) on 2 and 4 CPUs: every
kernel boots on both and passes all its self tests, the hostile programs
of st_attack.c among them, and the multicore ones (tests/guest/st_smp.c:
affinity, a wake-up across CPUs, in the micro kernels a TLB shootdown);
two icount runs on 2 CPUs repeat exactly; the uniprocessor kernels carry
none of the SMP code, and their figures are the reference run's."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import MICRO_BUILDS, REPO, boot, mode_of  # noqa: E402
from test_boot import expected_tests  # noqa: E402

BUILDS = ("mono",) + MICRO_BUILDS
SMP_TESTS = ["smp_cpus", "smp_affinity", "smp_remote_wakeup", "smp_replica", "smp_tick_wait"]


@pytest.mark.parametrize("cpus", [2, 4])
@pytest.mark.parametrize("build", BUILDS)
def test_selftests_pass_on_several_cpus(build, cpus):
    b = boot(build, "run=test", cpus=cpus)
    assert f"mkb: smp: {cpus} CPUs ({cpus} in the MADT)" in b.out, b.out[:2000]
    tests = b.tests()
    failed = [n for n, r in tests.items() if not r["ok"]]
    assert not failed, f"{build} on {cpus} CPUs: failed {failed}\n{b.out[-3000:]}"
    want = expected_tests(build) + SMP_TESTS + (["smp_tlb_shootdown"] if mode_of(build) == "micro" else [])
    missing = [n for n in want if n not in tests]
    assert not missing, f"{build} on {cpus} CPUs: not reported: {missing}"
    assert f"{cpus} CPUs, ran on each in turn" in tests["smp_affinity"]["detail"]
    assert b.records[-1] == {"type": "done", "status": 0}


def _results(out):
    return [json.loads(l.split(" ", 1)[1]) for l in out.splitlines() if l.startswith("@@MKB {\"type\":\"result\"")]


@pytest.mark.parametrize("build", ["mono", "micro-sel4"])
def test_two_runs_on_two_cpus_repeat_exactly(build):
    """The whole serial output of two boots, the multicore round trips
    and every self test among it, is the same to the byte."""
    args = "run=bench workload=smp sizes=8,4096 iters=50 warmup=5"
    a, b = boot(build, args, cpus=2), boot(build, args, cpus=2)
    assert a.status == b.status and a.out == b.out
    rows = _results(a.out)
    kinds = [r["variant"] for r in rows]
    assert kinds[:3] == ["ipc_same", "ipc_cross", "poll_cross"] and kinds[3] == "handoff_cross", kinds
    assert kinds[4].startswith("handoff_") and kinds[4].endswith("_cross") and kinds[5:10] == kinds[:5]
    assert kinds[10:] == ["pairs_1", "pairs_2"], kinds
    assert all(r["check"] == "ok" for r in rows), rows
    cross = {r["size"]: r for r in rows if r["variant"] == "ipc_cross"}
    same = {r["size"]: r for r in rows if r["variant"] == "ipc_same"}
    for n in (8, 4096):   # crossing CPUs: an IPI each way, and more instructions than on one
        assert cross[n]["events"]["ipis"] == 2.0 and same[n]["events"]["ipis"] == 0.0
        assert cross[n]["median"] > same[n]["median"]
        assert cross[n]["placement"] == "client 0, server 1"


def test_smp_workload_refuses_one_cpu():
    b = boot("mono", "run=bench workload=smp sizes=8 iters=10 warmup=1", cpus=1)
    assert any(r["type"] == "error" and "needs 2 CPUs" in r["msg"] for r in b.records), b.out[-1500:]


@pytest.mark.parametrize("build", BUILDS)
def test_uniprocessor_kernels_have_no_smp_code(build):
    """The one-CPU kernels are built without MKB_SMP: no lock, no swapgs,
    no second CPU's start-up code."""
    sym = open(os.path.join(REPO, "build", build, "kernel.sym")).read().split()
    for name in ("kernel_lock", "spin_lock", "smp_start", "ap_tramp_start", "forkret"):
        assert name not in sym, f"{build}: {name} in the one-CPU kernel"
    asm = subprocess.run(["objdump", "-d", os.path.join(REPO, "build", build, "kernel64.elf")],
                         capture_output=True, text=True, check=True).stdout
    assert not [l for l in asm.splitlines() if l.split("\t")[-1].startswith("swapgs")]
    smp_asm = subprocess.run(["objdump", "-d", os.path.join(REPO, "build", build + "-smp",
                                                            "kernel64.elf")],
                             capture_output=True, text=True, check=True).stdout
    assert [l for l in smp_asm.splitlines() if l.split("\t")[-1].startswith("swapgs")]
    smp = open(os.path.join(REPO, "build", build + "-smp", "kernel.sym")).read().split()
    assert "spin_lock" in smp and "smp_start" in smp


def test_one_cpu_figures_are_the_reference_runs():
    """The uniprocessor kernels' hot paths give the reference run's medians
    (results/reference), instruction for instruction."""
    ref = {}
    with open(os.path.join(REPO, "results", "reference", "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "result" and r.get("unit") == "instructions" and "cpus" not in r:
                ref[(r["mode"], r.get("ipc"), r["workload"], r["variant"], r["size"])] = r["median"]
    for build, ipc in (("mono", "mono"), ("micro-sel4", "sel4")):
        b = boot(build, "run=bench workload=pingpong sizes=8,4096 iters=50 warmup=5")
        rows = [r for r in _results(b.out) if r["variant"] in ("pipe", "call_replyrecv")]
        assert len(rows) == 2, b.out[-1500:]
        for r in rows:
            key = (mode_of(build), ipc, "pingpong", r["variant"], r["size"])
            assert key in ref, key
            assert r["median"] == ref[key], (key, r["median"], ref[key])


@pytest.mark.parametrize("build", BUILDS)
def test_each_kernel_locks_its_own_way(build):
    """micro: one big kernel lock (seL4's way); mono: none, a lock per
    subsystem (the scheduler's, the file system's, one per pipe...)."""
    smp = open(os.path.join(REPO, "build", build + "-smp", "kernel.sym")).read().split()
    if mode_of(build) == "micro":
        assert "bkl" in smp and "kernel_lock" in smp and "sched_lk" not in smp
    else:
        assert "bkl" not in smp and "kernel_lock" not in smp
        for lk in ("sched_lk", "pmm_lk", "quota_lk", "console_lk", "fs_lk", "sem_lk", "shm_lk",
                   "mq_lk", "futex_lk", "pipes_lk"):
            assert lk in smp, lk


def _clients(build, servers=None):
    args = "run=bench workload=clients sizes=1,2 iters=50 warmup=5" + (f" servers={servers}" if servers else "")
    b = boot(build, args, cpus=2)
    rows = {(r["variant"], r["size"]): r for r in _results(b.out)}
    assert sorted(rows) == [("read", 1), ("read", 2), ("sem", 1), ("sem", 2)], b.out[-2000:]
    assert all(r["check"] == "ok" and r["unit"] == "tsc" for r in rows.values()), rows
    assert rows[("read", 2)]["placement"].startswith("client j on CPU j, j < 2; "), rows[("read", 2)]
    return b, rows


def test_many_clients_one_server():
    """Two clients on two CPUs: mono's services run on each client's CPU
    (no IPI); micro's shared servers sit on CPU 0, so the client on CPU 1
    calls across (IPIs, more instructions per operation); replicated per
    CPU (servers=percpu) they stay local again."""
    _, mono = _clients("mono")
    _, shared = _clients("micro-sel4")
    b, percpu = _clients("micro-sel4", "percpu")
    assert "mkb: server fs pid" in b.out and "on endpoint" in b.out and ", on its CPU" in b.out
    for op in ("read", "sem"):
        assert mono[(op, 2)]["events"]["ipis"] == 0.0 and percpu[(op, 2)]["events"]["ipis"] == 0.0
        assert shared[(op, 2)]["events"]["ipis"] > 0.0, shared[(op, 2)]
        assert shared[(op, 2)]["median"] > shared[(op, 1)]["median"]
        assert percpu[(op, 2)]["median"] < shared[(op, 2)]["median"]
        assert shared[(op, 2)].get("shape") == "shared" and percpu[(op, 2)].get("shape") == "percpu"
        assert "shape" not in mono[(op, 2)]


@pytest.mark.parametrize("ipc", ["minix", "qnx"])
def test_clients_in_every_idiom(ipc):
    """minix's file reads copy through a grant the client names by EP_FS
    (its CPU's replica under servers=percpu: ipc/minix.c, grantee_ok); qnx
    and minix servers run at their clients' priority on CPU 0 beside
    client 0 (shared): both placements finish and check their data."""
    for servers in ("shared", "percpu"):
        _, rows = _clients(f"micro-{ipc}", servers)
        assert (rows[("read", 2)]["events"]["ipis"] > 0.0) == (servers == "shared"), rows


@pytest.mark.parametrize("cpus,args,why", [
    (2, "servers=bogus", "servers=bogus: use servers=shared, servers=percpu or servers=last"),
    (1, "servers=percpu", "servers=percpu: needs several CPUs"),
    (1, "servers=last", "servers=last: one CPU has servers=shared only"),
    (2, "quantum=0", "quantum=0: give a number of guest instructions")])
def test_bad_servers_argument_is_refused(cpus, args, why):
    b = boot("micro-sel4", f"run=bench workload=null iters=10 warmup=1 {args}", cpus=cpus)
    assert why in b.out, b.out[-1500:]
    assert not _results(b.out)
