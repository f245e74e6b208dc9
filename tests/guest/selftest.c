/*
 * selftest.c - in-guest self tests, one source for both kernels. The
 * driver runs each test and prints one protocol line per test; tests
 * that must crash run in a child (this same image, with role=<name>) so
 * the driver can check that only the child died. Exit status = failures.
 */
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"
#include "syscall.h"
#include "selftest.h"

static int failures;
volatile uint64_t secret_word;   /* isolation: same address in every process */

void report(const char *name, int ok, const char *detail)
{
	os_printf(MKB_PREFIX "{\"type\":\"test\",\"name\":\"%s\",\"ok\":%s,\"detail\":\"%s\"}\n",
		  name, ok ? "true" : "false", detail);
	failures += !ok;
}

/* Run this image as a child in the given role; returns its exit status. */
int run_child(const char *role, int *pid_out)
{
	char arg[64];
	fmt_snprintf(arg, sizeof arg, "role=%s", role);
	int pid = os_spawn("selftest", arg), status = -1;
	if (pid_out)
		*pid_out = pid;
	if (pid < 0)
		return pid;
	if (!pid_out && os_wait(pid, &status) != pid)
		return -1;
	return status;
}

/* Roles: the children's bodies. Each returns only if something is wrong. */
static int child_role(const char *role, const char *arg)
{
	if (!strcmp(role, "echo"))
		return role_echo(arg);
	if (!strcmp(role, "spin"))
		for (;;)
			__asm__ volatile("" ::: "memory");
	if (!strcmp(role, "hello"))
		return os_printf("selftest: hello from pid %d\n", os_getpid()) > 0 ? 0 : 1;
	if (!strcmp(role, "exit42"))
		return 42;
	if (!strcmp(role, "kread"))
		return (int)*(volatile uint64_t *)0x100000;          /* kernel text */
	if (!strcmp(role, "kwrite"))
		*(volatile uint64_t *)0x200000 = 1;                  /* kernel data */
	if (!strcmp(role, "rowrite"))
		*(volatile uint8_t *)(uintptr_t)&report = 0xC3;    /* own text: read-only */
	if (!strcmp(role, "badinsn"))
		__asm__ volatile("ud2");
	if (!strcmp(role, "unmapped"))
		return (int)*(volatile uint64_t *)0x7000000000UL;    /* non-canonical/unmapped */
	if (!strcmp(role, "secret")) {
		secret_word = 0x5EC12E7;   /* then wait to be killed, holding it */
		for (;;)
			os_yield();
	}
	if (!strcmp(role, "snoop"))
		return secret_word == 0 ? 0 : 1;   /* our own page, not the holder's */
	int r = role_svc(role, arg);
	if (r >= 0)
		return r;
	r = role_attack(role, arg);
	if (r >= 0)
		return r;
	r = role_quota(role, arg);
	if (r >= 0)
		return r;
	r = role_smp(role, arg);
	return r >= 0 ? r : role_mode(role, arg);
}

int main(const char *arg)
{
	char role[32];
	if (fmt_getarg(arg, "role", role, sizeof role) >= 0)
		return child_role(role, arg);
	os_printf("selftest: %s kernel, pid %d\n", os_mode, os_getpid());
	report("console", 1, "this line came through the console path");
	test_processes();
	test_preemption();
	test_isolation();
	test_bad_pointers();
	test_channels();
	test_services();
	test_mode();
	test_attacks();
	test_quotas();
	test_smp();
	os_printf(MKB_PREFIX "{\"type\":\"done\",\"status\":%d}\n", failures);
	return failures ? 1 : 0;
}
