/*
 * sql_ops.c — the differ's operations as an up script and a down script (see sql_render.h).
 *
 * The down script is not written by hand next to the up script: each operation is inverted
 * (added <-> dropped, old <-> new) and the inverted list, in reverse order, goes through the
 * same renderer with the schemas swapped. What the up script does, the down script undoes by
 * construction, including SQLite rebuilds in the other direction.
 *
 * The statements here are the standard ALTER forms both dialects share, with PostgreSQL's for
 * what SQLite lacks; SQLite's decisions (what ALTER TABLE can do in place, and the rebuild for the
 * rest) live in sql_sqlite.c, which this file consults before rendering each operation.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "man.h"
#include "sql.h"
#include "sql_render.h"

static void invert(struct mig_op *inv, const struct mig_op *op);
static int render_script(struct mig_buf *out, enum mig_dialect d, const struct mig_op *ops,
    size_t nops, const struct mig_schema *from, const struct mig_schema *to,
    const struct mig_render_opts *o);
static int render_op(struct mig_render *r, size_t i);
static const struct mig_table *current_table(const struct mig_render *r, size_t i);
static const char *current_column(const struct mig_render *r, size_t i);
static bool same_table(const struct mig_table *a, const struct mig_table *b);
static void put_comment_text(struct mig_buf *b, const char *text);
static void alter_table(struct mig_buf *b, const struct mig_render *r, size_t i);
static int drop_constraint(struct mig_render *r, size_t i, const char *what, const char *name);
static int create_table_op(struct mig_render *r, size_t i);
static int alter_column_pg(struct mig_render *r, size_t i);
static int alter_enum_pg(struct mig_render *r, const struct mig_op *op);
static bool type_is_enum(const char *type, const struct mig_enum *e, bool *array);

int
mig_sql_render_diff(struct mig_buf *up, struct mig_buf *down, enum mig_dialect d,
    const struct mig_diff *diff, const struct mig_schema *from, const struct mig_schema *to)
{
	return mig_sql_render_diff_opts(up, down, d, diff, from, to, NULL);
}

int
mig_sql_render_diff_opts(struct mig_buf *up, struct mig_buf *down, enum mig_dialect d,
    const struct mig_diff *diff, const struct mig_schema *from, const struct mig_schema *to,
    const struct mig_render_opts *o)
{
	struct mig_render_opts defaults = { 0, false };
	struct mig_op *inv;
	size_t i, n = diff->nops;
	int rc;

	if (o == NULL)
		o = &defaults;
	if ((rc = render_script(up, d, diff->ops, n, from, to, o)) != 0)
		return rc;
	inv = mig_xcalloc(n ? n : 1, sizeof(*inv));
	for (i = 0; i < n; i++)
		invert(&inv[i], &diff->ops[n - 1 - i]);
	rc = render_script(down, d, inv, n, to, from, o);
	free(inv);
	return rc;
}

/* The operation that undoes op: the other kind of a create/drop pair, old and new swapped. */
static void
invert(struct mig_op *inv, const struct mig_op *op)
{
	*inv = *op;
	inv->table_old = op->table_new;
	inv->table_new = op->table_old;
	inv->col_old = op->col_new;
	inv->col_new = op->col_old;
	inv->idx_old = op->idx_new;
	inv->idx_new = op->idx_old;
	inv->uq_old = op->uq_new;
	inv->uq_new = op->uq_old;
	inv->fk_old = op->fk_new;
	inv->fk_new = op->fk_old;
	inv->ck_old = op->ck_new;
	inv->ck_new = op->ck_old;
	inv->enum_old = op->enum_new;
	inv->enum_new = op->enum_old;
	switch (op->kind) {
	case MIG_OP_CREATE_ENUM: inv->kind = MIG_OP_DROP_ENUM; break;
	case MIG_OP_DROP_ENUM: inv->kind = MIG_OP_CREATE_ENUM; break;
	case MIG_OP_CREATE_TABLE: inv->kind = MIG_OP_DROP_TABLE; break;
	case MIG_OP_DROP_TABLE: inv->kind = MIG_OP_CREATE_TABLE; break;
	case MIG_OP_ADD_COLUMN: inv->kind = MIG_OP_DROP_COLUMN; break;
	case MIG_OP_DROP_COLUMN: inv->kind = MIG_OP_ADD_COLUMN; break;
	case MIG_OP_ADD_INDEX: inv->kind = MIG_OP_DROP_INDEX; break;
	case MIG_OP_DROP_INDEX: inv->kind = MIG_OP_ADD_INDEX; break;
	case MIG_OP_ADD_UNIQUE: inv->kind = MIG_OP_DROP_UNIQUE; break;
	case MIG_OP_DROP_UNIQUE: inv->kind = MIG_OP_ADD_UNIQUE; break;
	case MIG_OP_ADD_FK: inv->kind = MIG_OP_DROP_FK; break;
	case MIG_OP_DROP_FK: inv->kind = MIG_OP_ADD_FK; break;
	case MIG_OP_ADD_CHECK: inv->kind = MIG_OP_DROP_CHECK; break;
	case MIG_OP_DROP_CHECK: inv->kind = MIG_OP_ADD_CHECK; break;
	default: break;
	}
	/*
	 * Undoing an addition drops what was added, with its data; a change of type is as risky
	 * backwards as forwards. Re-creating what was dropped loses nothing more.
	 */
	inv->destructive = inv->kind == MIG_OP_DROP_TABLE || inv->kind == MIG_OP_DROP_COLUMN ||
	    (inv->kind == MIG_OP_ALTER_COLUMN && op->destructive);
}

static int
render_script(struct mig_buf *out, enum mig_dialect d, const struct mig_op *ops, size_t nops,
    const struct mig_schema *from, const struct mig_schema *to, const struct mig_render_opts *o)
{
	struct mig_buf body = MIG_BUF_INIT;
	struct mig_render r;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.sqlite_version = o->sqlite_version ? o->sqlite_version : mig_sqlite_linked_version();
	r.portable_types = o->portable_types;
	r.ops = ops;
	r.nops = nops;
	r.from = from;
	r.to = to;
	r.out = &body;
	r.absorbed = mig_xcalloc(nops ? nops : 1, sizeof(*r.absorbed));
	r.rebuild_after = mig_xcalloc(nops ? nops : 1, sizeof(*r.rebuild_after));
	for (i = 0; i < nops; i++)
		r.rebuild_after[i] = -1;
	if (d == MIG_SQLITE && (rc = mig_sqlite_plan(&r)) != 0)
		goto cleanup;
	for (i = 0; i < nops; i++) {
		if (!r.absorbed[i]) {
			if (body.len)
				mig_buf_putc(&body, '\n');
			mig_render_comment(&r, &ops[i]);
			if ((rc = render_op(&r, i)) != 0)
				goto cleanup;
		}
		if (r.rebuild_after[i] >= 0) {
			if (body.len)
				mig_buf_putc(&body, '\n');
			if ((rc = mig_sqlite_rebuild(&r, (size_t)r.rebuild_after[i])) != 0)
				goto cleanup;
		}
	}
	mig_buf_put(out, body.ptr, body.len);
	/*
	 * Last, not first: a `-- mig:` line before the first statement would be read as part of the
	 * revision file's header (rev_header.c), which does not know this key.
	 */
	if (r.fk_off)
		mig_buf_puts(out, "\n" MIG_SQL_FK_OFF_MARKER "\n");
cleanup:
	free(r.absorbed);
	free(r.rebuild_after);
	mig_buf_release(&body);
	return rc;
}

/* Names may hold anything, a newline included: inside a comment that would end it and start SQL. */
static void
put_comment_text(struct mig_buf *b, const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		mig_buf_putc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
}

void
mig_render_comment(struct mig_render *r, const struct mig_op *op)
{
	struct mig_buf desc = MIG_BUF_INIT;

	mig_op_describe(&desc, op);
	mig_buf_puts(r->out, "-- Detected ");
	put_comment_text(r->out, desc.ptr);
	mig_buf_putc(r->out, '\n');
	if (op->destructive)
		mig_buf_puts(r->out, MIG_SQL_DESTRUCTIVE_MARKER "\n");
	mig_buf_release(&desc);
}

void
mig_render_note(struct mig_render *r, const char *fmt, ...)
{
	struct mig_buf text = MIG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mig_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	mig_buf_puts(r->out, "-- ");
	put_comment_text(r->out, text.ptr);
	mig_buf_putc(r->out, '\n');
	mig_buf_release(&text);
}

bool
mig_render_covered(const struct mig_op *op)
{
	switch (op->kind) {
	case MIG_OP_CREATE_ENUM:
	case MIG_OP_ALTER_ENUM:
	case MIG_OP_DROP_ENUM:
	case MIG_OP_CREATE_TABLE:
	case MIG_OP_DROP_TABLE:
	case MIG_OP_ADD_INDEX:
	case MIG_OP_DROP_INDEX:
	case MIG_OP_RENAME_INDEX:
		return false;
	default:
		return op->table_old == NULL || op->table_new == NULL;
	}
}

static bool
same_table(const struct mig_table *a, const struct mig_table *b)
{
	if (a == b)
		return true;
	if (a == NULL || b == NULL || strcmp(a->name, b->name) != 0)
		return false;
	if (a->schema == NULL || b->schema == NULL)
		return a->schema == b->schema;
	return strcmp(a->schema, b->schema) == 0;
}

/*
 * The table as it is named when op i runs: its new name once a RENAME_TABLE of it has run earlier
 * in this script (or is op i), else its old one.
 */
static const struct mig_table *
current_table(const struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	size_t j;

	if (op->table_old == NULL)
		return op->table_new;
	if (op->table_new == NULL)
		return op->table_old;
	for (j = 0; j <= i; j++)
		if (r->ops[j].kind == MIG_OP_RENAME_TABLE && same_table(r->ops[j].table_new, op->table_new))
			return op->table_new;
	return op->table_old;
}

/* The same for op i's column. */
static const char *
current_column(const struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	size_t j;

	if (op->col_old == NULL)
		return op->col_new->name;
	if (op->col_new == NULL)
		return op->col_old->name;
	for (j = 0; j < i; j++)
		if (r->ops[j].kind == MIG_OP_RENAME_COLUMN && r->ops[j].col_new == op->col_new &&
		    same_table(r->ops[j].table_new, op->table_new))
			return op->col_new->name;
	return op->col_old->name;
}

static void
alter_table(struct mig_buf *b, const struct mig_render *r, size_t i)
{
	mig_buf_puts(b, "ALTER TABLE ");
	mig_sql_table_name(b, r->d, current_table(r, i));
	mig_buf_putc(b, ' ');
}

static int
drop_constraint(struct mig_render *r, size_t i, const char *what, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return mig_error_set(MIG_EUSAGE, "cannot drop an unnamed %s of table '%s'", what,
		    current_table(r, i)->name);
	alter_table(r->out, r, i);
	mig_buf_puts(r->out, "DROP CONSTRAINT ");
	mig_sql_ident(r->out, r->d, name);
	mig_buf_puts(r->out, ";\n");
	return 0;
}

/*
 * CREATE TABLE with everything the new table has, then those of its indexes that no ADD_INDEX
 * operation of this script creates (the differ may list a new table's indexes separately, as
 * Alembic does, or not).
 */
/*
 * PostgreSQL checks a foreign key's target when the key is created. Tables that reference each
 * other, created in one script, therefore get the keys to tables created later in the script
 * added by ALTER TABLE once their target exists (SQLite resolves keys lazily and needs none of
 * this). Returns the op index that creates table name after op i, or -1.
 */
static long
created_later(const struct mig_render *r, size_t i, const struct mig_table *t, const char *name)
{
	size_t j;

	for (j = i + 1; j < r->nops; j++)
		if (r->ops[j].kind == MIG_OP_CREATE_TABLE && strcmp(r->ops[j].table_new->name, name) == 0 &&
		    (t->schema == NULL) == (r->ops[j].table_new->schema == NULL))
			return (long)j;
	return -1;
}

/* The keys earlier CREATE TABLEs left out because they point at the table op i creates. */
static void
add_deferred_fks(struct mig_render *r, size_t i)
{
	const struct mig_table *t = r->ops[i].table_new;
	size_t j, k;

	for (j = 0; j < i; j++) {
		const struct mig_table *u = r->ops[j].table_new;

		if (r->ops[j].kind != MIG_OP_CREATE_TABLE)
			continue;
		for (k = 0; k < u->nfks; k++) {
			if (strcmp(u->fks[k]->ref_table, t->name) != 0 || created_later(r, j, u, t->name) != (long)i)
				continue;
			mig_buf_puts(r->out, "ALTER TABLE ");
			mig_sql_table_name(r->out, r->d, u);
			mig_buf_puts(r->out, " ADD ");
			if (u->fks[k]->name) {
				mig_buf_puts(r->out, "CONSTRAINT ");
				mig_sql_ident(r->out, r->d, u->fks[k]->name);
				mig_buf_putc(r->out, ' ');
			}
			mig_sql_fk_clause(r->out, r->d, u, u->fks[k]);
			mig_buf_puts(r->out, ";\n");
		}
	}
}

/*
 * The mirror for DROP TABLE: keys that tables dropped later in the script hold on this one are
 * dropped first, or PostgreSQL would refuse (and CASCADE could take views with it).
 */
static void
drop_blocking_fks(struct mig_render *r, size_t i)
{
	const struct mig_table *t = r->ops[i].table_old;
	size_t j, k;

	for (j = i + 1; j < r->nops; j++) {
		const struct mig_table *u = r->ops[j].table_old;

		if (r->ops[j].kind != MIG_OP_DROP_TABLE)
			continue;
		for (k = 0; k < u->nfks; k++) {
			if (strcmp(u->fks[k]->ref_table, t->name) != 0 || u->fks[k]->name == NULL || u == t)
				continue;
			mig_buf_puts(r->out, "ALTER TABLE ");
			mig_sql_table_name(r->out, r->d, u);
			mig_buf_puts(r->out, " DROP CONSTRAINT ");
			mig_sql_ident(r->out, r->d, u->fks[k]->name);
			mig_buf_puts(r->out, ";\n");
		}
	}
}

static int
create_table_op(struct mig_render *r, size_t i)
{
	const struct mig_table *t = r->ops[i].table_new;
	struct mig_op ix;
	bool *skip = NULL;
	size_t k, j;
	int rc;

	if (r->d == MIG_POSTGRES && t->nfks > 0) {
		skip = mig_xcalloc(t->nfks, sizeof(bool));
		for (k = 0; k < t->nfks; k++)
			skip[k] = created_later(r, i, t, t->fks[k]->ref_table) >= 0;
	}
	rc = mig_sql_table_def(r->out, r->d, t, NULL, r->to, r->portable_types, skip);
	free(skip);
	if (rc != 0)
		return rc;
	if (r->d == MIG_POSTGRES)
		add_deferred_fks(r, i);
	if (r->d == MIG_POSTGRES) {
		if (t->comment != NULL) {
			mig_buf_puts(r->out, "COMMENT ON TABLE ");
			mig_sql_table_name(r->out, r->d, t);
			mig_buf_puts(r->out, " IS ");
			mig_sql_literal(r->out, r->d, t->comment);
			mig_buf_puts(r->out, ";\n");
		}
		for (k = 0; k < t->ncolumns; k++) {
			if (t->columns[k]->comment == NULL)
				continue;
			mig_buf_puts(r->out, "COMMENT ON COLUMN ");
			mig_sql_table_name(r->out, r->d, t);
			mig_buf_putc(r->out, '.');
			mig_sql_ident(r->out, r->d, t->columns[k]->name);
			mig_buf_puts(r->out, " IS ");
			mig_sql_literal(r->out, r->d, t->columns[k]->comment);
			mig_buf_puts(r->out, ";\n");
		}
	}
	for (k = 0; k < t->nindexes; k++) {
		bool separate = false;

		for (j = 0; j < r->nops && !separate; j++)
			separate = r->ops[j].kind == MIG_OP_ADD_INDEX && r->ops[j].idx_new != NULL &&
			    same_table(r->ops[j].table_new, t) &&
			    strcmp(r->ops[j].idx_new->name, t->indexes[k]->name) == 0;
		if (separate)
			continue;
		/* Described like an operation of its own, as Alembic lists a new table's indexes. */
		memset(&ix, 0, sizeof(ix));
		ix.kind = MIG_OP_ADD_INDEX;
		ix.table_new = t;
		ix.idx_new = t->indexes[k];
		mig_buf_putc(r->out, '\n');
		mig_render_comment(r, &ix);
		mig_sql_create_index(r->out, r->d, t, t->indexes[k]);
	}
	return 0;
}

/* PostgreSQL changes a column in place; the default goes first when the type changes under it. */
static int
alter_column_pg(struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	const struct mig_column *o = op->col_old, *c = op->col_new;
	const char *name = current_column(r, i);
	struct mig_buf type = MIG_BUF_INIT;
	int rc = 0;

#define ALTER_COL() do { \
		alter_table(r->out, r, i); \
		mig_buf_puts(r->out, "ALTER COLUMN "); \
		mig_sql_ident(r->out, r->d, name); \
		mig_buf_putc(r->out, ' '); \
	} while (0)

	if ((op->alter & MIG_ALTER_AUTOINCREMENT) && o->autoincrement) {
		ALTER_COL();
		mig_buf_puts(r->out, "DROP IDENTITY IF EXISTS;\n");
	}
	if ((op->alter & (MIG_ALTER_TYPE | MIG_ALTER_DEFAULT)) && o->default_sql != NULL &&
	    !o->autoincrement) {
		ALTER_COL();
		mig_buf_puts(r->out, "DROP DEFAULT;\n");
	}
	if (op->alter & MIG_ALTER_TYPE) {
		if (r->portable_types)
			rc = mig_type_render(&type, r->d, c->type, r->to);
		else
			mig_buf_puts(&type, c->type);
		if (rc)
			goto cleanup;
		ALTER_COL();
		mig_buf_printf(r->out, "TYPE %s USING ", type.ptr);
		mig_sql_ident(r->out, r->d, name);
		mig_buf_printf(r->out, "::%s;\n", type.ptr);
	}
	if ((op->alter & (MIG_ALTER_TYPE | MIG_ALTER_DEFAULT)) && c->default_sql != NULL &&
	    !c->autoincrement) {
		ALTER_COL();
		mig_buf_printf(r->out, "SET DEFAULT %s;\n", c->default_sql);
	}
	if ((op->alter & MIG_ALTER_NULLABLE) && o->nullable != c->nullable) {
		ALTER_COL();
		mig_buf_puts(r->out, c->nullable ? "DROP NOT NULL;\n" : "SET NOT NULL;\n");
	}
	if ((op->alter & MIG_ALTER_AUTOINCREMENT) && c->autoincrement) {
		ALTER_COL();
		mig_buf_puts(r->out, "ADD GENERATED BY DEFAULT AS IDENTITY;\n");
	}
#undef ALTER_COL
cleanup:
	mig_buf_release(&type);
	return rc;
}

/*
 * PostgreSQL enum types print as their (possibly quoted, possibly qualified) name; *array says the
 * type is a one-dimensional array of the enum ("mood[]", "enum(mood)[]"), which a rebuild of the
 * type must convert too: the old type cannot be dropped while an array of it is in use.
 */
static bool
type_is_enum(const char *type, const struct mig_enum *e, bool *array)
{
	size_t n = strlen(e->name), tn, i;

	*array = false;
	if (type == NULL)
		return false;
	tn = strlen(type);
	if (tn > 2 && type[tn - 2] == '[' && type[tn - 1] == ']') {
		*array = true;
		tn -= 2;
	}
	if (tn > 5 && strncmp(type, "enum(", 5) == 0)
		return tn == n + 6 && strncmp(type + 5, e->name, n) == 0 && type[tn - 1] == ')';
	for (i = tn; i > 0; i--) {
		if (type[i - 1] == '.') {
			type += i;
			tn -= i;
			break;
		}
	}
	if (tn == n + 2 && type[0] == '"' && type[tn - 1] == '"')
		return strncmp(type + 1, e->name, n) == 0;
	return tn == n && strncmp(type, e->name, n) == 0;
}

/*
 * Labels only added (old labels a subsequence of the new, in order): ALTER TYPE ... ADD VALUE.
 * Otherwise the type is replaced: the old one renamed away, the new one created, each column that
 * uses it converted through text, the old one dropped. Values that are no longer labels make the
 * conversion fail, which rolls the run back rather than losing them.
 */
static int
alter_enum_pg(struct mig_render *r, const struct mig_op *op)
{
	const struct mig_enum *o = op->enum_old, *e = op->enum_new;
	struct mig_buf old_name = MIG_BUF_INIT;
	bool array;
	size_t i, j, k;

	for (i = j = 0; i < e->nlabels && j < o->nlabels; i++)
		if (strcmp(e->labels[i], o->labels[j]) == 0)
			j++;
	if (j == o->nlabels) {
		for (i = j = 0; i < e->nlabels; i++) {
			if (j < o->nlabels && strcmp(e->labels[i], o->labels[j]) == 0) {
				j++;
				continue;
			}
			mig_buf_puts(r->out, "ALTER TYPE ");
			mig_sql_qualified(r->out, r->d, e->schema, e->name);
			mig_buf_puts(r->out, " ADD VALUE ");
			mig_sql_literal(r->out, r->d, e->labels[i]);
			if (j < o->nlabels) {
				mig_buf_puts(r->out, " BEFORE ");
				mig_sql_literal(r->out, r->d, o->labels[j]);
			}
			mig_buf_puts(r->out, ";\n");
		}
		return 0;
	}
	mig_buf_printf(&old_name, "%s_mig_old", o->name);
	mig_buf_puts(r->out, "ALTER TYPE ");
	mig_sql_qualified(r->out, r->d, o->schema, o->name);
	mig_buf_puts(r->out, " RENAME TO ");
	mig_sql_ident(r->out, r->d, old_name.ptr);
	mig_buf_puts(r->out, ";\nCREATE TYPE ");
	mig_sql_qualified(r->out, r->d, e->schema, e->name);
	mig_buf_puts(r->out, " AS ENUM (");
	for (i = 0; i < e->nlabels; i++) {
		if (i)
			mig_buf_puts(r->out, ", ");
		mig_sql_literal(r->out, r->d, e->labels[i]);
	}
	mig_buf_puts(r->out, ");\n");
	for (i = 0; r->from != NULL && i < r->from->ntables; i++) {
		const struct mig_table *t = r->from->tables[i];
		const struct mig_table *nt = r->to ? mig_schema_find_table(r->to, t->name) : NULL;

		for (k = 0; nt != NULL && k < t->ncolumns; k++) {
			const struct mig_column *c = t->columns[k];
			const struct mig_column *nc = mig_table_find_column(nt, c->name);

			if (nc == NULL || !type_is_enum(c->type, o, &array))
				continue;
#define ALTER_COL() do { \
		mig_buf_puts(r->out, "ALTER TABLE "); \
		mig_sql_table_name(r->out, r->d, t); \
		mig_buf_puts(r->out, " ALTER COLUMN "); \
		mig_sql_ident(r->out, r->d, c->name); \
		mig_buf_putc(r->out, ' '); \
	} while (0)
			if (c->default_sql != NULL) {
				ALTER_COL();
				mig_buf_puts(r->out, "DROP DEFAULT;\n");
			}
			ALTER_COL();
			mig_buf_puts(r->out, "TYPE ");
			mig_sql_qualified(r->out, r->d, e->schema, e->name);
			mig_buf_puts(r->out, array ? "[] USING " : " USING ");
			mig_sql_ident(r->out, r->d, c->name);
			mig_buf_puts(r->out, array ? "::text[]::" : "::text::");
			mig_sql_qualified(r->out, r->d, e->schema, e->name);
			mig_buf_puts(r->out, array ? "[];\n" : ";\n");
			if (nc->default_sql != NULL) {
				ALTER_COL();
				mig_buf_printf(r->out, "SET DEFAULT %s;\n", nc->default_sql);
			}
#undef ALTER_COL
		}
	}
	mig_buf_puts(r->out, "DROP TYPE ");
	mig_sql_qualified(r->out, r->d, o->schema, old_name.ptr);
	mig_buf_puts(r->out, ";\n");
	mig_buf_release(&old_name);
	return 0;
}

static int
render_op(struct mig_render *r, size_t i)
{
	const struct mig_op *op = &r->ops[i];
	struct mig_buf *b = r->out, tmp = MIG_BUF_INIT;
	enum mig_dialect d = r->d;
	const struct mig_table *t;
	size_t k;
	int rc;

	if (mig_render_covered(op)) {
		mig_render_note(r, op->table_old == NULL ? "(part of the CREATE TABLE above)" :
		    "(goes with the DROP TABLE below)");
		return 0;
	}
	switch (op->kind) {
	case MIG_OP_CREATE_ENUM:
	case MIG_OP_DROP_ENUM:
	case MIG_OP_ALTER_ENUM:
		if (d == MIG_SQLITE) {
			mig_render_note(r, "(SQLite has no enum types: a CHECK on each column stands in for one)");
			return 0;
		}
		if (op->kind == MIG_OP_ALTER_ENUM)
			return alter_enum_pg(r, op);
		if (op->kind == MIG_OP_DROP_ENUM) {
			mig_buf_puts(b, "DROP TYPE ");
			mig_sql_qualified(b, d, op->enum_old->schema, op->enum_old->name);
			mig_buf_puts(b, ";\n");
			return 0;
		}
		mig_buf_puts(b, "CREATE TYPE ");
		mig_sql_qualified(b, d, op->enum_new->schema, op->enum_new->name);
		mig_buf_puts(b, " AS ENUM (");
		for (k = 0; k < op->enum_new->nlabels; k++) {
			if (k)
				mig_buf_puts(b, ", ");
			mig_sql_literal(b, d, op->enum_new->labels[k]);
		}
		mig_buf_puts(b, ");\n");
		return 0;
	case MIG_OP_CREATE_TABLE:
		return create_table_op(r, i);
	case MIG_OP_DROP_TABLE:
		if (d == MIG_POSTGRES)
			drop_blocking_fks(r, i);
		mig_buf_puts(b, "DROP TABLE ");
		mig_sql_table_name(b, d, op->table_old);
		mig_buf_puts(b, ";\n");
		return 0;
	case MIG_OP_RENAME_TABLE:
		mig_buf_puts(b, "ALTER TABLE ");
		mig_sql_table_name(b, d, op->table_old);
		mig_buf_puts(b, " RENAME TO ");
		mig_sql_ident(b, d, op->table_new->name);
		mig_buf_puts(b, ";\n");
		/*
		 * PostgreSQL named an unnamed key after the table (<table>_pkey) and keeps that name
		 * through a rename; give it the name a fresh table would have, as the model expects.
		 */
		if (d == MIG_POSTGRES && op->table_old->npk > 0 && op->table_new->npk > 0 &&
		    op->table_old->pk_name == NULL && op->table_new->pk_name == NULL) {
			mig_buf_puts(b, "ALTER TABLE ");
			mig_sql_table_name(b, d, op->table_new);
			mig_buf_puts(b, " RENAME CONSTRAINT ");
			mig_buf_printf(&tmp, "%s_pkey", op->table_old->name);
			mig_sql_ident(b, d, tmp.ptr);
			mig_buf_puts(b, " TO ");
			mig_buf_clear(&tmp);
			mig_buf_printf(&tmp, "%s_pkey", op->table_new->name);
			mig_sql_ident(b, d, tmp.ptr);
			mig_buf_puts(b, ";\n");
			mig_buf_release(&tmp);
		}
		return 0;
	case MIG_OP_ADD_COLUMN:
		alter_table(b, r, i);
		mig_buf_puts(b, "ADD COLUMN ");
		if ((rc = mig_sql_column_def(b, d, op->col_new, r->to, r->portable_types)) != 0)
			return rc;
		mig_buf_puts(b, ";\n");
		if (d == MIG_POSTGRES && op->col_new->comment != NULL) {
			mig_buf_puts(b, "COMMENT ON COLUMN ");
			mig_sql_table_name(b, d, current_table(r, i));
			mig_buf_putc(b, '.');
			mig_sql_ident(b, d, op->col_new->name);
			mig_buf_puts(b, " IS ");
			mig_sql_literal(b, d, op->col_new->comment);
			mig_buf_puts(b, ";\n");
		}
		return 0;
	case MIG_OP_DROP_COLUMN:
		alter_table(b, r, i);
		mig_buf_puts(b, "DROP COLUMN ");
		mig_sql_ident(b, d, op->col_old->name);
		mig_buf_puts(b, ";\n");
		return 0;
	case MIG_OP_RENAME_COLUMN:
		alter_table(b, r, i);
		mig_buf_puts(b, "RENAME COLUMN ");
		mig_sql_ident(b, d, op->col_old->name);
		mig_buf_puts(b, " TO ");
		mig_sql_ident(b, d, op->col_new->name);
		mig_buf_puts(b, ";\n");
		return 0;
	case MIG_OP_ADD_INDEX:
		mig_sql_create_index(b, d, current_table(r, i), op->idx_new);
		return 0;
	case MIG_OP_DROP_INDEX:
		mig_buf_puts(b, "DROP INDEX ");
		mig_sql_qualified(b, d, d == MIG_POSTGRES ? op->table_old->schema : NULL,
		    op->idx_old->name);
		mig_buf_puts(b, ";\n");
		return 0;
	case MIG_OP_RENAME_INDEX:
		t = current_table(r, i);
		if (d == MIG_SQLITE) {
			/* SQLite cannot rename an index: the same index under the new name replaces it. */
			mig_buf_puts(b, "DROP INDEX ");
			mig_sql_ident(b, d, op->idx_old->name);
			mig_buf_puts(b, ";\n");
			mig_sql_create_index(b, d, t, op->idx_new);
			return 0;
		}
		mig_buf_puts(b, "ALTER INDEX ");
		mig_sql_qualified(b, d, t->schema, op->idx_old->name);
		mig_buf_puts(b, " RENAME TO ");
		mig_sql_ident(b, d, op->idx_new->name);
		mig_buf_puts(b, ";\n");
		return 0;
	case MIG_OP_TABLE_COMMENT:
	case MIG_OP_COLUMN_COMMENT:
		if (d == MIG_SQLITE) {
			mig_render_note(r, "(SQLite keeps no comments)");
			return 0;
		}
		t = current_table(r, i);
		if (op->kind == MIG_OP_TABLE_COMMENT) {
			mig_buf_puts(b, "COMMENT ON TABLE ");
			mig_sql_table_name(b, d, t);
			mig_buf_puts(b, " IS ");
			mig_sql_literal(b, d, op->table_new->comment);
		} else {
			mig_buf_puts(b, "COMMENT ON COLUMN ");
			mig_sql_table_name(b, d, t);
			mig_buf_putc(b, '.');
			mig_sql_ident(b, d, current_column(r, i));
			mig_buf_puts(b, " IS ");
			mig_sql_literal(b, d, op->col_new->comment);
		}
		mig_buf_puts(b, ";\n");
		return 0;
	default:
		break;
	}

	/* What is left changes a table in ways SQLite can only do by rebuilding it. */
	if (d == MIG_SQLITE)
		return mig_error_set(MIG_EUSAGE, "internal: operation %d on table '%s' was not planned",
		    (int)op->kind, current_table(r, i)->name);
	switch (op->kind) {
	case MIG_OP_ALTER_COLUMN:
		return alter_column_pg(r, i);
	case MIG_OP_ALTER_PK:
		if (op->table_old->npk > 0) {
			struct mig_buf name = MIG_BUF_INIT;

			/* PostgreSQL names an unnamed key <table>_pkey. */
			if (op->table_old->pk_name != NULL)
				mig_buf_puts(&name, op->table_old->pk_name);
			else
				mig_buf_printf(&name, "%s_pkey", op->table_old->name);
			rc = drop_constraint(r, i, "primary key", name.ptr);
			mig_buf_release(&name);
			if (rc)
				return rc;
		}
		if (op->table_new->npk > 0) {
			alter_table(b, r, i);
			mig_buf_puts(b, "ADD ");
			if (op->table_new->pk_name != NULL) {
				mig_buf_puts(b, "CONSTRAINT ");
				mig_sql_ident(b, d, op->table_new->pk_name);
				mig_buf_putc(b, ' ');
			}
			mig_buf_puts(b, "PRIMARY KEY ");
			mig_sql_column_list(b, d, op->table_new->pk, op->table_new->npk);
			mig_buf_puts(b, ";\n");
		}
		return 0;
	case MIG_OP_ADD_UNIQUE:
	case MIG_OP_ADD_FK:
	case MIG_OP_ADD_CHECK: {
		const char *name = op->kind == MIG_OP_ADD_UNIQUE ? op->uq_new->name :
		    op->kind == MIG_OP_ADD_FK ? op->fk_new->name : op->ck_new->name;

		alter_table(b, r, i);
		mig_buf_puts(b, "ADD ");
		if (name != NULL && name[0] != '\0') {
			mig_buf_puts(b, "CONSTRAINT ");
			mig_sql_ident(b, d, name);
			mig_buf_putc(b, ' ');
		}
		if (op->kind == MIG_OP_ADD_UNIQUE) {
			mig_buf_puts(b, "UNIQUE ");
			mig_sql_column_list(b, d, op->uq_new->columns, op->uq_new->ncolumns);
		} else if (op->kind == MIG_OP_ADD_FK) {
			mig_sql_fk_clause(b, d, current_table(r, i), op->fk_new);
		} else {
			mig_buf_printf(b, "CHECK (%s)", op->ck_new->expr);
		}
		mig_buf_puts(b, ";\n");
		return 0;
	}
	case MIG_OP_DROP_UNIQUE:
		return drop_constraint(r, i, "unique constraint", op->uq_old->name);
	case MIG_OP_DROP_FK:
		return drop_constraint(r, i, "foreign key", op->fk_old->name);
	case MIG_OP_DROP_CHECK:
		return drop_constraint(r, i, "check constraint", op->ck_old->name);
	default:
		return mig_error_set(MIG_EUSAGE, "internal: unknown operation %d", (int)op->kind);
	}
}
