#!/usr/bin/env python3
"""faults.py - the fault-injection campaign: faults injected into the
services of both kernels while a workload runs, and what they did.

Configurations: mono, and for each micro IPC strategy (--ipc, default
sel4) the file server alone (fs) and the file server calling a block
server (fs+blk). Workloads (--workloads): fileio, sem, shm, and kvstore
(the key-value application over the file system, bench/apps/kv.h; faults
go into the file server) (tests/guest/faultload.c); and, on 2 or 4 CPUs,
isolation: a critical periodic task pinned to CPU 0 while fileio runs with
the services on the last CPU (micro: servers=last) and its faults go into
the file system; the task reports its releases, misses and lateness (in
instructions), and a boot whose system fails loses it.
A boot runs one workload with fault=<service>:any:<seed> (lib/fault.h: a
wild write, a null read, an infinite loop, a corrupted reply or an early
exit, one class drawn per fault, at seeded request counts). Each
configuration's plan is the list (seed, workload) for seeds --seed,
--seed+1, ... in that order; its campaign is the shortest beginning of
that list whose boots injected at least --faults faults and ran every
workload (or all --runs rounds), whatever order the boots finished in, so a campaign repeats
exactly: same seeds, same boots, same outcomes, on any host.

Every boot runs under icount, bounded by a budget of guest instructions
(bench/budget/budget.c), never by wall time. First a healthy boot of each
(configuration, workload) without faults measures its length H; a fault
boot's budget is then 2 H in mono (its kernel restarts nothing, so a boot
with faults ends no later than a healthy one: the longest seen, 0.99 H),
and 4 H in micro plus one heartbeat period per operation (a looping
server is killed after --heartbeat timer ticks of 10 million
instructions each and restarted: every operation may meet one). A boot
that passes its budget hung: the kernel's watchdog (watchdog=<budget>,
kernels/core/watchdog.c) counts the budget from the kernel's start and
checks it from a non-maskable interrupt every 1/32 of it, so a boot that
spins with interrupts off is caught too; it says so and ends the boot
(in a process of several trials, it resets the machine for the next).
The budget plugin stays as the backstop for a watchdog that cannot fire,
at BACKSTOP x budget plus the firmware's share from the reset vector.
The wall-clock limit is only a safety net far above the budget: a boot
that hits it is reported as "the host was too slow to finish the
budget", left out of every figure, and makes the exit status 1.

A boot counts: faults injected (the "fault:" lines), services restarted
by the kernel and heartbeat kills, the workload's client-visible errors,
completed writes lost and data corrupted (its final check), the recovery
time the workload saw (from a failed operation to the next that succeeds,
in instructions), whether the workload itself was killed (a corrupted
reply it trusted), and whether the whole system failed: a kernel panic, a
hang (over budget), or no final line with no client killed. A failed
boot's last fault is the one that brought the system down; every other
fault was contained. Results go to results/faults/<run-id>/: summary.json
(with every boot), table.txt (the outcome tables: identical for the same
command on any host), a serial log per boot.

A QEMU process runs up to --trials boots of one workload with
consecutive seeds (kernels/core/trial.c): the kernel resets the machine
between them, and trial i is exactly the boot of seed first+i alone
(tests/boot/test_faults.py compares), so QEMU's start (about 0.09 s of
host CPU, most of a short mono boot) is paid once per process. The
watchdog ends a hung trial and the process goes on with the next; only a
trial that the backstop stops ends its process, and the seeds after it
go to a new one. Fewer trials go in a process near a campaign's end, so
that few boots run past it.

Boots run on Dask distributed (scripts/mkb/engine.py): a local cluster of
--jobs workers, or --cluster tcp://host:port. Exit status: 0 if every
micro fs+blk configuration had no whole-system failure and lost no
completed write, and no boot was cut short by a slow host; 1 otherwise;
2 on a bad command line or when the campaign cannot run.
"""
import argparse
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import (cli, engine, isolation, matrix, parse, protocol, provenance,  # noqa: E402
                 qemu, report_faults, results)
cli.require("distributed")   # Dask runs the boots (scripts/mkb/engine.py)

# workload -> the service its faults go into (kvstore: the key-value
# application over the file system, bench/apps/kv.h; isolation: fileio
# beside a critical periodic task on its own CPU)
WORKLOADS = {"fileio": "fs", "sem": "sem", "shm": "shm", "kvstore": "fs", "isolation": "fs"}
DEFAULT_WORKLOADS = ["fileio", "sem", "shm", "kvstore"]
TICK_INSTRUCTIONS = 10_000_000   # kernels/core/timer.c: 100 Hz; icount shift=0: 1 ns each
BACKSTOP = (1.25, 5_000_000)   # the plugin's budget: 1.25 x the watchdog's + the firmware's
BUDGET_MULTIPLE = {"mono": 2, "micro": 4}   # a fault boot may run this many times its
                                            # healthy length...
CALIBRATION_BUDGET = 2_000_000_000   # ...measured by a boot with at most this many
TRIALS = 8   # boots per QEMU process (kernels/core/trial.c)
KERNEL_HEARTBEAT = 30            # the kernel's default (kernels/core/sched.c)
QUANTUM = 10_000   # isolation: QEMU's vCPU turns end within this many instructions
                   # (quantum=, kernels/core/watchdog.c), so an interrupt on one CPU never
                   # waits for another CPU's whole turn; a bound on the emulator's error


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--faults", type=int, default=1000,
                   help="faults to inject per configuration, at least (default 1000)")
    p.add_argument("--runs", type=int, default=400, help="at most this many rounds (one boot "
                   "per workload each) per configuration (default 400)")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--ops", type=int, default=200, help="workload operations per boot (isolation: "
                   "per round, rounds repeat while the critical task runs)")
    p.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS),
                   help=f"comma separated, of {','.join(WORKLOADS)} (default "
                        f"{','.join(DEFAULT_WORKLOADS)}; isolation needs --cpus 2 or 4)")
    p.add_argument("--periods", type=int, default=20,
                   help="isolation: the critical task's releases per boot, one per timer tick "
                        "of 10 million instructions (default 20)")
    p.add_argument("--ipc", default="sel4", help="micro IPC strategies, comma separated, of "
                   f"{','.join(matrix.IPCS)} (default sel4)")
    p.add_argument("--heartbeat", type=int, default=3,
                   help="timer ticks a micro server may run without waiting before the kernel "
                        f"kills it (default 3: 30 ms of guest time; the kernel's own default "
                        f"is {KERNEL_HEARTBEAT})")
    p.add_argument("--kernel-dir", default="build", help="holds mono/ and micro-<ipc>/ (default build)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--budget-plugin", default=qemu.BUDGET_PLUGIN,
                   help="the instruction budget plugin (default build/budget/mkbbudget.so)")
    p.add_argument("--results-dir", default=os.path.join("results", "faults"),
                   help="where run directories go (default results/faults)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="local workers (default: one per CPU, up to 2)")
    p.add_argument("--cluster", default=None,
                   help="a Dask scheduler, tcp://host:port, to run the boots on its workers")
    p.add_argument("--cpus", type=int, default=1, choices=matrix.CPUS,
                   help="CPUs of every boot (default 1; 2 or 4: the SMP kernels, "
                        "build/<system>-smp, systems named <system>@<cpus>)")
    p.add_argument("--trials", type=int, default=TRIALS,
                   help=f"boots per QEMU process, reset between them (default {TRIALS})")
    p.add_argument("--safety-net", type=float, default=None, help=argparse.SUPPRESS)  # tests
    args = p.parse_args(argv)
    try:
        args.ipc = matrix.parse_list(args.ipc, matrix.IPCS, "IPC strategy")
        args.workloads = matrix.parse_list(args.workloads, list(WORKLOADS), "fault workload")
    except matrix.MatrixError as e:
        p.error(str(e))
    if min(args.faults, args.runs, args.ops, args.jobs, args.heartbeat, args.trials,
           args.periods) < 1 or args.seed < 0:
        p.error("--faults, --runs, --ops, --jobs, --heartbeat, --trials and --periods must be at "
                "least 1, --seed at least 0")
    if "isolation" in args.workloads and args.cpus < 2:
        p.error("the isolation workload keeps CPU 0 for its critical task: it needs --cpus 2 or "
                "4 (make faults CPUS=2 WORKLOADS=isolation)")
    return args


def configs(args):
    """(system, mode, shape) of each configuration, in order."""
    out = [(matrix.system("mono", cpus=args.cpus), "mono", None)]
    for ipc in args.ipc:
        out += [(matrix.system("micro", ipc, cpus=args.cpus), "micro", s) for s in ("fs", "fs+blk")]
    return out


def label(system, shape):
    return system + (f" {shape}" if shape else "")


def boot_spec(args, run_dir, system, shape, workload, seeds, budget):
    """The engine's Boot for one QEMU process that runs the trials of
    consecutive seeds (kernels/core/trial.c), each bounded by budget; or
    seeds None: one healthy trial, no fault."""
    n = len(seeds) if seeds else 1
    append = f"run=faults workload={workload} ops={args.ops} heartbeat={args.heartbeat} trials={n} " \
        f"watchdog={budget}"
    if seeds:
        append += f" fault={WORKLOADS[workload]}:any:{seeds[0]}"
    if shape:
        append += f" fsshape={shape}"
    if workload == "isolation":   # the critical task on CPU 0, the servers on the last
        append += f" periods={args.periods} quantum={QUANTUM}" + (" servers=last" if shape else "")
    argv = qemu.command(args.qemu, "@in:kernel", append, "icount", reboot=True,
                        cpus=matrix.cpus_of(system)) + \
        qemu.budget_args(int(budget * BACKSTOP[0]) + BACKSTOP[1], "@out:budget", "@in:budget.so")
    what = "healthy" if not seeds else f"{seeds[0]}" + (f"-{seeds[-1]}" if n > 1 else "")
    name = f"{system}-{shape or 'kernel'}-{workload}-{what}"
    net = args.safety_net or qemu.safety_net(budget * n)
    return engine.Boot(argv, os.path.join(run_dir, "logs", name + ".process.log"), net,
                       {"kernel": os.path.join(args.kernel_dir, matrix.build_of(system), "kernel.elf"),
                        "budget.so": args.budget_plugin}, ["budget"],
                       key=(system, shape, workload, seeds or [None]), budget=budget)


def split_trials(done, proto):
    """The trials of one finished QEMU process, in order: a list of (seed,
    log path, serial text, Outcome), one per trial that began (the rest of
    the process's seeds never ran). Each trial's log is written beside the
    process's, which is then removed. A trial ends with its
    trial_end line (its exit code) or, the last one, with the process
    (over budget, the safety net, QEMU's own end). The process's CPU time
    is shared among its trials in proportion to their instructions."""
    system, shape, workload, seeds = done.key
    out = done.outcome
    with open(done.log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    mark = proto.prefix + '{"type":"trial",'
    starts = [m.start() for m in re.finditer("^" + re.escape(mark), text, re.M)]
    cuts = [0] + starts[1:] + [len(text)] if starts else [0, len(text)]
    parts = [text[a:b] for a, b in zip(cuts, cuts[1:])]
    said = re.findall("^" + re.escape(mark) + r'"index":(\d+),"trials":\d+,"fault":"[^"]*?(\d*)"',
                      text, re.M)
    want = [(str(j), "" if seed is None else str(seed)) for j, seed in enumerate(seeds)]
    if said != want[:len(said)] or len(said) != len(starts):
        raise engine.EngineError(f"{done.log}: the trials (index, seed) {said} are not the "
                                 f"ones sent {want}")
    verdict = qemu.parse_budget(done.outputs.get("budget") or b"") or {}
    counts = verdict.get("trials") or []
    total = sum(counts[:len(parts)]) or 1
    trials = []
    for j, part in enumerate(parts[:len(seeds)]):
        last = j == len(parts) - 1
        end = re.search("^" + re.escape(proto.prefix) + r'\{"type":"trial_end",.*"exit":(\d+)\}',
                        part, re.M)
        if last:
            o = qemu.Outcome(out.status, out.timed_out, 0.0, out.error, 0.0)
            o.over_budget = out.over_budget
        else:
            o = qemu.Outcome(None, False, 0.0, None, 0.0)
        if end:
            o.status = (int(end.group(1)) << 1) | 1
        o.budget = done.budget   # the watchdog's (the plugin's is only the backstop)
        o.executed = counts[j] if j < len(counts) else None
        share = (o.executed / total) if o.executed is not None else 1 / len(parts)
        o.seconds, o.cpu_seconds = out.seconds * share, out.cpu_seconds * share
        log = os.path.join(os.path.dirname(done.log), f"{system}-{shape or 'kernel'}-{workload}-"
                           f"{'healthy' if seeds[j] is None else seeds[j]}.log")
        with open(log, "w", encoding="utf-8") as f:
            f.write(part)
        trials.append((seeds[j], log, part, o))
    os.remove(done.log)
    return trials


def judge(key, log, text, out, timeout, proto):
    """One trial's outcome as a dict, from its serial text and its Outcome."""
    system, shape, workload, seed = key
    records, _ = parse.scan(text.splitlines(True), proto.prefix)
    summary = next((r for r in records if r["type"] == "faults"), None)
    classes = re.findall(r"^fault: \w+: (\w+) at request", text, re.M)
    slow = out.timed_out or out.error is not None or out.executed is None
    hang = out.over_budget or (out.status is not None and out.status == proto.exit_hang)
    panic = not hang and (out.status == proto.exit_panic or "kernel panic" in text)
    client_died = bool(re.search(r"^mkb: pid \d+ \(faultload\) killed", text, re.M))
    failure = not slow and (panic or hang or (summary is None and not client_died))
    get = (lambda k: summary.get(k, 0)) if summary else (lambda k: 0)
    return {"system": system, "mode": matrix.mode_of(system), "ipc": matrix.ipc_of(system),
            "shape": shape, "workload": workload, "seed": seed,
            "log": os.path.relpath(log, os.path.dirname(os.path.dirname(log))),
            "faults": len(classes), "classes": classes,
            "restarts": len(re.findall(r"died; restarted as pid", text)),
            "heartbeat_kills": len(re.findall(r"stopped answering", text)),
            "panic": panic, "hang": hang, "slow_host": slow,
            "slow_reason": (out.error or ("QEMU ended without the budget plugin's verdict"
                                          if out.executed is None and not out.timed_out else
                                          f"the host was too slow: the wall-clock safety net of "
                                          f"{timeout:.0f} s ended it"))
            if slow else None,
            "system_failure": failure,
            "client_crashed": not slow and summary is None and client_died and not (panic or hang),
            "last_class": classes[-1] if classes else None,
            "errors": get("errors"), "lost": get("lost"), "corrupt": get("corrupt"),
            "done": get("done"), "recoveries": get("recoveries"),
            "recovery_sum": get("recovery_sum"), "recovery_max": get("recovery_max"),
            "critical": isolation.critical(records, workload, slow),
            "executed": out.executed, "budget": out.budget,
            "seconds": round(out.seconds, 3), "cpu_seconds": round(out.cpu_seconds, 4)}


def judge_process(done, proto):
    """The judged trials of one QEMU process: [(seed, judged dict)]."""
    system, shape, workload, seeds = done.key
    out = []
    for seed, log, text, o in split_trials(done, proto):
        b = judge((system, shape, workload, seed), log, text, o, done.timeout, proto)
        b["process"] = seeds[0]   # the QEMU process: its first seed (and the workload)
        out.append((seed, b))
    return out


def totals(boots):
    """A configuration's figures (slow-host boots left out)."""
    counted = [b for b in boots if not b["slow_host"]]
    n = lambda key: sum(b[key] or 0 for b in counted)  # noqa: E731
    by_class = {}
    for b in counted:
        for c in b["classes"]:
            by_class.setdefault(c, {"injected": 0, "then_panic": 0, "then_hang": 0})
            by_class[c]["injected"] += 1
        if b["last_class"] and (b["panic"] or b["hang"]):
            by_class[b["last_class"]]["then_panic" if b["panic"] else "then_hang"] += 1
    faults = n("faults")
    after_fault = sum(1 for b in counted if b["system_failure"] and b["faults"])
    no_fault = sum(1 for b in counted if b["system_failure"] and not b["faults"])
    cpu = sum(b["cpu_seconds"] for b in boots)
    return {"boots": len(counted), "faults": faults,
            "system_failures": after_fault + no_fault,
            "failures_after_a_fault": after_fault, "failures_without_a_fault": no_fault,
            "panics": sum(b["panic"] for b in counted), "hangs": sum(b["hang"] for b in counted),
            "client_crashes": sum(b["client_crashed"] for b in counted),
            "services_restarted": n("restarts"), "heartbeat_kills": n("heartbeat_kills"),
            "client_errors": n("errors"), "completed_writes_lost": n("lost"),
            "corrupted": n("corrupt"), "operations_done": n("done"),
            "recoveries": n("recoveries"),
            "recovery_mean": round(n("recovery_sum") / n("recoveries")) if n("recoveries") else None,
            "recovery_max": max((b["recovery_max"] or 0 for b in counted), default=0),
            "recovery_unit": "instructions",
            "contained_faults": faults - after_fault,
            "contained_per_100_faults": round(100 * (faults - after_fault) / faults, 1)
            if faults else None,
            "slow_host_boots": len(boots) - len(counted), "by_class": by_class,
            "isolation": isolation.totals(counted),
            "by_workload": {w: {k: sum(b[f] or 0 for b in counted if b["workload"] == w)
                                for k, f in (("operations_done", "done"), ("client_errors", "errors"),
                                             ("lost", "lost"), ("corrupted", "corrupt"))}
                            for w in sorted({b["workload"] for b in counted})},
            "timing": {"cpu_seconds": round(cpu, 2),
                       "qemu_processes": len({(b["workload"], b["process"]) for b in boots}),
                       "faults_per_cpu_second": round(faults / cpu, 2) if cpu else None}}


def calibrate(args, eng, run_dir, proto, meta):
    """Healthy boots, one per (configuration, workload): their lengths in
    instructions, or an error message."""
    futs = [eng.submit(boot_spec(args, run_dir, system, shape, w, None, CALIBRATION_BUDGET))
            for system, _, shape in configs(args) for w in args.workloads]
    healthy = {}
    for done in eng.as_completed(futs):
        [(_, b)] = judge_process(done, proto)
        key = (b["system"], b["shape"], b["workload"])
        meta["calibration"].append(b)
        if b["slow_host"]:
            return None, (f"healthy boot {label(*key[:2])} {key[2]} did not finish: "
                          f"{b['slow_reason']}")
        if b["system_failure"] or b["errors"] or b["heartbeat_kills"] or b["faults"]:
            return None, (f"healthy boot {label(*key[:2])} {key[2]} did not run clean (see "
                          f"{b['log']}): a fault-free boot must finish with no error, no "
                          "heartbeat kill (is --heartbeat too short?)")
        healthy[key] = b["executed"]
    return healthy, None


def budget_for(args, mode, healthy):
    """A fault boot's budget from its healthy length (see the top)."""
    extra = args.ops * args.heartbeat * TICK_INSTRUCTIONS if mode == "micro" else 0
    return BUDGET_MULTIPLE[mode] * healthy + extra


class Campaign:
    """One configuration's plan and the boots of it that finished."""

    def __init__(self, args, system, mode, shape):
        self.system, self.mode, self.shape = system, mode, shape
        self.workloads = args.workloads
        self.plan = [(seed, w) for seed in range(args.seed, args.seed + args.runs)
                     for w in self.workloads]
        # each workload's plan indices not yet sent, in order (consecutive seeds)
        self.todo = {w: [i for i, (_, pw) in enumerate(self.plan) if pw == w]
                     for w in self.workloads}
        self.finished, self.target = {}, args.faults
        self.end = None   # index past the last boot of the campaign, once known
        self.running = 0  # boots sent and not back

    def settle(self):
        """Find the end: the shortest beginning of the plan with enough
        faults, and at least one boot of each workload."""
        faults, i = 0, 0
        while i in self.finished:
            faults += self.finished[i]["faults"]
            i += 1
            if faults >= self.target and i >= len(self.workloads):
                self.end = i
                return
        if i == len(self.plan):
            self.end = i

    def wanted(self):
        """More boots to start? Not once the end is known or the plan is out."""
        return self.end is None and any(self.todo.values())

    def batch_size(self, most):
        """How many boots the next process should run: at most most, and
        no more than the campaign still seems to need (from the faults per
        boot so far, counting the boots under way), so that few boots run
        past its end; one until the first boots are back."""
        if not self.finished:
            return 1
        faults = sum(b["faults"] for b in self.finished.values())
        rate = max(faults / len(self.finished), 0.1)
        need = math.ceil(max(0.0, self.target - faults - self.running * rate) / rate)
        return max(1, min(most, math.ceil(need / len(self.workloads))))

    def take(self, most):
        """The next batch: plan indices of one workload (the one whose next
        boot comes first in the plan), consecutive seeds."""
        w = min((w for w in self.workloads if self.todo[w]), key=lambda w: self.todo[w][0])
        n, todo = self.batch_size(most), self.todo[w]
        k = 1   # consecutive seeds only: indices given back leave gaps
        while k < min(n, len(todo)) and self.plan[todo[k]][0] == self.plan[todo[0]][0] + k:
            k += 1
        batch, self.todo[w] = todo[:k], todo[k:]
        self.running += len(batch)
        return w, batch

    def give_back(self, w, indices):
        """Plan indices a process never began: first in line again."""
        self.todo[w] = sorted(indices + self.todo[w])

    def boots(self):
        return [self.finished[i] for i in range(self.end)]


def run_campaigns(args, eng, run_dir, proto, budgets):
    """Every configuration's campaign, all workers kept busy, each QEMU
    process running --trials boots of consecutive seeds; boots past a
    campaign's end are cancelled or dropped."""
    camps = [Campaign(args, *c) for c in configs(args)]
    futs, index = set(), {}
    start, shown, boots_done = time.monotonic(), 0.0, 0
    limit = 2 * max(args.jobs, len(eng.client.scheduler_info().get("workers", {})))
    distributed, _ = engine._import_dask()
    pending = distributed.as_completed()
    while True:
        more = True
        while more and len(futs) < limit:   # one process of each configuration in turn
            more = False
            for c in camps:
                if c.wanted() and len(futs) < limit:
                    w, batch = c.take(args.trials)
                    seeds = [c.plan[i][0] for i in batch]
                    budget = budgets[(c.system, c.shape, w)]
                    f = eng.submit(boot_spec(args, run_dir, c.system, c.shape, w, seeds, budget))
                    index[f.key] = (c, w, batch)
                    futs.add(f)
                    pending.add(f)
                    more = True
        if not futs:
            break
        f = next(pending)
        if f.key not in index:     # cancelled, past its campaign's end
            continue
        futs.discard(f)
        c, w, batch = index.pop(f.key)
        c.running -= len(batch)
        if c.end is not None and batch[0] >= c.end:
            continue
        judged = judge_process(eng.result(f), proto)
        for i, (_, b) in zip(batch, judged):
            c.finished[i] = b
        boots_done += len(judged)
        if len(judged) < len(batch):
            c.give_back(w, batch[len(judged):])
        c.settle()
        if c.end is not None:
            for g in [g for g in futs if index[g.key][0] is c and index[g.key][2][0] >= c.end]:
                g.cancel()
                futs.discard(g)
                index.pop(g.key)
        now = time.monotonic()
        if now - shown > 5:
            shown = now
            progress(camps, boots_done, now - start)
    return camps


def progress(camps, boots_done, seconds):
    """One progress line: boots done, faults and failures so far, an ETA."""
    faults = sum(b["faults"] for c in camps for b in c.finished.values())
    fails = sum(b["system_failure"] for c in camps for b in c.finished.values())
    want = sum(c.target for c in camps)
    got = sum(min(c.target, sum(b["faults"] for b in c.finished.values())) for c in camps)
    eta = f", about {seconds * (want - got) / got:.0f} s to go" if got else ""
    print(f"faults: {boots_done} boots done, {faults} faults injected, {fails} whole-system "
          f"failures so far ({seconds:.0f} s{eta})", flush=True)


def words(v, unit=""):
    return "no data" if v is None else f"{v:,}{unit}" if isinstance(v, int) else f"{v}{unit}"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    proto = protocol.load()
    for system, _, _ in configs(args):
        kernel = os.path.join(args.kernel_dir, matrix.build_of(system), "kernel.elf")
        if not os.path.isfile(kernel):
            print(f"faults.py: kernel not built: {kernel}", file=sys.stderr)
            return 2
    if not os.path.isfile(args.budget_plugin):
        print(f"faults.py: the budget plugin is not built: {args.budget_plugin} (make budget)",
              file=sys.stderr)
        return 2
    run_id, run_dir = results.new_run_dir(args.results_dir)
    os.makedirs(os.path.join(run_dir, "logs"), exist_ok=True)
    results.update_latest(args.results_dir, run_id)
    meta = {"run_id": run_id, "date": provenance.now_iso(), "git": provenance.git_state(),
            "qemu": qemu.version(args.qemu), "accel": "icount", "ipc": args.ipc, "ops": args.ops,
            "workloads": args.workloads, "cpus": args.cpus, "periods": args.periods,
            "seed": args.seed, "runs": args.runs, "heartbeat": args.heartbeat,
            "heartbeat_instructions": args.heartbeat * TICK_INSTRUCTIONS,
            "target_faults": args.faults, "budget_rule": "mono: 2 x healthy length; micro: 4 x "
            "healthy length + ops x heartbeat period", "calibration": [], "budgets": [],
            "configs": []}
    started = time.monotonic()
    try:
        with engine.Engine(args.jobs, args.cluster, args.qemu) as eng:
            meta["engine"] = eng.describe()
            print(f"faults: run {run_id} on {meta['engine']['cluster']}; healthy boots first "
                  "(their lengths set the instruction budgets)", flush=True)
            try:
                healthy, why = calibrate(args, eng, run_dir, proto, meta)
                if why:
                    print(f"faults.py: {why}", file=sys.stderr)
                    results.write_json(os.path.join(run_dir, "summary.json"), meta)
                    return 2
                budgets = {k: budget_for(args, matrix.mode_of(k[0]), h) for k, h in healthy.items()}
                meta["budgets"] = [(s, sh, w, healthy[(s, sh, w)], budgets[(s, sh, w)])
                                   for s, _, sh in configs(args) for w in args.workloads]
                camps = run_campaigns(args, eng, run_dir, proto, budgets)
            except KeyboardInterrupt:
                eng.kill_all()
                raise
    except engine.EngineError as e:
        print(f"faults.py: {e}", file=sys.stderr)
        results.write_json(os.path.join(run_dir, "summary.json"), meta)
        return 2
    for c in camps:
        boots = c.boots()
        t = totals(boots)
        meta["configs"].append({"system": c.system, "mode": c.mode, "ipc": matrix.ipc_of(c.system),
                                "shape": c.shape, **t, "boots_detail": boots})
        rate = t["timing"]["faults_per_cpu_second"]
        print(f"faults: {label(c.system, c.shape)}: {t['faults']} faults in {t['boots']} boots, "
              f"{t['system_failures']} whole-system failures ({t['panics']} panics, "
              f"{t['hangs']} hangs over budget; {t['failures_without_a_fault']} with no fault), "
              f"contained per 100 faults {words(t['contained_per_100_faults'])}, "
              f"{t['services_restarted']} restarts, {t['client_errors']} client errors, "
              f"{t['completed_writes_lost']} completed writes lost, {t['corrupted']} corrupted, "
              f"recovery seen by the client {words(t['recovery_mean'], ' instructions')} on "
              f"average; {words(rate)} faults per CPU-second", flush=True)
        if t["isolation"]:
            i = t["isolation"]
            print(f"faults: {label(c.system, c.shape)}: isolation: critical task lost in "
                  f"{i['critical_lost']} of {i['boots']} boots; {i['missed']} of {i['releases']} "
                  f"releases missed; lateness {words(i['late_mean'])} instructions on average, "
                  f"{words(i['late_max'])} at worst", flush=True)
    meta["seconds"] = round(time.monotonic() - started, 1)
    faults = sum(c["faults"] for c in meta["configs"])
    cpu = sum(c["timing"]["cpu_seconds"] for c in meta["configs"])
    meta["timing"] = {"faults_per_cpu_second": round(faults / cpu, 2) if cpu else None,
                      "cpu_seconds": round(cpu, 1), "wall_seconds": meta["seconds"]}
    results.write_json(os.path.join(run_dir, "summary.json"), meta)
    with open(os.path.join(run_dir, "table.txt"), "w", encoding="utf-8") as f:
        f.write(report_faults.outcome_table(meta))
    print(f"faults: {faults} faults in {meta['seconds']:.0f} s wall, "
          f"{words(meta['timing']['faults_per_cpu_second'])} faults per CPU-second of QEMU")
    print(f"fault results: {run_dir} (outcome tables: table.txt)")
    slow = sum(c["slow_host_boots"] for c in meta["configs"])
    if slow:
        print(f"faults.py: {slow} boots were cut short by the wall-clock safety net: the host "
              "was too slow to finish their instruction budget (not guest hangs; they are left "
              "out of every figure); run again on a less loaded host", file=sys.stderr)
    bad = [c for c in meta["configs"] if c["shape"] == "fs+blk"
           and (c["system_failures"] or c["completed_writes_lost"])]
    return 1 if bad or slow else 0


if __name__ == "__main__":
    cli.run(main, "interrupted; the run directory holds what finished")
