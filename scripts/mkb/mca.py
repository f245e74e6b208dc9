"""mca.py - the cycle model's base cost from LLVM's scheduling models.

The plugin (bench/model/mkbmodel.c) prices the ordinary instructions of
each straight-line segment it runs with a cost read from a cache file
(blocks=), keyed by a hash of the segment's bytes; a segment not in the
file is written to missing= and priced, for that boot only, at the
profile's assumed base_cycles. Here the missing segments are priced:
llvm-mc disassembles their bytes, llvm-mca (Debian's llvm-19) runs each
as a code region on the profile's core (its `mcpu` line: LLVM's
scheduling model of that core) for 100 iterations, and a segment's cost
is llvm-mca's total cycles over 100: its cycles per pass in a steady
state, where one pass overlaps the next as consecutive code does on an
out-of-order core. Before that, stack operations are rewritten as the
cores' stack engine executes them (`stack_engine`). The costs join the cache (build/model/, one file per
profile and LLVM version), and the harness boots again (scripts/bench.py).
"""
import os
import re
import shutil
import subprocess
import threading

from . import protocol

UNITS = 1000000          # bench/model/model.h: cycles are kept in UNITS
ITERATIONS = 100
MCA, MC = "llvm-mca-19", "llvm-mc-19"
# Between segments in llvm-mc's input: an instruction no compiler emits
# here (movabs of this constant into r15), so its disassembly marks the cut.
SEPARATOR = "[0x49 0xbf 0x4b 0x4d 0x4b 0x4d 0x4b 0x4d 0x4b 0x4d]"
SEPARATOR_IMM = "0x4d4b4d4b4d4b4d4b"
_lock = threading.Lock()


class McaError(Exception):
    """llvm-mca missing, or output that cannot be read."""


def tools():
    """(llvm-mca, llvm-mc) paths; McaError with the package to install."""
    mca, mc = shutil.which(MCA), shutil.which(MC)
    if not mca or not mc:
        raise McaError(f"{MCA} and {MC} are needed for the cycle model's base cost: "
                       "apt-get install llvm-19 (make deps does), or MODEL=off")
    return mca, mc


def version():
    """LLVM's version, as llvm-mca prints it ("19.1.7")."""
    mca, _ = tools()
    out = subprocess.run([mca, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"LLVM version (\S+)", out)
    if not m:
        raise McaError(f"cannot read {MCA}'s version: {out.strip()[:200]}")
    return m.group(1)


# How segments are priced: a new one when what llvm-mca is given changes
# (2: the stack engine rewrite), so that costs of another method are not
# read from the cache.
METHOD = 2


def cache_path(profile):
    """Where the block costs of profile live (generated, under build/)."""
    return os.path.join(protocol.REPO, "build", "model",
                        f"blocks-{profile}-llvm{version()}-m{METHOD}.tsv")


_PUSH = re.compile(r"pushq\s+(%\w+|\$\S+)$")
_POP = re.compile(r"popq\s+(%\w+)$")
_CALL = re.compile(r"callq\s+(\S.*)$")
_RET = re.compile(r"retq(\s+\$\S+)?$")


def stack_engine(line):
    """One instruction of llvm-mc's disassembly -> the lines llvm-mca
    prices for it. LLVM's x86 models take a push's or pop's new rsp to
    come from the instruction's own latency (a pop's: a load's), so that
    consecutive pushes and pops form a chain through rsp (llvm-mca prices
    six pops and a ret at 30 cycles a pass on znver3); and llvm-mca does
    not model a call at all (its warning: "call instructions are not
    correctly modeled. Assume a latency of 100cy"). The cores keep rsp in
    their stack engine instead: a PUSH becomes a pure store, a POP a pure
    load, a CALL a store and a jump, a RET a load and a jump, with no
    dependence through rsp (AMD, Software Optimization Guide for AMD
    Family 10h Processors, 4.7, the sideband stack optimizer, kept since;
    Agner Fog, The microarchitecture of Intel, AMD and VIA CPUs, "stack
    engine", in Intel's cores since the Pentium M). That is what llvm-mca
    is given. pushfq, popfq, leave and memory operands stay as they are."""
    text = line.strip()
    m = _PUSH.match(text)
    if m:
        return [f"movq {m.group(1)}, -8(%rsp)"]
    m = _POP.match(text)
    if m:
        return [f"movq (%rsp), {m.group(1)}"]
    m = _CALL.match(text)
    if m:
        return ["movq $0, -8(%rsp)", f"jmp {m.group(1)}"]
    if _RET.match(text):
        return ["jmpq *(%rsp)"]
    return [line]


def read_missing(path):
    """[(hash, [instruction hex, ...])] from the plugin's missing= file."""
    out = []
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                parts = line.split()
                if parts:
                    out.append((parts[0], parts[1:]))
    except OSError:
        return []
    return out


def _disassemble(blocks, mc):
    """Each block's instructions as assembly text lines (llvm-mc)."""
    lines = []
    for _, insns in blocks:
        # one bracketed group per instruction: bytes that do not decode as
        # one (the firmware's and boot.S's 16- and 32-bit code) are dropped
        lines += ["[" + " ".join(f"0x{h[i:i + 2]}" for i in range(0, len(h), 2)) + "]"
                  for h in insns]
        lines.append(SEPARATOR)
    p = subprocess.run([mc, "--disassemble", "-triple=x86_64-unknown-unknown"],
                       input="\n".join(lines) + "\n", capture_output=True, text=True)
    if p.returncode != 0 and not p.stdout:
        raise McaError(f"{MC} failed: {p.stderr.strip()[:300]}")
    groups, cur = [], []
    for line in p.stdout.splitlines():
        text = line.strip()
        if not text or text.startswith("."):
            continue
        if SEPARATOR_IMM in text.lower() or str(int(SEPARATOR_IMM, 16)) in text:
            groups.append(cur)
            cur = []
        else:
            cur += stack_engine(text)
    if len(groups) != len(blocks):
        raise McaError(f"{MC} gave {len(groups)} segments for {len(blocks)}")
    return groups


def _analyse(groups, mcpu, mca):
    """Cycles per pass of each group (llvm-mca), in UNITS."""
    text = []
    for i, g in enumerate(groups):
        text += [f"# LLVM-MCA-BEGIN b{i}"] + g + ["# LLVM-MCA-END"]
    p = subprocess.run([mca, f"-mcpu={mcpu}", f"-iterations={ITERATIONS}", "-instruction-info=0",
                        "-resource-pressure=0", "--skip-unsupported-instructions=any"],
                       input="\n".join(text) + "\n", capture_output=True, text=True)
    if p.returncode != 0:
        raise McaError(f"{MCA} -mcpu={mcpu} failed: {p.stderr.strip()[:300]}")
    costs, region = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"\[\d+\] Code Region - b(\d+)", line)
        if m:
            region = int(m.group(1))
            continue
        m = re.match(r"Total Cycles:\s+(\d+)", line)
        if m and region is not None:
            costs[region] = round(int(m.group(1)) * UNITS / ITERATIONS)
            region = None
    return costs


def price(missing_path, cache, mcpu, fallback=UNITS):
    """Price the segments in missing_path on core mcpu and add them to the
    cache file; returns how many were added. A segment llvm-mc cannot
    decode at all (16- and 32-bit firmware and boot code, which no
    benchmark times) costs 0; one llvm-mca leaves out of its report costs
    fallback UNITS per instruction (the profile's base_cycles, what the
    plugin charges a segment it has no cost for)."""
    blocks = read_missing(missing_path)
    if not blocks:
        return 0
    mca, mc = tools()
    groups = _disassemble(blocks, mc)
    todo = [i for i, g in enumerate(groups) if g]
    costs = _analyse([groups[i] for i in todo], mcpu, mca)
    units = {i: costs.get(k, len(blocks[i][1]) * fallback) for k, i in enumerate(todo)}
    with _lock:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(cache, "a", encoding="ascii") as f:
            for i, (h, _) in enumerate(blocks):
                f.write(f"{h} {units.get(i, 0)}\n")
    return len(blocks)
