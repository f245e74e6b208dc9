/* timer.c - the 8259 PIC and 8253 PIT: a periodic tick on vector 32 that
 * drives preemption. Linked into both kernels. */
#include "defs.h"
#include "x86.h"

#define TIMER_HZ 100
#define PIT_HZ 1193182

volatile uint64_t ticks;

void timer_init(void)
{
	/* Remap the PICs to vectors 32-47 and mask everything but IRQ0. */
	outb(0x20, 0x11); outb(0xA0, 0x11);
	outb(0x21, 0x20); outb(0xA1, 0x28);
	outb(0x21, 0x04); outb(0xA1, 0x02);
	outb(0x21, 0x01); outb(0xA1, 0x01);
	outb(0x21, 0xFE); outb(0xA1, 0xFF);
	uint16_t div = PIT_HZ / TIMER_HZ;
	outb(0x43, 0x34);   /* channel 0, rate generator */
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
}
