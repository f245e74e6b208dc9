#!/usr/bin/env python3
"""check_figures.py - are the figures README.md quotes those of the committed runs?

The list (results/quoted.json) names every measured figure the top-level
README quotes: its text as the README prints it ("1,828", "0.30",
"no data"), the README section it is in and where in that section (a
table's "row" and "column", "below" another row when the label repeats;
or a phrase around it, "context", whose "{}" stand for the figures in it,
"slot" naming this figure's, 1 by default; a context narrows a cell too),
the committed run it comes from (results/reference, the benchmarks;
results/reference-faults, the fault campaign), how to get it from that
run and how the README formats it; "placeholder" names the README's
stand-in while a figure is being filled in. For each figure it checks
  (a) that the value computed from the run, formatted as the README shows
      it, is the quoted text (a run that changed, or a list that was not
      updated with the README);
  (b) that the quoted text is in README.md at the named place (a README
      that was not updated, or one whose figure was edited by hand).
It prints one line per problem (the quoted text, what the run says,
where) and a closing line "N figures checked, M stale".

How a figure is computed ("value"):
  {"row": {selector}, "field": "median"}   the one result of a benchmark run
        whose fields match the selector (mode, ipc, workload, variant,
        size, what, unit, shape, cpus, ...; null matches a missing field)
        and passed its data check; field: a dotted path ("events.kentries";
        a number picks a list's item: "profile.functions.0.1")
  {"config": {selector}, "field": path}    a fault campaign's configuration
        (summary.json configs[], e.g. {"system": "mono", "shape": null})
  {"field": path}                          meta.json / summary.json itself
  {"count": path}                          the length of a list there
  {"boots": {selector}, "field": f, "per": "healthy", "agg": "max"}
        a campaign's boots (configs[].boots_detail), f divided by the
        healthy length of the boot's configuration and workload (per), then
        max, min, sum, mean or count over them
  {"const": number, "source": "..."}       a figure from elsewhere (history,
        a paper), with where it comes from
  {"ratio": [a, b]}, {"sum": [a, b, ...]}, {"diff": [a, b]} (a - b)  of the above
Formats: int ("1,828"), fixed:N (N decimals), upto:N (at most N decimals,
"100" for 100.0), duration ("3 minutes 19 s"), word ("two"; 0 is "no"),
times ("once", "twice"); a missing value is "no data". Rounding is half up
on the value as printed by Python (11.45 to one decimal is 11.5).

Exit status: 0 every figure agrees, 1 some are stale, 2 the list, the
README or a run cannot be read (or the list names a row no run has).
"""
import argparse
import json
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import cli, results  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY_KEYS = {"text", "section", "row", "column", "below", "context", "slot", "run", "value",
              "format", "placeholder", "note"}
WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve")
TIMES = {1: "once", 2: "twice"}
AGGREGATES = {"max": max, "min": min, "sum": sum, "count": len,
              "mean": lambda xs: sum(xs) / len(xs) if xs else None}


class ListError(Exception):
    """The list, the README or a run cannot be used (exit 2)."""


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--list", default=os.path.join(REPO, "results", "quoted.json"),
                   help="the list of quoted figures (default: results/quoted.json)")
    p.add_argument("--readme", default=os.path.join(REPO, "README.md"),
                   help="the README to look in (default: README.md)")
    p.add_argument("--root", default=REPO,
                   help="where the list's run paths start (default: the repository)")
    p.add_argument("--update", action="store_true",
                   help="after a committed run is made again: rewrite each figure's text in "
                        "the list to what the run now says (the README is not touched; the "
                        "check that follows lists every place it must change)")
    return p.parse_args(argv)


def update(path, data, root):
    """Give every figure of the list at path the text its run now gives;
    returns how many changed."""
    runs = {k: open_run(root, p) for k, p in data["runs"].items()}
    changed = 0
    for e in data["figures"]:
        said = fmt(evaluate(e["value"], runs[e["run"]]), e["format"])
        if said != e["text"]:
            e["text"], changed = said, changed + 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return changed


# ---- formats ---------------------------------------------------------------

def _decimal(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ListError(f"not a number: {v!r}")
    return Decimal(v) if isinstance(v, int) else Decimal(repr(v))


def _places(n):
    return Decimal(1).scaleb(-n)


def check_format(spec):
    kind, _, arg = spec.partition(":")
    if kind in ("int", "duration", "word", "times") and not arg:
        return
    if kind in ("fixed", "upto") and arg.isdigit():
        return
    raise ListError(f"unknown format {spec!r} (int, fixed:N, upto:N, duration, word, times)")


def fmt(v, spec):
    """v as the README prints it."""
    if v is None:
        return "no data"
    kind, _, arg = spec.partition(":")
    d = _decimal(v)
    if kind in ("fixed", "upto"):
        s = f"{d.quantize(_places(int(arg)), ROUND_HALF_UP):,f}"
        if kind == "upto" and "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    n = int(d.quantize(Decimal(1), ROUND_HALF_UP))
    if kind == "word":
        return WORDS[n] if 0 <= n < len(WORDS) else f"{n:,}"
    if kind == "times":
        return TIMES.get(n) or f"{WORDS[n] if 0 <= n < len(WORDS) else n} times"
    if kind == "duration":
        m, s = divmod(n, 60)
        if not m:
            return f"{s} s"
        return f"{m} minute{'s' if m != 1 else ''}" + (f" {s} s" if s else "")
    return f"{n:,}"


# ---- runs ------------------------------------------------------------------

class BenchRun:
    """A benchmark run (results/reference): results.jsonl rows, meta.json."""

    kind = "benchmark"

    def __init__(self, path):
        try:
            run = results.load_run(path)
        except results.ResultsError as e:
            raise ListError(str(e)) from None
        self.top = run.meta
        self.rows = [r for r in run.results if r.get("check") == "ok"]


class FaultRun:
    """A fault campaign (results/reference-faults): summary.json."""

    kind = "fault campaign"

    def __init__(self, path):
        p = os.path.join(path, "summary.json")
        try:
            with open(p, encoding="utf-8") as f:
                self.top = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ListError(f"{p}: cannot be read ({e})") from None
        cfgs = self.top.get("configs") if isinstance(self.top, dict) else None
        if not isinstance(cfgs, list) or not all(isinstance(c, dict) for c in cfgs):
            raise ListError(f"{p}: no configs list (is this a make faults summary.json?)")
        self.configs = cfgs
        self.healthy = {(b[0], b[1], b[2]): b[3] for b in self.top.get("budgets") or []}


def open_run(root, path):
    full = os.path.join(root, path)
    if os.path.isfile(os.path.join(full, "summary.json")) and \
            not os.path.isfile(os.path.join(full, "results.jsonl")):
        return FaultRun(full)
    return BenchRun(full)


def _get(obj, path, what):
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]   # "profile.functions.0.1": a list's item
            continue
        if not isinstance(obj, dict) or part not in obj:
            raise ListError(f"{what} has no {path!r}")
        obj = obj[part]
    return obj


def _matches(obj, selector):
    return all(obj.get(k) == v for k, v in selector.items())


def _one(items, selector, what):
    if not isinstance(selector, dict) or not selector:
        raise ListError(f"a {what} selector must be a non-empty object: {selector!r}")
    found = [x for x in items if _matches(x, selector)]
    if len(found) != 1:
        raise ListError(f"{len(found)} {what}s match {json.dumps(selector)} (need exactly one)")
    return found[0]


def _number(v, what):
    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
        raise ListError(f"{what} is not a number: {v!r}")
    return v


def evaluate(op, run):
    """The value an operand names in run (None: no data)."""
    if not isinstance(op, dict) or len(set(op) & {"const", "row", "config", "boots", "count",
                                                 "ratio", "sum", "diff", "field"}) == 0:
        raise ListError(f"not a value: {json.dumps(op)}")
    if "const" in op:
        return _number(op["const"], "const")
    if "ratio" in op:
        if not isinstance(op["ratio"], list) or len(op["ratio"]) != 2:
            raise ListError(f"ratio needs two values: {json.dumps(op)}")
        a, b = (evaluate(x, run) for x in op["ratio"])
        return None if a is None or not b else a / b
    if "sum" in op:
        if not isinstance(op["sum"], list) or not op["sum"]:
            raise ListError(f"sum needs a list of values: {json.dumps(op)}")
        vs = [evaluate(x, run) for x in op["sum"]]
        return None if None in vs else sum(vs)
    if "diff" in op:
        if not isinstance(op["diff"], list) or len(op["diff"]) != 2:
            raise ListError(f"diff needs two values: {json.dumps(op)}")
        a, b = (evaluate(x, run) for x in op["diff"])
        return None if a is None or b is None else a - b
    if "count" in op:
        v = _get(run.top, op["count"], "the run")
        if not isinstance(v, list):
            raise ListError(f"the run's {op['count']!r} is not a list")
        return len(v)
    if "row" in op:
        if not isinstance(run, BenchRun):
            raise ListError("a row is read from a benchmark run (results.jsonl)")
        r = _one(run.rows, op["row"], "row")
        return _number(_get(r, op.get("field", "median"), "the row"), "the row's field")
    if "config" in op:
        if not isinstance(run, FaultRun):
            raise ListError("a config is read from a fault campaign (summary.json)")
        c = _one(run.configs, op["config"], "config")
        return _number(_get(c, op["field"], "the config"), "the config's field")
    if "boots" in op:
        if not isinstance(run, FaultRun):
            raise ListError("boots are read from a fault campaign (summary.json)")
        agg = AGGREGATES.get(op.get("agg"))
        if agg is None:
            raise ListError(f"boots need an agg ({', '.join(AGGREGATES)}): {json.dumps(op)}")
        boots = [b for c in run.configs for b in c.get("boots_detail") or []
                 if _matches(b, op["boots"])]
        vs = []
        for b in boots:
            v = _number(_get(b, op["field"], "a boot"), "a boot's field") if "field" in op else 1
            if op.get("per") == "healthy":
                h = run.healthy.get((b.get("system"), b.get("shape"), b.get("workload")))
                if not h:
                    raise ListError(f"no healthy length for {b.get('system')} "
                                    f"{b.get('shape')} {b.get('workload')}")
                v = v / h
            elif op.get("per") is not None:
                raise ListError(f"unknown per {op['per']!r} (healthy)")
            if v is not None:
                vs.append(v)
        if not vs and op["agg"] != "count":
            raise ListError(f"no boots match {json.dumps(op['boots'])}")
        return agg(vs)
    return _number(_get(run.top, op["field"], "the run"), "the run's field")


def describe(op):
    """A short account of where a value comes from."""
    if "const" in op:
        return f"{op['const']}" + (f" ({op['source']})" if op.get("source") else "")
    if "ratio" in op:
        return " / ".join(f"({describe(x)})" for x in op["ratio"])
    if "sum" in op:
        return " + ".join(describe(x) for x in op["sum"])
    if "diff" in op:
        return " - ".join(f"({describe(x)})" for x in op["diff"])
    if "row" in op:
        sel = " ".join(str(v) for v in op["row"].values() if v is not None)
        return f"{op.get('field', 'median')} of {sel}"
    if "config" in op:
        sel = " ".join(str(v) for v in op["config"].values() if v is not None)
        return f"{op['field']} of {sel}"
    if "boots" in op:
        sel = " ".join(f"{k}={v}" for k, v in op["boots"].items())
        per = " per healthy length" if op.get("per") else ""
        return f"{op['agg']} of {op.get('field', 'boots')}{per} over boots {sel}"
    if "count" in op:
        return f"count of {op['count']}"
    return op.get("field", "?")


# ---- the README --------------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def sections(text):
    """{heading text: the lines under it, up to the next heading of its
    level or above} (headings inside ``` blocks are not headings)."""
    heads, fenced, lines = [], False, text.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else HEADING.match(line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
    out = {}
    for n, (i, level, name) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1:] if lv <= level), len(lines))
        out.setdefault(name, lines[i + 1:end])
    return out


def norm(s):
    return re.sub(r"\s+", " ", s.replace("**", "")).strip()


def cells(line):
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [norm(c) for c in s.split("|")]


def tables(lines):
    """[(header cells, [row cells, ...])] of the markdown tables in lines."""
    out, block = [], []
    for line in lines + [""]:
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            rows = [cells(b) for b in block[2:]]
            out.append((cells(block[0]), rows))
        block = []
    return out


# What may stand at another figure's {} of a context (or be reported as what
# the README has at this one): a word or number, "no data", a duration.
ANY_FIGURE = r"(?:no data|\d+ minutes?(?: \d+ s)?|[^\s()]+?)"


def figure_re(text):
    """text as a whole figure: "552" is not found in "1,552" or "552.5"."""
    before = r"(?<!\w)(?<!\d[.,])" if text[:1].isalnum() else ""
    after = ""
    if text[-1:].isalnum():
        after = r"(?!\w)" if text[-1:].isalpha() else r"(?!\d)(?![.,]\d)"
    return before + re.escape(text) + after


def context_parts(ctx, slot):
    """The literal parts of a context around its {} slots, whitespace as in
    the normalised README text, and the 0-based index of the entry's slot."""
    if not isinstance(ctx, str) or "{}" not in ctx:
        raise ListError(f"a context has a {{}} where the figure goes: {ctx!r}")
    parts = norm(ctx.replace("{}", "\0")).split("\0")
    if not isinstance(slot, int) or isinstance(slot, bool) or not 1 <= slot < len(parts):
        raise ListError(f"slot {slot!r}: the context {ctx!r} has {len(parts) - 1} {{}}")
    return parts, slot - 1


def find_in(scope, text, ctx, slot=1):
    """None if text is in scope (at its slot of its context), else what
    scope has there ("" if the context is not there at all)."""
    if ctx is None:
        return None if re.search(figure_re(text), scope) else ""
    parts, k = context_parts(ctx, slot)

    def pattern(at_slot):
        out = re.escape(parts[0])
        for j, part in enumerate(parts[1:]):
            out += (at_slot if j == k else ANY_FIGURE) + re.escape(part)
        return out
    if re.search(pattern(figure_re(text)), scope):
        return None
    m = re.search(pattern(f"({ANY_FIGURE})"), scope)
    return m.group(1) if m else ""


def locate(entry, secs):
    """None if the entry's text is at its place in the README, else what
    the README has there (or why nothing is there)."""
    name, text = entry["section"], entry["text"]
    if name not in secs:
        return f"the README has no section {name!r}"
    lines = secs[name]
    ctx, slot = entry.get("context"), entry.get("slot", 1)
    if "row" not in entry:
        found = find_in(norm("\n".join(lines)), text, ctx, slot)
        if found is None:
            return None
        return (f"the README has {found!r} there" if found else
                "the phrase is not in the section" if ctx else "not in the section")
    row, col, below = entry["row"], entry["column"], entry.get("below")
    hits = []
    for header, rows in tables(lines):
        if col not in header:
            continue
        seen = below is None
        for r in rows:
            if r and r[0] == below:
                seen = True
            elif r and r[0] == row and seen:
                i = header.index(col)
                hits.append(r[i] if i < len(r) else "")
                seen = below is None
    if not hits:
        return "the README has no such table row and column"
    if len(hits) > 1:
        return f"the README has {len(hits)} such rows (name the one meant with below)"
    found = find_in(hits[0], text, ctx, slot)
    if found is None:
        return None
    return f"the README has {found!r} there" if ctx and found else f"the cell says {hits[0]!r}"


def where(entry):
    w = f"README section {entry['section']!r}"
    if "row" in entry:
        w += f", row {entry['row']!r}" + (f" below {entry['below']!r}" if entry.get("below")
                                             else "") + f", column {entry['column']!r}"
    if entry.get("context"):
        n = entry["context"].count("{}")
        w += f", at {entry['context']!r}" + (f" (slot {entry.get('slot', 1)})" if n > 1 else "")
    return w


# ---- the list ----------------------------------------------------------------

def load_list(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ListError(f"{path}: cannot be read ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict) or \
            not isinstance(data.get("figures"), list):
        raise ListError(f"{path}: not a list of figures (an object with runs and figures)")
    for i, e in enumerate(data["figures"], 1):
        what = f"{path}: figure {i}"
        if not isinstance(e, dict):
            raise ListError(f"{what}: not an object")
        unknown = set(e) - ENTRY_KEYS
        missing = {"text", "section", "run", "value", "format"} - set(e)
        if unknown or missing:
            raise ListError(f"{what} ({e.get('text')!r}): " + "; ".join(
                x for x in (f"unknown keys {sorted(unknown)}" if unknown else "",
                            f"missing {sorted(missing)}" if missing else "") if x))
        if not isinstance(e["text"], str) or not e["text"]:
            raise ListError(f"{what}: text must be a non-empty string")
        if ("row" in e) != ("column" in e) or ("below" in e and "row" not in e):
            raise ListError(f"{what} ({e['text']!r}): row and column go together (below with them)")
        if e["run"] not in data["runs"]:
            raise ListError(f"{what} ({e['text']!r}): run {e['run']!r} is not one of "
                            f"{sorted(data['runs'])}")
        if not isinstance(e["format"], str):
            raise ListError(f"{what}: format must be a string")
        check_format(e["format"])
        if e.get("context") is not None or "slot" in e:
            context_parts(e.get("context"), e.get("slot", 1))
    return data


def check(data, readme_text, root):
    """(the problem lines, the number of figures checked); ListError if the
    list names what a run does not have or a run cannot be read."""
    runs = {k: open_run(root, p) for k, p in data["runs"].items()}
    secs = sections(readme_text)
    problems = []
    for i, e in enumerate(data["figures"], 1):
        run = runs[e["run"]]
        try:
            value = evaluate(e["value"], run)
        except ListError as err:
            raise ListError(f"figure {i} ({e['text']!r}, {where(e)}): {err}") from None
        said = fmt(value, e["format"])
        source = f"{data['runs'][e['run']]}: {describe(e['value'])}"
        if said != e["text"]:
            problems.append(f"stale: quoted {e['text']!r}, the run says {said!r} ({source}); "
                            f"at {where(e)}")
            continue
        why = locate(e, secs)
        if why:
            ph = e.get("placeholder")
            hint = f" (the placeholder {ph})" if ph and repr(ph) in why else ""
            problems.append(f"stale: quoted {e['text']!r}, the run says {said!r} ({source}); "
                            f"at {where(e)}: {why}{hint}")
    return problems, len(data["figures"])


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        data = load_list(args.list)
        try:
            with open(args.readme, encoding="utf-8") as f:
                readme = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise ListError(f"{args.readme}: cannot be read ({e})") from None
        if args.update:
            print(f"{update(args.list, data, args.root)} figures of {args.list} take new "
                  "values from the runs")
        problems, n = check(data, readme, args.root)
    except ListError as e:
        print(f"check_figures.py: {e}\ncheck_figures.py: exit 2 (the list, the README or a run "
              "cannot be used)", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    print(f"{n} figures checked, {len(problems)} stale")
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(main)
