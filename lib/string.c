/* string.c - the freestanding memory/string functions gcc may call, for the
 * kernels and user programs (host tests use the C library's). */
#include <stddef.h>
#include <stdint.h>

/*
 * Words where the data allows, as Linux copies on a CPU without ERMS
 * (arch/x86/lib/copy_user_64.S, copy_user_generic_string): bytes up to an
 * 8-byte-aligned destination, then rep movsq, then rep movsb for the rest.
 * Under `-icount shift=0` each rep iteration counts as one instruction, so
 * a 4 KiB copy counts 512 here where a plain rep movsb counted 4096. No rep
 * runs with a count of zero (it would still be an instruction, and the
 * cycle model charges a rep start-up for it: bench/model/mkbmodel.c).
 */
static inline void movsb(unsigned char **d, const unsigned char **s, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(*d), "+S"(*s), "+c"(n) : : "memory");
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t head = (size_t)(-(uintptr_t)d & 7);
	if (n >= head + 8) {   /* at least one word after aligning */
		size_t q;
		if (head) {
			movsb(&d, &s, head);
			n -= head;
		}
		q = n >> 3;
		n &= 7;
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	}
	if (n)
		movsb(&d, &s, n);
	return dst;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp < sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

/* Words where the data allows, as memcpy (Linux clears a page with rep
 * stosq: arch/x86/lib/clear_page_64.S, clear_page_rep). */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	size_t head = (size_t)(-(uintptr_t)d & 7);
	if (n >= head + 8) {   /* at least one word after aligning */
		size_t q;
		if (head) {
			n -= head;
			__asm__ volatile("rep stosb" : "+D"(d), "+c"(head) : "a"(c) : "memory");
		}
		q = n >> 3;
		n &= 7;
		uint64_t w = 0x0101010101010101ull * (unsigned char)c;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(w) : "memory");
	}
	if (n)
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
		if (!a[i])
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}
