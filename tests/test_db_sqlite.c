/*
 * test_db_sqlite.c — the SQLite driver on real files: opening (create or not, bad paths, files that
 * are not databases), running scripts that SQLite must split itself, error positions,
 * transactions, the migration lock between two handles, and the version and history tables read
 * back after running the SQL that sql_version.c renders.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sqlite3.h>

#include "db.h"
#include "db_driver.h"
#include "helpers.h"
#include "rev.h"
#include "sql.h"
#include "util.h"

static char *tmp;
static char *dbpath;

static void
setup(void)
{
	tmp = th_tmpdir();
	dbpath = mig_path_join(tmp, "app.db");
}

static void
teardown(void)
{
	th_rmtree(tmp);
	free(tmp);
	free(dbpath);
}

/* Opens path as a sqlite:// URL; returns the code, *out set on success. */
static int
open_path(struct mig_db **out, const char *path, bool create)
{
	char *s = mig_xasprintf("sqlite:///%s", path);
	struct mig_url *u = NULL;
	int rc;

	cr_assert(eq(int, mig_url_parse(&u, s), 0), "%s", mig_error_msg());
	rc = mig_db_open(out, u, create);
	mig_url_free(u);
	free(s);
	return rc;
}

static struct mig_db *
open_ok(void)
{
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_path(&db, dbpath, true), 0), "%s", mig_error_msg());
	return db;
}

/* th_sqlite() that frees its result after comparing. */
static void
assert_query(const char *path, const char *query, const char *want)
{
	char *got = th_sqlite(path, query);

	cr_assert(eq(str, got, (char *)want), "%s", query);
	free(got);
}

TestSuite(db_sqlite, .init = setup, .fini = teardown);

/* ---- opening ---- */

Test(db_sqlite, create_makes_a_new_file)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_dialect(db), MIG_SQLITE));
	cr_assert(mig_db_sqlite_handle(db) != NULL);
	th_db_exec_ok(db, "CREATE TABLE t (x INTEGER);");
	mig_db_close(db);
	cr_assert(mig_path_exists(dbpath));
	assert_query(dbpath, "SELECT name FROM sqlite_schema", "t");
}

Test(db_sqlite, missing_file_without_create_is_not_found_and_not_created)
{
	struct mig_db *db = (void *)1;

	cr_assert(eq(int, open_path(&db, dbpath, false), MIG_ENOTFOUND));
	cr_assert(eq(ptr, db, NULL));
	cr_assert(not(mig_path_exists(dbpath)));
}

Test(db_sqlite, existing_file_opens_without_create)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, "CREATE TABLE t (x); INSERT INTO t VALUES (7);");
	mig_db_close(db);
	db = NULL;
	cr_assert(eq(int, open_path(&db, dbpath, false), 0), "%s", mig_error_msg());
	th_db_exec_ok(db, "INSERT INTO t VALUES (8);");
	mig_db_close(db);
	assert_query(dbpath, "SELECT group_concat(x) FROM t", "7,8");
}

Test(db_sqlite, missing_parent_directory_is_a_clear_io_error)
{
	char *path = mig_path_join(tmp, "no/such/dir/app.db");
	char *dir = mig_path_join(tmp, "no/such/dir");
	char *want = mig_xasprintf("cannot create database '%s': directory '%s' does not exist", path, dir);
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_path(&db, path, true), MIG_EIO));
	cr_assert(eq(str, (char *)mig_error_msg(), want));
	free(want);
	free(dir);
	free(path);
}

Test(db_sqlite, file_that_is_not_a_database_is_refused)
{
	char *want = mig_xasprintf("file '%s' is not a database", dbpath);
	struct mig_db *db = NULL;

	th_write(tmp, "app.db", "this is a text file, not a SQLite database, and it is long enough to have a header\n");
	cr_assert(eq(int, open_path(&db, dbpath, false), MIG_EDB));
	cr_assert(eq(str, (char *)mig_error_msg(), want));
	cr_assert(eq(int, open_path(&db, dbpath, true), MIG_EDB));
	cr_assert(eq(ptr, db, NULL));
	free(want);
}

Test(db_sqlite, directory_is_not_a_database)
{
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_path(&db, tmp, true), MIG_EIO));
	cr_assert(mig_str_endswith(mig_error_msg(), "' is a directory"), "%s", mig_error_msg());
}

Test(db_sqlite, memory_database_works_and_lock_is_a_no_op)
{
	struct mig_url *u = NULL;
	struct mig_db *db = NULL;
	char **heads = NULL;
	size_t n = 0;

	cr_assert(eq(int, mig_url_parse(&u, "sqlite://"), 0));
	cr_assert(eq(int, mig_db_open(&db, u, false), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_lock(db, 0), 0));
	th_db_exec_ok(db, "CREATE TABLE v (version_num TEXT); INSERT INTO v VALUES ('abc');");
	cr_assert(eq(int, mig_db_read_heads(db, NULL, "v", &heads, &n), 0));
	cr_assert(eq(sz, n, 1));
	cr_assert(eq(str, heads[0], "abc"));
	mig_db_heads_free(heads, n);
	mig_db_unlock(db);
	mig_db_close(db);
	mig_url_free(u);
}

/* ---- scripts ---- */

static const char tricky_script[] =
    "-- a script SQLite has to split itself\n"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);\n"
    "CREATE TABLE audit (what TEXT);\n"
    "\n"
    "/* a trigger body has its own semicolons */\n"
    "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n"
    "    INSERT INTO audit VALUES ('inserted ' || NEW.id);\n"
    "    INSERT INTO audit VALUES ('twice; really');\n"
    "END;\n"
    "INSERT INTO t (note) VALUES ('semi;colon -- not a comment /* nor this */');\n"
    ";;\n"
    "SELECT * FROM t; -- rows are discarded\n"
    "INSERT INTO t (note) VALUES ('it''s the last one')  -- no final semicolon\n";

Test(db_sqlite, runs_a_script_with_triggers_and_semicolons_in_strings)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, tricky_script);
	mig_db_close(db);
	assert_query(dbpath, "SELECT id, note FROM t ORDER BY id",
	    "1|semi;colon -- not a comment /* nor this */\n2|it's the last one");
	assert_query(dbpath, "SELECT what FROM audit ORDER BY rowid",
	    "inserted 1\ntwice; really\ninserted 2\ntwice; really");
}

Test(db_sqlite, empty_and_comment_only_scripts_do_nothing)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, "");
	th_db_exec_ok(db, "  \n\t\n");
	th_db_exec_ok(db, "-- nothing here\n/* or here */\n;\n");
	mig_db_close(db);
}

static const char failing_script[] =
    "CREATE TABLE a (x INTEGER NOT NULL);\n"
    "INSERT INTO a VALUES (1);\n"
    "\n"
    "-- the next statement fails\n"
    "  INSERT INTO a\n"
    "      VALUES (NULL);  \n"
    "CREATE TABLE never (y);\n";

Test(db_sqlite, failure_reports_statement_line_and_message)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_begin(db), 0), "%s", mig_error_msg());
	cr_assert(mig_db_in_transaction(db));
	cr_assert(eq(int, mig_db_exec(db, failing_script, &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "INSERT INTO a\n      VALUES (NULL);"));
	cr_assert(eq(sz, e.line, 5));
	cr_assert(eq(str, e.message, "NOT NULL constraint failed: a.x"));
	cr_assert(eq(str, (char *)mig_error_msg(), "NOT NULL constraint failed: a.x"));
	cr_assert(eq(int, mig_db_rollback(db), 0));
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_close(db);
	mig_db_error_release(&e);
	/* The statements before the failure were rolled back with it; the ones after never ran. */
	assert_query(dbpath, "SELECT count(*) FROM sqlite_schema", "0");
}

Test(db_sqlite, without_a_transaction_earlier_statements_stay)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_exec(db, failing_script, NULL), MIG_EDB));
	cr_assert(eq(str, (char *)mig_error_msg(), "NOT NULL constraint failed: a.x"));
	mig_db_close(db);
	assert_query(dbpath, "SELECT group_concat(name) FROM sqlite_schema", "a");
	assert_query(dbpath, "SELECT x FROM a", "1");
}

Test(db_sqlite, syntax_error_reports_the_whole_statement)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_exec(db, "CREATE TABLE a (x);\n\nCREATE TABLEE b (y);\nCREATE TABLE c (z);\n", &e),
	    MIG_EDB));
	cr_assert(eq(str, e.statement, "CREATE TABLEE b (y);"));
	cr_assert(eq(sz, e.line, 3));
	cr_assert(eq(str, e.message, "near \"TABLEE\": syntax error"));
	mig_db_error_release(&e);
	/* A second failure replaces the first in the same struct. */
	cr_assert(eq(int, mig_db_exec(db, "SELECT * FROM missing", &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "SELECT * FROM missing"));
	cr_assert(eq(sz, e.line, 1));
	cr_assert(eq(str, e.message, "no such table: missing"));
	mig_db_error_release(&e);
	mig_db_close(db);
}

Test(db_sqlite, commit_persists_and_rollback_outside_a_transaction_is_harmless)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_rollback(db), 0));
	cr_assert(eq(int, mig_db_begin(db), 0));
	th_db_exec_ok(db, "CREATE TABLE kept (x); INSERT INTO kept VALUES (42);");
	cr_assert(eq(int, mig_db_commit(db), 0), "%s", mig_error_msg());
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_close(db);
	assert_query(dbpath, "SELECT x FROM kept", "42");
}

Test(db_sqlite, commit_without_begin_is_an_error)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_commit(db), MIG_EDB));
	cr_assert(mig_str_startswith(mig_error_msg(), "cannot commit on '"), "%s", mig_error_msg());
	mig_db_close(db);
}

/* BEGIN IMMEDIATE takes the write lock at once: another writer cannot even start. */
Test(db_sqlite, begin_takes_the_write_lock_up_front)
{
	struct mig_db *db = open_ok();
	sqlite3 *other = NULL;

	th_db_exec_ok(db, "CREATE TABLE t (x);");
	cr_assert(eq(int, mig_db_begin(db), 0));
	cr_assert(eq(int, sqlite3_open_v2(dbpath, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_BUSY));
	cr_assert(eq(int, mig_db_rollback(db), 0));
	cr_assert(eq(int, sqlite3_exec(other, "BEGIN IMMEDIATE; COMMIT;", NULL, NULL, NULL), SQLITE_OK));
	sqlite3_close(other);
	mig_db_close(db);
}

/* The connection keeps SQLite's default (foreign keys off) so that scripts decide. */
Test(db_sqlite, foreign_keys_are_left_at_the_sqlite_default)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id));"
	    "INSERT INTO c VALUES (99);");
	mig_db_close(db);
	assert_query(dbpath, "SELECT p FROM c", "99");
}

/* ---- the migration lock ---- */

Test(db_sqlite, second_handle_times_out_on_the_lock)
{
	struct mig_db *a = open_ok(), *b = NULL;
	char *want = mig_xasprintf("another mig is migrating '%s' (lock file '%s.mig-lock'); waited 0.3 s",
	    dbpath, dbpath);
	double t0, waited;

	cr_assert(eq(int, open_path(&b, dbpath, false), 0));
	cr_assert(eq(int, mig_db_lock(a, 1000), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_lock(a, 0), 0), "locking twice on one handle is a no-op");
	t0 = mig_now_ms();
	cr_assert(eq(int, mig_db_lock(b, 300), MIG_ELOCKED));
	waited = mig_now_ms() - t0;
	cr_assert(waited >= 290 && waited < 2000, "waited %.0f ms", waited);
	cr_assert(eq(str, (char *)mig_error_msg(), want));
	/* Once released, the other handle gets it at once. */
	mig_db_unlock(a);
	cr_assert(eq(int, mig_db_lock(b, 0), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_lock(a, 0), MIG_ELOCKED));
	mig_db_close(b);
	/* Closing a handle releases its lock. */
	cr_assert(eq(int, mig_db_lock(a, 0), 0), "%s", mig_error_msg());
	mig_db_close(a);
	free(want);
}

Test(db_sqlite, lock_message_counts_whole_seconds)
{
	struct mig_db *a = open_ok(), *b = NULL;
	char *want = mig_xasprintf("another mig is migrating '%s' (lock file '%s.mig-lock'); waited 1 s",
	    dbpath, dbpath);

	cr_assert(eq(int, open_path(&b, dbpath, false), 0));
	cr_assert(eq(int, mig_db_lock(a, 0), 0));
	cr_assert(eq(int, mig_db_lock(b, 1000), MIG_ELOCKED));
	cr_assert(eq(str, (char *)mig_error_msg(), want));
	mig_db_close(a);
	mig_db_close(b);
	free(want);
}

Test(db_sqlite, waiting_migrator_gets_the_lock_when_the_holder_exits)
{
	struct mig_db *db = open_ok();
	int fds[2], status;
	char c;
	pid_t pid;

	cr_assert(eq(int, pipe(fds), 0));
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct mig_db *child = NULL;

		close(fds[0]);
		if (open_path(&child, dbpath, false) != 0 || mig_db_lock(child, 0) != 0)
			_exit(1);
		(void)!write(fds[1], "x", 1);
		usleep(200 * 1000);
		_exit(0); /* the kernel drops the lock; no unlock, no close */
	}
	close(fds[1]);
	cr_assert(eq(int, (int)read(fds[0], &c, 1), 1), "child could not lock");
	cr_assert(eq(int, mig_db_lock(db, 0), MIG_ELOCKED));
	cr_assert(eq(int, mig_db_lock(db, 5000), 0), "%s", mig_error_msg());
	waitpid(pid, &status, 0);
	cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0));
	close(fds[0]);
	mig_db_close(db);
}

/* ---- version and history tables ---- */

Test(db_sqlite, missing_tables_read_as_empty)
{
	struct mig_db *db = open_ok();
	struct mig_applied *hist = (void *)1;
	char **heads = (void *)1;
	size_t n = 99;

	cr_assert(eq(int, mig_db_read_heads(db, NULL, "mig_version", &heads, &n), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(ptr, heads, NULL));
	n = 99;
	cr_assert(eq(int, mig_db_read_history(db, NULL, "mig_version", &hist, &n), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(ptr, hist, NULL));
	mig_db_close(db);
	/* Reading created nothing. */
	assert_query(dbpath, "SELECT count(*) FROM sqlite_schema", "0");
}

/* The version-table round trip every driver must pass (tests/helpers.c). */
static void
round_trip(const char *schema, const char *table)
{
	struct mig_db *db = open_ok();

	th_version_round_trip(db, MIG_SQLITE, schema, table);
	mig_db_close(db);
}

Test(db_sqlite, version_sql_round_trips)
{
	round_trip(NULL, "mig_version");
	assert_query(dbpath, "SELECT version_num FROM mig_version", "e517276bb1c2");
	assert_query(dbpath, "SELECT group_concat(revision, ' ') FROM (SELECT revision FROM mig_version_history "
	    "ORDER BY applied_seq)", "e517276bb1c2 0c0c0c0c0c0c");
}

Test(db_sqlite, version_sql_round_trips_with_odd_names_and_a_schema)
{
	round_trip("main", "My \"Version\" Table");
	assert_query(dbpath, "SELECT version_num FROM \"My \"\"Version\"\" Table\"", "e517276bb1c2");
	assert_query(dbpath, "SELECT count(*) FROM \"My \"\"Version\"\" Table_history\"", "2");
}

/* ---- reading part of the history ---- */

static int
first_value(void *ctx, const char *const *vals, size_t ncols)
{
	char **out = ctx;

	if (*out == NULL)
		*out = mig_xstrdup(ncols > 0 && vals[0] ? vals[0] : "NULL");
	return 0;
}

/* The connection's page cache size, which reading the failed rows shrinks for its scan only; malloc'd. */
static char *
cache_size(struct mig_db *db)
{
	char *v = NULL;

	cr_assert(eq(int, db->ops->query(db, "PRAGMA main.cache_size", first_value, &v), 0), "%s", mig_error_msg());
	return v;
}

static void
assert_cache_size(struct mig_db *db, const char *want)
{
	char *v = cache_size(db);

	cr_assert(eq(str, v, (char *)want));
	free(v);
}

/* The odd one out among the history ids: a quote SQL must escape. */
#define ODD_ID "it's-250"

Test(db_sqlite, history_ids_are_read_alone)
{
	struct mig_db *db = open_ok();
	struct th_seen_ids s;
	size_t i;

	memset(&s, 0, sizeof(s));
	mig_arena_init(&s.arena);
	cr_assert(eq(int, mig_db_read_history_ids(db, NULL, "mig_version", th_see_id, &s), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, s.n, 0), "a missing table has no ids");
	th_history_fill(db, MIG_SQLITE, ODD_ID, NULL, "mig_version");
	cr_assert(eq(int, mig_db_read_history_ids(db, NULL, "mig_version", th_see_id, &s), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, s.n, TH_NHIST));
	for (i = 0; i < TH_NHIST; i++) {
		char *id = th_hist_id(ODD_ID, i);

		cr_assert(not(eq(ptr, mig_map_get(&s.map, id), NULL)), "'%s' was not read", id);
		free(id);
	}
	/* The callback stops the read, and what it returns comes back. */
	mig_map_release(&s.map);
	s.n = 0;
	s.stop_after = 10;
	cr_assert(eq(int, mig_db_read_history_ids(db, NULL, "mig_version", th_see_id, &s), 42));
	cr_assert(eq(sz, s.n, 10));
	mig_map_release(&s.map);
	mig_arena_release(&s.arena);
	mig_db_close(db);
}

Test(db_sqlite, history_of_some_ids_keeps_the_applied_order)
{
	const char *few[] = { "h00000000007", ODD_ID, "h00000000003", "not-applied" };
	const char **many = mig_xcalloc(TH_NHIST, sizeof(*many));
	struct mig_db *db = open_ok();
	struct mig_applied *rows = (void *)1;
	size_t n = 99, i;

	cr_assert(eq(int, mig_db_read_history_of(db, NULL, "mig_version", few, 4, true, false, &rows, &n), 0));
	cr_assert(eq(sz, n, 0), "a missing table has no rows");
	cr_assert(eq(ptr, rows, NULL));
	th_history_fill(db, MIG_SQLITE, ODD_ID, NULL, "mig_version");
	th_db_exec_ok(db, "PRAGMA cache_size = 123");
	th_assert_history_of(db, NULL, "mig_version", few, 4, false, false);
	th_assert_history_of(db, NULL, "mig_version", few, 4, false, true);
	th_assert_history_of(db, NULL, "mig_version", few, 4, true, false);
	th_assert_history_of(db, NULL, "mig_version", NULL, 0, true, true);
	assert_cache_size(db, "123");
	/* Past one IN list: every other id, quoted one included. */
	for (i = 0; i < TH_NHIST - 50; i++)
		many[i] = mig_xasprintf("h%011zu", (i * 2) % TH_NHIST);
	free((char *)many[7]);
	many[7] = mig_xstrdup(ODD_ID);
	th_assert_history_of(db, NULL, "mig_version", many, TH_NHIST - 50, false, true);
	th_assert_history_of(db, NULL, "mig_version", many, TH_NHIST - 50, true, false);
	assert_cache_size(db, "123");
	/* Asking for nothing reads nothing. */
	n = 99;
	cr_assert(eq(int, mig_db_read_history_of(db, NULL, "mig_version", NULL, 0, false, true, &rows, &n), 0));
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(ptr, rows, NULL));
	for (i = 0; i < TH_NHIST - 50; i++)
		free((char *)many[i]);
	free(many);
	mig_db_close(db);
}

Test(db_sqlite, history_of_some_ids_with_odd_names_and_a_schema)
{
	const char *few[] = { "h00000000010", "h00000000011" };
	struct mig_db *db = open_ok();
	struct th_seen_ids s;
	char *size;

	th_history_fill(db, MIG_SQLITE, ODD_ID, "main", "My \"Version\" Table");
	size = cache_size(db);
	th_assert_history_of(db, "main", "My \"Version\" Table", few, 2, true, true);
	assert_cache_size(db, size);
	free(size);
	memset(&s, 0, sizeof(s));
	mig_arena_init(&s.arena);
	cr_assert(eq(int, mig_db_read_history_ids(db, "main", "My \"Version\" Table", th_see_id, &s), 0), "%s",
	    mig_error_msg());
	cr_assert(eq(sz, s.n, TH_NHIST));
	mig_map_release(&s.map);
	mig_arena_release(&s.arena);
	mig_db_close(db);
}

Test(db_sqlite, read_from_an_unknown_schema_is_an_error)
{
	struct mig_db *db = open_ok();
	char **heads = NULL, *want;
	size_t n = 0;

	cr_assert(eq(int, mig_db_read_heads(db, "nope", "mig_version", &heads, &n), MIG_EDB));
	want = mig_xasprintf("cannot read 'mig_version': no schema 'nope' in '%s' (on SQLite a schema is an "
	    "attached database, such as 'main')", dbpath);
	cr_assert(eq(str, (char *)mig_error_msg(), want));
	free(want);
	mig_db_close(db);
}

Test(db_sqlite, frees_accept_null)
{
	mig_db_close(NULL);
	mig_db_unlock(NULL);
	mig_db_heads_free(NULL, 0);
	mig_applied_free(NULL, 0);
	mig_db_error_release(NULL);
}
