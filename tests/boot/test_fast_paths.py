"""test_fast_paths.py - what issue 19 asks of each IPC design's own
path, measured on real boots (icount, guest instructions): L4's fast
path (kernels/micro/ipc/l4_fast.c) brings its 8-byte round trip within
10% of sel4's, and neither takes the general path for it."""
import json

from bootlib import boot

ARGS = "run=bench workload=pingpong sizes=8 iters=200 warmup=20"


def round_trip(build):
    b = boot(build, ARGS)
    rows = [r for r in b.records if r.get("type") == "result" and r.get("variant") == "call_replyrecv"
            and r.get("size") == 8]
    assert len(rows) == 1 and rows[0]["check"] == "ok", b.out[-2000:]
    return rows[0]


def test_l4_fast_path_is_within_ten_percent_of_sel4():
    sel4, l4 = round_trip("micro-sel4"), round_trip("micro-l4")
    assert l4["median"] <= 1.10 * sel4["median"], json.dumps([sel4["median"], l4["median"]])
    for r in (sel4, l4):   # a direct switch each way, no scheduler pass, three words in registers
        ev = r["events"]
        assert ev["direct_switches"] == 2 and ev["sched_picks"] == 0 and ev["kentries"] == 2, ev
