/* srvlib.h - the receive/reply loop every micro-kernel server runs. */
#ifndef MKB_SRVLIB_H
#define MKB_SRVLIB_H
#include "ipc.h"

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

/* Receive on ep forever, answering each request with handle's reply. */
void srv_loop(long ep, void *rbuf, size_t rcap, srv_handler handle) __attribute__((noreturn));
#endif
