/*
 * rev_header.c — the `-- mig:key value` header of revision files, revision ids and slugs.
 *
 * The header is the run of leading lines that start with `-- mig:`; blank lines and plain `--`
 * comments may sit before or between them, so that a hand-written note above the header does not
 * break a file. The first line that is none of these ends the header. So does, after such a gap,
 * a `-- mig:` line whose key is not a header key: the body may open with comments and a marker
 * (`-- mig:destructive` above a DROP, `-- mig:foreign_keys off` for a SQLite rebuild), and those
 * belong to the SQL. A near miss right below a header line (`-- mig:revison`) is still an error.
 * The parser is given untrusted bytes (and is fuzzed): it never reads past len and needs no
 * terminating NUL.
 */
#include <string.h>

#include "rev.h"
#include "rev_internal.h"

enum key {
	KEY_REVISION = 1 << 0,
	KEY_DOWN = 1 << 1,
	KEY_MESSAGE = 1 << 2,
	KEY_CREATED = 1 << 3,
	KEY_LABELS = 1 << 4,
	KEY_DEPENDS = 1 << 5,
	KEY_TRANSACTIONAL = 1 << 6,
	KEY_DESTRUCTIVE = 1 << 7,
};

#define KEY(s, k) { s, sizeof(s) - 1, k }
static const struct {
	const char *name;
	size_t len;
	enum key key;
} keys[] = {
	KEY("revision", KEY_REVISION),
	KEY("down_revision", KEY_DOWN),
	KEY("message", KEY_MESSAGE),
	KEY("created", KEY_CREATED),
	KEY("branch_labels", KEY_LABELS),
	KEY("depends_on", KEY_DEPENDS),
	KEY("transactional", KEY_TRANSACTIONAL),
	KEY("destructive", KEY_DESTRUCTIVE),
};
#undef KEY

/* Lists longer than this are checked for duplicates with a map, shorter ones by comparison. */
#define IDS_LINEAR_MAX 16

static enum rev_line line_kind_at(const char *line, size_t rest);
static bool continues_header(const char *line, size_t n);
static bool ends_header(enum rev_line kind, const char *line, size_t n, bool begun, bool gap);
static bool is_space(char c);
static bool is_alnum(char c);
static bool is_id_char(char c);
static bool is_key_char(char c);
static size_t skip_space(const char *s, size_t i, size_t n);
static int parse_line(struct mig_rev *out, struct mig_arena *arena, const char *line, size_t n,
    const char *path, size_t lineno, unsigned *seen);
static int parse_ids(const char ***out, size_t *nout, struct mig_arena *arena, const char *v,
    size_t n, const char *path, size_t lineno, const char *key, bool labels);

/*
 * Character classes by table: headers of thousands of files are scanned a character at a time,
 * and a lookup is cheaper than a chain of comparisons. ASCII only, on purpose: ids and slugs must
 * not depend on the user's locale.
 */
enum { C_SPACE = 1, C_ALNUM = 2, C_ID = 4, C_KEY = 8 };
#define C_ALPHA (C_ALNUM | C_ID | C_KEY)
static const unsigned char cclass[256] = {
	['\t'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE,
	['-'] = C_ID, ['_'] = C_ID | C_KEY,
	['0'] = C_ALPHA, ['1'] = C_ALPHA, ['2'] = C_ALPHA, ['3'] = C_ALPHA, ['4'] = C_ALPHA,
	['5'] = C_ALPHA, ['6'] = C_ALPHA, ['7'] = C_ALPHA, ['8'] = C_ALPHA, ['9'] = C_ALPHA,
	['A'] = C_ALPHA, ['B'] = C_ALPHA, ['C'] = C_ALPHA, ['D'] = C_ALPHA, ['E'] = C_ALPHA,
	['F'] = C_ALPHA, ['G'] = C_ALPHA, ['H'] = C_ALPHA, ['I'] = C_ALPHA, ['J'] = C_ALPHA,
	['K'] = C_ALPHA, ['L'] = C_ALPHA, ['M'] = C_ALPHA, ['N'] = C_ALPHA, ['O'] = C_ALPHA,
	['P'] = C_ALPHA, ['Q'] = C_ALPHA, ['R'] = C_ALPHA, ['S'] = C_ALPHA, ['T'] = C_ALPHA,
	['U'] = C_ALPHA, ['V'] = C_ALPHA, ['W'] = C_ALPHA, ['X'] = C_ALPHA, ['Y'] = C_ALPHA,
	['Z'] = C_ALPHA,
	['a'] = C_ALPHA, ['b'] = C_ALPHA, ['c'] = C_ALPHA, ['d'] = C_ALPHA, ['e'] = C_ALPHA,
	['f'] = C_ALPHA, ['g'] = C_ALPHA, ['h'] = C_ALPHA, ['i'] = C_ALPHA, ['j'] = C_ALPHA,
	['k'] = C_ALPHA, ['l'] = C_ALPHA, ['m'] = C_ALPHA, ['n'] = C_ALPHA, ['o'] = C_ALPHA,
	['p'] = C_ALPHA, ['q'] = C_ALPHA, ['r'] = C_ALPHA, ['s'] = C_ALPHA, ['t'] = C_ALPHA,
	['u'] = C_ALPHA, ['v'] = C_ALPHA, ['w'] = C_ALPHA, ['x'] = C_ALPHA, ['y'] = C_ALPHA,
	['z'] = C_ALPHA,
};

static bool
is_space(char c)
{
	return cclass[(unsigned char)c] & C_SPACE;
}

static bool
is_alnum(char c)
{
	return cclass[(unsigned char)c] & C_ALNUM;
}

static bool
is_id_char(char c)
{
	return cclass[(unsigned char)c] & C_ID;
}

/* A character of a header key: a letter, a digit or '_'. */
static bool
is_key_char(char c)
{
	return cclass[(unsigned char)c] & C_KEY;
}

static size_t
skip_space(const char *s, size_t i, size_t n)
{
	while (i < n && is_space(s[i]))
		i++;
	return i;
}

bool
mig_rev_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n]; n++)
		if (n >= MIG_REV_ID_MAX || !is_id_char(id[n]))
			return false;
	return n > 0;
}

size_t
rev_bom_len(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

enum rev_line
rev_line_kind(const char *line, size_t n)
{
	size_t i = skip_space(line, 0, n);

	if (i == n)
		return REV_LINE_BLANK;
	if (n - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return REV_LINE_OTHER;
	/* "--mig:" and "--  mig:" are header lines too, so that a near miss is reported, not skipped. */
	i = skip_space(line, i + 2, n);
	if (n - i >= 4 && memcmp(line + i, "mig:", 4) == 0)
		return REV_LINE_MIG;
	return REV_LINE_COMMENT;
}

/*
 * rev_line_kind() of the line starting at line, rest bytes before the end of the text, without
 * finding its end first: the kind shows in the line's first characters.
 */
static enum rev_line
line_kind_at(const char *line, size_t rest)
{
	size_t i = 0;

	while (i < rest && is_space(line[i]))
		i++;
	if (i == rest || line[i] == '\n')
		return REV_LINE_BLANK;
	if (rest - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return REV_LINE_OTHER;
	for (i += 2; i < rest && is_space(line[i]); i++)
		;
	/* "mig:" holds no newline, so a line that ends sooner does not match. */
	if (rest - i >= 4 && memcmp(line + i, "mig:", 4) == 0)
		return REV_LINE_MIG;
	return REV_LINE_COMMENT;
}

/* After a gap, only a `-- mig:` line with a header key (not a body marker) continues the header. */
static bool
continues_header(const char *line, size_t n)
{
	size_t i = skip_space(line, 0, n) + 2, k0, j;

	i = skip_space(line, i, n) + 4;
	for (k0 = i; i < n && is_key_char(line[i]); i++)
		;
	for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
		if (keys[j].key != KEY_DESTRUCTIVE && keys[j].len == i - k0 &&
		    memcmp(keys[j].name, line + k0, i - k0) == 0)
			return true;
	return false;
}

/* begun: a `-- mig:` line has been seen; gap: a blank or comment line since the last one. */
static bool
ends_header(enum rev_line kind, const char *line, size_t n, bool begun, bool gap)
{
	if (kind == REV_LINE_OTHER)
		return true;
	return kind == REV_LINE_MIG && begun && gap && !continues_header(line, n);
}

void
rev_header_scan(struct rev_scan *s, const char *text, size_t len, bool eof)
{
	if (s->pos == 0)
		s->pos = rev_bom_len(text, len);
	while (!s->done && s->pos < len) {
		const char *line = text + s->pos;
		const char *nl = memchr(line, '\n', len - s->pos);
		size_t n, next;
		enum rev_line kind;

		if (nl == NULL && !eof)
			return; /* an incomplete line: wait for more bytes */
		n = nl ? (size_t)(nl - line) : len - s->pos;
		next = nl ? s->pos + n + 1 : len;
		kind = rev_line_kind(line, n);
		if (ends_header(kind, line, n, s->end > 0, s->gap)) {
			s->done = true;
			return;
		}
		if (kind == REV_LINE_MIG) {
			s->end = next;
			s->gap = false;
		} else {
			s->gap = true;
		}
		s->pos = next;
	}
	if (eof)
		s->done = true;
}

int
mig_rev_parse_header(struct mig_rev *out, struct mig_arena *arena, const char *text, size_t len,
    const char *path, size_t *header_end)
{
	unsigned seen = 0;
	size_t pos, lineno = 0, end = 0;
	bool gap = false;
	int rc;

	memset(out, 0, sizeof(*out));
	out->message = "";
	out->transactional = true;
	if (text == NULL)
		len = 0;
	pos = rev_bom_len(text, len);
	while (pos < len) {
		const char *line = text + pos;
		enum rev_line kind = line_kind_at(line, len - pos);
		const char *nl;
		size_t n, next;

		/* The line that ends the header is not read to its end. */
		if (kind == REV_LINE_OTHER)
			break;
		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		next = nl ? pos + n + 1 : len;
		lineno++;
		if (ends_header(kind, line, n, end > 0, gap))
			break;
		if (kind == REV_LINE_MIG) {
			if ((rc = parse_line(out, arena, line, n, path, lineno, &seen)) != 0)
				return rc;
			end = next;
			gap = false;
		} else {
			gap = true;
		}
		pos = next;
	}
	if (!(seen & KEY_REVISION))
		return mig_error_set(MIG_EPARSE, "%s: missing '-- mig:revision' header", path);
	if (header_end)
		*header_end = end;
	return 0;
}

/* One `-- mig:key value` line (n bytes, without its newline). */
static int
parse_line(struct mig_rev *out, struct mig_arena *arena, const char *line, size_t n,
    const char *path, size_t lineno, unsigned *seen)
{
	size_t i, k0, k1, v0;
	enum key key = 0;
	const char *v;
	size_t vn, j;

	if (memchr(line, '\0', n) != NULL)
		return mig_error_set(MIG_EPARSE, "%s:%zu: malformed header line", path, lineno);
	while (n > 0 && is_space(line[n - 1]))
		n--;
	i = skip_space(line, 0, n) + 2; /* past "--", which rev_line_kind() found */
	i = skip_space(line, i, n) + 4; /* past "mig:" */
	for (k0 = k1 = i; k1 < n && is_key_char(line[k1]); k1++)
		;
	if (k1 == k0 || (k1 < n && !is_space(line[k1])))
		return mig_error_set(MIG_EPARSE, "%s:%zu: malformed header line", path, lineno);
	for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
		if (keys[j].len == k1 - k0 && memcmp(keys[j].name, line + k0, k1 - k0) == 0) {
			key = keys[j].key;
			break;
		}
	}
	if (key == 0)
		return mig_error_set(MIG_EPARSE, "%s:%zu: unknown header key '%.*s'", path, lineno,
		    (int)(k1 - k0), line + k0);
	/* A repeated marker is harmless; a repeated value is a conflict we cannot settle. */
	if ((*seen & key) && key != KEY_DESTRUCTIVE)
		return mig_error_set(MIG_EPARSE, "%s:%zu: duplicate header key '%.*s'", path, lineno,
		    (int)(k1 - k0), line + k0);
	*seen |= key;
	v0 = skip_space(line, k1, n);
	v = line + v0;
	vn = n - v0;

	switch (key) {
	case KEY_REVISION:
		if (vn == 0)
			return mig_error_set(MIG_EPARSE, "%s:%zu: missing value for header key 'revision'",
			    path, lineno);
		for (j = 0; j < vn; j++)
			if (!is_id_char(v[j]))
				break;
		if (j < vn || vn > MIG_REV_ID_MAX)
			return mig_error_set(MIG_EPARSE, "%s:%zu: invalid revision id '%.*s'", path, lineno,
			    (int)vn, v);
		out->id = mig_arena_strndup(arena, v, vn);
		return 0;
	case KEY_DOWN:
		return parse_ids(&out->down, &out->ndown, arena, v, vn, path, lineno, "down_revision",
		    false);
	case KEY_DEPENDS:
		return parse_ids(&out->depends, &out->ndepends, arena, v, vn, path, lineno, "depends_on",
		    false);
	case KEY_LABELS:
		return parse_ids(&out->labels, &out->nlabels, arena, v, vn, path, lineno, "branch_labels",
		    true);
	case KEY_MESSAGE:
		out->message = mig_arena_strndup(arena, v, vn);
		return 0;
	case KEY_CREATED:
		out->created = vn ? mig_arena_strndup(arena, v, vn) : NULL;
		return 0;
	case KEY_TRANSACTIONAL:
		if (vn == 4 && memcmp(v, "true", 4) == 0)
			out->transactional = true;
		else if (vn == 5 && memcmp(v, "false", 5) == 0)
			out->transactional = false;
		else
			return mig_error_set(MIG_EPARSE,
			    "%s:%zu: invalid value '%.*s' for 'transactional' (expected true or false)", path,
			    lineno, (int)vn, v);
		return 0;
	case KEY_DESTRUCTIVE:
		/* A marker for humans and for `mig upgrade` warnings; the struct has no field for it. */
		return 0;
	}
	return 0;
}

/*
 * A space-separated list of ids (commas are tolerated as separators too, as Alembic users write
 * tuples). Labels follow the id grammar and may not be a word that resolution reserves.
 */
static int
parse_ids(const char ***out, size_t *nout, struct mig_arena *arena, const char *v, size_t n,
    const char *path, size_t lineno, const char *key, bool labels)
{
	size_t i, count = 0, k;
	const char **ids;
	struct mig_map seen;
	bool dup;
	int rc = 0;

	for (i = 0; i < n;) {
		while (i < n && (is_space(v[i]) || v[i] == ','))
			i++;
		if (i == n)
			break;
		count++;
		while (i < n && !is_space(v[i]) && v[i] != ',')
			i++;
	}
	*out = NULL;
	*nout = 0;
	if (count == 0)
		return 0;
	ids = mig_arena_alloc(arena, count * sizeof(*ids));
	/* A map for long lists, so that a hostile line of many ids stays linear. */
	mig_map_init(&seen);
	for (i = 0; i < n;) {
		size_t start, len;
		bool ok = true;

		while (i < n && (is_space(v[i]) || v[i] == ','))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !is_space(v[i]) && v[i] != ',')
			i++;
		len = i - start;
		for (k = start; k < i; k++)
			ok = ok && is_id_char(v[k]);
		ok = ok && len <= MIG_REV_ID_MAX;
		if (labels && ok)
			ok = !((len == 4 && memcmp(v + start, "head", 4) == 0) ||
			    (len == 5 && memcmp(v + start, "heads", 5) == 0) ||
			    (len == 4 && memcmp(v + start, "base", 4) == 0));
		if (!ok) {
			rc = mig_error_set(MIG_EPARSE, "%s:%zu: invalid %s '%.*s'", path, lineno,
			    labels ? "branch label" : "revision id", (int)len, v + start);
			goto cleanup;
		}
		ids[*nout] = mig_arena_strndup(arena, v + start, len);
		dup = false;
		if (count <= IDS_LINEAR_MAX) {
			for (k = 0; !dup && k < *nout; k++)
				dup = strcmp(ids[k], ids[*nout]) == 0;
		} else {
			dup = mig_map_put(&seen, ids[*nout], (void *)ids[*nout]) != NULL;
		}
		if (dup) {
			rc = mig_error_set(MIG_EPARSE, "%s:%zu: '%.*s' appears twice in %s", path, lineno,
			    (int)len, v + start, key);
			goto cleanup;
		}
		(*nout)++;
	}
	*out = ids;
cleanup:
	mig_map_release(&seen);
	if (rc != 0)
		*nout = 0;
	return rc;
}

char *
mig_rev_slug(const char *message)
{
	char *s;
	size_t i, n = message ? strlen(message) : 0;

	if (n == 0)
		return mig_xstrdup("revision");
	if (n > 40)
		n = 40;
	s = mig_xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		char c = message[i];

		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c - 'A' + 'a');
		else
			s[i] = is_alnum(c) ? c : '_';
	}
	s[n] = '\0';
	return s;
}

const char *
mig_rev_body(const char *text, size_t len)
{
	struct rev_scan s = { 0, 0, false, false };

	if (text == NULL)
		return text;
	rev_header_scan(&s, text, len, true);
	return text + (s.end ? s.end : rev_bom_len(text, len));
}

int
mig_rev_check_down(const struct mig_rev *rev, const char *text, size_t len, const char *path)
{
	struct mig_arena arena;
	struct mig_rev check;
	int rc;

	mig_arena_init(&arena);
	rc = mig_rev_parse_header(&check, &arena, text, len, path, NULL);
	if (rc == 0 && strcmp(check.id, rev->id) != 0)
		rc = mig_error_set(MIG_EPARSE, "%s: '-- mig:revision %s' does not match revision '%s' of %s",
		    path, check.id, rev->id, rev->up_path ? rev->up_path : "its up file");
	mig_arena_release(&arena);
	return rc;
}
