/* x86.h - inline wrappers for the x86-64 instructions the kernel uses. */
#ifndef MKB_X86_H
#define MKB_X86_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rcr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t rcr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
/* What the cycle model (bench/model/mkbmodel.c) cannot see in an
 * instruction's bytes, kept in memory where it reads it: the page-table
 * root last loaded (it walks the guest's tables from there), the address
 * the last invlpg dropped (it drops the same from its TLBs), and the
 * table of interrupt and exception entry points (trapasm.S vectors, set
 * by idt_init: a block that starts at one was entered through the IDT,
 * a delivery it prices). One store per CR3 write and per invlpg;
 * model_announce says where. */
/* The server address spaces (their CR3s), by well-known endpoint, for
 * the model's shares of time (kernel, servers, application): written
 * when the kernel starts or restarts a server, never on a switch. */
#define MODEL_SERVERS 8   /* bench/model/model.h */
struct model_shadow {
	uint64_t cr3, invlpg, vectors, nvec;
	uint64_t servers[MODEL_SERVERS];
};
static inline void model_server(int ep, uint64_t cr3)
{
	extern volatile struct model_shadow model_shadow;
	if (ep >= 0 && ep < MODEL_SERVERS)
		model_shadow.servers[ep] = cr3;
}
extern volatile struct model_shadow model_shadow;
static inline void lcr3(uint64_t v)
{
	model_shadow.cr3 = v;
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
static inline void invlpg(uint64_t va)
{
	model_shadow.invlpg = va;
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}
/* Tell the cycle model where model_shadow is: a NOP whose displacement
 * is its address (the kernel is identity-mapped below 1 GiB), run once
 * at boot; "nopw" (0x66 0f 1f 80 disp32) tells it from the benchmarks'
 * "nopl" markers (bench/bench.h). Nothing to the CPU. */
static inline void model_announce(void)
{
	model_shadow.cr3 = rcr3();
	__asm__ volatile("nopw %c0(%%rax)" ::"i"(&model_shadow) : "memory");
}
static inline void hlt(void) { __asm__ volatile("hlt"); }
static inline void sti_hlt_cli(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_FMASK 0xC0000084
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_NT 0x4000
#define RFLAGS_AC 0x40000

#define CR4_UMIP (1UL << 11)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)

static inline uint64_t rcr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void lcr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
#endif
