/*
 * rev_graph.c — the revision graph: its lifecycle, ghosts from the database, and finishing:
 * linking ids, the topological order and validation. Reading a versions directory is
 * rev_load.c's work.
 *
 * The topological order is Kahn's algorithm with a priority: among the revisions whose parents and
 * dependencies are all placed, the one with the smallest (created, id) comes first (a missing
 * created sorts first). It is deterministic, does not depend on file names or directory order,
 * and follows the order in which people wrote parallel branches, so plans read chronologically.
 */
#include <stdlib.h>
#include <string.h>

#include "rev.h"
#include "rev_internal.h"

/* The arenas loader threads filled (their revisions' strings live there) belong to the graph. */
struct rev_arena_link {
	struct mig_arena arena;
	struct rev_arena_link *next;
};

static int link_revs(struct mig_graph *g);
static int topo_sort(struct mig_graph *g);
static int report_cycle(struct mig_graph *g, const size_t *indeg);
static bool rev_before(const struct mig_rev *a, const struct mig_rev *b);
static void heap_push(struct mig_rev **h, size_t *n, struct mig_rev *r);
static struct mig_rev *heap_pop(struct mig_rev **h, size_t *n);

struct mig_graph *
mig_graph_new(void)
{
	struct mig_graph *g = mig_xcalloc(1, sizeof(*g));

	mig_arena_init(&g->arena);
	mig_map_init(&g->by_id);
	return g;
}

void
mig_graph_free(struct mig_graph *g)
{
	struct rev_arena_link *l;

	if (g == NULL)
		return;
	for (l = g->loader_arenas; l != NULL; l = l->next)
		mig_arena_release(&l->arena);
	free(g->revs);
	mig_map_release(&g->by_id);
	mig_arena_release(&g->arena);
	free(g);
}

int
mig_graph_load(struct mig_graph **out, const char *versions_dir)
{
	struct mig_graph *g = mig_graph_new();
	int rc;

	*out = NULL;
	rc = mig_graph_add_dir(g, versions_dir);
	if (rc == 0)
		rc = mig_graph_finish(g);
	if (rc != 0) {
		mig_graph_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

struct mig_rev *
mig_graph_find(const struct mig_graph *g, const char *id)
{
	/* The map also holds "@label" entries, which are not revisions. */
	if (g == NULL || !mig_rev_id_valid(id))
		return NULL;
	return mig_map_get(&g->by_id, id);
}

bool
rev_label_key(char out[REV_LABEL_KEY_MAX], const char *label)
{
	size_t n = strlen(label);

	if (n == 0 || n > MIG_REV_ID_MAX)
		return false;
	out[0] = '@';
	memcpy(out + 1, label, n + 1);
	return true;
}

const char *
rev_where(struct mig_arena *a, const struct mig_rev *r)
{
	if (r->up_path)
		return r->up_path;
	return mig_arena_printf(a, "revision '%s' (known from the database history)", r->id);
}

struct mig_rev *
rev_graph_push(struct mig_graph *g, struct mig_rev *r)
{
	/* One probe of the map in the usual case; a taken id (an error) is put back as it was. */
	struct mig_rev *other = mig_map_put(&g->by_id, r->id, r);

	if (other != NULL) {
		mig_map_put(&g->by_id, other->id, other);
		return other;
	}
	if (g->nrevs == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->revs = mig_xrealloc(g->revs, g->cap * sizeof(*g->revs));
	}
	g->revs[g->nrevs++] = r;
	return NULL;
}

struct mig_arena *
rev_graph_new_arena(struct mig_graph *g)
{
	struct rev_arena_link *l = mig_arena_alloc(&g->arena, sizeof(*l));

	mig_arena_init(&l->arena);
	l->next = g->loader_arenas;
	g->loader_arenas = l;
	return &l->arena;
}

int
mig_graph_add_ghost(struct mig_graph *g, const char *id, const char *const *down, size_t ndown,
    const char *message, const char *down_sql)
{
	struct mig_rev *r;
	size_t i, j;

	if (g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is already finished");
	if (!mig_rev_id_valid(id))
		return mig_error_set(MIG_EPARSE, "invalid revision id '%s' in the database history",
		    id ? id : "");
	/* The files win over the history, and a revision applied twice is recorded twice. */
	if (mig_map_get(&g->by_id, id) != NULL)
		return 0;
	for (i = 0; i < ndown; i++) {
		if (!mig_rev_id_valid(down[i]))
			return mig_error_set(MIG_EPARSE,
			    "invalid down revision '%s' of '%s' in the database history",
			    down[i] ? down[i] : "", id);
		for (j = 0; j < i; j++)
			if (strcmp(down[i], down[j]) == 0)
				return mig_error_set(MIG_EPARSE,
				    "'%s' appears twice in the down revisions of '%s' in the database history",
				    down[i], id);
	}
	r = mig_arena_alloc(&g->arena, sizeof(*r));
	r->id = mig_arena_strdup(&g->arena, id);
	r->message = message ? mig_arena_strdup(&g->arena, message) : "";
	r->transactional = true;
	r->ghost = true;
	r->ghost_down_sql = mig_arena_strdup(&g->arena, down_sql ? down_sql : "");
	if (ndown) {
		r->down = mig_arena_alloc(&g->arena, ndown * sizeof(*r->down));
		for (i = 0; i < ndown; i++)
			r->down[i] = mig_arena_strdup(&g->arena, down[i]);
		r->ndown = ndown;
	}
	rev_graph_push(g, r);
	return 0;
}

int
mig_graph_finish(struct mig_graph *g)
{
	int rc;

	if (g->finished)
		return 0;
	if ((rc = link_revs(g)) != 0)
		return rc;
	if ((rc = topo_sort(g)) != 0)
		return rc;
	g->finished = true;
	return 0;
}

/*
 * Registers branch labels and resolves parent and dependency ids. A depends_on entry may name a
 * branch label, as in Alembic; down_revision must name a revision.
 */
static int
link_revs(struct mig_graph *g)
{
	size_t i, j;

	for (i = 0; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		for (j = 0; j < r->nlabels; j++) {
			char key[REV_LABEL_KEY_MAX];
			struct mig_rev *other;

			if (!rev_label_key(key, r->labels[j]))
				continue;
			other = mig_map_get(&g->by_id, key);
			if (other == r)
				continue;
			if (other != NULL)
				return mig_error_set(MIG_EPARSE,
				    "%s: branch label '%s' is already used by revision '%s'",
				    rev_where(&g->arena, r), r->labels[j], other->id);
			mig_map_put(&g->by_id, mig_arena_strdup(&g->arena, key), r);
		}
	}
	/* Ids from headers and ghosts are valid already: the map is asked directly. */
	for (i = 0; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		r->parents = r->ndown ? mig_arena_alloc(&g->arena, r->ndown * sizeof(*r->parents)) : NULL;
		for (j = 0; j < r->ndown; j++) {
			r->parents[j] = mig_map_get(&g->by_id, r->down[j]);
			if (r->parents[j] == NULL)
				return mig_error_set(MIG_ENOTFOUND, "%s: down_revision '%s' not found",
				    rev_where(&g->arena, r), r->down[j]);
		}
		r->deps = r->ndepends ? mig_arena_alloc(&g->arena, r->ndepends * sizeof(*r->deps)) : NULL;
		for (j = 0; j < r->ndepends; j++) {
			char key[REV_LABEL_KEY_MAX];

			r->deps[j] = mig_map_get(&g->by_id, r->depends[j]);
			if (r->deps[j] == NULL && rev_label_key(key, r->depends[j]))
				r->deps[j] = mig_map_get(&g->by_id, key);
			if (r->deps[j] == NULL)
				return mig_error_set(MIG_ENOTFOUND, "%s: depends_on '%s' not found",
				    rev_where(&g->arena, r), r->depends[j]);
		}
	}
	return 0;
}

/* The priority of the topological order: (created, id), a missing created first. */
static bool
rev_before(const struct mig_rev *a, const struct mig_rev *b)
{
	int c = strcmp(a->created ? a->created : "", b->created ? b->created : "");

	return c != 0 ? c < 0 : strcmp(a->id, b->id) < 0;
}

static void
heap_push(struct mig_rev **h, size_t *n, struct mig_rev *r)
{
	size_t i = (*n)++;

	while (i > 0 && rev_before(r, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = r;
}

static struct mig_rev *
heap_pop(struct mig_rev **h, size_t *n)
{
	struct mig_rev *top = h[0], *last = h[--(*n)];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && rev_before(h[c + 1], h[c]))
			c++;
		if (!rev_before(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

/*
 * Kahn's algorithm over both edge kinds, then the children lists (down_revision edges only) in
 * graph order and the heads. While sorting, rev->order holds the index in insertion order.
 */
static int
topo_sort(struct mig_graph *g)
{
	size_t n = g->nrevs, i, j, nheap = 0, nout = 0, nheads = 0;
	size_t *indeg = mig_xcalloc(n, sizeof(*indeg));
	size_t *off = mig_xcalloc(n + 1, sizeof(*off));
	size_t *fill = mig_xcalloc(n + 1, sizeof(*fill));
	struct mig_rev **succ, **heap, **sorted;
	size_t nedges = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		g->revs[i]->order = i;
	/* Successor lists in one array (CSR): off[p]..off[p+1] are the revisions that need p. */
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		indeg[i] = r->ndown + r->ndepends;
		nedges += indeg[i];
		for (j = 0; j < r->ndown; j++)
			off[r->parents[j]->order + 1]++;
		for (j = 0; j < r->ndepends; j++)
			off[r->deps[j]->order + 1]++;
	}
	for (i = 0; i < n; i++)
		off[i + 1] += off[i];
	succ = mig_xcalloc(nedges ? nedges : 1, sizeof(*succ));
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];
		size_t p;

		for (j = 0; j < r->ndown; j++) {
			p = r->parents[j]->order;
			succ[off[p] + fill[p]++] = r;
		}
		for (j = 0; j < r->ndepends; j++) {
			p = r->deps[j]->order;
			succ[off[p] + fill[p]++] = r;
		}
	}
	heap = mig_xcalloc(n ? n : 1, sizeof(*heap));
	sorted = mig_xcalloc(n ? n : 1, sizeof(*sorted));
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(heap, &nheap, g->revs[i]);
	while (nheap > 0) {
		struct mig_rev *r = heap_pop(heap, &nheap);
		size_t k = r->order;

		sorted[nout++] = r;
		for (j = off[k]; j < off[k + 1]; j++)
			if (--indeg[succ[j]->order] == 0)
				heap_push(heap, &nheap, succ[j]);
	}
	if (nout < n) {
		rc = report_cycle(g, indeg);
		goto cleanup;
	}

	if (n > 0)
		memcpy(g->revs, sorted, n * sizeof(*sorted));
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		r->order = i;
		r->nchildren = 0;
		fill[i] = 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < g->revs[i]->ndown; j++)
			g->revs[i]->parents[j]->nchildren++;
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		r->children = r->nchildren ?
		    mig_arena_alloc(&g->arena, r->nchildren * sizeof(*r->children)) : NULL;
		if (r->nchildren == 0)
			nheads++;
	}
	/* Filling in graph order leaves every children list in graph order too. */
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		for (j = 0; j < r->ndown; j++) {
			struct mig_rev *p = r->parents[j];

			p->children[fill[p->order]++] = r;
		}
	}
	g->heads = nheads ? mig_arena_alloc(&g->arena, nheads * sizeof(*g->heads)) : NULL;
	g->nheads = 0;
	for (i = 0; i < n; i++)
		if (g->revs[i]->nchildren == 0)
			g->heads[g->nheads++] = g->revs[i];

cleanup:
	free(indeg);
	free(off);
	free(fill);
	free(succ);
	free(heap);
	free(sorted);
	return rc;
}

/*
 * Kahn's algorithm stopped early: every revision left has a parent or dependency that is left too,
 * so walking those edges backwards from any of them must come round to a revision already on the
 * walk. The loop found is the cycle that gets named.
 */
static int
report_cycle(struct mig_graph *g, const size_t *indeg)
{
	size_t n = g->nrevs, i, start, len = 0;
	size_t *seen_at = mig_xmalloc(n * sizeof(*seen_at));
	struct mig_rev **path = mig_xmalloc(n * sizeof(*path));
	struct mig_rev *r = NULL;
	struct mig_buf b = MIG_BUF_INIT;

	for (i = 0; i < n; i++)
		seen_at[i] = (size_t)-1;
	for (i = 0; i < n; i++) {
		if (indeg[i] > 0) {
			r = g->revs[i];
			break;
		}
	}
	while (r != NULL && seen_at[r->order] == (size_t)-1) {
		struct mig_rev *next = NULL;

		seen_at[r->order] = len;
		path[len++] = r;
		for (i = 0; next == NULL && i < r->ndown; i++)
			if (indeg[r->parents[i]->order] > 0)
				next = r->parents[i];
		for (i = 0; next == NULL && i < r->ndepends; i++)
			if (indeg[r->deps[i]->order] > 0)
				next = r->deps[i];
		r = next;
	}
	start = r ? seen_at[r->order] : 0;
	rev_list_ids(&b, path + start, len - start);
	mig_error_set(MIG_EPARSE, "cycle between revisions %s", b.ptr);
	mig_buf_release(&b);
	free(seen_at);
	free(path);
	return MIG_EPARSE;
}
