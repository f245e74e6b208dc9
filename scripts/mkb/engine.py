"""engine.py - where guest boots run: Dask distributed (Debian's
python3-distributed), the one place the harness chooses it.

Under icount a boot's result depends only on the QEMU version and the
files it boots, never on the machine that ran it, so boots can run
anywhere: by default on an in-process local cluster (one worker per job,
threads in this process), or with cluster="tcp://host:port" on the workers
of a running Dask scheduler (`dask-scheduler`, `dask-worker`, on this
machine or others). The rest of the harness sees a plain "run these boots"
call: submit() one Boot per QEMU run, then as_completed().

A Boot names its input files (kernel image, plugins, profiles) by local
path; they travel to the workers by content (sha256), each once per run,
and a worker keeps them under its own cache directory, so every worker
boots exactly the bytes this machine built. Outputs (the serial log, the
budget plugin's verdict, the cycle model's lines) come back as bytes and
are written here. Workers must run the same QEMU version as this machine
(`qemu-system-x86_64 --version`): a worker that differs is refused with a
clear message, at the start and again by every boot it is given. A worker
that dies mid-run loses nothing: the scheduler runs its boots again on
another (Dask retries a task whose worker died), and since a boot repeats
exactly the results are those of a local run.
"""
import asyncio
import concurrent.futures
import hashlib
import os
import sys
import time

from . import qemu


RESUBMITS = 3   # times a boot lost with a worker is sent again
# The QEMU processes a worker process runs live in a set kept in
# sys.modules under this name: run_on_worker travels by value (its module
# globals are a copy on every worker), so the one object every copy in a
# process finds is there. kill_boots() stops them; Engine.kill_all() runs
# it on every worker and here (local workers are threads of this process).
LIVE_BOOTS = "mkb_live_boots"


def _live_boots():
    """This process's set of running QEMU processes (see LIVE_BOOTS)."""
    import sys as _sys
    import types
    mod = _sys.modules.get(LIVE_BOOTS)
    if mod is None:
        mod = types.ModuleType(LIVE_BOOTS)
        mod.procs = set()
        _sys.modules[LIVE_BOOTS] = mod
    return mod.procs


def kill_boots():
    """Kill every QEMU this process's workers run (an interrupted run);
    returns how many. Sent to workers by value, like run_on_worker."""
    import os as _os
    import signal as _signal
    n = 0
    for proc in list(_live_boots()):
        try:
            _os.killpg(proc.pid, _signal.SIGKILL)
            n += 1
        except ProcessLookupError:
            pass
    return n


class EngineError(Exception):
    """The engine cannot run the boots (no Dask, no scheduler, a worker
    with another QEMU)."""


class Boot:
    """One QEMU run: argv may hold the tokens "@in:<name>" (a path on the
    worker to the local file inputs[name]) and "@out:<name>" (a path on the
    worker whose content comes back as outputs[name]; the output named
    "budget" is the budget plugin's verdict, folded into the outcome); log is the local
    path the serial log is written to; timeout is the wall-clock limit
    (under a budget, the safety net); key: anything the caller wants back;
    budget: the boot's instruction budget, if it has one."""

    def __init__(self, argv, log, timeout, inputs=None, outputs=(), key=None, budget=None):
        self.argv, self.log, self.timeout = argv, log, timeout
        self.inputs, self.outputs, self.key = dict(inputs or {}), tuple(outputs), key
        self.budget = budget


class Done:
    """A finished boot: key, outcome (qemu.Outcome), outputs {name: bytes
    or None}, worker (its address), and its Boot's log and timeout."""

    def __init__(self, boot, outcome, outputs, worker):
        self.key, self.outcome, self.outputs, self.worker = boot.key, outcome, outputs, worker
        self.log, self.timeout, self.budget = boot.log, boot.timeout, boot.budget


def _import_dask():
    try:
        import distributed  # noqa: F401
        import cloudpickle
    except ImportError as e:
        raise EngineError(f"Dask distributed is not installed ({e.name}): install Debian's "
                          "python3-distributed (make deps does)") from None
    return distributed, cloudpickle


_hashes = {}   # (path, size, mtime) -> sha256: a kernel is hashed once, not per boot


def _sha256(path):
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    if key not in _hashes:
        _hashes[key] = _hash_file(path)
    return _hashes[key]


def _hash_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_on_worker(argv, files, outputs, timeout, qemu_version):
    """Run on a worker: materialise files {token: (sha256, name, bytes)} in the
    worker's cache, run argv, return (outcome dict, {output: bytes},
    address). Only the standard library and the function's arguments are
    used: the engine sends this function by value, so workers need no copy
    of the harness."""
    import os as _os
    import shutil
    import subprocess as _sp
    import tempfile
    import time as _time
    try:
        from distributed import get_worker
        where = get_worker().address
    except (ImportError, ValueError):
        where = "local"
    exe = argv[0]
    cache = _os.path.join(tempfile.gettempdir(), f"mkb-boot-files-{_os.getuid()}")
    _os.makedirs(cache, exist_ok=True)
    version = _qemu_version(exe, cache)
    if version != qemu_version:
        raise RuntimeError(f"worker {where} refused: its QEMU is {version!r}, this run needs "
                           f"{qemu_version!r} (same version on every worker, or the figures "
                           "would differ)")
    paths = {}
    for token, (sha, name, data) in files.items():
        _os.makedirs(_os.path.join(cache, sha), exist_ok=True)
        path = _os.path.join(cache, sha, name)    # its name kept: a profile's names it
        if not _os.path.exists(path):   # written whole, then renamed: workers race here
            fd, tmp = tempfile.mkstemp(dir=_os.path.join(cache, sha))
            with _os.fdopen(fd, "wb") as f:
                f.write(data)
            _os.chmod(tmp, 0o755)
            _os.replace(tmp, path)
        paths[token] = path
    work = tempfile.mkdtemp(prefix="mkb-boot-", dir=cache)
    try:
        outs = {name: _os.path.join(work, name) for name in outputs}

        def fill(arg):
            for token, path in paths.items():
                arg = arg.replace("@in:" + token, path)
            for name, path in outs.items():
                arg = arg.replace("@out:" + name, path)
            return arg
        log = _os.path.join(work, "serial.log")
        start = _time.monotonic()
        result = {"status": None, "timed_out": False, "seconds": 0.0, "cpu_seconds": 0.0,
                  "error": None, "executed": None, "budget": None, "over_budget": False}
        with open(log, "wb") as f:
            try:
                proc = _sp.Popen([fill(a) for a in argv], stdin=_sp.DEVNULL, stdout=f,
                                 stderr=_sp.STDOUT, start_new_session=True)
            except OSError as e:
                result["error"] = f"cannot run {exe}: {e.strerror}"
                proc = None
            if proc:
                live = _live_boots()
                live.add(proc)
                try:
                    result.update(_wait(proc, start, timeout))
                finally:
                    live.discard(proc)
        result["seconds"] = _time.monotonic() - start
        back = {}
        for name, path in list(outs.items()) + [("log", log)]:
            try:
                with open(path, "rb") as f:
                    back[name] = f.read()
            except OSError:
                back[name] = None
        return result, back, where
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _qemu_version(exe, cache):
    """Part of run_on_worker: the first line of `exe --version`, run once
    per binary (its path, size and time) and kept in the cache."""
    import hashlib as _hl
    import os as _os
    import shutil
    import subprocess as _sp
    import tempfile
    path = shutil.which(exe)
    if not path:
        return f"cannot run {exe}: not found"
    st = _os.stat(path)
    key = _hl.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()
    known = _os.path.join(cache, f"version-{key}")
    try:
        with open(known, encoding="utf-8") as f:
            return f.read()
    except OSError:
        pass
    try:
        got = _sp.run([path, "--version"], capture_output=True, text=True, timeout=60)
        version = (got.stdout.strip().splitlines() or ["unknown"])[0]
    except (OSError, _sp.TimeoutExpired) as e:
        return f"cannot run {exe}: {e}"
    fd, tmp = tempfile.mkstemp(dir=cache)
    with _os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(version)
    _os.replace(tmp, known)
    return version


def _wait(proc, start, timeout):
    """Part of run_on_worker: wait for proc within timeout; status, CPU time."""
    import os as _os
    import signal as _signal
    import time as _time
    pause, cpu = 0.001, 0.0
    while True:
        info = _os.waitid(_os.P_PID, proc.pid, _os.WEXITED | _os.WNOHANG | _os.WNOWAIT)
        if info is not None:
            try:
                with open(f"/proc/{proc.pid}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / _os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
            return {"status": proc.wait(), "cpu_seconds": cpu}
        if _time.monotonic() - start > timeout:
            try:
                _os.killpg(proc.pid, _signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            return {"timed_out": True}
        _time.sleep(pause)
        pause = min(pause * 2, 0.005)


class Engine:
    """Runs Boots on a Dask cluster: local (jobs workers in this process)
    unless cluster names a scheduler. Use as a context manager."""

    def __init__(self, jobs=1, cluster=None, qemu_binary="qemu-system-x86_64"):
        self.jobs, self.cluster_address, self.qemu_binary = jobs, cluster, qemu_binary
        self.client = self.cluster = None
        self.sent = {}      # sha256 -> scattered future of the file's bytes
        self.qemu_version = qemu.version(qemu_binary)

    def __enter__(self):
        distributed, cloudpickle = _import_dask()
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        import logging
        for name in ("distributed", "bokeh", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
        if self.cluster_address:
            try:
                self.client = distributed.Client(self.cluster_address, timeout="10s")
            except (OSError, TimeoutError) as e:
                raise EngineError(f"cannot reach the Dask scheduler at {self.cluster_address}: "
                                  f"{e}") from None
            self.check_workers()
        else:
            self.cluster = distributed.LocalCluster(
                n_workers=self.jobs, threads_per_worker=1, processes=False,
                # no dashboard; the scheduler's HTTP server (it always has
                # one) on a free loopback port, so two runs never race for
                # Dask's default 8787 and print a warning
                dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                silence_logs=50)
            self.client = distributed.Client(self.cluster)
        return self

    def __exit__(self, *exc):
        if exc[0] is not None and issubclass(exc[0], KeyboardInterrupt):
            self.kill_all()   # Ctrl-C, SIGTERM, SIGHUP: no boot left running
        if self.client:
            self.client.close()
        if self.cluster:
            self.cluster.close()
        return False

    def kill_all(self):
        """Stop every boot under way (an interrupted run): here, where the
        local workers run, and on every worker of a cluster."""
        kill_boots()
        if self.client and self.cluster_address:
            try:
                self.client.run(kill_boots, wait=True)
            except Exception as e:   # noqa: BLE001 - a worker gone is nothing to stop
                print(f"engine: could not reach every worker to stop its boots ({e})",
                      file=sys.stderr)

    def describe(self):
        """What ran the boots, for meta.json."""
        workers = self.client.scheduler_info().get("workers", {}) if self.client else {}
        return {"engine": f"dask distributed {_import_dask()[0].__version__}",
                "cluster": self.cluster_address or f"local ({self.jobs} workers)",
                "workers": len(workers)}

    def check_workers(self):
        """Refuse a cluster with no workers or a worker with another QEMU."""
        deadline = time.monotonic() + 30
        while not self.client.scheduler_info().get("workers"):
            if time.monotonic() > deadline:
                raise EngineError(f"the Dask scheduler at {self.cluster_address} has no workers")
            time.sleep(0.5)
        exe = self.qemu_binary

        def version():
            import subprocess as sp
            try:
                out = sp.run([exe, "--version"], capture_output=True, text=True, timeout=60)
                return (out.stdout.strip().splitlines() or ["unknown"])[0]
            except OSError as e:
                return f"cannot run {exe}: {e.strerror}"
        bad = {w: v for w, v in self.client.run(version).items() if v != self.qemu_version}
        if bad:
            raise EngineError("; ".join(f"worker {w} has QEMU {v!r}" for w, v in bad.items())
                              + f", this machine {self.qemu_version!r}: every worker needs "
                              "the same QEMU version (stop those workers or install it)")

    def _file(self, path):
        sha = _sha256(path)
        if sha not in self.sent:
            with open(path, "rb") as f:
                # on every worker: a worker that dies takes no file with it
                self.sent[sha] = self.client.scatter(f.read(), broadcast=True)
        return sha, os.path.basename(path), self.sent[sha]

    def submit(self, boot):
        """Start boot somewhere; return a future of a Done."""
        files = {}
        for token, path in boot.inputs.items():
            files[token] = self._file(path)
        fut = self.client.submit(run_on_worker, boot.argv, files, boot.outputs, boot.timeout,
                                 self.qemu_version, pure=False)
        fut.boot = boot
        return fut

    def finished(self, futures):
        """Yield each future of futures as it finishes (done, failed or lost:
        result() tells which)."""
        distributed, _ = _import_dask()
        yield from distributed.as_completed(futures)

    def as_completed(self, futures):
        """Yield a Done for each future as it finishes; its log is written."""
        distributed, _ = _import_dask()
        for fut in distributed.as_completed(futures):
            yield self.result(fut)

    def result(self, fut):
        """The Done of one future (waits for it); its log is written. A boot
        the cluster gave up on when a worker died (Dask cancels a task whose
        inputs it lost) is sent again, its files with it: it repeats exactly,
        so the result is the same."""
        boot = fut.boot
        for attempt in range(RESUBMITS + 1):
            try:
                outcome, outputs, where = fut.result()
                break
            except (concurrent.futures.CancelledError, asyncio.CancelledError) as e:
                if attempt == RESUBMITS:
                    raise EngineError(f"a boot was lost {RESUBMITS + 1} times ({e})") from None
                print(f"engine: a boot was lost with a worker ({boot.log}); sending it again",
                      file=sys.stderr, flush=True)
                self.sent.clear()   # the files may have gone with the worker
                fut = self.submit(boot)
            except Exception as e:   # a worker's refusal, or a boot lost for good
                raise EngineError(f"{type(e).__name__}: {e}") from None
        os.makedirs(os.path.dirname(boot.log) or ".", exist_ok=True)
        with open(boot.log, "wb") as f:
            f.write(outputs.pop("log") or b"")
        outcome = qemu.Outcome.from_dict(outcome)
        if outputs.get("budget") is not None:
            outcome.take_budget(qemu.parse_budget(outputs["budget"]))
        if outcome.budget is None:
            outcome.budget = boot.budget
        return Done(boot, outcome, outputs, where)
