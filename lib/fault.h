/*
 * fault.h - software fault injection into the services (issue 12), the
 * same source in both kernels: the mono kernel links it with the
 * services, the micro servers link it into their own processes. A
 * service's request entry points call fault_point(); when a fault is due
 * the code executes it where it stands, in the service's context: ring 0
 * in mono, the server process in micro. The classes follow software
 * fault injection practice (the MINIX 3 experiments of Herder et al.,
 * "Fault isolation for device drivers", DSN 2009, injected such faults by
 * mutating driver code): a wild write, a null pointer read, an infinite
 * loop, a corrupted reply, an early exit.
 *
 * The plan comes from "fault=<service>:<class>:<seed>" on the kernel
 * command line (mono) or the server's argument (micro); class "any" draws
 * one for each fault. A fault fires at a request number drawn from the
 * seed (1 to 64 requests on), and if the service lives on, the next one
 * as far again; a restarted micro server draws its own (salted by pid).
 */
#ifndef MKB_FAULT_H
#define MKB_FAULT_H
#include <stdint.h>

enum fault_class { FAULT_NONE, FAULT_WILD, FAULT_NULL, FAULT_LOOP, FAULT_CORRUPT, FAULT_EXIT,
		   FAULT_CLASSES };

/* Is any fault planned in this kernel or server? (a cheap test for the
 * services' hot paths) */
extern int fault_armed;

/* Take the plan for service svc ("fs", "sem", "shm") from spec; salt makes
 * each incarnation draw its own request number and addresses (its pid). */
void fault_configure(const char *svc, const char *spec, uint64_t salt);

/* A request of service svc begins. Executes the fault if it is due (a
 * wild write, a null read, a loop, an exit never return normally in a
 * healthy system); returns 1 if the caller must corrupt its reply. */
int fault_point(const char *svc);

/* What the environment provides: say that a fault fires (one line), and
 * an early exit (micro: the server exits; mono: the request is skipped,
 * fault_point returns 2). */
void fault_say(const char *line);
int fault_exit(void);
#endif
