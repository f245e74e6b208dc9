/* fmt.c - printf-style formatting and command-line parsing (see fmt.h). */
#include "fmt.h"

struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int neg, int width, char pad, int left)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	int len = n + neg;
	if (neg && pad == '0')
		put(o, '-');
	for (int i = len; !left && i < width; i++)
		put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
	for (int i = len; left && i < width; i++)
		put(o, ' ');
}

int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		int left = 0, width = 0, lng = 0;
		char pad = ' ';
		if (*fmt == '-') { left = 1; fmt++; }
		if (*fmt == '0') { pad = '0'; fmt++; }
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') { lng++; fmt++; }
		switch (*fmt) {
		case 'd': case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_num(&o, mag, 10, v < 0, width, pad, left);
			break;
		}
		case 'u': case 'x': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_num(&o, v, *fmt == 'u' ? 10 : 16, 0, width, pad, left);
			break;
		}
		case 'p':
			put(&o, '0'); put(&o, 'x');
			put_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, width, pad, left);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s) s = "(null)";
			int n = 0;
			while (s[n]) n++;
			for (int i = n; !left && i < width; i++) put(&o, ' ');
			for (int i = 0; i < n; i++) put(&o, s[i]);
			for (int i = n; left && i < width; i++) put(&o, ' ');
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

uint64_t fmt_parse_u64(const char *s, const char **end)
{
	uint64_t v = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
		p++;
	}
	if (end)
		*end = p;
	return v;
}

int fmt_getarg(const char *cmdline, const char *key, char *out, size_t cap)
{
	const char *p = cmdline;
	size_t klen = 0;
	while (key[klen]) klen++;
	while (p && *p) {
		while (*p == ' ') p++;
		const char *w = p;
		while (*p && *p != ' ') p++;
		size_t i = 0;
		while (i < klen && w + i < p && w[i] == key[i]) i++;
		if (i == klen && w + i < p && w[i] == '=') {
			const char *v = w + klen + 1;
			size_t n = (size_t)(p - v), k;
			for (k = 0; cap && k < n && k + 1 < cap; k++)
				out[k] = v[k];
			if (cap)
				out[k] = '\0';
			return (int)n;
		}
	}
	return -1;
}

int fmt_setarg(char *cmdline, size_t cap, const char *key, const char *value)
{
	size_t klen = 0, vlen = 0, len = 0;
	while (key[klen]) klen++;
	while (value[vlen]) vlen++;
	while (cmdline[len]) len++;
	char *p = cmdline;
	while (*p) {
		while (*p == ' ') p++;
		char *w = p;
		while (*p && *p != ' ') p++;
		size_t i = 0;
		while (i < klen && w + i < p && w[i] == key[i]) i++;
		if (i == klen && w + i < p && w[i] == '=') {
			char *v = w + klen + 1;
			size_t old = (size_t)(p - v);
			if (len - old + vlen + 1 > cap)
				return -2;
			size_t tail = len - (size_t)(p - cmdline) + 1;   /* with the NUL */
			char *to = v + vlen;
			if (to < p)
				for (size_t k = 0; k < tail; k++) to[k] = p[k];
			else
				for (size_t k = tail; k-- > 0;) to[k] = p[k];
			for (size_t k = 0; k < vlen; k++)
				v[k] = value[k];
			return 0;
		}
	}
	return -1;
}
