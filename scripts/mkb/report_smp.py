"""report_smp.py - our kernels on several CPUs (CPUS=2,4: the SMP kernels,
bench/wl_smp.c): the round trip with both ends on one CPU and on two, the
polled one, many clients sharing one server (bench/wl_clients.c), what the SMP kernel costs a workload left on one CPU, and the
Linux host's own one-CPU and two-CPU round trips beside (its unit).

Under -icount a multicore figure counts the instructions every CPU
executed between the client's two time stamps (the guest's rdtsc is
QEMU's one instruction counter); README.md, "Several CPUs", says what
that can and cannot show. These rows are kept out of the one-CPU tables
(stats.one_cpu_rows).
"""
from . import matrix, stats

# (label, workload, variant): the round trips of bench/wl_smp.c
ROUND_TRIPS = (("same CPU", "smp", "ipc_same"), ("across CPUs", "smp", "ipc_cross"),
               ("polled, across CPUs", "smp", "poll_cross"))
# One-CPU cases run on both kernels: what SMP readiness costs when every
# process stays on CPU 0 (label, workload, variants by preference, size).
COST_CASES = (
    ("null system call", "null", ("syscall",), None),
    ("IPC round trip 8 B", "pingpong", ("pipe", "call_replyrecv"), 8),
    ("IPC round trip 4 KiB", "pingpong", ("pipe", "call_replyrecv"), 4096),
    ("semaphore ping-pong", "sem", ("pingpong",), None),
    ("file read 4 KiB", "fileio", ("seq_read",), 4096),
)


def multicore(results):
    """The guest rows of a run that ran on several CPUs."""
    return [r for r in results if r["mode"] in matrix.GUEST_MODES and r.get("cpus", 1) > 1]


def _systems(rows):
    """The multicore systems with rows ("mono@2", "micro-sel4@2"), in table order."""
    have = {stats.system(r) for r in rows}
    return [y + f"{matrix.CPUS_SEP}{c}" for c in matrix.CPUS[1:] for y in matrix.all_systems()
            if y + f"{matrix.CPUS_SEP}{c}" in have]


def _row(rows, system, workload, variant, size):
    primary = matrix.primary_shape(workload)
    for r in rows:
        if (stats.system(r), r["workload"], r["variant"], r["size"]) == (system, workload, variant, size) \
                and (r.get("shape") or primary) == primary:
            return r
    return None


def _fmt(v):
    return stats.fmt_num(v) if v is not None else "-"


def round_trip_rows(results):
    """(headers, rows): per multicore system and size, the round trip on
    one CPU, across two, the difference, IPIs per round trip, the polled
    one; then the Linux host's pipe round trip on one CPU and on two (ns)."""
    rows = multicore(results)
    sizes = sorted({r["size"] for r in rows if r["workload"] == "smp"}, key=lambda s: (s is None, s))
    head = ["system", "size", "same CPU", "across CPUs", "across - same", "IPIs", "polled, across",
            "unit"]
    out = []
    for y in _systems(rows):
        for n in sizes:
            same, cross, poll = (_row(rows, y, w, v, n) for _, w, v in ROUND_TRIPS)
            if not (same or cross or poll):
                continue
            diff = cross["median"] - same["median"] if same and cross else None
            ipis = (cross.get("events") or {}).get("ipis") if cross else None
            out.append([matrix.label(y), stats.fmt_size(n), _fmt(same and same["median"]),
                        _fmt(cross and cross["median"]), _fmt(diff), _fmt(ipis),
                        _fmt(poll and poll["median"]), "instructions, all CPUs"])
    for n in sizes:
        one = _linux(results, n, 1)
        two = _linux(results, n, 2)
        if one or two:
            out.append(["linux host", stats.fmt_size(n), _fmt(one and one["median"]),
                        _fmt(two and two["median"]),
                        _fmt(two["median"] - one["median"] if one and two else None), "-", "-",
                        "ns (pipe)"])
    return head, out


def _linux(results, size, cpus):
    for r in results:
        if r["mode"] == "linux" and (r["workload"], r["variant"], r["size"]) == \
                ("pingpong", "pipe", size) and r.get("cpus", 1) == cpus:
            return r
    return None


def handoff_rows(results):
    """(headers, rows): the shm hand-off with the consumer on CPU 1, over
    the kernel's or server's semaphores and over user-level ones (the
    variant names the latter's wake-up: futex, ntfn, msg...)."""
    rows = [r for r in multicore(results) if r["workload"] == "smp"
            and r["variant"].startswith("handoff") and r["variant"].endswith("_cross")]
    head = ["system", "size", "semaphores", "IPIs", "user-level semaphores", "IPIs", "wake-up",
            "unit"]
    out = []
    for y in _systems(rows):
        for n in sorted({r["size"] for r in rows if stats.system(r) == y}):
            k = _row(rows, y, "smp", "handoff_cross", n)
            u = next((r for r in rows if stats.system(r) == y and r["size"] == n
                      and r["variant"] != "handoff_cross"), None)
            out.append([matrix.label(y), stats.fmt_size(n), _fmt(k and k["median"]),
                        _fmt(k and (k.get("events") or {}).get("ipis")), _fmt(u and u["median"]),
                        _fmt(u and (u.get("events") or {}).get("ipis")),
                        u["variant"][len("handoff_"):-len("_cross")] if u else "-",
                        "instructions, all CPUs"])
    return head, out


def pairs_rows(results):
    """(headers, rows): sel4bench's smp benchmark, independent pairs, one
    per CPU: a client's round trip with 1 to 4 pairs running."""
    rows = [r for r in multicore(results) if r["workload"] == "smp" and r["variant"].startswith("pairs_")]
    counts = sorted({int(r["variant"].split("_")[1]) for r in rows})
    head = ["system"] + [f"{k} pair{'s' if k > 1 else ''}" for k in counts] + ["unit"]
    out = []
    for y in _systems(rows):
        got = [_row(rows, y, "smp", f"pairs_{k}", 8) for k in counts]
        unit = next((r["unit"] for r in got if r), "instructions")
        out.append([matrix.label(y)] + [_fmt(r and r["median"]) for r in got]
                   + ["instructions, all CPUs" if unit == "instructions" else unit])
    return head, out


# The clients workload's operations (bench/wl_clients.c) and its micro
# shapes (matrix.SHAPES), as the table names them.
CLIENT_OPS = (("read", "file read 4 KiB"), ("sem", "semaphore post + wait"))
SERVERS = {None: "in the kernel", "shared": "one, on CPU 0", "percpu": "one per CPU"}


def clients_rows(results):
    """(headers, rows): many clients, one server (bench/wl_clients.c): per
    system, server placement and operation, the instructions per operation
    with 1, 2, 4 clients on as many CPUs, and the IPIs per operation with
    the most clients."""
    rows = [r for r in multicore(results) if r["workload"] == "clients"]
    counts = sorted({r["size"] for r in rows})
    head = ["system", "servers", "operation"] + \
        [f"{k} client{'s' if k > 1 else ''}" for k in counts] + ["IPIs per op", "unit"]
    out = []
    for y in _systems(rows):
        mine = [r for r in rows if stats.system(r) == y]
        for shape in sorted({r.get("shape") for r in mine}, key=lambda s: list(SERVERS).index(s)
                            if s in SERVERS else len(SERVERS)):
            for op, words in CLIENT_OPS:
                got = {r["size"]: r for r in mine if r.get("shape") == shape and r["variant"] == op}
                if not got:
                    continue
                last = got[max(got)]
                out.append([matrix.label(y), SERVERS.get(shape, shape), words]
                           + [_fmt(got[k]["median"]) if k in got else "-" for k in counts]
                           + [_fmt((last.get("events") or {}).get("ipis")),
                              "instructions, all CPUs, per op"])
    return head, out


def cost_rows(results):
    """(headers, rows): the one-CPU cases each multicore system also ran on
    its one-CPU kernel: both medians and their ratio."""
    rows = [r for r in results if r["mode"] in matrix.GUEST_MODES]
    head = ["case", "system", "one-CPU kernel", "SMP kernel, all on CPU 0", "SMP/one-CPU"]
    out = []
    for label, w, variants, size in COST_CASES:
        for y in _systems(multicore(rows)):
            base = matrix.one_cpu(y)
            for v in variants:
                a, b = _row(rows, base, w, v, size), _row(rows, y, w, v, size)
                if a and b:
                    out.append([label, matrix.label(y), _fmt(a["median"]), _fmt(b["median"]),
                                f"{b['median'] / a['median']:.2f}x" if a["median"] else "-"])
                    break
    return head, out


def text(results):
    """The terminal's and table.txt's part: both tables, or "" without rows."""
    if not multicore(results):
        return ""
    from . import table
    parts = ["Several CPUs: round trips (medians; under icount the instructions of every CPU "
             "between the client's time stamps)", table.render(*round_trip_rows(results))]
    head, rows = handoff_rows(results)
    if rows:
        parts += ["", "A shared-memory hand-off with the consumer on CPU 1 (medians, per hand-off)",
                  table.render(head, rows)]
    head, rows = pairs_rows(results)
    if rows:
        parts += ["", "Independent pairs, one per CPU: a client's round trip (medians; under icount "
                  "the CPUs take turns, so the pairs cannot slow each other)", table.render(head, rows)]
    head, rows = clients_rows(results)
    if rows:
        parts += ["", "Many clients, one server: k clients on k CPUs (medians per operation; under "
                  "icount the work of every CPU, not throughput)", table.render(head, rows)]
    head, rows = cost_rows(results)
    if rows:
        parts += ["", "What the SMP kernel costs a workload left on CPU 0 (medians)",
                  table.render(head, rows)]
    return "\n".join(parts)


def html_section(run, scroll):
    """The report's section on several CPUs (scroll: (headers, rows) -> HTML)."""
    res = run.ok_results() + run.multicore_results()
    head, rows = round_trip_rows(res)
    if not multicore(res):
        return ("<p>No run on several CPUs here: <code>make bench CPUS=1,2 WORKLOADS=null,"
                "pingpong,sem,smp,clients</code> boots the SMP kernels with two CPUs.</p>")
    parts = [
        "<p>Medians. Under <code>-icount</code> a figure is the instructions every CPU executed "
        "between the client's two time stamps (QEMU counts one clock for all CPUs): for a "
        "blocking round trip that is the work on both CPUs along the chain send, IPI, wake, "
        "receive and back; the CPUs never overlap in it, so it is not the latency two real "
        "cores would show, and no contention shows (see README.md, Several CPUs).</p>",
        scroll(head, rows)]
    sections = (
        ("A shared-memory hand-off across CPUs", handoff_rows(res),
         "The shm workload's hand-off of a block already written, the consumer on CPU 1: over the "
         "kernel's semaphores (mono) or the semaphore server's (micro), and over user-level "
         "semaphores in the segment that enter the kernel only to sleep or wake (each design's "
         "wake-up)."),
        ("Independent pairs", pairs_rows(res),
         "sel4bench's smp benchmark: one ping-pong pair per CPU, each client timing a batch of "
         "round trips while the others run theirs. On real cores the kernel's locks would show as "
         "pairs are added (micro's big lock serialises every kernel entry, mono's pipes have a lock "
         "each); under <code>-icount</code> the CPUs take turns, so the figures stay flat by "
         "construction: what they show is that nothing else grows with the CPU count."),
        ("Many clients, one server", clients_rows(res),
         "k clients, one per CPU, each reading its own 4 KiB file from the start or posting and "
         "waiting on its own semaphore, all started together; a figure is the span from the first "
         "client's start to the last one's end over the operations of all clients, i.e. the "
         "instructions all CPUs executed per operation. Mono's file system and semaphores run in "
         "the kernel on the client's own CPU; micro's servers either stay on CPU 0, so every "
         "client on another CPU calls across CPUs (IPIs), or are replicated, a file server and a "
         "semaphore server per CPU (<code>servers=percpu</code>, each replica with its own files "
         "and semaphores). On real cores the shared server would also be a queue the clients "
         "wait in; under <code>-icount</code> the CPUs take turns, so what shows is the work each "
         "operation adds, not lost throughput. A client that is done waits for the others with "
         "<code>pause</code> and a yield at each look, which the figure includes."),
        ("What the SMP kernel costs a workload left on one CPU", cost_rows(res),
         "The same boot's workloads on the uniprocessor kernel and on the SMP kernel with every "
         "process on CPU 0: the locks, the per-CPU data reached through GS, swapgs."))
    for title, (shead, srows), words in sections:
        if srows:
            parts += [f"<h3>{title}</h3>", f"<p>{words}</p>", scroll(shead, srows)]
    return "\n".join(parts)
