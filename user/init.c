/* init.c - the first user process (pid 1), the same source in both
 * modes. Reads the kernel command line (run=test|bench ...), starts the
 * program that does the work and exits with its status; the kernel then
 * ends QEMU with a success or failure code. */
#include "fmt.h"
#include "os.h"
#include "protocol.h"
#include "str.h"

int main(const char *cmdline)
{
	char run[16];
	if (fmt_getarg(cmdline, "run", run, sizeof run) < 0)
		fmt_snprintf(run, sizeof run, "test");
	const char *prog = 0;
	if (!strcmp(run, "test"))
		prog = "selftest";
	else if (!strcmp(run, "bench"))
		prog = "bench";
	else if (!strcmp(run, "fuzz"))
		prog = "fuzz";
	else if (!strcmp(run, "faults"))
		prog = "faultload";
	if (!prog) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"unknown run=%s (use run=test, run=bench, run=fuzz or run=faults)\"}\n", run);
		return 1;
	}
	/* The program may kill processes it did not start (the self tests kill
	 * a server to see it restart) and start process trees of its own (the
	 * self tests' hostile trees, each under its own limits); what it
	 * starts gets no privileges. As init's child it is a tree itself. */
	int pid = os_spawn_priv(prog, cmdline, PRIV_KILL | PRIV_TREE), status = -1;
	if (pid < 0) {
		os_printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"cannot start %s: error %d\"}\n", prog, -pid);
		return 1;
	}
	os_wait(pid, &status);
	return status;
}
