/* test_lz.c - bench/apps/lz.c: compression round trips on text, on
 * random bytes (never past LZ_BOUND) and on runs (overlapping copies);
 * text shrinks; malformed input is refused without writing past the
 * buffer; Adler-32 matches RFC 1950's definition. */
#include <string.h>
#include "check.h"
#include "lz.h"

static uint8_t in[70000], packed[LZ_BOUND(70000)], out[70000];

static size_t text(void)
{
	size_t n = 0;
	for (unsigned x = 1; n < 60000; x = x * 1103515245u + 12345u)
		n += (size_t)snprintf((char *)in + n, 80, "int f%u(int x) { return x * %u + %u; }\n",
				      x % 97, x % 13, x % 7);
	return n;
}

static void round_trip(size_t n, size_t *packed_len)
{
	size_t c = lz_compress(in, n, packed, sizeof packed);
	REQUIRE(c > 0 && c <= LZ_BOUND(n));
	CHECK_EQ(lz_decompress(packed, c, out, sizeof out), (long)n);
	CHECK(!memcmp(in, out, n));
	*packed_len = c;
}

static void test_text_round_trips_and_shrinks(void)
{
	size_t n = text(), c = 0;
	round_trip(n, &c);
	CHECK(c < n / 2);
}

static void test_random_bytes_round_trip_within_the_bound(void)
{
	uint32_t x = 99;
	for (size_t i = 0; i < sizeof in; i++)
		x = x * 1664525u + 1013904223u, in[i] = (uint8_t)(x >> 24);
	size_t c = 0;
	round_trip(sizeof in, &c);
	CHECK(c >= sizeof in);   /* nothing to find */
	CHECK_EQ(lz_compress(in, sizeof in, packed, LZ_BOUND(sizeof in) - 1), (size_t)0);
}

static void test_runs_copy_over_themselves(void)
{
	memset(in, 'a', 5000);
	size_t c = 0;
	round_trip(5000, &c);
	CHECK(c < 200);
	CHECK_EQ(lz_compress(in, 0, packed, sizeof packed), (size_t)0 + 0);
}

static void test_malformed_input_is_refused(void)
{
	static const uint8_t far[] = { 0, 'x', 200, 9, 0 };    /* a copy from before the start */
	static const uint8_t cut[] = { 5, 'a', 'b' };           /* literals past the end */
	static const uint8_t zero[] = { 0, 'x', 130, 0, 0 };    /* distance 0 */
	CHECK_EQ(lz_decompress(far, sizeof far, out, sizeof out), -1);
	CHECK_EQ(lz_decompress(cut, sizeof cut, out, sizeof out), -1);
	CHECK_EQ(lz_decompress(zero, sizeof zero, out, sizeof out), -1);
	static const uint8_t ok[] = { 1, 'a', 'b', 128, 2, 0 };  /* "ab" then 4 more from 2 back */
	CHECK_EQ(lz_decompress(ok, sizeof ok, out, 6), 6);
	CHECK(!memcmp(out, "ababab", 6));
	CHECK_EQ(lz_decompress(ok, sizeof ok, out, 5), -1);     /* no room: refused, not overrun */
}

static void test_adler32_of_known_strings(void)
{
	CHECK_EQ(lz_adler32((const uint8_t *)"Wikipedia", 9), 0x11E60398u);   /* the usual example */
	CHECK_EQ(lz_adler32(in, 0), 1u);
	memset(in, 0xff, sizeof in);   /* long runs of the largest byte: the modulo steps hold */
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < sizeof in; i++)
		a = (a + 0xff) % 65521, b = (b + a) % 65521;
	CHECK_EQ(lz_adler32(in, sizeof in), b << 16 | a);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_text_round_trips_and_shrinks),
	CHECK_TEST(test_random_bytes_round_trip_within_the_bound),
	CHECK_TEST(test_runs_copy_over_themselves),
	CHECK_TEST(test_malformed_input_is_refused),
	CHECK_TEST(test_adler32_of_known_strings),
};
CHECK_MAIN(tests)
