/*
 * defs.h - every cross-file kernel function, grouped by the file that
 * defines it: the table of contents of the kernel. Files under
 * kernels/core are linked into both kernels; kernels/mono and
 * kernels/micro each provide the "mode" group.
 */
#ifndef MKB_DEFS_H
#define MKB_DEFS_H
#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "fmt.h"
#include "str.h"

struct proc;
struct trapframe;
struct sysframe;
struct user_image;

// console.c
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qemu_exit(int code) __attribute__((noreturn));
extern volatile int console_raw;
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// cpu.c
struct cpu_features {
	int smep, smap, umip;   /* switched on (the CPU has them) */
};
extern struct cpu_features cpu_features;
void cpu_init(void);

// gdt.c
void gdt_init(void);
void tss_set_rsp0(uint64_t rsp0);
void tss_set_console_io(int allowed);

// vga.c: the screen, with console=vga
extern int vga_on;
void vga_setup(const char *cmdline);
void vga_write(const char *s, size_t n);
void vga_finish(int code);

// watchdog.c
void watchdog_init(const char *cmdline);
void watchdog_nmi(void);

// trial.c
void trial_begin(char *cmdline, size_t cap);
void trial_end(int code);

// trap.c
void idt_init(void);
void idt_load(void);
void trap(struct trapframe *tf);

// timer.c
void timer_init(void);
extern volatile uint64_t ticks;

// pmm.c
void pmm_init(uint32_t mb_info);
void *page_alloc(void);
void *page_alloc_dirty(void);
void page_free(void *pa);
int page_ref(void *pa);
unsigned page_refs(void *pa);
uint64_t pmm_free_pages(void);

// vm.c
uint64_t *vm_create(void);
void vm_destroy(uint64_t *pml4);
int vm_map_page(uint64_t *pml4, uint64_t va, uint64_t pa, int writable, int exec);
uint64_t vm_translate(uint64_t *pml4, uint64_t va, int write);
int vm_user_range_ok(uint64_t va, uint64_t len);
int vm_check(uint64_t *pml4, uint64_t va, uint64_t len, int write);
int copyin(void *dst, uint64_t uva, size_t len);
int copyout(uint64_t uva, const void *src, size_t len);
int copyinstr(char *dst, uint64_t uva, size_t cap);
int vm_copy_between(uint64_t *dpml4, uint64_t dva, uint64_t *spml4, uint64_t sva, size_t len);
int vm_map_shared(uint64_t *pml4, uint64_t va, uint64_t pa, int writable);
int vm_unmap(uint64_t *pml4, uint64_t va, uint64_t npages);
int vm_share(uint64_t *dpml4, uint64_t dva, uint64_t *spml4, uint64_t sva, uint64_t npages, int writable);
uint64_t vm_cow_take(uint64_t *pml4, uint64_t va);
int vm_cow_place(uint64_t *pml4, uint64_t va, uint64_t pa);
int vm_cow_break(uint64_t *pml4, uint64_t va);

// elf.c
int elf_load(uint64_t *pml4, const uint8_t *img, size_t size, uint64_t *entry);

// proc.c
void proc_init(void);
struct account;
int proc_spawn(const char *name, const char *arg, struct proc *parent, int prio, struct account *acct);
struct proc *proc_of_space(const uint64_t *pml4);
void proc_exit(int status) __attribute__((noreturn));
void proc_kill(struct proc *p, int status);
void proc_killed(void);
int proc_wait(int pid, int *status);
struct proc *proc_find(int pid);
struct proc *proc_find_name(const char *name);
void proc_fault(struct trapframe *tf, const char *what);
const struct user_image *image_find(const char *name);

// sched.c
struct waitq;
void sched_init(void);
void waitq_push(struct waitq *q, struct proc *p);
struct proc *waitq_pop(struct waitq *q);
void waitq_remove(struct waitq *q, struct proc *p);
void waitq_push_prio(struct waitq *q, struct proc *p);
void sched_block_prio(int why, struct waitq *q);
void sched_set_prio(struct proc *p, int prio);
void sched_ready(struct proc *p);
void sched_unready(struct proc *p);
void sched_block(int why, struct waitq *q);
void sched_block_to(int why, struct waitq *q, struct proc *next);
void sched_wakeup(struct proc *p);
void sched_switch_to(struct proc *next);
void sched_yield(void);
void sched_tick(void);
void sched_arm(struct proc *p, uint64_t n);
void sched_disarm(struct proc *p);
void sched_timeouts(void);
extern int heartbeat_ticks;   // a silent server is killed after this many ticks
void sched_start(void) __attribute__((noreturn));
struct proc *sched_pick(void);
void sched_ap_start(void) __attribute__((noreturn));
void sched_first_return(void);
int sched_preempted(void);
void sched_preempt(void);
#ifndef MKB_SMP
extern struct proc *idleproc;   /* the SMP kernel's is per CPU (smp.h) */
#endif
/* Before the other CPUs start (smp_start): the runnable p runs on cpu,
 * queued there for that CPU's idle loop to find. */
#ifdef MKB_SMP
void sched_place(struct proc *p, int cpu);
#else
static inline void sched_place(struct proc *p, int cpu) { (void)p, (void)cpu; }
#endif
/* The runnable p runs on cpu from now on (that CPU is told if it should
 * look: sched_ready); nothing on one CPU. */
#ifdef MKB_SMP
void sched_move(struct proc *p, int cpu);
#else
static inline void sched_move(struct proc *p, int cpu) { (void)p, (void)cpu; }
#endif
void swtch(uint64_t *old_ksp, uint64_t new_ksp);

// syscall.c
void syscall_init(void);
void syscall_dispatch(struct sysframe *sf);
void syscall_compat(void) __attribute__((noreturn));

extern struct kcounters kstat;
/* Count one message move of kind (enum copy_kind, abi.h) and its bytes;
 * inline, as it runs on every IPC fast path. */
static inline void kstat_copy(int kind, uint64_t bytes)
{
	kstat.copies[kind]++;
	kstat.copy_bytes[kind] += bytes;
}

// mode group: kernels/mono/*.c or kernels/micro/*.c
extern const char *const mode_name;
typedef int64_t (*syscall_fn)(struct sysframe *sf);
extern syscall_fn mode_syscalls[NSYSCALLS];
void mode_init(const char *cmdline);
void mode_proc_start(struct proc *p);   /* p is made, not yet run (its parent set) */
void mode_proc_exit(struct proc *p);
int mode_spawn_allowed(const char *image);   /* may a user process start it? */
#endif
