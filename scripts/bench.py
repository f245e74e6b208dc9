#!/usr/bin/env python3
"""bench.py - run the benchmark matrix and write results/<run-id>/.

One QEMU boot per (system, workload), all sizes in that boot (kernel
command line: run=bench workload=... sizes=... iters=... warmup=...); a
system is the mono kernel or the micro kernel built with one IPC strategy
(build/micro-<ipc>/, --ipc); micro fileio boots once per file-server shape
(fsshape=fs, fsshape=fs+blk), each with its own log
(logs/micro-sel4-fileio-fs+blk.log) and results tagged "shape". Mode "linux"
runs scripts/host_baseline.py instead. A run that hangs, crashes, prints a
malformed line, prints no results or a failed data check is recorded as a
failure and the others go on. Exit status: 0 all runs ok, 1 some run
failed, 2 bad command line.

Under icount every boot is bounded by a budget of guest instructions
(bench/budget/budget.c counts, scripts/mkb/budgets.py sets it): a
multiple of the same boot's length in the reference run (--reference,
default results/reference, whose meta.json records each boot's
instructions). A boot over its budget hung, on any host. --timeout is then only a safety net (default:
the time a host 50 times slower than this one would need); hitting it
means the host was too slow, not that the guest hung. Under tcg and kvm
--timeout (default 300 s) is the only bound. Guest boots run on Dask distributed
(scripts/mkb/engine.py): a local cluster of --jobs workers, or --cluster
tcp://host:port; the Linux baseline always runs here, alone.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkb import (accel, budgets, cli, engine, hostrun, linuxguest, matrix, mca, model,  # noqa: E402
                 protocol, provenance, qemu, report_linux, report_smp, results, schedule, stats,
                 strategies, table, verdict)
from mkb.units import map_unit  # noqa: E402
cli.require("distributed")   # Dask runs the boots (scripts/mkb/engine.py)

HOST_BASELINE = os.path.join(protocol.REPO, "scripts", "host_baseline.py")
REFERENCE = os.path.join(protocol.REPO, "results", "reference")
WALL_LIMIT = 300   # seconds per boot under tcg and kvm, and for the Linux baseline


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run the mkbench matrix under QEMU (and the Linux host "
                    "baseline) and write results/<run-id>/.")
    p.add_argument("--modes", default="mono,micro,linux",
                   help=f"comma separated, of {','.join(matrix.MODES)} (default: mono,micro,linux)")
    p.add_argument("--ipc", default=",".join(matrix.IPCS),
                   help=f"micro IPC strategies, comma separated, of {','.join(matrix.IPCS)} "
                        "(default: all)")
    p.add_argument("--mach-handoff", default=",".join(matrix.HANDOFFS),
                   help="mach's handoff scheduling, comma separated, of off,on: one mach "
                        "boot per setting (default: both; rows carry handoff)")
    p.add_argument("--vs", default=None,
                   help="the micro strategy that mono is set against in the tables (default: "
                        f"{matrix.DEFAULT_IPC} if it ran, else the first of --ipc)")
    p.add_argument("--workloads", default=",".join(matrix.WORKLOADS),
                   help=f"comma separated, of {','.join(matrix.VALID_WORKLOADS)}, or apps for "
                        f"{','.join(matrix.APPS)} (default: all but "
                        f"{','.join(matrix.MULTICORE)}, which needs --cpus 2 or 4)")
    p.add_argument("--cpus", default="1",
                   help="CPU counts, comma separated, of 1,2,4 (default 1): each guest system "
                        "boots once per count; above 1 its SMP kernel (build/<system>-smp) under "
                        "QEMU -smp, named <system>@<cpus>, rows carrying cpus")
    p.add_argument("--app-sweep", action="store_true",
                   help="run the application workloads over all their sizes (default: one "
                        "size each; make bench sets this when WORKLOADS names them)")
    p.add_argument("--accel", default="auto",
                   help="icount|tcg|kvm|auto (default auto: kvm only if it runs at "
                        "native speed, else icount)")
    p.add_argument("--quick", action="store_true", help="fewer iterations and sizes")
    p.add_argument("--timeout", type=float, default=None,
                   help="wall-clock seconds allowed per QEMU run: under icount only a safety "
                        "net (default: the time a host 50 times slower than this one would "
                        "need for the boot's instruction budget); otherwise the only bound "
                        "(default 300)")
    p.add_argument("--kernel-dir", default="build",
                   help="directory holding <system>/kernel.elf: mono, micro-<ipc> (default build)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary (default qemu-system-x86_64)")
    p.add_argument("--results-dir", default="results", help="where run directories go (default results)")
    p.add_argument("--host-baseline", default=HOST_BASELINE,
                   help="script run for mode linux (default scripts/host_baseline.py)")
    p.add_argument("--model", default="off",
                   help=f"cycle-model profile ({', '.join(model.profiles())}) or off (default "
                        "off; make bench turns skylake on): modeled cycles beside instructions")
    p.add_argument("--model-plugin", default=model.DEFAULT_PLUGIN,
                   help="the cycle model plugin (default build/model/mkbmodel.so)")
    p.add_argument("--kvm-cpu", default="host",
                   help="QEMU CPU model under KVM (default host; if host aborts, one retry with "
                        f"{qemu.KVM_FALLBACK_CPU}, recorded in meta.json)")
    p.add_argument("--jobs", type=int,
                   help="guest boots at a time (default: under icount, whose figures do not "
                        "depend on the host, one per CPU up to 2; otherwise 1)")
    p.add_argument("--cluster", default=None,
                   help="a Dask scheduler, tcp://host:port: the guest boots run on its workers "
                        "(icount only; the Linux baseline runs here)")
    p.add_argument("--reference", default=REFERENCE,
                   help="the run whose boot lengths set the instruction budgets (default "
                        "results/reference)")
    p.add_argument("--budget-plugin", default=qemu.BUDGET_PLUGIN,
                   help="the instruction budget plugin (default build/budget/mkbbudget.so)")
    p.add_argument("--check", action="store_true",
                   help="only validate the options and exit (used by make)")
    p.add_argument("--iters", type=int, help="measured iterations (default 1000, --quick 100)")
    p.add_argument("--warmup", type=int, help="warm-up iterations (default 100, --quick 10)")
    p.add_argument("--profile-plugin", default=os.path.join("build", "profile", "mkbprof.so"),
                   help="the profile plugin the Linux guest's boots load (make profile)")
    p.add_argument("--linux-kernel", default=None,
                   help="the Linux guest's kernel (default: the newest /boot/vmlinuz-*-cloud-amd64)")
    p.add_argument("--cc", default=os.environ.get("CC"),
                   help="compiler that built the kernels, for meta.json")
    p.add_argument("--cflags", default=os.environ.get("CFLAGS"),
                   help="its flags, for meta.json")
    args = p.parse_args(argv)
    try:
        args.modes = matrix.parse_list(args.modes, matrix.MODES, "mode")
        args.workloads = matrix.parse_list(args.workloads, matrix.VALID_WORKLOADS, "workload",
                                           matrix.ALIASES)
        args.cpus = matrix.parse_cpus(args.cpus)
        matrix.check_cpus(args.workloads, args.cpus)
        args.ipc = matrix.parse_list(args.ipc, matrix.IPCS, "IPC strategy")
        args.mach_handoff = matrix.parse_list(args.mach_handoff, matrix.HANDOFFS,
                                              "mach handoff setting")
        accels = matrix.parse_list(args.accel, ("icount", "tcg", "kvm", "auto"),
                                   "accelerator")
    except matrix.MatrixError as e:
        p.error(str(e))
    if args.vs is not None and args.vs not in args.ipc:
        p.error(f"--vs {args.vs}: not one of the strategies this run boots "
                f"({','.join(args.ipc)})")
    if len(accels) != 1:
        p.error(f"one accelerator per run, not {', '.join(accels)} (units differ "
                "between them; run once per accelerator and compare the runs)")
    args.accel = accels[0]
    # Each workload's own default (matrix.ITERS_OF) unless --iters/--warmup say
    args.iters_given, args.warmup_given = args.iters is not None, args.warmup is not None
    if args.iters is None:
        args.iters = matrix.QUICK_ITERS if args.quick else matrix.ITERS
    if args.warmup is None:
        args.warmup = matrix.QUICK_WARMUP if args.quick else matrix.WARMUP
    if args.timeout is not None and args.timeout <= 0:
        p.error("--timeout must be positive")
    if args.jobs is not None and args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.iters < 1 or args.warmup < 0:
        p.error("--iters must be at least 1 and --warmup at least 0")
    if args.cluster and accels[0] not in ("icount", "auto"):
        p.error(f"--cluster runs icount boots only (their results do not depend on the machine "
                f"that ran them), not {accels[0]}")
    if args.model != "off" and args.model not in model.profiles():
        p.error(f"unknown model profile {args.model!r} (valid: {', '.join(model.profiles())}, off)")
    return args


def run_name(system, workload, shape=None):
    """How a boot is named in progress lines and failures: "micro-sel4 fileio fs+blk"."""
    return " ".join(x for x in (system, workload, shape) if x)


def guest_boot(args, ctx, system, workload, shape=None):
    """The engine's Boot of one (system, workload, shape), and its run info."""
    kernel = os.path.join(args.kernel_dir, matrix.build_of(system), "kernel.elf")
    handoff = matrix.handoff_of(system)
    append = matrix.cmdline(workload, args.quick, *given_counts(args), shape, handoff, args.app_sweep)
    linux = matrix.mode_of(system) == matrix.LINUX_GUEST
    if linux:   # Debian's kernel, our init (linuxguest.py)
        kernel, append = ctx["linux"]["kernel"], linuxguest.append(system, append)
    cpus = matrix.cpus_of(system)
    argv = qemu.command(args.qemu, "@in:kernel", append, ctx["accel"], kvm_cpu=ctx["kvm_cpu"],
                        memory=linuxguest.MEMORY if linux else "128M", cpus=cpus)
    log = os.path.join("logs", run_name(system, workload, shape).replace(" ", "-") + ".log")
    inputs, outputs, local = {"kernel": kernel}, [], {"@in:kernel": kernel}
    if linux:
        linuxguest.boot_files(system, ctx, args.profile_plugin, log, argv, inputs, outputs, local)
    if ctx.get("model") and not linux and cpus == 1:   # one CPU's clock: not on several yet
        argv += model.qemu_args("@in:model.so", ctx["model"], "@out:model", "@in:blocks",
                                "@out:missing")
        argv[-1] = argv[-1].replace(model.profile_path(ctx["model"]), "@in:profile")
        inputs.update({"model.so": args.model_plugin, "profile": model.profile_path(ctx["model"]),
                       "blocks": ctx["blocks"]})
        outputs += ["model", "missing"]
        local.update({"@in:model.so": args.model_plugin, "@in:profile": inputs["profile"],
                      "@in:blocks": ctx["blocks"],
                      "@out:model": os.path.join(ctx["dir"], log[:-4] + ".model.jsonl"),
                      "@out:missing": os.path.join(ctx["dir"], log[:-4] + ".missing.txt")})
    info = {"mode": matrix.mode_of(system), "ipc": matrix.ipc_of(system), "workload": workload,
            "log": log}
    if linux:
        info = {"mode": matrix.LINUX_GUEST, "mitigations": linuxguest.MITIGATIONS[system],
                "workload": workload, "log": log}
    if shape:
        info["shape"] = shape
    if handoff:
        info["handoff"] = handoff
    if cpus > 1:
        info["cpus"] = cpus
    timeout = args.timeout or WALL_LIMIT
    if ctx["accel"] == "icount":
        budget, source = budgets.budget_of(ctx["reference"], args, system, workload, shape)
        argv += qemu.budget_args(budget, "@out:budget", "@in:budget.so")
        inputs["budget.so"] = args.budget_plugin
        outputs.append("budget")
        local.update({"@in:budget.so": args.budget_plugin,
                      "@out:budget": os.path.join(ctx["dir"], log[:-4] + ".budget.json")})
        timeout = args.timeout or qemu.safety_net(budget)
        info.update(budget=budget, budget_source=source, safety_net_seconds=round(timeout))
    command = []
    for a in argv:   # what a user would type to boot it again here
        for token, path in sorted(local.items(), key=lambda t: -len(t[0])):
            a = a.replace(token, path)
        command.append(a)
    info["command"] = command
    return engine.Boot(argv, os.path.join(ctx["dir"], log), timeout, inputs, outputs,
                       key=(system, workload, shape), budget=info.get("budget")), info


def given_counts(args):
    """(iters, warmup) as the user gave them, None where not: each
    workload's boot then takes its own default (matrix.cmdline)."""
    return (args.iters if args.iters_given else None, args.warmup if args.warmup_given else None)


def submit_guest(args, ctx, system, workload, shape=None):
    """Start one boot on the engine: (future, run info), or (None, run info,
    reasons) style failure when the kernel is not built."""
    if matrix.mode_of(system) == matrix.LINUX_GUEST and ctx["linux"].get("error"):
        return None, {"mode": matrix.LINUX_GUEST, "mitigations": linuxguest.MITIGATIONS[system],
                      "workload": workload, "log": None, "not_run": ctx["linux"]["error"]}
    boot, info = guest_boot(args, ctx, system, workload, shape)
    if not os.path.isfile(boot.inputs["kernel"]):
        return None, info
    return ctx["engine"].submit(boot), info


REPRICE_BOOTS = 2   # boots again after pricing new segments (one is enough: a boot repeats)


def collect_guest(args, ctx, future, info, repriced=0):
    """Wait for a submitted boot; return (results, reasons, run info). With
    the cycle model, segments its block costs lacked are priced (mca.py)
    and the boot is run again, so every modeled figure has LLVM's base
    cost."""
    system = matrix.system_of(info)
    workload, shape = info["workload"], info.get("shape")
    if future is None and info.get("not_run"):
        return [], [info["not_run"]], info
    if future is None:
        return [], [f"kernel not built: "
                    f"{os.path.join(args.kernel_dir, matrix.build_of(system), 'kernel.elf')}"], info
    try:
        done = ctx["engine"].result(future)
    except engine.EngineError as e:
        return [], [f"the engine lost this boot: {e}"], info
    outcome, log = done.outcome, os.path.join(ctx["dir"], info["log"])
    info.update(status=outcome.status, seconds=round(outcome.seconds, 3), worker=done.worker)
    if outcome.budget is not None:
        info.update(executed=outcome.executed, over_budget=outcome.over_budget)
    model_out = os.path.join(ctx["dir"], info["log"][:-4] + ".model.jsonl")
    missing_out = os.path.join(ctx["dir"], info["log"][:-4] + ".missing.txt")
    kprof_out = os.path.join(ctx["dir"], info["log"][:-4] + ".kprof.jsonl")
    for name, path in (("model", model_out), ("missing", missing_out), ("kprof", kprof_out),
                       ("budget", os.path.join(ctx["dir"], info["log"][:-4] + ".budget.json"))):
        if done.outputs.get(name) is not None:
            with open(path, "wb") as f:
                f.write(done.outputs[name])
    records, problem = verdict.read_log(log, ctx["proto"])
    found, reasons = verdict.judge_guest(records, system, workload, outcome, ctx["proto"], shape)
    if problem:
        reasons.insert(0, problem)
    if verdict.qemu_failed(outcome, ctx["proto"]):
        info["qemu_failed"] = True
        said = qemu.qemu_messages(log, args.qemu)
        if said:
            reasons.insert(0, f"QEMU said: {said}")
    warned = qemu.qemu_warnings(log, args.qemu)
    if warned:
        info["qemu_warnings"] = warned
    if ctx["accel"] == "kvm":
        why = qemu.guest_cannot_run(log)
        if why:
            info["cannot_run"] = why
            reasons.insert(0, f"the guest cannot run on this CPU: {why}")
    for r in found:
        r.update(accel=ctx["accel"], unit=map_unit(r["unit"], ctx["accel"]),
                 run_id=ctx["run_id"])
        if info.get("handoff"):
            r["handoff"] = info["handoff"]
        if info.get("mitigations"):
            r["mitigations"] = info["mitigations"]
        if info.get("cpus"):
            r["cpus"] = info["cpus"]
    if done.outputs.get("kprof") is not None and found:   # where Linux's instructions go
        why = linuxguest.attach_profiles(found, kprof_out, ctx, args.kernel_dir, args.qemu)
        if why:
            info["profile_error"] = why   # the rows stand without it
            print(f"(no profile: {why}) ", end="", flush=True)
    if ctx.get("model") and info["mode"] != matrix.LINUX_GUEST and not info.get("cpus") and found and \
            not (outcome.timed_out or outcome.over_budget):
        try:
            added = mca.price(missing_out, ctx["blocks"], ctx["mcpu"], ctx["fallback"])
        except mca.McaError as e:
            return found, reasons + [f"cycle model: {e}"], info
        if added and repriced < REPRICE_BOOTS:
            boot, again = submit_guest(args, ctx, system, workload, shape)
            again["model_segments_priced"] = info.get("model_segments_priced", 0) + added
            return collect_guest(args, ctx, boot, again, repriced + 1)
        if added:
            reasons.append(f"cycle model: {added} code segments still unpriced after "
                           f"{repriced} boots again")
        try:
            found = found + model.rows_for(found, model_out, ctx["base_cost"])
        except model.ModelError as e:
            reasons.append(str(e))
    return found, reasons, info


def run_guest(args, ctx, system, workload, shape=None):
    """Boot one (system, workload, shape) and wait: (results, reasons, run info)."""
    return collect_guest(args, ctx, *submit_guest(args, ctx, system, workload, shape))


def build_meta(args, ctx):
    return {
        "run_id": ctx["run_id"], "date": provenance.now_iso(),
        "git": provenance.git_state(),
        "compiler": {"cc": args.cc, "version": provenance.compiler_version(args.cc),
                     "cflags": args.cflags},
        "qemu": {"binary": args.qemu, "version": qemu.version(args.qemu)},
        "accel": ctx["accel"], "accel_requested": args.accel,
        "kvm_cpu": ctx["kvm_cpu"] if ctx["accel"] == "kvm" else None,
        "accel_reason": ctx["accel_reason"], "host_cpu": provenance.host_cpu(),
        "python": sys.version.split()[0],
        "matrix": {"modes": args.modes, "ipc": args.ipc, "mach_handoff": args.mach_handoff,
                   "cpus": args.cpus,
                   "workloads": args.workloads, "app_sweep": args.app_sweep,
                   # what each workload's boots ran (iters, warmup): fileio's
                   # default differs from the run's (matrix.ITERS_OF)
                   "counts": {w: list(matrix.counts(w, args.quick, *given_counts(args)))
                              for w in args.workloads},
                   "quick": args.quick, "timeout": args.timeout,
                   "iters": args.iters, "warmup": args.warmup,
                   "cmdlines": {w: matrix.cmdline(w, args.quick, *given_counts(args),
                                                  app_sweep=args.app_sweep)
                                for w in args.workloads},
                   "shapes": {f"{m} {w}": list(s) for (m, w), s in matrix.SHAPES.items()
                              if m in args.modes and w in args.workloads}},
        "model": (dict(model.describe(ctx["model"]), plugin=args.model_plugin,
                       base_cost=ctx["base_cost"]) if ctx.get("model") else None),
        "linux_guest": ctx.get("linux"),
        "runs": [], "failures": [], "complete": False,
    }


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.check:
        return 0
    try:
        proto = protocol.load()
    except protocol.ProtocolHeaderError as e:
        print(f"bench.py: {e}", file=sys.stderr)
        return 2
    if args.accel == "kvm" and not accel.kvm_usable()[0]:
        print(f"bench.py: --accel kvm: {accel.kvm_usable()[1]}", file=sys.stderr)
        return 2
    chosen, reason = accel.choose(args.accel, args.qemu)
    use_model = args.model if args.model != "off" and chosen != "kvm" else None
    if args.model != "off" and not use_model:
        print(f"bench.py: no modeled cycles: the accelerator is {chosen} and the cycle model "
              "runs under TCG only", file=sys.stderr)
    if use_model:
        try:
            model.check(use_model, args.model_plugin)
        except model.ModelError as e:
            print(f"bench.py: {e}", file=sys.stderr)
            return 2
    if chosen == "icount" and not os.path.isfile(args.budget_plugin):
        print(f"bench.py: the instruction budget plugin is not built: {args.budget_plugin} "
              "(make budget)", file=sys.stderr)
        return 2
    # The Linux host baseline runs the mechanism workloads only
    # (scripts/host_baseline.py); asked for none of them, it is left out.
    host = "linux" in args.modes and any(w in matrix.MECHANISMS for w in args.workloads)
    if "linux" in args.modes and not host:
        print(f"bench.py: the Linux host baseline has none of the workloads "
              f"{','.join(args.workloads)} (it runs {','.join(matrix.MECHANISMS)}): not run",
              file=sys.stderr)
    plan = matrix.plan(args.modes, args.workloads, args.ipc, args.mach_handoff, args.cpus)
    plan += [("linux", "all", None)] if host else []
    if not plan:
        print(f"bench.py: nothing to run: modes {','.join(args.modes)} with workloads "
              f"{','.join(args.workloads)}", file=sys.stderr)
        return 2
    run_id, run_dir = results.new_run_dir(args.results_dir)
    model_ctx = {}
    if use_model:   # the block-cost cache (generated, under build/: mca.py)
        blocks = mca.cache_path(use_model)
        os.makedirs(os.path.dirname(blocks), exist_ok=True)
        open(blocks, "a").close()
        model_ctx = {"blocks": blocks, "mcpu": model.describe(use_model)["mcpu"],
                     "fallback": model.fallback_units(use_model), "base_cost": model.base_cost(use_model)}
    if matrix.LINUX_GUEST in args.modes:
        model_ctx["linux"] = linuxguest.describe(args.kernel_dir, args.linux_kernel)
        if model_ctx["linux"].get("error"):
            print(f"bench.py: {model_ctx['linux']['error']}: the linux-guest boots fail, "
                  "the others run", file=sys.stderr)
    ctx = {"run_id": run_id, "dir": run_dir, "accel": chosen, "model": use_model, **model_ctx,
           "kvm_cpu": args.kvm_cpu,
           "accel_reason": reason, "proto": proto, "echo": Progress()}
    meta = build_meta(args, ctx)
    results.write_json(os.path.join(run_dir, "meta.json"), meta)
    # latest names this run from its start: a report drawn while it runs, or
    # after it was interrupted, is of this run (marked incomplete), never
    # of an older one under this run's name.
    results.update_latest(args.results_dir, run_id)
    print(f"run {run_id}: accelerator {chosen} ({reason})")

    everything = []
    # Under icount a boot's figures do not depend on the host, so boots may
    # run side by side, all submitted at once; otherwise one at a time.
    # The Linux baseline (last in the plan) runs alone, here.
    jobs = args.jobs or (min(2, os.cpu_count() or 1) if chosen == "icount" else 1)
    ctx["reference"] = budgets.load_reference(args.reference)
    try:
        with engine.Engine(jobs, args.cluster, args.qemu) as eng:
            ctx["engine"] = eng
            meta["engine"] = eng.describe()
            results.write_json(os.path.join(run_dir, "meta.json"), meta)
            ahead = {}
            if chosen == "icount" or jobs > 1:
                for i in schedule.longest_first(ctx, plan):
                    ahead[i] = submit_guest(args, ctx, *plan[i - 1])
            try:
                run_plan(args, ctx, meta, plan, ahead, everything)
            except KeyboardInterrupt:
                eng.kill_all()
                qemu.kill_all()
                raise
    except engine.EngineError as e:
        print(f"bench.py: {e}", file=sys.stderr)
        return 2
    finish_run(args, ctx, meta, plan, everything)
    return 1 if meta["failures"] else 0


def run_plan(args, ctx, meta, plan, ahead, everything):
    """Run (or collect, from ahead: boots already submitted to the engine) every
    boot of plan, recording results and failures; finish_run puts them back
    in plan order."""
    run_dir, run_id, chosen, stop_guests = ctx["dir"], ctx["run_id"], ctx["accel"], None
    began = time.monotonic()
    for n, i in enumerate(schedule.collection_order(ctx, plan, ahead), 1):
        system, workload, shape = plan[i - 1]
        name = run_name(system, workload, shape)
        if stop_guests and system != "linux":
            meta["failures"].append(record_failure(run_dir, run_id, system, workload, shape,
                                                   [f"not run: {stop_guests}"], None, 0))
            continue
        print(f"[{n}/{len(plan)}] {name} ... ", end="", flush=True)
        ctx["echo"].start()
        start = time.monotonic()
        if system == "linux":
            found, reasons, info = hostrun.run_linux(args, ctx, WALL_LIMIT)
        elif i in ahead:
            found, reasons, info = collect_guest(args, ctx, *ahead[i])
        else:
            found, reasons, info = run_guest(args, ctx, system, workload, shape)
            if chosen == "kvm" and info.get("qemu_failed") and ctx["kvm_cpu"] == "host":
                ctx["kvm_cpu"] = meta["kvm_cpu"] = qemu.KVM_FALLBACK_CPU   # and for the rest
                meta["kvm_cpu_fallback"] = f"-cpu host failed on {name}: {'; '.join(reasons)}"
                print(f"(-cpu host failed; again with -cpu {qemu.KVM_FALLBACK_CPU}) ", end="",
                      flush=True)
                found, reasons, info = run_guest(args, ctx, system, workload, shape)
        info.update(results=len(found), ok=not reasons)
        meta["runs"].append(info)
        for w in info.get("qemu_warnings", []):
            if w not in meta.setdefault("qemu_warnings", []):
                meta["qemu_warnings"].append(w)   # with the run, and said once
                print(f"(QEMU warned: {w}) ", end="", flush=True)
        results.append_jsonl(os.path.join(run_dir, "results.jsonl"), found)
        if reasons:
            meta["failures"].append(record_failure(run_dir, run_id, system, workload, shape,
                                                   reasons, info["log"], len(found)))
        everything += found
        verdict = "ok" if not reasons else f"FAILED ({'; '.join(reasons)})"
        ctx["echo"].finish(f"[{n}/{len(plan)}] {name}: ")
        took = info.get("seconds", time.monotonic() - start) if i in ahead else time.monotonic() - start
        print(f"{verdict} {len(found)} results {took:.1f}s{progress(n, plan, meta, began)}")
        if chosen == "kvm" and (info.get("qemu_failed") or info.get("cannot_run")):
            said = info.get("cannot_run") and f"the guest on {name}: {info['cannot_run']}"
            said = said or ("QEMU on " + name + ": " + (qemu.qemu_messages(
                os.path.join(run_dir, info["log"]), args.qemu, limit=1) or verdict.qemu_words(info)))
            stop_guests = f"KVM cannot run the guest here ({said})"
            left = sum(1 for y, _, _ in plan[i:] if y != "linux")
            if left:
                print(f"bench.py: {stop_guests}; the {left} other guest runs are "
                      f"skipped (use ACCEL=icount)", file=sys.stderr)
        results.write_json(os.path.join(run_dir, "meta.json"), meta)


def progress(done, plan, meta, began):
    """After done boots of plan: failures so far and the time left, estimated
    from the pace so far (the Linux baseline, last, is not in it)."""
    left = sum(1 for y, _, _ in plan if y != "linux") - done
    if left <= 0:
        return ""
    spent = time.monotonic() - began
    return (f" ({len(meta['failures'])} failed so far, about {spent / done * left:.0f} s of guest "
            "boots left)")


def finish_run(args, ctx, meta, plan, everything):
    """Close the run: summary, tables, the terminal summary, failures."""
    run_dir = ctx["dir"]
    schedule.in_plan_order(run_dir, meta, plan, everything)
    meta["complete"] = True
    results.write_summary(os.path.join(run_dir, "summary.csv"), everything)
    results.write_json(os.path.join(run_dir, "meta.json"), meta)
    measured = model.measured([r for r in everything if r["check"] == "ok"])
    ok = stats.one_cpu_rows(measured)   # several CPUs: report_smp's tables
    modeled = stats.one_cpu_rows(model.modeled([r for r in everything if r["check"] == "ok"]))
    shown = stats.comparable(ok, args.vs)
    results.write_tables(os.path.join(run_dir, "table.txt"), shown, ok, modeled, args.vs,
                         multicore=measured)
    if shown:
        print()
        print(table.terminal(shown, ok))
    if len(strategies.systems(ok)) > 2:
        print("\nIPC strategies: the same workloads on each micro IPC design (medians)")
        print(table.render(*strategies.table_rows(ok)))
    if report_linux.cases(ok):
        print("\nLinux as a guest beside our kernels (medians, one unit; ratios against Linux "
              "with mitigations off)")
        print(table.render(*report_linux.side_by_side(ok, args.vs)))
    if modeled:
        print(table.modeled_summary(shown, stats.comparable(modeled, args.vs), ctx["model"]))
    if report_smp.text(measured):
        print("\n" + report_smp.text(measured))
    print(f"\nresults: {run_dir} (every result: table.txt, summary.csv)")
    if meta["failures"]:
        ran = [f for f in meta["failures"] if not f["reason"].startswith("not run: ")]
        skipped = [f for f in meta["failures"] if f not in ran]
        names = ", ".join(f"{run_name(f['system'], f['workload'], f.get('shape'))} "
                          f"({f['reason']})" for f in ran)
        if skipped:
            names += "; not run: " + ", ".join(
                run_name(f["system"], f["workload"], f.get("shape")) for f in skipped)
        print(f"bench.py: {len(meta['failures'])} of {len(plan)} runs failed: {names}",
              file=sys.stderr)


def record_failure(run_dir, run_id, system, workload, shape, reasons, log, kept):
    """Append a failure line to results.jsonl and return it."""
    failure = {"type": "failure", "mode": matrix.mode_of(system), "ipc": matrix.ipc_of(system),
               "system": system, "workload": workload,
               **({"handoff": matrix.handoff_of(system)} if matrix.handoff_of(system) else {}),
               "reason": "; ".join(reasons), "log": log or "-",
               "results_kept": kept, "run_id": run_id}
    if shape:
        failure["shape"] = shape
    results.append_jsonl(os.path.join(run_dir, "results.jsonl"), [failure])
    return failure


class Progress:
    """Echoes a child's "progress: ..." lines under the current run's
    progress line (the host baseline runs for most of a minute)."""
    TAG = "progress: "

    def start(self):
        self.shown = False

    def __call__(self, line):
        if line.startswith(self.TAG):
            print(("\n" if not self.shown else "") + "    " + line[len(self.TAG):],
                  flush=True)
            self.shown = True

    def finish(self, name):
        """Repeat the run's name before its verdict if progress lines came between."""
        if self.shown:
            print(name, end="")


if __name__ == "__main__":
    cli.run(main, "interrupted; the run directory holds what finished "
                  "(results/latest, marked incomplete)")
