/* main.c - kernel entry after boot.S: bring up each subsystem, start the
 * mode's services and init, then schedule. Linked into both kernels. */
#include "defs.h"
#include "x86.h"
#include "quota.h"
#include "proc.h"
#include "protocol.h"
#include "smp.h"

#define MB_BOOT_MAGIC 0x2BADB002
#define INIT_PRIO 4

static char cmdline[USER_ARG_MAX];
volatile uintptr_t kernel_null;   /* 0, read through so gcc cannot see a null dereference */

static void read_cmdline(uint32_t mb_info)
{
	const uint32_t *mb = (const uint32_t *)(uint64_t)mb_info;
	if ((mb[0] & (1 << 2)) && mb[4]) {
		const char *s = (const char *)(uint64_t)mb[4];
		size_t i = 0;
		for (; s[i] && i + 1 < sizeof cmdline; i++)
			cmdline[i] = s[i];
		cmdline[i] = '\0';
	}
}

/* kfault=1 on the command line: fault in ring 0 on purpose, so a test can
 * see the panic path (registers printed, QEMU exits with MKB_EXIT_PANIC). */
static void kernel_fault_test(const char *how)
{
	kprintf("mkb: kfault requested: touching an unmapped kernel address\n");
	if (!strcmp(how, "null"))
		*(volatile uint64_t *)(uintptr_t)kernel_null;   /* page 0 is unmapped */
	*(volatile uint64_t *)0x7FFF00000000UL = 1;
}

void kmain(uint32_t magic, uint32_t mb_info)
{
	smp_early();           // several CPUs: this one's struct cpu in GS (the big lock taken, where there is one)
	console_init();        // COM1 for kernel messages
	if (magic != MB_BOOT_MAGIC)
		panic("not loaded by a Multiboot loader (magic %x)", magic);
	read_cmdline(mb_info); // run=... arguments for init
	vga_setup(cmdline);    // console=vga: the screen too (make iso)
	trial_begin(cmdline, sizeof cmdline);   // trials=<K>: one of several boots
	gdt_init();            // segments, TSS
	cpu_init();            // SMEP, SMAP, UMIP where the CPU has them
	model_announce();      // where the cycle model finds CR3 (x86.h)
	idt_init();            // exception and timer vectors
	pmm_init(mb_info);     // physical page allocator
	proc_init();           // process table
	sched_init();          // run queues, idle thread
	syscall_init();        // syscall/sysret MSRs
	timer_init();          // PIT tick for preemption
	smp_init(cmdline);     // several CPUs: the others (MADT), the local APIC timers instead of the PIT
	watchdog_init(cmdline);   // watchdog=<instructions>: a hang ends the boot
	kprintf(MKB_PREFIX "{\"type\":\"boot\",\"mode\":\"%s\",\"free_kib\":%lu,"
		"\"smep\":%d,\"smap\":%d,\"umip\":%d}\n", mode_name, pmm_free_pages() * 4,
		cpu_features.smep, cpu_features.smap, cpu_features.umip);
	int pid = proc_spawn("init", cmdline, 0, INIT_PRIO, &system_account);   // pid 1
	if (pid != 1)
		panic("cannot start init (%d)", pid);
	proc_find(1)->privs = PRIV_ALL;   // init passes on what its program needs
	mode_init(cmdline);    // mono: in-kernel services; micro: servers
	char how[8];
	if (fmt_getarg(cmdline, "heartbeat", how, sizeof how) >= 0 && fmt_parse_u64(how, 0) > 0)
		heartbeat_ticks = (int)fmt_parse_u64(how, 0);   // heartbeat=<ticks>, 1..9999999
	if (fmt_getarg(cmdline, "kfault", how, sizeof how) >= 0)
		kernel_fault_test(how);   // kfault=1 or kfault=null
	smp_start();           // several CPUs: the others start, each in its idle loop
	sched_start();         // never returns
}
