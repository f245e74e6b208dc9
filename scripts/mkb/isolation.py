"""isolation.py - the isolation workload's figures (make faults CPUS=2
WORKLOADS=isolation; tests/guest/faultload.c, role critical): a boot's
critical task from its serial records, a configuration's totals, and the
table rows that scripts/faults.py (table.txt) and the report
(mkb/report_faults.py) both print. Lateness is in instructions (icount:
QEMU's virtual clock, which counts every CPU's instructions)."""

# the critical task's line: {"type":"isolation",...}
FIELDS = ("periods", "ran", "missed", "skipped", "overran", "late_max", "late_sum", "period")

HEADERS = ["configuration", "no faults: lateness worst [instructions]", "boots",
           "critical task lost", "releases", "missed", "boots with a miss",
           "lateness mean [instructions]", "lateness worst [instructions]"]


def critical(records, workload, slow):
    """One boot's critical task (None if the boot is not an isolation
    boot, or the host cut it short): lost if it never printed its line."""
    if workload != "isolation" or slow:
        return None
    iso = next((r for r in records if r["type"] == "isolation"), None)
    return {"lost": iso is None, **{k: iso.get(k, 0) for k in FIELDS if iso}}


def totals(boots):
    """The critical task's figures over a configuration's isolation boots
    (None if it ran none): a boot whose task never printed its line (the
    system failed, or it was killed) counts as lost, its releases unknown."""
    crit = [b["critical"] for b in boots if b.get("critical") is not None]
    if not crit:
        return None
    told = [c for c in crit if not c["lost"]]
    ran = sum(c["ran"] for c in told)
    return {"boots": len(crit), "critical_lost": len(crit) - len(told),
            "boots_with_a_miss": sum(1 for c in told if c["missed"]),
            "releases": sum(c["periods"] for c in told), "missed": sum(c["missed"] for c in told),
            "skipped": sum(c["skipped"] for c in told), "overran": sum(c["overran"] for c in told),
            "late_max": max((c["late_max"] for c in told), default=None),
            "late_mean": round(sum(c["late_sum"] for c in told) / ran) if ran else None,
            "period": max((c["period"] for c in told), default=None), "unit": "instructions"}


def rows(summary, label):
    """The table's rows (lists of str, figures plain so that they align as
    numbers) of a campaign's summary.json, one per configuration with
    isolation boots; label(config) names it."""
    healthy = {(b.get("system"), b.get("shape")): b["critical"]
               for b in summary.get("calibration", []) if b.get("critical")}
    num = lambda v: "no data" if v is None else str(v)  # noqa: E731
    return [[label(c), num((healthy.get((c.get("system"), c.get("shape"))) or {}).get("late_max")),
             str(i["boots"]), str(i["critical_lost"]), str(i["releases"]), str(i["missed"]),
             str(i["boots_with_a_miss"]), num(i["late_mean"]), num(i["late_max"])]
            for c in summary.get("configs", []) for i in [c.get("isolation")] if i]


def period(summary):
    """The critical task's period (a timer tick) in instructions, or 0."""
    return max((c["isolation"]["period"] or 0 for c in summary.get("configs", [])
                if c.get("isolation")), default=0)


def caption(summary):
    """What the table shows, in one paragraph."""
    return (f"a critical task on CPU 0 released at every timer tick of its CPU "
            f"({period(summary):,} instructions), {summary.get('periods')} releases a boot, while "
            "the workload and the services on the last CPU take the faults (micro: its servers "
            "placed there, servers=last; mono: the kernel's own services). Lost: the task never "
            "reported (its system failed, or it was killed). Missed: a release it finished past "
            "the next one, or never ran for. Lateness: from the tick falling due to the task's "
            "first instruction, in instructions of every CPU")
