"""test_cluster.py - the harness on a real Dask cluster on loopback: Dask's
own scheduler and worker programs (dask-scheduler, dask-worker, from
Debian's python3-distributed), started outside the repository so the
workers hold no copy of the harness. A quick bench and a small fault
campaign through them, with one worker killed in the middle, give the
same results as a local run; a worker with another QEMU is refused."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from bootlib import REPO

SCRIPTS = os.path.join(REPO, "scripts")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and n workers (one thread each, no nanny, so a killed
    worker stays dead), in their own directory; env: the workers' extra
    environment."""

    def __init__(self, where, n=2, env=None):
        self.where, self.n, self.env = str(where), n, env
        os.makedirs(self.where, exist_ok=True)

    def __enter__(self):
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        log = open(os.path.join(self.where, "scheduler.log"), "w")
        self.scheduler = subprocess.Popen(
            ["dask-scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=self.where, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        env = dict(os.environ, **(self.env or {}))
        env.pop("PYTHONPATH", None)
        self.workers = []
        for i in range(self.n):
            wlog = open(os.path.join(self.where, f"worker{i}.log"), "w")
            self.workers.append(subprocess.Popen(
                ["dask-worker", self.address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", f"w{i}"], cwd=self.where, env=env, stdout=wlog,
                stderr=subprocess.STDOUT, start_new_session=True))
        self.wait_for_workers()
        return self

    def wait_for_workers(self):
        from distributed import Client
        deadline = time.monotonic() + 60
        with Client(self.address, timeout="30s") as c:
            while len(c.scheduler_info()["workers"]) < self.n:
                assert time.monotonic() < deadline, "the Dask workers did not start"
                time.sleep(0.2)

    def kill_worker(self, i):
        os.killpg(self.workers[i].pid, signal.SIGKILL)
        self.workers[i].wait()

    def __exit__(self, *exc):
        for p in self.workers + [self.scheduler]:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def start(script, *args):
    return subprocess.Popen([sys.executable, os.path.join(SCRIPTS, script), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_after(proc, cluster, logs, n):
    """Kill worker 0 once n serial logs exist under logs (or proc ended)."""
    while proc.poll() is None:
        if os.path.isdir(logs) and len([f for f in os.listdir(logs) if f.endswith(".log")]) >= n:
            cluster.kill_worker(0)
            return True
        time.sleep(0.05)
    return False


def rows(run):
    with open(os.path.join(run, "results.jsonl")) as f:
        return sorted(json.dumps({k: v for k, v in json.loads(line).items() if k != "run_id"},
                                 sort_keys=True) for line in f)


BENCH = ("--modes", "mono,micro", "--ipc", "sel4", "--workloads", "null,pingpong,sem", "--quick",
         "--accel", "icount", "--model", "skylake")


def local_and_remote(tmp_path, script, args, kill_at):
    """Run script with args locally, then on a two-worker cluster whose
    first worker is killed once kill_at serial logs exist; return the two
    run directories (local, remote) and the cluster's address."""
    local = start(script, *args, "--results-dir", str(tmp_path / "local"))
    assert local.wait(timeout=900) == 0, local.stderr.read()
    with Cluster(tmp_path / "cluster") as cluster:
        remote = start(script, *args, "--results-dir", str(tmp_path / "remote"),
                       "--cluster", cluster.address)
        killed = kill_after(remote, cluster, tmp_path / "remote" / "latest" / "logs", kill_at)
        out, err = remote.communicate(timeout=900)
    assert remote.returncode == 0, out + err
    assert killed, "the run ended before a worker could be killed"
    return tmp_path / "local" / "latest", tmp_path / "remote" / "latest", cluster.address


def test_bench_on_a_cluster_that_loses_a_worker_matches_a_local_run(tmp_path):
    a, b, address = local_and_remote(tmp_path, "bench.py", BENCH, 1)
    assert rows(a) == rows(b) and len(rows(a)) > 10
    meta = json.load(open(b / "meta.json"))
    assert meta["engine"]["cluster"] == address
    assert all(r["worker"].startswith("tcp://127.0.0.1:") for r in meta["runs"])


def test_a_campaign_on_a_cluster_that_loses_a_worker_matches_a_local_run(tmp_path):
    a, b, address = local_and_remote(tmp_path, "faults.py", ("--faults", "10", "--seed", "3"), 6)
    assert open(a / "table.txt").read() == open(b / "table.txt").read()
    assert json.load(open(b / "summary.json"))["engine"]["cluster"] == address


def test_a_worker_with_another_qemu_is_refused(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "qemu-system-x86_64").write_text("#!/bin/sh\necho 'QEMU emulator version 1.0.0'\n")
    (fake / "qemu-system-x86_64").chmod(0o755)
    with Cluster(tmp_path / "cluster", n=1,
                 env={"PATH": f"{fake}:{os.environ['PATH']}"}) as cluster:
        p = start("bench.py", *BENCH, "--results-dir", str(tmp_path / "r"), "--cluster",
                  cluster.address)
        out, err = p.communicate(timeout=300)
    assert p.returncode == 2, out + err
    assert "QEMU emulator version 1.0.0" in err and "same QEMU version" in err, err
    assert "Traceback" not in err


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    p = start("faults.py", "--faults", "5", "--results-dir", str(tmp_path), "--cluster",
              f"tcp://127.0.0.1:{free_port()}")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 2 and "cannot reach the Dask scheduler" in err, out + err


@pytest.mark.parametrize("script", ["bench.py", "fuzz.py"])
def test_a_cluster_runs_icount_boots_only(tmp_path, script):
    p = start(script, "--accel", "tcg", "--cluster", "tcp://127.0.0.1:1",
              "--results-dir", str(tmp_path))
    out, err = p.communicate(timeout=60)
    assert p.returncode == 2 and "icount" in err, err
