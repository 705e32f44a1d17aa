/*
 * test_introspect_sqlite.c — SQLite introspection (db_sqlite_introspect.c) and the CREATE
 * statement parsers behind it (sqlite_ddl_parse.c), against real in-memory databases built by the
 * tests with the DDL a user or a migration would run.
 *
 * Introspection reads a table from its CREATE statements when the parser is certain of their
 * meaning, else from SQLite's pragma functions. Every database these tests introspect is read
 * both ways and the two models must be identical (the oracle, dump_model()); the
 * introspect_sqlite_oracle tests add statements chosen to be hard for the parser, and a few
 * thousand generated ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sqlite3.h>

#include "cfg.h"
#include "db.h"
#include "helpers.h"
#include "introspect.h"
#include "schema.h"
#include "sqlite_ddl_parse.h"

static void dump_str(struct mig_buf *b, const char *label, const char *s);
static void dump_list(struct mig_buf *b, const char *label, const char *const *list, size_t n);
static char *dump_model(const struct mig_schema *s);
static struct mig_schema *introspect_db(sqlite3 *db, const char *skip, size_t *from_ddl);
static struct mig_schema *introspect(const char *ddl, const char *skip);

/* A string as text that tells NULL from "" and shows where it ends. */
static void
dump_str(struct mig_buf *b, const char *label, const char *s)
{
	if (s == NULL)
		mig_buf_printf(b, " %s=NULL", label);
	else
		mig_buf_printf(b, " %s=<%s>", label, s);
}

static void
dump_list(struct mig_buf *b, const char *label, const char *const *list, size_t n)
{
	size_t i;

	if (list == NULL) {
		mig_buf_printf(b, " %s=NULL/%zu", label, n);
		return;
	}
	mig_buf_printf(b, " %s=[", label);
	for (i = 0; i < n; i++)
		mig_buf_printf(b, "%s<%s>", i ? "," : "", list[i] ? list[i] : "(null)");
	mig_buf_puts(b, "]");
}

/* Every field of a model, one object per line: two models are the same when their dumps are. */
static char *
dump_model(const struct mig_schema *s)
{
	struct mig_buf b = MIG_BUF_INIT;
	size_t i, j, k;

	for (i = 0; i < s->ntables; i++) {
		const struct mig_table *t = s->tables[i];

		mig_buf_puts(&b, "table");
		dump_str(&b, "name", t->name);
		dump_str(&b, "schema", t->schema);
		dump_str(&b, "pk_name", t->pk_name);
		dump_list(&b, "pk", t->pk, t->npk);
		dump_str(&b, "comment", t->comment);
		dump_str(&b, "options", t->options);
		mig_buf_putc(&b, '\n');
		for (j = 0; j < t->ncolumns; j++) {
			const struct mig_column *c = t->columns[j];

			mig_buf_puts(&b, "  column");
			dump_str(&b, "name", c->name);
			dump_str(&b, "type", c->type);
			dump_str(&b, "default", c->default_sql);
			mig_buf_printf(&b, " nullable=%d autoinc=%d auto=%d", c->nullable, c->autoincrement,
			    c->autoincrement_auto);
			dump_str(&b, "comment", c->comment);
			mig_buf_putc(&b, '\n');
		}
		for (j = 0; j < t->nindexes; j++) {
			const struct mig_index *x = t->indexes[j];

			mig_buf_puts(&b, "  index");
			dump_str(&b, "name", x->name);
			dump_list(&b, "columns", x->columns, x->ncolumns);
			if (x->expr) {
				mig_buf_puts(&b, " expr=");
				for (k = 0; k < x->ncolumns; k++)
					mig_buf_putc(&b, x->expr[k] ? '1' : '0');
			}
			mig_buf_printf(&b, " unique=%d", x->unique);
			dump_str(&b, "where", x->where);
			mig_buf_putc(&b, '\n');
		}
		for (j = 0; j < t->nuniques; j++) {
			mig_buf_puts(&b, "  unique");
			dump_str(&b, "name", t->uniques[j]->name);
			dump_list(&b, "columns", t->uniques[j]->columns, t->uniques[j]->ncolumns);
			mig_buf_putc(&b, '\n');
		}
		for (j = 0; j < t->nchecks; j++) {
			mig_buf_puts(&b, "  check");
			dump_str(&b, "name", t->checks[j]->name);
			dump_str(&b, "expr", t->checks[j]->expr);
			mig_buf_putc(&b, '\n');
		}
		for (j = 0; j < t->nfks; j++) {
			const struct mig_fk *fk = t->fks[j];

			mig_buf_puts(&b, "  fk");
			dump_str(&b, "name", fk->name);
			dump_list(&b, "columns", fk->columns, fk->ncolumns);
			dump_str(&b, "ref_table", fk->ref_table);
			dump_list(&b, "ref_columns", fk->ref_columns, fk->ref_columns ? fk->ncolumns : 0);
			dump_str(&b, "on_delete", fk->on_delete);
			dump_str(&b, "on_update", fk->on_update);
			mig_buf_printf(&b, " deferrable=%d initially_deferred=%d\n", fk->deferrable,
			    fk->initially_deferred);
		}
	}
	for (i = 0; i < s->nextras; i++) {
		mig_buf_puts(&b, "extra");
		dump_str(&b, "kind", s->extras[i]->kind);
		dump_str(&b, "name", s->extras[i]->name);
		dump_str(&b, "table", s->extras[i]->table);
		dump_str(&b, "sql", s->extras[i]->sql);
		mig_buf_putc(&b, '\n');
	}
	return mig_buf_detach(&b);
}

/*
 * db read both ways: the model from the statements where the parser is certain (returned) and
 * the one from the pragmas alone must be the same. *from_ddl: tables read without the pragmas.
 */
static struct mig_schema *
introspect_db(sqlite3 *db, const char *skip, size_t *from_ddl)
{
	struct mig_schema *fast = NULL, *ref = NULL;
	size_t n = 0;
	char *a, *b;
	int rc;

	rc = mig_sqlite_introspect_ex(&fast, db, skip, MIG_SQLITE_READ_AUTO, &n);
	cr_assert(eq(int, rc, 0), "introspect: %s", mig_error_msg());
	rc = mig_sqlite_introspect_ex(&ref, db, skip, MIG_SQLITE_READ_PRAGMA, NULL);
	cr_assert(eq(int, rc, 0), "introspect with the pragmas: %s", mig_error_msg());
	a = dump_model(fast);
	b = dump_model(ref);
	cr_assert(eq(str, a, b), "the statements and the pragmas disagree");
	free(a);
	free(b);
	mig_schema_free(ref);
	if (from_ddl)
		*from_ddl = n;
	return fast;
}

static struct mig_schema *
introspect(const char *ddl, const char *skip)
{
	struct mig_schema *s = NULL;
	sqlite3 *db = NULL;
	char *err = NULL;
	int rc;

	cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
	rc = sqlite3_exec(db, ddl, NULL, NULL, &err);
	cr_assert(eq(int, rc, SQLITE_OK), "ddl: %s", err ? err : "");
	s = introspect_db(db, skip, NULL);
	sqlite3_close(db);
	return s;
}

static const struct mig_table *
table(const struct mig_schema *s, const char *name)
{
	const struct mig_table *t = mig_schema_find_table(s, name);

	cr_assert(t != NULL, "no table '%s'", name);
	return t;
}

static const struct mig_column *
column(const struct mig_table *t, const char *name)
{
	const struct mig_column *c = mig_table_find_column(t, name);

	cr_assert(c != NULL, "no column '%s.%s'", t->name, name);
	return c;
}

static void
assert_list(const char *const *got, size_t n, const char *const *want, size_t nwant)
{
	size_t i;

	cr_assert(eq(sz, n, nwant), "list length");
	for (i = 0; i < n; i++)
		cr_assert(eq(str, (char *)got[i], (char *)want[i]), "item %zu", i);
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__ }), \
	(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

Test(introspect_sqlite, reads_columns_as_the_catalog_stores_them)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, username varchar( 64 ) NOT NULL,"
	    " score REAL DEFAULT 0.5, nick TEXT DEFAULT 'it''s', created DATETIME DEFAULT CURRENT_TIMESTAMP,"
	    " n INT DEFAULT (1 + 2), flag BOOLEAN NOT NULL DEFAULT 0, blob_col, neg INTEGER DEFAULT -1);",
	    NULL);
	const struct mig_table *t = table(s, "user");

	cr_assert(eq(sz, t->ncolumns, 9));
	cr_assert(eq(str, (char *)t->columns[0]->name, "id"));
	cr_assert(eq(str, (char *)t->columns[8]->name, "neg"));
	cr_assert(eq(str, (char *)column(t, "username")->type, "varchar( 64 )"));
	cr_assert(not(column(t, "username")->nullable));
	cr_assert(column(t, "score")->nullable);
	cr_assert(eq(str, (char *)column(t, "score")->default_sql, "0.5"));
	cr_assert(eq(str, (char *)column(t, "nick")->default_sql, "'it''s'"));
	cr_assert(eq(str, (char *)column(t, "created")->default_sql, "CURRENT_TIMESTAMP"));
	cr_assert(eq(str, (char *)column(t, "n")->default_sql, "1 + 2"));
	cr_assert(eq(str, (char *)column(t, "flag")->default_sql, "0"));
	cr_assert(eq(str, (char *)column(t, "neg")->default_sql, "-1"));
	cr_assert(eq(str, (char *)column(t, "blob_col")->type, ""));
	cr_assert(eq(ptr, (void *)column(t, "blob_col")->default_sql, NULL));
	cr_assert(eq(ptr, (void *)t->options, NULL));
	mig_schema_free(s);
}

Test(introspect_sqlite, reads_the_primary_key_in_key_order)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE pair (a INT, b INT, c TEXT, CONSTRAINT pk_pair PRIMARY KEY (c, a));"
	    "CREATE TABLE plain (x TEXT PRIMARY KEY, y INT);"
	    "CREATE TABLE nokey (x INT);", NULL);
	const struct mig_table *pair = table(s, "pair"), *plain = table(s, "plain");

	assert_list(pair->pk, pair->npk, LIST("c", "a"));
	cr_assert(eq(str, (char *)pair->pk_name, "pk_pair"));
	assert_list(plain->pk, plain->npk, LIST("x"));
	cr_assert(eq(ptr, (void *)plain->pk_name, NULL));
	/* A TEXT primary key of a rowid table can hold NULL in SQLite: reported as it is. */
	cr_assert(column(plain, "x")->nullable);
	cr_assert(eq(sz, table(s, "nokey")->npk, 0));
	mig_schema_free(s);
}

Test(introspect_sqlite, rowid_and_without_rowid_keys_are_not_null)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE a (id INTEGER PRIMARY KEY, v INT);"
	    "CREATE TABLE b (k TEXT, n INT, PRIMARY KEY (k, n)) WITHOUT ROWID;"
	    "CREATE TABLE c (id INT PRIMARY KEY);", NULL);

	cr_assert(not(column(table(s, "a"), "id")->nullable));
	cr_assert(not(column(table(s, "b"), "k")->nullable));
	cr_assert(not(column(table(s, "b"), "n")->nullable));
	/* INT PRIMARY KEY is not the rowid: SQLite lets it hold NULL. */
	cr_assert(column(table(s, "c"), "id")->nullable);
	/* A rebuild repeats the options after the column list. */
	cr_assert(eq(str, (char *)table(s, "b")->options, "WITHOUT ROWID"));
	cr_assert(eq(ptr, (void *)table(s, "a")->options, NULL));
	mig_schema_free(s);
}

Test(introspect_sqlite, detects_autoincrement_from_the_create_statement)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v INT);"
	    "CREATE TABLE b (id integer  primary   key /* c */ autoincrement);"
	    "CREATE TABLE c (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'AUTOINCREMENT');"
	    "CREATE TABLE d (id INTEGER, PRIMARY KEY (id AUTOINCREMENT));", NULL);

	cr_assert(column(table(s, "a"), "id")->autoincrement);
	cr_assert(not(column(table(s, "a"), "v")->autoincrement));
	cr_assert(column(table(s, "b"), "id")->autoincrement);
	cr_assert(not(column(table(s, "c"), "id")->autoincrement));
	cr_assert(not(column(table(s, "d"), "id")->autoincrement));
	mig_schema_free(s);
}

Test(introspect_sqlite, unique_constraints_named_and_unnamed)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE user (id INTEGER PRIMARY KEY,"
	    " email TEXT NOT NULL CONSTRAINT uq_user_email UNIQUE,"
	    " login TEXT UNIQUE, a INT, b INT,"
	    " CONSTRAINT uq_ab UNIQUE (b, a), UNIQUE (a));", NULL);
	const struct mig_table *t = table(s, "user");

	cr_assert(eq(sz, t->nuniques, 4));
	cr_assert(eq(str, (char *)t->uniques[0]->name, "uq_user_email"));
	assert_list(t->uniques[0]->columns, t->uniques[0]->ncolumns, LIST("email"));
	cr_assert(eq(ptr, (void *)t->uniques[1]->name, NULL));
	assert_list(t->uniques[1]->columns, t->uniques[1]->ncolumns, LIST("login"));
	cr_assert(eq(str, (char *)t->uniques[2]->name, "uq_ab"));
	assert_list(t->uniques[2]->columns, t->uniques[2]->ncolumns, LIST("b", "a"));
	cr_assert(eq(ptr, (void *)t->uniques[3]->name, NULL));
	assert_list(t->uniques[3]->columns, t->uniques[3]->ncolumns, LIST("a"));
	/* Their automatic indexes are not indexes of the model. */
	cr_assert(eq(sz, t->nindexes, 0));
	mig_schema_free(s);
}

Test(introspect_sqlite, indexes_plain_unique_partial_and_expression)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, ts DATETIME, uid INT, body TEXT);"
	    "CREATE INDEX ix_post_ts ON post (ts);"
	    "CREATE UNIQUE INDEX ix_post_uid_title ON post (uid, title DESC);"
	    "CREATE INDEX ix_post_recent ON post (ts) WHERE ts > '2020-01-01' AND uid IS NOT NULL;"
	    "CREATE INDEX ix_post_expr ON post (lower(title), uid, substr(body, 1, (2)) COLLATE NOCASE DESC);",
	    NULL);
	const struct mig_table *t = table(s, "post");
	const struct mig_index *x;

	cr_assert(eq(sz, t->nindexes, 4));
	x = mig_table_find_index(t, "ix_post_ts");
	cr_assert(x != NULL);
	assert_list(x->columns, x->ncolumns, LIST("ts"));
	cr_assert(not(x->unique));
	cr_assert(eq(ptr, (void *)x->expr, NULL));
	cr_assert(eq(ptr, (void *)x->where, NULL));

	x = mig_table_find_index(t, "ix_post_uid_title");
	cr_assert(x != NULL);
	cr_assert(x->unique);
	assert_list(x->columns, x->ncolumns, LIST("uid", "title"));

	x = mig_table_find_index(t, "ix_post_recent");
	cr_assert(x != NULL);
	cr_assert(eq(str, (char *)x->where, "ts > '2020-01-01' AND uid IS NOT NULL"));

	x = mig_table_find_index(t, "ix_post_expr");
	cr_assert(x != NULL);
	cr_assert(x->expr != NULL);
	assert_list(x->columns, x->ncolumns, LIST("lower(title)", "uid", "substr(body, 1, (2)) COLLATE NOCASE"));
	cr_assert(x->expr[0]);
	cr_assert(not(x->expr[1]));
	cr_assert(x->expr[2]);
	mig_schema_free(s);
}

Test(introspect_sqlite, foreign_keys_with_actions_names_and_composite_columns)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE user (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE pair (x INT, y INT, PRIMARY KEY (x, y));"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY,"
	    " user_id INT REFERENCES USER ON DELETE CASCADE,"
	    " px INT, py INT, editor INT,"
	    " CONSTRAINT fk_post_pair FOREIGN KEY (px, py) REFERENCES pair (X, y)"
	    "   ON UPDATE SET NULL ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED,"
	    " FOREIGN KEY (editor) REFERENCES user (id) ON DELETE RESTRICT NOT DEFERRABLE,"
	    " FOREIGN KEY (editor) REFERENCES ghost (gid));", NULL);
	const struct mig_table *t = table(s, "post");
	const struct mig_fk *fk;

	cr_assert(eq(sz, t->nfks, 4));
	/* Declaration order, whatever order SQLite numbers them in. */
	fk = t->fks[0];
	cr_assert(eq(ptr, (void *)fk->name, NULL));
	assert_list(fk->columns, fk->ncolumns, LIST("user_id"));
	cr_assert(eq(str, (char *)fk->ref_table, "user"), "the parent's own spelling");
	assert_list(fk->ref_columns, fk->ncolumns, LIST("id"));
	cr_assert(eq(str, (char *)fk->on_delete, "CASCADE"));
	cr_assert(eq(ptr, (void *)fk->on_update, NULL));
	cr_assert(not(fk->deferrable));

	fk = t->fks[1];
	cr_assert(eq(str, (char *)fk->name, "fk_post_pair"));
	assert_list(fk->columns, fk->ncolumns, LIST("px", "py"));
	cr_assert(eq(str, (char *)fk->ref_table, "pair"));
	assert_list(fk->ref_columns, fk->ncolumns, LIST("x", "y"));
	cr_assert(eq(str, (char *)fk->on_update, "SET NULL"));
	cr_assert(eq(ptr, (void *)fk->on_delete, NULL), "NO ACTION is the default");
	cr_assert(fk->deferrable);
	cr_assert(fk->initially_deferred);

	fk = t->fks[2];
	assert_list(fk->columns, fk->ncolumns, LIST("editor"));
	cr_assert(eq(str, (char *)fk->on_delete, "RESTRICT"));
	cr_assert(not(fk->deferrable));

	fk = t->fks[3];
	cr_assert(eq(str, (char *)fk->ref_table, "ghost"), "a missing parent keeps its name");
	assert_list(fk->ref_columns, fk->ncolumns, LIST("gid"));
	mig_schema_free(s);
}

Test(introspect_sqlite, foreign_key_to_a_missing_parent_without_columns)
{
	struct mig_schema *s = introspect("CREATE TABLE c (p INT REFERENCES nowhere);", NULL);
	const struct mig_fk *fk = table(s, "c")->fks[0];

	cr_assert(eq(str, (char *)fk->ref_table, "nowhere"));
	cr_assert(eq(ptr, (void *)fk->ref_columns, NULL));
	mig_schema_free(s);
}

Test(introspect_sqlite, check_constraints_named_unnamed_and_tricky)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE t (\n"
	    "  a INT CHECK (a > 0) -- trailing ) comment, with a comma\n"
	    "    DEFAULT 'CHECK (nope)',\n"
	    "  b TEXT CONSTRAINT ck_b CHECK ( b <> ')' AND b NOT LIKE '%,%' ) NOT NULL,\n"
	    "  \"c\"\"q\" INT,\n"
	    "  /* CHECK (comment) */\n"
	    "  CONSTRAINT ck_nested CHECK ((a + 1) * (a - 1) > length(\"c\"\"q\" || ')')),\n"
	    "  CHECK (b IN ('x', 'y(', ')z')),\n"
	    "  CONSTRAINT [ck br] CHECK (a /* ) */ < 100)\n"
	    ");", NULL);
	const struct mig_table *t = table(s, "t");

	cr_assert(eq(sz, t->nchecks, 5));
	cr_assert(eq(ptr, (void *)t->checks[0]->name, NULL));
	cr_assert(eq(str, (char *)t->checks[0]->expr, "a > 0"));
	cr_assert(eq(str, (char *)t->checks[1]->name, "ck_b"));
	cr_assert(eq(str, (char *)t->checks[1]->expr, "b <> ')' AND b NOT LIKE '%,%'"));
	cr_assert(eq(str, (char *)t->checks[2]->name, "ck_nested"));
	cr_assert(eq(str, (char *)t->checks[2]->expr, "(a + 1) * (a - 1) > length(\"c\"\"q\" || ')')"));
	cr_assert(eq(ptr, (void *)t->checks[3]->name, NULL));
	cr_assert(eq(str, (char *)t->checks[3]->expr, "b IN ('x', 'y(', ')z')"));
	cr_assert(eq(str, (char *)t->checks[4]->name, "ck br"));
	cr_assert(eq(str, (char *)t->checks[4]->expr, "a /* ) */ < 100"));
	cr_assert(eq(str, (char *)column(t, "a")->default_sql, "'CHECK (nope)'"));
	cr_assert(not(column(t, "b")->nullable));
	cr_assert(eq(str, (char *)t->columns[2]->name, "c\"q"));
	mig_schema_free(s);
}

Test(introspect_sqlite, views_and_triggers_are_kept_verbatim_in_creation_order)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, n INT);"
	    "CREATE VIEW zz_first AS SELECT id FROM post;"
	    "CREATE TRIGGER post_touch AFTER UPDATE ON post BEGIN UPDATE post SET n = n + 1 WHERE id = new.id; END;"
	    "CREATE VIEW aa_second AS SELECT * FROM zz_first;"
	    "CREATE TABLE mig_version (version_num TEXT);"
	    "CREATE TRIGGER on_version AFTER INSERT ON mig_version BEGIN SELECT 1; END;",
	    "mig_version");

	cr_assert(eq(sz, s->nextras, 3));
	cr_assert(eq(str, (char *)s->extras[0]->kind, "view"));
	cr_assert(eq(str, (char *)s->extras[0]->name, "zz_first"));
	cr_assert(eq(ptr, (void *)s->extras[0]->table, NULL));
	cr_assert(eq(str, (char *)s->extras[0]->sql, "CREATE VIEW zz_first AS SELECT id FROM post"));
	cr_assert(eq(str, (char *)s->extras[1]->kind, "trigger"));
	cr_assert(eq(str, (char *)s->extras[1]->name, "post_touch"));
	cr_assert(eq(str, (char *)s->extras[1]->table, "post"));
	cr_assert(eq(str, (char *)s->extras[1]->sql,
	    "CREATE TRIGGER post_touch AFTER UPDATE ON post BEGIN UPDATE post SET n = n + 1 WHERE id = new.id; END"));
	cr_assert(eq(str, (char *)s->extras[2]->name, "aa_second"));
	cr_assert(eq(sz, s->ntables, 1), "views are not tables, the version table is left out");
	mig_schema_free(s);
}

Test(introspect_sqlite, leaves_out_version_tables_and_sqlite_internals)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v INT);"
	    "CREATE INDEX ix_a_v ON a (v);"
	    "INSERT INTO a (v) VALUES (1);"
	    "ANALYZE;"
	    "CREATE TABLE Mig_Version (version_num TEXT);"
	    "CREATE TABLE mig_version_history (id TEXT);"
	    "CREATE INDEX ix_hist ON mig_version_history (id);"
	    "CREATE TABLE mig_versionx (id TEXT);"
	    "CREATE TABLE mig_version_history2 (id TEXT);", "mig_version");
	size_t i;

	for (i = 0; i < s->ntables; i++)
		cr_assert(strncmp(s->tables[i]->name, "sqlite_", 7) != 0, "'%s' is internal", s->tables[i]->name);
	cr_assert(eq(sz, s->ntables, 3));
	cr_assert(eq(str, (char *)s->tables[0]->name, "a"));
	cr_assert(eq(str, (char *)s->tables[1]->name, "mig_version_history2"));
	cr_assert(eq(str, (char *)s->tables[2]->name, "mig_versionx"));
	mig_schema_free(s);
}

Test(introspect_sqlite, without_a_skip_name_only_sqlite_tables_are_left_out)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE mig_version (version_num TEXT);"
	    "CREATE TABLE b (id INTEGER PRIMARY KEY AUTOINCREMENT);", NULL);

	cr_assert(eq(sz, s->ntables, 2));
	cr_assert(eq(str, (char *)s->tables[0]->name, "b"));
	cr_assert(eq(str, (char *)s->tables[1]->name, "mig_version"));
	mig_schema_free(s);
}

Test(introspect_sqlite, tables_come_in_name_order)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE zeta (x); CREATE TABLE alpha (x); CREATE TABLE Mid (x); CREATE TABLE beta (x);", NULL);

	cr_assert(eq(sz, s->ntables, 4));
	cr_assert(eq(str, (char *)s->tables[0]->name, "Mid"));
	cr_assert(eq(str, (char *)s->tables[1]->name, "alpha"));
	cr_assert(eq(str, (char *)s->tables[2]->name, "beta"));
	cr_assert(eq(str, (char *)s->tables[3]->name, "zeta"));
	mig_schema_free(s);
}

Test(introspect_sqlite, quoted_identifiers_with_spaces_quotes_and_unicode)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE \"user table\" (\"the \"\"id\"\"\" INTEGER PRIMARY KEY,"
	    " [bracket col] TEXT CONSTRAINT \"uq \"\"odd\"\"\" UNIQUE, `tick` INT, città TEXT, 'naïve' TEXT);"
	    "CREATE INDEX \"ix città\" ON \"user table\" (città, [bracket col]);"
	    "CREATE TABLE \"ref\" (\"fk col\" INT CONSTRAINT \"fk; x\" REFERENCES \"user table\"(\"the \"\"id\"\"\")"
	    " ON DELETE SET DEFAULT,"
	    " CONSTRAINT \"ck (odd)\" CHECK (\"fk col\" <> 0));", NULL);
	const struct mig_table *t = table(s, "user table"), *r = table(s, "ref");
	const struct mig_index *x;

	cr_assert(eq(str, (char *)t->columns[0]->name, "the \"id\""));
	cr_assert(eq(str, (char *)t->columns[1]->name, "bracket col"));
	cr_assert(eq(str, (char *)t->columns[2]->name, "tick"));
	cr_assert(eq(str, (char *)t->columns[3]->name, "città"));
	cr_assert(eq(str, (char *)t->columns[4]->name, "naïve"));
	assert_list(t->pk, t->npk, LIST("the \"id\""));
	cr_assert(eq(sz, t->nuniques, 1));
	cr_assert(eq(str, (char *)t->uniques[0]->name, "uq \"odd\""));
	x = mig_table_find_index(t, "ix città");
	cr_assert(x != NULL);
	assert_list(x->columns, x->ncolumns, LIST("città", "bracket col"));
	cr_assert(eq(sz, r->nfks, 1));
	cr_assert(eq(str, (char *)r->fks[0]->name, "fk; x"));
	cr_assert(eq(str, (char *)r->fks[0]->ref_table, "user table"));
	assert_list(r->fks[0]->ref_columns, 1, LIST("the \"id\""));
	cr_assert(eq(str, (char *)r->fks[0]->on_delete, "SET DEFAULT"));
	cr_assert(eq(str, (char *)r->checks[0]->name, "ck (odd)"));
	cr_assert(eq(str, (char *)r->checks[0]->expr, "\"fk col\" <> 0"));
	mig_schema_free(s);
}

Test(introspect_sqlite, virtual_tables_and_their_shadow_tables_are_left_out)
{
	sqlite3 *db;
	struct mig_schema *s;

	/* Only meaningful where this SQLite has FTS5 (Debian's has). */
	cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
	if (sqlite3_exec(db, "CREATE VIRTUAL TABLE doc USING fts5(body)", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		cr_skip_test("no fts5 in this sqlite");
	}
	cr_assert(eq(int, sqlite3_exec(db, "CREATE TABLE real (x INT)", NULL, NULL, NULL), SQLITE_OK));
	s = introspect_db(db, NULL, NULL);
	cr_assert(eq(sz, s->ntables, 1));
	cr_assert(eq(str, (char *)s->tables[0]->name, "real"));
	mig_schema_free(s);
	sqlite3_close(db);
}

Test(introspect_sqlite, generated_and_strict_tables_are_read)
{
	struct mig_schema *s = introspect(
	    "CREATE TABLE g (a INT, b INT GENERATED ALWAYS AS (a * 2) STORED, c TEXT AS (upper('x')) CHECK (c <> ''))"
	    " STRICT;", NULL);
	const struct mig_table *t = table(s, "g");

	cr_assert(eq(sz, t->ncolumns, 3));
	cr_assert(eq(sz, t->nchecks, 1));
	cr_assert(eq(str, (char *)t->checks[0]->expr, "c <> ''"));
	cr_assert(eq(str, (char *)t->options, "STRICT"));
	mig_schema_free(s);
}

Test(introspect_sqlite, refuses_a_missing_handle)
{
	struct mig_schema *s = (struct mig_schema *)1;

	cr_assert(eq(int, mig_sqlite_introspect(&s, NULL, NULL), MIG_EUSAGE));
	cr_assert(eq(ptr, (void *)s, NULL));
}

Test(introspect_sqlite, empty_database_is_an_empty_model)
{
	struct mig_schema *s = introspect("", "mig_version");

	cr_assert(eq(sz, s->ntables, 0));
	cr_assert(eq(sz, s->nextras, 0));
	mig_schema_free(s);
}

/* ---- the parsers on their own ---- */

Test(sqlite_ddl_parse, reads_a_table_statement)
{
	struct mig_ddl_table t;

	cr_assert(eq(int, mig_sqlite_parse_create_table(&t,
	    "create temp table if not exists main.\"T x\" (\n"
	    "  id integer constraint pk_t primary key desc on conflict replace autoincrement,\n"
	    "  v text constraint nn not null unique,\n"
	    "  w int references p on update cascade match simple deferrable initially immediate\n"
	    ") without rowid, strict"), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)t.name, "T x"));
	cr_assert(eq(str, (char *)t.pk_name, "pk_t"));
	cr_assert(t.pk_desc);
	cr_assert(eq(str, (char *)t.autoincrement, "id"));
	cr_assert(t.without_rowid);
	cr_assert(t.strict);
	assert_list(t.columns, t.ncolumns, LIST("id", "v", "w"));
	cr_assert(eq(sz, t.nuniques, 1));
	/* A CONSTRAINT name belongs to the constraint right after it (NOT NULL), not to UNIQUE. */
	cr_assert(eq(ptr, (void *)t.uniques[0].name, NULL));
	cr_assert(eq(sz, t.nfks, 1));
	cr_assert(eq(str, (char *)t.fks[0].ref_table, "p"));
	cr_assert(eq(sz, t.fks[0].nref_columns, 0));
	cr_assert(eq(str, (char *)t.fks[0].on_update, "CASCADE"));
	cr_assert(t.fks[0].deferrable);
	cr_assert(not(t.fks[0].initially_deferred));
	mig_ddl_table_release(&t);
}

Test(sqlite_ddl_parse, table_constraints_without_commas_between_them)
{
	struct mig_ddl_table t;

	cr_assert(eq(int, mig_sqlite_parse_create_table(&t,
	    "CREATE TABLE t (a INT, b INT, CONSTRAINT u UNIQUE (a) CHECK (b > 0) CONSTRAINT c2 CHECK (a < b))"), 0));
	cr_assert(eq(sz, t.nuniques, 1));
	cr_assert(eq(str, (char *)t.uniques[0].name, "u"));
	cr_assert(eq(sz, t.nchecks, 2));
	cr_assert(eq(ptr, (void *)t.checks[0].name, NULL));
	cr_assert(eq(str, (char *)t.checks[1].name, "c2"));
	cr_assert(eq(str, (char *)t.checks[1].expr, "a < b"));
	mig_ddl_table_release(&t);
}

Test(sqlite_ddl_parse, reads_an_index_statement)
{
	struct mig_ddl_index x;

	cr_assert(eq(int, mig_sqlite_parse_create_index(&x,
	    "CREATE UNIQUE INDEX IF NOT EXISTS main.[ix] ON \"t\" (a ASC, (b + 1) desc, f(c, ',')) WHERE a IS NOT NULL;"),
	    0), "%s", mig_error_msg());
	cr_assert(x.unique);
	cr_assert(eq(str, (char *)x.name, "ix"));
	cr_assert(eq(str, (char *)x.table, "t"));
	assert_list(x.entries, x.nentries, LIST("a", "(b + 1)", "f(c, ',')"));
	cr_assert(eq(str, (char *)x.where, "a IS NOT NULL"));
	mig_ddl_index_release(&x);
}

Test(sqlite_ddl_parse, rejects_malformed_text_without_crashing)
{
	static const char *const bad[] = {
		"", "CREATE", "CREATE TABLE", "CREATE TABLE t", "CREATE TABLE t (", "CREATE TABLE t (a 'x",
		"CREATE TABLE t (a CHECK (", "CREATE TABLE t (a REFERENCES)", "SELECT 1", "CREATE TABLE t (a \"b",
		"CREATE TABLE t (FOREIGN KEY (a) x)", "CREATE TABLE t (a, CONSTRAINT)", "CREATE TABLE t (a [b",
		"CREATE TABLE t (a REFERENCES p ON DELETE EXPLODE)", "CREATE TABLE t (,)",
	};
	static const char *const bad_index[] = {
		"", "CREATE INDEX", "CREATE INDEX i", "CREATE INDEX i ON", "CREATE INDEX i ON t", "CREATE INDEX i ON t (",
		"CREATE INDEX i ON t (a", "CREATE INDEX i ON t ()", "CREATE INDEX i ON t (a) WHERE",
		"CREATE TABLE t (a)",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mig_ddl_table t;

		cr_assert(eq(int, mig_sqlite_parse_create_table(&t, bad[i]), MIG_EPARSE), "accepted: %s", bad[i]);
		cr_assert(eq(sz, t.ncolumns, 0), "released on failure");
		mig_ddl_table_release(&t);
	}
	for (i = 0; i < sizeof(bad_index) / sizeof(bad_index[0]); i++) {
		struct mig_ddl_index x;

		cr_assert(eq(int, mig_sqlite_parse_create_index(&x, bad_index[i]), MIG_EPARSE), "accepted: %s",
		    bad_index[i]);
		mig_ddl_index_release(&x);
	}
}

Test(sqlite_ddl_parse, survives_every_prefix_of_a_statement)
{
	/* Poor man's fuzzing: every truncation of a statement rich in nesting and quoting. */
	static const char sql[] =
	    "CREATE TABLE \"t\" (a INT CONSTRAINT c CHECK (a > (1 + ')')) /* x */ REFERENCES p (q) ON DELETE SET NULL,"
	    " [b] TEXT DEFAULT 'x''y' UNIQUE, CONSTRAINT k FOREIGN KEY (a, [b]) REFERENCES p, PRIMARY KEY (a))";
	size_t n;

	for (n = 0; n <= sizeof(sql) - 1; n++) {
		char *cut = strndup(sql, n);
		struct mig_ddl_table t;
		struct mig_ddl_index x;
		int rc = mig_sqlite_parse_create_table(&t, cut);

		cr_assert(rc == 0 || rc == MIG_EPARSE);
		mig_ddl_table_release(&t);
		rc = mig_sqlite_parse_create_index(&x, cut);
		cr_assert(rc == MIG_EPARSE);
		mig_ddl_index_release(&x);
		free(cut);
	}
}

/* ---- through the driver ---- */

Test(introspect_sqlite, reads_an_open_driver_connection_without_its_version_tables)
{
	char *dir = th_tmpdir(), *path = mig_path_join(dir, "app.db"), *url_text;
	struct mig_url *url = NULL;
	struct mig_db *db = NULL;
	struct mig_schema *s = NULL;
	sqlite3 *raw;

	cr_assert(eq(int, sqlite3_open(path, &raw), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(raw, "CREATE TABLE app_version (v TEXT); CREATE TABLE app_version_history (id);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, body TEXT NOT NULL);", NULL, NULL, NULL), SQLITE_OK));
	sqlite3_close(raw);
	url_text = mig_xasprintf("sqlite:///%s", path);
	cr_assert(eq(int, mig_url_parse(&url, url_text), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_open(&db, url, false), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_introspect(&s, db, "app_version"), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, s->ntables, 1));
	cr_assert(eq(str, (char *)s->tables[0]->name, "post"));
	cr_assert(not(column(s->tables[0], "body")->nullable));
	mig_schema_free(s);
	mig_db_close(db);
	mig_url_free(url);
	free(url_text);
	free(path);
	th_rmtree(dir);
	free(dir);
}

/* ---- the oracle: the statements and the pragmas give the same model ---- */

/* A database built from ddl, read both ways (introspect_db() asserts they agree). */
static struct mig_schema *
oracle(const char *ddl, size_t *from_ddl)
{
	struct mig_schema *s;
	sqlite3 *db = NULL;
	char *err = NULL;

	cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(db, ddl, NULL, NULL, &err), SQLITE_OK), "ddl: %s\n%s", err ? err : "", ddl);
	s = introspect_db(db, "mig_version", from_ddl);
	sqlite3_close(db);
	return s;
}

/*
 * Statements whose meaning the parser must get exactly right (every table is read from them,
 * none from the pragmas): SQLite's spans and normalisations of types and defaults, quoting,
 * comments in odd places, constraints in any order, keys and references in other cases.
 */
Test(introspect_sqlite_oracle, nasty_statements_read_without_the_pragmas)
{
	static const char *const cases[] = {
		/* Quoted names of every kind, names that are keywords, a 'string' as a name. */
		"CREATE TABLE \"a \"\"b\"\"\" ([c d] INT, `e``f` TEXT, 'g' REAL, \"h\" BLOB, città TEXT, "
		"key INT, action TEXT, \"order\" INT, [select] TEXT)",
		/* Types as SQLite stores them: standard names upper-cased, others verbatim. */
		"CREATE TABLE types (a integer, b Int, c text, d REAL, e blob, f any, g varchar( 64 ), "
		"h DECIMAL(10, 2), i NUMERIC(+5,-2), j UNSIGNED BIG INT, k DOUBLE /* c */ PRECISION, "
		"l VARCHAR (10) COLLATE NOCASE, m DATETIME, n, o INTEGER(5), p TEXT(0x10), q INTEGERX, "
		"r character varying ( 255 ), s int8, t TIMESTAMP WITH TIME ZONE, u Nvarchar(1e3))",
		/* Defaults: SQLite keeps the span of one token (with its sign) or of a parenthesised expression. */
		"CREATE TABLE defaults (a INT DEFAULT 0, b INT DEFAULT -1, c REAL DEFAULT +1.5, "
		"d INT DEFAULT - /* c */ 1, e TEXT DEFAULT 'it''s (x', f BLOB DEFAULT x'00ff', "
		"g DEFAULT NULL, h DEFAULT CURRENT_TIMESTAMP, i DEFAULT true, j DEFAULT \"dq\", "
		"k DEFAULT ( 1 + (2 * 3) ), l DEFAULT ( /* c */ 'x' ), m DEFAULT (-1), n DEFAULT 1e10, "
		"o DEFAULT 0x1F, p DEFAULT [br], q DEFAULT `bt`, r DEFAULT current_date, s DEFAULT(lower('A')))",
		/* Constraints in odd orders, ON CONFLICT, names on constraints, comments between tokens. */
		"CREATE TABLE odd (\n"
		"  a INT NOT NULL DEFAULT 3 CHECK (a > 0) -- a comment, with (parens\n"
		"    CONSTRAINT pk_odd PRIMARY KEY ON CONFLICT ROLLBACK,\n"
		"  b TEXT COLLATE NOCASE NOT NULL ON CONFLICT REPLACE UNIQUE ON CONFLICT IGNORE,\n"
		"  /* c */ c INT CONSTRAINT nn NOT NULL CONSTRAINT d1 DEFAULT 7 NULL,\n"
		"  d TEXT CONSTRAINT ck_d CHECK (d <> ')') COLLATE \"binary\",\n"
		"  e INT REFERENCES odd (A) ON UPDATE CASCADE ON DELETE SET NULL MATCH SIMPLE\n"
		"    NOT DEFERRABLE INITIALLY IMMEDIATE NOT NULL,\n"
		"  CONSTRAINT u_cd UNIQUE (c, D COLLATE NOCASE) ON CONFLICT FAIL CHECK (c < 10)\n"
		"  CONSTRAINT fk_cd FOREIGN KEY (C, d) REFERENCES \"a \"\"b\"\"\" ([C D], \"E`F\") DEFERRABLE INITIALLY DEFERRED\n"
		")",
		/* Keys: composite, DESC, a column-level key that is not the rowid, WITHOUT ROWID. */
		"CREATE TABLE k1 (x TEXT, y INT, z INT, PRIMARY KEY (Y DESC, x COLLATE NOCASE));"
		"CREATE TABLE k2 (id INTEGER PRIMARY KEY DESC, v INT);"
		"CREATE TABLE k3 (id INTEGER, PRIMARY KEY (id DESC));"
		"CREATE TABLE k4 (a TEXT, b INT, c INT, PRIMARY KEY (b, a)) WITHOUT ROWID;"
		"CREATE TABLE k5 (id INT PRIMARY KEY, v TEXT) without rowid;"
		"CREATE TABLE k6 (id integer primary key autoincrement, v TEXT);"
		"CREATE TABLE k7 (id INTEGER, v TEXT, PRIMARY KEY (id AUTOINCREMENT))",
		/* Generated columns, with and without a type, stored and virtual. */
		"CREATE TABLE gen (a INT, b INT GENERATED ALWAYS AS (a * 2) STORED, c AS (a + 1), "
		"d TEXT AS (upper('x')) VIRTUAL NOT NULL, e GENERATED ALWAYS AS (1), "
		"f varchar(10) GENERATED   ALWAYS\n AS (a) CHECK (f <> ''), g INT AS (a) UNIQUE)",
		/* Unique constraints, named and not, on the same columns in another order. */
		"CREATE TABLE uq (a INT CONSTRAINT u1 UNIQUE, b INT UNIQUE, c INT, d INT, "
		"UNIQUE (c, d), CONSTRAINT u2 UNIQUE (d, b))",
		/* Foreign keys: to a table in another case, to a missing table, without columns. */
		"CREATE TABLE Parent (Id INTEGER PRIMARY KEY, k1 INT, k2 INT, UNIQUE (k1, k2));"
		"CREATE TABLE child (id INTEGER PRIMARY KEY, p INT REFERENCES PARENT, q INT REFERENCES parent (ID),"
		" r1 INT, r2 INT, g INT REFERENCES ghost, h INT REFERENCES ghost (gid) ON DELETE RESTRICT,"
		" FOREIGN KEY (R1, r2) REFERENCES parent (K1, k2) ON DELETE CASCADE ON UPDATE NO ACTION,"
		" FOREIGN KEY (p) REFERENCES child)",
		/* Indexes: plain, collated, descending, unique, partial, expressions, in any name order. */
		"CREATE TABLE ix (id INTEGER PRIMARY KEY, \"Name\" TEXT, v INT, w TEXT);"
		"CREATE INDEX zz ON ix (name COLLATE NOCASE DESC, V);"
		"CREATE UNIQUE INDEX \"a b\" ON IX (\"name\") WHERE v > 0 AND w IS NOT NULL;"
		"CREATE INDEX Mm ON ix (lower(w), v + 1, -v, id * 2 COLLATE BINARY, 'Name', coalesce(w, ')'));"
		"CREATE INDEX m2 ON ix (v, (w || 'x'), abs(v) DESC) WHERE (v);"
		"CREATE INDEX m3 ON ix (w COLLATE \"NOCASE\")",
		/* ALTER TABLE appends to the stored statement. */
		"CREATE TABLE alt (a INT);"
		"ALTER TABLE alt ADD COLUMN b TEXT NOT NULL DEFAULT 'x';"
		"ALTER TABLE alt ADD COLUMN c INT REFERENCES alt (a) DEFAULT (-2)",
		/* Views and triggers are extras; version tables are left out. */
		"CREATE TABLE mig_version (version_num TEXT);"
		"CREATE TABLE base (id INTEGER PRIMARY KEY, n INT);"
		"CREATE INDEX ix_base ON base (n);"
		"CREATE VIEW v1 AS SELECT * FROM base;"
		"CREATE TRIGGER tr AFTER INSERT ON base BEGIN SELECT 1; END",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;
		struct mig_schema *s = oracle(cases[i], &n);

		cr_assert(eq(sz, n, s->ntables), "case %zu: %zu of %zu tables read from their statements",
		    i, n, s->ntables);
		mig_schema_free(s);
	}
}

/*
 * Statements whose meaning depends on things the parser leaves to the pragmas: SQLite may fold
 * one constraint into another, dequote a quoted type, treat a parenthesised or quoted index term
 * as a column, trim "generated always" from a type. The model must be the same either way.
 */
Test(introspect_sqlite_oracle, uncertain_statements_fall_back_to_the_pragmas)
{
	static const char *const cases[] = {
		"CREATE TABLE t (a INT UNIQUE, UNIQUE (a))",
		"CREATE TABLE t (a INT PRIMARY KEY UNIQUE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY UNIQUE, v INT)",
		"CREATE TABLE t (a INT UNIQUE PRIMARY KEY, b INT)",
		"CREATE TABLE t (a INT, b INT, UNIQUE (a, b), UNIQUE (b, a))",
		"CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b), UNIQUE (b, a))",
		"CREATE TABLE t (a \"INTEGER\", b 'text', c \"my type\")",
		"CREATE TABLE t (a INT /* c */ GENERATED ALWAYS AS (1), b INT)",
		"CREATE TABLE t (a xxxxxxxxxxalways GENERATED ALWAYS AS (2), b my_very_long_always)",
		"CREATE TABLE t (a INT GENERATED /* c */ ALWAYS AS (1))",
		"CREATE TABLE t (a hidden_type, b INT)",
		"CREATE TABLE t (id INT PRIMARY KEY, v TEXT) STRICT",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, v ANY NOT NULL) STRICT, WITHOUT ROWID",
		"CREATE TABLE s (x INT); CREATE TABLE t AS SELECT x, x + 1 AS y FROM s",
		"CREATE TABLE t (a INT, b INT); CREATE INDEX i1 ON t ((a)); CREATE INDEX i2 ON t (('b'));"
		"CREATE INDEX i3 ON t (+a); CREATE INDEX i4 ON t (\"zz\"); CREATE INDEX i5 ON t (a + b)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, v INT); CREATE INDEX i1 ON t (rowid)",
		"CREATE TABLE p (id INTEGER PRIMARY KEY);"
		"CREATE TABLE t (a INT REFERENCES p ON INSERT SET NULL ON DELETE CASCADE)",
		"CREATE TABLE t (a INT, PRIMARY KEY ('a'))",
		"CREATE TABLE t (a INT, b INT, UNIQUE ('a', b))",
		"CREATE TABLE t (a INT DEFAULT 1 DEFAULT 2)",
		"CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b, a))",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sqlite3 *db = NULL;
		struct mig_schema *s;

		/* Some are refused by some SQLite versions: only those it accepts are compared. */
		cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
		if (sqlite3_exec(db, cases[i], NULL, NULL, NULL) == SQLITE_OK) {
			s = introspect_db(db, NULL, NULL);
			mig_schema_free(s);
		}
		sqlite3_close(db);
	}
}

/* A small deterministic generator (xorshift), so a failure names a seed that repeats it. */
static uint64_t
next_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#define PICK(st, arr) ((arr)[next_rand(st) % (sizeof(arr) / sizeof((arr)[0]))])

/* One random CREATE TABLE (and maybe indexes) from pieces that are each legal somewhere. */
static void
random_table(struct mig_buf *b, uint64_t *st, int n)
{
	static const char *const names[] = {
		"a", "\"b c\"", "[d]", "`e`", "'f'", "\"g\"\"h\"", "città", "key", "action", "Mixed",
		"\"x y\"", "z_1",
	};
	static const char *const types[] = {
		"", " INT", " integer", " TEXT", " VARCHAR(10)", " varchar ( 10 )", " DECIMAL(10, 2)",
		" NUMERIC(+5,-2)", " UNSIGNED BIG INT", " DOUBLE /*c*/ PRECISION", " \"INTEGER\"",
		" 'text'", " any", " BLOB", " my_long_type_always", " DATETIME", " INTEGER", " Real",
		" bool", " int8 unsigned", " text(5)",
	};
	static const char *const cons[] = {
		" NOT NULL", " NULL", " DEFAULT 1", " DEFAULT -1", " DEFAULT (1 + 2)", " DEFAULT 'x(y'",
		" DEFAULT x'00'", " DEFAULT CURRENT_TIMESTAMP", " DEFAULT true", " COLLATE NOCASE",
		" UNIQUE", " CHECK (1)", " CONSTRAINT c1 CHECK (1 > 0)", " REFERENCES p (id) ON DELETE CASCADE",
		" REFERENCES p", " /* c */", " NOT NULL ON CONFLICT IGNORE", " DEFAULT ( 'a' || 'b' )",
		" DEFAULT - 2.5", " CONSTRAINT n1", " REFERENCES P (ID) DEFERRABLE INITIALLY DEFERRED",
		" -- line\n",
	};
	static const char *const gens[] = {
		" GENERATED ALWAYS AS (1) STORED", " AS (2)", " AS (3) VIRTUAL",
		" GENERATED ALWAYS AS (4)",
	};
	int ncols = 1 + (int)(next_rand(st) % 5), pkcol = -1, i, k;
	bool used[sizeof(names) / sizeof(names[0])] = { false };
	const char *cols[8];
	bool without_rowid = next_rand(st) % 6 == 0;

	if (next_rand(st) % 2)
		pkcol = (int)(next_rand(st) % (unsigned)ncols);
	mig_buf_printf(b, "CREATE TABLE t%d (", n);
	for (i = 0; i < ncols; i++) {
		size_t pick;

		do
			pick = next_rand(st) % (sizeof(names) / sizeof(names[0]));
		while (used[pick]);
		used[pick] = true;
		cols[i] = names[pick];
		mig_buf_printf(b, "%s%s%s", i ? ", " : "", cols[i], PICK(st, types));
		for (k = (int)(next_rand(st) % 4); k > 0; k--)
			mig_buf_puts(b, PICK(st, cons));
		if (next_rand(st) % 8 == 0)
			mig_buf_puts(b, PICK(st, gens));
		if (i == pkcol)
			mig_buf_puts(b, next_rand(st) % 2 ? " PRIMARY KEY" : " PRIMARY KEY DESC");
	}
	if (pkcol < 0 && next_rand(st) % 2)
		mig_buf_printf(b, ", PRIMARY KEY (%s%s)", cols[0], ncols > 1 ? ", " : "");
	if (pkcol < 0 && ncols > 1 && b->ptr[b->len - 1] == ' ')
		mig_buf_printf(b, "%s)", cols[ncols - 1]);
	if (next_rand(st) % 3 == 0)
		mig_buf_printf(b, ", UNIQUE (%s)", cols[next_rand(st) % (unsigned)ncols]);
	if (next_rand(st) % 3 == 0)
		mig_buf_printf(b, " CONSTRAINT fk%d FOREIGN KEY (%s) REFERENCES p", n, cols[0]);
	if (next_rand(st) % 4 == 0)
		mig_buf_puts(b, ", CHECK (1 < 2)");
	mig_buf_printf(b, ")%s;\n", without_rowid ? " WITHOUT ROWID" : "");
	for (k = (int)(next_rand(st) % 3); k > 0; k--) {
		static const char *const terms[] = { "%s", "%s DESC", "%s COLLATE NOCASE", "lower(%s)",
		    "(%s)", "%s + 1", "'%s'" };
		const char *col = cols[next_rand(st) % (unsigned)ncols];

		mig_buf_printf(b, "CREATE %sINDEX ix%d_%d ON t%d (", next_rand(st) % 2 ? "UNIQUE " : "", n, k, n);
		mig_buf_printf(b, PICK(st, terms), col);
		mig_buf_printf(b, ")%s;\n", next_rand(st) % 4 == 0 ? " WHERE 1" : "");
	}
}

Test(introspect_sqlite_oracle, generated_statements_read_the_same_both_ways)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t accepted = 0, fast = 0, total = 0;
	int round;

	for (round = 0; round < 60; round++) {
		sqlite3 *db = NULL;
		struct mig_schema *s;
		size_t n = 0;
		int t;

		cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
		cr_assert(eq(int, sqlite3_exec(db, "CREATE TABLE p (id INTEGER PRIMARY KEY)", NULL, NULL, NULL),
		    SQLITE_OK));
		for (t = 0; t < 50; t++) {
			struct mig_buf b = MIG_BUF_INIT;

			random_table(&b, &seed, t);
			/* SQLite refuses some combinations (two defaults and a generated column, ...). */
			if (sqlite3_exec(db, "SAVEPOINT s", NULL, NULL, NULL) == SQLITE_OK &&
			    sqlite3_exec(db, b.ptr, NULL, NULL, NULL) == SQLITE_OK) {
				sqlite3_exec(db, "RELEASE s", NULL, NULL, NULL);
				accepted++;
			} else {
				sqlite3_exec(db, "ROLLBACK TO s; RELEASE s", NULL, NULL, NULL);
			}
			mig_buf_release(&b);
		}
		s = introspect_db(db, NULL, &n);
		fast += n;
		total += s->ntables;
		mig_schema_free(s);
		sqlite3_close(db);
	}
	/* Enough of both kinds for the comparison to mean something. */
	cr_assert(accepted > 1000, "%zu statements accepted", accepted);
	cr_assert(fast > total / 4, "%zu of %zu tables read from their statements", fast, total);
	cr_assert(fast < total, "no table left to the pragmas");
}

/* ---- what the parser reads for the fast path ---- */

Test(sqlite_ddl_parse, reads_types_defaults_and_not_null_as_sqlite_stores_them)
{
	struct mig_ddl_table t;

	cr_assert(eq(int, mig_sqlite_parse_create_table(&t,
	    "CREATE TABLE t (a integer NOT NULL DEFAULT - 1, b varchar ( 10 ) DEFAULT ( 'x' ), "
	    "c DOUBLE /* c */ PRECISION, d DEFAULT \"q\", e INT GENERATED ALWAYS AS (a) STORED, f)"), 0));
	cr_assert(t.exact);
	cr_assert(eq(sz, t.ncolumns, 6));
	cr_assert(eq(str, (char *)t.defs[0].type, "INTEGER"));
	cr_assert(t.defs[0].notnull);
	cr_assert(eq(str, (char *)t.defs[0].dflt, "- 1"));
	cr_assert(eq(str, (char *)t.defs[1].type, "varchar ( 10 )"));
	cr_assert(eq(str, (char *)t.defs[1].dflt, "'x'"));
	cr_assert(not(t.defs[1].notnull));
	cr_assert(eq(str, (char *)t.defs[2].type, "DOUBLE /* c */ PRECISION"));
	cr_assert(eq(str, (char *)t.defs[3].type, ""));
	cr_assert(eq(str, (char *)t.defs[3].dflt, "\"q\""));
	cr_assert(eq(str, (char *)t.defs[4].type, "INT"));
	cr_assert(t.defs[4].generated);
	cr_assert(eq(ptr, (void *)t.defs[4].dflt, NULL));
	cr_assert(eq(str, (char *)t.defs[5].type, ""));
	mig_ddl_table_release(&t);
}

Test(sqlite_ddl_parse, is_not_exact_about_what_it_cannot_be_sure_of)
{
	static const char *const unsure[] = {
		"CREATE TABLE t (a \"INTEGER\")",
		"CREATE TABLE t (a INT) STRICT",
		"CREATE TABLE t (a INT /* c */ GENERATED ALWAYS AS (1))",
		"CREATE TABLE t (a long_type_name_always)",
		"CREATE TABLE t (a INT REFERENCES p ON INSERT CASCADE)",
		"CREATE TABLE t (a INT, PRIMARY KEY ('a'))",
		"CREATE TABLE t (a INT DEFAULT 1 DEFAULT 2)",
		"CREATE TABLE t (a INT (x))",
		"CREATE TABLE t AS SELECT 1",
		"CREATE TABLE t (a INT) WITHOUT ROWID;",
	};
	size_t i;

	for (i = 0; i < sizeof(unsure) / sizeof(unsure[0]); i++) {
		struct mig_ddl_table t;

		cr_assert(eq(int, mig_sqlite_parse_create_table(&t, unsure[i]), 0), "%s", unsure[i]);
		cr_assert(not(t.exact), "exact: %s", unsure[i]);
		mig_ddl_table_release(&t);
	}
}

Test(sqlite_ddl_parse, tells_column_terms_from_expressions_in_an_index)
{
	struct mig_ddl_index x;

	cr_assert(eq(int, mig_sqlite_parse_create_index(&x,
	    "CREATE INDEX i ON t (\"a\" COLLATE NOCASE DESC, lower(b), c + 1, -d, 'e', f)"), 0));
	cr_assert(x.exact);
	cr_assert(eq(str, (char *)x.names[0], "a"));
	cr_assert(eq(ptr, (void *)x.names[1], NULL));
	cr_assert(eq(ptr, (void *)x.names[2], NULL));
	cr_assert(eq(ptr, (void *)x.names[3], NULL));
	cr_assert(eq(str, (char *)x.names[4], "e"));
	cr_assert(eq(str, (char *)x.names[5], "f"));
	mig_ddl_index_release(&x);
	cr_assert(eq(int, mig_sqlite_parse_create_index(&x, "CREATE INDEX i ON t ((a))"), 0));
	cr_assert(not(x.exact));
	mig_ddl_index_release(&x);
	cr_assert(eq(int, mig_sqlite_parse_create_index(&x, "CREATE INDEX i ON t (+a)"), 0));
	cr_assert(not(x.exact));
	mig_ddl_index_release(&x);
}

/* The bench's schema shape, many tables: every one read from its statements, same model. */
Test(introspect_sqlite_oracle, a_large_schema_is_read_from_its_statements)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_schema *s;
	size_t n = 0;
	int i;

	mig_buf_puts(&b, "BEGIN;");
	for (i = 0; i < 300; i++) {
		mig_buf_printf(&b, "CREATE TABLE \"t%05d\" (\"id\" INTEGER NOT NULL, \"name\" VARCHAR(100) NOT NULL,"
		    " \"code\" VARCHAR(20), \"amount\" NUMERIC(12,2), \"qty\" INTEGER NOT NULL DEFAULT 0,"
		    " \"active\" BOOLEAN NOT NULL DEFAULT true, \"parent_id\" INTEGER, PRIMARY KEY (\"id\")", i);
		if (i > 0)
			mig_buf_printf(&b, ", CONSTRAINT \"fk_%d\" FOREIGN KEY (\"parent_id\") REFERENCES \"t%05d\" (\"id\")",
			    i, i - 1);
		mig_buf_printf(&b, "); CREATE UNIQUE INDEX \"ix_%d_code\" ON \"t%05d\" (\"code\", \"qty\");"
		    " CREATE INDEX \"ix_%d_name\" ON \"t%05d\" (\"name\");", i, i, i, i);
	}
	mig_buf_puts(&b, "COMMIT;");
	s = oracle(b.ptr, &n);
	cr_assert(eq(sz, s->ntables, 300));
	cr_assert(eq(sz, n, 300));
	cr_assert(eq(str, (char *)s->tables[299]->fks[0]->ref_table, "t00298"));
	mig_schema_free(s);
	mig_buf_release(&b);
}
