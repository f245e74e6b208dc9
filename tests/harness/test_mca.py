"""test_mca.py - the cycle model's base cost from llvm-mca (scripts/mkb/
mca.py): segments priced by LLVM's model of the core, not by a number of
ours, and the errors a user can meet."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import mca  # noqa: E402


def price(tmp_path, segments, mcpu="skylake"):
    """{hash: cycles} for segments {hash: [instruction hex, ...]}."""
    missing, cache = tmp_path / "missing.txt", tmp_path / "blocks.tsv"
    missing.write_text("".join(f"{h} {' '.join(ins)}\n" for h, ins in segments.items()))
    assert mca.price(str(missing), str(cache), mcpu) == len(segments)
    out = {}
    for line in cache.read_text().splitlines():
        h, units = line.split()
        out[h] = int(units) / mca.UNITS
    return out


def test_independent_instructions_overlap_and_a_dependent_chain_does_not(tmp_path):
    """100 NOPs: LLVM's Skylake issues 4 to 6 a cycle, so 17 to 25 cycles a
    pass, not the 100 of one cycle each; ten dependent multiplies (3
    cycles of latency each on Skylake) take about 30; a segment that does
    not decode as 64-bit code (16-bit boot code) costs nothing."""
    got = price(tmp_path, {"00000000000000a1": ["90"] * 100,
                           "00000000000000a2": ["480fafc0"] * 10,
                           "00000000000000a3": ["bc007c"]})
    assert 16 <= got["00000000000000a1"] <= 25, got
    assert 28 <= got["00000000000000a2"] <= 33, got
    assert got["00000000000000a3"] == 0, got


def test_another_core_prices_differently(tmp_path):
    """Six independent loads: Skylake has two load ports (3 cycles a
    pass), Zen 3 three (2): LLVM's two models, two costs."""
    seg = {"00000000000000b1": ["488b07", "488b5f08", "488b4f10", "488b5718", "488b7720", "4c8b4728"]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sky, zen = price(tmp_path / "a", seg)["00000000000000b1"], price(tmp_path / "b", seg, "znver3")["00000000000000b1"]
    assert 2.8 <= sky <= 3.3 and 1.8 <= zen <= 2.3, (sky, zen)


def test_an_unknown_core_is_a_clear_error(tmp_path):
    with pytest.raises(mca.McaError, match="-mcpu=no-such-core"):
        price(tmp_path, {"00000000000000c1": ["90"]}, "no-such-core")


def test_nothing_missing_prices_nothing(tmp_path):
    assert mca.price(str(tmp_path / "none.txt"), str(tmp_path / "blocks.tsv"), "skylake") == 0
    assert not (tmp_path / "blocks.tsv").exists()


def test_stack_operations_are_priced_as_the_stack_engine_runs_them(tmp_path):
    """Six pops and a ret: on the cores each pop is a load and ret a load
    and a jump, none waiting for another's rsp (mca.stack_engine), so
    Zen 3's three load ports take them in 2 to 3.5 cycles a pass; given to
    llvm-mca as they are, rsp chains them at a load's latency each (about
    30). A call is a store and a jump, not llvm-mca's 100-cycle guess."""
    pops = ["415f", "4158", "415a", "5a", "5e", "5f", "c3"]   # pop r15 r8 r10 rdx rsi rdi; ret
    got = price(tmp_path, {"00000000000000d1": pops, "00000000000000d2": ["57", "56", "e800000000"]},
                "znver3")
    assert 2 <= got["00000000000000d1"] <= 3.5, got
    assert got["00000000000000d2"] <= 3.5, got
    assert mca.stack_engine("pushq\t%rbp") == ["movq %rbp, -8(%rsp)"]
    assert mca.stack_engine("callq\t*%rax") == ["movq $0, -8(%rsp)", "jmp *%rax"]
    assert mca.stack_engine("pushfq") == ["pushfq"]
