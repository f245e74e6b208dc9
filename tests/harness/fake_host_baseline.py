#!/usr/bin/python3
"""fake_host_baseline.py - stands in for scripts/host_baseline.py in tests.

Writes a few Linux rows in the result schema (mode "linux", unit "ns") to
--out, like the real host baseline would.
"""
import argparse
import json

# like the real host baseline: Linux's own mechanisms' names; (..., cpus)
ROWS = [("null", "getppid", None, "per_op", 60, 1),
        ("null", "yield", None, "round_trip", 600, 1),
        ("null", "yield", None, "round_trip", 120, 2),  # not comparable: two CPUs
        ("pingpong", "pipe", 0, "round_trip", 4000, 1),
        ("pingpong", "pipe", 8, "round_trip", 4100, 1),
        ("pingpong", "pipe", 8, "round_trip", 9100, 2),
        ("pingpong", "pipe", 4096, "round_trip", 6000, 1),
        ("sem", "posix_sem", None, "round_trip", 3000, 1),
        ("shm", "sem_ring", 4096, "per_handoff", 5000, 1),
        ("fileio", "read", 4096, "per_op", 900, 1),
        ("fileio", "write", 4096, "per_op", 960, 1)]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    with open(args.out, "w") as f:
        for w, v, size, what, ns, cpus in ROWS:
            f.write(json.dumps({"type": "result", "workload": w, "mode": "linux",
                                "variant": v, "size": size, "what": what, "unit": "ns",
                                "n": 1000, "warmup": 100, "min": ns - 5, "median": ns,
                                "p99": ns * 2, "mean": ns + 0.5, "stddev": 4.0,
                                "overhead": 0, "events": {}, "check": "ok",
                                "cpus": cpus}) + "\n")


if __name__ == "__main__":
    main()
