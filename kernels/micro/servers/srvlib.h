/* srvlib.h - the receive/reply loop every micro-kernel server runs. */
#ifndef MKB_SRVLIB_H
#define MKB_SRVLIB_H
#include "ipc.h"
#include "svc_share.h"

/* What a handler answers: mr0 = result, optional reply data. */
struct srv_reply {
	uint64_t mr[3];
	const void *buf;
	size_t len;
};

/* Handle one request (req's buffer data is in rbuf). */
typedef void (*srv_handler)(const struct ipc_in *req, const void *rbuf, struct srv_reply *out);

/* Take a fault plan for service svc from the server's argument
 * ("fault=..."; fault.h): its requests may then fault. */
void srv_fault_setup(const char *svc, const char *arg);

/* Does process pid still live? (for sweeping a dead client's state) */
int srv_alive(uint32_t pid);
/* Is the live process pid owner, or owner's child? (svc_share.h) */
int srv_child_of(uint32_t pid, uint32_t owner);
/* The process tree of the live process pid (0: the system's), or -1. */
int srv_tree(uint32_t pid);

/* Does the tree of client hold its share of a table (svc_share.h)? */
#define SRV_TREE_FULL(client, arr, n) SVC_TREE_FULL(arr, n, srv_tree((uint32_t)(client)), srv_tree)

/* Keep the request being handled, to answer later (user/ipc.h: the
 * design's own deferred reply): -> a token, or -E_* (then answer now,
 * by the handler's reply). The loop then sends no reply for it. */
long srv_defer(void);
/* Answer a kept request: mr0 the result. 0, or -E_* if its caller died. */
long srv_answer(long token, uint64_t result);

/* The endpoint a server serves: its argument's ep= (a replica on its
 * own CPU, kernels/micro/mode.c), else its well-known one, dflt. */
long srv_endpoint(const char *arg, long dflt);

/* Receive on ep forever, answering each request with handle's reply. */
void srv_loop(long ep, void *rbuf, size_t rcap, srv_handler handle) __attribute__((noreturn));
#endif
