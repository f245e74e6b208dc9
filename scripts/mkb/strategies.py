"""strategies.py - the micro kernel's IPC strategies side by side.

Every strategy runs the same servers and workloads (kernels/micro/ipc/,
user/ipc/), so one case is one row and one system one column: mono (its
own mechanism: a pipe for messages), then micro-<ipc> for each strategy
in the run. Also the cost breakdown of the message round trip per
strategy (kernel entries, switches, scheduler decisions, message moves
by kind) and Liedtke 1993's L3-against-Mach claim beside our l4 against
our mach.
"""
from . import matrix, parse, stats

# The user-level semaphore's rows are named by the wake-up a sleeper uses
# (bench/usem.h): mono's futex, each micro design's own (user/ipc.h).
WAKES = ("futex", "ntfn", "send0", "pulse", "notify", "msg")

# (label, workload, variant by mode (a name, or names to try in turn),
# size, shape): the cases compared.
CASES = (
    ("null system call", "null", {"mono": "syscall", "micro": "syscall"}, None, None),
    ("message 8 B, round trip", "pingpong", {"mono": "pipe", "micro": "call_replyrecv"}, 8, None),
    ("message 4 KiB, round trip", "pingpong", {"mono": "pipe", "micro": "call_replyrecv"}, 4096,
     None),
    ("message 64 KiB, round trip", "pingpong", {"mono": "pipe", "micro": "call_replyrecv"}, 65536,
     None),
    ("message 64 KiB, round trip, virtual copy (out of line)", "pingpong",
     {"mono": None, "micro": "call_replyrecv_ool"}, 65536, None),
    ("semaphore ping-pong, round trip", "sem", {"mono": "pingpong", "micro": "pingpong"}, None,
     None),
    ("user-level semaphore ping-pong (wake-up: futex, design's own)", "sem",
     {"mono": "futex_pingpong", "micro": tuple(f"{w}_pingpong" for w in WAKES[1:])}, None, None),
    ("shm hand-off 4 KiB", "shm", {"mono": "handoff", "micro": "handoff"}, 4096, None),
    ("shm hand-off 4 KiB, user-level semaphores", "shm",
     {"mono": "handoff_futex", "micro": tuple(f"handoff_{w}" for w in WAKES[1:])}, 4096, None),
    ("file read 4 KiB, one hop", "fileio", {"mono": "seq_read", "micro": "seq_read"}, 4096, "fs"),
    ("file read 4 KiB, two hops", "fileio", {"mono": None, "micro": "seq_read"}, 4096, "fs+blk"),
)
BREAKDOWN_SIZES = (8, 4096)


def systems(results):
    """The guest systems present, mono first, then the strategies in order."""
    present = {stats.system(r) for r in results}
    order = matrix.all_systems()
    return [s for s in order if s in present]


def find(results, system, workload, variant, size, shape):
    """The row of system for one case, or None. Mono has no shapes: its
    file system is one system call away (one hop). variant: a name, or a
    tuple of names (the first present is taken)."""
    mode = matrix.mode_of(system)
    names = variant if isinstance(variant, tuple) else (variant,)
    for r in results:
        if (stats.system(r) == system and r["workload"] == workload and r["variant"] in names
                and r["size"] == size
                and (mode == "mono" or (r.get("shape") or None) == shape)):
            return r
    return None


def case_rows(results):
    """[(label, {system: row or None})] for the cases some system ran."""
    out = []
    for label, workload, variant, size, shape in CASES:
        cells = {y: find(results, y, workload, variant[matrix.mode_of(y)], size, shape)
                 if variant[matrix.mode_of(y)] else None for y in systems(results)}
        if any(cells.values()):
            out.append((label, cells))
    return out


def _unit(results):
    units = sorted({r["unit"] for r in results if r["mode"] != "linux"})
    return "/".join(units) or "-"


def table_rows(results):
    """(headers, rows): median of each case per system, in the run's unit."""
    ys = systems(results)
    headers = [f"case [{_unit(results)}]"] + [y.replace("micro-", "") for y in ys]
    rows = [[label] + [stats.fmt_num(c[y]["median"]) if c.get(y) else "-" for y in ys]
            for label, c in case_rows(results)]
    return headers, rows


def _per(r, field):
    return (r.get("events") or {}).get(field)


def _rep_iters(modeled, r):
    """Iterations of rep movs/stos per sample of r's case (the cycle
    model's count, bench/model/mkbmodel.c), or None without a model row."""
    for m in modeled or ():
        if (stats.system(m) == stats.system(r) and stats.key_of(m) == stats.key_of(r)
                and "rep_iters" in (m.get("events") or {})):
            return m["events"]["rep_iters"]
    return None


def breakdown_rows(results, modeled=None):
    """(headers, rows): per system and message size, the round trip and
    what it is made of: with the cycle model's rows (modeled), the
    iterations of rep movs/stos in it and the instructions outside them
    (icount counts each iteration as one instruction: the bookkeeping a
    round trip executes is the rest); kernel entries, switches,
    scheduler decisions (sched_pick) against direct switches, port-right
    translations (mach), and message moves by kind as count (bytes)."""
    headers = ["system", "size", "round trip", "rep iterations", "outside rep",
               "kernel entries", "switches", "scheduler",
               "direct", "rights"] + [k.replace("_", " ") for k in parse.COPY_KINDS]
    rows = []
    for size in BREAKDOWN_SIZES:
        for y in systems(results):
            mode = matrix.mode_of(y)
            r = find(results, y, "pingpong", "pipe" if mode == "mono" else "call_replyrecv", size,
                     None)
            if not r:
                continue
            moves = []
            for k in parse.COPY_KINDS:
                n, b = _per(r, f"copies_{k}"), _per(r, f"bytes_{k}")
                moves.append("-" if not n else f"{stats.fmt_num(n)} ({stats.fmt_num(b)} B)")
            rep = _rep_iters(modeled, r)
            outside = r["median"] - rep if rep is not None and r["unit"] == "instructions" else None
            rows.append([y.replace("micro-", ""), stats.fmt_bytes(size), stats.fmt_num(r["median"]),
                         "-" if rep is None else stats.fmt_num(rep),
                         "-" if outside is None else stats.fmt_num(outside),
                         stats.fmt_num(_per(r, "kentries")), stats.fmt_num(_per(r, "switches")),
                         stats.fmt_num(_per(r, "sched_picks")),
                         stats.fmt_num(_per(r, "direct_switches")),
                         stats.fmt_num(_per(r, "rights") or 0)] + moves)
    return headers, rows


def liedtke_rows(results, ratios):
    """(headers, rows): Liedtke 1993's L3-over-Mach factors (published)
    beside our mach round trip over our l4 round trip at the same size,
    in one unit."""
    headers = ["published claim", "factor", "our l4", "our mach", "ours: mach / l4",
               "our mach, handoff on", "ours: mach handoff / l4", "unit"]
    rows = []
    for q in ratios:
        size = 4096 if "4 KiB" in q["claim"] else 8
        l4 = find(results, "micro-l4", "pingpong", "call_replyrecv", size, None)
        row = [q["claim"], f"{q['factor']}x", stats.fmt_num(l4["median"]) if l4 else "not in this run"]
        for system in ("micro-mach", "micro-mach+handoff"):
            mach = find(results, system, "pingpong", "call_replyrecv", size, None)
            x = stats.ratio(mach["median"], l4["median"]) if l4 and mach else None
            row += [stats.fmt_num(mach["median"]) if mach else "not in this run",
                    f"{x:.2f}x at {stats.fmt_bytes(size)}" if x else "-"]
        rows.append(row + [l4["unit"] if l4 else "-"])
    return headers, rows


def terminal_line(results):
    """One line for the terminal: the 8-byte round trip per system."""
    cells = []
    for y in systems(results):
        mode = matrix.mode_of(y)
        r = find(results, y, "pingpong", "pipe" if mode == "mono" else "call_replyrecv", 8, None)
        if r:
            cells.append(f"{y.replace('micro-', '')} {stats.fmt_num(r['median'])}")
    if len(cells) < 2:
        return ""
    return f"IPC strategies, 8-byte round trip [{_unit(results)}]: " + ", ".join(cells)


# The cycle model's cost classes (bench/model/mkbmodel.c), as the
# Liedtke paragraph names them.
MODEL_CLASSES = (("base_cycles", "executing the instructions"), ("cache_cycles", "cache misses"),
                 ("tlb_cycles", "TLB misses"), ("copy_cycles", "rep start-up"),
                 ("cr3_cycles", "address-space switches"), ("kentry_cycles", "kernel entries"))


def _modeled_row(modeled, r):
    for m in modeled or ():
        if stats.system(m) == stats.system(r) and stats.key_of(m) == stats.key_of(r):
            return m
    return None


def liedtke_text(results, modeled=None):
    """The paragraph under the Liedtke table: our ratios, in words, and
    every cause of the difference from the paper's that the run can
    size (with the cycle model's rows, modeled: rep iterations and the
    modeled cycles by class), then those it cannot."""
    def rt(system, size, variant="call_replyrecv"):
        return find(results, system, "pingpong", variant, size, None)
    l8, m8, l4k, m4k = rt("micro-l4", 8), rt("micro-mach", 8), rt("micro-l4", 4096), rt("micro-mach", 4096)
    if not (l8 and m8):
        return ("This run has no l4 and mach round trips side by side (run make bench with "
                "IPC including l4 and mach).")
    unit = l8["unit"]
    x8 = stats.ratio(m8["median"], l8["median"])
    x4 = stats.ratio(m4k["median"], l4k["median"]) if l4k and m4k else None
    ev = m8.get("events") or {}
    moves = sum(ev.get(f"copies_{k}", 0) for k in ("kbuf_in", "kbuf_out"))
    text = (f"Liedtke (SOSP 1993) measured L3 22 times faster than Mach for an 8-byte message "
            f"and 3 times for 4 KiB, in cycles on a 486. Our mach takes {x8:.1f} times our l4's "
            f"{unit} at 8 B" + (f" and {x4:.1f} times at 4 KiB" if x4 else "") + ". ")
    text += (f"The models keep the structural costs the paper names: mach copies every message "
             f"into a kernel buffer and out again ({stats.fmt_num(moves)} buffer moves per round "
             f"trip), queues it, translates every port name through the task's name space "
             f"({stats.fmt_num(ev.get('rights', 0))} right translations per round trip), and lets "
             f"the scheduler pick the receiver "
             f"({stats.fmt_num(ev.get('sched_picks', 0))} scheduler decisions), where l4 moves "
             f"three registers and switches straight to the partner. ")
    diff = m8["median"] - l8["median"]
    rep_m, rep_l = _rep_iters(modeled, m8), _rep_iters(modeled, l8)
    if rep_m is not None and rep_l is not None:
        text += (f"Sized in {unit}: mach's round trip is {stats.fmt_num(diff)} longer than l4's; "
                 f"{stats.fmt_num(rep_m - rep_l)} of that are iterations of rep movs/stos (the "
                 f"copies through kernel buffers: {stats.fmt_num(rep_m)} against "
                 f"{stats.fmt_num(rep_l)}, the cycle model's count), the other "
                 f"{stats.fmt_num(diff - (rep_m - rep_l))} the bookkeeping of queues, typed "
                 f"headers, rights and the scheduler. ")
    h8 = rt("micro-mach+handoff", 8)
    if h8:
        hx = stats.ratio(h8["median"], l8["median"])
        text += (f"With Mach 3's handoff scheduling on (MACH_HANDOFF=on: the trap that sends and "
                 f"then waits hands its CPU to the receiver), mach takes "
                 f"{stats.fmt_num(h8['median'])} {unit}, {hx:.1f} times l4: handing off saves "
                 f"{stats.fmt_num(m8['median'] - h8['median'])}, as our scheduler's pick is "
                 f"cheap. ")
    mm, ml = _modeled_row(modeled, m8), _modeled_row(modeled, l8)
    if mm and ml:
        em, el = mm.get("events") or {}, ml.get("events") or {}
        parts = [f"{name} {stats.fmt_num(em.get(k, 0) - el.get(k, 0))}" for k, name in MODEL_CLASSES]
        text += (f"In modeled cycles (profile {mm.get('profile', '?')}) mach takes "
                 f"{stats.fmt_num(mm['median'])} against l4's {stats.fmt_num(ml['median'])}, "
                 f"{stats.ratio(mm['median'], ml['median']):.1f} times; the difference by the "
                 f"model's classes (means per round trip): " + ", ".join(parts) + ". The misses "
                 "the paper found to dominate are those of our small kernels, priced by an "
                 "unvalidated model. ")
    text += ("Not sized here, because our mach leaves them out: Mach 3's larger message header "
             "and its copy-in in pieces, port rights carried inside message bodies, the name "
             "space's splay tree and hash table (ours is an array indexed by name), the send-"
             "once right made as a port object, the kernel's larger code and data (its cache "
             "and TLB footprint), and the 486's costs; each would make mach dearer, so the "
             "8-byte factor here is a lower bound on the paper's. ")
    sel4 = rt("micro-sel4", 8)
    if sel4:
        text += (f"Our l4 takes its short call and answer on a fast path of its own "
                 f"(kernels/micro/ipc/l4_fast.c, in the paper's spirit); against the sel4 fast "
                 f"path, the L4 design's descendant, mach takes "
                 f"{stats.ratio(m8['median'], sel4['median']):.1f} times as much. ")
    if x4:
        text += (f"At 4 KiB both are dominated by copying the data: mach copies it twice and l4 "
                 f"once, which puts the factor near 2 ({x4:.1f}), under the paper's 3, whose Mach "
                 f"also paid for the copies' cache misses. ")
        o4 = rt("micro-mach", 4096, "call_replyrecv_ool")
        if o4:
            text += (f"Sent out of line (virtual copy: the pages mapped copy-on-write, one page "
                     f"copied when the sender writes its buffer again), mach's 4 KiB round trip "
                     f"takes {stats.fmt_num(o4['median'])} {unit}, "
                     f"{stats.ratio(o4['median'], l4k['median']):.1f} times l4's copy.")
    return text.strip()
