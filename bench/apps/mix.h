/*
 * mix.h - the multi-user application (bench/apps/), after AIM Suite VII's
 * "Multiuser Shared System Mix" (workfile.shared 1.2, 1/22/96, as kept in
 * the public re-aim-7 sources: github.com/davidlohr/areaim,
 * osdl-aim-7/data/workfile.shared). Its 53 tests, 780 weight in all,
 * fall into the classes below (the sort is ours: disk_src with file
 * creation, sort_rtns_1 with integer work, string_rtns with memory and
 * other); a job here runs each class's tests, weight / 10 of them, in a
 * seeded order (78 tests a job). Differences, named so they are not
 * mistaken for AIM's: our tests are ours, not AIM's code; the file tests
 * run on a RAM disk (AIM's sync_* tests wait for a disk); AIM's
 * floating-point tests (180 of 780) are fixed-point integer arithmetic
 * here, since user code has no floating point (the kernels keep no FPU
 * state); pipes are the suite's channels (a round trip with a partner
 * process); AIM's signal, setjmp, directory and terminal tests become a
 * getpid system call and memory and string work. A user is a process
 * tree of its own (a login session: quota.h), with its own files,
 * channel partner, semaphore and shared-memory segment.
 */
#ifndef MKB_MIX_H
#define MKB_MIX_H

enum mix_test {
	MIX_CREAT,    /* 40: creat_clo, link_test, disk_src */
	MIX_READ,     /* 40: disk_rr, disk_rd */
	MIX_WRITE,    /* 90: disk_rw, disk_wrt, disk_cp, sync_disk_rw, sync_disk_wrt, sync_disk_cp */
	MIX_SPAWN,    /* 50: exec_test, fork_test, shell_rtns_1 */
	MIX_PIPE,     /* 50: stream_pipe, dgram_pipe, pipe_cpy, tcp_test, udp_test */
	MIX_SHM,      /* 10: shared_memory (with its semop wait and signal) */
	MIX_INT,      /* 200: add/mul/div on int, long, short; sieve; sort_rtns_1 */
	MIX_FIXED,    /* 180: add/mul/div on float, double; num_rtns_1, new_raph, trig_rtns,
		       *      matrix_rtns, array_rtns, series_1 (fixed point here) */
	MIX_MEM,      /* 120: brk_test, page_test, mem_rtns_1, mem_rtns_2, ram_copy, string_rtns,
		       *      jmp_test, signal_test, misc_rtns_1, dir_rtns_1 */
	MIX_NTESTS
};

/* Tests of each class in one job: AIM's weights over 10. */
static const unsigned char mix_per_job[MIX_NTESTS] = { 4, 4, 9, 5, 5, 1, 20, 18, 12 };
#define MIX_JOB_TESTS 78
#define MIX_MAX_USERS 8
#endif
