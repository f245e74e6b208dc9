"""test_report_linux.py - the Linux guest's tables (scripts/mkb/report_linux.py)
on fake rows: every system side by side, the ratios against mono and
against Linux with mitigations off, the copying rows, the profile's
functions; and the Linux guest kept out of the mono/micro comparison."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import matrix, report_linux, stats  # noqa: E402


def row(system, workload, variant, size, median, what="round_trip", copied=None, **extra):
    mode = matrix.mode_of(system)
    r = {"mode": mode, "workload": workload, "variant": variant, "size": size, "what": what,
         "median": median, "unit": "instructions", "check": "ok"}
    if mode == "micro":
        r["ipc"] = matrix.ipc_of(system)
    elif mode == "mono":
        r["ipc"] = "mono"
    else:
        r["mitigations"] = "default" if system.endswith("+mitigations") else "off"
    if copied is not None:
        r["events"] = {"bytes_copied": copied}
    r.update(extra)
    return r


PROFILE = {"kernel": 900.0, "user": 40.0, "iterations": 99,
           "functions": [["__schedule", 400.0], ["pipe_write", 300.0]]}
ROWS = [row("mono", "pingpong", "pipe", 8, 2000, copied=32),
        row("micro-sel4", "pingpong", "call_replyrecv", 8, 500, copied=0),
        row("linux-guest", "pingpong", "pipe", 8, 10000, profile=PROFILE),
        row("linux-guest+mitigations", "pingpong", "pipe", 8, 11000),
        row("mono", "pingpong", "pipe", 4096, 4000, copied=16384),
        row("linux-guest", "pingpong", "pipe", 4096, 12000),
        row("mono", "null", "syscall", None, 60, what="per_op"),
        row("linux-guest", "null", "getppid", None, 300, what="per_op")]


def test_side_by_side_in_one_unit():
    head, body = report_linux.side_by_side(ROWS)
    assert head == ["case", "mono", "sel4", "linux-guest", "linux-guest+mitigations",
                    "mono/linux", "sel4/mono", "sel4/linux"]
    ipc8 = next(b for b in body if b[0] == "IPC round trip 8 B")
    assert ipc8[1:] == ["2000", "500", "10000", "11000", "0.20x", "0.25x", "0.05x"]
    null = next(b for b in body if b[0] == "null system call")
    assert null[1:4] == ["60", "-", "300"] and null[5] == "0.20x" and null[6] == "-"


def test_copying_rows_and_the_profile():
    head, body = report_linux.copy_rows(ROWS)
    assert [b[:6] for b in body] == [["mono", "pingpong", "pipe", "8 B", "2000", "32"],
                                     ["mono", "pingpong", "pipe", "4 KiB", "4000", "16384"]]
    assert [b[7] for b in body] == ["10000", "12000"]   # Linux's instructions beside
    head, body = report_linux.profile_rows(ROWS)
    assert body == [["IPC round trip 8 B", "10000", "900", "40", "__schedule 400, pipe_write 300"]]
    assert "Linux's IPC round trip 8 B runs 900 instructions in its kernel" in report_linux.text(ROWS)


def test_the_linux_guest_stays_out_of_the_mono_micro_tables():
    assert all(r["mode"] != "linux-guest" for r in stats.comparable(ROWS))
    assert stats.system(ROWS[3]) == "linux-guest+mitigations"
    assert report_linux.side_by_side([r for r in ROWS if r["mode"] != "linux-guest"])[1] == []
