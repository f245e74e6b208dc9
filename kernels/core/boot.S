/*
 * boot.S - Multiboot (v1) entry: 32-bit protected mode -> 64-bit long mode.
 * Linked into both kernels. Identity-maps the first 1 GiB with 2 MiB
 * supervisor-only global pages, all but the first 2 MiB, which are 4 KiB
 * pages without page 0 (these tables stay the kernel's tables),
 * enables PAE, long mode, NX and syscall, then calls kmain(magic, info).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003   /* page-align modules, want memory info */

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .bss
        .align 4096
        .globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
boot_pt0:   .skip 4096                  /* the first 2 MiB in 4 KiB pages */
boot_stack: .skip 16384
boot_stack_top:
mb_magic:   .skip 4
mb_info:    .skip 4

        .section .rodata
        .align 16
boot_gdt:
        .quad 0
        .quad 0x00209A0000000000      /* 0x08: 64-bit kernel code */
        .quad 0x0000920000000000      /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt

        .section .text
        .code32
        .globl _start
_start:
        cli
        movl $boot_stack_top, %esp
        movl %eax, mb_magic
        movl %ebx, mb_info

        /* Virtual wire mode: the 8259 PIC's output reaches the CPU through
         * the local APIC's LINT0 as ExtINT, NMI through LINT1 (Intel MP
         * Specification 1.4, section 3.6.2.2). After reset both LVT
         * entries are masked; SeaBIOS programs them, qboot and some real
         * firmware do not, and then the timer (kernels/core/timer.c) never
         * ticks. Done here, before paging, while 0xFEE00000 is reachable. */
        movl $0x1B, %ecx                /* IA32_APIC_BASE: global enable */
        rdmsr
        orl $(1 << 11), %eax
        wrmsr
        movl $0x1FF, 0xFEE000F0         /* SVR: software enable, vector 0xFF */
        movl $0x700, 0xFEE00350         /* LVT LINT0: ExtINT, unmasked */
        movl $0x400, 0xFEE00360         /* LVT LINT1: NMI, unmasked */

        movl $boot_pdpt, %eax           /* PML4[0] -> PDPT (user bit set: */
        orl $0x7, %eax                  /* per-level U is ANDed; PDPT[0] */
        movl %eax, boot_pml4            /* below keeps the kernel private) */
        movl $boot_pd, %eax
        orl $0x3, %eax                  /* PDPT[0] -> PD, supervisor only */
        movl %eax, boot_pdpt
        xorl %ecx, %ecx
1:      movl %ecx, %eax                 /* PD[i] = i * 2 MiB, P|RW|PS|G */
        shll $21, %eax
        orl $0x183, %eax
        movl %eax, boot_pd(,%ecx,8)
        incl %ecx
        cmpl $512, %ecx
        jne 1b
        movl $1, %ecx                   /* PT0[i] = i * 4 KiB, P|RW|G, for */
2:      movl %ecx, %eax                 /* i >= 1: page 0 stays unmapped, so */
        shll $12, %eax                  /* a null pointer faults in ring 0 */
        orl $0x103, %eax                /* as in ring 3 */
        movl %eax, boot_pt0(,%ecx,8)
        incl %ecx
        cmpl $512, %ecx
        jne 2b
        movl $boot_pt0, %eax
        orl $0x3, %eax
        movl %eax, boot_pd              /* PD[0] -> PT0 */

        movl $boot_pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $((1 << 5) | (1 << 7)), %eax        /* PAE | PGE */
        movl %eax, %cr4
        movl $0xC0000080, %ecx                  /* EFER */
        rdmsr
        orl $((1 << 0) | (1 << 8) | (1 << 11)), %eax  /* SCE | LME | NXE */
        wrmsr
        movl %cr0, %eax
        orl $((1 << 31) | (1 << 16) | 1), %eax  /* PG | WP | PE */
        movl %eax, %cr0
        lgdt boot_gdt_ptr
        ljmp $0x08, $long_entry

        .code64
long_entry:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movq $boot_stack_top, %rsp
        movl mb_magic, %edi
        movl mb_info, %esi
        call kmain
2:      cli
        hlt
        jmp 2b
