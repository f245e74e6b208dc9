/* helper.c - the partner process of the two-process workloads (the
 * "bench-helper" image), one role per workload:
 *   role=yield                          yield forever
 *   role=echo ch=N cap=M [ool=O]        receive on channel N into an M-byte
 *                                       buffer, reply with what came (ool: its
 *                                       pages by virtual copy, os_chan_ool)
 *   role=sem ping=A pong=B n=K          K times: wait A, post B
 *   role=usem seg=S n=K ep=E            the same on user semaphores (usem.h)
 *                                       0 and 1 of shm segment S (E: the
 *                                       parent's endpoint, for usem_waiter)
 *   role=mqecho req=A rep=B size=M      receive on queue A, send it to queue B
 *   role=shm seg=S user=U ep=E sems=F,A,G,D size=Z n=K
 *                                       K times: wait F, post A (the timed
 *                                       hand-off), wait G, check the block,
 *                                       post D (U=1: the user-level
 *                                       semaphores in the segment's header)
 *   role=fscheck name=F len=L           read file F, check L bytes of it
 *   role=poll seg=S                     answer wl_smp.c's polled round trips
 *                                       in segment S (struct smp_poll)
 *   role=pair seg=S ch=N slot=J rounds=R  wait for go in segment S (struct
 *                                       smp_pairs), time R round trips of 8
 *                                       bytes on channel N, store the ticks
 *                                       in slot J
 *   role=client op=read|sem seg=S slot=J k=K replica=0|1
 *                                       one of wl_clients.c's clients (on
 *                                       CPU J, placed by the parent): set up,
 *                                       wait for all K in segment S (struct
 *                                       clients_seg), time CLIENTS_ROUNDS
 *                                       operations on its own file or
 *                                       semaphore (replica=1: its CPU's
 *                                       servers, os_replica)
 * Exit status 0 means every check held. */
#include "bench.h"
#include "fmt.h"
#include "os.h"
#include "shm_layout.h"
#include "str.h"
#include "usem.h"

static uint8_t buf[65536] __attribute__((aligned(4096)));   /* whole pages: os_chan_ool */

static long arg_long(const char *arg, const char *key)
{
	char v[24];
	return fmt_getarg(arg, key, v, sizeof v) < 0 ? -1 : (long)fmt_parse_u64(v, 0);
}

static int sem_partner(const char *arg)
{
	long ping = arg_long(arg, "ping"), pong = arg_long(arg, "pong"), n = arg_long(arg, "n");
	for (long i = 0; i < n; i++)
		if (os_sem_wait((int)ping) || os_sem_post((int)pong))
			return 6;
	return 0;
}

static int usem_partner(const char *arg)
{
	long seg = arg_long(arg, "seg"), n = arg_long(arg, "n"), ep = arg_long(arg, "ep");
	long at = os_shm_attach((int)seg);
	if (at <= 0)
		return 16;
	struct usem *s = (struct usem *)at;
	if (usem_waiter(&s[0], ep) < 0)   /* we wait on ping */
		return 16;
	for (long i = 0; i < n; i++)
		if (usem_wait(&s[0]) || usem_post(&s[1]))
			return 17;
	return os_shm_detach((int)seg) ? 18 : 0;
}

static int mq_echo(const char *arg)
{
	long req = arg_long(arg, "req"), rep = arg_long(arg, "rep"), size = arg_long(arg, "size");
	if (size < 0 || size > (long)sizeof buf)
		return 19;
	for (;;) {
		long n = os_mq_receive((int)req, buf, (size_t)size, 0);
		if (n < 0 || os_mq_send((int)rep, buf, (size_t)n, 0) < 0)
			return 20;
	}
}

static int shm_consumer(const char *arg)
{
	long seg = arg_long(arg, "seg"), user = arg_long(arg, "user"), ep = arg_long(arg, "ep");
	long size = arg_long(arg, "size"), n = arg_long(arg, "n");
	long addr = os_shm_attach((int)seg);
	char v[48];
	if (addr <= 0 || fmt_getarg(arg, "sems", v, sizeof v) < 0)
		return 7;
	struct shm_sync s = { user == 1, { 0 }, (struct shm_hdr *)addr };
	const char *p = v;
	for (int k = 0; k < SHM_NSYNC; k++) {   /* "a,b,c,d" (ids; -1 for user-level) */
		int neg = *p == '-';
		s.id[k] = (int)fmt_parse_u64(p + neg, &p) * (neg ? -1 : 1);
		p += *p == ',';
	}
	if (s.user && (usem_waiter(&s.h->u[SHM_FULL], ep) < 0 ||
		       usem_waiter(&s.h->u[SHM_GO], ep) < 0))   /* we wait on full and go */
		return 7;
	struct shm_hdr *h = s.h;
	for (long i = 0; i < n; i++) {
		if (shm_wait(&s, SHM_FULL) || shm_post(&s, SHM_ACK))
			return 8;
		if (shm_wait(&s, SHM_GO))
			return 9;
		if (h->seq != (uint32_t)i || !shm_check(h->data, (size_t)size, (unsigned)i))
			h->bad++;
		h->seen++;
		if (shm_post(&s, SHM_DONE))
			return 9;
	}
	return os_shm_detach((int)seg) ? 10 : 0;
}

static uint8_t pat(uint32_t off) { return (uint8_t)(off * 7 + (off >> 8) * 3 + (off >> 16)); }

/* Must match wl_fileio.c's pattern, generation 0: byte at offset o is pat(o). */
static int file_check(const char *arg)
{
	char name[32];
	long len = arg_long(arg, "len");
	if (fmt_getarg(arg, "name", name, sizeof name) < 0 || len < 0)
		return 11;
	int h = os_fs_open(name, FS_O_READ);
	if (h < 0)
		return 12;
	for (long off = 0; off < len;) {
		long r = os_fs_read(h, buf, sizeof buf);
		if (r <= 0)
			return 13;
		long i = 0;
		if (off % 8 == 0)   /* fastpat.h: 8 bytes at a time, as wl_fileio.c writes them */
			for (uint64_t steps = pat_steps(7); i + 8 <= r; i += 8)
				if (pat_load(buf + i) != pat_group(pat((uint32_t)(off + i)), steps))
					return 14;
		for (; i < r; i++)
			if (buf[i] != pat((uint32_t)(off + i)))
				return 14;
		off += r;
	}
	return os_fs_close(h) ? 15 : 0;
}

/* Poll the request slot (pause in the loop: it lets a waiting CPU's
 * turn go, README.md, "Several CPUs") and answer each new message with its bytes. */
static int poll_echo(const char *arg)
{
	long seg = arg_long(arg, "seg");
	long at = seg < 0 ? -1 : os_shm_attach((int)seg);
	if (at <= 0)
		return 20;
	struct smp_poll *sp = (struct smp_poll *)at;
	uint64_t last = 0, spins = 0;
	for (;;) {
		uint64_t seq = __atomic_load_n(&sp->req.seq, __ATOMIC_ACQUIRE);
		if (seq == SMP_POLL_STOP)
			break;
		if (seq == last) {
			if (++spins >= SMP_POLL_SPINS)
				return 21;
			__asm__ volatile("pause" ::: "memory");
			continue;
		}
		uint64_t n = sp->req.len;
		if (n > SMP_POLL_MAX)
			return 22;
		memcpy(sp->resp.data, sp->req.data, n);
		sp->resp.len = n;
		__atomic_store_n(&sp->resp.seq, seq, __ATOMIC_RELEASE);
		last = seq, spins = 0;
	}
	return os_shm_detach((int)seg) ? 23 : 0;
}

/* One of wl_smp.c's independent pairs: the client's timed batch. */
static int pair_client(const char *arg)
{
	long seg = arg_long(arg, "seg"), ch = arg_long(arg, "ch"), slot = arg_long(arg, "slot"),
	     rounds = arg_long(arg, "rounds");
	long at = seg < 0 ? -1 : os_shm_attach((int)seg);
	if (at <= 0 || ch < 0 || slot < 0 || slot >= SMP_PAIRS_MAX || rounds < 1)
		return 30;
	struct smp_pairs *sp = (struct smp_pairs *)at;
	uint64_t msg = (uint64_t)slot, back = 0, spins = 0;
	while (!__atomic_load_n(&sp->go, __ATOMIC_ACQUIRE))
		if (++spins >= SMP_POLL_SPINS)
			return 31;
		else
			__asm__ volatile("pause" ::: "memory");
	uint64_t t0 = bench_now();
	for (long i = 0; i < rounds; i++)
		if (os_chan_call(ch, &msg, sizeof msg, &back, sizeof back) != (long)sizeof msg || back != msg)
			return 32;
	sp->ticks[slot] = bench_now() - t0;
	return os_shm_detach((int)seg) ? 33 : 0;
}

/* Count ourself in *n and wait until all k are: 0, or -1 if they never
 * are. Each look pauses (README.md, "Several CPUs") and, with yield set,
 * yields: the client on CPU 0 shares it with the servers of shape
 * "shared", and one that runs at its clients' priority (qnx, minix) would
 * otherwise wait for the end of our time slice to serve another CPU's
 * client. */
static int barrier(volatile uint64_t *n, long k, int yield)
{
	__atomic_add_fetch(n, 1, __ATOMIC_ACQ_REL);
	for (uint64_t spins = 0; __atomic_load_n(n, __ATOMIC_ACQUIRE) < (uint64_t)k;) {
		if (++spins >= SMP_POLL_SPINS)
			return -1;
		__asm__ volatile("pause" ::: "memory");
		if (yield)
			os_yield();
	}
	return 0;
}

/* The byte at offset o of a client's file. */
static uint8_t client_pat(unsigned slot, unsigned o) { return (uint8_t)(o * 11 + slot * 29 + (o >> 8)); }

/* One of wl_clients.c's clients: its file (cl<J>, CLIENTS_IO bytes)
 * read from offset 0, or its semaphore posted and taken, CLIENTS_ROUNDS
 * times once all K clients are ready. The bytes are checked after the
 * batch (the buffer is cleared first, so the last read must have filled it).
 * Not inlined: main's code for the other roles, and their figures, stay
 * what they were without it. */
static __attribute__((noinline)) int client(const char *arg)
{
	long seg = arg_long(arg, "seg"), slot = arg_long(arg, "slot"), k = arg_long(arg, "k");
	char op[8], name[8] = "cl0";
	long at = seg < 0 ? -1 : os_shm_attach((int)seg);
	if (at <= 0 || slot < 0 || slot >= SMP_PAIRS_MAX || k < 1 || k > SMP_PAIRS_MAX ||
	    fmt_getarg(arg, "op", op, sizeof op) < 0)
		return 40;
	if (arg_long(arg, "replica") == 1 && os_replica((int)slot) < 0)
		return 41;
	struct clients_seg *cs = (struct clients_seg *)at;
	struct clients_slot *me = &cs->slot[slot];
	int read = !strcmp(op, "read"), h = -1, id = -1, r = 0;
	name[2] = (char)('0' + slot);
	if (read) {
		for (unsigned i = 0; i < CLIENTS_IO; i++)
			buf[i] = client_pat((unsigned)slot, i);
		if ((h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE)) < 0)
			r = 42;
		else if (os_fs_write(h, buf, CLIENTS_IO) != CLIENTS_IO)
			r = 43;
		memset(buf, 0, CLIENTS_IO);
	} else if (strcmp(op, "sem") || (id = os_sem_create(0)) < 0) {
		r = 44;
	}
	if (barrier(&cs->ready, k, 0) || r)   /* a client that failed still counts: the others go on */
		return r ? r : 45;
	os_counters(&me->kc0);
	uint64_t t0 = bench_now();
	int bad = 0;
	for (int i = 0; i < CLIENTS_ROUNDS; i++)
		if (read)
			bad |= os_fs_seek(h, 0, FS_SEEK_SET) != 0 || os_fs_read(h, buf, CLIENTS_IO) != CLIENTS_IO;
		else
			bad |= os_sem_post(id) != 0 || os_sem_wait(id) != 0;
	uint64_t t1 = bench_now();
	os_counters(&me->kc1);
	me->t0 = t0, me->t1 = t1;
	if (barrier(&cs->done, k, 1))
		return 45;
	if (bad)
		return 46;
	for (unsigned i = 0; read && i < CLIENTS_IO; i++)
		if (buf[i] != client_pat((unsigned)slot, i))
			return 47;
	if (read ? os_fs_close(h) : os_sem_destroy(id))
		return 48;
	return os_shm_detach((int)seg) ? 49 : 0;
}

int main(const char *arg)
{
	char role[16];
	if (fmt_getarg(arg, "role", role, sizeof role) < 0)
		return 2;
	if (!strcmp(role, "yield"))
		for (;;)
			os_yield();
	if (!strcmp(role, "echo")) {
		long ch = arg_long(arg, "ch"), cap = arg_long(arg, "cap");
		if (ch < 0 || cap < 0 || cap > (long)sizeof buf)
			return 3;
		long ool = arg_long(arg, "ool");
		if (ool > 0 && os_chan_ool((size_t)ool) < 0)
			return 3;
		long n = os_chan_recv(ch, buf, (size_t)cap);
		while (n >= 0)
			n = os_chan_reply_recv(ch, buf, (size_t)n, buf, (size_t)cap);
		return 4;
	}
	if (!strcmp(role, "sem"))
		return sem_partner(arg);
	if (!strcmp(role, "usem"))
		return usem_partner(arg);
	if (!strcmp(role, "mqecho"))
		return mq_echo(arg);
	if (!strcmp(role, "shm"))
		return shm_consumer(arg);
	if (!strcmp(role, "fscheck"))
		return file_check(arg);
	if (!strcmp(role, "poll"))
		return poll_echo(arg);
	if (!strcmp(role, "pair"))
		return pair_client(arg);
	if (!strcmp(role, "client"))
		return client(arg);
	return 5;
}
