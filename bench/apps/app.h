/*
 * app.h - the application workloads (issue 21): programs written once
 * against user/os.h that run unchanged on mono and on every micro
 * strategy. Each has a client side in the bench program (wl_<app>.c,
 * driving it and timing it with bench.h) and the processes it starts in
 * the bench-app program (app_main.c: one role per process kind).
 *   kvstore  a key-value server with an append-only log (kv.h), YCSB mixes
 *   build    a make-like job: a driver, workers, a final step (build.h)
 *   mix      a multi-user mix after AIM Suite VII's shared system mix (mix.h)
 */
#ifndef MKB_APP_H
#define MKB_APP_H
#include "fmt.h"

#define APP_IMAGE "bench-app"    /* build and mix processes: role=... */
#define KV_IMAGE "bench-kv"      /* the key-value server (kv_server.c) */
#define TRUE_IMAGE "bench-true"  /* exits 0 at once (true.c) */

/* The number after key= in a role's argument, or -1. */
static inline long app_arg(const char *arg, const char *key)
{
	char v[24];
	return fmt_getarg(arg, key, v, sizeof v) < 0 ? -1 : (long)fmt_parse_u64(v, 0);
}

/* Roles of bench-app (their files). */
int build_worker(const char *arg);  /* build.c */
int build_link(const char *arg);    /* build.c */
int mix_user(const char *arg);      /* mix.c */
int mix_partner(const char *arg);   /* mix.c */
#endif
