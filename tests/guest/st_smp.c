/* st_smp.c - self tests of several CPUs (kernels/core/smp.c), one source
 * for both kernels: how many CPUs the kernel started, affinity
 * (SYS_SET_CPU), a wake-up across CPUs (an IPI), and, in the micro
 * kernel, a TLB shootdown: a page its parent unmaps from a child running
 * on another CPU faults there right after. On one CPU only the checks
 * that need one run (affinity to a CPU that is not there fails). */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

#define SPIN_LIMIT 2000000   /* pauses before a test gives up waiting for a child */

/* Wait a moment for another CPU. Under QEMU 7.2's -icount the vCPUs
 * share one host thread and a vCPU runs until it halts, pauses or
 * interrupts another (README.md, "Several CPUs"): a wait that only made system
 * calls would keep CPU 0's turn to itself. */
static void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

static int my_cpu(void) { return os_get_cpu() & 0xFFFF; }
static int cpus(void) { return os_get_cpu() >> 16; }

static uint64_t ipis(void)
{
	struct kcounters k;
	os_counters(&k);
	return k.ipis;
}

/* Every CPU in turn: we run where we asked to; one past the last is refused. */
static void test_affinity(int n)
{
	int ok = 1, where = -1;
	for (int c = n - 1; c >= 0; c--) {
		ok &= os_set_cpu(0, c) == 0;
		where = my_cpu();
		ok &= where == c;
	}
	int past = os_set_cpu(0, n);
	char d[96];
	fmt_snprintf(d, sizeof d, "%d CPUs, ran on each in turn (last %d); cpu %d: %d", n, where, n, past);
	report("smp_affinity", ok && past == -E_INVAL, d);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* A child placed on the last CPU blocks on a semaphore; we post it from
 * CPU 0: it wakes there at once, by an IPI, not at its CPU's next timer
 * tick (10 ms: under icount 10 million counts of rdtsc, which the
 * clock jumps while every CPU idles), and tells us where it ran and when
 * it woke (in a shared segment). */
#define PROMPT_WAKE 2000000   /* rdtsc counts: a fifth of a tick */
static void test_remote_wakeup(int n)
{
	int sem = os_sem_create(0), st = -1, seg = os_shm_create(0x5390, 4096);
	long at = seg < 0 ? seg : os_shm_attach(seg);
	volatile uint64_t *woke = at > 0 ? (volatile uint64_t *)at : 0;
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=smp_waiter sem=%d seg=%d", sem, seg);
	int pid = os_spawn("selftest", arg);
	int placed = os_set_cpu(pid, n - 1);
	uint64_t i0 = ipis();
	for (int i = 0; i < 10000; i++)   /* let it block there first */
		cpu_relax();
	uint64_t t0 = rdtsc();
	int posted = os_sem_post(sem);
	os_wait(pid, &st);
	uint64_t sent = ipis() - i0, took = woke && woke[0] > t0 ? woke[0] - t0 : ~0ULL;
	char d[160];
	fmt_snprintf(d, sizeof d, "child on CPU %d: status %d (its CPU), woke %lu counts after the post, "
		     "IPIs sent %lu; set_cpu %d post %d", n - 1, st, (unsigned long)took,
		     (unsigned long)sent, placed, posted);
	report("smp_remote_wakeup", pid > 0 && placed == 0 && posted == 0 && st == n - 1 && sent > 0 &&
	       took < PROMPT_WAKE, d);
	os_sem_destroy(sem);
	if (at > 0)
		os_shm_detach(seg);
}

static int role_waiter(const char *arg)
{
	char v[16], s[16];
	if (fmt_getarg(arg, "seg", s, sizeof s) < 0)
		return 99;
	long at = os_shm_attach((int)fmt_parse_u64(s, 0));
	if (at <= 0 || fmt_getarg(arg, "sem", v, sizeof v) < 0 || os_sem_wait((int)fmt_parse_u64(v, 0)) < 0)
		return 100;
	((volatile uint64_t *)at)[0] = rdtsc();
	return my_cpu();
}

/* micro: our page mapped into a child that runs on CPU 1 and counts in
 * it; unmapped, the child's next touch must fault on its CPU (its TLB
 * entry went with the shootdown), not go on counting in a page it no
 * longer has. */
#define SHARED_VA 0x6F000000UL
static volatile uint64_t shared_page[512] __attribute__((aligned(4096)));

static void test_shootdown(void)
{
	int st = -1, go = os_sem_create(0), counted = os_sem_create(0);
	char arg[48];
	fmt_snprintf(arg, sizeof arg, "role=smp_counter go=%d counted=%d", go, counted);
	int pid = os_spawn("selftest", arg);
	int placed = os_set_cpu(pid, 1);
	shared_page[0] = 0;
	long mapped = syscall6(SYS_MAP, (uint64_t)pid, (uint64_t)shared_page, SHARED_VA, 1, 1, 0).rax;
	/* Go (the page is there), then block until it has counted to 1000
	 * through its TLB: a busy wait here could keep a server this CPU
	 * shares from running (qnx's runs at its callers' priority). */
	int waited = os_sem_post(go) == 0 ? os_sem_wait(counted) : -1;
	uint64_t seen = shared_page[0];
	long unmapped = (long)syscall3(SYS_UNMAP, (uint64_t)pid, SHARED_VA, 1);
	uint64_t after = shared_page[0];
	int spins = 0;
	while ((long)syscall3(SYS_PROC_ALIVE, (uint64_t)pid, 0, 0) == 1 && shared_page[0] == after &&
	       spins++ < SPIN_LIMIT)
		cpu_relax();
	int counted_on = shared_page[0] != after;   /* it still wrote through a stale entry */
	if (counted_on)
		os_kill(pid);
	os_wait(pid, &st);
	os_sem_destroy(go);
	os_sem_destroy(counted);
	char d[180];
	fmt_snprintf(d, sizeof d, "child on CPU 1 counted to %lu, then: status 0x%x (page fault: 0x%x), "
		     "wrote after the unmap: %d; map %ld unmap %ld set_cpu %d wait %d", (unsigned long)seen,
		     (unsigned)st, EXIT_FAULT_BASE | 14, counted_on, mapped, unmapped, placed, waited);
	report("smp_tlb_shootdown", placed == 0 && mapped == 0 && unmapped == 1 && seen >= 1000 &&
	       waited == 0 &&
	       !counted_on && st == (EXIT_FAULT_BASE | 14), d);
}

static int role_counter(const char *arg)
{
	volatile uint64_t *p = (volatile uint64_t *)SHARED_VA;
	char v[16], c[16];
	if (fmt_getarg(arg, "go", v, sizeof v) < 0 || fmt_getarg(arg, "counted", c, sizeof c) < 0 ||
	    os_sem_wait((int)fmt_parse_u64(v, 0)) < 0)
		return 100;
	while (p[0] < 1000)
		p[0]++;
	if (os_sem_post((int)fmt_parse_u64(c, 0)) < 0)
		return 101;
	for (;;)
		p[0]++;
}

/* mono: a semaphore post that wakes a waiter of higher priority on this
 * CPU hands it the CPU before the post returns; with several CPUs that
 * switch waits until the semaphore's lock is dropped (sched_preempt). */
static void test_priority_wakeup(void)
{
	int sem = os_sem_create(0), st = -1, seg = os_shm_create(0x5391, 4096);
	long at = seg < 0 ? seg : os_shm_attach(seg);
	volatile uint64_t *flag = at > 0 ? (volatile uint64_t *)at : 0;
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=smp_waiter sem=%d seg=%d", sem, seg);
	int base = os_set_prio(0, 0), pid = os_spawn("selftest", arg);
	int placed = os_set_cpu(pid, my_cpu());
	for (int i = 0; i < 20; i++)   /* it blocks on the semaphore */
		os_yield();
	int lowered = os_set_prio(0, base - 1);   /* the waiter now ranks above us */
	int posted = os_sem_post(sem);
	int ran = flag && flag[0] != 0;   /* it ran before the post returned */
	os_set_prio(0, base);
	os_wait(pid, &st);
	char d[128];
	fmt_snprintf(d, sizeof d, "waiter ran before the post returned: %d; status %d, base prio %d, "
		     "lowered %d, post %d, set_cpu %d", ran, st, base, lowered, posted, placed);
	report("smp_priority_wakeup", ran && placed == 0 && lowered == 0 && posted == 0 && st >= 0, d);
	os_sem_destroy(sem);
	if (at > 0)
		os_shm_detach(seg);
}

/* Replicated servers (SYS_REPLICA): mono's services are the kernel's on
 * every CPU (no such call); micro's self tests boot with servers=shared,
 * so CPU 0's servers are the only ones: choosing them works, another
 * CPU's are not there, a CPU past the last is refused, and a file call
 * still reaches the file server after the choice. */
static void test_replica(int n)
{
	char d[96];
	if (!strcmp(os_mode, "mono")) {
		int r = os_replica(0);
		fmt_snprintf(d, sizeof d, "os_replica(0) = %d", r);
		report("smp_replica", r == -E_NOSYS, d);
		return;
	}
	int zero = os_replica(0), other = os_replica(1), past = os_replica(n);
	struct fs_stat st;
	int stat = os_fs_stat("no-such-file", &st);
	fmt_snprintf(d, sizeof d, "cpu 0: %d, cpu 1: %d, cpu %d: %d, stat after: %d", zero, other, n, past, stat);
	report("smp_replica", zero == 0 && other == -E_NOENT && past == -E_INVAL && stat == SVC_ENOENT, d);
}

/* SYS_TICK_WAIT on the last CPU: two waits return two ticks one tick's
 * length apart (to an APIC count or two of calibration), each in the
 * past when we run and, on an idle system, only a wake-up path ago; on
 * one CPU (the uniprocessor kernel) the call is not there. */
static void test_tick_wait(int n)
{
	char d[128];
	if (n < 2) {
		int64_t r = os_tick_wait();
		fmt_snprintf(d, sizeof d, "one CPU: %ld", (long)r);
		report("smp_tick_wait", r == -E_NOSYS, d);
		return;
	}
	os_set_cpu(0, n - 1);
	int64_t len = os_tick_length(), a = os_tick_wait(), b = os_tick_wait();
	uint64_t now = rdtsc();
	int64_t apart = b - a, late = (int64_t)now - b;
	fmt_snprintf(d, sizeof d, "cpu %d: tick %ld, apart %ld, woke %ld after", my_cpu(), (long)len,
		     (long)apart, (long)late);
	report("smp_tick_wait", len > 0 && a > 0 && my_cpu() == n - 1 && apart > len - len / 1000 &&
	       apart < len + len / 1000 && late >= 0 && late < len / 100, d);
	os_set_cpu(0, 0);
}

int role_smp(const char *role, const char *arg)
{
	if (!strcmp(role, "smp_waiter"))
		return role_waiter(arg);
	if (!strcmp(role, "smp_counter"))
		return role_counter(arg);
	return -1;
}

void test_smp(void)
{
	int n = cpus();
	report("smp_cpus", n >= 1 && my_cpu() < n, "");
	os_printf("selftest: %d CPUs\n", n);
	test_affinity(n);
	if (!strcmp(os_mode, "mono"))
		test_priority_wakeup();
	test_tick_wait(n);
	if (n < 2)
		return;
	test_remote_wakeup(n);
	test_replica(n);
	if (!strcmp(os_mode, "micro"))
		test_shootdown();
	os_set_cpu(0, 0);
}
