/*
 * run.c — executes (or renders) an upgrade/downgrade plan; see run.h for the transaction rules.
 *
 * The same statements are produced for a live run and for offline mode: the live path executes
 * each piece as it is rendered, the offline path appends it to a buffer. That is what makes
 * `--sql` print exactly what a live run would execute.
 */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "sql.h"

/* Per-run state shared by the helpers below. */
struct runner {
	struct mig_db *db;
	enum mig_dialect dialect;
	const struct mig_run_opts *o;
	struct mig_run_error *err;
	bool in_txn;
	bool fk_off;        /* foreign keys switched off for the current transaction */
	bool created;       /* version tables created (or rendered) */
};

static int emit(struct runner *r, const char *sql, const struct mig_step *step, const struct mig_script *sc);
static int txn_begin(struct runner *r, bool fk_off);
static int txn_commit(struct runner *r);
static void txn_abort(struct runner *r);

void
mig_run_error_release(struct mig_run_error *e)
{
	mig_db_error_release(&e->db);
}

static size_t
count_lines(const char *s, const char *end)
{
	size_t n = 1;

	for (; s < end; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* A line that is exactly the marker (leading whitespace allowed) switches foreign keys off. */
static bool
has_marker(const char *sql, const char *marker)
{
	const char *p = sql;
	size_t n = strlen(marker);

	while ((p = strstr(p, marker)) != NULL) {
		const char *q = p;

		while (q > sql && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if ((q == sql || q[-1] == '\n') && (p[n] == '\0' || p[n] == '\n' || p[n] == '\r' ||
		    p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

/* Reads a script file's body; down_of, when set, is the revision whose down file this is. */
static int
read_body(const char *path, const struct mig_rev *down_of, char **body, size_t *first_line, char sha[65])
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *start;
	int rc;

	rc = mig_file_read(&b, path, 64u << 20);
	if (rc == 0 && down_of)
		rc = mig_rev_check_down(down_of, b.ptr, b.len, path);
	if (rc) {
		mig_buf_release(&b);
		return rc;
	}
	if (sha)
		mig_sha256_hex(sha, b.ptr, b.len);
	start = mig_rev_body(b.ptr, b.len);
	if (first_line)
		*first_line = count_lines(b.ptr, start);
	*body = mig_xstrdup(start);
	mig_buf_release(&b);
	return 0;
}

int
mig_run_hash_files(const struct mig_rev *rev, char up[65], char down[65], char **down_body)
{
	char *body = NULL;
	int rc;

	if (rev->ghost)
		return mig_error_set(MIG_ENOTFOUND, "revision '%s' has no files", rev->id);
	rc = read_body(rev->up_path, NULL, &body, NULL, up);
	free(body);
	body = NULL;
	if (rc == 0)
		rc = read_body(rev->down_path, rev, &body, NULL, down);
	if (rc == 0 && down_body)
		*down_body = body;
	else
		free(body);
	return rc;
}

int
mig_run_load_scripts(struct mig_script **out, const struct mig_plan *plan)
{
	struct mig_script *s = mig_xcalloc(plan->nsteps ? plan->nsteps : 1, sizeof(*s));
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < plan->nsteps; i++) {
		const struct mig_step *st = &plan->steps[i];
		const struct mig_rev *rev = st->rev;

		if (st->dir == MIG_UP) {
			if (rev->ghost) {
				rc = mig_error_set(MIG_ENOTFOUND, "revision '%s' has no files to upgrade with",
				    rev->id);
				break;
			}
			s[i].path = rev->up_path;
			rc = read_body(rev->up_path, NULL, &s[i].sql, &s[i].first_line, s[i].up_sha256);
			if (rc == 0)
				rc = read_body(rev->down_path, rev, &s[i].down_sql, NULL, s[i].down_sha256);
		} else if (rev->ghost) {
			/* The files are gone: what the database kept when it was applied is the truth. */
			if (rev->ghost_down_sql == NULL) {
				rc = mig_error_set(MIG_ENOTFOUND, "revision '%s' has no files and no stored down SQL",
				    rev->id);
				break;
			}
			s[i].sql = mig_xstrdup(rev->ghost_down_sql);
			s[i].first_line = 1;
		} else {
			s[i].path = rev->down_path;
			rc = read_body(rev->down_path, rev, &s[i].sql, &s[i].first_line, s[i].down_sha256);
		}
		if (rc == 0)
			s[i].fk_off = has_marker(s[i].sql, "-- mig:foreign_keys off");
	}
	if (rc) {
		mig_run_scripts_free(s, plan->nsteps);
		return rc;
	}
	*out = s;
	return 0;
}

void
mig_run_scripts_free(struct mig_script *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(s[i].sql);
		free(s[i].down_sql);
	}
	free(s);
}

/* Runs or renders one piece of SQL; on failure records where. */
static int
emit(struct runner *r, const char *sql, const struct mig_step *step, const struct mig_script *sc)
{
	int rc;

	if (r->o->offline) {
		mig_buf_puts(r->o->offline, sql);
		return 0;
	}
	rc = mig_db_exec(r->db, sql, &r->err->db);
	if (rc) {
		r->err->step = step;
		r->err->path = sc ? sc->path : NULL;
		r->err->line = sc ? sc->first_line + r->err->db.line - 1 : r->err->db.line;
	}
	return rc;
}

/*
 * A rebuilt table must not leave dangling references: a CHECK on a temporary table turns
 * PRAGMA foreign_key_check's rows into an error, in plain SQL, so offline scripts carry the guard too.
 */
static const char fk_check_sql[] =
    "CREATE TEMP TABLE \"_mig_fk_check\" (n INTEGER CONSTRAINT foreign_key_check_failed CHECK (n = 0));\n"
    "INSERT INTO \"_mig_fk_check\" SELECT count(*) FROM pragma_foreign_key_check;\n"
    "DROP TABLE \"_mig_fk_check\";\n";

static int
txn_begin(struct runner *r, bool fk_off)
{
	int rc = 0;

	r->fk_off = fk_off && r->dialect == MIG_SQLITE;
	if (r->fk_off)
		rc = emit(r, "PRAGMA foreign_keys=OFF;\n", NULL, NULL);
	if (rc == 0) {
		if (r->o->offline)
			mig_buf_puts(r->o->offline, r->dialect == MIG_SQLITE ? "BEGIN IMMEDIATE;\n\n" : "BEGIN;\n\n");
		else
			rc = mig_db_begin(r->db);
	}
	if (rc == 0)
		r->in_txn = true;
	return rc;
}

static int
check_stop(struct runner *r)
{
	if (r->o->should_stop && r->o->should_stop(r->o->arg))
		return mig_error_set(MIG_ERROR, "interrupted");
	return 0;
}

static int
txn_commit(struct runner *r)
{
	int rc = check_stop(r);

	if (rc)
		return rc;
	if (r->fk_off)
		rc = emit(r, fk_check_sql, NULL, NULL);
	if (rc == 0) {
		if (r->o->offline)
			mig_buf_puts(r->o->offline, "COMMIT;\n\n");
		else
			rc = mig_db_commit(r->db);
	}
	if (rc)
		return rc;
	r->in_txn = false;
	if (r->fk_off) {
		r->fk_off = false;
		rc = emit(r, "PRAGMA foreign_keys=ON;\n", NULL, NULL);
	}
	return rc;
}

static void
txn_abort(struct runner *r)
{
	if (r->o->offline || !r->in_txn)
		return;
	mig_db_rollback(r->db);
	r->in_txn = false;
	r->err->rolled_back = true;
	if (r->fk_off) {
		r->fk_off = false;
		mig_db_exec(r->db, "PRAGMA foreign_keys=ON;", NULL);
	}
}

/*
 * The revision ran in autocommit mode and may be half-applied: record that, in autocommit too,
 * so nobody builds on top of it unknowingly. Best effort: if even this fails, the error already
 * reported is the one that matters.
 */
static void
mark_failed(struct runner *r, const struct mig_step *st, const struct mig_script *sc)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_applied row;

	memset(&row, 0, sizeof(row));
	row.id = (char *)st->rev->id;
	row.down = (char **)st->rev->down;
	row.ndown = st->rev->ndown;
	row.message = (char *)st->rev->message;
	memcpy(row.up_sha256, sc->up_sha256, sizeof(row.up_sha256));
	memcpy(row.down_sha256, sc->down_sha256, sizeof(row.down_sha256));
	row.down_sql = sc->down_sql;
	row.duration_ms = -1;
	row.kind = (char *)"failed";
	mig_sql_history_delete(&b, r->dialect, r->o->schema, r->o->table, st->rev->id);
	mig_sql_history_insert(&b, r->dialect, r->o->schema, r->o->table, &row);
	if (mig_db_exec(r->db, b.ptr, NULL) == 0)
		r->err->marked_failed = true;
	mig_buf_release(&b);
}

static bool
any_fk_off(const struct mig_script *s, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++)
		if (s[i].fk_off)
			return true;
	return false;
}

static int
ensure_tables(struct runner *r)
{
	struct mig_buf b = MIG_BUF_INIT;
	int rc;

	if (r->created)
		return 0;
	mig_sql_version_create(&b, r->dialect, r->o->schema, r->o->table);
	if (r->o->offline)
		mig_buf_putc(&b, '\n');
	rc = emit(r, b.ptr, NULL, NULL);
	mig_buf_release(&b);
	r->created = rc == 0;
	return rc;
}

int
mig_run_plan(struct mig_db *db, enum mig_dialect dialect, const struct mig_plan *plan,
    struct mig_script *scripts, const struct mig_run_opts *o, struct mig_run_error *err)
{
	struct runner r = { db, dialect, o, err, false, false, false };
	const struct mig_step *started = NULL;
	struct mig_buf vsql = MIG_BUF_INIT;
	size_t i;
	int rc = 0;

	memset(err, 0, sizeof(*err));
	if (plan->nsteps == 0)
		return 0;
	for (i = 0; i < plan->nsteps; i++) {
		const struct mig_step *st = &plan->steps[i];
		struct mig_script *sc = &scripts[i];
		struct mig_applied row;
		double t0, ms;

		if (!st->rev->transactional) {
			/* Work before it is committed; the revision itself runs in autocommit mode. */
			if (r.in_txn && (rc = txn_commit(&r)) != 0)
				goto fail;
			err->committed = i;
			if ((rc = ensure_tables(&r)) != 0)
				goto fail;
		} else if (!r.in_txn) {
			bool fk = o->per_revision ? sc->fk_off : any_fk_off(scripts, i, plan->nsteps);

			if ((rc = txn_begin(&r, fk)) != 0)
				goto fail;
			if ((rc = ensure_tables(&r)) != 0)
				goto fail;
		}
		if ((rc = check_stop(&r)) != 0)
			goto fail;
		if (o->progress)
			o->progress(o->arg, st, -1);
		if (o->offline)
			mig_buf_printf(o->offline, "-- Running %s %s\n\n", st->dir == MIG_UP ? "upgrade" : "downgrade",
			    st->rev->id);
		t0 = mig_now_ms();
		started = st;
		rc = emit(&r, sc->sql, st, sc);
		/*
		 * A script that ran outside a transaction is done and cannot be undone: record it
		 * before stopping for a signal, or the database would be changed but not say so.
		 */
		if (rc == 0 && st->rev->transactional)
			rc = check_stop(&r);
		if (rc)
			goto fail;
		if (o->offline) {
			size_t n = o->offline->len;

			if (n && o->offline->ptr[n - 1] != '\n')
				mig_buf_putc(o->offline, '\n');
			mig_buf_putc(o->offline, '\n');
		}
		ms = mig_now_ms() - t0;

		memset(&row, 0, sizeof(row));
		row.id = (char *)st->rev->id;
		row.down = (char **)st->rev->down;
		row.ndown = st->rev->ndown;
		row.message = (char *)st->rev->message;
		memcpy(row.up_sha256, sc->up_sha256, sizeof(row.up_sha256));
		memcpy(row.down_sha256, sc->down_sha256, sizeof(row.down_sha256));
		row.down_sql = sc->down_sql;
		row.duration_ms = o->offline ? -1 : ms;
		row.kind = (char *)"upgrade";
		mig_buf_clear(&vsql);
		mig_sql_version_step(&vsql, dialect, o->schema, o->table, st, &row);
		if (o->offline)
			mig_buf_putc(&vsql, '\n');
		rc = emit(&r, vsql.ptr, st, NULL);
		if (rc) {
			err->in_bookkeeping = true;
			goto fail;
		}
		if (o->per_revision || !st->rev->transactional) {
			if (r.in_txn && (rc = txn_commit(&r)) != 0)
				goto fail;
			err->committed = i + 1;
		}
		if (o->progress)
			o->progress(o->arg, st, ms);
	}
	if (r.in_txn && (rc = txn_commit(&r)) != 0)
		goto fail;
	err->committed = plan->nsteps;
	mig_buf_release(&vsql);
	return 0;
fail:
	mig_buf_release(&vsql);
	if (err->db.message == NULL && rc)
		err->db.message = mig_xstrdup(mig_error_msg());
	txn_abort(&r);
	/* A non-transactional script that started and was not recorded may be half-applied. */
	if (started && !started->rev->transactional && !o->offline &&
	    err->committed <= (size_t)(started - plan->steps)) {
		if (err->step == NULL)
			err->step = started;
		mark_failed(&r, started, &scripts[started - plan->steps]);
	}
	return rc;
}
