/*
 * test_plan.c — upgrade, downgrade and stamp plans over linear, branched, merged and depends_on
 * graphs: which revisions run, in which order, and what the version table holds after each step.
 *
 * Every plan a test computes is also replayed by check_plan(): starting from heads_before, the
 * table after each step (heads_del / heads_ins applied) must be exactly the heads of the applied
 * set computed by brute force, every up step must find its parents and dependencies applied and
 * every down step must leave nothing applied that needs the reverted revision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "helpers.h"
#include "rev.h"
#include "util.h"

static struct mig_graph *g;
static struct mig_plan plan;
static char *tmp;

static void
setup(void)
{
	g = NULL;
	tmp = NULL;
	memset(&plan, 0, sizeof(plan));
	mig_error_clear();
}

static void
teardown(void)
{
	mig_plan_release(&plan);
	mig_graph_free(g);
	if (tmp)
		th_rmtree(tmp);
	free(tmp);
}

TestSuite(plan, .init = setup, .fini = teardown);

static void
load_fixture(const char *name)
{
	char *dir = mig_xasprintf("%s/tests/fixtures/%s", th_top(), name);

	cr_assert(eq(int, mig_graph_load(&g, dir), 0), "%s: %s", name, mig_error_msg());
	free(dir);
}

static void
write_rev(const char *dir, const char *id, const char *down, const char *extra)
{
	char *name = mig_xasprintf("%s_rev.up.sql", id);
	char *text = mig_xasprintf("-- mig:revision %s\n-- mig:down_revision %s\n%s\nSELECT 1;\n", id,
	    down ? down : "", extra ? extra : "");

	th_write(dir, name, text);
	free(name);
	free(text);
	name = mig_xasprintf("%s_rev.down.sql", id);
	text = mig_xasprintf("-- mig:revision %s\nSELECT 2;\n", id);
	th_write(dir, name, text);
	free(name);
	free(text);
}

static size_t
count(const char *const *ids)
{
	size_t n = 0;

	while (ids && ids[n])
		n++;
	return n;
}

/* "a b" from a list of ids, "-" for none. */
static void
put_ids(struct mig_buf *b, const char *const *ids, size_t n)
{
	size_t i;

	if (n == 0)
		mig_buf_puts(b, "-");
	for (i = 0; i < n; i++)
		mig_buf_printf(b, "%s%s", i ? " " : "", ids[i]);
}

/*
 * The plan as text, one line per step — "up c2c2 del=- ins=c2c2" — ids cut to their first four
 * characters to keep the expectations readable, then "after=...".
 */
static char *
render(void)
{
	struct mig_buf b = MIG_BUF_INIT, ids = MIG_BUF_INIT;
	const char **cut;
	size_t i, j;

	for (i = 0; i < plan.nsteps; i++) {
		const struct mig_step *s = &plan.steps[i];

		mig_buf_printf(&b, "%s %.4s del=", s->dir == MIG_UP ? "up" : "down", s->rev->id);
		cut = mig_xcalloc(s->nheads_del + s->nheads_ins + 1, sizeof(*cut));
		for (j = 0; j < s->nheads_del; j++)
			cut[j] = mig_xstrndup(s->heads_del[j], 4);
		put_ids(&b, cut, s->nheads_del);
		for (j = 0; j < s->nheads_del; j++)
			free((char *)cut[j]);
		mig_buf_puts(&b, " ins=");
		for (j = 0; j < s->nheads_ins; j++)
			cut[j] = mig_xstrndup(s->heads_ins[j], 4);
		put_ids(&b, cut, s->nheads_ins);
		for (j = 0; j < s->nheads_ins; j++)
			free((char *)cut[j]);
		free(cut);
		mig_buf_putc(&b, '\n');
	}
	mig_buf_puts(&b, "after=");
	cut = mig_xcalloc(plan.nheads_after + 1, sizeof(*cut));
	for (j = 0; j < plan.nheads_after; j++)
		cut[j] = mig_xstrndup(plan.heads_after[j], 4);
	put_ids(&b, cut, plan.nheads_after);
	for (j = 0; j < plan.nheads_after; j++)
		free((char *)cut[j]);
	free(cut);
	mig_buf_release(&ids);
	return mig_buf_detach(&b);
}

static bool
in_list(const char *const *list, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], id) == 0)
			return true;
	return false;
}

/* Recomputed from scratch: the heads of the applied set (no applied child through down_revision). */
static void
assert_table_is_heads(const bool *applied, const bool *table)
{
	bool *has_child = mig_xcalloc(g->nrevs + 1, sizeof(bool));
	size_t i, j;

	for (i = 0; i < g->nrevs; i++)
		for (j = 0; j < g->revs[i]->ndown; j++)
			if (applied[i])
				has_child[g->revs[i]->parents[j]->order] = true;
	for (i = 0; i < g->nrevs; i++) {
		bool head = applied[i] && !has_child[i];

		cr_assert(eq(int, table[i], head), "version table %s %s", head ? "lacks" : "has",
		    g->revs[i]->id);
	}
	free(has_child);
}

/* Replays the plan from current (see the comment at the top). */
static void
check_plan(const char *const *current)
{
	bool *applied = NULL, *table = mig_xcalloc(g->nrevs + 1, sizeof(bool));
	size_t i, j, k;

	cr_assert(eq(int, mig_graph_applied(&applied, g, current, count(current)), 0));
	cr_assert(eq(sz, plan.nheads_before, count(current)));
	for (i = 0; i < plan.nheads_before; i++) {
		cr_assert(in_list(current, count(current), plan.heads_before[i]));
		table[mig_graph_find(g, plan.heads_before[i])->order] = true;
	}
	for (i = 0; i < plan.nsteps; i++) {
		const struct mig_step *s = &plan.steps[i];
		const struct mig_rev *r = s->rev;

		if (s->dir == MIG_UP) {
			cr_assert(not(applied[r->order]), "%s applied twice", r->id);
			for (j = 0; j < r->ndown; j++)
				cr_assert(applied[r->parents[j]->order], "%s before its parent", r->id);
			for (j = 0; j < r->ndepends; j++)
				cr_assert(applied[r->deps[j]->order], "%s before its dependency", r->id);
			applied[r->order] = true;
		} else {
			cr_assert(applied[r->order], "%s reverted but not applied", r->id);
			for (k = 0; k < g->nrevs; k++) {
				const struct mig_rev *o = g->revs[k];

				if (!applied[k])
					continue;
				for (j = 0; j < o->ndown; j++)
					cr_assert(o->parents[j] != r, "%s reverted below %s", r->id, o->id);
				for (j = 0; j < o->ndepends; j++)
					cr_assert(o->deps[j] != r, "%s reverted below %s", r->id, o->id);
			}
			applied[r->order] = false;
		}
		for (j = 0; j < s->nheads_del; j++) {
			struct mig_rev *d = mig_graph_find(g, s->heads_del[j]);

			cr_assert(table[d->order], "step %zu deletes %s, not in the table", i, d->id);
			table[d->order] = false;
		}
		for (j = 0; j < s->nheads_ins; j++) {
			struct mig_rev *d = mig_graph_find(g, s->heads_ins[j]);

			cr_assert(not(table[d->order]), "step %zu inserts %s twice", i, d->id);
			table[d->order] = true;
		}
		assert_table_is_heads(applied, table);
	}
	for (i = 0; i < g->nrevs; i++)
		cr_assert(eq(int, table[i], in_list(plan.heads_after, plan.nheads_after, g->revs[i]->id)),
		    "heads_after and the replayed table differ on %s", g->revs[i]->id);
	free(applied);
	free(table);
}

static void
upgrade(const char *const *current, const char *target, const char *expect)
{
	char *got;

	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_upgrade(&plan, g, current, count(current), target), 0), "%s: %s",
	    target ? target : "(null)", mig_error_msg());
	check_plan(current);
	got = render();
	cr_assert(eq(str, got, (char *)expect), "upgrade %s", target ? target : "(null)");
	free(got);
}

static void
downgrade(const char *const *current, const char *target, const char *expect)
{
	char *got;

	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_downgrade(&plan, g, current, count(current), target), 0), "%s: %s",
	    target ? target : "(null)", mig_error_msg());
	check_plan(current);
	got = render();
	cr_assert(eq(str, got, (char *)expect), "downgrade %s", target ? target : "(null)");
	free(got);
}

static void
upgrade_fails(const char *const *current, const char *target, int code, const char *message)
{
	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_upgrade(&plan, g, current, count(current), target), code), "%s: %s",
	    target ? target : "(null)", mig_error_msg());
	cr_assert(eq(str, (char *)mig_error_msg(), (char *)message));
	cr_assert(eq(sz, plan.nsteps, 0));
}

static void
downgrade_fails(const char *const *current, const char *target, int code, const char *message)
{
	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_downgrade(&plan, g, current, count(current), target), code), "%s: %s",
	    target ? target : "(null)", mig_error_msg());
	cr_assert(eq(str, (char *)mig_error_msg(), (char *)message));
	cr_assert(eq(sz, plan.nsteps, 0));
}

#define CUR(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const char *const none[] = { NULL };

/* Upgrades */

Test(plan, linear_upgrade_from_nothing)
{
	load_fixture("graph_linear");
	upgrade(none, "head",
	    "up 1a1a del=- ins=1a1a\n"
	    "up 2b2b del=1a1a ins=2b2b\n"
	    "up 3c3c del=2b2b ins=3c3c\n"
	    "after=3c3c");
	cr_assert(eq(sz, plan.nheads_before, 0));
	cr_assert(eq(int, plan.steps[0].dir, MIG_UP));
	/* No target means head. */
	upgrade(none, NULL,
	    "up 1a1a del=- ins=1a1a\n"
	    "up 2b2b del=1a1a ins=2b2b\n"
	    "up 3c3c del=2b2b ins=3c3c\n"
	    "after=3c3c");
}

Test(plan, linear_upgrade_from_the_middle)
{
	load_fixture("graph_linear");
	upgrade(CUR("2b2b00000002"), NULL, "up 3c3c del=2b2b ins=3c3c\nafter=3c3c");
	cr_assert(eq(sz, plan.nheads_before, 1));
	cr_assert(eq(str, (char *)plan.heads_before[0], "2b2b00000002"));
}

Test(plan, upgrade_to_a_given_revision_or_steps)
{
	load_fixture("graph_linear");
	upgrade(none, "2b2b", "up 1a1a del=- ins=1a1a\nup 2b2b del=1a1a ins=2b2b\nafter=2b2b");
	upgrade(none, "+2", "up 1a1a del=- ins=1a1a\nup 2b2b del=1a1a ins=2b2b\nafter=2b2b");
	upgrade(CUR("1a1a00000001"), "+1", "up 2b2b del=1a1a ins=2b2b\nafter=2b2b");
	upgrade(CUR("1a1a00000001"), "1a1a+2",
	    "up 2b2b del=1a1a ins=2b2b\nup 3c3c del=2b2b ins=3c3c\nafter=3c3c");
	upgrade(CUR("1a1a00000001"), "+0", "after=1a1a");
	upgrade_fails(CUR("2b2b00000002"), "+2", MIG_ENOTFOUND,
	    "cannot resolve '+2': revision '3c3c00000003' is a head, 1 step short");
}

Test(plan, nothing_to_do_is_an_empty_plan)
{
	load_fixture("graph_linear");
	upgrade(CUR("3c3c00000003"), "head", "after=3c3c");
	upgrade(CUR("3c3c00000003"), "1a1a", "after=3c3c");
	upgrade(CUR("2b2b00000002"), "base", "after=2b2b");
	upgrade(none, "base", "after=-");
}

Test(plan, upgrade_heads_applies_every_branch)
{
	load_fixture("graph_branched");
	upgrade(none, "heads",
	    "up b0b0 del=- ins=b0b0\n"
	    "up b1b1 del=b0b0 ins=b1b1\n"
	    "up b2b2 del=- ins=b2b2\n"
	    "up b1b1 del=b1b1 ins=b1b1\n"
	    "after=b2b2 b1b1");
	cr_assert(eq(str, (char *)plan.steps[3].rev->id, "b1b100000011"));
	cr_assert(eq(str, (char *)plan.steps[3].heads_del[0], "b1b100000001"));
	upgrade(CUR("b2b200000002"), "heads",
	    "up b1b1 del=- ins=b1b1\nup b1b1 del=b1b1 ins=b1b1\nafter=b2b2 b1b1");
}

Test(plan, upgrade_head_with_two_heads_is_ambiguous)
{
	load_fixture("graph_branched");
	upgrade_fails(none, "head", MIG_EAMBIGUOUS, "multiple heads, could be: b1b100000011, b2b200000002");
	upgrade_fails(none, NULL, MIG_EAMBIGUOUS, "multiple heads, could be: b1b100000011, b2b200000002");
}

Test(plan, upgrade_one_branch_by_label)
{
	load_fixture("graph_branched");
	upgrade(none, "left@head",
	    "up b0b0 del=- ins=b0b0\nup b1b1 del=b0b0 ins=b1b1\nup b1b1 del=b1b1 ins=b1b1\nafter=b1b1");
	cr_assert(eq(str, (char *)plan.heads_after[0], "b1b100000011"));
	upgrade(CUR("b1b100000011"), "right",
	    "up b2b2 del=- ins=b2b2\nafter=b2b2 b1b1");
}

Test(plan, relative_upgrade_needs_one_current_head)
{
	load_fixture("graph_branched");
	upgrade_fails(CUR("b1b100000001", "b2b200000002"), "+1", MIG_EAMBIGUOUS,
	    "cannot resolve '+1': the database has multiple heads, could be: b1b100000001, b2b200000002 "
	    "(use REV+N)");
	upgrade(CUR("b1b100000001", "b2b200000002"), "b1b100000001+1",
	    "up b1b1 del=b1b1 ins=b1b1\nafter=b2b2 b1b1");
	upgrade_fails(none, "+2", MIG_EAMBIGUOUS,
	    "cannot resolve '+2': revision 'b0b000000000' is a branch point, could be: b1b100000001, "
	    "b2b200000002");
	upgrade(none, "+1", "up b0b0 del=- ins=b0b0\nafter=b0b0");
}

Test(plan, upgrade_to_a_merge_applies_both_branches)
{
	load_fixture("graph_merged");
	upgrade(none, "c3c3",
	    "up c0c0 del=- ins=c0c0\n"
	    "up c1c1 del=c0c0 ins=c1c1\n"
	    "up c2c2 del=- ins=c2c2\n"
	    "up c3c3 del=c1c1 c2c2 ins=c3c3\n"
	    "after=c3c3");
	/* From one branch: the other branch first, then the merge removes both rows. */
	upgrade(CUR("c1c100000001"), "head",
	    "up c2c2 del=- ins=c2c2\n"
	    "up c3c3 del=c1c1 c2c2 ins=c3c3\n"
	    "up c4c4 del=c3c3 ins=c4c4\n"
	    "after=c4c4");
	upgrade(CUR("c1c100000001", "c2c200000002"), "c1c1+1",
	    "up c3c3 del=c1c1 c2c2 ins=c3c3\nafter=c3c3");
}

Test(plan, depends_on_applies_the_other_branch_first)
{
	load_fixture("graph_depends");
	upgrade(none, "data@head",
	    "up d0d0 del=- ins=d0d0\n"
	    "up d1d1 del=d0d0 ins=d1d1\n"
	    "up d2d2 del=d1d1 ins=d2d2\n"
	    "up e1e1 del=- ins=e1e1\n"
	    "after=d2d2 e1e1");
	/* The dependency stays a row: it has no child, only a dependent. */
	upgrade(CUR("d1d100000001"), "e1e1",
	    "up d2d2 del=d1d1 ins=d2d2\nup e1e1 del=- ins=e1e1\nafter=d2d2 e1e1");
	upgrade(CUR("d2d200000002", "e1e100000001"), "heads", "after=d2d2 e1e1");
}

Test(plan, upgrade_normalises_a_redundant_version_table)
{
	load_fixture("graph_linear");
	/* An ancestor listed beside its descendant goes away with the first step. */
	upgrade(CUR("1a1a00000001", "2b2b00000002"), "head", "up 3c3c del=1a1a 2b2b ins=3c3c\nafter=3c3c");
	cr_assert(eq(sz, plan.nheads_before, 2));
}

Test(plan, upgrade_refuses_relative_down)
{
	load_fixture("graph_linear");
	upgrade_fails(CUR("3c3c00000003"), "-1", MIG_EUSAGE, "'-1' goes down; use downgrade");
}

Test(plan, upgrade_of_an_empty_graph_is_empty)
{
	tmp = th_tmpdir();
	cr_assert(eq(int, mig_graph_load(&g, tmp), 0));
	upgrade(none, NULL, "after=-");
	upgrade(none, "heads", "after=-");
}

/* Downgrades */

Test(plan, downgrade_one_step_by_default)
{
	load_fixture("graph_linear");
	downgrade(CUR("3c3c00000003"), NULL, "down 3c3c del=3c3c ins=2b2b\nafter=2b2b");
	cr_assert(eq(int, plan.steps[0].dir, MIG_DOWN));
	downgrade(CUR("3c3c00000003"), "-1", "down 3c3c del=3c3c ins=2b2b\nafter=2b2b");
	downgrade(CUR("3c3c00000003"), "-3",
	    "down 3c3c del=3c3c ins=2b2b\n"
	    "down 2b2b del=2b2b ins=1a1a\n"
	    "down 1a1a del=1a1a ins=-\n"
	    "after=-");
	downgrade(CUR("3c3c00000003"), "-0", "after=3c3c");
}

Test(plan, downgrade_more_than_applied_is_refused)
{
	load_fixture("graph_linear");
	downgrade_fails(CUR("2b2b00000002"), "-3", MIG_EUSAGE, "cannot downgrade 3 revisions: only 2 applied");
	downgrade_fails(none, NULL, MIG_EUSAGE, "cannot downgrade 1 revision: nothing is applied");
}

Test(plan, downgrade_one_step_of_a_merge_restores_both_parents)
{
	load_fixture("graph_merged");
	downgrade(CUR("c3c300000003"), "-1", "down c3c3 del=c3c3 ins=c1c1 c2c2\nafter=c1c1 c2c2");
	downgrade(CUR("c4c400000004"), "-2",
	    "down c4c4 del=c4c4 ins=c3c3\ndown c3c3 del=c3c3 ins=c1c1 c2c2\nafter=c1c1 c2c2");
	/* A third step would have to choose a branch. */
	downgrade_fails(CUR("c4c400000004"), "-3", MIG_EAMBIGUOUS,
	    "cannot downgrade -3: the database has multiple heads, could be: c1c100000001, c2c200000002 "
	    "(name the revision to downgrade to)");
}

Test(plan, relative_downgrade_with_several_heads_is_ambiguous)
{
	load_fixture("graph_branched");
	downgrade_fails(CUR("b1b100000011", "b2b200000002"), NULL, MIG_EAMBIGUOUS,
	    "cannot downgrade -1: the database has multiple heads, could be: b1b100000011, b2b200000002 "
	    "(name the revision to downgrade to)");
}

Test(plan, downgrade_below_a_merge_keeps_the_sibling_branch)
{
	load_fixture("graph_merged");
	downgrade(CUR("c4c400000004"), "c1c1",
	    "down c4c4 del=c4c4 ins=c3c3\n"
	    "down c3c3 del=c3c3 ins=c1c1 c2c2\n"
	    "after=c1c1 c2c2");
	downgrade(CUR("c4c400000004"), "c3c3", "down c4c4 del=c4c4 ins=c3c3\nafter=c3c3");
	downgrade(CUR("c4c400000004"), "c4c4", "after=c4c4");
}

Test(plan, downgrade_one_branch_leaves_the_other)
{
	load_fixture("graph_branched");
	downgrade(CUR("b1b100000011", "b2b200000002"), "left",
	    "down b1b1 del=b1b1 ins=b1b1\nafter=b1b1 b2b2");
	cr_assert(eq(str, (char *)plan.steps[0].rev->id, "b1b100000011"));
	cr_assert(eq(str, (char *)plan.heads_after[0], "b1b100000001"));
	downgrade(CUR("b1b100000011", "b2b200000002"), "b0b0",
	    "down b1b1 del=b1b1 ins=b1b1\n"
	    "down b2b2 del=b2b2 ins=-\n"
	    "down b1b1 del=b1b1 ins=b0b0\n"
	    "after=b0b0");
	/* REV-N is resolved first, then everything above it is reverted. */
	downgrade(CUR("b1b100000011", "b2b200000002"), "left@head-1",
	    "down b1b1 del=b1b1 ins=b1b1\nafter=b1b1 b2b2");
}

Test(plan, downgrade_base_reverts_children_first)
{
	load_fixture("graph_merged");
	downgrade(CUR("c4c400000004"), "base",
	    "down c4c4 del=c4c4 ins=c3c3\n"
	    "down c3c3 del=c3c3 ins=c1c1 c2c2\n"
	    "down c2c2 del=c2c2 ins=-\n"
	    "down c1c1 del=c1c1 ins=c0c0\n"
	    "down c0c0 del=c0c0 ins=-\n"
	    "after=-");
	downgrade(none, "base", "after=-");
}

Test(plan, downgrade_reverts_dependents_too)
{
	load_fixture("graph_depends");
	/* e1 depends on d2, which descends from d1: both go, children and dependents first. */
	downgrade(CUR("d2d200000002", "e1e100000001"), "schema",
	    "down e1e1 del=e1e1 ins=-\n"
	    "down d2d2 del=d2d2 ins=d1d1\n"
	    "after=d1d1");
	downgrade(CUR("d2d200000002", "e1e100000001"), "base",
	    "down e1e1 del=e1e1 ins=-\n"
	    "down d2d2 del=d2d2 ins=d1d1\n"
	    "down d1d1 del=d1d1 ins=d0d0\n"
	    "down d0d0 del=d0d0 ins=-\n"
	    "after=-");
}

Test(plan, downgrade_to_a_revision_not_applied_is_refused)
{
	load_fixture("graph_branched");
	downgrade_fails(CUR("b1b100000011"), "right", MIG_EUSAGE,
	    "revision 'b2b200000002' is not applied; cannot downgrade to it");
	downgrade_fails(CUR("b1b100000011"), "+1", MIG_EUSAGE, "'+1' goes up; use upgrade");
	downgrade_fails(CUR("b1b100000011"), "nope", MIG_ENOTFOUND, "unknown revision 'nope'");
}

Test(plan, unknown_current_revision_is_reported)
{
	bool *applied = (bool *)1;

	load_fixture("graph_linear");
	upgrade_fails(CUR("2b2b00000002", "0000dead0000"), NULL, MIG_ENOTFOUND,
	    "the database is at unknown revision '0000dead0000'");
	downgrade_fails(CUR("0000dead0000"), "base", MIG_ENOTFOUND,
	    "the database is at unknown revision '0000dead0000'");
	cr_assert(eq(int, mig_graph_applied(&applied, g, CUR("0000dead0000"), 1), MIG_ENOTFOUND));
	cr_assert(eq(ptr, applied, NULL));
}

/* Ghosts */

static void
load_with_ghost(void)
{
	const char *down[] = { "3c3c00000003" };
	char *dir = mig_xasprintf("%s/tests/fixtures/graph_linear", th_top());

	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_dir(g, dir), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_graph_add_ghost(g, "9f9f00000009", down, 1, "gone", "DROP TABLE z;"), 0));
	cr_assert(eq(int, mig_graph_finish(g), 0), "%s", mig_error_msg());
	free(dir);
}

Test(plan, an_applied_ghost_can_be_reverted)
{
	load_with_ghost();
	downgrade(CUR("9f9f00000009"), "-1", "down 9f9f del=9f9f ins=3c3c\nafter=3c3c");
	cr_assert(plan.steps[0].rev->ghost);
	cr_assert(eq(str, (char *)plan.steps[0].rev->ghost_down_sql, "DROP TABLE z;"));
}

Test(plan, a_ghost_cannot_be_applied)
{
	load_with_ghost();
	upgrade_fails(CUR("3c3c00000003"), "head", MIG_ENOTFOUND,
	    "revision '9f9f00000009' must be applied but its files are gone (it is known only from the "
	    "database history)");
}

/* Stamp and the applied set */

static char *
stamp(const char *target)
{
	char *got;

	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_stamp(&plan, g, target), 0), "%s: %s", target, mig_error_msg());
	cr_assert(eq(sz, plan.nsteps, 0));
	cr_assert(eq(sz, plan.nheads_before, 0));
	got = render();
	return got;
}

Test(plan, stamp_leaves_the_heads_of_the_target)
{
	char *got;

	load_fixture("graph_depends");
	got = stamp("e1e1");
	cr_assert(eq(str, got, "after=d2d2 e1e1"));
	free(got);
	got = stamp("schema");
	cr_assert(eq(str, got, "after=d1d1"));
	free(got);
	got = stamp("heads");
	cr_assert(eq(str, got, "after=d2d2 e1e1"));
	free(got);
	got = stamp("base");
	cr_assert(eq(str, got, "after=-"));
	free(got);
	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_stamp(&plan, g, "zzzz"), MIG_ENOTFOUND));
	cr_assert(eq(int, mig_plan_stamp(&plan, g, NULL), MIG_EUSAGE));
}

Test(plan, applied_set_is_the_closure_of_the_rows)
{
	bool *applied = NULL;

	load_fixture("graph_merged");
	cr_assert(eq(int, mig_graph_applied(&applied, g, CUR("c3c300000003"), 1), 0));
	cr_assert(applied[mig_graph_find(g, "c0c000000000")->order]);
	cr_assert(applied[mig_graph_find(g, "c1c100000001")->order]);
	cr_assert(applied[mig_graph_find(g, "c2c200000002")->order]);
	cr_assert(applied[mig_graph_find(g, "c3c300000003")->order]);
	cr_assert(not(applied[mig_graph_find(g, "c4c400000004")->order]));
	free(applied);
	cr_assert(eq(int, mig_graph_applied(&applied, g, none, 0), 0));
	cr_assert(not(applied[0]));
	free(applied);
}

/* Scale: plans stay linear; a long history with branches is planned both ways consistently. */
Test(plan, long_history_with_branches_round_trips)
{
	char id[16], parent[16];
	const char *tip[2];
	int i;

	tmp = th_tmpdir();
	for (i = 0; i < 400; i++) {
		snprintf(id, sizeof(id), "r%011d", i);
		snprintf(parent, sizeof(parent), "r%011d", i < 2 ? 0 : i - 2);
		if (i == 0) {
			write_rev(tmp, id, NULL, NULL);
		} else if (i % 50 == 0) {
			char *both = mig_xasprintf("r%011d r%011d", i - 1, i - 2);

			write_rev(tmp, id, both, NULL);
			free(both);
		} else {
			write_rev(tmp, id, parent, NULL);
		}
	}
	cr_assert(eq(int, mig_graph_load(&g, tmp), 0), "%s", mig_error_msg());
	mig_plan_release(&plan);
	cr_assert(eq(int, mig_plan_upgrade(&plan, g, none, 0, "heads"), 0), "%s", mig_error_msg());
	check_plan(none);
	cr_assert(eq(sz, plan.nsteps, 400));
	cr_assert(eq(sz, plan.nheads_after, 2));
	tip[0] = plan.heads_after[0];
	tip[1] = plan.heads_after[1];
	{
		const char *cur[] = { tip[0], tip[1], NULL };

		mig_plan_release(&plan);
		cr_assert(eq(int, mig_plan_downgrade(&plan, g, cur, 2, "base"), 0), "%s", mig_error_msg());
		check_plan(cur);
		cr_assert(eq(sz, plan.nsteps, 400));
		cr_assert(eq(sz, plan.nheads_after, 0));
		mig_plan_release(&plan);
		cr_assert(eq(int, mig_plan_downgrade(&plan, g, cur, 2, "r00000000200"), 0), "%s",
		    mig_error_msg());
		check_plan(cur);
	}
}
