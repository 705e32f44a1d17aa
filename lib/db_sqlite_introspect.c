/*
 * db_sqlite_introspect.c — SQLite's catalog read into the dialect-neutral schema model (see
 * introspect.h).
 *
 * pg_dump's shape: one set-based query per kind of object, each joining sqlite_schema with a
 * table-valued pragma function over every table at once (columns, indexes with their terms,
 * foreign keys), ordered so that rows of one table and one object arrive together; rows are copied
 * into the model as they come. What the pragmas do not say (constraint names, CHECK expressions,
 * AUTOINCREMENT, DEFERRABLE, index expressions and predicates) is read from the stored CREATE
 * statements by sqlite_ddl_parse.c. Tables are looked up by name through maps, so the work is
 * linear in the size of the schema.
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

/* What introspection keeps per table besides the model's struct mig_table. */
struct tinfo {
	struct mig_table *t;
	struct mig_ddl_table ddl;
	struct pending_pk *pk;
	size_t npk, cap_pk;
	struct pending_unique *uq;
	size_t nuq, cap_uq;
};

struct intro {
	sqlite3 *db;
	struct mig_schema *s;
	const char *skip;
	struct tinfo **tabs;
	size_t ntabs, cap_tabs;
	struct mig_map by_name;   /* exact name -> struct tinfo */
	struct mig_map by_lower;  /* ASCII-lowercased name -> struct tinfo, for REFERENCES targets */
	struct mig_map hidden;    /* virtual and shadow tables (names owned by scratch) */
	struct mig_arena scratch;
};

static int query(struct intro *in, sqlite3_stmt **st, const char *sql);
static int step_error(struct intro *in, sqlite3_stmt *st, const char *sql);
static const char *col_text(sqlite3_stmt *st, int i);
static bool ieq_n(const char *a, const char *b, size_t n);
static bool skipped(const struct intro *in, const char *name);
static char *lower(struct mig_arena *a, const char *s);
static struct tinfo *table_of(struct intro *in, const char *name);
static int get_hidden_tables(struct intro *in);
static int get_objects(struct intro *in);
static int get_columns(struct intro *in);
static int get_indexes(struct intro *in);
static int get_fks(struct intro *in);
static void finish_table(struct intro *in, struct tinfo *ti);
static void resolve_fk_targets(struct intro *in, struct tinfo *ti);
static bool names_eq(const char *const *a, size_t na, const char *const *b, size_t nb);
static struct mig_column *find_column_ci(const struct mig_table *t, const char *name);
static int cmp_pk(const void *a, const void *b);
static int cmp_uq(const void *a, const void *b);

/* The filter every query applies to sqlite_schema rows; virtual tables have no pragma data. */
#define USER_TABLES "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " \
	"AND m.sql NOT LIKE 'CREATE VIRTUAL %'"

int
mig_sqlite_introspect(struct mig_schema **out, sqlite3 *db, const char *skip_prefix)
{
	struct intro in;
	size_t i;
	int rc;

	*out = NULL;
	if (db == NULL)
		return mig_error_set(MIG_EUSAGE, "introspection needs an open sqlite database");
	memset(&in, 0, sizeof(in));
	in.db = db;
	in.s = mig_schema_new();
	in.skip = skip_prefix && *skip_prefix ? skip_prefix : NULL;
	mig_map_init(&in.by_name);
	mig_map_init(&in.by_lower);
	mig_map_init(&in.hidden);
	mig_arena_init(&in.scratch);

	if ((rc = get_hidden_tables(&in)) < 0 || (rc = get_objects(&in)) < 0 ||
	    (rc = get_columns(&in)) < 0 || (rc = get_indexes(&in)) < 0 || (rc = get_fks(&in)) < 0)
		goto cleanup;
	for (i = 0; i < in.ntabs; i++)
		finish_table(&in, in.tabs[i]);
	/* Foreign keys that name no parent columns need every parent's primary key first. */
	for (i = 0; i < in.ntabs; i++)
		resolve_fk_targets(&in, in.tabs[i]);
	*out = in.s;
	in.s = NULL;
cleanup:
	for (i = 0; i < in.ntabs; i++) {
		mig_ddl_table_release(&in.tabs[i]->ddl);
		free(in.tabs[i]->pk);
		free(in.tabs[i]->uq);
	}
	free(in.tabs);
	mig_map_release(&in.by_name);
	mig_map_release(&in.by_lower);
	mig_map_release(&in.hidden);
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

/*
 * Tables in name order (the catalog order the model promises), then views and triggers in
 * creation order (rowid), which is an order in which they can be created again.
 */
static int
get_objects(struct intro *in)
{
	static const char sql[] =
	    "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
	    "WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	    "ORDER BY type <> 'table', CASE WHEN type = 'table' THEN name END, rowid";
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = col_text(st, 0), *name = col_text(st, 1);
		const char *tbl = col_text(st, 2), *text = col_text(st, 3);
		struct tinfo *ti;

		if (type == NULL || name == NULL || text == NULL)
			continue;
		if (strcmp(type, "table") != 0) {
			/* Triggers on the version tables belong to them, not to the model. */
			if (strcmp(type, "trigger") == 0 && tbl && skipped(in, tbl))
				continue;
			mig_schema_add_extra(in->s, type, name, strcmp(type, "trigger") == 0 ? tbl : NULL, text);
			continue;
		}
		if (skipped(in, name) || mig_str_startswith(text, "CREATE VIRTUAL "))
			continue;
		ti = mig_arena_alloc(&in->scratch, sizeof(*ti));
		if ((rc = mig_sqlite_parse_create_table(&ti->ddl, text)) < 0) {
			mig_error_prefix("table '%s': cannot read its CREATE TABLE statement", name);
			sqlite3_finalize(st);
			return rc;
		}
		ti->t = mig_schema_add_table(in->s, name);
		ti->t->sql = mig_arena_strdup(&in->s->arena, text);
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

/* Every column of every table in one pass; pk is the column's position in the primary key. */
static int
get_columns(struct intro *in)
{
	static const char sql[] =
	    "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
	    "FROM main.sqlite_schema AS m JOIN pragma_table_xinfo(m.name, 'main') AS p "
	    "WHERE " USER_TABLES " ORDER BY m.name, p.cid";
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tinfo *ti = table_of(in, col_text(st, 0));
		const char *name = col_text(st, 1), *type = col_text(st, 2);
		struct mig_column *c;
		int pk = sqlite3_column_int(st, 5);

		/* hidden 1: a virtual table's hidden column; 2 and 3 (generated) are real columns. */
		if (ti == NULL || name == NULL || sqlite3_column_int(st, 6) == 1)
			continue;
		c = mig_table_add_column(in->s, ti->t, name);
		c->type = mig_arena_strdup(&in->s->arena, type ? type : "");
		c->nullable = sqlite3_column_int(st, 3) == 0;
		c->default_sql = mig_arena_strdup(&in->s->arena, col_text(st, 4));
		if (pk > 0) {
			if (ti->npk == ti->cap_pk) {
				ti->cap_pk = ti->cap_pk ? ti->cap_pk * 2 : 4;
				ti->pk = mig_xrealloc(ti->pk, ti->cap_pk * sizeof(*ti->pk));
			}
			ti->pk[ti->npk].pos = pk;
			ti->pk[ti->npk++].column = c->name;
		}
	}
	if (rc != SQLITE_DONE)
		return step_error(in, st, sql);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Indexes with their key terms, one row per term. origin 'c' is a CREATE INDEX (its SQL gives
 * expression terms, cid -2, and the WHERE of a partial index); 'u' is the automatic index of a
 * UNIQUE constraint, kept as a constraint; 'pk' belongs to the primary key, already known.
 */
static int
get_indexes(struct intro *in)
{
	static const char sql[] =
	    "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, s.sql, ii.seqno, ii.cid, ii.name "
	    "FROM main.sqlite_schema AS m JOIN pragma_index_list(m.name, 'main') AS il "
	    "JOIN pragma_index_xinfo(il.name, 'main') AS ii "
	    "LEFT JOIN main.sqlite_schema AS s ON s.type = 'index' AND s.name = il.name "
	    "WHERE " USER_TABLES " AND ii.key AND il.origin <> 'pk' "
	    "ORDER BY m.name, il.name, ii.seqno";
	struct mig_ddl_index ddl;
	struct mig_index *x = NULL;
	struct pending_unique *u = NULL;
	struct tinfo *ti = NULL;
	const char *cur_table = NULL, *cur_index = NULL;
	sqlite3_stmt *st;
	int rc;

	memset(&ddl, 0, sizeof(ddl));
	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tname = col_text(st, 0), *iname = col_text(st, 1);
		const char *origin = col_text(st, 3), *term = col_text(st, 8);
		int seqno = sqlite3_column_int(st, 6), cid = sqlite3_column_int(st, 7);

		if (tname == NULL || iname == NULL || origin == NULL)
			continue;
		if (cur_table == NULL || strcmp(cur_table, tname) != 0 || strcmp(cur_index, iname) != 0) {
			/* The first term of a new index. */
			ti = table_of(in, tname);
			x = NULL;
			u = NULL;
			mig_ddl_index_release(&ddl);
			cur_table = mig_arena_strdup(&in->scratch, tname);
			cur_index = mig_arena_strdup(&in->scratch, iname);
			if (ti == NULL)
				continue;
			if (strcmp(origin, "u") == 0) {
				const char *num = strrchr(iname, '_');

				if (ti->nuq == ti->cap_uq) {
					ti->cap_uq = ti->cap_uq ? ti->cap_uq * 2 : 4;
					ti->uq = mig_xrealloc(ti->uq, ti->cap_uq * sizeof(*ti->uq));
				}
				u = &ti->uq[ti->nuq++];
				memset(u, 0, sizeof(*u));
				u->autoindex = num ? strtol(num + 1, NULL, 10) : 0;
			} else {
				const char *text = col_text(st, 5);

				if (text && (rc = mig_sqlite_parse_create_index(&ddl, text)) < 0) {
					mig_error_prefix("index '%s': cannot read its CREATE INDEX statement", iname);
					sqlite3_finalize(st);
					return rc;
				}
				x = mig_table_add_index(in->s, ti->t, iname);
				x->unique = sqlite3_column_int(st, 2) != 0;
				if (sqlite3_column_int(st, 4) && ddl.where)
					x->where = mig_arena_strdup(&in->s->arena, ddl.where);
			}
		}
		if (u) {
			/* The pointer stays valid: nothing else is added to ti->uq until this index ends. */
			mig_strlist_add(in->s, &u->columns, &u->ncolumns, term ? term : "");
		} else if (x) {
			const char *text = term;

			if (cid == -2) {
				if (seqno < 0 || (size_t)seqno >= ddl.nentries) {
					sqlite3_finalize(st);
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
		return step_error(in, st, sql);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Foreign keys, one row per column pair. SQLite numbers a table's foreign keys from the last
 * declared (id 0), so id DESC is declaration order.
 */
static int
get_fks(struct intro *in)
{
	static const char sql[] =
	    "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
	    "FROM main.sqlite_schema AS m JOIN pragma_foreign_key_list(m.name, 'main') AS f "
	    "WHERE " USER_TABLES " ORDER BY m.name, f.id DESC, f.seq";
	struct mig_fk *fk = NULL;
	struct tinfo *ti = NULL;
	const char *cur_table = NULL;
	int cur_id = -1;
	bool any_to = false;
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(in, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tname = col_text(st, 0), *from = col_text(st, 3), *to = col_text(st, 4);
		int id = sqlite3_column_int(st, 1);

		if (tname == NULL)
			continue;
		if (cur_table == NULL || strcmp(cur_table, tname) != 0 || id != cur_id) {
			const char *upd = col_text(st, 5), *del = col_text(st, 6);

			if (fk && !any_to)
				fk->ref_columns = NULL;
			cur_table = mig_arena_strdup(&in->scratch, tname);
			cur_id = id;
			any_to = false;
			fk = NULL;
			if ((ti = table_of(in, tname)) == NULL)
				continue;
			fk = mig_table_add_fk(in->s, ti->t, NULL);
			fk->ref_table = mig_arena_strdup(&in->s->arena, col_text(st, 2));
			fk->on_update = upd && strcmp(upd, "NO ACTION") != 0 ?
			    mig_arena_strdup(&in->s->arena, upd) : NULL;
			fk->on_delete = del && strcmp(del, "NO ACTION") != 0 ?
			    mig_arena_strdup(&in->s->arena, del) : NULL;
		}
		if (fk == NULL)
			continue;
		mig_strlist_add(in->s, &fk->columns, &fk->ncolumns, from ? from : "");
		/* ref_columns is filled in step; a key that names no parent columns is resolved later. */
		{
			size_t n = fk->ncolumns - 1;

			mig_strlist_add(in->s, &fk->ref_columns, &n, to ? to : "");
			any_to |= to != NULL;
		}
	}
	if (fk && !any_to)
		fk->ref_columns = NULL;
	if (rc != SQLITE_DONE)
		return step_error(in, st, sql);
	sqlite3_finalize(st);
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
	struct mig_ddl_table *d = &ti->ddl;
	bool *used = NULL;
	size_t i, j;

	if (ti->npk > 1)
		qsort(ti->pk, ti->npk, sizeof(*ti->pk), cmp_pk);
	for (i = 0; i < ti->npk; i++)
		mig_table_add_pk(in->s, t, ti->pk[i].column);
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

	if (ti->nuq > 1)
		qsort(ti->uq, ti->nuq, sizeof(*ti->uq), cmp_uq);
	/* Parsed constraints already given to a catalog object: each names one object at most. */
	used = mig_xcalloc(d->nuniques + d->nfks + 1, sizeof(*used));
	for (i = 0; i < ti->nuq; i++) {
		struct mig_unique *u;
		const char *name = NULL;

		for (j = 0; j < d->nuniques; j++) {
			if (!used[j] && names_eq(ti->uq[i].columns, ti->uq[i].ncolumns,
			    d->uniques[j].columns, d->uniques[j].ncolumns)) {
				used[j] = true;
				name = d->uniques[j].name;
				break;
			}
		}
		u = mig_table_add_unique(in->s, t, name);
		u->columns = ti->uq[i].columns;
		u->ncolumns = ti->uq[i].ncolumns;
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
