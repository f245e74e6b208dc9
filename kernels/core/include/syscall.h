/* syscall.h - system-call handlers shared by both kernels' tables, and the
 * argument helpers. A handler takes the caller's frame and returns the
 * value for rax (negative E_* on error). */
#ifndef MKB_SYSCALL_H
#define MKB_SYSCALL_H
#include <stdint.h>
#include "trap.h"

#define ARG0(sf) ((sf)->rdi)
#define ARG1(sf) ((sf)->rsi)
#define ARG2(sf) ((sf)->rdx)
#define ARG3(sf) ((sf)->r10)
#define ARG4(sf) ((sf)->r8)
#define ARG5(sf) ((sf)->r9)

int64_t sys_null(struct sysframe *sf);
int64_t sys_exit(struct sysframe *sf);
int64_t sys_spawn(struct sysframe *sf);
int64_t sys_wait(struct sysframe *sf);
int64_t sys_kill(struct sysframe *sf);
int64_t sys_yield(struct sysframe *sf);
int64_t sys_getpid(struct sysframe *sf);
int64_t sys_findproc(struct sysframe *sf);
int64_t sys_counters(struct sysframe *sf);
int64_t sys_debug_write(struct sysframe *sf);
int64_t sys_proc_alive(struct sysframe *sf);
int64_t sys_proc_tree(struct sysframe *sf);
int64_t sys_set_prio(struct sysframe *sf);
int64_t sys_set_cpu(struct sysframe *sf);
int64_t sys_get_cpu(struct sysframe *sf);
#ifdef MKB_SMP
int64_t sys_tick_wait(struct sysframe *sf);
#define SMP_SYSCALLS , [SYS_TICK_WAIT] = sys_tick_wait
#else
#define SMP_SYSCALLS
#endif

/* The common entries every mode's table starts with. */
#define COMMON_SYSCALLS \
	[SYS_NULL] = sys_null, [SYS_EXIT] = sys_exit, [SYS_SPAWN] = sys_spawn, \
	[SYS_WAIT] = sys_wait, [SYS_KILL] = sys_kill, [SYS_YIELD] = sys_yield, \
	[SYS_GETPID] = sys_getpid, [SYS_FINDPROC] = sys_findproc, \
	[SYS_COUNTERS] = sys_counters, [SYS_DEBUG_WRITE] = sys_debug_write, \
	[SYS_PROC_ALIVE] = sys_proc_alive, [SYS_PROC_TREE] = sys_proc_tree, \
	[SYS_SET_PRIO] = sys_set_prio, [SYS_SET_CPU] = sys_set_cpu, [SYS_GET_CPU] = sys_get_cpu SMP_SYSCALLS
#endif
