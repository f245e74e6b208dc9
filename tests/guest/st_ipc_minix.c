/* st_ipc_minix.c - self tests of the minix strategy (kernels/micro/ipc/
 * minix.c): bad message pointers, answers to processes that are not
 * waiting, and grants: a safecopy outside a grant, without the right
 * access, or by a process the grant does not name is refused; the kernel
 * call that carries safecopy refuses a message in kernel memory and an
 * unknown call (its result in m_type too). Linked into the micro-minix
 * selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"

static struct mx_grant table[2];
static char data[64] = "granted bytes";

void test_ipc_strategy(void)
{
	long ep = os_chan_create();
	struct mx_msg m = { 0, 0, { 0 } };
	report("minix_bad_endpoint", syscall3(SYS_MX_SENDREC, 999, (uint64_t)&m, 0) == -E_BADH, "");
	report("minix_bad_message", syscall3(SYS_MX_SENDREC, (uint64_t)ep, 0x100000, 0) == -E_FAULT,
	       "a message pointer into the kernel");
	report("minix_answer_nobody", syscall3(SYS_MX_SEND, MX_PROC | 1, (uint64_t)&m, 0) == -E_AGAIN,
	       "an answer to a process not in sendrec with us is refused");
	/* notify collapses: three from us before a receive are one pending
	 * bit, delivered as MX_NOTIFIED from us; a receive into kernel memory
	 * fails and keeps nothing pending lost. */
	long n[3];
	for (int i = 0; i < 3; i++)
		n[i] = syscall3(SYS_MX_NOTIFY, (uint64_t)ep, 0, 0);
	long badrcv = syscall3(SYS_MX_RECEIVE, (uint64_t)ep, 0x100000, 0);
	struct mx_msg got = { 0, 0, { 0 } };
	long r1 = syscall3(SYS_MX_RECEIVE, (uint64_t)ep, (uint64_t)&got, 0);
	int from_us = got.m_source == os_getpid() && got.m_type == MX_NOTIFY_MSG;
	char dn[120];
	fmt_snprintf(dn, sizeof dn, "notify %ld %ld %ld; bad receive %ld; receive %ld from us %d; no endpoint %ld",
		     n[0], n[1], n[2], badrcv, r1, from_us, syscall3(SYS_MX_NOTIFY, 999, 0, 0));
	report("minix_notify", n[0] == 0 && n[1] == 0 && n[2] == 0 && badrcv == -E_FAULT && r1 == MX_NOTIFIED &&
	       from_us && syscall3(SYS_MX_NOTIFY, 999, 0, 0) == -E_BADH, dn);
	long kc_bad = syscall3(SYS_MX_KERNEL_CALL, MX_SYS_SAFECOPYFROM, 0x100000, 0);
	long kc_unknown = syscall3(SYS_MX_KERNEL_CALL, 99, (uint64_t)&m, 0);
	report("minix_kernel_call", kc_bad == -E_FAULT && kc_unknown == -E_NOSYS && m.m_type == -E_NOSYS,
	       "a kernel call's message in kernel memory; an unknown call, its result in m_type");
	int bits = run_child("grants", 0);
	char d[80];
	fmt_snprintf(d, sizeof d, "wrong (copy, past end, write a read grant, invalid, thief): 0x%x", bits);
	report("minix_grants", bits == 0, d);
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
}

/* In a child, which may replace its grant table (the library's own is
 * then gone, so it reports by exit status): bit i set = check i wrong. */
static int grants_test(void)
{
	syscall3(SYS_MX_SETGRANT, (uint64_t)table, 2, 0);
	int me = os_getpid(), bad = 0, st = -1;
	table[0] = (struct mx_grant){ MX_GRANT_VALID | MX_GRANT_READ, (uint32_t)me, (uint64_t)data, 16 };
	char got[32] = { 0 }, arg[48];
	bad |= (mx_safecopy(me, 0, 0, got, 13) != 0 ||
		memcmp(got, "granted bytes", 13)) << 0;
	bad |= (mx_safecopy(me, 0, 8, got, 16) != -E_PERM) << 1;
	bad |= (mx_safecopy(me, 0, 0, got, 4 | MX_TO_GRANTER) !=
		-E_PERM) << 2;
	bad |= (mx_safecopy(me, 1, 0, got, 4) != -E_PERM) << 3;
	fmt_snprintf(arg, sizeof arg, "role=grantthief parent=%d", me);
	int pid = os_spawn("selftest", arg);
	bad |= (pid < 0 || os_wait(pid, &st) != pid || st != 0) << 4;
	return bad;
}

int role_ipc(const char *role, const char *arg)
{
	if (!strcmp(role, "grants"))
		return grants_test();
	if (strcmp(role, "grantthief"))
		return 100;
	char v[16];
	fmt_getarg(arg, "parent", v, sizeof v);
	char got[16];
	long r = mx_safecopy((long)fmt_parse_u64(v, 0), 0, 0, got, 4);
	return r == -E_PERM ? 0 : 1;
}
