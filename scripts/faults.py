#!/usr/bin/env python3
"""faults.py - the fault-injection campaign: faults injected into the
services of both kernels while a workload runs, and what they did.

For each configuration (mono; micro with the file server alone, fs; and
micro with the file server calling a block server, fs+blk) and each
workload (fileio, sem, shm), boots run the guest's faultload
(tests/guest/faultload.c) with fault=<service>:any:<seed> (lib/fault.h:
a wild write, a null read, an infinite loop, a corrupted reply or an
early exit, one class drawn per fault, at seeded request counts), a new
seed per boot, until the configuration has seen --faults faults or
--runs boots per workload. A boot counts: faults injected (the "fault:"
lines), services restarted by the kernel and heartbeat kills, the
workload's client-visible errors, completed writes lost and data
corrupted (its final check), the recovery time the workload saw (from a
failed operation to the next that succeeds, in instructions: the boots
run under icount, so a campaign repeats exactly), whether the workload
itself was killed (a
corrupted reply it trusted), and whether the whole system failed: a
kernel panic, a hang (time-out), or no final line with no client killed. Results go to
results/faults/<run-id>/ (summary.json, a serial log per boot). Exit
status: 0 if micro fs+blk had no whole-system failure and lost no
completed write, 1 otherwise, 2 on a bad command line.
"""
import argparse
import concurrent.futures
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, matrix, parse, protocol, provenance, qemu, results  # noqa: E402

CONFIGS = (("mono", None), ("micro", "fs"), ("micro", "fs+blk"))
WORKLOADS = {"fileio": "fs", "sem": "sem", "shm": "shm"}
# Seconds per boot. A mono boot that does not finish in 1 s has hung (a
# healthy one takes a few tenths under TCG): with interrupts off in the
# kernel's services an injected loop stops the whole system.
TIMEOUT = {"mono": 1.0, "micro": 40}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--faults", type=int, default=1000,
                   help="faults to inject per configuration (default 1000)")
    p.add_argument("--runs", type=int, default=400, help="at most this many boots per "
                   "configuration and workload (default 400)")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--ops", type=int, default=200, help="workload operations per boot")
    p.add_argument("--ipc", default="sel4", help="the micro kernel's IPC strategy (default sel4)")
    p.add_argument("--kernel-dir", default="build", help="holds mono/ and micro-<ipc>/ (default build)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--results-dir", default=os.path.join("results", "faults"),
                   help="where run directories go (default results/faults)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="boots at a time (default: one per CPU, up to 2)")
    args = p.parse_args(argv)
    try:
        args.ipc = matrix.parse_list(args.ipc, matrix.IPCS, "IPC strategy")[0]
    except matrix.MatrixError as e:
        p.error(str(e))
    if min(args.faults, args.runs, args.ops, args.jobs) < 1 or args.seed < 0:
        p.error("--faults, --runs, --ops and --jobs must be at least 1, --seed at least 0")
    return args


def boot(args, run_dir, mode, shape, workload, seed):
    """One boot; its outcome as a dict."""
    system = matrix.system(mode, args.ipc)
    name = f"{system}-{shape or 'kernel'}-{workload}-{seed}"
    append = (f"run=faults workload={workload} ops={args.ops} "
              f"fault={WORKLOADS[workload]}:any:{seed}" + (f" fsshape={shape}" if shape else ""))
    argv = qemu.command(args.qemu, os.path.join(args.kernel_dir, system, "kernel.elf"), append,
                        "icount")
    log = os.path.join(run_dir, "logs", name + ".log")
    out = qemu.run(argv, log, TIMEOUT[mode])
    text = open(log, encoding="utf-8", errors="replace").read()
    proto = protocol.load()
    with open(log, encoding="utf-8", errors="replace") as f:
        records, _ = parse.scan(f, proto.prefix)
    summary = next((r for r in records if r["type"] == "faults"), None)
    classes = re.findall(r"^fault: \w+: (\w+) at request", text, re.M)
    panic = out.status == proto.exit_panic or "kernel panic" in text
    client_died = bool(re.search(r"^mkb: pid \d+ \(faultload\) killed", text, re.M))
    hang = out.timed_out
    return {"mode": mode, "shape": shape, "workload": workload, "seed": seed, "log": log,
            "faults": len(classes), "classes": classes,
            "restarts": len(re.findall(r"died; restarted as pid", text)),
            "heartbeat_kills": len(re.findall(r"stopped answering", text)),
            "panic": panic, "hang": hang,
            "system_failure": panic or hang or (summary is None and not client_died),
            "client_crashed": summary is None and client_died and not (panic or hang),
            "last_class": classes[-1] if classes else None,
            "errors": summary["errors"] if summary else None,
            "lost": summary["lost"] if summary else None,
            "corrupt": summary["corrupt"] if summary else None,
            "done": summary["done"] if summary else None,
            "recoveries": summary.get("recoveries", 0) if summary else 0,
            "recovery_sum": summary.get("recovery_sum", 0) if summary else 0,
            "recovery_max": summary.get("recovery_max", 0) if summary else 0}


def campaign(args, run_dir, mode, shape, pool):
    """Boots of one configuration until it saw args.faults faults: every
    job kept busy, each workload in turn, a new seed per round; boots
    still running when the count is reached are waited for and kept."""
    plan = [(w, seed) for seed in range(args.seed, args.seed + args.runs) for w in WORKLOADS]
    boots, faults, running = [], 0, set()
    while plan or running:
        while plan and len(running) < args.jobs and faults < args.faults:
            w, seed = plan.pop(0)
            running.add(pool.submit(boot, args, run_dir, mode, shape, w, seed))
        if not running:
            break
        finished, running = concurrent.futures.wait(running, return_when="FIRST_COMPLETED")
        for f in finished:
            b = f.result()
            boots.append(b)
            faults += b["faults"]
        if faults >= args.faults:
            plan = []
    return sorted(boots, key=lambda b: (b["seed"], b["workload"]))


def totals(boots):
    """The configuration's figures."""
    n = lambda key: sum(b[key] or 0 for b in boots)  # noqa: E731
    by_class = {}
    for b in boots:
        for c in b["classes"]:
            by_class.setdefault(c, {"injected": 0, "then_panic": 0, "then_hang": 0})
            by_class[c]["injected"] += 1
        if b["last_class"] and (b["panic"] or b["hang"]):
            by_class[b["last_class"]]["then_panic" if b["panic"] else "then_hang"] += 1
    faults = n("faults")
    failures = sum(b["system_failure"] for b in boots)
    return {"boots": len(boots), "faults": faults, "system_failures": failures,
            "panics": sum(b["panic"] for b in boots), "hangs": sum(b["hang"] for b in boots),
            "client_crashes": sum(b["client_crashed"] for b in boots),
            "services_restarted": n("restarts"), "heartbeat_kills": n("heartbeat_kills"),
            "client_errors": n("errors"), "completed_writes_lost": n("lost"),
            "corrupted": n("corrupt"), "operations_done": n("done"),
            "recoveries": n("recoveries"),
            "recovery_mean": round(n("recovery_sum") / n("recoveries")) if n("recoveries") else None,
            "recovery_max": max((b["recovery_max"] or 0 for b in boots), default=0),
            "recovery_unit": "instructions",
            "contained_per_100_faults": round(100 * (faults - failures) / faults, 1) if faults else None,
            "by_class": by_class}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id, run_dir = results.new_run_dir(args.results_dir)
    os.makedirs(os.path.join(run_dir, "logs"), exist_ok=True)
    results.update_latest(args.results_dir, run_id)
    meta = {"run_id": run_id, "date": provenance.now_iso(), "git": provenance.git_state(),
            "qemu": qemu.version(args.qemu), "accel": "icount", "ipc": args.ipc, "ops": args.ops,
            "target_faults": args.faults, "configs": []}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        try:
            for mode, shape in CONFIGS:
                kernel = os.path.join(args.kernel_dir, matrix.system(mode, args.ipc), "kernel.elf")
                if not os.path.isfile(kernel):
                    print(f"faults.py: kernel not built: {kernel}", file=sys.stderr)
                    return 2
                print(f"faults: {mode} {shape or ''} ...", flush=True)
                boots = campaign(args, run_dir, mode, shape, pool)
                t = totals(boots)
                meta["configs"].append({"mode": mode, "shape": shape, **t, "boots_detail": boots})
                print(f"faults: {mode} {shape or ''}: {t['faults']} faults in {t['boots']} boots, "
                      f"{t['system_failures']} whole-system failures ({t['panics']} panics, "
                      f"{t['hangs']} hangs), {t['services_restarted']} restarts, "
                      f"{t['client_errors']} client errors, {t['completed_writes_lost']} "
                      f"completed writes lost, {t['corrupted']} corrupted, recovery seen by the "
                      f"client {t['recovery_mean']} instructions on average", flush=True)
                results.write_json(os.path.join(run_dir, "summary.json"), meta)
        except KeyboardInterrupt:
            qemu.kill_all()
            raise
    print(f"fault results: {run_dir}")
    two_hops = next(c for c in meta["configs"] if c["shape"] == "fs+blk")
    return 0 if two_hops["system_failures"] == 0 and two_hops["completed_writes_lost"] == 0 else 1


if __name__ == "__main__":
    cli.run(main, "interrupted; the run directory holds what finished")
