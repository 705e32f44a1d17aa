/*
 * autogen_predict.c — the schema a database's catalog would print for a manifest, predicted
 * without a database (see autogen.h).
 *
 * Autogenerate compares the live catalog with the manifest as the same catalog would print it.
 * Rendering the manifest into a scratch database and introspecting that is exact but costs what
 * executing the whole schema's DDL costs (quadratic on SQLite, seconds at a few thousand tables on
 * PostgreSQL), on every `mig check`. Most of what a catalog prints is predictable: a portable
 * type's spelling, names, keys, sort order. This file predicts it, table by table, and says which
 * tables it is not sure of (expressions PostgreSQL rewrites, database types passed through);
 * mig_autogen_compare() then runs only the unsure tables and the ones that differ from the live
 * database through the scratch database. A prediction can thus cost time when wrong, never a
 * false "unchanged": a table that the prediction finds in sync exists in the live database in
 * exactly the predicted form.
 */
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "man.h"
#include "sql_render.h"

/* PostgreSQL's NAMEDATALEN - 1: longer names are truncated, so a prediction would be unsure. */
#define PG_NAME_MAX 63

struct predictor {
	enum mig_dialect d;
	const struct mig_schema *m;     /* the manifest as loaded (portable types) */
	struct mig_schema *out;
	struct mig_buf buf;
	bool unsure;                    /* about the table being predicted */
	/* Projects use a handful of types over thousands of columns: each is worked out once. */
	struct mig_map types;           /* manifest type text -> struct type_memo */
};

struct type_memo {
	const char *type;               /* the catalog's spelling */
	bool unsure;
	bool is_enum;                   /* SQLite: the column also gets the enum's CHECK */
};

static bool
ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static int
by_table_name(const void *a, const void *b)
{
	return strcmp((*(struct mig_table *const *)a)->name, (*(struct mig_table *const *)b)->name);
}

static int
by_index_name(const void *a, const void *b)
{
	return strcmp((*(struct mig_index *const *)a)->name, (*(struct mig_index *const *)b)->name);
}

static int
by_enum_name(const void *a, const void *b)
{
	return strcmp((*(struct mig_enum *const *)a)->name, (*(struct mig_enum *const *)b)->name);
}

static int
by_unique_name(const void *a, const void *b)
{
	const char *x = (*(struct mig_unique *const *)a)->name, *y = (*(struct mig_unique *const *)b)->name;

	return strcmp(x ? x : "", y ? y : "");
}

static int
by_check_name(const void *a, const void *b)
{
	const char *x = (*(struct mig_check *const *)a)->name, *y = (*(struct mig_check *const *)b)->name;

	return strcmp(x ? x : "", y ? y : "");
}

static int
by_fk_name(const void *a, const void *b)
{
	const char *x = (*(struct mig_fk *const *)a)->name, *y = (*(struct mig_fk *const *)b)->name;

	return strcmp(x ? x : "", y ? y : "");
}

/* A name PostgreSQL's quote_ident() leaves bare (keywords aside: those only make it unsure). */
static bool
pg_plain_name(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return p - s <= PG_NAME_MAX;
}

/* A database type SQLite would print as written: words and one optional (args), no constraint. */
static bool
sqlite_plain_type(const char *s)
{
	static const char *const keywords[] = { "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE",
		"CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS", "KEY", "ON" };
	const char *p = s, *w;
	bool paren = false;
	size_t i;

	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '(') {
			if (paren)
				return false;
			for (p++; *p && *p != ')'; p++)
				if (!((*p >= '0' && *p <= '9') || *p == ',' || *p == ' ' || *p == '-' || *p == '+'))
					return false;
			if (*p != ')')
				return false;
			p++;
			paren = true;
			continue;
		}
		if (paren)
			return false; /* "VARCHAR(10) UNSIGNED": where SQLite cuts is not worth predicting */
		w = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_')
			p++;
		if (p == w)
			return false;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strlen(keywords[i]) == (size_t)(p - w) && strncasecmp(w, keywords[i], (size_t)(p - w)) == 0)
				return false;
	}
	return p != s;
}

/* format_type()'s spelling of a portable type; unsure for anything else. */
static void
pg_type_of(struct predictor *pr, struct type_memo *tm, const char *portable)
{
	struct mig_type t;
	const char *base = NULL;

	tm->type = portable;
	if (portable == NULL || mig_type_parse(&t, NULL, portable) != 0 || t.kind == MIG_TYPE_SQL) {
		mig_error_clear();
		tm->unsure = true;
		return;
	}
	mig_buf_clear(&pr->buf);
	switch (t.kind) {
	case MIG_TYPE_INTEGER:     base = "integer"; break;
	case MIG_TYPE_BIGINT:      base = "bigint"; break;
	case MIG_TYPE_SMALLINT:    base = "smallint"; break;
	case MIG_TYPE_STRING:      base = "character varying"; break;
	case MIG_TYPE_TEXT:        base = "text"; break;
	case MIG_TYPE_BOOLEAN:     base = "boolean"; break;
	case MIG_TYPE_FLOAT:       base = "real"; break;
	case MIG_TYPE_DOUBLE:      base = "double precision"; break;
	case MIG_TYPE_NUMERIC:     base = "numeric"; break;
	case MIG_TYPE_DATE:        base = "date"; break;
	case MIG_TYPE_DATETIME:    base = "timestamp without time zone"; break;
	case MIG_TYPE_TIMESTAMPTZ: base = "timestamp with time zone"; break;
	case MIG_TYPE_TIME:        base = "time without time zone"; break;
	case MIG_TYPE_JSON:        base = "json"; break;
	case MIG_TYPE_UUID:        base = "uuid"; break;
	case MIG_TYPE_BYTES:       base = "bytea"; break;
	case MIG_TYPE_ENUM:
		if (!pg_plain_name(t.enum_name))
			tm->unsure = true;
		base = t.enum_name;
		break;
	default:
		tm->unsure = true;
		return;
	}
	mig_buf_puts(&pr->buf, base);
	if (t.length >= 0)
		mig_buf_printf(&pr->buf, "(%d)", t.length);
	if (t.precision >= 0)
		mig_buf_printf(&pr->buf, "(%d,%d)", t.precision, t.scale >= 0 ? t.scale : 0);
	if (t.array)
		mig_buf_puts(&pr->buf, "[]");
	tm->type = mig_arena_strdup(&pr->out->arena, pr->buf.ptr);
}

/* SQLite keeps a declared type as written: the renderer's spelling is the catalog's. */
static void
sqlite_type_of(struct predictor *pr, struct type_memo *tm, const char *type)
{
	struct mig_type t;

	tm->type = type;
	if (type == NULL || mig_type_parse(&t, NULL, type) != 0) {
		mig_error_clear();
		tm->unsure = true;
	} else if (t.kind == MIG_TYPE_SQL) {
		tm->unsure = !sqlite_plain_type(type);
	} else {
		mig_buf_clear(&pr->buf);
		if (mig_type_render(&pr->buf, MIG_SQLITE, type, pr->m) != 0) {
			mig_error_clear();
			tm->unsure = true;
		} else {
			tm->type = mig_arena_strdup(&pr->out->arena, pr->buf.ptr);
			tm->is_enum = t.kind == MIG_TYPE_ENUM && !t.array;
		}
	}
}

static const struct type_memo *
memo_type(struct predictor *pr, const char *type,
    void (*work_out)(struct predictor *, struct type_memo *, const char *))
{
	struct type_memo *tm = type != NULL ? mig_map_get(&pr->types, type) : NULL;

	if (tm == NULL) {
		tm = mig_arena_alloc(&pr->out->arena, sizeof(*tm));
		work_out(pr, tm, type);
		if (type != NULL)
			mig_map_put(&pr->types, type, tm);
	}
	return tm;
}

static const struct type_memo *
pg_type(struct predictor *pr, const char *type)
{
	return memo_type(pr, type, pg_type_of);
}

static const struct type_memo *
sqlite_type(struct predictor *pr, const char *type)
{
	return memo_type(pr, type, sqlite_type_of);
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * SQLite: DEFAULT (expr) keeps expr's text without the parentheses, and the renderer puts
 * parentheses around what is not a literal. Returns the text the catalog keeps, or NULL when a
 * comment inside makes it unsure.
 */
static const char *
sqlite_default(struct predictor *pr, const char *expr)
{
	size_t n = strlen(expr), depth = 0, i, a, b;
	char quote = 0;

	if (n < 2 || expr[0] != '(' || expr[n - 1] != ')')
		return expr;
	for (i = 0; i < n; i++) {
		char c = expr[i];

		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`')
			quote = c;
		else if (c == '[')
			quote = ']';
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0 && i != n - 1)
			return expr; /* "(a) + (b)": the renderer wraps it whole */
	}
	if (strstr(expr, "--") != NULL || strstr(expr, "/*") != NULL)
		return NULL;
	for (a = 1; a < n - 1 && strchr(" \t\n\r", expr[a]); a++)
		;
	for (b = n - 1; b > a && strchr(" \t\n\r", expr[b - 1]); b--)
		;
	mig_buf_clear(&pr->buf);
	mig_buf_put(&pr->buf, expr + a, b - a);
	return pr->buf.ptr;
}

/* An unsigned decimal number: digits with at most one '.' between digits. */
static bool
plain_decimal(const char *s)
{
	const char *dot = strchr(s, '.');

	if (dot == NULL)
		return all_digits(s);
	if (dot == s || dot[1] == '\0' || strchr(dot + 1, '.') != NULL)
		return false;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return false;
	return true;
}

/* 'text' with '' the only quote inside and no backslash (which E'' strings would mean). */
static bool
plain_string_literal(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || s[0] != '\'' || s[n - 1] != '\'')
		return false;
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '\\')
			return false;
		if (s[i] == '\'') {
			if (s[i + 1] != '\'' || i + 1 == n - 1)
				return false;
			i++;
		}
	}
	return true;
}

/*
 * pg_get_expr()'s spelling of a column default, for the few forms whose spelling is certain;
 * anything else keeps the manifest's text and makes the table unsure.
 */
static const char *
pg_default(struct predictor *pr, const char *type, const char *expr)
{
	struct mig_type t;

	if (expr == NULL)
		return NULL;
	if (type == NULL || mig_type_parse(&t, NULL, type) != 0 || t.kind == MIG_TYPE_SQL || t.array) {
		mig_error_clear();
		pr->unsure = true;
		return expr;
	}
	switch (t.kind) {
	case MIG_TYPE_INTEGER:
	case MIG_TYPE_SMALLINT:
	case MIG_TYPE_BIGINT:
		/* Within int4 (and smallint's range unchecked: PostgreSQL would refuse the DDL). */
		if (all_digits(expr) && strlen(expr) <= 9 && (expr[0] != '0' || expr[1] == '\0'))
			return expr;
		break;
	case MIG_TYPE_FLOAT:
	case MIG_TYPE_DOUBLE:
	case MIG_TYPE_NUMERIC:
		/* A numeric constant, cast implicitly: pg_get_expr() hides implicit casts. */
		if (plain_decimal(expr) && strlen(expr) <= 15 && (expr[0] != '0' || expr[1] == '\0' ||
		    expr[1] == '.'))
			return expr;
		break;
	case MIG_TYPE_BOOLEAN:
		if (ieq(expr, "true"))
			return "true";
		if (ieq(expr, "false"))
			return "false";
		break;
	case MIG_TYPE_TEXT:
	case MIG_TYPE_STRING:
		if (plain_string_literal(expr)) {
			mig_buf_clear(&pr->buf);
			mig_buf_printf(&pr->buf, "%s::%s", expr, t.kind == MIG_TYPE_TEXT ? "text" :
			    "character varying");
			return pr->buf.ptr;
		}
		break;
	case MIG_TYPE_TIMESTAMPTZ:
		if (ieq(expr, "CURRENT_TIMESTAMP"))
			return "CURRENT_TIMESTAMP";
		if (ieq(expr, "now()"))
			return "now()";
		break;
	case MIG_TYPE_DATE:
		if (ieq(expr, "CURRENT_DATE"))
			return "CURRENT_DATE";
		break;
	default:
		break;
	}
	pr->unsure = true;
	return expr;
}

static void
predict_table(struct predictor *pr, const struct mig_table *mt, const char *target_schema)
{
	struct mig_schema *s = pr->out;
	struct mig_table *t = mig_schema_borrow_table(s, mt);
	struct mig_buf check = MIG_BUF_INIT;
	bool sqlite = pr->d == MIG_SQLITE;
	size_t i;

	pr->unsure = false;
	t->renamed_from = NULL;
	t->line = 0;
	t->schema = sqlite ? NULL : target_schema;
	if (sqlite)
		t->comment = NULL;
	for (i = 0; i < t->ncolumns; i++) {
		struct mig_column *c = t->columns[i];
		const struct mig_column *mc = mt->columns[i];
		const char *v;

		c->renamed_from = NULL;
		c->line = 0;
		c->autoincrement_auto = false;
		if (sqlite) {
			const struct type_memo *tm = sqlite_type(pr, mc->type);

			c->comment = NULL;
			c->type = tm->type;
			if (tm->unsure)
				pr->unsure = true;
			/* AUTOINCREMENT: only an explicit request on the whole key, of type exactly INTEGER. */
			if (mc->default_sql != NULL) {
				v = sqlite_default(pr, mc->default_sql);
				if (v == NULL)
					pr->unsure = true;
				else if (v != mc->default_sql)
					c->default_sql = mig_arena_strdup(&s->arena, v);
			}
			c->autoincrement = mc->autoincrement && !mc->autoincrement_auto && t->npk == 1 &&
			    strcmp(t->pk[0], c->name) == 0 && c->type != NULL && ieq(c->type, "INTEGER");
			/* SQLite has no enum type: the renderer adds a CHECK, which the catalog reports. */
			if (tm->is_enum) {
				mig_buf_clear(&check);
				if (mig_type_render_check(&check, MIG_SQLITE, mc->name, mc->type, pr->m) == 1) {
					struct mig_check *ck = mig_table_add_check(s, t, NULL);

					ck->expr = mig_arena_strdup(&s->arena, check.ptr);
				} else {
					mig_error_clear();
					pr->unsure = true;
				}
			}
		} else {
			const struct type_memo *tm = pg_type(pr, mc->type);

			c->type = tm->type;
			if (tm->unsure)
				pr->unsure = true;
			/* An identity column has no default in the catalog; the renderer drops one. */
			if (c->autoincrement)
				c->default_sql = NULL;
			else if ((v = pg_default(pr, mc->type, mc->default_sql)) != c->default_sql)
				c->default_sql = mig_arena_strdup(&s->arena, v);
		}
	}
	if (!sqlite) {
		/* Unnamed keys get PostgreSQL's name; names it would truncate are not predicted. */
		if (t->npk > 0 && t->pk_name == NULL) {
			if (strlen(t->name) + 5 > PG_NAME_MAX)
				pr->unsure = true;
			else
				t->pk_name = mig_arena_printf(&s->arena, "%s_pkey", t->name);
		}
		if (t->nchecks > 0)
			pr->unsure = true; /* PostgreSQL rewrites CHECK expressions (casts, parentheses) */
		for (i = 0; i < t->nindexes; i++) {
			const struct mig_index *x = t->indexes[i];
			size_t k;

			if (x->where != NULL)
				pr->unsure = true;
			for (k = 0; x->expr != NULL && k < x->ncolumns; k++)
				if (x->expr[k])
					pr->unsure = true;
		}
		for (i = 0; i < t->nuniques; i++)
			if (t->uniques[i]->name == NULL)
				pr->unsure = true;
		for (i = 0; i < t->nfks; i++)
			if (t->fks[i]->name == NULL)
				pr->unsure = true;
		if (t->nuniques > 1)
			qsort(t->uniques, t->nuniques, sizeof(*t->uniques), by_unique_name);
		if (t->nchecks > 1)
			qsort(t->checks, t->nchecks, sizeof(*t->checks), by_check_name);
		if (t->nfks > 1)
			qsort(t->fks, t->nfks, sizeof(*t->fks), by_fk_name);
	}
	for (i = 0; i < t->nindexes; i++) {
		t->indexes[i]->renamed_from = NULL;
		t->indexes[i]->line = 0;
	}
	for (i = 0; i < t->nuniques; i++)
		t->uniques[i]->line = 0;
	for (i = 0; i < t->nchecks; i++)
		t->checks[i]->line = 0;
	for (i = 0; i < t->nfks; i++) {
		struct mig_fk *f = t->fks[i];

		f->line = 0;
		if (f->ref_columns == NULL)
			pr->unsure = true; /* the catalog names the referenced key's columns */
		if (f->on_delete != NULL && ieq(f->on_delete, "NO ACTION"))
			f->on_delete = NULL;
		if (f->on_update != NULL && ieq(f->on_update, "NO ACTION"))
			f->on_update = NULL;
		if (!f->deferrable)
			f->initially_deferred = false;
	}
	if (t->nindexes > 1)
		qsort(t->indexes, t->nindexes, sizeof(*t->indexes), by_index_name);
	mig_buf_release(&check);
}

int
mig_autogen_predict(struct mig_schema **out, bool **unsure, const struct mig_schema *m,
    enum mig_dialect d, const char *target_schema)
{
	struct predictor pr = { d, m, mig_schema_new(), MIG_BUF_INIT, false, { 0 } };
	const struct mig_table **order;
	bool *flags;
	size_t i;

	/* Catalog order: tables by name (byte order: SQLite's BINARY, PostgreSQL's "C" for names). */
	order = mig_xcalloc(m->ntables ? m->ntables : 1, sizeof(*order));
	if (m->ntables > 0)
		memcpy(order, m->tables, m->ntables * sizeof(*order));
	qsort(order, m->ntables, sizeof(*order), by_table_name);
	flags = mig_xcalloc(m->ntables ? m->ntables : 1, sizeof(*flags));
	mig_map_init(&pr.types);
	for (i = 0; i < m->ntables; i++) {
		predict_table(&pr, order[i], target_schema);
		flags[i] = pr.unsure;
	}
	for (i = 0; d == MIG_POSTGRES && i < m->nenums; i++) {
		struct mig_enum *e = mig_schema_copy_enum(pr.out, m->enums[i]);

		e->schema = target_schema;
		e->line = 0;
	}
	if (pr.out->nenums > 1)
		qsort(pr.out->enums, pr.out->nenums, sizeof(*pr.out->enums), by_enum_name);
	free(order);
	mig_map_release(&pr.types);
	mig_buf_release(&pr.buf);
	*out = pr.out;
	*unsure = flags;
	return 0;
}
