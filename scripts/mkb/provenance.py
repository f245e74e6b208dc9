"""provenance.py - facts about where a run came from, for meta.json.

Each helper returns a plain value and never raises: a missing tool gives
"unknown (...)" rather than stopping a benchmark run.
"""
import platform
import shlex
import subprocess
import time

from .protocol import REPO


def _run(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=REPO)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    return (out.stdout if out.returncode == 0 else None), out.stderr.strip()


def git_state():
    """{"commit": sha or None, "dirty": bool or None} of the repository."""
    sha, _ = _run(["git", "rev-parse", "HEAD"])
    status, _ = _run(["git", "status", "--porcelain", "--untracked-files=no"])
    return {"commit": sha.strip() if sha else None,
            "dirty": bool(status.strip()) if status is not None else None}


def compiler_version(cc):
    """First line of `cc --version`, or None when no compiler was given."""
    if not cc:
        return None
    out, err = _run(shlex.split(cc) + ["--version"])
    return out.splitlines()[0] if out else f"unknown ({err})"


def host_cpu():
    """The host CPU model name from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
