/*
 * test_diff.c — the differ (schema_diff.c) and its comparison forms (schema_norm.c).
 *
 * Most cases build both sides the way `mig migrate` does: DDL run in an in-memory SQLite database,
 * then introspected, so the models are exactly what the catalog says. Each case asserts the
 * operations through their descriptions, in order, which pins both what is detected and the
 * order the up script will run in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sqlite3.h>

#include "introspect.h"
#include "schema.h"
#include "schema_norm.h"

static struct mig_schema *
model(const char *ddl)
{
	struct mig_schema *s = NULL;
	sqlite3 *db = NULL;
	char *err = NULL;

	cr_assert(eq(int, sqlite3_open(":memory:", &db), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(db, ddl, NULL, NULL, &err), SQLITE_OK), "ddl: %s", err ? err : "");
	cr_assert(eq(int, mig_sqlite_introspect(&s, db, "mig_version"), 0), "%s", mig_error_msg());
	sqlite3_close(db);
	return s;
}

/* The descriptions of every operation, one per line, in execution order. */
static char *
describe(const struct mig_diff *d)
{
	struct mig_buf b = MIG_BUF_INIT;
	size_t i;

	for (i = 0; i < d->nops; i++) {
		if (i)
			mig_buf_putc(&b, '\n');
		mig_op_describe(&b, &d->ops[i]);
	}
	return mig_buf_detach(&b);
}

static char *
notes(const struct mig_diff *d)
{
	struct mig_buf b = MIG_BUF_INIT;
	size_t i;

	for (i = 0; i < d->nnotes; i++) {
		if (i)
			mig_buf_putc(&b, '\n');
		mig_buf_puts(&b, d->notes[i]);
	}
	return mig_buf_detach(&b);
}

struct case_result {
	struct mig_schema *from, *to;
	struct mig_diff d;
	char *ops, *notes;
};

static void
run_with(struct case_result *r, const char *from_ddl, const char *to_ddl,
    void (*hint)(struct mig_schema *hints))
{
	struct mig_schema *hints = NULL;

	r->from = model(from_ddl);
	r->to = model(to_ddl);
	if (hint) {
		hints = model(to_ddl);
		hint(hints);
	}
	cr_assert(eq(int, mig_schema_diff(&r->d, r->from, r->to, hints), 0));
	mig_schema_free(hints);
	r->ops = describe(&r->d);
	r->notes = notes(&r->d);
}

static void
done(struct case_result *r)
{
	free(r->ops);
	free(r->notes);
	mig_diff_release(&r->d);
	mig_schema_free(r->from);
	mig_schema_free(r->to);
}

/* Asserts the exact operations (and notes) of turning from_ddl into to_ddl. */
static void
expect(const char *from_ddl, const char *to_ddl, void (*hint)(struct mig_schema *), const char *ops,
    const char *want_notes)
{
	struct case_result r;

	run_with(&r, from_ddl, to_ddl, hint);
	cr_assert(eq(str, r.ops, (char *)ops));
	cr_assert(eq(str, r.notes, (char *)(want_notes ? want_notes : "")));
	done(&r);
}

static void
set_table_hint(struct mig_schema *h, const char *table, const char *from)
{
	struct mig_table *t = mig_schema_find_table(h, table);

	cr_assert(t != NULL);
	t->renamed_from = from;
}

static void
set_column_hint(struct mig_schema *h, const char *table, const char *column, const char *from)
{
	struct mig_table *t = mig_schema_find_table(h, table);
	struct mig_column *c = t ? mig_table_find_column(t, column) : NULL;

	cr_assert(c != NULL);
	c->renamed_from = from;
}

/* ---- an unchanged schema never shows a change ---- */

static const char *const schemas[] = {
	"",
	"CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(64) NOT NULL,"
	" email VARCHAR(120) CONSTRAINT uq_user_email UNIQUE, is_active BOOLEAN DEFAULT 1 NOT NULL,"
	" created DATETIME DEFAULT CURRENT_TIMESTAMP);"
	"CREATE INDEX ix_user_username ON user (username);"
	"CREATE TABLE post (id INTEGER PRIMARY KEY, body TEXT, timestamp DATETIME,"
	" user_id INTEGER REFERENCES user (id) ON DELETE CASCADE);"
	"CREATE INDEX ix_post_timestamp ON post (timestamp);",
	"CREATE TABLE a (x INT, y INT, z TEXT DEFAULT 'it''s', PRIMARY KEY (y, x), UNIQUE (z), UNIQUE (x, z),"
	" CHECK (x > 0), CONSTRAINT ck_y CHECK (y BETWEEN 1 AND 10), CHECK (z <> ')'));"
	"CREATE TABLE b (p INT, q INT, r INT REFERENCES b, FOREIGN KEY (p, q) REFERENCES a (y, x)"
	" ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (p, q) REFERENCES a);"
	"CREATE UNIQUE INDEX ix_b ON b (lower(p), q DESC) WHERE r IS NOT NULL;",
	"CREATE TABLE c1 (id INTEGER PRIMARY KEY, other INT REFERENCES c2 (id));"
	"CREATE TABLE c2 (id INTEGER PRIMARY KEY, other INT REFERENCES c1 (id), me INT REFERENCES c2);"
	"CREATE VIEW v AS SELECT * FROM c1;"
	"CREATE TRIGGER tr AFTER INSERT ON c1 BEGIN SELECT 1; END;",
	"CREATE TABLE \"odd \"\"name\"\"\" (\"col one\" TEXT PRIMARY KEY, [two] INT DEFAULT (-1), città REAL"
	" DEFAULT 1.50, CONSTRAINT \"ck odd\" CHECK (\"col one\" <> '')) WITHOUT ROWID;"
	"CREATE INDEX \"ix odd\" ON \"odd \"\"name\"\"\" (città, [two]);",
	("CREATE TABLE mig_version (version_num TEXT); CREATE TABLE t (a); CREATE TABLE dup (a INT, b INT,"
	" UNIQUE (a), UNIQUE (a), CHECK (a > 0), CHECK (a > 0), FOREIGN KEY (a) REFERENCES t, FOREIGN KEY (a) REFERENCES t);"),
};

Test(diff, an_unchanged_schema_never_shows_a_change)
{
	size_t i;

	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		struct mig_schema *s = model(schemas[i]), *same = model(schemas[i]);
		struct mig_diff d;
		char *ops;

		/* The very same model, and a second database built from the same DDL. */
		cr_assert(eq(int, mig_schema_diff(&d, s, s, s), 0));
		ops = describe(&d);
		cr_assert(eq(str, ops, ""), "schema %zu against itself", i);
		cr_assert(eq(sz, d.nnotes, 0));
		free(ops);
		mig_diff_release(&d);
		cr_assert(eq(int, mig_schema_diff(&d, s, same, NULL), 0));
		ops = describe(&d);
		cr_assert(eq(str, ops, ""), "schema %zu against a copy", i);
		free(ops);
		mig_diff_release(&d);
		mig_schema_free(s);
		mig_schema_free(same);
	}
}

Test(diff, spelling_differences_the_catalog_keeps_are_not_changes)
{
	expect("CREATE TABLE t (a varchar( 64 ), b INT DEFAULT (0), c DATETIME DEFAULT current_timestamp,"
	    " d TEXT DEFAULT ('x'), e INT CHECK (e>0), f INT, CONSTRAINT ck_f CHECK ((f + 1) * 2 < 10));"
	    "CREATE INDEX ix ON t (a) WHERE b>0;",
	    "CREATE TABLE t (a VARCHAR(64), b INT DEFAULT 0, c DATETIME DEFAULT CURRENT_TIMESTAMP,"
	    " d TEXT DEFAULT 'x', e INT CHECK ( E > 0 ), f INT, CONSTRAINT ck_f CHECK ( (F+1)*2 /* two */ < 10 ));"
	    "CREATE INDEX ix ON t (a) WHERE ( b > 0 );", NULL, "", NULL);
	/* A foreign key written without parent columns is the same key as one naming the parent's key. */
	expect("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INT REFERENCES p);",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INT REFERENCES p (id) ON DELETE NO ACTION);",
	    NULL, "", NULL);
}

Test(diff, different_values_stay_different)
{
	expect("CREATE TABLE t (a INT DEFAULT '0', b INT DEFAULT 1, c TEXT DEFAULT 'x', d INT, e INTEGER);",
	    "CREATE TABLE t (a INT DEFAULT 0, b INT DEFAULT 1.0, c TEXT DEFAULT 'X', d INTEGER, e INT);", NULL,
	    "server default changed on 't.a'\n"
	    "server default changed on 't.b'\n"
	    "server default changed on 't.c'\n"
	    "type change from INT to INTEGER on 't.d'\n"
	    "type change from INTEGER to INT on 't.e'", NULL);
}

/* ---- tables ---- */

Test(diff, added_and_removed_tables)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE old (x INT); CREATE TABLE keep (x INT);",
	    "CREATE TABLE keep (x INT); CREATE TABLE post (id INTEGER PRIMARY KEY, body TEXT);", NULL);
	cr_assert(eq(str, r.ops, "added table 'post'\nremoved table 'old'"));
	cr_assert(eq(int, r.d.ops[0].kind, MIG_OP_CREATE_TABLE));
	cr_assert(eq(str, (char *)r.d.ops[0].table_new->name, "post"));
	cr_assert(eq(ptr, (void *)r.d.ops[0].table_old, NULL));
	cr_assert(not(r.d.ops[0].destructive));
	cr_assert(eq(int, r.d.ops[1].kind, MIG_OP_DROP_TABLE));
	cr_assert(r.d.ops[1].destructive);
	cr_assert(eq(ptr, (void *)r.d.ops[1].table_new, NULL));
	done(&r);
}

Test(diff, a_new_tables_indexes_are_listed_after_it_and_a_dropped_tables_before_it)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE old (a INT, b INT); CREATE INDEX ix_old_b ON old (b);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, username TEXT, email TEXT);"
	    "CREATE UNIQUE INDEX ix_user_username ON user (username); CREATE UNIQUE INDEX ix_user_email ON user (email);",
	    NULL);
	cr_assert(eq(str, r.ops, "added table 'user'\n"
	    "added index 'ix_user_email' on '['email']'\n"
	    "added index 'ix_user_username' on '['username']'\n"
	    "removed index 'ix_old_b' on '['b']'\n"
	    "removed table 'old'"));
	cr_assert(eq(ptr, (void *)r.d.ops[1].table_old, NULL));
	cr_assert(eq(str, (char *)r.d.ops[1].table_new->name, "user"));
	cr_assert(eq(ptr, (void *)r.d.ops[3].table_new, NULL));
	cr_assert(not(r.d.ops[3].destructive), "the table's drop is the destructive one");
	cr_assert(r.d.ops[4].destructive);
	done(&r);
}

Test(diff, creates_referenced_tables_first)
{
	/* Introspection lists tables by name, so children come first here unless reordered. */
	expect("",
	    "CREATE TABLE a_comment (id INTEGER PRIMARY KEY, post_id INT REFERENCES b_post, user_id INT REFERENCES c_user);"
	    "CREATE TABLE b_post (id INTEGER PRIMARY KEY, user_id INT REFERENCES c_user);"
	    "CREATE TABLE c_user (id INTEGER PRIMARY KEY, boss INT REFERENCES c_user);"
	    "CREATE TABLE d_tag (id INTEGER PRIMARY KEY);", NULL,
	    "added table 'c_user'\nadded table 'b_post'\nadded table 'a_comment'\nadded table 'd_tag'", NULL);
}

Test(diff, tables_in_a_cycle_keep_their_order)
{
	expect("",
	    "CREATE TABLE x_leaf (id INTEGER PRIMARY KEY, b INT REFERENCES m_b);"
	    "CREATE TABLE m_b (id INTEGER PRIMARY KEY, a INT REFERENCES m_a);"
	    "CREATE TABLE m_a (id INTEGER PRIMARY KEY, c INT REFERENCES m_c, me INT REFERENCES m_a);"
	    "CREATE TABLE m_c (id INTEGER PRIMARY KEY, b INT REFERENCES m_b, base INT REFERENCES a_base);"
	    "CREATE TABLE a_base (id INTEGER PRIMARY KEY);", NULL,
	    "added table 'a_base'\nadded table 'm_a'\nadded table 'm_b'\nadded table 'm_c'\nadded table 'x_leaf'",
	    NULL);
}

Test(diff, drops_children_before_parents)
{
	expect("CREATE TABLE z_user (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE y_post (id INTEGER PRIMARY KEY, uid INT REFERENCES z_user);"
	    "CREATE TABLE x_comment (id INTEGER PRIMARY KEY, pid INT REFERENCES y_post);"
	    "CREATE TABLE keep (id INT);",
	    "CREATE TABLE keep (id INT);", NULL,
	    "removed table 'x_comment'\nremoved table 'y_post'\nremoved table 'z_user'", NULL);
}

static void
hint_rename_table(struct mig_schema *h)
{
	set_table_hint(h, "account", "user");
}

Test(diff, renames_a_table_with_a_hint)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, uid INT REFERENCES user (id));",
	    "CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT, extra INT);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, uid INT REFERENCES account (id));", hint_rename_table);
	/* The foreign key follows the rename: not a changed key. */
	cr_assert(eq(str, r.ops, "renamed table 'user' to 'account'\nadded column 'account.extra'"));
	cr_assert(eq(str, r.notes, ""));
	cr_assert(eq(str, (char *)r.d.ops[1].table_old->name, "user"));
	cr_assert(eq(str, (char *)r.d.ops[1].table_new->name, "account"));
	done(&r);
}

Test(diff, a_hint_to_a_table_still_wanted_or_already_renamed_is_ignored)
{
	/* Already applied: the database has the new name; the manifest still carries the hint. */
	expect("CREATE TABLE account (id INT);", "CREATE TABLE account (id INT);", hint_rename_table, "", NULL);
	/* The old name is still wanted: no rename, account is new. */
	expect("CREATE TABLE user (id INT);", "CREATE TABLE user (id INT); CREATE TABLE account (id INT);",
	    hint_rename_table, "added table 'account'", NULL);
}

Test(diff, without_a_hint_a_same_definition_is_a_possible_rename)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE other (q INT);",
	    "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE other2 (q TEXT);", NULL);
	cr_assert(eq(str, r.ops,
	    "added table 'b'\nadded table 'other2'\nremoved table 'a'\nremoved table 'other'"));
	cr_assert(eq(str, r.notes, "possible rename of table 'a' to 'b' (add renamed_from: a to confirm)"));
	done(&r);
}

/* ---- columns ---- */

Test(diff, added_and_removed_columns)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE user (id INTEGER PRIMARY KEY, x INT);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, is_active BOOLEAN NOT NULL DEFAULT 1);", NULL);
	cr_assert(eq(str, r.ops, "added column 'user.is_active'\nremoved column 'user.x'"));
	cr_assert(not(r.d.ops[0].destructive));
	cr_assert(eq(str, (char *)r.d.ops[0].col_new->name, "is_active"));
	cr_assert(r.d.ops[1].destructive);
	cr_assert(eq(str, (char *)r.d.ops[1].col_old->name, "x"));
	cr_assert(eq(str, (char *)r.d.ops[1].table_new->name, "user"), "both sides of the table");
	cr_assert(eq(str, (char *)r.d.ops[1].table_old->name, "user"));
	done(&r);
}

static void
hint_rename_column(struct mig_schema *h)
{
	set_column_hint(h, "user", "full_name", "name");
}

Test(diff, renames_a_column_with_a_hint_and_keeps_what_uses_it)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT NOT NULL, CHECK (length(name) > 0),"
	    " UNIQUE (name)); CREATE INDEX ix_user_name ON user (name);"
	    "CREATE INDEX ix_user_lower ON user (lower(name)) WHERE name IS NOT NULL;"
	    "CREATE TABLE post (uid INT, uname TEXT, FOREIGN KEY (uname) REFERENCES user (name));",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, CHECK (length(\"full_name\") > 0),"
	    " UNIQUE (full_name)); CREATE INDEX ix_user_name ON user (full_name);"
	    "CREATE INDEX ix_user_lower ON user (lower(full_name)) WHERE full_name IS NOT NULL;"
	    "CREATE TABLE post (uid INT, uname TEXT, FOREIGN KEY (uname) REFERENCES user (full_name));",
	    hint_rename_column);
	cr_assert(eq(str, r.ops, "renamed column 'user.name' to 'user.full_name'"));
	cr_assert(eq(str, r.notes, ""));
	cr_assert(eq(int, r.d.ops[0].kind, MIG_OP_RENAME_COLUMN));
	cr_assert(not(r.d.ops[0].destructive));
	done(&r);
}

Test(diff, a_renamed_column_that_also_changed_is_renamed_then_altered)
{
	expect("CREATE TABLE user (id INTEGER PRIMARY KEY, name VARCHAR(64));",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, full_name VARCHAR(128));", hint_rename_column,
	    "renamed column 'user.name' to 'user.full_name'\n"
	    "type change from VARCHAR(64) to VARCHAR(128) on 'user.full_name'", NULL);
}

Test(diff, without_a_hint_a_same_column_is_a_possible_rename)
{
	expect("CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', other INT);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL DEFAULT '', more REAL);", NULL,
	    "added column 'user.full_name'\nadded column 'user.more'\n"
	    "removed column 'user.name'\nremoved column 'user.other'",
	    "possible rename of column 'user.name' to 'user.full_name' (add renamed_from: name to confirm)");
}

Test(diff, altered_columns)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE user (id INTEGER PRIMARY KEY, username VARCHAR(64), email TEXT,"
	    " phone TEXT NOT NULL, is_active BOOLEAN DEFAULT 0);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, username VARCHAR(128) NOT NULL, email TEXT NOT NULL,"
	    " phone TEXT, is_active BOOLEAN DEFAULT 1);", NULL);
	cr_assert(eq(str, r.ops,
	    "type change from VARCHAR(64) to VARCHAR(128) on 'user.username'; NOT NULL on column 'user.username'\n"
	    "NOT NULL on column 'user.email'\n"
	    "NULL on column 'user.phone'\n"
	    "server default changed on 'user.is_active'"));
	cr_assert(eq(int, r.d.ops[0].alter, MIG_ALTER_TYPE | MIG_ALTER_NULLABLE));
	cr_assert(eq(int, r.d.ops[1].alter, MIG_ALTER_NULLABLE));
	cr_assert(eq(int, r.d.ops[3].alter, MIG_ALTER_DEFAULT));
	cr_assert(eq(str, (char *)r.d.ops[3].col_old->default_sql, "0"));
	cr_assert(eq(str, (char *)r.d.ops[3].col_new->default_sql, "1"));
	cr_assert(not(r.d.ops[0].destructive));
	done(&r);
}

Test(diff, autoincrement_change)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE t (id INTEGER PRIMARY KEY);",
	    "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);", NULL);
	cr_assert(eq(str, r.ops, "autoincrement added on 't.id'"));
	cr_assert(eq(int, r.d.ops[0].alter, MIG_ALTER_AUTOINCREMENT));
	done(&r);
}

Test(diff, primary_key_change)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a));",
	    "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b));", NULL);
	cr_assert(eq(str, r.ops, "primary key changed on table 't' from '['a']' to '['a', 'b']'"));
	cr_assert(eq(int, r.d.ops[0].kind, MIG_OP_ALTER_PK));
	done(&r);
}

/* ---- indexes and constraints ---- */

Test(diff, added_removed_and_changed_indexes)
{
	expect("CREATE TABLE post (id INTEGER PRIMARY KEY, a INT, b INT, ts DATETIME);"
	    "CREATE INDEX ix_x ON post (a); CREATE INDEX ix_changed ON post (a);"
	    "CREATE INDEX ix_where ON post (a) WHERE a > 0;",
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, a INT, b INT, ts DATETIME);"
	    "CREATE INDEX ix_post_timestamp ON post (ts); CREATE UNIQUE INDEX ix_changed ON post (a);"
	    "CREATE INDEX ix_multi ON post (a, b); CREATE INDEX ix_where ON post (a) WHERE a > 1;", NULL,
	    "removed index 'ix_changed' on '['a']'\n"
	    "removed index 'ix_where' on '['a']'\n"
	    "removed index 'ix_x' on '['a']'\n"
	    "added index 'ix_changed' on '['a']'\n"
	    "added index 'ix_multi' on '['a', 'b']'\n"
	    "added index 'ix_post_timestamp' on '['ts']'\n"
	    "added index 'ix_where' on '['a']'", NULL);
}

static void
hint_rename_index(struct mig_schema *h)
{
	struct mig_table *t = mig_schema_find_table(h, "post");

	mig_table_find_index(t, "ix_new")->renamed_from = "ix_old";
	mig_table_find_index(t, "ix_new2")->renamed_from = "ix_old2";
}

Test(diff, renames_an_index_with_a_hint)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE post (a INT, b INT); CREATE INDEX ix_old ON post (a);"
	    "CREATE INDEX ix_old2 ON post (a);",
	    "CREATE TABLE post (a INT, b INT); CREATE INDEX ix_new ON post (a);"
	    "CREATE INDEX ix_new2 ON post (b);", hint_rename_index);
	/* ix_old2 -> ix_new2 changed its columns: a rename cannot do that. */
	cr_assert(eq(str, r.ops, "removed index 'ix_old2' on '['a']'\n"
	    "renamed index 'ix_old' to 'ix_new' on table 'post'\n"
	    "added index 'ix_new2' on '['b']'"));
	cr_assert(eq(int, r.d.ops[1].kind, MIG_OP_RENAME_INDEX));
	cr_assert(eq(str, (char *)r.d.ops[1].idx_old->name, "ix_old"));
	cr_assert(eq(str, (char *)r.d.ops[1].idx_new->name, "ix_new"));
	done(&r);
}

Test(diff, expression_indexes_compare_by_expression)
{
	expect("CREATE TABLE t (a TEXT); CREATE INDEX ix ON t (lower(a));",
	    "CREATE TABLE t (a TEXT); CREATE INDEX ix ON t (upper(a));", NULL,
	    "removed index 'ix' on '['lower(a)']'\nadded index 'ix' on '['upper(a)']'", NULL);
}

Test(diff, unique_constraints)
{
	expect("CREATE TABLE user (id INT, email TEXT, login TEXT, a INT, CONSTRAINT uq_old UNIQUE (login), UNIQUE (a));",
	    "CREATE TABLE user (id INT, email TEXT CONSTRAINT uq_user_email UNIQUE, login TEXT, a INT,"
	    " UNIQUE (a, login));", NULL,
	    "removed unique constraint 'uq_old' on '['login']'\n"
	    "removed unique constraint on '['a']' of table 'user'\n"
	    "added unique constraint 'uq_user_email' on '['email']'\n"
	    "added unique constraint on '['a', 'login']' of table 'user'", NULL);
}

Test(diff, foreign_keys_compare_by_definition_when_unnamed)
{
	struct case_result r;

	run_with(&r, "CREATE TABLE user (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, user_id INT, editor INT REFERENCES user ON DELETE SET NULL);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, user_id INT REFERENCES user (id),"
	    " editor INT REFERENCES user ON DELETE CASCADE);", NULL);
	cr_assert(eq(str, r.ops, "removed foreign key (editor)(id) on table post\n"
	    "added foreign key (user_id)(id) on table post\n"
	    "added foreign key (editor)(id) on table post"));
	cr_assert(eq(int, r.d.ops[0].kind, MIG_OP_DROP_FK));
	cr_assert(eq(str, (char *)r.d.ops[0].fk_old->on_delete, "SET NULL"));
	cr_assert(eq(str, (char *)r.d.ops[2].fk_new->on_delete, "CASCADE"));
	done(&r);
}

Test(diff, named_foreign_keys_compare_by_name)
{
	expect("CREATE TABLE p (id INTEGER PRIMARY KEY, k INT UNIQUE);"
	    "CREATE TABLE c (a INT, CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (id));",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY, k INT UNIQUE);"
	    "CREATE TABLE c (a INT, CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (k));", NULL,
	    "removed foreign key (a)(id) on table c\nadded foreign key (a)(k) on table c", NULL);
	expect("CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE c (a INT, CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);",
	    "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE c (a INT, CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (id));", NULL,
	    "removed foreign key (a)(id) on table c\nadded foreign key (a)(id) on table c", NULL);
}

Test(diff, check_constraints)
{
	expect("CREATE TABLE t (a INT, b INT, CHECK (a > 0), CHECK (b > 0), CONSTRAINT ck_n CHECK (a < 10));",
	    "CREATE TABLE t (a INT, b INT, CHECK ( a>0 ), CHECK (b > 1), CONSTRAINT ck_n CHECK (a < 20));", NULL,
	    "removed check constraint 'ck_n' on table 't'\n"
	    "removed check constraint CHECK (b > 0) on table 't'\n"
	    "added check constraint CHECK (b > 1) on table 't'\n"
	    "added check constraint 'ck_n' on table 't'", NULL);
}

/* ---- ordering ---- */

static void
hint_order(struct mig_schema *h)
{
	set_column_hint(h, "post", "title", "headline");
}

Test(diff, per_table_changes_run_in_a_safe_order)
{
	struct case_result r;

	run_with(&r,
	    "CREATE TABLE user (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, headline TEXT, gone INT REFERENCES user, old_ts INT,"
	    " CHECK (gone > 0));"
	    "CREATE INDEX ix_post_gone ON post (gone);",
	    "CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT);"
	    "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, old_ts TEXT, author INT REFERENCES user);"
	    "CREATE INDEX ix_post_author ON post (author);"
	    "CREATE TABLE tag (id INTEGER PRIMARY KEY);", hint_order);
	cr_assert(eq(str, r.ops,
	    "added table 'tag'\n"
	    "removed foreign key (gone)(id) on table post\n"
	    "renamed column 'post.headline' to 'post.title'\n"
	    "removed index 'ix_post_gone' on '['gone']'\n"
	    "removed check constraint CHECK (gone > 0) on table 'post'\n"
	    "added column 'post.author'\n"
	    "type change from INT to TEXT on 'post.old_ts'\n"
	    "removed column 'post.gone'\n"
	    "added index 'ix_post_author' on '['author']'\n"
	    "added column 'user.email'\n"
	    "added foreign key (author)(id) on table post"));
	done(&r);
}

/* Enums and comments have no SQLite catalog form: these models are built by hand. */
static struct mig_schema *
enum_schema(const char *const *names, const char *const *labels)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_table *t;
	size_t i;

	for (i = 0; names[i]; i++) {
		struct mig_enum *e = mig_schema_add_enum(s, names[i]);
		const char *l;

		for (l = labels[i]; *l; l += strlen(l) + 1)
			mig_enum_add_label(s, e, l);
	}
	t = mig_schema_add_table(s, "t");
	mig_table_add_column(s, t, "x")->type = "integer";
	return s;
}

Test(diff, enums_are_created_first_and_changed_or_dropped_last)
{
	struct mig_schema *from = enum_schema((const char *const[]){ "mood", "gone", NULL },
	    (const char *const[]){ "happy\0sad\0", "a\0" });
	struct mig_schema *to = enum_schema((const char *const[]){ "mood", "color", NULL },
	    (const char *const[]){ "happy\0sad\0meh\0", "red\0" });
	struct mig_table *t = (struct mig_table *)mig_schema_find_table(to, "t");
	struct mig_diff d;
	char *ops;

	mig_schema_add_table(to, "u");
	mig_table_add_column(to, t, "y")->type = "integer";
	cr_assert(eq(int, mig_schema_diff(&d, from, to, NULL), 0));
	ops = describe(&d);
	cr_assert(eq(str, ops, "added enum type 'color' ['red']\n"
	    "added table 'u'\n"
	    "added column 't.y'\n"
	    "changed enum type 'mood' from ['happy', 'sad'] to ['happy', 'sad', 'meh']\n"
	    "removed enum type 'gone'"));
	free(ops);
	mig_diff_release(&d);
	mig_schema_free(from);
	mig_schema_free(to);
}

Test(diff, comments)
{
	struct mig_schema *from = mig_schema_new(), *to = mig_schema_new();
	struct mig_table *a = mig_schema_add_table(from, "t"), *b = mig_schema_add_table(to, "t");
	struct mig_diff d;
	char *ops;

	mig_table_add_column(from, a, "x")->comment = "old";
	mig_table_add_column(to, b, "x")->comment = "new";
	mig_table_add_column(from, a, "y");
	mig_table_add_column(to, b, "y")->comment = "";
	b->comment = "a table";
	cr_assert(eq(int, mig_schema_diff(&d, from, to, NULL), 0));
	ops = describe(&d);
	cr_assert(eq(str, ops, "column comment changed on 't.x'\ntable comment changed on 't'"));
	free(ops);
	mig_diff_release(&d);
	mig_schema_free(from);
	mig_schema_free(to);
}

Test(diff, hints_may_come_with_the_wanted_model_itself)
{
	struct mig_schema *from = model("CREATE TABLE a (x INT);"), *to = model("CREATE TABLE b (y INT);");
	struct mig_diff d;
	char *ops;

	mig_schema_find_table(to, "b")->renamed_from = "a";
	mig_table_find_column(mig_schema_find_table(to, "b"), "y")->renamed_from = "x";
	cr_assert(eq(int, mig_schema_diff(&d, from, to, NULL), 0));
	ops = describe(&d);
	cr_assert(eq(str, ops, "renamed table 'a' to 'b'\nrenamed column 'b.x' to 'b.y'"));
	free(ops);
	mig_diff_release(&d);
	mig_schema_free(from);
	mig_schema_free(to);
}

Test(diff, release_is_safe_twice_and_on_a_zeroed_diff)
{
	struct mig_diff d;

	memset(&d, 0, sizeof(d));
	mig_diff_release(&d);
	mig_diff_release(&d);
	mig_diff_release(NULL);
	cr_assert(eq(int, mig_schema_diff(&d, NULL, NULL, NULL), MIG_EUSAGE));
	mig_diff_release(&d);
}

/* ---- scale ---- */

/* n tables of 8 columns, each referencing the previous one, with an index and a unique each. */
static struct mig_schema *
big_schema(size_t n, bool variant)
{
	struct mig_schema *s = mig_schema_new();
	size_t i, j;

	for (i = 0; i < n; i++) {
		char name[32], prev[32], col[48];
		struct mig_table *t;
		struct mig_index *x;
		struct mig_fk *fk;
		struct mig_unique *u;

		snprintf(name, sizeof(name), "t%05zu", i);
		t = mig_schema_add_table(s, name);
		mig_table_add_column(s, t, "id")->type = "INTEGER";
		mig_table_add_pk(s, t, "id");
		for (j = 0; j < 7; j++) {
			struct mig_column *c;

			snprintf(col, sizeof(col), "c%zu", j);
			c = mig_table_add_column(s, t, col);
			c->type = variant && i % 100 == 0 && j == 3 ? "VARCHAR(20)" : "VARCHAR(10)";
			c->default_sql = "'x'";
		}
		snprintf(col, sizeof(col), "ix_%s", name);
		x = mig_table_add_index(s, t, col);
		mig_strlist_add(s, &x->columns, &x->ncolumns, "c1");
		u = mig_table_add_unique(s, t, NULL);
		mig_strlist_add(s, &u->columns, &u->ncolumns, "c2");
		if (i) {
			size_t nref = 0;

			snprintf(prev, sizeof(prev), "t%05zu", i - 1);
			fk = mig_table_add_fk(s, t, NULL);
			mig_strlist_add(s, &fk->columns, &fk->ncolumns, "c0");
			fk->ref_table = mig_arena_strdup(&s->arena, prev);
			mig_strlist_add(s, &fk->ref_columns, &nref, "id");
		}
	}
	return s;
}

Test(diff, five_thousand_tables)
{
	struct mig_schema *a = big_schema(5000, false), *b = big_schema(5000, true), *empty = mig_schema_new();
	struct mig_diff d;
	size_t i;

	cr_assert(eq(int, mig_schema_diff(&d, a, a, NULL), 0));
	cr_assert(eq(sz, d.nops, 0));
	mig_diff_release(&d);
	cr_assert(eq(int, mig_schema_diff(&d, a, b, NULL), 0));
	cr_assert(eq(sz, d.nops, 50));
	for (i = 0; i < d.nops; i++)
		cr_assert(eq(int, d.ops[i].alter, MIG_ALTER_TYPE));
	mig_diff_release(&d);
	/* Created from nothing: 5,000 creates (and their indexes), each after the table it references. */
	cr_assert(eq(int, mig_schema_diff(&d, empty, b, NULL), 0));
	cr_assert(eq(sz, d.nops, 10000));
	cr_assert(eq(str, (char *)d.ops[0].table_new->name, "t00000"));
	cr_assert(eq(str, (char *)d.ops[9998].table_new->name, "t04999"));
	mig_diff_release(&d);
	cr_assert(eq(int, mig_schema_diff(&d, b, empty, NULL), 0));
	cr_assert(eq(sz, d.nops, 10000));
	cr_assert(eq(int, d.ops[1].kind, MIG_OP_DROP_TABLE));
	cr_assert(eq(str, (char *)d.ops[1].table_old->name, "t04999"), "children dropped first");
	mig_diff_release(&d);
	mig_schema_free(a);
	mig_schema_free(b);
	mig_schema_free(empty);
}

/* ---- comparison forms ---- */

Test(schema_norm, expression_forms)
{
	struct {
		const char *a, *b;
		bool eq;
	} cases[] = {
		{ "CURRENT_TIMESTAMP", "current_timestamp", true },
		{ "(0)", "0", true },
		{ "((a + b))", "a+b", true },
		{ "(a) + (b)", "a + b", false },
		{ "'0'", "0", false },
		{ "'abc'", "'ABC'", false },
		{ "'a  b'", "'a b'", false },
		{ "1", "1.0", false },
		{ "a /* c */ > -- x\n 0", "A>0", true },
		{ "\"col\" > 0", "col > 0", true },
		{ "\"my col\" > 0", "my col > 0", false },
		{ "f( a , b )", "F(a,b)", true },
		{ "a - -1", "a--1", false },
		{ "x IN ('a', 'b')", "x in ( 'a','b' )", true },
		{ "datetime('now')", "DATETIME( 'now' )", true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert(eq(int, mig_norm_expr_eq(cases[i].a, cases[i].b), cases[i].eq), "%s vs %s", cases[i].a,
		    cases[i].b);
	cr_assert(mig_norm_expr_eq(NULL, NULL));
	cr_assert(not(mig_norm_expr_eq("0", NULL)));
}

Test(schema_norm, type_forms)
{
	cr_assert(mig_norm_type_eq("varchar ( 64 )", "VARCHAR(64)"));
	cr_assert(mig_norm_type_eq("double   precision", "DOUBLE PRECISION"));
	cr_assert(mig_norm_type_eq("NUMERIC(10, 2)", "numeric(10,2)"));
	cr_assert(not(mig_norm_type_eq("INT", "INTEGER")));
	cr_assert(not(mig_norm_type_eq("VARCHAR(64)", "VARCHAR(65)")));
}

Test(schema_norm, renames_apply_to_names_not_literals)
{
	struct mig_map renames;
	struct mig_buf b = MIG_BUF_INIT;

	mig_map_init(&renames);
	mig_map_put(&renames, "NAME", "full name");
	mig_norm_expr(&b, "length(\"name\") > 0 AND name <> 'name' AND t.Name IS NOT NULL", &renames);
	cr_assert(eq(str, b.ptr,
	    "LENGTH(\"full name\") > 0 AND \"full name\" <> 'name' AND T.\"full name\" IS NOT NULL"));
	mig_buf_release(&b);
	mig_map_release(&renames);
}
