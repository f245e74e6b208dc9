/* true.c - the bench-true program: exits 0 at once. The child of the
 * mix's process-creation test (mix.c), as AIM's exec_test runs true. */
int main(const char *arg)
{
	(void)arg;
	return 0;
}
