/*
 * console.c - the micro kernel's console server: a ring-3 process that
 * owns COM1 (the kernel opens those I/O ports to it alone through the TSS
 * bitmap) and prints what clients send on EP_CONSOLE (user/ipc.h, any
 * strategy). It replies with the number of bytes written. If it dies,
 * the kernel restarts it.
 */
#include "ipc.h"

#define COM1 0x3F8

static char buf[4096];

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void com1_write(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, (uint8_t)s[i]);
	}
}

int main(void)
{
	struct ipc_in r = ipc_recv(EP_CONSOLE, buf, sizeof buf);
	for (;;) {
		uint64_t written[3] = { 0, 0, 0 };
		if (r.status == 0 && r.label == CONSOLE_WRITE) {
			com1_write(r.inbuf ? buf : (const char *)r.mr, r.len);
			written[0] = r.len;
		}
		r = ipc_reply_recv(EP_CONSOLE, written, 0, sizeof written[0], buf, sizeof buf);
	}
}
