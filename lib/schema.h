/*
 * schema.h — the dialect-neutral schema model and the differ's operations.
 *
 * Every source of schema fills the same structs: the manifest loader (man_*.c, portable types as
 * written), and each driver's introspection (db_*_introspect.c, types as the catalog prints them).
 * The differ (schema_diff.c) is a pure function from two models to a list of operations; the
 * renderers (sql_*.c) turn operations into SQL per dialect, up and down together.
 *
 * Ownership: a struct mig_schema owns everything reachable from it through one arena; a diff owns
 * its operations (its own arena) and borrows tables/columns from the two schemas it compares, which
 * must outlive it. Shorthands of the manifest (column `unique:`, `index:`, `references:`,
 * `primary_key:`) are expanded by the loader into the table-level lists below, so consumers see one
 * canonical form: pk[] for the primary key, indexes[] for indexes, uniques[] for unique constraints,
 * fks[] for foreign keys.
 */
#ifndef MIG_SCHEMA_H
#define MIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "util.h"

struct mig_column {
	const char *name;
	const char *type;         /* manifest: portable ("string(64)", "enum(genderenum)", "text[]");
	                             catalog: the database's spelling ("VARCHAR(64)") */
	bool nullable;
	const char *default_sql;  /* server default as an SQL expression; NULL when none */
	bool autoincrement;       /* SQLite AUTOINCREMENT / PostgreSQL identity or serial */
	bool autoincrement_auto;  /* manifest: implied (SQLAlchemy's "auto"), not written: SQLite
	                             then uses its rowid key without the AUTOINCREMENT keyword */
	const char *comment;      /* NULL when none */
	const char *renamed_from; /* manifest hint; NULL otherwise */
	int line;                 /* manifest line (0 when from a catalog) */
};

struct mig_index {
	const char *name;
	const char **columns;     /* column names, or expressions when expr[i] */
	bool *expr;               /* NULL when every entry is a plain column */
	size_t ncolumns;
	bool unique;
	const char *where;        /* partial index predicate; NULL when none */
	const char *renamed_from;
	int line;
};

/* A named UNIQUE constraint (as opposed to a unique index). */
struct mig_unique {
	const char *name;         /* may be NULL for an unnamed SQLite constraint */
	const char **columns;
	size_t ncolumns;
	int line;
};

struct mig_check {
	const char *name;         /* may be NULL for an unnamed SQLite constraint */
	const char *expr;         /* the expression inside CHECK ( ... ) */
	int line;
};

struct mig_fk {
	const char *name;         /* may be NULL for an unnamed SQLite constraint */
	const char **columns;
	size_t ncolumns;
	const char *ref_table;
	const char **ref_columns;
	const char *on_delete;    /* "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT"; NULL = NO ACTION */
	const char *on_update;
	bool deferrable;
	bool initially_deferred;
	int line;
};

struct mig_table {
	const char *name;
	const char *schema;       /* PostgreSQL schema; NULL: the default */
	struct mig_column **columns;
	size_t ncolumns;
	const char **pk;          /* primary key columns in key order; npk == 0 when none */
	size_t npk;
	const char *pk_name;      /* NULL when unnamed / default */
	struct mig_index **indexes;
	size_t nindexes;
	struct mig_unique **uniques;
	size_t nuniques;
	struct mig_check **checks;
	size_t nchecks;
	struct mig_fk **fks;
	size_t nfks;
	const char *comment;
	const char *renamed_from;
	const char *options;      /* SQLite: the table options after the column list of its CREATE TABLE
	                             ("WITHOUT ROWID", "STRICT"), kept by a rebuild; NULL when none */
	int line;
	/* private: capacities of the arrays above */
	size_t cap_columns, cap_indexes, cap_uniques, cap_checks, cap_fks, cap_pk;
};

struct mig_enum {
	const char *name;
	const char *schema;
	const char **labels;      /* in sort order */
	size_t nlabels;
	int line;
	size_t cap_labels;
};

/* Other objects a rebuild must recreate (SQLite triggers and views), kept verbatim. */
struct mig_extra {
	const char *kind;         /* "trigger" or "view" */
	const char *name;
	const char *table;        /* the table a trigger is on; NULL for a view */
	const char *sql;
};

struct mig_schema {
	struct mig_arena arena;
	struct mig_table **tables;  /* in declaration (manifest) or catalog (name) order */
	size_t ntables;
	struct mig_enum **enums;
	size_t nenums;
	struct mig_extra **extras;
	size_t nextras;
	/* private */
	struct mig_map by_name;
	size_t cap_tables, cap_enums, cap_extras;
};

struct mig_schema *mig_schema_new(void);
void mig_schema_free(struct mig_schema *s);

/* Builders: each returns a zeroed object added at the end of its list (strings copied to the arena). */
struct mig_table *mig_schema_add_table(struct mig_schema *s, const char *name);
struct mig_enum *mig_schema_add_enum(struct mig_schema *s, const char *name);
void mig_enum_add_label(struct mig_schema *s, struct mig_enum *e, const char *label);
struct mig_extra *mig_schema_add_extra(struct mig_schema *s, const char *kind, const char *name,
    const char *table, const char *sql);
struct mig_column *mig_table_add_column(struct mig_schema *s, struct mig_table *t, const char *name);
void mig_table_add_pk(struct mig_schema *s, struct mig_table *t, const char *column);
struct mig_index *mig_table_add_index(struct mig_schema *s, struct mig_table *t, const char *name);
struct mig_unique *mig_table_add_unique(struct mig_schema *s, struct mig_table *t, const char *name);
struct mig_check *mig_table_add_check(struct mig_schema *s, struct mig_table *t, const char *name);
struct mig_fk *mig_table_add_fk(struct mig_schema *s, struct mig_table *t, const char *name);
/* Appends to a string list kept in the arena (grows by copying; lists are short). */
void mig_strlist_add(struct mig_schema *s, const char ***list, size_t *n, const char *item);

/*
 * Deep copies into s (strings into its arena): a table with all its columns, keys, indexes and
 * checks, and its foreign keys when with_fks; an enum with its labels.
 */
struct mig_table *mig_schema_copy_table(struct mig_schema *s, const struct mig_table *src, bool with_fks);
struct mig_enum *mig_schema_copy_enum(struct mig_schema *s, const struct mig_enum *src);
/*
 * The same copy of a table (keys included) whose objects are s's own but whose strings and string
 * lists stay src's: src's schema must outlive s, and s's copy may point its fields elsewhere but
 * must not write into the borrowed strings. For a model derived from another one, in bulk.
 */
struct mig_table *mig_schema_borrow_table(struct mig_schema *s, const struct mig_table *src);

/*
 * Appends every field of every enum and table, one object per line in model order, manifest
 * lines included when with_lines: two models that dump alike are the same model. For tests and
 * debugging.
 */
void mig_schema_dump(struct mig_buf *b, const struct mig_schema *s, bool with_lines);
/* The same for one table and what it holds. */
void mig_table_dump(struct mig_buf *b, const struct mig_table *t, bool with_lines);

struct mig_table *mig_schema_find_table(const struct mig_schema *s, const char *name);
struct mig_enum *mig_schema_find_enum(const struct mig_schema *s, const char *name);
struct mig_column *mig_table_find_column(const struct mig_table *t, const char *name);
struct mig_index *mig_table_find_index(const struct mig_table *t, const char *name);

/* ---- the differ ---- */

enum mig_op_kind {
	MIG_OP_CREATE_ENUM,
	MIG_OP_ALTER_ENUM,        /* labels changed: enum_old -> enum_new */
	MIG_OP_DROP_ENUM,
	MIG_OP_CREATE_TABLE,
	MIG_OP_RENAME_TABLE,
	MIG_OP_DROP_TABLE,
	MIG_OP_ADD_COLUMN,
	MIG_OP_RENAME_COLUMN,
	MIG_OP_DROP_COLUMN,
	MIG_OP_ALTER_COLUMN,      /* type, nullability and/or default: col_old -> col_new */
	MIG_OP_ALTER_PK,
	MIG_OP_ADD_INDEX,
	MIG_OP_RENAME_INDEX,
	MIG_OP_DROP_INDEX,
	MIG_OP_ADD_UNIQUE,
	MIG_OP_DROP_UNIQUE,
	MIG_OP_ADD_FK,
	MIG_OP_DROP_FK,
	MIG_OP_ADD_CHECK,
	MIG_OP_DROP_CHECK,
	MIG_OP_TABLE_COMMENT,
	MIG_OP_COLUMN_COMMENT,
};

/* What changed in an ALTER_COLUMN. */
enum {
	MIG_ALTER_TYPE = 1,
	MIG_ALTER_NULLABLE = 2,
	MIG_ALTER_DEFAULT = 4,
	MIG_ALTER_AUTOINCREMENT = 8,
};

/*
 * One operation. table_old / table_new are the whole table on each side (either may be NULL for a
 * create / drop), so a renderer that must rebuild a table (SQLite) has both definitions. The
 * object fields used depend on the kind; the others are NULL.
 */
struct mig_op {
	enum mig_op_kind kind;
	const struct mig_table *table_old, *table_new;
	const struct mig_column *col_old, *col_new;
	const struct mig_index *idx_old, *idx_new;
	const struct mig_unique *uq_old, *uq_new;
	const struct mig_fk *fk_old, *fk_new;
	const struct mig_check *ck_old, *ck_new;
	const struct mig_enum *enum_old, *enum_new;
	int alter;                /* MIG_ALTER_* bits for ALTER_COLUMN */
	bool destructive;         /* drops data: marked `-- mig:destructive` and warned about */
};

struct mig_diff {
	struct mig_op *ops;       /* in execution order for the up direction */
	size_t nops;
	/* Human notes that are not operations: "possible rename ... (add renamed_from to confirm)". */
	const char **notes;
	size_t nnotes;
	struct mig_arena arena;
	size_t cap_ops;
};

/*
 * Compares the database's schema (from) with the wanted one (to). hints is the manifest as loaded
 * (for renamed_from; may be NULL). Both from and to must come from the same introspection code so
 * that like is compared with like; remaining textual differences that databases rewrite (case of
 * keywords, parentheses around defaults, type aliases) are normalised. Operations are ordered by
 * dependency: enums and parent tables created before the tables that use them, dropped after.
 */
int mig_schema_diff(struct mig_diff *out, const struct mig_schema *from, const struct mig_schema *to,
    const struct mig_schema *hints);
void mig_diff_release(struct mig_diff *d);

/* Appends the Alembic-style description of op: "added table 'post'", "added index 'ix_post_timestamp' on '['timestamp']'". */
void mig_op_describe(struct mig_buf *b, const struct mig_op *op);

#endif
