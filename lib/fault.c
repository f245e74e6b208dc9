/* fault.c - the fault plan and its execution (fault.h). Portable C, no
 * libc: the mono kernel and the micro servers both link it. */
#include "fault.h"
#include "fmt.h"
#include "str.h"

static const char *const names[FAULT_CLASSES] = { "none", "wild", "null", "loop", "corrupt", "exit" };

static struct {
	char svc[8];
	int cls;
	uint64_t rng;
	uint32_t at, seen;
	int any;   /* a class drawn for each fault */
} plan;

int fault_armed;

static uint64_t next(void)
{
	plan.rng = plan.rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return plan.rng >> 17;
}

void fault_configure(const char *svc, const char *spec, uint64_t salt)
{
	char s[8] = "", c[8] = "", seed[24] = "";
	unsigned i = 0, part = 0, k = 0;
	for (; spec[i] && part < 3; i++) {
		char *dst = part == 0 ? s : part == 1 ? c : seed;
		unsigned cap = part == 2 ? sizeof seed : sizeof s;
		if (spec[i] == ':') {
			part++, k = 0;
			continue;
		}
		if (k + 1 < cap)
			dst[k++] = spec[i], dst[k] = 0;
	}
	if (strcmp(s, svc))
		return;   /* a plan for another service */
	for (int n = 1; n < FAULT_CLASSES; n++)
		if (!strcmp(c, names[n]))
			plan.cls = n;
	uint64_t z = fmt_parse_u64(seed, 0) * 0x9E3779B97F4A7C15ULL + salt * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;   /* splitmix64's finaliser */
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	plan.rng = z ^ (z >> 31);
	plan.any = !strcmp(c, "any");
	if (plan.any)
		plan.cls = 1 + (int)(next() % (FAULT_CLASSES - 1));
	memcpy(plan.svc, s, sizeof plan.svc);
	fault_armed = 1;
	plan.at = 1 + (uint32_t)(next() % 64);
	plan.seen = 0;
}

int fault_point(const char *svc)
{
	if (!plan.cls || strcmp(svc, plan.svc) || ++plan.seen != plan.at)
		return 0;
	char line[96];
	fmt_snprintf(line, sizeof line, "fault: %s: %s at request %u\n", plan.svc, names[plan.cls],
		     plan.at);   /* scripts/faults.py counts these lines */
	fault_say(line);
	int cls = plan.cls;
	plan.at = plan.seen + 1 + (uint32_t)(next() % 64);   /* if we live on: the next one */
	if (plan.any)
		plan.cls = 1 + (int)(next() % (FAULT_CLASSES - 1));
	switch (cls) {
	case FAULT_WILD:   /* somewhere in the low 2 GiB: kernel memory, or ours */
		*(volatile uint64_t *)(uintptr_t)((next() % 0x80000000ULL) & ~7ULL) = next();
		return 0;
	case FAULT_NULL:
		return (int)*(volatile uint32_t *)(uintptr_t)(next() % 64);
	case FAULT_LOOP:
		for (;;)
			__asm__ volatile("" ::: "memory");
	case FAULT_CORRUPT:
		return 1;
	case FAULT_EXIT:
		return fault_exit();
	}
	return 0;
}
