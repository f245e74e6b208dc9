"""report_faults.py - the report's fault-injection section: the latest
campaign of results/faults/ (scripts/faults.py's summary.json), what the
faults did in each configuration (the benefit), containment by strategy,
and beside it the price of the micro kernel from the benchmark run.
Used by scripts/report.py.
"""
import html
import json
import os

from . import isolation, report_tables, table


def table_html(headers, rows):
    return table.render_html(headers, rows)


def scroll(headers, rows):
    """A wide table that scrolls on a narrow page."""
    return '<div class="scroll">' + table_html(headers, rows) + "</div>"


def load_faults(faults_dir):
    """(summary path, data, note) of the latest fault campaign: the one
    faults_dir/latest names, or, while that one has no summary yet (a
    campaign still running), the newest that has; data None if none."""
    if not faults_dir:
        return "", None, ""
    latest = os.path.join(faults_dir, "latest", "summary.json")
    data = _read_summary(latest)
    if data is not None:
        return latest, data, ""
    try:
        runs = sorted((d for d in os.listdir(faults_dir) if d != "latest"
                       and os.path.isdir(os.path.join(faults_dir, d))), reverse=True)
    except OSError:
        return latest, None, ""
    for d in runs:
        path = os.path.join(faults_dir, d, "summary.json")
        data = _read_summary(path)
        if data is not None:
            return path, data, (f"{os.path.relpath(os.path.dirname(latest))} has no summary "
                                f"yet (a campaign still running?); this is the newest that has "
                                "one.")
    return latest, None, ""


def _read_summary(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("configs"), list) else None


def fault_label(c):
    """A campaign configuration's name: "micro-sel4 fs+blk", "mono"."""
    return c.get("system", c["mode"]) + (f" {c['shape']}" if c.get("shape") else "")


def no_data(v):
    """A figure, or "no data" when its denominator was empty."""
    return "no data" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def _system_of(c):
    """The benchmark system of a campaign configuration ("micro-sel4")."""
    if c["mode"] != "micro":
        return c["mode"]
    return c.get("system") or f"micro-{c.get('ipc') or 'sel4'}"


def fault_rows(run, res):
    """Rows for the fault_benefit figure: per configuration of the latest
    campaign with at least one fault, failures contained per 100 faults and
    this run's price for its strategy (the median micro/mono of the
    headline cases, in percent of mono; NaN when this run lacks it, and
    for mono too when the run has no mono). A configuration with no fault
    draws no bar."""
    data = getattr(run, "faults", None)
    if not data:
        return []
    out = []
    has_mono = any(r["mode"] == "mono" for r in res)
    for c in data.get("configs", []):
        if c.get("contained_per_100_faults") is None:
            continue
        x = report_tables.price(res, _system_of(c)) if c["mode"] == "micro" else (
            1.0 if has_mono else None)
        out.append({"kernel": fault_label(c), "contained": c["contained_per_100_faults"],
                    "price": 100 * x if x else float("nan")})
    return out


def outcome_table(meta):
    """The campaign's outcome tables as text: the same for the same command
    on any host (no timings, no paths)."""
    cfgs = meta["configs"]
    head = ["configuration", "boots", "faults", "whole-system failures (after a fault / none)",
            "panics", "hangs", "contained per 100 faults", "clients killed", "restarts",
            "heartbeat kills", "client errors", "writes lost", "corrupted",
            "recovery mean [instructions]"]
    rows = [[fault_label(c), str(c["boots"]), str(c["faults"]),
             f"{c['system_failures']} ({c['failures_after_a_fault']} / "
             f"{c['failures_without_a_fault']})", str(c["panics"]), str(c["hangs"]),
             no_data(c["contained_per_100_faults"]), str(c["client_crashes"]),
             str(c["services_restarted"]), str(c["heartbeat_kills"]), str(c["client_errors"]),
             str(c["completed_writes_lost"]), str(c["corrupted"]), no_data(c["recovery_mean"])]
            for c in cfgs]
    classes = sorted({k for c in cfgs for k in c["by_class"]})
    cls = [[fault_label(c), k, str(c["by_class"].get(k, {}).get("injected", 0)),
            str(c["by_class"].get(k, {}).get("then_panic", 0)),
            str(c["by_class"].get(k, {}).get("then_hang", 0))] for c in cfgs for k in classes]
    budgets = [[fault_label({"system": s, "mode": s, "shape": sh}), w, f"{h:,}", f"{b:,}"]
               for (s, sh, w, h, b) in meta["budgets"]]
    per_w = [[fault_label(c), w, str(x["operations_done"]), str(x["client_errors"]),
              str(x["lost"]), str(x["corrupted"])]
             for c in cfgs for w, x in c.get("by_workload", {}).items()]
    iso = isolation.rows(meta, fault_label)
    iso_text = [f"isolation on a dedicated CPU: {isolation.caption(meta)}",
                table.render(isolation.HEADERS, iso), ""] if iso else []
    return "\n".join([
        f"fault campaign: seed {meta['seed']}, at least {meta['target_faults']} faults per "
        f"configuration, {meta['ops']} operations per boot, heartbeat {meta['heartbeat']} ticks, "
        "icount (instructions)", "",
        table.render(head, rows), "", "outcome by fault class (a boot's last fault, when it "
        "ended the system)", table.render(["configuration", "class", "injected", "then panic",
                                           "then hang"], cls), "",
        *iso_text,
        "lost and corrupted per workload (lost: a write or PUT answered with success that the "
        "final check, after the server's restart or the log's replay, does not find)",
        table.render(["configuration", "workload", "operations done", "client errors", "lost",
                      "corrupted"], per_w), "",
        "instruction budgets (healthy boot's length, the budget of a boot with faults)",
        table.render(["configuration", "workload", "healthy [instructions]",
                      "budget [instructions]"], budgets), ""])


def isolation_html(data):
    """The isolation workload's part (make faults CPUS=2 WORKLOADS=isolation),
    if the campaign ran it: a list of HTML pieces, empty otherwise."""
    rows = isolation.rows(data, fault_label)
    if not rows:
        return []
    return ["<h3>Isolation on a dedicated CPU</h3>",
            f"<p>{html.escape(isolation.caption(data))} (tests/guest/faultload.c). What the "
            "micro kernel's lateness under faults holds: restarting a server (its image loaded, "
            "its memory zeroed) runs in the kernel under the big lock, which the critical CPU's "
            "tick then waits for.</p>", table_html(isolation.HEADERS, rows)]


def faults_html(ctx):
    """The fault-isolation section: the price (micro/mono per workload, from
    this run, per strategy the campaign injected into) beside the benefit
    (from the latest make faults run), and the published CVE analysis for
    context."""
    summary, data, why = load_faults(ctx.args.faults)
    if not data:
        return ("<p>No fault-injection run yet (or none readable): <code>make faults</code> "
                "writes one to results/faults/, and the report shows the latest.</p>")
    configs = data["configs"]
    headers = ["configuration", "boots", "QEMU processes", "faults injected",
               "whole-system failures", "... with no fault injected", "panics",
               "hangs (over budget)", "contained per 100 faults", "clients killed",
               "services restarted", "heartbeat kills", "client-visible errors",
               "completed writes lost", "corrupted results",
               "recovery seen by a client, mean [instructions]", "faults per CPU-second"]

    def timing(c, k):
        return no_data((c.get("timing") or {}).get(k)) if c.get("timing") else "-"
    rows = [[fault_label(c), str(c.get("boots", "-")), timing(c, "qemu_processes"),
             str(c["faults"]), str(c["system_failures"]),
             str(c.get("failures_without_a_fault", "-")), str(c["panics"]), str(c["hangs"]),
             no_data(c["contained_per_100_faults"]), str(c.get("client_crashes", 0)),
             str(c["services_restarted"]), str(c["heartbeat_kills"]), str(c["client_errors"]),
             str(c["completed_writes_lost"]), str(c["corrupted"]),
             no_data(c.get("recovery_mean")), timing(c, "faults_per_cpu_second")]
            for c in configs]
    classes = sorted({k for c in configs for k in c.get("by_class", {})})
    cls_rows = [[fault_label(c), k,
                 str(c["by_class"].get(k, {}).get("injected", 0)),
                 str(c["by_class"].get(k, {}).get("then_panic", 0)),
                 str(c["by_class"].get(k, {}).get("then_hang", 0))]
                for c in configs for k in classes]
    e = html.escape
    res = ctx.run.ok_results()
    injected = sorted({_system_of(c)[len("micro-"):] for c in configs if c["mode"] == "micro"})
    price_choice = report_tables.pick(res, injected, by="the one" + (
        "s" if len(injected) > 1 else "") + " the fault campaign injected into")
    price = report_tables.headline_table(res, price_choice, linux=False)
    cve = ctx.published.get("cve")
    timing_all = data.get("timing") or {}
    hb = (f", heartbeat {data['heartbeat']} ticks ({data.get('heartbeat_instructions', 0):,} "
          "instructions)" if data.get("heartbeat") else "")
    procs = sum((c.get("timing") or {}).get("qemu_processes") or 0 for c in configs)
    boots = sum(c.get("boots") or 0 for c in configs)
    speed = ""
    if timing_all:
        speed = f"{no_data(timing_all.get('faults_per_cpu_second'))} faults per CPU-second of QEMU"
        if procs:
            speed += f"; {boots:,} boots in {procs:,} QEMU processes"
        speed += "."
    parts = [f"<p>From <code>{e(os.path.relpath(os.path.dirname(summary)))}</code> "
             f"(run {e(data.get('run_id', '?'))}, seed {data.get('seed', '?')}, "
             f"{e(data.get('accel', '?'))}, "
             f"{data.get('ops')} operations per boot{hb}; every boot bounded by a budget of "
             f"guest instructions ({e(data.get('budget_rule', 'a wall-clock limit'))}), "
             "so the same command gives the same tables on any host. A failed boot's last "
             "fault is the one that brought the system down; every other fault was "
             f"contained. {speed}</p>" + (f'<p class="warn">{e(why)}</p>' if why else ""),
             "<h3>The benefit: what the faults did</h3>",
             scroll(headers, rows)]
    strats = sorted({c["ipc"] for c in configs if c["mode"] == "micro" and c.get("ipc")})
    if len(strats) > 1:
        by = [[ipc] + [no_data(next((c["contained_per_100_faults"] for c in configs
                                     if c.get("ipc") == ipc and c.get("shape") == shape),
                                    None)) for shape in ("fs", "fs+blk")] for ipc in strats]
        parts += ["<h3>Containment by IPC strategy (faults contained per 100)</h3>",
                  table_html(["strategy", "fs", "fs+blk"], by)]
    parts += ["<details><summary>Outcome by fault class (a boot's last fault, when it ended "
              "it)</summary>" + table_html(["configuration", "class", "injected",
                                            "then panic", "then hang"], cls_rows)
              + "</details>",
              *isolation_html(data),
              "<h3>The price: micro / mono per workload (this run)</h3>",
              f'<p class="which">{e(price_choice.sentence())}</p>',
              scroll(*price) if any(r["mono"] for r in report_tables.headline(
                  res, price_choice)) and price[1] else
              "<p>No price from this run: it needs mono and micro results.</p>"]
    if cve:
        parts += [f"<h3>Published, not measured here: {e(cve['source'])}</h3>",
                  "<p>Of " + str(cve["critical_linux_cves"]) + " critical Linux CVEs: " +
                  "; ".join(f"{x['percent']}% {e(x['what'])}" for x in cve["findings"])
                  + ".</p>"]
    return "\n".join(parts)
