/*
 * hostbench.c - main() of the Linux host baseline: parses our flags,
 * pins the benchmark process, registers every workload and hands over to
 * Google Benchmark (see gbench.h).
 *
 * Linked into: build/host/hostbench. Run by scripts/host_baseline.py.
 *
 * Exit status: 0 if every run passed its checks, 1 if any failed, 2 on a
 * usage error.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

struct host_opts host_opts = {.cpus = 1, .tmpfs = "/dev/shm"};

static void usage(void)
{
    printf("usage: hostbench [--cpus=1|2] [--iters=N] [--tmpfs=DIR] "
           "[--selftest] [--benchmark_...]\n"
           "  --cpus=1     benchmark process and partner both on CPU 0 "
           "(default)\n"
           "  --cpus=2     benchmark process on CPU 0, partner on CPU 1\n"
           "  --iters=N    exactly N iterations per run (for perf stat)\n"
           "  --tmpfs=DIR  directory on tmpfs for fileio (/dev/shm)\n"
           "  --selftest   also register the wrapper's self-tests\n"
           "Benchmark names: <workload>/<variant>[/<size>]; the label of a "
           "run says what one iteration is.\n\n");
}

static int arg_value(const char *arg, const char *flag, const char **val)
{
    size_t n = strlen(flag);

    if (strncmp(arg, flag, n) != 0 || arg[n] != '=')
        return 0;
    *val = arg + n + 1;
    return 1;
}

int main(int argc, char **argv)
{
    long iters = 0;
    int selftest = 0;
    const char *v;
    cpu_set_t allowed;
    char buf[32];

    gb_init(&argc, argv, usage);
    for (int i = 1; i < argc; i++) {
        if (arg_value(argv[i], "--cpus", &v) && (!strcmp(v, "1") || !strcmp(v, "2")))
            host_opts.cpus = atoi(v);
        else if (arg_value(argv[i], "--iters", &v) && atol(v) > 0)
            iters = atol(v);
        else if (arg_value(argv[i], "--tmpfs", &v))
            host_opts.tmpfs = v;
        else if (!strcmp(argv[i], "--selftest"))
            selftest = 1;
        else if (!strcmp(argv[i], "--mkb-corrupt")) /* test hook */
            host_opts.corrupt = 1;
        else {
            fprintf(stderr, "hostbench: unknown or bad argument: %s "
                            "(try --help)\n", argv[i]);
            return 2;
        }
    }
    if (sched_getaffinity(0, sizeof allowed, &allowed) < 0 ||
        !CPU_ISSET(0, &allowed) ||
        (host_opts.cpus == 2 && !CPU_ISSET(1, &allowed))) {
        fprintf(stderr, "hostbench: --cpus=%d needs CPU 0%s\n",
                host_opts.cpus, host_opts.cpus == 2 ? " and CPU 1" : "");
        return 2;
    }
    pin_self(0);
    signal(SIGPIPE, SIG_IGN); /* a closed stream is an error, not a death */

    snprintf(buf, sizeof buf, "%d", host_opts.cpus);
    gb_context("mkb_cpus", buf);
    gb_context("mkb_placement", host_opts.cpus == 2
                   ? "benchmark process on CPU 0, partner on CPU 1"
                   : "benchmark process and partner on CPU 0");
    gb_context("mkb_corrupt", host_opts.corrupt ? "1" : "0");
    gb_default_iterations(iters);

    null_register();   /* null/getppid, null/yield */
    stream_register(); /* pingpong/pipe, pingpong/unix_socket */
    sync_register();   /* pingpong/futex, sem/sysv_sem, sem/posix_sem */
    mq_register();     /* pingpong/posix_mq */
    shm_register();    /* shm/sem_ring */
    fileio_register(); /* fileio/read, fileio/write */
    if (selftest)
        selftest_register();
    return gb_run() == 0 ? 0 : 1;
}
