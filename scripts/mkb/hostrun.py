"""hostrun.py - make bench's Linux host baseline (mode "linux"): the
script that runs it (scripts/host_baseline.py by default), its result
lines read and checked like a guest's (scripts/bench.py calls it last,
alone on the CPUs)."""
import json
import os
import sys

from . import parse, qemu


def run_linux(args, ctx, wall_limit):
    """Run the host baseline (args.host_baseline, bench.py's arguments;
    ctx its run context) within wall_limit seconds unless --timeout says:
    (results, reasons, run info)."""
    python = os.environ.get("PYTHON") or sys.executable
    out = os.path.join(ctx["dir"], "linux.jsonl")
    argv = [python, args.host_baseline, "--out", out] + (["--quick"] if args.quick else [])
    info = {"mode": "linux", "workload": "all", "command": argv, "log": "logs/linux.log"}
    if not os.path.isfile(args.host_baseline):
        return [], [f"host baseline not built (no {args.host_baseline})"], info
    outcome = qemu.run(argv, os.path.join(ctx["dir"], info["log"]), args.timeout or wall_limit,
                       echo=ctx.get("echo"))
    info.update(status=outcome.status, seconds=round(outcome.seconds, 3))
    if outcome.error or outcome.timed_out or outcome.status != 0:
        why = outcome.error or ("timed out" if outcome.timed_out else f"exit {outcome.status}")
        return [], [f"host baseline failed: {why} (see {info['log']})"], info
    found = []
    try:
        with open(out, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                obj = json.loads(line)
                if isinstance(obj, dict):
                    obj.setdefault("type", "result")  # host rows may omit it
                found.append(parse.validate(obj, lineno, line.strip(), out))
    except (OSError, json.JSONDecodeError, parse.MalformedLine) as e:
        return [], [f"host baseline output unreadable: {e}"], info
    found = [r for r in found if r["type"] == "result" and r["workload"] in args.workloads]
    for r in found:
        r.setdefault("accel", "native")
        r["run_id"] = ctx["run_id"]
    reasons = [] if found else ["host baseline: no results"]
    return found, reasons, info
