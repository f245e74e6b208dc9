"""test_faults.py - small fault-injection campaigns (scripts/faults.py)
with the same checks as make faults: faults are injected in both
kernels, the micro kernel with a block server survives every one and
loses no completed write, the mono kernel's whole-system failures are
counted, by class; a campaign repeats exactly on a busy host; small
campaigns report what they injected, never "None" or a rate outside
0..100."""
import json
import os
import subprocess
import sys

from bootlib import REPO, Hog

FAULTS = os.path.join(REPO, "scripts", "faults.py")


def campaign(out, *args):
    p = subprocess.run([sys.executable, FAULTS, "--results-dir", str(out), *args],
                       capture_output=True, text=True, timeout=900, cwd=REPO)
    run = os.path.join(out, "latest")
    summary = json.load(open(os.path.join(run, "summary.json")))
    table = open(os.path.join(run, "table.txt")).read() if p.returncode in (0, 1) else None
    return p, summary, table


def test_small_campaign(tmp_path):
    p, summary, _ = campaign(tmp_path, "--faults", "30")
    assert p.returncode == 0, p.stdout + p.stderr
    c = {(x["system"], x["shape"]): x for x in summary["configs"]}
    for key in (("mono", None), ("micro-sel4", "fs"), ("micro-sel4", "fs+blk")):
        assert c[key]["faults"] >= 30, (key, c[key]["faults"])
    blk = c[("micro-sel4", "fs+blk")]
    assert blk["system_failures"] == 0 and blk["completed_writes_lost"] == 0
    # the key-value store over a faulting file server: every answered PUT
    # survives (its log is on the block server's disk), nothing made up
    kv = blk["by_workload"]["kvstore"]
    assert kv["operations_done"] > 0 and kv["lost"] == 0 and kv["corrupted"] == 0
    assert blk["services_restarted"] > 0 and blk["client_errors"] > 0   # seen, and recovered
    assert c[("micro-sel4", "fs")]["system_failures"] == 0
    mono = c[("mono", None)]
    assert mono["system_failures"] > 0   # a fault in the kernel's services takes it down
    assert mono["hangs"] > 0 and mono["failures_without_a_fault"] == 0
    assert sum(v["injected"] for v in mono["by_class"].values()) == mono["faults"]
    null = mono["by_class"].get("null")
    assert not null or null["then_panic"] == null["injected"]   # every null read panics
    loop = mono["by_class"].get("loop")
    assert not loop or loop["then_hang"] == loop["injected"]    # every loop hangs mono
    for b in summary["calibration"]:   # healthy boots: clean, and their lengths are budgets
        assert not b["system_failure"] and b["errors"] == 0 and b["executed"] > 100_000
    assert all(b["budget"] > b["executed"] for cfg in summary["configs"]
               for b in cfg["boots_detail"] if not b["hang"])


def test_isolation_on_a_dedicated_cpu(tmp_path):
    """make faults CPUS=2 WORKLOADS=isolation: a critical task on CPU 0
    keeps every release while the micro file server on CPU 1 dies and is
    restarted again and again; in mono a fault in the kernel's file system
    takes the machine, and the task, down. Its lateness is measured (in
    instructions) and, with no fault, is a wake-up path's."""
    p, summary, table = campaign(tmp_path, "--faults", "10", "--cpus", "2", "--workloads",
                                 "isolation", "--periods", "10")
    assert p.returncode == 0, p.stdout + p.stderr
    c = {(x["system"], x["shape"]): x for x in summary["configs"]}
    for shape in ("fs", "fs+blk"):
        m = c[("micro-sel4@2", shape)]
        iso = m["isolation"]
        assert m["services_restarted"] > 0 and m["system_failures"] == 0, m
        assert iso["critical_lost"] == 0 and iso["releases"] == 10 * iso["boots"], iso
        assert iso["missed"] == 0 and 0 < iso["late_mean"] <= iso["late_max"] < iso["period"], iso
    mono = c[("mono@2", None)]
    assert mono["system_failures"] > 0 and mono["isolation"]["critical_lost"] > 0, mono
    for b in summary["calibration"]:   # no fault: every release kept, promptly
        crit = b["critical"]
        assert not crit["lost"] and crit["missed"] == 0 and crit["periods"] == 10, b
        assert 0 < crit["late_max"] < crit["period"] // 1000, b
    assert "isolation on a dedicated CPU" in table and "critical task lost" in table
    q = subprocess.run([sys.executable, FAULTS, "--results-dir", str(tmp_path / "one"),
                        "--workloads", "isolation"], capture_output=True, text=True, cwd=REPO)
    assert q.returncode == 2 and "needs --cpus 2 or 4" in q.stderr, q.stderr


def test_a_small_campaign_repeats_exactly_beside_a_cpu_hog(tmp_path):
    """Same command, same outcome tables, on an idle host and on one whose
    cores are all busy; on another strategy than the default; a 5-fault
    campaign says what it injected."""
    args = ("--faults", "5", "--ipc", "l4", "--seed", "7", "--ops", "100")
    p1, s1, t1 = campaign(tmp_path / "idle", *args)
    with Hog():
        p2, s2, t2 = campaign(tmp_path / "busy", *args)
    assert p1.returncode == 0, p1.stdout + p1.stderr
    assert p2.returncode == 0, p2.stdout + p2.stderr
    assert t1 == t2 and "micro-l4 fs+blk" in t1

    def outcome(s):
        return [{k: v for k, v in c.items() if k not in ("timing", "boots_detail")}
                for c in s["configs"]]
    assert outcome(s1) == outcome(s2)
    for c in s1["configs"]:
        assert c["faults"] >= 5 and c["boots"] >= 3   # every workload ran
        rate = c["contained_per_100_faults"]
        assert rate is not None and 0 <= rate <= 100
        assert c["timing"]["faults_per_cpu_second"] > 0
    assert "None" not in p1.stdout and "faults per CPU-second" in p1.stdout


def test_boots_reset_in_one_process_end_as_boots_of_their_own(tmp_path):
    """Several trials per QEMU process (kernels/core/trial.c: a machine
    reset between them) give every boot the outcome it has alone in a
    process: same faults, classes, verdicts, errors, recovery times; only
    the firmware's own instruction count differs after a reset."""
    args = ("--faults", "30", "--seed", "11", "--ops", "100")
    p1, s1, t1 = campaign(tmp_path / "one", *args, "--trials", "1")
    p8, s8, t8 = campaign(tmp_path / "eight", *args, "--trials", "8")
    assert p1.returncode == 0, p1.stdout + p1.stderr
    assert p8.returncode == 0, p8.stdout + p8.stderr
    assert t1 == t8

    def boots(s):
        return [{k: v for k, v in b.items() if k not in ("executed", "seconds", "cpu_seconds", "process")}
                for c in s["configs"] for b in c["boots_detail"]]
    b1, b8 = boots(s1), boots(s8)
    assert b1 == b8 and len(b1) >= 9
    assert any(b["hang"] for b in b8) and any(b["panic"] for b in b8)   # both ends seen
    logs = os.listdir(os.path.join(tmp_path / "eight", "latest", "logs"))
    assert not [n for n in logs if n.endswith(".process.log")]   # split into one log per boot
    assert len([n for n in logs if "healthy" not in n]) >= len(b8)   # and any past its end


def test_a_heartbeat_too_short_for_a_healthy_server_is_refused(tmp_path):
    """The healthy boots must run clean: a heartbeat of one tick kills a
    server current at any tick, and the campaign says so instead of
    counting its kills as recoveries. 2,000 operations a boot, so that the
    healthy boots span timer ticks (10 million instructions each): 200 of
    them fit between two since the copies move words."""
    p = subprocess.run([sys.executable, FAULTS, "--results-dir", str(tmp_path), "--faults", "5",
                        "--heartbeat", "1", "--ops", "2000"], capture_output=True, text=True,
                       timeout=600, cwd=REPO)
    assert p.returncode == 2 and "did not run clean" in p.stderr, p.stdout + p.stderr
    assert "is --heartbeat too short?" in p.stderr and "Traceback" not in p.stderr


def test_a_server_that_can_never_start_is_a_restart_storm_not_a_loop():
    """A server that dies before it ever waits for a request, again and
    again (a CPU that breaks its system calls looks like this), stops the
    kernel with the cause named, in a few million instructions, instead of
    restarting it until a time-out. Servers that die after waiting (every
    injected fault) are restarted as before (test_small_campaign)."""
    from bootlib import boot
    b = boot("micro", "run=faults workload=fileio ops=20 fault=fs:stillborn",
             budget=200_000_000)
    assert b.status == 37, b.out[-2000:]   # MKB_EXIT_PANIC
    assert "kernel panic: restart storm: server fs died 8 times in a row before it ever " \
           "waited for a request" in b.out
    assert b.out.count("died; restarted as pid") == 7 and b.executed < 50_000_000


def test_the_watchdog_ends_a_hang_with_interrupts_off_at_the_same_instruction():
    """watchdog=<N> (kernels/core/watchdog.c): a mono kernel spinning in its
    semaphore service (a loop fault, interrupts off) is ended by the NMI
    check within 1/32 of N past N (plus the firmware before the kernel),
    says so, and exits with the hang status, at the same instruction in
    every run; a healthy boot under the watchdog runs to its end."""
    from bootlib import boot
    from mkb import protocol
    n = 2_000_000
    runs = [boot("mono", f"run=faults workload=sem ops=50 fault=sem:loop:1 watchdog={n}",
                 budget=20_000_000) for _ in range(2)]
    for b in runs:
        assert b.status == protocol.load().exit_hang, b.out[-2000:]
        assert "fault: sem: loop at request" in b.out
        assert {"type": "watchdog", "verdict": "hang"} in b.records
        assert n < b.executed < n + n // 32 + 1_000_000, b.executed
    assert runs[0].executed == runs[1].executed
    ok = boot("mono", "run=faults workload=sem ops=50 watchdog=50000000", budget=100_000_000)
    assert ok.status == protocol.load().exit_success, ok.out[-2000:]
    assert "watchdog" in ok.out and not any(r["type"] == "watchdog" for r in ok.records)
