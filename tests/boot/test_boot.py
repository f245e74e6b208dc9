"""Boot both kernels and check real behaviour: the in-guest self tests,
fault isolation, the console path, the panic path, Multiboot validity."""
import os
import shutil
import subprocess

import pytest

import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bootlib import IPCS, MICRO_BUILDS, REPO, boot, build_of, mode_of, protocol  # noqa: E402

BUILDS = ("mono",) + MICRO_BUILDS


@pytest.fixture(scope="module", params=BUILDS)
def selftest_boot(request):
    """One self-test boot per build (mono, and micro with each IPC
    strategy), shared by the tests that inspect it."""
    return boot(request.param, "run=test")

# Tests every build must report, and the ones each mode adds.
COMMON = ["console", "exit_status", "preemption", "isolation_kernel_read",
          "isolation_kernel_write", "readonly_text_write", "invalid_instruction",
          "unmapped_read", "isolation_other_process", "badptr_write_kernel",
          "badptr_write_null", "badptr_write_huge_len", "badptr_spawn_name",
          "badptr_wait_status", "badptr_counters", "unknown_syscall", "channel_echo",
          "fs_name_too_long", "fs_name_empty", "fs_open_missing", "fs_bad_handle",
          "fs_read_past_end", "fs_io_too_big", "fs_bad_buffer", "fs_full_disk",
          "fs_cross_process", "fs_handle_private", "sem_missing", "sem_uncontended",
          "sem_destroyed", "shm_missing", "shm_bad_size", "shm_shared", "shm_detach",
          # tests/guest/st_attack.c: hostile programs
          "attack_far_return_32bit", "attack_sysenter", "attack_sgdt_umip",
          "attack_privileged_instructions", "attack_nt_flag",
          "attack_direction_flag", "attack_hog_fair_share", "attack_kill_others",
          "exhaustion_freed_at_death", "set_prio",
          # tests/guest/st_smp.c: on one CPU only these two (test_smp.py has the rest)
          "smp_cpus", "smp_affinity"]
MODE_TESTS = {
    "mono": ["pipe_bad_handle", "pipe_write_kernel_buffer", "pipe_read_kernel_buffer",
             "micro_call_absent", "console_in_kernel", "attack_pipe_ownership",
             "mq_priority_order", "mq_sizes", "mq_bad_buffers", "mq_full_blocks_sender",
             "mq_close", "futex_value_changed", "futex_bad_address", "futex_wake_nobody",
             "futex_wake_across_processes", "smp_priority_wakeup"],
    "micro": ["ipc_peer_death", "notification", "mono_call_absent",
              "console_server_process", "console_server_restart", "attack_ownership",
              "attack_server_alive", "attack_server_dies_two_callers",
              "sem_dead_waiter_skipped", "deferred_reply", "wake_kept_and_woken",
              "attack_page_refcount",
              "attack_block_server_direct",
              "recovery_fs_restarts_empty", "recovery_sem_waiter_woken"],
}
# ...and each IPC strategy's own (tests/guest/st_ipc_<ipc>.c).
STRATEGY_TESTS = {
    "sel4": ["ipc_bad_endpoint", "ipc_bad_desc_pointer", "ipc_long_msg_kernel_buffer",
             "ipc_short_desc", "attack_fast_path_tag"],
    "l4": ["l4_bad_thread", "l4_send_timeout_zero", "l4_receive_timeout_zero", "l4_answer_nobody",
           "l4_long_without_string", "l4_short_round_trips", "l4_finite_timeouts",
           "l4_timeout_waiting_for_answer"],
    "mach": ["mach_bad_port", "mach_bad_body", "mach_reply_without_right", "mach_reply_port_idle",
             "mach_typed_header",
             "mach_async_queue", "mach_queue_limit", "mach_port_rights", "mach_out_of_line",
             "mach_out_of_line_shared", "mach_answer_keeps_right"],
    "qnx": ["qnx_bad_channel", "qnx_bad_part", "qnx_too_many_parts", "qnx_reply_not_ours",
            "qnx_multipart", "qnx_single_buffer_bounds", "qnx_priority_inheritance",
            "qnx_pulses_queued"],
    "minix": ["minix_bad_endpoint", "minix_bad_message", "minix_answer_nobody", "minix_grants",
              "minix_kernel_call", "minix_notify"],
    "rc4000": ["rc4000_asynchronous_send", "rc4000_claim", "rc4000_not_our_buffer", "rc4000_pool_share",
               "rc4000_answers_in_order", "rc4000_dummy_answer"],
}
assert set(STRATEGY_TESTS) == set(IPCS)


def expected_tests(build):
    mode = mode_of(build)
    ipc = build.split("-")[1] if mode == "micro" else None
    return COMMON + MODE_TESTS[mode] + STRATEGY_TESTS.get(ipc, [])


def test_selftests_all_pass(selftest_boot):
    b = selftest_boot
    tests = b.tests()
    failed = [n for n, r in tests.items() if not r["ok"]]
    assert not failed, f"{b.mode}: failed in-guest tests {failed}\n{b.out[-3000:]}"
    missing = [n for n in expected_tests(b.mode) if n not in tests]
    assert not missing, f"{b.mode}: tests not reported: {missing}"


def test_selftest_exit_status_and_done(selftest_boot):
    b = selftest_boot
    assert b.status == protocol.load().exit_success, f"{b.mode}: exit {b.status}\n{b.out[-2000:]}"
    assert b.records[0]["type"] == "boot" and b.records[0]["mode"] == mode_of(b.mode)
    assert b.records[-1] == {"type": "done", "status": 0}


def test_user_faults_are_one_console_line_and_kernel_survives(selftest_boot):
    """Each faulting child is named on one line; tests after it still ran."""
    lines = [l for l in selftest_boot.out.splitlines() if " killed: " in l]
    kinds = " ".join(lines)
    assert "read of 0x100000 (kernel or non-user address)" in kinds
    assert "write of 0x200000" in kinds and "(protection)" in kinds
    assert "invalid opcode" in kinds
    assert all(l.startswith("mkb: pid ") and "(selftest)" in l for l in lines), lines


def test_console_path(selftest_boot):
    assert f"selftest: {mode_of(selftest_boot.mode)} kernel" in selftest_boot.out
    assert "selftest: hello from pid" in selftest_boot.out


def test_micro_console_is_a_ring3_server():
    b = boot("micro", "run=test")
    assert "mkb: server console pid 2 ring 3 on endpoint 1" in b.out
    assert "mkb: server console (pid 2) died; restarted as pid" in b.out
    assert "selftest: console after restart" in b.out


@pytest.mark.parametrize("mode", ["mono", "micro"])
def test_kernel_fault_panics_with_registers(mode):
    b = boot(mode, "run=test kfault=1")
    assert b.status == protocol.load().exit_panic, b.out[-2000:]
    assert "kernel fault: page fault" in b.out and "kernel panic:" in b.out
    assert "rip=" in b.out and "cr2=00007fff00000000" in b.out


@pytest.mark.parametrize("mode", ["mono", "micro"])
def test_kernel_null_pointer_faults(mode):
    """Page 0 is unmapped in ring 0 too: a kernel null dereference panics."""
    b = boot(mode, "run=test kfault=null")
    assert b.status == protocol.load().exit_panic, b.out[-2000:]
    assert "kernel fault: page fault" in b.out and "cr2=0000000000000000" in b.out


def test_cpu_protections_are_on(selftest_boot):
    boot_line = selftest_boot.records[0]
    assert (boot_line["smep"], boot_line["smap"], boot_line["umip"]) == (1, 1, 1), boot_line


@pytest.mark.parametrize("build", MICRO_BUILDS)
def test_micro_two_hop_file_server_self_tests(build):
    """The fs+blk shape under every strategy: the block server takes the
    file server's calls only, and the file system still works."""
    b = boot(build, "run=test fsshape=fs+blk")
    t = b.tests()
    assert b.status == protocol.load().exit_success, b.out[-3000:]
    assert t["attack_block_server_direct"]["detail"] == "refused: EPERM"
    assert t["fs_full_disk"]["ok"] and t["fs_cross_process"]["ok"]  # the fs still works
    for name in ("recovery_fs_remounts", "recovery_blk_lost_disk_is_an_error",
                 "recovery_fs_after_blk", "recovery_sem_waiter_woken"):
        assert t[name]["ok"], (name, t[name])
    assert "fs: mounted the disk it found (files kept)" in b.out


@pytest.mark.parametrize("build", ["micro-mach", "micro-sel4", "micro-rc4000"])
def test_shm_full_sweep_within_the_tree_quota(build):
    """Every shm size, both variants, in one boot: the user-level
    semaphores' wake-up channels (endpoints or notifications, which the
    kernel never frees) are reused from size to size (bench/usem.h:
    usem_done), so the workload stays inside its process tree's quota,
    and a poster takes back what its wake-ups left out (usem_post_done:
    rc4000's last message per semaphore, else its buffer claim of 4 runs
    out after two sizes)."""
    b = boot(build, "run=bench workload=shm sizes=64,1024,4096,16384,65536 iters=5 warmup=1")
    rows = [r for r in b.records if r.get("type") == "result"]
    assert b.status == protocol.load().exit_success, b.out[-2000:]
    assert len(rows) == 10 and all(r["check"] == "ok" for r in rows), b.out[-2000:]
    assert "is at its limit" not in b.out


def test_mach_handoff_option():
    """handoff=on: mach's self tests pass with handoff scheduling (a pair
    that hands off runs out one time slice, so a hog still gets its share);
    a bad value, or the option on another strategy, is a panic naming it."""
    b = boot("micro-mach", "run=test handoff=on")
    assert b.status == protocol.load().exit_success, b.out[-3000:]
    assert "mkb: mach handoff scheduling on" in b.out
    assert all(t["ok"] for t in b.tests().values())
    assert "attack_hog_fair_share" in b.tests()
    for build, arg, said in (("micro-mach", "handoff=maybe", "use handoff=on or handoff=off"),
                             ("micro-sel4", "handoff=on", "an option of the mach strategy, not sel4")):
        b = boot(build, f"run=test {arg}")
        assert b.status == protocol.load().exit_panic and said in b.out, b.out[-2000:]


@pytest.mark.parametrize("mode", ["mono", "micro"])
def test_unknown_run_is_a_clear_failure(mode):
    b = boot(mode, "run=nonsense")
    assert b.status == protocol.load().exit_failure
    assert any(r.get("type") == "error" and "unknown run=nonsense" in r["msg"] for r in b.records)


# A self-test boot stays short, judged by guest instructions (the host's wall
# time is noisy and shared): 2 x the longest healthy one (bootlib.py).
SELFTEST_BOUND = 2_000_000_000


@pytest.mark.parametrize("mode", ["mono", "micro"])
def test_selftest_boot_is_short(mode):
    b = boot(mode, "run=test")
    assert b.status == protocol.load().exit_success
    assert b.executed and b.executed < SELFTEST_BOUND, \
        f"{mode} self-test boot executed {b.executed:,} guest instructions"
    print(f"{mode} self-test boot: {b.executed:,} guest instructions")


@pytest.mark.parametrize("mode", BUILDS)
def test_kernel_is_multiboot(mode):
    path = os.path.join(REPO, "build", build_of(mode), "kernel.elf")
    if shutil.which("grub-file"):
        assert subprocess.run(["grub-file", "--is-x86-multiboot", path]).returncode == 0
    # The header itself: magic, flags, checksum in the first 8 KiB, 4-aligned.
    data = open(path, "rb").read(8192)
    import struct
    for off in range(0, len(data) - 12, 4):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic == 0x1BADB002:
            assert (magic + flags + csum) & 0xFFFFFFFF == 0
            break
    else:
        pytest.fail("no Multiboot header in the first 8 KiB")


def test_micro_kernel_names_its_strategy(selftest_boot):
    if mode_of(selftest_boot.mode) == "micro":
        ipc = selftest_boot.mode.split("-")[1]
        assert f"mkb: ipc strategy {ipc}\n" in selftest_boot.out


def test_make_rejects_unknown_ipc_strategy():
    p = subprocess.run(["make", "-C", REPO, "kernels", "IPC=sel4,bogus"], capture_output=True,
                       text=True)
    assert p.returncode != 0
    assert "IPC=sel4,bogus: unknown strategy bogus (valid: sel4 l4 mach qnx minix rc4000)" in p.stderr


def test_make_rejects_unknown_mode():
    p = subprocess.run(["make", "-C", REPO, "run", "MODE=bogus"], capture_output=True, text=True)
    assert p.returncode != 0 and "MODE=bogus is not a mode" in p.stderr
