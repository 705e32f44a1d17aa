/*
 * rev_resolve.c — turning what a user types (a full id, a prefix, `head`, a branch label,
 * `LABEL@head`, any of them with `+N` / `-N`) into one revision, and the graph queries that
 * commands such as `history` and `branches` ask: branch points and ancestry.
 *
 * Precedence, most specific first: an exact id (so an id like `fix-2` is never read as `fix` minus
 * two), then `+N` / `-N` on whatever the rest names, then `head`, `X@head`, a branch label and a
 * unique prefix of at least 4 characters. Ambiguity is always an error listing the candidates.
 */
#include <stdlib.h>
#include <string.h>

#include "rev.h"
#include "rev_internal.h"

#define LIST_MAX 20

static int id_cmp(const void *a, const void *b);
static bool split_relative(const char *spec, size_t *baselen, int *n, bool *up);
static int resolve_base(struct mig_rev **out, const struct mig_graph *g, const char *s);
static int head_above(struct mig_rev **out, const struct mig_graph *g, struct mig_rev *from,
    const char *spec);

static int
id_cmp(const void *a, const void *b)
{
	const struct mig_rev *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

void
rev_list_ids(struct mig_buf *b, struct mig_rev *const *revs, size_t n)
{
	struct mig_rev **sorted;
	size_t i;

	if (n == 0)
		return;
	sorted = mig_xmalloc(n * sizeof(*sorted));
	memcpy(sorted, revs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), id_cmp);
	for (i = 0; i < n && i < LIST_MAX; i++)
		mig_buf_printf(b, "%s%s", i ? ", " : "", sorted[i]->id);
	if (n > LIST_MAX)
		mig_buf_printf(b, " and %zu more", n - LIST_MAX);
	free(sorted);
}

int
rev_walk(struct mig_rev **out, struct mig_rev *from, int n, bool up, const char *spec)
{
	struct mig_rev *r = from;
	struct mig_buf b = MIG_BUF_INIT;
	int i, rc = 0;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (up && r->nchildren == 1) {
			r = r->children[0];
		} else if (!up && r->ndown == 1) {
			r = r->parents[0];
		} else if (up && r->nchildren == 0) {
			rc = mig_error_set(MIG_ENOTFOUND,
			    "cannot resolve '%s': revision '%s' is a head, %d step%s short", spec, r->id,
			    n - i, n - i == 1 ? "" : "s");
			break;
		} else if (!up && r->ndown == 0) {
			rc = mig_error_set(MIG_ENOTFOUND,
			    "cannot resolve '%s': revision '%s' is a base, %d step%s short", spec, r->id,
			    n - i, n - i == 1 ? "" : "s");
			break;
		} else {
			if (up)
				rev_list_ids(&b, r->children, r->nchildren);
			else
				rev_list_ids(&b, r->parents, r->ndown);
			rc = mig_error_set(MIG_EAMBIGUOUS, "cannot resolve '%s': revision '%s' %s, could be: %s",
			    spec, r->id, up ? "is a branch point" : "is a merge", b.ptr);
			break;
		}
	}
	mig_buf_release(&b);
	if (rc == 0)
		*out = r;
	return rc;
}

/* "x+3" -> baselen 1, n 3, up; false when spec does not end in [+-]digits. */
static bool
split_relative(const char *spec, size_t *baselen, int *n, bool *up)
{
	size_t len = strlen(spec), i = len;

	while (i > 0 && spec[i - 1] >= '0' && spec[i - 1] <= '9')
		i--;
	if (i == len || i == 0 || (spec[i - 1] != '+' && spec[i - 1] != '-'))
		return false;
	if (!mig_parse_uint(spec + i, n))
		return false;
	*up = spec[i - 1] == '+';
	*baselen = i - 1;
	return true;
}

int
mig_graph_resolve(struct mig_rev **out, const struct mig_graph *g, const char *spec)
{
	struct mig_rev *r = NULL;
	size_t baselen;
	bool up;
	int n, rc;

	*out = NULL;
	if (!g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is not finished");
	if (spec == NULL || spec[0] == '\0')
		return mig_error_set(MIG_ENOTFOUND, "empty revision");
	if ((r = mig_graph_find(g, spec)) != NULL) {
		*out = r;
		return 0;
	}
	if (split_relative(spec, &baselen, &n, &up)) {
		char *base;

		if (baselen == 0)
			return mig_error_set(MIG_EUSAGE,
			    "'%s' is relative to the database's revision and cannot be used here", spec);
		base = mig_xstrndup(spec, baselen);
		rc = resolve_base(&r, g, base);
		free(base);
		if (rc == 0)
			rc = rev_walk(&r, r, n, up, spec);
		if (rc == 0)
			*out = r;
		return rc;
	}
	rc = resolve_base(&r, g, spec);
	if (rc == 0)
		*out = r;
	return rc;
}

/* Everything but the relative suffix. */
static int
resolve_base(struct mig_rev **out, const struct mig_graph *g, const char *s)
{
	char key[REV_LABEL_KEY_MAX];
	size_t len = strlen(s), i, nmatch = 0;
	struct mig_rev *r, *first = NULL;
	struct mig_buf b = MIG_BUF_INIT;

	*out = NULL;
	if ((r = mig_graph_find(g, s)) != NULL) {
		*out = r;
		return 0;
	}
	if (strcmp(s, "head") == 0) {
		if (g->nheads == 1) {
			*out = g->heads[0];
			return 0;
		}
		if (g->nheads == 0)
			return mig_error_set(MIG_ENOTFOUND, "there is no revision yet, so no 'head'");
		rev_list_ids(&b, g->heads, g->nheads);
		mig_error_set(MIG_EAMBIGUOUS, "multiple heads, could be: %s", b.ptr);
		mig_buf_release(&b);
		return MIG_EAMBIGUOUS;
	}
	if (strcmp(s, "heads") == 0)
		return mig_error_set(MIG_EUSAGE, "'heads' names every head, not one revision");
	if (strcmp(s, "base") == 0)
		return mig_error_set(MIG_EUSAGE, "'base' is the empty state, not a revision");
	if (len > 5 && strcmp(s + len - 5, "@head") == 0) {
		char *what = mig_xstrndup(s, len - 5);
		int rc = 0;

		r = NULL;
		if (rev_label_key(key, what))
			r = mig_map_get(&g->by_id, key);
		if (r == NULL)
			rc = resolve_base(&r, g, what);
		free(what);
		if (rc == 0)
			rc = head_above(out, g, r, s);
		return rc;
	}
	if (rev_label_key(key, s) && (r = mig_map_get(&g->by_id, key)) != NULL) {
		*out = r;
		return 0;
	}
	if (len >= 4) {
		struct mig_rev **matches = NULL;
		size_t cap = 0;

		for (i = 0; i < g->nrevs; i++) {
			if (strncmp(g->revs[i]->id, s, len) != 0)
				continue;
			if (nmatch == cap) {
				cap = cap ? cap * 2 : 4;
				matches = mig_xrealloc(matches, cap * sizeof(*matches));
			}
			matches[nmatch++] = g->revs[i];
			first = g->revs[i];
		}
		if (nmatch > 1) {
			rev_list_ids(&b, matches, nmatch);
			mig_error_set(MIG_EAMBIGUOUS, "ambiguous revision '%s', could be: %s", s, b.ptr);
			mig_buf_release(&b);
		}
		free(matches);
		if (nmatch > 1)
			return MIG_EAMBIGUOUS;
		if (nmatch == 1) {
			*out = first;
			return 0;
		}
	}
	return mig_error_set(MIG_ENOTFOUND, "unknown revision '%s'", s);
}

/* The only head that `from` reaches through its children (down_revision edges). */
static int
head_above(struct mig_rev **out, const struct mig_graph *g, struct mig_rev *from, const char *spec)
{
	bool *mark = mig_xcalloc(g->nrevs, sizeof(*mark));
	struct mig_rev **heads = NULL;
	struct mig_buf b = MIG_BUF_INIT;
	size_t i, j, n = 0;
	int rc = 0;

	/* Graph order puts every parent first, so one forward sweep marks all descendants. */
	mark[from->order] = true;
	heads = mig_xmalloc(g->nheads * sizeof(*heads) + 1);
	for (i = from->order; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		for (j = 0; !mark[i] && j < r->ndown; j++)
			mark[i] = mark[r->parents[j]->order];
		if (mark[i] && r->nchildren == 0)
			heads[n++] = r;
	}
	if (n == 1) {
		*out = heads[0];
	} else {
		rev_list_ids(&b, heads, n);
		rc = mig_error_set(MIG_EAMBIGUOUS, "'%s' has multiple heads, could be: %s", spec, b.ptr);
	}
	mig_buf_release(&b);
	free(heads);
	free(mark);
	return rc;
}

size_t
mig_graph_branch_points(const struct mig_graph *g, struct mig_rev ***out)
{
	size_t i, n = 0;

	*out = NULL;
	for (i = 0; i < g->nrevs; i++)
		if (g->revs[i]->nchildren > 1)
			n++;
	if (n == 0)
		return 0;
	*out = mig_xmalloc(n * sizeof(**out));
	n = 0;
	for (i = 0; i < g->nrevs; i++)
		if (g->revs[i]->nchildren > 1)
			(*out)[n++] = g->revs[i];
	return n;
}

static bool
reaches(const struct mig_graph *g, const struct mig_rev *a, const struct mig_rev *b, bool depends)
{
	bool *mark, found;
	size_t i, j;

	if (a == b)
		return true;
	if (a == NULL || b == NULL || a->order > b->order)
		return false;
	/* A backward sweep from b over graph order marks its ancestors; nothing below a matters. */
	mark = mig_xcalloc(g->nrevs, sizeof(*mark));
	mark[b->order] = true;
	for (i = b->order + 1; i-- > a->order;) {
		const struct mig_rev *r = g->revs[i];

		if (!mark[i])
			continue;
		for (j = 0; j < r->ndown; j++)
			mark[r->parents[j]->order] = true;
		for (j = 0; depends && j < r->ndepends; j++)
			mark[r->deps[j]->order] = true;
	}
	found = mark[a->order];
	free(mark);
	return found;
}

bool
mig_graph_is_ancestor(const struct mig_graph *g, const struct mig_rev *a, const struct mig_rev *b)
{
	return reaches(g, a, b, true);
}

bool
mig_graph_is_branch_ancestor(const struct mig_graph *g, const struct mig_rev *a, const struct mig_rev *b)
{
	return reaches(g, a, b, false);
}
