/* syscall.h - raw system-call stubs for user programs (abi.h numbers).
 * syscall clobbers rcx and r11; the kernel may return values in the
 * argument registers (IPC), so those are outputs too. */
#ifndef MKB_USYSCALL_H
#define MKB_USYSCALL_H
#include <stdint.h>
#include "abi.h"

/* The trap. make validate (bench/validate/trap.c) compiles the user side
 * of a message for Linux with MKB_TRAP_STUB, where the trap is a call to
 * a stub that answers as a kernel would and keeps the argument registers:
 * the user side's own instructions can then be timed alone. */
#ifdef MKB_TRAP_STUB
#define MKB_TRAP "call mkb_trap_stub"
#else
#define MKB_TRAP "syscall"
#endif

struct sysret6 {
	int64_t rax;
	uint64_t rdi, rsi, rdx, r10, r8;
};

static inline struct sysret6 syscall6(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
				      uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	struct sysret6 r;
	__asm__ volatile(MKB_TRAP
			 : "=a"(r.rax), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "a"(n)
			 : "rcx", "r11", "memory");
	r.rdi = a0, r.rsi = a1, r.rdx = a2, r.r10 = r10, r.r8 = r8;
	return r;
}

static inline int64_t syscall3(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return syscall6(n, a0, a1, a2, 0, 0, 0).rax;
}
#endif
