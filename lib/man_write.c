/*
 * man_write.c — writing a schema model as a manifest, for `mig inspect` (adopting an existing
 * database) and for tests that check the loader against its own output.
 *
 * The output must load back into the same model whatever naming conventions the project uses,
 * so every index and constraint is written at table level with its name; only the primary key of
 * a single unnamed column is written on its column. Types are written as `type:` when the loader
 * would read them back unchanged, else as `sql_type:`. libyaml's emitter does the quoting, so
 * any name or expression survives; strings that a plain scalar would turn into null (or that the
 * loader refuses as YAML 1.1 booleans) are forced into double quotes.
 */
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "man.h"
#include "man_internal.h"

struct wr {
	yaml_emitter_t em;
	struct mig_buf *out;
	bool failed;
	const char *bad;        /* a string that is not UTF-8, when that is why it failed */
	struct mig_map types;   /* column type -> TYPE_* bits: type_reads_back() per distinct type */
};

/* What type_reads_back() found for a type, with and without autoincrement (TYPE_KNOWN: cached). */
enum {
	TYPE_KNOWN = 1,
	TYPE_BACK = 2,          /* reads back as `type:` */
	TYPE_BACK_AUTOINC = 4,  /* ... on an autoincrement column too */
};

static int on_write(void *data, unsigned char *buffer, size_t size);
static void emit(struct wr *w, yaml_event_t *ev);
static void map_start(struct wr *w, bool flow);
static void map_end(struct wr *w);
static void seq_start(struct wr *w, bool flow);
static void seq_end(struct wr *w);
static void str(struct wr *w, const char *s);
static void kv(struct wr *w, const char *key, const char *val);
static void kbool(struct wr *w, const char *key, bool val);
static void names(struct wr *w, const char *const *list, size_t n, const bool *expr);
static bool named(const char *name);
static bool type_reads_back(const struct mig_column *c);
static bool type_reads_back_cached(struct wr *w, const struct mig_column *c);
static bool special(const char *s, size_t len);
static bool pk_on_column(const struct mig_table *t);
static int write_column(struct wr *w, const struct mig_table *t, const struct mig_column *c);
static int write_table(struct wr *w, const struct mig_table *t);
static void write_fk_body(struct wr *w, const struct mig_fk *fk, bool with_name);

static int
on_write(void *data, unsigned char *buffer, size_t size)
{
	struct wr *w = data;

	mig_buf_put(w->out, buffer, size);
	return 1;
}

static void
emit(struct wr *w, yaml_event_t *ev)
{
	/* After a failure the emitter is in an undefined state: stop feeding it. */
	if (w->failed) {
		yaml_event_delete(ev);
		return;
	}
	/* The emitter owns the event from here on, even when it fails. */
	if (!yaml_emitter_emit(&w->em, ev))
		w->failed = true;
}

static void
map_start(struct wr *w, bool flow)
{
	yaml_event_t ev;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	emit(w, &ev);
}

static void
map_end(struct wr *w)
{
	yaml_event_t ev;

	yaml_mapping_end_event_initialize(&ev);
	emit(w, &ev);
}

static void
seq_start(struct wr *w, bool flow)
{
	yaml_event_t ev;

	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	    flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	emit(w, &ev);
}

static void
seq_end(struct wr *w)
{
	yaml_event_t ev;

	yaml_sequence_end_event_initialize(&ev);
	emit(w, &ev);
}

/*
 * Strings a plain scalar would turn into null, or that the loader refuses as YAML 1.1 booleans.
 * Every scalar of the manifest passes here: the length decides before any comparison.
 */
static bool
special(const char *s, size_t len)
{
	static const char *const words[] = { "~", "null", "yes", "no", "on", "off", "y", "n" };
	size_t i;

	if (len == 0)
		return true;
	if (len > 4)
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

static void
str(struct wr *w, const char *s)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	yaml_event_t ev;
	size_t len = strlen(s);

	/* "'UNDEFINED'" reads better than '''UNDEFINED''' (libyaml's choice). */
	if (special(s, len) || memchr(s, '\'', len) != NULL)
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style)) {
		/* libyaml refuses text that is not UTF-8 (a catalog can hold any bytes). */
		if (!w->failed)
			w->bad = s;
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static void
kv(struct wr *w, const char *key, const char *val)
{
	if (val == NULL)
		return;
	str(w, key);
	str(w, val);
}

static void
kbool(struct wr *w, const char *key, bool val)
{
	str(w, key);
	str(w, val ? "true" : "false");
}

static void
names(struct wr *w, const char *const *list, size_t n, const bool *expr)
{
	size_t i;

	seq_start(w, true);
	for (i = 0; i < n; i++) {
		if (expr != NULL && expr[i]) {
			map_start(w, true);
			kv(w, "expression", list[i]);
			map_end(w);
		} else {
			str(w, list[i]);
		}
	}
	seq_end(w);
}

static bool
named(const char *name)
{
	return name != NULL && name[0] != '\0';
}

/* Whether `type: X` loads back as exactly X (else the column needs `sql_type:`). */
static bool
type_reads_back(const struct mig_column *c)
{
	struct mig_buf canon = MIG_BUF_INIT;
	struct mig_type t;
	bool same;

	if (mig_type_is_portable(c->type)) {
		/* The loader refuses autoincrement on a portable non-integer type; sql_type has no such check. */
		if (!c->autoincrement)
			return true;
		mig_type_parse(&t, NULL, c->type);
		return !t.array && (t.kind == MIG_TYPE_INTEGER || t.kind == MIG_TYPE_BIGINT
		    || t.kind == MIG_TYPE_SMALLINT);
	}
	same = mig_type_parse(&t, &canon, c->type) == 0 && t.kind == MIG_TYPE_SQL
	    && strcmp(canon.ptr, c->type) == 0;
	mig_buf_release(&canon);
	mig_error_clear();
	return same;
}

/* type_reads_back() once per distinct type: a schema repeats a few types thousands of times. */
static bool
type_reads_back_cached(struct wr *w, const struct mig_column *c)
{
	uintptr_t bits = (uintptr_t)mig_map_get(&w->types, c->type);

	if (bits == 0) {
		struct mig_column probe = *c;

		probe.autoincrement = false;
		bits = TYPE_KNOWN | (type_reads_back(&probe) ? TYPE_BACK : 0);
		probe.autoincrement = true;
		bits |= type_reads_back(&probe) ? TYPE_BACK_AUTOINC : 0;
		mig_map_put(&w->types, c->type, (void *)bits);
	}
	return (bits & (c->autoincrement ? TYPE_BACK_AUTOINC : TYPE_BACK)) != 0;
}

/* A single-column primary key without a name is written as `primary_key: true` on its column. */
static bool
pk_on_column(const struct mig_table *t)
{
	return t->npk == 1 && t->pk_name == NULL;
}

static int
write_column(struct wr *w, const struct mig_table *t, const struct mig_column *c)
{
	bool in_pk = false;
	size_t i;

	if (!named(c->name) || c->type == NULL || c->type[0] == '\0')
		return mig_error_set(MIG_EUSAGE, "cannot write a column without a name or type in table '%s'",
		    t->name);
	for (i = 0; i < t->npk; i++)
		if (strcmp(t->pk[i], c->name) == 0)
			in_pk = true;
	str(w, c->name);
	map_start(w, true);
	kv(w, type_reads_back_cached(w, c) ? "type" : "sql_type", c->type);
	if (in_pk && pk_on_column(t))
		kbool(w, "primary_key", true);
	if (c->nullable != !in_pk)
		kbool(w, "nullable", c->nullable);
	kv(w, "default", c->default_sql);
	if (c->autoincrement != mig_man_default_autoincrement(t, c))
		kbool(w, "autoincrement", c->autoincrement);
	kv(w, "comment", c->comment);
	kv(w, "renamed_from", c->renamed_from);
	map_end(w);
	return 0;
}

static void
write_fk_body(struct wr *w, const struct mig_fk *fk, bool with_name)
{
	map_start(w, true);
	if (with_name)
		kv(w, "name", fk->name);
	str(w, "columns");
	names(w, fk->columns, fk->ncolumns, NULL);
	kv(w, "references", fk->ref_table);
	if (fk->ref_columns != NULL) {
		str(w, "ref_columns");
		names(w, fk->ref_columns, fk->ncolumns, NULL);
	}
	kv(w, "on_delete", fk->on_delete);
	kv(w, "on_update", fk->on_update);
	if (fk->deferrable)
		kbool(w, "deferrable", true);
	if (fk->initially_deferred)
		kbool(w, "initially_deferred", true);
	map_end(w);
}

static int
write_table(struct wr *w, const struct mig_table *t)
{
	bool all_named;
	size_t i;
	int r;

	if (!named(t->name))
		return mig_error_set(MIG_EUSAGE, "cannot write a table without a name");
	str(w, t->name);
	map_start(w, false);
	kv(w, "schema", t->schema);
	kv(w, "comment", t->comment);
	kv(w, "renamed_from", t->renamed_from);
	str(w, "columns");
	map_start(w, false);
	for (i = 0; i < t->ncolumns; i++)
		if ((r = write_column(w, t, t->columns[i])) < 0)
			return r;
	map_end(w);
	if (t->npk > 0 && !pk_on_column(t)) {
		str(w, "primary_key");
		if (t->pk_name != NULL) {
			map_start(w, true);
			kv(w, "name", t->pk_name);
			str(w, "columns");
			names(w, t->pk, t->npk, NULL);
			map_end(w);
		} else {
			names(w, t->pk, t->npk, NULL);
		}
	}
	if (t->nindexes > 0) {
		str(w, "indexes");
		map_start(w, false);
		for (i = 0; i < t->nindexes; i++) {
			const struct mig_index *x = t->indexes[i];

			if (!named(x->name))
				return mig_error_set(MIG_EUSAGE, "cannot write an index without a name on table '%s'",
				    t->name);
			str(w, x->name);
			map_start(w, true);
			str(w, "columns");
			names(w, x->columns, x->ncolumns, x->expr);
			if (x->unique)
				kbool(w, "unique", true);
			kv(w, "where", x->where);
			kv(w, "renamed_from", x->renamed_from);
			map_end(w);
		}
		map_end(w);
	}
	/* A section whose entries all have names is a mapping; otherwise a list with optional names. */
	if (t->nuniques > 0) {
		for (i = 0, all_named = true; i < t->nuniques; i++)
			all_named = all_named && named(t->uniques[i]->name);
		str(w, "unique");
		all_named ? map_start(w, false) : seq_start(w, false);
		for (i = 0; i < t->nuniques; i++) {
			const struct mig_unique *u = t->uniques[i];

			if (all_named) {
				str(w, u->name);
				names(w, u->columns, u->ncolumns, NULL);
			} else if (named(u->name)) {
				map_start(w, true);
				kv(w, "name", u->name);
				str(w, "columns");
				names(w, u->columns, u->ncolumns, NULL);
				map_end(w);
			} else {
				names(w, u->columns, u->ncolumns, NULL);
			}
		}
		all_named ? map_end(w) : seq_end(w);
	}
	if (t->nchecks > 0) {
		for (i = 0, all_named = true; i < t->nchecks; i++)
			all_named = all_named && named(t->checks[i]->name);
		str(w, "checks");
		all_named ? map_start(w, false) : seq_start(w, false);
		for (i = 0; i < t->nchecks; i++) {
			const struct mig_check *ck = t->checks[i];

			if (ck->expr == NULL)
				return mig_error_set(MIG_EUSAGE, "cannot write a check without an expression on "
				    "table '%s'", t->name);
			if (all_named) {
				kv(w, ck->name, ck->expr);
			} else if (named(ck->name)) {
				map_start(w, true);
				kv(w, "name", ck->name);
				kv(w, "expr", ck->expr);
				map_end(w);
			} else {
				str(w, ck->expr);
			}
		}
		all_named ? map_end(w) : seq_end(w);
	}
	if (t->nfks > 0) {
		for (i = 0, all_named = true; i < t->nfks; i++)
			all_named = all_named && named(t->fks[i]->name);
		str(w, "foreign_keys");
		all_named ? map_start(w, false) : seq_start(w, false);
		for (i = 0; i < t->nfks; i++) {
			if (t->fks[i]->ref_table == NULL)
				return mig_error_set(MIG_EUSAGE, "cannot write a foreign key without a referred "
				    "table on table '%s'", t->name);
			if (all_named)
				str(w, t->fks[i]->name);
			write_fk_body(w, t->fks[i], !all_named);
		}
		all_named ? map_end(w) : seq_end(w);
	}
	map_end(w);
	return 0;
}

int
mig_manifest_write(struct mig_buf *out, const struct mig_schema *s)
{
	struct wr w;
	yaml_event_t ev;
	size_t i, j, start = out->len;
	int r = 0;

	memset(&w, 0, sizeof(w));
	w.out = out;
	mig_map_init(&w.types);
	if (!yaml_emitter_initialize(&w.em))
		return mig_error_set(MIG_ENOMEM, "out of memory writing the manifest");
	yaml_emitter_set_output(&w.em, on_write, &w);
	yaml_emitter_set_unicode(&w.em, 1);
	yaml_emitter_set_width(&w.em, -1);
	yaml_emitter_set_indent(&w.em, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&w, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&w, &ev);
	map_start(&w, false);
	if (s->nenums > 0) {
		str(&w, "enums");
		map_start(&w, false);
		for (i = 0; i < s->nenums; i++) {
			const struct mig_enum *e = s->enums[i];

			if (!named(e->name)) {
				r = mig_error_set(MIG_EUSAGE, "cannot write an enum without a name");
				goto done;
			}
			str(&w, e->name);
			if (e->schema != NULL) {
				map_start(&w, true);
				kv(&w, "schema", e->schema);
				str(&w, "labels");
			}
			seq_start(&w, true);
			for (j = 0; j < e->nlabels; j++)
				str(&w, e->labels[j]);
			seq_end(&w);
			if (e->schema != NULL)
				map_end(&w);
		}
		map_end(&w);
	}
	str(&w, "tables");
	map_start(&w, false);
	for (i = 0; i < s->ntables; i++)
		if ((r = write_table(&w, s->tables[i])) < 0)
			goto done;
	map_end(&w);
	map_end(&w);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&w, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(&w, &ev);
	if (w.failed && w.bad != NULL)
		r = mig_error_set(MIG_EUSAGE, "cannot write the manifest: '%s' is not valid UTF-8", w.bad);
	else if (w.failed)
		r = mig_error_set(MIG_ERROR, "cannot write the manifest: %s",
		    w.em.problem ? w.em.problem : "emitter error");
done:
	yaml_emitter_delete(&w.em);
	mig_map_release(&w.types);
	if (r < 0)
		mig_buf_truncate(out, start);
	return r;
}
