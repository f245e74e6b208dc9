/* crt0.S - user program entry: the kernel passes the argument string in
 * rdi; main's return value becomes the exit status. */
        .text
        .globl _start
_start:
        xorq %rbp, %rbp
        andq $-16, %rsp
        call main
        movq %rax, %rdi
        movq $1, %rax           /* SYS_EXIT */
        syscall
        ud2
