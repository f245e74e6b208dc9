/* st_svc.c - self tests of the services (file system, semaphores, shared
 * memory) through os_*, the same source in both modes: bad input gets an
 * error code and breaks nothing; a file written by one process reads
 * back identical in another; shared memory is shared. */
#include "fmt.h"
#include "os.h"
#include "str.h"
#include "selftest.h"

static uint8_t big[65536];

static void test_fs_bad_input(void)
{
	char d[96];
	int h = os_fs_open("st_file", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
	report("fs_name_too_long", os_fs_create("a_name_that_is_far_too_long_for_it") == SVC_ENAMETOOLONG, "");
	report("fs_name_empty", os_fs_create("") == SVC_EINVAL, "");
	report("fs_open_missing", os_fs_open("no_such_file", FS_O_READ) == SVC_ENOENT, "");
	report("fs_bad_handle", os_fs_read(999, big, 8) == SVC_EBADF && os_fs_close(-1) == SVC_EBADF, "");
	long w = os_fs_write(h, "hello", 5), s = os_fs_seek(h, 0, FS_SEEK_SET);
	long r = os_fs_read(h, big, 100), past = os_fs_read(h, big, 10);
	fmt_snprintf(d, sizeof d, "write %ld seek %ld read %ld then %ld", w, s, r, past);
	report("fs_read_past_end", h >= 0 && w == 5 && s == 0 && r == 5 && past == 0, d);
	report("fs_io_too_big", os_fs_write(h, big, 65537) == SVC_EINVAL, "more than 64 KiB in one call");
	report("fs_bad_buffer", os_fs_write(h, (void *)0x100000, 16) == SVC_EFAULT, "kernel address as data");
	os_fs_close(h);
	os_fs_unlink("st_file");
}

/* Fill the disk until it refuses, check nothing broke, free it all. */
static void test_fs_full_disk(void)
{
	char name[16], d[96];
	int nfiles = 0, full = 0;
	memset(big, 0x5A, sizeof big);
	for (int i = 0; i < 100 && !full; i++) {
		fmt_snprintf(name, sizeof name, "fill%d", i);
		int h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE);
		if (h < 0) {
			full = h == SVC_ENOSPC;
			break;
		}
		nfiles++;
		for (int k = 0; k < 8 && !full; k++) {
			long r = os_fs_write(h, big, sizeof big);
			full = r == SVC_ENOSPC;
		}
		os_fs_close(h);
	}
	struct fs_stat st;
	int stat_ok = os_fs_stat("fill0", &st) == 0 && st.size == 8 * sizeof big;
	int freed = 1;
	for (int i = 0; i < nfiles; i++) {
		fmt_snprintf(name, sizeof name, "fill%d", i);
		freed &= os_fs_unlink(name) == 0;
	}
	int h = os_fs_open("after_full", FS_O_RDWR | FS_O_CREATE);
	int again = h >= 0 && os_fs_write(h, big, sizeof big) == (long)sizeof big;
	os_fs_close(h);
	os_fs_unlink("after_full");
	fmt_snprintf(d, sizeof d, "%d files, full %d, stat %d, freed %d, again %d", nfiles, full, stat_ok, freed, again);
	report("fs_full_disk", full && stat_ok && freed && again, d);
}

/* Another process writes a file; we read it back; handles are private. */
static void test_fs_cross_process(void)
{
	int st = -1, pid = os_spawn("selftest", "role=fswriter");
	os_wait(pid, &st);
	int h = os_fs_open("shared_f", FS_O_READ), ok = h >= 0;
	for (uint32_t off = 0; ok && off < 3 * 4096; off += 4096) {
		ok = os_fs_read(h, big, 4096) == 4096;
		for (int i = 0; ok && i < 4096; i++)
			ok = big[i] == (uint8_t)((off + (uint32_t)i) * 5 + 1);
	}
	os_fs_close(h);
	os_fs_unlink("shared_f");
	report("fs_cross_process", st == 0 && ok, "12 KiB written by a child reads back identical");
	char arg[32];
	h = os_fs_open("mine", FS_O_RDWR | FS_O_CREATE);
	fmt_snprintf(arg, sizeof arg, "role=fsthief h=%d", h);
	pid = os_spawn("selftest", arg);
	os_wait(pid, &st);
	report("fs_handle_private", h >= 0 && st == 0, "another process cannot use our handle");
	os_fs_close(h);
	os_fs_unlink("mine");
}

static void test_sem_and_shm(void)
{
	int s = os_sem_create(1);
	report("sem_missing", os_sem_post(12345) == SVC_ENOENT && os_sem_wait(999) == SVC_ENOENT, "");
	report("sem_uncontended", s >= 0 && os_sem_wait(s) == 0 && os_sem_post(s) == 0, "");
	report("sem_destroyed", os_sem_destroy(s) == 0 && os_sem_wait(s) == SVC_ENOENT, "");
	report("shm_missing", os_shm_attach(777) == SVC_ENOENT, "");
	report("shm_bad_size", os_shm_create(42, 0) == SVC_EINVAL && os_shm_create(43, 1 << 20) == SVC_EINVAL, "");
	int id = os_shm_create(0x77, 8192), st = -1;
	long a = os_shm_attach(id);
	char arg[32];
	fmt_snprintf(arg, sizeof arg, "role=shmwriter id=%d", id);
	if (a > 0) {
		int pid = os_spawn("selftest", arg);
		os_wait(pid, &st);
	}
	report("shm_shared", a > 0 && st == 0 && ((volatile uint32_t *)a)[1000] == 0xC0FFEE,
	       "a child's write to the segment is seen here");
	report("shm_detach", os_shm_detach(id) == 0, "");
}

void test_services(void)
{
	test_fs_bad_input();
	test_fs_full_disk();
	test_fs_cross_process();
	test_sem_and_shm();
}

int role_svc(const char *role, const char *arg)
{
	char v[16];
	if (!strcmp(role, "fswriter")) {
		int h = os_fs_open("shared_f", FS_O_RDWR | FS_O_CREATE | FS_O_TRUNC);
		for (uint32_t off = 0; off < 3 * 4096; off += 4096) {
			for (int i = 0; i < 4096; i++)
				big[i] = (uint8_t)((off + (uint32_t)i) * 5 + 1);
			if (os_fs_write(h, big, 4096) != 4096)
				return 1;
		}
		return os_fs_close(h) ? 2 : 0;
	}
	fmt_getarg(arg, role[0] == 'f' ? "h" : "id", v, sizeof v);
	int n = (int)fmt_parse_u64(v, 0);
	if (!strcmp(role, "fsthief"))
		return os_fs_read(n, big, 8) == SVC_EBADF && os_fs_close(n) == SVC_EBADF ? 0 : 1;
	if (!strcmp(role, "shmwriter")) {
		long a = os_shm_attach(n);
		if (a <= 0)
			return 1;
		((volatile uint32_t *)a)[1000] = 0xC0FFEE;
		return os_shm_detach(n) ? 2 : 0;
	}
	return -1;
}
