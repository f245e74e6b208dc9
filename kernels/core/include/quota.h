/* quota.h - what one process tree may hold of the kernel's pools
 * (kernels/core/quota.c). */
#ifndef MKB_QUOTA_H
#define MKB_QUOTA_H

/* The pools, each charged to the account of the process that made the
 * object (a message: its sender) and given back when the object goes. */
enum quota_kind {
	Q_PROCS,    /* process slots, zombies included */
	Q_PTPAGES,  /* page-table pages of its address spaces */
	Q_EPS,      /* micro: endpoints */
	Q_NTFNS,    /* micro: notifications */
	Q_KMSGS,    /* micro: kernel message buffers (mach, rc4000) */
	Q_PIPES,    /* mono: pipes */
	Q_MQS,      /* mono: message queues */
	NQUOTA
};

/* A process tree's account: init's children each start one (a session),
 * their descendants share it; the kernel's own processes (init, the
 * servers) are in the system account, which has no limits. */
struct account {
	int refs;              /* processes in it */
	int use[NQUOTA];
	unsigned said;         /* the limits already named on the console (a bit each) */
};

extern struct account system_account;
extern const int quota_limit[NQUOTA];
extern const char *const quota_name[NQUOTA];

struct account *account_new(void);
void account_hold(struct account *a);
void account_drop(struct account *a);
int quota_take(struct account *a, enum quota_kind k);   /* 0 or -E_QUOTA */
void quota_give(struct account *a, enum quota_kind k);
int account_id(const struct account *a);   /* 0: the system's; else 1 + its index */
#endif
