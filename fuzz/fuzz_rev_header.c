/*
 * fuzz_rev_header.c — libFuzzer target for the revision-file header parser (lib/rev_header.c).
 *
 * Revision files are edited by hand and arrive through version control, so the `-- mig:` header
 * parser and mig_rev_body() see arbitrary bytes. Both promise never to read past len and to need
 * no terminating NUL; the input is passed unterminated so that AddressSanitizer holds them to it.
 * The body must start inside the text, and at the header's end when the header parsed; the slug
 * made from a parsed message (for file names) must be 1 to 40 bytes of [a-z0-9_].
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slug(const char *message);

static void
check_slug(const char *message)
{
	char *slug = mig_rev_slug(message);
	size_t n = strlen(slug);

	if (n == 0 || n > 40 || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		abort();
	free(slug);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct mig_arena arena;
	struct mig_rev rev = { 0 };
	const char *body;
	size_t end = 0;
	int rc;

	mig_arena_init(&arena);
	rc = mig_rev_parse_header(&rev, &arena, text, size, "fuzz.up.sql", &end);
	if (rc == 0 && (end > size || !mig_rev_id_valid(rev.id)))
		abort();
	if (rc == 0)
		check_slug(rev.message);
	body = mig_rev_body(text, size);
	if (body < text || body > text + size)
		abort();
	if (rc == 0 && body != text + end)
		abort();
	mig_arena_release(&arena);
	mig_error_clear();
	return 0;
}
