/*
 * test_db_pg.c — the PostgreSQL driver against a real server: connecting (application name,
 * failures that must not show the password), scripts the server splits (dollar quotes, DO blocks,
 * ';' and '--' in strings, BEGIN ATOMIC), which statement failed and on what line, transactions,
 * statements that refuse a transaction block, the advisory lock between two connections, and the
 * version and history tables read back after running the SQL that sql_version.c renders, a
 * statement cancelled from a signal handler; and libpq itself, which mig loads on the first
 * PostgreSQL URL rather than links.
 *
 * The server comes from MIG_TEST_PG (tools/run-tests.sh starts one). Each test creates its own
 * database and drops it at the end, so the suite runs in parallel; the database's real state is
 * checked through a separate libpq connection, not through the driver under test.
 */
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libpq-fe.h>

#include "db.h"
#include "db_driver.h"
#include "helpers.h"
#include "rev.h"
#include "sql.h"
#include "util.h"

static char *dbname;   /* this test's database */
static char *url;      /* MIG_TEST_PG pointed at it */
static PGconn *admin;  /* a connection of our own to it, to check what really happened */

/* MIG_TEST_PG, or a failed test: `make test` always provides a server. */
static const char *
server_url(void)
{
	const char *s = getenv("MIG_TEST_PG");

	cr_assert(s != NULL && *s != '\0', "MIG_TEST_PG is not set: these tests need a PostgreSQL server "
	    "(run them with `make test` or tools/run-tests.sh, which start one)");
	return s;
}

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *
connect_or_fail(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect to the test server: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

static void
admin_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* Rows as text: columns joined by '|', rows by '\n'; malloc'd. */
static char *
admin_query(const char *sql)
{
	struct mig_buf b = MIG_BUF_INIT;
	PGresult *r = PQexec(admin, sql);
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
assert_query(const char *sql, const char *want)
{
	char *got = admin_query(sql);

	cr_assert(eq(str, got, (char *)want), "%s", sql);
	free(got);
}

static void
setup(void)
{
	const char *base = server_url();
	PGconn *c = connect_or_fail(base);
	struct timespec ts;
	char *sql;

	clock_gettime(CLOCK_REALTIME, &ts);
	dbname = mig_xasprintf("mig_t_%ld_%ld", (long)getpid(), (long)(ts.tv_nsec % 1000000));
	sql = mig_xasprintf("CREATE DATABASE %s", dbname);
	admin_exec(c, sql);
	free(sql);
	PQfinish(c);
	url = mig_xasprintf("%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", dbname);
	admin = connect_or_fail(url);
}

static void
teardown(void)
{
	PGconn *c;
	char *sql;

	PQfinish(admin);
	admin = NULL;
	if (dbname != NULL && (c = PQconnectdb(getenv("MIG_TEST_PG"))) != NULL) {
		/* FORCE: a test that failed half-way may have left a connection open. */
		sql = mig_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
		PQclear(PQexec(c, sql));
		free(sql);
		PQfinish(c);
	}
	free(dbname);
	free(url);
	dbname = url = NULL;
}

static int
open_url(struct mig_db **out, const char *s)
{
	struct mig_url *u = NULL;
	int rc;

	cr_assert(eq(int, mig_url_parse(&u, s), 0), "%s", mig_error_msg());
	rc = mig_db_open(out, u, false);
	mig_url_free(u);
	return rc;
}

static struct mig_db *
open_ok(void)
{
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_url(&db, url), 0), "%s", mig_error_msg());
	return db;
}

/* The first column of the first row of a query through the driver; malloc'd ("" for no row). */
static int
first_value(void *ctx, const char *const *vals, size_t ncols)
{
	char **out = ctx;

	if (*out == NULL)
		*out = mig_xstrdup(ncols > 0 && vals[0] ? vals[0] : "NULL");
	return 0;
}

static char *
driver_value(struct mig_db *db, const char *sql)
{
	char *v = NULL;

	cr_assert(eq(int, db->ops->query(db, sql, first_value, &v), 0), "%s: %s", sql, mig_error_msg());
	return v ? v : mig_xstrdup("");
}

TestSuite(db_pg, .init = setup, .fini = teardown);

/* ---- loading libpq ---- */

/*
 * mig links no libpq: it is loaded on the first PostgreSQL URL. The test binaries link libpq
 * themselves, so a missing library is simulated with MIG_LIBPQ; each test is its own process,
 * so the load is attempted afresh.
 */
Test(db_pg, missing_libpq_is_a_db_error_naming_the_library)
{
	struct mig_db *db = (void *)1;

	cr_assert(eq(int, setenv("MIG_LIBPQ", "/nonexistent/libpq.so.5", 1), 0));
	cr_assert(eq(int, open_url(&db, url), MIG_EDB));
	cr_assert(eq(ptr, db, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), "cannot load libpq named by MIG_LIBPQ: "
	    "/nonexistent/libpq.so.5: cannot open shared object file: No such file or directory"));
	/* The outcome is kept: a second open says the same without trying again. */
	mig_error_clear();
	cr_assert(eq(int, open_url(&db, url), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "/nonexistent/libpq.so.5") != NULL, "%s", mig_error_msg());
}

Test(db_pg, library_without_libpq_functions_is_refused_whole)
{
	struct mig_db *db = NULL;

	/* libc is loaded already and has no PQ* function: the very first lookup fails. */
	cr_assert(eq(int, setenv("MIG_LIBPQ", "libc.so.6", 1), 0));
	cr_assert(eq(int, open_url(&db, url), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "undefined symbol: PQ") != NULL, "%s", mig_error_msg());
}

Test(db_pg, mig_loads_libpq_only_for_a_postgresql_url)
{
	char *dir = th_tmpdir(), *pg = mig_xasprintf("DATABASE_URL=%s", url);
	const char *trace[] = { "LD_TRACE_LOADED_OBJECTS=1", NULL };
	const char *bogus_pg[] = { "MIG_LIBPQ=/nonexistent/libpq.so.5", pg, NULL };
	const char *bogus_sqlite[] = { "MIG_LIBPQ=/nonexistent/libpq.so.5", "DATABASE_URL=sqlite:///app.db", NULL };
	char *path, *text, *sql;
	struct th_run r;

	/* The dynamic loader lists what the binary needs at start-up: libc, and no libpq. */
	r = th_mig(NULL, trace, "--version", NULL);
	cr_assert(strstr(r.out, "libc.so") != NULL, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "libpq") == NULL, "mig links libpq:\n%s", r.out);
	th_run_free(&r);
	r = th_mig(dir, NULL, "init", NULL);
	cr_assert(eq(int, r.status, 0), "%s", r.err);
	th_run_free(&r);
	r = th_mig(dir, NULL, "revision", "-m", "t", "--rev-id", "a1b2c3d4e5f6", NULL);
	cr_assert(eq(int, r.status, 0), "%s", r.err);
	th_run_free(&r);
	path = mig_path_join(dir, "migrations/versions/a1b2c3d4e5f6_t.up.sql");
	text = th_read(path);
	cr_assert(text != NULL, "%s", path);
	sql = mig_xasprintf("%sCREATE TABLE loaded (x int);\n", text);
	th_write(dir, "migrations/versions/a1b2c3d4e5f6_t.up.sql", sql);
	/* SQLite never loads it; PostgreSQL fails with exit 1, a database failure, saying why. */
	r = th_mig(dir, bogus_sqlite, "upgrade", NULL);
	cr_assert(eq(int, r.status, 0), "%s", r.err);
	th_run_free(&r);
	free(path);
	path = mig_path_join(dir, "app.db");
	free(text);
	text = th_sqlite(path, "SELECT name FROM sqlite_schema WHERE name = 'loaded'");
	cr_assert(eq(str, text, "loaded"));
	r = th_mig(dir, bogus_pg, "upgrade", NULL);
	cr_assert(eq(int, r.status, 1), "%s", r.err);
	cr_assert(eq(str, r.err, "mig: error: cannot load libpq named by MIG_LIBPQ: /nonexistent/libpq.so.5: "
	    "cannot open shared object file: No such file or directory\n"));
	th_run_free(&r);
	/* And with the real library, the same command reaches the server. */
	r = th_mig(dir, (const char *[]){ pg, NULL }, "upgrade", NULL);
	cr_assert(eq(int, r.status, 0), "%s", r.err);
	th_run_free(&r);
	assert_query("SELECT version_num FROM mig_version", "a1b2c3d4e5f6");
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'loaded'", "1");
	th_rmtree(dir);
	free(dir);
	free(pg);
	free(path);
	free(text);
	free(sql);
}

/* ---- connecting ---- */

Test(db_pg, opens_with_the_mig_application_name_and_quiet_notices)
{
	struct mig_db *db = open_ok();
	char *v;

	cr_assert(eq(int, mig_db_dialect(db), MIG_POSTGRES));
	v = driver_value(db, "SELECT current_setting('application_name')");
	cr_assert(eq(str, v, "mig"));
	free(v);
	v = driver_value(db, "SELECT current_setting('client_min_messages')");
	cr_assert(eq(str, v, "warning"));
	free(v);
	v = driver_value(db, "SELECT current_database()");
	cr_assert(eq(str, v, dbname));
	free(v);
	/* A NOTICE (the table exists) is not an error and is not printed. */
	th_db_exec_ok(db, "CREATE TABLE t (x int); CREATE TABLE IF NOT EXISTS t (x int);");
	mig_db_close(db);
}

Test(db_pg, application_name_in_the_url_wins)
{
	struct mig_db *db = NULL;
	char *u = mig_xasprintf("%s&application_name=deploy", url), *v;

	cr_assert(eq(int, open_url(&db, u), 0), "%s", mig_error_msg());
	v = driver_value(db, "SELECT current_setting('application_name')");
	cr_assert(eq(str, v, "deploy"));
	free(v);
	mig_db_close(db);
	free(u);
}

Test(db_pg, missing_database_is_a_db_error_naming_it)
{
	struct mig_db *db = (void *)1;
	char *u = mig_xasprintf("%s&dbname=mig_no_such_db", url);

	cr_assert(eq(int, open_url(&db, u), MIG_EDB));
	cr_assert(eq(ptr, db, NULL));
	cr_assert(strstr(mig_error_msg(), "database \"mig_no_such_db\" does not exist") != NULL, "%s",
	    mig_error_msg());
	cr_assert(mig_str_startswith(mig_error_msg(), "cannot connect to 'postgresql://"), "%s", mig_error_msg());
	free(u);
}

Test(db_pg, unreachable_server_is_a_db_error_without_the_password)
{
	char *tmp = th_tmpdir();
	char *u = mig_xasprintf("postgresql://alice:Sup3rSecretPw@/app?host=%s/nowhere", tmp);
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_url(&db, u), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "Sup3rSecretPw") == NULL, "%s", mig_error_msg());
	cr_assert(strstr(mig_error_msg(), "No such file or directory") != NULL, "%s", mig_error_msg());
	cr_assert(mig_str_startswith(mig_error_msg(), "cannot connect to 'postgresql://alice:***@/app?host="),
	    "%s", mig_error_msg());
	free(u);
	/* Refused TCP connection: the same. */
	u = mig_xasprintf("postgresql://alice:Sup3rSecretPw@127.0.0.1:1/app?connect_timeout=3");
	cr_assert(eq(int, open_url(&db, u), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "Sup3rSecretPw") == NULL, "%s", mig_error_msg());
	cr_assert(strstr(mig_error_msg(), "127.0.0.1") != NULL, "%s", mig_error_msg());
	free(u);
	th_rmtree(tmp);
	free(tmp);
}

/* libpq quotes parts of a URL it cannot parse: a percent-encoded password among them. */
Test(db_pg, malformed_url_errors_do_not_show_the_password)
{
	struct mig_db *db = NULL;

	cr_assert(eq(int, open_url(&db, "postgresql://alice:Pa%zzSecret@localhost/app"), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "Pa%zzSecret") == NULL, "%s", mig_error_msg());
	cr_assert(strstr(mig_error_msg(), "zzSecret") == NULL, "%s", mig_error_msg());
	cr_assert(strstr(mig_error_msg(), "invalid percent-encoded token") != NULL, "%s", mig_error_msg());
	cr_assert(eq(int, open_url(&db, "postgresql://alice:Pass Word@localhost/app"), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "Pass Word") == NULL, "%s", mig_error_msg());
}

/*
 * The test server trusts every connection, so a wrong password is played by a fake server on a
 * Unix socket: it asks for a cleartext password, checks what it received, and refuses it as
 * PostgreSQL does (SQLSTATE 28P01).
 */
static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static bool
read_message(int fd, bool startup, char *body, size_t cap)
{
	unsigned char hdr[5];
	size_t hl = startup ? 4 : 5, len, got = 0;
	ssize_t k;

	while (got < hl) {
		if ((k = read(fd, hdr + got, hl - got)) <= 0)
			return false;
		got += (size_t)k;
	}
	len = ((size_t)hdr[hl - 4] << 24 | (size_t)hdr[hl - 3] << 16 | (size_t)hdr[hl - 2] << 8 |
	    hdr[hl - 1]) - 4;
	if (len >= cap)
		return false;
	for (got = 0; got < len; got += (size_t)k)
		if ((k = read(fd, body + got, len - got)) <= 0)
			return false;
	body[len] = '\0';
	return true;
}

static void
fake_server(int lfd, const char *want_password)
{
	static const char err_fields[] = "SFATAL\0VFATAL\0C28P01\0M"
	    "password authentication failed for user \"alice\"\0";
	unsigned char auth[9] = { 'R' }, e[256];
	char body[1024];
	size_t n = sizeof(err_fields);
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0 || !read_message(fd, true, body, sizeof(body)))
		_exit(2);
	put32(auth + 1, 8);
	put32(auth + 5, 3); /* AuthenticationCleartextPassword */
	if (write(fd, auth, sizeof(auth)) != (ssize_t)sizeof(auth) || !read_message(fd, false, body, sizeof(body)))
		_exit(3);
	e[0] = 'E';
	put32(e + 1, (uint32_t)(4 + n + 1));
	memcpy(e + 5, err_fields, n);
	e[5 + n] = '\0';
	(void)!write(fd, e, 5 + n + 1);
	close(fd);
	_exit(strcmp(body, want_password) == 0 ? 0 : 4);
}

Test(db_pg, wrong_password_is_a_db_error_without_the_password)
{
	char *tmp = th_tmpdir();
	char *sock = mig_path_join(tmp, ".s.PGSQL.5432");
	char *u = mig_xasprintf("postgresql://alice:Wr0ngPassw0rd@/app?host=%s&sslmode=disable&gssencmode=disable",
	    tmp);
	struct sockaddr_un sa;
	struct mig_db *db = NULL;
	int lfd, status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	cr_assert(strlen(sock) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock));
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(lfd >= 0);
	cr_assert(eq(int, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0), "bind: %s", strerror(errno));
	cr_assert(eq(int, listen(lfd, 1), 0));
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		fake_server(lfd, "Wr0ngPassw0rd");
	close(lfd);
	cr_assert(eq(int, open_url(&db, u), MIG_EDB));
	cr_assert(strstr(mig_error_msg(), "password authentication failed for user \"alice\"") != NULL, "%s",
	    mig_error_msg());
	cr_assert(strstr(mig_error_msg(), "Wr0ngPassw0rd") == NULL, "%s", mig_error_msg());
	waitpid(pid, &status, 0);
	cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0), "the fake server got no password");
	free(u);
	free(sock);
	th_rmtree(tmp);
	free(tmp);
}

/* ---- scripts ---- */

static const char tricky_script[] =
    "-- a script the server splits itself\n"
    "CREATE TABLE t (id serial PRIMARY KEY, note text);\n"
    "CREATE TABLE audit (what text);\n"
    "\n"
    "/* a function body has its own semicolons /* and comments nest */ ; */\n"
    "CREATE FUNCTION t_audit() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
    "BEGIN\n"
    "    INSERT INTO audit VALUES ('inserted ' || NEW.id);\n"
    "    INSERT INTO audit VALUES ('twice; really $$ -- not the end');\n"
    "    RETURN NEW;\n"
    "END;\n"
    "$body$;\n"
    "CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_audit();\n"
    "DO $$\n"
    "DECLARE n int;\n"
    "BEGIN\n"
    "    SELECT count(*) INTO n FROM t;\n"
    "    INSERT INTO audit VALUES ('do block saw ' || n || '; fine');\n"
    "END $$;\n"
    "INSERT INTO t (note) VALUES ('semi;colon -- not a comment /* nor this */');\n"
    ";;\n"
    "SELECT * FROM t; -- rows are discarded\n"
    "INSERT INTO t (note) VALUES (E'it\\'s; escaped'), ('it''s the \"last\" one')  -- no final semicolon\n";

Test(db_pg, runs_a_script_with_dollar_quotes_do_blocks_and_semicolons_in_strings)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, tricky_script);
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_close(db);
	assert_query("SELECT id, note FROM t ORDER BY id",
	    "1|semi;colon -- not a comment /* nor this */\n2|it's; escaped\n3|it's the \"last\" one");
	assert_query("SELECT what FROM audit ORDER BY what",
	    "do block saw 0; fine\ninserted 1\ninserted 2\ninserted 3\n"
	    "twice; really $$ -- not the end\ntwice; really $$ -- not the end\ntwice; really $$ -- not the end");
}

Test(db_pg, empty_and_comment_only_scripts_do_nothing)
{
	struct mig_db *db = open_ok();

	th_db_exec_ok(db, "");
	th_db_exec_ok(db, "  \n\t\n");
	th_db_exec_ok(db, "-- nothing here\n/* or here */\n;\n");
	mig_db_close(db);
}

static const char failing_script[] =
    "CREATE TABLE a (x integer NOT NULL);\n"
    "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n"
    "\n"
    "-- the next statement fails: 'é' before it counts as one character\n"
    "  INSERT INTO a\n"
    "      SELECT x FROM missing;  \n"
    "CREATE TABLE never (y int);\n";

Test(db_pg, failure_reports_statement_line_and_message)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_begin(db), 0), "%s", mig_error_msg());
	cr_assert(mig_db_in_transaction(db));
	cr_assert(eq(int, mig_db_exec(db, failing_script, &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "INSERT INTO a\n      SELECT x FROM missing;"));
	cr_assert(eq(sz, e.line, 5));
	cr_assert(eq(str, e.message, "relation \"missing\" does not exist"));
	cr_assert(eq(str, (char *)mig_error_msg(), "relation \"missing\" does not exist"));
	/* The transaction is aborted, still one until rolled back. */
	cr_assert(mig_db_in_transaction(db));
	cr_assert(eq(int, mig_db_rollback(db), 0));
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_error_release(&e);
	mig_db_close(db);
	assert_query("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'never')", "0");
	assert_query("SELECT count(*) FROM pg_proc WHERE proname = 'f'", "0");
}

/* An error raised while executing has no position: the statement after the last that completed. */
Test(db_pg, execution_error_without_position_names_the_statement)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_exec(db,
	    "CREATE TABLE a (x integer NOT NULL);\n"
	    "DO $$ BEGIN PERFORM 1; END $$; INSERT INTO a VALUES (1);\n"
	    "INSERT INTO a VALUES (CASE WHEN '1;2' = '' THEN 1 END);\n"
	    "INSERT INTO a VALUES (3);\n", &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "INSERT INTO a VALUES (CASE WHEN '1;2' = '' THEN 1 END);"));
	cr_assert(eq(sz, e.line, 3));
	cr_assert(eq(str, e.message, "null value in column \"x\" of relation \"a\" violates not-null constraint\n"
	    "  detail: Failing row contains (null)."));
	mig_db_error_release(&e);
	/* No position and no statement at all: a RAISE inside the only statement. */
	cr_assert(eq(int, mig_db_exec(db, "DO $$ BEGIN RAISE EXCEPTION 'boom; %', 42 USING HINT = 'try again'; END $$",
	    &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "DO $$ BEGIN RAISE EXCEPTION 'boom; %', 42 USING HINT = 'try again'; END $$"));
	cr_assert(eq(sz, e.line, 1));
	cr_assert(eq(str, e.message, "boom; 42\n  hint: try again"));
	mig_db_error_release(&e);
	mig_db_close(db);
}

Test(db_pg, syntax_error_after_quoted_semicolons_reports_its_statement)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_exec(db,
	    "SELECT 'a;b', $x$ ; $x$, \"odd;name\" FROM (SELECT 1 AS \"odd;name\") s;\n"
	    "CREATE FUNCTION g() RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n"
	    "    SELECT CASE WHEN true THEN 1 ELSE 2 END;\n"
	    "    SELECT 2;\n"
	    "END;\n"
	    "CREATE TABLEE b (y int);\n"
	    "CREATE TABLE c (z int);\n", &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "CREATE TABLEE b (y int);"));
	cr_assert(eq(sz, e.line, 7));
	cr_assert(eq(str, e.message, "syntax error at or near \"TABLEE\""));
	mig_db_error_release(&e);
	/* A second failure replaces the first in the same struct. */
	cr_assert(eq(int, mig_db_exec(db, "SELECT * FROM missing", &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "SELECT * FROM missing"));
	cr_assert(eq(sz, e.line, 1));
	mig_db_error_release(&e);
	/* An unterminated string: the error is at the end of the text. */
	cr_assert(eq(int, mig_db_exec(db, "SELECT 1;\nSELECT 'oops;\n", &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "SELECT 'oops;"));
	cr_assert(eq(sz, e.line, 2));
	mig_db_error_release(&e);
	mig_db_close(db);
}

/* COPY TO STDOUT output is discarded; COPY FROM STDIN has nothing to read and fails clearly. */
Test(db_pg, copy_in_scripts)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_exec(db, "CREATE TABLE c (x int);\nCOPY (SELECT 1) TO STDOUT;\nSELECT 1 / 0;\n", &e),
	    MIG_EDB));
	cr_assert(eq(str, e.statement, "SELECT 1 / 0;"), "the COPY counts once");
	cr_assert(eq(str, e.message, "division by zero"));
	mig_db_error_release(&e);
	cr_assert(eq(int, mig_db_exec(db, "CREATE TABLE c (x int);\nCOPY c FROM STDIN;\nCREATE TABLE d (y int);\n", &e),
	    MIG_EDB));
	cr_assert(eq(str, e.statement, "COPY c FROM STDIN;"));
	cr_assert(eq(sz, e.line, 2));
	cr_assert(strstr(e.message, "no data to send to COPY FROM STDIN") != NULL, "%s", e.message);
	mig_db_error_release(&e);
	cr_assert(not(mig_db_in_transaction(db)));
	th_db_exec_ok(db, "SELECT 1");
	mig_db_close(db);
	assert_query("SELECT count(*) FROM pg_class WHERE relname IN ('c', 'd')", "0");
}

/* Without BEGIN the server still runs a multi-statement script as one implicit transaction. */
Test(db_pg, failed_script_outside_a_transaction_leaves_nothing)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_exec(db, failing_script, NULL), MIG_EDB));
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_close(db);
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'a'", "0");
}

Test(db_pg, begin_then_rollback_leaves_nothing)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_rollback(db), 0), "a rollback outside a transaction is harmless");
	cr_assert(eq(int, mig_db_begin(db), 0));
	cr_assert(mig_db_in_transaction(db));
	th_db_exec_ok(db, "CREATE TABLE gone (x int); INSERT INTO gone VALUES (1);");
	th_db_exec_ok(db, "CREATE TYPE mood AS ENUM ('sad', 'ok');");
	cr_assert(mig_db_in_transaction(db));
	/* Not visible to another session before commit. */
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'gone'", "0");
	cr_assert(eq(int, mig_db_rollback(db), 0));
	cr_assert(not(mig_db_in_transaction(db)));
	mig_db_close(db);
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'gone'", "0");
	assert_query("SELECT count(*) FROM pg_type WHERE typname = 'mood'", "0");
}

Test(db_pg, commit_persists_and_commit_without_begin_is_reported)
{
	struct mig_db *db = open_ok();

	cr_assert(eq(int, mig_db_begin(db), 0));
	th_db_exec_ok(db, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42);");
	cr_assert(eq(int, mig_db_commit(db), 0), "%s", mig_error_msg());
	cr_assert(not(mig_db_in_transaction(db)));
	assert_query("SELECT x FROM kept", "42");
	/* PostgreSQL only warns about COMMIT without a transaction; that is not a failure. */
	cr_assert(eq(int, mig_db_commit(db), 0), "%s", mig_error_msg());
	mig_db_close(db);
}

/*
 * CREATE INDEX CONCURRENTLY refuses the implicit transaction of a multi-statement string: outside
 * a transaction the script is run again statement by statement; inside one it is the caller's error.
 */
Test(db_pg, statements_that_refuse_a_transaction_block_run_outside_one)
{
	struct mig_db *db = open_ok();
	struct mig_db_error e = { NULL, 0, NULL, "" };

	th_db_exec_ok(db, "CREATE TABLE t (a int);\n"
	    "INSERT INTO t VALUES (1);\n"
	    "CREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n"
	    "VACUUM t;\n");
	assert_query("SELECT count(*) FROM t", "1");
	assert_query("SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 't'::regclass", "ix_t_a");
	/* A failure in the one-by-one run names its statement; the ones before it stay. */
	cr_assert(eq(int, mig_db_exec(db, "CREATE TABLE u (b int);\nCREATE INDEX CONCURRENTLY ix_u ON u (nope);\n",
	    &e), MIG_EDB));
	cr_assert(eq(str, e.statement, "CREATE INDEX CONCURRENTLY ix_u ON u (nope);"));
	cr_assert(eq(sz, e.line, 2));
	cr_assert(eq(str, e.message, "column \"nope\" does not exist"));
	mig_db_error_release(&e);
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'u'", "1");
	/* Inside the caller's transaction it stays an error. */
	cr_assert(eq(int, mig_db_begin(db), 0));
	cr_assert(eq(int, mig_db_exec(db, "CREATE INDEX CONCURRENTLY ix_t_a2 ON t (a);", &e), MIG_EDB));
	cr_assert(eq(str, e.message, "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"));
	cr_assert(eq(str, e.statement, "CREATE INDEX CONCURRENTLY ix_t_a2 ON t (a);"));
	mig_db_error_release(&e);
	cr_assert(eq(int, mig_db_rollback(db), 0));
	/* A script with its own transaction control is never run twice. */
	cr_assert(eq(int, mig_db_exec(db, "INSERT INTO t VALUES (2); COMMIT; CREATE INDEX CONCURRENTLY ix2 ON t (a);",
	    &e), MIG_EDB));
	mig_db_error_release(&e);
	assert_query("SELECT count(*) FROM t", "2");
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'ix2'", "0");
	mig_db_close(db);
}

Test(db_pg, query_hands_rows_as_text_with_nulls)
{
	struct mig_db *db = open_ok();
	char *v;

	v = driver_value(db, "SELECT NULL::text");
	cr_assert(eq(str, v, "NULL"));
	free(v);
	v = driver_value(db, "SELECT 'é;' || 1");
	cr_assert(eq(str, v, "é;1"));
	free(v);
	cr_assert(eq(int, db->ops->query(db, "SELECT * FROM missing", first_value, &v), MIG_EDB));
	cr_assert(eq(str, (char *)mig_error_msg(), "relation \"missing\" does not exist"));
	mig_db_close(db);
}

Test(db_pg, table_exists_looks_in_the_right_schema)
{
	struct mig_db *db = open_ok();
	bool yes = true;

	th_db_exec_ok(db, "CREATE SCHEMA \"Other\"; CREATE TABLE \"Other\".\"T\" (x int); CREATE TABLE plain (x int);"
	    "CREATE VIEW v AS SELECT 1 AS x;");
	cr_assert(eq(int, db->ops->table_exists(db, NULL, "plain", &yes), 0));
	cr_assert(yes);
	cr_assert(eq(int, db->ops->table_exists(db, NULL, "T", &yes), 0));
	cr_assert(not(yes));
	cr_assert(eq(int, db->ops->table_exists(db, "Other", "T", &yes), 0));
	cr_assert(yes);
	cr_assert(eq(int, db->ops->table_exists(db, "Other", "t", &yes), 0));
	cr_assert(not(yes), "names are exact");
	cr_assert(eq(int, db->ops->table_exists(db, "nope", "plain", &yes), 0));
	cr_assert(not(yes));
	cr_assert(eq(int, db->ops->table_exists(db, NULL, "v", &yes), 0));
	cr_assert(not(yes), "a view is not a table");
	cr_assert(eq(int, db->ops->table_exists(db, NULL, "x'; DROP TABLE plain; --", &yes), 0));
	cr_assert(not(yes));
	mig_db_close(db);
	assert_query("SELECT count(*) FROM plain", "0");
}

/* ---- the migration lock ---- */

Test(db_pg, second_connection_times_out_on_the_lock_naming_the_holder)
{
	struct mig_db *a = open_ok(), *b = open_ok();
	char *pid = driver_value(a, "SELECT pg_backend_pid()"), *want;
	double t0, waited;

	cr_assert(eq(int, mig_db_lock(a, 1000), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_lock(a, 0), 0), "locking twice on one handle is a no-op");
	t0 = mig_now_ms();
	cr_assert(eq(int, mig_db_lock(b, 300), MIG_ELOCKED));
	waited = mig_now_ms() - t0;
	cr_assert(waited >= 290 && waited < 2000, "waited %.0f ms", waited);
	want = mig_xasprintf("the advisory lock is held by pid %s (application_name 'mig', user '", pid);
	cr_assert(strstr(mig_error_msg(), want) != NULL, "%s", mig_error_msg());
	cr_assert(mig_str_startswith(mig_error_msg(), "another mig is migrating 'postgresql://"), "%s",
	    mig_error_msg());
	cr_assert(strstr(mig_error_msg(), ", connected since 20") != NULL, "%s", mig_error_msg());
	cr_assert(mig_str_endswith(mig_error_msg(), "; waited 0.3 s"), "%s", mig_error_msg());
	/* The lock shows in pg_locks under the documented key. */
	assert_query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
	    "AND classid = 1835624192 AND objid = 1819239275 AND objsubid = 1", "1");
	/* Once released, the other connection gets it at once. */
	mig_db_unlock(a);
	cr_assert(eq(int, mig_db_lock(b, 0), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_lock(a, 1000), MIG_ELOCKED));
	cr_assert(mig_str_endswith(mig_error_msg(), "; waited 1 s"), "%s", mig_error_msg());
	mig_db_close(b);
	/* Closing a connection releases its lock. */
	cr_assert(eq(int, mig_db_lock(a, 2000), 0), "%s", mig_error_msg());
	mig_db_close(a);
	free(want);
	free(pid);
}

Test(db_pg, waiting_migrator_gets_the_lock_when_the_holder_exits)
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
		if (open_url(&child, url) != 0 || mig_db_lock(child, 0) != 0)
			_exit(1);
		(void)!write(fds[1], "x", 1);
		usleep(300 * 1000);
		_exit(0); /* the server drops the lock with the session; no unlock, no close */
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

/* ---- interrupting ---- */

static struct mig_db *alarm_db;  /* what the SIGALRM handler interrupts */

static void
interrupt_on_alarm(int sig)
{
	(void)sig;
	mig_db_interrupt(alarm_db);
}

/* As cmd/ does on SIGINT: PQcancel() from a signal handler, through the loaded libpq. */
Test(db_pg, interrupt_from_a_signal_handler_cancels_the_running_statement)
{
	struct mig_db_error e = { NULL, 0, NULL, "" };
	struct itimerval t = { { 0, 0 }, { 0, 300000 } };
	struct sigaction sa;
	double start;

	alarm_db = open_ok();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_on_alarm;
	sigemptyset(&sa.sa_mask);
	cr_assert(eq(int, sigaction(SIGALRM, &sa, NULL), 0));
	start = mig_now_ms();
	cr_assert(eq(int, setitimer(ITIMER_REAL, &t, NULL), 0));
	cr_assert(eq(int, mig_db_exec(alarm_db, "SELECT pg_sleep(30)", &e), MIG_EDB));
	cr_assert(mig_now_ms() - start < 10000, "the statement ran %.0f ms", mig_now_ms() - start);
	cr_assert(e.message != NULL && strstr(e.message, "canceling statement due to user request") != NULL,
	    "%s", e.message ? e.message : mig_error_msg());
	cr_assert(eq(str, e.sqlstate, "57014"));
	/* The connection survives a cancelled statement. */
	th_db_exec_ok(alarm_db, "CREATE TABLE after_cancel (x int)");
	assert_query("SELECT count(*) FROM pg_class WHERE relname = 'after_cancel'", "1");
	mig_db_error_release(&e);
	mig_db_close(alarm_db);
	alarm_db = NULL;
}

/* ---- version and history tables ---- */

Test(db_pg, missing_tables_read_as_empty)
{
	struct mig_db *db = open_ok();
	struct mig_applied *hist = (void *)1;
	char **heads = (void *)1;
	size_t n = 99;

	cr_assert(eq(int, mig_db_read_heads(db, NULL, "mig_version", &heads, &n), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(ptr, heads, NULL));
	n = 99;
	cr_assert(eq(int, mig_db_read_history(db, "no_schema", "mig_version", &hist, &n), 0), "%s",
	    mig_error_msg());
	cr_assert(eq(sz, n, 0));
	cr_assert(eq(ptr, hist, NULL));
	mig_db_close(db);
	assert_query("SELECT count(*) FROM pg_class WHERE relname LIKE 'mig%'", "0");
}

/* The version-table round trip every driver must pass (tests/helpers.c). */
static void
round_trip(const char *schema, const char *table)
{
	struct mig_db *db = open_ok();

	th_version_round_trip(db, MIG_POSTGRES, schema, table);
	mig_db_close(db);
}

Test(db_pg, version_sql_round_trips)
{
	round_trip(NULL, "mig_version");
	assert_query("SELECT version_num FROM mig_version", "e517276bb1c2");
	assert_query("SELECT string_agg(revision, ' ' ORDER BY applied_seq) FROM mig_version_history",
	    "e517276bb1c2 0c0c0c0c0c0c");
	/* The columns have the types sql_version.c meant. */
	assert_query("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
	    "FROM pg_attribute WHERE attrelid = 'mig_version_history'::regclass AND attnum > 0",
	    "revision character varying(64), down_revisions text, message text, up_sha256 character varying(64), "
	    "down_sha256 character varying(64), down_sql text, applied_at text, duration_ms double precision, "
	    "mig_version character varying(32), kind character varying(16), applied_seq integer");
}

Test(db_pg, version_sql_round_trips_with_odd_names_and_a_schema)
{
	round_trip("My Schema", "My \"Version\" Table");
	assert_query("SELECT version_num FROM \"My Schema\".\"My \"\"Version\"\" Table\"", "e517276bb1c2");
	assert_query("SELECT count(*) FROM \"My Schema\".\"My \"\"Version\"\" Table_history\"", "2");
	assert_query("SELECT count(*) FROM pg_class WHERE relname LIKE 'My%' AND relnamespace = 'public'::regnamespace",
	    "0");
}

/* ---- reading part of the history ---- */

/* The odd one out among the history ids: a quote and a backslash (standard strings keep it). */
#define ODD_ID "it's-250\\"

Test(db_pg, history_ids_are_read_alone)
{
	struct mig_db *db = open_ok();
	struct th_seen_ids s;
	size_t i;

	memset(&s, 0, sizeof(s));
	mig_arena_init(&s.arena);
	cr_assert(eq(int, mig_db_read_history_ids(db, NULL, "mig_version", th_see_id, &s), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, s.n, 0), "a missing table has no ids");
	th_history_fill(db, MIG_POSTGRES, ODD_ID, NULL, "mig_version");
	assert_query("SELECT count(*) FROM mig_version_history", "600");
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

Test(db_pg, history_of_some_ids_keeps_the_applied_order)
{
	const char *few[] = { "h00000000007", ODD_ID, "h00000000003", "not-applied" };
	const char **many = mig_xcalloc(TH_NHIST, sizeof(*many));
	struct mig_db *db = open_ok();
	struct mig_applied *rows = (void *)1;
	size_t n = 99, i;

	cr_assert(eq(int, mig_db_read_history_of(db, NULL, "mig_version", few, 4, true, false, &rows, &n), 0));
	cr_assert(eq(sz, n, 0), "a missing table has no rows");
	cr_assert(eq(ptr, rows, NULL));
	th_history_fill(db, MIG_POSTGRES, ODD_ID, NULL, "mig_version");
	th_assert_history_of(db, NULL, "mig_version", few, 4, false, false);
	th_assert_history_of(db, NULL, "mig_version", few, 4, false, true);
	th_assert_history_of(db, NULL, "mig_version", few, 4, true, false);
	th_assert_history_of(db, NULL, "mig_version", NULL, 0, true, true);
	/* Past one IN list: every other id, quoted one included. */
	for (i = 0; i < TH_NHIST - 50; i++)
		many[i] = mig_xasprintf("h%011zu", (i * 2) % TH_NHIST);
	free((char *)many[7]);
	many[7] = mig_xstrdup(ODD_ID);
	th_assert_history_of(db, NULL, "mig_version", many, TH_NHIST - 50, false, true);
	th_assert_history_of(db, NULL, "mig_version", many, TH_NHIST - 50, true, false);
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

Test(db_pg, history_of_some_ids_with_odd_names_and_a_schema)
{
	const char *few[] = { "h00000000010", "h00000000011" };
	struct mig_db *db = open_ok();
	struct th_seen_ids s;

	th_history_fill(db, MIG_POSTGRES, ODD_ID, "Odd \"Schema\"", "My \"Version\" Table");
	th_assert_history_of(db, "Odd \"Schema\"", "My \"Version\" Table", few, 2, true, true);
	memset(&s, 0, sizeof(s));
	mig_arena_init(&s.arena);
	cr_assert(eq(int, mig_db_read_history_ids(db, "Odd \"Schema\"", "My \"Version\" Table", th_see_id, &s), 0),
	    "%s", mig_error_msg());
	cr_assert(eq(sz, s.n, TH_NHIST));
	mig_map_release(&s.map);
	mig_arena_release(&s.arena);
	mig_db_close(db);
}

Test(db_pg, frees_accept_null)
{
	mig_db_close(NULL);
	mig_db_unlock(NULL);
}
