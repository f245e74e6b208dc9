/*
 * quota.c - accounts: what one process tree may hold of every kernel
 * pool, so that no tree can deny service to another (issue 18). Each
 * object is charged to an account when it is made and given back when
 * it goes; a request past the limit fails with -E_QUOTA and nothing
 * else changes. In the spirit of Unix's per-user limits (setrlimit's
 * RLIMIT_NPROC) and of seL4, where every kernel object is carved out of
 * untyped memory its holder was given.
 *
 * The rule the limits keep: while one tree holds all it may of every
 * pool, what is left serves everyone else. Each limit is at most a third
 * of its pool (NPROC 64 slots; NEP 48 endpoints, 40 of them free after
 * the well-known ones; NNTFN 48; mach's 64 message buffers, rc4000's 32;
 * mono's 64 pipes and 16 queues), and the largest need of one of our own
 * workloads fits under it (a pingpong run holds a channel per size and
 * one for the slow-path case: 9).
 */
#include "defs.h"
#include "proc.h"
#include "quota.h"

const int quota_limit[NQUOTA] = {
	[Q_PROCS] = 20,
	[Q_PTPAGES] = 160,   /* 20 address spaces of 8 page-table pages (16 MiB mapped each) */
	[Q_EPS] = 12,
	[Q_NTFNS] = 15,   /* the shm workload holds 12: two per size it measures, and its partner's */
	[Q_KMSGS] = 10,
	[Q_PIPES] = 20,   /* a mono channel is two pipes */
	[Q_MQS] = 5,
};

const char *const quota_name[NQUOTA] = {
	[Q_PROCS] = "processes", [Q_PTPAGES] = "page-table pages", [Q_EPS] = "endpoints",
	[Q_NTFNS] = "notifications", [Q_KMSGS] = "message buffers", [Q_PIPES] = "pipes",
	[Q_MQS] = "message queues",
};

struct account system_account = { 1, { 0 }, 0 };
static struct account accounts[NPROC];   /* at most one per process */

LOCK_DEFINE(quota_lk);   /* several CPUs, mono (smp.h): the accounts' counts */

static int idle(const struct account *a)
{
	if (a->refs)
		return 0;
	for (int k = 0; k < NQUOTA; k++)
		if (a->use[k])
			return 0;
	return 1;
}

/* A fresh account with one reference, or 0 (never: there are as many as
 * process slots, and an account lives only while it has a process or a
 * charge, which a process of it made). */
struct account *account_new(void)
{
	svc_lock(quota_lk);
	for (int i = 0; i < NPROC; i++)
		if (idle(&accounts[i])) {
			accounts[i].refs = 1;
			accounts[i].said = 0;
			svc_unlock(quota_lk);
			return &accounts[i];
		}
	svc_unlock(quota_lk);
	return 0;
}

void account_hold(struct account *a)
{
	svc_lock(quota_lk);
	a->refs++;
	svc_unlock(quota_lk);
}

void account_drop(struct account *a)
{
	svc_lock(quota_lk);
	if (a->refs > 0)
		a->refs--;
	svc_unlock(quota_lk);
}

#if FINE_LOCKS
int quota_take(struct account *a, enum quota_kind k)
{
	svc_lock(quota_lk);
	if (a != &system_account && a->use[k] >= quota_limit[k]) {
		int say = !(a->said & 1u << k);   /* once per tree and pool: a hostile tree may ask forever */
		a->said |= 1u << k;
		svc_unlock(quota_lk);
		if (say)
			kprintf("mkb: process tree %d (pid %d) is at its limit of %d %s\n", account_id(a),
				curproc ? curproc->pid : 0, quota_limit[k], quota_name[k]);
		return -E_QUOTA;
	}
	a->use[k]++;
	svc_unlock(quota_lk);
	return 0;
}

void quota_give(struct account *a, enum quota_kind k)
{
	svc_lock(quota_lk);
	if (a && a->use[k] > 0)
		a->use[k]--;
	svc_unlock(quota_lk);
}
#else
int quota_take(struct account *a, enum quota_kind k)
{
	if (a != &system_account && a->use[k] >= quota_limit[k]) {
		if (!(a->said & 1u << k))   /* once per tree and pool: a hostile tree may ask forever */
			kprintf("mkb: process tree %d (pid %d) is at its limit of %d %s\n", account_id(a),
				curproc ? curproc->pid : 0, quota_limit[k], quota_name[k]);
		a->said |= 1u << k;
		return -E_QUOTA;
	}
	a->use[k]++;
	return 0;
}

void quota_give(struct account *a, enum quota_kind k)
{
	if (a && a->use[k] > 0)
		a->use[k]--;
}
#endif

int account_id(const struct account *a)
{
	return a && a != &system_account ? (int)(a - accounts) + 1 : 0;
}
