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
static bool kw(const struct parser *p, size_t i, const char *word);
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

		while (pos < len && strchr(" \t\n\r\f\v", sql[pos]))
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

			for (pos++;; pos++) {
				if (pos >= len) {
					free(p->t);
					p->t = NULL;
					return mig_error_set(MIG_EPARSE, "offset %zu: unterminated quote %c",
					    tk.start, c);
				}
				if (sql[pos] == close) {
					/* A doubled quote is an escaped one, except in [brackets]. */
					if (close != ']' && pos + 1 < len && sql[pos + 1] == close) {
						pos++;
						continue;
					}
					pos++;
					break;
				}
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

/* True when token i is the keyword word (compared case-insensitively). */
static bool
kw(const struct parser *p, size_t i, const char *word)
{
	size_t len;

	if (i >= p->n || p->t[i].kind != T_WORD)
		return false;
	len = p->t[i].end - p->t[i].start;
	if (len != strlen(word))
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

int
mig_sqlite_parse_create_table(struct mig_ddl_table *out, const char *sql)
{
	struct parser p;
	int rc;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
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
	if (out->is_virtual)
		goto done;
	if (kw(&p, p.i, "AS")) {
		out->is_select = true;
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

		rc = constraint ? parse_table_constraints(&p, out) : parse_column(&p, out);
		if (rc < 0)
			goto done;
		if (kind_at(&p, p.i) == T_COMMA) {
			p.i++;
			continue;
		}
		if (kind_at(&p, p.i) == T_RP)
			break;
		rc = fail(&p, "',' or ')'");
		goto done;
	}
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
	int rc;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
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
