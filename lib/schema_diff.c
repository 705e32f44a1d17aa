/*
 * schema_diff.c — the differ: from two schema models (the database's and the wanted one) to the
 * ordered list of operations that turns one into the other, and their Alembic-style descriptions
 * (see schema.h).
 *
 * It runs in three steps. Pairing: each wanted table is matched with the database table of the
 * same name, or with the one its renamed_from hint names; inside each pair, columns are matched the
 * same way, which gives every old column name its new name. Comparing: columns, keys, indexes and
 * constraints of each pair are compared in comparison forms (schema_norm.h) with old column names
 * translated, so a rename alone never shows as a changed index or check; objects are matched by
 * name when named and by definition when not. Ordering: operations are collected in buckets and
 * concatenated in an order the database can execute: new enums, table renames, new tables by
 * dependency (each followed by its indexes, listed as Alembic lists them), foreign keys dropped,
 * per-table changes, foreign keys added, dropped tables by reverse dependency (each preceded by its
 * indexes), changed and dropped enums.
 *
 * Every lookup goes through a hash map, so the work is linear in the size of the two schemas.
 * Nothing here allocates from the schemas: operations borrow their objects, and the keys and
 * comparison strings live in a scratch arena released before returning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "schema_norm.h"

/* A growable list of operations; the final list is a concatenation of several. */
struct opvec {
	struct mig_op *v;
	size_t n, cap;
};

/* An object keyed for matching: by name when named, by definition when not. */
struct keyed {
	const char *key;
	const char *def;          /* comparison form of the definition */
	const void *obj;
	bool claimed;
	struct keyed *next;       /* the next object with the same key, in declaration order */
};

/* A database table and the wanted table it becomes. */
struct pair {
	const struct mig_table *old, *new;
	struct mig_map new_name;  /* old column name -> new column name (paired columns) */
	struct mig_map renames;   /* upper-case old name -> new name, renamed columns only */
	/* Column operations, found while pairing columns, emitted with the pair's other changes. */
	struct opvec col_renames, col_adds, col_alters, col_drops, comments;
	bool identical;           /* same_table_exactly(): nothing to compare */
};

struct differ {
	struct mig_diff *d;
	const struct mig_schema *from, *to, *hints;
	struct mig_arena tmp;
	struct mig_map from_tables, to_tables, hint_tables;
	struct mig_map pair_of_old;       /* key of a database table -> struct pair */
	struct pair *pairs;               /* in wanted order */
	size_t npairs;
	const struct mig_table **created; /* in wanted order */
	size_t ncreated;
	const struct mig_table **dropped; /* in database order */
	size_t ndropped;
	/* Buckets, concatenated in this order. */
	struct opvec enums_new, table_renames, creates, fk_drops, per_table, fk_adds, drops, enums_late;
};

static const char *table_key(struct differ *df, const char *schema, const char *name);
static const char *tmp_buf(struct differ *df, struct mig_buf *b);
static struct mig_op *push_op(struct opvec *v, enum mig_op_kind kind, const struct mig_table *told,
    const struct mig_table *tnew);
static void append(struct mig_diff *d, struct opvec *v);
static void note(struct differ *df, const char *fmt, ...) MIG_PRINTF(2, 3);
static void pair_tables(struct differ *df);
static void pair_columns(struct differ *df, struct pair *p);
static void diff_pair(struct differ *df, struct pair *p);
static bool same_table_exactly(const struct mig_table *o, const struct mig_table *n);
static void diff_enums(struct differ *df);
static void order_by_dependency(struct differ *df, const struct mig_table **tables, size_t n,
    bool parents_last);
static const char *new_column_name(const struct pair *p, const char *old);
static const char *old_table_new_name(struct differ *df, const struct mig_table *holder,
    const char *ref_table, const struct pair **ref_pair);
static void index_def(struct differ *df, struct mig_buf *b, const struct mig_index *x,
    const struct pair *p);
static void unique_def(struct mig_buf *b, const struct mig_unique *u, const struct pair *p);
static void fk_def(struct differ *df, struct mig_buf *b, const struct mig_fk *fk,
    const struct mig_table *holder, bool old_side);
static void check_def(struct mig_buf *b, const struct mig_check *c, const struct pair *p);
static void column_sig(struct mig_buf *b, const struct mig_column *c);
static void table_sig(struct differ *df, struct mig_buf *b, const struct mig_table *t);
static int column_changes(const struct mig_column *a, const struct mig_column *b);
static bool same_text(const char *a, const char *b);
static struct keyed *keyed_new(struct differ *df, struct mig_map *m, const char *key, const char *def,
    const void *obj);
static struct keyed *keyed_take(struct mig_map *m, const char *key);
static const void *hint_table(struct differ *df, const struct mig_table *t);
static void fk_action(struct mig_buf *b, const char *action);
static void put_table(struct mig_buf *b, const struct mig_table *t);
static const struct mig_table *op_table(const struct mig_op *op);
static void put_column_ref(struct mig_buf *b, const struct mig_table *t, const struct mig_column *c);
static void put_list(struct mig_buf *b, const char *const *items, size_t n);
static void put_plain_list(struct mig_buf *b, const char *const *items, size_t n);
static void describe_index(struct mig_buf *b, const char *verb, const struct mig_index *x);
static void describe_unique(struct mig_buf *b, const char *verb, const struct mig_unique *u,
    const struct mig_table *t);
static void describe_fk(struct mig_buf *b, const char *verb, const struct mig_fk *fk,
    const struct mig_table *t);
static void describe_check(struct mig_buf *b, const char *verb, const struct mig_check *c,
    const struct mig_table *t);

static const char *
table_key(struct differ *df, const char *schema, const char *name)
{
	/* Unit separator: a byte no identifier contains in practice, so keys cannot collide. */
	return schema && *schema ? mig_arena_printf(&df->tmp, "%s\x1f%s", schema, name) :
	    mig_arena_strdup(&df->tmp, name);
}

static const char *
tmp_buf(struct differ *df, struct mig_buf *b)
{
	const char *s = mig_arena_strndup(&df->tmp, b->ptr, b->len);

	mig_buf_clear(b);
	return s;
}

static struct mig_op *
push_op(struct opvec *v, enum mig_op_kind kind, const struct mig_table *told,
    const struct mig_table *tnew)
{
	struct mig_op *op;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->v = mig_xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	op = &v->v[v->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->table_old = told;
	op->table_new = tnew;
	return op;
}

static void
append(struct mig_diff *d, struct opvec *v)
{
	if (v->n == 0)
		return;
	if (d->nops + v->n > d->cap_ops) {
		d->cap_ops = d->nops + v->n > d->cap_ops * 2 ? d->nops + v->n : d->cap_ops * 2;
		d->ops = mig_xrealloc(d->ops, d->cap_ops * sizeof(*d->ops));
	}
	memcpy(d->ops + d->nops, v->v, v->n * sizeof(*v->v));
	d->nops += v->n;
	v->n = 0;
}

static void
note(struct differ *df, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	/* Notes are few: grow the array by one each time. */
	df->d->notes = mig_xrealloc(df->d->notes, (df->d->nnotes + 1) * sizeof(*df->d->notes));
	df->d->notes[df->d->nnotes++] = mig_arena_strndup(&df->d->arena, b.ptr, b.len);
	mig_buf_release(&b);
}

static bool
same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static struct keyed *
keyed_new(struct differ *df, struct mig_map *m, const char *key, const char *def, const void *obj)
{
	struct keyed *k = mig_arena_alloc(&df->tmp, sizeof(*k)), *at;

	k->key = key;
	k->def = def;
	k->obj = obj;
	if ((at = mig_map_get(m, key)) == NULL) {
		mig_map_put(m, key, k);
		return k;
	}
	/* Same key twice (two unnamed constraints alike): keep declaration order along the chain. */
	while (at->next)
		at = at->next;
	at->next = k;
	return k;
}

/* The first object under key not yet matched, now claimed; NULL when none. */
static struct keyed *
keyed_take(struct mig_map *m, const char *key)
{
	struct keyed *k;

	for (k = mig_map_get(m, key); k; k = k->next) {
		if (!k->claimed) {
			k->claimed = true;
			return k;
		}
	}
	return NULL;
}

/* Where renamed_from hints of a wanted table are read: the manifest model, else the table itself. */
static const void *
hint_table(struct differ *df, const struct mig_table *t)
{
	if (df->hints == NULL)
		return t;
	return mig_map_get(&df->hint_tables, table_key(df, t->schema, t->name));
}

int
mig_schema_diff(struct mig_diff *out, const struct mig_schema *from, const struct mig_schema *to,
    const struct mig_schema *hints)
{
	struct differ df;
	size_t i;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
	if (from == NULL || to == NULL)
		return mig_error_set(MIG_EUSAGE, "schema diff needs two schemas");
	memset(&df, 0, sizeof(df));
	df.d = out;
	df.from = from;
	df.to = to;
	df.hints = hints;
	mig_arena_init(&df.tmp);
	mig_map_init(&df.from_tables);
	mig_map_init(&df.to_tables);
	mig_map_init(&df.hint_tables);
	mig_map_init(&df.pair_of_old);

	pair_tables(&df);
	diff_enums(&df);
	order_by_dependency(&df, df.created, df.ncreated, false);
	for (i = 0; i < df.ncreated; i++) {
		const struct mig_table *t = df.created[i];
		size_t k;

		push_op(&df.creates, MIG_OP_CREATE_TABLE, NULL, t);
		/* Like Alembic, a new table's indexes are operations of their own, right after it. */
		for (k = 0; k < t->nindexes; k++)
			push_op(&df.creates, MIG_OP_ADD_INDEX, NULL, t)->idx_new = t->indexes[k];
	}
	/*
	 * Every column's new name first: a foreign key may reference another pair's columns. A pair
	 * whose two sides are the same to the byte (most of them, when a project adds one table to a
	 * thousand) has no operation and no renamed column: it needs neither step.
	 */
	for (i = 0; i < df.npairs; i++)
		df.pairs[i].identical = same_table_exactly(df.pairs[i].old, df.pairs[i].new);
	for (i = 0; i < df.npairs; i++)
		if (!df.pairs[i].identical)
			pair_columns(&df, &df.pairs[i]);
	for (i = 0; i < df.npairs; i++)
		if (!df.pairs[i].identical)
			diff_pair(&df, &df.pairs[i]);
	/* Children before the tables they reference. */
	order_by_dependency(&df, df.dropped, df.ndropped, true);
	for (i = 0; i < df.ndropped; i++) {
		const struct mig_table *t = df.dropped[i];
		size_t k;

		for (k = 0; k < t->nindexes; k++)
			push_op(&df.drops, MIG_OP_DROP_INDEX, t, NULL)->idx_old = t->indexes[k];
		push_op(&df.drops, MIG_OP_DROP_TABLE, t, NULL)->destructive = true;
	}

	append(out, &df.enums_new);
	append(out, &df.table_renames);
	append(out, &df.creates);
	append(out, &df.fk_drops);
	append(out, &df.per_table);
	append(out, &df.fk_adds);
	append(out, &df.drops);
	append(out, &df.enums_late);

	for (i = 0; i < df.npairs; i++) {
		mig_map_release(&df.pairs[i].new_name);
		mig_map_release(&df.pairs[i].renames);
	}
	free(df.pairs);
	free(df.created);
	free(df.dropped);
	free(df.enums_new.v);
	free(df.table_renames.v);
	free(df.creates.v);
	free(df.fk_drops.v);
	free(df.per_table.v);
	free(df.fk_adds.v);
	free(df.drops.v);
	free(df.enums_late.v);
	mig_map_release(&df.from_tables);
	mig_map_release(&df.to_tables);
	mig_map_release(&df.hint_tables);
	mig_map_release(&df.pair_of_old);
	mig_arena_release(&df.tmp);
	return 0;
}

void
mig_diff_release(struct mig_diff *d)
{
	if (d == NULL)
		return;
	free(d->ops);
	free(d->notes);
	mig_arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

/*
 * Matches wanted tables with database tables: same name first, then a renamed_from hint whose
 * old name exists in the database and is no longer wanted. Unmatched wanted tables are created,
 * unmatched database tables dropped; a dropped and a created table with the same definition get a
 * note suggesting the hint, since without it the data of the old table would be lost.
 */
static void
pair_tables(struct differ *df)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_map claimed, sigs;
	size_t i;

	mig_map_init(&claimed);
	mig_map_init(&sigs);
	df->pairs = mig_xcalloc(df->to->ntables + 1, sizeof(*df->pairs));
	df->created = mig_xcalloc(df->to->ntables + 1, sizeof(*df->created));
	df->dropped = mig_xcalloc(df->from->ntables + 1, sizeof(*df->dropped));
	for (i = 0; i < df->from->ntables; i++) {
		const struct mig_table *t = df->from->tables[i];

		mig_map_put(&df->from_tables, table_key(df, t->schema, t->name), (void *)t);
	}
	for (i = 0; i < df->to->ntables; i++) {
		const struct mig_table *t = df->to->tables[i];

		mig_map_put(&df->to_tables, table_key(df, t->schema, t->name), (void *)t);
	}
	if (df->hints) {
		for (i = 0; i < df->hints->ntables; i++) {
			const struct mig_table *t = df->hints->tables[i];

			mig_map_put(&df->hint_tables, table_key(df, t->schema, t->name), (void *)t);
		}
	}

	for (i = 0; i < df->to->ntables; i++) {
		const struct mig_table *n = df->to->tables[i], *o, *h = hint_table(df, n);
		const char *key = table_key(df, n->schema, n->name), *okey = key;

		o = mig_map_get(&df->from_tables, key);
		if (o == NULL && h && h->renamed_from) {
			okey = table_key(df, n->schema, h->renamed_from);
			o = mig_map_get(&df->from_tables, okey);
			/* The old name still wanted, or already taken by another rename: no rename. */
			if (o && (mig_map_get(&df->to_tables, okey) || mig_map_get(&claimed, okey)))
				o = NULL;
			if (o)
				push_op(&df->table_renames, MIG_OP_RENAME_TABLE, o, n);
		}
		if (o == NULL) {
			df->created[df->ncreated++] = n;
			continue;
		}
		mig_map_put(&claimed, okey, (void *)o);
		df->pairs[df->npairs].old = o;
		df->pairs[df->npairs].new = n;
		mig_map_init(&df->pairs[df->npairs].new_name);
		mig_map_init(&df->pairs[df->npairs].renames);
		mig_map_put(&df->pair_of_old, okey, &df->pairs[df->npairs]);
		df->npairs++;
	}
	for (i = 0; i < df->from->ntables; i++) {
		const struct mig_table *o = df->from->tables[i];

		if (!mig_map_get(&claimed, table_key(df, o->schema, o->name)))
			df->dropped[df->ndropped++] = o;
	}

	/* Possible renames: same definition under another name, each old table suggested once. */
	if (df->ndropped && df->ncreated) {
		for (i = 0; i < df->ndropped; i++) {
			table_sig(df, &b, df->dropped[i]);
			keyed_new(df, &sigs, tmp_buf(df, &b), NULL, df->dropped[i]);
		}
		for (i = 0; i < df->ncreated; i++) {
			struct keyed *k;

			table_sig(df, &b, df->created[i]);
			if ((k = keyed_take(&sigs, b.ptr)) != NULL) {
				const struct mig_table *o = k->obj;

				note(df, "possible rename of table '%s' to '%s' (add renamed_from: %s to confirm)",
				    o->name, df->created[i]->name, o->name);
			}
			mig_buf_clear(&b);
		}
	}
	mig_buf_release(&b);
	mig_map_release(&claimed);
	mig_map_release(&sigs);
}

/* An unchanged definition, names of the table and its constraints aside. */
static void
table_sig(struct differ *df, struct mig_buf *b, const struct mig_table *t)
{
	size_t i;

	for (i = 0; i < t->ncolumns; i++) {
		mig_buf_puts(b, t->columns[i]->name);
		mig_buf_putc(b, '\x1f');
		column_sig(b, t->columns[i]);
		mig_buf_putc(b, '\x1e');
	}
	mig_buf_puts(b, "PK");
	for (i = 0; i < t->npk; i++) {
		mig_buf_putc(b, '\x1f');
		mig_buf_puts(b, t->pk[i]);
	}
	for (i = 0; i < t->nuniques; i++) {
		mig_buf_puts(b, "\x1eU");
		unique_def(b, t->uniques[i], NULL);
	}
	for (i = 0; i < t->nfks; i++) {
		mig_buf_puts(b, "\x1e" "F");
		fk_def(df, b, t->fks[i], t, false);
	}
	for (i = 0; i < t->nchecks; i++) {
		mig_buf_puts(b, "\x1e" "C");
		check_def(b, t->checks[i], NULL);
	}
	for (i = 0; i < t->nindexes; i++) {
		mig_buf_puts(b, "\x1eI");
		index_def(df, b, t->indexes[i], NULL);
	}
}

/* A column's definition without its name: what a rename keeps. */
static void
column_sig(struct mig_buf *b, const struct mig_column *c)
{
	mig_norm_type(b, c->type);
	mig_buf_printf(b, "\x1f%d%d\x1f", c->nullable, c->autoincrement);
	if (c->default_sql) {
		mig_buf_putc(b, 'D');
		mig_norm_expr(b, c->default_sql, NULL);
	}
}

/* MIG_ALTER_* bits for what differs between two columns. */
static int
column_changes(const struct mig_column *a, const struct mig_column *b)
{
	int bits = 0;

	if (!mig_norm_type_eq(a->type, b->type))
		bits |= MIG_ALTER_TYPE;
	if (a->nullable != b->nullable)
		bits |= MIG_ALTER_NULLABLE;
	if (!mig_norm_expr_eq(a->default_sql, b->default_sql))
		bits |= MIG_ALTER_DEFAULT;
	if (a->autoincrement != b->autoincrement)
		bits |= MIG_ALTER_AUTOINCREMENT;
	return bits;
}

/* Byte equality of two optional strings. */
static bool
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_strs(const char *const *a, const char *const *b, size_t n)
{
	size_t i;

	if ((a == NULL) != (b == NULL))
		return false;
	for (i = 0; a != NULL && i < n; i++)
		if (!same_str(a[i], b[i]))
			return false;
	return true;
}

/*
 * True when every field the differ reads is byte-for-byte the same on both sides, in the same
 * order: then no normalisation can find a difference, and the pair has no operation.
 */
static bool
same_table_exactly(const struct mig_table *o, const struct mig_table *n)
{
	size_t i, k;

	if (!same_str(o->name, n->name) || !same_str(o->comment, n->comment) ||
	    !same_str(o->pk_name, n->pk_name) || o->ncolumns != n->ncolumns || o->npk != n->npk ||
	    o->nindexes != n->nindexes || o->nuniques != n->nuniques || o->nchecks != n->nchecks ||
	    o->nfks != n->nfks || !same_strs(o->pk, n->pk, o->npk))
		return false;
	for (i = 0; i < o->ncolumns; i++) {
		const struct mig_column *a = o->columns[i], *b = n->columns[i];

		if (!same_str(a->name, b->name) || !same_str(a->type, b->type) || a->nullable != b->nullable ||
		    !same_str(a->default_sql, b->default_sql) || a->autoincrement != b->autoincrement ||
		    !same_str(a->comment, b->comment))
			return false;
	}
	for (i = 0; i < o->nindexes; i++) {
		const struct mig_index *a = o->indexes[i], *b = n->indexes[i];

		if (!same_str(a->name, b->name) || a->ncolumns != b->ncolumns || a->unique != b->unique ||
		    !same_str(a->where, b->where) || !same_strs(a->columns, b->columns, a->ncolumns))
			return false;
		for (k = 0; k < a->ncolumns; k++)
			if ((a->expr != NULL && a->expr[k]) != (b->expr != NULL && b->expr[k]))
				return false;
	}
	for (i = 0; i < o->nuniques; i++)
		if (!same_str(o->uniques[i]->name, n->uniques[i]->name) ||
		    o->uniques[i]->ncolumns != n->uniques[i]->ncolumns ||
		    !same_strs(o->uniques[i]->columns, n->uniques[i]->columns, o->uniques[i]->ncolumns))
			return false;
	for (i = 0; i < o->nchecks; i++)
		if (!same_str(o->checks[i]->name, n->checks[i]->name) ||
		    !same_str(o->checks[i]->expr, n->checks[i]->expr))
			return false;
	for (i = 0; i < o->nfks; i++) {
		const struct mig_fk *a = o->fks[i], *b = n->fks[i];

		if (!same_str(a->name, b->name) || a->ncolumns != b->ncolumns ||
		    !same_str(a->ref_table, b->ref_table) || !same_strs(a->columns, b->columns, a->ncolumns) ||
		    !same_strs(a->ref_columns, b->ref_columns, a->ncolumns) ||
		    !same_str(a->on_delete, b->on_delete) || !same_str(a->on_update, b->on_update) ||
		    a->deferrable != b->deferrable || a->initially_deferred != b->initially_deferred)
			return false;
	}
	return true;
}

static const char *
new_column_name(const struct pair *p, const char *old)
{
	const char *n = p ? mig_map_get(&p->new_name, old) : NULL;

	return n ? n : old;
}

/*
 * The wanted-side name of a table a database-side foreign key references, and that table's pair
 * (to translate its column names), so that a parent's rename is not a changed foreign key.
 */
static const char *
old_table_new_name(struct differ *df, const struct mig_table *holder, const char *ref_table,
    const struct pair **ref_pair)
{
	const struct pair *p;

	*ref_pair = NULL;
	if (ref_table == NULL)
		return "";
	p = mig_map_get(&df->pair_of_old, table_key(df, holder->schema, ref_table));
	if (p == NULL)
		return ref_table;
	*ref_pair = p;
	return p->new->name;
}

static void
index_def(struct differ *df, struct mig_buf *b, const struct mig_index *x, const struct pair *p)
{
	size_t i;

	(void)df;
	mig_buf_putc(b, x->unique ? 'U' : 'I');
	for (i = 0; i < x->ncolumns; i++) {
		mig_buf_putc(b, '\x1f');
		if (x->expr && x->expr[i]) {
			mig_buf_putc(b, '(');
			mig_norm_expr(b, x->columns[i], p ? &p->renames : NULL);
		} else {
			mig_buf_puts(b, new_column_name(p, x->columns[i]));
		}
	}
	if (x->where) {
		mig_buf_puts(b, "\x1fW");
		mig_norm_expr(b, x->where, p ? &p->renames : NULL);
	}
}

static void
unique_def(struct mig_buf *b, const struct mig_unique *u, const struct pair *p)
{
	size_t i;

	for (i = 0; i < u->ncolumns; i++) {
		mig_buf_putc(b, '\x1f');
		mig_buf_puts(b, new_column_name(p, u->columns[i]));
	}
}

static void
fk_action(struct mig_buf *b, const char *action)
{
	/* NO ACTION is the default; both spellings mean the same constraint. */
	if (action && !mig_norm_expr_eq(action, "NO ACTION"))
		mig_norm_expr(b, action, NULL);
}

/* old_side: the key belongs to the database, so its names are translated to the wanted ones. */
static void
fk_def(struct differ *df, struct mig_buf *b, const struct mig_fk *fk, const struct mig_table *holder,
    bool old_side)
{
	const struct pair *self = NULL, *parent = NULL;
	const char *ref = fk->ref_table ? fk->ref_table : "";
	size_t i;

	if (old_side) {
		self = mig_map_get(&df->pair_of_old, table_key(df, holder->schema, holder->name));
		ref = old_table_new_name(df, holder, fk->ref_table, &parent);
	}
	for (i = 0; i < fk->ncolumns; i++) {
		mig_buf_putc(b, '\x1f');
		mig_buf_puts(b, new_column_name(self, fk->columns[i]));
	}
	mig_buf_printf(b, "\x1e%s", ref);
	for (i = 0; fk->ref_columns && i < fk->ncolumns; i++) {
		mig_buf_putc(b, '\x1f');
		mig_buf_puts(b, new_column_name(parent, fk->ref_columns[i]));
	}
	mig_buf_puts(b, "\x1e");
	fk_action(b, fk->on_delete);
	mig_buf_puts(b, "\x1e");
	fk_action(b, fk->on_update);
	mig_buf_printf(b, "\x1e%d%d", fk->deferrable, fk->initially_deferred);
}

static void
check_def(struct mig_buf *b, const struct mig_check *c, const struct pair *p)
{
	mig_norm_expr(b, c->expr, p ? &p->renames : NULL);
}

/*
 * Columns of one pair: same name, else the hint's old name if that column exists and is not
 * wanted any more. Fills p->new_name and p->renames before anything else of the pair is compared.
 */
static void
pair_columns(struct differ *df, struct pair *p)
{
	const struct mig_table *o = p->old, *n = p->new, *h = hint_table(df, n);
	struct mig_map oldc, newc, hintc, taken, sigs;
	struct mig_buf b = MIG_BUF_INIT;
	const struct mig_column **added = NULL;
	size_t i, nadded = 0;

	mig_map_init(&oldc);
	mig_map_init(&newc);
	mig_map_init(&hintc);
	mig_map_init(&taken);
	mig_map_init(&sigs);
	for (i = 0; i < o->ncolumns; i++)
		mig_map_put(&oldc, o->columns[i]->name, o->columns[i]);
	for (i = 0; i < n->ncolumns; i++)
		mig_map_put(&newc, n->columns[i]->name, n->columns[i]);
	if (h && h != n)
		for (i = 0; i < h->ncolumns; i++)
			mig_map_put(&hintc, h->columns[i]->name, h->columns[i]);
	added = mig_xcalloc(n->ncolumns + 1, sizeof(*added));

	for (i = 0; i < n->ncolumns; i++) {
		const struct mig_column *nc = n->columns[i], *oc, *hc;
		struct mig_op *op;
		int bits;

		oc = mig_map_get(&oldc, nc->name);
		hc = h == n ? nc : mig_map_get(&hintc, nc->name);
		if (oc == NULL && hc && hc->renamed_from) {
			oc = mig_map_get(&oldc, hc->renamed_from);
			if (oc && (mig_map_get(&newc, oc->name) || mig_map_get(&taken, oc->name)))
				oc = NULL;
			if (oc) {
				struct mig_buf up = MIG_BUF_INIT;

				op = push_op(&p->col_renames, MIG_OP_RENAME_COLUMN, o, n);
				op->col_old = oc;
				op->col_new = nc;
				mig_norm_name(&up, oc->name);
				mig_map_put(&p->renames, tmp_buf(df, &up), (void *)nc->name);
				mig_buf_release(&up);
			}
		}
		if (oc == NULL) {
			op = push_op(&p->col_adds, MIG_OP_ADD_COLUMN, o, n);
			op->col_new = nc;
			added[nadded++] = nc;
			continue;
		}
		mig_map_put(&taken, oc->name, (void *)oc);
		mig_map_put(&p->new_name, oc->name, (void *)nc->name);
		if ((bits = column_changes(oc, nc)) != 0) {
			op = push_op(&p->col_alters, MIG_OP_ALTER_COLUMN, o, n);
			op->col_old = oc;
			op->col_new = nc;
			op->alter = bits;
		}
		if (!same_text(oc->comment, nc->comment)) {
			op = push_op(&p->comments, MIG_OP_COLUMN_COMMENT, o, n);
			op->col_old = oc;
			op->col_new = nc;
		}
	}
	for (i = 0; i < o->ncolumns; i++) {
		const struct mig_column *oc = o->columns[i];
		struct mig_op *op;

		if (mig_map_get(&taken, oc->name))
			continue;
		op = push_op(&p->col_drops, MIG_OP_DROP_COLUMN, o, n);
		op->col_old = oc;
		op->destructive = true;
		if (nadded) {
			column_sig(&b, oc);
			keyed_new(df, &sigs, tmp_buf(df, &b), NULL, oc);
		}
	}
	for (i = 0; i < nadded && sigs.len; i++) {
		struct keyed *k;

		column_sig(&b, added[i]);
		if ((k = keyed_take(&sigs, b.ptr)) != NULL) {
			const struct mig_column *oc = k->obj;

			note(df, "possible rename of column '%s.%s' to '%s.%s' (add renamed_from: %s to confirm)",
			    n->name, oc->name, n->name, added[i]->name, oc->name);
		}
		mig_buf_clear(&b);
	}
	free(added);
	mig_buf_release(&b);
	mig_map_release(&oldc);
	mig_map_release(&newc);
	mig_map_release(&hintc);
	mig_map_release(&taken);
	mig_map_release(&sigs);
}

/* Everything that changed inside one table pair, in the per-table order schema.h describes. */
static void
diff_pair(struct differ *df, struct pair *p)
{
	const struct mig_table *o = p->old, *n = p->new, *h = hint_table(df, n);
	struct opvec drops = { 0 }, idx_renames = { 0 }, pk = { 0 }, adds = { 0 };
	struct opvec *order[] = { &p->col_renames, &drops, &idx_renames, &p->col_adds, &p->col_alters,
	    &pk, &p->col_drops, &adds, &p->comments };
	struct mig_map m, names_new, hint_idx;
	struct mig_buf b = MIG_BUF_INIT;
	struct keyed **ks;
	struct mig_op *op;
	size_t i, nmax;

	/* Primary key: compared in wanted names; a named key whose name changed changes too. */
	{
		bool same = o->npk == n->npk;

		for (i = 0; same && i < o->npk; i++)
			same = strcmp(new_column_name(p, o->pk[i]), n->pk[i]) == 0;
		if (same && o->pk_name && n->pk_name && strcmp(o->pk_name, n->pk_name) != 0)
			same = false;
		if (!same)
			push_op(&pk, MIG_OP_ALTER_PK, o, n);
	}

	nmax = o->nindexes + o->nuniques + o->nchecks + o->nfks + 1;
	ks = mig_xcalloc(nmax, sizeof(*ks));

	/* Indexes: by name; a renamed_from hint renames an index whose definition is unchanged. */
	mig_map_init(&m);
	mig_map_init(&names_new);
	mig_map_init(&hint_idx);
	for (i = 0; i < o->nindexes; i++) {
		index_def(df, &b, o->indexes[i], p);
		ks[i] = keyed_new(df, &m, o->indexes[i]->name, tmp_buf(df, &b), o->indexes[i]);
	}
	for (i = 0; i < n->nindexes; i++)
		mig_map_put(&names_new, n->indexes[i]->name, n->indexes[i]);
	if (h && h != n)
		for (i = 0; i < h->nindexes; i++)
			mig_map_put(&hint_idx, h->indexes[i]->name, h->indexes[i]);
	for (i = 0; i < n->nindexes; i++) {
		const struct mig_index *nx = n->indexes[i];
		const struct mig_index *hx = h == n ? nx : mig_map_get(&hint_idx, nx->name);
		struct keyed *k = keyed_take(&m, nx->name);
		const char *def;

		index_def(df, &b, nx, NULL);
		def = tmp_buf(df, &b);
		if (k == NULL && hx && hx->renamed_from && !mig_map_get(&names_new, hx->renamed_from))
			k = keyed_take(&m, hx->renamed_from);
		if (k && strcmp(k->def, def) == 0) {
			if (strcmp(((const struct mig_index *)k->obj)->name, nx->name) != 0) {
				op = push_op(&idx_renames, MIG_OP_RENAME_INDEX, o, n);
				op->idx_old = k->obj;
				op->idx_new = nx;
			}
			continue;
		}
		if (k) {
			op = push_op(&drops, MIG_OP_DROP_INDEX, o, n);
			op->idx_old = k->obj;
		}
		op = push_op(&adds, MIG_OP_ADD_INDEX, o, n);
		op->idx_new = nx;
	}
	for (i = 0; i < o->nindexes; i++) {
		if (!ks[i]->claimed) {
			op = push_op(&drops, MIG_OP_DROP_INDEX, o, n);
			op->idx_old = ks[i]->obj;
		}
	}
	mig_map_release(&m);
	mig_map_release(&names_new);
	mig_map_release(&hint_idx);

	/* Unique constraints: by name when named, else by their columns. */
	mig_map_init(&m);
	for (i = 0; i < o->nuniques; i++) {
		const struct mig_unique *u = o->uniques[i];

		unique_def(&b, u, p);
		if (u->name) {
			const char *def = tmp_buf(df, &b);

			ks[i] = keyed_new(df, &m, mig_arena_printf(&df->tmp, "N%s", u->name), def, u);
		} else {
			const char *def = tmp_buf(df, &b);

			ks[i] = keyed_new(df, &m, mig_arena_printf(&df->tmp, "C%s", def), def, u);
		}
	}
	for (i = 0; i < n->nuniques; i++) {
		const struct mig_unique *u = n->uniques[i];
		const char *def, *key;
		struct keyed *k;

		unique_def(&b, u, NULL);
		def = tmp_buf(df, &b);
		key = u->name ? mig_arena_printf(&df->tmp, "N%s", u->name) :
		    mig_arena_printf(&df->tmp, "C%s", def);
		if ((k = keyed_take(&m, key)) != NULL && strcmp(k->def, def) == 0)
			continue;
		if (k) {
			op = push_op(&drops, MIG_OP_DROP_UNIQUE, o, n);
			op->uq_old = k->obj;
		}
		op = push_op(&adds, MIG_OP_ADD_UNIQUE, o, n);
		op->uq_new = u;
	}
	for (i = 0; i < o->nuniques; i++) {
		if (!ks[i]->claimed) {
			op = push_op(&drops, MIG_OP_DROP_UNIQUE, o, n);
			op->uq_old = ks[i]->obj;
		}
	}
	mig_map_release(&m);

	/* Checks: by name when named, else by their expression. */
	mig_map_init(&m);
	for (i = 0; i < o->nchecks; i++) {
		const struct mig_check *c = o->checks[i];
		const char *def;

		check_def(&b, c, p);
		def = tmp_buf(df, &b);
		ks[i] = keyed_new(df, &m, c->name ? mig_arena_printf(&df->tmp, "N%s", c->name) :
		    mig_arena_printf(&df->tmp, "E%s", def), def, c);
	}
	for (i = 0; i < n->nchecks; i++) {
		const struct mig_check *c = n->checks[i];
		const char *def;
		struct keyed *k;

		check_def(&b, c, NULL);
		def = tmp_buf(df, &b);
		k = keyed_take(&m, c->name ? mig_arena_printf(&df->tmp, "N%s", c->name) :
		    mig_arena_printf(&df->tmp, "E%s", def));
		if (k && strcmp(k->def, def) == 0)
			continue;
		if (k) {
			op = push_op(&drops, MIG_OP_DROP_CHECK, o, n);
			op->ck_old = k->obj;
		}
		op = push_op(&adds, MIG_OP_ADD_CHECK, o, n);
		op->ck_new = c;
	}
	for (i = 0; i < o->nchecks; i++) {
		if (!ks[i]->claimed) {
			op = push_op(&drops, MIG_OP_DROP_CHECK, o, n);
			op->ck_old = ks[i]->obj;
		}
	}
	mig_map_release(&m);

	/*
	 * Foreign keys: by name when named, else by their whole definition. They are dropped before
	 * and added after every other table's changes, since they depend on other tables' keys.
	 */
	mig_map_init(&m);
	for (i = 0; i < o->nfks; i++) {
		const struct mig_fk *fk = o->fks[i];
		const char *def;

		fk_def(df, &b, fk, o, true);
		def = tmp_buf(df, &b);
		ks[i] = keyed_new(df, &m, fk->name ? mig_arena_printf(&df->tmp, "N%s", fk->name) :
		    mig_arena_printf(&df->tmp, "D%s", def), def, fk);
	}
	for (i = 0; i < n->nfks; i++) {
		const struct mig_fk *fk = n->fks[i];
		const char *def;
		struct keyed *k;

		fk_def(df, &b, fk, n, false);
		def = tmp_buf(df, &b);
		k = keyed_take(&m, fk->name ? mig_arena_printf(&df->tmp, "N%s", fk->name) :
		    mig_arena_printf(&df->tmp, "D%s", def));
		if (k && strcmp(k->def, def) == 0)
			continue;
		if (k) {
			op = push_op(&df->fk_drops, MIG_OP_DROP_FK, o, n);
			op->fk_old = k->obj;
		}
		op = push_op(&df->fk_adds, MIG_OP_ADD_FK, o, n);
		op->fk_new = fk;
	}
	for (i = 0; i < o->nfks; i++) {
		if (!ks[i]->claimed) {
			op = push_op(&df->fk_drops, MIG_OP_DROP_FK, o, n);
			op->fk_old = ks[i]->obj;
		}
	}
	mig_map_release(&m);

	if (!same_text(o->comment, n->comment))
		push_op(&p->comments, MIG_OP_TABLE_COMMENT, o, n);

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		size_t j;

		for (j = 0; j < order[i]->n; j++)
			*push_op(&df->per_table, order[i]->v[j].kind, o, n) = order[i]->v[j];
		free(order[i]->v);
		memset(order[i], 0, sizeof(*order[i]));
	}
	free(ks);
	mig_buf_release(&b);
}

/* Enums: new ones first of all, changed and dropped ones last (schema.h's ordering). */
static void
diff_enums(struct differ *df)
{
	struct mig_map olds, taken;
	size_t i, j;

	mig_map_init(&olds);
	mig_map_init(&taken);
	for (i = 0; i < df->from->nenums; i++) {
		const struct mig_enum *e = df->from->enums[i];

		mig_map_put(&olds, table_key(df, e->schema, e->name), (void *)e);
	}
	for (i = 0; i < df->to->nenums; i++) {
		const struct mig_enum *e = df->to->enums[i], *oe;
		const char *key = table_key(df, e->schema, e->name);
		struct mig_op *op;
		bool same;

		if ((oe = mig_map_get(&olds, key)) == NULL) {
			op = push_op(&df->enums_new, MIG_OP_CREATE_ENUM, NULL, NULL);
			op->enum_new = e;
			continue;
		}
		mig_map_put(&taken, key, (void *)oe);
		same = oe->nlabels == e->nlabels;
		for (j = 0; same && j < e->nlabels; j++)
			same = strcmp(oe->labels[j], e->labels[j]) == 0;
		if (!same) {
			op = push_op(&df->enums_late, MIG_OP_ALTER_ENUM, NULL, NULL);
			op->enum_old = oe;
			op->enum_new = e;
		}
	}
	for (i = 0; i < df->from->nenums; i++) {
		const struct mig_enum *e = df->from->enums[i];
		struct mig_op *op;

		if (mig_map_get(&taken, table_key(df, e->schema, e->name)))
			continue;
		op = push_op(&df->enums_late, MIG_OP_DROP_ENUM, NULL, NULL);
		op->enum_old = e;
	}
	mig_map_release(&olds);
	mig_map_release(&taken);
}

/*
 * Reorders tables (in place) so that every table comes after the tables its foreign keys
 * reference (parents_last: before them), keeping the given order wherever dependencies allow.
 * Tarjan's algorithm, iterative so that a long chain cannot exhaust the stack: it finishes a group
 * of tables only after every group it depends on, which is the order wanted; a self reference
 * needs nothing, and the tables of a cycle (one group) keep their given order, since no order of
 * them satisfies every key.
 */
static void
order_by_dependency(struct differ *df, const struct mig_table **tables, size_t n, bool parents_last)
{
	struct mig_map pos;
	size_t *edge_start, *edges, *src, *dst, *index, *low, *stack, *call, *edge_at, *members, *out_idx;
	bool *on_stack;
	size_t nedges = 0, i, next_index = 1, sp = 0, cp = 0, nout = 0;
	const struct mig_table **copy;

	if (n < 2)
		return;
	mig_map_init(&pos);
	for (i = 0; i < n; i++)
		mig_map_put(&pos, table_key(df, tables[i]->schema, tables[i]->name), (void *)(uintptr_t)(i + 1));
	for (i = 0; i < n; i++)
		nedges += tables[i]->nfks;
	src = mig_xcalloc(nedges + 1, sizeof(*src));
	dst = mig_xcalloc(nedges + 1, sizeof(*dst));
	nedges = 0;
	for (i = 0; i < n; i++) {
		size_t f;

		for (f = 0; f < tables[i]->nfks; f++) {
			const char *ref = tables[i]->fks[f]->ref_table;
			uintptr_t j = ref ? (uintptr_t)mig_map_get(&pos, table_key(df, tables[i]->schema, ref)) : 0;

			if (j == 0 || j - 1 == i)
				continue;
			/* An edge v -> w: v is finished only after w. */
			src[nedges] = parents_last ? j - 1 : i;
			dst[nedges++] = parents_last ? i : j - 1;
		}
	}
	/* Edges grouped by source, each group in the order found (a counting sort). */
	edge_start = mig_xcalloc(n + 1, sizeof(*edge_start));
	edges = mig_xcalloc(nedges + 1, sizeof(*edges));
	for (i = 0; i < nedges; i++)
		edge_start[src[i] + 1]++;
	for (i = 0; i < n; i++)
		edge_start[i + 1] += edge_start[i];
	edge_at = mig_xcalloc(n + 1, sizeof(*edge_at));
	memcpy(edge_at, edge_start, (n + 1) * sizeof(*edge_at));
	for (i = 0; i < nedges; i++)
		edges[edge_at[src[i]]++] = dst[i];
	free(src);
	free(dst);

	index = mig_xcalloc(n, sizeof(*index));
	low = mig_xcalloc(n, sizeof(*low));
	stack = mig_xcalloc(n, sizeof(*stack));
	call = mig_xcalloc(n, sizeof(*call));
	members = mig_xcalloc(n, sizeof(*members));
	out_idx = mig_xcalloc(n, sizeof(*out_idx));
	on_stack = mig_xcalloc(n, sizeof(*on_stack));

	for (i = 0; i < n; i++) {
		if (index[i])
			continue;
		index[i] = low[i] = next_index++;
		stack[sp++] = i;
		on_stack[i] = true;
		edge_at[i] = edge_start[i];
		call[cp++] = i;
		while (cp) {
			size_t v = call[cp - 1];

			if (edge_at[v] < edge_start[v + 1]) {
				size_t w = edges[edge_at[v]++];

				if (index[w] == 0) {
					index[w] = low[w] = next_index++;
					stack[sp++] = w;
					on_stack[w] = true;
					edge_at[w] = edge_start[w];
					call[cp++] = w;
				} else if (on_stack[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] == index[v]) {
				size_t nm = 0, a, b2;

				do {
					members[nm] = stack[--sp];
					on_stack[members[nm]] = false;
				} while (members[nm++] != v);
				/* Members of one cycle in their given order (insertion sort: groups are tiny). */
				for (a = 1; a < nm; a++) {
					size_t x = members[a];

					for (b2 = a; b2 > 0 && members[b2 - 1] > x; b2--)
						members[b2] = members[b2 - 1];
					members[b2] = x;
				}
				for (a = 0; a < nm; a++)
					out_idx[nout++] = members[a];
			}
		}
	}
	copy = mig_xcalloc(n, sizeof(*copy));
	for (i = 0; i < n; i++)
		copy[i] = tables[out_idx[i]];
	memcpy(tables, copy, n * sizeof(*copy));
	free(copy);
	free(edge_start);
	free(edges);
	free(index);
	free(low);
	free(stack);
	free(call);
	free(edge_at);
	free(members);
	free(out_idx);
	free(on_stack);
	mig_map_release(&pos);
}

/* ---- descriptions ---- */

static void
put_table(struct mig_buf *b, const struct mig_table *t)
{
	if (t->schema && *t->schema)
		mig_buf_printf(b, "%s.", t->schema);
	mig_buf_puts(b, t->name);
}

/* The table an operation is about, under its name after the operation. */
static const struct mig_table *
op_table(const struct mig_op *op)
{
	return op->table_new ? op->table_new : op->table_old;
}

static void
put_column_ref(struct mig_buf *b, const struct mig_table *t, const struct mig_column *c)
{
	mig_buf_putc(b, '\'');
	put_table(b, t);
	mig_buf_printf(b, ".%s'", c->name);
}

/* Python's repr of a list of strings, as Alembic prints column lists: ['a', 'b']. */
static void
put_list(struct mig_buf *b, const char *const *items, size_t n)
{
	size_t i;

	mig_buf_putc(b, '[');
	for (i = 0; i < n; i++)
		mig_buf_printf(b, "%s'%s'", i ? ", " : "", items[i]);
	mig_buf_putc(b, ']');
}

static void
put_plain_list(struct mig_buf *b, const char *const *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mig_buf_printf(b, "%s%s", i ? ", " : "", items[i]);
}

static void
describe_index(struct mig_buf *b, const char *verb, const struct mig_index *x)
{
	mig_buf_printf(b, "%s index '%s' on '", verb, x->name);
	put_list(b, x->columns, x->ncolumns);
	mig_buf_putc(b, '\'');
}

static void
describe_unique(struct mig_buf *b, const char *verb, const struct mig_unique *u,
    const struct mig_table *t)
{
	if (u->name) {
		mig_buf_printf(b, "%s unique constraint '%s' on '", verb, u->name);
		put_list(b, u->columns, u->ncolumns);
		mig_buf_putc(b, '\'');
		return;
	}
	mig_buf_printf(b, "%s unique constraint on '", verb);
	put_list(b, u->columns, u->ncolumns);
	mig_buf_puts(b, "' of table '");
	put_table(b, t);
	mig_buf_putc(b, '\'');
}

static void
describe_fk(struct mig_buf *b, const char *verb, const struct mig_fk *fk, const struct mig_table *t)
{
	mig_buf_printf(b, "%s foreign key (", verb);
	put_plain_list(b, fk->columns, fk->ncolumns);
	mig_buf_puts(b, ")(");
	if (fk->ref_columns)
		put_plain_list(b, fk->ref_columns, fk->ncolumns);
	mig_buf_puts(b, ") on table ");
	put_table(b, t);
}

static void
describe_check(struct mig_buf *b, const char *verb, const struct mig_check *c,
    const struct mig_table *t)
{
	if (c->name)
		mig_buf_printf(b, "%s check constraint '%s' on table '", verb, c->name);
	else
		mig_buf_printf(b, "%s check constraint CHECK (%s) on table '", verb, c->expr ? c->expr : "");
	put_table(b, t);
	mig_buf_putc(b, '\'');
}

void
mig_op_describe(struct mig_buf *b, const struct mig_op *op)
{
	const struct mig_table *t = op_table(op);

	switch (op->kind) {
	case MIG_OP_CREATE_ENUM:
		mig_buf_printf(b, "added enum type '%s' ", op->enum_new->name);
		put_list(b, op->enum_new->labels, op->enum_new->nlabels);
		break;
	case MIG_OP_ALTER_ENUM:
		mig_buf_printf(b, "changed enum type '%s' from ", op->enum_new->name);
		put_list(b, op->enum_old->labels, op->enum_old->nlabels);
		mig_buf_puts(b, " to ");
		put_list(b, op->enum_new->labels, op->enum_new->nlabels);
		break;
	case MIG_OP_DROP_ENUM:
		mig_buf_printf(b, "removed enum type '%s'", op->enum_old->name);
		break;
	case MIG_OP_CREATE_TABLE:
		mig_buf_puts(b, "added table '");
		put_table(b, t);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_RENAME_TABLE:
		mig_buf_puts(b, "renamed table '");
		put_table(b, op->table_old);
		mig_buf_puts(b, "' to '");
		put_table(b, op->table_new);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_DROP_TABLE:
		mig_buf_puts(b, "removed table '");
		put_table(b, t);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_ADD_COLUMN:
		mig_buf_puts(b, "added column ");
		put_column_ref(b, t, op->col_new);
		break;
	case MIG_OP_RENAME_COLUMN:
		mig_buf_puts(b, "renamed column ");
		put_column_ref(b, t, op->col_old);
		mig_buf_puts(b, " to ");
		put_column_ref(b, t, op->col_new);
		break;
	case MIG_OP_DROP_COLUMN:
		mig_buf_puts(b, "removed column ");
		put_column_ref(b, t, op->col_old);
		break;
	case MIG_OP_ALTER_COLUMN: {
		const char *sep = "";

		if (op->alter & MIG_ALTER_TYPE) {
			mig_buf_printf(b, "type change from %s to %s on ", op->col_old->type ? op->col_old->type : "",
			    op->col_new->type ? op->col_new->type : "");
			put_column_ref(b, t, op->col_new);
			sep = "; ";
		}
		if (op->alter & MIG_ALTER_NULLABLE) {
			mig_buf_printf(b, "%s%s on column ", sep, op->col_new->nullable ? "NULL" : "NOT NULL");
			put_column_ref(b, t, op->col_new);
			sep = "; ";
		}
		if (op->alter & MIG_ALTER_DEFAULT) {
			mig_buf_printf(b, "%sserver default changed on ", sep);
			put_column_ref(b, t, op->col_new);
			sep = "; ";
		}
		if (op->alter & MIG_ALTER_AUTOINCREMENT) {
			mig_buf_printf(b, "%sautoincrement %s on ", sep,
			    op->col_new->autoincrement ? "added" : "removed");
			put_column_ref(b, t, op->col_new);
		}
		break;
	}
	case MIG_OP_ALTER_PK:
		mig_buf_puts(b, "primary key changed on table '");
		put_table(b, t);
		mig_buf_puts(b, "' from '");
		put_list(b, op->table_old->pk, op->table_old->npk);
		mig_buf_puts(b, "' to '");
		put_list(b, op->table_new->pk, op->table_new->npk);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_ADD_INDEX:
		describe_index(b, "added", op->idx_new);
		break;
	case MIG_OP_RENAME_INDEX:
		mig_buf_printf(b, "renamed index '%s' to '%s' on table '", op->idx_old->name, op->idx_new->name);
		put_table(b, t);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_DROP_INDEX:
		describe_index(b, "removed", op->idx_old);
		break;
	case MIG_OP_ADD_UNIQUE:
		describe_unique(b, "added", op->uq_new, t);
		break;
	case MIG_OP_DROP_UNIQUE:
		describe_unique(b, "removed", op->uq_old, t);
		break;
	case MIG_OP_ADD_FK:
		describe_fk(b, "added", op->fk_new, t);
		break;
	case MIG_OP_DROP_FK:
		describe_fk(b, "removed", op->fk_old, t);
		break;
	case MIG_OP_ADD_CHECK:
		describe_check(b, "added", op->ck_new, t);
		break;
	case MIG_OP_DROP_CHECK:
		describe_check(b, "removed", op->ck_old, t);
		break;
	case MIG_OP_TABLE_COMMENT:
		mig_buf_puts(b, "table comment changed on '");
		put_table(b, t);
		mig_buf_putc(b, '\'');
		break;
	case MIG_OP_COLUMN_COMMENT:
		mig_buf_puts(b, "column comment changed on ");
		put_column_ref(b, t, op->col_new);
		break;
	}
}
