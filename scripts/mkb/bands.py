"""bands.py - how far a modeled figure moves over its parameters' ranges.

A profile (bench/model/profiles/<name>.cfg) gives each priced parameter
a value and, where its sources disagree or it is assumed, a range after
it: `syscall_cycles 50 [30-100]  # source`. The cycle model
(bench/model/mkbmodel.c) reports per sample how many times each price
was charged (events "syscalls", "l2_serial", ...), and the cost of a
sample is linear in every latency and in the inverses of
copy_bytes_per_cycle and fill_buffers, given what the caches and TLBs
held. So a run is re-priced for any choice of values without running
the guest again: only the accounting changes, not what the guest did or
what the caches and TLBs held (cache and TLB sizes have no range here).
The plugin reports the uses as means to two decimals, so a re-priced
figure can be off by that rounding: a few cycles in a thousand.

The re-pricing applies to the mean sample's events (the figures are
medians; the difference is the shift of the median, taken equal to the
mean's). A figure's band is its lowest and highest value over every
corner of the parameters' ranges; a ratio's likewise, with the same
values on both sides (a cost is one cost, whichever kernel pays it), so
a parameter both sides pay moves the ratio less than either figure.
"""
import itertools
import os
import re

from . import protocol

PROFILE_DIR = os.path.join(protocol.REPO, "bench", "model", "profiles")
_RANGE = re.compile(r"^\s*(\S+)\s+([0-9.]+)(?:\s+\[([0-9.]+)-([0-9.]+)\])?\s*$")

# parameter -> how its price enters a sample's cycles: ("linear", events
# whose sum is its uses) or the two nonlinear ones handled in cost().
LINEAR = {
    "syscall_cycles": ("syscalls",),
    "sysret_cycles": ("sysrets",),
    "iret_cycles": ("irets",),
    "exception_cycles": ("exceptions",),
    "wrmsr_cycles": ("wrmsrs",),
    "rdtsc_cycles": ("rdtscs",),
    "cr3_write_cycles": ("cr3_writes",),
    "rep_startup_cycles": ("rep_runs",),
    "l1d_latency": ("pt_l1_hits",),
    "stlb_latency": ("itlb_misses", "dtlb_misses"),
    "base_cycles": ("unpriced_insns",),
}
PRICED = tuple(LINEAR) + ("l2_latency", "memory_latency", "copy_bytes_per_cycle", "fill_buffers")
# The events a row needs to be re-priced (the model's version 3 on).
NEEDED = ("syscalls", "rep_bytes", "l2_serial", "l2_overlapped", "mem_serial", "mem_overlapped",
          "l1_credits", "exceptions")


class BandError(Exception):
    """A profile range that cannot be read."""


_cache = {}


def ranges(profile):
    """{parameter: (value, lo, hi)} of a profile's priced parameters (lo
    = hi = value where it gives no range); BandError on a bad range."""
    if profile in _cache:
        return _cache[profile]
    path = os.path.join(PROFILE_DIR, f"{profile}.cfg")
    out = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise BandError(f"cannot read the profile {profile}: {e}") from None
    for n, line in enumerate(lines, 1):
        text = line.split("#", 1)[0]
        key = text.split(None, 1)[0] if text.strip() else None
        if key not in PRICED:
            continue
        m = _RANGE.match(text)
        if not m:
            raise BandError(f"{path}:{n}: want `{key} <value> [<low>-<high>]`")
        v = float(m.group(2))
        lo, hi = (float(m.group(3)), float(m.group(4))) if m.group(3) else (v, v)
        if not lo <= v <= hi or lo <= 0 < v:
            raise BandError(f"{path}:{n}: the range {lo:g}-{hi:g} must hold the value {v:g}")
        out[key] = (v, lo, hi)
    missing = [k for k in PRICED if k not in out]
    if missing:
        raise BandError(f"{path}: no value for {', '.join(missing)}")
    _cache[profile] = out
    return out


def repriceable(row):
    """Does the row carry the events re-pricing needs?"""
    ev = row.get("events") or {}
    return all(k in ev for k in NEEDED)


def cost(ev, p):
    """The cycles of a sample with events ev at parameter values p (the
    part the parameters price; LLVM's base cost is left out)."""
    c = sum(p[k] * sum(ev.get(e, 0) for e in evs) for k, evs in LINEAR.items())
    c -= p["l1d_latency"] * ev.get("l1_credits", 0)   # a data miss's L1 latency, in the base already
    fb = p["fill_buffers"]
    c += p["l2_latency"] * (ev["l2_serial"] + ev["l2_overlapped"] / fb)
    c += p["memory_latency"] * (ev["mem_serial"] + ev["mem_overlapped"] / fb)
    return c + ev.get("rep_bytes", 0) / p["copy_bytes_per_cycle"]


def _uses(ev):
    """The parameters a sample with events ev pays for at all."""
    used = {k for k, evs in LINEAR.items() if any(ev.get(e, 0) for e in evs)}
    if ev.get("l1_credits"):
        used.add("l1d_latency")
    if ev["l2_serial"] or ev["l2_overlapped"]:
        used.add("l2_latency")
    if ev["mem_serial"] or ev["mem_overlapped"]:
        used.add("memory_latency")
    if ev["l2_overlapped"] or ev["mem_overlapped"]:
        used.add("fill_buffers")
    if ev.get("rep_bytes"):
        used.add("copy_bytes_per_cycle")
    return used


def _corners(rng, used):
    """Every corner of the ranges that vary and are used (the others at
    their value)."""
    vary = [k for k, (_, lo, hi) in rng.items() if lo < hi and k in used]
    base = {k: v for k, (v, _, _) in rng.items()}
    for pick in itertools.product((1, 2), repeat=len(vary)):
        p = dict(base)
        for k, i in zip(vary, pick):
            p[k] = rng[k][i]
        yield p


def _value(row, p, nominal):
    return row["median"] + cost(row["events"], p) - nominal


def band(row):
    """(low, high) of a modeled row's median over its profile's ranges, or
    None for a row without the events (model version < 3)."""
    if not repriceable(row):
        return None
    rng = ranges(row["profile"])
    nominal = cost(row["events"], {k: v for k, (v, _, _) in rng.items()})
    vals = [_value(row, p, nominal) for p in _corners(rng, _uses(row["events"]))]
    return max(min(vals), 0.0), max(vals)


def ratio_band(num, den):
    """(low, high) of num/den (two modeled rows of one profile) over the
    profile's ranges, the same values on both sides; None if either row
    cannot be re-priced or the profiles differ."""
    if not (repriceable(num) and repriceable(den)) or num["profile"] != den["profile"]:
        return None
    rng = ranges(num["profile"])
    nom = {k: v for k, (v, _, _) in rng.items()}
    n0, d0 = cost(num["events"], nom), cost(den["events"], nom)
    vals = []
    for p in _corners(rng, _uses(num["events"]) | _uses(den["events"])):
        d = _value(den, p, d0)
        if d > 0:
            vals.append(_value(num, p, n0) / d)
    return (min(vals), max(vals)) if vals else None


def dominant(row, n=2):
    """The n parameters whose ranges move the row's median most, each with
    its swing in cycles: [(parameter, swing)]."""
    if not repriceable(row):
        return []
    rng = ranges(row["profile"])
    nom = {k: v for k, (v, _, _) in rng.items()}
    swings = []
    for k, (v, lo, hi) in rng.items():
        if lo < hi:
            a, b = (cost(row["events"], dict(nom, **{k: x})) for x in (lo, hi))
            swings.append((k, abs(b - a)))
    swings.sort(key=lambda s: -s[1])
    return [s for s in swings[:n] if s[1] > 0]


def fmt_band(b, fmt):
    """" (lo-hi)" with each end formatted by fmt, or "" without a band."""
    return f" ({fmt(b[0])}-{fmt(b[1])})" if b else ""


def safe(fn, *rows):
    """fn(*rows), or None when the rows' profile cannot be read (a run
    made with a profile this tree no longer has): no band, not a crash."""
    try:
        return fn(*rows)
    except BandError:
        return None


def figure_text(row, fmt):
    """fmt(row) and, for a modeled row that can be re-priced, its band:
    "1,374 (1,221-1,702)"."""
    text = fmt(row)
    if not row or row.get("unit") != "modeled_cycles":
        return text
    b = safe(band, row)
    return text + (f" ({fmt(dict(row, median=b[0]))}-{fmt(dict(row, median=b[1]))})" if b else "")


def ratio_text(num, den, value, fmt):
    """fmt(value), the ratio num/den, and its band for modeled rows:
    "0.52x (0.47-0.60x)"."""
    text = fmt(value)
    if value is None or not num or not den or num.get("unit") != "modeled_cycles":
        return text
    b = safe(ratio_band, num, den)
    return text + (f" ({b[0]:.2f}-{fmt(b[1])})" if b else "")


EXPLAINED = (  # the report says so beside the bands (scripts/report.py)
    "Each modeled figure and ratio carries, in brackets, its lowest and highest value over the "
    "ranges the profile gives its prices (a value with a range after it: the sources disagree, "
    "or it is assumed). The run is re-priced, not run again: the plugin counts per sample how "
    "often each price was charged, and a sample's cycles are linear in each latency, so every "
    "corner of the ranges is priced from those counts (scripts/mkb/bands.py; the median's shift "
    "is taken equal to the mean's, and the counts are means to two decimals). A ratio takes the "
    "same value on both sides, so a price both kernels pay moves it less than either figure. "
    "Cache and TLB sizes and "
    "LLVM's base cost have no range here. The table names, per kernel, the two prices whose "
    "ranges move its figure most.")
