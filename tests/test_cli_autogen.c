/*
 * test_cli_autogen.c — end-to-end autogenerate on SQLite: `migrate` writes what the manifest
 * changed, `upgrade` applies it keeping every row, `check` and `inspect` agree that an untouched
 * database has no change, and bad manifests are refused without touching the database.
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
	struct th_run r;

	dir = th_tmpdir();
	db = mig_path_join(dir, "app.db");
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=sqlite:///%s", db);
	env[0] = env_url;
	r = th_mig(dir, env, "init", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
}

static void
teardown(void)
{
	th_rmtree(dir);
	free(dir);
	free(db);
}

static struct th_run
run(int want, const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { a1, a2, a3, NULL };
	struct th_run r = th_migv(dir, env, argv);

	cr_assert_eq(r.status, want, "mig %s %s: exit %d, want %d\nstdout: %s\nstderr: %s", a1, a2 ? a2 : "",
	    r.status, want, r.out, r.err);
	return r;
}

static void
migrate_and_upgrade(const char *msg)
{
	struct th_run r = run(0, "migrate", "-m", msg);

	th_run_free(&r);
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
}

static char *
q(const char *sql)
{
	return th_sqlite(db, sql);
}

#define USERS \
	"tables:\n" \
	"  user:\n" \
	"    columns:\n" \
	"      id: { type: integer, primary_key: true }\n" \
	"      username: { type: string(64), nullable: false, unique: true, index: true }\n" \
	"      email: { type: string(120), nullable: false, unique: true, index: true }\n" \
	"      password_hash: { type: string(256) }\n"
#define POSTS \
	"  post:\n" \
	"    columns:\n" \
	"      id: { type: integer, primary_key: true }\n" \
	"      body: { type: string(140), nullable: false }\n" \
	"      timestamp: { type: datetime, nullable: false, index: true }\n" \
	"      user_id: { type: integer, nullable: false, references: user.id, index: true }\n"

TestSuite(cli_autogen, .init = setup, .fini = teardown);

Test(cli_autogen, story1_detects_tables_and_indexes_like_alembic)
{
	struct th_run r;
	char *s;

	th_write(dir, "models.yaml", USERS);
	r = run(0, "migrate", "-m", "users table");
	cr_assert(strstr(r.err, "Detected added table 'user'\n") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "Detected added index 'ix_user_email' on '['email']'\n") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "Detected added index 'ix_user_username' on '['username']'\n") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "_users_table.up.sql ... done") != NULL, "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db), "migrate never touches the database");
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT group_concat(name || ':' || \"unique\", ',') FROM pragma_index_list('user') "
	    "WHERE origin = 'c' ORDER BY name");
	cr_assert(strstr(s, "ix_user_email:1") && strstr(s, "ix_user_username:1"), "%s", s);
	free(s);

	th_write(dir, "models.yaml", USERS POSTS);
	r = run(0, "migrate", "-m", "posts table");
	cr_assert(strstr(r.err, "Detected added table 'post'") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "Detected added index 'ix_post_timestamp' on '['timestamp']'") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "Detected added index 'ix_post_user_id' on '['user_id']'") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT \"table\" || '.' || \"to\" FROM pragma_foreign_key_list('post')");
	cr_assert_str_eq(s, "user.id");
	free(s);
	s = q("SELECT group_concat(name || ':' || \"notnull\", ',') FROM pragma_table_info('post')");
	cr_assert_str_eq(s, "id:1,body:1,timestamp:1,user_id:1");
	free(s);

	/* In sync now: check exits 0, migrate writes nothing. */
	r = run(0, "check", NULL, NULL);
	th_run_free(&r);
	r = run(0, "migrate", "-m", "nothing");
	cr_assert(strstr(r.err, "No changes in schema detected.") != NULL, "%s", r.err);
	th_run_free(&r);
	s = mig_path_join(dir, "migrations/versions");
	{
		char *cmd = mig_xasprintf("ls %s | grep -c nothing", s);
		FILE *p = popen(cmd, "r");
		char buf[16] = "";

		cr_assert(fgets(buf, sizeof(buf), p) != NULL);
		pclose(p);
		cr_assert_str_eq(buf, "0\n", "no revision written when nothing changed");
		free(cmd);
	}
	free(s);

	/* downgrade base leaves no application table behind. */
	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	s = q("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'mig_version%' AND name NOT LIKE 'sqlite_%'");
	cr_assert_str_eq(s, "0");
	free(s);
}

Test(cli_autogen, story2_new_boolean_column_with_default_fills_existing_rows)
{
	struct th_run r;
	char *s;

	th_write(dir, "models.yaml",
	    "tables:\n  user:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      username: { type: string(80), unique: true, nullable: false }\n"
	    "      email: { type: string(120), unique: true, nullable: false }\n");
	migrate_and_upgrade("users");
	{
		char *cmd = mig_xasprintf("sqlite3 %s \"INSERT INTO user (username, email) VALUES ('a', 'a@x'), "
		    "('b', 'b@x')\"", db);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	th_write(dir, "models.yaml",
	    "tables:\n  user:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      username: { type: string(80), unique: true, nullable: false }\n"
	    "      email: { type: string(120), unique: true, nullable: false }\n"
	    "      is_active: { type: boolean, nullable: false, default: true }\n");
	r = run(1, "check", NULL, NULL);
	cr_assert(strstr(r.err, "Detected added column 'user.is_active'") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "migrate", "-m", "Add is_active field to User.");
	cr_assert(strstr(r.err, "Detected added column 'user.is_active'") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT group_concat(username || '=' || is_active, ',') FROM user ORDER BY id");
	cr_assert_str_eq(s, "a=1,b=1");
	free(s);
	r = run(0, "check", NULL, NULL);
	th_run_free(&r);
	/* And back: the column goes, the rows stay. */
	r = run(0, "downgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT group_concat(name, ',') FROM pragma_table_info('user')");
	cr_assert_str_eq(s, "id,username,email");
	free(s);
	s = q("SELECT count(*) FROM user");
	cr_assert_str_eq(s, "2");
	free(s);
}

Test(cli_autogen, renamed_from_keeps_the_data)
{
	struct th_run r;
	char *s;

	th_write(dir, "models.yaml", "tables:\n  person:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      name: { type: string(50) }\n");
	migrate_and_upgrade("people");
	{
		char *cmd = mig_xasprintf("sqlite3 %s \"INSERT INTO person (name) VALUES ('ada')\"", db);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	th_write(dir, "models.yaml", "tables:\n  person:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      full_name: { type: string(50), renamed_from: name }\n");
	r = run(0, "migrate", "-m", "rename name");
	cr_assert(strstr(r.err, "Detected renamed column") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT full_name FROM person");
	cr_assert_str_eq(s, "ada");
	free(s);
	r = run(0, "downgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT name FROM person");
	cr_assert_str_eq(s, "ada");
	free(s);
}

Test(cli_autogen, drop_without_hint_warns_and_suggests_rename)
{
	struct th_run r;
	char *up;

	th_write(dir, "models.yaml", "tables:\n  person:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      name: { type: string(50) }\n");
	migrate_and_upgrade("people");
	th_write(dir, "models.yaml", "tables:\n  person:\n    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      full_name: { type: string(50) }\n");
	r = run(0, "migrate", "-m", "maybe rename");
	cr_assert(strstr(r.err, "mig: warning:") != NULL, "a drop is announced as a warning: %s", r.err);
	cr_assert(strstr(r.err, "renamed_from") != NULL, "a possible rename is suggested: %s", r.err);
	th_run_free(&r);
	{
		char *cmd = mig_xasprintf("cat %s/migrations/versions/*_maybe_rename.up.sql", dir);
		FILE *p = popen(cmd, "r");
		struct mig_buf b = MIG_BUF_INIT;
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			mig_buf_put(&b, chunk, n);
		pclose(p);
		up = mig_buf_detach(&b);
		free(cmd);
	}
	cr_assert(strstr(up, "-- mig:destructive") != NULL, "%s", up);
	free(up);
}

Test(cli_autogen, inspect_then_check_reports_no_change)
{
	struct th_run r;
	char *cmd;

	/* A database made by hand, with the things databases like to rewrite. */
	cmd = mig_xasprintf("sqlite3 %s \"CREATE TABLE t (id integer primary key, n int default (0), "
	    "s varchar(10) not null default 'x', ts datetime default current_timestamp, "
	    "f REAL CHECK (f > 0), u text UNIQUE);"
	    "CREATE TABLE c (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id) ON DELETE CASCADE);"
	    "CREATE INDEX ix_c_t ON c (t_id) WHERE t_id IS NOT NULL;\"", db);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = run(0, "inspect", "-o", "models.yaml");
	th_run_free(&r);
	r = run(0, "check", NULL, NULL);
	th_run_free(&r);
}

Test(cli_autogen, bad_manifest_is_exit_2_with_position_and_database_untouched)
{
	struct th_run r;

	th_write(dir, "models.yaml", "tables:\n  user:\n    columns:\n      id: { type: integre }\n");
	r = run(2, "migrate", "-m", "x");
	cr_assert(strstr(r.err, "models.yaml:4:") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "integre") != NULL, "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db));
	th_write(dir, "models.yaml", "tables:\n  user:\n    colums: {}\n");
	r = run(2, "check", NULL, NULL);
	cr_assert(strstr(r.err, "models.yaml:3:") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_autogen, migrate_refuses_a_database_behind_head)
{
	struct th_run r;

	th_write(dir, "models.yaml", USERS);
	r = run(0, "migrate", "-m", "users");
	th_run_free(&r);
	th_write(dir, "models.yaml", USERS POSTS);
	r = run(1, "migrate", "-m", "posts");
	cr_assert(strstr(r.err, "not up to date") != NULL, "%s", r.err);
	th_run_free(&r);
	/* The manifest loads on another thread meanwhile: its own error must not hide this one. */
	th_write(dir, "models.yaml", "tables:\n  t:\n    columns: {id: {type: integr}}\n");
	r = run(1, "check", NULL, NULL);
	cr_assert(strstr(r.err, "not up to date") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_autogen, check_refuses_an_edited_applied_revision)
{
	struct th_run r;
	char *cmd;

	th_write(dir, "models.yaml", USERS);
	migrate_and_upgrade("users table");
	cmd = mig_xasprintf("for f in %s/migrations/versions/*_users_table.down.sql; do echo '-- edited' >> \"$f\"; done", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = run(2, "check", NULL, NULL);
	cr_assert(strstr(r.err, "_users_table.down.sql") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "edited after it was applied") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "check", "--allow-edited", NULL);
	cr_assert(strstr(r.err, "warning") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_autogen, a_rebuilt_table_keeps_its_table_options)
{
	struct th_run r;
	char *s;

	/* A table made by hand (or another tool) with options a manifest cannot state. */
	s = mig_xasprintf("sqlite3 %s \"CREATE TABLE kv (k TEXT NOT NULL PRIMARY KEY, v INTEGER) "
	    "WITHOUT ROWID; INSERT INTO kv VALUES ('a', 1), ('b', 2)\"", db);
	cr_assert_eq(system(s), 0);
	free(s);
	th_write(dir, "models.yaml",
	    "tables:\n  kv:\n    columns:\n"
	    "      k: { type: text, primary_key: true }\n"
	    "      v: { type: integer, nullable: false, default: \"0\" }\n");
	r = run(0, "migrate", "-m", "v not null");
	th_run_free(&r);
	r = run(0, "upgrade", NULL, NULL);
	th_run_free(&r);
	s = q("SELECT sql LIKE '%) WITHOUT ROWID' FROM sqlite_schema WHERE name = 'kv'");
	cr_assert_str_eq(s, "1");
	free(s);
	s = q("SELECT group_concat(k || '=' || v, ',') FROM kv");
	cr_assert_str_eq(s, "a=1,b=2");
	free(s);
	r = run(0, "check", NULL, NULL);
	th_run_free(&r);
}
