/*
 * test_sql.c — identifier and literal quoting, and the version- and history-table SQL compared
 * with golden files (tests/golden/version_*.sql). Set MIG_UPDATE_GOLDEN=1 to rewrite them after
 * an intended change, then review the diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "rev.h"
#include "sql.h"
#include "util.h"

#ifndef MIG_VERSION
#define MIG_VERSION "0.0.0"
#endif

/* Strings by value: Criterion runs each parameter in a fresh process. */
struct quote_case {
	char in[40];
	char sqlite[48];
	char pg[48];
};

ParameterizedTestParameters(sql, quotes_identifiers)
{
	static struct quote_case cases[] = {
		{ "users", "\"users\"", "\"users\"" },
		{ "User", "\"User\"", "\"User\"" },
		{ "order", "\"order\"", "\"order\"" },
		{ "select", "\"select\"", "\"select\"" },
		{ "first name", "\"first name\"", "\"first name\"" },
		{ "a\"b", "\"a\"\"b\"", "\"a\"\"b\"" },
		{ "\"", "\"\"\"\"", "\"\"\"\"" },
		{ "\"quoted\"", "\"\"\"quoted\"\"\"", "\"\"\"quoted\"\"\"" },
		{ "naïve_tåble", "\"naïve_tåble\"", "\"naïve_tåble\"" },
		{ "日本", "\"日本\"", "\"日本\"" },
		{ "it's", "\"it's\"", "\"it's\"" },
		{ "x;DROP TABLE t", "\"x;DROP TABLE t\"", "\"x;DROP TABLE t\"" },
	};

	return cr_make_param_array(struct quote_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct quote_case *c, sql, quotes_identifiers)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_sql_ident(&b, MIG_SQLITE, c->in);
	cr_assert(eq(str, b.ptr, c->sqlite));
	mig_buf_clear(&b);
	mig_sql_ident(&b, MIG_POSTGRES, c->in);
	cr_assert(eq(str, b.ptr, c->pg));
	mig_buf_release(&b);
}

ParameterizedTestParameters(sql, quotes_literals)
{
	static struct quote_case cases[] = {
		{ "abc", "'abc'", "'abc'" },
		{ "", "''", "''" },
		{ "it's", "'it''s'", "'it''s'" },
		{ "''", "''''''", "''''''" },
		{ "a;b -- c", "'a;b -- c'", "'a;b -- c'" },
		{ "line1\nline2", "'line1\nline2'", "'line1\nline2'" },
		{ "C:\\dir", "'C:\\dir'", "E'C:\\\\dir'" },
		{ "\\'", "'\\'''", "E'\\\\'''" },
		{ "ünïcode", "'ünïcode'", "'ünïcode'" },
	};

	return cr_make_param_array(struct quote_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct quote_case *c, sql, quotes_literals)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_sql_literal(&b, MIG_SQLITE, c->in);
	cr_assert(eq(str, b.ptr, c->sqlite));
	mig_buf_clear(&b);
	mig_sql_literal(&b, MIG_POSTGRES, c->in);
	cr_assert(eq(str, b.ptr, c->pg));
	mig_buf_release(&b);
}

Test(sql, null_literal_is_null)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_sql_literal(&b, MIG_SQLITE, NULL);
	cr_assert(eq(str, b.ptr, "NULL"));
	mig_buf_release(&b);
}

Test(sql, qualified_names_quote_both_parts)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_sql_qualified(&b, MIG_POSTGRES, "My Schema", "t\"1");
	cr_assert(eq(str, b.ptr, "\"My Schema\".\"t\"\"1\""));
	mig_buf_clear(&b);
	mig_sql_qualified(&b, MIG_POSTGRES, NULL, "t");
	cr_assert(eq(str, b.ptr, "\"t\""));
	mig_buf_clear(&b);
	mig_sql_qualified(&b, MIG_SQLITE, "", "t");
	cr_assert(eq(str, b.ptr, "\"t\""));
	mig_buf_release(&b);
}

Test(sql, appends_to_existing_text)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_buf_puts(&b, "SELECT ");
	mig_sql_literal(&b, MIG_SQLITE, "x");
	mig_buf_puts(&b, " AS ");
	mig_sql_ident(&b, MIG_SQLITE, "y");
	cr_assert(eq(str, b.ptr, "SELECT 'x' AS \"y\""));
	mig_buf_release(&b);
}

/* ---- version and history tables: golden files ---- */

static void
golden(const char *name, const char *got)
{
	char *path = mig_xasprintf("%s/tests/golden/%s", th_top(), name);
	char *want;

	if (getenv("MIG_UPDATE_GOLDEN") != NULL) {
		cr_assert(eq(int, mig_file_write(path, got, strlen(got), false), 0), "%s", mig_error_msg());
	}
	want = th_read(path);
	cr_assert(want != NULL, "golden file %s is missing (MIG_UPDATE_GOLDEN=1 writes it)", path);
	cr_assert(eq(str, (char *)got, want), "%s differs", name);
	free(want);
	free(path);
}

static struct mig_rev rev_a = { .id = "e517276bb1c2", .message = "users table" };
static const char *b_down[] = { "e517276bb1c2" };
static struct mig_rev rev_b = { .id = "780739b227a7", .message = "posts table", .down = b_down, .ndown = 1 };
static const char *m_down[] = { "1111aaaa2222", "3333bbbb4444" };
static struct mig_rev rev_m = { .id = "5555cccc6666", .message = "merge", .down = m_down, .ndown = 2 };

static struct mig_applied
row_for(struct mig_rev *r, const char *down_sql, double ms)
{
	struct mig_applied a;

	memset(&a, 0, sizeof(a));
	a.id = (char *)r->id;
	a.down = (char **)r->down;
	a.ndown = r->ndown;
	a.message = (char *)r->message;
	memset(a.up_sha256, 'a', 64);
	memset(a.down_sha256, 'b', 64);
	a.down_sql = (char *)down_sql;
	a.duration_ms = ms;
	a.mig_version = (char *)"9.9.9";
	a.kind = (char *)"upgrade";
	return a;
}

/* A representative run, rendered for one dialect: create, upgrade base -> a -> b, merge, downgrades. */
static char *
render_run(enum mig_dialect d, const char *schema, const char *table)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *none[1] = { NULL };
	const char *ha[] = { "e517276bb1c2" }, *hb[] = { "780739b227a7" };
	const char *two[] = { "1111aaaa2222", "3333bbbb4444" }, *hm[] = { "5555cccc6666" };
	struct mig_step up_a = { &rev_a, MIG_UP, none, 0, ha, 1 };
	struct mig_step up_b = { &rev_b, MIG_UP, ha, 1, hb, 1 };
	struct mig_step up_m = { &rev_m, MIG_UP, two, 2, hm, 1 };
	struct mig_step down_b = { &rev_b, MIG_DOWN, hb, 1, ha, 1 };
	struct mig_step down_a = { &rev_a, MIG_DOWN, ha, 1, none, 0 };
	struct mig_applied ra = row_for(&rev_a, "DROP TABLE \"user\";\n", 12.5);
	struct mig_applied rb = row_for(&rev_b, "-- it's gone\nDROP TABLE post; -- path C:\\tmp\n", -1);
	struct mig_applied rm = row_for(&rev_m, "", 0.0004);

	mig_sql_version_create(&b, d, schema, table);
	mig_buf_puts(&b, "-- upgrade base -> e517276bb1c2\n");
	mig_sql_version_step(&b, d, schema, table, &up_a, &ra);
	mig_buf_puts(&b, "-- upgrade e517276bb1c2 -> 780739b227a7\n");
	mig_sql_version_step(&b, d, schema, table, &up_b, &rb);
	mig_buf_puts(&b, "-- merge\n");
	mig_sql_version_step(&b, d, schema, table, &up_m, &rm);
	mig_buf_puts(&b, "-- downgrade 780739b227a7 -> e517276bb1c2\n");
	mig_sql_version_step(&b, d, schema, table, &down_b, NULL);
	mig_buf_puts(&b, "-- downgrade e517276bb1c2 -> base\n");
	mig_sql_version_step(&b, d, schema, table, &down_a, NULL);
	mig_buf_puts(&b, "-- stamp\n");
	mig_sql_version_set(&b, d, schema, table, two, 2);
	ra.kind = (char *)"stamp";
	ra.duration_ms = -1;
	mig_sql_history_insert(&b, d, schema, table, &ra);
	mig_sql_history_delete(&b, d, schema, table, "780739b227a7");
	return mig_buf_detach(&b);
}

Test(sql, version_sql_sqlite_matches_golden)
{
	char *s = render_run(MIG_SQLITE, NULL, "mig_version");

	golden("version_sqlite.sql", s);
	free(s);
}

Test(sql, version_sql_postgresql_matches_golden)
{
	char *s = render_run(MIG_POSTGRES, "app", "mig_version");

	golden("version_postgresql.sql", s);
	free(s);
}

Test(sql, version_sql_quotes_a_custom_table_name)
{
	char *s = render_run(MIG_POSTGRES, "My \"Schema\"", "Alembic Version");

	golden("version_custom_table.sql", s);
	free(s);
}

Test(sql, every_statement_ends_with_semicolon_newline)
{
	char *s = render_run(MIG_SQLITE, NULL, "v");
	size_t n = strlen(s);

	cr_assert(n > 2 && s[n - 2] == ';' && s[n - 1] == '\n');
	free(s);
}

Test(sql, one_head_replaced_is_an_update)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *ha[] = { "aaa" }, *hb[] = { "bbb" };
	struct mig_step st = { &rev_b, MIG_DOWN, hb, 1, ha, 1 };

	mig_sql_version_step(&b, MIG_SQLITE, NULL, "v", &st, NULL);
	cr_assert(eq(str, b.ptr, "UPDATE \"v\" SET version_num = 'aaa' WHERE version_num = 'bbb';\n"
	    "DELETE FROM \"v_history\" WHERE revision = '780739b227a7';\n"));
	mig_buf_release(&b);
}

Test(sql, history_row_defaults_to_this_mig_version)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_applied a = row_for(&rev_a, NULL, -1);
	const char *none[1] = { NULL }, *ha[] = { "e517276bb1c2" };
	struct mig_step st = { &rev_a, MIG_UP, none, 0, ha, 1 };

	a.mig_version = NULL;
	a.kind = NULL;
	mig_sql_history_insert(&b, MIG_SQLITE, NULL, "v", &a);
	cr_assert(strstr(b.ptr, ", NULL, NULL, '" MIG_VERSION "', 'upgrade', ") != NULL, "%s", b.ptr);
	mig_buf_clear(&b);
	/* Without a row, the step's revision is recorded as it is. */
	mig_sql_version_step(&b, MIG_SQLITE, NULL, "v", &st, NULL);
	cr_assert(strstr(b.ptr, "VALUES ('e517276bb1c2', '', 'users table', '', '', NULL, NULL, '" MIG_VERSION
	    "', 'upgrade', ") != NULL, "%s", b.ptr);
	mig_buf_release(&b);
}

Test(sql, explicit_applied_at_is_recorded)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_applied a = row_for(&rev_a, NULL, 1);

	a.applied_at = (char *)"2026-11-21T10:00:00Z";
	mig_sql_history_insert(&b, MIG_SQLITE, NULL, "v", &a);
	cr_assert(strstr(b.ptr, "down_sql, applied_at, duration_ms,") != NULL, "%s", b.ptr);
	cr_assert(strstr(b.ptr, "NULL, '2026-11-21T10:00:00Z', 1.000, '9.9.9'") != NULL, "%s", b.ptr);
	mig_buf_release(&b);
}
