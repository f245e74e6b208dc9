/* cpu.c - the CPU's own protections, switched on when the CPU has them
 * (QEMU's -cpu model decides; the harness asks for qemu64 with
 * +smep,+smap,+umip): SMEP (ring 0 never executes a user page), SMAP
 * (ring 0 never reads or writes a user page: the kernel reaches user
 * memory only through the identity map, vm.c) and UMIP (ring 3 cannot
 * read the GDT, IDT or task register with sgdt/sidt/sldt/str/smsw, which
 * would leak kernel addresses). Linked into both kernels. */
#include "defs.h"
#include "x86.h"

struct cpu_features cpu_features;
volatile struct model_shadow model_shadow __attribute__((aligned(32)));   /* x86.h */

void cpu_init(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	if (r[0] < 7)
		return;
	cpuid(7, 0, r);
	cpu_features.smep = (r[1] >> 7) & 1;
	cpu_features.smap = (r[1] >> 20) & 1;
	cpu_features.umip = (r[2] >> 2) & 1;
	uint64_t cr4 = rcr4();
	if (cpu_features.smep)
		cr4 |= CR4_SMEP;
	if (cpu_features.smap)
		cr4 |= CR4_SMAP;
	if (cpu_features.umip)
		cr4 |= CR4_UMIP;
	lcr4(cr4);
	/* Claim only what the CPU took: a hypervisor may list a feature in
	 * CPUID that it cannot give (QEMU warns "host doesn't support
	 * requested feature" under KVM), and the boot line must not say on. */
	cr4 = rcr4();
	cpu_features.smep &= (cr4 & CR4_SMEP) != 0;
	cpu_features.smap &= (cr4 & CR4_SMAP) != 0;
	cpu_features.umip &= (cr4 & CR4_UMIP) != 0;
}
