/*
 * test_fmt.c - host unit tests of lib/fmt.c, the formatter and command-line
 * parser shared by both kernels and all user programs.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

static void test_formats_numbers_and_strings(void)
{
	char b[128];
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%d %u %x %s %c %%", -42, 42u, 0xbeefu, "hi", 'z'), 18);
	CHECK(!strcmp(b, "-42 42 beef hi z %"));
	fmt_snprintf(b, sizeof b, "%lu %ld %lx", (unsigned long)UINT64_MAX, (long)INT64_MIN, 0x1234UL);
	CHECK(!strcmp(b, "18446744073709551615 -9223372036854775808 1234"));
	fmt_snprintf(b, sizeof b, "[%5d][%-5d][%05d][%016lx]", 42, 42, -42, 0xabcUL);
	CHECK(!strcmp(b, "[   42][42   ][-0042][0000000000000abc]"));
	const char *volatile nul = 0;
	fmt_snprintf(b, sizeof b, "%s|%p", nul, (void *)0x10);
	CHECK(!strcmp(b, "(null)|0x10"));
}

static void test_truncates_and_reports_full_length(void)
{
	char b[8];
	memset(b, 'X', sizeof b);
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%s", "0123456789"), 10);
	CHECK(!strcmp(b, "0123456"));
	CHECK_EQ(fmt_snprintf(b, 0, "abc"), 3);
	CHECK_EQ(b[0], '0');   /* cap 0 writes nothing */
}

static void test_parses_decimal_and_saturates(void)
{
	const char *end;
	CHECK_EQ(fmt_parse_u64("1234x", &end), 1234u);
	CHECK_EQ(*end, 'x');
	CHECK_EQ(fmt_parse_u64("abc", &end), 0u);
	CHECK_EQ(fmt_parse_u64("99999999999999999999999", 0), UINT64_MAX);
}

static void test_getarg_finds_exact_keys(void)
{
	char v[16];
	const char *cl = "run=bench workload=pingpong sizes=0,8,64 iters=100";
	CHECK_EQ(fmt_getarg(cl, "workload", v, sizeof v), 8);
	CHECK(!strcmp(v, "pingpong"));
	CHECK_EQ(fmt_getarg(cl, "sizes", v, sizeof v), 6);
	CHECK(!strcmp(v, "0,8,64"));
	CHECK_EQ(fmt_getarg(cl, "run", v, sizeof v), 5);
	CHECK_EQ(fmt_getarg(cl, "iter", v, sizeof v), -1);   /* prefix of a key */
	CHECK_EQ(fmt_getarg(cl, "missing", v, sizeof v), -1);
	CHECK_EQ(fmt_getarg("", "run", v, sizeof v), -1);
	CHECK_EQ(fmt_getarg(cl, "workload", v, 4), 8);          /* truncated copy */
	CHECK(!strcmp(v, "pin"));
}

static void test_setarg_replaces_one_value(void)
{
	char cl[40] = "run=faults fault=fs:any:7 ops=100";
	CHECK_EQ(fmt_setarg(cl, sizeof cl, "fault", "fs:any:12345"), 0);   /* longer */
	CHECK(!strcmp(cl, "run=faults fault=fs:any:12345 ops=100"));
	CHECK_EQ(fmt_setarg(cl, sizeof cl, "fault", "x"), 0);              /* shorter */
	CHECK(!strcmp(cl, "run=faults fault=x ops=100"));
	CHECK_EQ(fmt_setarg(cl, sizeof cl, "ops", "5"), 0);                /* last word */
	CHECK(!strcmp(cl, "run=faults fault=x ops=5"));
	CHECK_EQ(fmt_setarg(cl, sizeof cl, "op", "1"), -1);                /* prefix of a key */
	CHECK_EQ(fmt_setarg(cl, sizeof cl, "run", "a-value-too-long-to-fit-here"), -2);
	CHECK(!strcmp(cl, "run=faults fault=x ops=5"));                    /* unchanged */
	char full[16] = "a=1 b=2";
	CHECK_EQ(fmt_setarg(full, sizeof full, "b", "12345678"), 0);        /* exactly fits */
	CHECK(!strcmp(full, "a=1 b=12345678"));
	CHECK_EQ(fmt_setarg(full, sizeof full, "a", "123"), -2);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_formats_numbers_and_strings),
	CHECK_TEST(test_truncates_and_reports_full_length),
	CHECK_TEST(test_parses_decimal_and_saturates),
	CHECK_TEST(test_getarg_finds_exact_keys),
	CHECK_TEST(test_setarg_replaces_one_value),
};
CHECK_MAIN(tests)
