/*
 * sqlite_ddl_parse.c — recovering constraint names, CHECK expressions, AUTOINCREMENT, DEFERRABLE,
 * index expressions and partial-index predicates from the CREATE TABLE / CREATE INDEX text that
 * SQLite keeps in sqlite_schema (see sqlite_ddl_parse.h).
 *
 * The text is first cut into tokens by a tokenizer that knows SQLite's quoting ('string',
 * "ident", [ident], `ident`, X'blob') and comments (double dash, slash-star), so that a ',' or ')'
 * inside a literal or a comment never ends an element. The parsers then walk the statement's top-level
 * structure only; everything nested in parentheses is skipped as a unit or copied out as raw text.
 * Nothing recurses, so hostile input cannot exhaust the stack.
 *
 * A second, strict pass over each element of a CREATE TABLE (strict_column(),
 * strict_constraints()) reads what pragma table_xinfo and friends would report, following
 * SQLite's grammar (parse.y) and its sqlite3AddColumn() / sqlite3AddDefaultValue(): the type is
 * the source span of the type words and their (n[, m]), upper-cased when it is one of the six
 * standard names; a default is the span of its single token (with a sign) or the text inside its
 * parentheses, trimmed of white space. It is kept apart from the permissive pass so that the facts
 * that pass reads never change; whatever it does not recognise clears `exact`.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_ddl_parse.h"

enum tok_kind {
	T_END,
	T_WORD,
	T_NUMBER,
	T_STRING,
	T_BLOB,
	T_QUOTED,
	T_LP,
	T_RP,
	T_COMMA,
	T_DOT,
	T_SEMI,
	T_OTHER,
};

struct tok {
	enum tok_kind kind;
	size_t start, end;      /* [start, end) in the source */
};

struct parser {
	const char *sql;
	struct tok *t;          /* n tokens followed by one T_END */
	size_t n;
	size_t i;               /* current token */
	struct mig_arena *a;
};

static int tokenize(struct parser *p, const char *sql);
static bool is_word_byte(unsigned char c);
static bool is_space(unsigned char c);
static bool kw_n(const struct parser *p, size_t i, const char *word, size_t len);
static enum tok_kind kind_at(const struct parser *p, size_t i);
static int fail(const struct parser *p, const char *what);
static const char *ident_at(struct parser *p, size_t i);
static const char *raw(struct parser *p, size_t first, size_t last);
static int skip_group(struct parser *p);
static int group_text(struct parser *p, const char **out);
static int ident_list(struct parser *p, const char ***list, size_t *n);
static void strlist_push(struct mig_arena *a, const char ***list, size_t *n, const char *s);
static int parse_column(struct parser *p, struct mig_ddl_table *t);
static int parse_table_constraints(struct parser *p, struct mig_ddl_table *t);
static int parse_references(struct parser *p, struct mig_ddl_fk *fk);
static struct mig_ddl_check *add_check(struct mig_ddl_table *t);
static struct mig_ddl_unique *add_unique(struct mig_ddl_table *t);
static struct mig_ddl_fk *add_fk(struct mig_ddl_table *t);
static bool at_element_end(const struct parser *p);
static bool is_name(const struct parser *p, size_t i);
static bool is_char(const struct parser *p, size_t i, char c);
static bool gap_is_space(const struct parser *p, size_t i);
static size_t match_group(const struct parser *p, size_t i);
static size_t onconf(const struct parser *p, size_t i);
static size_t name_items(const struct parser *p, size_t i, bool autoinc);
static size_t refargs(const struct parser *p, size_t i);
static size_t defer_clause(const struct parser *p, size_t i);
static bool ends_type(const struct parser *p, size_t i);
static bool span_ieq(const char *s, size_t n, const char *word);
static const char *column_type(struct parser *p, size_t first, size_t last, bool *exact);
static const char *trimmed(struct parser *p, size_t from, size_t to);
static void strict_column(struct parser *p, struct mig_ddl_table *t, size_t first, size_t end);
static void strict_constraints(struct parser *p, struct mig_ddl_table *t, size_t first, size_t end);
static bool strict_options(const struct parser *p, size_t i);
static const char *index_term(struct parser *p, size_t first, size_t last, bool *exact);

bool
mig_sqlite_ident_eq(const char *a, const char *b)
{
	unsigned char x, y;

	if (a == NULL || b == NULL)
		return a == b;
	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	} while (x);
	return true;
}

static bool
is_word_byte(unsigned char c)
{
	/* Bytes of UTF-8 sequences are identifier characters, as in SQLite's tokenizer. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '$' || c >= 0x80;
}

/* SQLite's white space: space, tab, newline, vertical tab, form feed, carriage return. */
static bool
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
tokenize(struct parser *p, const char *sql)
{
	size_t len = strlen(sql), pos = 0, cap = 0;

	p->sql = sql;
	p->t = NULL;
	p->n = 0;
	p->i = 0;
	for (;;) {
		struct tok tk;
		unsigned char c;

		while (pos < len && is_space((unsigned char)sql[pos]))
			pos++;
		if (pos + 1 < len && sql[pos] == '-' && sql[pos + 1] == '-') {
			while (pos < len && sql[pos] != '\n')
				pos++;
			continue;
		}
		if (pos + 1 < len && sql[pos] == '/' && sql[pos + 1] == '*') {
			/* SQLite lets an unterminated block comment run to the end of the input. */
			const char *endc = strstr(sql + pos + 2, "*/");

			pos = endc ? (size_t)(endc - sql) + 2 : len;
			continue;
		}
		if (p->n + 1 >= cap) {
			cap = cap ? cap * 2 : 64;
			p->t = mig_xrealloc(p->t, cap * sizeof(*p->t));
		}
		tk.start = pos;
		if (pos >= len) {
			tk.kind = T_END;
			tk.end = pos;
			p->t[p->n] = tk;
			return 0;
		}
		c = (unsigned char)sql[pos];
		if ((c == 'x' || c == 'X') && pos + 1 < len && sql[pos + 1] == '\'') {
			tk.kind = T_BLOB;
			pos++;
			c = '\'';
		} else if (c == '\'') {
			tk.kind = T_STRING;
		} else if (c == '"' || c == '`' || c == '[') {
			tk.kind = T_QUOTED;
		} else {
			tk.kind = T_OTHER;
		}
		if (tk.kind != T_OTHER) {
			char close = c == '[' ? ']' : (char)c;

			for (pos++;;) {
				const char *q = memchr(sql + pos, close, len - pos);

				if (q == NULL) {
					free(p->t);
					p->t = NULL;
					return mig_error_set(MIG_EPARSE, "offset %zu: unterminated quote %c",
					    tk.start, c);
				}
				pos = (size_t)(q - sql) + 1;
				/* A doubled quote is an escaped one, except in [brackets]. */
				if (close == ']' || pos >= len || sql[pos] != close)
					break;
				pos++;
			}
		} else if ((c >= '0' && c <= '9') ||
		    (c == '.' && pos + 1 < len && sql[pos + 1] >= '0' && sql[pos + 1] <= '9')) {
			tk.kind = T_NUMBER;
			for (pos++; pos < len; pos++) {
				unsigned char d = (unsigned char)sql[pos];

				if ((d == '+' || d == '-') && (sql[pos - 1] == 'e' || sql[pos - 1] == 'E'))
					continue;
				if (!is_word_byte(d) && d != '.')
					break;
			}
		} else if (is_word_byte(c)) {
			tk.kind = T_WORD;
			while (pos < len && is_word_byte((unsigned char)sql[pos]))
				pos++;
		} else {
			tk.kind = c == '(' ? T_LP : c == ')' ? T_RP : c == ',' ? T_COMMA :
			    c == '.' ? T_DOT : c == ';' ? T_SEMI : T_OTHER;
			pos++;
		}
		tk.end = pos;
		p->t[p->n++] = tk;
	}
}

static enum tok_kind
kind_at(const struct parser *p, size_t i)
{
	return i < p->n ? p->t[i].kind : T_END;
}

/*
 * True when token i is the keyword word (compared case-insensitively). The parsers ask this
 * hundreds of times per statement: kw() passes the literal's length so that most answers are a
 * length comparison.
 */
#define kw(p, i, word) kw_n((p), (i), "" word "", sizeof(word) - 1)

static bool
kw_n(const struct parser *p, size_t i, const char *word, size_t len)
{
	if (i >= p->n || p->t[i].kind != T_WORD || p->t[i].end - p->t[i].start != len)
		return false;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)p->sql[p->t[i].start + k];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != (unsigned char)word[k])
			return false;
	}
	return true;
}

static int
fail(const struct parser *p, const char *what)
{
	size_t at = p->t[p->i < p->n ? p->i : p->n].start;

	return mig_error_set(MIG_EPARSE, "offset %zu: expected %s", at, what);
}

/* The identifier at token i, unquoted; NULL when the token cannot name anything. */
static const char *
ident_at(struct parser *p, size_t i)
{
	const struct tok *tk;
	const char *s;
	size_t len, k;
	char close, *out, *o;

	if (i >= p->n)
		return NULL;
	tk = &p->t[i];
	s = p->sql + tk->start;
	len = tk->end - tk->start;
	if (tk->kind == T_WORD)
		return mig_arena_strndup(p->a, s, len);
	/* SQLite accepts a 'string' where it expects a name, for compatibility with MySQL. */
	if (tk->kind != T_QUOTED && tk->kind != T_STRING)
		return NULL;
	close = s[0] == '[' ? ']' : s[0];
	out = o = mig_arena_alloc(p->a, len);
	for (k = 1; k + 1 < len; k++) {
		*o++ = s[k];
		if (close != ']' && s[k] == close)
			k++;
	}
	*o = '\0';
	return out;
}

/* The source text from token first to token last inclusive. */
static const char *
raw(struct parser *p, size_t first, size_t last)
{
	if (first > last || last >= p->n)
		return mig_arena_strdup(p->a, "");
	return mig_arena_strndup(p->a, p->sql + p->t[first].start, p->t[last].end - p->t[first].start);
}

/* At '(': moves past the matching ')'. */
static int
skip_group(struct parser *p)
{
	size_t depth = 0;

	do {
		switch (kind_at(p, p->i)) {
		case T_LP:
			depth++;
			break;
		case T_RP:
			depth--;
			break;
		case T_END:
			return fail(p, "')'");
		default:
			break;
		}
		p->i++;
	} while (depth > 0);
	return 0;
}

/* At '(': the text inside the group, and moves past it. */
static int
group_text(struct parser *p, const char **out)
{
	size_t open = p->i;
	int rc;

	if (kind_at(p, p->i) != T_LP)
		return fail(p, "'('");
	if ((rc = skip_group(p)) < 0)
		return rc;
	*out = raw(p, open + 1, p->i - 2);
	return 0;
}

static void
strlist_push(struct mig_arena *a, const char ***list, size_t *n, const char *s)
{
	const char **bigger = mig_arena_alloc(a, (*n + 1) * sizeof(*bigger));

	if (*n)
		memcpy(bigger, *list, *n * sizeof(*bigger));
	bigger[(*n)++] = s;
	*list = bigger;
}

/*
 * At '(': a list of names such as "(a, b COLLATE nocase DESC)"; each element's first token is the
 * name, the rest (collation, order) is skipped.
 */
static int
ident_list(struct parser *p, const char ***list, size_t *n)
{
	int rc;

	if (kind_at(p, p->i) != T_LP)
		return fail(p, "'('");
	p->i++;
	for (;;) {
		const char *name = ident_at(p, p->i);

		if (name == NULL)
			return fail(p, "a column name");
		strlist_push(p->a, list, n, name);
		p->i++;
		while (kind_at(p, p->i) != T_COMMA && kind_at(p, p->i) != T_RP) {
			if (kind_at(p, p->i) == T_END)
				return fail(p, "')'");
			if (kind_at(p, p->i) == T_LP) {
				if ((rc = skip_group(p)) < 0)
					return rc;
			} else {
				p->i++;
			}
		}
		if (kind_at(p, p->i++) == T_RP)
			return 0;
	}
}

#define PUSH_ITEM(t, arr, n, cap) do { \
		if ((n) == (cap)) { \
			void *bigger_; \
			(cap) = (cap) ? (cap) * 2 : 4; \
			bigger_ = mig_arena_alloc(&(t)->arena, (cap) * sizeof(*(arr))); \
			if (n) \
				memcpy(bigger_, (arr), (n) * sizeof(*(arr))); \
			(arr) = bigger_; \
		} \
		(n)++; \
	} while (0)

static struct mig_ddl_check *
add_check(struct mig_ddl_table *t)
{
	PUSH_ITEM(t, t->checks, t->nchecks, t->cap_checks);
	return &t->checks[t->nchecks - 1];
}

static struct mig_ddl_unique *
add_unique(struct mig_ddl_table *t)
{
	PUSH_ITEM(t, t->uniques, t->nuniques, t->cap_uniques);
	return &t->uniques[t->nuniques - 1];
}

static struct mig_ddl_fk *
add_fk(struct mig_ddl_table *t)
{
	PUSH_ITEM(t, t->fks, t->nfks, t->cap_fks);
	return &t->fks[t->nfks - 1];
}

static bool
at_element_end(const struct parser *p)
{
	enum tok_kind k = kind_at(p, p->i);

	return k == T_COMMA || k == T_RP || k == T_END;
}

/* At REFERENCES: the parent table, its columns and the clauses that may follow. */
static int
parse_references(struct parser *p, struct mig_ddl_fk *fk)
{
	int rc;

	p->i++;
	if ((fk->ref_table = ident_at(p, p->i)) == NULL)
		return fail(p, "a table name after REFERENCES");
	p->i++;
	if (kind_at(p, p->i) == T_LP && (rc = ident_list(p, &fk->ref_columns, &fk->nref_columns)) < 0)
		return rc;
	for (;;) {
		if (kw(p, p->i, "ON") && (kw(p, p->i + 1, "DELETE") || kw(p, p->i + 1, "UPDATE"))) {
			const char **slot = kw(p, p->i + 1, "DELETE") ? &fk->on_delete : &fk->on_update;

			p->i += 2;
			if (kw(p, p->i, "SET") && kw(p, p->i + 1, "NULL")) {
				*slot = "SET NULL";
				p->i += 2;
			} else if (kw(p, p->i, "SET") && kw(p, p->i + 1, "DEFAULT")) {
				*slot = "SET DEFAULT";
				p->i += 2;
			} else if (kw(p, p->i, "NO") && kw(p, p->i + 1, "ACTION")) {
				*slot = "NO ACTION";
				p->i += 2;
			} else if (kw(p, p->i, "CASCADE")) {
				*slot = "CASCADE";
				p->i++;
			} else if (kw(p, p->i, "RESTRICT")) {
				*slot = "RESTRICT";
				p->i++;
			} else {
				return fail(p, "a foreign key action");
			}
		} else if (kw(p, p->i, "MATCH")) {
			p->i += 2;
		} else if (kw(p, p->i, "DEFERRABLE") ||
		    (kw(p, p->i, "NOT") && kw(p, p->i + 1, "DEFERRABLE"))) {
			fk->deferrable = kw(p, p->i, "DEFERRABLE");
			p->i += fk->deferrable ? 1 : 2;
			if (kw(p, p->i, "INITIALLY")) {
				fk->initially_deferred = kw(p, p->i + 1, "DEFERRED") && fk->deferrable;
				p->i += 2;
			}
		} else {
			return 0;
		}
	}
}

/* One column definition: its name, then column constraints until ',' or ')'. */
static int
parse_column(struct parser *p, struct mig_ddl_table *t)
{
	const char *col = ident_at(p, p->i), *pending = NULL;
	int rc;

	if (col == NULL)
		return fail(p, "a column name");
	PUSH_ITEM(t, t->columns, t->ncolumns, t->cap_columns);
	t->columns[t->ncolumns - 1] = col;
	p->i++;
	while (!at_element_end(p)) {
		/* A CONSTRAINT name belongs to the constraint right after it, whatever its kind. */
		const char *named = pending;

		pending = NULL;
		if (kind_at(p, p->i) == T_LP) {
			if ((rc = skip_group(p)) < 0)
				return rc;
		} else if (kw(p, p->i, "CONSTRAINT")) {
			if ((pending = ident_at(p, p->i + 1)) == NULL)
				return fail(p, "a constraint name");
			p->i += 2;
		} else if (kw(p, p->i, "PRIMARY") && kw(p, p->i + 1, "KEY")) {
			t->pk_name = named;
			t->npk_columns = 0;
			strlist_push(&t->arena, &t->pk_columns, &t->npk_columns, col);
			for (p->i += 2;;) {
				if (kw(p, p->i, "ASC")) {
					p->i++;
				} else if (kw(p, p->i, "DESC")) {
					t->pk_desc = true;
					p->i++;
				} else if (kw(p, p->i, "ON") && kw(p, p->i + 1, "CONFLICT")) {
					p->i += 3;
				} else if (kw(p, p->i, "AUTOINCREMENT")) {
					t->autoincrement = col;
					p->i++;
				} else {
					break;
				}
			}
		} else if (kw(p, p->i, "UNIQUE")) {
			struct mig_ddl_unique *u = add_unique(t);

			u->name = named;
			strlist_push(&t->arena, &u->columns, &u->ncolumns, col);
			p->i++;
		} else if (kw(p, p->i, "CHECK")) {
			struct mig_ddl_check *c = add_check(t);

			c->name = named;
			c->column = col;
			p->i++;
			if ((rc = group_text(p, &c->expr)) < 0)
				return rc;
		} else if (kw(p, p->i, "REFERENCES")) {
			struct mig_ddl_fk *fk = add_fk(t);

			fk->name = named;
			strlist_push(&t->arena, &fk->columns, &fk->ncolumns, col);
			if ((rc = parse_references(p, fk)) < 0)
				return rc;
		} else if (kw(p, p->i, "DEFAULT")) {
			/* Skip the value so that nothing in it is taken for a constraint keyword. */
			p->i++;
			if (kind_at(p, p->i) == T_LP) {
				if ((rc = skip_group(p)) < 0)
					return rc;
			} else {
				if (kind_at(p, p->i) == T_OTHER)
					p->i++;
				if (!at_element_end(p))
					p->i++;
			}
		} else {
			/* Type words, NOT NULL, COLLATE x, GENERATED ALWAYS AS, ON CONFLICT x. */
			p->i++;
		}
	}
	return 0;
}

/* Table constraints; SQLite allows several in one element without a separating comma. */
static int
parse_table_constraints(struct parser *p, struct mig_ddl_table *t)
{
	const char *pending = NULL;
	int rc;

	while (!at_element_end(p)) {
		const char *named = pending;

		pending = NULL;
		if (kw(p, p->i, "CONSTRAINT")) {
			if ((pending = ident_at(p, p->i + 1)) == NULL)
				return fail(p, "a constraint name");
			p->i += 2;
		} else if (kw(p, p->i, "PRIMARY") && kw(p, p->i + 1, "KEY")) {
			t->pk_name = named;
			t->npk_columns = 0;
			t->pk_columns = NULL;
			p->i += 2;
			if ((rc = ident_list(p, &t->pk_columns, &t->npk_columns)) < 0)
				return rc;
			if (kw(p, p->i, "AUTOINCREMENT")) {
				/* Accepted by SQLite for a one-column table-level key too. */
				t->autoincrement = t->pk_columns[0];
				p->i++;
			}
		} else if (kw(p, p->i, "UNIQUE")) {
			struct mig_ddl_unique *u = add_unique(t);

			u->name = named;
			p->i++;
			if ((rc = ident_list(p, &u->columns, &u->ncolumns)) < 0)
				return rc;
		} else if (kw(p, p->i, "CHECK")) {
			struct mig_ddl_check *c = add_check(t);

			c->name = named;
			p->i++;
			if ((rc = group_text(p, &c->expr)) < 0)
				return rc;
		} else if (kw(p, p->i, "FOREIGN") && kw(p, p->i + 1, "KEY")) {
			struct mig_ddl_fk *fk = add_fk(t);

			fk->name = named;
			p->i += 2;
			if ((rc = ident_list(p, &fk->columns, &fk->ncolumns)) < 0)
				return rc;
			if (!kw(p, p->i, "REFERENCES"))
				return fail(p, "REFERENCES");
			if ((rc = parse_references(p, fk)) < 0)
				return rc;
		} else if (kind_at(p, p->i) == T_LP) {
			if ((rc = skip_group(p)) < 0)
				return rc;
		} else {
			/* ON CONFLICT clauses and anything this parser does not need. */
			p->i++;
		}
	}
	return 0;
}

/* ---- the strict pass: what the pragmas would report ---- */

/* What SQLite's nm accepts: an identifier, a quoted identifier or a 'string'. */
static bool
is_name(const struct parser *p, size_t i)
{
	enum tok_kind k = kind_at(p, i);

	return k == T_WORD || k == T_QUOTED || k == T_STRING;
}

static bool
is_char(const struct parser *p, size_t i, char c)
{
	return kind_at(p, i) == T_OTHER && p->sql[p->t[i].start] == c;
}

/* True when only white space separates token i from the token before it (no comment). */
static bool
gap_is_space(const struct parser *p, size_t i)
{
	size_t k;

	if (i == 0 || i >= p->n)
		return false;
	for (k = p->t[i - 1].end; k < p->t[i].start; k++)
		if (!is_space((unsigned char)p->sql[k]))
			return false;
	return true;
}

/* At '(': the index just past the matching ')', or 0 when it has none. */
static size_t
match_group(const struct parser *p, size_t i)
{
	size_t depth = 0;

	do {
		switch (kind_at(p, i)) {
		case T_LP:
			depth++;
			break;
		case T_RP:
			depth--;
			break;
		case T_END:
			return 0;
		default:
			break;
		}
		i++;
	} while (depth > 0);
	return i;
}

/* The number of tokens of an ON CONFLICT clause at i (0 when there is none). */
static size_t
onconf(const struct parser *p, size_t i)
{
	if (kw(p, i, "ON") && kw(p, i + 1, "CONFLICT") && (kw(p, i + 2, "ROLLBACK") ||
	    kw(p, i + 2, "ABORT") || kw(p, i + 2, "FAIL") || kw(p, i + 2, "IGNORE") ||
	    kw(p, i + 2, "REPLACE")))
		return 3;
	return 0;
}

/*
 * At '(': "(name [COLLATE x] [ASC|DESC], ...)", with AUTOINCREMENT before the ')' when autoinc.
 * The index past the ')', or 0 when the list has any other shape ('strings' included).
 */
static size_t
name_items(const struct parser *p, size_t i, bool autoinc)
{
	if (kind_at(p, i++) != T_LP)
		return 0;
	for (;;) {
		if (kind_at(p, i) != T_WORD && kind_at(p, i) != T_QUOTED)
			return 0;
		i++;
		if (kw(p, i, "COLLATE")) {
			if (!is_name(p, i + 1))
				return 0;
			i += 2;
		}
		if (kw(p, i, "ASC") || kw(p, i, "DESC"))
			i++;
		if (kind_at(p, i) == T_COMMA) {
			i++;
			continue;
		}
		if (autoinc && kw(p, i, "AUTOINCREMENT"))
			i++;
		return kind_at(p, i) == T_RP ? i + 1 : 0;
	}
}

/* [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE] at i: its length, 0 when there is none. */
static size_t
defer_clause(const struct parser *p, size_t i)
{
	size_t n;

	if (kw(p, i, "DEFERRABLE"))
		n = 1;
	else if (kw(p, i, "NOT") && kw(p, i + 1, "DEFERRABLE"))
		n = 2;
	else
		return 0;
	if (kw(p, i + n, "INITIALLY") && (kw(p, i + n + 1, "DEFERRED") || kw(p, i + n + 1, "IMMEDIATE")))
		n += 2;
	return n;
}

/*
 * The clauses after REFERENCES name [(columns)]: the index after them, or 0 for one that is not
 * certain (ON INSERT, which the permissive pass does not skip over).
 */
static size_t
refargs(const struct parser *p, size_t i)
{
	size_t n;

	for (;;) {
		if (kw(p, i, "ON")) {
			if (!kw(p, i + 1, "DELETE") && !kw(p, i + 1, "UPDATE"))
				return 0;
			i += 2;
			if ((kw(p, i, "SET") && (kw(p, i + 1, "NULL") || kw(p, i + 1, "DEFAULT"))) ||
			    (kw(p, i, "NO") && kw(p, i + 1, "ACTION")))
				i += 2;
			else if (kw(p, i, "CASCADE") || kw(p, i, "RESTRICT"))
				i++;
			else
				return 0;
		} else if (kw(p, i, "MATCH") && is_name(p, i + 1)) {
			i += 2;
		} else if ((n = defer_clause(p, i)) > 0) {
			i += n;
		} else {
			return i;
		}
	}
}

/*
 * Whether token i ends a column's type words: the keywords that start a column constraint, which
 * are not identifiers to SQLite (all but GENERATED, which is one unless ALWAYS follows).
 */
static bool
ends_type(const struct parser *p, size_t i)
{
	return kw(p, i, "CONSTRAINT") || kw(p, i, "DEFAULT") || kw(p, i, "NULL") || kw(p, i, "NOT") ||
	    kw(p, i, "PRIMARY") || kw(p, i, "UNIQUE") || kw(p, i, "CHECK") || kw(p, i, "REFERENCES") ||
	    kw(p, i, "DEFERRABLE") || kw(p, i, "COLLATE") || kw(p, i, "AS") ||
	    (kw(p, i, "GENERATED") && kw(p, i + 1, "ALWAYS"));
}

/* ASCII case-insensitive equality of the n bytes at s with word. */
static bool
span_ieq(const char *s, size_t n, const char *word)
{
	size_t k;

	if (strlen(word) != n)
		return false;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != (unsigned char)word[k])
			return false;
	}
	return true;
}

/*
 * The declared type of tokens first..last as sqlite3AddColumn() stores it. Its rule that cuts a
 * trailing "generated always" out of a type of 16 bytes or more depends on whether SQLite's parser
 * took those keywords for type words; a type ending in "always" is left to the pragmas, as is
 * one containing "hidden" (a hidden column in SQLite built with SQLITE_ENABLE_HIDDEN_COLUMNS).
 */
static const char *
column_type(struct parser *p, size_t first, size_t last, bool *exact)
{
	static const char *const std[] = { "ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT" };
	const char *s = p->sql + p->t[first].start;
	size_t n = p->t[last].end - p->t[first].start, k;

	if (n >= 16 && span_ieq(s + n - 6, 6, "ALWAYS"))
		*exact = false;
	for (k = 0; k + 6 <= n; k++)
		if (span_ieq(s + k, 6, "HIDDEN"))
			*exact = false;
	for (k = 0; k < sizeof(std) / sizeof(std[0]); k++)
		if (span_ieq(s, n, std[k]))
			return std[k];
	return mig_arena_strndup(p->a, s, n);
}

/* The source text between tokens from and to (exclusive), trimmed of white space. */
static const char *
trimmed(struct parser *p, size_t from, size_t to)
{
	size_t a = p->t[from].end, b = p->t[to].start;

	while (a < b && is_space((unsigned char)p->sql[a]))
		a++;
	while (b > a && is_space((unsigned char)p->sql[b - 1]))
		b--;
	return mig_arena_strndup(p->a, p->sql + a, b - a);
}

/*
 * A column definition, tokens first..end (exclusive): its type, NOT NULL, DEFAULT and whether it
 * is generated, read by SQLite's grammar:
 *
 *   name [typeword... [(signed [, signed])]] constraint...
 *
 * Type words are every token up to the first keyword that starts a constraint. GENERATED ALWAYS
 * right after the type is only certain with nothing but spaces before it (see column_type()).
 */
static void
strict_column(struct parser *p, struct mig_ddl_table *t, size_t first, size_t end)
{
	struct mig_ddl_coldef *d;
	size_t i = first + 1, tlast = 0, n;
	bool typed = false, ok = true;

	n = t->ncolumns - 1;
	PUSH_ITEM(t, t->defs, n, t->cap_defs);
	d = &t->defs[n - 1];
	memset(d, 0, sizeof(*d));
	d->type = "";
	while (i < end && is_name(p, i) && !ends_type(p, i)) {
		/* A quoted type word is dequoted by SQLite, sometimes: leave it to the pragmas. */
		if (kind_at(p, i) != T_WORD)
			ok = false;
		typed = true;
		tlast = i++;
	}
	if (typed && kind_at(p, i) == T_LP) {
		size_t j = i + 1;

		for (n = 0; n < 2; n++) {
			if (is_char(p, j, '+') || is_char(p, j, '-'))
				j++;
			if (kind_at(p, j++) != T_NUMBER)
				break;
			if (kind_at(p, j) != T_COMMA || n == 1)
				break;
			j++;
		}
		if (kind_at(p, j - 1) == T_NUMBER && kind_at(p, j) == T_RP) {
			tlast = j;
			i = j + 1;
		} else {
			ok = false;
			if ((i = match_group(p, i)) == 0)
				i = end;
		}
	}
	if (typed)
		d->type = column_type(p, first + 1, tlast, &ok);
	if (kw(p, i, "GENERATED") && (!gap_is_space(p, i) || !gap_is_space(p, i + 1)))
		ok = false;

	while (ok && i < end) {
		if (kw(p, i, "CONSTRAINT") && is_name(p, i + 1)) {
			i += 2;
		} else if (kw(p, i, "DEFAULT")) {
			/* One default; SQLite refuses it on a generated column. */
			if (d->dflt != NULL)
				ok = false;
			i++;
			if (kind_at(p, i) == T_LP) {
				size_t close = match_group(p, i);

				if (close == 0 || close > end) {
					ok = false;
					break;
				}
				d->dflt = trimmed(p, i, close - 1);
				i = close;
			} else if ((is_char(p, i, '+') || is_char(p, i, '-')) && i + 1 < end &&
			    kind_at(p, i + 1) != T_LP && kind_at(p, i + 1) != T_OTHER) {
				d->dflt = raw(p, i, i + 1);
				i += 2;
			} else if (i < end && kind_at(p, i) != T_OTHER && kind_at(p, i) != T_LP &&
			    kind_at(p, i) != T_DOT && kind_at(p, i) != T_SEMI) {
				d->dflt = raw(p, i, i);
				i++;
			} else {
				ok = false;
			}
		} else if (kw(p, i, "NULL")) {
			i++;
			i += onconf(p, i);
		} else if (kw(p, i, "NOT") && kw(p, i + 1, "NULL")) {
			d->notnull = true;
			i += 2;
			i += onconf(p, i);
		} else if (kw(p, i, "PRIMARY") && kw(p, i + 1, "KEY")) {
			i += 2;
			if (kw(p, i, "ASC") || kw(p, i, "DESC"))
				i++;
			i += onconf(p, i);
			if (kw(p, i, "AUTOINCREMENT"))
				i++;
		} else if (kw(p, i, "UNIQUE")) {
			i++;
			i += onconf(p, i);
		} else if (kw(p, i, "CHECK") && kind_at(p, i + 1) == T_LP) {
			if ((i = match_group(p, i + 1)) == 0)
				ok = false;
		} else if (kw(p, i, "REFERENCES") && is_name(p, i + 1)) {
			i += 2;
			if (kind_at(p, i) == T_LP)
				i = name_items(p, i, false);
			if (i == 0 || (i = refargs(p, i)) == 0)
				ok = false;
		} else if ((n = defer_clause(p, i)) > 0) {
			i += n;
		} else if (kw(p, i, "COLLATE") && is_name(p, i + 1)) {
			i += 2;
		} else if ((kw(p, i, "GENERATED") && kw(p, i + 1, "ALWAYS") && kw(p, i + 2, "AS") &&
		    kind_at(p, i + 3) == T_LP) || (kw(p, i, "AS") && kind_at(p, i + 1) == T_LP)) {
			i += kw(p, i, "AS") ? 1 : 3;
			if ((i = match_group(p, i)) == 0) {
				ok = false;
				break;
			}
			if (kw(p, i, "STORED") || kw(p, i, "VIRTUAL"))
				i++;
			d->generated = true;
		} else {
			ok = false;
		}
	}
	if (i != end)
		ok = false;
	if (d->generated)
		d->dflt = NULL;
	if (!ok)
		t->exact = false;
}

/*
 * Table constraints, tokens first..end (exclusive), by SQLite's grammar; several may follow each
 * other without a comma:
 *
 *   [CONSTRAINT name] PRIMARY KEY (names [AUTOINCREMENT]) [ON CONFLICT x]
 *   [CONSTRAINT name] UNIQUE (names) [ON CONFLICT x]
 *   [CONSTRAINT name] CHECK (expr) [ON CONFLICT x]
 *   [CONSTRAINT name] FOREIGN KEY (names) REFERENCES name [(names)] clauses...
 */
static void
strict_constraints(struct parser *p, struct mig_ddl_table *t, size_t first, size_t end)
{
	size_t i = first;

	while (i < end && i != 0) {
		if (kw(p, i, "CONSTRAINT") && is_name(p, i + 1)) {
			i += 2;
		} else if (kw(p, i, "PRIMARY") && kw(p, i + 1, "KEY")) {
			if ((i = name_items(p, i + 2, true)) != 0)
				i += onconf(p, i);
		} else if (kw(p, i, "UNIQUE")) {
			if ((i = name_items(p, i + 1, false)) != 0)
				i += onconf(p, i);
		} else if (kw(p, i, "CHECK") && kind_at(p, i + 1) == T_LP) {
			if ((i = match_group(p, i + 1)) != 0)
				i += onconf(p, i);
		} else if (kw(p, i, "FOREIGN") && kw(p, i + 1, "KEY")) {
			if ((i = name_items(p, i + 2, false)) == 0 || !kw(p, i, "REFERENCES") ||
			    !is_name(p, i + 1)) {
				i = 0;
				break;
			}
			i += 2;
			if (kind_at(p, i) == T_LP && (i = name_items(p, i, false)) == 0)
				break;
			i = refargs(p, i);
		} else {
			i = 0;
		}
	}
	if (i != end)
		t->exact = false;
}

/*
 * The table options from token i on: WITHOUT ROWID is certain; STRICT (it makes key columns NOT
 * NULL, and types are then checked) is left to the pragmas.
 */
static bool
strict_options(const struct parser *p, size_t i)
{
	if (kind_at(p, i) == T_END)
		return true;
	for (;;) {
		if (kw(p, i, "WITHOUT") && kw(p, i + 1, "ROWID"))
			i += 2;
		else
			return false;
		if (kind_at(p, i) != T_COMMA)
			break;
		i++;
	}
	return kind_at(p, i) == T_END;
}

/*
 * What an index term is, by what sqlite3CreateIndex() makes of it: a bare name (optionally with
 * COLLATE; SQLite takes a 'string' for a name there) that may be a column, returned; or certainly
 * an expression, NULL, because it has an operator, a number, a blob, a list or a call somewhere;
 * otherwise (parentheses around a name, a qualified name, a unary plus, keywords alone) not
 * certain: exact is cleared.
 */
static const char *
index_term(struct parser *p, size_t first, size_t last, bool *exact)
{
	size_t i;

	if (is_name(p, first) && (last == first ||
	    (last == first + 2 && kw(p, first + 1, "COLLATE") && is_name(p, last))))
		return ident_at(p, first);
	for (i = first; i <= last; i++) {
		enum tok_kind k = kind_at(p, i);

		if (kw(p, i, "COLLATE")) {
			i++;
		} else if (k == T_NUMBER || k == T_BLOB || k == T_COMMA ||
		    (k == T_WORD && kind_at(p, i + 1) == T_LP)) {
			return NULL;
		} else if (k == T_OTHER && !is_char(p, i, '+')) {
			return NULL;
		} else if (is_char(p, i, '+') && i > first) {
			/* A binary plus: after an operand. */
			enum tok_kind b = kind_at(p, i - 1);

			if (b == T_WORD || b == T_QUOTED || b == T_STRING || b == T_RP)
				return NULL;
		}
	}
	*exact = false;
	return NULL;
}

int
mig_sqlite_parse_create_table(struct mig_ddl_table *out, const char *sql)
{
	struct parser p;
	int rc;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
	out->exact = true;
	p.a = &out->arena;
	if ((rc = tokenize(&p, sql)) < 0)
		return rc;
	if (!kw(&p, p.i, "CREATE")) {
		rc = fail(&p, "CREATE");
		goto done;
	}
	p.i++;
	if (kw(&p, p.i, "TEMP") || kw(&p, p.i, "TEMPORARY"))
		p.i++;
	if (kw(&p, p.i, "VIRTUAL")) {
		out->is_virtual = true;
		p.i++;
	}
	if (!kw(&p, p.i, "TABLE")) {
		rc = fail(&p, "TABLE");
		goto done;
	}
	p.i++;
	if (kw(&p, p.i, "IF") && kw(&p, p.i + 1, "NOT") && kw(&p, p.i + 2, "EXISTS"))
		p.i += 3;
	if ((out->name = ident_at(&p, p.i)) == NULL) {
		rc = fail(&p, "a table name");
		goto done;
	}
	p.i++;
	if (kind_at(&p, p.i) == T_DOT) {
		if ((out->name = ident_at(&p, p.i + 1)) == NULL) {
			p.i++;
			rc = fail(&p, "a table name");
			goto done;
		}
		p.i += 2;
	}
	if (out->is_virtual) {
		out->exact = false;
		goto done;
	}
	if (kw(&p, p.i, "AS")) {
		out->is_select = true;
		out->exact = false;
		goto done;
	}
	if (kind_at(&p, p.i) != T_LP) {
		rc = fail(&p, "'('");
		goto done;
	}
	p.i++;
	for (;;) {
		bool constraint = kw(&p, p.i, "CONSTRAINT") || kw(&p, p.i, "PRIMARY") ||
		    kw(&p, p.i, "UNIQUE") || kw(&p, p.i, "CHECK") || kw(&p, p.i, "FOREIGN");
		size_t first = p.i;

		rc = constraint ? parse_table_constraints(&p, out) : parse_column(&p, out);
		if (rc < 0)
			goto done;
		/* Columns always, so that defs stays parallel to columns. */
		if (!constraint)
			strict_column(&p, out, first, p.i);
		else if (out->exact)
			strict_constraints(&p, out, first, p.i);
		if (kind_at(&p, p.i) == T_COMMA) {
			p.i++;
			continue;
		}
		if (kind_at(&p, p.i) == T_RP)
			break;
		rc = fail(&p, "',' or ')'");
		goto done;
	}
	if (!strict_options(&p, p.i + 1))
		out->exact = false;
	for (p.i++; kind_at(&p, p.i) != T_END && kind_at(&p, p.i) != T_SEMI; p.i++) {
		if (kw(&p, p.i, "WITHOUT") && kw(&p, p.i + 1, "ROWID"))
			out->without_rowid = true;
		else if (kw(&p, p.i, "STRICT"))
			out->strict = true;
	}
done:
	free(p.t);
	if (rc < 0) {
		mig_ddl_table_release(out);
		return rc;
	}
	return 0;
}

void
mig_ddl_table_release(struct mig_ddl_table *t)
{
	if (t == NULL)
		return;
	mig_arena_release(&t->arena);
	memset(t, 0, sizeof(*t));
}

int
mig_sqlite_parse_create_index(struct mig_ddl_index *out, const char *sql)
{
	struct parser p;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
	out->exact = true;
	p.a = &out->arena;
	if ((rc = tokenize(&p, sql)) < 0)
		return rc;
	if (!kw(&p, p.i, "CREATE")) {
		rc = fail(&p, "CREATE");
		goto done;
	}
	p.i++;
	if (kw(&p, p.i, "UNIQUE")) {
		out->unique = true;
		p.i++;
	}
	if (!kw(&p, p.i, "INDEX")) {
		rc = fail(&p, "INDEX");
		goto done;
	}
	p.i++;
	if (kw(&p, p.i, "IF") && kw(&p, p.i + 1, "NOT") && kw(&p, p.i + 2, "EXISTS"))
		p.i += 3;
	if ((out->name = ident_at(&p, p.i)) == NULL) {
		rc = fail(&p, "an index name");
		goto done;
	}
	p.i++;
	if (kind_at(&p, p.i) == T_DOT) {
		if ((out->name = ident_at(&p, p.i + 1)) == NULL) {
			p.i++;
			rc = fail(&p, "an index name");
			goto done;
		}
		p.i += 2;
	}
	if (!kw(&p, p.i, "ON") || (out->table = ident_at(&p, p.i + 1)) == NULL) {
		rc = fail(&p, "ON and a table name");
		goto done;
	}
	p.i += 2;
	if (kind_at(&p, p.i) != T_LP) {
		rc = fail(&p, "'('");
		goto done;
	}
	p.i++;
	for (;;) {
		size_t first = p.i, last, depth = 0;

		while (depth > 0 || (kind_at(&p, p.i) != T_COMMA && kind_at(&p, p.i) != T_RP)) {
			if (kind_at(&p, p.i) == T_END) {
				rc = fail(&p, "')'");
				goto done;
			}
			if (kind_at(&p, p.i) == T_LP)
				depth++;
			else if (kind_at(&p, p.i) == T_RP)
				depth--;
			p.i++;
		}
		if (p.i == first) {
			rc = fail(&p, "an indexed column");
			goto done;
		}
		last = p.i - 1;
		if (last > first && (kw(&p, last, "ASC") || kw(&p, last, "DESC")))
			last--;
		n = out->nentries;
		PUSH_ITEM(out, out->names, n, out->cap_names);
		out->names[n - 1] = index_term(&p, first, last, &out->exact);
		PUSH_ITEM(out, out->entries, out->nentries, out->cap_entries);
		out->entries[out->nentries - 1] = raw(&p, first, last);
		if (kind_at(&p, p.i++) == T_RP)
			break;
	}
	if (kw(&p, p.i, "WHERE")) {
		size_t first = ++p.i, last = first;

		while (kind_at(&p, last) != T_END && kind_at(&p, last) != T_SEMI)
			last++;
		if (last == first) {
			rc = fail(&p, "an expression after WHERE");
			goto done;
		}
		out->where = raw(&p, first, last - 1);
	}
done:
	free(p.t);
	if (rc < 0) {
		mig_ddl_index_release(out);
		return rc;
	}
	return 0;
}

void
mig_ddl_index_release(struct mig_ddl_index *x)
{
	if (x == NULL)
		return;
	mig_arena_release(&x->arena);
	memset(x, 0, sizeof(*x));
}
