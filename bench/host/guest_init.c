/*
 * guest_init.c - /init of the Linux guest (MODES=linux-guest): the host
 * baseline's workloads (bench/host/wl_*.c) run inside a Linux kernel booted
 * under the suite's QEMU flags, timed in the guest's unit (gbench_tsc.c)
 * and reported in the serial protocol of lib/protocol.h, so that Linux rows
 * sit beside mono and micro in guest instructions.
 *
 * Linked into: build/linux-guest/init (static), packed into the initramfs
 * by scripts/linux_guest.mk.
 *
 * Arguments (the kernel passes what follows "--" on its command line):
 *   run=bench workload=W [sizes=a,b,...] [iters=N] [warmup=N] [corrupt=1]
 * as our kernels take them (scripts/mkb/matrix.py cmdline); corrupt=1 is
 * the test hook of hostbench's --mkb-corrupt (a check that must fail);
 *   run=kallsyms
 * prints the kernel's code symbols instead (scripts/mkb/linuxguest.py). As PID 1 it
 * mounts /proc, /dev (devtmpfs), /dev/shm (tmpfs: fileio's files, POSIX
 * semaphores) and /dev/mqueue, writes to the console, and ends the boot
 * through QEMU's isa-debug-exit port (33: every run passed, 35: a run
 * failed) as our kernels do; a reboot(2) is the fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gbench_tsc.h"
#include "host.h"
#include "protocol.h"

struct host_opts host_opts = {.cpus = 1, .tmpfs = "/dev/shm", .untimed_checks = 1};

static const struct {
	const char *name;
	void (*reg)(void);
} workloads[] = {
	{ "null", null_register }, { "pingpong", stream_register }, { "pingpong", sync_register },
	{ "pingpong", mq_register }, { "sem", sync_register }, { "shm", shm_register },
	{ "fileio", fileio_register },
};

static void say_error(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	printf(MKB_PREFIX "{\"type\":\"error\",\"msg\":\"%s\"}\n", msg);
}

static void finish(int status)
{
	printf(MKB_PREFIX "{\"type\":\"done\",\"status\":%d}\n", status);
	fflush(stdout);
	sync();
	if (ioperm(MKB_DEBUG_EXIT_PORT, 1, 1) == 0)
		outb(status ? MKB_EXIT_FAILURE : MKB_EXIT_SUCCESS, MKB_DEBUG_EXIT_PORT);
	reboot(RB_AUTOBOOT);   /* QEMU runs with -no-reboot: this ends it too */
	_exit(status ? 1 : 0);
}

static int setup(void)
{
	static const struct {
		const char *src, *dir, *type;
	} mounts[] = {
		{ "proc", "/proc", "proc" },        { "devtmpfs", "/dev", "devtmpfs" },
		{ "tmpfs", "/dev/shm", "tmpfs" },   { "mqueue", "/dev/mqueue", "mqueue" },
	};
	for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
		mkdir(mounts[i].dir, 0755);
		if (mount(mounts[i].src, mounts[i].dir, mounts[i].type, 0, NULL) < 0 && errno != EBUSY)
			return -1;
	}
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	return 0;
}

/* What the kernel says about its Spectre v2 mitigation (a row's context). */
static void mitigation(char *out, size_t cap)
{
	FILE *f = fopen("/sys/devices/system/cpu/vulnerabilities/spectre_v2", "r");
	out[0] = 0;
	if (f) {
		if (!fgets(out, (int)cap, f))
			out[0] = 0;
		fclose(f);
	}
	out[strcspn(out, "\n\"\\")] = 0;
}

/* run=kallsyms: the kernel's code symbols, "K <address> <name>" a line, for
 * the profile's functions (Debian's /boot/System.map is a stub). */
static int kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long addr;
	int n = 0;
	if (!f) {
		say_error("no /proc/kallsyms");
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && (type == 't' || type == 'T') &&
		    addr && !strchr(line, '['))   /* the kernel's own, not a module's */
			printf("K %llx %s\n", addr, name), n++;
	fclose(f);
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf(MKB_PREFIX "{\"type\":\"boot\",\"mode\":\"linux-guest\",\"symbols\":%d}\n", n);
	return n == 0;
}

/* A whole decimal number in lo..hi into *v: 1, else 0. */
static int number(const char *s, long long lo, long long hi, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return end != s && !*end && !errno && *v >= lo && *v <= hi;
}

int main(int argc, char **argv)
{
	static char extra[256], spectre[128], workload[32];
	static int64_t sizes[32];
	unsigned nsizes = 0, iters = 1000, warmup = 100;
	int bad = 0;
	long long v;
	if (getpid() == 1 && setup() < 0)
		finish(1);   /* no console to say why: the harness reports "no done line" */
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "run=kallsyms"))   /* (the kernel hands init the words it does not know, too) */
			finish(kallsyms());
		else if (!strncmp(a, "workload=", 9))
			snprintf(workload, sizeof workload, "%s", a + 9);
		else if (!strncmp(a, "iters=", 6))
			bad |= number(a + 6, 1, 4096, &v) ? 0 : 1, iters = (unsigned)v;
		else if (!strncmp(a, "warmup=", 7))
			bad |= number(a + 7, 0, 100000, &v) ? 0 : 2, warmup = (unsigned)v;
		else if (!strcmp(a, "corrupt=1"))   /* test hook: the partner corrupts a message */
			host_opts.corrupt = 1;
		else if (!strncmp(a, "sizes=", 6))
			for (const char *p = a + 6; *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "") {
				char tok[24];
				snprintf(tok, sizeof tok, "%.*s", (int)strcspn(p, ","), p);
				if (nsizes == 32 || !number(tok, 0, 1 << 20, &v))
					bad |= 4;
				else
					sizes[nsizes++] = v;
			}
	}
	struct utsname u;
	uname(&u);
	mitigation(spectre, sizeof spectre);
	printf(MKB_PREFIX "{\"type\":\"boot\",\"mode\":\"linux-guest\",\"kernel\":\"%s\",\"spectre_v2\":\"%s\"}\n",
	       u.release, spectre);
	int known = 0;
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		if (!strcmp(workloads[i].name, workload) && (known = 1))
			workloads[i].reg();
	if (!known) {
		say_error("unknown workload '%s' (null, pingpong, sem, shm, fileio)", workload);
		finish(1);
	}
	if (bad) {
		say_error("bad %s (iters: 1 to 4096, warmup: 0 to 100000, sizes: up to 32 of 0 to 1048576)",
			  bad & 1 ? "iters=" : bad & 2 ? "warmup=" : "sizes=");
		finish(1);
	}
	snprintf(extra, sizeof extra, ",\"kernel\":\"%s\"", u.release);
	char prefix[40];
	snprintf(prefix, sizeof prefix, "%s/", workload);
	struct gbt_config c = { iters, warmup, prefix, sizes, nsizes, "linux-guest", extra };
	gbt_configure(&c);
	finish(gb_run());
}
