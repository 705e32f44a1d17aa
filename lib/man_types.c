/*
 * man_types.c — the portable column types of the manifest: recognising them (with a helpful
 * message for a misspelt one), rendering them per dialect, and recognising a catalog's spelling
 * of one (for `mig inspect`).
 *
 * The rule that separates a portable type from a database type is deliberately simple so that it
 * can be explained in one sentence (docs/manifest.md): a portable name in any case is portable;
 * anything else passes through only when its first word is written in uppercase. Lowercase
 * unknown words are far more likely to be typos of a portable name than database types, and
 * `sql_type:` remains for the rare lowercase database type.
 *
 * Writing a manifest and `mig inspect` ask these questions for every column, so answering them
 * allocates nothing and prints nothing: a canonical spelling is built in a small stack buffer and
 * numbers are written digit by digit.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "man.h"
#include "man_internal.h"
#include "sql.h"

enum targ {
	ARG_NONE,
	ARG_LENGTH,     /* string(n) */
	ARG_NUMERIC,    /* numeric(p) / numeric(p,s) */
	ARG_NAME,       /* enum(NAME), required */
};

struct portable {
	const char *name;
	enum mig_type_kind kind;
	enum targ arg;
	const char *sqlite;     /* rendering; for ARG_LENGTH / ARG_NUMERIC the arguments follow */
	const char *postgres;
};

static const struct portable portables[] = {
	{ "integer",     MIG_TYPE_INTEGER,     ARG_NONE,    "INTEGER",          "integer" },
	{ "bigint",      MIG_TYPE_BIGINT,      ARG_NONE,    "BIGINT",           "bigint" },
	{ "smallint",    MIG_TYPE_SMALLINT,    ARG_NONE,    "SMALLINT",         "smallint" },
	{ "string",      MIG_TYPE_STRING,      ARG_LENGTH,  "VARCHAR",          "varchar" },
	{ "text",        MIG_TYPE_TEXT,        ARG_NONE,    "TEXT",             "text" },
	{ "boolean",     MIG_TYPE_BOOLEAN,     ARG_NONE,    "BOOLEAN",          "boolean" },
	{ "float",       MIG_TYPE_FLOAT,       ARG_NONE,    "REAL",             "real" },
	{ "double",      MIG_TYPE_DOUBLE,      ARG_NONE,    "DOUBLE PRECISION", "double precision" },
	{ "numeric",     MIG_TYPE_NUMERIC,     ARG_NUMERIC, "NUMERIC",          "numeric" },
	{ "date",        MIG_TYPE_DATE,        ARG_NONE,    "DATE",             "date" },
	{ "datetime",    MIG_TYPE_DATETIME,    ARG_NONE,    "DATETIME",         "timestamp without time zone" },
	{ "timestamptz", MIG_TYPE_TIMESTAMPTZ, ARG_NONE,    "DATETIME",         "timestamp with time zone" },
	{ "time",        MIG_TYPE_TIME,        ARG_NONE,    "TIME",             "time without time zone" },
	{ "json",        MIG_TYPE_JSON,        ARG_NONE,    "JSON",             "json" },
	{ "uuid",        MIG_TYPE_UUID,        ARG_NONE,    "CHAR(36)",         "uuid" },
	{ "bytes",       MIG_TYPE_BYTES,       ARG_NONE,    "BLOB",             "bytea" },
	{ "enum",        MIG_TYPE_ENUM,        ARG_NAME,    NULL,               NULL },
};
#define NPORTABLES (sizeof(portables) / sizeof(portables[0]))

/* Names users bring from SQLAlchemy or SQL, and what to write instead. */
static const struct {
	const char *from, *to;
} aliases[] = {
	{ "int", "integer" }, { "int4", "integer" }, { "serial", "integer" },
	{ "int8", "bigint" }, { "bigserial", "bigint" }, { "int2", "smallint" },
	{ "varchar", "string" }, { "char", "string" }, { "character", "string" },
	{ "unicode", "string" }, { "str", "string" },
	{ "bool", "boolean" }, { "real", "float" }, { "float4", "float" },
	{ "float8", "double" }, { "decimal", "numeric" },
	{ "timestamp", "datetime" }, { "jsonb", "JSONB" }, { "blob", "bytes" },
	{ "bytea", "bytes" }, { "binary", "bytes" }, { "largebinary", "bytes" },
};

static const char *skip_blanks(const char *p);
static bool parse_uint_at(const char **pp, int *out);
static int parse_portable(struct mig_type *t, const struct portable **which, const char *text,
    const char **why);
static char *put_uint(char *p, int v);
static size_t canon_text(char *buf, const struct portable *p, const struct mig_type *t);
static void put_args(struct mig_buf *b, int a, int c);
static bool portable_of(struct mig_type *t, const struct portable **which, const char *type);
static bool first_word_upper(const char *text);
static void suggest(struct mig_buf *b, const char *text);
static const struct mig_enum *find_enum(const struct mig_schema *s, const char *name);

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Reads a decimal number of at most 9 digits (a length or precision, never near INT_MAX). */
static bool
parse_uint_at(const char **pp, int *out)
{
	const char *p = *pp;
	int n = 0, digits = 0;

	while (*p >= '0' && *p <= '9') {
		if (++digits > 9)
			return false;
		n = n * 10 + (*p++ - '0');
	}
	if (digits == 0)
		return false;
	*out = n;
	*pp = p;
	return true;
}

/*
 * Returns 1 and fills t when text is a portable type; 0 when its first word is not a portable
 * name; -1 when it is a portable name with bad arguments or trailing text (*why says what).
 */
static int
parse_portable(struct mig_type *t, const struct portable **which, const char *text, const char **why)
{
	const char *p = skip_blanks(text), *w = p;
	const struct portable *pt = NULL;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	t->length = t->precision = t->scale = -1;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	n = (size_t)(p - w);
	/* Every portable name starts with a lowercase letter: compare that first, in either case. */
	for (i = 0; i < NPORTABLES && n > 0; i++)
		if (portables[i].name[0] == (*w | 0x20) && strlen(portables[i].name) == n
		    && strncasecmp(portables[i].name, w, n) == 0)
			pt = &portables[i];
	if (pt == NULL)
		return 0;
	t->kind = pt->kind;
	*which = pt;
	p = skip_blanks(p);
	if (*p == '(') {
		p = skip_blanks(p + 1);
		switch (pt->arg) {
		case ARG_NONE:
			*why = "takes no arguments";
			return -1;
		case ARG_LENGTH:
			if (!parse_uint_at(&p, &t->length) || t->length == 0) {
				*why = "needs a positive length";
				return -1;
			}
			break;
		case ARG_NUMERIC:
			if (!parse_uint_at(&p, &t->precision) || t->precision == 0) {
				*why = "needs a positive precision";
				return -1;
			}
			p = skip_blanks(p);
			if (*p == ',') {
				p = skip_blanks(p + 1);
				if (!parse_uint_at(&p, &t->scale) || t->scale > t->precision) {
					*why = "needs a scale between 0 and the precision";
					return -1;
				}
			}
			break;
		case ARG_NAME: {
			const char *name = p, *end;

			while (*p && *p != ')')
				p++;
			end = p;
			while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end == name || (size_t)(end - name) > MIG_NAME_MAX
			    || memchr(name, '(', (size_t)(end - name)) != NULL) {
				*why = "needs the name of an enum declared under 'enums:'";
				return -1;
			}
			memcpy(t->enum_name, name, (size_t)(end - name));
			t->enum_name[end - name] = '\0';
			break;
		}
		}
		p = skip_blanks(p);
		if (*p != ')') {
			*why = "has a malformed argument list";
			return -1;
		}
		p = skip_blanks(p + 1);
	} else if (pt->arg == ARG_NAME) {
		*why = "needs the name of an enum declared under 'enums:'";
		return -1;
	}
	if (p[0] == '[') {
		p = skip_blanks(p + 1);
		if (*p != ']') {
			*why = "has a malformed array suffix (write T[])";
			return -1;
		}
		t->array = true;
		p = skip_blanks(p + 1);
	}
	if (*p != '\0') {
		*why = t->array ? "can only be an array of one dimension" : "has unexpected text after it";
		return -1;
	}
	return 1;
}

/* Writes v (not negative) in decimal at p; returns the end. */
static char *
put_uint(char *p, int v)
{
	char digits[12];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/*
 * The canonical spelling of a parsed portable type into buf, which CANON_MAX bytes always hold
 * (the longest is "enum(" + a 63-byte name + ")[]"); returns its length.
 */
#define CANON_MAX 96
static size_t
canon_text(char *buf, const struct portable *p, const struct mig_type *t)
{
	char *q = buf;
	size_t n = strlen(p->name);

	memcpy(q, p->name, n);
	q += n;
	if (t->length >= 0) {
		*q++ = '(';
		q = put_uint(q, t->length);
		*q++ = ')';
	}
	if (t->precision >= 0) {
		*q++ = '(';
		q = put_uint(q, t->precision);
		if (t->scale >= 0) {
			*q++ = ',';
			q = put_uint(q, t->scale);
		}
		*q++ = ')';
	}
	if (t->kind == MIG_TYPE_ENUM) {
		n = strlen(t->enum_name);
		*q++ = '(';
		memcpy(q, t->enum_name, n);
		q += n;
		*q++ = ')';
	}
	if (t->array) {
		*q++ = '[';
		*q++ = ']';
	}
	*q = '\0';
	return (size_t)(q - buf);
}

/* Appends "(a)" or "(a,c)"; nothing when a < 0, no ",c" when c < 0. */
static void
put_args(struct mig_buf *b, int a, int c)
{
	char buf[32], *q = buf;

	if (a < 0)
		return;
	*q++ = '(';
	q = put_uint(q, a);
	if (c >= 0) {
		*q++ = ',';
		q = put_uint(q, c);
	}
	*q++ = ')';
	mig_buf_put(b, buf, (size_t)(q - buf));
}

/* True when type is a portable type in canonical spelling; t and *which then describe it. */
static bool
portable_of(struct mig_type *t, const struct portable **which, const char *type)
{
	char canon[CANON_MAX];
	const char *why;

	if (type == NULL || parse_portable(t, which, type, &why) != 1)
		return false;
	canon_text(canon, *which, t);
	return strcmp(canon, type) == 0;
}

/* "VARCHAR(10) COLLATE NOCASE", "JSONB", "DOUBLE PRECISION": a first word with letters, none lowercase. */
static bool
first_word_upper(const char *text)
{
	const char *p = skip_blanks(text);
	bool letter = false;

	for (; isalnum((unsigned char)*p) || *p == '_'; p++) {
		if (islower((unsigned char)*p))
			return false;
		if (isupper((unsigned char)*p))
			letter = true;
	}
	return letter;
}

/* Levenshtein distance, case-insensitive; the words compared are short (capped at 32). */
size_t
mig_man_edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t row[33], i, j, prev, tmp;

	if (na > 32 || nb > 32)
		return 99;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			tmp = row[j];
			row[j] = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? prev
			    : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1])
				: (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
		}
	}
	return row[nb];
}

/* Appends the message for an unknown type: a likely intended spelling, else the pass-through rule. */
static void
suggest(struct mig_buf *b, const char *text)
{
	const char *w = skip_blanks(text), *rest = w, *best = NULL;
	size_t n, i, d, bestd = 3;

	while (isalnum((unsigned char)*rest) || *rest == '_')
		rest++;
	n = (size_t)(rest - w);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]) && best == NULL; i++)
		if (strlen(aliases[i].from) == n && strncasecmp(aliases[i].from, w, n) == 0)
			best = aliases[i].to;
	/* Else the first portable name at the smallest distance (at most 2); short words match nothing. */
	for (i = 0; i < NPORTABLES && best == NULL && n >= 3; i++) {
		d = mig_man_edit_distance(w, n, portables[i].name, strlen(portables[i].name));
		if (d < bestd && d < n / 2 + 1)
			bestd = d;
	}
	for (i = 0; i < NPORTABLES && best == NULL && bestd < 3; i++)
		if (mig_man_edit_distance(w, n, portables[i].name, strlen(portables[i].name)) == bestd)
			best = portables[i].name;
	mig_buf_printf(b, "unknown type '%s' (", text);
	if (best != NULL) {
		mig_buf_printf(b, "did you mean '%s%s'?)", best, rest);
		return;
	}
	mig_buf_puts(b, "write a database type in uppercase, '");
	for (w = text; *w; w++)
		mig_buf_putc(b, (char)toupper((unsigned char)*w));
	mig_buf_puts(b, "', or give it as sql_type)");
}

int
mig_type_parse(struct mig_type *out, struct mig_buf *canon, const char *text)
{
	const struct portable *pt = NULL;
	const char *why = NULL;
	struct mig_buf msg = MIG_BUF_INIT;
	int r;

	r = parse_portable(out, &pt, text, &why);
	if (r == 1) {
		if (canon != NULL) {
			char buf[CANON_MAX];

			mig_buf_put(canon, buf, canon_text(buf, pt, out));
		}
		return 0;
	}
	if (first_word_upper(text)) {
		memset(out, 0, sizeof(*out));
		out->kind = MIG_TYPE_SQL;
		out->length = out->precision = out->scale = -1;
		if (canon != NULL)
			mig_buf_puts(canon, text);
		return 0;
	}
	if (r < 0)
		mig_buf_printf(&msg, "invalid type '%s': '%s' %s", text, pt->name, why);
	else
		suggest(&msg, text);
	r = mig_error_set(MIG_EPARSE, "%s", msg.ptr);
	mig_buf_release(&msg);
	return r;
}

bool
mig_type_is_portable(const char *type)
{
	struct mig_type t;
	const struct portable *pt;

	return portable_of(&t, &pt, type);
}

static const struct mig_enum *
find_enum(const struct mig_schema *s, const char *name)
{
	return s != NULL ? mig_schema_find_enum(s, name) : NULL;
}

int
mig_type_render(struct mig_buf *out, enum mig_dialect d, const char *portable,
    const struct mig_schema *s)
{
	struct mig_type t;
	const struct portable *pt = NULL;
	const struct mig_enum *e;
	size_t i, longest = 0;

	if (!portable_of(&t, &pt, portable)) {
		mig_buf_puts(out, portable);
		return 0;
	}
	if (d == MIG_SQLITE && t.array) {
		/* SQLite has no arrays; SQLAlchemy's ARRAY users on SQLite store JSON text. */
		mig_buf_puts(out, "JSON");
		return 0;
	}
	if (t.kind == MIG_TYPE_ENUM) {
		if ((e = find_enum(s, t.enum_name)) == NULL && (d == MIG_SQLITE || s != NULL))
			return mig_error_set(MIG_ENOTFOUND, "unknown enum '%s'", t.enum_name);
		if (d == MIG_SQLITE) {
			for (i = 0; i < e->nlabels; i++)
				if (strlen(e->labels[i]) > longest)
					longest = strlen(e->labels[i]);
			mig_buf_puts(out, "VARCHAR");
			/* Labels are at most 63 bytes (the loader's rule, PostgreSQL's NAMEDATALEN). */
			put_args(out, longest ? (int)longest : 1, -1);
		} else {
			mig_sql_qualified(out, d, e != NULL ? e->schema : NULL, t.enum_name);
		}
	} else {
		mig_buf_puts(out, d == MIG_SQLITE ? pt->sqlite : pt->postgres);
		put_args(out, t.length, -1);
		put_args(out, t.precision, t.scale);
	}
	if (t.array)
		mig_buf_puts(out, "[]");
	return 0;
}

int
mig_type_render_check(struct mig_buf *out, enum mig_dialect d, const char *column, const char *type,
    const struct mig_schema *s)
{
	struct mig_type t;
	const struct portable *pt = NULL;
	const struct mig_enum *e;
	size_t i;

	if (d != MIG_SQLITE || !portable_of(&t, &pt, type))
		return 0;
	if (t.kind != MIG_TYPE_ENUM || t.array)
		return 0;
	if ((e = find_enum(s, t.enum_name)) == NULL)
		return mig_error_set(MIG_ENOTFOUND, "unknown enum '%s'", t.enum_name);
	mig_sql_ident(out, d, column);
	mig_buf_puts(out, " IN (");
	for (i = 0; i < e->nlabels; i++) {
		if (i)
			mig_buf_puts(out, ", ");
		mig_sql_literal(out, d, e->labels[i]);
	}
	mig_buf_putc(out, ')');
	return 1;
}

/* Catalog spellings, compared without regard to case, and the portable name each stands for. */
static const struct {
	enum mig_dialect d;
	const char *sql;
	const char *portable;
	enum targ arg;
} catalog[] = {
	{ MIG_SQLITE, "INTEGER", "integer", ARG_NONE },
	{ MIG_SQLITE, "BIGINT", "bigint", ARG_NONE },
	{ MIG_SQLITE, "SMALLINT", "smallint", ARG_NONE },
	{ MIG_SQLITE, "VARCHAR", "string", ARG_LENGTH },
	{ MIG_SQLITE, "TEXT", "text", ARG_NONE },
	{ MIG_SQLITE, "BOOLEAN", "boolean", ARG_NONE },
	{ MIG_SQLITE, "REAL", "float", ARG_NONE },
	{ MIG_SQLITE, "FLOAT", "float", ARG_NONE },
	{ MIG_SQLITE, "DOUBLE PRECISION", "double", ARG_NONE },
	{ MIG_SQLITE, "DOUBLE", "double", ARG_NONE },
	{ MIG_SQLITE, "NUMERIC", "numeric", ARG_NUMERIC },
	{ MIG_SQLITE, "DATE", "date", ARG_NONE },
	{ MIG_SQLITE, "DATETIME", "datetime", ARG_NONE },
	{ MIG_SQLITE, "TIME", "time", ARG_NONE },
	{ MIG_SQLITE, "JSON", "json", ARG_NONE },
	{ MIG_SQLITE, "BLOB", "bytes", ARG_NONE },
	{ MIG_POSTGRES, "integer", "integer", ARG_NONE },
	{ MIG_POSTGRES, "bigint", "bigint", ARG_NONE },
	{ MIG_POSTGRES, "smallint", "smallint", ARG_NONE },
	{ MIG_POSTGRES, "character varying", "string", ARG_LENGTH },
	{ MIG_POSTGRES, "varchar", "string", ARG_LENGTH },
	{ MIG_POSTGRES, "text", "text", ARG_NONE },
	{ MIG_POSTGRES, "boolean", "boolean", ARG_NONE },
	{ MIG_POSTGRES, "real", "float", ARG_NONE },
	{ MIG_POSTGRES, "double precision", "double", ARG_NONE },
	{ MIG_POSTGRES, "numeric", "numeric", ARG_NUMERIC },
	{ MIG_POSTGRES, "date", "date", ARG_NONE },
	{ MIG_POSTGRES, "timestamp without time zone", "datetime", ARG_NONE },
	{ MIG_POSTGRES, "timestamp", "datetime", ARG_NONE },
	{ MIG_POSTGRES, "timestamp with time zone", "timestamptz", ARG_NONE },
	{ MIG_POSTGRES, "timestamptz", "timestamptz", ARG_NONE },
	{ MIG_POSTGRES, "time without time zone", "time", ARG_NONE },
	{ MIG_POSTGRES, "time", "time", ARG_NONE },
	{ MIG_POSTGRES, "json", "json", ARG_NONE },
	{ MIG_POSTGRES, "uuid", "uuid", ARG_NONE },
	{ MIG_POSTGRES, "bytea", "bytes", ARG_NONE },
};

bool
mig_type_from_sql(struct mig_buf *out, enum mig_dialect d, const char *sqltype,
    const struct mig_schema *s)
{
	char base[128];
	const char *p = skip_blanks(sqltype), *args = NULL, *end;
	size_t n, i, start = out->len;
	bool array = false;
	int a = -1, b = -1;

	/* Split "name(args)[]" into its parts; the name may hold blanks ("double precision"). */
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (d == MIG_POSTGRES && end - p > 2 && end[-2] == '[' && end[-1] == ']') {
		array = true;
		end -= 2;
	}
	for (n = 0; p + n < end && p[n] != '('; n++)
		;
	if (p + n < end)
		args = p + n;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(base))
		return false;
	memcpy(base, p, n);
	base[n] = '\0';
	if (args != NULL) {
		const char *q = skip_blanks(args + 1);

		if (!parse_uint_at(&q, &a))
			return false;
		q = skip_blanks(q);
		if (*q == ',') {
			q = skip_blanks(q + 1);
			if (!parse_uint_at(&q, &b))
				return false;
			q = skip_blanks(q);
		}
		if (*q != ')' || skip_blanks(q + 1) != end)
			return false;
	}
	for (i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++) {
		/* The first letters, in either case, rule out most entries before strcasecmp(). */
		if (catalog[i].d != d || (catalog[i].sql[0] | 0x20) != (base[0] | 0x20)
		    || strcasecmp(catalog[i].sql, base) != 0)
			continue;
		if (args != NULL && (catalog[i].arg == ARG_NONE
		    || (catalog[i].arg == ARG_LENGTH && (b >= 0 || a == 0))
		    || (catalog[i].arg == ARG_NUMERIC && (a == 0 || b > a))))
			return false;
		mig_buf_puts(out, catalog[i].portable);
		put_args(out, a, b);
		if (array)
			mig_buf_puts(out, "[]");
		return true;
	}
	if (d == MIG_POSTGRES && args == NULL && s != NULL) {
		/* format_type() quotes a type name that needs it: "GenderEnum". */
		if (n >= 2 && base[0] == '"' && base[n - 1] == '"') {
			memmove(base, base + 1, n - 2);
			base[n - 2] = '\0';
		}
		if (find_enum(s, base) != NULL && strchr(base, '"') == NULL) {
			mig_buf_printf(out, "enum(%s)%s", base, array ? "[]" : "");
			return true;
		}
	}
	mig_buf_truncate(out, start);
	return false;
}

size_t
mig_schema_portable_types(struct mig_schema *s, enum mig_dialect d)
{
	struct mig_buf portable = MIG_BUF_INIT, sql = MIG_BUF_INIT;
	struct mig_column *c;
	size_t i, j, changed = 0;

	for (i = 0; i < s->ntables; i++) {
		for (j = 0; j < s->tables[i]->ncolumns; j++) {
			c = s->tables[i]->columns[j];
			mig_buf_clear(&portable);
			mig_buf_clear(&sql);
			if (c->type == NULL || !mig_type_from_sql(&portable, d, c->type, s)
			    || strcmp(portable.ptr, c->type) == 0)
				continue;
			/* SQLite: "FLOAT" would come back as REAL, a different declared type. */
			if (d == MIG_SQLITE && (mig_type_render(&sql, d, portable.ptr, s) != 0
			    || strcasecmp(sql.ptr, c->type) != 0))
				continue;
			c->type = mig_arena_strdup(&s->arena, portable.ptr);
			changed++;
		}
	}
	mig_error_clear();
	mig_buf_release(&portable);
	mig_buf_release(&sql);
	return changed;
}
