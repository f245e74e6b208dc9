/*
 * fs.c - the file server (micro kernel): services/fs.c behind EP_FS, one
 * request per IPC call (svcproto.h). Two shapes, chosen by the kernel
 * command line (fsshape=): "fs", the RAM disk inside this server; and
 * "fs+blk", every block read or write an IPC call to the block server
 * (two hops, as in MINIX). Handles belong to the calling process (badge);
 * when the table is full, the handles of clients that died are freed.
 */
#include "blkdev.h"
#include "fmt.h"
#include "fs.h"
#include "os.h"
#include "ramdisk.h"
#include "srvlib.h"
#include "str.h"
#include "svc_err.h"
#include "svcproto.h"

#define DISK_BYTES (4u << 20)

static uint8_t disk[DISK_BYTES] __attribute__((aligned(4096)));
static uint8_t req_buf[FS_IO_MAX], reply_buf[FS_IO_MAX];
static struct ramdisk rd;
static struct blkdev dev;
static struct fs fs;
static uint64_t blk_instance;   /* the block server holding our disk */
static int disk_lost;           /* it was restarted: the disk we mounted is gone */

/* A block server's reply: its result, unless it came from another
 * instance than the one we mounted (a restarted block server starts with
 * an empty disk), which fails this and every later request: a file
 * server must never hand out zeros for data it wrote. */
static int blk_result(const struct ipc_in *r)
{
	if (r->status < 0)
		return SVC_EIO;
	if (r->mr[1] != blk_instance && !disk_lost) {
		disk_lost = 1;
		const char *why = "fs: the block server lost the disk; every request fails now\n";
		os_debug_write(why, strlen(why));
	}
	return disk_lost ? SVC_EIO : (int)(int64_t)r->mr[0];
}

static int blk_read(void *ctx, uint32_t blk, void *buf)
{
	(void)ctx;
	struct ipc_in r = ipc_call3(EP_BLK, BLK_READ, blk, 0, 0, 0, 0, buf, FS_BLOCK_SIZE);
	return blk_result(&r);
}

static int blk_write(void *ctx, uint32_t blk, const void *buf)
{
	(void)ctx;
	struct ipc_in r = ipc_call3(EP_BLK, BLK_WRITE, blk, 0, 0, buf, FS_BLOCK_SIZE, 0, 0);
	return blk_result(&r);
}

/* The request's name, NUL-terminated; SVC_ENAMETOOLONG/EINVAL if not. */
static int name_of(const struct ipc_in *req, const void *rbuf, char *name)
{
	if (!req->inbuf || req->len == 0)
		return SVC_EINVAL;
	if (req->len > FS_NAME_MAX + 1)
		return SVC_ENAMETOOLONG;
	memcpy(name, rbuf, req->len);
	name[req->len] = '\0';
	return strlen(name) + 1 == req->len ? 0 : SVC_EINVAL;
}

/* Open name for owner; a full handle table first loses the handles of
 * clients that died (nobody tells this server of a death). */
static int open_file(uint32_t owner, const char *name, uint32_t flags)
{
	static unsigned files_hw;   /* svc_share.h: a tree holds a third at most */
	if (svc_share_possible(files_hw, FS_MAX_OPEN) && SRV_TREE_FULL(owner, fs.files, FS_MAX_OPEN))
		return SVC_EDQUOT;
	int res = fs_open(&fs, owner, name, flags);
	if (res == SVC_EMFILE && fs_sweep(&fs, srv_alive) > 0)
		res = fs_open(&fs, owner, name, flags);
	svc_share_used(&files_hw, res);
	return res;
}

static void handle(const struct ipc_in *req, const void *rbuf, struct srv_reply *r)
{
	char name[FS_NAME_MAX + 2];
	struct fs_stat st;
	uint32_t owner = (uint32_t)req->badge;
	int h = (int)req->mr[0], res;
	if (disk_lost) {   /* nothing this server holds can be trusted */
		r->mr[0] = (uint64_t)(int64_t)SVC_EIO;
		return;
	}
	switch (req->label) {
	case FS_CREATE:
	case FS_OPEN:
	case FS_UNLINK:
	case FS_STAT:
		if ((res = name_of(req, rbuf, name)) < 0)
			break;
		if (req->label == FS_CREATE)
			res = fs_create(&fs, name);
		else if (req->label == FS_OPEN)
			res = open_file(owner, name, (uint32_t)req->mr[0]);
		else if (req->label == FS_UNLINK)
			res = fs_unlink(&fs, name);
		else if ((res = fs_stat(&fs, name, &st)) == 0)
			memcpy(reply_buf, &st, sizeof st), r->buf = reply_buf, r->len = sizeof st;
		break;
	case FS_READ:
		res = req->mr[1] > FS_IO_MAX ? SVC_EINVAL : fs_read(&fs, owner, h, reply_buf, req->mr[1]);
		if (res > 0)
			r->buf = reply_buf, r->len = (size_t)res;
		break;
	case FS_WRITE:
		res = req->len && !req->inbuf ? SVC_EINVAL : fs_write(&fs, owner, h, rbuf, req->len);
		break;
	case FS_SEEK:
		res = fs_seek(&fs, owner, h, (int32_t)req->mr[1], (int)req->mr[2]);
		break;
	case FS_CLOSE:
		res = fs_close(&fs, owner, h);
		break;
	default:
		res = SVC_EINVAL;
	}
	r->mr[0] = (uint64_t)(int64_t)res;
}

int main(const char *arg)
{
	srv_fault_setup("fs", arg);
	char shape[16];
	if (fmt_getarg(arg, "shape", shape, sizeof shape) >= 0 && !strcmp(shape, "fs+blk")) {
		struct ipc_in info = ipc_call3(EP_BLK, BLK_INFO, 0, 0, 0, 0, 0, 0, 0);
		dev = (struct blkdev){ 0, (uint32_t)info.mr[0], (uint32_t)info.mr[1], blk_read, blk_write };
		blk_instance = info.mr[2];
	} else if (ramdisk_init(&rd, disk, sizeof disk, FS_BLOCK_SIZE, &dev) < 0) {
		return 1;
	}
	/* A file server restarted over a block server that kept the disk
	 * mounts it: every write that returned success is still there. A
	 * fresh disk (first start, or the RAM disk inside this server) is
	 * formatted. Open handles are not kept: old ones are EBADF. */
	if (fs_mount(&fs, &dev) == 0)
		os_debug_write("fs: mounted the disk it found (files kept)\n",
			       strlen("fs: mounted the disk it found (files kept)\n"));
	else if (fs_format(&fs, &dev) < 0)
		return 2;
	srv_loop(srv_endpoint(arg, EP_FS), req_buf, sizeof req_buf, handle);
}
