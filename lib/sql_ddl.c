/*
 * sql_ddl.c — CREATE statements for whole objects of the schema model: a table with its keys and
 * constraints, its indexes, and a whole schema in dependency order (see sql_render.h).
 *
 * The same functions serve the manifest (portable types, rendered through mig_type_render()) and
 * introspected schemas (catalog types, written verbatim), the SQLite rebuild (a table's definition
 * under a temporary name) and the operations' CREATE TABLE / ADD COLUMN, so that a table is
 * spelled the same way wherever it appears. Identifiers go through mig_sql_ident(); expressions
 * (defaults, checks, index terms, predicates) are SQL by definition and are written as given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "man.h"
#include "sql.h"
#include "sql_render.h"

static bool has_name(const char *name);
static bool ieq(const char *a, const char *b);
static bool is_literal(const char *expr, bool allow_current);
static bool fully_parenthesised(const char *expr);
static int render_type(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types);
static long inline_pk_column(enum mig_dialect d, const struct mig_table *t,
    const struct mig_schema *s, bool portable_types);
static int column_def(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types, const char *inline_pk);
static void constraint_name(struct mig_buf *b, enum mig_dialect d, const char *name);
static void comments(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t);
static void fk_action(struct mig_buf *b, const char *clause, const char *action);
struct heap;
static void heap_push(struct heap *h, size_t x);
static size_t heap_pop(struct heap *h);

static bool
has_name(const char *name)
{
	return name != NULL && name[0] != '\0';
}

/* ASCII case-insensitive equality: SQL keywords and SQLite identifiers compare this way. */
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

void
mig_sql_table_name(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t)
{
	mig_sql_qualified(b, d, d == MIG_POSTGRES ? t->schema : NULL, t->name);
}

void
mig_sql_column_list(struct mig_buf *b, enum mig_dialect d, const char *const *cols, size_t n)
{
	size_t i;

	mig_buf_putc(b, '(');
	for (i = 0; i < n; i++) {
		if (i)
			mig_buf_puts(b, ", ");
		mig_sql_ident(b, d, cols[i]);
	}
	mig_buf_putc(b, ')');
}

/*
 * A literal as SQLite's grammar has it: a number, a string, a blob, NULL, TRUE, FALSE and (when
 * allow_current) CURRENT_TIME/DATE/TIMESTAMP. Anything else in a DEFAULT must be parenthesised,
 * and ALTER TABLE ADD COLUMN accepts only the constant ones.
 */
static bool
is_literal(const char *expr, bool allow_current)
{
	size_t n = strlen(expr), i = 0, j;
	char buf[24];

	while (n > 0 && (expr[n - 1] == ' ' || expr[n - 1] == '\t' || expr[n - 1] == '\n'))
		n--;
	while (i < n && (expr[i] == ' ' || expr[i] == '\t' || expr[i] == '\n'))
		i++;
	if (i == n)
		return false;
	if (n - i < sizeof(buf)) {
		memcpy(buf, expr + i, n - i);
		buf[n - i] = '\0';
		if (ieq(buf, "NULL") || ieq(buf, "TRUE") || ieq(buf, "FALSE"))
			return true;
		if (ieq(buf, "CURRENT_TIME") || ieq(buf, "CURRENT_DATE") || ieq(buf, "CURRENT_TIMESTAMP"))
			return allow_current;
	}
	if ((expr[i] == 'x' || expr[i] == 'X') && i + 1 < n && expr[i + 1] == '\'')
		i++;
	if (expr[i] == '\'') {
		/* One string: the only quotes inside come in doubled pairs. */
		for (j = i + 1; j < n; j++) {
			if (expr[j] != '\'')
				continue;
			if (j + 1 < n && expr[j + 1] == '\'') {
				j++;
				continue;
			}
			return j == n - 1;
		}
		return false;
	}
	if (expr[i] == '+' || expr[i] == '-')
		i++;
	if (i + 1 < n && expr[i] == '0' && (expr[i + 1] == 'x' || expr[i + 1] == 'X')) {
		for (j = i + 2; j < n; j++)
			if (!strchr("0123456789abcdefABCDEF", expr[j]))
				return false;
		return j > i + 2;
	}
	{
		bool digits = false, dot = false;

		for (j = i; j < n; j++) {
			if (expr[j] >= '0' && expr[j] <= '9')
				digits = true;
			else if (expr[j] == '.' && !dot)
				dot = true;
			else
				break;
		}
		if (!digits)
			return false;
		if (j < n && (expr[j] == 'e' || expr[j] == 'E')) {
			size_t k = j + 1;

			if (k < n && (expr[k] == '+' || expr[k] == '-'))
				k++;
			if (k == n)
				return false;
			for (j = k; j < n; j++)
				if (expr[j] < '0' || expr[j] > '9')
					return false;
		}
		return j == n;
	}
}

/* "(...)" where the first parenthesis closes at the very end (strings and quoted names skipped). */
static bool
fully_parenthesised(const char *expr)
{
	size_t n = strlen(expr), i;
	int depth = 0;

	while (n > 0 && (expr[n - 1] == ' ' || expr[n - 1] == '\t' || expr[n - 1] == '\n'))
		n--;
	if (n < 2 || expr[0] != '(' || expr[n - 1] != ')')
		return false;
	for (i = 0; i < n; i++) {
		char c = expr[i];

		if (c == '\'' || c == '"' || c == '`') {
			const char *q = memchr(expr + i + 1, c, n - i - 1);

			if (q == NULL)
				return false;
			i = (size_t)(q - expr);
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				return i == n - 1;
		}
	}
	return false;
}

void
mig_sql_default(struct mig_buf *b, enum mig_dialect d, const char *expr)
{
	if (d == MIG_SQLITE && !is_literal(expr, true) && !fully_parenthesised(expr)) {
		mig_buf_putc(b, '(');
		mig_buf_puts(b, expr);
		mig_buf_putc(b, ')');
		return;
	}
	mig_buf_puts(b, expr);
}

bool
mig_sql_default_is_constant(const char *expr)
{
	return is_literal(expr, false);
}

bool
mig_sql_mentions(const char *text, const char *word)
{
	const char *p = text;
	struct mig_buf tok = MIG_BUF_INIT;
	bool found = false;

	while (*p && !found) {
		unsigned char c = (unsigned char)*p;

		mig_buf_clear(&tok);
		if (c == '\'') {
			/* A string literal names nothing; '' inside is an escaped quote. */
			for (p++; *p; p++) {
				if (*p == '\'' && p[1] == '\'')
					p++;
				else if (*p == '\'')
					break;
			}
			if (*p)
				p++;
			continue;
		}
		if (c == '"' || c == '`' || c == '[') {
			char close = c == '[' ? ']' : (char)c;

			for (p++; *p; p++) {
				if (*p == close && close != ']' && p[1] == close) {
					mig_buf_putc(&tok, *p);
					p++;
				} else if (*p == close) {
					break;
				} else {
					mig_buf_putc(&tok, *p);
				}
			}
			if (*p)
				p++;
			found = ieq(tok.ptr, word);
			continue;
		}
		if (c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')) {
			const char *q = p;

			while (*q && (*q == '_' || *q == '$' || (unsigned char)*q >= 0x80 ||
			    (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
				q++;
			mig_buf_put(&tok, p, (size_t)(q - p));
			found = ieq(tok.ptr, word);
			p = q;
			continue;
		}
		p++;
	}
	mig_buf_release(&tok);
	return found;
}

static int
render_type(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types)
{
	const char *type = c->type != NULL && c->type[0] != '\0' ? c->type : NULL;

	if (type == NULL)
		return 0; /* SQLite allows a column without a type; PostgreSQL will say what it wants */
	if (portable_types)
		return mig_type_render(b, d, type, s);
	mig_buf_puts(b, type);
	return 0;
}

/*
 * SQLite's AUTOINCREMENT exists only as a column constraint on a column of type exactly INTEGER
 * that is the whole primary key; such a key is written inline. Returns that column's index or -1.
 */
static long
inline_pk_column(enum mig_dialect d, const struct mig_table *t, const struct mig_schema *s,
    bool portable_types)
{
	struct mig_buf type = MIG_BUF_INIT;
	struct mig_column *c;
	long found = -1;
	size_t i;

	if (d != MIG_SQLITE || t->npk != 1)
		return -1;
	for (i = 0; i < t->ncolumns; i++) {
		c = t->columns[i];
		/*
		 * An implied autoincrement is SQLAlchemy's: an INTEGER PRIMARY KEY is SQLite's rowid and
		 * numbers itself; only an explicit request gets the AUTOINCREMENT keyword.
		 */
		if (strcmp(c->name, t->pk[0]) != 0 || !c->autoincrement || c->autoincrement_auto)
			continue;
		if (render_type(&type, d, c, s, portable_types) == 0 && ieq(type.ptr, "INTEGER"))
			found = (long)i;
		break;
	}
	mig_error_clear();
	mig_buf_release(&type);
	return found;
}

static void
constraint_name(struct mig_buf *b, enum mig_dialect d, const char *name)
{
	if (!has_name(name))
		return;
	mig_buf_puts(b, "CONSTRAINT ");
	mig_sql_ident(b, d, name);
	mig_buf_putc(b, ' ');
}

/*
 * inline_pk, when not NULL, is the constraint name ("" for none) of an inline
 * PRIMARY KEY AUTOINCREMENT on this column.
 */
static int
column_def(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types, const char *inline_pk)
{
	struct mig_buf type = MIG_BUF_INIT;
	bool identity = false;
	int rc;

	mig_sql_ident(b, d, c->name);
	if ((rc = render_type(&type, d, c, s, portable_types)) != 0) {
		mig_buf_release(&type);
		return rc;
	}
	/*
	 * PostgreSQL: a serial column shows up in the catalog as its type with a nextval() default;
	 * written back as SERIAL it gets its sequence again. Any other autoincrement is an identity.
	 */
	if (d == MIG_POSTGRES && c->autoincrement) {
		const char *serial = NULL;

		if (c->default_sql != NULL && strstr(c->default_sql, "nextval(") != NULL) {
			if (ieq(type.ptr, "INTEGER") || ieq(type.ptr, "INT") || ieq(type.ptr, "INT4"))
				serial = "SERIAL";
			else if (ieq(type.ptr, "BIGINT") || ieq(type.ptr, "INT8"))
				serial = "BIGSERIAL";
			else if (ieq(type.ptr, "SMALLINT") || ieq(type.ptr, "INT2"))
				serial = "SMALLSERIAL";
		}
		if (serial != NULL) {
			mig_buf_clear(&type);
			mig_buf_puts(&type, serial);
		}
		identity = true;
	}
	if (type.len) {
		mig_buf_putc(b, ' ');
		mig_buf_puts(b, type.ptr);
	}
	if (d == MIG_POSTGRES && identity && !mig_str_endswith(type.ptr, "SERIAL"))
		mig_buf_puts(b, " GENERATED BY DEFAULT AS IDENTITY");
	if (!c->nullable)
		mig_buf_puts(b, " NOT NULL");
	if (inline_pk != NULL) {
		mig_buf_putc(b, ' ');
		constraint_name(b, d, inline_pk);
		mig_buf_puts(b, "PRIMARY KEY AUTOINCREMENT");
	}
	if (c->default_sql != NULL && !identity) {
		mig_buf_puts(b, " DEFAULT ");
		mig_sql_default(b, d, c->default_sql);
	}
	mig_buf_release(&type);
	return 0;
}

int
mig_sql_column_def(struct mig_buf *b, enum mig_dialect d, const struct mig_column *c,
    const struct mig_schema *s, bool portable_types)
{
	return column_def(b, d, c, s, portable_types, NULL);
}

static void
fk_action(struct mig_buf *b, const char *clause, const char *action)
{
	/* NO ACTION is the default on both dialects; leaving it out keeps catalogs and models alike. */
	if (action == NULL || action[0] == '\0' || ieq(action, "NO ACTION"))
		return;
	mig_buf_printf(b, " %s %s", clause, action);
}

void
mig_sql_fk_clause(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_fk *fk)
{
	mig_buf_puts(b, "FOREIGN KEY ");
	mig_sql_column_list(b, d, fk->columns, fk->ncolumns);
	mig_buf_puts(b, " REFERENCES ");
	/* The model has no schema for the referenced table: it is taken to be the table's own. */
	mig_sql_qualified(b, d, d == MIG_POSTGRES ? t->schema : NULL, fk->ref_table);
	if (fk->ref_columns != NULL) {
		mig_buf_putc(b, ' ');
		mig_sql_column_list(b, d, fk->ref_columns, fk->ncolumns);
	}
	fk_action(b, "ON DELETE", fk->on_delete);
	fk_action(b, "ON UPDATE", fk->on_update);
	if (fk->deferrable) {
		mig_buf_puts(b, " DEFERRABLE");
		if (fk->initially_deferred)
			mig_buf_puts(b, " INITIALLY DEFERRED");
	}
}

int
mig_sql_table_def(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const char *name, const struct mig_schema *s, bool portable_types, const bool *skip_fks)
{
	struct mig_buf check = MIG_BUF_INIT;
	long pkcol = inline_pk_column(d, t, s, portable_types);
	size_t i;
	int rc = 0;

	mig_buf_puts(b, "CREATE TABLE ");
	mig_sql_qualified(b, d, d == MIG_POSTGRES ? t->schema : NULL, name ? name : t->name);
	mig_buf_puts(b, " (");
	for (i = 0; i < t->ncolumns; i++) {
		mig_buf_puts(b, i ? ",\n\t" : "\n\t");
		rc = column_def(b, d, t->columns[i], s, portable_types,
		    (long)i == pkcol ? (t->pk_name ? t->pk_name : "") : NULL);
		if (rc)
			goto cleanup;
	}
	if (t->npk > 0 && pkcol < 0) {
		mig_buf_puts(b, ",\n\t");
		constraint_name(b, d, t->pk_name);
		mig_buf_puts(b, "PRIMARY KEY ");
		mig_sql_column_list(b, d, t->pk, t->npk);
	}
	for (i = 0; i < t->nfks; i++) {
		if (skip_fks != NULL && skip_fks[i])
			continue;
		mig_buf_puts(b, ",\n\t");
		constraint_name(b, d, t->fks[i]->name);
		mig_sql_fk_clause(b, d, t, t->fks[i]);
	}
	for (i = 0; i < t->nuniques; i++) {
		mig_buf_puts(b, ",\n\t");
		constraint_name(b, d, t->uniques[i]->name);
		mig_buf_puts(b, "UNIQUE ");
		mig_sql_column_list(b, d, t->uniques[i]->columns, t->uniques[i]->ncolumns);
	}
	for (i = 0; i < t->nchecks; i++) {
		mig_buf_puts(b, ",\n\t");
		constraint_name(b, d, t->checks[i]->name);
		mig_buf_printf(b, "CHECK (%s)", t->checks[i]->expr);
	}
	/* SQLite has no enum type: a CHECK per enum column keeps other labels out, as PostgreSQL would. */
	for (i = 0; portable_types && i < t->ncolumns; i++) {
		mig_buf_clear(&check);
		rc = mig_type_render_check(&check, d, t->columns[i]->name, t->columns[i]->type, s);
		if (rc < 0)
			goto cleanup;
		if (rc == 1)
			mig_buf_printf(b, ",\n\tCHECK (%s)", check.ptr);
		rc = 0;
	}
	mig_buf_puts(b, "\n);\n");
cleanup:
	mig_buf_release(&check);
	return rc;
}

void
mig_sql_extra(struct mig_buf *b, const struct mig_extra *x)
{
	size_t n = strlen(x->sql);

	while (n > 0 && (x->sql[n - 1] == ';' || x->sql[n - 1] == ' ' || x->sql[n - 1] == '\t' ||
	    x->sql[n - 1] == '\n' || x->sql[n - 1] == '\r'))
		n--;
	mig_buf_put(b, x->sql, n);
	mig_buf_puts(b, ";\n");
}

void
mig_sql_create_index(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_index *x)
{
	size_t i;

	mig_buf_puts(b, x->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	mig_sql_ident(b, d, x->name);
	mig_buf_puts(b, " ON ");
	mig_sql_table_name(b, d, t);
	mig_buf_puts(b, " (");
	for (i = 0; i < x->ncolumns; i++) {
		if (i)
			mig_buf_puts(b, ", ");
		if (x->expr != NULL && x->expr[i])
			mig_buf_puts(b, x->columns[i]);
		else
			mig_sql_ident(b, d, x->columns[i]);
	}
	mig_buf_putc(b, ')');
	if (x->where != NULL && x->where[0] != '\0')
		mig_buf_printf(b, " WHERE %s", x->where);
	mig_buf_puts(b, ";\n");
}

/* PostgreSQL keeps comments in the catalog; SQLite has nowhere to put them. */
static void
comments(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t)
{
	size_t i;

	if (d != MIG_POSTGRES)
		return;
	if (t->comment != NULL) {
		mig_buf_puts(b, "COMMENT ON TABLE ");
		mig_sql_table_name(b, d, t);
		mig_buf_puts(b, " IS ");
		mig_sql_literal(b, d, t->comment);
		mig_buf_puts(b, ";\n");
	}
	for (i = 0; i < t->ncolumns; i++) {
		if (t->columns[i]->comment == NULL)
			continue;
		mig_buf_puts(b, "COMMENT ON COLUMN ");
		mig_sql_table_name(b, d, t);
		mig_buf_putc(b, '.');
		mig_sql_ident(b, d, t->columns[i]->name);
		mig_buf_puts(b, " IS ");
		mig_sql_literal(b, d, t->columns[i]->comment);
		mig_buf_puts(b, ";\n");
	}
}

int
mig_sql_create_table(struct mig_buf *b, enum mig_dialect d, const struct mig_table *t,
    const struct mig_schema *s, bool portable_types)
{
	size_t i;
	int rc;

	if ((rc = mig_sql_table_def(b, d, t, NULL, s, portable_types, NULL)) != 0)
		return rc;
	comments(b, d, t);
	for (i = 0; i < t->nindexes; i++)
		mig_sql_create_index(b, d, t, t->indexes[i]);
	return 0;
}

/* A binary min-heap of table positions: the next table to create is the earliest declared one. */
struct heap {
	size_t *v;
	size_t n;
};

static void
heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;

	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t
heap_pop(struct heap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= x)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

int
mig_sql_create_schema(struct mig_buf *b, enum mig_dialect d, const struct mig_schema *s,
    bool portable_types)
{
	size_t n = s->ntables, i, j, k, emitted = 0, next_forced = 0;
	struct mig_map pos;
	size_t *indeg = mig_xcalloc(n ? n : 1, sizeof(*indeg));
	size_t **users = mig_xcalloc(n ? n : 1, sizeof(*users));
	size_t *nusers = mig_xcalloc(n ? n : 1, sizeof(*nusers));
	bool *done = mig_xcalloc(n ? n : 1, sizeof(*done));
	bool **skip = mig_xcalloc(n ? n : 1, sizeof(*skip));
	struct heap h = { mig_xcalloc(n ? n : 1, sizeof(size_t)), 0 };
	int rc = 0;

	mig_map_init(&pos);
	for (i = 0; i < s->nenums; i++) {
		const struct mig_enum *e = s->enums[i];

		if (d != MIG_POSTGRES)
			break; /* SQLite: enum columns carry a CHECK instead (see mig_sql_table_def) */
		mig_buf_puts(b, "CREATE TYPE ");
		mig_sql_qualified(b, d, e->schema, e->name);
		mig_buf_puts(b, " AS ENUM (");
		for (j = 0; j < e->nlabels; j++) {
			if (j)
				mig_buf_puts(b, ", ");
			mig_sql_literal(b, d, e->labels[j]);
		}
		mig_buf_puts(b, ");\n");
	}

	/*
	 * Kahn's algorithm over "references" edges, always taking the earliest declared table that is
	 * ready, so that the output follows the declaration order wherever dependencies allow. A cycle
	 * is broken at its earliest table.
	 */
	for (i = 0; i < n; i++)
		mig_map_put(&pos, s->tables[i]->name, (void *)(uintptr_t)(i + 1));
	for (j = 0; j < n; j++) {
		const struct mig_table *t = s->tables[j];

		for (k = 0; k < t->nfks; k++) {
			uintptr_t p = (uintptr_t)mig_map_get(&pos, t->fks[k]->ref_table);

			if (p == 0 || p - 1 == j)
				continue;
			i = p - 1;
			users[i] = mig_xrealloc(users[i], (nusers[i] + 1) * sizeof(**users));
			users[i][nusers[i]++] = j;
			indeg[j]++;
		}
	}
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(&h, i);
	while (emitted < n) {
		const struct mig_table *t;

		if (h.n > 0) {
			i = heap_pop(&h);
		} else {
			while (done[next_forced])
				next_forced++;
			i = next_forced;
		}
		if (done[i])
			continue;
		done[i] = true;
		emitted++;
		t = s->tables[i];
		/* PostgreSQL checks that a referenced table exists: such keys wait for ALTER TABLE. */
		if (d == MIG_POSTGRES) {
			skip[i] = mig_xcalloc(t->nfks ? t->nfks : 1, sizeof(**skip));
			for (k = 0; k < t->nfks; k++) {
				uintptr_t p = (uintptr_t)mig_map_get(&pos, t->fks[k]->ref_table);

				skip[i][k] = p != 0 && p - 1 != i && !done[p - 1];
			}
		}
		if ((rc = mig_sql_table_def(b, d, t, NULL, s, portable_types, skip[i])) != 0)
			goto cleanup;
		comments(b, d, t);
		for (k = 0; k < t->nindexes; k++)
			mig_sql_create_index(b, d, t, t->indexes[k]);
		for (k = 0; k < nusers[i]; k++) {
			j = users[i][k];
			if (--indeg[j] == 0 && !done[j])
				heap_push(&h, j);
		}
	}
	for (i = 0; i < n; i++) {
		const struct mig_table *t = s->tables[i];

		for (k = 0; skip[i] != NULL && k < t->nfks; k++) {
			if (!skip[i][k])
				continue;
			mig_buf_puts(b, "ALTER TABLE ");
			mig_sql_table_name(b, d, t);
			mig_buf_puts(b, " ADD ");
			constraint_name(b, d, t->fks[k]->name);
			mig_sql_fk_clause(b, d, t, t->fks[k]);
			mig_buf_puts(b, ";\n");
		}
	}
	/* Views may be used by INSTEAD OF triggers, never the other way round. */
	for (i = 0; i < s->nextras; i++)
		if (strcmp(s->extras[i]->kind, "view") == 0)
			mig_sql_extra(b, s->extras[i]);
	for (i = 0; i < s->nextras; i++)
		if (strcmp(s->extras[i]->kind, "view") != 0)
			mig_sql_extra(b, s->extras[i]);
cleanup:
	for (i = 0; i < n; i++) {
		free(users[i]);
		free(skip[i]);
	}
	free(users);
	free(skip);
	free(nusers);
	free(indeg);
	free(done);
	free(h.v);
	mig_map_release(&pos);
	return rc;
}
