/*
 * blocks.c - the cycle model's base costs by segment: a segment's
 * ordinary instructions (bench/model/mkbmodel.c) hashed to their cost in
 * UNITS, read from the block-cost file the harness keeps
 * (scripts/mkb/mca.py prices each segment with llvm-mca). Each line of
 * the file: "<hash in hex> <cost in UNITS>".
 */
#include <stdio.h>
#include <stdlib.h>
#include "model.h"

static uint64_t *bkey, *bval, bcap, bcount;   /* open addressing; key 0 = empty */

void block_put(uint64_t key, uint64_t val)
{
	if (2 * (bcount + 1) > bcap) {
		uint64_t *ok = bkey, *ov = bval, oc = bcap;
		bcap = bcap ? 2 * bcap : 4096;
		bkey = calloc(bcap, sizeof *bkey), bval = calloc(bcap, sizeof *bval);
		bcount = 0;
		for (uint64_t i = 0; i < oc; i++)
			if (ok[i])
				block_put(ok[i], ov[i]);
		free(ok), free(ov);
	}
	uint64_t i = key & (bcap - 1);
	while (bkey[i] && bkey[i] != key)
		i = (i + 1) & (bcap - 1);
	bcount += !bkey[i];
	bkey[i] = key, bval[i] = val;
}

/* 1 and *val if key is known. */
int block_get(uint64_t key, uint64_t *val)
{
	if (!bcap)
		return 0;
	for (uint64_t i = key & (bcap - 1); bkey[i]; i = (i + 1) & (bcap - 1))
		if (bkey[i] == key) {
			*val = bval[i];
			return 1;
		}
	return 0;
}

int blocks_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return model_fail("cannot open the block costs", path);
	char line[128];
	while (fgets(line, sizeof line, f)) {
		unsigned long long k, v;
		if (sscanf(line, "%llx %llu", &k, &v) != 2 || !k) {
			fclose(f);
			return model_fail("a bad line in the block costs (want: <hash> <cost>)", line);
		}
		block_put(k, v);
	}
	fclose(f);
	return 0;
}

/* FNV-1a over the segment's ordinary instructions, each as its length
 * and its bytes (0 is kept for "empty"). */
uint64_t fnv(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}
