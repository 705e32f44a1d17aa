/*
 * fuzz_sqlite_ddl.c — libFuzzer target for the CREATE TABLE / CREATE INDEX parsers that SQLite
 * introspection uses (lib/sqlite_ddl_parse.c).
 *
 * The text in sqlite_schema is whatever the database's author wrote, and mig is pointed at
 * databases it did not create, so the parsers must take any text. Each input (made a C string at
 * its first NUL) goes through both parsers; every string a successful parse hands back is read
 * in full so that AddressSanitizer catches a result pointing outside its arena, and the counts
 * must agree with the arrays (the strict pass's column definitions and index term names are
 * parallel to the columns and terms).
 *
 * Then the differential part: when SQLite itself accepts the input as CREATE TABLE / CREATE INDEX
 * statements, the database is introspected from the statements (where the parser is certain) and
 * from SQLite's pragmas, and the two models must be the same (same_model() aborts on the first
 * difference). SQLite's own parser is the oracle for what the text means.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "introspect.h"
#include "schema.h"
#include "sqlite_ddl_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s);
static size_t touch_list(const char *const *list, size_t n);
static void check_table(const struct mig_ddl_table *t);
static void check_index(const struct mig_ddl_index *x);
static void same_str(const char *a, const char *b);
static void same_list(const char *const *a, const char *const *b, size_t n);
static void same_model(const struct mig_schema *a, const struct mig_schema *b);
static void differential(const char *sql);

/* Reads s to its end; a NULL string is allowed and reads nothing. */
static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t
touch_list(const char *const *list, size_t n)
{
	size_t i, sum = 0;

	if (n > 0 && list == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (list[i] == NULL)
			abort();
		sum += touch(list[i]);
	}
	return sum;
}

static void
check_table(const struct mig_ddl_table *t)
{
	size_t i;

	if (t->name == NULL)
		abort();
	touch(t->name);
	touch(t->pk_name);
	touch(t->autoincrement);
	touch_list(t->pk_columns, t->npk_columns);
	touch_list(t->columns, t->ncolumns);
	if (t->ncolumns > 0 && t->defs == NULL)
		abort();
	for (i = 0; i < t->ncolumns; i++) {
		if (t->defs[i].type == NULL)
			abort();
		touch(t->defs[i].type);
		touch(t->defs[i].dflt);
		if (t->defs[i].generated && t->defs[i].dflt != NULL)
			abort();
	}
	/* Nothing the parser reads without the whole statement's structure can be exact. */
	if (t->exact && (t->is_virtual || t->is_select || t->strict))
		abort();
	for (i = 0; i < t->nchecks; i++) {
		if (t->checks[i].expr == NULL)
			abort();
		touch(t->checks[i].name);
		touch(t->checks[i].expr);
		touch(t->checks[i].column);
	}
	for (i = 0; i < t->nuniques; i++) {
		touch(t->uniques[i].name);
		touch_list(t->uniques[i].columns, t->uniques[i].ncolumns);
	}
	for (i = 0; i < t->nfks; i++) {
		const struct mig_ddl_fk *fk = &t->fks[i];

		if (fk->ref_table == NULL)
			abort();
		touch(fk->name);
		touch(fk->ref_table);
		touch(fk->on_delete);
		touch(fk->on_update);
		touch_list(fk->columns, fk->ncolumns);
		touch_list(fk->ref_columns, fk->nref_columns);
	}
}

static void
check_index(const struct mig_ddl_index *x)
{
	if (x->name == NULL || x->table == NULL)
		abort();
	touch(x->name);
	touch(x->table);
	touch(x->where);
	touch_list(x->entries, x->nentries);
	if (x->nentries > 0 && x->names == NULL)
		abort();
	for (size_t i = 0; i < x->nentries; i++)
		touch(x->names[i]);
}

static void
same_str(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
}

static void
same_list(const char *const *a, const char *const *b, size_t n)
{
	size_t i;

	if ((a == NULL) != (b == NULL))
		abort();
	for (i = 0; a && i < n; i++)
		same_str(a[i], b[i]);
}

static void
same_model(const struct mig_schema *a, const struct mig_schema *b)
{
	size_t i, j, k;

	if (a->ntables != b->ntables || a->nextras != b->nextras)
		abort();
	for (i = 0; i < a->ntables; i++) {
		const struct mig_table *x = a->tables[i], *y = b->tables[i];

		same_str(x->name, y->name);
		same_str(x->pk_name, y->pk_name);
		same_str(x->options, y->options);
		if (x->ncolumns != y->ncolumns || x->npk != y->npk || x->nindexes != y->nindexes ||
		    x->nuniques != y->nuniques || x->nchecks != y->nchecks || x->nfks != y->nfks)
			abort();
		same_list(x->pk, y->pk, x->npk);
		for (j = 0; j < x->ncolumns; j++) {
			const struct mig_column *c = x->columns[j], *d = y->columns[j];

			same_str(c->name, d->name);
			same_str(c->type, d->type);
			same_str(c->default_sql, d->default_sql);
			if (c->nullable != d->nullable || c->autoincrement != d->autoincrement)
				abort();
		}
		for (j = 0; j < x->nindexes; j++) {
			const struct mig_index *p = x->indexes[j], *q = y->indexes[j];

			same_str(p->name, q->name);
			same_str(p->where, q->where);
			if (p->ncolumns != q->ncolumns || p->unique != q->unique || (p->expr == NULL) != (q->expr == NULL))
				abort();
			same_list(p->columns, q->columns, p->ncolumns);
			for (k = 0; p->expr && k < p->ncolumns; k++)
				if (p->expr[k] != q->expr[k])
					abort();
		}
		for (j = 0; j < x->nuniques; j++) {
			same_str(x->uniques[j]->name, y->uniques[j]->name);
			if (x->uniques[j]->ncolumns != y->uniques[j]->ncolumns)
				abort();
			same_list(x->uniques[j]->columns, y->uniques[j]->columns, x->uniques[j]->ncolumns);
		}
		for (j = 0; j < x->nchecks; j++) {
			same_str(x->checks[j]->name, y->checks[j]->name);
			same_str(x->checks[j]->expr, y->checks[j]->expr);
		}
		for (j = 0; j < x->nfks; j++) {
			const struct mig_fk *f = x->fks[j], *g = y->fks[j];

			same_str(f->name, g->name);
			same_str(f->ref_table, g->ref_table);
			same_str(f->on_delete, g->on_delete);
			same_str(f->on_update, g->on_update);
			if (f->ncolumns != g->ncolumns || f->deferrable != g->deferrable ||
			    f->initially_deferred != g->initially_deferred)
				abort();
			same_list(f->columns, g->columns, f->ncolumns);
			same_list(f->ref_columns, g->ref_columns, f->ncolumns);
		}
	}
}

/* The input's CREATE TABLE / CREATE INDEX statements run by SQLite, then read both ways. */
static void
differential(const char *sql)
{
	struct mig_schema *fast = NULL, *ref = NULL;
	const char *tail = sql;
	sqlite3 *db = NULL;
	int ran = 0;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	sqlite3_exec(db, "CREATE TABLE p (id INTEGER PRIMARY KEY, k TEXT UNIQUE)", NULL, NULL, NULL);
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		const char *text;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK || st == NULL) {
			sqlite3_finalize(st);
			break;
		}
		/* Only statements that change nothing but the schema of this in-memory database. */
		text = sqlite3_sql(st);
		if (sqlite3_strnicmp(text, "CREATE TABLE", 12) == 0 || sqlite3_strnicmp(text, "CREATE INDEX", 12) == 0 ||
		    sqlite3_strnicmp(text, "CREATE UNIQUE INDEX", 19) == 0)
			ran += sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	if (ran > 0) {
		int a = mig_sqlite_introspect_ex(&fast, db, NULL, MIG_SQLITE_READ_AUTO, NULL);
		int b = mig_sqlite_introspect_ex(&ref, db, NULL, MIG_SQLITE_READ_PRAGMA, NULL);

		if (a != b)
			abort();
		if (a == 0)
			same_model(fast, ref);
		mig_schema_free(fast);
		mig_schema_free(ref);
		mig_error_clear();
	}
	sqlite3_close(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_ddl_table t;
	struct mig_ddl_index x;
	char *sql = malloc(size + 1);
	size_t half;

	if (sql == NULL)
		return 0;
	memcpy(sql, data, size);
	sql[size] = '\0';

	memset(&t, 0, sizeof(t));
	if (mig_sqlite_parse_create_table(&t, sql) == 0)
		check_table(&t);
	mig_ddl_table_release(&t);

	memset(&x, 0, sizeof(x));
	if (mig_sqlite_parse_create_index(&x, sql) == 0)
		check_index(&x);
	mig_ddl_index_release(&x);
	mig_error_clear();

	/* Identifier comparison must be symmetric and agree with itself. */
	half = strlen(sql) / 2;
	if (!mig_sqlite_ident_eq(sql, sql))
		abort();
	if (mig_sqlite_ident_eq(sql + half, sql) != mig_sqlite_ident_eq(sql, sql + half))
		abort();
	differential(sql);
	free(sql);
	return 0;
}
