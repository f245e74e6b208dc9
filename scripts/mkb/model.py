"""model.py - the cycle model (bench/model/mkbmodel.c, a QEMU plugin) on
the harness side: its profiles, its QEMU arguments, and turning its
output into result rows.

With a profile on, every guest boot loads the plugin beside icount; the
plugin writes one JSON line per benchmark run (the guest's bench_end), in
the order the guest prints its result lines, so the k-th model line
belongs to the k-th result. Each becomes a second row of that result
with unit "modeled_cycles", the profile and the model version, and the
model's per-sample events (cycles by class, TLB and cache misses); the
instruction rows stay as they are. Modeled rows are kept apart from the
measured ones (measured(), modeled()), so no table sets one unit against
the other by accident.
"""
import json
import os

from . import mca, protocol

PROFILE_DIR = os.path.join(protocol.REPO, "bench", "model", "profiles")
DEFAULT_PLUGIN = os.path.join(protocol.REPO, "build", "model", "mkbmodel.so")
UNIT = "modeled_cycles"
STATS = ("min", "median", "mean", "stddev", "p99", "max", "overhead")


class ModelError(Exception):
    """A bad profile name, a missing plugin, or model output that does not
    match the boot's results."""


def profiles():
    """The profile names (bench/model/profiles/<name>.cfg), sorted."""
    try:
        return sorted(f[:-4] for f in os.listdir(PROFILE_DIR) if f.endswith(".cfg"))
    except OSError:
        return []


def profile_path(name):
    return os.path.join(PROFILE_DIR, f"{name}.cfg")


def describe(name):
    """{"profile", "cpu", "mcpu", "base_cycles", "file"} of a profile, from
    its name and those lines (mcpu: the core's name in LLVM, whose
    scheduling model gives the base cost, mca.py; base_cycles: the cost
    per instruction where LLVM's is not known)."""
    out = {"profile": name, "file": os.path.relpath(profile_path(name), protocol.REPO)}
    with open(profile_path(name), encoding="utf-8") as f:
        for line in f:
            parts = line.split("#", 1)[0].split(None, 1)
            if len(parts) == 2 and parts[0] in ("cpu", "mcpu"):
                out[parts[0]] = parts[1].strip()
            elif len(parts) == 2 and parts[0] == "base_cycles":   # (its range after it)
                out[parts[0]] = parts[1].split()[0]
    return out


def check(name, plugin):
    """Raise ModelError unless profile name exists, names its LLVM core,
    the plugin is built and llvm-mca is installed."""
    if name not in profiles():
        raise ModelError(f"unknown model profile {name!r} (valid: {', '.join(profiles())}, off)")
    if not os.path.isfile(plugin):
        raise ModelError(f"the cycle model is not built ({plugin}): run `make model`, "
                         "or MODEL=off")
    if not describe(name).get("mcpu"):
        raise ModelError(f"profile {name} has no mcpu line (LLVM's name for its core)")
    try:
        mca.tools()
    except mca.McaError as e:
        raise ModelError(str(e)) from None


def fallback_units(name):
    """What the profile charges an instruction LLVM has no cost for
    (base_cycles), in the plugin's UNITS: mca.price()'s fallback."""
    return round(float(describe(name).get("base_cycles", 1)) * mca.UNITS)


def base_cost(name):
    """How the profile's ordinary instructions are priced, for results."""
    return f"llvm-mca {mca.version()} -mcpu={describe(name)['mcpu']}"


def qemu_args(plugin, name, out_path, blocks=None, missing=None, memory="128M"):
    """The -plugin arguments for one boot writing its lines to out_path;
    blocks: the block-cost cache it reads, missing: where it writes the
    segments the cache lacks (mca.py); memory: the guest's RAM, as
    qemu.command's -m (page walks read nothing past it)."""
    extra = f",blocks={blocks},missing={missing}" if blocks else ""
    return ["-plugin", f"{plugin},profile={profile_path(name)},out={out_path}{extra},ram={memory}"]


def rows_for(found, out_path, base=None):
    """Modeled rows for the boot's results found (in print order) from the
    plugin's output file; ModelError if the two do not line up."""
    try:
        with open(out_path, encoding="utf-8") as f:
            lines = [json.loads(x) for x in f if x.strip()]
    except (OSError, ValueError) as e:
        raise ModelError(f"cycle model output unreadable ({out_path}: {e})") from None
    if len(lines) != len(found):
        raise ModelError(f"cycle model wrote {len(lines)} runs for {len(found)} results")
    rows = []
    for r, m in zip(found, lines):
        if m.get("n") != r["n"]:
            raise ModelError(f"cycle model run {m.get('run')} has {m.get('n')} samples, "
                             f"the result {r['variant']} {r['size']} {r['n']}")
        row = dict(r, unit=UNIT, profile=m["profile"], model_version=m["model_version"],
                   events=m["events"])
        if base:
            row["base_cost"] = base
        row.update({k: m[k] for k in STATS})
        rows.append(row)
    return rows


def measured(results):
    """Rows in a measured unit (everything but the model's)."""
    return [r for r in results if r.get("unit") != UNIT]


def modeled(results):
    """The model's rows."""
    return [r for r in results if r.get("unit") == UNIT]
