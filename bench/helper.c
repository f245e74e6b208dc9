/* helper.c - the partner process of the two-process workloads (the
 * "bench-helper" image): role=yield yields forever; role=echo ch=N cap=M
 * receives on channel N into an M-byte buffer and replies with what came. */
#include "fmt.h"
#include "os.h"
#include "str.h"

static uint8_t buf[65536];

static long arg_long(const char *arg, const char *key)
{
	char v[24];
	return fmt_getarg(arg, key, v, sizeof v) < 0 ? -1 : (long)fmt_parse_u64(v, 0);
}

int main(const char *arg)
{
	char role[16];
	if (fmt_getarg(arg, "role", role, sizeof role) < 0)
		return 2;
	if (!strcmp(role, "yield"))
		for (;;)
			os_yield();
	if (!strcmp(role, "echo")) {
		long ch = arg_long(arg, "ch"), cap = arg_long(arg, "cap");
		if (ch < 0 || cap < 0 || cap > (long)sizeof buf)
			return 3;
		long n = os_chan_recv(ch, buf, (size_t)cap);
		while (n >= 0)
			n = os_chan_reply_recv(ch, buf, (size_t)n, buf, (size_t)cap);
		return 4;
	}
	return 5;
}
