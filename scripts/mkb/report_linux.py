"""report_linux.py - the Linux guest beside our kernels (MODES=linux-guest):
one table in one unit (mono, each micro strategy, Linux with mitigations
off and with its defaults), micro over Linux beside micro over mono, the
bytes our kernels copy beside their instructions, and a paragraph built
from the run's own figures.

Each case pairs the same operation over each kernel's own mechanism
(CASES): our pipe or call/reply against Linux's pipe, our semaphore against
a POSIX semaphore, and so on; the Linux rows are the host baseline's
workloads (bench/host/) run inside the guest.
"""
from . import matrix, stats

# (label, our workload, our variants by preference, size, Linux workload,
# Linux variants by preference). Ours: mono's variant, or each micro
# strategy's own (call/reply for IPC). Not the shm hand-off: Linux's
# sem_ring (bench/host/wl_shm.c) has its consumer check every byte inside
# the samples, where ours checks after them.
CASES = (
    ("null system call", "null", ("syscall",), None, "null", ("getppid",)),
    ("yield, round trip", "null", ("yield",), None, "null", ("yield",)),
    ("IPC round trip 8 B", "pingpong", ("pipe", "call_replyrecv"), 8, "pingpong", ("pipe",)),
    ("IPC round trip 4 KiB", "pingpong", ("pipe", "call_replyrecv"), 4096, "pingpong", ("pipe",)),
    ("IPC round trip 64 KiB", "pingpong", ("pipe", "call_replyrecv"), 65536, "pingpong", ("pipe",)),
    ("message queue round trip 8 B", "pingpong", ("mq",), 8, "pingpong", ("posix_mq",)),
    ("semaphore ping-pong", "sem", ("pingpong",), None, "sem", ("posix_sem",)),
    ("futex ping-pong", "sem", ("futex_pingpong",), None, "pingpong", ("futex",)),
    ("file read 4 KiB", "fileio", ("seq_read",), 4096, "fileio", ("read",)),
    ("file write 4 KiB", "fileio", ("seq_write",), 4096, "fileio", ("write",)),
    ("file create", "fileio", ("create",), None, "fileio", ("create",)),
    ("file open and close", "fileio", ("open_close",), None, "fileio", ("open_close",)),
    ("file unlink", "fileio", ("unlink",), None, "fileio", ("unlink",)),
)
LINUX = matrix.LINUX_GUESTS


def _pick(results, system, workload, variants, size):
    """The row of system for one case (exact size; micro fileio: the primary
    shape), or None."""
    primary = matrix.primary_shape(workload)
    for v in variants:
        for r in results:
            if (r["workload"], r["variant"], r["size"]) == (workload, v, size) \
                    and (r.get("shape") or primary) == primary and stats.system(r) == system:
                return r
    return None


def cases(results):
    """[{label, size, systems: {system: row}}] for the cases some Linux
    guest ran; results: a run's measured rows (one unit)."""
    micro = [s for s in matrix.all_systems() if s != "mono"
             and any(stats.system(r) == s for r in results if r["mode"] == "micro")]
    out = []
    for label, w, variants, size, lw, lvariants in CASES:
        got = {s: _pick(results, s, w, variants, size) for s in ["mono"] + micro}
        got.update({s: _pick(results, s, lw, lvariants, size) for s in LINUX})
        if any(got[s] for s in LINUX):
            out.append({"label": label, "size": size, "systems": got})
    return out


def systems_in(rows):
    """The systems with any row in cases(), in table order."""
    order = ["mono"] + [s for s in matrix.all_systems() if s != "mono"] + list(LINUX)
    return [s for s in order if any(c["systems"].get(s) for c in rows)]


def _ratio(a, b):
    v = stats.ratio(a and a["median"], b and b["median"])
    return f"{v:.2f}x" if v is not None else "-"


def side_by_side(results, vs=None):
    """(headers, rows): every system's median per case, then mono/Linux,
    micro/mono and micro/Linux for the strategy mono is set against (vs;
    Linux with mitigations off)."""
    rows = cases(results)
    systems = systems_in(rows)
    vs_sys = matrix.system("micro", stats.vs_strategy(results, vs))
    micro = vs_sys in systems
    headers = ["case"] + [matrix.label(s) for s in systems] + ["mono/linux"] + (
        [f"{matrix.label(vs_sys)}/mono", f"{matrix.label(vs_sys)}/linux"] if micro else [])
    body = []
    for c in rows:
        got, lx = c["systems"], c["systems"].get(matrix.LINUX_GUEST)
        body.append([c["label"]] + [stats.fmt_num(got[s]["median"]) if got.get(s) else "-"
                                    for s in systems] + [_ratio(got.get("mono"), lx)]
                    + ([_ratio(got.get(vs_sys), got.get("mono")), _ratio(got.get(vs_sys), lx)]
                       if micro else []))
    return headers, body


def strategy_rows(results):
    """(headers, rows): per case, each micro strategy over mono and over
    Linux (mitigations off), side by side."""
    rows = cases(results)
    micro = [s for s in systems_in(rows) if matrix.mode_of(s) == "micro"]
    headers = ["case"] + [f"{matrix.label(s)}: /mono, /linux" for s in micro]
    body = []
    for c in rows:
        got, lx = c["systems"], c["systems"].get(matrix.LINUX_GUEST)
        body.append([c["label"]] + [f"{_ratio(got.get(s), got.get('mono'))}, {_ratio(got.get(s), lx)}"
                                    for s in micro])
    return headers, body


def copy_rows(results, vs=None):
    """(headers, rows): every row of mono and of the strategy mono is set
    against (vs) whose kernel copied bytes (its own counter, per sample),
    the bytes beside the instructions, with the Linux guest's instructions
    for the same case where it ran one (its copies are not counted)."""
    vs_sys = matrix.system("micro", stats.vs_strategy(results, vs))
    same = {(w, v): (lw, lvariants) for _, w, variants, _, lw, lvariants in CASES for v in variants}
    headers = ["system", "workload", "variant", "size", "instructions", "bytes copied",
               "bytes per instruction", "linux: instructions"]
    body = []
    for system in ("mono", vs_sys):
        mine = [r for r in results if stats.system(r) == system and r["size"]
                and (r.get("events") or {}).get("bytes_copied", 0) > 0]
        for r in sorted(mine, key=lambda r: stats.sort_key(stats.key_of(r))):
            primary = matrix.primary_shape(r["workload"])
            if (r.get("shape") or primary) != primary:
                continue
            copied = r["events"]["bytes_copied"]
            lw = same.get((r["workload"], r["variant"]))
            lx = lw and _pick(results, matrix.LINUX_GUEST, lw[0], lw[1], r["size"])
            body.append([matrix.label(system), r["workload"], r["variant"], stats.fmt_bytes(r["size"]),
                         stats.fmt_num(r["median"]), stats.fmt_num(copied),
                         f"{copied / r['median']:.2f}" if r["median"] else "-",
                         stats.fmt_num(lx["median"]) if lx else "-"])
    return headers, body


def profile_rows(results, top=6):
    """(headers, rows): where Linux's instructions go on each path (the
    profile plugin's means per operation, mitigations off): in its kernel,
    in user space, and the kernel functions that ran most."""
    headers = ["case", "linux median", "kernel (mean)", "user (mean)",
               f"top {top} kernel functions (instructions per operation)"]
    body = []
    for c in cases(results):
        r = c["systems"].get(matrix.LINUX_GUEST)
        p = (r or {}).get("profile")
        if not p:
            continue
        body.append([c["label"], stats.fmt_num(r["median"]), stats.fmt_num(round(p["kernel"])),
                     stats.fmt_num(round(p["user"])),
                     ", ".join(f"{n} {round(v)}" for n, v in p["functions"][:top])])
    return headers, body


def _get(rows, label, system):
    for c in rows:
        if c["label"] == label and c["systems"].get(system):
            return c["systems"][system]
    return None


def text(results, vs=None):
    """A paragraph from the run's own figures: where our mono is leaner
    than Linux and where dearer, and what our counters say it does."""
    rows = cases(results)
    if not rows:
        return ""
    vs_sys = matrix.system("micro", stats.vs_strategy(results, vs))
    parts = []
    for label in ("null system call", "IPC round trip 8 B", "IPC round trip 4 KiB",
                  "IPC round trip 64 KiB", "semaphore ping-pong"):
        m, lx = _get(rows, label, "mono"), _get(rows, label, matrix.LINUX_GUEST)
        lm = _get(rows, label, LINUX[1])
        if m and lx:
            ev = m.get("events") or {}
            said = (f"{label}: mono {stats.fmt_num(m['median'])}, Linux {stats.fmt_num(lx['median'])}"
                    f" ({_ratio(m, lx)})")
            if lm:
                said += f", {stats.fmt_num(lm['median'])} with its default mitigations"
            if ev.get("kentries") is not None:
                said += (f"; mono enters its kernel {ev['kentries']:g} times and switches "
                         f"{ev.get('switches', 0):g} times per operation, copying "
                         f"{stats.fmt_num(ev.get('bytes_copied', 0))} bytes")
            parts.append(said)
    for label in ("null system call", "IPC round trip 8 B"):
        lx = _get(rows, label, matrix.LINUX_GUEST)
        p = (lx or {}).get("profile")
        if p:
            parts.append(f"Linux's {label} runs {stats.fmt_num(round(p['kernel']))} instructions "
                         f"in its kernel and {stats.fmt_num(round(p['user']))} in user space (means, "
                         "the profile plugin), most in " + ", ".join(
                             f"{n} ({round(v)})" for n, v in p["functions"][:6]))
    micro = _get(rows, "IPC round trip 8 B", vs_sys)
    lx = _get(rows, "IPC round trip 8 B", matrix.LINUX_GUEST)
    mono = _get(rows, "IPC round trip 8 B", "mono")
    if micro and lx and mono:
        parts.append(f"{matrix.label(vs_sys)}'s 8-byte call/reply is {_ratio(micro, mono)} of "
                     f"mono's pipe round trip and {_ratio(micro, lx)} of Linux's")
    return ("All in guest instructions (QEMU icount), Linux being Debian's kernel run as a "
            "guest with the host baseline's workloads. " + "; ".join(parts) + ".")


def html_section(run, scroll, vs=None):
    """The report's Linux-guest section (scroll: (headers, rows) -> HTML)."""
    import html
    res = [r for r in run.ok_results() if r["mode"] != "linux"]
    head, rows = side_by_side(res, vs)
    if not rows:
        return ("<p>No Linux guest in this run: <code>make bench MODES=mono,micro,linux,"
                "linux-guest</code> boots Debian's kernel under the same flags as ours.</p>")
    lg = (run.meta.get("linux_guest") or {})
    kernel = (f"Linux {lg.get('release')} (Debian package {lg.get('package')} "
              f"{lg.get('package_version')})" if lg.get("release") else "Linux")
    return "\n".join([
        f"<p>{html.escape(kernel)} booted as a guest under the same QEMU flags as our kernels, "
        "its /init the host baseline's workloads timed with rdtsc as our guests time "
        "(<code>bench/host/gbench_tsc.c</code>); <em>linux-guest</em>: mitigations=off (ours have "
        "none), <em>linux-guest+mitigations</em>: the kernel's defaults. Medians; the ratios "
        "set mono and the micro strategy against Linux with mitigations off.</p>",
        scroll(head, rows),
        "<h3>Every strategy over mono and over Linux</h3>", scroll(*strategy_rows(res)),
        "<h3>What Linux runs on each path</h3>",
        "<p>Measured, not guessed: the profile plugin (<code>bench/profile/profile.c</code>) "
        "counts the instructions of every block Linux runs during the samples of each run, and "
        "the kernel's own symbols (read from <code>/proc/kallsyms</code> in a boot of ours) name "
        "the functions; means per operation, mitigations off (the medians beside).</p>",
        scroll(*profile_rows(res)),
        "<h3>What is copied</h3>",
        "<p>Every row of mono and of the strategy set against it whose kernel copied: the bytes "
        "copied per operation (the kernel's own counters, over the measured samples) beside "
        "the instructions. Our copy routine moves 8 bytes per counted "
        "instruction where it can, as Linux's does (<code>lib/string.c</code>: rep movsq after "
        "aligning the destination, Linux's copy_user_generic_string); Linux's own copies are "
        "not counted.</p>",
        scroll(*copy_rows(res, vs)),
        f"<p>{html.escape(text(res, vs))}</p>"])
