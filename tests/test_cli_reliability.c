/*
 * test_cli_reliability.c — what happens to a SQLite database when mig is killed, interrupted,
 * fed hostile input or asked to run a revision that cannot be rolled back: the database is
 * always at a revision boundary, a second run finishes the job, and bad input changes nothing.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

TestSuite(cli_reliability, .init = setup, .fini = teardown);

/* Writes revision N (ids 000000000001...) with parent N-1 and the given body. */
static void
write_rev(int n, const char *header_extra, const char *up, const char *down)
{
	char name[128], text[4096];

	snprintf(name, sizeof(name), "migrations/versions/%012d_r%d.up.sql", n, n);
	if (n == 1)
		snprintf(text, sizeof(text), "-- mig:revision %012d\n-- mig:message r%d\n%s%s", n, n, header_extra, up);
	else
		snprintf(text, sizeof(text), "-- mig:revision %012d\n-- mig:down_revision %012d\n-- mig:message r%d\n%s%s",
		    n, n - 1, n, header_extra, up);
	th_write(dir, name, text);
	snprintf(name, sizeof(name), "migrations/versions/%012d_r%d.down.sql", n, n);
	snprintf(text, sizeof(text), "-- mig:revision %012d\n%s", n, down);
	th_write(dir, name, text);
}

/* Five revisions; the third is slow (tens of millions of rows in one statement). */
static void
write_slow_chain(void)
{
	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	write_rev(2, "", "CREATE TABLE t2 (x INTEGER);\n", "DROP TABLE t2;\n");
	write_rev(3, "", "CREATE TABLE big (x INTEGER);\n"
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000000)\n"
	    "INSERT INTO big SELECT i FROM c;\n", "DROP TABLE big;\n");
	write_rev(4, "", "CREATE TABLE t4 (x INTEGER);\n", "DROP TABLE t4;\n");
	write_rev(5, "", "CREATE TABLE t5 (x INTEGER);\n", "DROP TABLE t5;\n");
}

static pid_t
spawn_mig(const char *const *argv)
{
	const char *bin = getenv("MIG_BIN");
	char *path = bin ? mig_xstrdup(bin) : mig_path_join(th_top(), "mig");
	const char *args[16];
	size_t n = 0;
	pid_t pid;

	args[n++] = path;
	while (*argv && n < 15)
		args[n++] = *argv++;
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", 1);

		dup2(nul, 1);
		dup2(nul, 2);
		if (chdir(dir) != 0)
			_exit(126);
		putenv(env_url);
		execv(path, (char *const *)args);
		_exit(127);
	}
	free(path);
	return pid;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The version table names a revision and exactly that revision's tables exist. */
static void
assert_at_boundary(const char *label)
{
	char *v = mig_path_exists(db) ? th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'mig_version'") :
	    mig_xstrdup("0");
	int at = 0;

	if (strcmp(v, "1") == 0) {
		char *h = th_sqlite(db, "SELECT coalesce(max(version_num), '0') FROM mig_version");

		at = (int)strtol(h, NULL, 10);
		free(h);
	}
	free(v);
	if (mig_path_exists(db)) {
		const char *names[] = { "t1", "t2", "big", "t4", "t5" };
		int i;

		for (i = 0; i < 5; i++) {
			char *q = mig_xasprintf("SELECT count(*) FROM sqlite_schema WHERE name = '%s'", names[i]);
			char *c = th_sqlite(db, q);

			cr_assert_str_eq(c, i < at ? "1" : "0", "%s: at revision %d, table %s", label, at, names[i]);
			free(c);
			free(q);
		}
	}
}

static void
kill_during_slow_revision(int sig, int wait_ms)
{
	const char *argv[] = { "upgrade", NULL };
	struct th_run r;
	pid_t pid;
	int st;
	char *s;

	write_slow_chain();
	pid = spawn_mig(argv);
	sleep_ms(wait_ms);
	kill(pid, sig);
	waitpid(pid, &st, 0);
	assert_at_boundary("after the kill");
	/* The kill landed inside the run: the one transaction never committed, so no big table. */
	if (mig_path_exists(db)) {
		s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'big'");
		cr_assert_str_eq(s, "0", "the slow revision must not have completed before the signal");
		free(s);
	}
	/* A second upgrade finishes the job. */
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	s = th_sqlite(db, "SELECT version_num FROM mig_version");
	cr_assert_str_eq(s, "000000000005");
	free(s);
	assert_at_boundary("after the second upgrade");
}

Test(cli_reliability, sigkill_mid_revision_leaves_a_revision_boundary, .timeout = 120)
{
	kill_during_slow_revision(SIGKILL, 700);
}

Test(cli_reliability, sigterm_mid_revision_rolls_back, .timeout = 120)
{
	kill_during_slow_revision(SIGTERM, 700);
}

Test(cli_reliability, sigint_reports_and_rolls_back, .timeout = 120)
{
	const char *argv[] = { "upgrade", "--transaction-per-revision", NULL };
	pid_t pid;
	int st;
	char *s;

	write_slow_chain();
	pid = spawn_mig(argv);
	sleep_ms(700);
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "mig handles SIGINT and exits 1 (status %d)", st);
	/* Per-revision mode: the two quick revisions stay committed, the slow one is gone. */
	s = th_sqlite(db, "SELECT version_num FROM mig_version");
	cr_assert_str_eq(s, "000000000002");
	free(s);
	assert_at_boundary("after SIGINT");
}

Test(cli_reliability, sigkill_at_random_points_across_many_runs, .timeout = 300)
{
	int round;

	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n"
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)\n"
	    "INSERT INTO t1 SELECT i FROM c;\n", "DROP TABLE t1;\n");
	write_rev(2, "", "CREATE TABLE t2 AS SELECT x FROM t1;\n", "DROP TABLE t2;\n");
	write_rev(3, "", "CREATE TABLE big AS SELECT x FROM t1;\n", "DROP TABLE big;\n");
	write_rev(4, "", "CREATE TABLE t4 AS SELECT x FROM t1;\n", "DROP TABLE t4;\n");
	write_rev(5, "", "CREATE TABLE t5 AS SELECT x FROM t1;\n", "DROP TABLE t5;\n");
	srand(42);
	for (round = 0; round < 12; round++) {
		const char *up[] = { "upgrade", round % 2 ? "--transaction-per-revision" : "--one-transaction", NULL };
		const char *down[] = { "downgrade", "base", NULL };
		pid_t pid = spawn_mig(round % 3 == 2 ? down : up);
		int st;

		sleep_ms(rand() % 250);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		assert_at_boundary("random kill");
	}
	{
		struct th_run r = th_mig(dir, env, "upgrade", NULL);

		cr_assert_eq(r.status, 0, "%s", r.err);
		th_run_free(&r);
		assert_at_boundary("final upgrade");
	}
}

Test(cli_reliability, failed_non_transactional_revision_needs_attention)
{
	struct th_run r;
	char *s;

	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	write_rev(2, "-- mig:transactional false\n", "CREATE TABLE t2 (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
	    "DROP TABLE t2;\n");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "half-applied") != NULL, "%s", r.err);
	th_run_free(&r);
	/* Revision 1 committed before it; revision 2's first statement stays: it cannot be undone. */
	s = th_sqlite(db, "SELECT version_num FROM mig_version");
	cr_assert_str_eq(s, "000000000001");
	free(s);
	s = th_sqlite(db, "SELECT kind FROM mig_version_history WHERE revision = '000000000002'");
	cr_assert_str_eq(s, "failed");
	free(s);
	r = th_mig(dir, env, "current", NULL);
	cr_assert(strstr(r.out, "000000000002 (FAILED") != NULL, "%s", r.out);
	th_run_free(&r);
	/* Never silently retried or skipped. */
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "mig stamp") != NULL, "%s", r.err);
	th_run_free(&r);
	/* The repair: undo by hand, stamp the revision the database is really at, run again. */
	write_rev(2, "-- mig:transactional false\n", "CREATE TABLE t2 (x INTEGER);\n", "DROP TABLE t2;\n");
	{
		char *cmd = mig_xasprintf("sqlite3 %s 'DROP TABLE t2'", db);

		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	r = th_mig(dir, env, "stamp", "000000000001", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	s = th_sqlite(db, "SELECT version_num FROM mig_version");
	cr_assert_str_eq(s, "000000000002");
	free(s);
}

Test(cli_reliability, hostile_identifiers_are_always_quoted)
{
	struct th_run r;
	char *s;

	th_write(dir, "models.yaml",
	    "tables:\n"
	    "  \"select\":\n"
	    "    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      \"from\": { type: text, index: true }\n"
	    "      \"a \\\"quoted\\\"; DROP TABLE x; --\": { type: text }\n"
	    "      \"naïve café\": { type: string(20), unique: true }\n"
	    "  \"order details\":\n"
	    "    columns:\n"
	    "      id: { type: integer, primary_key: true }\n"
	    "      \"select_id\": { type: integer, references: select.id, on_delete: CASCADE }\n");
	r = th_mig(dir, env, "migrate", "-m", "hostile", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	s = th_sqlite(db, "SELECT group_concat(name, '|') FROM pragma_table_info('select')");
	cr_assert_str_eq(s, "id|from|a \"quoted\"; DROP TABLE x; --|naïve café");
	free(s);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'order details'");
	cr_assert_str_eq(s, "1");
	free(s);
	r = th_mig(dir, env, "check", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	r = th_mig(dir, env, "downgrade", "base", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
	s = th_sqlite(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('select', 'order details')");
	cr_assert_str_eq(s, "0");
	free(s);
}

Test(cli_reliability, yaml_alias_bomb_is_refused_without_touching_the_database)
{
	struct th_run r;

	th_write(dir, "models.yaml",
	    "a: &a [x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "tables: {}\n");
	r = th_mig(dir, env, "migrate", "-m", "bomb", NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "models.yaml:") != NULL, "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db));
}

Test(cli_reliability, a_file_that_is_not_a_database)
{
	struct th_run r;

	th_write(dir, "app.db", "this is not a database, just text that is long enough to have a header...\n");
	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "not a database") != NULL, "%s", r.err);
	th_run_free(&r);
	r = th_mig(dir, env, "current", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_run_free(&r);
}

Test(cli_reliability, revision_file_limits_and_broken_graphs_exit_2)
{
	struct th_run r;

	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	/* A cycle: 2 -> 3 -> 2. */
	th_write(dir, "migrations/versions/000000000002_a.up.sql",
	    "-- mig:revision 000000000002\n-- mig:down_revision 000000000003\n");
	th_write(dir, "migrations/versions/000000000002_a.down.sql", "-- mig:revision 000000000002\n");
	th_write(dir, "migrations/versions/000000000003_b.up.sql",
	    "-- mig:revision 000000000003\n-- mig:down_revision 000000000002\n");
	th_write(dir, "migrations/versions/000000000003_b.down.sql", "-- mig:revision 000000000003\n");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "cycle") != NULL, "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db));
}

Test(cli_reliability, a_huge_revision_file_is_refused_before_anything_runs)
{
	struct th_run r;
	char *path;
	FILE *f;

	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	write_rev(2, "", "CREATE TABLE t2 (x INTEGER);\n", "DROP TABLE t2;\n");
	/* 65 MiB of script (sparse: cheap to make) after a valid header. */
	path = mig_path_join(dir, "migrations/versions/000000000002_r2.up.sql");
	f = fopen(path, "r+");
	cr_assert(f != NULL);
	cr_assert_eq(ftruncate(fileno(f), 65L << 20), 0);
	fclose(f);
	free(path);
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "000000000002_r2.up.sql") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "larger than") != NULL, "%s", r.err);
	th_run_free(&r);
	/* Nothing ran, not even revision 1: scripts are all read before the database is touched. */
	cr_assert(!mig_path_exists(db), "the database file must not even be created");
}

Test(cli_reliability, a_down_file_of_another_revision_is_refused_before_anything_runs)
{
	struct th_run r;

	write_rev(1, "", "CREATE TABLE t1 (x INTEGER);\n", "DROP TABLE t1;\n");
	write_rev(2, "", "CREATE TABLE t2 (x INTEGER);\n", "DROP TABLE t2;\n");
	/* A down file copied from revision 1 and not edited. */
	th_write(dir, "migrations/versions/000000000002_r2.down.sql", "-- mig:revision 000000000001\nDROP TABLE t1;\n");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "000000000002_r2.down.sql: '-- mig:revision 000000000001' does not match") != NULL,
	    "%s", r.err);
	th_run_free(&r);
	cr_assert(!mig_path_exists(db));
}

Test(cli_reliability, a_failed_non_transactional_revision_is_not_reported_as_unchanged)
{
	struct th_run r;

	write_rev(1, "-- mig:transactional false\n", "CREATE TABLE d (id INTEGER);\nINSERT INTO nosuch VALUES (1);\n",
	    "DROP TABLE d;\n");
	r = th_mig(dir, env, "upgrade", NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "unchanged") == NULL, "nothing was rolled back: %s", r.err);
	cr_assert(strstr(r.err, "marked as failed") != NULL, "%s", r.err);
	th_run_free(&r);
}
