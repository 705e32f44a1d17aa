/*
 * db_sqlite_introspect.c — SQLite's catalog read into the dialect-neutral schema model (see
 * introspect.h).
 *
 * pg_dump's shape: two set-based queries over sqlite_schema read every object, the tables in name
 * order (the catalog order the model promises), then indexes, views and triggers in creation
 * order. Each table is then read on its own, from the CREATE TABLE statement SQLite keeps and
 * those of its indexes, parsed by sqlite_ddl_parse.c: the same text SQLite's own parser has just
 * read to build the schema the pragmas would report. Where the parser is not certain of what that
 * text means to SQLite (its `exact` flag, and the checks in from_ddl()), the table is read from
 * SQLite's table-valued pragma functions instead (pragma_table_xinfo, pragma_index_list,
 * pragma_index_xinfo, pragma_foreign_key_list), one query per kind bound to the table's name;
 * mig_sqlite_introspect_ex() can ask for that on every table, which is how the tests prove that
 * both ways give the same model. The pragmas are not the default because each call prepares a
 * PRAGMA statement per table and per index: 5,000 prepares, a quarter of `mig inspect`, on a
 * schema of 1,000 tables.
 *
 * What the pragmas do not say (constraint names, CHECK expressions, AUTOINCREMENT, DEFERRABLE,
 * index expressions and predicates) comes from the parsed statements either way. A table's parse
 * and its bookkeeping are released once the table is built, so memory holds the model and one
 * table's parse; repeated types and defaults are stored once in the model. Tables are looked up by
 * name through maps, so the work is linear in the size of the schema.
 *
 * Virtual tables and their shadow tables are left out: they cannot be rebuilt or altered like
 * ordinary tables, and a diff must never offer to drop them.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "introspect.h"
#include "sqlite_ddl_parse.h"

/* A UNIQUE constraint seen as an sqlite_autoindex_* index, named and ordered once all are known. */
struct pending_unique {
	long autoindex;           /* the N of sqlite_autoindex_<table>_N: declaration order */
	const char **columns;
	size_t ncolumns;
};

struct pending_pk {
	int pos;
	const char *column;
};

/* A CREATE INDEX statement of a table, copied from sqlite_schema until the table is read. */
struct index_src {
	const char *name;
	const char *sql;
	struct index_src *next;
};

/* What introspection keeps per table besides the model's struct mig_table. */
struct tinfo {
	struct mig_table *t;
	const char *sql;          /* its CREATE TABLE statement (in scratch: only the options are kept) */
	struct index_src *indexes, **indexes_tail;
	size_t nindexes;
};

struct intro {
	sqlite3 *db;
	struct mig_schema *s;
	const char *skip;
	enum mig_sqlite_read how;
	size_t from_ddl;
	struct tinfo **tabs;
	size_t ntabs, cap_tabs;
	struct mig_map by_name;   /* exact name -> struct tinfo */
	struct mig_map by_lower;  /* ASCII-lowercased name -> struct tinfo, for REFERENCES targets */
	struct mig_map hidden;    /* virtual and shadow tables (names owned by scratch) */
	struct mig_map strings;   /* types and defaults already copied into the model's arena */
	struct mig_arena scratch;
	/* The table being read: its parsed statement, key columns and UNIQUE constraints. */
	struct mig_ddl_table ddl;
	struct pending_pk *pk;
	size_t npk, cap_pk;
	struct pending_unique *uq;
	size_t nuq, cap_uq;
	/* The per-table pragma queries, prepared on first use. */
	sqlite3_stmt *q_columns, *q_indexes, *q_fks;
};

static int query(struct intro *in, sqlite3_stmt **st, const char *sql);
static int step_error(struct intro *in, sqlite3_stmt *st, const char *sql);
static int table_query(struct intro *in, sqlite3_stmt **st, const char *sql, const struct tinfo *ti);
static const char *col_text(sqlite3_stmt *st, int i);
static bool ieq_n(const char *a, const char *b, size_t n);
static bool skipped(const struct intro *in, const char *name);
static char *lower(struct mig_arena *a, const char *s);
static struct tinfo *table_of(struct intro *in, const char *name);
static const char *intern(struct intro *in, const char *s);
static struct pending_pk *add_pending_pk(struct intro *in);
static struct pending_unique *add_pending_unique(struct intro *in);
static int get_hidden_tables(struct intro *in);
static int get_tables(struct intro *in);
static int get_others(struct intro *in);
static int read_table(struct intro *in, struct tinfo *ti);
static size_t column_index(const struct mig_ddl_table *d, const char *name);
static bool resolve_list(const struct mig_ddl_table *d, const char *const *names, size_t n, size_t *idx);
static bool same_set(const size_t *a, const size_t *b, size_t n);
static int cmp_index_src(const void *a, const void *b);
static bool ddl_is_certain(struct intro *in, struct index_src **order, size_t nidx,
    struct mig_ddl_index *ix);
static bool from_ddl(struct intro *in, struct tinfo *ti);
static void build_from_ddl(struct intro *in, struct tinfo *ti, struct index_src *const *order,
    const struct mig_ddl_index *ix, size_t nidx);
static int from_pragmas(struct intro *in, struct tinfo *ti);
static int get_columns(struct intro *in, struct tinfo *ti);
static int get_indexes(struct intro *in, struct tinfo *ti);
static int get_fks(struct intro *in, struct tinfo *ti);
static void finish_table(struct intro *in, struct tinfo *ti);
static void resolve_fk_targets(struct intro *in, struct tinfo *ti);
static bool names_eq(const char *const *a, size_t na, const char *const *b, size_t nb);
static struct mig_column *find_column_ci(const struct mig_table *t, const char *name);
static int cmp_pk(const void *a, const void *b);
static int cmp_uq(const void *a, const void *b);

int
mig_sqlite_introspect(struct mig_schema **out, sqlite3 *db, const char *skip_prefix)
{
	return mig_sqlite_introspect_ex(out, db, skip_prefix, MIG_SQLITE_READ_AUTO, NULL);
}

int
mig_sqlite_introspect_ex(struct mig_schema **out, sqlite3 *db, const char *skip_prefix,
    enum mig_sqlite_read how, size_t *from_ddl)
{
	struct intro in;
	size_t i;
	int rc;

	*out = NULL;
	if (from_ddl)
		*from_ddl = 0;
	if (db == NULL)
		return mig_error_set(MIG_EUSAGE, "introspection needs an open sqlite database");
	memset(&in, 0, sizeof(in));
	in.db = db;
	in.s = mig_schema_new();
	in.skip = skip_prefix && *skip_prefix ? skip_prefix : NULL;
	in.how = how;
	mig_map_init(&in.by_name);
	mig_map_init(&in.by_lower);
	mig_map_init(&in.hidden);
	mig_map_init(&in.strings);
	mig_arena_init(&in.scratch);

	if ((rc = get_hidden_tables(&in)) < 0 || (rc = get_tables(&in)) < 0 || (rc = get_others(&in)) < 0)
		goto cleanup;
	for (i = 0; i < in.ntabs; i++)
		if ((rc = read_table(&in, in.tabs[i])) < 0)
			goto cleanup;
	/* Foreign keys that name no parent columns need every parent's primary key first. */
	for (i = 0; i < in.ntabs; i++)
		resolve_fk_targets(&in, in.tabs[i]);
	*out = in.s;
	in.s = NULL;
	if (from_ddl)
		*from_ddl = in.from_ddl;
cleanup:
	sqlite3_finalize(in.q_columns);
	sqlite3_finalize(in.q_indexes);
	sqlite3_finalize(in.q_fks);
	mig_ddl_table_release(&in.ddl);
	free(in.pk);
	free(in.uq);
	free(in.tabs);
	mig_map_release(&in.by_name);
	mig_map_release(&in.by_lower);
	mig_map_release(&in.hidden);
	mig_map_release(&in.strings);
	mig_arena_release(&in.scratch);
	mig_schema_free(in.s);
	return rc;
}

static int
query(struct intro *in, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(in->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
		    sqlite3_errmsg(in->db), sql);
	}
	return 0;
}

static int
step_error(struct intro *in, sqlite3_stmt *st, const char *sql)
{
	int rc = mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
	    sqlite3_errmsg(in->db), sql);

	sqlite3_finalize(st);
	return rc;
}

/* *st prepared once (sql), reset and bound to the table's name: one table's pragma rows. */
static int
table_query(struct intro *in, sqlite3_stmt **st, const char *sql, const struct tinfo *ti)
{
	int rc;

	if (*st == NULL && (rc = query(in, st, sql)) < 0)
		return rc;
	sqlite3_reset(*st);
	if (sqlite3_bind_text(*st, 1, ti->t->name, -1, SQLITE_STATIC) != SQLITE_OK)
		return mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
		    sqlite3_errmsg(in->db), sql);
	return 0;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static bool
ieq_n(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
	return true;
}

/* SQLite's internal tables, the version table and its history table are never part of a model. */
static bool
skipped(const struct intro *in, const char *name)
{
	size_t n;

	if (ieq_n(name, "sqlite_", 7))
		return true;
	if (mig_map_get(&in->hidden, name))
		return true;
	if (in->skip == NULL)
		return false;
	n = strlen(in->skip);
	return mig_sqlite_ident_eq(name, in->skip) ||
	    (strlen(name) == n + 8 && ieq_n(name, in->skip, n) && ieq_n(name + n, "_history", 9));
}

static char *
lower(struct mig_arena *a, const char *s)
{
	char *p = mig_arena_strdup(a, s), *q;

	for (q = p; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q += 'a' - 'A';
	return p;
}

static struct tinfo *
table_of(struct intro *in, const char *name)
{
	return name ? mig_map_get(&in->by_name, name) : NULL;
}

/*
 * s copied into the model's arena once: a schema repeats a few types, defaults and referenced
 * column names thousands of times. The model's strings are never written to, so sharing them is
 * safe.
 */
static const char *
intern(struct intro *in, const char *s)
{
	char *copy;

	if (s == NULL)
		return NULL;
	if ((copy = mig_map_get(&in->strings, s)) == NULL) {
		copy = mig_arena_strdup(&in->s->arena, s);
		mig_map_put(&in->strings, copy, copy);
	}
	return copy;
}

static struct pending_pk *
add_pending_pk(struct intro *in)
{
	if (in->npk == in->cap_pk) {
		in->cap_pk = in->cap_pk ? in->cap_pk * 2 : 4;
		in->pk = mig_xrealloc(in->pk, in->cap_pk * sizeof(*in->pk));
	}
	return &in->pk[in->npk++];
}

static struct pending_unique *
add_pending_unique(struct intro *in)
{
	struct pending_unique *u;

	if (in->nuq == in->cap_uq) {
		in->cap_uq = in->cap_uq ? in->cap_uq * 2 : 4;
		in->uq = mig_xrealloc(in->uq, in->cap_uq * sizeof(*in->uq));
	}
	u = &in->uq[in->nuq++];
	memset(u, 0, sizeof(*u));
	return u;
}

/*
 * Virtual tables and their shadow tables, from pragma_table_list (SQLite 3.37+). On an older
 * SQLite the pragma does not exist; shadow tables then appear as ordinary tables, which is what
 * that SQLite itself would report too.
 */
static int
get_hidden_tables(struct intro *in)
{
	static const char sql[] =
	    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('virtual', 'shadow')";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0);

		if (name)
			mig_map_put(&in->hidden, mig_arena_strdup(&in->scratch, name), in);
	}
	if (rc != SQLITE_DONE)
		return step_error(in, st, sql);
	sqlite3_finalize(st);
	return 0;
}

/* Tables in name order, the catalog order the model promises; their statements are read later. */
static int
get_tables(struct intro *in)
{
	static const char sql[] =
	    "SELECT name, sql FROM main.sqlite_schema "
	    "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0), *text = col_text(st, 1);
		struct tinfo *ti;

		if (name == NULL || text == NULL || skipped(in, name) ||
		    mig_str_startswith(text, "CREATE VIRTUAL "))
			continue;
		ti = mig_arena_alloc(&in->scratch, sizeof(*ti));
		ti->t = mig_schema_add_table(in->s, name);
		ti->sql = mig_arena_strdup(&in->scratch, text);
		ti->indexes_tail = &ti->indexes;
		if (in->ntabs == in->cap_tabs) {
			in->cap_tabs = in->cap_tabs ? in->cap_tabs * 2 : 16;
			in->tabs = mig_xrealloc(in->tabs, in->cap_tabs * sizeof(*in->tabs));
		}
		in->tabs[in->ntabs++] = ti;
		mig_map_put(&in->by_name, ti->t->name, ti);
		mig_map_put(&in->by_lower, lower(&in->scratch, name), ti);
	}
	if (rc != SQLITE_DONE)
		return step_error(in, st, sql);
	sqlite3_finalize(st);
	return 0;
}

/*
 * CREATE INDEX statements, kept with their table (automatic indexes have no statement and come
 * from the table's constraints), and views and triggers in creation order (rowid), an order in
 * which they can be created again.
 */
static int
get_others(struct intro *in)
{
	static const char sql[] =
	    "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
	    "WHERE type IN ('index', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	    "ORDER BY rowid";
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = col_text(st, 0), *name = col_text(st, 1);
		const char *tbl = col_text(st, 2), *text = col_text(st, 3);
		struct tinfo *ti;
		struct index_src *x;

		if (type == NULL || name == NULL || text == NULL)
			continue;
		if (strcmp(type, "index") != 0) {
			/* Triggers on the version tables belong to them, not to the model. */
			if (strcmp(type, "trigger") == 0 && tbl && skipped(in, tbl))
				continue;
			mig_schema_add_extra(in->s, type, name, strcmp(type, "trigger") == 0 ? tbl : NULL, text);
			continue;
		}
		/* tbl_name is the table's own spelling; SQLite matches names without regard to case. */
		if (tbl == NULL)
			continue;
		if ((ti = table_of(in, tbl)) == NULL &&
		    (ti = mig_map_get(&in->by_lower, lower(&in->scratch, tbl))) == NULL)
			continue;
		x = mig_arena_alloc(&in->scratch, sizeof(*x));
		x->name = mig_arena_strdup(&in->scratch, name);
		x->sql = mig_arena_strdup(&in->scratch, text);
		*ti->indexes_tail = x;
		ti->indexes_tail = &x->next;
		ti->nindexes++;
	}
	if (rc != SQLITE_DONE)
		return step_error(in, st, sql);
	sqlite3_finalize(st);
	return 0;
}

/*
 * WITHOUT ROWID / STRICT after the closing parenthesis of a CREATE TABLE, which a rebuild must
 * repeat; NULL when there is none or the tail is anything else (a comment).
 */
static const char *
table_options(struct intro *in, const char *sql)
{
	const char *p, *q;
	size_t n;

	if ((p = strrchr(sql, ')')) == NULL)
		return NULL;
	for (p++; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
	    p[n - 1] == '\r' || p[n - 1] == ';'))
		n--;
	for (q = p; q < p + n; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == ' ' || *q == ','))
			return NULL;
	return n ? mig_arena_strndup(&in->s->arena, p, n) : NULL;
}

/* One table: its statement parsed, the model filled from it or from the pragmas, then released. */
static int
read_table(struct intro *in, struct tinfo *ti)
{
	int rc = 0;

	if ((rc = mig_sqlite_parse_create_table(&in->ddl, ti->sql)) < 0) {
		mig_error_prefix("table '%s': cannot read its CREATE TABLE statement", ti->t->name);
		return rc;
	}
	ti->t->options = table_options(in, ti->sql);
	in->npk = 0;
	in->nuq = 0;
	if (in->how == MIG_SQLITE_READ_AUTO && from_ddl(in, ti))
		in->from_ddl++;
	else if ((rc = from_pragmas(in, ti)) < 0)
		goto done;
	finish_table(in, ti);
done:
	mig_ddl_table_release(&in->ddl);
	return rc;
}

/* The position of the column SQLite would match name with (case-insensitively); SIZE_MAX if none. */
static size_t
column_index(const struct mig_ddl_table *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ncolumns; i++)
		if (mig_sqlite_ident_eq(d->columns[i], name))
			return i;
	return SIZE_MAX;
}

/* Resolves n names to column positions; false when one is not a column or one repeats. */
static bool
resolve_list(const struct mig_ddl_table *d, const char *const *names, size_t n, size_t *idx)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if ((idx[i] = column_index(d, names[i])) == SIZE_MAX)
			return false;
		for (j = 0; j < i; j++)
			if (idx[j] == idx[i])
				return false;
	}
	return true;
}

/* Two lists of n distinct columns hold the same columns. */
static bool
same_set(const size_t *a, const size_t *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && b[j] != a[i]; j++)
			;
		if (j == n)
			return false;
	}
	return true;
}

static int
cmp_index_src(const void *a, const void *b)
{
	const struct index_src *x = *(const struct index_src *const *)a;
	const struct index_src *y = *(const struct index_src *const *)b;

	return strcmp(x->name, y->name);
}

/*
 * Whether the parsed statements say exactly what the pragmas would: the parser is certain of
 * every element (exact), every key, UNIQUE and foreign key column names a column of the table
 * once, and no UNIQUE constraint repeats the primary key's or another one's columns (SQLite then
 * makes one automatic index for both: the pragmas know which survives). ix receives each index's
 * parse (in order); the caller releases it.
 */
static bool
ddl_is_certain(struct intro *in, struct index_src **order, size_t nidx, struct mig_ddl_index *ix)
{
	const struct mig_ddl_table *d = &in->ddl;
	size_t **keys = NULL, *nkeys = NULL, nk = 0, i, j;
	bool ok = d->exact && d->ncolumns > 0;

	/* Key lists: the primary key first, then each UNIQUE constraint. */
	keys = mig_xcalloc(d->nuniques + 1, sizeof(*keys));
	nkeys = mig_xcalloc(d->nuniques + 1, sizeof(*nkeys));
	if (ok && d->npk_columns > 0) {
		keys[nk] = mig_xcalloc(d->npk_columns, sizeof(**keys));
		nkeys[nk] = d->npk_columns;
		ok = resolve_list(d, d->pk_columns, d->npk_columns, keys[nk++]);
	}
	for (i = 0; ok && i < d->nuniques; i++) {
		keys[nk] = mig_xcalloc(d->uniques[i].ncolumns + 1, sizeof(**keys));
		nkeys[nk] = d->uniques[i].ncolumns;
		ok = resolve_list(d, d->uniques[i].columns, d->uniques[i].ncolumns, keys[nk]);
		for (j = 0; ok && j < nk; j++)
			if (nkeys[j] == nkeys[nk] && same_set(keys[j], keys[nk], nkeys[nk]))
				ok = false;
		nk++;
	}
	for (i = 0; ok && i < d->nfks; i++) {
		const struct mig_ddl_fk *f = &d->fks[i];

		ok = f->ncolumns > 0 && (f->nref_columns == 0 || f->nref_columns == f->ncolumns);
		for (j = 0; ok && j < f->ncolumns; j++)
			ok = column_index(d, f->columns[j]) != SIZE_MAX;
	}
	for (i = 0; ok && i < nidx; i++) {
		/* A statement that does not parse is reported by the pragma path, as it always was. */
		if (mig_sqlite_parse_create_index(&ix[i], order[i]->sql) < 0 || !ix[i].exact) {
			mig_error_clear();
			ok = false;
			break;
		}
		for (j = 0; ok && j < ix[i].nentries; j++)
			if (ix[i].names[j] != NULL && column_index(d, ix[i].names[j]) == SIZE_MAX)
				ok = false;
	}
	for (i = 0; i < nk; i++)
		free(keys[i]);
	free(keys);
	free(nkeys);
	return ok;
}

/* The table from its statements alone; false (and nothing added) when they are not certain. */
static bool
from_ddl(struct intro *in, struct tinfo *ti)
{
	struct index_src **order, *x;
	struct mig_ddl_index *ix;
	size_t i;
	bool ok;

	order = mig_xcalloc(ti->nindexes + 1, sizeof(*order));
	ix = mig_xcalloc(ti->nindexes + 1, sizeof(*ix));
	for (i = 0, x = ti->indexes; x; x = x->next)
		order[i++] = x;
	/* The model lists indexes as pragma_index_list ordered by name does (BINARY). */
	qsort(order, ti->nindexes, sizeof(*order), cmp_index_src);
	ok = ddl_is_certain(in, order, ti->nindexes, ix);
	if (ok)
		build_from_ddl(in, ti, order, ix, ti->nindexes);
	for (i = 0; i < ti->nindexes; i++)
		mig_ddl_index_release(&ix[i]);
	free(ix);
	free(order);
	return ok;
}

/*
 * What the pragmas would have given, from the statements ddl_is_certain() accepted: columns with
 * SQLite's normalised type and default text, key positions, UNIQUE constraints in declaration
 * order (their automatic indexes' order), indexes in name order with plain-column terms spelled as
 * the table spells them, foreign keys in declaration order. Names of columns are those of the
 * table; lists of names point at the model's own column names.
 */
static void
build_from_ddl(struct intro *in, struct tinfo *ti, struct index_src *const *order,
    const struct mig_ddl_index *ix, size_t nidx)
{
	const struct mig_ddl_table *d = &in->ddl;
	struct mig_schema *s = in->s;
	struct mig_table *t = ti->t;
	size_t i, j;

	for (i = 0; i < d->ncolumns; i++) {
		struct mig_column *c = mig_table_add_column(s, t, d->columns[i]);
		const struct mig_ddl_coldef *def = &d->defs[i];
		bool key = false;

		for (j = 0; d->without_rowid && j < d->npk_columns; j++)
			key |= column_index(d, d->pk_columns[j]) == i;
		c->type = intern(in, def->type);
		/* SQLite marks the key columns of a WITHOUT ROWID table NOT NULL. */
		c->nullable = !def->notnull && !key;
		c->default_sql = intern(in, def->dflt);
	}
	for (i = 0; i < d->npk_columns; i++) {
		struct pending_pk *k = add_pending_pk(in);

		k->pos = (int)i + 1;
		k->column = t->columns[column_index(d, d->pk_columns[i])]->name;
	}
	for (i = 0; i < d->nuniques; i++) {
		struct pending_unique *u = add_pending_unique(in);

		u->autoindex = (long)i;
		u->ncolumns = d->uniques[i].ncolumns;
		u->columns = mig_arena_alloc(&s->arena, u->ncolumns * sizeof(*u->columns));
		for (j = 0; j < u->ncolumns; j++)
			u->columns[j] = t->columns[column_index(d, d->uniques[i].columns[j])]->name;
	}
	for (i = 0; i < nidx; i++) {
		const struct mig_ddl_index *p = &ix[i];
		/* The catalog's name, which is what pragma_index_list reports. */
		struct mig_index *x = mig_table_add_index(s, t, order[i]->name);
		bool any_expr = false;

		x->unique = p->unique;
		x->where = mig_arena_strdup(&s->arena, p->where);
		x->ncolumns = p->nentries;
		x->columns = mig_arena_alloc(&s->arena, x->ncolumns * sizeof(*x->columns));
		for (j = 0; j < p->nentries; j++) {
			if (p->names[j] != NULL) {
				x->columns[j] = t->columns[column_index(d, p->names[j])]->name;
			} else {
				x->columns[j] = mig_arena_strdup(&s->arena, p->entries[j]);
				any_expr = true;
			}
		}
		/* expr stays NULL while every term is a plain column, as schema.h promises. */
		if (any_expr) {
			bool *expr = mig_arena_alloc(&s->arena, x->ncolumns * sizeof(*expr));

			for (j = 0; j < p->nentries; j++)
				expr[j] = p->names[j] == NULL;
			x->expr = expr;
		}
	}
	for (i = 0; i < d->nfks; i++) {
		const struct mig_ddl_fk *f = &d->fks[i];
		struct mig_fk *fk = mig_table_add_fk(s, t, NULL);

		fk->ref_table = intern(in, f->ref_table);
		fk->on_update = f->on_update && strcmp(f->on_update, "NO ACTION") != 0 ?
		    intern(in, f->on_update) : NULL;
		fk->on_delete = f->on_delete && strcmp(f->on_delete, "NO ACTION") != 0 ?
		    intern(in, f->on_delete) : NULL;
		fk->ncolumns = f->ncolumns;
		fk->columns = mig_arena_alloc(&s->arena, f->ncolumns * sizeof(*fk->columns));
		for (j = 0; j < f->ncolumns; j++)
			fk->columns[j] = t->columns[column_index(d, f->columns[j])]->name;
		/* A key that names no parent columns is resolved with the parent's primary key later. */
		if (f->nref_columns > 0) {
			fk->ref_columns = mig_arena_alloc(&s->arena, f->ncolumns * sizeof(*fk->ref_columns));
			for (j = 0; j < f->ncolumns; j++)
				fk->ref_columns[j] = intern(in, f->ref_columns[j]);
		}
	}
}

/* The table from SQLite's pragma functions, one query per kind bound to its name. */
static int
from_pragmas(struct intro *in, struct tinfo *ti)
{
	int rc;

	if ((rc = get_columns(in, ti)) < 0 || (rc = get_indexes(in, ti)) < 0 || (rc = get_fks(in, ti)) < 0)
		return rc;
	return 0;
}

/* Every column in order; pk is the column's position in the primary key. */
static int
get_columns(struct intro *in, struct tinfo *ti)
{
	static const char sql[] =
	    "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
	    "FROM pragma_table_xinfo(?1, 'main') ORDER BY cid";
	sqlite3_stmt *st;
	int rc;

	if ((rc = table_query(in, &in->q_columns, sql, ti)) < 0)
		return rc;
	st = in->q_columns;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0), *type = col_text(st, 1);
		struct mig_column *c;
		int pk = sqlite3_column_int(st, 4);

		/* hidden 1: a virtual table's hidden column; 2 and 3 (generated) are real columns. */
		if (name == NULL || sqlite3_column_int(st, 5) == 1)
			continue;
		c = mig_table_add_column(in->s, ti->t, name);
		c->type = intern(in, type ? type : "");
		c->nullable = sqlite3_column_int(st, 2) == 0;
		c->default_sql = intern(in, col_text(st, 3));
		if (pk > 0) {
			struct pending_pk *k = add_pending_pk(in);

			k->pos = pk;
			k->column = c->name;
		}
	}
	if (rc != SQLITE_DONE)
		return mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
		    sqlite3_errmsg(in->db), sql);
	sqlite3_reset(st);
	return 0;
}

/*
 * Indexes with their key terms, one row per term. origin 'c' is a CREATE INDEX (its SQL, kept
 * from sqlite_schema by get_others(), gives expression terms, cid -2, and the WHERE of a partial
 * index); 'u' is the automatic index of a UNIQUE constraint, kept as a constraint; 'pk' belongs
 * to the primary key, already known. (Joining sqlite_schema here would make SQLite build an
 * automatic index over it for every table.)
 */
static int
get_indexes(struct intro *in, struct tinfo *ti)
{
	static const char sql[] =
	    "SELECT il.name, il.\"unique\", il.origin, il.partial, ii.seqno, ii.cid, ii.name "
	    "FROM pragma_index_list(?1, 'main') AS il JOIN pragma_index_xinfo(il.name, 'main') AS ii "
	    "WHERE ii.key AND il.origin <> 'pk' ORDER BY il.name, ii.seqno";
	struct mig_ddl_index ddl;
	struct mig_index *x = NULL;
	struct pending_unique *u = NULL;
	const char *cur_index = NULL;
	sqlite3_stmt *st;
	int rc;

	memset(&ddl, 0, sizeof(ddl));
	if ((rc = table_query(in, &in->q_indexes, sql, ti)) < 0)
		return rc;
	st = in->q_indexes;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *iname = col_text(st, 0), *origin = col_text(st, 2), *term = col_text(st, 6);
		int seqno = sqlite3_column_int(st, 4), cid = sqlite3_column_int(st, 5);

		if (iname == NULL || origin == NULL)
			continue;
		if (cur_index == NULL || strcmp(cur_index, iname) != 0) {
			/* The first term of a new index. */
			x = NULL;
			u = NULL;
			mig_ddl_index_release(&ddl);
			cur_index = mig_arena_strdup(&in->scratch, iname);
			if (strcmp(origin, "u") == 0) {
				const char *num = strrchr(iname, '_');

				u = add_pending_unique(in);
				u->autoindex = num ? strtol(num + 1, NULL, 10) : 0;
			} else {
				const char *text = NULL;
				const struct index_src *src;

				for (src = ti->indexes; src && text == NULL; src = src->next)
					if (strcmp(src->name, iname) == 0)
						text = src->sql;
				if (text && (rc = mig_sqlite_parse_create_index(&ddl, text)) < 0) {
					mig_error_prefix("index '%s': cannot read its CREATE INDEX statement", iname);
					sqlite3_reset(st);
					return rc;
				}
				x = mig_table_add_index(in->s, ti->t, iname);
				x->unique = sqlite3_column_int(st, 1) != 0;
				if (sqlite3_column_int(st, 3) && ddl.where)
					x->where = mig_arena_strdup(&in->s->arena, ddl.where);
			}
		}
		if (u) {
			/* The pointer stays valid: nothing else is added to in->uq until this index ends. */
			mig_strlist_add(in->s, &u->columns, &u->ncolumns, term ? term : "");
		} else if (x) {
			const char *text = term;

			if (cid == -2) {
				if (seqno < 0 || (size_t)seqno >= ddl.nentries) {
					sqlite3_reset(st);
					mig_ddl_index_release(&ddl);
					return mig_error_set(MIG_EPARSE, "index '%s': expression term %d not found "
					    "in its CREATE INDEX statement", iname, seqno + 1);
				}
				text = ddl.entries[seqno];
			} else if (cid == -1 || text == NULL) {
				text = "rowid";
			}
			/* expr stays NULL while every term is a plain column, as schema.h promises. */
			if (x->expr || cid == -2) {
				bool *expr = mig_arena_alloc(&in->s->arena, (x->ncolumns + 1) * sizeof(*expr));

				if (x->expr)
					memcpy(expr, x->expr, x->ncolumns * sizeof(*expr));
				expr[x->ncolumns] = cid == -2;
				x->expr = expr;
			}
			mig_strlist_add(in->s, &x->columns, &x->ncolumns, text);
		}
	}
	mig_ddl_index_release(&ddl);
	if (rc != SQLITE_DONE)
		return mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
		    sqlite3_errmsg(in->db), sql);
	sqlite3_reset(st);
	return 0;
}

/*
 * Foreign keys, one row per column pair. SQLite numbers a table's foreign keys from the last
 * declared (id 0), so id DESC is declaration order.
 */
static int
get_fks(struct intro *in, struct tinfo *ti)
{
	static const char sql[] =
	    "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
	    "FROM pragma_foreign_key_list(?1, 'main') ORDER BY id DESC, seq";
	struct mig_fk *fk = NULL;
	int cur_id = -1;
	bool any_to = false;
	sqlite3_stmt *st;
	int rc;

	if ((rc = table_query(in, &in->q_fks, sql, ti)) < 0)
		return rc;
	st = in->q_fks;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *from = col_text(st, 2), *to = col_text(st, 3);
		int id = sqlite3_column_int(st, 0);
		size_t n;

		if (fk == NULL || id != cur_id) {
			const char *upd = col_text(st, 4), *del = col_text(st, 5);

			if (fk && !any_to)
				fk->ref_columns = NULL;
			cur_id = id;
			any_to = false;
			fk = mig_table_add_fk(in->s, ti->t, NULL);
			fk->ref_table = intern(in, col_text(st, 1));
			fk->on_update = upd && strcmp(upd, "NO ACTION") != 0 ? intern(in, upd) : NULL;
			fk->on_delete = del && strcmp(del, "NO ACTION") != 0 ? intern(in, del) : NULL;
		}
		mig_strlist_add(in->s, &fk->columns, &fk->ncolumns, from ? from : "");
		/* ref_columns is filled in step; a key that names no parent columns is resolved later. */
		n = fk->ncolumns - 1;
		mig_strlist_add(in->s, &fk->ref_columns, &n, to ? to : "");
		any_to |= to != NULL;
	}
	if (fk && !any_to)
		fk->ref_columns = NULL;
	if (rc != SQLITE_DONE)
		return mig_error_set(MIG_EDB, "cannot read the sqlite catalog: %s (query: %s)",
		    sqlite3_errmsg(in->db), sql);
	sqlite3_reset(st);
	return 0;
}

static bool
names_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!mig_sqlite_ident_eq(a[i], b[i]))
			return false;
	return true;
}

static struct mig_column *
find_column_ci(const struct mig_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncolumns; i++)
		if (mig_sqlite_ident_eq(t->columns[i]->name, name))
			return t->columns[i];
	return NULL;
}

static int
cmp_pk(const void *a, const void *b)
{
	const struct pending_pk *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int
cmp_uq(const void *a, const void *b)
{
	const struct pending_unique *x = a, *y = b;

	return (x->autoindex > y->autoindex) - (x->autoindex < y->autoindex);
}

/* Primary key, AUTOINCREMENT, UNIQUE and CHECK constraints, and the names only the SQL holds. */
static void
finish_table(struct intro *in, struct tinfo *ti)
{
	struct mig_table *t = ti->t;
	struct mig_ddl_table *d = &in->ddl;
	bool *used = NULL;
	size_t i, j;

	if (in->npk > 1)
		qsort(in->pk, in->npk, sizeof(*in->pk), cmp_pk);
	for (i = 0; i < in->npk; i++)
		mig_table_add_pk(in->s, t, in->pk[i].column);
	t->pk_name = mig_arena_strdup(&in->s->arena, d->pk_name);
	if (d->autoincrement) {
		struct mig_column *c = find_column_ci(t, d->autoincrement);

		if (c)
			c->autoincrement = true;
	}
	/*
	 * A primary key column cannot hold NULL when it is the rowid (INTEGER PRIMARY KEY) or in a
	 * WITHOUT ROWID table, whatever pragma table_info's notnull says.
	 */
	for (i = 0; i < t->npk; i++) {
		struct mig_column *c = mig_table_find_column(t, t->pk[i]);
		bool rowid = t->npk == 1 && c && mig_sqlite_ident_eq(c->type, "INTEGER") && !d->pk_desc;

		if (c && (rowid || d->without_rowid))
			c->nullable = false;
	}

	if (in->nuq > 1)
		qsort(in->uq, in->nuq, sizeof(*in->uq), cmp_uq);
	/* Parsed constraints already given to a catalog object: each names one object at most. */
	used = mig_xcalloc(d->nuniques + d->nfks + 1, sizeof(*used));
	for (i = 0; i < in->nuq; i++) {
		struct mig_unique *u;
		const char *name = NULL;

		for (j = 0; j < d->nuniques; j++) {
			if (!used[j] && names_eq(in->uq[i].columns, in->uq[i].ncolumns,
			    d->uniques[j].columns, d->uniques[j].ncolumns)) {
				used[j] = true;
				name = d->uniques[j].name;
				break;
			}
		}
		u = mig_table_add_unique(in->s, t, name);
		u->columns = in->uq[i].columns;
		u->ncolumns = in->uq[i].ncolumns;
	}

	for (i = 0; i < d->nchecks; i++) {
		struct mig_check *c = mig_table_add_check(in->s, t, d->checks[i].name);

		c->expr = mig_arena_strdup(&in->s->arena, d->checks[i].expr);
	}

	/* Constraint names and DEFERRABLE of foreign keys, matched on columns and parent table. */
	for (i = 0; i < t->nfks; i++) {
		struct mig_fk *fk = t->fks[i];
		const struct mig_ddl_fk *m = NULL;

		for (j = 0; j < d->nfks; j++) {
			bool *fk_used = &used[d->nuniques + j];

			if (!*fk_used && mig_sqlite_ident_eq(d->fks[j].ref_table, fk->ref_table) &&
			    names_eq(fk->columns, fk->ncolumns, d->fks[j].columns, d->fks[j].ncolumns)) {
				*fk_used = true;
				m = &d->fks[j];
				break;
			}
		}
		if (m == NULL)
			continue;
		fk->name = mig_arena_strdup(&in->s->arena, m->name);
		fk->deferrable = m->deferrable;
		fk->initially_deferred = m->initially_deferred;
	}
	free(used);
}

/*
 * A foreign key's parent: the table's own spelling of its name and columns, and the parent's
 * primary key when the clause named no columns. A parent that does not exist (SQLite allows it)
 * keeps the name as written and, without columns, ref_columns NULL.
 */
static void
resolve_fk_targets(struct intro *in, struct tinfo *ti)
{
	size_t i, j;

	for (i = 0; i < ti->t->nfks; i++) {
		struct mig_fk *fk = ti->t->fks[i];
		struct tinfo *parent;

		if (fk->ref_table == NULL ||
		    (parent = mig_map_get(&in->by_lower, lower(&in->scratch, fk->ref_table))) == NULL)
			continue;
		fk->ref_table = parent->t->name;
		if (fk->ref_columns == NULL) {
			if (parent->t->npk == fk->ncolumns)
				fk->ref_columns = parent->t->pk;
			continue;
		}
		for (j = 0; j < fk->ncolumns; j++) {
			struct mig_column *c = find_column_ci(parent->t, fk->ref_columns[j]);

			if (c)
				fk->ref_columns[j] = c->name;
		}
	}
}
