/*
 * difftime.c — the schema differ alone, in process, for the near-linearity figures.
 *
 * `mig check` spends most of its time building the manifest's schema (a scratch database) and
 * introspecting; the differ's own cost disappears in that total, yet the issue asks that it be
 * near-linear (hash lookups, no quadratic scans). This helper introspects an SQLite database
 * twice through libmig and times mig_schema_diff() between the two models — every table, column,
 * index and key compared, no change found, the in-sync `mig check` case — so bench/run.sh can show
 * the differ's time per table at 100, 1,000 and 5,000 tables.
 *
 *     difftime DB REPS   prints "INTROSPECT_MS DIFF_MS OPERATIONS" (best of REPS runs each)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "introspect.h"
#include "schema.h"

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct mig_schema *from = NULL, *to = NULL;
	double t, best_intro = -1, best_diff = -1;
	size_t nops = 0;
	sqlite3 *db = NULL;
	long reps, i;

	if (argc != 3 || (reps = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: difftime DB REPS\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "difftime: %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	for (i = 0; i < reps; i++) {
		struct mig_diff d;

		mig_schema_free(from);
		mig_schema_free(to);
		from = to = NULL;
		t = now_ms();
		if (mig_sqlite_introspect(&from, db, "mig_version") < 0) {
			fprintf(stderr, "difftime: %s\n", mig_error_msg());
			return 1;
		}
		t = now_ms() - t;
		if (best_intro < 0 || t < best_intro)
			best_intro = t;
		if (mig_sqlite_introspect(&to, db, "mig_version") < 0) {
			fprintf(stderr, "difftime: %s\n", mig_error_msg());
			return 1;
		}
		t = now_ms();
		if (mig_schema_diff(&d, from, to, NULL) < 0) {
			fprintf(stderr, "difftime: %s\n", mig_error_msg());
			return 1;
		}
		t = now_ms() - t;
		if (best_diff < 0 || t < best_diff)
			best_diff = t;
		nops = d.nops;
		mig_diff_release(&d);
	}
	printf("%.3f %.3f %zu\n", best_intro, best_diff, nops);
	mig_schema_free(from);
	mig_schema_free(to);
	sqlite3_close(db);
	return 0;
}
