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
