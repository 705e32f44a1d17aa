/*
 * sqlite_ddl_parse.h — reading the facts SQLite's catalog does not expose from the CREATE TABLE
 * and CREATE INDEX text kept in sqlite_schema.
 *
 * The pragma functions give columns, indexes and foreign keys, but not constraint names, CHECK
 * expressions, AUTOINCREMENT, DEFERRABLE, or the text of index expressions and partial-index
 * predicates. These parsers recover exactly those from the stored SQL. They are not a general SQL
 * parser: they follow the structure of the two statements at the top level and hand back raw
 * source slices (trimmed) for expressions. They accept any input without crashing (they are
 * fuzzed) and return MIG_EPARSE for text that is not the statement they expect.
 *
 * They also read what the pragmas report (each column's declared type, NOT NULL and DEFAULT text
 * as SQLite normalises them, and which index terms are plain columns), so that introspection can
 * skip the pragmas, which prepare a statement per table and per index. That reading is strict:
 * `exact` is set only when every element of the statement has a form whose meaning in SQLite's
 * grammar is certain; anything unusual clears it, and the caller asks the pragmas instead.
 *
 * Ownership: each result owns its strings through its own arena; release it with the matching
 * _release() (safe on a zeroed or failed result).
 */
#ifndef MIG_SQLITE_DDL_PARSE_H
#define MIG_SQLITE_DDL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A CHECK constraint, table-level or column-level (column is then the column's name). */
struct mig_ddl_check {
	const char *name;         /* CONSTRAINT name; NULL when unnamed */
	const char *expr;         /* the text inside CHECK ( ... ), trimmed, verbatim */
	const char *column;       /* NULL for a table constraint */
};

/* A UNIQUE constraint; a column-level UNIQUE has that one column. */
struct mig_ddl_unique {
	const char *name;
	const char **columns;
	size_t ncolumns;
};

/* A FOREIGN KEY constraint or a column-level REFERENCES clause. */
struct mig_ddl_fk {
	const char *name;
	const char **columns;
	size_t ncolumns;
	const char *ref_table;
	const char **ref_columns;  /* NULL / 0 when the clause names none (the parent's primary key) */
	size_t nref_columns;
	const char *on_delete;     /* upper case as written ("SET NULL"); NULL when absent */
	const char *on_update;
	bool deferrable;           /* DEFERRABLE (not NOT DEFERRABLE) */
	bool initially_deferred;
};

/*
 * A column as pragma table_xinfo reports it; meaningful only when the table's exact is set.
 * type follows SQLite's rules: the declared type text as written (inner comments included), or
 * the standard name in upper case ("INTEGER", "TEXT", ...) when it is one; "" when none.
 */
struct mig_ddl_coldef {
	const char *type;
	const char *dflt;          /* DEFAULT expression text (SQLite's span rules); NULL when none */
	bool notnull;              /* NOT NULL declared */
	bool generated;            /* GENERATED ALWAYS AS / AS: no default is reported */
};

struct mig_ddl_table {
	struct mig_arena arena;
	const char *name;          /* unquoted */
	bool is_virtual;           /* CREATE VIRTUAL TABLE: nothing else is parsed */
	bool is_select;            /* CREATE TABLE ... AS SELECT: no constraints */
	bool without_rowid;
	bool strict;
	const char *pk_name;       /* CONSTRAINT name of the PRIMARY KEY; NULL when unnamed */
	const char **pk_columns;   /* as declared, column-level or table-level */
	size_t npk_columns;
	bool pk_desc;              /* column-level PRIMARY KEY DESC (not a rowid alias) */
	const char *autoincrement; /* the column declared PRIMARY KEY AUTOINCREMENT; NULL if none */
	const char **columns;      /* column names in order, unquoted */
	struct mig_ddl_coldef *defs; /* parallel to columns */
	size_t ncolumns;
	/*
	 * Every element is in the strict grammar: defs are what pragma table_xinfo reports, and key,
	 * UNIQUE and foreign key lists hold plain names. Whether those name columns, and whether
	 * SQLite folds one key into another (same columns), is for the caller to check.
	 */
	bool exact;
	struct mig_ddl_check *checks;
	size_t nchecks;
	struct mig_ddl_unique *uniques;
	size_t nuniques;
	struct mig_ddl_fk *fks;
	size_t nfks;
	/* private */
	size_t cap_checks, cap_uniques, cap_fks, cap_columns, cap_defs;
};

/*
 * Parses a CREATE TABLE statement as SQLite stores it. Returns 0, or MIG_EPARSE with a message
 * naming the offset of the problem.
 */
int mig_sqlite_parse_create_table(struct mig_ddl_table *out, const char *sql);
void mig_ddl_table_release(struct mig_ddl_table *t);

struct mig_ddl_index {
	struct mig_arena arena;
	const char *name;
	const char *table;
	bool unique;
	const char **entries;      /* each indexed term's text, trimmed, ASC/DESC removed */
	const char **names;        /* parallel: the name when the term is a bare name (COLLATE allowed,
	                              it may or may not be a column); NULL for an expression */
	size_t nentries;
	bool exact;                /* every term is a bare name or certainly an expression */
	const char *where;         /* partial index predicate, trimmed; NULL when none */
	/* private */
	size_t cap_entries, cap_names;
};

int mig_sqlite_parse_create_index(struct mig_ddl_index *out, const char *sql);
void mig_ddl_index_release(struct mig_ddl_index *x);

/* ASCII case-insensitive equality, the way SQLite compares identifiers. */
bool mig_sqlite_ident_eq(const char *a, const char *b);

#endif
