/*
 * kv_server.c - the key-value server (kv.h), the bench-kv program: its
 * argument "ch=N log=NAME".
 * At start it replays the log NAME (creating it if absent), then answers
 * requests on channel N until it is killed: GET from memory; PUT appends
 * a record to the log with one write and answers only after the file
 * system took it, then updates memory. A kill between requests is the
 * crash the next server recovers from. It exits on its own only if its
 * channel fails.
 */
#include "app.h"
#include "fmt.h"
#include "kv.h"
#include "lz.h"
#include "os.h"
#include "str.h"

static uint8_t store[KV_KEYS_MAX][KV_VALUE_MAX];
static uint32_t length[KV_KEYS_MAX], present[KV_KEYS_MAX];
static uint8_t chunk[65536];
static struct kv_req req;
static struct kv_resp resp;
static uint8_t rec[sizeof(struct kv_rec) + KV_VALUE_MAX];

static uint32_t rec_sum(uint32_t key, uint32_t len, const uint8_t *value)
{
	uint32_t hdr[2] = { key, len };
	uint32_t a = lz_adler32((const uint8_t *)hdr, sizeof hdr);
	return a ^ lz_adler32(value, len) * 2654435761u;
}

/* Read the log from its start: every whole, valid record, applied to
 * memory if apply; -> the valid prefix's length in bytes, or a negative
 * error. */
static long replay(int h, int apply)
{
	if (os_fs_seek(h, 0, FS_SEEK_SET) != 0)
		return SVC_EIO;
	long at = 0, have = 0;   /* the log's offset of chunk[0]; bytes in chunk */
	for (;;) {
		long r = os_fs_read(h, chunk + have, sizeof chunk - (size_t)have);
		if (r < 0 || r > (long)sizeof chunk - have)
			return r < 0 ? r : SVC_EIO;   /* (a reply that cannot be right) */
		have += r;
		long used = 0;
		while (have - used >= (long)sizeof(struct kv_rec)) {
			struct kv_rec hd;
			memcpy(&hd, chunk + used, sizeof hd);
			if (hd.magic != KV_REC_MAGIC || hd.key >= KV_KEYS_MAX || hd.len > KV_VALUE_MAX)
				return at + used;
			if (have - used < (long)(sizeof hd + hd.len))
				break;
			const uint8_t *v = chunk + used + sizeof hd;
			if (rec_sum(hd.key, hd.len, v) != hd.sum)
				return at + used;
			if (apply) {
				memcpy(store[hd.key], v, hd.len);
				length[hd.key] = hd.len, present[hd.key] = 1;
			}
			used += (long)(sizeof hd + hd.len);
		}
		if (r == 0)
			return at + used;   /* a torn tail, if any, is dropped */
		memmove(chunk, chunk + used, (size_t)(have - used));
		at += used, have -= used;
	}
}

/* The file server restarted (its handles are gone) or failed: open the
 * log again and go on after its last valid record, as the disk now has
 * it: a failed write may have left a torn record (appending after it
 * would hide every later one from the next replay), and a file server
 * with its disk inside lost the log (the next replay finds less). */
static int reopen(const char *name, int *h, long *log_bytes)
{
	if (*h >= 0)
		os_fs_close(*h);
	*h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE);
	long end = *h < 0 ? -1 : replay(*h, 0);
	if (end < 0 || os_fs_seek(*h, end, FS_SEEK_SET) != end)
		return -1;
	*log_bytes = end;
	return 0;
}

int main(const char *arg)
{
	char name[32];
	long ch = app_arg(arg, "ch");
	if (ch < 0 || fmt_getarg(arg, "log", name, sizeof name) < 0)
		return 2;
	/* The log, replayed; a few tries, as the file server may be
	 * restarting. A server that cannot read its log still answers (every
	 * request with SVC_EIO): its client calls a channel only we receive
	 * on, and would wait for good if we were gone. */
	int h = -1;
	long log_bytes = -1;
	for (int k = 0; k < 4 && log_bytes < 0; k++) {
		if (h >= 0)
			os_fs_close(h);
		h = os_fs_open(name, FS_O_RDWR | FS_O_CREATE);
		memset(present, 0, sizeof present);   /* what a failed try applied goes */
		log_bytes = h < 0 ? h : replay(h, 1);
		if (log_bytes >= 0 && os_fs_seek(h, log_bytes, FS_SEEK_SET) != log_bytes)
			log_bytes = -1;
	}
	int broken = log_bytes < 0;
	long n = os_chan_recv(ch, &req, sizeof req);
	while (n >= 0) {
		size_t out = KV_RESP_HDR;
		resp.status = 0, resp.len = 0;
		if (broken || n < (long)KV_REQ_HDR) {
			resp.status = broken ? SVC_EIO : SVC_EINVAL;
		} else if (req.key >= KV_KEYS_MAX && req.op != KV_STAT) {
			resp.status = SVC_EINVAL;
		} else if (req.op == KV_GET) {
			if (!present[req.key]) {
				resp.status = SVC_ENOENT;
			} else {
				resp.len = length[req.key];
				memcpy(resp.value, store[req.key], resp.len);
				out += resp.len;
			}
		} else if (req.op == KV_PUT) {
			if (req.len > KV_VALUE_MAX || n != (long)(KV_REQ_HDR + req.len)) {
				resp.status = SVC_EINVAL;
			} else {
				struct kv_rec hd = { KV_REC_MAGIC, req.key, req.len, rec_sum(req.key, req.len, req.value) };
				memcpy(rec, &hd, sizeof hd);
				memcpy(rec + sizeof hd, req.value, req.len);
				long w = h < 0 ? SVC_EBADF : os_fs_write(h, rec, sizeof hd + req.len);
				if (w < 0 && reopen(name, &h, &log_bytes) == 0)
					w = os_fs_write(h, rec, sizeof hd + req.len);   /* once more */
				if (w != (long)(sizeof hd + req.len)) {
					/* a short write leaves a torn record: later appends would
					 * follow it unread; step back over it */
					resp.status = w < 0 ? (int32_t)w : SVC_EIO;
					if (h >= 0 && os_fs_seek(h, log_bytes, FS_SEEK_SET) != log_bytes)
						os_fs_close(h), h = -1;   /* the next PUT reopens */
				} else {
					log_bytes += w;
					memcpy(store[req.key], req.value, req.len);
					length[req.key] = req.len, present[req.key] = 1;
				}
			}
		} else if (req.op == KV_STAT) {
			uint32_t k = 0;
			for (uint32_t i = 0; i < KV_KEYS_MAX; i++)
				k += present[i];
			resp.keys = k, resp.log_bytes = (uint32_t)log_bytes;
		} else {
			resp.status = SVC_EINVAL;
		}
		n = os_chan_reply_recv(ch, &resp, out, &req, sizeof req);
	}
	return 6;
}
