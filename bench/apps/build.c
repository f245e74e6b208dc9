/* build.c - the build application's processes (build.h): role=worker
 * ch=C w=W n=N builds sources W, W + BUILD_WORKERS, ... of N and reports
 * on channel C; role=link n=N checks every output and writes the result.
 * Exit status 0 when everything held. */
#include "app.h"
#include "build.h"
#include "lz.h"
#include "os.h"
#include "str.h"

static uint8_t src[BUILD_SRC_MAX], packed[sizeof(struct build_obj) + LZ_BOUND(BUILD_SRC_MAX)],
	unpacked[BUILD_SRC_MAX];

/* The whole of file name into buf (at most cap bytes): its length, or < 0. */
static long read_file(const char *name, uint8_t *buf, size_t cap)
{
	int h = os_fs_open(name, FS_O_READ);
	if (h < 0)
		return h;
	long n = 0, r;
	while ((size_t)n < cap && (r = os_fs_read(h, buf + n, cap - (size_t)n)) > 0)
		n += r;
	os_fs_close(h);
	return n;
}

static int write_file(const char *name, const void *buf, size_t len)
{
	int h = os_fs_open(name, FS_O_WRITE | FS_O_CREATE | FS_O_TRUNC);
	if (h < 0)
		return h;
	long w = os_fs_write(h, buf, len);
	int c = os_fs_close(h);
	return w == (long)len && c == 0 ? 0 : -1;
}

/* Build sources w, w + BUILD_WORKERS, ... of n: 0, or what failed. */
static int build_some(long w, long n, struct build_report *rep)
{
	char name[16];
	for (long i = w; i < n; i += BUILD_WORKERS) {
		build_src_name(name, (unsigned)i);
		long len = read_file(name, src, sizeof src);
		if (len <= 0)
			return 3;
		struct build_obj o = { BUILD_OBJ_MAGIC, (uint32_t)len, lz_adler32(src, (size_t)len), 0 };
		size_t pl = lz_compress(src, (size_t)len, packed + sizeof o, sizeof packed - sizeof o);
		if (!pl)
			return 4;
		o.packed_len = (uint32_t)pl;
		memcpy(packed, &o, sizeof o);
		build_obj_name(name, (unsigned)i);
		if (write_file(name, packed, sizeof o + pl))
			return 5;
		rep->index[rep->count] = (uint32_t)i, rep->sum[rep->count++] = o.src_sum;
	}
	return 0;
}

int build_worker(const char *arg)
{
	long ch = app_arg(arg, "ch"), w = app_arg(arg, "w"), n = app_arg(arg, "n");
	static struct build_report rep;
	if (ch < 0)
		return 2;   /* no one to tell */
	rep.count = 0;
	rep.status = w < 0 || w >= BUILD_WORKERS || n < 0 || n > BUILD_MAX_FILES ? 2 : build_some(w, n, &rep);
	long r = os_chan_call(ch, &rep, sizeof rep, 0, 0);   /* the answer is empty */
	return rep.status ? rep.status : r == 0 ? 0 : 6;
}

int build_link(const char *arg)
{
	long n = app_arg(arg, "n");
	static struct build_result res;
	char name[16];
	if (n < 0 || n > BUILD_MAX_FILES)
		return 2;
	res.n = (uint32_t)n, res.total = 0;
	for (long i = 0; i < n; i++) {
		build_obj_name(name, (unsigned)i);
		long len = read_file(name, packed, sizeof packed);
		struct build_obj o;
		if (len < (long)sizeof o)
			return 3;
		memcpy(&o, packed, sizeof o);
		if (o.magic != BUILD_OBJ_MAGIC || o.packed_len != len - (long)sizeof o || o.src_len > BUILD_SRC_MAX ||
		    lz_decompress(packed + sizeof o, o.packed_len, unpacked, sizeof unpacked) != (long)o.src_len ||
		    lz_adler32(unpacked, o.src_len) != o.src_sum)
			return 4;
		res.sum[i] = o.src_sum, res.total += o.src_sum;
	}
	return write_file(BUILD_RESULT, &res, sizeof res) ? 5 : 0;
}
