"""verdict.py - what a guest boot's outcome and serial log say: its
result records, and every reason it failed (bench.py's judge of a boot)."""
from . import matrix, parse


def judge_guest(records, system, workload, outcome, proto, shape=None):
    """Return (results, reasons): result records and what went wrong."""
    reasons = []
    if outcome.error:
        return [], [outcome.error]
    ended = outcome.limit_reached()
    if ended:
        reasons.append(ended)
    elif outcome.status != proto.exit_success:
        reasons.append(proto.describe_exit(outcome.status))
    found = [r for r in records if r["type"] == "result"]
    for r in records:
        if r["type"] == "error":
            reasons.append(f"guest error: {r.get('msg')}")
    done = [r for r in records if r["type"] == "done"]
    if not done and not ended:
        reasons.append("no done line")
    elif done and done[-1].get("status") != 0:
        reasons.append(f"guest done status {done[-1].get('status')}")
    if not found:
        reasons.append("no results")
    for r in found:
        got = matrix.system(r["mode"], r.get("ipc"))
        if (got, r["workload"]) != (matrix.build_of(matrix.one_cpu(system)), workload):
            reasons.append(f"result for {got} {r['workload']} in this boot")
        if shape and r.get("shape", shape) != shape:
            reasons.append(f"result with shape {r['shape']!r} in a {matrix.shape_arg(workload)}={shape} boot")
        elif shape:
            r["shape"] = shape  # the boot's shape, should the guest omit it
        if r["check"] != "ok":
            reasons.append(f"check failed ({r['variant']} size {r['size']}): {r['check']}")
    return found, reasons


def read_log(path, proto):
    """(records, problem) from a serial log; problem names bad lines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        records, errors = parse.scan(f, proto.prefix)
    if not errors:
        return records, None
    e = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return records, f"malformed protocol line {e.lineno}{more}: {e.why}: {e.text[:120]}"


def qemu_failed(outcome, proto):
    """True when QEMU itself failed (not the guest): it could not start, or
    ended by a signal or with a status the guest never sets."""
    guest = (proto.exit_success, proto.exit_failure, proto.exit_panic)
    return bool(outcome.error) or (not outcome.timed_out and not outcome.over_budget
                                   and outcome.status not in guest)


def qemu_words(info):
    """How QEMU ended, for a run whose log holds no message of QEMU's."""
    status = info.get("status")
    return f"killed by signal {-status}" if status is not None and status < 0 \
        else f"exit status {status}"
