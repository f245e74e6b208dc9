/* fmt.h - printf-style formatting and string helpers, portable C shared by
 * the kernels, user programs and host unit tests (no libc needed). */
#ifndef MKB_FMT_H
#define MKB_FMT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Format into buf (always NUL-terminated when cap > 0). Supports %d %i %u
 * %x %s %c %p %% with l/ll/z length modifiers, '0' flag, field width and
 * '-' (left align). Returns the length the full output would have. */
int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parse an unsigned decimal number; *end gets the first unparsed char.
 * Returns 0 with *end == s if there is no digit. Saturates at UINT64_MAX. */
uint64_t fmt_parse_u64(const char *s, const char **end);

/* Find key=value in a space-separated command line; copies the value into
 * out (NUL-terminated, truncated to cap). Returns the value length or -1. */
int fmt_getarg(const char *cmdline, const char *key, char *out, size_t cap);

/* Give key=value in cmdline (a buffer of cap bytes) the new value, in
 * place of its first occurrence; the other words keep their order.
 * Returns 0, -1 if key is absent, -2 if the result would not fit (the
 * line is then unchanged). */
int fmt_setarg(char *cmdline, size_t cap, const char *key, const char *value);
#endif
