/*
 * fuzz_predict.c — libFuzzer target for autogenerate's prediction (lib/autogen_predict.c) on
 * SQLite, differential against the scratch database.
 *
 * `check` trusts a table the prediction is sure of without running its DDL: that is only sound
 * if such a table is exactly what SQLite's catalog would print for it. For every manifest that
 * loads and that SQLite accepts, each table predicted for sure must dump (mig_schema_dump) like the
 * same table introspected from an in-memory database built from the manifest's DDL. Seeds: the
 * manifest target's corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "man.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
dump_table(const struct mig_table *t)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_table_dump(&b, t, false);
	return mig_buf_detach(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_schema *m = NULL, *pred = NULL, *scratch = NULL;
	bool *unsure = NULL;
	size_t i;

	if (mig_manifest_load_buf(&m, (const char *)data, size, "fuzz.yaml", NULL) != 0)
		goto done;
	if (mig_autogen_predict(&pred, &unsure, m, MIG_SQLITE, NULL) != 0)
		abort(); /* prediction never fails on a loaded manifest */
	if (mig_sqlite_scratch(&scratch, m) != 0)
		goto done; /* SQLite refuses the DDL (an expression it cannot parse): nothing to compare */
	if (scratch->ntables != pred->ntables) {
		fprintf(stderr, "predicted %zu tables, the scratch database has %zu\n", pred->ntables,
		    scratch->ntables);
		abort();
	}
	for (i = 0; i < pred->ntables; i++) {
		char *a, *b;

		if (strcmp(pred->tables[i]->name, scratch->tables[i]->name) != 0) {
			fprintf(stderr, "table order: '%s' predicted where the catalog has '%s'\n",
			    pred->tables[i]->name, scratch->tables[i]->name);
			abort();
		}
		if (unsure[i])
			continue;
		a = dump_table(pred->tables[i]);
		b = dump_table(scratch->tables[i]);
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "a table predicted for sure differs from the catalog's:\n"
			    "predicted:\n%s\nscratch:\n%s\nmanifest:\n%.*s\n", a, b, (int)size, (const char *)data);
			abort();
		}
		free(a);
		free(b);
	}
done:
	free(unsure);
	mig_schema_free(scratch);
	mig_schema_free(pred);
	mig_schema_free(m);
	mig_error_clear();
	return 0;
}
