/* swtch.S - swtch(&old->ksp, new->ksp): save callee-saved registers on
 * the current kernel stack, switch stacks, restore the other thread's. */
        .text
        .globl swtch
swtch:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret
