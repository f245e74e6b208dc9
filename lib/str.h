/* str.h - freestanding declarations of lib/string.c (named so it never
 * shadows the C library's <string.h> in host builds). */
#ifndef MKB_STRING_H
#define MKB_STRING_H
#include <stddef.h>
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
int strcmp(const char *a, const char *b);
#endif
