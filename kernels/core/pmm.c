/* pmm.c - physical page allocator: a free list of 4 KiB pages taken from
 * the Multiboot memory map above the kernel image, with a reference count
 * per page so a page mapped into several address spaces (shared memory)
 * lives until its last mapping goes. Linked into both kernels. Pages are
 * reached through the identity map (pa == va). */
#include "defs.h"
#include "memlayout.h"
#include "smp.h"

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct run {
	struct run *next;
};

/* The SMP kernel maps the local APIC over the identity map's last 2 MiB
 * (smp.c). */
#ifdef MKB_SMP
#define PMM_END (KERNEL_MAP_END - 0x200000UL)
#else
#define PMM_END KERNEL_MAP_END
#endif

extern char kernel_end[];
LOCK_DEFINE(pmm_lk);   /* several CPUs, mono (smp.h): the free list and the counts */
static struct run *freelist;
static uint64_t nfree;
static uint16_t refs[KERNEL_MAP_END / PGSIZE];

static void push_free(void *pa)
{
	struct run *r = pa;
	r->next = freelist;
	freelist = r;
	nfree++;
}

static void free_range(uint64_t start, uint64_t end)
{
	uint64_t lo = (uint64_t)kernel_end;
	if (start < lo)
		start = lo;
	if (end > PMM_END)
		end = PMM_END;
	for (uint64_t p = PGROUNDUP(start); p + PGSIZE <= end; p += PGSIZE)
		push_free((void *)p);
}

/* Hand every usable page above the kernel to the free list. */
void pmm_init(uint32_t mb_info)
{
	struct mb_info *mb = (struct mb_info *)(uint64_t)mb_info;
	if (mb->flags & (1 << 6)) {
		uint64_t p = mb->mmap_addr, end = p + mb->mmap_length;
		while (p < end) {
			struct mb_mmap *m = (struct mb_mmap *)p;
			if (m->type == 1)
				free_range(m->addr, m->addr + m->len);
			p += m->size + 4;
		}
	} else if (mb->flags & 1) {
		free_range(0x100000, 0x100000 + (uint64_t)mb->mem_upper * 1024);
	} else {
		panic("no memory information from the boot loader");
	}
	if (nfree < 256)
		panic("only %lu free pages", nfree);
}

/* A page with one reference, its old contents left (the caller writes
 * all of it), or 0 when memory is exhausted. */
#if FINE_LOCKS
void *page_alloc_dirty(void)
{
	svc_lock(pmm_lk);
	struct run *r = freelist;
	if (!r) {
		svc_unlock(pmm_lk);
		return 0;
	}
	freelist = r->next;
	nfree--;
	refs[(uint64_t)r / PGSIZE] = 1;
	svc_unlock(pmm_lk);
	return r;
}
#else
void *page_alloc_dirty(void)
{
	struct run *r = freelist;
	if (!r)
		return 0;
	freelist = r->next;
	nfree--;
	refs[(uint64_t)r / PGSIZE] = 1;
	return r;
}
#endif

/* Return a zeroed page with one reference, or 0 when memory is exhausted. */
void *page_alloc(void)
{
	void *r = page_alloc_dirty();
	if (r)
		memset(r, 0, PGSIZE);
	return r;
}

static uint16_t *ref_of(void *pa)
{
	uint64_t a = (uint64_t)pa;
	if (a % PGSIZE || a < (uint64_t)kernel_end || a >= KERNEL_MAP_END || !refs[a / PGSIZE])
		panic("bad page %p (refs %u)", pa, a < KERNEL_MAP_END ? refs[a / PGSIZE] : 0);
	return &refs[a / PGSIZE];
}

/* One more holder of an allocated page (another mapping of it).
 * Returns 0, or -E_NOMEM when the count is full: a user can ask for more
 * mappings of one page than a count holds, and that must be an error,
 * never a panic. */
#if FINE_LOCKS
int page_ref(void *pa)
{
	svc_lock(pmm_lk);
	uint16_t *r = ref_of(pa);
	if (*r == UINT16_MAX) {
		svc_unlock(pmm_lk);
		return -E_NOMEM;
	}
	(*r)++;
	svc_unlock(pmm_lk);
	return 0;
}
#else
int page_ref(void *pa)
{
	uint16_t *r = ref_of(pa);
	if (*r == UINT16_MAX)
		return -E_NOMEM;
	(*r)++;
	return 0;
}
#endif

/* How many hold the allocated page pa. */
unsigned page_refs(void *pa)
{
	return *ref_of(pa);
}

/* Drop one reference; the page is free again when the last one goes. */
void page_free(void *pa)
{
	svc_lock(pmm_lk);
	uint16_t *r = ref_of(pa);
	if (--*r == 0)
		push_free(pa);
	svc_unlock(pmm_lk);
}

uint64_t pmm_free_pages(void)
{
	return nfree;
}
