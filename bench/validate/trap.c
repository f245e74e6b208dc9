/*
 * trap.c - the kernel of make validate's message-packing mechanisms:
 * user/os_micro.c over each strategy's user/ipc/<s>.h, compiled for
 * Linux with MKB_TRAP_STUB (user/syscall.h), traps to mkb_trap_stub
 * instead of a kernel. The stub keeps the argument registers (the
 * message comes back as it went, an echo) and returns in rax what a
 * kernel returns for a delivered message, so each strategy's user side
 * takes the path it takes in a round trip: a received request names its
 * sender (qnx's rcvid, rc4000's buffer) and carries a reply right (mach).
 * Its own cost is a handful of instructions, the same natively and under
 * the model (bench/validate/validate.c times both).
 */
#include <stdint.h>
#include "abi.h"

long mkb_trap_c(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t n);

/* syscall's registers (rdi, rsi, rdx, r10, r8; rax the number) as a C
 * call's (rdi, rsi, rdx, rcx, r8; the number in r9); rcx and r11 are
 * the trap's clobbers, as a syscall's. */
__asm__(".text\n"
	".globl mkb_trap_stub\n"
	"mkb_trap_stub:\n"
	"\tpush %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %r10\n\tpush %r8\n\tpush %r9\n"
	"\tmov %r10, %rcx\n"
	"\tmov %rax, %r9\n"
	"\tcall mkb_trap_c\n"
	"\tpop %r9\n\tpop %r8\n\tpop %r10\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n"
	"\tret\n");

long mkb_trap_c(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t n)
{
	(void)a1, (void)a2, (void)a3;
	switch (n) {
	case SYS_MACH_MSG:   /* a received message carries a send-once right */
		if (a0 & MACH_RCV_MSG)
			((struct mach_msg *)a4)->reply = 1;
		return 0;
	case SYS_QNX_RECEIVE:       /* rcvid 1: a message (0 is a pulse) */
	case SYS_RC_SEND_MESSAGE:   /* buffer 1 */
	case SYS_RC_WAIT_MESSAGE:
		return 1;
	default:
		return 0;
	}
}
