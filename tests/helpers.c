/*
 * helpers.c — see helpers.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "helpers.h"
#include "rev.h"
#include "sql.h"
#include "util.h"

char *
th_tmpdir(void)
{
	char tmpl[] = "/tmp/mig-test.XXXXXX";

	cr_assert(mkdtemp(tmpl) != NULL, "mkdtemp: %s", strerror(errno));
	return mig_xstrdup(tmpl);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void
th_rmtree(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
mkparents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

void
th_write(const char *dir, const char *name, const char *text)
{
	char *path = mig_path_join(dir, name);
	FILE *f;

	mkparents(path);
	f = fopen(path, "wb");
	cr_assert(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

char *
th_read(const char *path)
{
	struct mig_buf b = MIG_BUF_INIT;

	if (mig_file_read(&b, path, 0) != 0) {
		mig_buf_release(&b);
		return NULL;
	}
	return mig_buf_detach(&b);
}

const char *
th_top(void)
{
	static char top[4096];
	const char *t = getenv("MIG_TOP");

	/* Absolute, because the binary is run from inside temporary directories. */
	if (realpath(t ? t : ".", top) == NULL)
		snprintf(top, sizeof(top), "%s", t ? t : ".");
	return top;
}

static char *
slurp_fd(int fd)
{
	struct mig_buf b = MIG_BUF_INIT;
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		mig_buf_put(&b, chunk, (size_t)n);
	return mig_buf_detach(&b);
}

struct th_run
th_migv(const char *cwd, const char *const *extra_env, const char *const *argv)
{
	struct th_run r = { 0, NULL, NULL };
	const char *bin = getenv("MIG_BIN");
	char outp[] = "/tmp/mig-out.XXXXXX", errp[] = "/tmp/mig-err.XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), st;
	size_t n = 0;
	const char **args;
	char *binpath;
	pid_t pid;

	cr_assert(ofd >= 0 && efd >= 0);
	if (bin == NULL) {
		binpath = mig_path_join(th_top(), "mig");
	} else {
		binpath = mig_xstrdup(bin);
	}
	while (argv[n])
		n++;
	args = mig_xcalloc(n + 2, sizeof(*args));
	args[0] = binpath;
	memcpy(args + 1, argv, n * sizeof(*args));
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		unsetenv("DATABASE_URL");
		unsetenv("MIG_DIR");
		unsetenv("NO_COLOR");
		for (; extra_env && *extra_env; extra_env++)
			putenv((char *)*extra_env);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		dup2(ofd, 1);
		dup2(efd, 2);
		execv(binpath, (char *const *)args);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	r.out = slurp_fd(ofd);
	r.err = slurp_fd(efd);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
	free(args);
	free(binpath);
	return r;
}

struct th_run
th_mig(const char *cwd, const char *const *extra_env, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;

	va_start(ap, extra_env);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return th_migv(cwd, extra_env, argv);
}

void
th_run_free(struct th_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *
th_sqlite(const char *db, const char *query)
{
	struct mig_buf b = MIG_BUF_INIT;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int rc, i, rows = 0;

	/* Read-write, so a hot journal left by a killed process is rolled back as any reader would. */
	rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL);
	cr_assert(rc == SQLITE_OK, "open %s: %s", db, sqlite3_errmsg(h));
	rc = sqlite3_prepare_v2(h, query, -1, &st, NULL);
	cr_assert(rc == SQLITE_OK, "prepare %s: %s", query, sqlite3_errmsg(h));
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
	cr_assert(rc == SQLITE_DONE, "step %s: %s", query, sqlite3_errmsg(h));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return mig_buf_detach(&b);
}

const char *
th_pg_server_url(void)
{
	const char *s = getenv("MIG_TEST_PG");

	cr_assert(s != NULL && *s != '\0', "MIG_TEST_PG is not set: these tests need a PostgreSQL server "
	    "(run them with `make test` or tools/run-tests.sh, which start one)");
	return s;
}

/*
 * The plain form a user writes when the socket directory is known, else the server's URL with the
 * database name added as a parameter (libpq lets a later dbname= override the path).
 */
char *
th_pg_db_url(const char *name)
{
	const char *base = th_pg_server_url(), *host = getenv("MIG_TEST_PG_HOST");

	if (host != NULL && *host != '\0')
		return mig_xasprintf("postgresql://postgres@/%s?host=%s", name, host);
	return mig_xasprintf("%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", name);
}

void
th_pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *
th_pg_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect to the test server: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, th_pg_quiet, NULL);
	return c;
}

void
th_pg_exec(const char *conninfo, const char *sql)
{
	PGconn *c = th_pg_connect(conninfo);
	PGresult *r = PQexec(c, sql);

	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

char *
th_pg_q(const char *conninfo, const char *sql)
{
	struct mig_buf b = MIG_BUF_INIT;
	PGconn *c = th_pg_connect(conninfo);
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
	PQfinish(c);
	return mig_buf_detach(&b);
}

/* ---- history tables for the drivers' tests ---- */

char *
th_hist_id(const char *odd, size_t i)
{
	return i == 250 ? mig_xstrdup(odd) : mig_xasprintf("h%011zu", i);
}

void
th_history_fill(struct mig_db *db, enum mig_dialect d, const char *odd, const char *schema,
    const char *table)
{
	struct mig_buf sql = MIG_BUF_INIT;
	struct mig_db_error err = { NULL, 0, NULL, "" };
	size_t i;

	if (schema != NULL && d == MIG_POSTGRES) {
		mig_buf_puts(&sql, "CREATE SCHEMA ");
		mig_sql_ident(&sql, d, schema);
		mig_buf_puts(&sql, ";\n");
	}
	mig_sql_version_create(&sql, d, schema, table);
	for (i = 0; i < TH_NHIST; i++) {
		size_t k = (i * 7 + 3) % TH_NHIST;
		char *id = th_hist_id(odd, k), *parent = th_hist_id(odd, k + 1);
		char *msg = mig_xasprintf("message %zu", k), *down_sql = mig_xasprintf("DROP TABLE t%zu;", k);
		struct mig_applied a;

		memset(&a, 0, sizeof(a));
		a.id = id;
		a.down = &parent;
		a.ndown = 1;
		a.message = msg;
		a.down_sql = down_sql;
		a.duration_ms = 1;
		a.kind = (char *)(k % 7 == 0 ? "failed" : "upgrade");
		mig_sql_history_insert(&sql, d, schema, table, &a);
		free(id);
		free(parent);
		free(msg);
		free(down_sql);
	}
	cr_assert(eq(int, mig_db_begin(db), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_exec(db, sql.ptr, &err), 0), "%s", err.message ? err.message : mig_error_msg());
	cr_assert(eq(int, mig_db_commit(db), 0), "%s", mig_error_msg());
	mig_db_error_release(&err);
	mig_buf_release(&sql);
}

int
th_see_id(void *ctx, const char *id)
{
	struct th_seen_ids *s = ctx;

	cr_assert(eq(ptr, mig_map_put(&s->map, mig_arena_strdup(&s->arena, id), s), NULL), "'%s' twice", id);
	if (++s->n == s->stop_after)
		return 42;
	return 0;
}

void
th_assert_history_of(struct mig_db *db, const char *schema, const char *table, const char *const *ids,
    size_t nids, bool failed, bool with_down_sql)
{
	struct mig_applied *all = NULL, *got = NULL;
	size_t nall = 0, ngot = 0, i, j, k = 0;

	cr_assert(eq(int, mig_db_read_history_ex(db, schema, table, true, &all, &nall), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_db_read_history_of(db, schema, table, ids, nids, failed, with_down_sql, &got, &ngot),
	    0), "%s", mig_error_msg());
	for (i = 0; i < nall; i++) {
		bool want = failed && strcmp(all[i].kind, "failed") == 0;

		for (j = 0; !want && j < nids; j++)
			want = strcmp(all[i].id, ids[j]) == 0;
		if (!want)
			continue;
		cr_assert(k < ngot, "row '%s' is missing", all[i].id);
		cr_assert(eq(str, got[k].id, all[i].id));
		cr_assert(eq(str, got[k].message, all[i].message));
		cr_assert(eq(sz, got[k].ndown, 1));
		cr_assert(eq(str, got[k].down[0], all[i].down[0]));
		cr_assert(eq(str, got[k].kind, all[i].kind));
		cr_assert(eq(str, got[k].applied_at, all[i].applied_at));
		cr_assert(eq(str, got[k].up_sha256, all[i].up_sha256));
		cr_assert(eq(dbl, got[k].duration_ms, 1));
		if (with_down_sql)
			cr_assert(eq(str, got[k].down_sql, all[i].down_sql));
		else
			cr_assert(eq(ptr, got[k].down_sql, NULL));
		k++;
	}
	cr_assert(eq(sz, ngot, k), "%zu rows, expected %zu", ngot, k);
	mig_applied_free(all, nall);
	mig_applied_free(got, ngot);
}

/* ---- the version tables' round trip, for every driver ---- */

void
th_db_exec_ok(struct mig_db *db, const char *sql)
{
	struct mig_db_error e = { NULL, 0, NULL, "" };

	cr_assert(eq(int, mig_db_exec(db, sql, &e), 0), "line %zu: %s: %s", e.line,
	    e.statement ? e.statement : "", e.message ? e.message : mig_error_msg());
	mig_db_error_release(&e);
}

static struct mig_rev rev_a = { .id = "e517276bb1c2", .message = "users table" };
static const char *b_down[] = { "e517276bb1c2" };
static struct mig_rev rev_b = { .id = "780739b227a7", .message = "posts; 'quoted' \\ back", .down = b_down,
    .ndown = 1 };
static struct mig_rev rev_c = { .id = "0c0c0c0c0c0c", .message = "branch", .down = b_down, .ndown = 1 };
static const char *m_down[] = { "780739b227a7", "0c0c0c0c0c0c" };
static struct mig_rev rev_m = { .id = "ffff00000001", .message = "merge", .down = m_down, .ndown = 2 };

static void
row_for(struct mig_applied *a, struct mig_rev *r, const char *down_sql, double ms)
{
	memset(a, 0, sizeof(*a));
	a->id = (char *)r->id;
	a->down = (char **)r->down;
	a->ndown = r->ndown;
	a->message = (char *)r->message;
	mig_sha256_hex(a->up_sha256, r->id, strlen(r->id));
	mig_sha256_hex(a->down_sha256, r->message, strlen(r->message));
	a->down_sql = (char *)down_sql;
	a->duration_ms = ms;
	a->kind = (char *)"upgrade";
}

/* Renders create + steps exactly as a run would, executes them on PostgreSQL, and reads everything back. */
void
th_version_round_trip(struct mig_db *db, enum mig_dialect d, const char *schema, const char *table)
{
	struct mig_buf sql = MIG_BUF_INIT;
	const char *none[1] = { NULL };
	const char *ha[] = { "e517276bb1c2" }, *hb[] = { "780739b227a7" };
	const char *hbc[] = { "780739b227a7", "0c0c0c0c0c0c" }, *hc[] = { "0c0c0c0c0c0c" };
	const char *hm[] = { "ffff00000001" };
	struct mig_step up_a = { &rev_a, MIG_UP, none, 0, ha, 1 };
	struct mig_step up_b = { &rev_b, MIG_UP, ha, 1, hb, 1 };
	struct mig_step up_c = { &rev_c, MIG_UP, none, 0, hc, 1 };
	struct mig_step up_m = { &rev_m, MIG_UP, hbc, 2, hm, 1 };
	struct mig_step down_m = { &rev_m, MIG_DOWN, hm, 1, hbc, 2 };
	struct mig_applied ra, rb, rc, rm, *hist = NULL;
	char **heads = NULL;
	size_t nheads = 0, nhist = 0;

	row_for(&ra, &rev_a, "DROP TABLE \"user\";\n-- done; really $$ \\ \n", 12.5);
	row_for(&rb, &rev_b, NULL, -1);
	row_for(&rc, &rev_c, "", 0.25);
	rc.kind = (char *)"stamp";
	row_for(&rm, &rev_m, "SELECT 1;", 3);

	if (schema != NULL && d == MIG_POSTGRES) {
		mig_buf_puts(&sql, "CREATE SCHEMA ");
		mig_sql_ident(&sql, d, schema);
		th_db_exec_ok(db, sql.ptr);
		mig_buf_clear(&sql);
	}
	/* Step 1: base -> a -> b, in a transaction, as the runner does. */
	mig_sql_version_create(&sql, d, schema, table);
	mig_sql_version_step(&sql, d, schema, table, &up_a, &ra);
	mig_sql_version_step(&sql, d, schema, table, &up_b, &rb);
	cr_assert(eq(int, mig_db_begin(db), 0));
	th_db_exec_ok(db, sql.ptr);
	cr_assert(eq(int, mig_db_commit(db), 0));
	cr_assert(eq(int, mig_db_read_heads(db, schema, table, &heads, &nheads), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, nheads, 1));
	cr_assert(eq(str, heads[0], "780739b227a7"));
	mig_db_heads_free(heads, nheads);

	/* Step 2: a second head, then a merge of both; no explicit transaction this time. */
	mig_buf_clear(&sql);
	mig_sql_version_create(&sql, d, schema, table); /* IF NOT EXISTS: harmless again */
	mig_sql_version_step(&sql, d, schema, table, &up_c, &rc);
	th_db_exec_ok(db, sql.ptr);
	cr_assert(eq(int, mig_db_read_heads(db, schema, table, &heads, &nheads), 0));
	cr_assert(eq(sz, nheads, 2));
	cr_assert(eq(str, heads[0], "0c0c0c0c0c0c"), "heads come back sorted");
	cr_assert(eq(str, heads[1], "780739b227a7"));
	mig_db_heads_free(heads, nheads);
	mig_buf_clear(&sql);
	mig_sql_version_step(&sql, d, schema, table, &up_m, &rm);
	th_db_exec_ok(db, sql.ptr);

	cr_assert(eq(int, mig_db_read_history(db, schema, table, &hist, &nhist), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, nhist, 4));
	/* Applied order, not id order. */
	cr_assert(eq(str, hist[0].id, "e517276bb1c2"));
	cr_assert(eq(sz, hist[0].ndown, 0));
	cr_assert(eq(str, hist[0].message, "users table"));
	cr_assert(eq(str, hist[0].up_sha256, ra.up_sha256));
	cr_assert(eq(str, hist[0].down_sha256, ra.down_sha256));
	cr_assert(eq(str, hist[0].down_sql, "DROP TABLE \"user\";\n-- done; really $$ \\ \n"));
	cr_assert(eq(dbl, hist[0].duration_ms, 12.5));
	cr_assert(eq(str, hist[0].kind, "upgrade"));
	cr_assert(eq(str, hist[0].mig_version, MIG_VERSION));
	cr_assert(eq(sz, strlen(hist[0].applied_at), 20), "%s", hist[0].applied_at);
	cr_assert(hist[0].applied_at[10] == 'T' && hist[0].applied_at[19] == 'Z', "%s", hist[0].applied_at);
	cr_assert(eq(str, hist[1].id, "780739b227a7"));
	cr_assert(eq(str, hist[1].message, "posts; 'quoted' \\ back"));
	cr_assert(eq(sz, hist[1].ndown, 1));
	cr_assert(eq(str, hist[1].down[0], "e517276bb1c2"));
	cr_assert(eq(ptr, hist[1].down_sql, NULL));
	cr_assert(hist[1].duration_ms < 0);
	cr_assert(eq(str, hist[2].id, "0c0c0c0c0c0c"));
	cr_assert(eq(str, hist[2].kind, "stamp"));
	cr_assert(eq(str, hist[2].down_sql, ""));
	cr_assert(eq(dbl, hist[2].duration_ms, 0.25));
	cr_assert(eq(str, hist[3].id, "ffff00000001"));
	cr_assert(eq(sz, hist[3].ndown, 2));
	cr_assert(eq(str, hist[3].down[0], "780739b227a7"));
	cr_assert(eq(str, hist[3].down[1], "0c0c0c0c0c0c"));
	mig_applied_free(hist, nhist);

	/* Step 3: undo the merge: two heads again, its history row gone. */
	mig_buf_clear(&sql);
	mig_sql_version_step(&sql, d, schema, table, &down_m, NULL);
	th_db_exec_ok(db, sql.ptr);
	cr_assert(eq(int, mig_db_read_heads(db, schema, table, &heads, &nheads), 0));
	cr_assert(eq(sz, nheads, 2));
	mig_db_heads_free(heads, nheads);
	cr_assert(eq(int, mig_db_read_history(db, schema, table, &hist, &nhist), 0));
	cr_assert(eq(sz, nhist, 3));
	cr_assert(eq(str, hist[2].id, "0c0c0c0c0c0c"));
	mig_applied_free(hist, nhist);

	/* Step 4: stamp to a single head. */
	mig_buf_clear(&sql);
	mig_sql_version_set(&sql, d, schema, table, ha, 1);
	mig_sql_history_delete(&sql, d, schema, table, "780739b227a7");
	th_db_exec_ok(db, sql.ptr);
	cr_assert(eq(int, mig_db_read_heads(db, schema, table, &heads, &nheads), 0));
	cr_assert(eq(sz, nheads, 1));
	cr_assert(eq(str, heads[0], "e517276bb1c2"));
	mig_db_heads_free(heads, nheads);

	mig_buf_release(&sql);
}
