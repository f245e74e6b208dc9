/*
 * vm.c - per-process address spaces and checked access to user memory.
 * Linked into both kernels. Every PML4 shares the kernel's identity map
 * (PDPT slot 0, supervisor-only); slot 1 (1-2 GiB) is the process's own.
 * The kernel never dereferences a user virtual address: copyin/copyout
 * translate through the page tables, check P/U/W, and copy through the
 * identity map, so a bad pointer is an error code, never a kernel fault.
 */
#include "defs.h"
#include "memlayout.h"
#include "proc.h"
#include "quota.h"
#include "x86.h"

extern uint64_t boot_pd[512];

/* Make a new address space: PML4 -> PDPT {kernel PD, empty user PD}. */
uint64_t *vm_create(void)
{
	uint64_t *pml4 = page_alloc(), *pdpt = page_alloc(), *upd = page_alloc();
	if (!pml4 || !pdpt || !upd) {
		if (pml4) page_free(pml4);
		if (pdpt) page_free(pdpt);
		if (upd) page_free(upd);
		return 0;
	}
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W | PTE_U;
	pdpt[0] = (uint64_t)boot_pd | PTE_P | PTE_W;            /* kernel: no U */
	pdpt[1] = (uint64_t)upd | PTE_P | PTE_W | PTE_U;
	return pml4;
}

static uint64_t *user_pd(uint64_t *pml4)
{
	uint64_t *pdpt = (uint64_t *)PTE_ADDR(pml4[0]);
	return (uint64_t *)PTE_ADDR(pdpt[1]);
}

/* Free an address space: its page tables, and one reference to every
 * page it maps (a page shared with another space lives on there). */
void vm_destroy(uint64_t *pml4)
{
	uint64_t *pd = user_pd(pml4);
	for (int i = 0; i < 512; i++) {
		if (!(pd[i] & PTE_P))
			continue;
		uint64_t *pt = (uint64_t *)PTE_ADDR(pd[i]);
		for (int j = 0; j < 512; j++)
			if (pt[j] & PTE_P)
				page_free((void *)PTE_ADDR(pt[j]));
		page_free(pt);
	}
	page_free(pd);
	page_free((void *)PTE_ADDR(pml4[0]));
	page_free(pml4);
}

static int walk_refused;   /* the last walk that failed was over quota (quota.h) */

/* Return the PTE slot for user address va, allocating the page table if
 * alloc is set; 0 if va is not a user address or memory ran out. */
static uint64_t *walk(uint64_t *pml4, uint64_t va, int alloc)
{
	walk_refused = 0;
	if (va < USER_BASE || va >= USER_TOP)
		return 0;
	uint64_t *pd = user_pd(pml4);
	uint64_t i = (va >> 21) & 511;
	if (!(pd[i] & PTE_P)) {
		if (!alloc)
			return 0;
		/* charged to the space's process tree (quota.h): a process
		 * mapping into its children cannot take every free page */
		struct proc *owner = proc_of_space(pml4);
		if (owner && quota_take(owner->acct, Q_PTPAGES) < 0) {
			walk_refused = 1;
			return 0;
		}
		uint64_t *pt = page_alloc();
		if (!pt) {
			if (owner)
				quota_give(owner->acct, Q_PTPAGES);
			return 0;
		}
		if (owner)
			owner->ptpages++;
		pd[i] = (uint64_t)pt | PTE_P | PTE_W | PTE_U;
	}
	return (uint64_t *)PTE_ADDR(pd[i]) + ((va >> 12) & 511);
}

/* Map one user page; returns 0 or -E_NOMEM/-E_INVAL. */
int vm_map_page(uint64_t *pml4, uint64_t va, uint64_t pa, int writable, int exec)
{
	uint64_t *pte = walk(pml4, va, 1);
	if (!pte)
		return va < USER_BASE || va >= USER_TOP ? -E_INVAL : walk_refused ? -E_QUOTA : -E_NOMEM;
	*pte = pa | PTE_P | PTE_U | (writable ? PTE_W : 0) | (exec ? 0 : PTE_NX);
	return 0;
}

/* Physical address behind user va if mapped user-accessible (and
 * writable when write is set), else 0. */
uint64_t vm_translate(uint64_t *pml4, uint64_t va, int write)
{
	uint64_t *pte = walk(pml4, va, 0);
	if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
		return 0;
	return PTE_ADDR(*pte) | (va & (PGSIZE - 1));
}

/* Is [va, va+len) inside user space without wrapping? */
int vm_user_range_ok(uint64_t va, uint64_t len)
{
	return va >= USER_BASE && len <= USER_TOP - USER_BASE && va <= USER_TOP - len;
}

/* Is all of [va, va+len) mapped for user access (writable if write: a
 * copy-on-write page is, its copy made when it is written)? */
int vm_check(uint64_t *pml4, uint64_t va, uint64_t len, int write)
{
	if (!len)
		return 1;
	if (!vm_user_range_ok(va, len))
		return 0;
	for (uint64_t a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
		uint64_t *pte = walk(pml4, a, 0);
		if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || (write && !(*pte & (PTE_W | PTE_COW))))
			return 0;
	}
	return 1;
}

/* Copy len bytes between two spaces (either may be 0 for kernel memory,
 * then the address is a kernel pointer). Returns 0, -E_FAULT, or -E_NOMEM
 * (a copy-on-write page of dpml4's found no page for its copy). */
static int copy_generic(uint64_t *dpml4, uint64_t dva, uint64_t *spml4, uint64_t sva, size_t len)
{
	if (!len)
		return 0;
	if ((dpml4 && !vm_user_range_ok(dva, len)) || (spml4 && !vm_user_range_ok(sva, len)))
		return -E_FAULT;
	while (len) {
		size_t n = len;
		uint64_t d = dva, s = sva;
		if (dpml4 && !(d = vm_translate(dpml4, dva, 1))) {   /* copy-on-write? */
			int r = vm_cow_break(dpml4, dva);
			if (r == -E_NOMEM)
				return r;
			if (r < 0 || !(d = vm_translate(dpml4, dva, 1)))
				return -E_FAULT;
		}
		if (dpml4) {
			if (n > PGSIZE - (dva & (PGSIZE - 1)))
				n = PGSIZE - (dva & (PGSIZE - 1));
		}
		if (spml4) {
			if (!(s = vm_translate(spml4, sva, 0)))
				return -E_FAULT;
			if (n > PGSIZE - (sva & (PGSIZE - 1)))
				n = PGSIZE - (sva & (PGSIZE - 1));
		}
		memcpy((void *)d, (const void *)s, n);
		kstat.bytes_copied += n;
		dva += n, sva += n, len -= n;
	}
	return 0;
}

int copyin(void *dst, uint64_t uva, size_t len)
{
	return copy_generic(0, (uint64_t)dst, curproc->pml4, uva, len);
}

int copyout(uint64_t uva, const void *src, size_t len)
{
	return copy_generic(curproc->pml4, uva, 0, (uint64_t)src, len);
}

int vm_copy_between(uint64_t *dpml4, uint64_t dva, uint64_t *spml4, uint64_t sva, size_t len)
{
	return copy_generic(dpml4, dva, spml4, sva, len);
}

/* Copy a NUL-terminated user string of at most cap-1 chars; -E_FAULT if
 * unreadable, -E_INVAL if too long. Returns its length. */
int copyinstr(char *dst, uint64_t uva, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		uint64_t pa = vm_translate(curproc->pml4, uva + i, 0);
		if (!pa || !vm_user_range_ok(uva + i, 1))
			return -E_FAULT;
		dst[i] = *(char *)pa;
		if (!dst[i])
			return (int)i;
	}
	return -E_INVAL;
}

/* Map page pa (allocated elsewhere) at va as a shared mapping: it takes a
 * reference, and only shared mappings can be removed by vm_unmap. */
int vm_map_shared(uint64_t *pml4, uint64_t va, uint64_t pa, int writable)
{
	int r = page_ref((void *)pa);
	if (r < 0)
		return r;
	if ((r = vm_map_page(pml4, va, pa, writable, 0)) < 0) {
		page_free((void *)pa);
		return r;
	}
	*walk(pml4, va, 0) |= PTE_SHARED;
	return 0;
}

/* Remove npages of shared mappings from va (dropping their references);
 * pages the space allocated itself are left alone. Returns how many
 * mappings were removed. */
#ifdef MKB_SMP
/* Several CPUs: a batch of entries is cleared, the other CPUs that have
 * pml4 loaded drop their TLB entries, and only then are the pages freed,
 * so that no CPU writes into a page after it went back to the allocator. */
#define UNMAP_BATCH 64
int vm_unmap(uint64_t *pml4, uint64_t va, uint64_t npages)
{
	int n = 0;
	for (uint64_t i = 0; i < npages;) {
		uint64_t freed[UNMAP_BATCH];
		int k = 0;
		for (; i < npages && k < UNMAP_BATCH; i++) {
			uint64_t *pte = walk(pml4, va + i * PGSIZE, 0);
			if (!pte || !(*pte & PTE_P) || !(*pte & PTE_SHARED))
				continue;
			freed[k++] = PTE_ADDR(*pte);
			*pte = 0;
			if (pml4 == curproc->pml4)
				invlpg(va + i * PGSIZE);
		}
		if (k)
			smp_tlb_shootdown(pml4);
		for (int j = 0; j < k; j++)
			page_free((void *)freed[j]);
		n += k;
	}
	return n;
}
#else
int vm_unmap(uint64_t *pml4, uint64_t va, uint64_t npages)
{
	int n = 0;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t *pte = walk(pml4, va + i * PGSIZE, 0);
		if (!pte || !(*pte & PTE_P) || !(*pte & PTE_SHARED))
			continue;
		page_free((void *)PTE_ADDR(*pte));
		*pte = 0;
		if (pml4 == curproc->pml4)
			invlpg(va + i * PGSIZE);
		n++;
	}
	return n;
}
#endif

/* Map npages of spml4's pages at sva into dpml4 at dva (the same physical
 * pages, each taking a reference). Returns 0 or -E_*. */
int vm_share(uint64_t *dpml4, uint64_t dva, uint64_t *spml4, uint64_t sva, uint64_t npages, int writable)
{
	if ((dva | sva) & (PGSIZE - 1) || npages > (USER_TOP - USER_BASE) / PGSIZE ||
	    !vm_user_range_ok(dva, npages * PGSIZE) || !vm_user_range_ok(sva, npages * PGSIZE))
		return -E_INVAL;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t *spte = walk(spml4, sva + i * PGSIZE, 0);
		uint64_t *pte = walk(dpml4, dva + i * PGSIZE, 0);
		if (!spte || !(*spte & PTE_P) || !(*spte & PTE_U) || (writable && !(*spte & (PTE_W | PTE_COW))))
			return -E_FAULT;
		if (pte && (*pte & PTE_P))
			return -E_INVAL;
	}
	/* A copy-on-write page is another space's too: the source takes a
	 * page of its own first, so that what both sides share is the
	 * source's memory and stays so (see vm_cow_take). */
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t *spte = walk(spml4, sva + i * PGSIZE, 0);
		int r;
		if ((*spte & PTE_COW) && (r = vm_cow_break(spml4, sva + i * PGSIZE)) < 0)
			return r;
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pa = vm_translate(spml4, sva + i * PGSIZE, writable);
		int r = vm_map_shared(dpml4, dva + i * PGSIZE, PTE_ADDR(pa), writable);
		if (r < 0) {
			vm_unmap(dpml4, dva, i);   /* all or nothing */
			return r;
		}
	}
	return 0;
}

/* Virtual copy (Mach's out-of-line memory; the mach strategy's only
 * user): a page goes from one space to another by mapping, both sides
 * read-only and marked PTE_COW, and whoever writes it first gets a copy
 * of its own (vm_cow_break). Only private pages take part: a shared
 * mapping (PTE_SHARED) must stay shared. User pages are not global, so a
 * space's stale TLB entries go at its next CR3 load; only the current
 * space needs invlpg. */
static void flush_if_current(uint64_t *pml4, uint64_t va)
{
	if (curproc && pml4 == curproc->pml4)
		invlpg(va);
	smp_tlb_shootdown(pml4);
}

/* va's entry if it is a private page: copy-on-write already, or
 * writable and nobody else's. A writable page with more than one
 * reference is mapped elsewhere too (vm_share's source side, whose entry
 * is not marked PTE_SHARED): it must stay shared, so it cannot be taken. */
static uint64_t *private_pte(uint64_t *pml4, uint64_t va)
{
	uint64_t *pte = walk(pml4, va, 0);
	if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || (*pte & PTE_SHARED))
		return 0;
	if (*pte & PTE_COW)
		return pte;
	if (!(*pte & PTE_W) || page_refs((void *)PTE_ADDR(*pte)) > 1)
		return 0;
	return pte;
}

/* The page at va, made copy-on-write in pml4: -> its physical address,
 * with one more reference for the caller; 0 if va is not a private
 * writable page (or its count is full). */
uint64_t vm_cow_take(uint64_t *pml4, uint64_t va)
{
	uint64_t *pte = private_pte(pml4, va);
	if (!pte || page_ref((void *)PTE_ADDR(*pte)) < 0)
		return 0;
	if (*pte & PTE_W) {
		*pte = (*pte & ~PTE_W) | PTE_COW;
		flush_if_current(pml4, va);
	}
	return PTE_ADDR(*pte);
}

/* Map page pa (the caller's reference moves to the mapping) at va in
 * place of the private page there, copy-on-write: 0, or -E_FAULT (va is
 * not a private writable page; nothing changed). */
int vm_cow_place(uint64_t *pml4, uint64_t va, uint64_t pa)
{
	uint64_t *pte = private_pte(pml4, va);
	if (!pte)
		return -E_FAULT;
	uint64_t old = PTE_ADDR(*pte);
	*pte = pa | (*pte & (PTE_P | PTE_U | PTE_NX)) | PTE_COW;
#ifdef MKB_SMP
	flush_if_current(pml4, va);   /* no CPU may still reach the old page when it is freed */
	page_free((void *)old);
#else
	page_free((void *)old);
	flush_if_current(pml4, va);
#endif
	return 0;
}

/* A write to the copy-on-write page at va: the last holder gets it back
 * writable; otherwise the writer gets a copy (counted as a COPY_COW move
 * of a page). 0, -E_FAULT (not a copy-on-write page) or -E_NOMEM. */
int vm_cow_break(uint64_t *pml4, uint64_t va)
{
	uint64_t *pte = walk(pml4, va, 0);
	if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U) || !(*pte & PTE_COW))
		return -E_FAULT;
	uint64_t pa = PTE_ADDR(*pte), keep = *pte & (PTE_P | PTE_U | PTE_NX);
	if (page_refs((void *)pa) > 1) {
		void *copy = page_alloc_dirty();
		if (!copy)
			return -E_NOMEM;
		memcpy(copy, (const void *)pa, PGSIZE);
		kstat_copy(COPY_COW, PGSIZE);
		kstat.bytes_copied += PGSIZE;
		page_free((void *)pa);
		pa = (uint64_t)copy;
	}
	*pte = pa | keep | PTE_W;
	flush_if_current(pml4, va);
	return 0;
}
