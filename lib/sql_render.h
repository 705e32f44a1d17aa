/*
 * sql_render.h — the schema model and the differ's operations as SQL text, per dialect.
 *
 * Two jobs. sql_ddl.c renders whole objects: CREATE TABLE (columns, keys, constraints) followed by
 * its indexes, and a whole schema in dependency order (used to load the manifest into a scratch
 * database that is then introspected, so that the manifest and the live database are compared
 * through the same catalog code). sql_ops.c renders a diff as an up script and a down script
 * together: the down script is built from the inverse of each operation, in reverse order, by the
 * same code, so the two directions cannot drift apart. sql_sqlite.c holds what SQLite needs on top:
 * which changes ALTER TABLE can make in place on the linked library, and the table rebuild for the
 * others.
 *
 * Script format. Each operation is preceded by a line `-- Detected <description>`
 * (mig_op_describe(); for the down script, the description of the inverse operation); an
 * operation that loses data also gets a line `-- mig:destructive`. Statements end with ";\n";
 * operations are separated by a blank line.
 *
 * SQLite table rebuilds. Changes SQLite cannot make with ALTER TABLE (a column's type, NOT NULL or
 * default; adding or dropping a primary key, unique, check or foreign key constraint; adding a
 * NOT NULL column without a default; dropping a column that a key or index uses, or any change
 * the linked SQLite is too old for) are made by rebuilding the table, once per table however many
 * operations touch it, after the last of them:
 *
 *     CREATE TABLE "_mig_new_t" (...the new definition...);
 *     INSERT INTO "_mig_new_t" (cols) SELECT cols FROM "t";   -- renamed columns carry their data
 *     DROP TABLE "t";
 *     PRAGMA legacy_alter_table = ON;  ALTER TABLE "_mig_new_t" RENAME TO "t";  ... = OFF;
 *     CREATE INDEX ... / CREATE TRIGGER ...                   -- the table's indexes and triggers
 *
 * Every row is copied as stored (no CAST, so no value is altered by a type change; SQLite applies
 * the new column affinity as usual). A new column takes its DEFAULT; a new NOT NULL column without
 * a default makes the INSERT fail when the table has rows, and a column that becomes NOT NULL
 * fails the same way while it holds NULLs: the script says so in a comment, and the run rolls
 * back, as ALTER COLUMN SET NOT NULL would on PostgreSQL. AUTOINCREMENT's high-water mark in
 * sqlite_sequence is carried over. The rename runs with legacy_alter_table on so that SQLite does
 * not check or rewrite views and triggers that name the table (they still name it, and see the new
 * table afterwards); this is what keeps views working without dropping and recreating them from
 * possibly stale text. The table's own triggers disappear with DROP TABLE and are recreated from
 * the schemas' extras. Renames (of the table, or of columns on SQLite >= 3.25) run natively before
 * the rebuild so that SQLite rewrites the views and triggers that use the old names.
 *
 * Foreign keys during a rebuild. DROP TABLE on a referenced table with foreign_keys on would
 * delete (or cascade into) the referencing rows, and SQLite ignores PRAGMA foreign_keys inside a
 * transaction. So a script that rebuilds carries the marker line MIG_SQL_FK_OFF_MARKER: the
 * executor (run.c) switches foreign keys off before its transaction, runs PRAGMA
 * foreign_key_check before committing (failing the run if it reports rows) and switches them back
 * on. No cascade fires and every row is kept. The marker is the script's last line rather than
 * its first: in a revision file, `-- mig:` lines before the first statement belong to the header
 * (rev_header.c), whose parser refuses keys it does not know; run.c finds it anywhere in the body.
 *
 * Types. The CREATE functions take portable_types: true renders each column type through
 * mig_type_render() (manifest types such as "string(64)" or "enum(genderenum)"; on SQLite an enum
 * column also gets a table-level unnamed CHECK ("col" IN ('A', 'B')) from mig_type_render_check(),
 * so that the database rejects other labels the way PostgreSQL's enum type does); false writes
 * the types verbatim (catalog spellings). A diff compares two introspected schemas, so its types
 * are native unless the options say otherwise.
 *
 * Ownership: nothing here keeps a pointer past the call; output is appended to the caller's
 * buffers. On error the buffers may hold partial output.
 */
#ifndef MIG_SQL_RENDER_H
#define MIG_SQL_RENDER_H

#include <stdbool.h>

#include "cfg.h"
#include "schema.h"
#include "util.h"

/* The last line of a script that rebuilds a SQLite table (see above). */
#define MIG_SQL_FK_OFF_MARKER "-- mig:foreign_keys off"
/* Marks the operation below it as one that loses data. */
#define MIG_SQL_DESTRUCTIVE_MARKER "-- mig:destructive"
/* The name prefix of the table a SQLite rebuild fills before renaming it. */
#define MIG_SQL_REBUILD_PREFIX "_mig_new_"

/*
 * Appends CREATE TABLE t (columns, primary key, foreign keys, unique and check constraints) and
 * one CREATE [UNIQUE] INDEX per index. s supplies enum declarations for portable types (may be
 * NULL when none is used). Returns 0, or the error of mig_type_render() (an undeclared enum).
 */
int mig_sql_create_table(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_schema *s, bool portable_types);

/*
 * Appends the whole schema: enum types (PostgreSQL), tables with their indexes in dependency order
 * (a referenced table before the tables that reference it; declaration order otherwise), then the
 * extras (views, then triggers) verbatim. Foreign keys inside a cycle are added on PostgreSQL
 * after all tables exist (ALTER TABLE ADD CONSTRAINT); SQLite does not check references when a
 * table is created, so it keeps them inline.
 */
int mig_sql_create_schema(struct mig_buf *b, enum mig_dialect d, const struct mig_schema *s,
    bool portable_types);

struct mig_render_opts {
	/*
	 * The SQLite version the scripts are written for, as SQLITE_VERSION_NUMBER (3035000 for
	 * 3.35.0): it decides which ALTER TABLE forms are used. 0: the linked library's.
	 */
	int sqlite_version;
	/* Column types in the diff's schemas are portable (manifest) types; see the CREATE functions. */
	bool portable_types;
};

/*
 * Appends the up script for diff (from -> to) to up and the down script (to -> from) to down.
 * from and to are the schemas the diff was computed from; they supply the extras (triggers) a
 * SQLite rebuild recreates and the columns an enum change touches. Returns 0; MIG_EUSAGE when an
 * operation cannot be rendered on the dialect (a nameless constraint PostgreSQL cannot drop, a
 * rebuild that would recreate a trigger with text made stale by a rename in the same script), with
 * a message naming the object; or the error of mig_type_render().
 */
int mig_sql_render_diff(struct mig_buf *up, struct mig_buf *down, enum mig_dialect d,
    const struct mig_diff *diff, const struct mig_schema *from, const struct mig_schema *to);
/* The same with options; o may be NULL (the defaults). */
int mig_sql_render_diff_opts(struct mig_buf *up, struct mig_buf *down, enum mig_dialect d,
    const struct mig_diff *diff, const struct mig_schema *from, const struct mig_schema *to,
    const struct mig_render_opts *o);

/* ---- private to sql_ddl.c, sql_ops.c and sql_sqlite.c ---- */

/* What mig_sql_table_def() writes. */
enum {
	MIG_DEF_INLINE_FKS = 1,   /* foreign keys inside CREATE TABLE (else the caller adds them) */
};

/*
 * Appends CREATE TABLE name (...) for t's definition under another name (the rebuild's
 * "_mig_new_t"; NULL: t's own name), without indexes, ending ";\n". skip_fks, when not NULL, marks
 * (per t->fks[i]) foreign keys left out for the caller to add later.
 */
int mig_sql_table_def(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const char *name, const struct mig_schema *s, bool portable_types, const bool *skip_fks);
/* Appends one column definition ("name" TYPE [NOT NULL] [DEFAULT ...]) as ADD COLUMN needs it. */
int mig_sql_column_def(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types);
/* Appends CREATE [UNIQUE] INDEX for x on table t, ending ";\n". */
void mig_sql_create_index(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_index *x);
/* Appends a trigger's or view's stored statement, ending ";\n". */
void mig_sql_extra(struct mig_buf *b, const struct mig_extra *x);
/* Appends the body of a FOREIGN KEY / UNIQUE constraint (after any CONSTRAINT name). */
void mig_sql_fk_clause(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_fk *fk);
void mig_sql_column_list(struct mig_buf *b, enum mig_dialect d, const char *const *cols, size_t n);
/* Appends the DEFAULT expression as the dialect accepts it (SQLite: parenthesised unless a literal). */
void mig_sql_default(struct mig_buf *b, enum mig_dialect d, const char *expr);
/* A literal SQLite accepts in ALTER TABLE ADD COLUMN ... DEFAULT (not CURRENT_*, not an expression). */
bool mig_sql_default_is_constant(const char *expr);
/* t's name, schema-qualified on PostgreSQL. */
void mig_sql_table_name(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t);
/* True when word occurs in text as a whole identifier (ASCII case-insensitive, quoted or bare). */
bool mig_sql_mentions(const char *text, const char *word);

/* The state one script is rendered from (one per direction). */
struct mig_render {
	enum mig_dialect d;
	int sqlite_version;
	bool portable_types;
	const struct mig_op *ops;     /* this direction's operations, in execution order */
	size_t nops;
	const struct mig_schema *from, *to; /* the schemas before and after this script */
	struct mig_buf *out;
	/* SQLite plan, filled by mig_sqlite_plan(): */
	bool *absorbed;               /* per op: made by its table's rebuild, not on its own */
	long *rebuild_after;          /* per op: the op whose table is rebuilt right after it, or -1 */
	bool fk_off;                  /* the script rebuilds: it needs MIG_SQL_FK_OFF_MARKER */
};

/* The comment lines of one operation (Detected, and the destructive marker). */
void mig_render_comment(struct mig_render *r, const struct mig_op *op);
/* A comment line of the renderer's own ("-- " fmt); newlines in names become spaces. */
void mig_render_note(struct mig_render *r, const char *fmt, ...) MIG_PRINTF(2, 3);
/* True when op's table is created (or dropped) by this same script, so the CREATE TABLE (or DROP
 * TABLE) already covers it. */
bool mig_render_covered(const struct mig_op *op);

/* sql_sqlite.c: decides, per operation, in-place ALTER or rebuild. */
int mig_sqlite_plan(struct mig_render *r);
/* sql_sqlite.c: appends the rebuild of the table of r->ops[i] (with its operations' comments). */
int mig_sqlite_rebuild(struct mig_render *r, size_t i);
/* The linked SQLite's version number. */
int mig_sqlite_linked_version(void);

#endif
