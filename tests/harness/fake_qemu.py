#!/usr/bin/python3
"""fake_qemu.py - a stand-in for qemu-system-x86_64 in the harness tests.

It takes QEMU's command line, reads the -kernel file as a JSON spec
{"mode": "micro", "ipc": "sel4", "do": {"<workload>": "<behaviour>"}} and prints what a
guest would: protocol lines for -append's workload and sizes, then exits
with the code the real guest would cause; with -plugin (the cycle model)
it writes the model's lines too, and with the budget plugin
(-plugin ...,budget=N,out=F) its verdict: 1,000 instructions per line
printed, or for a hanging guest "exceeded" at once, exit 124 (as the
plugin stops QEMU). Behaviours: ok (default), hang, slowhost (a boot the
host never finishes: no verdict, no end),
crash, panic, malformed, noresults, checkfail, nodone, error, modelshort
(one model line too few), aborthost (abort on -cpu host only), abort (QEMU's
own error line on stderr, then SIGABRT, as QEMU does when KVM refuses an
MSR); "do" may also name one shape of a boot: {"fileio fs+blk": "crash"}. Micro fileio
results carry "shape" from fsshape= on the command line (default fs).
A -kernel file that is not JSON makes it exit 1 (like QEMU refusing it).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from mkb import protocol  # noqa: E402

BASE = {"null": 500, "pingpong": 2000, "shm": 3000, "sem": 1500, "fileio": 8000,
        "kvstore": 3000, "build": 900000, "mix": 5000000}
WHAT = {"null": "per_op", "pingpong": "round_trip", "shm": "per_handoff",
        "sem": "per_op", "fileio": "per_op", "kvstore": "per_op", "build": "per_run",
        "mix": "per_run"}


# A micro kernel's cost per IPC strategy, so strategies differ (kernel spec "ipc").
IPC_FACTOR = {"sel4": 1.0, "l4": 1.5, "mach": 6.0, "qnx": 2.0, "minix": 2.5, "rc4000": 3.0}
IPC = {"name": "sel4"}


def result(mode, workload, variant, size, shape=None, what=None, extra=0, work=None):
    micro = mode == "micro"
    # an application pays for IPC on a fraction of its work only
    cost = BASE[workload] * ((1.1 if workload in ("build", "mix") else 3) if micro else 1)
    cost = (int(cost) + (size or 0) // 2 + extra) * (work or 1)
    if micro:
        cost = int(cost * IPC_FACTOR[IPC["name"]])
    if shape == "fs+blk":
        cost += 4000
    r = {"type": "result", "workload": workload, "mode": mode, "variant": variant,
         "size": size, "what": what or WHAT[workload],
         "unit": "tsc", "n": 100, "warmup": 10, "min": cost - 10, "median": cost,
         "p99": cost + 50, "max": cost + 90, "mean": cost + 1.5, "stddev": 3.25,
         "overhead": 20,
         "events": {"kentries": 4 if micro else 2, "switches": 2 if micro else 0,
                    "as_switches": 2 if micro else 0,
                    "bytes_copied": 2 * (size or 0) if micro else size or 0},
         "check": "ok"}
    if shape:
        r["shape"] = shape
    if work:
        r["work"] = work
    return r


def results_for(mode, workload, sizes, shape=None):
    """What the real guest prints for one boot (same variants and whats)."""
    if mode == "micro" and workload in ("fileio", "kvstore", "build", "mix"):
        shape = shape or "fs"
    else:
        shape = None
    if workload == "null":
        return [result(mode, "null", "syscall", None),
                result(mode, "null", "yield", None, what="round_trip", extra=300)]
    if workload == "sem":
        return [result(mode, "sem", "pingpong", None, what="round_trip"),
                result(mode, "sem", "uncontended", None, extra=-1000)]
    if workload == "pingpong":
        # like the real kernels, pingpong names each mode's own mechanism
        variant = "pipe" if mode == "mono" else "call_replyrecv"
        rs = [result(mode, workload, variant, s) for s in sizes]
        if mode == "micro":
            rs.append(result(mode, workload, "call_replyrecv_slowpath", 8, extra=700))
        return rs
    if workload == "shm":
        return [result(mode, workload, "handoff", s) for s in sizes]
    if workload == "kvstore":
        return [x for s in sizes for m in ("ycsb_a", "ycsb_b", "ycsb_c")
                for x in (result(mode, workload, m, s, shape),
                          result(mode, workload, m + "_run", s, shape, "per_run", work=100))
                ] + [result(mode, workload, "recovery", s, shape, "per_run", extra=90000)
                     for s in sizes]
    if workload in ("build", "mix"):
        return [result(mode, workload, "job" if workload == "build" else "aim7_shared", s, shape,
                       extra=s * 1000, work=s if workload == "build" else 4 * s) for s in sizes]
    rs = [result(mode, workload, v, None, shape, extra=i * 100)
          for i, v in enumerate(("create", "open_close", "unlink"))]
    return rs + [result(mode, workload, v, s, shape, extra=i * 50)
                 for i, v in enumerate(("seq_write", "seq_read", "rand_write", "rand_read"))
                 for s in sizes]


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
    IPC["name"] = spec.get("ipc") or "sel4"
    do = spec.get("do", {}).get(workload, "ok")
    sizes = [int(s) for s in append.get("sizes", "").split(",") if s]
    out = sys.stdout

    def emit(obj):
        out.write(proto.prefix + json.dumps(obj) + "\n")
        out.flush()

    if do == "aborthost":   # aborts only on -cpu host, as some KVM hosts do
        do = "abort" if "-cpu" in argv and argv[argv.index("-cpu") + 1] == "host" else "ok"
    if do == "abort":
        print(f"{os.path.basename(sys.argv[0])}: error: failed to set MSR 0x10a to 0x69",
              file=sys.stderr, flush=True)
        os.abort()
    if do == "storm":   # a KVM that breaks the guest's system calls (kernels/core/proc.c)
        print(f"{os.path.basename(sys.argv[0])}: warning: host doesn't support requested "
              "feature: CPUID.07H:EBX.smep [bit 7]", file=sys.stderr, flush=True)
        for pid in range(3, 11):
            print(f"mkb: pid {pid} (fs) killed: page fault: read of 0x0 (kernel or non-user "
                  f"address) at rip 0x101234\nmkb: server fs (pid {pid}) died; restarted as "
                  f"pid {pid + 1}")
        print("\nkernel panic: restart storm: server fs died 8 times in a row before it ever "
              "waited for a request (status 14); this CPU or hypervisor does not run the guest "
              "correctly", flush=True)
        return proto.exit_panic
    plugins = [dict(kv.split("=", 1) for kv in a.split(",")[1:])
               for i, a in enumerate(argv) if i and argv[i - 1] == "-plugin"]
    budget = next((p for p in plugins if "budget" in p), None)
    model = next((p for p in plugins if "profile" in p), None)

    def verdict(executed):
        if budget:
            with open(budget["out"], "w") as f:
                b = int(budget["budget"])
                json.dump({"executed": executed, "trials": [executed], "budget": b,
                           "exceeded": executed > b,
                           "how": "port write" if executed > b else "exit"}, f)

    print("fake kernel booting")
    emit({"type": "boot", "mode": mode, "mem_kib": 130048})
    if do == "hang" and budget:
        verdict(int(budget["budget"]) + 1)
        return 124
    if do in ("hang", "slowhost"):
        time.sleep(3600)
    if do == "malformed":
        out.write(proto.prefix + '{"type":"result","workload":"null",\n')
    if do == "error":
        emit({"type": "error", "msg": f"unknown workload: {workload}"})
    shape = append.get("fsshape")
    if shape and shape not in ("fs", "fs+blk"):
        print(f"PANIC: fsshape={shape}: use fsshape=fs or fsshape=fs+blk")
        return proto.exit_panic
    do = spec.get("do", {}).get(f"{workload} {shape}", do)  # e.g. "fileio fs+blk"
    rs = [] if do == "noresults" else results_for(mode, workload, sizes, shape)
    for r in rs:
        r["ipc"] = IPC["name"] if mode == "micro" else mode
    if do == "checkfail":
        rs[0]["check"] = "data mismatch at byte 3"
    for r in rs:
        emit(r)
    verdict(1000 * (len(rs) + 2))
    if model:   # the cycle model: one line per result, 2.5 cycles an instruction
        opts = model
        with open(opts["out"], "w") as f:
            for i, r in enumerate(rs[:-1] if do == "modelshort" else rs):
                m = {k: r[k] * 2.5 for k in ("min", "median", "mean", "stddev", "p99", "max",
                                             "overhead")}
                f.write(json.dumps(dict(m, run=i, n=r["n"], model_version="1",
                                        profile=os.path.basename(opts["profile"])[:-4],
                                        events={"tlb_cycles": 3.0, "cr3_writes": 2.0})) + "\n")
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
