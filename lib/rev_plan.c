/*
 * rev_plan.c — upgrade, downgrade and stamp plans: which revisions to run, in which order, and
 * how the version table changes after each one.
 *
 * The version table holds the heads of the applied set A: the revisions of A that have no child
 * (down_revision edge) in A. A revision that is only depended upon therefore stays a row, as it
 * stays a head of the graph. A is the closure of the rows over both edge kinds. Each step changes
 * the rows locally: applying r removes its parents from the rows and adds r; reverting r removes
 * r and adds back each parent left without an applied child. A count of applied children per
 * revision keeps that constant-time per edge, so a plan costs O(revisions + edges) in all.
 *
 * The rows the database reports are taken as they are (heads_before). If they are not exactly
 * the heads of their closure (an ancestor listed beside its descendant, a dependency missing),
 * the first step's heads_del / heads_ins also bring them to that normal form.
 */
#include <stdlib.h>
#include <string.h>

#include "rev.h"
#include "rev_internal.h"

struct state {
	const struct mig_graph *g;
	struct mig_plan *p;
	bool *rows0;   /* the version table before the plan */
	bool *applied; /* A, as it will be after the steps recorded so far */
	bool *table;   /* heads of A */
	size_t *kids;  /* per revision: its children in A */
	size_t cap;    /* room in p->steps */
};

static void closure(const struct mig_graph *g, bool *mark);
static int state_init(struct state *st, struct mig_plan *p, const struct mig_graph *g,
    const char *const *current, size_t ncurrent);
static void state_release(struct state *st);
static void heads_of(const struct mig_graph *g, const bool *set, struct mig_arena *a,
    const char ***out, size_t *nout);
static struct mig_step *step_new(struct state *st, struct mig_rev *r, enum mig_direction dir,
    size_t maxdel, size_t maxins);
static void first_step_diff(struct state *st, struct mig_step *s);
static void step_up(struct state *st, struct mig_rev *r);
static void step_down(struct state *st, struct mig_rev *r);
static void finish_plan(struct state *st);
static bool parse_relative(const char *s, char sign, int *n);
static int upgrade_targets(struct state *st, const char *target, bool *need);

/* Marks every ancestor (both edge kinds) of what is marked: parents come first in graph order. */
static void
closure(const struct mig_graph *g, bool *mark)
{
	size_t i, j;

	for (i = g->nrevs; i-- > 0;) {
		const struct mig_rev *r = g->revs[i];

		if (!mark[i])
			continue;
		for (j = 0; j < r->ndown; j++)
			mark[r->parents[j]->order] = true;
		for (j = 0; j < r->ndepends; j++)
			mark[r->deps[j]->order] = true;
	}
}

/* The heads of a closed set, in graph order, as ids in the arena. */
static void
heads_of(const struct mig_graph *g, const bool *set, struct mig_arena *a, const char ***out,
    size_t *nout)
{
	size_t *kids = mig_xcalloc(g->nrevs ? g->nrevs : 1, sizeof(*kids));
	size_t i, j, n = 0;

	for (i = 0; i < g->nrevs; i++)
		if (set[i])
			for (j = 0; j < g->revs[i]->ndown; j++)
				kids[g->revs[i]->parents[j]->order]++;
	for (i = 0; i < g->nrevs; i++)
		if (set[i] && kids[i] == 0)
			n++;
	*out = NULL;
	*nout = 0;
	if (n) {
		*out = mig_arena_alloc(a, n * sizeof(**out));
		for (i = 0; i < g->nrevs; i++)
			if (set[i] && kids[i] == 0)
				(*out)[(*nout)++] = g->revs[i]->id;
	}
	free(kids);
}

static int
state_init(struct state *st, struct mig_plan *p, const struct mig_graph *g,
    const char *const *current, size_t ncurrent)
{
	size_t n = g->nrevs ? g->nrevs : 1, i, j;

	memset(p, 0, sizeof(*p));
	mig_arena_init(&p->arena);
	memset(st, 0, sizeof(*st));
	st->g = g;
	st->p = p;
	if (!g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is not finished");
	st->rows0 = mig_xcalloc(n, sizeof(bool));
	st->applied = mig_xcalloc(n, sizeof(bool));
	st->table = mig_xcalloc(n, sizeof(bool));
	st->kids = mig_xcalloc(n, sizeof(size_t));
	for (i = 0; i < ncurrent; i++) {
		struct mig_rev *r = mig_graph_find(g, current[i]);

		if (r == NULL)
			return mig_error_set(MIG_ENOTFOUND, "the database is at unknown revision '%s'",
			    current[i] ? current[i] : "");
		st->rows0[r->order] = st->applied[r->order] = true;
	}
	for (i = 0; i < g->nrevs; i++)
		if (st->rows0[i])
			p->nheads_before++;
	if (p->nheads_before) {
		p->heads_before = mig_arena_alloc(&p->arena, p->nheads_before * sizeof(char *));
		for (i = 0, j = 0; i < g->nrevs; i++)
			if (st->rows0[i])
				p->heads_before[j++] = g->revs[i]->id;
	}
	closure(g, st->applied);
	for (i = 0; i < g->nrevs; i++)
		if (st->applied[i])
			for (j = 0; j < g->revs[i]->ndown; j++)
				st->kids[g->revs[i]->parents[j]->order]++;
	for (i = 0; i < g->nrevs; i++)
		st->table[i] = st->applied[i] && st->kids[i] == 0;
	return 0;
}

static void
state_release(struct state *st)
{
	free(st->rows0);
	free(st->applied);
	free(st->table);
	free(st->kids);
}

static struct mig_step *
step_new(struct state *st, struct mig_rev *r, enum mig_direction dir, size_t maxdel, size_t maxins)
{
	struct mig_plan *p = st->p;
	struct mig_step *s;

	if (p->nsteps == st->cap) {
		struct mig_step *bigger;

		/* Plans are sized up front; growing is for safety and leaves the old block in the arena. */
		st->cap = st->cap ? st->cap * 2 : 8;
		bigger = mig_arena_alloc(&p->arena, st->cap * sizeof(*bigger));
		if (p->nsteps)
			memcpy(bigger, p->steps, p->nsteps * sizeof(*bigger));
		p->steps = bigger;
	}
	s = &p->steps[p->nsteps++];
	s->rev = r;
	s->dir = dir;
	s->heads_del = maxdel ? mig_arena_alloc(&p->arena, maxdel * sizeof(char *)) : NULL;
	s->heads_ins = maxins ? mig_arena_alloc(&p->arena, maxins * sizeof(char *)) : NULL;
	return s;
}

/*
 * The first step's difference is taken against the rows the database really holds, which may not
 * be in normal form; one scan, once per plan.
 */
static void
first_step_diff(struct state *st, struct mig_step *s)
{
	const struct mig_graph *g = st->g;
	size_t i, ndel = 0, nins = 0;

	for (i = 0; i < g->nrevs; i++) {
		ndel += st->rows0[i] && !st->table[i];
		nins += !st->rows0[i] && st->table[i];
	}
	s->heads_del = ndel ? mig_arena_alloc(&st->p->arena, ndel * sizeof(char *)) : NULL;
	s->heads_ins = nins ? mig_arena_alloc(&st->p->arena, nins * sizeof(char *)) : NULL;
	s->nheads_del = s->nheads_ins = 0;
	for (i = 0; i < g->nrevs; i++) {
		if (st->rows0[i] && !st->table[i])
			s->heads_del[s->nheads_del++] = g->revs[i]->id;
		if (!st->rows0[i] && st->table[i])
			s->heads_ins[s->nheads_ins++] = g->revs[i]->id;
	}
}

static void
step_up(struct state *st, struct mig_rev *r)
{
	bool first = st->p->nsteps == 0;
	struct mig_step *s = step_new(st, r, MIG_UP, r->ndown, 1);
	size_t j;

	st->applied[r->order] = true;
	for (j = 0; j < r->ndown; j++) {
		struct mig_rev *p = r->parents[j];

		st->kids[p->order]++;
		if (st->table[p->order]) {
			st->table[p->order] = false;
			s->heads_del[s->nheads_del++] = p->id;
		}
	}
	st->table[r->order] = true;
	s->heads_ins[s->nheads_ins++] = r->id;
	if (first)
		first_step_diff(st, s);
}

static void
step_down(struct state *st, struct mig_rev *r)
{
	bool first = st->p->nsteps == 0;
	struct mig_step *s = step_new(st, r, MIG_DOWN, 1, r->ndown);
	size_t j;

	st->applied[r->order] = false;
	st->table[r->order] = false;
	s->heads_del[s->nheads_del++] = r->id;
	for (j = 0; j < r->ndown; j++) {
		struct mig_rev *p = r->parents[j];

		if (--st->kids[p->order] == 0 && st->applied[p->order] && !st->table[p->order]) {
			st->table[p->order] = true;
			s->heads_ins[s->nheads_ins++] = p->id;
		}
	}
	if (first)
		first_step_diff(st, s);
}

/* heads_after: the rows after the last step, or the rows as they were when there is no step. */
static void
finish_plan(struct state *st)
{
	struct mig_plan *p = st->p;
	const struct mig_graph *g = st->g;
	size_t i, n = 0;

	if (p->nsteps == 0) {
		p->heads_after = p->heads_before;
		p->nheads_after = p->nheads_before;
		return;
	}
	for (i = 0; i < g->nrevs; i++)
		n += st->table[i];
	p->heads_after = n ? mig_arena_alloc(&p->arena, n * sizeof(char *)) : NULL;
	for (i = 0; i < g->nrevs; i++)
		if (st->table[i])
			p->heads_after[p->nheads_after++] = g->revs[i]->id;
}

/* "+3" with sign '+': n = 3. */
static bool
parse_relative(const char *s, char sign, int *n)
{
	return s != NULL && s[0] == sign && mig_parse_uint(s + 1, n);
}

/* Marks in need the revisions an upgrade to target must have applied (before closure). */
static int
upgrade_targets(struct state *st, const char *target, bool *need)
{
	const struct mig_graph *g = st->g;
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_rev *r = NULL;
	size_t i, nheads = 0;
	int n, rc = 0;

	if (target == NULL)
		target = "head";
	if (strcmp(target, "base") == 0 || (strcmp(target, "head") == 0 && g->nrevs == 0))
		return 0;
	if (strcmp(target, "heads") == 0) {
		for (i = 0; i < g->nheads; i++)
			need[g->heads[i]->order] = true;
		return 0;
	}
	if (parse_relative(target, '-', &n))
		return mig_error_set(MIG_EUSAGE, "'%s' goes down; use downgrade", target);
	if (!parse_relative(target, '+', &n)) {
		if ((rc = mig_graph_resolve(&r, g, target)) != 0)
			return rc;
		need[r->order] = true;
		return 0;
	}

	/* +N: N steps up from the only current head, or the first N revisions from base. */
	if (n == 0)
		return 0;
	for (i = 0; i < g->nrevs; i++)
		nheads += st->table[i];
	if (nheads == 1) {
		for (i = 0; r == NULL; i++)
			if (st->table[i])
				r = g->revs[i];
		rc = rev_walk(&r, r, n, true, target);
	} else if (nheads == 0) {
		struct mig_rev **bases = mig_xmalloc((g->nrevs + 1) * sizeof(*bases));
		size_t nbases = 0;

		for (i = 0; i < g->nrevs; i++)
			if (g->revs[i]->ndown == 0)
				bases[nbases++] = g->revs[i];
		if (nbases == 1) {
			rc = rev_walk(&r, bases[0], n - 1, true, target);
		} else if (nbases == 0) {
			rc = mig_error_set(MIG_ENOTFOUND, "cannot resolve '%s': there is no revision yet",
			    target);
		} else {
			rev_list_ids(&b, bases, nbases);
			rc = mig_error_set(MIG_EAMBIGUOUS,
			    "cannot resolve '%s': multiple bases, could be: %s", target, b.ptr);
		}
		free(bases);
	} else {
		struct mig_rev **heads = mig_xmalloc(nheads * sizeof(*heads));
		size_t k = 0;

		for (i = 0; i < g->nrevs; i++)
			if (st->table[i])
				heads[k++] = g->revs[i];
		rev_list_ids(&b, heads, k);
		rc = mig_error_set(MIG_EAMBIGUOUS,
		    "cannot resolve '%s': the database has multiple heads, could be: %s (use REV+N)",
		    target, b.ptr);
		free(heads);
	}
	mig_buf_release(&b);
	if (rc == 0)
		need[r->order] = true;
	return rc;
}

int
mig_plan_upgrade(struct mig_plan *out, const struct mig_graph *g, const char *const *current,
    size_t ncurrent, const char *target)
{
	struct state st;
	bool *need = NULL;
	size_t i, count = 0;
	int rc;

	if ((rc = state_init(&st, out, g, current, ncurrent)) != 0)
		goto cleanup;
	need = mig_xcalloc(g->nrevs ? g->nrevs : 1, sizeof(*need));
	if ((rc = upgrade_targets(&st, target, need)) != 0)
		goto cleanup;
	closure(g, need);
	for (i = 0; i < g->nrevs; i++) {
		if (!need[i] || st.applied[i])
			continue;
		if (g->revs[i]->ghost) {
			rc = mig_error_set(MIG_ENOTFOUND,
			    "revision '%s' must be applied but its files are gone (it is known only from "
			    "the database history)", g->revs[i]->id);
			goto cleanup;
		}
		count++;
	}
	st.cap = count;
	out->steps = count ? mig_arena_alloc(&out->arena, count * sizeof(*out->steps)) : NULL;
	/* Graph order is a topological order, so parents and dependencies always come first. */
	for (i = 0; i < g->nrevs; i++)
		if (need[i] && !st.applied[i])
			step_up(&st, g->revs[i]);
	finish_plan(&st);
cleanup:
	free(need);
	state_release(&st);
	if (rc != 0)
		mig_plan_release(out);
	return rc;
}

int
mig_plan_downgrade(struct mig_plan *out, const struct mig_graph *g, const char *const *current,
    size_t ncurrent, const char *target)
{
	struct state st;
	struct mig_buf b = MIG_BUF_INIT;
	bool *undo = NULL;
	size_t i, j, count = 0;
	int n = 1, rc;

	if ((rc = state_init(&st, out, g, current, ncurrent)) != 0)
		goto cleanup;
	if (parse_relative(target, '+', &n)) {
		rc = mig_error_set(MIG_EUSAGE, "'%s' goes up; use upgrade", target);
		goto cleanup;
	}

	if (target == NULL || parse_relative(target, '-', &n)) {
		struct mig_rev **heads = mig_xmalloc((g->nrevs + 1) * sizeof(*heads)), *h;
		size_t nheads = 0, napplied = 0;

		for (i = 0; i < g->nrevs; i++) {
			napplied += st.applied[i];
			if (st.table[i])
				heads[nheads++] = g->revs[i];
		}
		if ((size_t)n > napplied) {
			if (napplied == 0)
				rc = mig_error_set(MIG_EUSAGE, "cannot downgrade %d revision%s: nothing is applied",
				    n, n == 1 ? "" : "s");
			else
				rc = mig_error_set(MIG_EUSAGE, "cannot downgrade %d revision%s: only %zu applied",
				    n, n == 1 ? "" : "s", napplied);
			free(heads);
			goto cleanup;
		}
		st.cap = (size_t)n;
		out->steps = n ? mig_arena_alloc(&out->arena, (size_t)n * sizeof(*out->steps)) : NULL;
		/* Each step reverts the only head; what it leaves as heads are the next candidates. */
		for (count = 0; count < (size_t)n; count++) {
			if (nheads != 1) {
				rev_list_ids(&b, heads, nheads);
				rc = mig_error_set(MIG_EAMBIGUOUS,
				    "cannot downgrade %s: the database has multiple heads, could be: %s (name "
				    "the revision to downgrade to)", target ? target : "-1", b.ptr);
				break;
			}
			h = heads[0];
			step_down(&st, h);
			nheads = 0;
			for (j = 0; j < h->ndown; j++)
				if (st.table[h->parents[j]->order])
					heads[nheads++] = h->parents[j];
		}
		free(heads);
		if (rc != 0)
			goto cleanup;
		finish_plan(&st);
		goto cleanup;
	}

	undo = mig_xcalloc(g->nrevs ? g->nrevs : 1, sizeof(*undo));
	if (strcmp(target, "base") == 0) {
		memcpy(undo, st.applied, g->nrevs * sizeof(*undo));
	} else {
		struct mig_rev *t;

		if ((rc = mig_graph_resolve(&t, g, target)) != 0)
			goto cleanup;
		if (!st.applied[t->order]) {
			rc = mig_error_set(MIG_EUSAGE, "revision '%s' is not applied; cannot downgrade to it",
			    t->id);
			goto cleanup;
		}
		/* Descendants through both edge kinds: one forward sweep in graph order. */
		for (i = t->order + 1; i < g->nrevs; i++) {
			const struct mig_rev *r = g->revs[i];
			bool d = false;

			for (j = 0; !d && j < r->ndown; j++)
				d = r->parents[j] == t || undo[r->parents[j]->order];
			for (j = 0; !d && j < r->ndepends; j++)
				d = r->deps[j] == t || undo[r->deps[j]->order];
			undo[i] = d;
		}
		for (i = 0; i < g->nrevs; i++)
			undo[i] = undo[i] && st.applied[i];
	}
	for (i = 0; i < g->nrevs; i++)
		count += undo[i];
	st.cap = count;
	out->steps = count ? mig_arena_alloc(&out->arena, count * sizeof(*out->steps)) : NULL;
	/* Reverse graph order: children and dependents are reverted before what they need. */
	for (i = g->nrevs; i-- > 0;)
		if (undo[i])
			step_down(&st, g->revs[i]);
	finish_plan(&st);
cleanup:
	mig_buf_release(&b);
	free(undo);
	state_release(&st);
	if (rc != 0)
		mig_plan_release(out);
	return rc;
}

int
mig_plan_stamp(struct mig_plan *out, const struct mig_graph *g, const char *target)
{
	struct mig_rev *t;
	bool *set;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	mig_arena_init(&out->arena);
	if (!g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is not finished");
	if (target == NULL)
		return mig_error_set(MIG_EUSAGE, "stamp needs a target revision");
	if (strcmp(target, "base") == 0)
		return 0;
	set = mig_xcalloc(g->nrevs ? g->nrevs : 1, sizeof(*set));
	if (strcmp(target, "heads") == 0) {
		for (i = 0; i < g->nheads; i++)
			set[g->heads[i]->order] = true;
	} else {
		if ((rc = mig_graph_resolve(&t, g, target)) != 0) {
			free(set);
			return rc;
		}
		set[t->order] = true;
	}
	closure(g, set);
	heads_of(g, set, &out->arena, &out->heads_after, &out->nheads_after);
	free(set);
	return 0;
}

void
mig_plan_release(struct mig_plan *p)
{
	if (p == NULL)
		return;
	mig_arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
	mig_arena_init(&p->arena);
}

int
mig_graph_applied(bool **out, const struct mig_graph *g, const char *const *current, size_t ncurrent)
{
	bool *set = mig_xcalloc(g->nrevs ? g->nrevs : 1, sizeof(*set));
	size_t i;

	*out = NULL;
	for (i = 0; i < ncurrent; i++) {
		struct mig_rev *r = mig_graph_find(g, current[i]);

		if (r == NULL) {
			free(set);
			return mig_error_set(MIG_ENOTFOUND, "the database is at unknown revision '%s'",
			    current[i] ? current[i] : "");
		}
		set[r->order] = true;
	}
	closure(g, set);
	*out = set;
	return 0;
}
