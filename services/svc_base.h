/*
 * svc_base.h - the only outside functions service code may call.
 *
 * The services/ sources are portable C11: they include only <stddef.h>,
 * <stdint.h>, <stdbool.h> and this header, and are compiled three ways
 * (freestanding kernel, freestanding ring-3 server, host with glibc).
 * Every hosting provides these five functions with their standard meaning:
 * the kernel's and the user runtime's small string library, or glibc.
 * No allocation, no printing, no global mutable state in service code.
 */
#ifndef SVC_BASE_H
#define SVC_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc_err.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

#endif
