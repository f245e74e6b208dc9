/* console.c - kernel console on COM1, the panic path and QEMU exit.
 * Linked into both kernels. In micro mode user output goes to the console
 * server instead; the kernel keeps COM1 for its own diagnostics. With
 * console=vga on the command line the screen shows the same (vga.c). */
#include <stdarg.h>
#include "defs.h"
#include "x86.h"
#include "protocol.h"
#include "smp.h"

#define COM1 0x3F8

void console_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xC7);   /* FIFO */
	outb(COM1 + 4, 0x03);
}

void console_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

LOCK_DEFINE(console_lk);   /* several CPUs, mono (smp.h): one line at a time */
volatile int console_raw;  /* the watchdog's last words: no lock (its NMI may find GS the user's) */

void console_write(const char *s, size_t n)
{
	/* a panic while this CPU prints, or the watchdog: no lock */
	int take = FINE_LOCKS && !console_raw && !svc_held(console_lk);
	if (take)
		svc_lock(console_lk);
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
	if (vga_on)
		vga_write(s, n);   /* console=vga: the screen too (vga.c) */
	if (take)
		svc_unlock(console_lk);
}

void kprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Leave QEMU through isa-debug-exit; status is (code << 1) | 1 (in trial
 * mode a reset to the next trial, trial.c). */
void qemu_exit(int code)
{
	trial_end(code);   /* in trial mode: the end line, and a reset unless last */
	if (vga_on)
		vga_finish(code);   /* a PC has no isa-debug-exit: say it is over */
	outb(MKB_DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	__asm__ volatile("cli");
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("\nkernel panic: %s\n", buf);
	qemu_exit(MKB_EXIT_PANIC);
}
