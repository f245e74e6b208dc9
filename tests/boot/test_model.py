"""test_model.py - the cycle model (bench/model/mkbmodel.c) on real boots.

A guest sequence with known instruction classes and a known TLB and cache
behaviour (bench/wl_calib.c) must cost what the profile says; the model
must not change the instruction counts; two boots must model the same;
a bad profile or argument must stop QEMU with the plugin's message."""
import json
import os
import subprocess

import pytest

from bootlib import QEMU, REPO, qemu
from mkb import bands  # noqa: E402

PLUGIN = os.path.join(REPO, "build", "model", "mkbmodel.so")
SKYLAKE = os.path.join(REPO, "bench", "model", "profiles", "skylake.cfg")


def profile(tmp_path, **changes):
    """The skylake profile with some values changed, as a file."""
    lines = []
    for line in open(SKYLAKE):
        key = line.split(None, 1)[0] if line.strip() and not line.startswith("#") else None
        lines.append(f"{key} {changes[key]}\n" if key in changes else line)
    path = tmp_path / "test.cfg"
    path.write_text("".join(lines))
    return str(path)


def boot(tmp_path, append, cfg=None, build="mono"):
    if not os.path.exists(PLUGIN):
        pytest.fail(f"{PLUGIN} missing: run `make model`")
    out = tmp_path / "model.jsonl"
    argv = [QEMU, "-kernel", os.path.join(REPO, "build", build, "kernel.elf"), "-append", append,
            "-m", "128M", "-display", "none", "-serial", "stdio", "-no-reboot", "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel", "tcg",
            "-icount", "shift=0,sleep=off"] + qemu.TCG_CPU
    if cfg is not False:
        argv += ["-plugin", f"{PLUGIN},profile={cfg or SKYLAKE},out={out}"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    guest = [json.loads(x[x.index("{"):]) for x in p.stdout.splitlines() if '"type":"result"' in x]
    model = [json.loads(x) for x in open(out)] if out.exists() else []
    return p, guest, model


def test_known_sequences_cost_what_the_profile_says(tmp_path):
    cfg = profile(tmp_path, base_cycles=2)
    p, guest, model = boot(tmp_path, "run=bench workload=calib iters=50 warmup=5", cfg)
    assert p.returncode == 33, p.stdout[-2000:] + p.stderr
    g = {r["variant"]: r for r in guest}
    m = {r["variant"]: x for r, x in zip(guest, model)}
    assert [x["n"] for x in model] == [r["n"] for r in guest] == [50, 50, 50]
    # 100 NOPs (and the two instructions around them): the base cost only
    assert m["nops_100"]["median"] == 2 * g["nops_100"]["median"]
    # rep movsb of 4 KiB: 4,097 executions of the instruction (4,096
    # iterations and the one that finds the count zero), 1/32 cycle a
    # byte, and the start-up once (rep_startup_cycles, 20)
    rep = g["rep_movsb_4k"]["median"]
    assert abs(m["rep_movsb_4k"]["median"] - (2 * (rep - 4097) + 4097 / 32 + 20)) < 0.001
    assert m["rep_movsb_4k"]["events"]["l1d_misses"] == 0
    # 128 pages 4 KiB apart: each load misses the L1 DTLB (8 pages per
    # 4-way set) and hits the STLB (9 cycles), misses L1D and L2 (42, less
    # the L1 latency of 5 the base cost already holds for a load)
    ev = m["page_sweep_128"]["events"]
    assert 128 <= ev["dtlb_misses"] <= 130 and ev["stlb_misses"] == 0 and ev["page_walks"] == 0
    assert ev["l2_misses"] >= 128 and ev["l1i_misses"] == 0
    assert ev["tlb_cycles"] == 9 * ev["dtlb_misses"]
    assert ev["cache_cycles"] == 37 * ev["l2_misses"] + 7 * (ev["l1d_misses"] - ev["l2_misses"])
    want = 2 * g["page_sweep_128"]["median"] + ev["tlb_cycles"] + ev["cache_cycles"]
    assert abs(m["page_sweep_128"]["median"] - want) <= 2, (m["page_sweep_128"], want)


@pytest.mark.parametrize("fill_buffers", [10, 1])
def test_a_cold_copys_misses_overlap(tmp_path, fill_buffers):
    """With an L1D of 1 KiB every line of the 4 KiB copy misses it and
    hits L2 (12 cycles): the first miss of the run costs 12, each later
    one 12 / fill_buffers (Little's law), so the copy costs less than the
    serial sum of its misses, and exactly that sum with one fill buffer."""
    cfg = profile(tmp_path, base_cycles=2, l1d_kib=1, l1d_ways=8, fill_buffers=fill_buffers)
    p, guest, model = boot(tmp_path, "run=bench workload=calib iters=20 warmup=3", cfg)
    assert p.returncode == 33, p.stdout[-2000:] + p.stderr
    ev = {r["variant"]: x for r, x in zip(guest, model)}["rep_movsb_4k"]["events"]
    misses = ev["l1d_misses"]
    assert misses >= 128 and ev["l2_misses"] == 0, ev   # 64 source and 64 destination lines
    ordinary = ev["l1_credits"]   # other loads' misses: 12 less the L1's 5 in the base cost
    stream = misses - ordinary
    serial = 12 * stream + 7 * ordinary
    want = 12 + (stream - 1) * 12 / fill_buffers + 7 * ordinary
    assert abs(ev["cache_cycles"] - want) <= 12, (ev, want)
    assert (ev["cache_cycles"] < serial / 4) if fill_buffers == 10 else abs(ev["cache_cycles"] - serial) < 0.05


def test_cr3_writes_flush_the_tlb_and_cost_their_price(tmp_path):
    """A micro 8-byte round trip switches address spaces twice: two CR3
    writes at their price, and user pages refilled after each."""
    p, guest, model = boot(tmp_path, "run=bench workload=pingpong sizes=8 iters=50 warmup=5",
                           build="micro-sel4")
    assert p.returncode == 33, p.stderr
    ev = model[0]["events"]
    assert ev["cr3_writes"] == 2 and ev["cr3_cycles"] == 2 * 200
    assert ev["dtlb_misses"] + ev["itlb_misses"] >= 2   # the other side's pages, again
    assert ev["kentry_cycles"] == 2 * (50 + 40)          # two syscall + sysret pairs


def test_the_model_leaves_instruction_counts_alone_and_repeats(tmp_path):
    append = "run=bench workload=fileio sizes=4096 iters=60 warmup=5"
    a = boot(tmp_path / "a", append, cfg=False)
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    b = boot(tmp_path / "b", append)
    c = boot(tmp_path / "c", append)
    key = [(r["variant"], r["median"], r["mean"], r["events"]) for r in a[1]]
    assert key and key == [(r["variant"], r["median"], r["mean"], r["events"]) for r in b[1]]
    assert b[2] and b[2] == c[2]


@pytest.mark.parametrize("arg, said", [
    ("profile=/nonexistent.cfg,out=/tmp/x", "cannot open the profile"),
    ("profile={skylake},bogus=1,out=/tmp/x", "unknown argument"),
])
def test_bad_plugin_arguments_stop_qemu_with_the_reason(tmp_path, arg, said):
    argv = [QEMU, "-kernel", os.path.join(REPO, "build", "mono", "kernel.elf"), "-display", "none",
            "-accel", "tcg", "-plugin", f"{PLUGIN},{arg.format(skylake=SKYLAKE)}"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and said in p.stderr


def test_a_profile_missing_a_value_is_refused(tmp_path):
    cfg = tmp_path / "short.cfg"
    cfg.write_text("".join(x for x in open(SKYLAKE) if not x.startswith("stlb_latency")))
    argv = [QEMU, "-kernel", os.path.join(REPO, "build", "mono", "kernel.elf"), "-display", "none",
            "-accel", "tcg", "-plugin", f"{PLUGIN},profile={cfg},out={tmp_path / 'o'}"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "the profile lacks: stlb_latency" in p.stderr


def test_walks_read_the_guests_own_page_tables(tmp_path):
    """After each CR3 write the user pages' TLB entries are gone; their
    walks read the guest's own tables, from the root the kernel loaded:
    a 4 KiB user page's page-directory and page-table entries (the upper
    levels in the paging-structure caches), each read costing at least
    the L1 latency. A walk is dearer than a second-level TLB hit."""
    p, guest, model = boot(tmp_path, "run=bench workload=pingpong sizes=8 iters=50 warmup=5",
                           build="micro-sel4")
    assert p.returncode == 33, p.stderr
    ev = model[0]["events"]
    assert ev["page_walks"] >= 2, ev
    assert ev["pt_reads"] == 2 * ev["page_walks"], ev   # user pages: 4 KiB, two reads each
    lookups = ev["itlb_misses"] + ev["dtlb_misses"]
    assert 9 * lookups + 5 * ev["pt_reads"] <= ev["tlb_cycles"] <= 9 * lookups + 42 * ev["pt_reads"], ev
    # each class of the breakdown is the mean less the timing pair's: they add up
    classes = sum(ev[k] for k in ("base_cycles", "kentry_cycles", "cr3_cycles", "copy_cycles",
                                  "tlb_cycles", "cache_cycles"))
    assert abs(classes - model[0]["median"]) < 0.01, (classes, model[0]["median"])


def test_llvm_prices_the_ordinary_instructions_after_one_boot(tmp_path):
    """With a block-cost file, the first boot writes the segments it
    lacks; priced by llvm-mca (scripts/mkb/mca.py), the next boot lacks
    none, and the 100 NOPs cost what LLVM's Skylake takes (4 to 6 a
    cycle), not one cycle each; the instruction counts do not move."""
    import sys
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    from mkb import mca
    blocks, missing = tmp_path / "blocks.tsv", tmp_path / "missing.txt"
    blocks.write_text("")
    extra = f",blocks={blocks},missing={missing}"
    append = "run=bench workload=calib iters=50 warmup=5"

    def boot_with_blocks():
        argv_cfg = SKYLAKE + extra   # profile=<file>,blocks=...,missing=...
        return boot(tmp_path, append, argv_cfg)
    p, guest, first = boot_with_blocks()
    assert p.returncode == 33, p.stderr
    assert missing.read_text().strip(), "the first boot should lack every segment"
    assert mca.price(str(missing), str(blocks), "skylake") > 0
    p, guest2, model = boot_with_blocks()
    assert p.returncode == 33, p.stderr
    assert missing.read_text() == ""
    assert [r["median"] for r in guest2] == [r["median"] for r in guest]
    m = {r["variant"]: x for r, x in zip(guest2, model)}
    nops = m["nops_100"]["events"]["base_cycles"]
    assert 16 <= nops <= 30, m["nops_100"]
    assert first[0]["events"]["base_cycles"] >= 100   # one cycle each before pricing


@pytest.mark.parametrize("build, append", [
    ("micro-sel4", "run=bench workload=pingpong sizes=8,4096 iters=30 warmup=3"),
    ("mono", "run=bench workload=fileio sizes=4096 iters=30 warmup=3"),
])
def test_the_uses_the_model_reports_reprice_it_exactly(tmp_path, build, append):
    """Without a block-cost file every cycle comes from a profile price, so
    the uses the plugin reports per sample (syscalls, L2 hits serial and
    overlapped, ...) priced at the profile's values (scripts/mkb/bands.py)
    give back the mean sample's cycles: a charge the uses missed would
    show; and priced at other values they give what the plugin makes of
    a profile with those values."""
    p, guest, model = boot(tmp_path, append, build=build)
    assert p.returncode == 33, p.stderr
    nominal = {k: v for k, (v, _, _) in bands.ranges("skylake").items()}
    for m in model:
        ev = m["events"]
        assert ev["unpriced_insns"] > 0 and bands.repriceable({"events": ev})
        assert abs(bands.cost(ev, nominal) - m["mean"]) <= 0.05 * 30, (ev, m["mean"])
    cfg = profile(tmp_path, syscall_cycles=80, l2_latency=20, fill_buffers=5, rep_startup_cycles=35)
    (tmp_path / "b").mkdir()
    p2, _, model2 = boot(tmp_path / "b", append, cfg=cfg, build=build)
    assert p2.returncode == 33, p2.stderr
    alt = dict(nominal, syscall_cycles=80, l2_latency=20, fill_buffers=5, rep_startup_cycles=35)
    for m, m2 in zip(model, model2):
        want = m2["mean"]
        assert abs(bands.cost(m["events"], alt) - want) <= 0.05 * 30 + 1e-6 * want, (m, m2)


def test_an_exception_is_priced_as_it_is_delivered(tmp_path):
    """mach's out-of-line 4 KiB round trip takes one copy-on-write fault
    per sample (the client's write to the page it sent): one delivery
    through the IDT at exception_cycles (200), and no more than that
    beside the two kernel entries; the inline round trip takes none."""
    p, guest, model = boot(tmp_path, "run=bench workload=pingpong sizes=4096 iters=40 warmup=4",
                           build="micro-mach")
    assert p.returncode == 33, p.stderr
    m = {r["variant"]: x["events"] for r, x in zip(guest, model)}
    ool, inline = m["call_replyrecv_ool"], m["call_replyrecv"]
    assert 0.99 <= ool["exceptions"] <= 1.1, ool
    assert inline["exceptions"] < 0.1, inline
    entries = 50 * ool["syscalls"] + 40 * ool["sysrets"] + 70 * ool["irets"] + 100 * ool["wrmsrs"]
    assert abs(ool["kentry_cycles"] - entries - 200 * ool["exceptions"]) < 1, ool


@pytest.mark.parametrize("build", ("mono", "micro-sel4"))
def test_time_is_shared_between_kernel_servers_and_application(tmp_path, build):
    """A 4 KiB file read: the kernel's code, the file server's address
    space (micro only: the kernel lists its servers for the model) and
    the client's own instructions add up to the sample; mono has no
    server, and micro's file server does the file system's work."""
    p, guest, model = boot(tmp_path, "run=bench workload=fileio sizes=4096 iters=40 warmup=4",
                           build=build)
    assert p.returncode == 33, p.stderr
    rows = {(g["variant"], g["size"]): m["events"] for g, m in zip(guest, model)}
    ev = rows[("seq_read", 4096)]
    assert 0 < ev["kernel_insns"] <= ev["insns"] and ev["kernel_cycles"] > 0
    assert ev["kernel_insns"] + ev["server_insns"] <= ev["insns"] + 1
    if build == "mono":
        assert ev["server_insns"] == 0 and ev["kernel_insns"] > 0.9 * ev["insns"]
    else:
        assert ev["server_insns"] > 0.3 * ev["insns"] and ev["server_cycles"] > 0
