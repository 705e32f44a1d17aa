/*
 * test_cli_flow.c — end-to-end: the built ./mig driven through the Flask tutorial's first day on
 * a real SQLite file, asserting what the database really holds after each step.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "util.h"

static char *dir;
static char *db;
static const char *env[] = { NULL, NULL };
static char env_url[512];

static void
setup(void)
{
	dir = th_tmpdir();
	db = mig_path_join(dir, "app.db");
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=sqlite:///%s", db);
	env[0] = env_url;
}

static void
teardown(void)
{
	th_rmtree(dir);
	free(dir);
	free(db);
}

/* Runs mig and asserts its exit status; returns the run for further checks. */
static struct th_run
mig_ok(int want, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	const char *argv[] = { a1, a2, a3, a4, a5, NULL };
	struct th_run r = th_migv(dir, env, argv);

	cr_assert_eq(r.status, want, "mig %s %s %s: exit %d, want %d\nstdout: %s\nstderr: %s", a1,
	    a2 ? a2 : "", a3 ? a3 : "", r.status, want, r.out, r.err);
	return r;
}

/* Writes a revision's SQL below its header: finds the files by message slug. */
static char *
rev_id_of(const char *slug)
{
	char *cmd = mig_xasprintf("ls %s/migrations/versions | grep '_%s.up.sql$' | cut -c1-12", dir, slug);
	FILE *p = popen(cmd, "r");
	char buf[64] = "";

	cr_assert(p != NULL);
	cr_assert(fgets(buf, sizeof(buf), p) != NULL, "no revision file for %s", slug);
	pclose(p);
	free(cmd);
	buf[strcspn(buf, "\n")] = '\0';
	return mig_xstrdup(buf);
}

static void
append_sql(const char *id, const char *slug, const char *up, const char *down)
{
	char *upf = mig_xasprintf("%s/migrations/versions/%s_%s.up.sql", dir, id, slug);
	char *downf = mig_xasprintf("%s/migrations/versions/%s_%s.down.sql", dir, id, slug);
	FILE *f = fopen(upf, "a");

	cr_assert(f);
	fputs(up, f);
	fclose(f);
	f = fopen(downf, "a");
	cr_assert(f);
	fputs(down, f);
	fclose(f);
	free(upf);
	free(downf);
}

static char *
tables(void)
{
	return th_sqlite(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
	    "WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name)");
}

static char *
version(void)
{
	return th_sqlite(db, "SELECT coalesce(group_concat(version_num, ','), '') FROM "
	    "(SELECT version_num FROM mig_version ORDER BY version_num)");
}

#define USERS_UP \
	"CREATE TABLE \"user\" (id INTEGER NOT NULL PRIMARY KEY, username VARCHAR(64) NOT NULL,\n" \
	"  email VARCHAR(120) NOT NULL, password_hash VARCHAR(256));\n" \
	"CREATE UNIQUE INDEX ix_user_email ON \"user\" (email);\n" \
	"CREATE UNIQUE INDEX ix_user_username ON \"user\" (username);\n"
#define USERS_DOWN \
	"DROP INDEX ix_user_username;\nDROP INDEX ix_user_email;\nDROP TABLE \"user\";\n"
#define POSTS_UP \
	"CREATE TABLE post (id INTEGER NOT NULL PRIMARY KEY, body VARCHAR(140),\n" \
	"  timestamp DATETIME, user_id INTEGER REFERENCES \"user\"(id));\n" \
	"CREATE INDEX ix_post_timestamp ON post (timestamp);\n" \
	"CREATE INDEX ix_post_user_id ON post (user_id);\n"
#define POSTS_DOWN \
	"DROP INDEX ix_post_user_id;\nDROP INDEX ix_post_timestamp;\nDROP TABLE post;\n"

/* init + two revisions written by hand, as a user without a manifest would. */
static void
two_revisions(char **users, char **posts)
{
	struct th_run r;

	r = mig_ok(0, "init", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	r = mig_ok(0, "revision", "-m", "users table", NULL, NULL);
	cr_assert(strstr(r.err, "Generating ") != NULL, "%s", r.err);
	th_run_free(&r);
	*users = rev_id_of("users_table");
	append_sql(*users, "users_table", USERS_UP, USERS_DOWN);
	r = mig_ok(0, "revision", "-m", "posts table", NULL, NULL);
	th_run_free(&r);
	*posts = rev_id_of("posts_table");
	append_sql(*posts, "posts_table", POSTS_UP, POSTS_DOWN);
}

TestSuite(cli_flow, .init = setup, .fini = teardown);

Test(cli_flow, flask_tutorial_first_day)
{
	char *users, *posts, *s, *line;
	struct th_run r;

	two_revisions(&users, &posts);
	cr_assert(!mig_path_exists(db), "revision must not touch the database");

	/* upgrade creates the file and applies both, in order, with Alembic's progress lines. */
	r = mig_ok(0, "upgrade", NULL, NULL, NULL, NULL);
	line = mig_xasprintf("Running upgrade  -> %s, users table\nRunning upgrade %s -> %s, posts table\n",
	    users, users, posts);
	cr_assert_str_eq(r.err, line);
	free(line);
	th_run_free(&r);
	s = tables();
	cr_assert_str_eq(s, "ix_post_timestamp,ix_post_user_id,ix_user_email,ix_user_username,"
	    "mig_version,mig_version_history,mig_version_history_seq,post,user");
	free(s);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);

	/* current and history agree with the database. */
	r = mig_ok(0, "current", NULL, NULL, NULL, NULL);
	line = mig_xasprintf("%s (head)\n", posts);
	cr_assert_str_eq(r.out, line);
	free(line);
	th_run_free(&r);
	r = mig_ok(0, "history", NULL, NULL, NULL, NULL);
	line = mig_xasprintf("%s -> %s (head) (current), posts table\n<base> -> %s, users table\n", users, posts,
	    users);
	cr_assert_str_eq(r.out, line);
	free(line);
	th_run_free(&r);

	/* downgrade with no target undoes exactly one revision. */
	r = mig_ok(0, "downgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	s = tables();
	cr_assert_str_eq(s, "ix_user_email,ix_user_username,mig_version,mig_version_history,mig_version_history_seq,user");
	free(s);
	s = version();
	cr_assert_str_eq(s, users);
	free(s);

	/* downgrade base leaves no application table and an empty version table. */
	r = mig_ok(0, "upgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	r = mig_ok(0, "downgrade", "base", NULL, NULL, NULL);
	th_run_free(&r);
	s = tables();
	cr_assert_str_eq(s, "mig_version,mig_version_history,mig_version_history_seq");
	free(s);
	s = version();
	cr_assert_str_eq(s, "");
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM mig_version_history");
	cr_assert_str_eq(s, "0");
	free(s);

	/* and upgrade brings everything back. */
	r = mig_ok(0, "upgrade", "head", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	s = th_sqlite(db, "SELECT group_concat(revision || ':' || kind || ':' || length(up_sha256), ',') "
	    "FROM mig_version_history");
	line = mig_xasprintf("%s:upgrade:64,%s:upgrade:64", users, posts);
	cr_assert_str_eq(s, line);
	free(line);
	free(s);
	free(users);
	free(posts);
}

Test(cli_flow, upgrade_to_a_revision_and_relative_steps)
{
	char *users, *posts, *s;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "upgrade", users, NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, users);
	free(s);
	r = mig_ok(0, "upgrade", "+1", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	r = mig_ok(0, "downgrade", "-2", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, "");
	free(s);
	/* A unique 4-character prefix is enough. */
	s = mig_xstrndup(posts, 4);
	r = mig_ok(0, "upgrade", s, NULL, NULL, NULL);
	th_run_free(&r);
	free(s);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	free(users);
	free(posts);
}

Test(cli_flow, failing_statement_rolls_back_the_whole_run)
{
	char *users, *posts, *third, *s;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "revision", "-m", "broken", NULL, NULL);
	th_run_free(&r);
	third = rev_id_of("broken");
	append_sql(third, "broken", "CREATE TABLE ok_table (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
	    "DROP TABLE ok_table;\n");
	r = mig_ok(1, "upgrade", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.err, "no such table: no_such_table") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, third) != NULL, "the error names the revision: %s", r.err);
	cr_assert(strstr(r.err, "_broken.up.sql:") != NULL, "the error names the file: %s", r.err);
	cr_assert(strstr(r.err, "INSERT INTO no_such_table") != NULL, "the error shows the statement: %s", r.err);
	th_run_free(&r);
	/* Nothing of the run remains: not the first two revisions, not the broken one's first statement. */
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('user','post','ok_table','mig_version')");
	cr_assert_str_eq(s, "0");
	free(s);
	free(third);
	free(users);
	free(posts);
}

Test(cli_flow, per_revision_mode_keeps_the_last_good_revision)
{
	char *users, *posts, *third, *s;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "revision", "-m", "broken", NULL, NULL);
	th_run_free(&r);
	third = rev_id_of("broken");
	append_sql(third, "broken", "CREATE TABLE ok_table (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
	    "DROP TABLE ok_table;\n");
	r = mig_ok(1, "upgrade", "--transaction-per-revision", NULL, NULL, NULL);
	cr_assert(strstr(r.err, "2 revision(s) committed") != NULL, "%s", r.err);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('user','post')");
	cr_assert_str_eq(s, "2");
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'ok_table'");
	cr_assert_str_eq(s, "0");
	free(s);
	free(third);
	free(users);
	free(posts);
}

Test(cli_flow, per_revision_mode_from_mig_yaml)
{
	char *users, *posts, *third, *s, *yaml;
	struct th_run r;

	two_revisions(&users, &posts);
	yaml = mig_xasprintf("url: sqlite:///%s\ntransaction_per_revision: true\n", db);
	th_write(dir, "migrations/mig.yaml", yaml);
	free(yaml);
	r = mig_ok(0, "revision", "-m", "broken", NULL, NULL);
	th_run_free(&r);
	third = rev_id_of("broken");
	append_sql(third, "broken", "INSERT INTO no_such_table VALUES (1);\n", "\n");
	r = mig_ok(1, "upgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	free(third);
	free(users);
	free(posts);
}

Test(cli_flow, sql_mode_prints_and_touches_nothing)
{
	char *users, *posts;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "upgrade", "--sql", NULL, NULL, NULL);
	cr_assert(strstr(r.out, "BEGIN IMMEDIATE;") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TABLE IF NOT EXISTS \"mig_version\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TABLE post") != NULL);
	cr_assert(strstr(r.out, "INSERT INTO \"mig_version\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "COMMIT;") != NULL);
	cr_assert(!mig_path_exists(db), "--sql must not create the database");
	th_run_free(&r);
	/* The printed SQL is what a live run executes: run it with sqlite3 and compare. */
	{
		char *script = mig_path_join(dir, "out.sql"), *cmd, *s;
		struct th_run r2 = mig_ok(0, "upgrade", "--sql", NULL, NULL, NULL);

		th_write(dir, "out.sql", r2.out);
		cmd = mig_xasprintf("sqlite3 %s < %s", db, script);
		cr_assert_eq(system(cmd), 0);
		s = version();
		cr_assert_str_eq(s, posts);
		free(s);
		free(cmd);
		free(script);
		th_run_free(&r2);
	}
	r = mig_ok(2, "downgrade", "--sql", NULL, NULL, NULL);
	cr_assert(strstr(r.err, "START:END") != NULL, "%s", r.err);
	th_run_free(&r);
	r = mig_ok(0, "downgrade", "--sql", "head:base", NULL, NULL);
	cr_assert(strstr(r.out, "DROP TABLE post") != NULL, "%s", r.out);
	th_run_free(&r);
	free(users);
	free(posts);
}

Test(cli_flow, stamp_sets_the_version_without_running_sql)
{
	char *users, *posts, *s;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "stamp", "head", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('user','post')");
	cr_assert_str_eq(s, "0");
	free(s);
	s = th_sqlite(db, "SELECT group_concat(kind, ',') FROM mig_version_history");
	cr_assert_str_eq(s, "stamp,stamp");
	free(s);
	r = mig_ok(0, "stamp", users, NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, users);
	free(s);
	s = th_sqlite(db, "SELECT group_concat(revision, ',') FROM mig_version_history");
	cr_assert_str_eq(s, users);
	free(s);
	r = mig_ok(0, "stamp", "base", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, "");
	free(s);
	free(users);
	free(posts);
}

Test(cli_flow, branch_and_merge)
{
	char *users, *posts, *a, *m, *s, *line;
	struct th_run r;

	two_revisions(&users, &posts);
	/* Two branches off users: posts (already there) and tags. */
	r = mig_ok(0, "revision", "-m", "tags", "--head", users);
	th_run_free(&r);
	a = rev_id_of("tags");
	append_sql(a, "tags", "CREATE TABLE tag (id INTEGER PRIMARY KEY);\n", "DROP TABLE tag;\n");
	r = mig_ok(0, "heads", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.out, posts) && strstr(r.out, a), "%s", r.out);
	th_run_free(&r);
	r = mig_ok(2, "upgrade", "head", NULL, NULL, NULL);
	cr_assert(strstr(r.err, "multiple heads") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, posts) && strstr(r.err, a), "the error lists the heads: %s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db) || strcmp((s = version()), "") == 0);
	r = mig_ok(2, "revision", "-m", "x", NULL, NULL);
	th_run_free(&r);
	r = mig_ok(0, "branches", NULL, NULL, NULL, NULL);
	line = mig_xasprintf("%s (branchpoint)", users);
	cr_assert(strstr(r.out, line) != NULL, "%s", r.out);
	free(line);
	th_run_free(&r);
	r = mig_ok(0, "upgrade", "heads", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	line = strcmp(posts, a) < 0 ? mig_xasprintf("%s,%s", posts, a) : mig_xasprintf("%s,%s", a, posts);
	cr_assert_str_eq(s, line);
	free(line);
	free(s);

	/* merge heads: one revision with both parents; upgrading to it collapses the version rows. */
	r = mig_ok(0, "merge", "-m", "merge tags", "heads", NULL);
	th_run_free(&r);
	m = rev_id_of("merge_tags");
	r = mig_ok(0, "upgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, m);
	free(s);
	/* Downgrading one step from the merge leaves both branches applied. */
	r = mig_ok(0, "downgrade", "-1", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	line = strcmp(posts, a) < 0 ? mig_xasprintf("%s,%s", posts, a) : mig_xasprintf("%s,%s", a, posts);
	cr_assert_str_eq(s, line);
	free(line);
	free(s);
	/* Downgrading the tags branch to users leaves the sibling (posts) untouched. */
	r = mig_ok(0, "downgrade", users, NULL, NULL, NULL);
	th_run_free(&r);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('user','post','tag')");
	cr_assert_str_eq(s, "1", "downgrade to users undoes both branches above it");
	free(s);
	free(users);
	free(posts);
	free(a);
	free(m);
}

Test(cli_flow, downgrade_works_when_files_are_gone)
{
	char *users, *posts, *s, *cmd;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "upgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	/* Switch to a git branch without the posts revision: its files are gone. */
	cmd = mig_xasprintf("rm %s/migrations/versions/%s_*", dir, posts);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = mig_ok(0, "history", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.out, "(files missing)") != NULL, "%s", r.out);
	th_run_free(&r);
	r = mig_ok(0, "downgrade", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, users);
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'post'");
	cr_assert_str_eq(s, "0");
	free(s);
	free(users);
	free(posts);
}

Test(cli_flow, edited_applied_script_is_refused)
{
	char *users, *posts, *s;
	struct th_run r;

	two_revisions(&users, &posts);
	r = mig_ok(0, "upgrade", users, NULL, NULL, NULL);
	th_run_free(&r);
	append_sql(users, "users_table", "-- edited afterwards\n", "");
	r = mig_ok(2, "upgrade", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.err, "users_table.up.sql") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "edited after it was applied") != NULL, "%s", r.err);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, users);
	free(s);
	r = mig_ok(0, "upgrade", "--allow-edited", NULL, NULL, NULL);
	th_run_free(&r);
	s = version();
	cr_assert_str_eq(s, posts);
	free(s);
	free(users);
	free(posts);
}

Test(cli_flow, errors_exit_2_and_change_nothing)
{
	struct th_run r;
	char *users, *posts, *s;

	two_revisions(&users, &posts);
	r = mig_ok(2, "upgrade", "zzzz", NULL, NULL, NULL);
	cr_assert(strstr(r.err, "mig: error: ") == r.err, "%s", r.err);
	cr_assert(strstr(r.err, "zzzz") != NULL, "%s", r.err);
	th_run_free(&r);
	r = mig_ok(2, "frobnicate", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	r = mig_ok(2, "upgrade", "--bogus", NULL, NULL, NULL);
	th_run_free(&r);
	r = mig_ok(2, "init", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.err, "not empty") != NULL, "%s", r.err);
	th_run_free(&r);
	/* A malformed header names the file and line; the database is not created. */
	th_write(dir, "migrations/versions/bad_one.up.sql", "-- mig:revision badbadbadbad\n-- mig:revison x\n");
	th_write(dir, "migrations/versions/bad_one.down.sql", "-- mig:revision badbadbadbad\n");
	r = mig_ok(2, "upgrade", NULL, NULL, NULL, NULL);
	cr_assert(strstr(r.err, "bad_one.up.sql:2") != NULL, "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db), "a refused upgrade must not even create the database file");
	(void)s;
	free(users);
	free(posts);
}

Test(cli_flow, missing_parent_directory_is_a_clear_error)
{
	struct th_run r;
	const char *bad_env[] = { "DATABASE_URL=sqlite:///no/such/dir/app.db", NULL };

	r = mig_ok(0, "init", NULL, NULL, NULL, NULL);
	th_run_free(&r);
	r = mig_ok(0, "revision", "-m", "first", NULL, NULL);
	th_run_free(&r);
	r = th_mig(dir, bad_env, "upgrade", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "no/such/dir") != NULL, "%s", r.err);
	th_run_free(&r);
}
