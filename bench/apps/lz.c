/* lz.c - see lz.h. */
#include "lz.h"

#define HASH_BITS 12

static uint32_t hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (v * 2654435761u) >> (32 - HASH_BITS);   /* Knuth's multiplicative hash */
}

static size_t flush(const uint8_t *lit, size_t n, uint8_t *out, size_t o)
{
	while (n) {
		size_t k = n > 128 ? 128 : n;
		out[o++] = (uint8_t)(k - 1);
		for (size_t i = 0; i < k; i++)
			out[o++] = lit[i];
		lit += k, n -= k;
	}
	return o;
}

size_t lz_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	static uint32_t table[1u << HASH_BITS];   /* position + 1 of the last sequence with each hash */
	if (cap < LZ_BOUND(n))
		return 0;
	for (size_t i = 0; i < (1u << HASH_BITS); i++)
		table[i] = 0;
	size_t o = 0, lit = 0, i = 0;
	while (i + LZ_MIN_MATCH <= n) {
		uint32_t h = hash4(in + i);
		size_t cand = table[h];
		table[h] = (uint32_t)(i + 1);
		size_t len = 0;
		if (cand && i - (cand - 1) <= 65535) {
			const uint8_t *a = in + cand - 1, *b = in + i;
			while (len < LZ_MAX_MATCH && i + len < n && a[len] == b[len])
				len++;
		}
		if (len < LZ_MIN_MATCH) {
			i++;
			continue;
		}
		o = flush(in + lit, i - lit, out, o);
		size_t dist = i - (cand - 1);
		out[o++] = (uint8_t)(128 + len - LZ_MIN_MATCH);
		out[o++] = (uint8_t)dist;
		out[o++] = (uint8_t)(dist >> 8);
		i += len;
		lit = i;
	}
	return flush(in + lit, n - lit, out, o);
}

long lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;
	while (i < n) {
		uint8_t c = in[i++];
		if (c < 128) {
			size_t k = (size_t)c + 1;
			if (k > n - i || k > cap - o)
				return -1;
			for (size_t j = 0; j < k; j++)
				out[o++] = in[i++];
		} else {
			size_t len = (size_t)c - 128 + LZ_MIN_MATCH;
			if (n - i < 2)
				return -1;
			size_t dist = (size_t)in[i] | (size_t)in[i + 1] << 8;
			i += 2;
			if (dist == 0 || dist > o || len > cap - o)
				return -1;
			for (size_t j = 0; j < len; j++, o++)   /* byte by byte: a copy may overlap itself */
				out[o] = out[o - dist];
		}
	}
	return (long)o;
}

uint32_t lz_adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	while (n) {
		size_t k = n > 5552 ? 5552 : n;   /* RFC 1950: the largest run before b can overflow */
		n -= k;
		while (k--) {
			a += *p++;
			b += a;
		}
		a %= 65521, b %= 65521;
	}
	return b << 16 | a;
}
