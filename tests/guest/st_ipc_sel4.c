/* st_ipc_sel4.c - self tests of the sel4 strategy's raw calls
 * (kernels/micro/ipc/sel4.c): argument checks, and the fast path's tag
 * bit. Linked into the micro-sel4 selftest. */
#include "fmt.h"
#include "ipc.h"
#include "os.h"
#include "selftest.h"
#include "str.h"
#include "svcproto.h"

static long call_raw(long ep, uint64_t tag, const struct ipc_desc *d)
{
	return syscall6(SYS_IPC_CALL, (uint64_t)ep, tag, 1, 2, 3, (uint64_t)d).rax;
}

static void test_ipc_args(void)
{
	struct ipc_desc kd = { (void *)0x100000, 100, 0, 0 };
	long ep = os_chan_create();
	report("ipc_bad_endpoint", call_raw(999, 0, 0) == -E_BADH && call_raw(30, 0, 0) == -E_BADH, "");
	report("ipc_bad_desc_pointer", call_raw(ep, IPC_TAG(0, 100), (void *)0x100000) == -E_FAULT, "");
	report("ipc_long_msg_kernel_buffer", call_raw(ep, IPC_TAG(0, 100), &kd) == -E_FAULT, "");
	report("ipc_short_desc", call_raw(ep, IPC_TAG(0, 100), &(struct ipc_desc){ "abc", 3, 0, 0 }) == -E_FAULT,
	       "a tag longer than the descriptor's buffer");
	report("mono_call_absent", syscall3(SYS_PIPE, 0, 0, 0) == -E_NOSYS, "pipes are not in the micro kernel");
}

static char secret[24] = "SECRET-of-the-parent!!!";

/* The fast path must not pass on the caller's "payload in buffer" bit:
 * else the file server writes its stale receive buffer (the parent's
 * secret, written just before) into the attacker's file. */
static void test_inbuf_tag(void)
{
	int h = os_fs_open("secretf", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	os_fs_write(h, secret, sizeof secret);
	os_fs_close(h);
	report("attack_fast_path_tag", run_child("inbuf", 0) == 0,
	       "a short call with IPC_INBUF set delivers no buffer");
}

/* Raw FS_WRITE of 24 bytes with IPC_INBUF set and no buffer: EINVAL, and
 * the file holds nothing of the parent's secret. */
static int inbuf_attack(void)
{
	char got[32] = { 0 };
	int h = os_fs_open("stolen", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	struct sysret6 r = syscall6(SYS_IPC_CALL, EP_FS, IPC_TAG(FS_WRITE, 24) | IPC_INBUF,
				    (uint64_t)h, 0, 0, 0);
	os_fs_seek(h, 0, FS_SEEK_SET);
	long n = os_fs_read(h, got, sizeof got);
	os_fs_close(h);
	return (int64_t)r.rdx == SVC_EINVAL && n == 0 && !memcmp(got, "\0\0\0\0", 4) ? 0 : 1;
}

void test_ipc_strategy(void)
{
	test_ipc_args();
	test_inbuf_tag();
}

int role_ipc(const char *role, const char *arg)
{
	(void)arg;
	if (!strcmp(role, "inbuf"))
		return inbuf_attack();
	return 100;
}
