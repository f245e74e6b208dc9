#!/usr/bin/env python3
"""import_log.py - a run directory from the serial log of boots on a PC.

The image `make iso` writes (scripts/mkiso.py) boots one (kernel,
workload) per menu entry and prints the same protocol lines as a QEMU boot
on COM1. Captured on another machine (picocom ... | tee run.log), one or
more such boots become a run directory like bench.py's:
<results-dir>/<run-id>/ with meta.json, results.jsonl, summary.csv and the
log under logs/, and <results-dir>/latest pointing at it. The default
results-dir is results/hardware, so results/latest (make report's default
run) stays the last make bench.

On the machine itself rdtsc counts the time-stamp counter, as under KVM
with -cpu host, so the guest's "tsc" unit becomes "cycles", as bench.py
records an ACCEL=kvm run's, and the run can stand beside a run's modeled
cycles: make report CYCLES_RUN=results/hardware/<run-id>. (On CPUs with
an invariant TSC it ticks at the nominal frequency, not the core's
current one.) The accelerator is recorded as "hardware".

A boot starts at the kernel's boot line; the image's GRUB entry says just
before it which entry it is ("mkb: entry <id> (mkbench <commit>)"). A
boot whose run did not finish (no done line: the machine was switched
off, hung, or the log was cut), or that reports an error or a failed
check, is recorded as a failure with its reasons, as bench.py does, and
its results are left out. When one (kernel, workload, shape) was booted
more than once, the last boot counts and the earlier ones are listed in
meta.json. Exit status: 0 every boot ok, 1 some failed (the run is still
written), 2 nothing to import or a bad command line.
"""
import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import matrix, parse, protocol, provenance, results  # noqa: E402

ACCEL = "hardware"
UNIT = {"tsc": "cycles"}   # what the guest's rdtsc count is on the machine itself
ENTRY = re.compile(r"mkb: entry (\S+)(?: \(mkbench (\S+)\))?")
DEFAULT_DIR = os.path.join(protocol.REPO, "results", "hardware")


class Boot:
    """The records of one boot, with the image entry that started it."""

    def __init__(self, entry=None, build=None, source=None, lineno=0):
        self.entry, self.build, self.source, self.lineno = entry, build, source, lineno
        self.records, self.errors, self.finished, self.panic = [], [], None, None

    def results(self):
        return [r for r in self.records if r["type"] == "result"]

    def key(self):
        """(system, workload, shape): from the entry id, else the results."""
        rs = self.results()
        if rs:
            r = rs[0]
            return (matrix.system_of(r), r["workload"], r.get("shape"))
        if self.entry:
            for system in matrix.all_systems():
                if self.entry.startswith(system + "-"):
                    workload, _, shape = self.entry[len(system) + 1:].partition("-")
                    return (system, workload, shape or None)
        mode = next((r.get("mode") for r in self.records if r["type"] == "boot"), "?")
        return (mode, "?", None)

    def reasons(self):
        """What went wrong, as bench.py words it; [] for a good boot."""
        why = [f"malformed protocol line {e.lineno}: {e.why}" for e in self.errors]
        if self.panic:
            why.append(self.panic)
        why += [f"guest error: {r.get('msg')}" for r in self.records if r["type"] == "error"]
        done = [r for r in self.records if r["type"] == "done"]
        if not done:
            why.append("no done line (the run did not finish: switched off, hung, or the "
                       "log ends early)")
        elif done[-1].get("status") != 0:
            why.append(f"guest done status {done[-1].get('status')}")
        rs = self.results()
        if not rs:
            why.append("no results")
        why += [f"check failed ({r['variant']} size {r['size']}): {r['check']}"
                for r in rs if r["check"] != "ok"]
        key = self.key()
        if any((matrix.system_of(r), r["workload"], r.get("shape")) != key
               for r in rs):
            why.append("results of more than one kernel or workload in one boot")
        return why


def split_boots(lines, source=None):
    """[Boot] of a serial log's lines: each starts at a boot record."""
    boots, entry, build = [], None, None
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        m = ENTRY.search(line)
        if m:
            entry, build = m.group(1), m.group(2)
            continue
        if "kernel panic:" in line and boots:
            boots[-1].panic = line[line.index("kernel panic:"):].strip()
        if "mkb: finished (" in line and boots:
            boots[-1].finished = line[line.index("mkb: finished ("):].strip()
        recs, errors = parse.scan([line], protocol.load().prefix, source)
        for e in errors:
            e.lineno = lineno
            if boots:
                boots[-1].errors.append(e)
        for r in recs:
            if r["type"] == "boot":
                boots.append(Boot(entry, build, source, lineno))
                entry = build = None
            if boots:
                boots[-1].records.append(r)
    return boots


def parse_args(argv):
    p = argparse.ArgumentParser(description="Turn the serial log of boots from make iso's "
                                "image on a PC into a run directory (make report CYCLES_RUN=).")
    p.add_argument("logs", nargs="+", metavar="LOG", help="serial log(s), in the order taken")
    p.add_argument("--results-dir", default=DEFAULT_DIR,
                   help="where the run directory goes (default results/hardware)")
    p.add_argument("--cpu", help="the machine's CPU, for meta.json and the report (e.g. the "
                   "'model name' of /proc/cpuinfo on that machine)")
    p.add_argument("--note", help="anything else worth keeping about the machine (meta.json)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    boots = []
    for path in args.logs:
        try:
            with open(path, encoding="utf-8", errors="replace", newline="") as f:
                boots += split_boots(f.read().split("\n"), path)
        except OSError as e:
            print(f"import_log.py: {path}: {e.strerror}", file=sys.stderr)
            return 2
    if not boots:
        print(f"import_log.py: no boot in {', '.join(args.logs)} (no {protocol.load().prefix}"
              "boot line: is it the kernel's serial output at 115200 baud?)", file=sys.stderr)
        return 2
    last = {}
    for i, b in enumerate(boots):
        last[b.key()] = i
    run_id, run_dir = results.new_run_dir(args.results_dir)
    for path in args.logs:
        shutil.copyfile(path, os.path.join(run_dir, "logs", os.path.basename(path)))
    kept, failures, runs = [], [], []
    for i, b in enumerate(boots):
        system, workload, shape = b.key()
        why = b.reasons()
        info = {"mode": matrix.mode_of(system), "ipc": matrix.ipc_of(system), "system": system,
                "workload": workload, "entry": b.entry, "build": b.build,
                "log": os.path.join("logs", os.path.basename(b.source)), "line": b.lineno,
                "ok": not why, "finished": b.finished}
        if shape:
            info["shape"] = shape
        if last[b.key()] != i:
            info["superseded"] = True   # booted again later in the logs: that one counts
        runs.append(info)
        if info.get("superseded"):
            continue
        if why:
            failure = {"type": "failure", "mode": info["mode"], "ipc": info["ipc"],
                       "system": system, "workload": workload, "reason": "; ".join(why),
                       "log": f"{info['log']}:{b.lineno}", "results_kept": False,
                       "run_id": run_id}
            if shape:
                failure["shape"] = shape
            failures.append(failure)
            continue
        for r in b.results():
            kept.append(dict(r, accel=ACCEL, unit=UNIT.get(r["unit"], r["unit"]), run_id=run_id))
    builds = sorted({b.build for b in boots if b.build})
    commit = builds[0] if len(builds) == 1 else None
    meta = {
        "run_id": run_id, "date": provenance.now_iso(),
        "git": {"commit": commit.split("-")[0] if commit else None,
                "dirty": commit.endswith("-dirty") if commit else None,
                "builds_in_log": builds},
        "accel": ACCEL, "accel_requested": ACCEL,
        "accel_reason": "boots of make iso's image on a PC, imported from its serial log by "
                        "scripts/import_log.py; tsc counts are the machine's time-stamp counter",
        "kvm_cpu": "none (bare metal)", "host_cpu": args.cpu or "not recorded (import_log.py --cpu)",
        "note": args.note, "imported_from": [os.path.abspath(p) for p in args.logs],
        "matrix": {"modes": sorted({r["mode"] for r in runs}),
                   "ipc": sorted({r["ipc"] for r in runs if r["mode"] == "micro"}),
                   "workloads": sorted({r["workload"] for r in runs})},
        "runs": runs, "failures": failures, "complete": True,
    }
    results.append_jsonl(os.path.join(run_dir, "results.jsonl"), kept + failures)
    results.write_summary(os.path.join(run_dir, "summary.csv"), kept)
    results.write_json(os.path.join(run_dir, "meta.json"), meta)
    results.update_latest(args.results_dir, run_id)
    again = sum(1 for r in runs if r.get("superseded"))
    print(f"import_log.py: {run_dir}: {len(runs)} boots"
          + (f" ({again} booted again later: the later one counts)" if again else "")
          + f", {len(kept)} results, {len(failures)} failed")
    for f in failures:
        print(f"  failed: {' '.join(x for x in (f['system'], f['workload'], f.get('shape')) if x)}"
              f": {f['reason']} ({f['log']})", file=sys.stderr)
    if kept:
        shown = os.path.relpath(run_dir)
        print(f"  make report CYCLES_RUN={run_dir if shown.startswith('..') else shown}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
