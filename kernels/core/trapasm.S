/*
 * trapasm.S - interrupt and exception entry stubs and the common return.
 * Every vector pushes (error code or 0, vector), then all general
 * registers, forming struct trapframe, and calls trap(tf) with RFLAGS
 * cleared (DF, AC, NT off). The SMP kernel swaps GS on entries from
 * ring 3 and on the way back there (smp.h).
 */
        .text
.macro VEC n
        .globl vec\n
vec\n:
.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21)
        pushq $\n
.else
        pushq $0
        pushq $\n
.endif
        jmp trap_common
.endm

.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34
        VEC \n
.endr

trap_common:
#ifdef MKB_SMP
        testb $3, 24(%rsp)              /* the interrupted CS: from ring 3? */
        jz 1f
        swapgs
1:
#endif
        /* An interrupt gate clears IF, TF and NT but not DF or AC: a user
         * that set DF would make the kernel's rep movs copy backwards.
         * Start from clean flags (the iret frame keeps the user's). */
        pushq $0x2
        popfq
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, %rdi
        call trap
        .globl trapret
trapret:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp
#ifdef MKB_SMP
        testb $3, 8(%rsp)               /* back to ring 3? */
        jz 1f
        swapgs
1:
#endif
        iretq

#ifdef MKB_SMP
/* The local APIC's spurious vector (0xFF, smp.c): nothing to do, no EOI
 * (Intel SDM vol. 3A, 11.9). */
        .globl vec_spurious
vec_spurious:
        iretq

/* A new process's first return to ring 3 (proc.c: setup_kstack): the
 * lock its CPU took to switch to it is dropped on the way. */
        .globl forkret
forkret:
        call sched_first_return
        jmp trapret
#endif

        .section .rodata
        .globl vectors
vectors:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34
        .quad vec\n
.endr
