#!/usr/bin/env python3
"""validate.py - the cycle model against the CPU it runs on (make validate).

The user-mode microbenchmarks of bench/validate/validate.c run natively,
timed with rdtsc (TSC ticks become core cycles by the dependent add chain
`alu_dep`, 1,000 adds of one cycle each: the ruler), several times, and
once under qemu-x86_64 (Debian's qemu-user) with the cycle model's plugin
on the profile of this host's core, priced by LLVM like the guests'
(scripts/mkb/mca.py: the plugin runs again until every segment is
priced). Each mechanism gets its host cycles (min, median and max over
the native runs, of each run's fastest sample) and its modeled cycles,
per call, and model/host. Goal (issue 20): every mechanism within +-25%,
the median ratio within +-10%.

Writes results/validate/<run-id>/validate.json and table.txt. With
--against <validate.json> the host figures are read from that file (a
committed measurement, results/validate-reference/) instead of measured:
the verdicts then depend on the model alone, which is what the tests use.
Exit status 0 when it ran (whether or not the goals were met; the table
says), 1 with the reason when it could not.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import mca, model, protocol, results  # noqa: E402

BINARY = os.path.join(protocol.REPO, "build", "validate", "validate")
RULER = "alu_dep"          # 1,000 dependent adds: 1,000 cycles on every profiled core
RULER_CYCLES = 1000
GOAL_EACH, GOAL_MEDIAN = 0.25, 0.10
QEMU_USER = "qemu-x86_64"


class ValidateError(Exception):
    pass


def host_profile(cpuinfo="/proc/cpuinfo"):
    """The profile of this host's core from /proc/cpuinfo (vendor, family,
    model), or None: Intel family 6 Skylake client models; AMD family 25
    (19h) Zen 3 and Zen 4 models (AMD's model ranges: Zen 3 00-0Fh,
    20-2Fh, 40-5Fh; Zen 4 10-1Fh, 60-7Fh, A0-AFh)."""
    info = {}
    try:
        with open(cpuinfo, encoding="utf-8") as f:
            for line in f:
                if ":" in line:
                    k, v = (x.strip() for x in line.split(":", 1))
                    info.setdefault(k, v)
    except OSError:
        return None, "no /proc/cpuinfo"
    vendor, fam, mod = info.get("vendor_id"), int(info.get("cpu family", "0")), int(info.get("model", "0"))
    what = f"{vendor} family {fam} model {mod:#x} ({info.get('model name', '?')})"
    if vendor == "AuthenticAMD" and fam == 25:
        if mod <= 0x0F or 0x20 <= mod <= 0x2F or 0x40 <= mod <= 0x5F:
            return "zen3", what
        if 0x10 <= mod <= 0x1F or 0x60 <= mod <= 0x7F or 0xA0 <= mod <= 0xAF:
            return "zen4", what
    if vendor == "GenuineIntel" and fam == 6 and mod in (0x4E, 0x5E, 0x8E, 0x9E, 0xA5, 0xA6):
        return "skylake", what
    return None, what


def run_native(binary, names, reps):
    """{name: {"reps", "ticks": [each run's fastest sample]}} over reps runs.
    The fastest sample is the undisturbed one: this machine's cores are
    shared, and a sample another tenant interrupted is only slower."""
    out = {}
    for _ in range(reps):
        try:
            p = subprocess.run([binary] + names, capture_output=True, text=True, timeout=600)
        except OSError as e:
            raise ValidateError(f"{binary} cannot run: {e}") from None
        if p.returncode != 0:
            raise ValidateError(f"{binary} failed natively: {p.stderr.strip()[:300]}")
        for line in p.stdout.splitlines():
            try:
                r = json.loads(line)
                e = out.setdefault(r["name"], {"reps": r["reps"], "ticks": []})
                e["ticks"].append(r["min"])
            except (ValueError, KeyError, TypeError):
                raise ValidateError(f"{binary} printed a line that is not a result: {line[:200]!r}") from None
    return out


def host_cycles(native):
    """{name: {"min", "median", "max"}} core cycles per call over the runs:
    each run's fastest sample in ticks times that run's cycles per tick
    (the ruler's)."""
    ruler = native.get(RULER)
    if not ruler:
        raise ValidateError(f"the ruler {RULER} did not run")
    out = {}
    for name, e in native.items():
        per = sorted(RULER_CYCLES * t / r / e["reps"] for t, r in zip(e["ticks"], ruler["ticks"]) if r)
        if not per:
            raise ValidateError(f"the ruler {RULER} read 0 ticks: this clock cannot time it")
        out[name] = {"min": per[0], "median": statistics.median(per), "max": per[-1]}
    return out


def run_model(binary, names, profile_file, profile_name, plugin, workdir):
    """{name: {"modeled", "events"}} per call, from the plugin under
    qemu-x86_64, its segments priced by llvm-mca (at most 3 runs)."""
    if not shutil.which(QEMU_USER):
        raise ValidateError(f"{QEMU_USER} not found: install Debian's qemu-user (make deps)")
    mcpu = model.describe(profile_name)["mcpu"]
    blocks = mca.cache_path(profile_name)
    os.makedirs(os.path.dirname(blocks), exist_ok=True)
    open(blocks, "a").close()
    out_path, missing = os.path.join(workdir, "model.jsonl"), os.path.join(workdir, "missing.txt")
    for attempt in range(3):
        argv = [QEMU_USER, "-plugin", f"{plugin},profile={profile_file},out={out_path},"
                f"blocks={blocks},missing={missing}", binary] + names
        p = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
        if p.returncode != 0:
            raise ValidateError(f"{QEMU_USER} with the plugin failed: {p.stderr.strip()[:300]}")
        if not mca.price(missing, blocks, mcpu, model.fallback_units(profile_name)):
            break
    else:
        raise ValidateError("segments still unpriced after three runs")
    lines = [json.loads(x) for x in open(out_path) if x.strip()]
    names_run = [json.loads(x)["name"] for x in p.stdout.splitlines()]
    if len(lines) != len(names_run):
        raise ValidateError(f"the plugin wrote {len(lines)} runs for {len(names_run)} mechanisms")
    reps = {json.loads(x)["name"]: json.loads(x)["reps"] for x in p.stdout.splitlines()}
    return {n: {"modeled": m["median"] / reps[n], "events": m["events"]}
            for n, m in zip(names_run, lines)}


def rows_for(host, modeled, profile):
    rows = []
    for name, m in modeled.items():
        h = host.get(name)
        if not h:
            continue
        ratio = m["modeled"] / h["median"] if h["median"] else None
        rows.append({"mechanism": name, "profile": profile, "host_cycles": h,
                     "modeled_cycles": round(m["modeled"], 2),
                     "ratio": round(ratio, 3) if ratio else None,
                     "ruler": name == RULER,
                     "within_goal": ratio is not None and abs(ratio - 1) <= GOAL_EACH})
    return rows


def summary(rows):
    judged = [r for r in rows if not r["ruler"] and r["ratio"]]
    med = statistics.median(r["ratio"] for r in judged) if judged else None
    return {"mechanisms": len(judged), "within_25pct": sum(r["within_goal"] for r in judged),
            "median_ratio": round(med, 3) if med else None,
            "median_within_10pct": med is not None and abs(med - 1) <= GOAL_MEDIAN}


def table(rows, summ):
    head = f"{'mechanism':<20} {'host cycles/call (min-median-max)':>36} {'modeled':>10} {'model/host':>10}  goal"
    lines = [head, "-" * len(head)]
    for r in rows:
        h = r["host_cycles"]
        rng = f"{h['min']:.1f}-{h['median']:.1f}-{h['max']:.1f}"
        verdict = "ruler" if r["ruler"] else ("ok" if r["within_goal"] else "MISS")
        lines.append(f"{r['mechanism']:<20} {rng:>36} {r['modeled_cycles']:>10.1f} "
                     f"{r['ratio'] if r['ratio'] is not None else '-':>10}  {verdict}")
    lines.append("")
    lines.append(f"{summ['within_25pct']} of {summ['mechanisms']} mechanisms within +-25% "
                 f"(goal: all); median model/host {summ['median_ratio']} "
                 f"({'within' if summ['median_within_10pct'] else 'outside'} +-10%, the goal)")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", help="model profile (default: this host's core, from /proc/cpuinfo)")
    ap.add_argument("--profile-file", help="a profile file to model with instead (its name line "
                    "must name a profile whose LLVM core it shares)")
    ap.add_argument("--mechanisms", help="comma separated (default: all)")
    ap.add_argument("--reps", type=int, default=9, help="native runs (default 9)")
    ap.add_argument("--against", help="host figures from this validate.json instead of measuring")
    ap.add_argument("--results-dir", default=os.path.join(protocol.REPO, "results", "validate"))
    ap.add_argument("--binary", default=BINARY)
    ap.add_argument("--plugin", default=model.DEFAULT_PLUGIN)
    args = ap.parse_args(argv)
    try:
        for path, what in ((args.binary, "make validate builds it"),
                           (args.plugin, "make model builds it")):
            if not os.path.isfile(path):
                raise ValidateError(f"{path} missing ({what})")
        names = [n for n in (args.mechanisms or "").split(",") if n]
        if names and RULER not in names and not args.against:
            names = [RULER] + names
        against = None
        if args.against:
            try:
                against = json.load(open(args.against, encoding="utf-8"))
                host = {r["mechanism"]: r["host_cycles"] for r in against["rows"]}
                ref_profile = against["meta"]["profile"]
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise ValidateError(f"{args.against}: not a validate.json ({e})") from None
        profile, cpu = args.profile, None
        if not profile:
            profile = ref_profile if against else None
            if not profile:
                profile, cpu = host_profile()
            if not profile:
                raise ValidateError(f"no profile for this host's core ({cpu}); name one with "
                                    f"--profile ({', '.join(model.profiles())})")
        if profile not in model.profiles():
            raise ValidateError(f"unknown profile {profile} ({', '.join(model.profiles())})")
        pfile = args.profile_file or model.profile_path(profile)
        if not against:
            host = host_cycles(run_native(args.binary, names, args.reps))
        with tempfile.TemporaryDirectory() as work:
            modeled = run_model(args.binary, names, pfile, profile, args.plugin, work)
    except (ValidateError, mca.McaError, subprocess.TimeoutExpired) as e:
        print(f"validate: {e}", file=sys.stderr)
        return 1
    rows = rows_for(host, modeled, profile)
    summ = summary(rows)
    run_id, run_dir = results.new_run_dir(args.results_dir)
    meta = {"run_id": run_id, "profile": profile, "profile_file": os.path.relpath(pfile, protocol.REPO),
            "host_cpu": (against or {}).get("meta", {}).get("host_cpu") if against else host_profile()[1],
            "host_from": args.against or "measured in this run",
            "native_runs": None if against else args.reps, "base_cost": model.base_cost(profile),
            "goal": {"each": GOAL_EACH, "median": GOAL_MEDIAN},
            "unit": "core cycles per call (host: TSC ticks scaled by the alu_dep ruler)"}
    with open(os.path.join(run_dir, "validate.json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "rows": rows, "summary": summ}, f, indent=1)
        f.write("\n")
    text = table(rows, summ)
    with open(os.path.join(run_dir, "table.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(f"validate: profile {profile}; host {meta['host_cpu']}; host figures "
          f"{meta['host_from']}\n\n{text}\n\nresults: {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
