/*
 * test_render.c — the SQL renderer (sql_ddl.c, sql_ops.c, sql_sqlite.c).
 *
 * Three kinds of tests. Golden files (tests/golden/render_*.sql) pin the exact text: CREATE TABLE
 * for the tutorial models and the up/down scripts of every operation kind; run with
 * MIG_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff. Execution
 * tests run each operation's scripts on a real in-memory SQLite database holding rows, with
 * foreign keys on: after the up script the catalog (pragmas) must equal that of a database
 * created fresh from the target schema and every row must be there with its values (renamed
 * columns carrying their data); after the down script, the same against the starting schema.
 * Unit tests cover the small helpers (defaults, mentions, quoting in comments).
 *
 * Operations are built by hand here, so that each kind is tested on its own, independently of the
 * differ.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "introspect.h"
#include "man.h"
#include "rev.h"
#include "schema.h"
#include "sql_render.h"

/* ---- building models ---- */

static struct mig_column *
col(struct mig_schema *s, struct mig_table *t, const char *name, const char *type, bool nullable,
    const char *def)
{
	struct mig_column *c = mig_table_add_column(s, t, name);

	c->type = mig_arena_strdup(&s->arena, type);
	c->nullable = nullable;
	c->default_sql = mig_arena_strdup(&s->arena, def);
	return c;
}

static struct mig_index *
idx(struct mig_schema *s, struct mig_table *t, const char *name, bool unique, const char *column)
{
	struct mig_index *x = mig_table_add_index(s, t, name);

	x->unique = unique;
	mig_strlist_add(s, &x->columns, &x->ncolumns, column);
	return x;
}

static struct mig_unique *
uq(struct mig_schema *s, struct mig_table *t, const char *name, const char *column)
{
	struct mig_unique *u = mig_table_add_unique(s, t, name);

	mig_strlist_add(s, &u->columns, &u->ncolumns, column);
	return u;
}

static struct mig_fk *
fk(struct mig_schema *s, struct mig_table *t, const char *name, const char *column,
    const char *ref_table, const char *ref_column, const char *on_delete)
{
	struct mig_fk *f = mig_table_add_fk(s, t, name);
	size_t n = 0;

	mig_strlist_add(s, &f->columns, &f->ncolumns, column);
	mig_strlist_add(s, &f->ref_columns, &n, ref_column);
	f->ref_table = mig_arena_strdup(&s->arena, ref_table);
	f->on_delete = mig_arena_strdup(&s->arena, on_delete);
	return f;
}

static struct mig_check *
ck(struct mig_schema *s, struct mig_table *t, const char *name, const char *expr)
{
	struct mig_check *c = mig_table_add_check(s, t, name);

	c->expr = mig_arena_strdup(&s->arena, expr);
	return c;
}

/* Story 1: the Flask mega-tutorial's user and post models, in portable types. */
static struct mig_schema *
flask_schema(void)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_table *user = mig_schema_add_table(s, "user");
	struct mig_table *post = mig_schema_add_table(s, "post");

	col(s, user, "id", "integer", false, NULL);
	col(s, user, "username", "string(64)", false, NULL);
	col(s, user, "email", "string(120)", false, NULL);
	col(s, user, "password_hash", "string(256)", true, NULL);
	mig_table_add_pk(s, user, "id");
	idx(s, user, "ix_user_email", true, "email");
	idx(s, user, "ix_user_username", true, "username");

	col(s, post, "id", "integer", false, NULL);
	col(s, post, "body", "string(140)", false, NULL);
	col(s, post, "timestamp", "datetime", false, NULL);
	col(s, post, "user_id", "integer", false, NULL);
	mig_table_add_pk(s, post, "id");
	fk(s, post, NULL, "user_id", "user", "id", NULL);
	idx(s, post, "ix_post_timestamp", false, "timestamp");
	idx(s, post, "ix_post_user_id", false, "user_id");
	return s;
}

/* Story 3: users, profiles (enum, array, JSON, one-to-one), posts (cascade), comments. */
static struct mig_schema *
story3_schema(void)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_enum *e = mig_schema_add_enum(s, "genderenum");
	/* Declared children first: the renderer must still create parents first. */
	struct mig_table *comments = mig_schema_add_table(s, "comments");
	struct mig_table *users = mig_schema_add_table(s, "users");
	struct mig_table *profiles = mig_schema_add_table(s, "profiles");
	struct mig_table *posts = mig_schema_add_table(s, "posts");

	mig_enum_add_label(s, e, "MALE");
	mig_enum_add_label(s, e, "FEMALE");
	mig_enum_add_label(s, e, "UNDEFINED");

	col(s, comments, "id", "integer", false, NULL)->autoincrement = true;
	col(s, comments, "content", "text", false, NULL);
	col(s, comments, "post_id", "integer", false, NULL);
	mig_table_add_pk(s, comments, "id");
	comments->pk_name = "pk_comments";
	fk(s, comments, "fk_comments_post_id_posts", "post_id", "posts", "id", "CASCADE");

	col(s, users, "id", "integer", false, NULL)->autoincrement = true;
	col(s, users, "username", "string(50)", false, NULL);
	col(s, users, "email", "string(100)", false, NULL);
	col(s, users, "password", "string(255)", false, NULL);
	col(s, users, "phone", "string(20)", true, NULL);
	mig_table_add_pk(s, users, "id");
	uq(s, users, "uq_users_username", "username");
	uq(s, users, "uq_users_email", "email");

	col(s, profiles, "id", "integer", false, NULL)->autoincrement = true;
	col(s, profiles, "name", "string(50)", true, NULL);
	col(s, profiles, "surname", "string(50)", true, NULL);
	col(s, profiles, "age", "integer", true, NULL);
	col(s, profiles, "gender", "enum(genderenum)", false, "'UNDEFINED'");
	col(s, profiles, "interests", "text[]", true, NULL);
	col(s, profiles, "contacts", "json", true, NULL);
	col(s, profiles, "user_id", "integer", false, NULL);
	mig_table_add_pk(s, profiles, "id");
	uq(s, profiles, "uq_profiles_user_id", "user_id");
	fk(s, profiles, "fk_profiles_user_id_users", "user_id", "users", "id", NULL);
	ck(s, profiles, "ck_profiles_age", "age IS NULL OR age >= 0");

	col(s, posts, "id", "integer", false, NULL)->autoincrement = true;
	col(s, posts, "title", "string(100)", false, NULL);
	col(s, posts, "content", "text", true, NULL);
	col(s, posts, "created_at", "datetime", false, "CURRENT_TIMESTAMP");
	col(s, posts, "user_id", "integer", false, NULL);
	mig_table_add_pk(s, posts, "id");
	fk(s, posts, "fk_posts_user_id_users", "user_id", "users", "id", "CASCADE");
	idx(s, posts, "ix_posts_user_id", false, "user_id");
	return s;
}

/*
 * The schema the operation tests start from and go to: team <- account <- membership, in
 * catalog (native) types, with one variation per bit.
 */
enum {
	V_NO_ACCOUNT = 1 << 0,     /* no account table (nor membership, which needs it) */
	V_ADD_COL = 1 << 1,        /* account.is_active BOOLEAN NOT NULL DEFAULT true */
	V_NO_BIO = 1 << 2,
	V_RENAME_COL = 1 << 3,     /* account.name is full_name */
	V_BIO_VARCHAR = 1 << 4,    /* bio TEXT -> VARCHAR(500) */
	V_EMAIL_NOTNULL = 1 << 5,
	V_BIO_DEFAULT = 1 << 6,
	V_PK2 = 1 << 7,            /* membership's key is (account_id, team_id) */
	V_IX_EMAIL = 1 << 8,
	V_NO_IX_NAME = 1 << 9,
	V_IX_RENAMED = 1 << 10,    /* ix_account_name is ix_account_full */
	V_UQ_NAME = 1 << 11,
	V_NO_UQ_EMAIL = 1 << 12,
	V_NO_FK = 1 << 13,         /* account has no foreign key to team */
	V_NO_CHECK = 1 << 14,
	V_RENAME_TABLE = 1 << 15,  /* account is member */
	V_COMMENTS = 1 << 16,
	V_ENUM = 1 << 17,          /* enum mood (HAPPY, SAD), account.mood DEFAULT 'SAD' */
	V_ENUM2 = 1 << 18,         /* enum mood (HAPPY, CALM, SAD) */
	V_IX_BIO = 1 << 19,        /* index ix_account_bio on bio */
	V_EXTRAS = 1 << 20,        /* audit table, a view and triggers around account */
	V_ADD_CODE = 1 << 21,      /* account.code VARCHAR(8) NOT NULL, no default */
	V_ENUM3 = 1 << 22,         /* enum mood (SAD, HAPPY) */
};

static struct mig_schema *
build(unsigned v)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_table *team = mig_schema_add_table(s, "team"), *a, *m;
	const char *acc = v & V_RENAME_TABLE ? "member" : "account";
	const char *name = v & V_RENAME_COL ? "full_name" : "name";
	struct mig_column *c;

	if (v & (V_ENUM | V_ENUM2 | V_ENUM3)) {
		struct mig_enum *e = mig_schema_add_enum(s, "mood");

		mig_enum_add_label(s, e, v & V_ENUM3 ? "SAD" : "HAPPY");
		if (v & V_ENUM2)
			mig_enum_add_label(s, e, "CALM");
		mig_enum_add_label(s, e, v & V_ENUM3 ? "HAPPY" : "SAD");
	}
	col(s, team, "id", "INTEGER", false, NULL)->autoincrement = true;
	col(s, team, "name", "VARCHAR(50)", false, NULL);
	mig_table_add_pk(s, team, "id");
	if (v & V_NO_ACCOUNT)
		return s;

	a = mig_schema_add_table(s, acc);
	col(s, a, "id", "INTEGER", false, NULL)->autoincrement = true;
	col(s, a, "team_id", "INTEGER", true, NULL);
	c = col(s, a, name, "VARCHAR(64)", false, NULL);
	if (v & V_COMMENTS) {
		c->comment = "shown to others";
		a->comment = "people who log in";
	}
	col(s, a, "email", "VARCHAR(120)", !(v & V_EMAIL_NOTNULL), NULL);
	if (!(v & V_NO_BIO))
		col(s, a, "bio", v & V_BIO_VARCHAR ? "VARCHAR(500)" : "TEXT", true,
		    v & V_BIO_DEFAULT ? "'n/a'" : NULL);
	if (v & V_ADD_COL)
		col(s, a, "is_active", "BOOLEAN", false, "true");
	if (v & (V_ENUM | V_ENUM2 | V_ENUM3))
		col(s, a, "mood", "mood", true, "'SAD'");
	if (v & V_ADD_CODE)
		col(s, a, "code", "VARCHAR(8)", false, NULL);
	mig_table_add_pk(s, a, "id");
	if (!(v & V_NO_FK))
		fk(s, a, "fk_account_team_id_team", "team_id", "team", "id", "CASCADE");
	if (!(v & V_NO_UQ_EMAIL))
		uq(s, a, "uq_account_email", "email");
	if (v & V_UQ_NAME)
		uq(s, a, "uq_account_name", name);
	if (!(v & V_NO_CHECK))
		ck(s, a, "ck_account_name_len", v & V_RENAME_COL ? "length(\"full_name\") > 0" :
		    "length(\"name\") > 0");
	if (!(v & V_NO_IX_NAME))
		idx(s, a, v & V_IX_RENAMED ? "ix_account_full" : "ix_account_name", false, name);
	if (v & V_IX_EMAIL)
		idx(s, a, "ix_account_email", false, "email");
	if (v & V_IX_BIO)
		idx(s, a, "ix_account_bio", false, "bio");

	m = mig_schema_add_table(s, "membership");
	col(s, m, "account_id", "INTEGER", false, NULL);
	col(s, m, "team_id", "INTEGER", false, NULL);
	col(s, m, "role", "TEXT", false, "'member'");
	mig_table_add_pk(s, m, "account_id");
	if (v & V_PK2)
		mig_table_add_pk(s, m, "team_id");
	m->pk_name = "pk_membership";
	fk(s, m, "fk_membership_account_id_account", "account_id", acc, "id", "CASCADE");

	if (v & V_EXTRAS) {
		struct mig_table *audit = mig_schema_add_table(s, "audit");
		char *sql;

		col(s, audit, "id", "INTEGER", false, NULL)->autoincrement = true;
		col(s, audit, "msg", "TEXT", true, NULL);
		mig_table_add_pk(s, audit, "id");
		sql = mig_xasprintf("CREATE VIEW \"v_account\" AS SELECT id, %s FROM %s", name, acc);
		mig_schema_add_extra(s, "view", "v_account", NULL, sql);
		free(sql);
		sql = mig_xasprintf("CREATE TRIGGER \"trg_account_ai\" AFTER INSERT ON \"%s\" BEGIN "
		    "INSERT INTO audit (msg) VALUES ('new ' || NEW.%s); END", acc, name);
		mig_schema_add_extra(s, "trigger", "trg_account_ai", acc, sql);
		free(sql);
		/* A trigger on another table whose body names account. */
		sql = mig_xasprintf("CREATE TRIGGER \"trg_team_ad\" AFTER DELETE ON team BEGIN "
		    "UPDATE %s SET team_id = NULL WHERE team_id = OLD.id; END", acc);
		mig_schema_add_extra(s, "trigger", "trg_team_ad", "team", sql);
		free(sql);
	}
	return s;
}

/* ---- building operations ---- */

struct fixture {
	struct mig_schema *from, *to;
	struct mig_op ops[8];
	struct mig_diff diff;
};

static struct fixture *
fixture(unsigned vfrom, unsigned vto)
{
	struct fixture *f = mig_xcalloc(1, sizeof(*f));

	f->from = build(vfrom);
	f->to = build(vto);
	f->diff.ops = f->ops;
	return f;
}

static void
fixture_free(struct fixture *f)
{
	mig_schema_free(f->from);
	mig_schema_free(f->to);
	free(f);
}

static const struct mig_table *
tbl(const struct mig_schema *s, const char *name)
{
	const struct mig_table *t = name ? mig_schema_find_table(s, name) : NULL;

	cr_assert(name == NULL || t != NULL, "no table %s", name);
	return t;
}

/* Appends an operation on the tables named told (in from) and tnew (in to). */
static struct mig_op *
op(struct fixture *f, enum mig_op_kind kind, const char *told, const char *tnew)
{
	struct mig_op *o = &f->ops[f->diff.nops++];

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->table_old = tbl(f->from, told);
	o->table_new = tbl(f->to, tnew);
	return o;
}

static const struct mig_column *
column(const struct mig_table *t, const char *name)
{
	const struct mig_column *c = mig_table_find_column(t, name);

	cr_assert(c != NULL, "no column %s.%s", t->name, name);
	return c;
}

static const struct mig_index *
index_of(const struct mig_table *t, const char *name)
{
	const struct mig_index *x = mig_table_find_index(t, name);

	cr_assert(x != NULL, "no index %s", name);
	return x;
}

static const struct mig_unique *
unique_of(const struct mig_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nuniques; i++)
		if (strcmp(t->uniques[i]->name, name) == 0)
			return t->uniques[i];
	cr_fatal("no unique %s", name);
	return NULL;
}

/* ---- running SQL on SQLite ---- */

static sqlite3 *
db_open(void)
{
	sqlite3 *db = NULL;

	cr_assert(sqlite3_open(":memory:", &db) == SQLITE_OK);
	return db;
}

static void
db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		cr_fatal("%s\n--- in ---\n%s", err, sql);
}

/* Rows as text: columns joined by '|', rows by '\n', NULL as "NULL" (like th_sqlite()). */
static char *
db_query(sqlite3 *db, const char *sql)
{
	struct mig_buf b = MIG_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, i, rows = 0;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	cr_assert(rc == SQLITE_OK, "prepare %s: %s", sql, sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows++)
			mig_buf_putc(&b, '\n');
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			if (i)
				mig_buf_putc(&b, '|');
			mig_buf_puts(&b, v ? (const char *)v : "NULL");
		}
	}
	cr_assert(rc == SQLITE_DONE, "step %s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return mig_buf_detach(&b);
}

static char *
db_queryf(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *sql, *out;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	out = db_query(db, sql);
	sqlite3_free(sql);
	return out;
}

/*
 * Runs a script the way the executor (run.c) does: foreign keys off around the transaction when
 * the script carries the marker, and a clean foreign_key_check required before committing.
 * Returns NULL, or the error (malloc'd) after rolling back.
 */
static char *
apply(sqlite3 *db, const char *script)
{
	bool fk_off = strstr(script, "\n" MIG_SQL_FK_OFF_MARKER "\n") != NULL;
	char *err = NULL, *out = NULL, *violations;

	if (fk_off)
		db_exec(db, "PRAGMA foreign_keys = OFF;");
	db_exec(db, "BEGIN;");
	if (sqlite3_exec(db, script, NULL, NULL, &err) != SQLITE_OK) {
		out = mig_xstrdup(err);
		sqlite3_free(err);
		db_exec(db, "ROLLBACK;");
	} else {
		violations = db_query(db, "PRAGMA foreign_key_check;");
		if (violations[0] != '\0') {
			out = mig_xasprintf("foreign_key_check: %s", violations);
			db_exec(db, "ROLLBACK;");
		} else {
			db_exec(db, "COMMIT;");
		}
		free(violations);
	}
	if (fk_off)
		db_exec(db, "PRAGMA foreign_keys = ON;");
	return out;
}

static void
dump_append(struct mig_buf *b, const char *label, char *rows)
{
	mig_buf_printf(b, "%s:\n%s\n", label, rows);
	free(rows);
}

/*
 * What the catalog says about every table (columns, keys, indexes, foreign keys, number of CHECKs,
 * AUTOINCREMENT), plus the SQL of explicit indexes, views and triggers.
 */
static char *
dump(sqlite3 *db)
{
	struct mig_buf b = MIG_BUF_INIT;
	char *tables = db_query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
	    "name NOT LIKE 'sqlite_%' ORDER BY name");
	char *p = tables, *nl;

	while (*p) {
		char *name, *indexes, *q;

		nl = strchr(p, '\n');
		name = nl ? mig_xstrndup(p, (size_t)(nl - p)) : mig_xstrdup(p);
		mig_buf_printf(&b, "== %s\n", name);
		dump_append(&b, "columns", db_queryf(db, "SELECT cid, name, type, \"notnull\", "
		    "dflt_value, pk FROM pragma_table_info(%Q) ORDER BY cid", name));
		dump_append(&b, "fks", db_queryf(db, "SELECT \"table\", \"from\", \"to\", on_update, "
		    "on_delete FROM pragma_foreign_key_list(%Q) ORDER BY 1, 2", name));
		dump_append(&b, "checks, autoincrement", db_queryf(db, "SELECT (length(upper(sql)) - "
		    "length(replace(upper(sql), 'CHECK', ''))) / 5, instr(upper(sql), 'AUTOINCREMENT') > 0 "
		    "FROM sqlite_schema WHERE name = %Q", name));
		indexes = db_queryf(db, "SELECT name FROM pragma_index_list(%Q) ORDER BY name", name);
		dump_append(&b, "indexes", db_queryf(db, "SELECT name, \"unique\", origin, partial FROM "
		    "pragma_index_list(%Q) ORDER BY name", name));
		for (q = indexes; *q;) {
			char *end = strchr(q, '\n'), *ix;

			ix = end ? mig_xstrndup(q, (size_t)(end - q)) : mig_xstrdup(q);
			dump_append(&b, ix, db_queryf(db, "SELECT seqno, name FROM pragma_index_info(%Q) "
			    "ORDER BY seqno", ix));
			free(ix);
			q = end ? end + 1 : q + strlen(q);
		}
		free(indexes);
		free(name);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(tables);
	dump_append(&b, "objects", db_query(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
	    "WHERE type IN ('view', 'trigger') OR (type = 'index' AND sql IS NOT NULL) ORDER BY name"));
	return mig_buf_detach(&b);
}

static char *
fresh_dump(const struct mig_schema *s)
{
	struct mig_buf sql = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	char *out;

	cr_assert(mig_sql_create_schema(&sql, MIG_SQLITE, s, false) == 0, "%s", mig_error_msg());
	db_exec(db, sql.ptr);
	out = dump(db);
	sqlite3_close(db);
	mig_buf_release(&sql);
	return out;
}

/* ---- the data the execution tests carry through ---- */

/* The value row r (1..3) of the starting database holds in column c of table t, as SQL. */
static char *
seed_value(const char *t, const struct mig_column *c, int r)
{
	const char *n = c->name;

	if (strcmp(n, "id") == 0 || strcmp(n, "team_id") == 0 || strcmp(n, "account_id") == 0)
		return mig_xasprintf("%d", r);
	if (strcmp(t, "team") == 0 && strcmp(n, "name") == 0)
		return mig_xasprintf("'team %d'", r);
	if (strcmp(n, "name") == 0 || strcmp(n, "full_name") == 0)
		return mig_xasprintf("'name %d'", r);
	if (strcmp(n, "email") == 0)
		return mig_xasprintf("'e%d@example.org'", r);
	if (strcmp(n, "bio") == 0)
		return r == 3 ? mig_xstrdup("NULL") : mig_xasprintf("'it''s bio %d'", r);
	if (strcmp(n, "role") == 0)
		return mig_xasprintf("'role %d'", r);
	if (strcmp(n, "msg") == 0)
		return mig_xasprintf("'new name %d'", r);
	if (strcmp(n, "code") == 0)
		return mig_xasprintf("'c%d'", r);
	return mig_xstrdup(c->default_sql ? c->default_sql : "NULL");
}

/* INSERT statements for three rows in every table of s (but audit, which a trigger fills). */
static char *
seed_sql(const struct mig_schema *s)
{
	struct mig_buf b = MIG_BUF_INIT;
	size_t i, k;
	int r;

	for (i = 0; i < s->ntables; i++) {
		const struct mig_table *t = s->tables[i];

		if (strcmp(t->name, "audit") == 0)
			continue;
		for (r = 1; r <= 3; r++) {
			mig_buf_printf(&b, "INSERT INTO \"%s\" (", t->name);
			for (k = 0; k < t->ncolumns; k++)
				mig_buf_printf(&b, "%s\"%s\"", k ? ", " : "", t->columns[k]->name);
			mig_buf_puts(&b, ") VALUES (");
			for (k = 0; k < t->ncolumns; k++) {
				char *v = seed_value(t->name, t->columns[k], r);

				mig_buf_printf(&b, "%s%s", k ? ", " : "", v);
				free(v);
			}
			mig_buf_puts(&b, ");\n");
		}
	}
	return mig_buf_detach(&b);
}

static void
seed(sqlite3 *db, const struct mig_schema *s)
{
	char *sql = seed_sql(s);

	db_exec(db, sql);
	free(sql);
}

/* A database of either kind, for the checks both dialects share. */
struct conn {
	sqlite3 *lite;
	PGconn *pg;
};

static char *pg_query(PGconn *c, const char *sql);

static char *
cq(const struct conn *c, const char *sql)
{
	return c->lite ? db_query(c->lite, sql) : pg_query(c->pg, sql);
}

/* The name the table/column named name in `a` has in `b`, per the fixture's renames (up: a = from). */
static const char *
renamed(const struct fixture *f, bool up, enum mig_op_kind kind, const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < f->diff.nops; i++) {
		const struct mig_op *o = &f->ops[i];
		const char *old, *new;

		if (o->kind != kind)
			continue;
		if (kind == MIG_OP_RENAME_TABLE) {
			old = o->table_old->name;
			new = o->table_new->name;
		} else {
			if (strcmp(up ? o->table_old->name : o->table_new->name, table) != 0)
				continue;
			old = o->col_old->name;
			new = o->col_new->name;
		}
		if (strcmp(up ? old : new, name) == 0)
			return up ? new : old;
	}
	return name;
}

/*
 * The rows every table of `target` must hold after the script (up: target = to) ran on the
 * seeded starting database, as SQLite itself prints the literal values: a column that existed
 * before (under its old name) holds its seeded value; a column that did not, its default.
 */
static char *
expected_rows(const struct conn *db, const struct fixture *f, bool up)
{
	const struct mig_schema *target = up ? f->to : f->from, *other = up ? f->from : f->to;
	struct mig_buf b = MIG_BUF_INIT, q = MIG_BUF_INIT;
	size_t i, k;
	int r;

	for (i = 0; i < target->ntables; i++) {
		const struct mig_table *t = target->tables[i];
		/* Down: the seeded table is t itself; what survived is what `to` still has. */
		const char *oname = renamed(f, !up, MIG_OP_RENAME_TABLE, NULL, t->name);
		const struct mig_table *o = mig_schema_find_table(other, oname);
		const struct mig_table *seeded = up ? o : t;

		mig_buf_printf(&b, "== %s\n", t->name);
		if (o == NULL)
			continue;
		mig_buf_clear(&q);
		for (r = 1; r <= 3; r++) {
			mig_buf_puts(&q, r > 1 ? " UNION ALL SELECT " : "SELECT ");
			for (k = 0; k < t->ncolumns; k++) {
				const struct mig_column *c = t->columns[k];
				const char *on = renamed(f, !up, MIG_OP_RENAME_COLUMN, t->name, c->name);
				const struct mig_column *oc = mig_table_find_column(o, on);
				const struct mig_column *sc = up ? oc : c;
				char *v = oc ? seed_value(seeded->name, sc, r) :
				    mig_xstrdup(c->default_sql ? c->default_sql : "NULL");

				mig_buf_printf(&q, "%s%s", k ? ", " : "", v);
				free(v);
			}
		}
		dump_append(&b, "rows", cq(db, q.ptr));
	}
	mig_buf_release(&q);
	return mig_buf_detach(&b);
}

static char *
actual_rows(const struct conn *db, const struct mig_schema *s)
{
	struct mig_buf b = MIG_BUF_INIT, q = MIG_BUF_INIT;
	size_t i, k;

	for (i = 0; i < s->ntables; i++) {
		const struct mig_table *t = s->tables[i];
		char *n;

		mig_buf_printf(&b, "== %s\n", t->name);
		mig_buf_clear(&q);
		mig_buf_printf(&q, "SELECT count(*) FROM \"%s\"", t->name);
		n = cq(db, q.ptr);
		if (strcmp(n, "0") == 0) {
			free(n);
			continue;
		}
		free(n);
		mig_buf_clear(&q);
		mig_buf_puts(&q, "SELECT ");
		for (k = 0; k < t->ncolumns; k++)
			mig_buf_printf(&q, "%s\"%s\"", k ? ", " : "", t->columns[k]->name);
		mig_buf_printf(&q, " FROM \"%s\" ORDER BY 1", t->name);
		dump_append(&b, "rows", cq(db, q.ptr));
	}
	mig_buf_release(&q);
	return mig_buf_detach(&b);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

static void
golden(const char *name, const char *text)
{
	char *path = mig_xasprintf("%s/tests/golden/render_%s.sql", th_top(), name);
	char *want;

	if (getenv("MIG_UPDATE_GOLDEN") != NULL) {
		FILE *fp = fopen(path, "w");

		cr_assert(fp != NULL, "cannot write %s", path);
		fputs(text, fp);
		fclose(fp);
	}
	want = th_read(path);
	cr_assert(want != NULL, "missing %s (MIG_UPDATE_GOLDEN=1 writes it)", path);
	cr_assert(strcmp(text, want) == 0, "%s differs; got:\n%s", path, text);
	free(want);
	free(path);
}

struct scripts {
	char *up, *down;
};

static struct scripts
render(struct fixture *f, int version)
{
	struct mig_render_opts o = { version, false };
	struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	struct scripts s;

	cr_assert(mig_sql_render_diff_opts(&up, &down, MIG_SQLITE, &f->diff, f->from, f->to, &o) == 0,
	    "%s", mig_error_msg());
	s.up = mig_buf_detach(&up);
	s.down = mig_buf_detach(&down);
	return s;
}

/*
 * The whole check for one fixture: golden text, then up and down on a seeded database with
 * foreign keys on, comparing catalogs with fresh databases and rows with what they must be.
 * rebuild_up / rebuild_down: whether each script must rebuild (carry the marker).
 */
static void
roundtrip(struct fixture *f, const char *name, int version, bool rebuild_up, bool rebuild_down)
{
	struct scripts s = render(f, version);
	char *text, *err, *want, *got;
	sqlite3 *db = db_open();
	struct conn c = { db, NULL };
	struct mig_buf ddl = MIG_BUF_INIT;

	if (name != NULL) {
		text = mig_xasprintf("-- up\n%s-- down\n%s", s.up, s.down);
		golden(name, text);
		free(text);
	}
	cr_assert(eq(int, strstr(s.up, MIG_SQL_FK_OFF_MARKER) != NULL, rebuild_up), "up:\n%s", s.up);
	cr_assert(eq(int, strstr(s.down, MIG_SQL_FK_OFF_MARKER) != NULL, rebuild_down), "down:\n%s",
	    s.down);

	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	db_exec(db, "PRAGMA foreign_keys = ON;");
	seed(db, f->from);

	err = apply(db, s.up);
	cr_assert(err == NULL, "up failed: %s\n%s", err, s.up);
	got = dump(db);
	want = fresh_dump(f->to);
	cr_assert_str_eq(got, want, "catalog after up differs\n--- script ---\n%s", s.up);
	free(got);
	free(want);
	got = actual_rows(&c, f->to);
	want = expected_rows(&c, f, true);
	cr_assert_str_eq(got, want, "rows after up differ\n--- script ---\n%s", s.up);
	free(got);
	free(want);
	got = db_query(db, "PRAGMA foreign_keys");
	cr_assert_str_eq(got, "1");
	free(got);

	err = apply(db, s.down);
	cr_assert(err == NULL, "down failed: %s\n%s", err, s.down);
	got = dump(db);
	want = fresh_dump(f->from);
	cr_assert_str_eq(got, want, "catalog after down differs\n--- script ---\n%s", s.down);
	free(got);
	free(want);
	got = actual_rows(&c, f->from);
	want = expected_rows(&c, f, false);
	cr_assert_str_eq(got, want, "rows after down differ\n--- script ---\n%s", s.down);
	free(got);
	free(want);
	got = db_query(db, "PRAGMA integrity_check");
	cr_assert_str_eq(got, "ok");
	free(got);

	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
}

/* ---- CREATE statements ---- */

Test(render, flask_tables_golden_and_valid)
{
	struct mig_schema *s = flask_schema();
	struct mig_buf b = MIG_BUF_INIT, pg = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	char *got;

	cr_assert(mig_sql_create_table(&b, MIG_SQLITE, s->tables[0], s, true) == 0, "%s", mig_error_msg());
	cr_assert(mig_sql_create_table(&b, MIG_SQLITE, s->tables[1], s, true) == 0, "%s", mig_error_msg());
	golden("flask", b.ptr);
	cr_assert(mig_sql_create_table(&pg, MIG_POSTGRES, s->tables[0], s, true) == 0);
	cr_assert(mig_sql_create_table(&pg, MIG_POSTGRES, s->tables[1], s, true) == 0);
	golden("flask_pg", pg.ptr);

	db_exec(db, b.ptr);
	got = db_query(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('user')");
	cr_assert_str_eq(got, "id|INTEGER|1|1\nusername|VARCHAR(64)|1|0\nemail|VARCHAR(120)|1|0\n"
	    "password_hash|VARCHAR(256)|0|0");
	free(got);
	got = db_query(db, "SELECT name, \"unique\" FROM pragma_index_list('user') ORDER BY name");
	cr_assert_str_eq(got, "ix_user_email|1\nix_user_username|1");
	free(got);
	got = db_query(db, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('post')");
	cr_assert_str_eq(got, "user|user_id|id");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&b);
	mig_buf_release(&pg);
	mig_schema_free(s);
}

Test(render, story3_schema_golden_parents_first_enum_as_check)
{
	struct mig_schema *s = story3_schema();
	struct mig_buf b = MIG_BUF_INIT, pg = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	char *got, *err = NULL;

	cr_assert(mig_sql_create_schema(&b, MIG_SQLITE, s, true) == 0, "%s", mig_error_msg());
	golden("story3", b.ptr);
	cr_assert(mig_sql_create_schema(&pg, MIG_POSTGRES, s, true) == 0, "%s", mig_error_msg());
	golden("story3_pg", pg.ptr);

	/* Parents before children although comments was declared first. */
	cr_assert(strstr(b.ptr, "CREATE TABLE \"users\"") < strstr(b.ptr, "CREATE TABLE \"profiles\""));
	cr_assert(strstr(b.ptr, "CREATE TABLE \"posts\"") < strstr(b.ptr, "CREATE TABLE \"comments\""));
	cr_assert(strstr(pg.ptr, "CREATE TYPE \"genderenum\"") < strstr(pg.ptr, "CREATE TABLE"));

	db_exec(db, "PRAGMA foreign_keys = ON;");
	db_exec(db, b.ptr);
	db_exec(db, "INSERT INTO users (username, email, password) VALUES ('a', 'a@x', 'p');"
	    "INSERT INTO profiles (user_id) VALUES (1);");
	got = db_query(db, "SELECT gender FROM profiles");
	cr_assert_str_eq(got, "UNDEFINED");
	free(got);
	/* The CHECK standing in for the enum type refuses other labels. */
	cr_assert(sqlite3_exec(db, "UPDATE profiles SET gender = 'OTHER'", NULL, NULL, &err) ==
	    SQLITE_CONSTRAINT);
	sqlite3_free(err);
	/* ON DELETE CASCADE is in place. */
	db_exec(db, "INSERT INTO posts (title, user_id) VALUES ('t', 1);"
	    "INSERT INTO comments (content, post_id) VALUES ('c', 1); DELETE FROM posts;");
	got = db_query(db, "SELECT count(*) FROM comments");
	cr_assert_str_eq(got, "0");
	free(got);
	got = db_query(db, "SELECT name FROM sqlite_schema WHERE sql LIKE '%AUTOINCREMENT%' ORDER BY 1");
	cr_assert_str_eq(got, "comments\nposts\nprofiles\nusers");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&b);
	mig_buf_release(&pg);
	mig_schema_free(s);
}

Test(render, create_schema_defers_cyclic_foreign_keys_on_postgres)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_table *a = mig_schema_add_table(s, "a"), *b = mig_schema_add_table(s, "b");
	struct mig_buf out = MIG_BUF_INIT, lite = MIG_BUF_INIT;
	sqlite3 *db = db_open();

	col(s, a, "id", "INTEGER", false, NULL);
	col(s, a, "b_id", "INTEGER", true, NULL);
	mig_table_add_pk(s, a, "id");
	fk(s, a, "fk_a_b", "b_id", "b", "id", NULL);
	col(s, b, "id", "INTEGER", false, NULL);
	col(s, b, "a_id", "INTEGER", true, NULL);
	mig_table_add_pk(s, b, "id");
	fk(s, b, "fk_b_a", "a_id", "a", "id", NULL);

	cr_assert(mig_sql_create_schema(&out, MIG_POSTGRES, s, false) == 0);
	cr_assert_str_eq(out.ptr,
	    "CREATE TABLE \"a\" (\n\t\"id\" INTEGER NOT NULL,\n\t\"b_id\" INTEGER,\n"
	    "\tPRIMARY KEY (\"id\")\n);\n"
	    "CREATE TABLE \"b\" (\n\t\"id\" INTEGER NOT NULL,\n\t\"a_id\" INTEGER,\n"
	    "\tPRIMARY KEY (\"id\"),\n"
	    "\tCONSTRAINT \"fk_b_a\" FOREIGN KEY (\"a_id\") REFERENCES \"a\" (\"id\")\n);\n"
	    "ALTER TABLE \"a\" ADD CONSTRAINT \"fk_a_b\" FOREIGN KEY (\"b_id\") REFERENCES \"b\" (\"id\");\n");
	/* SQLite does not check references at CREATE time: both stay inline, and it runs. */
	cr_assert(mig_sql_create_schema(&lite, MIG_SQLITE, s, false) == 0);
	cr_assert(eq(int, count(lite.ptr, "FOREIGN KEY"), 2));
	db_exec(db, lite.ptr);
	sqlite3_close(db);
	mig_buf_release(&out);
	mig_buf_release(&lite);
	mig_schema_free(s);
}

Test(render, defaults_are_parenthesised_unless_literal)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *in[] = { "1", "-2.5", "'it''s'", "NULL", "true", "CURRENT_TIMESTAMP", "X'00ff'",
		"1e3", "(1 + 1)", "lower('A')", "datetime('now')", "'a' || 'b'", "0x1F" };
	const char *want = "1|-2.5|'it''s'|NULL|true|CURRENT_TIMESTAMP|X'00ff'|1e3|(1 + 1)|"
	    "(lower('A'))|(datetime('now'))|('a' || 'b')|0x1F|";
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		mig_sql_default(&b, MIG_SQLITE, in[i]);
		mig_buf_putc(&b, '|');
	}
	cr_assert_str_eq(b.ptr, want);
	mig_buf_clear(&b);
	mig_sql_default(&b, MIG_POSTGRES, "now()");
	cr_assert_str_eq(b.ptr, "now()");
	cr_assert(mig_sql_default_is_constant("'x'"));
	cr_assert(mig_sql_default_is_constant("-1"));
	cr_assert(mig_sql_default_is_constant("CURRENT_TIMESTAMP") == false);
	cr_assert(mig_sql_default_is_constant("(1)") == false);
	cr_assert(mig_sql_default_is_constant("'a' || 'b'") == false);
	mig_buf_release(&b);
}

Test(render, mentions_matches_whole_identifiers_only)
{
	cr_assert(mig_sql_mentions("length(name) > 0", "name"));
	cr_assert(mig_sql_mentions("length(\"Name\") > 0", "name"));
	cr_assert(mig_sql_mentions("[name] = 1", "NAME"));
	cr_assert(mig_sql_mentions("length(surname) > 0", "name") == false);
	cr_assert(mig_sql_mentions("x = 'name'", "name") == false);
	cr_assert(mig_sql_mentions("\"we\"\"ird\" = 1", "we\"ird"));
}

/* ---- each operation: golden up/down, then executed both ways on a seeded database ---- */

Test(render_sqlite, add_column_with_default_in_place)
{
	struct fixture *f = fixture(0, V_ADD_COL);
	struct mig_op *o = op(f, MIG_OP_ADD_COLUMN, "account", "account");

	o->col_new = column(o->table_new, "is_active");
	roundtrip(f, "add_column", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, add_not_null_column_without_default_rebuilds_and_fails_on_rows)
{
	struct fixture *f = fixture(0, V_ADD_CODE);
	struct mig_op *o = op(f, MIG_OP_ADD_COLUMN, "account", "account");
	struct scripts s;
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	char *err, *got;

	o->col_new = column(o->table_new, "code");
	s = render(f, 0);
	golden("add_column_not_null", s.up);
	cr_assert(strstr(s.up, "NOT NULL without a default") != NULL);
	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	db_exec(db, "PRAGMA foreign_keys = ON;");
	seed(db, f->from);
	/* Rows present: the copy cannot invent a value, the run fails and rolls back. */
	err = apply(db, s.up);
	cr_assert(err != NULL && strstr(err, "NOT NULL constraint failed") != NULL, "%s", err);
	free(err);
	got = db_query(db, "SELECT count(*) FROM account");
	cr_assert_str_eq(got, "3");
	free(got);
	/* Empty table: the same script works. */
	db_exec(db, "DELETE FROM membership; DELETE FROM account;");
	err = apply(db, s.up);
	cr_assert(err == NULL, "%s", err);
	got = db_query(db, "SELECT name FROM pragma_table_info('account') WHERE \"notnull\" AND name = 'code'");
	cr_assert_str_eq(got, "code");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

Test(render_sqlite, drop_column_in_place)
{
	struct fixture *f = fixture(0, V_NO_BIO);
	struct mig_op *o = op(f, MIG_OP_DROP_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "bio");
	o->destructive = true;
	roundtrip(f, "drop_column", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, drop_indexed_column_after_its_index_in_place)
{
	struct fixture *f = fixture(V_IX_BIO, V_NO_BIO);
	struct mig_op *o = op(f, MIG_OP_DROP_INDEX, "account", "account");

	o->idx_old = index_of(o->table_old, "ix_account_bio");
	o = op(f, MIG_OP_DROP_COLUMN, "account", "account");
	o->col_old = column(o->table_old, "bio");
	o->destructive = true;
	roundtrip(f, "drop_indexed_column", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, drop_unique_column_rebuilds)
{
	struct fixture *f = fixture(0, V_NO_UQ_EMAIL);
	struct mig_op *o;

	/* to without email at all: build it by hand from the variant without the unique. */
	mig_schema_free(f->to);
	f->to = build(V_NO_UQ_EMAIL);
	{
		struct mig_table *a = mig_schema_find_table(f->to, "account");
		size_t k, n = 0;

		for (k = 0; k < a->ncolumns; k++)
			if (strcmp(a->columns[k]->name, "email") != 0)
				a->columns[n++] = a->columns[k];
		a->ncolumns = n;
	}
	o = op(f, MIG_OP_DROP_UNIQUE, "account", "account");
	o->uq_old = unique_of(o->table_old, "uq_account_email");
	o = op(f, MIG_OP_DROP_COLUMN, "account", "account");
	o->col_old = column(o->table_old, "email");
	o->destructive = true;
	roundtrip(f, "drop_unique_column", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, drop_column_on_old_sqlite_rebuilds)
{
	struct fixture *f = fixture(0, V_NO_BIO);
	struct mig_op *o = op(f, MIG_OP_DROP_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "bio");
	o->destructive = true;
	roundtrip(f, "drop_column_3_34", 3034000, true, false);
	fixture_free(f);
}

Test(render_sqlite, rename_column_in_place_carries_data)
{
	struct fixture *f = fixture(0, V_RENAME_COL);
	struct mig_op *o = op(f, MIG_OP_RENAME_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "name");
	o->col_new = column(o->table_new, "full_name");
	roundtrip(f, "rename_column", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, rename_column_on_old_sqlite_rebuilds_and_carries_data)
{
	struct fixture *f = fixture(0, V_RENAME_COL);
	struct mig_op *o = op(f, MIG_OP_RENAME_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "name");
	o->col_new = column(o->table_new, "full_name");
	roundtrip(f, "rename_column_3_24", 3024000, true, true);
	fixture_free(f);
}

Test(render_sqlite, type_change_rebuilds_keeping_values)
{
	struct fixture *f = fixture(0, V_BIO_VARCHAR);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	roundtrip(f, "alter_type", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, not_null_change_rebuilds)
{
	struct fixture *f = fixture(0, V_EMAIL_NOTNULL);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "email");
	o->col_new = column(o->table_new, "email");
	o->alter = MIG_ALTER_NULLABLE;
	roundtrip(f, "alter_nullable", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, default_change_rebuilds)
{
	struct fixture *f = fixture(0, V_BIO_DEFAULT);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");

	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_DEFAULT;
	roundtrip(f, "alter_default", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, primary_key_change_rebuilds)
{
	struct fixture *f = fixture(0, V_PK2);

	op(f, MIG_OP_ALTER_PK, "membership", "membership");
	roundtrip(f, "alter_pk", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, add_and_drop_index_in_place)
{
	struct fixture *f = fixture(V_NO_IX_NAME, V_IX_EMAIL);
	struct mig_op *o = op(f, MIG_OP_ADD_INDEX, "account", "account");

	o->idx_new = index_of(o->table_new, "ix_account_name");
	o = op(f, MIG_OP_ADD_INDEX, "account", "account");
	o->idx_new = index_of(o->table_new, "ix_account_email");
	roundtrip(f, "add_index", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, rename_index_recreates_it)
{
	struct fixture *f = fixture(0, V_IX_RENAMED);
	struct mig_op *o = op(f, MIG_OP_RENAME_INDEX, "account", "account");

	o->idx_old = index_of(o->table_old, "ix_account_name");
	o->idx_new = index_of(o->table_new, "ix_account_full");
	roundtrip(f, "rename_index", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, add_unique_constraint_rebuilds)
{
	struct fixture *f = fixture(0, V_UQ_NAME);
	struct mig_op *o = op(f, MIG_OP_ADD_UNIQUE, "account", "account");

	o->uq_new = unique_of(o->table_new, "uq_account_name");
	roundtrip(f, "add_unique", 0, true, true);
	fixture_free(f);
}

/*
 * account is referenced by membership (ON DELETE CASCADE): rebuilding account with foreign keys
 * on would empty membership. The marker makes the run switch them off; every row stays.
 */
Test(render_sqlite, add_fk_to_referenced_table_fires_no_cascade)
{
	struct fixture *f = fixture(V_NO_FK, 0);
	struct mig_op *o = op(f, MIG_OP_ADD_FK, "account", "account");

	o->fk_new = o->table_new->fks[0];
	roundtrip(f, "add_fk", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, add_and_drop_check_rebuild)
{
	struct fixture *f = fixture(V_NO_CHECK, 0);
	struct mig_op *o = op(f, MIG_OP_ADD_CHECK, "account", "account");

	o->ck_new = o->table_new->checks[0];
	roundtrip(f, "add_check", 0, true, true);
	fixture_free(f);
}

Test(render_sqlite, create_and_drop_table)
{
	struct fixture *f = fixture(V_NO_ACCOUNT, 0);
	struct mig_op *o = op(f, MIG_OP_CREATE_TABLE, NULL, "account");

	o = op(f, MIG_OP_CREATE_TABLE, NULL, "membership");
	(void)o;
	roundtrip(f, "create_table", 0, false, false);
	fixture_free(f);
}

Test(render_sqlite, rename_table_updates_references)
{
	struct fixture *f = fixture(0, V_RENAME_TABLE);
	sqlite3 *db = db_open();
	struct scripts s;
	struct mig_buf ddl = MIG_BUF_INIT;
	char *got;

	op(f, MIG_OP_RENAME_TABLE, "account", "member");
	roundtrip(f, "rename_table", 0, false, false);
	s = render(f, 0);
	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	cr_assert(apply(db, s.up) == NULL);
	got = db_query(db, "SELECT \"table\" FROM pragma_foreign_key_list('membership')");
	cr_assert_str_eq(got, "member");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

Test(render_sqlite, comments_and_enums_are_notes_only)
{
	struct fixture *f = fixture(V_ENUM, V_COMMENTS | V_ENUM2);
	struct mig_op *o = op(f, MIG_OP_TABLE_COMMENT, "account", "account");

	o = op(f, MIG_OP_COLUMN_COMMENT, "account", "account");
	o->col_old = column(o->table_old, "name");
	o->col_new = column(o->table_new, "name");
	o = op(f, MIG_OP_ALTER_ENUM, NULL, NULL);
	o->enum_old = f->from->enums[0];
	o->enum_new = f->to->enums[0];
	roundtrip(f, "notes", 0, false, false);
	fixture_free(f);
}

/* Several changes to one table: one rebuild, after the native rename, in each direction. */
Test(render_sqlite, several_changes_rebuild_the_table_once)
{
	struct fixture *f = fixture(0, V_RENAME_COL | V_BIO_VARCHAR | V_UQ_NAME | V_IX_EMAIL | V_ADD_COL);
	struct mig_op *o = op(f, MIG_OP_RENAME_COLUMN, "account", "account");
	struct scripts s;

	o->col_old = column(o->table_old, "name");
	o->col_new = column(o->table_new, "full_name");
	o = op(f, MIG_OP_ADD_COLUMN, "account", "account");
	o->col_new = column(o->table_new, "is_active");
	o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");
	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	o = op(f, MIG_OP_ADD_UNIQUE, "account", "account");
	o->uq_new = unique_of(o->table_new, "uq_account_name");
	o = op(f, MIG_OP_ADD_INDEX, "account", "account");
	o->idx_new = index_of(o->table_new, "ix_account_email");
	roundtrip(f, "several", 0, true, true);
	s = render(f, 0);
	cr_assert(eq(int, count(s.up, "CREATE TABLE \"_mig_new_account\""), 1));
	cr_assert(eq(int, count(s.down, "CREATE TABLE \"_mig_new_account\""), 1));
	cr_assert(eq(int, count(s.up, "-- Detected"), 5));
	cr_assert(eq(int, count(s.down, "-- Detected"), 5));
	/* The rename runs in place before the rebuild, which then copies full_name as is. */
	cr_assert(strstr(s.up, "RENAME COLUMN \"name\" TO \"full_name\"") <
	    strstr(s.up, "CREATE TABLE \"_mig_new_account\""));
	free(s.up);
	free(s.down);
	fixture_free(f);
}

Test(render_sqlite, trigger_and_view_survive_a_rebuild)
{
	struct fixture *f = fixture(V_EXTRAS, V_EXTRAS | V_BIO_VARCHAR);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	struct scripts s;
	char *got;

	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	roundtrip(f, "extras", 0, true, true);

	/* And they work afterwards: the trigger fires, the view and the other trigger see account. */
	s = render(f, 0);
	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	db_exec(db, "PRAGMA foreign_keys = ON;");
	seed(db, f->from);
	cr_assert(apply(db, s.up) == NULL);
	db_exec(db, "INSERT INTO account (name, email) VALUES ('name 4', 'e4@example.org');");
	got = db_query(db, "SELECT msg FROM audit ORDER BY id");
	cr_assert_str_eq(got, "new name 1\nnew name 2\nnew name 3\nnew name 4");
	free(got);
	got = db_query(db, "SELECT count(*) FROM v_account");
	cr_assert_str_eq(got, "4");
	free(got);
	db_exec(db, "PRAGMA foreign_keys = OFF; DELETE FROM team WHERE id = 2;");
	got = db_query(db, "SELECT id, team_id FROM account ORDER BY id");
	cr_assert_str_eq(got, "1|1\n2|NULL\n3|3\n4|NULL");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

Test(render_sqlite, autoincrement_high_water_mark_is_kept)
{
	struct fixture *f = fixture(0, V_BIO_VARCHAR);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	struct scripts s;
	char *got;

	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	s = render(f, 0);
	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	seed(db, f->from);
	db_exec(db, "DELETE FROM membership WHERE account_id = 3; DELETE FROM account WHERE id = 3;");
	cr_assert(apply(db, s.up) == NULL);
	db_exec(db, "INSERT INTO account (name) VALUES ('next');");
	got = db_query(db, "SELECT id FROM account WHERE name = 'next'");
	cr_assert_str_eq(got, "4", "AUTOINCREMENT must not reuse id 3");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

/* Names that need quoting everywhere: a keyword, a quote, a space. */
Test(render_sqlite, awkward_names_are_quoted_through_a_rebuild)
{
	struct mig_schema *from = mig_schema_new(), *to = mig_schema_new();
	struct mig_table *a = mig_schema_add_table(from, "order"), *b = mig_schema_add_table(to, "order");
	struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	struct mig_op ops[2];
	struct mig_diff diff = { ops, 2, NULL, 0, { NULL }, 0 };
	sqlite3 *db = db_open();
	char *got;

	col(from, a, "group", "INTEGER", false, NULL);
	col(from, a, "it's \"x\"", "TEXT", true, NULL);
	mig_table_add_pk(from, a, "group");
	idx(from, a, "ix \"q\"", false, "it's \"x\"");
	col(to, b, "group", "INTEGER", false, NULL);
	col(to, b, "new \"name\"", "VARCHAR(9)", false, "'x''y'");
	mig_table_add_pk(to, b, "group");
	idx(to, b, "ix \"q\"", false, "new \"name\"");
	memset(ops, 0, sizeof(ops));
	ops[0].kind = MIG_OP_RENAME_COLUMN;
	ops[0].table_old = a;
	ops[0].table_new = b;
	ops[0].col_old = a->columns[1];
	ops[0].col_new = b->columns[1];
	ops[1] = ops[0];
	ops[1].kind = MIG_OP_ALTER_COLUMN;
	ops[1].alter = MIG_ALTER_TYPE | MIG_ALTER_NULLABLE | MIG_ALTER_DEFAULT;
	cr_assert(mig_sql_render_diff(&up, &down, MIG_SQLITE, &diff, from, to) == 0, "%s",
	    mig_error_msg());
	db_exec(db, "CREATE TABLE \"order\" (\"group\" INTEGER NOT NULL PRIMARY KEY, \"it's \"\"x\"\"\" TEXT);"
	    "CREATE INDEX \"ix \"\"q\"\"\" ON \"order\" (\"it's \"\"x\"\"\");"
	    "INSERT INTO \"order\" VALUES (1, 'one'), (2, 'two');");
	cr_assert(apply(db, up.ptr) == NULL, "%s", up.ptr);
	got = db_query(db, "SELECT \"group\", \"new \"\"name\"\"\" FROM \"order\" ORDER BY 1");
	cr_assert_str_eq(got, "1|one\n2|two");
	free(got);
	got = db_query(db, "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('order')");
	cr_assert_str_eq(got, "group|INTEGER|1|NULL\nnew \"name\"|VARCHAR(9)|1|'x''y'");
	free(got);
	cr_assert(apply(db, down.ptr) == NULL, "%s", down.ptr);
	got = db_query(db, "SELECT * FROM \"order\" ORDER BY 1");
	cr_assert_str_eq(got, "1|one\n2|two");
	free(got);
	got = db_query(db, "SELECT name FROM pragma_index_info('ix \"q\"')");
	cr_assert_str_eq(got, "it's \"x\"");
	free(got);
	sqlite3_close(db);
	mig_buf_release(&up);
	mig_buf_release(&down);
	mig_schema_free(from);
	mig_schema_free(to);
}

Test(render_sqlite, newline_in_a_name_cannot_leave_the_comment)
{
	struct fixture *f = fixture(0, 0);
	struct mig_table *t = mig_schema_add_table(f->to, "x\nDROP TABLE team; --");
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	struct mig_op *o;
	struct scripts s;
	char *got;

	col(f->to, t, "id", "INTEGER", true, NULL);
	o = op(f, MIG_OP_CREATE_TABLE, NULL, NULL);
	o->table_new = t;
	s = render(f, 0);
	cr_assert(strstr(s.up, "-- Detected added table 'x DROP TABLE team; --'\n") != NULL, "%s", s.up);
	cr_assert(mig_sql_create_schema(&ddl, MIG_SQLITE, f->from, false) == 0);
	db_exec(db, ddl.ptr);
	cr_assert(apply(db, s.up) == NULL);
	got = db_query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid");
	cr_assert(strncmp(got, "team\n", 5) == 0 && strstr(got, "x\nDROP TABLE team; --") != NULL,
	    "%s", got);
	free(got);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

Test(render_sqlite, stale_trigger_text_after_a_rename_is_refused)
{
	struct fixture *f = fixture(V_EXTRAS, V_EXTRAS | V_RENAME_COL | V_BIO_VARCHAR);
	struct mig_op *o = op(f, MIG_OP_RENAME_COLUMN, "account", "account");
	struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	size_t i, n = 0;

	o->col_old = column(o->table_old, "name");
	o->col_new = column(o->table_new, "full_name");
	o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");
	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	/* The wanted schema does not know the triggers (as with a manifest): only old text exists. */
	for (i = 0; i < f->to->nextras; i++)
		if (strcmp(f->to->extras[i]->kind, "trigger") != 0)
			f->to->extras[n++] = f->to->extras[i];
	f->to->nextras = n;
	cr_assert(eq(int, mig_sql_render_diff(&up, &down, MIG_SQLITE, &f->diff, f->from, f->to),
	    MIG_EUSAGE));
	cr_assert(strstr(mig_error_msg(), "trigger 'trg_account_ai'") != NULL, "%s", mig_error_msg());
	mig_buf_release(&up);
	mig_buf_release(&down);
	fixture_free(f);
}

Test(render_sqlite, rebuilt_table_keeps_triggers_from_the_database_side)
{
	/* The wanted side (a manifest) has no extras: the database's trigger must still come back. */
	struct fixture *f = fixture(V_EXTRAS, V_BIO_VARCHAR);
	struct mig_op *o = op(f, MIG_OP_ALTER_COLUMN, "account", "account");
	struct scripts s;

	o->col_old = column(o->table_old, "bio");
	o->col_new = column(o->table_new, "bio");
	o->alter = MIG_ALTER_TYPE;
	s = render(f, 0);
	cr_assert(eq(int, count(s.up, "CREATE TRIGGER \"trg_account_ai\""), 1), "%s", s.up);
	cr_assert(eq(int, count(s.down, "CREATE TRIGGER \"trg_account_ai\""), 1), "%s", s.down);
	cr_assert(eq(int, count(s.up, "trg_team_ad"), 0), "a trigger on another table is left alone");
	free(s.up);
	free(s.down);
	fixture_free(f);
}

/* ---- PostgreSQL: the same operations in place ---- */

/*
 * The operation cases run on PostgreSQL: case i's fixture with its operations, or NULL past the
 * last case.
 */
static struct fixture *
pg_case(size_t i)
{
	static const struct {
		unsigned from, to;
		enum mig_op_kind kind;
		const char *a, *b, *x, *y;  /* tables; then the object names (old, new) */
	} cases[] = {
		{ V_NO_ACCOUNT, 0, MIG_OP_CREATE_TABLE, NULL, "account", NULL, NULL },
		{ 0, V_RENAME_TABLE, MIG_OP_RENAME_TABLE, "account", "member", NULL, NULL },
		{ 0, V_ADD_COL, MIG_OP_ADD_COLUMN, "account", "account", NULL, "is_active" },
		{ 0, V_RENAME_COL, MIG_OP_RENAME_COLUMN, "account", "account", "name", "full_name" },
		{ 0, V_BIO_VARCHAR | V_BIO_DEFAULT, MIG_OP_ALTER_COLUMN, "account", "account", "bio", "bio" },
		{ 0, V_EMAIL_NOTNULL, MIG_OP_ALTER_COLUMN, "account", "account", "email", "email" },
		{ 0, V_PK2, MIG_OP_ALTER_PK, "membership", "membership", NULL, NULL },
		{ 0, V_IX_EMAIL, MIG_OP_ADD_INDEX, "account", "account", NULL, "ix_account_email" },
		{ 0, V_IX_RENAMED, MIG_OP_RENAME_INDEX, "account", "account", "ix_account_name",
		    "ix_account_full" },
		{ 0, V_UQ_NAME, MIG_OP_ADD_UNIQUE, "account", "account", NULL, "uq_account_name" },
		{ V_NO_FK, 0, MIG_OP_ADD_FK, "account", "account", NULL, NULL },
		{ V_NO_CHECK, 0, MIG_OP_ADD_CHECK, "account", "account", NULL, NULL },
		{ 0, V_COMMENTS, MIG_OP_TABLE_COMMENT, "account", "account", "name", "name" },
		{ 0, V_ENUM, MIG_OP_CREATE_ENUM, NULL, NULL, NULL, NULL },
		{ V_ENUM, V_ENUM2, MIG_OP_ALTER_ENUM, NULL, NULL, NULL, NULL },
		{ V_ENUM, V_ENUM3, MIG_OP_ALTER_ENUM, NULL, NULL, NULL, NULL },
		{ 0, V_NO_BIO, MIG_OP_DROP_COLUMN, "account", "account", "bio", NULL },
	};
	struct fixture *f;
	struct mig_op *o;

	if (i >= sizeof(cases) / sizeof(cases[0]))
		return NULL;
	f = fixture(cases[i].from, cases[i].to);
	o = op(f, cases[i].kind, cases[i].a, cases[i].b);
	switch (o->kind) {
	case MIG_OP_CREATE_TABLE:
		op(f, MIG_OP_CREATE_TABLE, NULL, "membership");
		break;
	case MIG_OP_ADD_COLUMN:
		o->col_new = column(o->table_new, cases[i].y);
		break;
	case MIG_OP_DROP_COLUMN:
		o->col_old = column(o->table_old, cases[i].x);
		o->destructive = true;
		break;
	case MIG_OP_TABLE_COMMENT:
		o = op(f, MIG_OP_COLUMN_COMMENT, cases[i].a, cases[i].b);
		/* FALLTHROUGH */
	case MIG_OP_RENAME_COLUMN:
		o->col_old = column(o->table_old, cases[i].x);
		o->col_new = column(o->table_new, cases[i].y);
		break;
	case MIG_OP_ALTER_COLUMN:
		o->col_old = column(o->table_old, cases[i].x);
		o->col_new = column(o->table_new, cases[i].y);
		o->alter = strcmp(cases[i].x, "bio") == 0 ? MIG_ALTER_TYPE | MIG_ALTER_DEFAULT :
		    MIG_ALTER_NULLABLE;
		break;
	case MIG_OP_ADD_INDEX:
		o->idx_new = index_of(o->table_new, cases[i].y);
		break;
	case MIG_OP_RENAME_INDEX:
		o->idx_old = index_of(o->table_old, cases[i].x);
		o->idx_new = index_of(o->table_new, cases[i].y);
		break;
	case MIG_OP_ADD_UNIQUE:
		o->uq_new = unique_of(o->table_new, cases[i].y);
		break;
	case MIG_OP_ADD_FK:
		o->fk_new = o->table_new->fks[0];
		break;
	case MIG_OP_ADD_CHECK:
		o->ck_new = o->table_new->checks[0];
		break;
	case MIG_OP_CREATE_ENUM:
		o->enum_new = f->to->enums[0];
		o = op(f, MIG_OP_ADD_COLUMN, "account", "account");
		o->col_new = column(o->table_new, "mood");
		break;
	case MIG_OP_ALTER_ENUM:
		o->enum_old = f->from->enums[0];
		o->enum_new = f->to->enums[0];
		break;
	default:
		break;
	}
	return f;
}

Test(render_postgres, every_operation_kind_golden)
{
	struct mig_buf all = MIG_BUF_INIT;
	struct fixture *f;
	size_t i;

	for (i = 0; (f = pg_case(i)) != NULL; i++) {
		struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;

		cr_assert(mig_sql_render_diff(&up, &down, MIG_POSTGRES, &f->diff, f->from, f->to) == 0,
		    "case %zu: %s", i, mig_error_msg());
		cr_assert(strstr(up.ptr, MIG_SQL_FK_OFF_MARKER) == NULL);
		mig_buf_printf(&all, "-- ==== case %zu: up\n%s-- ==== down\n%s", i, up.ptr, down.ptr);
		mig_buf_release(&up);
		mig_buf_release(&down);
		fixture_free(f);
	}
	golden("postgres_ops", all.ptr);
	mig_buf_release(&all);
}

/* ---- PostgreSQL execution, on the server tools/run-tests.sh starts (MIG_TEST_PG) ---- */

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A connection whose search_path is a fresh schema of this test's own (tests run in parallel). */
static PGconn *
pg_open(char **schema)
{
	const char *url = getenv("MIG_TEST_PG");
	PGconn *c;

	cr_assert(url != NULL && *url != '\0', "MIG_TEST_PG is not set: these tests need a PostgreSQL "
	    "server (run them with `make test` or tools/run-tests.sh, which start one)");
	c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	*schema = mig_xasprintf("mig_render_%ld", (long)getpid());
	return c;
}

static char *
pg_try(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *err = NULL;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		err = mig_xstrdup(PQresultErrorMessage(r));
	PQclear(r);
	return err;
}

static void
pg_exec(PGconn *c, const char *sql)
{
	char *err = pg_try(c, sql);

	cr_assert(err == NULL, "%s--- in ---\n%s", err, sql);
}

static char *
pg_query(PGconn *c, const char *sql)
{
	struct mig_buf b = MIG_BUF_INIT;
	PGresult *r = PQexec(c, sql);
	int i, j;

	cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	for (i = 0; i < PQntuples(r); i++) {
		if (i)
			mig_buf_putc(&b, '\n');
		for (j = 0; j < PQnfields(r); j++) {
			if (j)
				mig_buf_putc(&b, '|');
			mig_buf_puts(&b, PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
		}
	}
	PQclear(r);
	return mig_buf_detach(&b);
}

static void
pg_reset(PGconn *c, const char *schema)
{
	char *sql = mig_xasprintf("DROP SCHEMA IF EXISTS \"%s\" CASCADE; CREATE SCHEMA \"%s\"; "
	    "SET search_path TO \"%s\";", schema, schema, schema);

	pg_exec(c, sql);
	free(sql);
}

/* Runs a script in one transaction, as the executor does; NULL or the error (malloc'd). */
static char *
pg_apply(PGconn *c, const char *script)
{
	char *err;

	pg_exec(c, "BEGIN");
	if ((err = pg_try(c, script)) != NULL) {
		pg_exec(c, "ROLLBACK");
		return err;
	}
	pg_exec(c, "COMMIT");
	return NULL;
}

/* The catalog of the current schema: columns, constraints, indexes, enum types, comments. */
static char *
pg_dump(PGconn *c)
{
	struct mig_buf b = MIG_BUF_INIT;

	dump_append(&b, "columns", pg_query(c, "SELECT table_name, column_name, data_type, "
	    "character_maximum_length, is_nullable, column_default, is_identity FROM "
	    "information_schema.columns WHERE table_schema = current_schema() "
	    "ORDER BY table_name, ordinal_position"));
	dump_append(&b, "constraints", pg_query(c, "SELECT conrelid::regclass::text, conname, "
	    "pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = "
	    "current_schema()::regnamespace ORDER BY 1, 2"));
	dump_append(&b, "indexes", pg_query(c, "SELECT tablename, indexname, indexdef FROM pg_indexes "
	    "WHERE schemaname = current_schema() ORDER BY 1, 2"));
	dump_append(&b, "enums", pg_query(c, "SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY "
	    "e.enumsortorder) FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE "
	    "t.typnamespace = current_schema()::regnamespace GROUP BY 1 ORDER BY 1"));
	dump_append(&b, "comments", pg_query(c, "SELECT c.relname, a.attname, "
	    "col_description(c.oid, a.attnum), obj_description(c.oid, 'pg_class') FROM pg_class c "
	    "JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = "
	    "current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
	    "ORDER BY 1, 2"));
	return mig_buf_detach(&b);
}

static char *
pg_fresh_dump(PGconn *c, const char *schema, const struct mig_schema *s)
{
	struct mig_buf ddl = MIG_BUF_INIT;

	pg_reset(c, schema);
	cr_assert(mig_sql_create_schema(&ddl, MIG_POSTGRES, s, false) == 0);
	pg_exec(c, ddl.ptr);
	mig_buf_release(&ddl);
	return pg_dump(c);
}

/*
 * Every operation case up and down on a seeded schema: the catalog must match a schema created
 * fresh from the target model, and every row must be there with its values.
 */
Test(render_postgres, every_operation_kind_runs_both_ways)
{
	char *schema, *err, *got, *want, *sql;
	PGconn *c = pg_open(&schema);
	struct conn cn = { NULL, c };
	struct fixture *f;
	size_t i;

	for (i = 0; (f = pg_case(i)) != NULL; i++) {
		struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT, ddl = MIG_BUF_INIT;
		char *after_up, *after_down, *rows_up, *rows_down;

		cr_assert(mig_sql_render_diff(&up, &down, MIG_POSTGRES, &f->diff, f->from, f->to) == 0);
		pg_reset(c, schema);
		cr_assert(mig_sql_create_schema(&ddl, MIG_POSTGRES, f->from, false) == 0);
		pg_exec(c, ddl.ptr);
		sql = seed_sql(f->from);
		pg_exec(c, sql);
		free(sql);

		err = pg_apply(c, up.ptr);
		cr_assert(err == NULL, "case %zu up: %s\n%s", i, err, up.ptr);
		after_up = pg_dump(c);
		got = actual_rows(&cn, f->to);
		want = expected_rows(&cn, f, true);
		cr_assert_str_eq(got, want, "case %zu: rows after up\n%s", i, up.ptr);
		free(got);
		free(want);
		err = pg_apply(c, down.ptr);
		cr_assert(err == NULL, "case %zu down: %s\n%s", i, err, down.ptr);
		after_down = pg_dump(c);
		rows_down = actual_rows(&cn, f->from);
		rows_up = expected_rows(&cn, f, false);
		cr_assert_str_eq(rows_down, rows_up, "case %zu: rows after down\n%s", i, down.ptr);
		free(rows_down);
		free(rows_up);

		want = pg_fresh_dump(c, schema, f->to);
		if (strcmp(after_up, want) != 0 && getenv("MIG_TEST_DEBUG"))
			fprintf(stderr, "GOT\n%s\nWANT\n%s\n", after_up, want);
		cr_assert_str_eq(after_up, want, "case %zu: catalog after up\n%s", i, up.ptr);
		free(want);
		want = pg_fresh_dump(c, schema, f->from);
		cr_assert_str_eq(after_down, want, "case %zu: catalog after down\n%s", i, down.ptr);
		free(want);
		free(after_up);
		free(after_down);
		mig_buf_release(&up);
		mig_buf_release(&down);
		mig_buf_release(&ddl);
		fixture_free(f);
	}
	sql = mig_xasprintf("DROP SCHEMA \"%s\" CASCADE", schema);
	pg_exec(c, sql);
	free(sql);
	free(schema);
	PQfinish(c);
}

/* Story 3 on PostgreSQL: the enum type, arrays, JSON, identity keys, cascades, and back to empty. */
Test(render_postgres, story3_schema_runs)
{
	struct mig_schema *s = story3_schema();
	struct mig_buf b = MIG_BUF_INIT;
	char *schema, *got, *sql;
	PGconn *c = pg_open(&schema);

	cr_assert(mig_sql_create_schema(&b, MIG_POSTGRES, s, true) == 0);
	pg_reset(c, schema);
	pg_exec(c, b.ptr);
	pg_exec(c, "INSERT INTO users (username, email, password) VALUES ('a', 'a@x', 'p');"
	    "INSERT INTO profiles (user_id, interests, contacts) VALUES (1, ARRAY['x', 'y'], "
	    "'{\"tel\": \"1\"}');"
	    "INSERT INTO posts (title, user_id) VALUES ('t', 1);"
	    "INSERT INTO comments (content, post_id) VALUES ('c', 1);");
	got = pg_query(c, "SELECT gender, interests[2], contacts->>'tel' FROM profiles");
	cr_assert_str_eq(got, "UNDEFINED|y|1");
	free(got);
	got = pg_try(c, "UPDATE profiles SET gender = 'OTHER'");
	cr_assert(got != NULL && strstr(got, "genderenum") != NULL, "%s", got);
	free(got);
	pg_exec(c, "DELETE FROM users WHERE id = 1 AND false; DELETE FROM posts;");
	got = pg_query(c, "SELECT count(*) FROM comments");
	cr_assert_str_eq(got, "0");
	free(got);
	sql = mig_xasprintf("DROP SCHEMA \"%s\" CASCADE", schema);
	pg_exec(c, sql);
	free(sql);
	free(schema);
	PQfinish(c);
	mig_buf_release(&b);
	mig_schema_free(s);
}

Test(render_postgres, unnamed_constraint_cannot_be_dropped)
{
	struct fixture *f = fixture(0, V_NO_UQ_EMAIL);
	struct mig_op *o = op(f, MIG_OP_DROP_UNIQUE, "account", "account");
	struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	struct mig_unique u = { NULL, NULL, 0, 0 };

	u.columns = o->table_old->uniques[0]->columns;
	u.ncolumns = 1;
	o->uq_old = &u;
	cr_assert(eq(int, mig_sql_render_diff(&up, &down, MIG_POSTGRES, &f->diff, f->from, f->to),
	    MIG_EUSAGE));
	cr_assert_str_eq(mig_error_msg(), "cannot drop an unnamed unique constraint of table 'account'");
	mig_buf_release(&up);
	mig_buf_release(&down);
	fixture_free(f);
}

/*
 * In a revision file the script follows the header; the markers must neither break the header
 * parser nor be swallowed by it, so that run.c finds the foreign-keys marker in the body.
 */
Test(render_sqlite, markers_survive_the_revision_file_header)
{
	struct fixture *f = fixture(0, V_NO_UQ_EMAIL);
	struct mig_op *o = op(f, MIG_OP_DROP_UNIQUE, "account", "account");
	struct mig_arena arena;
	struct mig_rev rev;
	struct scripts s;
	char *file;
	const char *body;
	int i;

	o->uq_old = unique_of(o->table_old, "uq_account_email");
	o->destructive = true;
	s = render(f, 0);
	mig_arena_init(&arena);
	for (i = 0; i < 2; i++) {
		file = mig_xasprintf("-- mig:revision 0123456789ab\n-- mig:message m\n\n-- note\n\n%s",
		    i ? s.down : s.up);
		cr_assert(eq(int, mig_rev_parse_header(&rev, &arena, file, strlen(file), "f.sql", NULL), 0),
		    "%s", mig_error_msg());
		body = mig_rev_body(file, strlen(file));
		cr_assert(strstr(body, "\n" MIG_SQL_FK_OFF_MARKER "\n") != NULL, "%s", body);
		free(file);
	}
	mig_arena_release(&arena);
	free(s.up);
	free(s.down);
	fixture_free(f);
}

/* ---- the whole pipeline: catalog -> differ -> renderer -> database -> catalog ---- */

static struct mig_schema *
introspect(sqlite3 *db)
{
	struct mig_schema *s = NULL;

	cr_assert(eq(int, mig_sqlite_introspect(&s, db, NULL), 0), "%s", mig_error_msg());
	return s;
}

/* The model as the database stores it: rendered into a scratch database and read back. */
static struct mig_schema *
scratch(const struct mig_schema *model, bool portable)
{
	struct mig_buf ddl = MIG_BUF_INIT;
	sqlite3 *db = db_open();
	struct mig_schema *s;

	cr_assert(eq(int, mig_sql_create_schema(&ddl, MIG_SQLITE, model, portable), 0), "%s",
	    mig_error_msg());
	db_exec(db, ddl.ptr);
	s = introspect(db);
	sqlite3_close(db);
	mig_buf_release(&ddl);
	return s;
}

static void
assert_no_diff(const struct mig_schema *a, const struct mig_schema *b, const char *when,
    const char *script)
{
	struct mig_diff d;
	struct mig_buf desc = MIG_BUF_INIT;
	size_t i;

	cr_assert(eq(int, mig_schema_diff(&d, a, b, NULL), 0), "%s", mig_error_msg());
	for (i = 0; i < d.nops; i++) {
		mig_op_describe(&desc, &d.ops[i]);
		mig_buf_putc(&desc, '\n');
	}
	cr_assert(eq(sz, d.nops, 0), "%s the database still differs:\n%s--- script ---\n%s", when,
	    desc.ptr, script);
	mig_buf_release(&desc);
	mig_diff_release(&d);
}

/*
 * Starts a database at from_model with seed rows, diffs it with to_model (as migrate does),
 * applies up and checks the database now matches to_model and `query` gives after_up; applies
 * down and checks it matches its starting catalog again and `query_down` gives after_down.
 * Returns the number of operations the differ found.
 */
static size_t
pipeline(const struct mig_schema *from_model, const struct mig_schema *to_model, bool portable,
    const char *seed_sql, const char *query, const char *after_up, const char *query_down,
    const char *after_down)
{
	struct mig_buf ddl = MIG_BUF_INIT, up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	struct mig_schema *live, *wanted, *now;
	sqlite3 *db = db_open();
	struct mig_diff d;
	size_t nops;
	char *err, *got;

	cr_assert(eq(int, mig_sql_create_schema(&ddl, MIG_SQLITE, from_model, portable), 0));
	db_exec(db, ddl.ptr);
	db_exec(db, "PRAGMA foreign_keys = ON;");
	if (seed_sql)
		db_exec(db, seed_sql);
	live = introspect(db);
	wanted = scratch(to_model, portable);
	cr_assert(eq(int, mig_schema_diff(&d, live, wanted, to_model), 0), "%s", mig_error_msg());
	nops = d.nops;
	if (getenv("MIG_TEST_DEBUG")) {
		struct mig_buf desc = MIG_BUF_INIT;
		size_t i;

		for (i = 0; i < d.nops; i++) {
			mig_op_describe(&desc, &d.ops[i]);
			mig_buf_putc(&desc, '\n');
		}
		fprintf(stderr, "%s", desc.ptr);
		mig_buf_release(&desc);
	}
	cr_assert(eq(int, mig_sql_render_diff(&up, &down, MIG_SQLITE, &d, live, wanted), 0), "%s",
	    mig_error_msg());
	if (getenv("MIG_TEST_DEBUG"))
		fprintf(stderr, "-- up\n%s-- down\n%s", up.ptr, down.ptr);

	err = apply(db, up.ptr);
	cr_assert(err == NULL, "up: %s\n%s", err, up.ptr);
	now = introspect(db);
	assert_no_diff(now, wanted, "after up", up.ptr);
	mig_schema_free(now);
	if (query) {
		got = db_query(db, query);
		cr_assert_str_eq(got, after_up, "after up\n--- script ---\n%s", up.ptr);
		free(got);
	}

	err = apply(db, down.ptr);
	cr_assert(err == NULL, "down: %s\n%s", err, down.ptr);
	now = introspect(db);
	assert_no_diff(now, live, "after down", down.ptr);
	mig_schema_free(now);
	if (query_down) {
		got = db_query(db, query_down);
		cr_assert_str_eq(got, after_down, "after down\n--- script ---\n%s", down.ptr);
		free(got);
	}
	got = db_query(db, "PRAGMA foreign_key_check");
	cr_assert_str_eq(got, "");
	free(got);

	mig_diff_release(&d);
	mig_schema_free(live);
	mig_schema_free(wanted);
	mig_buf_release(&ddl);
	mig_buf_release(&up);
	mig_buf_release(&down);
	sqlite3_close(db);
	return nops;
}

/* Stories 1 and 2: the user table gains is_active (default true) and post arrives. */
Test(render_pipeline, flask_user_then_posts_and_is_active)
{
	struct mig_schema *from = flask_schema(), *to = flask_schema();
	struct mig_table *user;

	/* from: the user table alone. */
	from->ntables = 1;
	user = mig_schema_find_table(to, "user");
	col(to, user, "is_active", "boolean", false, "1");
	cr_assert(eq(sz, pipeline(from, to, true,
	    "INSERT INTO user (username, email) VALUES ('ann', 'ann@x'), ('bob', 'bob@x');",
	    "SELECT id, username, email, password_hash, is_active FROM user ORDER BY id",
	    "1|ann|ann@x|NULL|1\n2|bob|bob@x|NULL|1",
	    "SELECT * FROM user ORDER BY id", "1|ann|ann@x|NULL\n2|bob|bob@x|NULL"), 4));
	mig_schema_free(from);
	mig_schema_free(to);
}

/* Story 3 from nothing, and back to nothing. */
Test(render_pipeline, story3_from_empty_and_back)
{
	struct mig_schema *from = mig_schema_new(), *to = story3_schema();

	cr_assert(pipeline(from, to, true, NULL,
	    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY 1",
	    "comments\nposts\nprofiles\nusers",
	    "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite%'", "0") >= 4);
	mig_schema_free(from);
	mig_schema_free(to);
}

/* An enum gains a label: on SQLite its CHECK changes, so profiles is rebuilt with its rows. */
Test(render_pipeline, enum_label_added_rebuilds_with_rows)
{
	struct mig_schema *from = story3_schema(), *to = story3_schema();

	mig_enum_add_label(to, to->enums[0], "OTHER");
	pipeline(from, to, true,
	    "INSERT INTO users (username, email, password) VALUES ('a', 'a@x', 'p'), ('b', 'b@x', 'p');"
	    "INSERT INTO profiles (name, gender, interests, user_id) VALUES ('A', 'MALE', '[\"x\"]', 1),"
	    " ('B', 'FEMALE', NULL, 2);"
	    "INSERT INTO posts (title, user_id) VALUES ('t', 1); INSERT INTO comments (content, post_id)"
	    " VALUES ('c', 1);",
	    "SELECT p.id, p.name, p.gender, p.interests, u.username, (SELECT count(*) FROM comments) "
	    "FROM profiles p JOIN users u ON u.id = p.user_id ORDER BY p.id",
	    "1|A|MALE|[\"x\"]|a|1\n2|B|FEMALE|NULL|b|1",
	    "SELECT id, name, gender FROM profiles ORDER BY id", "1|A|MALE\n2|B|FEMALE");
	mig_schema_free(from);
	mig_schema_free(to);
}

/*
 * Many changes at once on a table that another table references (with ON DELETE CASCADE): a
 * column renamed (by hint), a type change, a new unique constraint, a new index, a new column,
 * a dropped foreign key; every row of both tables survives, both ways.
 */
Test(render_pipeline, many_changes_on_a_referenced_table)
{
	struct mig_schema *from = build(0);
	struct mig_schema *to = build(V_RENAME_COL | V_BIO_VARCHAR | V_UQ_NAME | V_IX_EMAIL | V_ADD_COL |
	    V_NO_FK);
	struct mig_column *c = mig_table_find_column(mig_schema_find_table(to, "account"), "full_name");

	c->renamed_from = "name";
	pipeline(from, to, false,
	    "INSERT INTO team (name) VALUES ('t1'), ('t2');"
	    "INSERT INTO account (team_id, name, email, bio) VALUES (1, 'ann', 'a@x', 'hi'),"
	    " (2, 'bob', NULL, NULL);"
	    "INSERT INTO membership (account_id, team_id) VALUES (1, 1), (2, 2);",
	    "SELECT a.id, a.team_id, a.full_name, a.email, a.bio, a.is_active, m.team_id, m.role "
	    "FROM account a JOIN membership m ON m.account_id = a.id ORDER BY a.id",
	    "1|1|ann|a@x|hi|1|1|member\n2|2|bob|NULL|NULL|1|2|member",
	    "SELECT a.id, a.team_id, a.name, a.email, a.bio, m.team_id FROM account a "
	    "JOIN membership m ON m.account_id = a.id ORDER BY a.id",
	    "1|1|ann|a@x|hi|1\n2|2|bob|NULL|NULL|2");
	mig_schema_free(from);
	mig_schema_free(to);
}

/* A differ that also lists a new table's constraints must not get them created twice. */
Test(render_sqlite, operations_on_a_new_table_are_part_of_its_create)
{
	struct fixture *f = fixture(V_NO_ACCOUNT, 0);
	struct mig_op *o;
	struct scripts s;

	op(f, MIG_OP_CREATE_TABLE, NULL, "account");
	o = op(f, MIG_OP_ADD_UNIQUE, NULL, "account");
	o->uq_new = unique_of(o->table_new, "uq_account_email");
	o = op(f, MIG_OP_ADD_INDEX, NULL, "account");
	o->idx_new = index_of(o->table_new, "ix_account_name");
	op(f, MIG_OP_CREATE_TABLE, NULL, "membership");
	roundtrip(f, NULL, 0, false, false);
	s = render(f, 0);
	cr_assert(eq(int, count(s.up, "UNIQUE"), 1), "%s", s.up);
	cr_assert(eq(int, count(s.up, "CREATE INDEX \"ix_account_name\""), 1), "%s", s.up);
	cr_assert(strstr(s.up, "-- (part of the CREATE TABLE above)\n") != NULL, "%s", s.up);
	cr_assert(eq(int, count(s.down, "DROP TABLE \"account\""), 1), "%s", s.down);
	cr_assert(strstr(s.down, "DROP INDEX \"ix_account_name\"") < strstr(s.down, "DROP TABLE \"account\""));
	free(s.up);
	free(s.down);
	fixture_free(f);
}
