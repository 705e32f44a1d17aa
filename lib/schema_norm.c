/*
 * schema_norm.c — comparison forms of type names and SQL expressions (see schema_norm.h).
 *
 * The expression form is built from tokens, not characters, so that "a+b", "a + b" and
 * "A  +  B" with a comment in between compare equal while 'a b' and 'a  b' (literals) do not. The tokenizer
 * knows both dialects' quoting: 'strings', "names", `names` and [names]; anything else is a word,
 * a number or a one-character operator.
 */
#include <stdlib.h>
#include <string.h>

#include "schema_norm.h"

enum ntok_kind {
	N_WORD,      /* keyword or unquoted name */
	N_NAME,      /* quoted name, text is the unquoted content */
	N_NUMBER,
	N_STRING,    /* literal, text as written with its quotes */
	N_LP,
	N_RP,
	N_COMMA,
	N_DOT,
	N_OP,
};

struct ntok {
	enum ntok_kind kind;
	const char *s;
	size_t len;
};

struct ntoks {
	struct ntok *v;
	size_t n, cap;
};

static void push(struct ntoks *t, enum ntok_kind kind, const char *s, size_t len);
static void lex(struct ntoks *out, const char *s);
static bool word_byte(unsigned char c);
static bool plain_name(const char *s, size_t len);
static void put_upper(struct mig_buf *b, const char *s, size_t len);
static void put_name(struct mig_buf *b, const char *s, size_t len, const struct mig_map *renames);

static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '$' || c >= 0x80;
}

static void
push(struct ntoks *t, enum ntok_kind kind, const char *s, size_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = mig_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].kind = kind;
	t->v[t->n].s = s;
	t->v[t->n].len = len;
	t->n++;
}

/*
 * Never fails: an unterminated literal or name runs to the end of the text, which is still a
 * deterministic form of it.
 */
static void
lex(struct ntoks *out, const char *s)
{
	const char *p = s;

	while (*p) {
		unsigned char c = (unsigned char)*p;
		const char *start = p;

		if (strchr(" \t\n\r\f\v", c)) {
			p++;
		} else if (c == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (c == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			p = end ? end + 2 : p + strlen(p);
		} else if (c == '\'') {
			for (p++; *p; p++) {
				if (*p == '\'') {
					if (p[1] != '\'')
						break;
					p++;
				}
			}
			if (*p)
				p++;
			push(out, N_STRING, start, (size_t)(p - start));
		} else if (c == '"' || c == '`' || c == '[') {
			char close = c == '[' ? ']' : (char)c;

			for (p++; *p; p++) {
				if (*p == close) {
					if (close == ']' || p[1] != close)
						break;
					p++;
				}
			}
			push(out, N_NAME, start + 1, (size_t)(p - start - 1));
			if (*p)
				p++;
		} else if ((c >= '0' && c <= '9') || (c == '.' && p[1] >= '0' && p[1] <= '9')) {
			for (p++; *p; p++) {
				if ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E'))
					continue;
				if (!word_byte((unsigned char)*p) && *p != '.')
					break;
			}
			push(out, N_NUMBER, start, (size_t)(p - start));
		} else if (word_byte(c)) {
			while (*p && word_byte((unsigned char)*p))
				p++;
			push(out, N_WORD, start, (size_t)(p - start));
		} else {
			p++;
			push(out, c == '(' ? N_LP : c == ')' ? N_RP : c == ',' ? N_COMMA : c == '.' ? N_DOT : N_OP,
			    start, 1);
		}
	}
}

static bool
plain_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static void
put_upper(struct mig_buf *b, const char *s, size_t len)
{
	size_t i;

	mig_buf_grow(b, len);
	for (i = 0; i < len; i++) {
		char c = s[i];

		mig_buf_putc(b, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
	}
}

/*
 * A name, quoted or not (content already unquoted): plain names in upper case, others quoted;
 * a column found in renames (keyed by upper-case old name) is replaced by its new name.
 */
static void
put_name(struct mig_buf *b, const char *s, size_t len, const struct mig_map *renames)
{
	size_t i;

	if (renames && renames->len) {
		struct mig_buf key = MIG_BUF_INIT;
		const char *to;

		put_upper(&key, s, len);
		to = mig_map_get(renames, key.ptr);
		mig_buf_release(&key);
		if (to) {
			s = to;
			len = strlen(to);
		}
	}
	if (plain_name(s, len)) {
		put_upper(b, s, len);
		return;
	}
	mig_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			mig_buf_putc(b, '"');
		mig_buf_putc(b, s[i]);
	}
	mig_buf_putc(b, '"');
}

void
mig_norm_expr(struct mig_buf *out, const char *expr, const struct mig_map *renames)
{
	struct ntoks t = { NULL, 0, 0 };
	size_t first = 0, last, i;

	if (expr == NULL)
		return;
	lex(&t, expr);
	last = t.n;
	/* Strip parentheses around the whole expression, as many pairs as there are. */
	while (last - first >= 2 && t.v[first].kind == N_LP && t.v[last - 1].kind == N_RP) {
		size_t depth = 0, k;

		for (k = first; k < last; k++) {
			if (t.v[k].kind == N_LP)
				depth++;
			else if (t.v[k].kind == N_RP && --depth == 0)
				break;
		}
		if (k != last - 1)
			break;
		first++;
		last--;
	}
	for (i = first; i < last; i++) {
		const struct ntok *k = &t.v[i];

		if (i > first) {
			enum ntok_kind prev = t.v[i - 1].kind;
			bool call = k->kind == N_LP && (prev == N_WORD || prev == N_NAME);
			bool op = k->kind == N_OP && prev == N_OP;

			if (prev != N_LP && prev != N_DOT && k->kind != N_RP && k->kind != N_COMMA &&
			    k->kind != N_DOT && !call && !op)
				mig_buf_putc(out, ' ');
		}
		switch (k->kind) {
		case N_WORD:
			put_name(out, k->s, k->len, renames);
			break;
		case N_NAME: {
			/* Unescape the doubled quote of "a""b" so that the key is the real name. */
			struct mig_buf name = MIG_BUF_INIT;
			size_t j;

			for (j = 0; j < k->len; j++) {
				mig_buf_putc(&name, k->s[j]);
				if ((k->s[j] == '"' || k->s[j] == '`') && j + 1 < k->len && k->s[j + 1] == k->s[j])
					j++;
			}
			put_name(out, name.ptr, name.len, renames);
			mig_buf_release(&name);
			break;
		}
		case N_NUMBER:
			put_upper(out, k->s, k->len);
			break;
		default:
			mig_buf_put(out, k->s, k->len);
			break;
		}
	}
	free(t.v);
}

void
mig_norm_type(struct mig_buf *out, const char *type)
{
	const char *p;
	bool space = false;

	if (type == NULL)
		return;
	for (p = type; *p; p++) {
		char c = *p;

		if (strchr(" \t\n\r\f\v", c)) {
			space = true;
			continue;
		}
		if (space && out->len && !strchr("(,)", c) && !strchr("(,", out->ptr[out->len - 1]))
			mig_buf_putc(out, ' ');
		space = false;
		mig_buf_putc(out, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
	}
}

void
mig_norm_name(struct mig_buf *out, const char *name)
{
	if (name)
		put_upper(out, name, strlen(name));
}

bool
mig_norm_expr_eq(const char *a, const char *b)
{
	struct mig_buf x = MIG_BUF_INIT, y = MIG_BUF_INIT;
	bool eq;

	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(a, b) == 0)
		return true;
	mig_norm_expr(&x, a, NULL);
	mig_norm_expr(&y, b, NULL);
	eq = x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
	mig_buf_release(&x);
	mig_buf_release(&y);
	return eq;
}

bool
mig_norm_type_eq(const char *a, const char *b)
{
	struct mig_buf x = MIG_BUF_INIT, y = MIG_BUF_INIT;
	bool eq;

	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(a, b) == 0)
		return true;
	mig_norm_type(&x, a);
	mig_norm_type(&y, b);
	eq = x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
	mig_buf_release(&x);
	mig_buf_release(&y);
	return eq;
}
