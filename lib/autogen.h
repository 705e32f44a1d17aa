/*
 * autogen.h — comparing the manifest with a live database: the pipeline behind `migrate`,
 * `check` and `revision --autogenerate`.
 *
 * Like is compared with like: the manifest is rendered as DDL into a scratch database of the same
 * engine (an in-memory SQLite database; on PostgreSQL a temporary schema inside a transaction that
 * is rolled back) and introspected by the same code that reads the live database. The differ then
 * sees two catalogs, and the catalog's own spellings (VARCHAR(64), defaults in parentheses) never
 * show up as false changes. The manifest as loaded is kept for what the catalog cannot hold
 * (renamed_from hints). Running the whole manifest through a scratch database on every `check`
 * would cost what executing its DDL costs, so the catalog's form is first predicted
 * (mig_autogen_predict()) and only the tables the prediction is unsure of, or finds changed, go
 * through the scratch database.
 */
#ifndef MIG_AUTOGEN_H
#define MIG_AUTOGEN_H

#include "cfg.h"
#include "db.h"
#include "schema.h"

struct mig_manifest_job;

struct mig_autogen {
	struct mig_schema *manifest; /* as loaded: portable types, hints */
	struct mig_schema *live;     /* the database (empty when there is none yet) */
	struct mig_schema *wanted;   /* the manifest as the database would store it */
	struct mig_diff diff;        /* live -> wanted */
	bool exact;                  /* in: every table through the scratch database, none predicted */
	struct mig_manifest_job *job; /* private: the manifest loading in the background */
};

/*
 * Optional: starts loading cfg->manifest on a thread of its own, so that it overlaps opening and
 * reading the database; mig_autogen_compare() then waits for it. a must be zeroed first; cfg must
 * outlive the load. Without threads (or if one cannot start), compare loads it itself.
 */
void mig_autogen_prefetch(struct mig_autogen *a, const struct mig_config *cfg);

/*
 * Loads cfg->manifest (or takes the prefetched one), introspects db (NULL: an empty database of
 * that dialect) and diffs. Manifest errors are MIG_EPARSE with file:line:column.
 */
int mig_autogen_compare(struct mig_autogen *out, struct mig_db *db, enum mig_dialect d,
    const struct mig_config *cfg);
/* The up and down scripts for the difference. */
int mig_autogen_render(const struct mig_autogen *a, enum mig_dialect d, struct mig_buf *up,
    struct mig_buf *down);
void mig_autogen_release(struct mig_autogen *a);

/*
 * The schema the dialect's catalog would print for manifest m, predicted without a database:
 * types in the catalog's spelling, catalog order, the names the database would give. *unsure
 * (malloc'd, one flag per table of *out, in its order) marks the tables whose catalog form cannot
 * be predicted for certain (expressions PostgreSQL rewrites, database types passed through): those
 * must go through a scratch database. target_schema is mig.yaml's schema: (may be NULL). *out
 * borrows m's strings (mig_schema_borrow_table()): m must outlive it.
 */
int mig_autogen_predict(struct mig_schema **out, bool **unsure, const struct mig_schema *m,
    enum mig_dialect d, const char *target_schema);

/* Renders schema s (portable types) into a fresh in-memory SQLite database and introspects it. */
int mig_sqlite_scratch(struct mig_schema **out, const struct mig_schema *s);

/* The same on PostgreSQL, in a temporary schema inside a transaction that is rolled back. */
int mig_pg_scratch(struct mig_schema **out, struct mig_db *db, const struct mig_schema *s,
    const char *target_schema);

#endif
