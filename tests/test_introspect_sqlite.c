/*
 * test_introspect_sqlite.c — SQLite introspection (db_sqlite_introspect.c) and the CREATE
 * statement parsers behind it (sqlite_ddl_parse.c), against real in-memory databases built by the
 * tests with the DDL a user or a migration would run.
 */
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
	rc = mig_sqlite_introspect(&s, db, skip);
	cr_assert(eq(int, rc, 0), "introspect: %s", mig_error_msg());
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
	cr_assert(eq(str, (char *)t->sql, "CREATE TABLE user (id INTEGER PRIMARY KEY, username varchar( 64 ) NOT NULL,"
	    " score REAL DEFAULT 0.5, nick TEXT DEFAULT 'it''s', created DATETIME DEFAULT CURRENT_TIMESTAMP,"
	    " n INT DEFAULT (1 + 2), flag BOOLEAN NOT NULL DEFAULT 0, blob_col, neg INTEGER DEFAULT -1)"));
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
	cr_assert(eq(int, mig_sqlite_introspect(&s, db, NULL), 0), "%s", mig_error_msg());
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
