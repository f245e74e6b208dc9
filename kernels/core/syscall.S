/*
 * syscall.S - the syscall/sysret entry. Interrupts stay off in the kernel
 * (FMASK clears IF), so one CPU needs no swapgs: the user stack pointer
 * is parked in a global until the frame is on the kernel stack. The SMP
 * kernel parks it in the CPU's struct cpu instead (smp.h), reached
 * through the kernel's GS base after swapgs.
 * Frame layout: struct sysframe in trap.h.
 */
#define CPU_KSTACK 8    /* struct cpu (smp.h) */
#define CPU_SCRATCH 16
        .text
        .globl syscall_entry
syscall_entry:
#ifdef MKB_SMP
        swapgs
        movq %rsp, %gs:CPU_SCRATCH
        movq %gs:CPU_KSTACK, %rsp
        pushq %gs:CPU_SCRATCH
#else
        movq %rsp, user_rsp_scratch(%rip)
        movq kstack_top(%rip), %rsp
        pushq user_rsp_scratch(%rip)
#endif
        pushq %r11
        pushq %rcx
        pushq %rax
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %r10
        pushq %r8
        pushq %r9
        movq %rsp, %rdi
        call syscall_dispatch
        .globl sysret_path
sysret_path:
        popq %r9
        popq %r8
        popq %r10
        popq %rdx
        popq %rsi
        popq %rdi
        popq %rax
        popq %rcx
        popq %r11
#ifdef MKB_SMP
        swapgs
#endif
        popq %rsp
        sysretq

/* CSTAR: a syscall from 32-bit compatibility mode. There is no 32-bit
 * ABI, so the caller is killed; this only needs a kernel stack. */
        .globl syscall_compat_entry
syscall_compat_entry:
#ifdef MKB_SMP
        swapgs
        movq %gs:CPU_KSTACK, %rsp
#else
        movq kstack_top(%rip), %rsp
#endif
        call syscall_compat
1:      hlt
        jmp 1b

#ifndef MKB_SMP
        .bss
        .align 8
        .globl kstack_top
kstack_top: .quad 0
user_rsp_scratch: .quad 0
#endif
