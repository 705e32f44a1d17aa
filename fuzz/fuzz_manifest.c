/*
 * fuzz_manifest.c — libFuzzer target for the YAML manifest loader (lib/man_load.c) and, for what
 * it accepts, the manifest writer (lib/man_write.c).
 *
 * models.yaml is written by users and may come from anywhere, so the loader must turn any bytes
 * into either a schema or MIG_EPARSE, never a crash, a leak or undefined behaviour. The input is
 * passed as is (not NUL-terminated) because mig_manifest_load_buf() promises not to need one.
 * A manifest that loads is also written back (as `mig inspect` does): man.h promises the written
 * text loads into the same model, so it must load, and writing that model again must give the
 * same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "man.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct mig_schema *s);

static void
round_trip(const struct mig_schema *s)
{
	struct mig_buf first = MIG_BUF_INIT, second = MIG_BUF_INIT;
	struct mig_schema *back = NULL;

	if (mig_manifest_write(&first, s) != 0)
		goto cleanup; /* a model the writer cannot express (text that is not UTF-8) */
	if (mig_manifest_load_buf(&back, first.ptr, first.len, "written.yaml", NULL) != 0) {
		fprintf(stderr, "written manifest does not load: %s\n%s", mig_error_msg(), first.ptr);
		abort();
	}
	if (mig_manifest_write(&second, back) != 0 || first.len != second.len ||
	    memcmp(first.ptr, second.ptr, first.len) != 0) {
		fprintf(stderr, "written manifest changes when loaded and written again:\n%s\n---\n%s",
		    first.ptr, second.ptr);
		abort();
	}
cleanup:
	mig_schema_free(back);
	mig_buf_release(&first);
	mig_buf_release(&second);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_schema *schema = NULL;

	if (mig_manifest_load_buf(&schema, (const char *)data, size, "fuzz.yaml", NULL) == 0) {
		round_trip(schema);
		mig_schema_free(schema);
	}
	mig_error_clear();
	return 0;
}
