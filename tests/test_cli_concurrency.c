/*
 * test_cli_concurrency.c — several `mig upgrade` processes on one database at once, a migrator that
 * cannot get the lock, and a migrator killed in the middle of a revision, on a real PostgreSQL 15
 * (session advisory lock) and on SQLite (a file lock beside the database plus BEGIN IMMEDIATE).
 *
 * The revisions are written as files directly: twenty of them, each creating a table and logging
 * itself into a shared table with no unique constraint, so a revision applied twice shows up as a
 * duplicate row (or as a failed CREATE TABLE), whichever process did it. The processes are forked
 * together and held at a barrier (a pipe whose write end the parent closes) so that they really
 * start at the same moment. The database is then read directly, never through mig.
 *
 * The PostgreSQL server comes from MIG_TEST_PG (tools/run-tests.sh starts one); each test creates
 * its own database and drops it at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "helpers.h"
#include "util.h"

#define NREVS 20
#define NPROCS 4

/* A mig process started in the background; its output goes to files read after it ends. */
struct proc {
	pid_t pid;
	char out[32], err[32];
	int status;
	char *stdout_text, *stderr_text;
};

static void pg_setup(void);
static void sqlite_setup(void);
static void teardown(void);
static char *rev_id(int i);
static void write_revisions(int n, const char *slow_sql);
static void spawn(struct proc *p, const int *barrier, const char *const *extra_env, const char *const *argv);
static void finish(struct proc *p);
static void proc_free(struct proc *p);
static void race(struct proc *procs, int n, const char *const *argv);
static void assert_race_outcome(struct proc *procs, int n);
static size_t count_of(const char *haystack, const char *needle);
static void kill_inside_revision_2(struct proc *p);
static void wait_for_no_mig_session(void);
static char *q(const char *sql);
static void assert_q(const char *sql, const char *want);

static char *dir;       /* the project: migrations/ */
static char *dbname;    /* PostgreSQL: this test's database */
static char *url;       /* the database's URL, as mig gets it */
static char *sqlite_db; /* SQLite: the database file */
static char env_url[2048];
static const char *env[] = { env_url, NULL };

/* ---- PostgreSQL access of our own ---- */

/* The database's answer to sql, on whichever database this test uses. */
static char *
q(const char *sql)
{
	return sqlite_db != NULL ? th_sqlite(sqlite_db, sql) : th_pg_q(url, sql);
}

static void
assert_q(const char *sql, const char *want)
{
	char *got = q(sql);

	cr_assert_str_eq(got, want, "%s\n got: %s\nwant: %s", sql, got, want);
	free(got);
}

/* ---- fixtures ---- */

static void
pg_setup(void)
{
	struct timespec ts;
	char *sql;

	dir = th_tmpdir();
	clock_gettime(CLOCK_REALTIME, &ts);
	dbname = mig_xasprintf("c_%ld_%ld", (long)getpid(), (long)(ts.tv_nsec % 1000000));
	sql = mig_xasprintf("CREATE DATABASE %s", dbname);
	th_pg_exec(th_pg_server_url(), sql);
	free(sql);
	url = th_pg_db_url(dbname);
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=%s", url);
	th_write(dir, "migrations/mig.yaml", "version_table: mig_version\n");
}

static void
sqlite_setup(void)
{
	dir = th_tmpdir();
	sqlite_db = mig_path_join(dir, "app.db");
	url = mig_xasprintf("sqlite:///%s", sqlite_db);
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=%s", url);
	th_write(dir, "migrations/mig.yaml", "version_table: mig_version\n");
}

static void
teardown(void)
{
	PGconn *c;
	char *sql;

	if (dbname != NULL && (c = PQconnectdb(getenv("MIG_TEST_PG"))) != NULL) {
		/* FORCE: a killed migrator's session may still be there. */
		sql = mig_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
		PQsetNoticeProcessor(c, th_pg_quiet, NULL);
		PQclear(PQexec(c, sql));
		free(sql);
		PQfinish(c);
	}
	th_rmtree(dir);
	free(dir);
	free(dbname);
	free(url);
	free(sqlite_db);
	dir = dbname = url = sqlite_db = NULL;
}

/* Revision i (1-based) has the id 0000000c00NN: twelve hex digits, in order. */
static char *
rev_id(int i)
{
	return mig_xasprintf("0000000c%04d", i);
}

/*
 * n revisions in a chain: the first creates applied_log, each creates its own table t_<i> and logs
 * its id. slow_sql, when given, is added to revision 2 to keep it running for a while.
 */
static void
write_revisions(int n, const char *slow_sql)
{
	int i;

	for (i = 1; i <= n; i++) {
		char *id = rev_id(i), *parent = i > 1 ? rev_id(i - 1) : NULL;
		char *name = mig_xasprintf("migrations/versions/%s_step_%d.up.sql", id, i);
		char *text = mig_xasprintf("-- mig:revision %s\n%s%s%s-- mig:message step %d\n\n%s"
		    "CREATE TABLE t_%d (x INTEGER);\nINSERT INTO applied_log VALUES ('%s');\n%s",
		    id, parent ? "-- mig:down_revision " : "", parent ? parent : "", parent ? "\n" : "", i,
		    i == 1 ? "CREATE TABLE applied_log (rev VARCHAR(12) NOT NULL);\n" : "", i, id,
		    i == 2 && slow_sql ? slow_sql : "");

		th_write(dir, name, text);
		free(name);
		free(text);
		name = mig_xasprintf("migrations/versions/%s_step_%d.down.sql", id, i);
		text = mig_xasprintf("-- mig:revision %s\n\nDELETE FROM applied_log WHERE rev = '%s';\n"
		    "DROP TABLE t_%d;\n%s", id, id, i, i == 1 ? "DROP TABLE applied_log;\n" : "");
		th_write(dir, name, text);
		free(name);
		free(text);
		free(id);
		free(parent);
	}
}

/* ---- processes ---- */

/*
 * Forks mig with argv in the project directory. With a barrier (a pipe), the child closes its copy
 * of the write end and waits until the parent closes its own (read returns 0), then execs.
 */
static void
spawn(struct proc *p, const int *barrier, const char *const *extra_env, const char *const *argv)
{
	const char *bin = getenv("MIG_BIN");
	char *binpath = bin ? mig_xstrdup(bin) : mig_path_join(th_top(), "mig");
	const char *args[16];
	int ofd, efd;
	size_t n;
	char c;

	memset(p, 0, sizeof(*p));
	snprintf(p->out, sizeof(p->out), "/tmp/mig-cout.XXXXXX");
	snprintf(p->err, sizeof(p->err), "/tmp/mig-cerr.XXXXXX");
	ofd = mkstemp(p->out);
	efd = mkstemp(p->err);
	cr_assert(ofd >= 0 && efd >= 0);
	args[0] = binpath;
	for (n = 0; argv[n] && n < 14; n++)
		args[n + 1] = argv[n];
	args[n + 1] = NULL;
	fflush(NULL);
	p->pid = fork();
	cr_assert(p->pid >= 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		if (barrier != NULL) {
			close(barrier[1]);
			while (read(barrier[0], &c, 1) < 0 && errno == EINTR)
				;
			close(barrier[0]);
		}
		unsetenv("DATABASE_URL");
		unsetenv("MIG_DIR");
		for (; extra_env && *extra_env; extra_env++)
			putenv((char *)*extra_env);
		if (chdir(dir) != 0)
			_exit(126);
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(binpath, (char *const *)args);
		_exit(127);
	}
	close(ofd);
	close(efd);
	free(binpath);
}

/* Waits for p and reads what it printed. */
static void
finish(struct proc *p)
{
	int st;

	while (waitpid(p->pid, &st, 0) < 0)
		cr_assert(errno == EINTR, "waitpid: %s", strerror(errno));
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	p->stdout_text = th_read(p->out);
	p->stderr_text = th_read(p->err);
	unlink(p->out);
	unlink(p->err);
}

static void
proc_free(struct proc *p)
{
	free(p->stdout_text);
	free(p->stderr_text);
	p->stdout_text = p->stderr_text = NULL;
}

/* Starts n copies of `mig argv` at the same moment and waits for all of them. */
static void
race(struct proc *procs, int n, const char *const *argv)
{
	int fd[2], i;

	cr_assert(pipe(fd) == 0);
	for (i = 0; i < n; i++)
		spawn(&procs[i], fd, env, argv);
	/* Every child now waits on the read end: closing the last write end releases them together. */
	close(fd[0]);
	close(fd[1]);
	for (i = 0; i < n; i++)
		finish(&procs[i]);
}

static size_t
count_of(const char *haystack, const char *needle)
{
	size_t n = 0;
	const char *p = haystack;

	while (p && (p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/*
 * Every process succeeded, or gave up on the lock saying so; the revisions were run exactly once
 * between them; the database is at the last revision with every table and one log row each.
 */
static void
assert_race_outcome(struct proc *procs, int n)
{
	size_t ran = 0;
	int i, ok = 0;
	char *s, *last = rev_id(NREVS);

	for (i = 0; i < n; i++) {
		struct proc *p = &procs[i];

		cr_assert(p->status == 0 || (p->status == 1 && strstr(p->stderr_text, "another mig is migrating")),
		    "process %d: exit %d\nstdout: %s\nstderr: %s", i, p->status, p->stdout_text, p->stderr_text);
		ok += p->status == 0;
		ran += count_of(p->stderr_text, "Running upgrade ");
	}
	cr_assert(ok >= 1, "at least one migrator finished");
	cr_assert_eq(ran, NREVS, "each revision run once in all: %zu runs", ran);
	assert_q("SELECT count(*) || '|' || count(DISTINCT rev) FROM applied_log", "20|20");
	s = q("SELECT version_num FROM mig_version");
	cr_assert_str_eq(s, last);
	free(s);
	assert_q("SELECT count(*) FROM mig_version_history", "20");
	free(last);
}

/* ---- PostgreSQL ---- */

TestSuite(cli_concurrency_pg, .init = pg_setup, .fini = teardown, .timeout = 60);

Test(cli_concurrency_pg, four_upgrades_at_once_apply_each_revision_once)
{
	struct proc procs[NPROCS];
	const char *argv[] = { "upgrade", NULL };
	int i;

	/* A little sleep in each revision, so that the runs really overlap. */
	write_revisions(NREVS, NULL);
	for (i = 1; i <= NREVS; i++) {
		char *id = rev_id(i), *cmd;

		cmd = mig_xasprintf("echo 'SELECT pg_sleep(0.01);' >> %s/migrations/versions/%s_step_%d.up.sql", dir,
		    id, i);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
		free(id);
	}
	race(procs, NPROCS, argv);
	assert_race_outcome(procs, NPROCS);
	assert_q("SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+$' AND relkind = 'r'", "20");
	for (i = 0; i < NPROCS; i++)
		proc_free(&procs[i]);

	/* Again from the middle: back to step 10, then four at once to head. */
	{
		struct th_run r;
		char *mid = rev_id(10);

		r = th_mig(dir, env, "downgrade", mid, NULL);
		cr_assert_eq(r.status, 0, "%s", r.err);
		th_run_free(&r);
		free(mid);
	}
	assert_q("SELECT count(*) FROM applied_log", "10");
	race(procs, NPROCS, argv);
	{
		size_t ran = 0;

		for (i = 0; i < NPROCS; i++) {
			cr_assert_eq(procs[i].status, 0, "%s", procs[i].stderr_text);
			ran += count_of(procs[i].stderr_text, "Running upgrade ");
		}
		cr_assert_eq(ran, 10u, "the last ten revisions run once in all");
	}
	assert_q("SELECT count(*) || '|' || count(DISTINCT rev) FROM applied_log", "20|20");
	for (i = 0; i < NPROCS; i++)
		proc_free(&procs[i]);
}

/* The advisory lock key of lib/db_pg.c (MIG_PG_LOCK_KEY): "mig\0lock" in ASCII. */
#define PG_LOCK_KEY "7883945874205664107"

Test(cli_concurrency_pg, lock_timeout_names_the_holder)
{
	struct th_run r;
	PGconn *holder;
	PGresult *res;
	char *hurl, *pid;
	double t0, took;

	write_revisions(2, NULL);
	th_write(dir, "migrations/mig.yaml", "lock_timeout: 1\n");
	hurl = mig_xasprintf("%s%sapplication_name=lock-holder", url, strchr(url, '?') ? "&" : "?");
	holder = th_pg_connect(hurl);
	res = PQexec(holder, "SELECT pg_advisory_lock(" PG_LOCK_KEY ")");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	pid = mig_xasprintf("pid %d", PQbackendPID(holder));

	t0 = mig_now_ms();
	r = th_mig(dir, env, "upgrade", NULL);
	took = mig_now_ms() - t0;
	cr_assert_eq(r.status, 1, "exit %d\n%s", r.status, r.err);
	cr_assert(took >= 900 && took < 3500, "waited %.0f ms for a 1 s lock_timeout", took);
	cr_assert(strstr(r.err, "another mig is migrating") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, pid) != NULL, "the holder's %s is named: %s", pid, r.err);
	cr_assert(strstr(r.err, "lock-holder") != NULL, "the holder's application_name is named: %s", r.err);
	cr_assert(strstr(r.err, "Running upgrade") == NULL, "%s", r.err);
	th_run_free(&r);
	/* Nothing was done while waiting, not even the version table. */
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('applied_log', 'mig_version')", "0");

	/* The holder goes away: the next upgrade runs. */
	PQfinish(holder);
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	assert_q("SELECT count(*) FROM applied_log", "2");
	free(pid);
	free(hurl);
}

/*
 * Waits until the process has announced revision 2, lets it run into the slow statement, and
 * kills it with SIGKILL: no handler, no cleanup, like a crash or an OOM kill.
 */
static void
kill_inside_revision_2(struct proc *p)
{
	char *id = rev_id(2), *text = NULL;
	double deadline = mig_now_ms() + 20000;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (;;) {
		free(text);
		text = th_read(p->err);
		if (text && strstr(text, id) && strstr(strstr(text, id), "step 2"))
			break;
		cr_assert(mig_now_ms() < deadline && waitpid(p->pid, NULL, WNOHANG) == 0,
		    "mig never reached revision 2: %s", text ? text : "");
		nanosleep(&ts, NULL);
	}
	ts.tv_nsec = 200 * 1000 * 1000;
	nanosleep(&ts, NULL);
	cr_assert_eq(kill(p->pid, SIGKILL), 0);
	finish(p);
	cr_assert_eq(p->status, 128 + SIGKILL, "killed in revision 2: exit %d\n%s", p->status, p->stderr_text);
	free(text);
	free(id);
}

Test(cli_concurrency_pg, sigkill_in_a_revision_leaves_a_revision_boundary)
{
	struct proc p;
	struct th_run r;
	const char *argv[] = { "upgrade", "--transaction-per-revision", NULL };
	/* Slow only in the first run: the sleep comes from PGOPTIONS, which only that run has. */
	const char *slow_env[] = { env_url, "PGOPTIONS=-c mig_test.sleep=1.5", NULL };

	write_revisions(3, "SELECT pg_sleep(coalesce(nullif(current_setting('mig_test.sleep', true), ''), '0')"
	    "::float8);\n");
	spawn(&p, NULL, slow_env, argv);
	kill_inside_revision_2(&p);
	proc_free(&p);
	/* The first revision committed; nothing of the second. */
	assert_q("SELECT version_num FROM mig_version", "0000000c0001");
	assert_q("SELECT string_agg(rev, ',' ORDER BY rev) FROM applied_log", "0000000c0001");
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('t_2', 't_3')", "0");

	/* The next upgrade waits for the dead session's lock to go, then finishes the job. */
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "-> 0000000c0001") == NULL, "%s", r.err);
	th_run_free(&r);
	assert_q("SELECT version_num FROM mig_version", "0000000c0003");
	assert_q("SELECT string_agg(rev, ',' ORDER BY rev) FROM applied_log", "0000000c0001,0000000c0002,0000000c0003");
}

/* Waits (up to 10 s) until no session of mig is connected to the test's database. */
static void
wait_for_no_mig_session(void)
{
	double deadline = mig_now_ms() + 10000;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char *s;

	for (;;) {
		s = th_pg_q(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
		    "AND application_name = 'mig'");
		if (strcmp(s, "0") == 0)
			break;
		cr_assert(mig_now_ms() < deadline, "the killed mig's session is still there");
		free(s);
		nanosleep(&ts, NULL);
	}
	free(s);
}

Test(cli_concurrency_pg, sigkill_in_a_single_transaction_run_leaves_nothing)
{
	struct proc p;
	struct th_run r;
	const char *argv[] = { "upgrade", NULL };
	const char *slow_env[] = { env_url, "PGOPTIONS=-c mig_test.sleep=1.5", NULL };

	write_revisions(3, "SELECT pg_sleep(coalesce(nullif(current_setting('mig_test.sleep', true), ''), '0')"
	    "::float8);\n");
	spawn(&p, NULL, slow_env, argv);
	kill_inside_revision_2(&p);
	proc_free(&p);
	/*
	 * The backend is still finishing the sleep: it notices that its client is gone only then, and
	 * rolls back. Once it has gone, nothing of the run is left, not even the first revision.
	 */
	wait_for_no_mig_session();
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('applied_log', 't_1', 't_2')", "0");
	assert_q("SELECT CASE WHEN to_regclass('mig_version') IS NULL THEN 0 ELSE 1 END", "0");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "Running upgrade  -> 0000000c0001") != NULL, "the first revision was never kept: %s",
	    r.err);
	th_run_free(&r);
	assert_q("SELECT string_agg(rev, ',' ORDER BY rev) FROM applied_log", "0000000c0001,0000000c0002,0000000c0003");
}

/* ---- SQLite ---- */

TestSuite(cli_concurrency_sqlite, .init = sqlite_setup, .fini = teardown, .timeout = 60);

Test(cli_concurrency_sqlite, four_upgrades_at_once_apply_each_revision_once)
{
	struct proc procs[NPROCS];
	const char *argv[] = { "upgrade", NULL };
	int i;

	/* The database file does not exist yet: the four also race to create it. */
	write_revisions(NREVS, NULL);
	race(procs, NPROCS, argv);
	assert_race_outcome(procs, NPROCS);
	assert_q("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name GLOB 't_[0-9]*'", "20");
	for (i = 0; i < NPROCS; i++)
		proc_free(&procs[i]);

	/* Again from the middle. */
	{
		struct th_run r;
		char *mid = rev_id(10);

		r = th_mig(dir, env, "downgrade", mid, NULL);
		cr_assert_eq(r.status, 0, "%s", r.err);
		th_run_free(&r);
		free(mid);
	}
	race(procs, NPROCS, argv);
	{
		size_t ran = 0;

		for (i = 0; i < NPROCS; i++) {
			cr_assert_eq(procs[i].status, 0, "%s", procs[i].stderr_text);
			ran += count_of(procs[i].stderr_text, "Running upgrade ");
		}
		cr_assert_eq(ran, 10u);
	}
	assert_q("SELECT count(*) || '|' || count(DISTINCT rev) FROM applied_log", "20|20");
	for (i = 0; i < NPROCS; i++)
		proc_free(&procs[i]);
}

Test(cli_concurrency_sqlite, lock_timeout_when_another_process_holds_the_lock)
{
	struct th_run r;
	char *lockpath;
	double t0, took;
	int fd;

	write_revisions(2, NULL);
	th_write(dir, "migrations/mig.yaml", "lock_timeout: 1\n");
	/* The lock file beside the database, as lib/db_sqlite.c takes it. */
	lockpath = mig_xasprintf("%s.mig-lock", sqlite_db);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	t0 = mig_now_ms();
	r = th_mig(dir, env, "upgrade", NULL);
	took = mig_now_ms() - t0;
	cr_assert_eq(r.status, 1, "exit %d\n%s", r.status, r.err);
	cr_assert(took >= 900 && took < 3500, "waited %.0f ms for a 1 s lock_timeout", took);
	cr_assert(strstr(r.err, "another mig is migrating") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "app.db.mig-lock") != NULL, "the lock file is named: %s", r.err);
	th_run_free(&r);
	if (mig_path_exists(sqlite_db))
		assert_q("SELECT count(*) FROM sqlite_schema", "0");

	/* Released (as the kernel does when the holder dies): the upgrade runs. */
	close(fd);
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	assert_q("SELECT count(*) FROM applied_log", "2");
	free(lockpath);
}

Test(cli_concurrency_sqlite, sigkill_in_a_revision_leaves_a_revision_boundary)
{
	struct proc p;
	struct th_run r;
	const char *argv[] = { "upgrade", "--transaction-per-revision", NULL };
	/* Slow: counting to a large number in a recursive CTE, seconds of CPU (SQLite has no sleep). */
	const char *slow = "CREATE TABLE big (n INTEGER);\nINSERT INTO big WITH RECURSIVE c(x) AS (SELECT 1 "
	    "UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c;\nDROP TABLE big;\n";

	write_revisions(3, slow);
	spawn(&p, NULL, env, argv);
	kill_inside_revision_2(&p);
	proc_free(&p);
	/* A hot journal is left; the next reader rolls it back. */
	r = th_mig(dir, env, "current", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "0000000c0001") != NULL, "%s", r.out);
	th_run_free(&r);
	assert_q("SELECT group_concat(rev, ',') FROM applied_log", "0000000c0001");
	assert_q("SELECT count(*) FROM sqlite_schema WHERE name IN ('t_2', 't_3', 'big')", "0");
	assert_q("PRAGMA integrity_check", "ok");
}
