/* shm_layout.h - the shm workload's shared block: a header the consumer
 * updates, then the data. Shared by wl_shm.c and helper.c. */
#ifndef MKB_SHM_LAYOUT_H
#define MKB_SHM_LAYOUT_H
#include <stddef.h>
#include <stdint.h>
#include "fastpat.h"
#include "os.h"
#include "usem.h"

/* The hand-off's four semaphores: full, ack (the timed hand-off), go,
 * done (the untimed check). */
enum { SHM_FULL, SHM_ACK, SHM_GO, SHM_DONE, SHM_NSYNC };

struct shm_hdr {
	volatile uint32_t seq;    /* hand-off number of the block in data */
	volatile uint32_t seen;   /* blocks the consumer drained */
	volatile uint32_t bad;    /* blocks whose bytes were wrong */
	uint32_t pad;
	struct usem u[SHM_NSYNC]; /* the semaphores, when user-level ones are used */
	uint8_t data[];
};

/* One of the hand-off's semaphores: the kernel's or server's (id) or a
 * user-level one in the header (usem.h). */
struct shm_sync {
	int user;
	int id[SHM_NSYNC];
	struct shm_hdr *h;
};

static inline int shm_wait(const struct shm_sync *s, int k)
{
	return s->user ? usem_wait(&s->h->u[k]) : os_sem_wait(s->id[k]);
}

static inline int shm_post(const struct shm_sync *s, int k)
{
	return s->user ? usem_post(&s->h->u[k]) : os_sem_post(s->id[k]);
}

static inline uint8_t shm_byte(size_t i, unsigned seq)
{
	return (uint8_t)(i * 13 + seq * 101 + (i >> 10));
}

static inline void shm_fill(uint8_t *d, size_t n, unsigned seq)
{
	size_t i = 0;
	uint64_t steps = pat_steps(13);   /* fastpat.h: i >> 10 is the same over 8 bytes */
	for (; i + 8 <= n; i += 8)
		pat_store(d + i, pat_group(shm_byte(i, seq), steps));
	for (; i < n; i++)
		d[i] = shm_byte(i, seq);
}

/* 1 if the block holds exactly what shm_fill wrote for seq. */
static inline int shm_check(const uint8_t *d, size_t n, unsigned seq)
{
	size_t i = 0;
	uint64_t steps = pat_steps(13);
	for (; i + 8 <= n; i += 8)
		if (pat_load(d + i) != pat_group(shm_byte(i, seq), steps))
			return 0;
	for (; i < n; i++)
		if (d[i] != shm_byte(i, seq))
			return 0;
	return 1;
}
#endif
