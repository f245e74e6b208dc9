#!/usr/bin/env python3
"""host_baseline.py - measure the Linux host baseline and write it as results.

Runs build/host/hostbench (C workloads timed by Google Benchmark) once per
CPU placement -- cpus=1: benchmark process and partner both on CPU 0;
cpus=2: benchmark process on CPU 0, partner on CPU 1 -- and keeps Google
Benchmark's raw JSON beside the output (<stem>-gbench-cpus<N>.json). Each
benchmark becomes one result line of the mkbench schema (mode "linux",
unit "ns"); its statistics are over Google Benchmark repetitions, which
the "stat_basis" field states.

With perf (optional): `perf stat` software events per operation for each
benchmark, and `perf bench sched pipe` under the same placement as a
reference result beside our pipe round trip. Where perf is missing or
refuses, the result lines carry a "note" and the run goes on.

Exit status: 0 when results were written (rows whose data check failed
carry the failure in "check"), 1 when hostbench could not be run at all.
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BINARY = os.path.join(REPO, "build", "host", "hostbench")

# (repetitions, --benchmark_min_time s, perf stat s/benchmark, perf bench s/run)
PROFILES = {"quick": (3, 0.01, 0.02, 0.1), "full": (5, 0.03, 0.03, 0.3)}

PLACEMENT = {1: "benchmark process and partner on CPU 0",
             2: "benchmark process on CPU 0, partner on CPU 1"}
SINGLE_PROCESS = ("null/getppid", "fileio/read", "fileio/write", "fileio/create", "fileio/unlink",
                  "fileio/open_close")
DEFAULT_WHAT = {"null": "per_op", "pingpong": "round_trip", "sem": "round_trip",
                "shm": "per_handoff", "fileio": "per_op"}
PERF_EVENTS = ("context-switches", "cpu-migrations", "task-clock", "page-faults",
               "cycles", "instructions")
PERF_PIPE_NOTE = ("perf bench sched pipe: one op is one round trip of a 4-byte int "
                  "over two pipes between two processes; compare pingpong/pipe/8")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    p.add_argument("--out", required=True, help="results file to write (.jsonl)")
    p.add_argument("--quick", action="store_true",
                   help="3 short repetitions instead of 5 (about 30 s in all)")
    p.add_argument("--binary", default=DEFAULT_BINARY,
                   help="hostbench binary (default build/host/hostbench)")
    p.add_argument("--cpus", default="1,2", help="placements to run: 1, 2 or 1,2")
    p.add_argument("--filter", default=None,
                   help="only benchmarks matching this Google Benchmark regex")
    p.add_argument("--perf", default="perf", help="perf executable (default perf)")
    p.add_argument("--no-perf", action="store_true", help="skip perf entirely")
    args = p.parse_args(argv)
    try:
        args.cpus = sorted({int(c) for c in args.cpus.split(",")})
    except ValueError:
        p.error("--cpus takes 1, 2 or 1,2")
    if not set(args.cpus) <= {1, 2}:
        p.error("--cpus takes 1, 2 or 1,2")
    return args


# ---------------------------------------------------------------- conversion

def split_name(run_name):
    """'pingpong/pipe/8/iterations:100/real_time' -> ('pingpong', 'pipe', 8)."""
    parts = [s for s in run_name.split("/") if ":" not in s and s != "real_time"]
    size = int(parts[2]) if len(parts) > 2 else None
    return parts[0], parts[1] if len(parts) > 1 else "", size


def describe(values):
    """min, median, mean, stddev (sample), p99 (nearest rank) of values."""
    v = sorted(values)
    p99 = v[max(0, math.ceil(0.99 * len(v)) - 1)]
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return {"min": round(v[0], 1), "median": round(statistics.median(v), 1),
            "mean": round(statistics.fmean(v), 2), "stddev": round(sd, 2),
            "p99": round(p99, 1)}


def to_ns(value, unit):
    return value * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def convert(gb, cpus):
    """Turn one Google Benchmark JSON document into schema result rows.

    Only per-repetition runs ("run_type": "iteration") are used; the
    library's aggregates are recomputed here over the same values.
    """
    runs = {}
    for b in gb.get("benchmarks", []):
        if b.get("run_type", "iteration") == "iteration":
            runs.setdefault(b.get("run_name", b["name"]), []).append(b)
    rows = []
    for run_name, reps in runs.items():
        workload, variant, size = split_name(run_name)
        first = reps[0]
        row = {"type": "result", "workload": workload, "mode": "linux",
               "variant": variant, "size": size,
               "what": first.get("label") or DEFAULT_WHAT.get(workload, "per_op"),
               "unit": "ns", "cpus": cpus, "placement": PLACEMENT[cpus],
               "name": run_name, "warmup": 0, "overhead": 0}
        notes = []
        errors = [r.get("error_message", "error") for r in reps if r.get("error_occurred")]
        if errors:
            row.update(n=0, min=0, median=0, mean=0, stddev=0, p99=0,
                       check=errors[0], stat_basis="none: the benchmark failed")
        else:
            vals = [to_ns(r["real_time"], r.get("time_unit", "ns")) for r in reps]
            iters = sorted({r["iterations"] for r in reps})
            row.update(describe(vals), n=len(vals), check="ok",
                       iterations=iters[0] if len(iters) == 1 else iters)
            row["stat_basis"] = (
                f"per-iteration mean wall-clock time of each of {len(vals)} Google "
                f"Benchmark repetitions of {row['iterations']} iterations; min/median/"
                f"mean/stddev/p99 are over those {len(vals)} means (p99 nearest rank); "
                "the library's iteration-count estimation runs come first, unrecorded")
        if "wire_bytes" in first and size is not None and first["wire_bytes"] != size:
            row["wire_bytes"] = int(first["wire_bytes"])
            notes.append(f"a byte stream cannot carry an empty message: size {size} "
                         f"sends a {row['wire_bytes']}-byte token")
        if f"{workload}/{variant}" in SINGLE_PROCESS:
            notes.append("one process on CPU 0: the placement does not apply")
        if variant == "yield" and cpus == 2:
            notes.append("on two CPUs sched_yield finds nothing else to run: the "
                         "turn passes by spinning on a shared cache line")
        if notes:
            row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def add_note(row, note):
    row["note"] = f"{row['note']}; {note}" if row.get("note") else note


# ---------------------------------------------------------------- hostbench

def run_hostbench(args, cpus, raw_path, reps, min_time):
    """Run all benchmarks for one placement; return the parsed JSON."""
    cmd = [args.binary, f"--cpus={cpus}", f"--benchmark_repetitions={reps}",
           f"--benchmark_min_time={min_time}", "--benchmark_format=console",
           "--benchmark_out_format=json", f"--benchmark_out={raw_path}"]
    if args.filter:
        cmd.append(f"--benchmark_filter={args.filter}")
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode not in (0, 1) or not os.path.exists(raw_path):
        sys.exit(f"host_baseline: hostbench failed (exit {proc.returncode}):\n"
                 + proc.stdout[-2000:])
    if proc.returncode == 1:
        print("host_baseline: CHECK FAILED in some benchmarks (see the 'check' "
              "field)", file=sys.stderr)
    with open(raw_path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------- perf

def perf_probe(perf):
    """Return None if `perf stat` can count software events, else why not."""
    if not shutil.which(perf):
        return f"perf not found ({perf})"
    try:
        proc = subprocess.run([perf, "stat", "-x,", "-e", "task-clock", "true"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"perf stat cannot run: {e}"
    if proc.returncode != 0 or "task-clock" not in proc.stderr:
        why = proc.stderr.strip().splitlines()
        return ("perf stat refused (perf_event_paranoid?): "
                + (why[-1] if why else f"exit {proc.returncode}"))
    return None


def parse_perf_csv(text):
    """Parse `perf stat -x,` output into {event: count or None}.

    None means the event was "<not supported>" or "<not counted>";
    task-clock is converted from msec to ns.
    """
    counts = {}
    for line in text.splitlines():
        f = line.split(",")
        if len(f) < 3 or line.startswith("#"):
            continue
        value, unit, event = f[0], f[1], f[2]
        event = event.split(":")[0]
        try:
            v = float(value)
        except ValueError:
            counts[event] = None
            continue
        counts[event] = v * 1e6 if unit == "msec" else v
    return counts


def perf_stat_once(args, cpus, bench_filter, iters):
    with tempfile.NamedTemporaryFile("r", suffix=".csv") as out:
        cmd = [args.perf, "stat", "-x,", "-o", out.name, "-e", ",".join(PERF_EVENTS),
               "--", args.binary, f"--cpus={cpus}", f"--iters={iters}",
               f"--benchmark_filter={bench_filter}"]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return parse_perf_csv(out.read())


def perf_stat(args, cpus, row, seconds):
    """Software (and, where present, hardware) events per iteration of
    row's benchmark: the difference between a run of K iterations and one
    of 1 iteration, over K-1, so start-up and fork cost cancel out."""
    base = f"{row['workload']}/{row['variant']}" + (
        f"/{row['size']}" if row["size"] is not None else "")
    flt = "^" + re.escape(base) + "/"
    k = int(min(200000, max(500, seconds * 1e9 / max(row["median"], 1))))
    one, many = perf_stat_once(args, cpus, flt, 1), perf_stat_once(args, cpus, flt, k)
    per_op, missing = {}, []
    for ev in PERF_EVENTS:
        a, b = one.get(ev), many.get(ev)
        key = ev.replace("-", "_") + ("_ns" if ev == "task-clock" else "")
        if a is None or b is None:
            missing.append(ev)
        else:
            # A count per operation is never below zero, but this difference
            # of two runs can be, by a hair, where the true count is zero
            # (a fileio read switches no thread; the short run was
            # preempted once more): such an estimate is 0.
            per_op[key] = max(0.0, round((b - a) / (k - 1), 3))
    per_op["iters"] = k
    per_op["basis"] = (f"(count over {k} iterations - count over 1) / {k - 1}; "
                       "both processes counted (perf stat follows the fork)")
    if missing:
        per_op["not_supported"] = missing
    return per_op, missing


def perf_child(pid, timeout=2.0):
    """The pid of pid's first child process, or None after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.0005)
    return None


def perf_bench_pipe_once(args, cpus, loops, pin_child):
    """usecs/op of one `perf bench sched pipe` run (None if it failed)."""
    cmd = ["taskset", "-c", "0" if cpus == 1 or pin_child else "0,1",
           args.perf, "bench", "sched", "pipe", "-l", str(loops)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if pin_child:  # perf's forked worker goes to CPU 1, perf itself stays on 0
        child = perf_child(proc.pid)
        try:
            os.sched_setaffinity(child, {1})
        except (TypeError, OSError):
            proc.kill()
            proc.communicate()
            return None, "could not pin perf's child process to CPU 1"
    out, _ = proc.communicate()
    m = re.search(r"([\d.]+)\s+usecs/op", out)
    if proc.returncode != 0 or not m:
        return None, "perf bench sched pipe failed: " + out.strip()[-200:]
    return float(m.group(1)), " ".join(cmd)


def perf_bench_pipe(args, cpus, ours, seconds, reps, pin_child, variant):
    """One result row for `perf bench sched pipe` under placement cpus."""
    guess = ours["median"] if ours and ours["check"] == "ok" else 20000.0
    loops = int(min(1000000, max(1000, seconds * 1e9 / guess)))
    vals, cmd = [], ""
    for _ in range(reps):
        v, cmd = perf_bench_pipe_once(args, cpus, loops, pin_child)
        if v is None:
            return None, cmd
        vals.append(v * 1000.0)
    placement = PLACEMENT[cpus] if cpus == 1 or pin_child else \
        "taskset -c 0,1: both processes may run on either CPU (not pinned apart)"
    row = {"type": "result", "workload": "pingpong", "mode": "linux",
           "variant": variant, "size": 4, "what": "round_trip", "unit": "ns",
           "cpus": cpus, "placement": placement, "n": len(vals), "warmup": 0,
           "overhead": 0, "check": "ok", "command": cmd + (
               "; child re-pinned to CPU 1 after fork" if pin_child else ""),
           "stat_basis": f"usecs/op of each of {len(vals)} runs of {loops} loops",
           "note": PERF_PIPE_NOTE}
    row.update(describe(vals))
    if ours and ours["check"] == "ok":
        row["compare"] = {"name": ours["name"], "median": ours["median"],
                          "ratio_ours_to_perf": round(ours["median"] / row["median"], 3)}
    return row, None


# ---------------------------------------------------------------- main

def progress(what):
    """A progress line; scripts/bench.py echoes these to the terminal."""
    print(f"progress: {what}", flush=True)


def raw_path(out, cpus):
    stem = os.path.splitext(out)[0]
    return f"{stem}-gbench-cpus{cpus}.json"


def main(argv=None):
    args = parse_args(argv)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"host_baseline: no hostbench binary at {args.binary} "
                 "(build it with `make host-bench`)")
    reps, min_time, stat_s, bench_s = PROFILES["quick" if args.quick else "full"]
    perf_note = "perf not used (--no-perf)" if args.no_perf else perf_probe(args.perf)
    if perf_note:
        print(f"host_baseline: NOTE: {perf_note}; results carry no perf counts",
              file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    rows = []
    for cpus in args.cpus:
        progress(f"cpus={cpus} ({PLACEMENT[cpus]}): Google Benchmark, {reps} repetitions "
                 "of every workload")
        gb = run_hostbench(args, cpus, raw_path(args.out, cpus), reps, min_time)
        placed = convert(gb, cpus)
        if not perf_note:
            progress(f"cpus={cpus}: perf stat of {len(placed)} benchmarks")
        if gb.get("context", {}).get("library_build_type") == "debug":
            for r in placed:
                r["gbench_build"] = "debug"
        for r in placed:
            if perf_note:
                add_note(r, perf_note)
            elif r["check"] == "ok":
                r["perf"], missing = perf_stat(args, cpus, r, stat_s)
                if r["perf"].get("context_switches") is not None:
                    r["events"] = {"switches": r["perf"]["context_switches"]}
                if missing:
                    add_note(r, "perf: " + ", ".join(missing) + " not supported "
                             "on this machine (no cycle counts)")
        rows += placed
        pipe = next((r for r in placed if r["variant"] == "pipe" and r["size"] == 8), None)
        if perf_note or pipe is None:
            continue
        for variant, pin in (("perf_bench_sched_pipe", cpus == 2),) + (
                (("perf_bench_sched_pipe_unpinned", False),) if cpus == 2 else ()):
            progress(f"cpus={cpus}: perf bench sched pipe ({variant})")
            row, why = perf_bench_pipe(args, cpus, pipe, bench_s, reps, pin, variant)
            if row is None:
                print(f"host_baseline: NOTE: {why}", file=sys.stderr)
                add_note(pipe, why)
                continue
            rows.append(row)
            c = row.get("compare", {})
            print(f"cpus={cpus} {variant}: {row['median']:.0f} ns/round trip; ours "
                  f"pipe/8 {pipe['median']:.0f} ns (ratio {c.get('ratio_ours_to_perf')})")
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    bad = [r for r in rows if r["check"] != "ok"]
    print(f"host_baseline: {len(rows)} results in {args.out}"
          + (f"; {len(bad)} FAILED their check" if bad else ""))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from mkb import cli
    cli.run(main)
