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
 *
 * libyaml producing the events is most of the cost of a load, so the loader's own work per event
 * is kept small (bench/README.md, `mig check`):
 * - A scalar is borrowed from its event, which stays alive until the next event is read, and
 *   copied only when it is kept; keys are matched in place and then point at the static key list.
 * - What a message would call a thing ("column 'user.id'", "'columns' of index 'ix'") is built
 *   only when a message is written: until then it is a struct what, a format and its arguments.
 * - What is read for one table lives in an arena released when the table is complete; only what
 *   the document-level checks need (the owners of names, pending enum and foreign key checks,
 *   parsed types) is kept until the end. The loader's memory beyond the model is one table.
 * - Each distinct column type is parsed once. The model keeps one copy of a text its columns
 *   repeat (a canonical type, a default, a sql_type), and a key's list of columns points at the
 *   columns' own names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "man.h"
#include "man_internal.h"

/* PostgreSQL's INDEX_MAX_KEYS: no key, index or constraint can have more columns. */
#define MAX_KEY_COLUMNS 32

/*
 * A scalar as written: its text and where it starts. Straight from read_scalar() the text is
 * borrowed from libyaml's event and valid only until the next event is read; keep() copies it.
 */
struct scalar {
	const char *v;          /* NULL when absent */
	bool plain;             /* plain style without a !!str tag: ~, null and the like mean null */
	int line, col;          /* 1-based */
};

/*
 * How a message names a thing, built only when a message needs it: fmt with "%s" taking the next
 * of s[] and "%w" rendering *in ("'columns' of %w" -> "'columns' of index 'ix'"). A description
 * kept beyond the call that made it (the owner of a name, a pending check) has no in and only
 * strings that live as long as it does.
 */
struct what {
	const char *fmt;
	const char *s[3];
	const struct what *in;
};

/* A constant description. */
#define WHAT(text) (&(const struct what){ .fmt = (text) })

/* Who owns a name, for "already used by" messages. */
struct owner {
	struct what what;
	int line;
};

/* What one column said, kept until its table is complete. */
struct colinfo {
	struct mig_column *c;
	struct scalar name;             /* name.v is the model's copy */
	struct scalar pk_at;            /* the `primary_key:` key when true */
	struct scalar autoinc_at;
	struct scalar references, on_delete, on_update, check;
	int pk, unique, index, autoinc, nullable; /* -1 when not given, else 0 / 1 */
	bool portable;                  /* the type is portable (checked), not a database type */
	bool integral;                  /* a portable integer type (for autoincrement) */
};

/*
 * A column named by an index or constraint, checked when its table ends. slot is its entry in
 * the model's list, which then points at the column's own name (one copy of each name).
 */
struct colref {
	struct scalar at;
	struct what what;
	const char **slot;              /* NULL when the list keeps its own copy (primary key) */
};

/* Checked when the document ends. */
enum pend_kind {
	P_ENUM,
	P_FK,
};

/*
 * Everything a pending check points at lives until the document ends (the model or L->doc). A
 * foreign key's description is made from t and fk when a message needs it.
 */
struct pending {
	enum pend_kind kind;
	struct scalar at;               /* P_ENUM: the type; P_FK: the `references:` value */
	const char *enum_name;
	struct mig_table *t;
	struct mig_fk *fk;
	struct scalar *refcols;         /* as written; NULL when omitted (the referred primary key) */
	size_t nrefcols;
};

/* A `type:` as written, parsed once (L->types). */
struct typeinfo {
	const char *canon;              /* in the model's arena, shared by every column of the type */
	const char *text;               /* as written, for the undeclared enum message */
	const char *enum_name;          /* NULL unless an enum */
	bool portable, integral;
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
	size_t ncols;
	bool has_cols;
	size_t nrefcols;
	bool has_refcols;
	struct scalar where, renamed_from, expression, references, on_delete, on_update;
	int unique, deferrable, initially_deferred;
	/* Only the first ncols / nrefcols entries are ever read: cons_reset() leaves the rest. */
	struct scalar cols[MAX_KEY_COLUMNS];
	bool expr[MAX_KEY_COLUMNS];
	struct scalar refcols[MAX_KEY_COLUMNS];
};

struct ld {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have;                      /* ev is the next event, not consumed yet */
	bool held;                      /* ev holds memory: scalars borrowed from it are still valid */
	int depth;
	const char *path;
	const char *text;
	size_t len;
	struct mig_schema *s;
	const char *naming_ix, *naming_uq, *naming_fk, *naming_ck;
	struct mig_arena doc;           /* until the document ends: owners, pending checks, types */
	struct mig_arena tab;           /* the table being read (and scalars kept meanwhile) */
	struct mig_map rels;            /* tables, indexes, unique constraints, pks -> struct owner */
	struct mig_map typenames;       /* type names (tables, enums) -> struct owner */
	struct mig_map enums;           /* enum name -> struct mig_enum */
	struct mig_map types;           /* `type:` as written -> struct typeinfo */
	struct mig_map strings;         /* a `sql_type:` or `default:` -> the model's one copy */
	struct mig_buf canon;           /* scratch: a type's canonical spelling */
	struct mig_buf gen;             /* scratch: a generated name */
	struct pending *pend;
	size_t npend, cap_pend;
	/* the table being read */
	struct mig_table *t;
	struct what tname;              /* "table 'user'" */
	struct mig_map cols;            /* column name -> struct mig_column */
	struct mig_map cons;            /* constraint names of this table -> struct owner */
	struct colinfo *ci;             /* reused from table to table, as are the two maps */
	size_t nci, cap_ci;
	struct cons entry;              /* the index or constraint being read */
	struct colref *refs;
	size_t nrefs, cap_refs;
	struct scalar tpk_at;           /* the table's `primary_key:` key when given */
};

static int fail(struct ld *L, int line, int col, const char *fmt, ...) MIG_PRINTF(4, 5);
static int fail_at(struct ld *L, const struct scalar *at, const char *fmt, ...) MIG_PRINTF(3, 4);
static int fail_ev(struct ld *L, const char *fmt, ...) MIG_PRINTF(2, 3);
static int yaml_fail(struct ld *L);
static void what_put(struct mig_buf *b, const struct what *w);
static const char *W(struct ld *L, const struct what *w);
static inline int peek(struct ld *L);
static int next_event(struct ld *L);
static void drop(struct ld *L);
static const char *ev_kind(const yaml_event_t *ev);
static int begin_map(struct ld *L, const struct what *what, bool *isnull);
static int next_key(struct ld *L, struct scalar *key, bool *end);
static int next_field(struct ld *L, const char *const *keys, unsigned *seen,
    const struct what *where, bool comma_hint, struct scalar *key, int *k);
static int begin_seq(struct ld *L, const struct what *what);
static int seq_end(struct ld *L, bool *end);
static int read_scalar(struct ld *L, struct scalar *out, const struct what *what);
static void keep(struct ld *L, struct scalar *sc);
static bool is_null(const struct scalar *sc);
static int read_bool(struct ld *L, int *out, const struct what *what);
static int read_text(struct ld *L, struct scalar *out, const struct what *what,
    struct mig_arena *a);
static int read_name(struct ld *L, struct scalar *out, const struct what *what);
static int check_name(struct ld *L, const struct scalar *name, const struct what *what);
static int pick_key(struct ld *L, const struct scalar *key, const char *const *keys, unsigned *seen,
    const struct what *where, bool comma_hint);
static int claim(struct ld *L, struct mig_map *ns, struct mig_arena *a, const char *name,
    const struct what *what, int line, int col);
static int claim_as(struct ld *L, struct mig_map *ns, const char *name, struct owner *o, int col);
static int read_root(struct ld *L);
static int read_enums(struct ld *L);
static int read_enum(struct ld *L, const struct scalar *name);
static int read_labels(struct ld *L, struct mig_enum *e, const struct what *what);
static int read_tables(struct ld *L);
static int read_table(struct ld *L, const struct scalar *name);
static void table_done(struct ld *L);
static void map_clear(struct mig_map *m);
static int read_columns(struct ld *L);
static int read_column(struct ld *L, struct colinfo *ci);
static int set_type(struct ld *L, struct colinfo *ci, const struct scalar *type, bool sql);
static int read_default(struct ld *L, struct colinfo *ci);
static int read_section(struct ld *L, enum ckind kind, const char *section);
static int read_entry(struct ld *L, struct cons *c, bool in_list, const struct what *what);
static int read_key_columns(struct ld *L, struct scalar *cols, bool *expr, size_t *n, bool allow_expr,
    const struct what *what);
static void cons_reset(struct cons *c, enum ckind kind, int line, int col);
static struct what cons_what(enum ckind kind, const char *name, const char *table);
static int commit(struct ld *L, struct cons *c);
static const char **key_list(struct ld *L, const struct scalar *cols, size_t n);
static int fk_action(struct ld *L, const struct scalar *sc, const char **out);
static void add_ref(struct ld *L, const struct scalar *at, const struct what *what,
    const char **slot);
static const char *intern(struct ld *L, const char *text);
static void add_pending(struct ld *L, const struct pending *p);
static int generated_name(struct ld *L, const struct mig_buf *b, const struct colinfo *ci);
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

static void
what_put(struct mig_buf *b, const struct what *w)
{
	const char *p = w->fmt, *q;
	size_t i = 0;

	while ((q = strchr(p, '%')) != NULL) {
		mig_buf_put(b, p, (size_t)(q - p));
		if (q[1] == 'w')
			what_put(b, w->in);
		else
			mig_buf_puts(b, w->s[i++]);
		p = q + 2;
	}
	mig_buf_puts(b, p);
}

/* The description as text, for a message (so only on the way to an error). */
static const char *
W(struct ld *L, const struct what *w)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *s;

	what_put(&b, w);
	s = mig_arena_strndup(&L->doc, b.ptr, b.len);
	mig_buf_release(&b);
	return s;
}

/* ---- reading events ---- */

/* Makes L->ev the next event unless it holds one not consumed yet (most calls: kept inline). */
static inline int
peek(struct ld *L)
{
	return L->have ? 0 : next_event(L);
}

/*
 * Reads the next event, refusing aliases, anchors and deep nesting as they appear. The previous
 * event is freed only now, so that a scalar borrowed from it lasts until this call.
 */
static int
next_event(struct ld *L)
{
	const yaml_char_t *anchor = NULL;

	if (L->held) {
		yaml_event_delete(&L->ev);
		L->held = false;
	}
	if (!yaml_parser_parse(&L->parser, &L->ev))
		return yaml_fail(L);
	L->have = L->held = true;
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

/* Consumes the current event (its memory stays until the next peek()). */
static void
drop(struct ld *L)
{
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
begin_map(struct ld *L, const struct what *what, bool *isnull)
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
		return fail_at(L, &sc, "%s must be a mapping, not a string", W(L, what));
	}
	return fail_ev(L, "%s must be a mapping, not %s", W(L, what), ev_kind(&L->ev));
}

/* The next key of the current mapping (borrowed), or *end at its end. Keys must be scalars. */
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
	return read_scalar(L, key, WHAT("a key"));
}

/*
 * The next key of a mapping whose keys are fixed: *k is its index in keys (NULL-terminated), or
 * -1 at the end of the mapping. Unknown and repeated keys are refused. key->v then points at
 * keys[*k], which outlives the event.
 */
static int
next_field(struct ld *L, const char *const *keys, unsigned *seen, const struct what *where,
    bool comma_hint, struct scalar *key, int *k)
{
	bool end;
	int r;

	*k = -1;
	if ((r = next_key(L, key, &end)) < 0 || end)
		return r;
	if ((r = pick_key(L, key, keys, seen, where, comma_hint)) < 0)
		return r;
	*k = r;
	key->v = keys[r];
	return 0;
}

static int
begin_seq(struct ld *L, const struct what *what)
{
	int r;

	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail_ev(L, "%s must be a list, not %s", W(L, what), ev_kind(&L->ev));
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

/* A scalar, borrowed from its event: valid until the next event is read (see keep()). */
static int
read_scalar(struct ld *L, struct scalar *out, const struct what *what)
{
	const yaml_event_t *ev = &L->ev;
	const char *tag;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	if (ev->type != YAML_SCALAR_EVENT)
		return fail_ev(L, "%s must be a string, not %s", W(L, what), ev_kind(ev));
	out->line = (int)ev->start_mark.line + 1;
	out->col = (int)ev->start_mark.column + 1;
	/*
	 * A NUL from a "\0" escape would silently cut every C string made from the value. Only a
	 * double-quoted scalar has escapes: libyaml refuses a NUL byte anywhere in its input.
	 */
	if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
	    && memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
		return fail_at(L, out, "%s contains a NUL character", W(L, what));
	tag = (const char *)ev->data.scalar.tag;
	out->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
	    && (tag == NULL || strcmp(tag, YAML_STR_TAG) != 0);
	/* libyaml's values are NUL-terminated, and this one holds no other NUL. */
	out->v = (const char *)ev->data.scalar.value;
	drop(L);
	return 0;
}

/* Copies a borrowed scalar's text into the table's arena, so that it outlives its event. */
static void
keep(struct ld *L, struct scalar *sc)
{
	sc->v = mig_arena_strdup(&L->tab, sc->v);
}

/* Plain "", ~, null, Null and NULL; the first byte rules out almost every scalar at once. */
static bool
is_null(const struct scalar *sc)
{
	const char *v = sc->v;

	if (v == NULL)
		return true;
	if (!sc->plain)
		return false;
	switch (v[0]) {
	case '\0':
		return true;
	case '~':
		return v[1] == '\0';
	case 'n':
	case 'N':
		return strcmp(v + 1, "ull") == 0 || strcmp(v, "NULL") == 0;
	default:
		return false;
	}
}

static int
read_bool(struct ld *L, int *out, const struct what *what)
{
	struct scalar sc;
	int r;

	if ((r = read_scalar(L, &sc, what)) < 0)
		return r;
	/* true, True, TRUE; false, False, FALSE */
	if ((sc.v[0] == 't' || sc.v[0] == 'T') && (strcmp(sc.v + 1, "rue") == 0
	    || strcmp(sc.v, "TRUE") == 0))
		*out = 1;
	else if ((sc.v[0] == 'f' || sc.v[0] == 'F') && (strcmp(sc.v + 1, "alse") == 0
	    || strcmp(sc.v, "FALSE") == 0))
		*out = 0;
	else
		return fail_at(L, &sc, "%s must be true or false, not '%s'", W(L, what), sc.v);
	return 0;
}

/*
 * A string, copied into a (the model's arena for a value that goes there as written, else the
 * table's); null leaves out->v NULL (the attribute is as good as absent).
 */
static int
read_text(struct ld *L, struct scalar *out, const struct what *what, struct mig_arena *a)
{
	int r;

	if ((r = read_scalar(L, out, what)) < 0)
		return r;
	out->v = is_null(out) ? NULL : mig_arena_strdup(a, out->v);
	return 0;
}

/* A name: a non-empty string no longer than PostgreSQL keeps (kept in the table's arena). */
static int
read_name(struct ld *L, struct scalar *out, const struct what *what)
{
	int r;

	if ((r = read_scalar(L, out, what)) < 0 || (r = check_name(L, out, what)) < 0)
		return r;
	keep(L, out);
	return 0;
}

static int
check_name(struct ld *L, const struct scalar *name, const struct what *what)
{
	if (is_null(name))
		return fail_at(L, name, "%s is empty", W(L, what));
	if (strlen(name->v) > MIG_NAME_MAX)
		return fail_at(L, name, "name '%s' is longer than %d bytes (PostgreSQL would truncate it)",
		    name->v, MIG_NAME_MAX);
	return 0;
}

/*
 * Index of key in keys (NULL-terminated), refusing unknown and repeated keys. comma_hint: the
 * mapping is a column, where `{type: numeric(10, 2)}` leaves a key "2)" behind.
 */
static int
pick_key(struct ld *L, const struct scalar *key, const char *const *keys, unsigned *seen,
    const struct what *where, bool comma_hint)
{
	struct mig_buf list = MIG_BUF_INIT;
	size_t i, d, n, bestd = 3;
	const char *best = NULL;
	int r;

	for (i = 0; keys[i] != NULL; i++) {
		if (keys[i][0] != key->v[0] || strcmp(keys[i], key->v) != 0)
			continue;
		if (*seen & (1u << i))
			return fail_at(L, key, "duplicate key '%s' %s", key->v, W(L, where));
		*seen |= 1u << i;
		return (int)i;
	}
	/* Unknown: no key of any list has a parenthesis, so this is checked only now. */
	if (comma_hint && strchr(key->v, ')') != NULL && strchr(key->v, '(') == NULL)
		return fail_at(L, key, "unknown key '%s' %s (a comma inside {...} ends the value: "
		    "quote the type, as in type: \"numeric(10,2)\")", key->v, W(L, where));
	n = strlen(key->v);
	for (i = 0; keys[i] != NULL; i++) {
		d = mig_man_edit_distance(key->v, n, keys[i], strlen(keys[i]));
		if (d < bestd && d < n / 2 + 1) {
			bestd = d;
			best = keys[i];
		}
		mig_buf_printf(&list, "%s%s", i ? ", " : "", keys[i]);
	}
	if (best != NULL)
		r = fail_at(L, key, "unknown key '%s' %s (did you mean '%s'?)", key->v, W(L, where), best);
	else
		r = fail_at(L, key, "unknown key '%s' %s (expected one of: %s)", key->v, W(L, where),
		    list.ptr);
	mig_buf_release(&list);
	return r;
}

/*
 * Records that name belongs to what in namespace ns: L->rels (tables, indexes, unique constraints
 * and primary keys, which PostgreSQL backs with an index), L->typenames (tables and enums) or
 * L->cons (the constraints of the current table). name and what's strings must last as long as
 * the namespace; the owner is allocated in a, which must too.
 */
static int
claim(struct ld *L, struct mig_map *ns, struct mig_arena *a, const char *name,
    const struct what *what, int line, int col)
{
	struct owner *o = mig_arena_alloc(a, sizeof(*o));

	o->what = *what;
	o->line = line;
	return claim_as(L, ns, name, o, col);
}

/* claim() with an owner already made: a table claims its name in two namespaces with one. */
static int
claim_as(struct ld *L, struct mig_map *ns, const char *name, struct owner *o, int col)
{
	/* One probe: a name already owned is an error, and the map is thrown away with the load. */
	struct owner *first = mig_map_put(ns, name, o);
	const char *mine, *theirs;

	if (first == NULL)
		return 0;
	mine = W(L, &o->what);
	theirs = W(L, &first->what);
	if (strcmp(theirs, mine) == 0)
		return fail(L, o->line, col, "duplicate %s (first at line %d)", mine, first->line);
	return fail(L, o->line, col, "%s: the name is already used by %s (line %d)", mine, theirs,
	    first->line);
}

static void
add_ref(struct ld *L, const struct scalar *at, const struct what *what, const char **slot)
{
	if (L->nrefs == L->cap_refs) {
		L->cap_refs = L->cap_refs ? L->cap_refs * 2 : 16;
		L->refs = mig_xrealloc(L->refs, L->cap_refs * sizeof(*L->refs));
	}
	L->refs[L->nrefs].at = *at;
	L->refs[L->nrefs].what = *what;
	L->refs[L->nrefs++].slot = slot;
}

/* The model's copy of text, one for all equal texts: defaults and sql_types repeat a lot. */
static const char *
intern(struct ld *L, const char *text)
{
	char *copy = mig_map_get(&L->strings, text);

	if (copy == NULL) {
		copy = mig_arena_strdup(&L->s->arena, text);
		mig_map_put(&L->strings, copy, copy);
	}
	return copy;
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
		if ((r = read_scalar(L, &sc, WHAT("the manifest"))) < 0)
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
	int k, r;

	if ((r = begin_map(L, WHAT("the manifest"), NULL)) < 0)
		return r;
	for (;;) {
		if ((r = next_field(L, keys, &seen, WHAT("at the top level"), false, &key, &k)) < 0)
			return r;
		if (k < 0)
			return 0;
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

	if ((r = begin_map(L, WHAT("'enums'"), &isnull)) < 0 || isnull)
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

/* name is borrowed: the model's copy is used once the enum is made. */
static int
read_enum(struct ld *L, const struct scalar *name)
{
	static const char *const keys[] = { "labels", "schema", NULL };
	struct mig_enum *e;
	struct what what = { "enum '%s'", { NULL }, NULL };
	struct scalar key, sc;
	unsigned seen = 0;
	bool labels = false;
	int k, r;

	if ((r = check_name(L, name, WHAT("an enum name"))) < 0)
		return r;
	e = mig_schema_add_enum(L->s, name->v);
	e->line = name->line;
	what.s[0] = e->name;
	if ((r = claim(L, &L->typenames, &L->doc, e->name, &what, name->line, name->col)) < 0)
		return r;
	mig_map_put(&L->enums, e->name, e);
	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SEQUENCE_START_EVENT)
		return read_labels(L, e, &what);
	if (L->ev.type != YAML_MAPPING_START_EVENT)
		return fail_ev(L, "%s must be a list of labels, not %s", W(L, &what), ev_kind(&L->ev));
	if ((r = begin_map(L, &what, NULL)) < 0)
		return r;
	for (;;) {
		if ((r = next_field(L, keys, &seen, &(const struct what){ "in %w", { NULL }, &what },
		    false, &key, &k)) < 0)
			return r;
		if (k < 0)
			break;
		if (k == 0) {
			if ((r = read_labels(L, e, &what)) < 0)
				return r;
			labels = true;
		} else {
			if ((r = read_text(L, &sc, WHAT("'schema'"), &L->s->arena)) < 0)
				return r;
			e->schema = sc.v;
		}
	}
	if (!labels)
		return fail_at(L, name, "%s has no labels", W(L, &what));
	return 0;
}

static int
read_labels(struct ld *L, struct mig_enum *e, const struct what *what)
{
	struct mig_map seen;
	struct scalar sc;
	bool end;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	sc.line = (int)L->ev.start_mark.line + 1;
	sc.col = (int)L->ev.start_mark.column + 1;
	if ((r = begin_seq(L, &(const struct what){ "the labels of %w", { NULL }, what })) < 0)
		return r;
	mig_map_init(&seen);
	for (;;) {
		if ((r = seq_end(L, &end)) < 0)
			break;
		if (end) {
			if (e->nlabels == 0)
				r = fail_at(L, &sc, "%s has no labels", W(L, what));
			break;
		}
		if ((r = read_scalar(L, &sc, WHAT("a label"))) < 0)
			break;
		if (is_null(&sc)) {
			r = fail_at(L, &sc, "empty label in %s", W(L, what));
			break;
		}
		if (strlen(sc.v) > MIG_NAME_MAX) {
			r = fail_at(L, &sc, "label '%s' is longer than %d bytes", sc.v, MIG_NAME_MAX);
			break;
		}
		/* The model's copy is the key: it outlives the event. */
		mig_enum_add_label(L->s, e, sc.v);
		if (mig_map_put(&seen, e->labels[e->nlabels - 1], e) != NULL) {
			r = fail_at(L, &sc, "duplicate label '%s' in %s", sc.v, W(L, what));
			break;
		}
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

	if ((r = begin_map(L, WHAT("'tables'"), &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0)
			return r;
		if (end)
			return 0;
		r = read_table(L, &name);
		table_done(L);
		if (r < 0)
			return r;
	}
}

/* name is borrowed: the model's copy is used once the table is made. */
static int
read_table(struct ld *L, const struct scalar *name)
{
	static const char *const keys[] = { "columns", "primary_key", "indexes", "unique", "checks",
		"foreign_keys", "comment", "renamed_from", "schema", NULL };
	static const char *const key_what[] = { [6] = "'comment'", [7] = "'renamed_from'",
		[8] = "'schema'" };
	const struct what where = { "in %w", { NULL }, &L->tname };
	struct owner *o;
	struct scalar key, sc, tn;
	unsigned seen = 0;
	bool isnull;
	int k, r;

	if ((r = check_name(L, name, WHAT("a table name"))) < 0)
		return r;
	L->t = mig_schema_add_table(L->s, name->v);
	L->t->line = name->line;
	tn = *name;
	tn.v = L->t->name;
	L->tname = (struct what){ "table '%s'", { L->t->name }, NULL };
	o = mig_arena_alloc(&L->doc, sizeof(*o));
	o->what = L->tname;
	o->line = name->line;
	if ((r = claim_as(L, &L->rels, L->t->name, o, name->col)) < 0
	    || (r = claim_as(L, &L->typenames, L->t->name, o, name->col)) < 0)
		return r;
	if ((r = begin_map(L, &L->tname, &isnull)) < 0)
		return r;
	while (!isnull) {
		if ((r = next_field(L, keys, &seen, &where, false, &key, &k)) < 0)
			return r;
		if (k < 0)
			break;
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
			if ((r = read_text(L, &sc, WHAT(key_what[k]), &L->s->arena)) < 0)
				return r;
			if (k == 7 && sc.v != NULL && (r = check_name(L, &sc, WHAT("'renamed_from'"))) < 0)
				return r;
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
	return finish_table(L, &tn);
}

/* Forgets the table just read: what is left of it is in the model and the pending checks. */
static void
table_done(struct ld *L)
{
	map_clear(&L->cols);
	map_clear(&L->cons);
	mig_arena_release(&L->tab);
	L->nci = L->nrefs = 0;
	memset(&L->tpk_at, 0, sizeof(L->tpk_at));
}

/*
 * Empties a map but keeps its slots for the next table, rather than freeing them and growing
 * again from nothing for every table. util.h has no mig_map_clear(); its map marks a free slot
 * with a NULL key.
 */
static void
map_clear(struct mig_map *m)
{
	if (m->len == 0)
		return;
	memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->len = 0;
}

static int
read_columns(struct ld *L)
{
	const struct what what = { "'columns' of %w", { NULL }, &L->tname };
	struct mig_column *first;
	struct colinfo *ci;
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = begin_map(L, &what, &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0)
			return r;
		if (end)
			return 0;
		if ((r = check_name(L, &name, WHAT("a column name"))) < 0)
			return r;
		if (L->nci == L->cap_ci) {
			L->cap_ci = L->cap_ci ? L->cap_ci * 2 : 16;
			L->ci = mig_xrealloc(L->ci, L->cap_ci * sizeof(*L->ci));
		}
		ci = &L->ci[L->nci++];
		memset(ci, 0, sizeof(*ci));
		ci->pk = ci->unique = ci->index = ci->autoinc = ci->nullable = -1;
		ci->c = mig_table_add_column(L->s, L->t, name.v);
		ci->c->line = name.line;
		ci->name = name;
		ci->name.v = ci->c->name;
		/* Made first, so that one probe both records it and finds a duplicate (see claim_as()). */
		if ((first = mig_map_put(&L->cols, ci->c->name, ci->c)) != NULL)
			return fail_at(L, &name, "duplicate column '%s' in %s (first at line %d)", name.v,
			    W(L, &L->tname), first->line);
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
	const struct what what = { "column '%s.%s'", { L->t->name, ci->name.v }, NULL };
	const struct what where = { "in %w", { NULL }, &what };
	struct scalar key, sc, type = { 0 }, sql_type = { 0 }, on_del_key = { 0 }, on_upd_key = { 0 };
	unsigned seen = 0;
	int k, r;

	if ((r = peek(L)) < 0)
		return r;
	if (L->ev.type == YAML_SCALAR_EVENT) {
		/* `name: integer`: the type alone. */
		if ((r = read_scalar(L, &type, &what)) < 0)
			return r;
		if (is_null(&type))
			return fail_at(L, &ci->name, "%s has no type (add 'type:')", W(L, &what));
		return set_type(L, ci, &type, false);
	}
	if ((r = begin_map(L, &what, NULL)) < 0)
		return r;
	for (;;) {
		if ((r = next_field(L, keys, &seen, &where, true, &key, &k)) < 0)
			return r;
		if (k < 0)
			break;
		switch (k) {
		case C_TYPE:
			r = read_text(L, &type, WHAT("'type'"), &L->tab);
			if (r == 0 && type.v == NULL)
				return fail_at(L, &type, "'type' of %s is empty", W(L, &what));
			break;
		case C_SQL_TYPE:
			r = read_text(L, &sql_type, WHAT("'sql_type'"), &L->tab);
			if (r == 0 && sql_type.v == NULL)
				return fail_at(L, &sql_type, "'sql_type' of %s is empty", W(L, &what));
			break;
		case C_NULLABLE:
			r = read_bool(L, &ci->nullable, WHAT("'nullable'"));
			break;
		case C_PRIMARY_KEY:
			ci->pk_at = key;
			r = read_bool(L, &ci->pk, WHAT("'primary_key'"));
			break;
		case C_DEFAULT:
			r = read_default(L, ci);
			break;
		case C_UNIQUE:
			r = read_bool(L, &ci->unique, WHAT("'unique'"));
			break;
		case C_INDEX:
			r = read_bool(L, &ci->index, WHAT("'index'"));
			break;
		case C_REFERENCES:
			r = read_text(L, &ci->references, WHAT("'references'"), &L->tab);
			break;
		case C_ON_DELETE:
			on_del_key = key;
			r = read_text(L, &ci->on_delete, WHAT("'on_delete'"), &L->tab);
			break;
		case C_ON_UPDATE:
			on_upd_key = key;
			r = read_text(L, &ci->on_update, WHAT("'on_update'"), &L->tab);
			break;
		case C_AUTOINCREMENT:
			ci->autoinc_at = key;
			r = read_bool(L, &ci->autoinc, WHAT("'autoincrement'"));
			break;
		case C_CHECK:
			r = read_text(L, &ci->check, WHAT("'check'"), &L->tab);
			break;
		default:
			if ((r = read_text(L, &sc, WHAT(k == C_COMMENT ? "'comment'" : "'renamed_from'"),
			    &L->s->arena)) < 0)
				return r;
			if (k == C_RENAMED_FROM && sc.v != NULL
			    && (r = check_name(L, &sc, WHAT("'renamed_from'"))) < 0)
				return r;
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
		return fail_at(L, &ci->name, "%s has no type (add 'type:')", W(L, &what));
	if (type.v != NULL && sql_type.v != NULL)
		return fail_at(L, &sql_type, "%s has both 'type' and 'sql_type'", W(L, &what));
	if (ci->references.v == NULL && on_del_key.v != NULL)
		return fail_at(L, &on_del_key, "'on_delete' of %s needs 'references'", W(L, &what));
	if (ci->references.v == NULL && on_upd_key.v != NULL)
		return fail_at(L, &on_upd_key, "'on_update' of %s needs 'references'", W(L, &what));
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

/*
 * Portable types get their canonical spelling; an enum is checked once all enums are known. A
 * manifest uses a handful of types for thousands of columns: each spelling is parsed once
 * (L->types) and its columns share one copy in the model, as do those of a `sql_type:`.
 */
static int
set_type(struct ld *L, struct colinfo *ci, const struct scalar *type, bool sql)
{
	struct typeinfo *ti;
	struct mig_type t;
	struct pending p;

	if (sql) {
		ci->c->type = intern(L, type->v);
		return 0;
	}
	if ((ti = mig_map_get(&L->types, type->v)) == NULL) {
		mig_buf_clear(&L->canon);
		if (mig_type_parse(&t, &L->canon, type->v) < 0) {
			/* The message is in the same buffer fail() writes to: copy it first. */
			const char *msg = mig_arena_strdup(&L->doc, mig_error_msg());

			return fail_at(L, type, "%s", msg);
		}
		ti = mig_arena_alloc(&L->doc, sizeof(*ti));
		ti->canon = mig_arena_strndup(&L->s->arena, L->canon.ptr, L->canon.len);
		ti->text = mig_arena_strdup(&L->doc, type->v);
		ti->portable = t.kind != MIG_TYPE_SQL;
		ti->integral = !t.array && (t.kind == MIG_TYPE_INTEGER || t.kind == MIG_TYPE_BIGINT
		    || t.kind == MIG_TYPE_SMALLINT);
		if (t.kind == MIG_TYPE_ENUM)
			ti->enum_name = mig_arena_strdup(&L->doc, t.enum_name);
		mig_map_put(&L->types, ti->text, ti);
	}
	ci->c->type = ti->canon;
	ci->portable = ti->portable;
	ci->integral = ti->integral;
	if (ti->enum_name != NULL) {
		memset(&p, 0, sizeof(p));
		p.kind = P_ENUM;
		p.at = *type;
		p.at.v = ti->text;
		p.enum_name = ti->enum_name;
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

	if ((r = read_scalar(L, &sc, WHAT("'default'"))) < 0 || is_null(&sc))
		return r;
	for (i = 0; sc.plain && i < sizeof(yaml11) / sizeof(yaml11[0]); i++)
		if (strcasecmp(sc.v, yaml11[i]) == 0)
			return fail_at(L, &sc, "default '%s' is not an SQL expression (write true or false, "
			    "or quote it)", sc.v);
	ci->c->default_sql = intern(L, sc.v);
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
	const struct what what = { "'%s' of %w", { section }, &L->tname };
	struct cons *c = &L->entry;
	struct scalar name;
	bool end, isnull;
	int r;

	if ((r = peek(L)) < 0)
		return r;
	cons_reset(c, kind, (int)L->ev.start_mark.line + 1, (int)L->ev.start_mark.column + 1);
	if (kind == K_PK) {
		if ((r = read_entry(L, c, true, WHAT("'primary_key'"))) == 0)
			r = commit(L, c);
		return r;
	}
	if (L->ev.type == YAML_SEQUENCE_START_EVENT && kind != K_INDEX) {
		drop(L);
		for (;;) {
			if ((r = seq_end(L, &end)) < 0 || end)
				return r;
			cons_reset(c, kind, (int)L->ev.start_mark.line + 1, (int)L->ev.start_mark.column + 1);
			if ((r = read_entry(L, c, true, &(const struct what){ "an entry of %w", { NULL },
			    &what })) < 0 || (r = commit(L, c)) < 0)
				return r;
		}
	}
	if ((r = begin_map(L, &what, &isnull)) < 0 || isnull)
		return r;
	for (;;) {
		if ((r = next_key(L, &name, &end)) < 0 || end)
			return r;
		if ((r = check_name(L, &name, &(const struct what){ "the name of %s",
		    { kind_names[kind] }, NULL })) < 0)
			return r;
		keep(L, &name);
		cons_reset(c, kind, name.line, name.col);
		c->name = name;
		c->at = name;
		if ((r = read_entry(L, c, false, &(const struct what){ "%s '%s'",
		    { kind_names[kind], name.v }, NULL })) < 0 || (r = commit(L, c)) < 0)
			return r;
	}
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
read_entry(struct ld *L, struct cons *c, bool in_list, const struct what *what)
{
	const char *keys[sizeof(all_entry_keys) / sizeof(all_entry_keys[0]) + 1];
	int map_of[sizeof(all_entry_keys) / sizeof(all_entry_keys[0])];
	const struct what where = { "in %w", { NULL }, what };
	struct scalar key;
	unsigned allowed = entry_keys[c->kind], seen = 0;
	size_t i, n = 0;
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
		if ((r = read_text(L, &c->expression, what, &L->tab)) == 0 && c->expression.v == NULL)
			return fail_at(L, &c->expression, "%s has no expression", W(L, what));
		return r;
	}
	if (L->ev.type != YAML_MAPPING_START_EVENT) {
		if (c->kind == K_CHECK)
			return fail_ev(L, "%s must be an SQL expression or a mapping, not %s", W(L, what),
			    ev_kind(&L->ev));
		if (c->kind == K_FK)
			return fail_ev(L, "%s must be a mapping, not %s", W(L, what), ev_kind(&L->ev));
		return fail_ev(L, "%s must be a list of columns or a mapping, not %s", W(L, what),
		    ev_kind(&L->ev));
	}
	drop(L);
	for (;;) {
		if ((r = next_field(L, keys, &seen, &where, false, &key, &k)) < 0)
			return r;
		if (k < 0)
			break;
		switch (map_of[k]) {
		case E_NAME:
			if ((r = read_text(L, &c->name, WHAT("'name'"), &L->tab)) == 0 && c->name.v != NULL)
				r = check_name(L, &c->name, WHAT("'name'"));
			break;
		case E_COLUMNS:
			c->has_cols = true;
			r = read_key_columns(L, c->cols, c->expr, &c->ncols, c->kind == K_INDEX,
			    &(const struct what){ "'columns' of %w", { NULL }, what });
			break;
		case E_UNIQUE:
			r = read_bool(L, &c->unique, WHAT("'unique'"));
			break;
		case E_WHERE:
			r = read_text(L, &c->where, WHAT("'where'"), &L->tab);
			break;
		case E_RENAMED_FROM:
			if ((r = read_text(L, &c->renamed_from, WHAT("'renamed_from'"), &L->tab)) == 0
			    && c->renamed_from.v)
				r = check_name(L, &c->renamed_from, WHAT("'renamed_from'"));
			break;
		case E_EXPR:
			r = read_text(L, &c->expression, WHAT("'expr'"), &L->tab);
			break;
		case E_REFERENCES:
			if ((r = read_text(L, &c->references, WHAT("'references'"), &L->tab)) == 0)
				r = check_name(L, &c->references, &(const struct what){ "'references' of %w",
				    { NULL }, what });
			break;
		case E_REF_COLUMNS:
			c->has_refcols = true;
			r = read_key_columns(L, c->refcols, NULL, &c->nrefcols, false,
			    &(const struct what){ "'ref_columns' of %w", { NULL }, what });
			break;
		case E_ON_DELETE:
			r = read_text(L, &c->on_delete, WHAT("'on_delete'"), &L->tab);
			break;
		case E_ON_UPDATE:
			r = read_text(L, &c->on_update, WHAT("'on_update'"), &L->tab);
			break;
		case E_DEFERRABLE:
			r = read_bool(L, &c->deferrable, WHAT("'deferrable'"));
			break;
		case E_INITIALLY_DEFERRED:
			r = read_bool(L, &c->initially_deferred, WHAT("'initially_deferred'"));
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
    const struct what *what)
{
	const struct what column_of = { "a column of %w", { NULL }, what };
	struct scalar key, sc, at;
	bool end;
	size_t i;
	int k, r;

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
			return fail_ev(L, "%s has more than %d columns", W(L, what), MAX_KEY_COLUMNS);
		if (allow_expr && L->ev.type == YAML_MAPPING_START_EVENT) {
			static const char *const keys[] = { "expression", NULL };
			const struct what where = { "in an item of %w", { NULL }, what };
			unsigned seen = 0;

			sc.line = (int)L->ev.start_mark.line + 1;
			sc.col = (int)L->ev.start_mark.column + 1;
			sc.v = NULL;
			drop(L);
			for (;;) {
				if ((r = next_field(L, keys, &seen, &where, false, &key, &k)) < 0)
					return r;
				if (k < 0)
					break;
				if ((r = read_text(L, &sc, WHAT("'expression'"), &L->s->arena)) < 0)
					return r;
			}
			if (sc.v == NULL)
				return fail_at(L, &sc, "an item of %s has no expression", W(L, what));
			expr[*n] = true;
			cols[(*n)++] = sc;
			continue;
		}
		if ((r = read_name(L, &sc, &column_of)) < 0)
			return r;
		for (i = 0; i < *n; i++)
			if (!(expr != NULL && expr[i]) && strcmp(cols[i].v, sc.v) == 0)
				return fail_at(L, &sc, "column '%s' appears twice in %s", sc.v, W(L, what));
		if (expr != NULL)
			expr[*n] = false;
		cols[(*n)++] = sc;
	}
	if (*n == 0)
		return fail_at(L, &at, "%s is empty", W(L, what));
	return 0;
}

static void
cons_reset(struct cons *c, enum ckind kind, int line, int col)
{
	memset(c, 0, offsetof(struct cons, cols));
	c->kind = kind;
	c->at.line = line;
	c->at.col = col;
	c->unique = c->deferrable = c->initially_deferred = -1;
}

/* An index or constraint of table; name may be NULL. Its strings are the arguments'. */
static struct what
cons_what(enum ckind kind, const char *name, const char *table)
{
	if (kind == K_PK)
		return name ? (struct what){ "primary key '%s' of table '%s'", { name, table }, NULL }
		    : (struct what){ "the primary key of table '%s'", { table }, NULL };
	if (name != NULL)
		return (struct what){ "%s '%s' on table '%s'", { kind_names[kind], name, table }, NULL };
	return (struct what){ "an unnamed %s on table '%s'", { kind_names[kind], table }, NULL };
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
			/* NO ACTION is the default: the model keeps NULL for it. The model's strings are
			 * never freed one by one, so the static text can be shared. */
			if (i < 4)
				*out = actions[i];
			return 0;
		}
	return fail_at(L, sc, "'%s' is not a foreign key action (expected CASCADE, SET NULL, "
	    "SET DEFAULT, RESTRICT or NO ACTION)", sc->v);
}

/*
 * A list of column names and index expressions for the model. Expressions are in the model's
 * arena already; a column name is the table's copy until finish_table() points its entry at the
 * column's own name (see struct colref).
 */
static const char **
key_list(struct ld *L, const struct scalar *cols, size_t n)
{
	const char **list = mig_arena_alloc(&L->s->arena, n * sizeof(*list));
	size_t i;

	for (i = 0; i < n; i++)
		list[i] = cols[i].v;
	return list;
}

/*
 * Adds an entry to the model, after the checks that need only the entry itself. The object is
 * made before its name is claimed, so that the namespaces hold the model's copy of the name
 * (which lasts the whole document); on an error the model is thrown away anyway.
 */
static int
commit(struct ld *L, struct cons *c)
{
	struct mig_schema *s = L->s;
	struct mig_table *t = L->t;
	struct what what = cons_what(c->kind, c->name.v, t->name);
	const char *name = NULL;
	struct mig_index *x = NULL;
	struct mig_unique *u = NULL;
	struct mig_check *ck = NULL;
	struct mig_fk *fk = NULL;
	const char **list;
	struct pending p;
	size_t i;
	int r;

	if (c->kind != K_CHECK && !c->has_cols)
		return fail_at(L, &c->at, "%s has no 'columns'", W(L, &what));
	if (c->kind == K_CHECK && c->expression.v == NULL)
		return fail_at(L, &c->at, "%s has no 'expr'", W(L, &what));
	switch (c->kind) {
	case K_INDEX:
		x = mig_table_add_index(s, t, c->name.v);
		name = x->name;
		break;
	case K_UNIQUE:
		u = mig_table_add_unique(s, t, c->name.v);
		name = u->name;
		break;
	case K_CHECK:
		ck = mig_table_add_check(s, t, c->name.v);
		name = ck->name;
		break;
	case K_PK:
		name = t->pk_name = mig_arena_strdup(&s->arena, c->name.v);
		break;
	case K_FK:
		fk = mig_table_add_fk(s, t, c->name.v);
		name = fk->name;
		break;
	}
	what = cons_what(c->kind, name, t->name);
	list = c->kind == K_CHECK || c->kind == K_PK ? NULL : key_list(L, c->cols, c->ncols);
	for (i = 0; i < c->ncols; i++)
		if (!c->expr[i])
			add_ref(L, &c->cols[i], &what, list != NULL ? &list[i] : NULL);
	if (name != NULL && (c->kind == K_INDEX || c->kind == K_UNIQUE || c->kind == K_PK)
	    && (r = claim(L, &L->rels, &L->doc, name, &what, c->at.line, c->at.col)) < 0)
		return r;
	if (name != NULL && c->kind != K_INDEX
	    && (r = claim(L, &L->cons, &L->tab, name, &what, c->at.line, c->at.col)) < 0)
		return r;
	switch (c->kind) {
	case K_INDEX:
		x->line = c->at.line;
		x->columns = list;
		x->ncolumns = c->ncols;
		for (i = 0; i < c->ncols; i++)
			if (c->expr[i] && x->expr == NULL)
				x->expr = mig_arena_alloc(&s->arena, c->ncols * sizeof(*x->expr));
		for (i = 0; x->expr != NULL && i < c->ncols; i++)
			x->expr[i] = c->expr[i];
		x->unique = c->unique == 1;
		x->where = mig_arena_strdup(&s->arena, c->where.v);
		x->renamed_from = mig_arena_strdup(&s->arena, c->renamed_from.v);
		break;
	case K_UNIQUE:
		u->line = c->at.line;
		u->columns = list;
		u->ncolumns = c->ncols;
		break;
	case K_CHECK:
		ck->line = c->at.line;
		ck->expr = mig_arena_strdup(&s->arena, c->expression.v);
		break;
	case K_PK:
		for (i = 0; i < c->ncols; i++)
			mig_table_add_pk(s, t, c->cols[i].v);
		break;
	case K_FK:
		if (c->references.v == NULL)
			return fail_at(L, &c->at, "%s has no 'references'", W(L, &what));
		if (c->has_refcols && c->nrefcols != c->ncols)
			return fail_at(L, &c->refcols[0], "%s has %zu columns but %zu ref_columns",
			    W(L, &what), c->ncols, c->nrefcols);
		fk->line = c->at.line;
		fk->columns = list;
		fk->ncolumns = c->ncols;
		fk->ref_table = mig_arena_strdup(&s->arena, c->references.v);
		if ((r = fk_action(L, &c->on_delete, &fk->on_delete)) < 0
		    || (r = fk_action(L, &c->on_update, &fk->on_update)) < 0)
			return r;
		/* INITIALLY DEFERRED implies DEFERRABLE in SQL; say so in the model too. */
		fk->initially_deferred = c->initially_deferred == 1;
		fk->deferrable = c->deferrable == 1 || fk->initially_deferred;
		if (c->deferrable == 0 && fk->initially_deferred)
			return fail_at(L, &c->at, "%s cannot be initially deferred without being deferrable",
			    W(L, &what));
		memset(&p, 0, sizeof(p));
		p.kind = P_FK;
		p.at = c->references;
		p.at.v = fk->ref_table;
		p.t = t;
		p.fk = fk;
		if (c->has_refcols) {
			/* Checked when the document ends: copied out of the table's arena. */
			p.refcols = mig_arena_alloc(&L->doc, c->nrefcols * sizeof(*p.refcols));
			for (i = 0; i < c->nrefcols; i++) {
				p.refcols[i] = c->refcols[i];
				p.refcols[i].v = mig_arena_strdup(&L->doc, c->refcols[i].v);
			}
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
generated_name(struct ld *L, const struct mig_buf *b, const struct colinfo *ci)
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
	struct mig_buf *b = &L->gen;
	struct mig_column *c;
	struct colinfo *ci;
	const char *cols[1], *dot;
	struct what what;
	struct pending p;
	size_t i, j;
	bool in_pk;
	int r;

	if (L->nci == 0)
		return fail_at(L, name, "%s has no columns", W(L, &L->tname));
	for (i = 0; i < L->nci; i++) {
		ci = &L->ci[i];
		if (ci->pk != 1)
			continue;
		if (L->tpk_at.v != NULL)
			return fail_at(L, &ci->pk_at, "column '%s' is marked primary_key but %s also has "
			    "'primary_key' (line %d); use one or the other", ci->name.v, W(L, &L->tname),
			    L->tpk_at.line);
		mig_table_add_pk(s, t, ci->name.v);
	}
	for (i = 0; i < L->nci; i++) {
		ci = &L->ci[i];
		in_pk = false;
		for (j = 0; j < t->npk; j++)
			if (strcmp(t->pk[j], ci->name.v) == 0)
				in_pk = true;
		ci->c->nullable = ci->nullable >= 0 ? ci->nullable == 1 : !in_pk;
		ci->c->autoincrement = ci->autoinc >= 0 ? ci->autoinc == 1
		    : mig_man_default_autoincrement(t, ci->c);
		ci->c->autoincrement_auto = ci->autoinc < 0 && ci->c->autoincrement;
	}
	for (i = 0; i < L->nrefs; i++) {
		if ((c = mig_map_get(&L->cols, L->refs[i].at.v)) == NULL)
			return fail_at(L, &L->refs[i].at, "%s names unknown column '%s'",
			    W(L, &L->refs[i].what), L->refs[i].at.v);
		if (L->refs[i].slot != NULL)
			*L->refs[i].slot = c->name;
	}
	/* Each generated object is made before its name is claimed: see commit(). */
	for (i = 0; i < L->nci; i++) {
		ci = &L->ci[i];
		cols[0] = ci->name.v;
		if (ci->index == 1) {
			struct mig_index *x;

			/* index + unique is one unique index, as SQLAlchemy makes it. */
			mig_buf_clear(b);
			mig_naming_apply(b, L->naming_ix, t->name, cols, 1, NULL, NULL);
			if ((r = generated_name(L, b, ci)) < 0)
				return r;
			x = mig_table_add_index(s, t, b->ptr);
			what = cons_what(K_INDEX, x->name, t->name);
			if ((r = claim(L, &L->rels, &L->doc, x->name, &what, ci->name.line, ci->name.col)) < 0)
				return r;
			x->line = ci->name.line;
			x->columns = mig_arena_alloc(&s->arena, sizeof(*x->columns));
			x->columns[0] = ci->name.v;
			x->ncolumns = 1;
			x->unique = ci->unique == 1;
		} else if (ci->unique == 1) {
			struct mig_unique *u;

			mig_buf_clear(b);
			mig_naming_apply(b, L->naming_uq, t->name, cols, 1, NULL, NULL);
			if ((r = generated_name(L, b, ci)) < 0)
				return r;
			u = mig_table_add_unique(s, t, b->ptr);
			what = cons_what(K_UNIQUE, u->name, t->name);
			if ((r = claim(L, &L->rels, &L->doc, u->name, &what, ci->name.line, ci->name.col)) < 0
			    || (r = claim(L, &L->cons, &L->tab, u->name, &what, ci->name.line,
				ci->name.col)) < 0)
				return r;
			u->line = ci->name.line;
			u->columns = mig_arena_alloc(&s->arena, sizeof(*u->columns));
			u->columns[0] = ci->name.v;
			u->ncolumns = 1;
		}
		if (ci->references.v != NULL) {
			struct mig_fk *fk;
			struct scalar ref, rt;

			dot = strrchr(ci->references.v, '.');
			if (dot == NULL || dot == ci->references.v || dot[1] == '\0')
				return fail_at(L, &ci->references, "'references' must be 'table.column', not '%s'",
				    ci->references.v);
			rt = ref = ci->references;
			rt.v = mig_arena_strndup(&L->tab, ci->references.v, (size_t)(dot - ci->references.v));
			ref.v = dot + 1;
			if ((r = check_name(L, &rt, WHAT("the table in 'references'"))) < 0
			    || (r = check_name(L, &ref, WHAT("the column in 'references'"))) < 0)
				return r;
			mig_buf_clear(b);
			mig_naming_apply(b, L->naming_fk, t->name, cols, 1, rt.v, NULL);
			if ((r = generated_name(L, b, ci)) < 0)
				return r;
			fk = mig_table_add_fk(s, t, b->ptr);
			what = cons_what(K_FK, fk->name, t->name);
			if ((r = claim(L, &L->cons, &L->tab, fk->name, &what, ci->name.line, ci->name.col)) < 0)
				return r;
			fk->line = ci->name.line;
			fk->columns = mig_arena_alloc(&s->arena, sizeof(*fk->columns));
			fk->columns[0] = ci->name.v;
			fk->ncolumns = 1;
			fk->ref_table = mig_arena_strdup(&s->arena, rt.v);
			if ((r = fk_action(L, &ci->on_delete, &fk->on_delete)) < 0
			    || (r = fk_action(L, &ci->on_update, &fk->on_update)) < 0)
				return r;
			memset(&p, 0, sizeof(p));
			p.kind = P_FK;
			p.at = ci->references;
			p.at.v = fk->ref_table;
			p.t = t;
			p.fk = fk;
			/* Checked when the document ends: copied out of the table's arena. */
			p.refcols = mig_arena_alloc(&L->doc, sizeof(*p.refcols));
			*p.refcols = ref;
			p.refcols->v = mig_arena_strdup(&L->doc, ref.v);
			p.nrefcols = 1;
			add_pending(L, &p);
		}
		if (ci->check.v != NULL) {
			struct mig_check *ck;

			mig_buf_clear(b);
			mig_naming_apply(b, L->naming_ck, t->name, cols, 1, NULL, ci->name.v);
			if ((r = generated_name(L, b, ci)) < 0)
				return r;
			ck = mig_table_add_check(s, t, b->ptr);
			what = cons_what(K_CHECK, ck->name, t->name);
			if ((r = claim(L, &L->cons, &L->tab, ck->name, &what, ci->name.line, ci->name.col)) < 0)
				return r;
			ck->line = ci->name.line;
			ck->expr = mig_arena_strdup(&s->arena, ci->check.v);
		}
	}
	return 0;
}

/* ---- end of the document: enums and foreign keys ---- */

static int
finish_document(struct ld *L)
{
	struct pending *p;
	struct mig_table *rt;
	struct mig_column *c;
	struct what what;
	size_t i, j;

	for (i = 0; i < L->npend; i++) {
		p = &L->pend[i];
		if (p->kind == P_ENUM) {
			if (mig_map_get(&L->enums, p->enum_name) == NULL)
				return fail_at(L, &p->at, "type '%s' names undeclared enum '%s' (declare it "
				    "under 'enums:')", p->at.v, p->enum_name);
			continue;
		}
		what = cons_what(K_FK, p->fk->name, p->t->name);
		if ((rt = mig_schema_find_table(L->s, p->fk->ref_table)) == NULL)
			return fail_at(L, &p->at, "%s references unknown table '%s'", W(L, &what),
			    p->fk->ref_table);
		if (p->refcols == NULL) {
			/* REFERENCES parent with no columns means the parent's primary key, as in SQL. */
			if (rt->npk == 0)
				return fail_at(L, &p->at, "%s has no 'ref_columns' and table '%s' has no "
				    "primary key", W(L, &what), rt->name);
			if (rt->npk != p->fk->ncolumns)
				return fail_at(L, &p->at, "%s has no 'ref_columns' and the primary key of "
				    "table '%s' has %zu columns, not %zu", W(L, &what), rt->name, rt->npk,
				    p->fk->ncolumns);
			/* The model keeps no count of ref_columns: it is ncolumns. */
			p->fk->ref_columns = mig_arena_alloc(&L->s->arena, rt->npk * sizeof(*rt->pk));
			memcpy(p->fk->ref_columns, rt->pk, rt->npk * sizeof(*rt->pk));
			continue;
		}
		p->fk->ref_columns = mig_arena_alloc(&L->s->arena, p->nrefcols * sizeof(*rt->pk));
		for (j = 0; j < p->nrefcols; j++) {
			if ((c = mig_table_find_column(rt, p->refcols[j].v)) == NULL)
				return fail_at(L, &p->refcols[j], "%s references unknown column '%s.%s'",
				    W(L, &what), rt->name, p->refcols[j].v);
			p->fk->ref_columns[j] = c->name;
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
	mig_arena_init(&L.doc);
	mig_arena_init(&L.tab);
	mig_map_init(&L.rels);
	mig_map_init(&L.typenames);
	mig_map_init(&L.enums);
	mig_map_init(&L.types);
	mig_map_init(&L.strings);
	mig_map_init(&L.cols);
	mig_map_init(&L.cons);
	mig_buf_init(&L.canon);
	mig_buf_init(&L.gen);
	if ((r = read_document(&L)) == 0)
		r = finish_document(&L);
	if (L.held)
		yaml_event_delete(&L.ev);
	yaml_parser_delete(&L.parser);
	mig_arena_release(&L.tab);
	mig_map_release(&L.cols);
	mig_map_release(&L.cons);
	mig_map_release(&L.rels);
	mig_map_release(&L.typenames);
	mig_map_release(&L.enums);
	mig_map_release(&L.types);
	mig_map_release(&L.strings);
	mig_buf_release(&L.canon);
	mig_buf_release(&L.gen);
	free(L.pend);
	free(L.ci);
	free(L.refs);
	mig_arena_release(&L.doc);
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
