"""apps.py - the application workloads (bench/apps/app.h) in the report:
what a whole program pays on each kernel, and the SOSP 1997 comparison.

A case is one result row of an application (a whole YCSB mix, a build
job, a run of the AIM-style mix); its cost per unit of work is its median
over its work (operations, files, jobs: the row's "work", written by the
guest). A strategy's overhead is its cost over mono's, less one, in
percent; mono has no file-server shape, so both micro shapes are set
against the same mono row.
"""
from . import extract, matrix, stats

NAN = float("nan")

# (application, variant, what its size counts, what one unit of work is)
CASES = (("kvstore", "ycsb_a_run", "value bytes", "operation"),
         ("kvstore", "ycsb_b_run", "value bytes", "operation"),
         ("kvstore", "ycsb_c_run", "value bytes", "operation"),
         ("kvstore", "recovery", "value bytes", "recovery"),
         ("build", "job", "source files", "file"),
         ("mix", "aim7_shared", "users", "job"))

# Härtig, Hohmuth, Liedtke, Schönberg, Wolter, "The Performance of
# µ-Kernel-Based Systems", SOSP 1997, section 5 (the AIM multiuser
# benchmark suite VII): L4Linux's maximum throughput about 5% below native
# Linux; MkLinux's penalty about 5 times (in-kernel server) to 7 times
# (user-level server) L4Linux's.
SOSP1997 = {"l4_penalty_pct": 5.0, "mach_over_l4": (5.0, 7.0),
            "source": "Härtig et al., The Performance of µ-Kernel-Based Systems, SOSP 1997"}


def per_work(r):
    """A row's median per unit of work (the median itself without one)."""
    return r["median"] / r["work"] if r.get("work") else r["median"]


def _rows(results):
    """{(workload, variant, size, shape): {system: row}} of the application cases."""
    wanted = {(w, v) for w, v, _, _ in CASES}
    out = {}
    for r in results:
        if r["mode"] in ("mono", "micro") and (r["workload"], r["variant"]) in wanted:
            # mono has no shape: it sits in the primary shape's row
            shape = r.get("shape") or (matrix.primary_shape(r["workload"]) or "")
            key = (r["workload"], r["variant"], r["size"], shape)
            out.setdefault(key, {})[stats.system(r)] = r
    return out


def _order(key):
    w, v, size, shape = key
    i = next(i for i, c in enumerate(CASES) if c[:2] == (w, v))
    return (i, -1 if size is None else size, shape)


def overhead(micro, mono):
    """Percent over mono, or None."""
    return (micro / mono - 1) * 100 if micro is not None and mono else None


def table_rows(results):
    """(headers, rows): one row per application case, size and shape; per
    unit of work on mono and on each strategy, with the overhead."""
    cases = _rows(results)
    systems = [s for s in matrix.all_systems() if s != "mono"
               and any(s in c for c in cases.values())]
    headers = ["application", "case", "size", "per", "mono"] + [matrix.label(s) for s in systems]
    rows = []
    for key in sorted(cases, key=_order):
        w, v, size, shape = key
        primary = matrix.primary_shape(w) or ""
        if shape != primary and not any(s in cases[key] for s in systems):
            continue
        mono_row = cases.get((w, v, size, primary), {}).get("mono")
        mono = per_work(mono_row) if mono_row else None
        what = next(c for c in CASES if c[:2] == (w, v))
        cells = [w, v.replace("_run", "") + (f" [{shape}]" if shape != primary else ""),
                 f"{size} {what[2]}" if size is not None else "-", what[3],
                 "-" if mono is None else f"{mono:,.0f}"]
        for s in systems:
            r = cases[key].get(s)
            if not r:
                cells.append("-")
                continue
            x = per_work(r)
            o = overhead(x, mono)
            cells.append(f"{x:,.0f}" + ("" if o is None else f" ({o:+.1f}%)"))
        rows.append(cells)
    return headers, rows


def _mix_rows(results):
    """{(size, shape): {system: row}} of the AIM-style mix."""
    return {(k[2], k[3]): v for k, v in _rows(results).items() if k[0] == "mix"}


def throughput_rows(results):
    """(headers, rows): the mix's throughput per user count and system,
    in jobs per 10^9 units of guest time (instructions under icount, or
    modeled cycles), file server one hop; more users share one CPU, so
    what changes with them is what concurrency costs the kernel."""
    mix = _mix_rows(results)
    systems = [s for s in matrix.all_systems() if any(s in by for by in mix.values())]
    unit = extract._units([r for by in mix.values() for r in by.values()]) or "?"
    headers = ["users"] + [f"{matrix.label(s)} [jobs / 10^9 {unit}]" for s in systems]
    rows = []
    for (size, shape), by in sorted(mix.items(), key=lambda x: (x[0][0] or 0, x[0][1])):
        if shape != (matrix.primary_shape("mix") or ""):
            continue
        rows.append([str(size)] + [f"{1e9 / per_work(by[s]):,.1f}" if s in by else "-" for s in systems])
    return headers, rows


def sosp_rows(results):
    """(headers, rows): the mix's l4 and mach overheads against mono and
    their ratio, per user count (fs shape), beside SOSP 1997's figures."""
    mix = _mix_rows(results)
    headers = ["users", "l4 over mono", "mach over mono", "mach+handoff over mono",
               "mach / l4, throughput lost", "published (SOSP 1997)"]
    rows = []
    for (size, shape), by in sorted(mix.items(), key=lambda x: (x[0][0] or 0, x[0][1])):
        if shape != (matrix.primary_shape("mix") or ""):
            continue
        mono = per_work(by["mono"]) if "mono" in by else None
        o = {s: overhead(per_work(by[s]), mono) if s in by else None
             for s in ("micro-l4", "micro-mach", "micro-mach+handoff")}
        if o["micro-l4"] is None and o["micro-mach"] is None:
            continue
        # SOSP's penalties are throughput lost: p = o / (1 + o) of an overhead o
        lost = {k: None if x is None else x / (100 + x) for k, x in o.items()}
        ratio = (lost["micro-mach"] / lost["micro-l4"]
                 if lost["micro-mach"] is not None and lost["micro-l4"] and lost["micro-l4"] > 0
                 else None)
        pub = SOSP1997
        rows.append([str(size)] + ["-" if x is None else f"{x:+.1f}%" for x in o.values()]
                    + ["-" if ratio is None else f"{ratio:.1f}x",
                       f"L4Linux {pub['l4_penalty_pct']:.0f}%; MkLinux "
                       f"{pub['mach_over_l4'][0]:.0f}-{pub['mach_over_l4'][1]:.0f}x L4Linux's"])
    return headers, rows


def sosp_text(results):
    """The paragraph beside the SOSP 1997 table: what differs, and how."""
    have = any(r for r in sosp_rows(results)[1])
    lead = ("" if have else "This run has no mix on mono with l4 or mach beside it, so there "
            "is nothing to set beside the published figures. ")
    return lead + (
        "Set beside the published figures, not fitted to them: nothing in the mix or the "
        "kernels was changed toward them. What differs, and its likely effect. (1) What runs: "
        "L4Linux and MkLinux ran a whole Linux kernel as one server on the microkernel, and "
        "AIM's tests entered it for every system call; here the application calls small "
        "servers (file system, block device, semaphores, shared memory) itself, and process "
        "creation, channels and memory stay in the microkernel, so fewer of the mix's "
        "operations cross address spaces than under a Linux server; expect our overheads "
        "lower. (2) The designs: our l4 and mach are models of each design's IPC in one "
        "kernel (what is copied, who blocks, what the kernel keeps), not L4 and Mach 3 with "
        "their virtual memory and the OSF/1 server; MkLinux's in-kernel variant co-located "
        "the server with the kernel, which our mono is closest to. (3) The machine: they "
        "measured a 133 MHz Pentium; ours are instruction counts under icount and cycles of "
        "a modeled core whose caches and TLBs are larger, which shrinks what an address-space "
        "switch costs against computation. (4) The mix: AIM VII's class weights "
        "(workfile.shared), but our own tests, a RAM disk instead of disks, and fixed-point "
        "arithmetic where AIM used floating point (the kernels keep no FPU state), on one "
        "CPU with up to 8 users, where they measured the maximum throughput over many. "
        "Their penalty is throughput lost; ours above is time added per job, and the mach / l4 "
        "column divides throughput lost, o / (1 + o) of an overhead o (5.3% added is 5% lost).")


def _cases_for_figure(results):
    """[(label, key)] of the cases the overhead figure shows: each
    application's headline size (stats.HEADLINE_SIZE, else its smallest),
    in the primary shape."""
    cases = _rows(results)
    out = []
    for w, v, _, _ in CASES:
        sizes = sorted({k[2] for k in cases if k[:2] == (w, v)})
        if not sizes or v == "recovery":
            continue
        want = stats.HEADLINE_SIZE.get(w)
        size = want if want in sizes else sizes[0]
        unit = next(c[2] for c in CASES if c[:2] == (w, v))
        out.append((f"{w} {v.replace('_run', '')} ({size} {unit})", (w, v, size)))
    return out


def overhead_panels(results):
    """Overhead over mono per application case and strategy (rows
    "both_all"): a panel per unit (the measured one, then modeled cycles),
    a bar per strategy in the primary shape, the 0% line drawn."""
    measured = [r for r in results if r["unit"] != "modeled_cycles"]
    modeled = [r for r in results if r["unit"] == "modeled_cycles"]
    units = [(extract._units([r for r in measured if r["mode"] != "linux"]) or "?", measured)]
    if modeled:
        units.append(("modeled cycles", modeled))
    labels = _cases_for_figure(measured)
    cols, titles, panels, values = ["case"], ["case"], [], {}
    for unit, rows in units:
        cases = _rows(rows)
        systems = [s for s in matrix.all_systems() if s != "mono"
                   and any(s in c for c in cases.values())]
        for label, (w, v, size) in labels:
            shape = matrix.primary_shape(w) or ""
            mono = cases.get((w, v, size, shape), {}).get("mono")
            for s in systems:
                r = cases.get((w, v, size, shape), {}).get(s)
                o = overhead(per_work(r), per_work(mono)) if r and mono else None
                if o is not None:
                    values[(label, unit, s)] = o
        mine = [s for s in systems if any((x, unit, s) in values for x, _ in labels)]
        if not mine:
            continue
        panels.append({"title": f"in {unit}", "ylabel": "over mono [%]", "first": len(cols) + 1,
                       "last": len(cols) + len(mine), "rfirst": 0, "rlast": len(labels) - 1,
                       "logy": False, "hline": 0})
        cols += [f"{matrix.label(s)} [{unit}]" for s in mine]
        titles += [matrix.label(s) for s in mine]
    keys = [(c.split(" [")[1][:-1], "micro-" + c.split(" [")[0]) for c in cols[1:]]
    rows = [[x] + [values.get((x, u, s), NAN) for u, s in keys] for x, _ in labels]
    return extract.Extract(cols, rows, "percent", panels=panels if rows else [], titles=titles)


def size_panels(results, workload):
    """Cost per unit of work against the work's size for one application
    (rows "all"): build, per job against its source files; kvstore, per
    operation of YCSB A against value bytes; a line per system and micro
    shape."""
    variant = {"build": "job", "kvstore": "ycsb_a_run"}[workload]
    series, rs = {}, []
    for r in results:
        if r["workload"] == workload and r["variant"] == variant and r["mode"] in ("mono", "micro"):
            name = matrix.label(stats.system(r)) + (f" {r['shape']}" if r.get("shape") else "")
            # a build: the whole job (it grows with N); kvstore: per operation
            series.setdefault(name, {})[r["size"]] = r["median"] if workload == "build" else per_work(r)
            rs.append(r)
    what = "job" if workload == "build" else "operation"
    groups = [(f"{workload}: per {what}", f"per {what}, median [{{unit}}]", series)]
    if not any(len(p) > 1 for p in series.values()):
        groups = []   # one size: no line to draw
    return extract._panels(groups, {r["size"] for r in rs}, extract._units(rs))


def _per_system(results, cells):
    """Rows [application, case, size, system] + cells(row) for each case
    in its primary shape and each system that has it (cells: None to
    leave a row out)."""
    rows, cases = [], _rows(results)
    for key in sorted(cases, key=_order):
        w, v, size, shape = key
        if shape != (matrix.primary_shape(w) or ""):
            continue
        for s in matrix.all_systems():
            r = cases[key].get(s)
            more = cells(r) if r else None
            if more:
                rows.append([w, v.replace("_run", ""), "-" if size is None else str(size),
                             matrix.label(s)] + more)
    return rows


def events_rows(results):
    """(headers, rows): kernel events per unit of work of each case (fs
    shape) and system, as the kernel counted them over the samples."""
    headers = ["application", "case", "size", "system", "kernel entries", "thread switches",
               "address-space switches", "bytes copied"]
    names = ("kentries", "switches", "as_switches", "bytes_copied")
    return headers, _per_system(results, lambda r: r.get("events") and [
        f"{r['events'].get(e, 0) / (r.get('work') or 1):,.1f}" for e in names])


CLASS_CYCLES = ("base_cycles", "kentry_cycles", "cr3_cycles", "copy_cycles", "tlb_cycles",
                "cache_cycles")


def shares(events):
    """{"insns": (kernel, servers, application), "cycles": (...)} in percent
    of a sample, from the cycle model's events (bench/model/mkbmodel.c:
    kernel code, server address spaces, the rest), or None without them."""
    if not events or "kernel_insns" not in events:
        return None
    out = {}
    for what, total in (("insns", events.get("insns", 0)),
                        ("cycles", sum(events.get(c, 0) for c in CLASS_CYCLES))):
        k, srv = events.get(f"kernel_{what}", 0), events.get(f"server_{what}", 0)
        if total <= 0:
            return None
        out[what] = tuple(100 * x / total for x in (k, srv, max(0.0, total - k - srv)))
    return out


def shares_rows(modeled):
    """(headers, rows): where each case's time goes, per system (primary
    shape): the kernel, the servers (the system's file, block, semaphore,
    shared-memory and console servers; none in mono) and the application
    (its own processes), in instructions and in modeled cycles, as the
    cycle model attributes them."""
    headers = ["application", "case", "size", "system", "instructions: kernel / servers / application",
               "modeled cycles: kernel / servers / application"]

    def cells(r):
        sh = shares(r.get("events"))
        return sh and [" / ".join(f"{x:.0f}%" for x in sh[k]) for k in ("insns", "cycles")]
    return headers, _per_system(modeled, cells)


def html_section(run, scroll):
    """The report's applications section (scroll: (headers, rows) -> HTML)."""
    import html
    res, modeled = run.ok_results(), run.modeled_results()
    head, rows = table_rows(res)
    if not rows:
        return ("<p>No application workloads in this run: <code>make bench</code> runs each "
                "at one size, <code>WORKLOADS=apps</code> over all their sizes.</p>")
    out = [scroll(head, rows)]
    if modeled:
        out += ["<h3>The same in modeled cycles</h3>", scroll(*table_rows(modeled))]
    head, rows = shares_rows(modeled)
    out += ["<h3>Where the time goes: kernel, servers, application</h3>",
            "<p>Per sample, as the cycle model attributes every instruction and its cost: "
            "kernel code; the system's servers (their address spaces, which the kernel lists "
            "for the model when it starts them; mono has none); and the application's own "
            "processes (the client, the key-value server, the build's workers, the mix's "
            "users). File server: one hop.</p>",
            scroll(head, rows) if rows else "<p>No shares in this run: they come from the cycle "
            "model (MODEL=off leaves them out, and runs before it counted them have none).</p>"]
    head, rows = throughput_rows(res)
    if rows:
        out += ["<h3>The mix's throughput</h3>",
                "<p>Jobs per 10<sup>9</sup> units of guest time, per user count: the inverse of "
                "the time per job above, as AIM reports it (jobs per minute there).</p>",
                scroll(head, rows)]
        if modeled:
            out.append(scroll(*throughput_rows(modeled)))
    out += ["<h3>Kernel events per unit of work</h3>",
            "<p>Counted by the kernel over the measured samples (file server: one hop): "
            "what the overheads above are made of.</p>", scroll(*events_rows(res)),
            '<h3 id="sosp1997">The SOSP 1997 result beside ours: l4 and mach on the mix</h3>',
            "<p>Härtig et al. ran AIM VII on native Linux, L4Linux and MkLinux: L4Linux's "
            "maximum throughput was about 5% below native Linux, and MkLinux's penalty about 5 "
            "(in-kernel server) to 7 (user-level server) times L4Linux's. Ours: each design's "
            "time over mono per job of the AIM-style mix, in instructions"
            + (" and, below, in modeled cycles" if modeled else "") + ".</p>",
            scroll(*sosp_rows(res))]
    if modeled:
        out.append(scroll(*sosp_rows(modeled)))
    out.append(f"<p>{html.escape(sosp_text(res))}</p>")
    return "\n".join(out)
