"""parse.py - turn a guest's serial log into protocol records.

Lines that carry the protocol marker (lib/protocol.h MKB_PREFIX) must
hold one JSON object; everything else is free-form console text. A bad
marked line raises MalformedLine with its line number and text, which the
scripts print as one clear message (never a traceback).
"""
import json
import math

# Fields every {"type":"result"} line must carry (the guest writes them in
# bench/runtime.c, the host baseline in scripts/host_baseline.py).
RESULT_FIELDS = ("workload", "mode", "variant", "size", "what", "unit",
                 "n", "min", "median", "mean", "stddev", "p99", "check")
NUMBER_FIELDS = ("n", "min", "median", "mean", "stddev", "p99")
EVENT_FIELDS = ("kentries", "switches", "as_switches", "bytes_copied")
# What separates the IPC designs (bench/runtime.c): scheduler decisions
# against direct switches, message moves (count and bytes) per kind (lib/abi.h
# enum copy_kind), and port-right translations (mach).
COPY_KINDS = ("reg", "direct", "kbuf_in", "kbuf_out", "grant", "virt", "cow")
IPC_EVENT_FIELDS = ("sched_picks", "direct_switches") + tuple(
    f"{w}_{k}" for k in COPY_KINDS for w in ("copies", "bytes")) + ("rights",)
KNOWN_TYPES = ("boot", "result", "test", "error", "done", "fuzz", "fuzz_summary", "faults",
               "trial", "trial_end", "trials_done")


class MalformedLine(Exception):
    """A protocol line that is not a valid record.

    source: file name (or None), lineno: 1-based line, text: the line,
    why: what is wrong with it.
    """

    def __init__(self, lineno, text, why, source=None):
        self.lineno, self.text, self.why, self.source = lineno, text, why, source
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.source}:{self.lineno}" if self.source else f"line {self.lineno}"
        text = self.text if len(self.text) <= 200 else self.text[:200] + "..."
        return f"{where}: {self.why}: {text}"


def _is_number(v):
    """A finite int or float (JSON's NaN and Infinity are not numbers here)."""
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def check_result(obj):
    """Return a description of what is wrong with a result object, or None."""
    missing = [f for f in RESULT_FIELDS if f not in obj]
    if missing:
        return "result lacks field(s) " + ", ".join(missing)
    bad = [f for f in NUMBER_FIELDS if not _is_number(obj[f])]
    if bad:
        return "result field(s) not finite numbers: " + ", ".join(bad)
    negative = [f for f in NUMBER_FIELDS if obj[f] < 0]
    if negative:
        return "result statistic(s) negative: " + ", ".join(negative)
    if not isinstance(obj["n"], int):
        return "result n (samples) must be an integer"
    if obj["n"] > 0 and obj["min"] > obj["median"]:
        return "result min is above its median"
    if obj["size"] is not None and (not isinstance(obj["size"], int) or obj["size"] < 0):
        return "result size must be a non-negative integer or null"
    if not all(isinstance(obj[f], str) and obj[f] for f in ("workload", "mode", "variant",
                                                             "what", "unit", "check")):
        return "result workload, mode, variant, what, unit and check must be strings"
    if "ipc" in obj and not (isinstance(obj["ipc"], str) and obj["ipc"]):
        return "result ipc must be a non-empty string"
    events = obj.get("events", {})
    if not isinstance(events, dict) or not all(_is_number(v) and v >= 0
                                               for v in events.values()):
        return "result events must be an object of non-negative numbers"
    return None


def check_failure(obj):
    """What is wrong with a failure object (bench.py writes them), or None."""
    bad = [f for f in ("mode", "workload", "reason") if not isinstance(obj.get(f), str)]
    return "failure lacks string field(s) " + ", ".join(bad) if bad else None


def parse_record(text, lineno=0, source=None):
    """Parse the JSON part of one marked line into a dict (validated)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise MalformedLine(lineno, text, f"invalid JSON ({e.msg})", source) from None
    return validate(obj, lineno, text, source)


def validate(obj, lineno=0, text="", source=None):
    """Return obj if it is a well-formed record, else raise MalformedLine."""
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise MalformedLine(lineno, text, 'not a JSON object with a "type"', source)
    check = {"result": check_result, "failure": check_failure}.get(obj["type"])
    why = check(obj) if check else None
    if why:
        raise MalformedLine(lineno, text, why, source)
    return obj


def parse_lines(lines, prefix, source=None):
    """Yield (lineno, record) for every marked line in lines.

    The marker may follow console text on the same line (output that lacked
    a newline); what follows the marker must be one JSON object.
    """
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        at = line.find(prefix)
        if at < 0:
            continue
        yield lineno, parse_record(line[at + len(prefix):].strip(), lineno, source)


def scan(lines, prefix, source=None):
    """Return (records, errors): every good record, and a MalformedLine for
    every bad marked line (parsing goes on past them)."""
    records, errors = [], []
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        at = line.find(prefix)
        if at < 0:
            continue
        try:
            records.append(parse_record(line[at + len(prefix):].strip(), lineno, source))
        except MalformedLine as e:
            errors.append(e)
    return records, errors


def parse_log(path, prefix):
    """Return the list of records in the serial log file at path."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return [rec for _, rec in parse_lines(f, prefix, source=path)]
