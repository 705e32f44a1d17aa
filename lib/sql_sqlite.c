/*
 * sql_sqlite.c — what SQLite needs beyond the standard ALTER statements: deciding, per operation,
 * whether the linked SQLite's ALTER TABLE can make it in place, and rebuilding the table for the
 * rest (see sql_render.h for the rebuild's shape and its guarantees).
 *
 * In place: ADD COLUMN (nullable or with a constant default, no key, constraint or AUTOINCREMENT
 * on it), RENAME TABLE, RENAME COLUMN (3.25.0), DROP COLUMN (3.35.0, when no key, constraint or
 * index uses the column), CREATE / DROP INDEX. Everything else on a table makes it rebuilt, once,
 * after the last operation on it; the other operations on that table are then made by the rebuild
 * too, except renames, which still run in place first so that SQLite rewrites the views and
 * triggers that use the old names.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "man.h"
#include "sql.h"
#include "sql_render.h"

#define V_RENAME_COLUMN 3025000
#define V_DROP_COLUMN 3035000

static bool ieq(const char *a, const char *b);
static bool in_list(const char *const *list, size_t n, const char *name);
static bool table_level(enum mig_op_kind kind);
static bool in_group(const struct mig_render *r, size_t i, size_t j);
static bool stays_native(const struct mig_render *r, size_t j);
static bool needs_rebuild(const struct mig_render *r, size_t i);
static bool add_column_in_place(const struct mig_render *r, const struct mig_op *op);
static bool drop_column_in_place(const struct mig_render *r, size_t i);
static bool index_uses(const struct mig_index *x, const char *column);
static const char *source_column(const struct mig_render *r, size_t i, const char *name);
static int triggers(const struct mig_render *r, size_t i, struct mig_buf *out);

int
mig_sqlite_linked_version(void)
{
	return sqlite3_libversion_number();
}

/* SQLite compares identifiers ASCII case-insensitively. */
static bool
ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

static bool
in_list(const char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ieq(list[i], name))
			return true;
	return false;
}

/* Operations on one existing table (as opposed to whole tables and enum types). */
static bool
table_level(enum mig_op_kind kind)
{
	switch (kind) {
	case MIG_OP_CREATE_ENUM:
	case MIG_OP_ALTER_ENUM:
	case MIG_OP_DROP_ENUM:
	case MIG_OP_CREATE_TABLE:
	case MIG_OP_DROP_TABLE:
		return false;
	default:
		return true;
	}
}

/* Ops i and j change the same existing table. */
static bool
in_group(const struct mig_render *r, size_t i, size_t j)
{
	const struct mig_op *a = &r->ops[i], *b = &r->ops[j];

	if (!table_level(b->kind) || mig_render_covered(b) || b->table_old == NULL ||
	    b->table_new == NULL || a->table_new == NULL)
		return false;
	if (a->table_new == b->table_new)
		return true;
	return strcmp(a->table_new->name, b->table_new->name) == 0;
}

/* Renames run in place even when their table is rebuilt, so SQLite rewrites what uses the names. */
static bool
stays_native(const struct mig_render *r, size_t j)
{
	return r->ops[j].kind == MIG_OP_RENAME_TABLE ||
	    (r->ops[j].kind == MIG_OP_RENAME_COLUMN && r->sqlite_version >= V_RENAME_COLUMN);
}

static bool
index_uses(const struct mig_index *x, const char *column)
{
	size_t k;

	for (k = 0; k < x->ncolumns; k++) {
		if (x->expr != NULL && x->expr[k] ? mig_sql_mentions(x->columns[k], column) :
		    ieq(x->columns[k], column))
			return true;
	}
	return x->where != NULL && mig_sql_mentions(x->where, column);
}

/*
 * ALTER TABLE ADD COLUMN cannot add a key, a constraint or AUTOINCREMENT, needs a constant
 * default (not CURRENT_TIMESTAMP, not an expression), and a NOT NULL column needs a non-NULL one.
 */
static bool
add_column_in_place(const struct mig_render *r, const struct mig_op *op)
{
	const struct mig_table *t = op->table_new;
	const struct mig_column *c = op->col_new;
	struct mig_buf check = MIG_BUF_INIT;
	size_t k;
	int rc;

	if (c->autoincrement || in_list(t->pk, t->npk, c->name))
		return false;
	for (k = 0; k < t->nuniques; k++)
		if (in_list(t->uniques[k]->columns, t->uniques[k]->ncolumns, c->name))
			return false;
	for (k = 0; k < t->nfks; k++)
		if (in_list(t->fks[k]->columns, t->fks[k]->ncolumns, c->name))
			return false;
	for (k = 0; k < t->nchecks; k++)
		if (mig_sql_mentions(t->checks[k]->expr, c->name))
			return false;
	if (r->portable_types) {
		rc = mig_type_render_check(&check, r->d, c->name, c->type, r->to);
		mig_buf_release(&check);
		if (rc != 0)
			return false; /* an enum needs its CHECK (or is undeclared: let the rebuild say so) */
	}
	if (c->default_sql == NULL)
		return c->nullable;
	if (!mig_sql_default_is_constant(c->default_sql))
		return false;
	return c->nullable || !ieq(c->default_sql, "NULL");
}

/*
 * ALTER TABLE DROP COLUMN refuses a column that a key, a constraint or an index uses. An index
 * that an earlier operation of this script drops no longer counts. Views and triggers are left to
 * SQLite's own check, which is exact: it refuses the statement rather than break them.
 */
static bool
drop_column_in_place(const struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	const struct mig_table *t = op->table_old;
	const char *name = op->col_old->name;
	size_t k, j;

	if (r->sqlite_version < V_DROP_COLUMN || op->col_old->autoincrement ||
	    in_list(t->pk, t->npk, name))
		return false;
	for (k = 0; k < t->nuniques; k++)
		if (in_list(t->uniques[k]->columns, t->uniques[k]->ncolumns, name))
			return false;
	for (k = 0; k < t->nfks; k++)
		if (in_list(t->fks[k]->columns, t->fks[k]->ncolumns, name))
			return false;
	for (k = 0; k < t->nchecks; k++)
		if (mig_sql_mentions(t->checks[k]->expr, name))
			return false;
	for (k = 0; k < t->nindexes; k++) {
		bool dropped = false;

		if (!index_uses(t->indexes[k], name))
			continue;
		for (j = 0; j < i && !dropped; j++)
			dropped = (r->ops[j].kind == MIG_OP_DROP_INDEX ||
			    r->ops[j].kind == MIG_OP_RENAME_INDEX) && r->ops[j].idx_old != NULL &&
			    strcmp(r->ops[j].idx_old->name, t->indexes[k]->name) == 0 && in_group(r, i, j);
		if (!dropped)
			return false;
	}
	return true;
}

static bool
needs_rebuild(const struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];

	if (!table_level(op->kind) || mig_render_covered(op))
		return false;
	switch (op->kind) {
	case MIG_OP_ADD_COLUMN:
		return !add_column_in_place(r, op);
	case MIG_OP_DROP_COLUMN:
		return !drop_column_in_place(r, i);
	case MIG_OP_RENAME_COLUMN:
		return r->sqlite_version < V_RENAME_COLUMN;
	case MIG_OP_ALTER_COLUMN:
	case MIG_OP_ALTER_PK:
	case MIG_OP_ADD_UNIQUE:
	case MIG_OP_DROP_UNIQUE:
	case MIG_OP_ADD_FK:
	case MIG_OP_DROP_FK:
	case MIG_OP_ADD_CHECK:
	case MIG_OP_DROP_CHECK:
		return true;
	default:
		return false;
	}
}

int
mig_sqlite_plan(struct mig_render *r)
{
	bool *planned = mig_xcalloc(r->nops ? r->nops : 1, sizeof(*planned));
	size_t i, j;
	long last;

	for (i = 0; i < r->nops; i++) {
		if (planned[i] || !needs_rebuild(r, i))
			continue;
		last = -1;
		for (j = 0; j < r->nops; j++) {
			if (j != i && !in_group(r, i, j))
				continue;
			planned[j] = true;
			if (!stays_native(r, j))
				r->absorbed[j] = true;
			last = (long)j;
		}
		r->rebuild_after[last] = (long)i;
		r->fk_off = true;
	}
	free(planned);
	return 0;
}

/*
 * Where the rebuilt table's column name comes from in the table as it stands when the rebuild
 * runs: itself when it already existed or was renamed in place, the old name when the rename is
 * made by the copy, NULL for a new column.
 */
static const char *
source_column(const struct mig_render *r, size_t i, const char *name)
{
	const struct mig_table *src = r->ops[i].table_old;
	size_t j;

	for (j = 0; j < r->nops; j++) {
		const struct mig_op *op = &r->ops[j];

		if (op->kind != MIG_OP_RENAME_COLUMN || !in_group(r, i, j))
			continue;
		if (ieq(op->col_new->name, name))
			return stays_native(r, j) ? name : op->col_old->name;
	}
	for (j = 0; j < r->nops; j++) {
		const struct mig_op *op = &r->ops[j];

		/* A name renamed away no longer holds that column's data. */
		if (op->kind == MIG_OP_RENAME_COLUMN && in_group(r, i, j) && ieq(op->col_old->name, name))
			return NULL;
	}
	return mig_table_find_column(src, name) != NULL ? name : NULL;
}

/*
 * The triggers on the table, which DROP TABLE takes away: the new schema's text when it has the
 * trigger, else the old one's. Old text is stale after a rename in this script that it may
 * mention; recreating it would leave a trigger naming what no longer exists, so that is refused.
 */
static int
triggers(const struct mig_render *r, size_t i, struct mig_buf *out)
{
	const struct mig_table *src = r->ops[i].table_old, *dst = r->ops[i].table_new;
	const struct mig_schema *sides[2] = { r->to, r->from };
	const char *names[2] = { dst->name, src->name };
	struct mig_map seen;
	size_t side, k, j;
	int rc = 0;

	mig_map_init(&seen);
	for (side = 0; side < 2; side++) {
		const struct mig_schema *s = sides[side];

		for (k = 0; s != NULL && k < s->nextras; k++) {
			const struct mig_extra *x = s->extras[k];

			if (strcmp(x->kind, "trigger") != 0 || x->table == NULL || !ieq(x->table, names[side]) ||
			    mig_map_get(&seen, x->name) != NULL)
				continue;
			mig_map_put(&seen, x->name, (void *)x);
			for (j = 0; side == 1 && j < r->nops; j++) {
				const struct mig_op *op = &r->ops[j];

				if (!in_group(r, i, j))
					continue;
				if (op->kind == MIG_OP_RENAME_TABLE || (op->kind == MIG_OP_RENAME_COLUMN &&
				    mig_sql_mentions(x->sql, op->col_old->name))) {
					rc = mig_error_set(MIG_EUSAGE, "cannot rebuild table '%s': trigger '%s' "
					    "would be recreated with text that predates the rename of '%s' "
					    "(make the rename a revision of its own first)", dst->name, x->name,
					    op->kind == MIG_OP_RENAME_TABLE ? src->name : op->col_old->name);
					goto cleanup;
				}
			}
			mig_sql_extra(out, x);
		}
	}
cleanup:
	mig_map_release(&seen);
	return rc;
}

int
mig_sqlite_rebuild(struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	const struct mig_table *src = op->table_old, *dst = op->table_new, *cur = src;
	struct mig_buf *b = r->out, tmp = MIG_BUF_INIT, cols = MIG_BUF_INIT, sel = MIG_BUF_INIT;
	struct mig_buf def = MIG_BUF_INIT, tail = MIG_BUF_INIT, trig = MIG_BUF_INIT;
	bool src_autoinc = false, dst_autoinc = false;
	size_t j, k;
	int rc;

	for (j = 0; j < r->nops; j++) {
		if (!in_group(r, i, j))
			continue;
		if (r->absorbed[j])
			mig_render_comment(r, &r->ops[j]);
		if (r->ops[j].kind == MIG_OP_RENAME_TABLE)
			cur = dst; /* renamed in place above */
	}
	mig_render_note(r, "SQLite cannot make these changes with ALTER TABLE: '%s' is rebuilt, "
	    "keeping every row", dst->name);

	/* Column mapping, and the copies that will fail rather than invent data. */
	for (k = 0; k < dst->ncolumns; k++) {
		const struct mig_column *c = dst->columns[k];
		const char *from = source_column(r, i, c->name);

		if (c->autoincrement)
			dst_autoinc = true;
		if (from == NULL) {
			if (!c->nullable && c->default_sql == NULL)
				mig_render_note(r, "new column '%s' is NOT NULL without a default: the copy "
				    "fails if '%s' has rows", c->name, dst->name);
			continue;
		}
		if (!c->nullable) {
			const struct mig_column *o = mig_table_find_column(src, from);

			if (o == NULL) {
				for (j = 0; j < r->nops && o == NULL; j++)
					if (r->ops[j].kind == MIG_OP_RENAME_COLUMN && in_group(r, i, j) &&
					    ieq(r->ops[j].col_new->name, c->name))
						o = r->ops[j].col_old;
			}
			if (o != NULL && o->nullable)
				mig_render_note(r, "column '%s' becomes NOT NULL: the copy fails while it "
				    "holds NULLs", c->name);
		}
		if (cols.len) {
			mig_buf_puts(&cols, ", ");
			mig_buf_puts(&sel, ", ");
		}
		mig_sql_ident(&cols, r->d, c->name);
		mig_sql_ident(&sel, r->d, from);
	}
	for (k = 0; k < src->ncolumns; k++)
		if (src->columns[k]->autoincrement)
			src_autoinc = true;

	mig_buf_printf(&tmp, "%s%s", MIG_SQL_REBUILD_PREFIX, dst->name);
	if ((rc = mig_sql_table_def(&def, r->d, dst, tmp.ptr, r->to, r->portable_types, NULL)) != 0)
		goto cleanup;
	/* A manifest has no table options: the table keeps the ones it had. */
	if (dst->options != NULL)
		mig_buf_puts(&tail, dst->options);
	else if (src->options != NULL)
		mig_buf_puts(&tail, src->options);
	if (tail.len) {
		mig_buf_truncate(&def, def.len - 2); /* ";\n" */
		mig_buf_printf(&def, " %s;\n", tail.ptr);
	}
	if ((rc = triggers(r, i, &trig)) != 0)
		goto cleanup;

	mig_buf_puts(b, def.ptr);
	mig_buf_puts(b, "INSERT INTO ");
	mig_sql_ident(b, r->d, tmp.ptr);
	if (cols.len) {
		mig_buf_printf(b, " (%s) SELECT %s FROM ", cols.ptr, sel.ptr);
	} else {
		/* No column survives: the rows still do, with their defaults. */
		mig_buf_puts(b, " (rowid) SELECT rowid FROM ");
	}
	mig_sql_ident(b, r->d, cur->name);
	mig_buf_puts(b, ";\n");
	if (src_autoinc && dst_autoinc) {
		/* DROP TABLE forgets the AUTOINCREMENT high-water mark: carry it to the new table. */
		mig_buf_puts(b, "DELETE FROM sqlite_sequence WHERE name = ");
		mig_sql_literal(b, r->d, tmp.ptr);
		mig_buf_puts(b, ";\nINSERT INTO sqlite_sequence (name, seq) SELECT ");
		mig_sql_literal(b, r->d, tmp.ptr);
		mig_buf_puts(b, ", seq FROM sqlite_sequence WHERE name = ");
		mig_sql_literal(b, r->d, cur->name);
		mig_buf_puts(b, ";\n");
	}
	mig_buf_puts(b, "DROP TABLE ");
	mig_sql_ident(b, r->d, cur->name);
	mig_buf_puts(b, ";\n");
	/*
	 * With legacy_alter_table off, the rename would first re-check every view and trigger that
	 * names the dropped table and fail; on, it renames just this table and they find it again.
	 */
	mig_buf_puts(b, "PRAGMA legacy_alter_table = ON;\nALTER TABLE ");
	mig_sql_ident(b, r->d, tmp.ptr);
	mig_buf_puts(b, " RENAME TO ");
	mig_sql_ident(b, r->d, dst->name);
	mig_buf_puts(b, ";\nPRAGMA legacy_alter_table = OFF;\n");
	for (k = 0; k < dst->nindexes; k++)
		mig_sql_create_index(b, r->d, dst, dst->indexes[k]);
	mig_buf_put(b, trig.ptr, trig.len);
cleanup:
	mig_buf_release(&tmp);
	mig_buf_release(&cols);
	mig_buf_release(&sel);
	mig_buf_release(&def);
	mig_buf_release(&tail);
	mig_buf_release(&trig);
	return rc;
}
