#!/usr/bin/python3
"""fake_qemu.py - a stand-in for qemu-system-x86_64 in the harness tests.

It takes QEMU's command line, reads the -kernel file as a JSON spec
{"mode": "micro", "do": {"<workload>": "<behaviour>"}} and prints what a
guest would: protocol lines for -append's workload and sizes, then exits
with the code the real guest would cause. Behaviours: ok (default), hang,
crash, panic, malformed, noresults, checkfail, nodone, error.
A -kernel file that is not JSON makes it exit 1 (like QEMU refusing it).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import protocol  # noqa: E402

BASE = {"null": 500, "pingpong": 2000, "shm": 3000, "sem": 1500, "fileio": 8000}


def result(mode, workload, variant, size, shape=None):
    micro = mode == "micro"
    cost = BASE[workload] * (3 if micro else 1) + (size or 0) // 2
    if shape == "fs+blk":
        cost += 4000
    r = {"type": "result", "workload": workload, "mode": mode, "variant": variant,
         "size": size, "what": "round_trip" if workload == "pingpong" else "per_op",
         "unit": "tsc", "n": 100, "warmup": 10, "min": cost - 10, "median": cost,
         "p99": cost + 50, "mean": cost + 1.5, "stddev": 3.25, "overhead": 20,
         "events": {"kentries": 4 if micro else 2, "switches": 2 if micro else 0,
                    "as_switches": 2 if micro else 0,
                    "bytes_copied": 2 * (size or 0) if micro else size or 0},
         "check": "ok"}
    if shape:
        r["shape"] = shape
    return r


def results_for(mode, workload, sizes):
    # like the real kernels, pingpong names each mode's own mechanism
    pingpong = "pipe" if mode == "mono" else "call_replyrecv"
    variant = {"null": "syscall", "pingpong": pingpong, "shm": "ring",
               "sem": "pingpong", "fileio": "seq"}[workload]
    if not sizes:
        return [result(mode, workload, variant, None)]
    shapes = ["fs", "fs+blk"] if workload == "fileio" and mode == "micro" else [None]
    return [result(mode, workload, variant, s, sh) for sh in shapes for s in sizes]


def main(argv):
    if "--version" in argv:
        print("QEMU emulator version 0.0.0 (fake)")
        return 0
    kernel = argv[argv.index("-kernel") + 1]
    append = dict(kv.split("=", 1) for kv in argv[argv.index("-append") + 1].split())
    try:
        with open(kernel) as f:
            spec = json.load(f)
    except (OSError, ValueError):
        print(f"qemu: could not load kernel '{kernel}'", file=sys.stderr)
        return 1
    proto = protocol.load()
    mode, workload = spec["mode"], append.get("workload")
    do = spec.get("do", {}).get(workload, "ok")
    sizes = [int(s) for s in append.get("sizes", "").split(",") if s]
    out = sys.stdout

    def emit(obj):
        out.write(proto.prefix + json.dumps(obj) + "\n")
        out.flush()

    print("fake kernel booting")
    emit({"type": "boot", "mode": mode, "mem_kib": 130048})
    if do == "hang":
        time.sleep(3600)
    if do == "malformed":
        out.write(proto.prefix + '{"type":"result","workload":"null",\n')
    if do == "error":
        emit({"type": "error", "msg": f"unknown workload: {workload}"})
    rs = [] if do == "noresults" else results_for(mode, workload, sizes)
    if do == "checkfail":
        rs[0]["check"] = "data mismatch at byte 3"
    for r in rs:
        emit(r)
    if do == "crash":
        return 1
    if do == "panic":
        print("PANIC: page fault at 0xdeadbeef")
        return proto.exit_panic
    if do != "nodone":
        emit({"type": "done", "status": 1 if do in ("checkfail", "error") else 0})
    return proto.exit_failure if do in ("checkfail", "error") else proto.exit_success


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
