/*
 * fuzz_sqlite_ddl.c — libFuzzer target for the CREATE TABLE / CREATE INDEX parsers that SQLite
 * introspection uses (lib/sqlite_ddl_parse.c).
 *
 * The text in sqlite_schema is whatever the database's author wrote, and mig is pointed at
 * databases it did not create, so the parsers must take any text. Each input (made a C string at
 * its first NUL) goes through both parsers; every string a successful parse hands back is read
 * in full so that AddressSanitizer catches a result pointing outside its arena, and the counts
 * must agree with the arrays.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_ddl_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s);
static size_t touch_list(const char *const *list, size_t n);
static void check_table(const struct mig_ddl_table *t);
static void check_index(const struct mig_ddl_index *x);

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
	free(sql);
	return 0;
}
