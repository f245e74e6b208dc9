/*
 * protocol.h - the one definition of how a guest talks to the harness.
 *
 * Linked into: kernel (both modes), user programs, and read as text by
 * scripts/mkb/protocol.py (which parses the #define lines below), so the
 * marker and exit codes exist exactly once.
 *
 * Serial line format: MKB_PREFIX followed by one JSON object and '\n'.
 *   {"type":"boot",...}    kernel is up (mode, memory)
 *   {"type":"result",...}  one benchmark result (fields: see README)
 *   {"type":"test",...}    one in-guest self-test outcome
 *   {"type":"done",...}    guest finished; QEMU exits right after
 * Exit status of qemu-system-x86_64 with isa-debug-exit (iobase 0xf4) is
 * (value << 1) | 1 for the value the kernel writes.
 */
#ifndef MKB_PROTOCOL_H
#define MKB_PROTOCOL_H

#define MKB_PREFIX "@@MKB "
#define MKB_DEBUG_EXIT_PORT 0xf4
#define MKB_EXIT_SUCCESS 0x10 /* qemu exits 33 */
#define MKB_EXIT_FAILURE 0x11 /* qemu exits 35: a test or benchmark failed */
#define MKB_EXIT_PANIC 0x12   /* qemu exits 37: kernel panic */
#define MKB_EXIT_HANG 0x13    /* qemu exits 39: the watchdog saw a hang (kernels/core/watchdog.c) */

#endif
