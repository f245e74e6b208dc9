#!/usr/bin/env python3
"""fuzz.py - run the in-guest system-call fuzzer (tests/guest/fuzz.c) on
each kernel and say whether either broke.

One QEMU boot per mode with run=fuzz calls=N seed=S first=F chunk=C. The
guest prints a line per chunk of calls and a summary; a kernel panic, a
hang (no end within the time-out), a failed sanity check (another
process, a file, a semaphore, the servers) or a malformed line is a
failure, reported with the seed and the calls in flight and the command
that replays them. Results go to results/fuzz/<run-id>/ (summary.json and
one serial log per kernel: mono, micro-<ipc>). Exit status: 0 nothing broke, 1 something did,
2 bad command line.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, matrix, parse, protocol, provenance, qemu, results  # noqa: E402


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
    p.add_argument("--accel", default="tcg", choices=("tcg", "icount"),
                   help="tcg (fast, default) or icount (every boot repeats exactly)")
    p.add_argument("--timeout", type=float,
                   help="seconds per boot (default 120 + calls / 20,000)")
    p.add_argument("--kernel-dir", default="build",
                   help="holds mono/ and micro-<ipc>/kernel.elf (default build)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--results-dir", default=os.path.join("results", "fuzz"),
                   help="where run directories go (default results/fuzz)")
    p.add_argument("--append", default="", help=argparse.SUPPRESS)   # tests: extra kernel args
    args = p.parse_args(argv)
    try:
        args.modes = matrix.parse_list(args.modes, matrix.GUEST_MODES, "mode")
        args.ipc = matrix.parse_list(args.ipc, matrix.IPCS, "IPC strategy")
    except matrix.MatrixError as e:
        p.error(str(e))
    if args.calls < 1 or args.chunk < 1 or args.first < 0 or args.seed < 0:
        p.error("--calls and --chunk must be at least 1, --first and --seed at least 0")
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
    elif outcome.timed_out:
        problems.append(f"hung: no end within {args.timeout:.0f} s")
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
                 else f"MODES={mode}")
        out["replay"] = (f"make fuzz {where} SEED={args.seed} FIRST={flight['first']} "
                         f"CALLS={flight['count']} FUZZ_ACCEL=icount")
    out["problems"] = problems
    out["ok"] = not problems
    return out


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    proto = protocol.load()
    run_id, run_dir = results.new_run_dir(args.results_dir)
    meta = {"run_id": run_id, "date": provenance.now_iso(), "git": provenance.git_state(),
            "qemu": qemu.version(args.qemu), "accel": args.accel, "modes": []}
    status = 0
    systems = [matrix.system(m, i) for m in args.modes
               for i in (args.ipc if m == "micro" else (None,))]
    for mode in systems:
        kernel = os.path.join(args.kernel_dir, mode, "kernel.elf")
        append = (f"run=fuzz calls={args.calls} seed={args.seed} first={args.first} "
                  f"chunk={args.chunk} {args.append}").strip()
        argv = qemu.command(args.qemu, kernel, append, args.accel)
        log = os.path.join(run_dir, "logs", f"fuzz-{mode}.log")
        print(f"fuzz {mode}: {args.calls:,} calls from {args.first}, seed {args.seed}, "
              f"{args.accel} ...", flush=True)
        if not os.path.isfile(kernel):
            res = {"mode": matrix.mode_of(mode), "system": mode, "ok": False,
                   "problems": [f"kernel not built: {kernel}"]}
        else:
            outcome = qemu.run(argv, log, args.timeout)
            res = judge(mode, args, outcome, log, proto)
            res["command"] = argv
        meta["modes"].append(res)
        if res["ok"]:
            print(f"fuzz {mode}: ok, {res['issued']:,} calls issued, {res['calls']:,} returned, "
                  f"in {res['seconds']} s ({res['calls_per_second']:,} calls/s wall), "
                  f"{res['chunks']} chunks, "
                  f"children killed by their own faults {res['child_faults']}, blocked and "
                  f"killed {res['child_blocked']}; sanity held after every chunk")
        else:
            status = 1
            print(f"fuzz {mode}: FAILED: {'; '.join(res['problems'])}", file=sys.stderr)
            if "replay" in res:
                print(f"fuzz {mode}: calls in flight {res['in_flight']['first']}.."
                      f"{res['in_flight']['first'] + res['in_flight']['count'] - 1} of seed "
                      f"{args.seed}; replay: {res['replay']}", file=sys.stderr)
        results.write_json(os.path.join(run_dir, "summary.json"), meta)
    print(f"fuzz results: {run_dir}")
    return status


if __name__ == "__main__":
    cli.run(main, "interrupted; the fuzz run directory holds what finished")
