"""test_bands.py - re-pricing modeled figures over their profiles' ranges
(scripts/mkb/bands.py): bands hold the figure, grow with a range, move a
ratio less when both sides pay the same price, and bad ranges are
refused with the line."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import bands  # noqa: E402

EV0 = {k: 0 for k in ("syscalls", "sysrets", "irets", "wrmsrs", "rdtscs", "cr3_writes", "rep_runs",
                      "pt_l1_hits", "itlb_misses", "dtlb_misses", "unpriced_insns", "rep_bytes",
                      "l2_serial", "l2_overlapped", "mem_serial", "mem_overlapped", "l1_credits",
                      "exceptions")}


def row(median, profile="t", **ev):
    return {"median": median, "profile": profile, "events": dict(EV0, **ev)}


@pytest.fixture
def prof(tmp_path, monkeypatch):
    """A profile t in a temporary directory: write(text of extra lines)."""
    monkeypatch.setattr(bands, "PROFILE_DIR", str(tmp_path))
    bands._cache.clear()

    def write(**vals):
        base = {k: "1" for k in bands.PRICED}
        base.update(copy_bytes_per_cycle="32", fill_buffers="10", l2_latency="12",
                    memory_latency="42", syscall_cycles="50")
        base.update(vals)
        (tmp_path / "t.cfg").write_text("name t\n" + "".join(f"{k} {v}  # src\n" for k, v in base.items()))
        bands._cache.clear()
    return write


def test_no_range_no_band(prof):
    prof()
    assert bands.band(row(1000, syscalls=2)) == (1000, 1000)


def test_a_band_holds_the_figure_and_grows_with_its_range(prof):
    prof(syscall_cycles="50 [30-100]")
    lo, hi = bands.band(row(1000, syscalls=2))
    assert (lo, hi) == (960, 1100)
    prof(syscall_cycles="50 [20-150]")
    lo2, hi2 = bands.band(row(1000, syscalls=2))
    assert lo2 < lo and hi2 > hi
    assert bands.dominant(row(1000, syscalls=2)) == [("syscall_cycles", 260)]


def test_fewer_fill_buffers_make_a_cold_copy_dearer(prof):
    prof(fill_buffers="10 [5-20]")
    lo, hi = bands.band(row(500, l2_serial=1, l2_overlapped=127))
    # 127 overlapped L2 hits of 12 cycles: 152.4 at 10 buffers, 304.8 at 5, 76.2 at 20
    assert abs(lo - (500 - 76.2)) < 1e-6 and abs(hi - (500 + 152.4)) < 1e-6


def test_a_price_both_sides_pay_moves_the_ratio_less(prof):
    prof(syscall_cycles="50 [10-200]")
    micro, mono = row(2000, syscalls=4), row(1000, syscalls=2)
    lo, hi = bands.ratio_band(micro, mono)
    assert lo <= 2.0 <= hi
    # each side alone moves by its own band; the ratio, sharing the value, stays near 2
    a, b = bands.band(micro), bands.band(mono)
    assert hi - lo < a[1] / b[0] - a[0] / b[1]


def test_rows_of_an_older_model_have_no_band(prof):
    prof()
    assert bands.band({"median": 5, "profile": "t", "events": {"cycles": 5}}) is None
    assert bands.fmt_band(None, str) == ""


@pytest.mark.parametrize("line, said", [
    ("syscall_cycles 50 [60-100]", "must hold the value"),
    ("syscall_cycles 50 [30-]", "want `syscall_cycles <value>"),
])
def test_a_bad_range_is_refused_with_its_line(prof, line, said):
    prof(syscall_cycles=line.split(None, 1)[1])
    with pytest.raises(bands.BandError, match=said):
        bands.ranges("t")


def test_the_shipped_profiles_have_readable_ranges():
    bands._cache.clear()
    for name in ("skylake", "zen3", "zen4"):
        rng = bands.ranges(name)
        assert set(rng) == set(bands.PRICED)
        assert all(lo <= v <= hi for v, lo, hi in rng.values())


def test_held_out_checks_set_ours_beside_published_with_how_far_apart():
    """seL4 on Skylake beside our modeled sel4 fast path (profile skylake:
    the same core) as a ratio with its band; L4Re's instructions beside
    our l4 round trip's, its cycles marked as another core's."""
    from mkb import published
    bands._cache.clear()
    data = published.load(os.path.join(os.path.dirname(__file__), "..", "..", "report", "published.json"))
    ev = dict(EV0, syscalls=2, sysrets=2, cr3_writes=2)
    base = {"mode": "micro", "workload": "pingpong", "variant": "call_replyrecv", "size": 8}
    sel4 = dict(base, ipc="sel4", median=1540.0, profile="skylake", unit="modeled_cycles", events=ev)
    l4m = dict(base, ipc="l4", median=1155.0, profile="skylake", unit="modeled_cycles", events=ev)
    l4 = dict(base, ipc="l4", median=594.0, unit="instructions", events={})
    headers, rows = published.held_out_rows(data, [sel4, l4m], [l4])
    first = rows[0]
    assert first[1] == "770 cycles" and first[4].startswith("2.00x (") and first[5] == "same core"
    lo, hi = (float(x) for x in first[4].split("(")[1].rstrip("x)").split("-"))
    assert lo < 2.0 < hi
    instr = [r for r in rows if r[1].endswith("instructions")]
    assert instr and instr[0][1] == "1174 instructions" and instr[0][4] == "0.51x"
    assert all(r[5] == "another core" for r in rows if r[1].endswith("cycles") and r is not first)
