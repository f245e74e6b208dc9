/*
 * svcproto.h - the micro kernel's server protocols: labels and register
 * use of requests to the file, block, semaphore and shared-memory servers.
 * A request is an IPC call with label = operation, mr0..mr2 = integer
 * arguments, and an optional buffer (a name, or data). The reply's mr0 is
 * the result (>= 0, or an SVC_E* code), with data in the reply buffer.
 */
#ifndef MKB_SVCPROTO_H
#define MKB_SVCPROTO_H

enum fs_label {
	FS_CREATE = 1,   /* buf: name */
	FS_OPEN,         /* mr0: flags; buf: name -> handle */
	FS_READ,         /* mr0: handle, mr1: len -> bytes, reply buf: data */
	FS_WRITE,        /* mr0: handle; buf: data -> bytes */
	FS_SEEK,         /* mr0: handle, mr1: offset, mr2: whence */
	FS_CLOSE,        /* mr0: handle */
	FS_UNLINK,       /* buf: name */
	FS_STAT,         /* buf: name -> mr0 result, reply buf: struct fs_stat */
};

enum blk_label {
	BLK_READ = 1,    /* mr0: block -> reply buf: the block */
	BLK_WRITE,       /* mr0: block; buf: the block */
	BLK_INFO,        /* -> mr0: block size, mr1: blocks */
};

enum sem_label {
	SEM_CREATE = 1,  /* mr0: initial -> id */
	SEM_WAIT,        /* mr0: id -> 0 once a unit is ours (the answer waits
			  * for a post: the server keeps the request) */
	SEM_POST,        /* mr0: id */
	SEM_DESTROY,     /* mr0: id */
};

enum shm_label {
	SHM_CREATE = 1,  /* mr0: key, mr1: size -> id */
	SHM_ATTACH,      /* mr0: id -> address (mapped into the caller) */
	SHM_DETACH,      /* mr0: id */
};

#define FS_IO_MAX 65536   /* largest single read or write request */
#endif
