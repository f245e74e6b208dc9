/* st_attack.c - hostile ring-3 programs, the same in both kernels: each
 * runs in a child (a role of this image) and tries one way to take over,
 * crash, hang or starve the kernel; the driver checks what the kernel
 * must do (the attacker is killed, the call fails, everyone else runs
 * on). Mode-specific attacks are in st_mono.c and st_micro.c. */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

#define FAULT(v) (EXIT_FAULT_BASE | (v))

/* The attacker must die of a CPU exception (vector v1 or v2; -1: any). */
static void expect_killed(const char *name, const char *role, int v1, int v2, const char *what)
{
	char d[128];
	int st = run_child(role, 0);
	fmt_snprintf(d, sizeof d, "%s: child exit status 0x%x", what, st);
	int fault = st >= EXIT_FAULT_BASE && st < EXIT_FAULT_BASE + 32;
	report(name, fault && (v1 < 0 || st == FAULT(v1) || st == FAULT(v2)), d);
}

/* Far return into the 32-bit user code selector (0x1b) and run syscall
 * there: with no such segment the far return itself faults (#GP). */
static int far_return_32(void)
{
	__asm__ volatile("pushq $0x1b\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n"
			 "1:\tsyscall" ::: "rax", "rcx", "r11", "memory");
	return 0;
}

static uint8_t echo_req[4096], echo_resp[4096];

/* A data-checked channel echo with a child, rounds times: 1 if all came back. */
int echo_rounds(int rounds)
{
	long ch = os_chan_create();
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=echo ch=%ld", ch);
	int pid = ch >= 0 ? os_spawn("selftest", arg) : -1, bad = ch < 0 || pid < 0, st;
	for (int i = 0; !bad && i < rounds; i++) {
		size_t n = 512 + (size_t)i * 97;
		for (size_t k = 0; k < n; k++)
			echo_req[k] = (uint8_t)(k * 13 + (size_t)i);
		memset(echo_resp, 0, n);
		bad = os_chan_call(ch, echo_req, n, echo_resp, sizeof echo_resp) != (long)n ||
		      memcmp(echo_req, echo_resp, n) != 0;
	}
	if (pid > 0) {
		os_kill(pid);
		os_wait(pid, &st);
	}
	return !bad;
}

/* Create objects until the kernel or a service refuses; then exit
 * without freeing them. Returns 0 if every kind ran out. */
static int hoard(void)
{
	int chans = 0, files = 0, sems = 0, segs = 0;
	while (chans < 256 && os_chan_create() >= 0)
		chans++;
	os_fs_create("hoardf");
	while (files < 256 && os_fs_open("hoardf", FS_O_READ) >= 0)
		files++;
	while (sems < 256 && os_sem_create(1) >= 0)
		sems++;
	while (segs < 256 && os_shm_create(0x4000u + (unsigned)segs, 4096) >= 0)
		segs++;
	os_printf("selftest: hoarder holds %d channels, %d files, %d semaphores, %d segments\n",
		  chans, files, sems, segs);
	return chans && files && sems && segs && chans < 256 && files < 256 && sems < 256 &&
	       segs < 256 ? 0 : 1;
}

/* After a hoarder died: every kind of object can be had again. */
static void test_exhaustion(void)
{
	int st = run_child("hoard", 0);
	long ch = os_chan_create();
	int h = os_fs_open("hoardf", FS_O_READ), sem = os_sem_create(0);
	int seg = os_shm_create(0x4000u, 4096);
	char d[128];
	fmt_snprintf(d, sizeof d, "hoarder %d; then channel %ld, file %d, sem %d, segment %d",
		     st, ch, h, sem, seg);
	report("exhaustion_freed_at_death", st == 0 && ch >= 0 && h >= 0 && sem >= 0 && seg >= 0,
	       d);
	if (h >= 0)
		os_fs_close(h);
	if (sem >= 0)
		os_sem_destroy(sem);
}

/* Kill what is not ours: init, our parent, a process of our parent's
 * (the victim). Returns a bit per kill that was not refused. */
static int kill_others(const char *arg)
{
	char v[16];
	int parent = fmt_getarg(arg, "parent", v, sizeof v) < 0 ? -1 : (int)fmt_parse_u64(v, 0);
	int victim = fmt_getarg(arg, "victim", v, sizeof v) < 0 ? -1 : (int)fmt_parse_u64(v, 0);
	return (os_kill(1) != -E_PERM) | (os_kill(parent) != -E_PERM) << 1 |
	       (os_kill(victim) != -E_PERM) << 2;
}

static void test_kill(void)
{
	int victim, st = -1;
	run_child("spin", &victim);
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=killinit parent=%d victim=%d", os_getpid(), victim);
	int pid = os_spawn("selftest", arg);
	os_wait(pid, &st);
	int alive = os_kill(victim) == 0;   /* still there for its parent to kill */
	os_wait(victim, &(int){ 0 });
	char d[96];
	fmt_snprintf(d, sizeof d, "attacker status %d (bits: init, parent, sibling killed)", st);
	report("attack_kill_others", st == 0 && alive, d);
}

void test_attacks(void)
{
	expect_killed("attack_far_return_32bit", "farret32", -1, -1,
		      "far return to a 32-bit code selector, then syscall");
	expect_killed("attack_sysenter", "sysenter", 13, 6, "sysenter from 64-bit user code");
	expect_killed("attack_sgdt_umip", "sgdt", 13, 13, "sgdt in ring 3 (UMIP)");
	static const char *const priv[] = { "hlt", "cli", "wrmsr", "cr3", "outb", "lidt", "invlpg" };
	int killed = 0;
	char d[96] = "";
	for (unsigned i = 0; i < sizeof priv / sizeof priv[0]; i++) {
		char role[16];
		fmt_snprintf(role, sizeof role, "priv_%s", priv[i]);
		int st = run_child(role, 0);
		if (st == FAULT(13))
			killed++;
		else
			fmt_snprintf(d, sizeof d, "%s: exit status 0x%x", priv[i], st);
	}
	report("attack_privileged_instructions", killed == sizeof priv / sizeof priv[0],
	       d[0] ? d : "hlt, cli, wrmsr, mov cr3, out, lidt, invlpg: each a #GP kill");
	/* NT in ring 3, then yields to a spinner that the timer preempted
	 * (so it returns to ring 3 through iretq, which faults if NT leaked
	 * into the kernel's flags). */
	int spin0, st;
	run_child("spin", &spin0);
	st = run_child("ntflag", 0);
	os_kill(spin0);
	os_wait(spin0, &(int){ 0 });
	report("attack_nt_flag", st == 0, "NT set in ring 3, then system calls and switches");
	int spin;
	run_child("dfspin", &spin);
	int echo = echo_rounds(8), e42 = run_child("exit42", 0);
	os_kill(spin);
	os_wait(spin, &st);
	report("attack_direction_flag", echo && e42 == 42,
	       "a process spins with DF set while others copy through the kernel");
	int hog;
	run_child("hog", &hog);
	int hello = run_child("hello", 0);
	os_kill(hog);
	os_wait(hog, &st);
	report("attack_hog_fair_share", hello == 0,
	       "a process looping on service calls does not starve its peers");
	test_kill();
	test_exhaustion();
}

/* A service call that fails fast, for the hog: mono a system call into
 * the in-kernel semaphores, micro an IPC round trip to the sem server. */
static void hog_forever(void)
{
	for (;;)
		os_sem_post(-7);
}

int role_attack(const char *role, const char *arg)
{
	if (!strcmp(role, "farret32"))
		return far_return_32();
	if (!strcmp(role, "sysenter")) {
		__asm__ volatile("sysenter" ::: "rcx", "r11", "memory");
		return 0;
	}
	if (!strcmp(role, "sgdt")) {
		struct { uint16_t limit; uint64_t base; } __attribute__((packed)) g;
		__asm__ volatile("sgdt %0" : "=m"(g));
		return (int)(g.base & 0x7F);
	}
	if (!strncmp(role, "priv_", 5)) {   /* ring-0 instructions: each must be a #GP */
		static const uint8_t zero[10];
		const char *op = role + 5;
		if (!strcmp(op, "hlt"))
			__asm__ volatile("hlt");
		else if (!strcmp(op, "cli"))
			__asm__ volatile("cli");
		else if (!strcmp(op, "wrmsr"))
			__asm__ volatile("wrmsr" ::"c"(0xC0000082), "a"(0), "d"(0));
		else if (!strcmp(op, "cr3"))
			__asm__ volatile("mov %0, %%cr3" ::"r"(0UL));
		else if (!strcmp(op, "outb"))
			__asm__ volatile("outb %%al, $0xf4" ::"a"(0x10));   /* isa-debug-exit */
		else if (!strcmp(op, "lidt"))
			__asm__ volatile("lidt %0" ::"m"(zero));
		else if (!strcmp(op, "invlpg"))
			__asm__ volatile("invlpg (%0)" ::"r"(zero) : "memory");
		return 0;   /* it ran: the kernel let ring 3 do it */
	}
	if (!strcmp(role, "ntflag")) {
		__asm__ volatile("pushfq\n\torq $0x4000, (%%rsp)\n\tpopfq" ::: "memory", "cc");
		for (int i = 0; i < 20; i++)
			os_yield();
		return os_getpid() > 0 ? 0 : 1;
	}
	if (!strcmp(role, "dfspin")) {
		__asm__ volatile("std\n1:\tjmp 1b" ::: "memory");
		return 1;
	}
	if (!strcmp(role, "hog"))
		hog_forever();
	if (!strcmp(role, "hoard"))
		return hoard();
	if (!strcmp(role, "killinit"))
		return kill_others(arg);
	return -1;
}
