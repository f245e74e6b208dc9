/*
 * abi.h - the kernel/user interface: system-call numbers, error codes,
 * exit statuses, well-known endpoints, IPC tags. Shared by both kernels
 * and all user programs; one number means the same in both modes, and a
 * call a mode does not offer returns -E_NOSYS there.
 */
#ifndef MKB_ABI_H
#define MKB_ABI_H
#include <stdint.h>

enum sysnum {
	SYS_NULL = 0,      /* () -> 0: the null system call */
	SYS_EXIT,          /* (status) */
	SYS_SPAWN,         /* (name, arg, privs | SPAWN_NEW_TREE) -> pid; the child gets privs & ours */
	SYS_WAIT,          /* (pid, *status) -> pid */
	SYS_KILL,          /* (pid): ourself, a child, or any with PRIV_KILL (not init) */
	SYS_YIELD,         /* () */
	SYS_GETPID,        /* () -> pid */
	SYS_FINDPROC,      /* (name) -> pid of a live server or child of ours with that name */
	SYS_COUNTERS,      /* (*struct kcounters) */
	SYS_DEBUG_WRITE,   /* (buf, len): kernel console, for tests and panics */
	SYS_PROC_ALIVE,    /* (pid, of) -> 1 if that process lives (and, if of: is of or of's
	                    * child), else 0; pids are never reused. Servers may ask of
	                    * anyone, others of themselves and their children (-E_PERM) */
	SYS_PROC_TREE,     /* (pid) -> its process tree (0: the system's); servers only */
	SYS_SET_PRIO,      /* (pid or 0, prio): ourself or a child, 1 .. our own base priority;
	                    * prio 0: -> its base priority, unchanged */
	SYS_SET_CPU,       /* (pid or 0, cpu): ourself or a child runs on that CPU only from now
	                    * on (0 .. ncpu-1; -E_INVAL past them) */
	SYS_GET_CPU,       /* () -> the CPU we run on | the number of CPUs << 16 */
	SYS_TICK_WAIT,     /* (query): SMP kernels: 0: sleep until this CPU's next timer tick
	                    * -> the time stamp (rdtsc) it fell due at; 1: -> a tick's length
	                    * in time-stamp counts. -E_NOSYS on one CPU */
	/* mono: in-kernel services */
	SYS_WRITE = 16,    /* (buf, len) -> len: console */
	SYS_PIPE,          /* () -> pipe id */
	SYS_PIPE_WRITE,    /* (id, buf, len) -> len */
	SYS_PIPE_READ,     /* (id, buf, len) -> len (>0) */
	SYS_PIPE_CLOSE,    /* (id) */
	SYS_FS_CREATE,     /* (name) -> 0 | SVC_E* (services/svc_err.h) */
	SYS_FS_OPEN,       /* (name, flags) -> handle */
	SYS_FS_READ,       /* (h, buf, len) -> bytes */
	SYS_FS_WRITE,      /* (h, buf, len) -> bytes */
	SYS_FS_SEEK,       /* (h, off, whence) -> new offset */
	SYS_FS_CLOSE,      /* (h) */
	SYS_FS_UNLINK,     /* (name) */
	SYS_FS_STAT,       /* (name, *struct fs_stat) */
	SYS_SEM_CREATE,    /* (initial) -> id */
	SYS_SEM_WAIT,      /* (id): blocks until a unit is ours */
	SYS_SEM_POST,      /* (id) */
	SYS_SEM_DESTROY,   /* (id) */
	SYS_SHM_CREATE,    /* (key, size) -> id */
	SYS_SHM_ATTACH,    /* (id) -> user address (SHM_BASE + slot * SHM_SPAN) */
	SYS_SHM_DETACH,    /* (id) */
	SYS_FUTEX_WAIT,    /* (uaddr, expected): sleep while *uaddr == expected (32 bit) */
	SYS_FUTEX_WAKE,    /* (uaddr, n) -> waiters woken on that word */
	SYS_MQ_CREATE,     /* (maxmsg, msgsize) -> id: a POSIX-style message queue */
	SYS_MQ_SEND,       /* (id, buf, len, prio): blocks while full */
	SYS_MQ_RECEIVE,    /* (id, buf, cap, *prio) -> len: highest priority, oldest first */
	SYS_MQ_CLOSE,      /* (id) */
	/* micro: IPC, notifications, memory mapping */
	SYS_EP_CREATE = 48,   /* () -> endpoint id */
	SYS_IPC_SEND,         /* (ep, tag, mr0, mr1, mr2, *desc) */
	SYS_IPC_RECV,         /* (ep, *desc) -> msg in registers */
	SYS_IPC_CALL,         /* (ep, tag, mr0, mr1, mr2, *desc) -> reply */
	SYS_IPC_REPLY_RECV,   /* (ep, tag, mr0, mr1, mr2, *desc) -> next msg */
	SYS_NTFN_CREATE,      /* () -> notification id (ours: only we wait on it) */
	SYS_NTFN_SIGNAL,      /* (id, bits, pid): by its owner or the granted endpoint's
				 owner; pid != 0: only if the owner is that process */
	SYS_NTFN_WAIT,        /* (id) -> bits; its owner only */
	SYS_MAP,              /* (pid, src_va, dst_va, npages, writable): into a child,
				 or by a server into anyone */
	SYS_UNMAP,            /* (pid, va, npages): undo a SYS_MAP of ours */
	SYS_NTFN_GRANT,       /* (id, ep): the owner of endpoint ep may signal it */
	SYS_SAVE_CALLER,      /* sel4: () -> name of a slot now holding the reply capability of
				 the call last received (seL4_CNode_SaveCaller); answer it with
				 SYS_IPC_SEND to SEL4_REPLY_CAP | name */
	SYS_REPLICA,          /* (cpu): from now on EP_FS and EP_SEM name that CPU's file and
				 semaphore servers for us (servers=percpu: EP_FS_OF, EP_SEM_OF);
				 cpu 0: the well-known ones; -E_NOENT if there are no replicas,
				 -E_INVAL past the CPUs */
	/* micro, one group per IPC strategy (kernels/micro/ipc/<name>.c;
	 * a build offers only its own strategy's calls; user/ipc/<name>.c
	 * is their only caller) */
	SYS_L4_IPC = 64,      /* (dest | rcv << 32 | flags, tag, mr0, mr1, mr2, *desc) */
	SYS_MACH_MSG = 68,    /* (options, dest port, *send msg, rcv port, *rcv msg) */
	SYS_MACH_PORT_ALLOCATE, /* () -> name of a new port: its receive right and a send right
				   in our name space (mach_port_allocate) */
	SYS_MACH_PORT_INSERT, /* (port, dest): a send right to our port (we hold its receive
				 right) enters the name space of dest's receiver (we hold a send
				 right to dest): mach_port_insert_right, dest standing for the
				 task port */
	SYS_QNX_SEND = 72,    /* (coid, *siov, sparts, *riov, rparts) -> reply status */
	SYS_QNX_RECEIVE,      /* (chid, *iov, parts) -> rcvid; rdx = source length */
	SYS_QNX_REPLY,        /* (rcvid, status, *iov, parts) */
	SYS_QNX_PULSE,        /* (coid, code, value): MsgSendPulse, never blocks */
	SYS_MX_SEND = 76,     /* (dest, *msg): rendezvous (to a process: only if it waits) */
	SYS_MX_RECEIVE,       /* (ep, *msg) -> 0, or MX_NOTIFIED; msg->m_source set */
	SYS_MX_SENDREC,       /* (ep, *msg): send, then the reply lands in *msg */
	SYS_MX_SETGRANT,      /* (*table, n): where our grant table lives */
	SYS_MX_KERNEL_CALL,   /* (call, *msg): a MINIX 3 kernel call, its request and result (m_type)
	                       * in a message (MX_SYS_*) */
	SYS_MX_NOTIFY,        /* (ep): notify, never blocks; receive returns MX_NOTIFIED
				 with a message of type MX_NOTIFY_MSG from the notifier */
	SYS_RC_SEND_MESSAGE = 84, /* (ep, *words, *area) -> buffer */
	SYS_RC_WAIT_ANSWER,   /* (buffer, *words) -> result */
	SYS_RC_WAIT_MESSAGE,  /* (ep, *words) -> buffer; rdi = sender */
	SYS_RC_SEND_ANSWER,   /* (buffer, *words, result); -E_PEER if its sender died */
	SYS_RC_COPY,          /* (buffer, offset, addr, len | to_sender << 63): its area */
	NSYSCALLS = 96
};

/* User space is [ABI_USER_BASE, ABI_USER_TOP) in every process. Shared
 * memory segment slot s is attached at SHM_BASE + s * SHM_SPAN in every
 * process, in both modes. */
#define ABI_USER_BASE 0x40000000UL
#define ABI_USER_TOP 0x80000000UL
#define SHM_BASE 0x70000000UL
#define SHM_SPAN 0x40000UL   /* 256 KiB, the largest segment */

/* Errors are returned negated. */
enum {
	E_OK = 0, E_NOSYS = 1, E_FAULT = 2, E_INVAL = 3, E_BADH = 4,
	E_NOMEM = 5, E_NOENT = 6, E_SRCH = 7, E_PEER = 8, E_PERM = 9,
	E_CHILD = 10, E_MSGSIZE = 11, E_AGAIN = 12, E_PIPE = 13,
	E_QUOTA = 14,  /* past a limit of the caller's process tree (kernels/core/quota.c) */
	E_TIMEOUT = 15 /* an IPC's finite timeout ran out (l4) */
};

/* Privileges a parent may pass to a child at spawn (a subset of its own;
 * init has them all). */
#define PRIV_KILL 0x1            /* kill any process but init, not only children */
#define PRIV_TREE 0x2            /* start a child in a process tree of its own (SPAWN_NEW_TREE) */
#define PRIV_ALL 0x3
/* SYS_SPAWN's third argument: the privileges to pass, and this flag. */
#define SPAWN_NEW_TREE 0x100     /* the child starts its own process tree (needs PRIV_TREE) */

/* Exit statuses reported by wait. */
#define EXIT_FAULT_BASE 0x1000   /* killed by CPU exception: base | vector */
#define EXIT_KILLED 0x2000       /* killed by SYS_KILL */

/* sel4: SYS_IPC_SEND to SEL4_REPLY_CAP | name sends on a saved reply
 * capability (SYS_SAVE_CALLER): the answer to a call received earlier. */
#define SEL4_REPLY_CAP 0x40000000u

/* Well-known endpoints in the micro kernel (servers started at boot). */
enum { EP_CONSOLE = 1, EP_FS = 2, EP_SEM = 3, EP_SHM = 4, EP_BLK = 5, EP_FIRST_FREE = 8 };
/* servers=percpu (an SMP micro kernel): a file server and a semaphore
 * server of its own for every CPU; CPU 0's are the well-known ones, the
 * others' take the first free endpoints at boot (kernels/micro/mode.c). */
#define EP_FS_OF(cpu) ((cpu) ? EP_FIRST_FREE + 2 * ((cpu) - 1) : EP_FS)
#define EP_SEM_OF(cpu) ((cpu) ? EP_FIRST_FREE + 2 * ((cpu) - 1) + 1 : EP_SEM)

/* IPC message tag: label in the high half, byte length in bits 0-30.
 * A message travels in registers (at most IPC_INLINE_MAX bytes) unless
 * the sender's descriptor names a send buffer: then the kernel copies it
 * into the receiver's buffer and sets IPC_INBUF in the delivered tag; the
 * three message registers are delivered as well (service arguments). */
#define IPC_TAG(label, len) (((uint64_t)(label) << 32) | ((uint32_t)(len) & 0x7FFFFFFFu))
#define IPC_LABEL(tag) ((uint32_t)((tag) >> 32))
#define IPC_LEN(tag) ((uint32_t)(tag) & 0x7FFFFFFFu)
#define IPC_INBUF 0x80000000u
#define IPC_INLINE_MAX 24

/* Long-message descriptor, passed by pointer in the last argument. */
struct ipc_desc {
	const void *sbuf;
	uint64_t slen;
	void *rbuf;
	uint64_t rcap;
};

/* How an IPC moved a message (kcounters.copies / copy_bytes): in
 * registers, by one kernel copy between two address spaces, into a
 * kernel buffer, out of one, by a copy on a grant (MINIX safecopy), by
 * mapping the sender's pages copy-on-write (a virtual copy: Mach's
 * out-of-line memory), or a page copied when a write hit such a page. */
enum copy_kind { COPY_REG, COPY_DIRECT, COPY_KBUF_IN, COPY_KBUF_OUT, COPY_GRANT, COPY_VIRT, COPY_COW,
		 COPY_KINDS };

/* Kernel event counters (monotonic since boot, except kbufs). All words,
 * so user code may walk them as an array. */
struct kcounters {
	uint64_t kentries;       /* system calls + interrupts + exceptions */
	uint64_t switches;       /* thread switches */
	uint64_t as_switches;    /* address-space (CR3) switches */
	uint64_t bytes_copied;   /* bytes the kernel copied for user data */
	uint64_t sched_picks;    /* scheduler decisions (sched_pick) */
	uint64_t direct_switches;   /* switches straight to an IPC partner */
	uint64_t copies[COPY_KINDS];      /* message moves, by kind */
	uint64_t copy_bytes[COPY_KINDS];  /* their bytes */
	uint64_t rights;         /* port-right translations (mach: a name looked up or entered) */
	uint64_t ipis;           /* inter-processor interrupts sent (SMP kernel: wake-ups, shootdowns) */
	uint64_t shootdowns;     /* ... of them TLB shootdowns */
	uint64_t kbufs;          /* kernel message buffers in use now (a level) */
};
#define KC_WORDS (sizeof(struct kcounters) / sizeof(uint64_t))
#define KC_LEVEL (KC_WORDS - 1)   /* index of kbufs: not a count */

#define CONSOLE_WRITE 1      /* console server label */

/* A notification granted to an endpoint whose owner died gets this bit
 * (kernels/micro/notify.c): a client waiting on a dead server wakes. */
#define NTFN_PEER_DIED (1ULL << 63)

/* l4: the first argument of SYS_L4_IPC. dest: an endpoint (a thread id
 * bound to its receiver) or L4_TID | pid (a thread); rcv: 0 (no receive
 * phase), L4_FROM_DEST (closed wait for dest's answer) or an endpoint to
 * wait on (open wait); flags: timeouts of zero (never block); timeout:
 * 1 to 255 timer ticks (10 ms each) that bound each phase, 0 infinite
 * (L4 has a send and a receive timeout; here one value serves both). */
#define L4_TID 0x80000000u
#define L4_FROM_DEST 0xFFFFu
#define L4_SND_NB 1u
#define L4_RCV_NB 2u
/* minix: a fixed-size message (a type word and a 56-byte payload;
 * m_source is set by the kernel), a destination that is an endpoint or
 * MX_PROC | pid (an answer to a process in sendrec), and the grant table
 * entry a process keeps in its own memory for safecopy. A grantee of
 * MX_GRANTEE_EP | ep means whoever may receive on endpoint ep. */
struct mx_msg {
	int32_t m_source;
	int32_t m_type;
	uint8_t m_payload[56];
};
struct mx_grant {
	uint32_t flags;          /* MX_GRANT_* */
	uint32_t grantee;        /* a pid, or MX_GRANTEE_EP | endpoint */
	uint64_t addr, len;
};
#define MX_PROC 0x10000u
#define MX_GRANTEE_EP 0x80000000u
#define MX_GRANT_VALID 1u
#define MX_GRANT_READ 2u      /* the grantee may copy from it */
#define MX_GRANT_WRITE 4u     /* the grantee may copy into it */
#define MX_TO_GRANTER (1ULL << 63)
/* Kernel calls (MINIX 3's sys_safecopyfrom / sys_safecopyto): the
 * request is a struct mx_safecopy in the message's payload; the kernel
 * writes the result into m_type and returns it. */
enum { MX_SYS_SAFECOPYFROM = 1, MX_SYS_SAFECOPYTO = 2 };
/* A notification: SYS_MX_RECEIVE returns MX_NOTIFIED (MINIX 3's
 * ipc_status says so, not the message, which anyone could forge), the
 * message's type is MX_NOTIFY_MSG (NOTIFY_MESSAGE). */
#define MX_NOTIFIED 1
#define MX_NOTIFY_MSG 0x1000
struct mx_safecopy {
	uint64_t granter;        /* the process whose grant table holds the grant */
	uint64_t grant, offset;  /* grant id, offset into the granted range */
	uint64_t addr, len;      /* our buffer */
};

/* qnx: one part of a multi-part message (MsgSendv and friends). */
struct qnx_iov {
	uint64_t base, len;
};
#define QNX_IOV_MAX 4
/* A part count of -n names one buffer of n bytes instead of an IOV array
 * (MsgSend, MsgReceive, MsgReply); n at most QNX_MSG_MAX. */
#define QNX_MSG_MAX 0x40000000u
/* A pulse as MsgReceive delivers it (rcvid 0): QNX's struct _pulse,
 * in our words. */
struct qnx_pulse {
	int32_t code;
	int32_t scoid;           /* the sender's pid */
	uint64_t value;
};

/* rc4000: a message and an answer are 8 words; a sender may name two
 * storage areas of its own with a message (ours: the receiver may copy
 * from the first and into the second, SYS_RC_COPY). */
#define RC_WORDS 8
struct rc_area {
	uint64_t in, in_len;     /* the receiver may read it */
	uint64_t out, out_len;   /* the receiver may write it */
};
#define RC_TO_SENDER (1ULL << 63)

/* mach: the message a mach_msg trap sends or receives. A body travels
 * inline (copied into a kernel buffer on send and out of it on receive).
 * A request sent by a call carries a send-once right to the caller's
 * reply port: its receiver finds the right's name in its own name space
 * in reply (MACH_PORT_SO | index), sends the answer to that name, now or
 * later, and the right is gone. MACH_PORT_REPLY, as a receive port, is
 * our own reply port. The header is typed, as Mach 3's: bits name what
 * the sender does with the destination (remote) and reply (local) ports,
 * and each data item has a type word (mach_msg_type_t); the kernel
 * checks both on every send (-E_INVAL). */
struct mach_msg {
	uint32_t label, len;      /* len: body bytes (received: those that landed) */
	uint32_t bits, reply;     /* MACH_MSGH_BITS(remote, local) | MACH_MSG_BODY (the body is in
				     body / rbody); reply: received, the send-once right it
				     carried (0: none) */
	uint32_t mr_type, body_type;   /* MACH_TYPE_WORDS; MACH_TYPE_BYTES with a body, else 0 */
	uint64_t mr[3];
	int64_t badge;            /* received: the sender's pid */
	uint64_t body, body_len;  /* send: the body in our memory */
	uint64_t rbody, rcap;     /* receive: where a body may land */
};
#define MACH_SEND_MSG 1u
#define MACH_RCV_MSG 2u
#define MACH_PORT_REPLY 0xFFFFu
#define MACH_PORT_SO 0x80000000u   /* names of send-once rights we hold */
#define MACH_MSG_BODY (1u << 16)
/* Port dispositions (Mach 3, mach/message.h): a request copies a send
 * right to the destination (a call also makes a send-once right to its
 * reply port); an answer moves the send-once right it holds; a received
 * reply right shows as MACH_MSG_TYPE_PORT_SEND_ONCE (= MOVE_SEND_ONCE). */
#define MACH_MSG_TYPE_MOVE_SEND_ONCE 18u
#define MACH_MSG_TYPE_PORT_SEND_ONCE MACH_MSG_TYPE_MOVE_SEND_ONCE
#define MACH_MSG_TYPE_COPY_SEND 19u
#define MACH_MSG_TYPE_MAKE_SEND_ONCE 21u
#define MACH_MSGH_BITS(remote, local) ((remote) | (local) << 8)
#define MACH_MSGH_BITS_REMOTE(b) ((b) & 0xFFu)
#define MACH_MSGH_BITS_LOCAL(b) (((b) >> 8) & 0xFFu)
/* A data item's type word, laid out as mach_msg_type_t: name, size in
 * bits, number (12 bits), inline, longform (the number is elsewhere: for
 * the body, body_len, as mach_msg_type_long_t's msgtl_number). */
#define MACH_MSG_TYPE_BYTE 9u
#define MACH_MSG_TYPE_INTEGER_64 11u
#define MACH_MSG_TYPE(name, size, number, longform) \
	((name) | (size) << 8 | (number) << 16 | 1u << 28 | (longform) << 29)
#define MACH_TYPE_WORDS MACH_MSG_TYPE(MACH_MSG_TYPE_INTEGER_64, 64u, 3u, 0u)
#define MACH_TYPE_BYTES MACH_MSG_TYPE(MACH_MSG_TYPE_BYTE, 8u, 0u, 1u)
/* The body out of line (msgt_inline clear): whole pages at a page-aligned
 * address, moved by virtual copy (the sender's pages mapped copy-on-write,
 * into the receive buffer when it is page-aligned, as MACH_RCV_OVERWRITE;
 * else copied there). */
#define MACH_TYPE_BYTES_OOL (MACH_TYPE_BYTES & ~(1u << 28))
#define MACH_QLIMIT 5         /* queued messages per port (Mach's default) */

#define L4_ARG(dest, rcv, flags) ((uint64_t)(uint32_t)(dest) | (uint64_t)((rcv) & 0xFFFF) << 32 | \
				  (uint64_t)(flags) << 56)
#define L4_ARG_T(dest, rcv, flags, ticks) (L4_ARG(dest, rcv, flags) | (uint64_t)((ticks) & 0xFF) << 48)
#define L4_TIMEOUT(a) ((uint32_t)((a) >> 48) & 0xFF)
#define L4_DEST(a) ((uint32_t)(a))
#define L4_RCV(a) ((uint32_t)((a) >> 32) & 0xFFFF)
#define L4_FLAGS(a) ((uint32_t)((a) >> 56))
#endif
