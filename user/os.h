/*
 * os.h - the one user-space API (os_*) that every workload and test is
 * written against. user/os_common.c implements the calls both kernels
 * share; user/os_mono.c (system calls into in-kernel services) and
 * user/os_micro.c (IPC to ring-3 servers) implement the rest, and the
 * Makefile links one or the other.
 */
#ifndef MKB_OS_H
#define MKB_OS_H
#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "fs.h"
#include "svc_err.h"
#include "syscall.h"

/* processes (os_common.c) */
int os_spawn(const char *image, const char *arg);   /* -> pid or -E_*; no privileges */
int os_spawn_priv(const char *image, const char *arg, unsigned privs);   /* PRIV_* */
int os_wait(int pid, int *status);                  /* -> pid or -E_* */
int os_kill(int pid);
void os_exit(int status) __attribute__((noreturn));
int os_yield(void);
int os_set_prio(int pid, int prio);   /* ourself (0) or a child; 1 .. our own base priority;
                                       * prio 0: -> its base priority */
int os_getpid(void);
int os_set_cpu(int pid, int cpu);   /* ourself (0) or a child runs on that CPU from now on */
int os_get_cpu(void);               /* the CPU we run on | the number of CPUs << 16 */
int os_null(void);                                  /* null system call */
int os_findproc(const char *image);
int os_counters(struct kcounters *c);
int os_debug_write(const void *buf, size_t len);    /* kernel console */

/* console (per mode) */
long os_write(const void *buf, size_t len);
int os_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* channels: a request/response link between two processes (per mode).
 * mono: a pair of kernel pipes; micro: an IPC endpoint. A channel is a
 * number, so it can be passed to a child in its argument string. */
long os_chan_create(void);
long os_chan_call(long ch, const void *req, size_t len, void *resp, size_t cap);
long os_chan_recv(long ch, void *req, size_t cap);
long os_chan_reply_recv(long ch, const void *resp, size_t len, void *req, size_t cap);
/* Keep the request last received on ch, to answer it later (its caller
 * waits): -> a token (>= 0), or -E_*. Take it before the next receive on
 * any channel (a design may remember only the last caller). Then answer
 * it with an empty reply (the caller's os_chan_call returns 0), without
 * waiting for another request: 0 or -E_*. mono: the token is 0, the
 * answer an empty packet on ch; micro: the design's own deferred reply
 * (user/ipc.h: ipc_defer, ipc_answer). */
long os_chan_defer(long ch);
long os_chan_answer(long ch, long token);
/* From now on our channel messages of at least min bytes that are whole
 * pages at a page-aligned address move by virtual copy (copy-on-write
 * mapping; 0: never): 0, or -E_NOSYS where the IPC has none (mono, and
 * every micro strategy but mach). */
long os_chan_ool(size_t min);

/* file system on a RAM disk (per mode). Flags FS_O_*, whence FS_SEEK_*
 * and struct fs_stat from services/fs.h; errors are SVC_E* codes from
 * services/svc_err.h, the same in both modes. */
int os_fs_create(const char *name);
int os_fs_open(const char *name, unsigned flags);
long os_fs_read(int h, void *buf, size_t len);        /* len <= 64 KiB */
long os_fs_write(int h, const void *buf, size_t len); /* len <= 64 KiB */
long os_fs_seek(int h, long off, int whence);
int os_fs_close(int h);
int os_fs_unlink(const char *name);
int os_fs_stat(const char *name, struct fs_stat *st);

/* From now on, call the file and semaphore servers of CPU cpu: 0, or
 * -E_INVAL (no such CPU), -E_NOENT (that CPU has none of its own: only
 * CPU 0's, servers=shared), -E_NOSYS (mono, which has no such call: its
 * services are the kernel's on every CPU). Only a micro SMP kernel booted
 * with servers=percpu has one per CPU (kernels/micro/mode.c); each keeps
 * its own files and semaphores; a child starts with CPU 0's. Inline: only the programs that call it
 * hold its code, and every other image is byte for byte the one it was
 * without it. */
static inline int os_replica(int cpu) { return (int)syscall3(SYS_REPLICA, (uint64_t)cpu, 0, 0); }

/* Sleep until this CPU's next timer tick: -> the time stamp (rdtsc) at
 * which it fell due; os_tick_length: a tick's length in time-stamp
 * counts. SMP kernels only (-E_NOSYS on one CPU). Inline, as os_replica. */
static inline int64_t os_tick_wait(void) { return (int64_t)syscall3(SYS_TICK_WAIT, 0, 0, 0); }
static inline int64_t os_tick_length(void) { return (int64_t)syscall3(SYS_TICK_WAIT, 1, 0, 0); }

/* counting semaphores (per mode) */
int os_sem_create(int initial);
int os_sem_wait(int id);
int os_sem_post(int id);
int os_sem_destroy(int id);

/* shared-memory segments (per mode): attach returns the address, which is
 * the same in every process (SHM_BASE + slot * SHM_SPAN), or SVC_E*. */
int os_shm_create(unsigned key, size_t size);
long os_shm_attach(int id);
int os_shm_detach(int id);

/* Linux-style mechanisms of the mono kernel (os_common.c: the micro
 * kernel answers -E_NOSYS). Futex: sleep while the 32-bit word at addr
 * holds expected / wake up to n sleepers on it. Message queue: POSIX mq
 * semantics (bounded, by priority, then oldest first). */
int os_futex_wait(volatile uint32_t *addr, uint32_t expected);
int os_futex_wake(volatile uint32_t *addr, int n);
int os_mq_create(unsigned maxmsg, size_t msgsize);
int os_mq_send(int q, const void *buf, size_t len, unsigned prio);
long os_mq_receive(int q, void *buf, size_t cap, unsigned *prio);
int os_mq_close(int q);

/* What this build is, for results. */
extern const char os_mode[];
extern const char os_chan_variant[];
extern const char *const os_ipc;   /* "mono", or the micro IPC strategy */
#endif
