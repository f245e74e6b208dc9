/* elf.c - load a static ELF64 executable into a user address space.
 * Linked into both kernels. Every header field is checked against the
 * image size and the user range before use: a malformed image is an
 * error, never a kernel fault. */
#include "defs.h"
#include "memlayout.h"

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

/* Map and fill one PT_LOAD segment; returns 0 or -E_*. */
static int load_segment(uint64_t *pml4, const uint8_t *img, const struct elf64_phdr *ph)
{
	for (uint64_t va = PGROUNDDOWN(ph->vaddr); va < ph->vaddr + ph->memsz; va += PGSIZE) {
		uint8_t *page;
		uint64_t pa = vm_translate(pml4, va, 0);
		if (pa) {
			page = (uint8_t *)PGROUNDDOWN(pa);   /* shared with the previous segment */
		} else {
			if (!(page = page_alloc()))
				return -E_NOMEM;
			int r = vm_map_page(pml4, va, (uint64_t)page, ph->flags & PF_W, ph->flags & PF_X);
			if (r < 0) {
				page_free(page);
				return r;
			}
		}
		/* copy the part of [offset, offset+filesz) that falls in this page */
		uint64_t lo = va > ph->vaddr ? va : ph->vaddr;
		uint64_t hi = va + PGSIZE < ph->vaddr + ph->filesz ? va + PGSIZE : ph->vaddr + ph->filesz;
		if (lo < hi)
			memcpy(page + (lo - va), img + ph->offset + (lo - ph->vaddr), hi - lo);
	}
	return 0;
}

/* Load img into pml4; sets *entry. Returns 0 or -E_INVAL/-E_NOMEM. */
int elf_load(uint64_t *pml4, const uint8_t *img, size_t size, uint64_t *entry)
{
	const struct elf64_ehdr *eh = (const void *)img;
	if (size < sizeof *eh || memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != 2 ||
	    eh->machine != 62 || eh->type != 2 || eh->phentsize != sizeof(struct elf64_phdr) ||
	    eh->phoff > size || eh->phnum > (size - eh->phoff) / sizeof(struct elf64_phdr))
		return -E_INVAL;
	const struct elf64_phdr *ph = (const void *)(img + eh->phoff);
	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		if (ph[i].filesz > ph[i].memsz || ph[i].offset > size || ph[i].filesz > size - ph[i].offset ||
		    !vm_user_range_ok(ph[i].vaddr, ph[i].memsz) || ph[i].vaddr + ph[i].memsz > USER_STACK_TOP - USER_STACK_PAGES * PGSIZE)
			return -E_INVAL;
		int r = load_segment(pml4, img, &ph[i]);
		if (r < 0)
			return r;
	}
	if (!vm_user_range_ok(eh->entry, 1))
		return -E_INVAL;
	*entry = eh->entry;
	return 0;
}
