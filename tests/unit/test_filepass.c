/* test_filepass.c - bench/filepass.h: every pass of a file phase visits
 * each block equally often, the samples asked for are met with the fewest
 * visits per block, and passes move on through the slots of a block. */
#include <string.h>
#include "check.h"
#include "filepass.h"

#define FILE_LEN (256u * 1024u)
#define BLOCK 4096u

/* Visits per block over one pass, and each visit inside the file. */
static void check_pass(const struct filepass *p, uint32_t size, uint32_t pass)
{
	uint32_t per_block[FILE_LEN / BLOCK] = { 0 };
	static uint8_t seen[FILE_LEN / 64];
	memset(seen, 0, sizeof seen);
	for (uint32_t j = 0; j < p->per_pass; j++) {
		uint32_t s = filepass_slot(p, pass, j);
		CHECK(s < p->slots);
		CHECK(!seen[s]);             /* no slot twice in a pass */
		seen[s] = 1;
		per_block[s * size / BLOCK]++;
	}
	uint32_t want = size >= BLOCK ? 1 : p->run;
	for (uint32_t b = 0; b < FILE_LEN / BLOCK; b += size >= BLOCK ? size / BLOCK : 1)
		CHECK_EQ(per_block[b], want);
}

static void test_block_sized_slots_are_every_slot(void)
{
	for (uint32_t size = BLOCK; size <= 65536; size *= 2) {
		struct filepass p = filepass_plan(FILE_LEN, size, BLOCK, 1000);
		CHECK_EQ(p.per_pass, FILE_LEN / size);
		for (uint32_t j = 0; j < p.per_pass; j++)
			CHECK_EQ(filepass_slot(&p, 3, j), j);   /* file order, every pass */
		check_pass(&p, size, 0);
	}
}

static void test_small_slots_take_a_run_per_block(void)
{
	struct filepass p = filepass_plan(FILE_LEN, 64, BLOCK, 1000);
	CHECK_EQ(p.per_block, 64u);
	CHECK_EQ(p.run, 16u);             /* 64 blocks x 16 >= 1000 */
	CHECK_EQ(p.per_pass, 1024u);
	CHECK_EQ(filepass_slot(&p, 0, 0), 0u);
	CHECK_EQ(filepass_slot(&p, 0, 15), 15u);
	CHECK_EQ(filepass_slot(&p, 0, 16), 64u);   /* the next block's run */
	CHECK_EQ(filepass_slot(&p, 1, 0), 16u);    /* the next pass: the next run */
	CHECK_EQ(filepass_slot(&p, 4, 0), 0u);     /* four passes cover every slot */
	for (uint32_t pass = 0; pass < 5; pass++)
		check_pass(&p, 64, pass);
	p = filepass_plan(FILE_LEN, 512, BLOCK, 1000);   /* the whole block: as before */
	CHECK_EQ(p.run, 8u);
	CHECK_EQ(p.per_pass, 512u);
	for (uint32_t j = 0; j < p.per_pass; j++)
		CHECK_EQ(filepass_slot(&p, 1, j), j);
	p = filepass_plan(FILE_LEN, 64, BLOCK, 100);      /* QUICK */
	CHECK_EQ(p.run, 2u);
	check_pass(&p, 64, 7);
	p = filepass_plan(FILE_LEN, 64, BLOCK, 0);
	CHECK_EQ(p.run, 1u);
	check_pass(&p, 64, 0);
	p = filepass_plan(FILE_LEN, 1024, BLOCK, 200);    /* run 4 of 4 */
	CHECK_EQ(p.run, 4u);
	check_pass(&p, 1024, 2);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_block_sized_slots_are_every_slot),
	CHECK_TEST(test_small_slots_take_a_run_per_block),
};
CHECK_MAIN(tests)
