/*
 * mix.c - the multi-user application's processes (mix.h):
 *   role=mixuser u=U jobs=J drv=C
 *                             a user: its set-up, a call on channel C
 *                             (the driver answers when every user is set
 *                             up), J jobs, a call on C (done), its
 *                             clean-up; exit status 0 when every test's
 *                             check held, else the failing test's class + 10
 *   role=mixpartner ch=C      the user's channel partner (echo)
 * Each test is one unit of work, the same for every kernel.
 */
#include "app.h"
#include "mix.h"
#include "os.h"
#include "str.h"
#include "zipf.h"

#define FILE_BYTES 16384u
#define IO 4096u

static uint8_t io[IO], big[16384], big2[16384], sieve[8192];
static struct zipf rng;   /* only its uniform generator is used */
static unsigned user;
static long ch;
static int sem, shm_id;
static uint8_t *shm;
static char data_name[16], tmp_name[16];
static volatile uint32_t int_sink;

static uint8_t pat(unsigned u, uint32_t off) { return (uint8_t)(u * 29u + off * 5u + (off >> 9)); }

static int t_creat(void)   /* a file made, opened, closed and removed */
{
	if (os_fs_create(tmp_name) < 0)
		return -1;
	int h = os_fs_open(tmp_name, FS_O_RDWR);
	return h < 0 || os_fs_close(h) || os_fs_unlink(tmp_name) ? -1 : 0;
}

static int t_read(void)   /* the user's 16 KiB file, read whole in 4 KiB pieces */
{
	int h = os_fs_open(data_name, FS_O_READ), bad = h < 0;
	for (uint32_t off = 0; !bad && off < FILE_BYTES; off += IO)
		bad = os_fs_read(h, io, IO) != IO || io[0] != pat(user, off) || io[IO - 1] != pat(user, off + IO - 1);
	return h < 0 || os_fs_close(h) || bad ? -1 : 0;
}

static int t_write(void)   /* the same file rewritten whole, with the same bytes */
{
	int h = os_fs_open(data_name, FS_O_WRITE), bad = h < 0;
	for (uint32_t off = 0; !bad && off < FILE_BYTES; off += IO) {
		for (uint32_t i = 0; i < IO; i++)
			io[i] = pat(user, off + i);
		bad = os_fs_write(h, io, IO) != IO;
	}
	return h < 0 || os_fs_close(h) || bad ? -1 : 0;
}

static int t_spawn(void)   /* a process started and waited for */
{
	int st, pid = os_spawn(TRUE_IMAGE, "");
	return pid < 0 || os_wait(pid, &st) != pid || st != 0 ? -1 : 0;
}

static int t_pipe(void)   /* ten 64-byte round trips with the partner */
{
	uint8_t out[64], back[64];
	for (int k = 0; k < 10; k++) {
		for (int i = 0; i < 64; i++)
			out[i] = (uint8_t)(k * 64 + i + user);
		if (os_chan_call(ch, out, sizeof out, back, sizeof back) != sizeof back || memcmp(out, back, sizeof out))
			return -1;
	}
	return 0;
}

static int t_shm(void)   /* ten rounds: signal, wait, 4 KiB into the segment and back */
{
	for (int k = 0; k < 10; k++) {
		if (os_sem_post(sem) || os_sem_wait(sem))
			return -1;
		memset(io, k + (int)user, IO);
		memcpy(shm, io, IO);
		memcpy(big, shm, IO);
		if (big[0] != io[0] || big[IO - 1] != io[IO - 1])
			return -1;
	}
	return 0;
}

static int t_int(void)   /* a sieve below 8,192 and integer add/mul/div chains */
{
	memset(sieve, 1, sizeof sieve);
	unsigned primes = 0;
	for (unsigned i = 2; i < sizeof sieve; i++)
		if (sieve[i]) {
			primes++;
			for (unsigned j = i * i; j < sizeof sieve; j += i)
				sieve[j] = 0;
		}
	volatile uint32_t a = 12345 + user;
	uint32_t x = a;
	for (unsigned i = 1; i <= 500; i++)
		x = (x + i) * 3 / (i % 7 + 1) + (x % 13);
	int_sink = x;
	return primes == 1028 ? 0 : -1;
}

/* Fixed point, 16.16: square roots by Newton-Raphson and a series, where
 * AIM's tests use floating point. */
static int t_fixed(void)
{
	for (uint32_t v = 1; v <= 64; v++) {
		uint64_t n = (uint64_t)(v + user) << 16, r = n;   /* sqrt(n) in 16.16 is sqrt(n << 16) */
		for (int k = 0; k < 20; k++)
			r = (r + (n << 16) / r) / 2;
		if (r * r > (n << 16) + 2 * r + 1 || (r + 1) * (r + 1) <= (n << 16) - 2 * r)
			return -1;
	}
	int64_t term = 1 << 16, sum = 0;   /* e = sum 1/k!, to 12 terms */
	for (int k = 1; k <= 12; k++)
		sum += term, term /= k;
	return sum > 178000 && sum < 178200 ? 0 : -1;   /* e * 65536 = 178145 */
}

static int t_mem(void)   /* 16 KiB set and copied, a string formatted, a system call */
{
	char s[64];
	memset(big, (int)user, sizeof big);
	memcpy(big2, big, sizeof big);
	int n = fmt_snprintf(s, sizeof s, "user %u pid %d", user, os_getpid());
	return n > 0 && big2[sizeof big2 - 1] == (uint8_t)user ? 0 : -1;
}

static int (*const tests[MIX_NTESTS])(void) = { t_creat, t_read, t_write, t_spawn, t_pipe,
						 t_shm, t_int, t_fixed, t_mem };

static int setup(void)
{
	fmt_snprintf(data_name, sizeof data_name, "mix%u.dat", user);
	fmt_snprintf(tmp_name, sizeof tmp_name, "mix%u.tmp", user);
	int h = os_fs_open(data_name, FS_O_WRITE | FS_O_CREATE | FS_O_TRUNC);
	if (h < 0)
		return -1;
	for (uint32_t off = 0; off < FILE_BYTES; off += IO) {
		for (uint32_t i = 0; i < IO; i++)
			io[i] = pat(user, off + i);
		if (os_fs_write(h, io, IO) != IO)
			return -1;
	}
	if (os_fs_close(h))
		return -1;
	sem = os_sem_create(0);
	shm_id = os_shm_create(0x3a00 + user, IO);
	long at = shm_id < 0 ? -1 : os_shm_attach(shm_id);
	shm = (uint8_t *)at;
	return sem < 0 || at <= 0 ? -1 : 0;
}

/* Tell the driver (its channel: start, then done), and wait for its go. */
static int tell(long drv, int32_t status)
{
	return os_chan_call(drv, &status, sizeof status, 0, 0) == 0 ? 0 : -1;
}

int mix_user(const char *arg)
{
	long u = app_arg(arg, "u"), jobs = app_arg(arg, "jobs"), drv = app_arg(arg, "drv");
	char a[32];
	int partner = -1, st, failed = 0;
	if (drv < 0)
		return 2;   /* no one to tell */
	user = (unsigned)u;
	zipf_init(&rng, 1, 0x41494d37u + user);   /* "AIM7" */
	if (u < 0 || jobs < 0)
		failed = 2;
	else if ((ch = os_chan_create()) < 0)
		failed = 3;
	fmt_snprintf(a, sizeof a, "role=mixpartner ch=%ld", ch);
	if (!failed && ((partner = os_spawn(APP_IMAGE, a)) < 0 || setup()))
		failed = 4;
	/* the driver times the jobs alone: from every user's start to every
	 * user's done, the set-up and clean-up outside */
	if (tell(drv, failed) < 0)
		failed = failed ? failed : 5;
	unsigned char order[MIX_JOB_TESTS];
	for (long j = 0; j < jobs && !failed; j++) {
		unsigned n = 0;
		for (int t = 0; t < MIX_NTESTS; t++)
			for (unsigned k = 0; k < mix_per_job[t]; k++)
				order[n++] = (unsigned char)t;
		for (unsigned i = n - 1; i > 0; i--) {   /* Fisher-Yates, seeded per user */
			unsigned k = zipf_uniform(&rng, i + 1);
			unsigned char t = order[i];
			order[i] = order[k], order[k] = t;
		}
		for (unsigned i = 0; i < n && !failed; i++)
			if (tests[order[i]]())
				failed = 10 + order[i];
	}
	if (tell(drv, failed) < 0)
		failed = failed ? failed : 5;
	if (partner >= 0) {
		os_kill(partner);
		os_wait(partner, &st);
	}
	os_shm_detach(shm_id);
	os_sem_destroy(sem);
	os_fs_unlink(data_name);
	return failed;
}

int mix_partner(const char *arg)
{
	static uint8_t buf[256];
	long c = app_arg(arg, "ch");
	if (c < 0)
		return 2;
	long n = os_chan_recv(c, buf, sizeof buf);
	while (n >= 0)
		n = os_chan_reply_recv(c, buf, (size_t)n, buf, sizeof buf);
	return 3;
}
