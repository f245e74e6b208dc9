"""parse.py - turn a guest's serial log into protocol records.

Lines that carry the protocol marker (bench/protocol.h MKB_PREFIX) must
hold one JSON object; everything else is free-form console text. A bad
marked line raises MalformedLine with its line number and text, which the
scripts print as one clear message (never a traceback).
"""
import json

# Fields every {"type":"result"} line must carry (see /tmp/CONTRACTS.md).
RESULT_FIELDS = ("workload", "mode", "variant", "size", "what", "unit",
                 "n", "min", "median", "mean", "stddev", "p99", "check")
NUMBER_FIELDS = ("n", "min", "median", "mean", "stddev", "p99")
EVENT_FIELDS = ("kentries", "switches", "as_switches", "bytes_copied")
KNOWN_TYPES = ("boot", "result", "test", "error", "done")


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
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_result(obj):
    """Return a description of what is wrong with a result object, or None."""
    missing = [f for f in RESULT_FIELDS if f not in obj]
    if missing:
        return "result lacks field(s) " + ", ".join(missing)
    bad = [f for f in NUMBER_FIELDS if not _is_number(obj[f])]
    if bad:
        return "result field(s) not numbers: " + ", ".join(bad)
    if obj["size"] is not None and not isinstance(obj["size"], int):
        return "result size must be an integer or null"
    events = obj.get("events", {})
    if not isinstance(events, dict) or not all(_is_number(v) for v in events.values()):
        return "result events must be an object of numbers"
    return None


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
    if obj["type"] == "result":
        why = check_result(obj)
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
