/* ipc.h - the one IPC interface of the micro kernel's user side: what
 * os_micro.c, the ring-3 servers and the tests call, whatever strategy
 * the build links (user/ipc/<name>.c, one per kernel strategy in
 * kernels/micro/ipc/). A message is a label, three words and optionally
 * a buffer:
 * - no buffer (sbuf == 0): len (at most IPC_INLINE_MAX) bytes of data
 *   are the words themselves (pingpong's short messages);
 * - a buffer: the words are arguments and len bytes of sbuf arrive in
 *   the receiver's rbuf (inbuf set, len cut to its rcap).
 * A reply is the same shape, into the caller's words or its rbuf. How the
 * bytes move (registers, one copy, two copies through the kernel, a
 * grant) is the strategy's; the answer is the same. */
#ifndef MKB_UIPC_H
#define MKB_UIPC_H
#include <stddef.h>
#include "syscall.h"

struct ipc_in {
	long status;        /* 0, or -E_* from the kernel */
	long badge;         /* sender's pid (receives) */
	uint32_t label, len;
	int inbuf;          /* the payload landed in the receive buffer */
	uint64_t mr[3];
};

/* The strategy's implementation, chosen by the build (the Makefile
 * passes MKB_IPC_IMPL="ipc/<strategy>.h", as seL4's include paths pick
 * an architecture): static inline functions, so a call costs what the
 * strategy's system calls cost and no extra layer. Each provides:
 *
 *   long ipc_chan_create(void);
 *       a new channel (endpoint, port, ...) the caller owns;
 *   struct ipc_in ipc_call(long ep, uint32_t label, const uint64_t mr[3],
 *                          const void *sbuf, size_t slen, void *rbuf, size_t rcap);
 *       call ep with a message and wait for the reply;
 *   struct ipc_in ipc_recv(long ep, void *rbuf, size_t rcap);
 *       wait for the next request on ep (its data into rbuf);
 *   struct ipc_in ipc_reply_recv(long ep, const uint64_t mr[3], const void *sbuf,
 *                                size_t slen, void *rbuf, size_t rcap);
 *       answer the request last received, then wait for the next on ep;
 *   long ipc_defer(void);
 *       keep the request last received to answer later: -> a token (>= 0)
 *       naming it, and the next ipc_reply_recv only waits; or -E_* (it
 *       cannot be kept: answer it now);
 *   long ipc_answer(long token, const uint64_t mr[3]);
 *       answer a kept request with the three words (a deferred answer
 *       carries no buffer), without waiting: 0, or -E_* if it cannot
 *       be answered (its caller died; the token is used up either way);
 *   long ipc_ool(size_t min);
 *       from now on, buffers of at least min bytes (0: none) that are
 *       whole pages at a page-aligned address go by virtual copy: 0, or
 *       -E_NOSYS (only mach has it: Mach's out-of-line memory);
 *   IPC_STRATEGY, its name ("sel4", "l4", ...), for results.
 *
 * And the design's own asynchronous wake-up, one waiter per channel (what
 * user-level semaphores sleep on, bench/usem_micro.c):
 *
 *   IPC_WAKE, the mechanism's name ("ntfn", "send0", ...), for results;
 *   long ipc_wake_create(long grant_ep);
 *       the caller (the one waiter) makes a wake-up channel that the
 *       owner of endpoint grant_ep (0: none) and the caller's children may
 *       signal: -> its name (> 0), or -E_*;
 *   long ipc_wake_wait(long w);
 *       sleep until one signal has arrived (a signal sent before the wait
 *       is kept): 0, or -E_* (-E_PEER: the signaller died, where the
 *       design can tell);
 *   long ipc_wake_signal(long w, uint32_t *state);
 *       one signal, never waiting for the waiter to run: 0 or -E_*.
 *       *state is the signaller's own word for w (0 at first);
 *   void ipc_wake_settle(uint32_t *state);
 *       the signaller is done with the channel: what its signals left in
 *       the kernel is taken back (rc4000: the answer to its last message,
 *       which otherwise holds a buffer of its claim for good).
 *
 * A wake-up is the design's own: a notification (sel4); a send with a
 * zero timeout to the waiter's thread, falling back to an ordinary send
 * when the waiter is not yet in its receive (l4); a pulse that MsgReceive
 * returns as rcvid 0 (qnx); notify, a pending bit that receive delivers
 * as a message from the notifier (minix); a one-way message to a port
 * whose receive right the waiter holds (mach); a message the waiter
 * answers at once, its answer collected by the signaller's next signal
 * (rc4000; *state is the buffer out).
 *
 * How a request is kept is the design's own: a saved reply capability
 * (sel4), the caller's thread id (l4), a send-once right in the server's
 * name space (mach), the rcvid of a REPLY-blocked client (qnx), the
 * endpoint of a caller blocked in sendrec (minix), a message buffer held
 * unanswered (rc4000).
 *
 * A server's "request last received" is state of the translation unit
 * that received it (each server's loop lives in one). */
#include "str.h"

/* Notifications (every strategy: kernels/micro/notify.c). */
static inline long ntfn_create(void) { return syscall3(SYS_NTFN_CREATE, 0, 0, 0); }
static inline long ntfn_wait(long n) { return syscall3(SYS_NTFN_WAIT, (uint64_t)n, 0, 0); }
static inline long ntfn_signal(long n, uint64_t bits, long pid)
{
	return syscall3(SYS_NTFN_SIGNAL, (uint64_t)n, bits, (uint64_t)pid);
}
static inline long ntfn_grant(long n, long ep) { return syscall3(SYS_NTFN_GRANT, (uint64_t)n, (uint64_t)ep, 0); }

/* Did a wait end badly: an error (-E_*), or NTFN_PEER_DIED (the server
 * or partner that would signal died)? Errors are -1..-4095; bits are
 * anything else. */
static inline int ntfn_failed(long bits)
{
	return (bits < 0 && bits >= -4095) || ((uint64_t)bits & NTFN_PEER_DIED);
}

#include MKB_IPC_IMPL

/* Short forms: a call with words only, and a call by argument words. */
static inline struct ipc_in ipc_call3(long ep, uint32_t label, uint64_t m0, uint64_t m1, uint64_t m2,
				      const void *sbuf, size_t slen, void *rbuf, size_t rcap)
{
	const uint64_t mr[3] = { m0, m1, m2 };
	return ipc_call(ep, label, mr, sbuf, slen, rbuf, rcap);
}
#endif
