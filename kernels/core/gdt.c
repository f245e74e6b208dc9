/* gdt.c - GDT and TSS. The selector order is fixed by sysret: user data
 * at STAR.base+8, user code at STAR.base+16. The TSS carries an I/O
 * permission bitmap so a ring-3 console server can own COM1 alone. Each
 * CPU has its own GDT and TSS (the SMP kernel's; smp.h). */
#include "defs.h"
#include "smp.h"

struct tss {
	uint32_t rsv0;
	uint64_t rsp[3];
	uint64_t rsv1;
	uint64_t ist[7];
	uint64_t rsv2;
	uint16_t rsv3, iomap_base;
	uint8_t iomap[8192 + 1];
} __attribute__((packed));

static struct tss tsses[NCPU] __attribute__((aligned(16)));
static uint8_t nmi_stacks[NCPU][4096] __attribute__((aligned(16)));   /* IST 1: the NMI's own (watchdog.c) */
static uint64_t gdts[NCPU][8] __attribute__((aligned(16)));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The calling CPU's: each loads its own (smp.c starts the others). */
void gdt_init(void)
{
	uint64_t *gdt = gdts[cpu_id()];
	struct tss *tss = &tsses[cpu_id()];
	gdt[0] = 0;
	gdt[1] = 0x00209A0000000000;   /* 0x08 kernel code, 64-bit */
	gdt[2] = 0x0000920000000000;   /* 0x10 kernel data */
	gdt[3] = 0;                    /* 0x18: sysret's base; no 32-bit user code segment
					* exists, so a far jump to 0x1b faults */
	gdt[4] = 0x0000F20000000000;   /* 0x20 user data */
	gdt[5] = 0x0020FA0000000000;   /* 0x28 user code, 64-bit */
	uint64_t base = (uint64_t)tss, limit = sizeof *tss - 1;
	gdt[6] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89UL << 40) |
		 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[7] = base >> 32;
	tss->iomap_base = (uint16_t)((uint64_t)tss->iomap - (uint64_t)tss);
	memset(tss->iomap, 0xFF, sizeof tss->iomap);   /* every port denied */
	tss->ist[0] = (uint64_t)(nmi_stacks[cpu_id()] + sizeof nmi_stacks[0]);

	struct desc_ptr p = { sizeof gdts[0] - 1, (uint64_t)gdt };
	__asm__ volatile("lgdt %0" ::"m"(p));
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"(0x10));
	__asm__ volatile("pushq $0x08; lea 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" ::: "rax", "memory");
	__asm__ volatile("ltr %w0" ::"r"(0x30));
}

void tss_set_rsp0(uint64_t rsp0)
{
	tsses[cpu_id()].rsp[0] = rsp0;
}

/* Open or close COM1's eight ports (0x3F8-0x3FF) to ring 3. */
void tss_set_console_io(int allowed)
{
	tsses[cpu_id()].iomap[0x3F8 / 8] = allowed ? 0x00 : 0xFF;
}
