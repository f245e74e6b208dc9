/*
 * filepass.h - which slot of the file each sample of a file phase visits
 * (bench/wl_fileio.c). Portable C, no libc; tests/unit/test_filepass.c.
 *
 * A call's cost depends on the block it lands in (the first FS_NDIRECT
 * blocks are found directly, the rest through the indirect block:
 * services/fs.h), so the samples of a phase cover the file's blocks in
 * whole passes, every block equally often: the figure is the file's own
 * mix of blocks whatever the iteration count. A slot of a block or more
 * is a block of its own, and a pass visits every slot once. A smaller slot
 * shares its block with others, and visiting every one of them would cost
 * far more samples than asked for (64-byte slots: 4,096 per pass of a
 * 256 KiB file, a third of make bench's guest instructions); so a pass
 * takes a run of `run` consecutive slots from each block, in file order,
 * with run the fewest that gives the samples asked for (at most the whole
 * block), and the next pass takes the run after it in each block. The
 * sequential phases go through a pass in this order; the random ones in a
 * fresh permutation of it per pass.
 */
#ifndef MKB_FILEPASS_H
#define MKB_FILEPASS_H
#include <stdint.h>

struct filepass {
	uint32_t slots;      /* slots in the file */
	uint32_t per_block;  /* slots in a block (1 for slots of a block or more) */
	uint32_t run;        /* consecutive slots a pass takes from each block */
	uint32_t per_pass;   /* samples in a pass: blocks * run */
};

/* The passes over a file of file_len bytes in slots of size bytes
 * (dividing file_len) and blocks of block bytes, for about want samples. */
static inline struct filepass filepass_plan(uint32_t file_len, uint32_t size, uint32_t block,
					     uint32_t want)
{
	struct filepass p = { file_len / size, 1, 1, file_len / size };
	if (size < block) {
		uint32_t blocks = file_len / block;
		p.per_block = block / size;
		p.run = (want + blocks - 1) / blocks;
		if (p.run < 1)
			p.run = 1;
		if (p.run > p.per_block)
			p.run = p.per_block;
		p.per_pass = blocks * p.run;
	}
	return p;
}

/* The slot of the j-th visit (j < per_pass) of pass number pass. */
static inline uint32_t filepass_slot(const struct filepass *p, uint32_t pass, uint32_t j)
{
	uint32_t b = j / p->run, r = j % p->run;
	return b * p->per_block + (pass * p->run + r) % p->per_block;
}

#endif
