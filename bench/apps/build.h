/*
 * build.h - the make-like application (bench/apps/): a driver (wl_build.c)
 * writes N source files, then each job spawns BUILD_WORKERS workers
 * (build.c, role=worker) that each take every BUILD_WORKERS-th source:
 * read it, checksum it (Adler-32), compress it (lz.h) and write an output
 * file; each reports its checksums to the driver over a channel of its
 * own (os.h channels have one caller each); then a final step (role=link)
 * reads every output, unpacks and checks it, and writes one result file.
 */
#ifndef MKB_BUILD_H
#define MKB_BUILD_H
#include <stdint.h>
#include "fmt.h"
#include "fs.h"

#define BUILD_WORKERS 4
/* N sources, N outputs and the result must fit in services/fs.h's
 * FS_NINODES files, with room for the other workloads' files. */
#define BUILD_MAX_FILES 128
#define BUILD_PER_WORKER ((BUILD_MAX_FILES + BUILD_WORKERS - 1) / BUILD_WORKERS)
#define BUILD_SRC_MAX 8192u

/* An output file: this header, then packed bytes of lz.h. */
struct build_obj {
	uint32_t magic, src_len, src_sum, packed_len;
};
#define BUILD_OBJ_MAGIC 0x4a424f4du   /* "MOBJ" */

/* A worker's report: 0 or what failed (build.c's exit codes), the
 * sources it built and their checksums. A worker always sends one: its
 * driver waits for it on the worker's channel. */
struct build_report {
	int32_t status;
	uint32_t count;
	uint32_t index[BUILD_PER_WORKER], sum[BUILD_PER_WORKER];
};

/* The result file: one checksum per source, then their sum. */
struct build_result {
	uint32_t n, total;
	uint32_t sum[BUILD_MAX_FILES];
};

_Static_assert(2 * BUILD_MAX_FILES + 1 < FS_NINODES, "services/fs.h: FS_NINODES");
static inline void build_src_name(char *out, unsigned i) { fmt_snprintf(out, 16, "src%02u.c", i); }
static inline void build_obj_name(char *out, unsigned i) { fmt_snprintf(out, 16, "src%02u.o", i); }
#define BUILD_RESULT "build.out"
#endif
