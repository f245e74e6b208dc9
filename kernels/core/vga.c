/*
 * vga.c - the screen as a second kernel console, for a PC booted from
 * `make iso` without a serial cable: VGA text mode, 80 x 25 cells of
 * character and attribute at physical 0xB8000 (inside boot.S's identity
 * map of the first 2 MiB), scrolled a line at a time. Linked into both
 * kernels, on only when the command line says console=vga (the image's
 * menu entries, scripts/mkiso.py): console_write() copies each line
 * here when vga_on is set. A -kernel boot of the harness pays one test of
 * that flag per line it prints.
 *
 * A protocol result line (lib/protocol.h, some 900 characters of JSON)
 * is shown as one short line, "pingpong pipe 4096: median 19200, min
 * 19060 tsc, ok"; COM1 keeps the whole record. Other lines are shown as
 * written, wrapped at 80 columns. The micro kernel's benchmark lines do
 * not pass through here: its console server writes COM1 itself
 * (kernels/micro/servers/console.c), so its screen shows the kernel's own
 * lines. Either way the last line says how the boot ended (vga_finish()):
 * a PC has no isa-debug-exit, and the kernel halts there.
 */
#include "defs.h"
#include "protocol.h"
#include "x86.h"

#define VGA_TEXT ((volatile uint16_t *)0xB8000)
#define COLS 80
#define ROWS 25
#define GREY 0x07    /* light grey on black */
#define WHITE 0x0F
#define RESULT_LINE MKB_PREFIX "{\"type\":\"result\""   /* how bench/runtime.c's begin */
/* Never run in a boot without console=vga, and the kernel's text has
 * little room before its next page: small rather than fast. */
#define COLD __attribute__((cold, noinline))

/* The longer texts are in .data, not .rodata: some builds' .rodata ends a
 * few hundred bytes short of a page boundary, and crossing it would move
 * the user images and .data behind it by a page, changing the boot line's
 * free_kib even in boots that never turn the screen on. */
static char keys[] = "workload\0variant\0size\0shape\0median\0min\0check";
static char labels[] = "\0 \0 \0 \0: median \0, min \0 tsc, ";
static char hello[] = "mkb: console=vga; COM1 (115200 8N1) has every line\n";
static char micro[] = "mkb: micro: the benchmark's lines go to COM1 only\n";

int vga_on;
static int row, col;
static uint16_t attr;     /* GREY from vga_setup(), WHITE for the last line */
static char line[1024];   /* the line being written, shown at its newline */
static size_t len;

COLD static void newline(void)
{
	col = 0;
	if (++row < ROWS)
		return;
	row = ROWS - 1;
	for (int i = 0; i < (ROWS - 1) * COLS; i++)
		VGA_TEXT[i] = VGA_TEXT[i + COLS];
	for (int i = 0; i < COLS; i++)
		VGA_TEXT[(ROWS - 1) * COLS + i] = (uint16_t)(attr << 8 | ' ');
}

COLD static void put(char c)
{
	if (c == '\n') {
		newline();
		return;
	}
	if (c == '\r') {
		col = 0;
		return;
	}
	if (col == COLS)
		newline();
	VGA_TEXT[row * COLS + col++] = (uint16_t)(attr << 8 | (uint8_t)c);
}

COLD static void put_str(const char *s)
{
	while (*s)
		put(*s++);
}

/* The value of "key": in the line (JSON), unquoted, into out; 0 if absent. */
COLD static const char *field(const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);
	for (size_t i = 0; i + k + 3 < len; i++) {
		if (line[i] != '"' || strncmp(line + i + 1, key, k) || line[i + k + 1] != '"' ||
		    line[i + k + 2] != ':')
			continue;
		size_t j = i + k + 3, n = 0;
		if (line[j] == '"')
			j++;
		while (j < len && line[j] != '"' && line[j] != ',' && line[j] != '}' && n + 1 < cap)
			out[n++] = line[j++];
		out[n] = '\0';
		return out;
	}
	return 0;
}

/* Show the line just ended: a result record in short, "pingpong pipe 4096:
 * median 19200, min 19060 tsc, ok" (each key's value after its label; no
 * size for null, a shape if any), anything else as it is. */
COLD static void show_line(void)
{
	const char *key = keys, *label = labels;
	char v[32];
	line[len] = '\0';
	if (!strncmp(line, RESULT_LINE, sizeof RESULT_LINE - 1)) {
		for (int i = 0; i < 7; i++, key += strlen(key) + 1, label += strlen(label) + 1)
			if (field(key, v, sizeof v) && strcmp(v, "null")) {
				put_str(label);
				put_str(v);
			}
	} else {
		put_str(line);
	}
	put('\n');
	len = 0;
}

COLD void vga_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			show_line();
		else if (len + 1 < sizeof line)
			line[len++] = s[i];
		else {   /* longer than any record: show it as it comes */
			line[len] = '\0';
			put_str(line);
			len = 0;
			put(s[i]);
		}
	}
	unsigned pos = (unsigned)(row * COLS + (col < COLS ? col : COLS - 1));
	outb(0x3D4, 0x0F);   /* the hardware cursor follows the text */
	outb(0x3D5, (uint8_t)pos);
	outb(0x3D4, 0x0E);
	outb(0x3D5, (uint8_t)(pos >> 8));
}

/* kmain()'s step right after it has read the command line: switch the
 * screen on if it says console=vga (clear it and say so), so that
 * console_write() copies every line here; otherwise change nothing. */
COLD void vga_setup(const char *cmdline)
{
	char v[8];
	if (fmt_getarg(cmdline, "console", v, sizeof v) < 0 || strcmp(v, "vga"))
		return;
	vga_on = 1;
	attr = GREY;
	for (int i = 0; i < ROWS * COLS; i++)
		VGA_TEXT[i] = (uint16_t)(GREY << 8 | ' ');
	vga_write(hello, sizeof hello - 1);
	if (!strcmp(mode_name, "micro"))
		vga_write(micro, sizeof micro - 1);
}

/* qemu_exit()'s last words on a PC, which has no isa-debug-exit to leave:
 * how the boot ended, in white, on the last line. The CPU then halts. */
COLD void vga_finish(int code)
{
	if (len)
		show_line();
	attr = WHITE;
	kprintf("mkb: finished (%s), you may power off\n", code == MKB_EXIT_SUCCESS ? "success" :
		code == MKB_EXIT_PANIC ? "kernel panic" : "failure");
}
