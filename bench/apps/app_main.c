/* app_main.c - the bench-app program: the build's and the mix's
 * processes (app.h), one role each (role=...). */
#include "app.h"
#include "str.h"

static const struct {
	const char *name;
	int (*run)(const char *arg);
} roles[] = {
	{ "worker", build_worker },
	{ "link", build_link },
	{ "mixuser", mix_user },
	{ "mixpartner", mix_partner },
};

int main(const char *arg)
{
	char role[16];
	if (fmt_getarg(arg, "role", role, sizeof role) < 0)
		return 2;
	for (unsigned i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(role, roles[i].name))
			return roles[i].run(arg);
	return 2;
}
