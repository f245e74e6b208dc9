"""results.py - the results/<run-id>/ directory: create, write, read back.

A run directory holds meta.json, results.jsonl (result and failure
objects, one a line), summary.csv and logs/. Directories are never
overwritten: a taken run id gets a -2, -3, ... suffix. results/latest is a
relative symlink to the newest run.
"""
import csv
import json
import os
import time

from . import model, parse, report_linux, report_smp, stats, strategies, table

SUMMARY_COLUMNS = ("workload", "mode", "ipc", "variant", "size", "what", "unit", "accel",
                   "n", "min", "median", "mean", "stddev", "p99", "kentries",
                   "switches", "as_switches", "bytes_copied") + parse.IPC_EVENT_FIELDS + (
                   "check", "shape", "cpus", "handoff", "mitigations")


class ResultsError(Exception):
    """A run directory or results file that cannot be read as results."""


def new_run_dir(results_dir, now=None):
    """Create and return (run_id, path) for a fresh run; never reuses one."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    os.makedirs(results_dir, exist_ok=True)
    for i in range(1, 1000):
        run_id = stamp if i == 1 else f"{stamp}-{i}"
        path = os.path.join(results_dir, run_id)
        try:
            os.mkdir(path)  # atomic: fails if taken, so nothing is overwritten
        except FileExistsError:
            continue
        os.mkdir(os.path.join(path, "logs"))
        return run_id, path
    raise ResultsError(f"no free run id for {stamp} in {results_dir}")


def update_latest(results_dir, run_id):
    """Point results_dir/latest at run_id (atomically replaced)."""
    link = os.path.join(results_dir, "latest")
    tmp = link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(run_id, tmp)
    os.replace(tmp, link)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def append_jsonl(path, objs):
    with open(path, "a", encoding="utf-8") as f:
        for obj in objs:
            f.write(json.dumps(obj, sort_keys=True) + "\n")


def summary_row(r):
    """One summary.csv row (a dict over SUMMARY_COLUMNS) for a result."""
    events = r.get("events") or {}
    row = {c: r.get(c) for c in SUMMARY_COLUMNS}
    for e in parse.EVENT_FIELDS + parse.IPC_EVENT_FIELDS:
        row[e] = events.get(e)
    return {c: ("" if v is None else v) for c, v in row.items()}


def write_summary(path, results):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in results:
            w.writerow(summary_row(r))


def write_tables(path, results, every=None, modeled=None, vs=None, multicore=None):
    """table.txt: every result (the comparison table) and the headline with
    its kernel events, in full width, then (every: all strategies' rows)
    mono against each other strategy, micro/mono of the headline per
    strategy and the IPC strategies side by side; the terminal shows a
    summary. results: a stats.comparable() set, micro being strategy vs."""
    with open(path, "w", encoding="utf-8") as f:
        smp = report_smp.text(multicore or [])
        if not results:
            f.write("no results\n" + (f"\n{smp}\n" if smp else ""))
            return
        who = table.micro_name(results)
        f.write(f"Units: {table.units_note(results)}.\n\nAll results (medians; {who})\n"
                if who else f"Units: {table.units_note(results)}.\n\nAll results (medians)\n")
        f.write(table.render(*table.comparison(results)) + "\n\n")
        f.write(f"Headline: one case per workload, events per operation{'; ' + who if who else ''}\n")
        f.write(table.render(*table.headline(results)) + "\n")
        mine = stats.vs_strategy(results, vs)
        for ipc in stats.micro_strategies(every or []):
            if ipc == mine or not any(r["mode"] == "mono" for r in every):
                continue
            f.write(f"\nMono against micro-{ipc} (medians)\n")
            f.write(table.render(*table.comparison(stats.comparable(every, ipc))) + "\n")
        ratios = table.strategy_ratios(every or [])
        if ratios[1]:
            f.write("\nmicro/mono of the headline cases for every IPC strategy\n")
            f.write(table.render(*ratios) + "\n")
        if every and len(strategies.systems(every)) > 1:
            f.write("\nIPC strategies (medians)\n" + table.render(*strategies.table_rows(every)))
            f.write("\n\nIPC strategies: what a round trip is made of (per round trip)\n")
            f.write(table.render(*strategies.breakdown_rows(every, modeled)) + "\n")
        if every and report_linux.cases(every):
            f.write("\nLinux as a guest beside our kernels (medians, one unit)\n")
            f.write(table.render(*report_linux.side_by_side(every, vs)) + "\n\n")
            f.write("Every strategy over mono and over Linux (mitigations off)\n")
            f.write(table.render(*report_linux.strategy_rows(every)) + "\n\n")
            f.write("What is copied: bytes our kernels copied per operation beside instructions\n")
            f.write(table.render(*report_linux.copy_rows(every, vs)) + "\n\n")
            if report_linux.profile_rows(every)[1]:
                f.write("Where Linux's instructions go (the profile plugin; means per operation)\n")
                f.write(table.render(*report_linux.profile_rows(every)) + "\n")
        if modeled:
            shown = stats.comparable(modeled, vs)
            f.write(f"\nThe same in modeled cycles (cycle model, profile {modeled[0].get('profile')}; "
                    "a model, not a measurement)\n")
            f.write(table.render(*table.comparison(shown)) + "\n\n")
            f.write("micro/mono in both units\n" + table.render(*table.ratio_units(results, shown)))
            f.write("\n")
            if len(strategies.systems(modeled)) > 1:
                f.write("\nIPC strategies in modeled cycles\n")
                f.write(table.render(*strategies.table_rows(modeled)) + "\n")
        if smp:
            f.write(f"\n{smp}\n")


class Run:
    """A run read back: path, run_id, meta (dict), results and failures."""

    def __init__(self, path, meta, results, failures):
        self.path, self.meta = path, meta
        self.results, self.failures = results, failures
        self.run_id = meta.get("run_id", os.path.basename(path))

    def ok_results(self):
        """Measured results whose data check passed (the ones to plot), on
        one CPU; the cycle model's rows are modeled_results(), the rows of
        several CPUs multicore_results()."""
        return stats.one_cpu_rows(model.measured([r for r in self.results if r.get("check") == "ok"]))

    def modeled_results(self):
        """The cycle model's rows (unit modeled_cycles) of results that passed."""
        return stats.one_cpu_rows(model.modeled([r for r in self.results if r.get("check") == "ok"]))

    def multicore_results(self):
        """Measured guest rows that passed, from boots on several CPUs (report_smp.py)."""
        return report_smp.multicore(model.measured([r for r in self.results if r.get("check") == "ok"]))

    def comparable(self):
        """ok_results() that are set side by side (see stats.comparable)."""
        return stats.comparable(self.ok_results())


def load_run(path):
    """Read a run directory; raise ResultsError naming any malformed line."""
    real = os.path.realpath(path)
    if not os.path.isdir(real):
        raise ResultsError(f"{path}: no such run directory")
    meta_path = os.path.join(path, "meta.json")
    if not os.path.exists(meta_path):
        raise ResultsError(f"{meta_path}: missing (every run directory has one; "
                           "is this a run directory?)")
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ResultsError(f"{meta_path}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ResultsError(f"{meta_path}:1: not a JSON object")
    jsonl = os.path.join(path, "results.jsonl")
    if not os.path.exists(jsonl):
        raise ResultsError(f"{jsonl}: missing")
    results, failures = [], []
    with open(jsonl, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = parse.parse_record(line.strip(), lineno, jsonl)
            except parse.MalformedLine as e:
                raise ResultsError(str(e)) from None
            if obj["type"] == "failure":
                failures.append(obj)
            elif obj["type"] == "result":
                results.append(obj)
    if not results and not failures:
        raise ResultsError(f"{jsonl}: no results and no failures (empty: the run was "
                           "stopped before its first boot finished?)")
    return Run(real, meta, results, failures)
