/* trap.h - register frames built by the entry stubs (trapasm.S, syscall.S). */
#ifndef MKB_TRAP_H
#define MKB_TRAP_H
#include <stdint.h>

/* Interrupt/exception frame: pushed by trapasm.S, then the CPU's iret frame. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* System-call frame: pushed by syscall.S. The argument registers are saved
 * so a handler can return extra values (IPC message registers) in them. */
struct sysframe {
	uint64_t r9, r8, r10, rdx, rsi, rdi, rax;
	uint64_t rip, rflags, rsp;    /* user rcx, r11, rsp */
};

#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UDATA 0x20
#define SEG_UCODE 0x28
#define SEG_TSS 0x30
#endif
