/*
 * man_load.c — reading the YAML manifest (models.yaml) into the schema model.
 *
 * The manifest is read from libyaml's event stream by recursive descent, without building a YAML
 * tree first: memory stays proportional to the model, aliases (and with them "billion laughs"
 * alias bombs) are refused as soon as they appear, and every value still has its line and column
 * for the message when it is wrong. Facts that can only be checked once more of the file has been
 * read are queued and checked later: the columns an index or constraint names, when its table
 * ends (the keys of a table may come in any order), and enum and foreign key references, when
 * the document ends (a foreign key may point at a table declared further down).
 *
 * Column shorthands are expanded at the end of their table into the canonical lists of schema.h,
 * with names from the naming conventions; names written in the manifest are used verbatim.
 * Names share PostgreSQL's namespaces, so a manifest that loads can also be created: tables,
 * indexes, unique constraints and primary keys share one namespace, tables and enums (types)
 * another, and the constraints of one table a third.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "man.h"
#include "man_internal.h"

/* PostgreSQL's INDEX_MAX_KEYS: no key, index or constraint can have more columns. */
#define MAX_KEY_COLUMNS 32

/* A scalar as written: its text (in the scratch arena) and where it starts. */
struct scalar {
	const char *v;          /* NULL when absent */
	bool plain;             /* plain style without a !!str tag: ~, null and the like mean null */
	int line, col;          /* 1-based */
};

/* Who owns a name, for "already used by" messages. */
struct owner {
	const char *what;
	int line;
};

/* What one column said, kept until its table is complete. */
struct colinfo {
	struct mig_column *c;
	struct scalar name;
	struct scalar type_at;          /* `type:` or `sql_type:` value, for messages */
	struct scalar pk_at;            /* the `primary_key:` key when true */
	struct scalar autoinc_at;
	struct scalar references, on_delete, on_update, check;
	int pk, unique, index, autoinc, nullable; /* -1 when not given, else 0 / 1 */
	bool portable;                  /* the type is portable (checked), not a database type */
	bool integral;                  /* a portable integer type (for autoincrement) */
};

/* A column named by an index or constraint, checked when its table ends. */
struct colref {
	struct scalar at;
	const char *what;
};

/* Checked when the document ends. */
enum pend_kind {
	P_ENUM,
	P_FK,
};

struct pending {
	enum pend_kind kind;
	struct scalar at;               /* P_ENUM: the type; P_FK: the `references:` value */
	const char *enum_name;
	struct mig_table *t;
	struct mig_fk *fk;
	const char *what;
	struct scalar *refcols;         /* as written; NULL when omitted (the referred primary key) */
	size_t nrefcols;
};

/* One index or constraint as written, before it joins the model. */
enum ckind {
	K_INDEX,
	K_UNIQUE,
	K_CHECK,
	K_FK,
	K_PK,
};

struct cons {
	enum ckind kind;
	struct scalar name;
	struct scalar at;               /* where the entry starts */
	struct scalar cols[MAX_KEY_COLUMNS];
	bool expr[MAX_KEY_COLUMNS];
	size_t ncols;
	bool has_cols;
	struct scalar refcols[MAX_KEY_COLUMNS];
	size_t nrefcols;
	bool has_refcols;
	struct scalar where, renamed_from, expression, references, on_delete, on_update;
	int unique, deferrable, initially_deferred;
};

struct ld {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have;                      /* ev holds an event not yet consumed */
	int depth;
	const char *path;
	const char *text;
	size_t len;
	struct mig_schema *s;
	const char *naming_ix, *naming_uq, *naming_fk, *naming_ck;
	struct mig_arena tmp;           /* scalars, messages, namespace keys: freed with the loader */
	struct mig_map names;           /* namespace key -> struct owner */
	struct mig_map enums;           /* enum name -> struct mig_enum */
	struct pending *pend;
	size_t npend, cap_pend;
	/* the table being read */
	struct mig_table *t;
	const char *tname;              /* "table 'user'" */
	struct mig_map cols;            /* column name -> struct colinfo */
	struct colinfo **ci;
	size_t nci, cap_ci;
	struct colref *refs;
	size_t nrefs, cap_refs;
	struct scalar tpk_at;           /* the table's `primary_key:` key when given */
};

static int fail(struct ld *L, int line, int col, const char *fmt, ...) MIG_PRINTF(4, 5);
static int fail_at(struct ld *L, const struct scalar *at, const char *fmt, ...) MIG_PRINTF(3, 4);
static int fail_ev(struct ld *L, const char *fmt, ...) MIG_PRINTF(2, 3);
static int yaml_fail(struct ld *L);
static int peek(struct ld *L);
static void drop(struct ld *L);
static const char *ev_kind(const yaml_event_t *ev);
static int begin_map(struct ld *L, const char *what, bool *isnull);
static int next_key(struct ld *L, struct scalar *key, bool *end);
static int begin_seq(struct ld *L, const char *what);
static int seq_end(struct ld *L, bool *end);
static int read_scalar(struct ld *L, struct scalar *out, const char *what);
static bool is_null(const struct scalar *sc);
static int read_bool(struct ld *L, int *out, const char *what);
static int read_text(struct ld *L, struct scalar *out, const char *what);
static int read_name(struct ld *L, struct scalar *out, const char *what);
static int check_name(struct ld *L, const struct scalar *name, const char *what);
static int pick_key(struct ld *L, const struct scalar *key, const char *const *keys, unsigned *seen,
    const char *where);
static int claim(struct ld *L, char ns, const char *table, const char *name, const char *what,
    int line, int col);
static const char *tmpf(struct ld *L, const char *fmt, ...) MIG_PRINTF(2, 3);
static int read_root(struct ld *L);
static int read_enums(struct ld *L);
static int read_enum(struct ld *L, const struct scalar *name);
static int read_labels(struct ld *L, struct mig_enum *e, const char *what);
static int read_tables(struct ld *L);
static int read_table(struct ld *L, const struct scalar *name);
static int read_columns(struct ld *L);
static int read_column(struct ld *L, struct colinfo *ci);
static int set_type(struct ld *L, struct colinfo *ci, const struct scalar *type, bool sql);
static int read_default(struct ld *L, struct colinfo *ci);
static int read_section(struct ld *L, enum ckind kind, const char *section);
static int read_entry(struct ld *L, struct cons *c, bool in_list, const char *what);
static int read_key_columns(struct ld *L, struct scalar *cols, bool *expr, size_t *n, bool allow_expr,
    const char *what);
static void cons_reset(struct cons *c, enum ckind kind, int line, int col);
static const char *cons_what(struct ld *L, const struct cons *c);
static int commit(struct ld *L, struct cons *c);
static int fk_action(struct ld *L, const struct scalar *sc, const char **out);
static void add_ref(struct ld *L, const struct scalar *at, const char *what);
static void add_pending(struct ld *L, const struct pending *p);
static int generated_name(struct ld *L, struct mig_buf *b, const struct colinfo *ci);
static int finish_table(struct ld *L, const struct scalar *name);
static int finish_document(struct ld *L);
static int read_document(struct ld *L);

/* ---- messages ---- */

static int
fail(struct ld *L, int line, int col, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;
	int r;

	mig_buf_printf(&b, "%s:%d:%d: ", L->path, line, col);
	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r = mig_error_set(MIG_EPARSE, "%s", b.ptr);
	mig_buf_release(&b);
	return r;
}

static int
fail_at(struct ld *L, const struct scalar *at, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r = fail(L, at->line, at->col, "%s", b.ptr);
	mig_buf_release(&b);
	return r;
}

/* At the start of the event just read. */
static int
fail_ev(struct ld *L, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r = fail(L, (int)L->ev.start_mark.line + 1, (int)L->ev.start_mark.column + 1, "%s", b.ptr);
	mig_buf_release(&b);
	return r;
}

/* libyaml's own diagnosis, at its position. */
static int
yaml_fail(struct ld *L)
{
	yaml_parser_t *p = &L->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	int line, col;
	size_t i;

	if (p->error == YAML_MEMORY_ERROR)
		return mig_error_set(MIG_ENOMEM, "%s: out of memory reading the manifest", L->path);
	if (p->error == YAML_READER_ERROR) {
		/* Encoding errors carry a byte offset, not a mark: count lines up to it. */
		line = 1;
		col = 1;
		for (i = 0; i < p->problem_offset && i < L->len; i++) {
			if (L->text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		return fail(L, line, col, "invalid YAML: %s", problem);
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->problem_mark.index < L->len && L->text[p->problem_mark.index] == '\t')
		return fail(L, line, col, "invalid YAML: %s (a tab: YAML is indented with spaces)", problem);
	/* `{type: string[]}`: inside {...} a bracket starts a list; the type needs quotes there. */
	if (p->problem_mark.index > 0 && p->problem_mark.index < L->len
	    && L->text[p->problem_mark.index] == '[' && L->text[p->problem_mark.index - 1] != ' '
	    && p->context != NULL && strstr(p->context, "flow") != NULL)
		return fail(L, line, col, "invalid YAML: %s (inside {...} quote a type with [], "
		    "e.g. \"string[]\")", problem);
	if (p->context != NULL)
		return fail(L, line, col, "invalid YAML: %s (%s at line %d)", problem, p->context,
		    (int)p->context_mark.line + 1);
	return fail(L, line, col, "invalid YAML: %s", problem);
}

static const char *
tmpf(struct ld *L, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	s = mig_arena_strdup(&L->tmp, b.ptr);
	mig_buf_release(&b);
	return s;
}

/* ---- reading events ---- */

/* Makes L->ev the next event, refusing aliases, anchors and deep nesting as they appear. */
static int
peek(struct ld *L)
{
	const yaml_char_t *anchor = NULL;

	if (L->have)
		return 0;
	if (!yaml_parser_parse(&L->parser, &L->ev))
		return yaml_fail(L);
	L->have = true;
	switch (L->ev.type) {
	case YAML_ALIAS_EVENT:
		return fail_ev(L, "anchors and aliases are not allowed");
	case YAML_SCALAR_EVENT:
		anchor = L->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = L->ev.data.sequence_start.anchor;
		L->depth++;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = L->ev.data.mapping_start.anchor;
		L->depth++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		L->depth--;
		break;
	default:
		break;
	}
	if (anchor != NULL)
		return fail_ev(L, "anchors and aliases are not allowed");
	if (L->depth > MIG_MANIFEST_MAX_DEPTH)
		return fail_ev(L, "nesting deeper than %d levels", MIG_MANIFEST_MAX_DEPTH);
	return 0;
}

static void
drop(struct ld *L)
{
	if (L->have)
		yaml_event_delete(&L->ev);
	L->have = false;
}

static const char *
ev_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.length ? "a string" : "empty";
	default:
		return "nothing";
	}
}

/*
 * Consumes the start of a mapping. When isnull is given, a null scalar (`key:` with nothing, or
 * `~`) is accepted as an empty mapping and reported there.
 */
static int
begin_map(struct ld *L, const char *what, bool *isnull)
{
	struct scalar sc;
	int r;

	if (isnull != NULL)
		*isnull = false;
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_MAPPING_START_EVENT) {
		drop(L);
		return 0;
	}
	if (isnull != NULL && L->ev.type == YAML_SCALAR_EVENT) {
		if ((r = read_scalar(L, &sc, what)) < 0)
			return r;
		if (is_null(&sc)) {
			*isnull = true;
			return 0;
		}
		return fail_at(L, &sc, "%s must be a mapping, not a string", what);
	}
	return fail_ev(L, "%s must be a mapping, not %s", what, ev_kind(&L->ev));
}

/* The next key of the current mapping, or *end at its end. Keys must be scalars. */
static int
next_key(struct ld *L, struct scalar *key, bool *end)
{
	int r;

	*end = false;
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_MAPPING_END_EVENT) {
		drop(L);
		*end = true;
		return 0;
	}
	if (L->ev.type != YAML_SCALAR_EVENT)
		return fail_ev(L, "mapping keys must be strings, not %s", ev_kind(&L->ev));
	return read_scalar(L, key, "a key");
}

static int
begin_seq(struct ld *L, const char *what)
{
	int r;

	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail_ev(L, "%s must be a list, not %s", what, ev_kind(&L->ev));
	drop(L);
	return 0;
}

static int
seq_end(struct ld *L, bool *end)
{
	int r;

	*end = false;
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SEQUENCE_END_EVENT) {
		drop(L);
		*end = true;
	}
	return 0;
}

static int
read_scalar(struct ld *L, struct scalar *out, const char *what)
{
	const yaml_event_t *ev = &L->ev;
	const char *tag;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	if (ev->type != YAML_SCALAR_EVENT)
		return fail_ev(L, "%s must be a string, not %s", what, ev_kind(ev));
	out->line = (int)ev->start_mark.line + 1;
	out->col = (int)ev->start_mark.column + 1;
	/* A NUL from a "\0" escape would silently cut every C string made from the value. */
	if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
		return fail_at(L, out, "%s contains a NUL character", what);
	tag = (const char *)ev->data.scalar.tag;
	out->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
	    && (tag == NULL || strcmp(tag, YAML_STR_TAG) != 0);
	out->v = mig_arena_strndup(&L->tmp, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	drop(L);
	return 0;
}

static bool
is_null(const struct scalar *sc)
{
	if (sc->v == NULL)
		return true;
	return sc->plain && (sc->v[0] == '\0' || strcmp(sc->v, "~") == 0 || strcmp(sc->v, "null") == 0
	    || strcmp(sc->v, "Null") == 0 || strcmp(sc->v, "NULL") == 0);
}

static int
read_bool(struct ld *L, int *out, const char *what)
{
	struct scalar sc;
	int r;

	if ((r = read_scalar(L, &sc, what)) < 0)
		return r;
	if (strcmp(sc.v, "true") == 0 || strcmp(sc.v, "True") == 0 || strcmp(sc.v, "TRUE") == 0)
		*out = 1;
	else if (strcmp(sc.v, "false") == 0 || strcmp(sc.v, "False") == 0 || strcmp(sc.v, "FALSE") == 0)
		*out = 0;
	else
		return fail_at(L, &sc, "%s must be true or false, not '%s'", what, sc.v);
	return 0;
}

/* A string; null leaves out->v NULL (the attribute is as good as absent). */
static int
read_text(struct ld *L, struct scalar *out, const char *what)
{
	int r;

	if ((r = read_scalar(L, out, what)) < 0)
		return r;
	if (is_null(out))
		out->v = NULL;
	return 0;
}

/* A name: a non-empty string no longer than PostgreSQL keeps. */
static int
read_name(struct ld *L, struct scalar *out, const char *what)
{
	int r;

	if ((r = read_scalar(L, out, what)) < 0)
		return r;
	return check_name(L, out, what);
}

static int
check_name(struct ld *L, const struct scalar *name, const char *what)
{
	if (is_null(name))
		return fail_at(L, name, "%s is empty", what);
	if (strlen(name->v) > MIG_NAME_MAX)
		return fail_at(L, name, "name '%s' is longer than %d bytes (PostgreSQL would truncate it)",
		    name->v, MIG_NAME_MAX);
	return 0;
}

/* Index of key in keys (NULL-terminated), refusing unknown and repeated keys. */
static int
pick_key(struct ld *L, const struct scalar *key, const char *const *keys, unsigned *seen,
    const char *where)
{
	struct mig_buf list = MIG_BUF_INIT;
	size_t i, d, n = strlen(key->v), bestd = 3;
	const char *best = NULL;
	int r;

	for (i = 0; keys[i] != NULL; i++) {
		if (strcmp(keys[i], key->v) != 0)
			continue;
		if (*seen & (1u << i))
			return fail_at(L, key, "duplicate key '%s' %s", key->v, where);
		*seen |= 1u << i;
		return (int)i;
	}
	for (i = 0; keys[i] != NULL; i++) {
		d = mig_man_edit_distance(key->v, n, keys[i], strlen(keys[i]));
		if (d < bestd && d < n / 2 + 1) {
			bestd = d;
			best = keys[i];
		}
		mig_buf_printf(&list, "%s%s", i ? ", " : "", keys[i]);
	}
	if (best != NULL)
		r = fail_at(L, key, "unknown key '%s' %s (did you mean '%s'?)", key->v, where, best);
	else
		r = fail_at(L, key, "unknown key '%s' %s (expected one of: %s)", key->v, where, list.ptr);
	mig_buf_release(&list);
	return r;
}

/*
 * Records that name belongs to what in namespace ns: 'R' relations (tables, indexes, unique
 * constraints and primary keys, which PostgreSQL backs with an index), 'T' types (tables and
 * enums), 'C' the constraints of one table.
 */
static int
claim(struct ld *L, char ns, const char *table, const char *name, const char *what, int line, int col)
{
	const char *key = ns == 'C' ? tmpf(L, "C%s\x01%s", table, name) : tmpf(L, "%c%s", ns, name);
	struct owner *o = mig_map_get(&L->names, key);

	if (o != NULL) {
		if (strcmp(o->what, what) == 0)
			return fail(L, line, col, "duplicate %s (first at line %d)", what, o->line);
		return fail(L, line, col, "%s: the name is already used by %s (line %d)", what, o->what,
		    o->line);
	}
	o = mig_arena_alloc(&L->tmp, sizeof(*o));
	o->what = what;
	o->line = line;
	mig_map_put(&L->names, key, o);
	return 0;
}

static void
add_ref(struct ld *L, const struct scalar *at, const char *what)
{
	if (L->nrefs == L->cap_refs) {
		L->cap_refs = L->cap_refs ? L->cap_refs * 2 : 16;
		L->refs = mig_xrealloc(L->refs, L->cap_refs * sizeof(*L->refs));
	}
	L->refs[L->nrefs].at = *at;
	L->refs[L->nrefs++].what = what;
}

static void
add_pending(struct ld *L, const struct pending *p)
{
	if (L->npend == L->cap_pend) {
		L->cap_pend = L->cap_pend ? L->cap_pend * 2 : 16;
		L->pend = mig_xrealloc(L->pend, L->cap_pend * sizeof(*L->pend));
	}
	L->pend[L->npend++] = *p;
}

/* ---- the document ---- */

static int
read_document(struct ld *L)
{
	struct scalar sc;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	drop(L); /* STREAM-START */
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_STREAM_END_EVENT)
		return 0; /* an empty file: an empty schema */
	drop(L); /* DOCUMENT-START */
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SCALAR_EVENT) {
		if ((r = read_scalar(L, &sc, "the manifest")) < 0)
			return r;
		if (!is_null(&sc))
			return fail_at(L, &sc, "the manifest must be a mapping with 'tables:' and 'enums:', not a string");
	} else if ((r = read_root(L)) < 0) {
		return r;
	}
	if ((r = peek(L)) < 0)
		return r;
	drop(L); /* DOCUMENT-END */
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type != YAML_STREAM_END_EVENT)
		return fail_ev(L, "only one YAML document is allowed");
	return 0;
}

static int
read_root(struct ld *L)
{
	static const char *const keys[] = { "tables", "enums", NULL };
	struct scalar key;
	unsigned seen = 0;
	bool end;
	int k, r;

	if ((r = begin_map(L, "the manifest", NULL)) < 0)
		return r;
	for (;;) {
		if ((r = next_key(L, &key, &end)) < 0)
			return r;
		if (end)
			return 0;
		if ((k = pick_key(L, &key, keys, &seen, "at the top level")) < 0)
			return k;
		if ((r = k == 0 ? read_tables(L) : read_enums(L)) < 0)
			return r;
	}
}

/* ---- enums ---- */

static int
read_enums(struct ld *L)
{
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = begin_map(L, "'enums'", &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0)
			return r;
		if (end)
			return 0;
		if ((r = read_enum(L, &name)) < 0)
			return r;
	}
}

static int
read_enum(struct ld *L, const struct scalar *name)
{
	static const char *const keys[] = { "labels", "schema", NULL };
	const char *what = tmpf(L, "enum '%s'", name->v);
	struct mig_enum *e;
	struct scalar key, sc;
	unsigned seen = 0;
	bool end, labels = false;
	int k, r;

	if ((r = check_name(L, name, "an enum name")) < 0)
		return r;
	if ((r = claim(L, 'T', NULL, name->v, what, name->line, name->col)) < 0)
		return r;
	e = mig_schema_add_enum(L->s, name->v);
	e->line = name->line;
	mig_map_put(&L->enums, e->name, e);
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SEQUENCE_START_EVENT) {
		if ((r = read_labels(L, e, what)) < 0)
			return r;
	} else {
		if (L->ev.type != YAML_MAPPING_START_EVENT)
			return fail_ev(L, "%s must be a list of labels, not %s", what, ev_kind(&L->ev));
		if ((r = begin_map(L, what, NULL)) < 0)
			return r;
		for (;;) {
			if ((r = next_key(L, &key, &end)) < 0)
				return r;
			if (end)
				break;
			if ((k = pick_key(L, &key, keys, &seen, tmpf(L, "in %s", what))) < 0)
				return k;
			if (k == 0) {
				if ((r = read_labels(L, e, what)) < 0)
					return r;
				labels = true;
			} else {
				if ((r = read_text(L, &sc, "'schema'")) < 0)
					return r;
				e->schema = mig_arena_strdup(&L->s->arena, sc.v);
			}
		}
		if (!labels)
			return fail_at(L, name, "%s has no labels", what);
	}
	return 0;
}

static int
read_labels(struct ld *L, struct mig_enum *e, const char *what)
{
	struct mig_map seen;
	struct scalar sc;
	bool end;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	sc.line = (int)L->ev.start_mark.line + 1;
	sc.col = (int)L->ev.start_mark.column + 1;
	if ((r = begin_seq(L, tmpf(L, "the labels of %s", what))) < 0)
		return r;
	mig_map_init(&seen);
	for (;;) {
		if ((r = seq_end(L, &end)) < 0)
			break;
		if (end) {
			if (e->nlabels == 0)
				r = fail_at(L, &sc, "%s has no labels", what);
			break;
		}
		if ((r = read_scalar(L, &sc, "a label")) < 0)
			break;
		if (is_null(&sc)) {
			r = fail_at(L, &sc, "empty label in %s", what);
			break;
		}
		if (strlen(sc.v) > MIG_NAME_MAX) {
			r = fail_at(L, &sc, "label '%s' is longer than %d bytes", sc.v, MIG_NAME_MAX);
			break;
		}
		if (mig_map_put(&seen, sc.v, (void *)sc.v) != NULL) {
			r = fail_at(L, &sc, "duplicate label '%s' in %s", sc.v, what);
			break;
		}
		mig_enum_add_label(L->s, e, sc.v);
	}
	mig_map_release(&seen);
	return r;
}

/* ---- tables ---- */

static int
read_tables(struct ld *L)
{
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = begin_map(L, "'tables'", &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0)
			return r;
		if (end)
			return 0;
		if ((r = read_table(L, &name)) < 0)
			return r;
	}
}

static int
read_table(struct ld *L, const struct scalar *name)
{
	static const char *const keys[] = { "columns", "primary_key", "indexes", "unique", "checks",
		"foreign_keys", "comment", "renamed_from", "schema", NULL };
	struct scalar key, sc;
	unsigned seen = 0;
	bool end, isnull;
	int k, r;

	if ((r = check_name(L, name, "a table name")) < 0)
		return r;
	L->tname = tmpf(L, "table '%s'", name->v);
	if ((r = claim(L, 'R', NULL, name->v, L->tname, name->line, name->col)) < 0
	    || (r = claim(L, 'T', NULL, name->v, L->tname, name->line, name->col)) < 0)
		return r;
	L->t = mig_schema_add_table(L->s, name->v);
	L->t->line = name->line;
	mig_map_release(&L->cols);
	L->nci = L->nrefs = 0;
	memset(&L->tpk_at, 0, sizeof(L->tpk_at));
	if ((r = begin_map(L, L->tname, &isnull)) < 0)
		return r;
	while (!isnull) {
		if ((r = next_key(L, &key, &end)) < 0)
			return r;
		if (end)
			break;
		if ((k = pick_key(L, &key, keys, &seen, tmpf(L, "in %s", L->tname))) < 0)
			return k;
		switch (k) {
		case 0:
			r = read_columns(L);
			break;
		case 1:
			L->tpk_at = key;
			r = read_section(L, K_PK, "primary_key");
			break;
		case 2:
			r = read_section(L, K_INDEX, "indexes");
			break;
		case 3:
			r = read_section(L, K_UNIQUE, "unique");
			break;
		case 4:
			r = read_section(L, K_CHECK, "checks");
			break;
		case 5:
			r = read_section(L, K_FK, "foreign_keys");
			break;
		default:
			if ((r = read_text(L, &sc, tmpf(L, "'%s'", key.v))) < 0)
				return r;
			if (k == 7 && sc.v != NULL && (r = check_name(L, &sc, "'renamed_from'")) < 0)
				return r;
			sc.v = mig_arena_strdup(&L->s->arena, sc.v);
			if (k == 6)
				L->t->comment = sc.v;
			else if (k == 7)
				L->t->renamed_from = sc.v;
			else
				L->t->schema = sc.v;
			break;
		}
		if (r < 0)
			return r;
	}
	return finish_table(L, name);
}

static int
read_columns(struct ld *L)
{
	const char *what = tmpf(L, "'columns' of %s", L->tname);
	struct colinfo *ci, *first;
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = begin_map(L, what, &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0)
			return r;
		if (end)
			return 0;
		if ((r = check_name(L, &name, "a column name")) < 0)
			return r;
		if ((first = mig_map_get(&L->cols, name.v)) != NULL)
			return fail_at(L, &name, "duplicate column '%s' in %s (first at line %d)", name.v,
			    L->tname, first->name.line);
		ci = mig_arena_alloc(&L->tmp, sizeof(*ci));
		ci->name = name;
		ci->pk = ci->unique = ci->index = ci->autoinc = ci->nullable = -1;
		ci->c = mig_table_add_column(L->s, L->t, name.v);
		ci->c->line = name.line;
		mig_map_put(&L->cols, name.v, ci);
		if (L->nci == L->cap_ci) {
			L->cap_ci = L->cap_ci ? L->cap_ci * 2 : 16;
			L->ci = mig_xrealloc(L->ci, L->cap_ci * sizeof(*L->ci));
		}
		L->ci[L->nci++] = ci;
		if ((r = read_column(L, ci)) < 0)
			return r;
	}
}

enum {
	C_TYPE, C_SQL_TYPE, C_NULLABLE, C_PRIMARY_KEY, C_DEFAULT, C_UNIQUE, C_INDEX, C_REFERENCES,
	C_ON_DELETE, C_ON_UPDATE, C_AUTOINCREMENT, C_COMMENT, C_RENAMED_FROM, C_CHECK,
};

static int
read_column(struct ld *L, struct colinfo *ci)
{
	static const char *const keys[] = { "type", "sql_type", "nullable", "primary_key", "default",
		"unique", "index", "references", "on_delete", "on_update", "autoincrement", "comment",
		"renamed_from", "check", NULL };
	const char *what = tmpf(L, "column '%s.%s'", L->t->name, ci->name.v);
	const char *where = tmpf(L, "in %s", what);
	struct scalar key, sc, type = { 0 }, sql_type = { 0 }, on_del_key = { 0 }, on_upd_key = { 0 };
	unsigned seen = 0;
	bool end;
	int k, r;

	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SCALAR_EVENT) {
		/* `name: integer`: the type alone. */
		if ((r = read_text(L, &type, what)) < 0)
			return r;
		if (type.v == NULL)
			return fail_at(L, &ci->name, "%s has no type (add 'type:')", what);
		return set_type(L, ci, &type, false);
	}
	if ((r = begin_map(L, what, NULL)) < 0)
		return r;
	for (;;) {
		if ((r = next_key(L, &key, &end)) < 0)
			return r;
		if (end)
			break;
		if (strchr(key.v, ')') != NULL && strchr(key.v, '(') == NULL)
			return fail_at(L, &key, "unknown key '%s' %s (a comma inside {...} ends the value: "
			    "quote the type, as in type: \"numeric(10,2)\")", key.v, where);
		if ((k = pick_key(L, &key, keys, &seen, where)) < 0)
			return k;
		switch (k) {
		case C_TYPE:
			r = read_text(L, &type, "'type'");
			if (r == 0 && type.v == NULL)
				return fail_at(L, &type, "'type' of %s is empty", what);
			break;
		case C_SQL_TYPE:
			r = read_text(L, &sql_type, "'sql_type'");
			if (r == 0 && sql_type.v == NULL)
				return fail_at(L, &sql_type, "'sql_type' of %s is empty", what);
			break;
		case C_NULLABLE:
			r = read_bool(L, &ci->nullable, "'nullable'");
			break;
		case C_PRIMARY_KEY:
			ci->pk_at = key;
			r = read_bool(L, &ci->pk, "'primary_key'");
			break;
		case C_DEFAULT:
			r = read_default(L, ci);
			break;
		case C_UNIQUE:
			r = read_bool(L, &ci->unique, "'unique'");
			break;
		case C_INDEX:
			r = read_bool(L, &ci->index, "'index'");
			break;
		case C_REFERENCES:
			r = read_text(L, &ci->references, "'references'");
			break;
		case C_ON_DELETE:
			on_del_key = key;
			r = read_text(L, &ci->on_delete, "'on_delete'");
			break;
		case C_ON_UPDATE:
			on_upd_key = key;
			r = read_text(L, &ci->on_update, "'on_update'");
			break;
		case C_AUTOINCREMENT:
			ci->autoinc_at = key;
			r = read_bool(L, &ci->autoinc, "'autoincrement'");
			break;
		case C_CHECK:
			r = read_text(L, &ci->check, "'check'");
			break;
		default:
			if ((r = read_text(L, &sc, tmpf(L, "'%s'", key.v))) < 0)
				return r;
			if (k == C_RENAMED_FROM && sc.v != NULL && (r = check_name(L, &sc, "'renamed_from'")) < 0)
				return r;
			sc.v = mig_arena_strdup(&L->s->arena, sc.v);
			if (k == C_COMMENT)
				ci->c->comment = sc.v;
			else
				ci->c->renamed_from = sc.v;
			break;
		}
		if (r < 0)
			return r;
	}
	if (type.v == NULL && sql_type.v == NULL)
		return fail_at(L, &ci->name, "%s has no type (add 'type:')", what);
	if (type.v != NULL && sql_type.v != NULL)
		return fail_at(L, &sql_type, "%s has both 'type' and 'sql_type'", what);
	if (ci->references.v == NULL && on_del_key.v != NULL)
		return fail_at(L, &on_del_key, "'on_delete' of %s needs 'references'", what);
	if (ci->references.v == NULL && on_upd_key.v != NULL)
		return fail_at(L, &on_upd_key, "'on_update' of %s needs 'references'", what);
	if (type.v != NULL)
		r = set_type(L, ci, &type, false);
	else
		r = set_type(L, ci, &sql_type, true);
	if (r < 0)
		return r;
	if (ci->autoinc == 1 && ci->portable && !ci->integral)
		return fail_at(L, &ci->autoinc_at, "autoincrement needs an integer type, not '%s'", ci->c->type);
	return 0;
}

/* Portable types get their canonical spelling; an enum is checked once all enums are known. */
static int
set_type(struct ld *L, struct colinfo *ci, const struct scalar *type, bool sql)
{
	struct mig_buf canon = MIG_BUF_INIT;
	struct mig_type t;
	struct pending p;
	int r;

	ci->type_at = *type;
	if (sql) {
		ci->c->type = mig_arena_strdup(&L->s->arena, type->v);
		return 0;
	}
	if ((r = mig_type_parse(&t, &canon, type->v)) < 0) {
		/* The message is in the same buffer fail() writes to: copy it first. */
		const char *msg = mig_arena_strdup(&L->tmp, mig_error_msg());

		mig_buf_release(&canon);
		return fail_at(L, type, "%s", msg);
	}
	ci->c->type = mig_arena_strdup(&L->s->arena, canon.ptr);
	mig_buf_release(&canon);
	ci->portable = t.kind != MIG_TYPE_SQL;
	ci->integral = !t.array && (t.kind == MIG_TYPE_INTEGER || t.kind == MIG_TYPE_BIGINT
	    || t.kind == MIG_TYPE_SMALLINT);
	if (t.kind == MIG_TYPE_ENUM) {
		memset(&p, 0, sizeof(p));
		p.kind = P_ENUM;
		p.at = *type;
		p.enum_name = mig_arena_strdup(&L->tmp, t.enum_name);
		add_pending(L, &p);
	}
	return 0;
}

/*
 * A server default is SQL text. YAML's plain true / 0 / 1.5 are already SQL literals, so a plain
 * scalar is taken as written; YAML 1.1's yes / no / on / off are refused rather than guessed at.
 */
static int
read_default(struct ld *L, struct colinfo *ci)
{
	static const char *const yaml11[] = { "yes", "no", "on", "off", "y", "n" };
	struct scalar sc;
	size_t i;
	int r;

	if ((r = read_text(L, &sc, "'default'")) < 0 || sc.v == NULL)
		return r;
	for (i = 0; sc.plain && i < sizeof(yaml11) / sizeof(yaml11[0]); i++)
		if (strcasecmp(sc.v, yaml11[i]) == 0)
			return fail_at(L, &sc, "default '%s' is not an SQL expression (write true or false, "
			    "or quote it)", sc.v);
	ci->c->default_sql = mig_arena_strdup(&L->s->arena, sc.v);
	return 0;
}

/* ---- table-level indexes and constraints ---- */

static const char *const kind_names[] = { "index", "unique constraint", "check constraint",
	"foreign key", "primary key" };

/*
 * A section is a mapping from names to entries, or (except for indexes, which always have a
 * name) a list of entries each with an optional `name:`. The primary key is one entry.
 */
static int
read_section(struct ld *L, enum ckind kind, const char *section)
{
	const char *what = tmpf(L, "'%s' of %s", section, L->tname);
	struct cons *c = mig_xcalloc(1, sizeof(*c));
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = peek(L)) < 0)
		goto done;
	cons_reset(c, kind, (int)L->ev.start_mark.line + 1, (int)L->ev.start_mark.column + 1);
	if (kind == K_PK) {
		if ((r = read_entry(L, c, true, "'primary_key'")) == 0)
			r = commit(L, c);
		goto done;
	}
	if (L->ev.type == YAML_SEQUENCE_START_EVENT && kind != K_INDEX) {
		drop(L);
		for (;;) {
			if ((r = seq_end(L, &end)) < 0 || end)
				goto done;
			cons_reset(c, kind, (int)L->ev.start_mark.line + 1, (int)L->ev.start_mark.column + 1);
			if ((r = read_entry(L, c, true, tmpf(L, "an entry of %s", what))) < 0
			    || (r = commit(L, c)) < 0)
				goto done;
		}
	}
	if ((r = begin_map(L, what, &isnull)) < 0 || isnull)
		goto done;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0 || end)
			goto done;
		if ((r = check_name(L, &name, tmpf(L, "the name of %s", kind_names[kind]))) < 0)
			goto done;
		cons_reset(c, kind, name.line, name.col);
		c->name = name;
		c->at = name;
		if ((r = read_entry(L, c, false, tmpf(L, "%s '%s'", kind_names[kind], name.v))) < 0
		    || (r = commit(L, c)) < 0)
			goto done;
	}
done:
	free(c);
	return r;
}

enum {
	E_NAME, E_COLUMNS, E_UNIQUE, E_WHERE, E_RENAMED_FROM, E_EXPR, E_REFERENCES, E_REF_COLUMNS,
	E_ON_DELETE, E_ON_UPDATE, E_DEFERRABLE, E_INITIALLY_DEFERRED,
};

/* The keys each kind of entry accepts (a subset of the E_* keys, by bit). */
static const unsigned entry_keys[] = {
	[K_INDEX] = 1u << E_COLUMNS | 1u << E_UNIQUE | 1u << E_WHERE | 1u << E_RENAMED_FROM,
	[K_UNIQUE] = 1u << E_NAME | 1u << E_COLUMNS,
	[K_CHECK] = 1u << E_NAME | 1u << E_EXPR,
	[K_FK] = 1u << E_NAME | 1u << E_COLUMNS | 1u << E_REFERENCES | 1u << E_REF_COLUMNS
	    | 1u << E_ON_DELETE | 1u << E_ON_UPDATE | 1u << E_DEFERRABLE | 1u << E_INITIALLY_DEFERRED,
	[K_PK] = 1u << E_NAME | 1u << E_COLUMNS,
};

static const char *const all_entry_keys[] = { "name", "columns", "unique", "where", "renamed_from",
	"expr", "references", "ref_columns", "on_delete", "on_update", "deferrable",
	"initially_deferred" };

/*
 * One entry: its shorthand (a list of columns for a key or index, an expression for a check)
 * or a mapping of its keys. in_list allows `name:` (a named mapping entry has its name already).
 */
static int
read_entry(struct ld *L, struct cons *c, bool in_list, const char *what)
{
	const char *keys[sizeof(all_entry_keys) / sizeof(all_entry_keys[0]) + 1];
	int map_of[sizeof(all_entry_keys) / sizeof(all_entry_keys[0])];
	const char *where = tmpf(L, "in %s", what);
	struct scalar key;
	unsigned allowed = entry_keys[c->kind], seen = 0;
	size_t i, n = 0;
	bool end;
	int k, r;

	if (!in_list)
		allowed &= ~(1u << E_NAME);
	for (i = 0; i < sizeof(all_entry_keys) / sizeof(all_entry_keys[0]); i++)
		if (allowed & (1u << i)) {
			map_of[n] = (int)i;
			keys[n++] = all_entry_keys[i];
		}
	keys[n] = NULL;
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SEQUENCE_START_EVENT && c->kind != K_CHECK && c->kind != K_FK) {
		c->has_cols = true;
		return read_key_columns(L, c->cols, c->expr, &c->ncols, c->kind == K_INDEX, what);
	}
	if (L->ev.type == YAML_SCALAR_EVENT && c->kind == K_CHECK) {
		if ((r = read_text(L, &c->expression, what)) == 0 && c->expression.v == NULL)
			return fail_at(L, &c->expression, "%s has no expression", what);
		return r;
	}
	if (L->ev.type != YAML_MAPPING_START_EVENT) {
		if (c->kind == K_CHECK)
			return fail_ev(L, "%s must be an SQL expression or a mapping, not %s", what,
			    ev_kind(&L->ev));
		if (c->kind == K_FK)
			return fail_ev(L, "%s must be a mapping, not %s", what, ev_kind(&L->ev));
		return fail_ev(L, "%s must be a list of columns or a mapping, not %s", what, ev_kind(&L->ev));
	}
	drop(L);
	for (;;) {
		if ((r = next_key(L, &key, &end)) < 0)
			return r;
		if (end)
			break;
		if ((k = pick_key(L, &key, keys, &seen, where)) < 0)
			return k;
		switch (map_of[k]) {
		case E_NAME:
			if ((r = read_text(L, &c->name, "'name'")) == 0 && c->name.v != NULL)
				r = check_name(L, &c->name, "'name'");
			break;
		case E_COLUMNS:
			c->has_cols = true;
			r = read_key_columns(L, c->cols, c->expr, &c->ncols, c->kind == K_INDEX,
			    tmpf(L, "'columns' of %s", what));
			break;
		case E_UNIQUE:
			r = read_bool(L, &c->unique, "'unique'");
			break;
		case E_WHERE:
			r = read_text(L, &c->where, "'where'");
			break;
		case E_RENAMED_FROM:
			if ((r = read_text(L, &c->renamed_from, "'renamed_from'")) == 0 && c->renamed_from.v)
				r = check_name(L, &c->renamed_from, "'renamed_from'");
			break;
		case E_EXPR:
			r = read_text(L, &c->expression, "'expr'");
			break;
		case E_REFERENCES:
			if ((r = read_text(L, &c->references, "'references'")) == 0)
				r = check_name(L, &c->references, tmpf(L, "'references' of %s", what));
			break;
		case E_REF_COLUMNS:
			c->has_refcols = true;
			r = read_key_columns(L, c->refcols, NULL, &c->nrefcols, false,
			    tmpf(L, "'ref_columns' of %s", what));
			break;
		case E_ON_DELETE:
			r = read_text(L, &c->on_delete, "'on_delete'");
			break;
		case E_ON_UPDATE:
			r = read_text(L, &c->on_update, "'on_update'");
			break;
		case E_DEFERRABLE:
			r = read_bool(L, &c->deferrable, "'deferrable'");
			break;
		case E_INITIALLY_DEFERRED:
			r = read_bool(L, &c->initially_deferred, "'initially_deferred'");
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* A list of column names, or for an index also {expression: "sql"} items. */
static int
read_key_columns(struct ld *L, struct scalar *cols, bool *expr, size_t *n, bool allow_expr,
    const char *what)
{
	struct scalar key, sc, at;
	bool end;
	size_t i;
	int r;

	*n = 0;
	if ((r = peek(L)) < 0)
		return r;
	at.line = (int)L->ev.start_mark.line + 1;
	at.col = (int)L->ev.start_mark.column + 1;
	if ((r = begin_seq(L, what)) < 0)
		return r;
	for (;;) {
		if ((r = seq_end(L, &end)) < 0)
			return r;
		if (end)
			break;
		if (*n == MAX_KEY_COLUMNS)
			return fail_ev(L, "%s has more than %d columns", what, MAX_KEY_COLUMNS);
		if (allow_expr && L->ev.type == YAML_MAPPING_START_EVENT) {
			static const char *const keys[] = { "expression", NULL };
			unsigned seen = 0;

			sc.line = (int)L->ev.start_mark.line + 1;
			sc.col = (int)L->ev.start_mark.column + 1;
			sc.v = NULL;
			drop(L);
			for (;;) {
				if ((r = next_key(L, &key, &end)) < 0)
					return r;
				if (end)
					break;
				if ((r = pick_key(L, &key, keys, &seen, tmpf(L, "in an item of %s", what))) < 0
				    || (r = read_text(L, &sc, "'expression'")) < 0)
					return r;
			}
			if (sc.v == NULL)
				return fail_at(L, &sc, "an item of %s has no expression", what);
			expr[*n] = true;
			cols[(*n)++] = sc;
			continue;
		}
		if ((r = read_name(L, &sc, tmpf(L, "a column of %s", what))) < 0)
			return r;
		for (i = 0; i < *n; i++)
			if (!(expr != NULL && expr[i]) && strcmp(cols[i].v, sc.v) == 0)
				return fail_at(L, &sc, "column '%s' appears twice in %s", sc.v, what);
		if (expr != NULL)
			expr[*n] = false;
		cols[(*n)++] = sc;
	}
	if (*n == 0)
		return fail_at(L, &at, "%s is empty", what);
	return 0;
}

static void
cons_reset(struct cons *c, enum ckind kind, int line, int col)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->at.line = line;
	c->at.col = col;
	c->unique = c->deferrable = c->initially_deferred = -1;
}

static const char *
cons_what(struct ld *L, const struct cons *c)
{
	if (c->kind == K_PK)
		return c->name.v ? tmpf(L, "primary key '%s' of %s", c->name.v, L->tname)
		    : tmpf(L, "the primary key of %s", L->tname);
	if (c->name.v != NULL)
		return tmpf(L, "%s '%s' on %s", kind_names[c->kind], c->name.v, L->tname);
	return tmpf(L, "an unnamed %s on %s", kind_names[c->kind], L->tname);
}

static int
fk_action(struct ld *L, const struct scalar *sc, const char **out)
{
	static const char *const actions[] = { "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT",
		"NO ACTION" };
	size_t i;

	*out = NULL;
	if (sc->v == NULL)
		return 0;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcasecmp(sc->v, actions[i]) == 0) {
			/* NO ACTION is the default: the model keeps NULL for it. */
			if (i < 4)
				*out = mig_arena_strdup(&L->s->arena, actions[i]);
			return 0;
		}
	return fail_at(L, sc, "'%s' is not a foreign key action (expected CASCADE, SET NULL, "
	    "SET DEFAULT, RESTRICT or NO ACTION)", sc->v);
}

/* Adds an entry to the model, after the checks that need only the entry itself. */
static int
commit(struct ld *L, struct cons *c)
{
	struct mig_schema *s = L->s;
	struct mig_table *t = L->t;
	const char *what = cons_what(L, c), *name = c->name.v;
	struct mig_index *x;
	struct mig_unique *u;
	struct mig_check *ck;
	struct mig_fk *fk;
	struct pending p;
	size_t i;
	int r;

	if (c->kind != K_CHECK && !c->has_cols)
		return fail_at(L, &c->at, "%s has no 'columns'", what);
	if (c->kind == K_CHECK && c->expression.v == NULL)
		return fail_at(L, &c->at, "%s has no 'expr'", what);
	for (i = 0; i < c->ncols; i++)
		if (!c->expr[i])
			add_ref(L, &c->cols[i], what);
	if (name != NULL && (c->kind == K_INDEX || c->kind == K_UNIQUE || c->kind == K_PK)
	    && (r = claim(L, 'R', NULL, name, what, c->at.line, c->at.col)) < 0)
		return r;
	if (name != NULL && c->kind != K_INDEX
	    && (r = claim(L, 'C', t->name, name, what, c->at.line, c->at.col)) < 0)
		return r;
	switch (c->kind) {
	case K_INDEX:
		x = mig_table_add_index(s, t, name);
		x->line = c->at.line;
		for (i = 0; i < c->ncols; i++) {
			mig_strlist_add(s, &x->columns, &x->ncolumns, c->cols[i].v);
			if (c->expr[i] && x->expr == NULL)
				x->expr = mig_arena_alloc(&s->arena, c->ncols * sizeof(*x->expr));
		}
		for (i = 0; x->expr != NULL && i < c->ncols; i++)
			x->expr[i] = c->expr[i];
		x->unique = c->unique == 1;
		x->where = mig_arena_strdup(&s->arena, c->where.v);
		x->renamed_from = mig_arena_strdup(&s->arena, c->renamed_from.v);
		break;
	case K_UNIQUE:
		u = mig_table_add_unique(s, t, name);
		u->line = c->at.line;
		for (i = 0; i < c->ncols; i++)
			mig_strlist_add(s, &u->columns, &u->ncolumns, c->cols[i].v);
		break;
	case K_CHECK:
		ck = mig_table_add_check(s, t, name);
		ck->line = c->at.line;
		ck->expr = mig_arena_strdup(&s->arena, c->expression.v);
		break;
	case K_PK:
		t->pk_name = mig_arena_strdup(&s->arena, name);
		for (i = 0; i < c->ncols; i++)
			mig_table_add_pk(s, t, c->cols[i].v);
		break;
	case K_FK:
		if (c->references.v == NULL)
			return fail_at(L, &c->at, "%s has no 'references'", what);
		if (c->has_refcols && c->nrefcols != c->ncols)
			return fail_at(L, &c->refcols[0], "%s has %zu columns but %zu ref_columns", what,
			    c->ncols, c->nrefcols);
		fk = mig_table_add_fk(s, t, name);
		fk->line = c->at.line;
		for (i = 0; i < c->ncols; i++)
			mig_strlist_add(s, &fk->columns, &fk->ncolumns, c->cols[i].v);
		fk->ref_table = mig_arena_strdup(&s->arena, c->references.v);
		if ((r = fk_action(L, &c->on_delete, &fk->on_delete)) < 0
		    || (r = fk_action(L, &c->on_update, &fk->on_update)) < 0)
			return r;
		/* INITIALLY DEFERRED implies DEFERRABLE in SQL; say so in the model too. */
		fk->initially_deferred = c->initially_deferred == 1;
		fk->deferrable = c->deferrable == 1 || fk->initially_deferred;
		if (c->deferrable == 0 && fk->initially_deferred)
			return fail_at(L, &c->at, "%s cannot be initially deferred without being deferrable",
			    what);
		memset(&p, 0, sizeof(p));
		p.kind = P_FK;
		p.at = c->references;
		p.t = t;
		p.fk = fk;
		p.what = what;
		if (c->has_refcols) {
			p.refcols = mig_arena_alloc(&L->tmp, c->nrefcols * sizeof(*p.refcols));
			memcpy(p.refcols, c->refcols, c->nrefcols * sizeof(*p.refcols));
			p.nrefcols = c->nrefcols;
		}
		add_pending(L, &p);
		break;
	}
	return 0;
}

/* ---- end of a table: shorthands and column references ---- */

/* Refuses a generated name PostgreSQL would truncate (the user can name the object instead). */
static int
generated_name(struct ld *L, struct mig_buf *b, const struct colinfo *ci)
{
	if (b->len > MIG_NAME_MAX)
		return fail_at(L, &ci->name, "generated name '%s' is longer than %d bytes (PostgreSQL "
		    "would truncate it); declare it at table level with a shorter name", b->ptr,
		    MIG_NAME_MAX);
	return 0;
}

static int
finish_table(struct ld *L, const struct scalar *name)
{
	struct mig_schema *s = L->s;
	struct mig_table *t = L->t;
	struct mig_buf b = MIG_BUF_INIT;
	struct colinfo *ci;
	const char *cols[1], *what, *dot;
	struct pending p;
	size_t i, j;
	bool in_pk;
	int r = 0;

	if (L->nci == 0)
		return fail_at(L, name, "%s has no columns", L->tname);
	for (i = 0; i < L->nci; i++) {
		ci = L->ci[i];
		if (ci->pk != 1)
			continue;
		if (L->tpk_at.v != NULL)
			return fail_at(L, &ci->pk_at, "column '%s' is marked primary_key but %s also has "
			    "'primary_key' (line %d); use one or the other", ci->name.v, L->tname,
			    L->tpk_at.line);
		mig_table_add_pk(s, t, ci->name.v);
	}
	for (i = 0; i < L->nci; i++) {
		ci = L->ci[i];
		in_pk = false;
		for (j = 0; j < t->npk; j++)
			if (strcmp(t->pk[j], ci->name.v) == 0)
				in_pk = true;
		ci->c->nullable = ci->nullable >= 0 ? ci->nullable == 1 : !in_pk;
		ci->c->autoincrement = ci->autoinc >= 0 ? ci->autoinc == 1
		    : mig_man_default_autoincrement(t, ci->c);
		ci->c->autoincrement_auto = ci->autoinc < 0 && ci->c->autoincrement;
	}
	for (i = 0; i < L->nrefs; i++)
		if (mig_map_get(&L->cols, L->refs[i].at.v) == NULL)
			return fail_at(L, &L->refs[i].at, "%s names unknown column '%s'", L->refs[i].what,
			    L->refs[i].at.v);
	for (i = 0; i < L->nci && r == 0; i++) {
		ci = L->ci[i];
		cols[0] = ci->name.v;
		if (ci->index == 1) {
			struct mig_index *x;

			/* index + unique is one unique index, as SQLAlchemy makes it. */
			mig_buf_clear(&b);
			mig_naming_apply(&b, L->naming_ix, t->name, cols, 1, NULL, NULL);
			what = tmpf(L, "index '%s' on %s", b.ptr, L->tname);
			if ((r = generated_name(L, &b, ci)) < 0
			    || (r = claim(L, 'R', NULL, b.ptr, what, ci->name.line, ci->name.col)) < 0)
				break;
			x = mig_table_add_index(s, t, b.ptr);
			x->line = ci->name.line;
			mig_strlist_add(s, &x->columns, &x->ncolumns, ci->name.v);
			x->unique = ci->unique == 1;
		} else if (ci->unique == 1) {
			struct mig_unique *u;

			mig_buf_clear(&b);
			mig_naming_apply(&b, L->naming_uq, t->name, cols, 1, NULL, NULL);
			what = tmpf(L, "unique constraint '%s' on %s", b.ptr, L->tname);
			if ((r = generated_name(L, &b, ci)) < 0
			    || (r = claim(L, 'R', NULL, b.ptr, what, ci->name.line, ci->name.col)) < 0
			    || (r = claim(L, 'C', t->name, b.ptr, what, ci->name.line, ci->name.col)) < 0)
				break;
			u = mig_table_add_unique(s, t, b.ptr);
			u->line = ci->name.line;
			mig_strlist_add(s, &u->columns, &u->ncolumns, ci->name.v);
		}
		if (ci->references.v != NULL) {
			struct mig_fk *fk;
			struct scalar *ref;

			dot = strrchr(ci->references.v, '.');
			if (dot == NULL || dot == ci->references.v || dot[1] == '\0') {
				r = fail_at(L, &ci->references, "'references' must be 'table.column', not '%s'",
				    ci->references.v);
				break;
			}
			ref = mig_arena_alloc(&L->tmp, sizeof(*ref));
			*ref = ci->references;
			ref->v = dot + 1;
			memset(&p, 0, sizeof(p));
			p.at = ci->references;
			p.at.v = mig_arena_strndup(&L->tmp, ci->references.v, (size_t)(dot - ci->references.v));
			if ((r = check_name(L, &p.at, "the table in 'references'")) < 0
			    || (r = check_name(L, ref, "the column in 'references'")) < 0)
				break;
			mig_buf_clear(&b);
			mig_naming_apply(&b, L->naming_fk, t->name, cols, 1, p.at.v, NULL);
			what = tmpf(L, "foreign key '%s' on %s", b.ptr, L->tname);
			if ((r = generated_name(L, &b, ci)) < 0
			    || (r = claim(L, 'C', t->name, b.ptr, what, ci->name.line, ci->name.col)) < 0)
				break;
			fk = mig_table_add_fk(s, t, b.ptr);
			fk->line = ci->name.line;
			mig_strlist_add(s, &fk->columns, &fk->ncolumns, ci->name.v);
			fk->ref_table = mig_arena_strdup(&s->arena, p.at.v);
			if ((r = fk_action(L, &ci->on_delete, &fk->on_delete)) < 0
			    || (r = fk_action(L, &ci->on_update, &fk->on_update)) < 0)
				break;
			p.kind = P_FK;
			p.t = t;
			p.fk = fk;
			p.what = what;
			p.refcols = ref;
			p.nrefcols = 1;
			add_pending(L, &p);
		}
		if (ci->check.v != NULL) {
			struct mig_check *ck;

			mig_buf_clear(&b);
			mig_naming_apply(&b, L->naming_ck, t->name, cols, 1, NULL, ci->name.v);
			what = tmpf(L, "check constraint '%s' on %s", b.ptr, L->tname);
			if ((r = generated_name(L, &b, ci)) < 0
			    || (r = claim(L, 'C', t->name, b.ptr, what, ci->name.line, ci->name.col)) < 0)
				break;
			ck = mig_table_add_check(s, t, b.ptr);
			ck->line = ci->name.line;
			ck->expr = mig_arena_strdup(&s->arena, ci->check.v);
		}
	}
	mig_buf_release(&b);
	return r;
}

/* ---- end of the document: enums and foreign keys ---- */

static int
finish_document(struct ld *L)
{
	struct pending *p;
	struct mig_table *rt;
	size_t i, j, n;

	for (i = 0; i < L->npend; i++) {
		p = &L->pend[i];
		if (p->kind == P_ENUM) {
			if (mig_map_get(&L->enums, p->enum_name) == NULL)
				return fail_at(L, &p->at, "type '%s' names undeclared enum '%s' (declare it "
				    "under 'enums:')", p->at.v, p->enum_name);
			continue;
		}
		if ((rt = mig_schema_find_table(L->s, p->fk->ref_table)) == NULL)
			return fail_at(L, &p->at, "%s references unknown table '%s'", p->what,
			    p->fk->ref_table);
		if (p->refcols == NULL) {
			/* REFERENCES parent with no columns means the parent's primary key, as in SQL. */
			if (rt->npk == 0)
				return fail_at(L, &p->at, "%s has no 'ref_columns' and table '%s' has no "
				    "primary key", p->what, rt->name);
			if (rt->npk != p->fk->ncolumns)
				return fail_at(L, &p->at, "%s has no 'ref_columns' and the primary key of "
				    "table '%s' has %zu columns, not %zu", p->what, rt->name, rt->npk,
				    p->fk->ncolumns);
			/* The model keeps no count of ref_columns: it is ncolumns. */
			for (j = 0, n = 0; j < rt->npk; j++)
				mig_strlist_add(L->s, &p->fk->ref_columns, &n, rt->pk[j]);
			continue;
		}
		for (j = 0, n = 0; j < p->nrefcols; j++) {
			if (mig_table_find_column(rt, p->refcols[j].v) == NULL)
				return fail_at(L, &p->refcols[j], "%s references unknown column '%s.%s'",
				    p->what, rt->name, p->refcols[j].v);
			mig_strlist_add(L->s, &p->fk->ref_columns, &n, p->refcols[j].v);
		}
	}
	return 0;
}

bool
mig_man_default_autoincrement(const struct mig_table *t, const struct mig_column *c)
{
	/* SQLAlchemy's autoincrement="auto": the single integer column of a primary key. */
	return t->npk == 1 && strcmp(t->pk[0], c->name) == 0 && c->type != NULL
	    && (strcmp(c->type, "integer") == 0 || strcmp(c->type, "bigint") == 0
		|| strcmp(c->type, "smallint") == 0);
}

/* ---- entry points ---- */

int
mig_manifest_load_buf(struct mig_schema **out, const char *text, size_t len, const char *path,
    const struct mig_config *cfg)
{
	struct ld L;
	int r;

	*out = NULL;
	if (len > MIG_MANIFEST_MAX_SIZE)
		return mig_error_set(MIG_EPARSE, "%s: manifest is larger than %u bytes", path,
		    MIG_MANIFEST_MAX_SIZE);
	memset(&L, 0, sizeof(L));
	if (!yaml_parser_initialize(&L.parser))
		return mig_error_set(MIG_ENOMEM, "%s: out of memory reading the manifest", path);
	yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
	L.path = path;
	L.text = text;
	L.len = len;
	L.s = mig_schema_new();
	L.naming_ix = cfg && cfg->naming_ix ? cfg->naming_ix : MIG_NAMING_IX;
	L.naming_uq = cfg && cfg->naming_uq ? cfg->naming_uq : MIG_NAMING_UQ;
	L.naming_fk = cfg && cfg->naming_fk ? cfg->naming_fk : MIG_NAMING_FK;
	L.naming_ck = cfg && cfg->naming_ck ? cfg->naming_ck : MIG_NAMING_CK;
	mig_arena_init(&L.tmp);
	mig_map_init(&L.names);
	mig_map_init(&L.enums);
	mig_map_init(&L.cols);
	if ((r = read_document(&L)) == 0)
		r = finish_document(&L);
	drop(&L);
	yaml_parser_delete(&L.parser);
	mig_map_release(&L.names);
	mig_map_release(&L.enums);
	mig_map_release(&L.cols);
	free(L.pend);
	free(L.ci);
	free(L.refs);
	mig_arena_release(&L.tmp);
	if (r < 0) {
		mig_schema_free(L.s);
		return r;
	}
	*out = L.s;
	return 0;
}

int
mig_manifest_load(struct mig_schema **out, const char *path, const struct mig_config *cfg)
{
	struct mig_buf text = MIG_BUF_INIT;
	int r;

	*out = NULL;
	if ((r = mig_file_read(&text, path, MIG_MANIFEST_MAX_SIZE)) < 0) {
		if (r == MIG_ENOTFOUND)
			r = mig_error_set(MIG_ENOTFOUND, "manifest '%s' not found (create it, or set "
			    "'manifest:' in mig.yaml)", path);
		else if (r == MIG_EPARSE)
			r = mig_error_set(MIG_EPARSE, "%s: manifest is larger than %u bytes", path,
			    MIG_MANIFEST_MAX_SIZE);
		mig_buf_release(&text);
		return r;
	}
	r = mig_manifest_load_buf(out, text.ptr, text.len, path, cfg);
	mig_buf_release(&text);
	return r;
}
