/*
 * console.c - the micro kernel's console server: a ring-3 process that
 * owns COM1 (the kernel opens those I/O ports to it alone through the TSS
 * bitmap) and prints what clients send on EP_CONSOLE. It replies with
 * the number of bytes written. If it dies, the kernel restarts it.
 */
#include "abi.h"
#include "syscall.h"

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
	struct ipc_desc d = { 0, 0, buf, sizeof buf };
	struct sysret6 r = syscall6(SYS_IPC_RECV, EP_CONSOLE, 0, 0, 0, 0, (uint64_t)&d);
	for (;;) {
		uint64_t written = 0;
		if (r.rax == 0 && IPC_LABEL(r.rsi) == CONSOLE_WRITE) {
			uint32_t len = IPC_LEN(r.rsi);
			if (!(r.rsi & IPC_INBUF)) {
				uint64_t in[3] = { r.rdx, r.r10, r.r8 };
				com1_write((const char *)in, len);
			} else {
				com1_write(buf, len);
			}
			written = len;
		}
		r = syscall6(SYS_IPC_REPLY_RECV, EP_CONSOLE, IPC_TAG(0, sizeof written), written, 0, 0,
			     (uint64_t)&d);
	}
}
