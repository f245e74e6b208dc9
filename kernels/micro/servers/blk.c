/* blk.c - the block-device server (micro kernel): a 4 MiB RAM disk behind
 * EP_BLK, one block per request. With it the file server is two hops
 * from a client, as in MINIX (client -> fs -> blk). Every reply carries
 * this server's instance (its pid, never reused): a restarted block
 * server has lost the disk, and the file server must know it. */
#include "blkdev.h"
#include "fs.h"
#include "os.h"
#include "ramdisk.h"
#include "srvlib.h"
#include "svc_err.h"
#include "svcproto.h"

#define DISK_BYTES (4u << 20)

static uint8_t disk[DISK_BYTES] __attribute__((aligned(4096)));
static uint8_t buf[FS_BLOCK_SIZE], out[FS_BLOCK_SIZE];
static struct ramdisk rd;
static struct blkdev dev;

static void handle(const struct ipc_in *req, const void *rbuf, struct srv_reply *r)
{
	uint32_t blk = (uint32_t)req->mr[0];
	switch (req->label) {
	case BLK_READ:
		r->mr[1] = (uint64_t)os_getpid();   /* the instance: which disk this is */
		r->mr[0] = (uint64_t)(int64_t)dev.read(dev.ctx, blk, out);
		if ((int64_t)r->mr[0] == 0)
			r->buf = out, r->len = FS_BLOCK_SIZE;
		break;
	case BLK_WRITE:
		r->mr[1] = (uint64_t)os_getpid();
		r->mr[0] = req->len != FS_BLOCK_SIZE || !req->inbuf ? (uint64_t)SVC_EINVAL
			 : (uint64_t)(int64_t)dev.write(dev.ctx, blk, rbuf);
		break;
	case BLK_INFO:
		r->mr[0] = dev.block_size, r->mr[1] = dev.nblocks, r->mr[2] = (uint64_t)os_getpid();
		break;
	default:
		r->mr[0] = (uint64_t)SVC_EINVAL;
	}
}

int main(void)
{
	if (ramdisk_init(&rd, disk, sizeof disk, FS_BLOCK_SIZE, &dev) < 0)
		return 1;
	srv_loop(EP_BLK, buf, sizeof buf, handle);
}
