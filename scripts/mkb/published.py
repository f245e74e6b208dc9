"""published.py - other kernels' published IPC figures beside ours.

report/published.json holds the figures (data, with sources). This module
checks them and builds the report's two tables: every published figure as
published (one-way cycles), and round trips side by side: ours as measured
(a round trip, in our run's unit) and each published kernel's round trip
derived from its one-way figures (seL4: Call + ReplyRecv on one CPU;
others: twice the one-way figure, which their sources define as half of
a measured round trip). A one-way figure is never set against a round trip.
Ours are every micro IPC strategy the run has, each named.

The file's "reproduce" list says, for each published figure the suite
reproduces (or measures the counterpart of), the command that does it and
the report figure and data it lands in; the report's "Reproduce a
published figure" section and reproduce_markdown() are drawn from it.
"""
import json

from . import bands, matrix, stats

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
    reproduce = data.get("reproduce", [])
    for i, x in enumerate(reproduce if isinstance(reproduce, list) else [None], 1):
        missing = [f for f in REPRODUCE_FIELDS if not isinstance(x, dict) or f not in x]
        if missing:
            raise PublishedError(f"{path}: reproduce entry {i}: needs "
                                 f"{', '.join(REPRODUCE_FIELDS)}")
    return {"ipc": ipc, "ratios": ratios, "cve": data.get("cve"), "reproduce": reproduce}


REPRODUCE_FIELDS = ("published", "source", "ours", "command", "figure", "data")


def published_rows(data):
    """(headers, rows): every published figure as its source gives it."""
    headers = ["kernel", "operation", "one way / round trip", "cycles", "CPU", "clock",
               "conditions", "source"]
    rows = [[p["kernel"], p["operation"], p["direction"].replace("_", " "), str(p["cycles"]),
             p["cpu"], f"{p['clock_mhz']} MHz" if p["clock_mhz"] else "not given", p["conditions"],
             p["source"]]
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


def _micro_systems(results):
    present = {stats.system(r) for r in results if r["mode"] == "micro"}
    return [s for s in matrix.all_systems() if s != "mono" and s in present]


def _find(results, system, variant, size=8):
    return next((r for r in results if stats.system(r) == system and r["workload"] == "pingpong"
                 and r["variant"] == variant and r["size"] == size), None)


def _round_trips(results):
    """[(system, path, result)]: the run's 8-byte pingpong round trips,
    each micro strategy's call/reply_recv (path "fast path" or "general
    path" for sel4, which has both; "" for the others), then the mono pipe."""
    out = []
    for system in _micro_systems(results):
        paths = ((("call_replyrecv", "fast path"), ("call_replyrecv_slowpath", "general path"))
                 if system == "micro-sel4" else (("call_replyrecv", ""),))
        out += [(system, path, r) for variant, path in paths
                if (r := _find(results, system, variant))]
    r = _find(results, "mono", "pipe")
    return out + ([("mono", "", r)] if r else [])


def ours(results):
    """Our short-message round trips: [(what, result)], as _round_trips()."""
    return [(f"{y} call/reply_recv" + (f", {path}" if path else "") if y != "mono"
             else "mono pipe (copy in, copy out)", r) for y, path, r in _round_trips(results)]


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
    mono pipe over each micro strategy's call/reply_recv at the same size
    (same unit)."""
    headers = ["published claim", "factor", "source", "ours: mono pipe / micro IPC"]
    rows = []
    for q in data["ratios"]:
        size = 4096 if "4 KiB" in q["claim"] else 8
        mono = _find(results, "mono", "pipe", size)
        cells = []
        for system in _micro_systems(results):
            micro = _find(results, system, "call_replyrecv", size)
            x = stats.ratio(mono["median"], micro["median"]) if mono and micro else None
            if x:
                cells.append(f"{matrix.label(system)} {x:.2f}x")
        rows.append([q["claim"], f"{q['factor']}x", q["source"],
                     f"{', '.join(cells)} at {stats.fmt_bytes(size)}" if cells
                     else "not in this run"])
    return headers, rows


TRUST = (
    "How far to trust the model: it prices exactly what the guest executes, with published "
    "cache and TLB geometries and latencies, walks the guest's own page tables, and repeats "
    "exactly. Ordinary instructions cost what LLVM's scheduling model of the core gives each "
    "straight-line segment (llvm-mca), but branch mispredictions are not modelled, the kernel "
    "entry, exit and CR3-write costs are our estimates within ranges that published measurements "
    "bound (no vendor publishes them; the profile says so, and the bands carry the ranges), only a string copy's misses overlap (up to the fill buffers; no "
    "prefetcher), exception delivery has an assumed price and an L2 miss is an L3 hit (no DRAM). It shows where cycles go and how designs rank "
    "once entries, switches, TLB refills and copies are priced; its absolute figures are "
    "estimates, which is why the published cycle counts stand beside them, on their own "
    "hardware; the held-out checks below say how far apart the two are where a comparison means "
    "something.")


HELD_OUT = (
    "Held-out checks: published figures the model was never fitted to, set beside ours with how "
    "far apart they are. Only seL4 on Skylake meets a profile of the same core (skylake); there "
    "the ratio says how far our modeled seL4-like fast path is from seL4's measured one, two "
    "different kernels on one model of one core, so it bounds the model's error only together "
    "with the kernels' difference. L4Re publishes instructions retired as well as cycles: "
    "instructions need no model of a core, so our l4 round trip's instructions are set against "
    "L4Re's directly; its cycles were measured on other cores than any profile here. L4Re's page "
    "gives \"a single IPC\"; it is taken here as one direction and doubled for a round trip "
    "(were it a call and its reply, each L4Re figure would halve and each ratio double).")


def _l4re(data):
    return [p for p in data["ipc"] if p["kernel"].startswith("L4Re") and p["direction"] == "one_way"
            and p.get("instructions")]


def held_out_rows(data, modeled, measured):
    """(headers, rows): published figures beside ours (modeled cycles
    with their bands, or instructions), each with ours/published."""
    headers = ["published", "figure", "ours", "figure", "ours/published", "comparable?"]
    rows = []
    sel4 = {p["operation"].split()[0]: p for p in data["ipc"]
            if p["kernel"] == "seL4" and "Skylake" in p["cpu"]}
    mine = _find(modeled, "micro-sel4", "call_replyrecv")
    if "Call" in sel4 and "ReplyRecv" in sel4:
        pub = sel4["Call"]["cycles"] + sel4["ReplyRecv"]["cycles"]
        same = mine and mine.get("profile") == "skylake"
        b = bands.safe(bands.band, mine) if mine else None
        ratio = f"{mine['median'] / pub:.2f}x" + (f" ({b[0] / pub:.2f}-{b[1] / pub:.2f}x)" if b else "") \
            if mine else "-"
        rows.append([f"seL4 Call + ReplyRecv, {sel4['Call']['cpu']} ({sel4['Call']['source'].split(',')[0]})",
                     f"{pub} cycles",
                     f"sel4 fast path, 8-byte round trip, modeled (profile {mine.get('profile')})" if mine
                     else "no modeled sel4 fast path in this run",
                     bands.figure_text(mine, lambda x: stats.fmt_num(x["median"])) + " cycles" if mine else "-",
                     ratio, "same core" if same else "another core's profile"])
    l4 = _find(measured, "micro-l4", "call_replyrecv")
    l4m = _find(modeled, "micro-l4", "call_replyrecv")
    for p in _l4re(data):
        pub_i, pub_c = 2 * p["instructions"], 2 * p["cycles"]
        if l4 and l4.get("unit") == "instructions":
            rows.append([f"L4Re IPC between address spaces, {p['cpu']}, 2 x one way",
                         f"{pub_i} instructions", "l4 8-byte round trip (icount)",
                         f"{stats.fmt_num(l4['median'])} instructions",
                         f"{l4['median'] / pub_i:.2f}x", "instructions: yes (see above)"])
        if l4m:
            b = bands.safe(bands.band, l4m)
            rows.append([f"L4Re IPC between address spaces, {p['cpu']}, 2 x one way",
                         f"{pub_c} cycles", f"l4 8-byte round trip, modeled (profile {l4m.get('profile')})",
                         bands.figure_text(l4m, lambda x: stats.fmt_num(x["median"])) + " cycles",
                         f"{l4m['median'] / pub_c:.2f}x" + (f" ({b[0] / pub_c:.2f}-{b[1] / pub_c:.2f}x)" if b else ""),
                         "another core"])
    return headers, rows


def modeled_round_trips(modeled):
    """[(what, result)]: our modeled 8-byte round trips, as _round_trips()."""
    return [(f"mkbench {matrix.label(y)}" + (f", {path}" if path else "") if y != "mono"
             else "mkbench mono pipe", r) for y, path, r in _round_trips(modeled)]


def modeled_rows(data, modeled):
    """(headers, rows): our modeled 8-byte round trips (every strategy,
    mono pipe) beside the published kernels' derived round trips, each
    with its CPU."""
    headers = ["kernel", "8-byte round trip [cycles]", "CPU", "where it comes from"]
    rows = [[what, bands.figure_text(r, lambda x: stats.fmt_num(x["median"])),
             f"modeled: profile {r.get('profile')}",
             "this run, cycle model (median)"] for what, r in modeled_round_trips(modeled)]
    rows += [[k, str(c), cpu, f"published, derived: {how}"]
             for k, cpu, c, how in derived_round_trips(data)]
    return headers, rows


def reproduce_markdown(data, out="report/out"):
    """The "reproduce a published figure" table as Markdown (README)."""
    lines = ["| published figure | what the suite measures | command | figure | data |",
             "|---|---|---|---|---|"]
    for x in data.get("reproduce", []):
        lines.append(f"| {x['published']} ({x['source']}) | {x['ours']} | `{x['command']}` | "
                     f"`{out}/fig/{x['figure']}.png` (`.svg`, `.pdf`) | "
                     + ", ".join(f"`{d.replace('{out}', out)}`" for d in x["data"]) + " |")
    return "\n".join(lines)
