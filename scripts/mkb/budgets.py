"""budgets.py - the instruction budget of a bench.py boot under icount.

BUDGET_MULTIPLE times the same boot's length in the reference run
(results/reference/meta.json records each boot's instructions), scaled up
when a run takes more samples per case than the reference did; a boot the
reference lacks gets BUDGET_MULTIPLE times the reference's longest boot,
and with no reference at all NO_REFERENCE_BUDGET. A boot over its budget
hung, on any host (bench/budget/budget.c counts).
"""
import json
import os

from . import matrix

BUDGET_MULTIPLE = 10
NO_REFERENCE_BUDGET = 50_000_000_000   # instructions, when there is no reference at all


def load_reference(path):
    """The reference run's boot lengths: ({(system, workload, shape):
    instructions}, samples per case (iters + warmup)); ({}, None) without one."""
    try:
        with open(os.path.join(path, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        assert isinstance(meta, dict)
    except (OSError, ValueError, AssertionError):
        return {}, None
    lengths = {}
    for r in meta.get("runs", []):
        if isinstance(r.get("executed"), int) and r.get("ok"):
            system = matrix.system_of(r)
            lengths[(system, r["workload"], r.get("shape"))] = r["executed"]
    mat = meta.get("matrix", {})
    return lengths, (mat.get("iters", 0) + mat.get("warmup", 0)) or None


def budget_of(reference, args, system, workload, shape):
    """(budget, where it came from) of one icount boot: reference is
    load_reference()'s answer, args bench.py's (iters, warmup, reference)."""
    lengths, ref_samples = reference
    scale = max(1.0, (args.iters + args.warmup) / ref_samples) if ref_samples else 1.0
    length = lengths.get((system, workload, shape))
    if length:
        return int(BUDGET_MULTIPLE * length * scale), (
            f"{BUDGET_MULTIPLE} x {length:,} (this boot in {args.reference})"
            + (f" x {scale:.2f} (samples)" if scale > 1 else ""))
    if lengths:
        longest = max(lengths.values())
        return int(BUDGET_MULTIPLE * longest * scale), (
            f"{BUDGET_MULTIPLE} x {longest:,} (the longest boot in {args.reference}, which "
            "lacks this one)")
    return NO_REFERENCE_BUDGET, f"{NO_REFERENCE_BUDGET:,}: no reference run at {args.reference}"
