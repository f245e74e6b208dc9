/*
 * apboot.S - where an application processor starts (SMP kernel only):
 * the start-up IPI sends it to AP_TRAMPOLINE in real mode (Intel SDM
 * vol. 3A, 9.4.4: "MP Initialization Example"; the vector is the page
 * number). smp.c copies this code there and fills in the page tables,
 * stack and entry it needs; it goes to protected mode, then long mode
 * with the boot page tables (boot.S), and jumps to ap_main(). Every
 * address below is the copy's: AP_ADDR(label).
 */
#ifdef MKB_SMP
#define AP_TRAMPOLINE 0x8000
#define AP_ADDR(x) ((x) - ap_tramp_start + AP_TRAMPOLINE)

        .section .rodata
        .code16
        .globl ap_tramp_start, ap_tramp_end, ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry, ap_tramp_stage
ap_tramp_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movb $1, AP_ADDR(ap_tramp_stage)
        lgdtl AP_ADDR(tramp_gdtr)
        movl %cr0, %eax
        orl $1, %eax                            /* PE */
        movl %eax, %cr0
        ljmpl $0x08, $AP_ADDR(tramp32)

        .code32
tramp32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movb $2, AP_ADDR(ap_tramp_stage)
        movl %cr4, %eax
        orl $((1 << 5) | (1 << 7)), %eax        /* PAE | PGE */
        movl %eax, %cr4
        movl AP_ADDR(ap_tramp_cr3), %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx                  /* EFER: SCE | LME | NXE */
        rdmsr
        orl $((1 << 0) | (1 << 8) | (1 << 11)), %eax
        wrmsr
        movl %cr0, %eax
        orl $((1 << 31) | (1 << 16) | 1), %eax  /* PG | WP | PE */
        movl %eax, %cr0
        ljmpl $0x18, $AP_ADDR(tramp64)

        .code64
tramp64:
        movb $3, AP_ADDR(ap_tramp_stage)
        movq AP_ADDR(ap_tramp_stack), %rsp
        movq AP_ADDR(ap_tramp_entry), %rax
        xorl %ebp, %ebp
        jmp *%rax

        .align 8
tramp_gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF      /* 0x08: 32-bit code */
        .quad 0x00CF92000000FFFF      /* 0x10: data */
        .quad 0x00209A0000000000      /* 0x18: 64-bit code */
tramp_gdtr:
        .word tramp_gdtr - tramp_gdt - 1
        .long AP_ADDR(tramp_gdt)
        .align 8
ap_tramp_cr3:   .quad 0
ap_tramp_stack: .quad 0
ap_tramp_entry: .quad 0
ap_tramp_stage: .quad 0   /* how far it got: 1 real, 2 protected, 3 long mode */
ap_tramp_end:
#endif
