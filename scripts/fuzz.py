#!/usr/bin/env python3
"""fuzz.py - run the in-guest system-call fuzzer (tests/guest/fuzz.c) on
each kernel and say whether either broke.

One QEMU boot per mode with run=fuzz calls=N seed=S first=F chunk=C. The
guest prints a line per chunk of calls and a summary; a kernel panic, a
hang (over its instruction budget, or past the wall-clock limit under tcg), a failed sanity check (another
process, a file, a semaphore, the servers) or a malformed line is a
failure, reported with the seed and the calls in flight and the command
that replays them. Results go to results/fuzz/<run-id>/ (summary.json and
one serial log per kernel: mono, micro-<ipc>). Exit status: 0 nothing broke, 1 something did,
2 bad command line.

Under icount (--accel icount) a boot is bounded by a budget of guest
instructions (bench/budget/budget.c): a first boot of each kernel fuzzes
one chunk of calls and measures its length; the full boot may run
BUDGET_MULTIPLE times that per chunk it fuzzes. Over budget is a hang on
any host; the wall-clock --timeout is then only a safety net (hitting it:
the host was too slow). Under tcg (the default, faster) the wall-clock
--timeout is the only bound, and a hang verdict can depend on the host.
Boots run on Dask distributed (scripts/mkb/engine.py): locally, or with
--cluster tcp://host:port on a running scheduler's workers (icount only).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, engine, matrix, parse, protocol, provenance, qemu, results  # noqa: E402
cli.require("distributed")   # Dask runs the boots (scripts/mkb/engine.py)

BUDGET_MULTIPLE = 10
CALIBRATION_BUDGET = 2_000_000_000


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modes", default="mono,micro", help="comma separated, of mono,micro")
    p.add_argument("--ipc", default="sel4",
                   help=f"micro IPC strategies to fuzz, of {','.join(matrix.IPCS)} (default sel4)")
    p.add_argument("--calls", type=int, default=10_000_000, help="calls per kernel (default 10 million)")
    p.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    p.add_argument("--first", type=int, default=0, help="index of the first call (default 0)")
    p.add_argument("--chunk", type=int, default=4000, help="calls per child process (default 4000)")
    p.add_argument("--trees", type=int, default=1,
                   help="fuzzed process trees at once, each under its own limits, while the "
                        "driver's own tree checks its service (1 to 4; default 1)")
    p.add_argument("--cpus", type=int, default=1, choices=matrix.CPUS,
                   help="CPUs of every boot (default 1; 2 or 4: the SMP kernels, "
                        "build/<system>-smp, systems named <system>@<cpus>)")
    p.add_argument("--accel", default="tcg", choices=("tcg", "icount"),
                   help="tcg (fast, default) or icount (every boot repeats exactly)")
    p.add_argument("--timeout", type=float,
                   help="seconds per boot (default 120 + calls / 20,000)")
    p.add_argument("--kernel-dir", default="build",
                   help="holds mono/ and micro-<ipc>/kernel.elf (default build)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--results-dir", default=os.path.join("results", "fuzz"),
                   help="where run directories go (default results/fuzz)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="boots at a time (default: one per CPU, up to 2)")
    p.add_argument("--cluster", default=None,
                   help="a Dask scheduler, tcp://host:port (with --accel icount)")
    p.add_argument("--budget-plugin", default=qemu.BUDGET_PLUGIN,
                   help="the instruction budget plugin (default build/budget/mkbbudget.so)")
    p.add_argument("--append", default="", help=argparse.SUPPRESS)   # tests: extra kernel args
    args = p.parse_args(argv)
    try:
        args.modes = matrix.parse_list(args.modes, matrix.GUEST_MODES, "mode")
        args.ipc = matrix.parse_list(args.ipc, matrix.IPCS, "IPC strategy")
    except matrix.MatrixError as e:
        p.error(str(e))
    if args.calls < 1 or args.chunk < 1 or args.first < 0 or args.seed < 0:
        p.error("--calls and --chunk must be at least 1, --first and --seed at least 0")
    if not 1 <= args.trees <= 4:
        p.error("--trees must be 1 to 4")
    if args.cluster and args.accel != "icount":
        p.error("--cluster runs icount boots only (their verdicts do not depend on the machine)")
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.timeout is None:
        args.timeout = 120 + args.calls / 20_000
    return args


def judge(mode, args, outcome, log, proto):
    """The mode's summary dict: what ran, how fast, and what broke."""
    with open(log, encoding="utf-8", errors="replace") as f:
        records, bad_lines = parse.scan(f, proto.prefix)
    chunks = [r for r in records if r["type"] == "fuzz"]
    summary = next((r for r in records if r["type"] == "fuzz_summary"), None)
    done = next((r for r in records if r["type"] == "done"), None)
    calls = summary["calls"] if summary else sum(c.get("done", 0) for c in chunks)
    out = {"mode": matrix.mode_of(mode), "system": mode, "seed": args.seed, "first": args.first,
           "calls_asked": args.calls,
           "calls": calls, "issued": summary and summary.get("issued"),
           "chunks": len(chunks), "seconds": round(outcome.seconds, 2),
           "calls_per_second": round(calls / outcome.seconds) if outcome.seconds else None,
           "child_faults": summary and summary["child_faults"],
           "child_blocked": summary and summary["child_blocked"], "log": os.path.basename(log)}
    problems = []
    if outcome.error:
        problems.append(outcome.error)
    elif outcome.limit_reached():
        problems.append(outcome.limit_reached())
    elif outcome.status == proto.exit_panic:
        problems.append("kernel panic")
    elif outcome.status != proto.exit_success:
        problems.append(proto.describe_exit(outcome.status))
    if bad_lines:
        problems.append(f"malformed protocol line {bad_lines[0].lineno}")
    failed = [c for c in chunks if c.get("sanity")]
    if failed:
        problems.append(f"sanity check {failed[0]['sanity']} failed after calls "
                        f"{failed[0]['first']}..{failed[0]['first'] + failed[0]['count'] - 1}")
    if not problems and (not done or done.get("status") != 0 or not summary):
        problems.append("no summary from the guest")
    if problems:
        last = chunks[-1].get("next", chunks[-1]["first"] + chunks[-1]["count"]) \
            if chunks else args.first
        nxt = min(args.chunk, args.first + args.calls - last)
        flight = failed[0] if failed else {"first": last, "count": max(nxt, 1)}
        out["in_flight"] = {"first": flight["first"], "count": flight["count"]}
        where = (f"MODES=micro IPC={matrix.ipc_of(mode)}" if matrix.mode_of(mode) == "micro"
                 else f"MODES={matrix.mode_of(mode)}")
        if matrix.cpus_of(mode) > 1:
            where += f" CPUS={matrix.cpus_of(mode)}"
        out["replay"] = (f"make fuzz {where} SEED={args.seed} FIRST={flight['first']} "
                         f"CALLS={flight['count']} FUZZ_ACCEL=icount")
    out["problems"] = problems
    out["ok"] = not problems
    return out


TCG_SMP_HEARTBEAT = 1000   # timer ticks (10 s) on several CPUs under multi-threaded TCG


def boot(args, run_dir, system, calls, first, budget, tag=""):
    """The engine's Boot that fuzzes calls calls from first on system."""
    append = (f"run=fuzz calls={calls} seed={args.seed} first={first} "
              f"chunk={args.chunk} trees={args.trees} {args.append}").strip()
    if matrix.cpus_of(system) > 1 and args.accel == "tcg":
        # A server's heartbeat counts timer ticks (kernels/core/sched.c), and
        # under multi-threaded TCG ticks are host time: a vCPU thread the host
        # leaves unscheduled for 300 ms looks like a hung server (seen with 4
        # vCPUs on 2 shared cores). The fuzzer judges hangs by its own limit.
        append += f" heartbeat={TCG_SMP_HEARTBEAT}"
    argv = qemu.command(args.qemu, "@in:kernel", append, args.accel, cpus=matrix.cpus_of(system))
    inputs = {"kernel": os.path.join(args.kernel_dir, matrix.build_of(system), "kernel.elf")}
    timeout, outputs = args.timeout, []
    if budget:
        argv += qemu.budget_args(budget, "@out:budget", "@in:budget.so")
        inputs["budget.so"] = args.budget_plugin
        outputs = ["budget"]
        timeout = max(args.timeout, qemu.safety_net(budget))
    return engine.Boot(argv, os.path.join(run_dir, "logs", f"fuzz-{system}{tag}.log"), timeout,
                       inputs, outputs, key=system, budget=budget)


def budgets(args, eng, run_dir, systems, proto):
    """Under icount: each kernel's budget from a one-chunk boot, and the
    calibration records; a kernel whose calibration failed gets None."""
    if args.accel != "icount":
        return {s: None for s in systems}, []
    one = min(args.chunk, args.calls)
    futs = [eng.submit(boot(args, run_dir, s, one, args.first, CALIBRATION_BUDGET, "-calibration"))
            for s in systems]
    out, notes = {}, []
    for f in futs:
        d = eng.result(f)
        ok = d.outcome.status == proto.exit_success and not d.outcome.over_budget \
            and d.outcome.executed
        chunks = -(-args.calls // args.chunk)
        out[d.key] = BUDGET_MULTIPLE * d.outcome.executed * chunks if ok else None
        notes.append({"system": d.key, "calls": one, "executed": d.outcome.executed,
                      "budget": out[d.key], "rule": f"{BUDGET_MULTIPLE} x one chunk's length x "
                      f"{chunks} chunks"})
    return out, notes


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    proto = protocol.load()
    run_id, run_dir = results.new_run_dir(args.results_dir)
    meta = {"run_id": run_id, "date": provenance.now_iso(), "git": provenance.git_state(),
            "qemu": qemu.version(args.qemu), "accel": args.accel, "modes": []}
    status = 0
    systems = [matrix.system(m, i, cpus=args.cpus) for m in args.modes
               for i in (args.ipc if m == "micro" else (None,))]
    built = [s for s in systems
             if os.path.isfile(os.path.join(args.kernel_dir, matrix.build_of(s), "kernel.elf"))]
    if args.accel == "icount" and not os.path.isfile(args.budget_plugin):
        print(f"fuzz.py: the budget plugin is not built: {args.budget_plugin} (make budget)",
              file=sys.stderr)
        return 2
    try:
        with engine.Engine(args.jobs, args.cluster, args.qemu) as eng:
            meta["engine"] = eng.describe()
            limits, meta["calibration"] = budgets(args, eng, run_dir, built, proto)
            futs = {}
            for s in built:
                if limits[s] is None and args.accel == "icount":
                    continue
                print(f"fuzz {s}: {args.calls:,} calls from {args.first}, seed {args.seed}, "
                      f"{args.accel}" + (f", budget {limits[s]:,} instructions" if limits[s]
                                         else f", wall-clock limit {args.timeout:.0f} s") + " ...",
                      flush=True)
                futs[s] = eng.submit(boot(args, run_dir, s, args.calls, args.first, limits[s]))
            for mode in systems:
                status |= report(args, mode, futs, eng, meta, proto, run_dir)
                results.write_json(os.path.join(run_dir, "summary.json"), meta)
    except engine.EngineError as e:
        print(f"fuzz.py: {e}", file=sys.stderr)
        return 2
    print(f"fuzz results: {run_dir}")
    return status


def report(args, mode, futs, eng, meta, proto, run_dir):
    """Judge and print one kernel's fuzz boot; 1 if it broke."""
    kernel = os.path.join(args.kernel_dir, matrix.build_of(mode), "kernel.elf")
    if not os.path.isfile(kernel):
        res = {"mode": matrix.mode_of(mode), "system": mode, "ok": False,
               "problems": [f"kernel not built: {kernel}"]}
    elif mode not in futs:
        res = {"mode": matrix.mode_of(mode), "system": mode, "ok": False,
               "problems": ["its one-chunk calibration boot failed (see "
                            f"logs/fuzz-{mode}-calibration.log)"]}
    else:
        d = eng.result(futs[mode])
        res = judge(mode, args, d.outcome, d.log, proto)
        res["command"] = futs[mode].boot.argv
        res.update(executed=d.outcome.executed, budget=d.outcome.budget)
    meta["modes"].append(res)
    if res["ok"]:
        print(f"fuzz {mode}: ok, {res['issued']:,} calls issued, {res['calls']:,} returned, "
              f"in {res['seconds']} s ({res['calls_per_second']:,} calls/s wall), "
              f"{res['chunks']} chunks, "
              f"children killed by their own faults {res['child_faults']}, blocked and "
              f"killed {res['child_blocked']}; sanity held after every chunk")
        return 0
    print(f"fuzz {mode}: FAILED: {'; '.join(res['problems'])}", file=sys.stderr)
    if "replay" in res:
        print(f"fuzz {mode}: calls in flight {res['in_flight']['first']}.."
              f"{res['in_flight']['first'] + res['in_flight']['count'] - 1} of seed "
              f"{args.seed}; replay: {res['replay']}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    cli.run(main, "interrupted; the fuzz run directory holds what finished")
