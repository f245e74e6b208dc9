"""test_iso.py - make iso's image (scripts/mkiso.py, scripts/iso.mk): its
menu is the harness's matrix, it boots under QEMU from the CD (SeaBIOS,
then GRUB; qboot cannot boot a CD) under icount, bounded by the budget
plugin, and its results are the -kernel boot's with the same command line;
with console=vga the screen shows the results in short and says when the
machine may be switched off."""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import BOOT_BUDGET, QEMU, REPO, SAFETY_NET  # noqa: E402
from mkb import matrix, parse, protocol, qemu  # noqa: E402
import mkiso  # noqa: E402  (scripts/, on the path through bootlib)

HAVE_TOOLS = (all(shutil.which(t) for t in mkiso.TOOLS) and os.path.isdir(mkiso.GRUB_DIR))
needs_tools = pytest.mark.skipif(
    not HAVE_TOOLS, reason="grub-mkrescue, xorriso or grub-pc-bin missing (`make deps` "
    "installs them; `make test` runs it first)")
PREFIX = protocol.load().prefix
FINISHED = "mkb: finished (success), you may power off"


def kernel(system):
    path = os.path.join(REPO, "build", system, "kernel.elf")
    if not os.path.exists(path):
        pytest.fail(f"{path} missing: run `make` first")
    if not os.path.exists(qemu.BUDGET_PLUGIN):
        pytest.fail(f"{qemu.BUDGET_PLUGIN} missing: run `make budget` first")
    return path


def iso_argv(iso, budget_out, screen=False):
    """Boot iso from the CD under icount: SeaBIOS (QEMU's default firmware),
    GRUB, the default entry. screen: a VGA card and no isa-debug-exit (a
    PC's), HMP on stdin; else no display and the exit device, as -kernel."""
    port = protocol.load().debug_exit_port
    argv = [QEMU, "-cdrom", iso, "-boot", "d", "-m", "128M", "-nodefaults",
            "-display", "none", "-no-reboot"]
    if screen:
        argv += ["-device", "VGA", "-monitor", "stdio"]
    else:
        argv += ["-serial", "stdio", "-monitor", "none",
                 "-device", f"isa-debug-exit,iobase={port:#x},iosize=0x04"]
    return argv + qemu.ACCEL_FLAGS["icount"] + qemu.budget_args(BOOT_BUDGET, budget_out)


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=SAFETY_NET)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def records(out, what):
    recs, errors = parse.scan(out.splitlines(), PREFIX)
    assert not errors, f"{what}: {errors[0]}"
    return recs


def results(recs):
    return [r for r in recs if r["type"] == "result"]


def build_iso(tmp, name, menu, default):
    iso = os.path.join(tmp, f"{name}.iso")
    cfg = mkiso.grub_cfg(menu, default=default, build="test")
    return mkiso.make_iso(iso, os.path.join(REPO, "build"), menu, cfg)


def test_the_menu_is_the_harness_matrix():
    menu = mkiso.entries(mkiso.all_systems(), matrix.WORKLOADS)
    plan = matrix.plan(["mono", "micro"], matrix.WORKLOADS)
    assert [(e[2], e[3]) for e in menu] == [
        (s, matrix.cmdline(w, False, shape=sh) + " console=vga") for s, w, sh in plan]
    ids = [e[0] for e in menu]
    assert len(set(ids)) == len(ids) == len(plan)
    assert "micro-sel4-fileio-fs+blk" in ids and "mono-fileio" in ids
    cfg = mkiso.grub_cfg(menu, build="abc")
    for eid, _, system, line in menu:
        assert f"--id '{eid}'" in cfg and f"multiboot /mkb/{system}.elf {line}\n" in cfg
        assert f"echo 'mkb: entry {eid} (mkbench abc)'" in cfg
    assert "set timeout=-1" in cfg and "set default" not in cfg   # waits for a choice
    quick = mkiso.grub_cfg(mkiso.entries(["mono"], ["null"], quick=True), default="mono-null")
    assert 'set default="mono-null"' in quick and "set timeout=0" in quick
    assert "run=bench workload=null iters=100 warmup=10 console=vga" in quick
    with pytest.raises(mkiso.IsoError, match="no menu entry 'mono-nope'"):
        mkiso.grub_cfg(menu, default="mono-nope")


@needs_tools
def test_make_iso_boots_its_default_entry(tmp_path):
    """make iso (its recipe, iso-run: `make iso` would run `make deps`
    first) with ISO_DEFAULT and ISO_QUICK; the image boots the entry."""
    iso = str(tmp_path / "m.iso")
    p = subprocess.run(["make", "-s", "iso-run", f"ISO={iso}", "ISO_QUICK=1",
                        "ISO_DEFAULT=mono-null", "IPC=sel4"], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    with open(tmp_path / "m.grub.cfg") as f:
        cfg = f.read()
    # mono: 5 mechanisms + 3 applications; micro-sel4: 4 + fileio and the
    # applications in both file-server shapes (2 x 4)
    assert cfg.count("menuentry ") == 8 + 12 and "micro-l4" not in cfg
    status, out = run(iso_argv(iso, str(tmp_path / "b.json")))
    assert status == 33, out[-3000:]
    recs = records(out, "image")
    assert re.search(r"mkb: entry mono-null \(mkbench [0-9a-f]{12}(-dirty)?\)", out)
    assert results(recs) and all(r["workload"] == "null" and r["check"] == "ok"
                                 for r in results(recs))
    assert {"type": "done", "status": 0} in recs and FINISHED in out


@needs_tools
@pytest.mark.parametrize("entry", ["mono-pingpong", "micro-sel4-fileio-fs+blk"])
def test_the_image_gives_the_kernel_boots_results(tmp_path, entry):
    """One entry of the image as make iso writes it (console=vga included),
    against a -kernel boot with the same command line. QEMU's -kernel puts
    the kernel's path first; the image's entry gets the same first word, so
    both kernels parse the same line and icount makes them equal."""
    system = next(s for s in mkiso.all_systems() if entry.startswith(s + "-"))
    path = str(tmp_path / f"{system}.elf")   # one path for the -kernel boot and the line
    shutil.copyfile(kernel(system), path)
    menu = [(e, t, s, f"{path} {line}")
            for e, t, s, line in mkiso.entries([system], matrix.WORKLOADS, quick=True)]
    line = next(m[3] for m in menu if m[0] == entry)[len(path) + 1:]
    iso = build_iso(str(tmp_path), "t", menu, entry)
    status, out = run(iso_argv(iso, str(tmp_path / "i.json")))
    assert status == 33, out[-3000:]
    argv = qemu.command(QEMU, path, line, "icount") + qemu.budget_args(
        BOOT_BUDGET, str(tmp_path / "k.json"))
    kstatus, kout = run(argv)
    assert kstatus == 33, kout[-3000:]
    mine, theirs = records(out, "image"), records(kout, "-kernel")
    assert results(mine) and results(mine) == results(theirs)   # every field
    assert [r for r in mine if r["type"] == "done"] == [r for r in theirs if r["type"] == "done"]
    shape = entry.split("fileio-")[1] if "fileio-" in entry else None
    assert all(r.get("shape") == shape for r in results(mine))
    assert f"mkb: entry {entry} (mkbench test)" in out and out.count(FINISHED) == 1


def screen_of(tmp_path, system):
    """Boot the image's <system>-pingpong entry on a PC's view of the
    machine: a VGA card, no isa-debug-exit (the kernel halts after its last
    line). When the serial log says it has finished, the text screen
    (0xB8000) is read through the monitor: (its 25 rows, its bytes, the
    serial log)."""
    kernel(system)
    menu = mkiso.entries([system], ["pingpong"], quick=True)
    iso = build_iso(str(tmp_path), "s", menu, f"{system}-pingpong")
    serial, screen = tmp_path / "serial.log", tmp_path / "screen.bin"
    argv = iso_argv(iso, str(tmp_path / "b.json"), screen=True) + ["-serial", f"file:{serial}"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SAFETY_NET
        while not (serial.exists() and FINISHED in serial.read_text(errors="replace")):
            assert proc.poll() is None, "QEMU ended before the kernel finished"
            assert time.monotonic() < deadline, "the kernel did not finish"
            time.sleep(0.1)
        proc.communicate(f"pmemsave 0xb8000 4000 \"{screen}\"\nquit\n".encode(), timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    cells = screen.read_bytes()
    rows = [cells[r * 160:(r + 1) * 160:2].decode("latin-1").rstrip() for r in range(25)]
    return rows, cells, serial.read_text(errors="replace")


@needs_tools
def test_the_screen_shows_results_in_short_and_the_end(tmp_path):
    rows, cells, log = screen_of(tmp_path, "mono")
    shown = [r for r in rows if r]
    assert shown[0] == "mkb: console=vga; COM1 (115200 8N1) has every line"
    assert shown[1].startswith(PREFIX + '{"type":"boot","mode":"mono"')   # a kprintf line
    assert shown[-1] == FINISHED and cells[rows.index(FINISHED) * 160 + 1] == 0x0F  # white
    short = [f"pingpong {r['variant']} {r['size']}: median {r['median']}, min {r['min']} tsc, ok"
             for r in results(records(log, "serial"))]
    assert short and all(s in shown for s in short), (short, shown)   # user output, shortened


@needs_tools
def test_the_micro_screen_says_where_its_results_are(tmp_path):
    """The micro kernel's console server writes COM1 itself: the screen
    has the kernel's lines, a word on where the results went, and the end."""
    rows, _, log = screen_of(tmp_path, "micro-sel4")
    shown = [r for r in rows if r]
    assert shown[:2] == ["mkb: console=vga; COM1 (115200 8N1) has every line",
                         "mkb: micro: the benchmark's lines go to COM1 only"]
    assert "mkb: server console pid 2 ring 3 on endpoint 1" in shown
    assert shown[-2:] == ["mkb: init exited with status 0", FINISHED]
    assert results(records(log, "serial")) and not any("median" in r for r in shown)
