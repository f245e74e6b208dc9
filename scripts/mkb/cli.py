"""cli.py - what every mkbench script does at its edges.

require(): run under a Python that can import what the script needs. The
Python libraries come from Debian (python3-matplotlib, python3-pytest) and
belong to /usr/bin/python3, while the python3 first on PATH may be another
build without them; scripts/pick-python finds the right one (as the
Makefile does), and the script re-executes itself under it.

run(): call a script's main() so that no Python traceback reaches a user:
a closed output pipe (`| head`) ends quietly, Ctrl-C says what was kept,
and an unexpected exception is one line naming the script (MKB_DEBUG=1
shows the traceback).
"""
import importlib.util
import os
import signal
import subprocess
import sys

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PICK_PYTHON = os.path.join(SCRIPTS, "pick-python")
REEXEC = "MKB_REEXEC"  # set in the environment of a re-executed script


def _missing(modules):
    return [m for m in modules if importlib.util.find_spec(m) is None]


def require(*modules):
    """Return if this interpreter can import every module; else re-execute
    the script under the one pick-python names, or exit 2 saying what to
    install."""
    missing = _missing(modules)
    if not missing:
        return
    name = os.path.basename(sys.argv[0])
    try:
        out = subprocess.run(["sh", PICK_PYTHON, *modules], capture_output=True,
                             text=True, check=False)
        python = out.stdout.strip()
        why = out.stderr.strip()
    except OSError as e:
        python, why = "", f"cannot run {PICK_PYTHON}: {e.strerror}"
    if not python or python == sys.executable or os.environ.get(REEXEC):
        print(f"{name}: {sys.executable} cannot import {', '.join(missing)}", file=sys.stderr)
        if why:
            print(why, file=sys.stderr)
        sys.exit(2)
    os.environ[REEXEC] = "1"
    os.execv(python, [python, os.path.abspath(sys.argv[0])] + sys.argv[1:])


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled as Ctrl-C is (every QEMU stopped, what
    finished kept), with the signal's name and status."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum, frame):
    signal.signal(signum, signal.SIG_IGN)   # once: the clean-up must not be cut short
    raise Stopped(signum)


def run(main, interrupted="interrupted"):
    """sys.exit(main()) without a traceback for a user to read.

    interrupted: what the script says on Ctrl-C (exit 130), or on SIGTERM
    or SIGHUP (`timeout`, a closed terminal: exit 128 + the signal)."""
    name = os.path.basename(sys.argv[0])
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop quietly, as cat does.
        # Point stdout at /dev/null so the interpreter's final flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 128 + signal.SIGPIPE
    except Stopped as e:
        print(f"\n{name}: stopped by {e}: {interrupted}", file=sys.stderr)
        status = 128 + e.signum
    except KeyboardInterrupt:
        print(f"\n{name}: {interrupted}", file=sys.stderr)
        status = 130
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if os.environ.get("MKB_DEBUG"):
            raise
        print(f"{name}: internal error: {type(e).__name__}: {e} "
              "(run with MKB_DEBUG=1 for the traceback, and please report it)",
              file=sys.stderr)
        status = 3
    sys.exit(status)
