/* proc.h - process control block, shared by both kernels. */
#ifndef MKB_PROC_H
#define MKB_PROC_H
#include <stdint.h>
#include "trap.h"
#include "memlayout.h"

#define NPROC 64
#define NPRIO 8
#define KSTACK_PAGES 4
#define PNAME_MAX 16

struct waitq {
	struct proc *head, *tail;
};

enum pstate { P_UNUSED, P_RUNNABLE, P_RUNNING, P_BLOCKED, P_ZOMBIE,
	P_DYING   /* killed, its services' state being undone (mono on several CPUs: proc.c) */
};

/* Why a blocked process waits: the wake-up paths use this to undo it. */
enum pwait {
	W_NONE, W_CHILD, W_SEND, W_RECV, W_REPLY, W_NTFN, W_PIPE, W_SVC, W_TICK
};

/* A message in flight: registers plus an optional long buffer. */
struct ipc_msg {
	uint64_t tag;           /* label << 32 | length in bytes */
	uint64_t mr[3];         /* inline words (up to 24 bytes) */
	uint64_t sbuf, slen;    /* long payload in the sender's space */
	uint64_t rbuf, rcap;    /* where a long reply/receive lands */
};

/* The right to answer a caller, kept by the process it called (sel4: a
 * saved reply capability; mach: a send-once right in its name space).
 * Named slot | gen << 6 (ep.c: ipc_keep). */
#define NKEPT NPROC
struct kept_right {
	int pid;          /* the caller, 0: a free slot */
	uint32_t gen;     /* bumped when the slot is emptied: an old name then names nothing */
};

struct proc {
	enum pstate state;
	enum pwait wait;
	int pid;
	int prio;
	int cpu;                      /* the CPU it runs on (SYS_SET_CPU; a child starts on its parent's) */
	int ticks_left;
	char name[PNAME_MAX];
	uint64_t *pml4;               /* physical == virtual (identity map) */
	uint64_t cr3;
	uint8_t *kstack;
	uint64_t ksp;                 /* saved kernel stack pointer (swtch) */
	struct sysframe *sf;          /* frame of the syscall it is in */
	struct proc *parent;
	int exit_status;
	int killed;                   /* fault/kill status to exit with */
	int io_console;               /* may touch COM1 ports (console server) */
	int restart;                  /* kernel restarts it when it dies */
	int waited;                   /* has blocked at least once (sched_block) */
	int stillborn;                /* a restarted server: deaths in a row before it ever waited */
	unsigned privs;               /* PRIV_* (abi.h): what it may do beyond its own */
	int server_ep;                /* endpoint it serves, or -1 */
	int busy_ticks;               /* a server: timer ticks it has run without a switch */
	uint64_t last_tick;           /* ... the last of them */
	uint64_t last_switches;       /* ... and the thread switches there had been then */
	struct account *acct;         /* its process tree's (quota.h) */
	int ptpages;                  /* page-table pages charged for its address space */
	int released;                 /* its slot's charge given back (an orphan zombie) */
	const struct user_image *image;
	char arg[USER_ARG_MAX];       /* kept for a restart */
	struct proc *qnext;           /* run queue or wait queue link */
	struct waitq *waitobj;        /* the queue it is blocked on, if any */
	int wait_pid;                 /* W_CHILD: which child (-1 any) */
	/* micro IPC state */
	struct ipc_msg msg;           /* message being sent or receive buffer */
	struct proc *reply_to;        /* caller awaiting this server's reply */
	struct proc *callee;          /* server this caller awaits a reply from */
	int ipc_is_call;              /* blocked sender expects a reply */
	uint64_t iov[2 * 2 * 4];      /* qnx: send then receive parts (base, len) */
	int iov_send, iov_recv;       /* ... how many of each */
	int base_prio;                /* its own priority (a qnx server inherits its callers') */
	uint64_t deadline;            /* l4: the tick a blocked IPC times out at (0: never) */
	void *reply_q;                /* mach: messages queued on its reply port */
	struct kept_right kept[NKEPT];   /* sel4, mach: callers it may answer later (ep.c) */
	uint64_t grant_table;         /* minix: user address of its grant table */
	uint32_t grant_count;         /* ... and its entries */
	int replica;                  /* micro SMP: whose servers EP_FS, EP_SEM name (SYS_REPLICA) */
#ifdef MKB_SMP
	uint64_t tick_due;            /* W_TICK: when the tick that woke it fell due (rdtsc) */
#endif
	/* mono service state */
	uint64_t svc_arg[4];
};

extern struct proc ptable[NPROC];
#ifndef MKB_SMP
extern struct proc *curproc;   /* the SMP kernel's is per CPU (smp.h) */
#endif
#include "smp.h"
#endif
