/*
 * schema.c — building and looking up the dialect-neutral schema model (see schema.h).
 *
 * Lists live in the schema's arena and grow by doubling into a fresh arena block; the old block is
 * simply left behind, which is cheap for the short lists a schema has and keeps one owner for all.
 */
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static void *grow(struct mig_schema *s, void *arr, size_t n, size_t *cap, size_t size);

struct mig_schema *
mig_schema_new(void)
{
	struct mig_schema *s = mig_xcalloc(1, sizeof(*s));

	mig_arena_init(&s->arena);
	mig_map_init(&s->by_name);
	return s;
}

void
mig_schema_free(struct mig_schema *s)
{
	if (s == NULL)
		return;
	mig_map_release(&s->by_name);
	mig_arena_release(&s->arena);
	free(s);
}

/* Returns arr with room for at least n + 1 elements of size bytes. */
static void *
grow(struct mig_schema *s, void *arr, size_t n, size_t *cap, size_t size)
{
	void *bigger;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 4;
	bigger = mig_arena_alloc(&s->arena, *cap * size);
	if (n)
		memcpy(bigger, arr, n * size);
	return bigger;
}

#define PUSH(s, arr, n, cap, obj) do { \
		(arr) = grow((s), (arr), (n), &(cap), sizeof(*(arr))); \
		(arr)[(n)++] = (obj); \
	} while (0)

struct mig_table *
mig_schema_add_table(struct mig_schema *s, const char *name)
{
	struct mig_table *t = mig_arena_alloc(&s->arena, sizeof(*t));

	t->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, s->tables, s->ntables, s->cap_tables, t);
	mig_map_put(&s->by_name, t->name, t);
	return t;
}

struct mig_enum *
mig_schema_add_enum(struct mig_schema *s, const char *name)
{
	struct mig_enum *e = mig_arena_alloc(&s->arena, sizeof(*e));

	e->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, s->enums, s->nenums, s->cap_enums, e);
	return e;
}

void
mig_enum_add_label(struct mig_schema *s, struct mig_enum *e, const char *label)
{
	PUSH(s, e->labels, e->nlabels, e->cap_labels, mig_arena_strdup(&s->arena, label));
}

struct mig_extra *
mig_schema_add_extra(struct mig_schema *s, const char *kind, const char *name, const char *table,
    const char *sql)
{
	struct mig_extra *x = mig_arena_alloc(&s->arena, sizeof(*x));

	x->kind = mig_arena_strdup(&s->arena, kind);
	x->name = mig_arena_strdup(&s->arena, name);
	x->table = mig_arena_strdup(&s->arena, table);
	x->sql = mig_arena_strdup(&s->arena, sql);
	PUSH(s, s->extras, s->nextras, s->cap_extras, x);
	return x;
}

struct mig_column *
mig_table_add_column(struct mig_schema *s, struct mig_table *t, const char *name)
{
	struct mig_column *c = mig_arena_alloc(&s->arena, sizeof(*c));

	c->name = mig_arena_strdup(&s->arena, name);
	c->nullable = true;
	PUSH(s, t->columns, t->ncolumns, t->cap_columns, c);
	return c;
}

void
mig_table_add_pk(struct mig_schema *s, struct mig_table *t, const char *column)
{
	PUSH(s, t->pk, t->npk, t->cap_pk, mig_arena_strdup(&s->arena, column));
}

struct mig_index *
mig_table_add_index(struct mig_schema *s, struct mig_table *t, const char *name)
{
	struct mig_index *x = mig_arena_alloc(&s->arena, sizeof(*x));

	x->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, t->indexes, t->nindexes, t->cap_indexes, x);
	return x;
}

struct mig_unique *
mig_table_add_unique(struct mig_schema *s, struct mig_table *t, const char *name)
{
	struct mig_unique *u = mig_arena_alloc(&s->arena, sizeof(*u));

	u->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, t->uniques, t->nuniques, t->cap_uniques, u);
	return u;
}

struct mig_check *
mig_table_add_check(struct mig_schema *s, struct mig_table *t, const char *name)
{
	struct mig_check *c = mig_arena_alloc(&s->arena, sizeof(*c));

	c->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, t->checks, t->nchecks, t->cap_checks, c);
	return c;
}

struct mig_fk *
mig_table_add_fk(struct mig_schema *s, struct mig_table *t, const char *name)
{
	struct mig_fk *f = mig_arena_alloc(&s->arena, sizeof(*f));

	f->name = mig_arena_strdup(&s->arena, name);
	PUSH(s, t->fks, t->nfks, t->cap_fks, f);
	return f;
}

void
mig_strlist_add(struct mig_schema *s, const char ***list, size_t *n, const char *item)
{
	/* Lists built this way are short (columns of a key): copy on every append, no capacity kept. */
	const char **bigger = mig_arena_alloc(&s->arena, (*n + 1) * sizeof(*bigger));

	if (*n)
		memcpy(bigger, *list, *n * sizeof(*bigger));
	bigger[(*n)++] = mig_arena_strdup(&s->arena, item);
	*list = bigger;
}

struct mig_table *
mig_schema_find_table(const struct mig_schema *s, const char *name)
{
	return mig_map_get(&s->by_name, name);
}

struct mig_enum *
mig_schema_find_enum(const struct mig_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i]->name, name) == 0)
			return s->enums[i];
	return NULL;
}

struct mig_column *
mig_table_find_column(const struct mig_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i]->name, name) == 0)
			return t->columns[i];
	return NULL;
}

struct mig_index *
mig_table_find_index(const struct mig_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nindexes; i++)
		if (strcmp(t->indexes[i]->name, name) == 0)
			return t->indexes[i];
	return NULL;
}

/* Copies n strings into s's arena (or only the list, borrowing them); NULL stays NULL. */
static const char **
copy_strs(struct mig_schema *s, const char *const *v, size_t n, bool dup)
{
	const char **out;
	size_t i;

	if (v == NULL)
		return NULL;
	if (!dup)
		return (const char **)v;
	out = mig_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = mig_arena_strdup(&s->arena, v[i]);
	return out;
}

/* A string kept by the copy: s's own, or src's when borrowing. */
#define KEEP(x) (dup ? mig_arena_strdup(a, (x)) : (x))

/* A copy of n objects of size bytes each, in s's arena, and the list of pointers to them. */
static void **
copy_objects(struct mig_schema *s, void *const *src, size_t n, size_t size)
{
	void **list = mig_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*list));
	char *objs = mig_arena_alloc(&s->arena, (n ? n : 1) * size);
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(objs + i * size, src[i], size);
		list[i] = objs + i * size;
	}
	return list;
}

static struct mig_table *
copy_table(struct mig_schema *s, const struct mig_table *src, bool with_fks, bool dup)
{
	struct mig_arena *a = &s->arena;
	struct mig_table *t = mig_arena_alloc(a, sizeof(*t));
	size_t i, k;

	*t = *src;
	t->name = KEEP(src->name);
	t->schema = KEEP(src->schema);
	t->comment = KEEP(src->comment);
	t->renamed_from = KEEP(src->renamed_from);
	t->options = KEEP(src->options);
	t->pk_name = KEEP(src->pk_name);
	t->pk = copy_strs(s, src->pk, src->npk, dup);
	t->columns = (struct mig_column **)copy_objects(s, (void *const *)src->columns, src->ncolumns,
	    sizeof(**t->columns));
	t->indexes = (struct mig_index **)copy_objects(s, (void *const *)src->indexes, src->nindexes,
	    sizeof(**t->indexes));
	t->uniques = (struct mig_unique **)copy_objects(s, (void *const *)src->uniques, src->nuniques,
	    sizeof(**t->uniques));
	t->checks = (struct mig_check **)copy_objects(s, (void *const *)src->checks, src->nchecks,
	    sizeof(**t->checks));
	t->fks = (struct mig_fk **)copy_objects(s, (void *const *)src->fks, with_fks ? src->nfks : 0,
	    sizeof(**t->fks));
	if (!with_fks)
		t->nfks = 0;
	/* Lists are full: the next append through a builder grows them into a fresh block. */
	t->cap_columns = t->ncolumns;
	t->cap_indexes = t->nindexes;
	t->cap_uniques = t->nuniques;
	t->cap_checks = t->nchecks;
	t->cap_fks = t->nfks;
	t->cap_pk = t->npk;
	for (i = 0; dup && i < t->ncolumns; i++) {
		struct mig_column *c = t->columns[i];

		c->name = KEEP(c->name);
		c->type = KEEP(c->type);
		c->default_sql = KEEP(c->default_sql);
		c->comment = KEEP(c->comment);
		c->renamed_from = KEEP(c->renamed_from);
	}
	for (i = 0; i < t->nindexes; i++) {
		struct mig_index *x = t->indexes[i];
		bool *expr = x->expr;

		x->columns = copy_strs(s, x->columns, x->ncolumns, dup);
		if (expr != NULL && dup) {
			x->expr = mig_arena_alloc(a, (x->ncolumns ? x->ncolumns : 1) * sizeof(*x->expr));
			for (k = 0; k < x->ncolumns; k++)
				x->expr[k] = expr[k];
		}
		x->name = KEEP(x->name);
		x->where = KEEP(x->where);
		x->renamed_from = KEEP(x->renamed_from);
	}
	for (i = 0; dup && i < t->nuniques; i++) {
		t->uniques[i]->name = KEEP(t->uniques[i]->name);
		t->uniques[i]->columns = copy_strs(s, t->uniques[i]->columns, t->uniques[i]->ncolumns, dup);
	}
	for (i = 0; dup && i < t->nchecks; i++) {
		t->checks[i]->name = KEEP(t->checks[i]->name);
		t->checks[i]->expr = KEEP(t->checks[i]->expr);
	}
	for (i = 0; dup && i < t->nfks; i++) {
		struct mig_fk *f = t->fks[i];

		f->name = KEEP(f->name);
		f->columns = copy_strs(s, f->columns, f->ncolumns, dup);
		f->ref_table = KEEP(f->ref_table);
		f->ref_columns = copy_strs(s, f->ref_columns, f->ncolumns, dup);
		f->on_delete = KEEP(f->on_delete);
		f->on_update = KEEP(f->on_update);
	}
	PUSH(s, s->tables, s->ntables, s->cap_tables, t);
	mig_map_put(&s->by_name, t->name, t);
	return t;
}

#undef KEEP

struct mig_table *
mig_schema_copy_table(struct mig_schema *s, const struct mig_table *src, bool with_fks)
{
	return copy_table(s, src, with_fks, true);
}

struct mig_table *
mig_schema_borrow_table(struct mig_schema *s, const struct mig_table *src)
{
	return copy_table(s, src, true, false);
}

struct mig_enum *
mig_schema_copy_enum(struct mig_schema *s, const struct mig_enum *src)
{
	struct mig_enum *e = mig_schema_add_enum(s, src->name);
	size_t i;

	e->schema = mig_arena_strdup(&s->arena, src->schema);
	e->line = src->line;
	for (i = 0; i < src->nlabels; i++)
		mig_enum_add_label(s, e, src->labels[i]);
	return e;
}

/* ---- a text form of every field, for tests and debugging ---- */

static void
dump_str(struct mig_buf *b, const char *key, const char *v)
{
	if (v != NULL)
		mig_buf_printf(b, " %s=[%s]", key, v);
}

static void
dump_list(struct mig_buf *b, const char *key, const char *const *v, const bool *expr, size_t n)
{
	size_t i;

	mig_buf_printf(b, " %s=(", key);
	for (i = 0; v != NULL && i < n; i++)
		mig_buf_printf(b, "%s%s[%s]", i ? "," : "", expr && expr[i] ? "expr:" : "", v[i]);
	mig_buf_putc(b, ')');
}

void
mig_table_dump(struct mig_buf *b, const struct mig_table *t, bool with_lines)
{
	size_t j;

	mig_buf_printf(b, "table [%s]", t->name);
	dump_str(b, "schema", t->schema);
	dump_str(b, "comment", t->comment);
	dump_str(b, "renamed_from", t->renamed_from);
	dump_str(b, "options", t->options);
	dump_str(b, "pk_name", t->pk_name);
	dump_list(b, "pk", t->pk, NULL, t->npk);
	if (with_lines)
		mig_buf_printf(b, " line=%d", t->line);
	mig_buf_putc(b, '\n');
	for (j = 0; j < t->ncolumns; j++) {
		const struct mig_column *c = t->columns[j];

		mig_buf_printf(b, "  column [%s] type=[%s] nullable=%d autoinc=%d%s", c->name, c->type,
		    c->nullable, c->autoincrement, c->autoincrement_auto ? " (auto)" : "");
		dump_str(b, "default", c->default_sql);
		dump_str(b, "comment", c->comment);
		dump_str(b, "renamed_from", c->renamed_from);
		if (with_lines)
			mig_buf_printf(b, " line=%d", c->line);
		mig_buf_putc(b, '\n');
	}
	for (j = 0; j < t->nindexes; j++) {
		const struct mig_index *x = t->indexes[j];

		mig_buf_printf(b, "  index [%s] unique=%d", x->name, x->unique);
		dump_list(b, "columns", x->columns, x->expr, x->ncolumns);
		dump_str(b, "where", x->where);
		dump_str(b, "renamed_from", x->renamed_from);
		if (with_lines)
			mig_buf_printf(b, " line=%d", x->line);
		mig_buf_putc(b, '\n');
	}
	for (j = 0; j < t->nuniques; j++) {
		const struct mig_unique *u = t->uniques[j];

		mig_buf_printf(b, "  unique [%s]", u->name ? u->name : "");
		dump_list(b, "columns", u->columns, NULL, u->ncolumns);
		if (with_lines)
			mig_buf_printf(b, " line=%d", u->line);
		mig_buf_putc(b, '\n');
	}
	for (j = 0; j < t->nchecks; j++) {
		const struct mig_check *c = t->checks[j];

		mig_buf_printf(b, "  check [%s] expr=[%s]", c->name ? c->name : "", c->expr);
		if (with_lines)
			mig_buf_printf(b, " line=%d", c->line);
		mig_buf_putc(b, '\n');
	}
	for (j = 0; j < t->nfks; j++) {
		const struct mig_fk *f = t->fks[j];

		mig_buf_printf(b, "  fk [%s]", f->name ? f->name : "");
		dump_list(b, "columns", f->columns, NULL, f->ncolumns);
		mig_buf_printf(b, " ref=[%s]", f->ref_table);
		dump_list(b, "ref_columns", f->ref_columns, NULL, f->ref_columns ? f->ncolumns : 0);
		dump_str(b, "on_delete", f->on_delete);
		dump_str(b, "on_update", f->on_update);
		mig_buf_printf(b, " deferrable=%d/%d", f->deferrable, f->initially_deferred);
		if (with_lines)
			mig_buf_printf(b, " line=%d", f->line);
		mig_buf_putc(b, '\n');
	}
}

void
mig_schema_dump(struct mig_buf *b, const struct mig_schema *s, bool with_lines)
{
	size_t i;

	for (i = 0; i < s->nenums; i++) {
		const struct mig_enum *e = s->enums[i];

		mig_buf_printf(b, "enum [%s]", e->name);
		dump_str(b, "schema", e->schema);
		dump_list(b, "labels", e->labels, NULL, e->nlabels);
		if (with_lines)
			mig_buf_printf(b, " line=%d", e->line);
		mig_buf_putc(b, '\n');
	}
	for (i = 0; i < s->ntables; i++)
		mig_table_dump(b, s->tables[i], with_lines);
}
