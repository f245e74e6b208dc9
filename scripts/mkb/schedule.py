"""schedule.py - the order of a run's boots (scripts/bench.py): submitted
longest first, collected as they finish, written back in plan order."""
import json
import os

from mkb import matrix


def longest_first(ctx, plan):
    """The guest boots of plan (their numbers, from 1) longest first, by the
    reference run's lengths (unknown ones first of all): submitted in this
    order, two workers end together instead of one waiting for the longest
    boot, submitted last (a longest-processing-time schedule)."""
    lengths = ctx["reference"][0]
    guests = [i for i, (y, _, _) in enumerate(plan, 1) if y != "linux"]
    return sorted(guests, key=lambda i: -lengths.get(plan[i - 1], float("inf")))


def collection_order(ctx, plan, ahead):
    """Plan numbers in the order their boots are collected: the submitted
    ones (ahead) as they finish, then the rest (the Linux baseline; every
    boot, when boots run one at a time) in plan order."""
    waiting = {}
    for i, (future, _) in sorted(ahead.items()):
        if future is None:
            yield i   # not started (its kernel is not built)
        else:
            waiting[future.key] = i
    if waiting:
        futures = [future for future, _ in ahead.values() if future is not None]
        for future in ctx["engine"].finished(futures):
            yield waiting[future.key]
    yield from (i for i in range(1, len(plan) + 1) if i not in ahead)


def plan_position(plan):
    """A sort key putting result and failure lines, and runs, in plan order."""
    where = {case: i for i, case in enumerate(plan)}

    def key(row):
        system = "linux" if row.get("mode") == "linux" else matrix.system_of(row)
        if system == "linux":
            return len(plan)
        return where.get((system, row.get("workload"), row.get("shape")), len(plan) + 1)
    return key


def in_plan_order(run_dir, meta, plan, everything):
    """Boots finish in any order: put the results, results.jsonl and the
    runs in meta.json back in plan order, so that a run's files are the
    same whichever boot ended first (stable: a boot's lines keep theirs)."""
    key = plan_position(plan)
    everything.sort(key=key)
    meta["runs"].sort(key=key)
    path = os.path.join(run_dir, "results.jsonl")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f if line.strip()]
    except OSError:
        return
    rows = []
    for line in lines:
        try:
            rows.append((key(json.loads(line)), line))
        except (ValueError, AttributeError):
            rows.append((len(plan) + 1, line))
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(line for _, line in sorted(rows, key=lambda r: r[0]))
    os.replace(tmp, path)
