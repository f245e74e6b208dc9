/*
 * lz.h - the build application's compression pass and checksum
 * (bench/apps/): a byte-oriented LZ77 with a hash of 4-byte sequences, in
 * the manner of LZ4 (greedy, one candidate per hash slot), and Adler-32
 * (RFC 1950). Portable; unit-tested on the host (tests/unit/test_lz.c).
 *
 * Format: a control byte c; c < 128: c + 1 literal bytes follow; c >= 128:
 * a copy of c - 128 + LZ_MIN_MATCH bytes from a 16-bit little-endian
 * distance back (1 .. 65535) in what was produced.
 */
#ifndef MKB_LZ_H
#define MKB_LZ_H
#include <stddef.h>
#include <stdint.h>

#define LZ_MIN_MATCH 4u
#define LZ_MAX_MATCH (127u + LZ_MIN_MATCH)
/* The most lz_compress can produce from n bytes. */
#define LZ_BOUND(n) ((n) + (n) / 128 + 1)

/* -> bytes written to out (at most cap), or 0 if cap < LZ_BOUND(n). */
size_t lz_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
/* -> bytes written to out, or -1 if in is malformed or out too small. */
long lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
uint32_t lz_adler32(const uint8_t *p, size_t n);
#endif
