"""published.py - other kernels' published IPC figures beside ours.

report/published.json holds the figures (data, with sources). This module
checks them and builds the report's two tables: every published figure as
published (one-way cycles), and round trips side by side: ours as measured
(a round trip, in our run's unit) and each published kernel's round trip
derived from its one-way figures (seL4: Call + ReplyRecv on one CPU;
others: twice the one-way figure, which their sources define as half of
a measured round trip). A one-way figure is never set against a round trip.
"""
import json

from . import stats

FIELDS = ("kernel", "operation", "direction", "cycles", "cpu", "clock_mhz",
          "conditions", "source")


class PublishedError(Exception):
    """report/published.json is missing or malformed."""


def load(path):
    """{"ipc": [...], "ratios": [...]} from path, every entry checked."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        ipc, ratios = data["ipc"], data["ratios"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise PublishedError(f"{path}: not a published-figures file ({e})") from None
    for i, p in enumerate(ipc, 1):
        missing = [f for f in FIELDS if f not in p]
        if missing or p["direction"] not in ("one_way", "round_trip"):
            raise PublishedError(f"{path}: ipc entry {i}: needs {', '.join(FIELDS)}; "
                                 "direction one_way or round_trip")
    return {"ipc": ipc, "ratios": ratios, "cve": data.get("cve")}


def published_rows(data):
    """(headers, rows): every published figure as its source gives it."""
    headers = ["kernel", "operation", "one way / round trip", "cycles", "CPU", "clock",
               "conditions", "source"]
    rows = [[p["kernel"], p["operation"], p["direction"].replace("_", " "), str(p["cycles"]),
             p["cpu"], f"{p['clock_mhz']} MHz", p["conditions"], p["source"]]
            for p in data["ipc"]]
    return headers, rows


def derived_round_trips(data):
    """[(kernel, cpu, cycles, how)] round trips derived from one-way figures."""
    out, seen = [], set()
    by_cpu = {}
    for p in data["ipc"]:
        if p["kernel"] == "seL4" and p["operation"].split()[0] in ("Call", "ReplyRecv"):
            by_cpu.setdefault(p["cpu"], {})[p["operation"].split()[0]] = p
    for cpu, halves in by_cpu.items():
        if len(halves) == 2:
            c, r = halves["Call"]["cycles"], halves["ReplyRecv"]["cycles"]
            out.append(("seL4", cpu, c + r, f"Call {c} + ReplyRecv {r}"))
            seen.add(("seL4", cpu))
    for p in data["ipc"]:
        key = (p["kernel"], p["cpu"])
        if key in seen or p["direction"] != "one_way":
            continue
        seen.add(key)
        out.append((p["kernel"], p["cpu"], 2 * p["cycles"], f"2 x one way {p['cycles']}"))
    return out


def ours(results):
    """Our short-message round trips: [(what, result)] of the run's
    pingpong rows at 8 B (micro fast path, general path, mono pipe)."""
    want = (("micro", "call_replyrecv", "micro call/reply_recv, fast path"),
            ("micro", "call_replyrecv_slowpath", "micro call/reply_recv, general path"),
            ("mono", "pipe", "mono pipe (copy in, copy out)"))
    out = []
    for mode, variant, what in want:
        r = next((r for r in results if r["mode"] == mode and r["workload"] == "pingpong"
                  and r["variant"] == variant and r["size"] == 8), None)
        if r:
            out.append((what, r))
    return out


def round_trip_rows(data, results, accel):
    """(headers, rows): ours measured beside the published kernels' derived
    round trips, each with its unit and where it comes from."""
    headers = ["kernel", "8-byte round trip", "unit", "CPU", "where it comes from"]
    rows = [[f"mkbench {what}", stats.fmt_num(r["median"]), r["unit"],
             f"QEMU {accel} guest (x86-64)", "measured in this run (median)"]
            for what, r in ours(results)]
    rows += [[k, str(c), "cycles", cpu, f"published, derived: {how}"]
             for k, cpu, c, how in derived_round_trips(data)]
    return headers, rows


def ratio_rows(data, results):
    """(headers, rows): published Mach/L3 ratios beside our nearest analogue,
    mono pipe over micro call/reply_recv at the same size (same unit)."""
    def median(mode, variant, size):
        r = next((r for r in results if r["mode"] == mode and r["workload"] == "pingpong"
                  and r["variant"] == variant and r["size"] == size), None)
        return r["median"] if r else None
    headers = ["published claim", "factor", "source", "ours: mono pipe / micro IPC"]
    rows = []
    for q in data["ratios"]:
        size = 4096 if "4 KiB" in q["claim"] else 8
        x = stats.ratio(median("mono", "pipe", size), median("micro", "call_replyrecv", size))
        rows.append([q["claim"], f"{q['factor']}x", q["source"],
                     f"{x:.2f}x at {stats.fmt_bytes(size)}" if x else "not in this run"])
    return headers, rows


TRUST = (
    "How far to trust the model: it prices exactly what the guest executes, with published "
    "cache and TLB geometries and latencies, and repeats exactly. But it has no pipeline: every "
    "instruction costs the base cost whatever its dependencies, branch mispredictions are not "
    "modelled, the kernel entry, exit and CR3-write costs are our assumptions (no vendor "
    "publishes them; the profile says so), copies have no start-up cost, an L2 miss is an L3 hit "
    "(no DRAM), and page-walk entries sit where the model puts them, not in the guest's page "
    "tables. It shows where cycles go and how designs rank once entries, switches, TLB refills "
    "and copies are priced; its absolute figures are estimates, which is why the published "
    "cycle counts stand beside them, on their own hardware, and are not divided by them.")


def modeled_rows(data, modeled):
    """(headers, rows): our modeled 8-byte round trips (sel4 fast and
    general path, l4, mono pipe) beside the published kernels' derived
    round trips, each with its CPU."""
    want = (("micro-sel4", "call_replyrecv", "mkbench sel4, fast path"),
            ("micro-sel4", "call_replyrecv_slowpath", "mkbench sel4, general path"),
            ("micro-l4", "call_replyrecv", "mkbench l4"),
            ("mono", "pipe", "mkbench mono pipe"))
    headers = ["kernel", "8-byte round trip [cycles]", "CPU", "where it comes from"]
    rows = []
    for system, variant, what in want:
        r = next((r for r in modeled if stats.system(r) == system and r["workload"] == "pingpong"
                  and r["variant"] == variant and r["size"] == 8), None)
        if r:
            rows.append([what, stats.fmt_num(r["median"]), f"modeled: profile {r.get('profile')}",
                         "this run, cycle model (median)"])
    rows += [[k, str(c), cpu, f"published, derived: {how}"]
             for k, cpu, c, how in derived_round_trips(data)]
    return headers, rows
