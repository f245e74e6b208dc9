/*
 * kv.h - the key-value application (bench/apps/): a server process
 * (kv_server.c, the bench-kv program) keeps every value
 * in memory and each update in an append-only log written through the
 * file system; clients (wl_kvstore.c) call it over a channel (os.h), one
 * request per call. A restarted server replays the log before it answers.
 */
#ifndef MKB_KV_H
#define MKB_KV_H
#include <stdint.h>

#define KV_KEYS_MAX 1000u       /* YCSB's default record count */
#define KV_VALUE_MAX 1024u

enum { KV_GET = 1, KV_PUT, KV_STAT };

/* A request: op, key, len value bytes (PUT); 16 + len bytes are sent. */
struct kv_req {
	uint32_t op, key, len, gen;
	uint8_t value[KV_VALUE_MAX];
};
#define KV_REQ_HDR 16u

/* An answer: status (0, or -E_* / SVC_E*), len value bytes (GET), and
 * for STAT the keys present and the log's length in bytes. */
struct kv_resp {
	int32_t status;
	uint32_t len;
	uint32_t keys, log_bytes;
	uint8_t value[KV_VALUE_MAX];
};
#define KV_RESP_HDR 16u

/* A log record: this header, then len value bytes. A record whose magic,
 * length or checksum does not hold ends the log (a torn last write). */
struct kv_rec {
	uint32_t magic, key, len, sum;   /* sum: Adler-32 of key, len and the value */
};
#define KV_REC_MAGIC 0x524c564bu   /* "KVLR" */

/* Value byte i of key k at generation g: what a client expects back. */
static inline uint8_t kv_byte(uint32_t k, uint32_t g, uint32_t i)
{
	return (uint8_t)(k * 131u + g * 31u + i * 7u + (i >> 8));
}
#endif
