/*
 * fastpat.h - the workloads' data patterns, written and checked eight
 * bytes at a time. This is untimed work around the timed calls, but
 * under icount a byte-at-a-time loop costs the guest 4 to 10 instructions
 * a byte: at 4 KiB and up, more than the call being measured, and most of
 * make bench's time. Every pattern here is a byte sequence
 *   byte(i) = start(i) + m * (i mod 8)      (mod 256)
 * over each aligned group of 8 bytes, where start(i) is the byte at the
 * group's first offset; a group is built from start with one multiply and
 * a bytewise add without carries between bytes. The byte formulas stay the
 * definition (their callers keep them for the unaligned tails), and
 * tests/unit/test_fastpat.c checks the two agree. Portable C, no libc.
 */
#ifndef MKB_FASTPAT_H
#define MKB_FASTPAT_H
#include <stddef.h>
#include <stdint.h>

#define PAT_ONES 0x0101010101010101ULL
#define PAT_HIGH 0x8080808080808080ULL

/* Bytes 0, m, 2m, ..., 7m (mod 256), little-endian: byte k is m * k. */
static inline uint64_t pat_steps(uint8_t m)
{
	uint64_t w = 0;
	for (unsigned k = 0; k < 8; k++)
		w |= (uint64_t)(uint8_t)(m * k) << (8 * k);
	return w;
}

/* a + b in each byte, mod 256, no carry into the next byte. */
static inline uint64_t pat_add8(uint64_t a, uint64_t b)
{
	return ((a & ~PAT_HIGH) + (b & ~PAT_HIGH)) ^ ((a ^ b) & PAT_HIGH);
}

/* The group whose first byte is start, bytes stepping by steps. */
static inline uint64_t pat_group(uint8_t start, uint64_t steps)
{
	return pat_add8(PAT_ONES * start, steps);
}

static inline uint64_t pat_load(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void pat_store(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

/* 1 if the n bytes at a and b are equal (memcmp(a, b, n) == 0). */
static inline int pat_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		if (pat_load(a + i) != pat_load(b + i))
			return 0;
	for (; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}
#endif
