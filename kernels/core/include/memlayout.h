/* memlayout.h - the virtual address map, the same in both kernels.
 *   0 .. 1 GiB            identity map of physical memory, kernel only
 *   1 GiB .. 2 GiB        user space of the current process
 * User programs are linked at USER_BASE; the stack ends at USER_STACK_TOP.
 */
#ifndef MKB_MEMLAYOUT_H
#define MKB_MEMLAYOUT_H

#define PGSIZE 4096UL
#define KERNEL_MAP_END 0x40000000UL
#define USER_BASE 0x40000000UL
#define USER_TOP 0x80000000UL
#define USER_STACK_PAGES 8
#define USER_STACK_TOP (USER_TOP - PGSIZE)   /* one guard page above */
#define USER_ARG_MAX 256

#define PTE_P 0x1UL
#define PTE_W 0x2UL
#define PTE_U 0x4UL
#define PTE_PWT 0x8UL
#define PTE_PCD 0x10UL   /* with PWT: uncached (device memory) */
#define PTE_PS 0x80UL
#define PTE_NX (1UL << 63)
#define PTE_SHARED 0x200UL   /* software bit: a shared mapping (vm_map_shared) */
#define PTE_COW 0x400UL      /* software bit: read-only until written, then copied (vm_cow_*) */
#define PTE_ADDR(e) ((e) & 0x000FFFFFFFFFF000UL)

#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#endif
