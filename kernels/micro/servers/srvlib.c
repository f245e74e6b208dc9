/* srvlib.c - the server loop: answer the last request and wait for the
 * next (user/ipc.h: one reply_recv, however the strategy does it), or
 * keep it to answer later (srv_defer).
 * Linked into every micro server. */
#include "srvlib.h"
#include "fault.h"
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "svc_err.h"

static const char *fault_svc;   /* the service whose requests may fault (fault.h) */

/* fault.h's environment in a micro server: the line goes to the kernel
 * console; an early exit ends the server (the kernel restarts it). */
void fault_say(const char *line) { os_debug_write(line, strlen(line)); }
int fault_exit(void) { os_exit(3); }

void srv_fault_setup(const char *svc, const char *arg)
{
	char spec[48], dead[16];
	/* fault=<svc>:stillborn: this server exits before it ever waits for a
	 * request, in every incarnation: what a server that cannot run looks
	 * like to the kernel (its restart-storm check, kernels/core/proc.c). */
	fmt_snprintf(dead, sizeof dead, "%s:stillborn", svc);
	if (arg && fmt_getarg(arg, "fault", spec, sizeof spec) >= 0 && !strcmp(spec, dead))
		os_exit(4);
	if (arg && fmt_getarg(arg, "fault", spec, sizeof spec) >= 0) {
		fault_configure(svc, spec, (uint64_t)os_getpid());
		fault_svc = svc;
	}
}

int srv_alive(uint32_t pid)
{
	return syscall3(SYS_PROC_ALIVE, pid, 0, 0) == 1;
}

int srv_child_of(uint32_t pid, uint32_t owner)
{
	return syscall3(SYS_PROC_ALIVE, pid, owner, 0) == 1;
}

int srv_tree(uint32_t pid)
{
	long t = syscall3(SYS_PROC_TREE, pid, 0, 0);
	return t < 0 ? -1 : (int)t;
}

long srv_endpoint(const char *arg, long dflt)
{
	char v[8];
	return arg && fmt_getarg(arg, "ep", v, sizeof v) >= 0 ? (long)fmt_parse_u64(v, 0) : dflt;
}

/* In this translation unit: the loop's receives are the requests. */
long srv_defer(void)
{
	return ipc_defer();
}

long srv_answer(long token, uint64_t result)
{
	const uint64_t mr[3] = { result, 0, 0 };
	return ipc_answer(token, mr);
}

void srv_loop(long ep, void *rbuf, size_t rcap, srv_handler handle)
{
	struct ipc_in req = ipc_recv(ep, rbuf, rcap);
	for (;;) {
		struct srv_reply out = { { 0, 0, 0 }, 0, 0 };
		int corrupt = fault_armed && req.status == 0 ? fault_point(fault_svc) : 0;
		if (req.status == 0)
			handle(&req, rbuf, &out);
		else if (req.status == -E_FAULT)   /* its data could not be fetched (a bad grant or area) */
			out.mr[0] = (uint64_t)(int64_t)SVC_EFAULT;
		else
			out.mr[0] = (uint64_t)req.status;
		if (corrupt)
			out.mr[0] ^= 1;   /* a corrupted reply */
		req = ipc_reply_recv(ep, out.mr, out.buf, out.len, rbuf, rcap);
	}
}
