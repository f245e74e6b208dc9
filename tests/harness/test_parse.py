"""test_parse.py - protocol.h parsing, serial log parsing, unit mapping, stats."""
import pytest

from mkb import accel, matrix, parse, protocol, stats
from mkb.units import map_unit

PREFIX = protocol.load().prefix
RESULT = ('{"type":"result","workload":"pingpong","mode":"micro","variant":"ipc",'
          '"size":64,"what":"round_trip","unit":"tsc","n":10,"warmup":2,"min":90,'
          '"median":100,"p99":120,"mean":101.5,"stddev":2.5,"overhead":20,'
          '"events":{"kentries":2,"switches":2,"as_switches":2,"bytes_copied":128},'
          '"check":"ok"}')


def test_protocol_reads_prefix_and_exit_codes_from_header():
    p = protocol.load()
    assert p.prefix == "@@MKB "
    assert (p.exit_success, p.exit_failure, p.exit_panic) == (33, 35, 37)
    assert "panic" in p.describe_exit(37) and "crash" in p.describe_exit(1)


def test_protocol_follows_a_changed_header(tmp_path):
    h = tmp_path / "protocol.h"
    h.write_text('#define MKB_PREFIX "##X "\n#define MKB_EXIT_SUCCESS 0x20 /* c */\n'
                 '#define MKB_EXIT_FAILURE 0x21\n#define MKB_EXIT_PANIC 0x22\n')
    p = protocol.Protocol(str(h))
    assert p.prefix == "##X " and p.exit_success == 65


def test_protocol_header_missing_define_is_a_clear_error(tmp_path):
    h = tmp_path / "protocol.h"
    h.write_text('#define MKB_PREFIX "@@MKB "\n')
    with pytest.raises(protocol.ProtocolHeaderError, match="MKB_EXIT_SUCCESS"):
        protocol.Protocol(str(h))


def test_parse_keeps_records_and_skips_console_text():
    lines = ["booting...\n", PREFIX + '{"type":"boot","mode":"micro"}\n',
             "junk " + PREFIX + RESULT + "\r\n", PREFIX + '{"type":"done","status":0}\n']
    recs = [r for _, r in parse.parse_lines(lines, PREFIX)]
    assert [r["type"] for r in recs] == ["boot", "result", "done"]
    assert recs[1]["median"] == 100


@pytest.mark.parametrize("bad, why", [
    ('{"type":"result","workload":', "invalid JSON"),
    ('[1,2]', '"type"'),
    ('{"type":"result","workload":"null"}', "lacks field"),
    (RESULT.replace('"median":100', '"median":"x"'), "not finite numbers"),
])
def test_malformed_line_names_line_number_and_text(bad, why):
    lines = ["console\n", PREFIX + '{"type":"boot"}\n', PREFIX + bad + "\n"]
    with pytest.raises(parse.MalformedLine) as e:
        list(parse.parse_lines(lines, PREFIX, source="serial.log"))
    assert e.value.lineno == 3 and why in str(e.value)
    assert str(e.value).startswith("serial.log:3: ") and bad[:20] in str(e.value)


def test_scan_goes_on_past_a_bad_line():
    lines = [PREFIX + "{oops\n", PREFIX + RESULT + "\n"]
    recs, errors = parse.scan(lines, PREFIX)
    assert len(recs) == 1 and [e.lineno for e in errors] == [1]


def test_unit_mapping_per_accelerator():
    assert map_unit("tsc", "icount") == "instructions"
    assert map_unit("tsc", "kvm") == "cycles"
    assert map_unit("tsc", "tcg") == "tsc_ticks"
    assert map_unit("ns", "kvm") == "ns"
    with pytest.raises(ValueError, match="valid"):
        map_unit("tsc", "hvf")


def r(mode, workload, size, median, variant="v", shape=None, unit="instructions"):
    return {"mode": mode, "workload": workload, "variant": variant, "size": size,
            "what": "per_op", "median": median, "unit": unit, "shape": shape,
            "check": "ok"}


def test_compare_rows_pair_modes_and_shapes():
    rows = stats.compare_rows([r("mono", "fileio", 64, 100), r("micro", "fileio", 64, 300, shape="fs"),
                               r("micro", "fileio", 64, 500, shape="fs+blk"),
                               r("mono", "null", None, 10), r("micro", "null", None, 30)])
    got = [(x["workload"], x["shape"], x["ratio"], x["alt_ratio"]) for x in rows]
    # the micro column is the one-hop fs shape; fs+blk (two hops) sits beside it
    assert got == [("null", "", 3.0, {}), ("fileio", "fs", 3.0, {"fs+blk": 5.0})]
    assert rows[1]["alt"]["fs+blk"]["median"] == 500 and stats.alt_shapes(rows) == ["fs+blk"]


def test_only_the_two_hop_shape_still_gets_a_row():
    rows = stats.compare_rows([r("mono", "fileio", 64, 100),
                               r("micro", "fileio", 64, 500, shape="fs+blk")])
    assert [(x["shape"], x["ratio"], x["alt"]) for x in rows] == [("fs+blk", 5.0, {})]


def test_headline_picks_one_representative_case_per_workload():
    rows = [r("mono", "null", None, 10, "syscall"), r("mono", "null", None, 90, "yield"),
            r("micro", "null", None, 20, "syscall"),
            r("mono", "pingpong", 0, 100, "pipe"), r("mono", "pingpong", 8, 110, "pipe"),
            r("micro", "pingpong", 8, 300, "call_replyrecv"),
            r("micro", "pingpong", 8, 900, "call_replyrecv_slowpath"),
            r("linux", "pingpong", 8, 5000, "unix_socket", unit="ns"),
            r("linux", "pingpong", 8, 4000, "pipe", unit="ns"),
            r("mono", "sem", None, 50, "uncontended"), r("mono", "sem", None, 70, "pingpong"),
            r("micro", "sem", None, 140, "pingpong"),
            r("mono", "shm", 1024, 1, "handoff"), r("mono", "shm", 4096, 2, "handoff"),
            r("micro", "shm", 4096, 6, "handoff"),
            r("mono", "fileio", 4096, 100, "seq_write"), r("mono", "fileio", 4096, 200, "seq_read"),
            r("micro", "fileio", 4096, 500, "seq_read", shape="fs+blk"),
            r("micro", "fileio", 4096, 400, "seq_read", shape="fs"),
            r("micro", "fileio", 64, 300, "seq_read", shape="fs")]
    got = [(h["workload"], h["mono"]["variant"], h["micro"]["variant"], h["size"],
            h["shape"], h["ratio"], {s: x["median"] for s, x in h["alt"].items()},
            h["linux"] and h["linux"]["variant"]) for h in stats.headline(rows)]
    assert got == [("null", "syscall", "syscall", None, "", 2.0, {}, None),
                   ("pingpong", "pipe", "call_replyrecv", 8, "", 300 / 110, {}, "pipe"),
                   ("sem", "pingpong", "pingpong", None, "", 2.0, {}, None),
                   ("shm", "handoff", "handoff", 4096, "", 3.0, {}, None),
                   ("fileio", "seq_read", "seq_read", 4096, "fs", 2.0, {"fs+blk": 500}, None)]


def test_ratio_refuses_mixed_units_and_zero():
    rows = stats.compare_rows([r("mono", "null", None, 10), r("micro", "null", None, 30, unit="ns")])
    assert rows[0]["ratio"] is None
    assert stats.ratio(1, 0) is None and stats.ratio(None, 2) is None


def test_headline_size_picks_nearest():
    assert stats.headline_size("fileio", {64, 512, 16384}) == 512
    assert stats.headline_size("pingpong", {0, 8}) == 8
    assert stats.headline_size("pingpong", {0, 64}) == 0
    assert stats.headline_size("null", {None}) is None


def test_operations_line_up_each_systems_own_mechanism():
    rows = [r("mono", "pingpong", 8, 40, "pipe"), r("mono", "pingpong", 64, 50, "pipe"),
            r("micro", "pingpong", 8, 20, "call_replyrecv"),
            r("micro", "pingpong", 8, 90, "call_replyrecv_slowpath"),
            r("micro", "fileio", 4096, 300, "seq_read", shape="fs"),
            r("micro", "fileio", 4096, 500, "seq_read", shape="fs+blk"),
            r("micro", "null", None, 7, "uncounted"),
            dict(r("linux", "pingpong", 8, 4000, "pipe", unit="ns"), cpus=1),
            dict(r("linux", "pingpong", 8, 9000, "pipe", unit="ns"), cpus=2),
            r("linux", "pingpong", 8, 3000, "unix_socket", unit="ns"),
            r("linux", "fileio", 4096, 900, "read", unit="ns")]
    ops = {o["label"]: o for o in stats.operations(rows)}
    assert list(ops) == ["IPC 8 B rt", "read 4 KiB"]  # no listed null/yield variant: no row
    ipc = ops["IPC 8 B rt"]
    assert [ipc[m]["variant"] for m in ("mono", "micro", "linux")] == [
        "pipe", "call_replyrecv", "pipe"]
    assert ipc["linux"]["median"] == 4000  # one CPU, like the guests
    read = ops["read 4 KiB"]
    assert (read["mono"], read["micro"]["shape"], read["alt"]["fs+blk"]["median"],
            read["linux"]["variant"]) == (None, "fs", 500, "read")


def test_comparable_keeps_one_cpu_linux_rows():
    rows = [dict(r("linux", "null", None, 1), cpus=1), dict(r("linux", "null", None, 2), cpus=2)]
    assert [x["cpus"] for x in stats.comparable(rows)] == [1]


def test_accel_decision_rejects_slow_kvm():
    ok, why = accel.decide(2.4e6, 2300.0)
    assert not ok and "too slow" in why
    ok, why = accel.decide(2.0e9, 2300.0)
    assert ok and "native" in why


def test_calibration_guest_has_valid_multiboot_header():
    import struct
    magic, flags, checksum = struct.unpack("<3I", accel.loop_guest(5)[:12])
    assert magic == 0x1BADB002 and (magic + flags + checksum) & 0xFFFFFFFF == 0


def test_matrix_rejects_unknown_names_and_builds_cmdline():
    with pytest.raises(matrix.MatrixError, match="valid: null, pingpong"):
        matrix.parse_list("null,bogus", matrix.WORKLOADS, "workload")
    assert matrix.parse_list("mono micro,mono", matrix.MODES, "mode") == ["mono", "micro"]
    assert matrix.cmdline("pingpong", False) == (
        "run=bench workload=pingpong sizes=0,8,64,256,1024,4096,16384,65536 iters=1000 warmup=100")
    assert "sizes" not in matrix.cmdline("sem", True)


def test_single_differing_variants_of_mono_and_micro_pair_up():
    rows = stats.compare_rows([r("mono", "pingpong", 0, 100, "pipe"),
                               r("micro", "pingpong", 0, 250, "call_replyrecv"),
                               r("linux", "pingpong", 0, 900, "pipe", unit="ns"),
                               r("linux", "pingpong", 0, 800, "unix_socket", unit="ns")])
    assert [(x["variant"], x["ratio"], bool(x["linux"])) for x in rows] == [
        ("pipe / call_replyrecv", 2.5, True), ("unix_socket", None, True)]


def test_variants_that_exist_in_both_modes_are_not_joined():
    rows = stats.compare_rows([r("mono", "null", None, 1, "syscall"), r("mono", "null", None, 9, "yield"),
                               r("micro", "null", None, 2, "syscall"), r("micro", "null", None, 20, "yield")])
    assert [(x["variant"], x["ratio"]) for x in rows] == [("syscall", 2.0), ("yield", 20 / 9)]


def test_extra_micro_variant_stays_alone_when_pairing():
    rows = stats.compare_rows([r("mono", "pingpong", 0, 100, "pipe"), r("mono", "pingpong", 8, 110, "pipe"),
                               r("micro", "pingpong", 0, 50, "call"), r("micro", "pingpong", 8, 55, "call"),
                               r("micro", "pingpong", 8, 90, "call_slowpath")])
    assert [(x["variant"], x["size"], x["ratio"]) for x in rows] == [
        ("call_slowpath", 8, None), ("pipe / call", 0, 0.5), ("pipe / call", 8, 0.5)]


def test_default_mechanisms_pair_when_a_mode_has_several():
    rows = [r("mono", "pingpong", 8, 40, "pipe"), r("mono", "pingpong", 8, 50, "mq"),
            r("micro", "pingpong", 8, 20, "call_replyrecv")]
    got = {(x["mode"], x["variant"]) for x in stats.join_variants(rows)}
    assert got == {("mono", "pipe / call_replyrecv"), ("micro", "pipe / call_replyrecv"),
                   ("mono", "mq")}
