"""protocol.py - the serial protocol constants, read from lib/protocol.h.

lib/protocol.h is the only definition of the line marker and the exit
codes; this module parses its #define lines so the harness never holds a
second copy that could drift.
"""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(REPO, "lib", "protocol.h")

_DEFINE = re.compile(r'^\s*#\s*define\s+(MKB_\w+)\s+(.+?)\s*(?:/\*.*)?$')


class ProtocolHeaderError(Exception):
    """lib/protocol.h is missing or lacks a needed #define."""


def read_defines(path=HEADER):
    """Return {name: value} for every MKB_* #define in path.

    String values lose their quotes; integer values (decimal or 0x hex)
    become ints.
    """
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        raise ProtocolHeaderError(f"cannot read {path}: {e.strerror}") from None
    defs = {}
    for line in lines:
        m = _DEFINE.match(line)
        if not m:
            continue
        name, value = m.group(1), m.group(2).strip()
        if value.startswith('"') and value.endswith('"'):
            defs[name] = bytes(value[1:-1], "utf-8").decode("unicode_escape")
        else:
            try:
                defs[name] = int(value, 0)
            except ValueError:
                defs[name] = value
    return defs


class Protocol:
    """The marker and exit codes of one protocol.h.

    prefix: the line marker, e.g. "@@MKB ".
    exit_success/exit_failure/exit_panic: QEMU exit statuses, i.e. the
    kernel's isa-debug-exit value v turned into (v << 1) | 1.
    exit_hang: the status of a boot the kernel's watchdog ended
    (kernels/core/watchdog.c), None if the header has none.
    """

    def __init__(self, path=HEADER):
        defs = read_defines(path)
        need = ["MKB_PREFIX", "MKB_EXIT_SUCCESS", "MKB_EXIT_FAILURE", "MKB_EXIT_PANIC"]
        missing = [n for n in need if n not in defs]
        if missing:
            raise ProtocolHeaderError(f"{path}: missing #define {', '.join(missing)}")
        self.prefix = defs["MKB_PREFIX"]
        self.exit_success = (defs["MKB_EXIT_SUCCESS"] << 1) | 1
        self.exit_failure = (defs["MKB_EXIT_FAILURE"] << 1) | 1
        self.exit_panic = (defs["MKB_EXIT_PANIC"] << 1) | 1
        self.exit_hang = (defs["MKB_EXIT_HANG"] << 1) | 1 if "MKB_EXIT_HANG" in defs else None
        self.debug_exit_port = defs.get("MKB_DEBUG_EXIT_PORT", 0xf4)

    def describe_exit(self, status):
        """A short human description of a QEMU exit status."""
        if status == self.exit_success:
            return f"exit {status} (success)"
        if status == self.exit_failure:
            return f"exit {status} (guest reported a failure)"
        if status == self.exit_panic:
            return f"exit {status} (kernel panic)"
        if status is not None and status == self.exit_hang:
            return f"exit {status} (the watchdog saw a hang)"
        if status is not None and status < 0:
            return f"killed by signal {-status}"
        return f"exit {status} (crash: not a guest exit code)"


_cached = None


def load():
    """The Protocol of this repository's lib/protocol.h (read once)."""
    global _cached
    if _cached is None:
        _cached = Protocol()
    return _cached
