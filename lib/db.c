/*
 * db.c — the database interface of db.h, once for every driver.
 *
 * The driver is chosen by the URL's dialect; everything that is not specific to one database lives
 * here: transactions in terms of the driver's exec, reading the version and history tables with
 * SQL rendered by sql.h's quoting, and the error and row helpers the drivers share.
 *
 * mig_db_exec() records the database's message alone with mig_error_set(); the statement and its
 * line go into struct mig_db_error, for the caller to report against the file it ran.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_driver.h"
#include "sql.h"

struct rows {
	char ***vals;   /* one malloc'd array of ncols malloc'd strings (or NULL) per row */
	size_t n, cap, ncols;
};

/* A history read being collected; with want set, only rows of those ids (or failed ones, with failed). */
struct history {
	struct mig_applied *rows;
	size_t n, cap;
	const struct mig_map *want;
	bool failed;
};

/* mig_db_read_history_ids()'s callback, under the driver's row callback. */
struct id_walk {
	int (*fn)(void *ctx, const char *id);
	void *ctx;
};

/* The columns of a history row, as collect_history() expects them; down_sql may be read or not. */
#define HISTORY_COLUMNS(down_sql) "revision, down_revisions, message, up_sha256, down_sha256, " \
	down_sql ", applied_at, CAST(ROUND(duration_ms * 1000) AS BIGINT), mig_version, kind"
/* Ids named in one IN list at most; more are filtered while reading the whole table. */
#define HISTORY_IN_MAX 500

static const struct mig_db_ops *driver_for(enum mig_dialect d);
static int collect_row(void *ctx, const char *const *vals, size_t ncols);
static void rows_release(struct rows *r);
static int query_table(struct mig_db *db, const char *schema, const char *table, const char *columns,
    const char *where, const char *order, mig_db_row_fn fn, void *ctx);
static int read_table(struct mig_db *db, const char *schema, const char *table, const char *columns,
    const char *order, struct rows *out);
static int collect_history(void *ctx, const char *const *v, size_t ncols);
static int read_history(struct mig_db *db, const char *schema, const char *table, bool with_down_sql,
    const char *where, struct history *h, struct mig_applied **out, size_t *n);
static int pass_id(void *ctx, const char *const *vals, size_t ncols);
static int first_value(void *ctx, const char *const *vals, size_t ncols);
static void cache_pragma(struct mig_buf *b, const char *schema, const char *value);
static void small_cache(struct mig_db *db, const char *schema, char **old);
static void restore_cache(struct mig_db *db, const char *schema, char **old);
static void split_ids(struct mig_applied *a, const char *s);
static void copy_sha(char dst[65], const char *src);

static const struct mig_db_ops *
driver_for(enum mig_dialect d)
{
	switch (d) {
	case MIG_SQLITE:
		return &mig_db_sqlite_ops;
	case MIG_POSTGRES:
		return &mig_db_pg_ops;
	}
	return NULL;
}

int
mig_db_open(struct mig_db **out, const struct mig_url *url, bool create)
{
	const struct mig_db_ops *ops = driver_for(url->dialect);
	struct mig_db *db;
	int rc;

	*out = NULL;
	if (ops == NULL)
		return mig_error_set(MIG_EUSAGE, "cannot open '%s': unknown kind of database", url->display);
	db = mig_xcalloc(1, sizeof(*db));
	db->ops = ops;
	db->display = mig_xstrdup(url->dialect == MIG_SQLITE ? url->path : url->display);
	if ((rc = ops->open(db, url, create)) != 0) {
		free(db->display);
		free(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
mig_db_close(struct mig_db *db)
{
	if (db == NULL)
		return;
	db->ops->close(db);
	free(db->display);
	free(db);
}

enum mig_dialect
mig_db_dialect(const struct mig_db *db)
{
	return db->ops->dialect;
}

/* err must start zeroed (or hold an earlier error, which a new failure replaces). */
int
mig_db_exec(struct mig_db *db, const char *sql, struct mig_db_error *err)
{
	return db->ops->exec(db, sql, err);
}

int
mig_db_begin(struct mig_db *db)
{
	int rc = db->ops->exec(db, db->ops->begin_sql, NULL);

	if (rc != 0)
		mig_error_prefix("cannot begin a transaction on '%s'", db->display);
	return rc;
}

int
mig_db_commit(struct mig_db *db)
{
	int rc = db->ops->exec(db, "COMMIT", NULL);

	if (rc != 0)
		mig_error_prefix("cannot commit on '%s'", db->display);
	return rc;
}

/* A no-op outside a transaction, so error paths can roll back unconditionally. */
int
mig_db_rollback(struct mig_db *db)
{
	int rc;

	if (!db->ops->in_transaction(db))
		return 0;
	if ((rc = db->ops->exec(db, "ROLLBACK", NULL)) != 0)
		mig_error_prefix("cannot roll back on '%s'", db->display);
	return rc;
}

bool
mig_db_in_transaction(const struct mig_db *db)
{
	return db->ops->in_transaction(db);
}

int
mig_db_lock(struct mig_db *db, int timeout_ms)
{
	return db->ops->lock(db, timeout_ms < 0 ? 0 : timeout_ms);
}

void
mig_db_unlock(struct mig_db *db)
{
	if (db != NULL)
		db->ops->unlock(db);
}

void
mig_db_error_release(struct mig_db_error *e)
{
	if (e == NULL)
		return;
	free(e->statement);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

const char *
mig_db_skip_space(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e ? e + 2 : s + strlen(s);
		} else {
			return s;
		}
	}
}

void
mig_db_error_fill(struct mig_db_error *err, const char *script, size_t start, size_t end,
    const char *message)
{
	const char *s = mig_db_skip_space(script + start), *e = script + end, *p;
	size_t line = 1;

	if (err == NULL)
		return;
	if (s > e)
		s = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	for (p = script; p < s; p++)
		if (*p == '\n')
			line++;
	mig_db_error_release(err);
	err->statement = mig_xstrndup(s, (size_t)(e - s));
	err->line = line;
	err->message = mig_xstrdup(message ? message : "unknown error");
}

static int
collect_row(void *ctx, const char *const *vals, size_t ncols)
{
	struct rows *r = ctx;
	char **row;
	size_t i;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->vals = mig_xrealloc(r->vals, r->cap * sizeof(*r->vals));
	}
	row = mig_xcalloc(ncols ? ncols : 1, sizeof(*row));
	for (i = 0; i < ncols; i++)
		row[i] = vals[i] ? mig_xstrdup(vals[i]) : NULL;
	r->vals[r->n++] = row;
	r->ncols = ncols;
	return 0;
}

static void
rows_release(struct rows *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->ncols; j++)
			free(r->vals[i][j]);
		free(r->vals[i]);
	}
	free(r->vals);
	memset(r, 0, sizeof(*r));
}

/*
 * SELECT columns FROM schema.table [WHERE where] [ORDER BY order], each row handed to fn, or no
 * rows when the table does not exist.
 */
static int
query_table(struct mig_db *db, const char *schema, const char *table, const char *columns,
    const char *where, const char *order, mig_db_row_fn fn, void *ctx)
{
	struct mig_buf sql = MIG_BUF_INIT;
	bool exists = false;
	int rc;

	rc = db->ops->table_exists(db, schema, table, &exists);
	if (rc == 0 && exists) {
		mig_buf_printf(&sql, "SELECT %s FROM ", columns);
		mig_sql_qualified(&sql, db->ops->dialect, schema, table);
		if (where != NULL)
			mig_buf_printf(&sql, " WHERE %s", where);
		if (order != NULL)
			mig_buf_printf(&sql, " ORDER BY %s", order);
		rc = db->ops->query(db, sql.ptr, fn, ctx);
		mig_buf_release(&sql);
	}
	if (rc != 0)
		mig_error_prefix("cannot read '%s'", table);
	return rc;
}

/* SELECT columns FROM schema.table ORDER BY order, or no rows when the table does not exist. */
static int
read_table(struct mig_db *db, const char *schema, const char *table, const char *columns,
    const char *order, struct rows *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = query_table(db, schema, table, columns, NULL, order, collect_row, out);
	if (rc != 0)
		rows_release(out);
	return rc;
}

int
mig_db_read_heads(struct mig_db *db, const char *schema, const char *table, char ***out, size_t *n)
{
	struct rows r;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = read_table(db, schema, table, "version_num", "version_num", &r)) != 0)
		return rc;
	if (r.n > 0) {
		*out = mig_xcalloc(r.n, sizeof(**out));
		for (i = 0; i < r.n; i++) {
			/* version_num is NOT NULL; a NULL would mean a table mig did not create. */
			(*out)[i] = r.vals[i][0] ? r.vals[i][0] : mig_xstrdup("");
			r.vals[i][0] = NULL;
		}
	}
	*n = r.n;
	rows_release(&r);
	return 0;
}

void
mig_db_heads_free(char **heads, size_t n)
{
	size_t i;

	for (i = 0; heads != NULL && i < n; i++)
		free(heads[i]);
	free(heads);
}

/* down_revisions is stored space-separated, "" for a base. */
static void
split_ids(struct mig_applied *a, const char *s)
{
	size_t cap = 0, len;

	for (;;) {
		s += strspn(s, " ");
		if (*s == '\0')
			break;
		len = strcspn(s, " ");
		if (a->ndown == cap) {
			cap = cap ? 2 * cap : 2;
			a->down = mig_xrealloc(a->down, cap * sizeof(*a->down));
		}
		a->down[a->ndown++] = mig_xstrndup(s, len);
		s += len;
	}
}

static void
copy_sha(char dst[65], const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n > 64)
		n = 64;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int
mig_db_read_history(struct mig_db *db, const char *schema, const char *table,
    struct mig_applied **out, size_t *n)
{
	return mig_db_read_history_ex(db, schema, table, true, out, n);
}

/* One row of the history table straight into a struct mig_applied: no intermediate copy. */
static int
collect_history(void *ctx, const char *const *v, size_t ncols)
{
	struct history *h = ctx;
	struct mig_applied *a;

	if (ncols < 10)
		return mig_error_set(MIG_EDB, "the history table returned %zu columns, not 10", ncols);
	if (h->want != NULL && mig_map_get(h->want, v[0] ? v[0] : "") == NULL &&
	    !(h->failed && v[9] && strcmp(v[9], "failed") == 0))
		return 0;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->rows = mig_xrealloc(h->rows, h->cap * sizeof(*h->rows));
	}
	a = &h->rows[h->n++];
	memset(a, 0, sizeof(*a));
	a->id = mig_xstrdup(v[0] ? v[0] : "");
	split_ids(a, v[1] ? v[1] : "");
	a->message = mig_xstrdup(v[2] ? v[2] : "");
	copy_sha(a->up_sha256, v[3]);
	copy_sha(a->down_sha256, v[4]);
	a->down_sql = v[5] ? mig_xstrdup(v[5]) : NULL;
	a->applied_at = mig_xstrdup(v[6] ? v[6] : "");
	/* Read as integer microseconds: strtod() would follow the locale's decimal point. */
	a->duration_ms = v[7] ? (double)strtoll(v[7], NULL, 10) / 1000.0 : -1;
	a->mig_version = mig_xstrdup(v[8] ? v[8] : "");
	a->kind = mig_xstrdup(v[9] ? v[9] : "");
	return 0;
}

/* The history rows that pass where (NULL: all), and h->want when set, in the order they were applied. */
static int
read_history(struct mig_db *db, const char *schema, const char *table, bool with_down_sql,
    const char *where, struct history *h, struct mig_applied **out, size_t *n)
{
	char *name = mig_xasprintf("%s_history", table);
	int rc;

	rc = query_table(db, schema, name, with_down_sql ? HISTORY_COLUMNS("down_sql") :
	    HISTORY_COLUMNS("NULL"), where, "applied_seq", collect_history, h);
	free(name);
	if (rc != 0) {
		mig_applied_free(h->rows, h->n);
		return rc;
	}
	*out = h->rows;
	*n = h->n;
	return 0;
}

int
mig_db_read_history_ex(struct mig_db *db, const char *schema, const char *table, bool with_down_sql,
    struct mig_applied **out, size_t *n)
{
	struct history h;

	*out = NULL;
	*n = 0;
	memset(&h, 0, sizeof(h));
	return read_history(db, schema, table, with_down_sql, NULL, &h, out, n);
}

static int
first_value(void *ctx, const char *const *vals, size_t ncols)
{
	char **out = ctx;

	if (*out == NULL && ncols > 0 && vals[0] != NULL)
		*out = mig_xstrdup(vals[0]);
	return 0;
}

/* "PRAGMA schema.cache_size" with " = value" when value is not NULL. */
static void
cache_pragma(struct mig_buf *b, const char *schema, const char *value)
{
	mig_buf_puts(b, "PRAGMA ");
	if (schema != NULL && schema[0] != '\0') {
		mig_sql_ident(b, MIG_SQLITE, schema);
		mig_buf_putc(b, '.');
	}
	mig_buf_puts(b, "cache_size");
	if (value != NULL)
		mig_buf_printf(b, " = %s", value);
}

/*
 * A scan of the whole history table would leave every page it read in SQLite's page cache: a
 * fresh allocation per page, touched once, megabytes for a long history. A cache of a few pages
 * recycles them; *old keeps the connection's size (NULL: nothing to put back). Best effort: the
 * scan works the same without it.
 */
static void
small_cache(struct mig_db *db, const char *schema, char **old)
{
	struct mig_buf sql = MIG_BUF_INIT;

	*old = NULL;
	if (db->ops->dialect != MIG_SQLITE)
		return;
	cache_pragma(&sql, schema, NULL);
	if (db->ops->query(db, sql.ptr, first_value, old) == 0 && *old != NULL) {
		mig_buf_clear(&sql);
		cache_pragma(&sql, schema, "16");
		if (db->ops->exec(db, sql.ptr, NULL) != 0) {
			free(*old);
			*old = NULL;
		}
	}
	mig_error_clear();
	mig_buf_release(&sql);
}

static void
restore_cache(struct mig_db *db, const char *schema, char **old)
{
	struct mig_buf sql = MIG_BUF_INIT;
	char *v = *old;
	size_t i;

	if (v == NULL)
		return;
	/* The value is the database's own answer; it is put back only if it is a plain number. */
	for (i = v[0] == '-'; v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (v[i] == '\0' && i > (size_t)(v[0] == '-')) {
		cache_pragma(&sql, schema, v);
		if (db->ops->exec(db, sql.ptr, NULL) != 0)
			mig_error_clear();
	}
	mig_buf_release(&sql);
	free(v);
	*old = NULL;
}

static int
pass_id(void *ctx, const char *const *vals, size_t ncols)
{
	struct id_walk *w = ctx;

	return ncols > 0 && vals[0] != NULL ? w->fn(w->ctx, vals[0]) : 0;
}

int
mig_db_read_history_ids(struct mig_db *db, const char *schema, const char *table,
    int (*fn)(void *ctx, const char *id), void *ctx)
{
	char *name = mig_xasprintf("%s_history", table);
	struct id_walk w = { fn, ctx };
	int rc;

	/* No ORDER BY: the primary key's index holds every id, and SQLite then reads nothing else. */
	rc = query_table(db, schema, name, "revision", NULL, NULL, pass_id, &w);
	free(name);
	return rc;
}

int
mig_db_read_history_of(struct mig_db *db, const char *schema, const char *table,
    const char *const *ids, size_t nids, bool failed, bool with_down_sql, struct mig_applied **out,
    size_t *n)
{
	enum mig_dialect d = db->ops->dialect;
	struct mig_buf where = MIG_BUF_INIT;
	char *cache = NULL;
	struct mig_map want;
	struct history h;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (nids == 0 && !failed)
		return 0;
	memset(&h, 0, sizeof(h));
	mig_map_init(&want);
	if (nids > HISTORY_IN_MAX) {
		/* Beyond a statement of reasonable length, every row is read and the wanted ones kept. */
		for (i = 0; i < nids; i++)
			mig_map_put(&want, ids[i], (void *)ids[i]);
		h.want = &want;
		h.failed = failed;
	} else {
		if (nids > 0) {
			mig_buf_puts(&where, "revision IN (");
			for (i = 0; i < nids; i++) {
				if (i > 0)
					mig_buf_puts(&where, ", ");
				mig_sql_literal(&where, d, ids[i]);
			}
			mig_buf_putc(&where, ')');
		}
		if (failed)
			mig_buf_puts(&where, nids > 0 ? " OR kind = 'failed'" : "kind = 'failed'");
	}
	/* Failed rows have no index: every row of the table is read, once. */
	if (failed || h.want != NULL)
		small_cache(db, schema, &cache);
	rc = read_history(db, schema, table, with_down_sql, h.want ? NULL : where.ptr, &h, out, n);
	/* After a failed read the size stays small: putting it back could replace the read's message. */
	if (rc == 0)
		restore_cache(db, schema, &cache);
	free(cache);
	mig_buf_release(&where);
	mig_map_release(&want);
	return rc;
}

void
mig_applied_free(struct mig_applied *rows, size_t n)
{
	size_t i, j;

	for (i = 0; rows != NULL && i < n; i++) {
		free(rows[i].id);
		for (j = 0; j < rows[i].ndown; j++)
			free(rows[i].down[j]);
		free(rows[i].down);
		free(rows[i].message);
		free(rows[i].down_sql);
		free(rows[i].applied_at);
		free(rows[i].mig_version);
		free(rows[i].kind);
	}
	free(rows);
}

void
mig_db_interrupt(struct mig_db *db)
{
	if (db && db->ops->interrupt)
		db->ops->interrupt(db);
}
