/*
 * test_graph.c — the revision graph: loading versions directories (the fixtures under
 * tests/fixtures/graph_*), each loading error with the file it names, ghosts, the topological
 * order, branch points, ancestry, and resolving what users type (ids, prefixes, head, labels,
 * LABEL@head, +N / -N).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "rev.h"
#include "util.h"

static struct mig_graph *g;
static char *tmp;

static void
setup(void)
{
	g = NULL;
	tmp = NULL;
	mig_error_clear();
}

static void
teardown(void)
{
	mig_graph_free(g);
	g = NULL;
	if (tmp)
		th_rmtree(tmp);
	free(tmp);
	tmp = NULL;
}

TestSuite(graph, .init = setup, .fini = teardown);
TestSuite(resolve, .init = setup, .fini = teardown);

static char *
fixture(const char *name)
{
	return mig_xasprintf("%s/tests/fixtures/%s", th_top(), name);
}

static int
load_fixture(const char *name)
{
	char *dir = fixture(name);
	int rc = mig_graph_load(&g, dir);

	free(dir);
	return rc;
}

static void
must_load_fixture(const char *name)
{
	cr_assert(eq(int, load_fixture(name), 0), "%s: %s", name, mig_error_msg());
}

/* Writes the two files of a revision into dir; extra holds more header lines (may be NULL). */
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

static void
load_tmp(void)
{
	cr_assert(eq(int, mig_graph_load(&g, tmp), 0), "%s", mig_error_msg());
}

static struct mig_rev *
rev(const char *id)
{
	struct mig_rev *r = mig_graph_find(g, id);

	cr_assert(not(eq(ptr, r, NULL)), "no revision %s", id);
	return r;
}

static void
assert_topological(void)
{
	size_t i, j;

	for (i = 0; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		cr_assert(eq(sz, r->order, i));
		for (j = 0; j < r->ndown; j++)
			cr_assert(lt(sz, r->parents[j]->order, i), "%s before its parent", r->id);
		for (j = 0; j < r->ndepends; j++)
			cr_assert(lt(sz, r->deps[j]->order, i), "%s before its dependency", r->id);
	}
}

/* Loading */

Test(graph, loads_a_linear_history)
{
	must_load_fixture("graph_linear");
	cr_assert(eq(sz, g->nrevs, 3));
	cr_assert(eq(str, (char *)g->revs[0]->id, "1a1a00000001"));
	cr_assert(eq(str, (char *)g->revs[1]->id, "2b2b00000002"));
	cr_assert(eq(str, (char *)g->revs[2]->id, "3c3c00000003"));
	cr_assert(eq(sz, g->nheads, 1));
	cr_assert(eq(ptr, g->heads[0], g->revs[2]));
	cr_assert(eq(ptr, rev("2b2b00000002")->parents[0], rev("1a1a00000001")));
	cr_assert(eq(sz, rev("1a1a00000001")->nchildren, 1));
	cr_assert(eq(ptr, rev("1a1a00000001")->children[0], rev("2b2b00000002")));
	cr_assert(eq(str, (char *)rev("2b2b00000002")->message, "add posts"));
	cr_assert(eq(str, (char *)rev("2b2b00000002")->created, "2026-01-01T00:00:02Z"));
	cr_assert(mig_str_endswith(rev("2b2b00000002")->up_path,
	    "tests/fixtures/graph_linear/2b2b00000002_add_posts.up.sql"));
	cr_assert(mig_str_endswith(rev("2b2b00000002")->down_path,
	    "tests/fixtures/graph_linear/2b2b00000002_add_posts.down.sql"));
	cr_assert(not(rev("2b2b00000002")->ghost));
	assert_topological();
}

Test(graph, ignores_files_that_are_not_revisions)
{
	tmp = th_tmpdir();
	write_rev(tmp, "aaaa00000001", NULL, NULL);
	th_write(tmp, "README", "not a revision\n");
	th_write(tmp, ".hidden.up.sql", "garbage\n");
	th_write(tmp, ".hidden.down.sql", "garbage\n");
	th_write(tmp, "aaaa00000001_rev.up.sql~", "editor backup\n");
	th_write(tmp, "aaaa00000001_rev.up.sql.swp", "editor swap\n");
	th_write(tmp, "notes.sql", "garbage\n");
	th_write(tmp, "sub.up.sql/inner.txt", "a directory whose name looks like a revision\n");
	load_tmp();
	cr_assert(eq(sz, g->nrevs, 1));
	cr_assert(eq(str, (char *)g->revs[0]->id, "aaaa00000001"));
}

Test(graph, empty_directory_is_an_empty_graph)
{
	struct mig_rev *r = NULL;

	tmp = th_tmpdir();
	load_tmp();
	cr_assert(eq(sz, g->nrevs, 0));
	cr_assert(eq(sz, g->nheads, 0));
	cr_assert(eq(int, mig_graph_resolve(&r, g, "head"), MIG_ENOTFOUND));
}

Test(graph, missing_directory_is_not_found)
{
	cr_assert(eq(int, load_fixture("graph_no_such_dir"), MIG_ENOTFOUND));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "graph_no_such_dir: cannot open directory"), NULL)),
	    "%s", mig_error_msg());
	cr_assert(eq(ptr, g, NULL));
}

Test(graph, loads_branches_with_two_heads)
{
	struct mig_rev **bp = NULL;
	size_t n;

	must_load_fixture("graph_branched");
	cr_assert(eq(sz, g->nrevs, 4));
	assert_topological();
	/* Siblings are ordered by their created time, not their ids or file names. */
	cr_assert(eq(str, (char *)g->revs[1]->id, "b1b100000001"));
	cr_assert(eq(str, (char *)g->revs[2]->id, "b2b200000002"));
	cr_assert(eq(str, (char *)g->revs[3]->id, "b1b100000011"));
	cr_assert(eq(sz, g->nheads, 2));
	cr_assert(eq(str, (char *)g->heads[0]->id, "b2b200000002"));
	cr_assert(eq(str, (char *)g->heads[1]->id, "b1b100000011"));
	n = mig_graph_branch_points(g, &bp);
	cr_assert(eq(sz, n, 1));
	cr_assert(eq(str, (char *)bp[0]->id, "b0b000000000"));
	cr_assert(eq(sz, bp[0]->nchildren, 2));
	cr_assert(eq(ptr, bp[0]->children[0], rev("b1b100000001")));
	cr_assert(eq(ptr, bp[0]->children[1], rev("b2b200000002")));
	free(bp);
	cr_assert(eq(sz, rev("b1b100000001")->nlabels, 1));
	cr_assert(eq(str, (char *)rev("b1b100000001")->labels[0], "left"));
}

Test(graph, loads_a_merge)
{
	struct mig_rev *m;

	must_load_fixture("graph_merged");
	assert_topological();
	m = rev("c3c300000003");
	cr_assert(eq(sz, m->ndown, 2));
	cr_assert(eq(ptr, m->parents[0], rev("c1c100000001")));
	cr_assert(eq(ptr, m->parents[1], rev("c2c200000002")));
	cr_assert(eq(ptr, rev("c1c100000001")->children[0], m));
	cr_assert(eq(ptr, rev("c2c200000002")->children[0], m));
	cr_assert(eq(sz, g->nheads, 1));
	cr_assert(eq(str, (char *)g->heads[0]->id, "c4c400000004"));
}

Test(graph, depends_on_orders_without_making_a_child)
{
	struct mig_rev *e1;

	must_load_fixture("graph_depends");
	assert_topological();
	e1 = rev("e1e100000001");
	cr_assert(eq(sz, e1->ndepends, 1));
	cr_assert(eq(ptr, e1->deps[0], rev("d2d200000002")));
	/* e1 was written before d2 but needs it, so it comes after. */
	cr_assert(eq(str, (char *)g->revs[2]->id, "d2d200000002"));
	cr_assert(eq(str, (char *)g->revs[3]->id, "e1e100000001"));
	/* A revision that is only depended upon has no child and stays a head (as in Alembic). */
	cr_assert(eq(sz, rev("d2d200000002")->nchildren, 0));
	cr_assert(eq(sz, g->nheads, 2));
	cr_assert(eq(ptr, g->heads[0], rev("d2d200000002")));
	cr_assert(eq(ptr, g->heads[1], e1));
	cr_assert(eq(sz, rev("d0d000000000")->nchildren, 2));
}

Test(graph, depends_on_may_name_a_branch_label)
{
	tmp = th_tmpdir();
	write_rev(tmp, "aaaa00000001", NULL, "-- mig:branch_labels schema");
	write_rev(tmp, "bbbb00000002", NULL, "-- mig:depends_on schema");
	load_tmp();
	cr_assert(eq(ptr, rev("bbbb00000002")->deps[0], rev("aaaa00000001")));
}

Test(graph, order_is_created_then_id)
{
	tmp = th_tmpdir();
	write_rev(tmp, "0000base0000", NULL, "-- mig:created 2026-01-01T00:00:00Z");
	write_rev(tmp, "aaaa00000001", "0000base0000", "-- mig:created 2026-01-03T00:00:00Z");
	write_rev(tmp, "zzzz00000002", "0000base0000", "-- mig:created 2026-01-02T00:00:00Z");
	write_rev(tmp, "mmmm00000003", "0000base0000", "-- mig:created 2026-01-02T00:00:00Z");
	load_tmp();
	cr_assert(eq(str, (char *)g->revs[1]->id, "mmmm00000003"));
	cr_assert(eq(str, (char *)g->revs[2]->id, "zzzz00000002"));
	cr_assert(eq(str, (char *)g->revs[3]->id, "aaaa00000001"));
}

struct bad_dir {
	char fixture[48];
	int code;
	char message[200];
};

ParameterizedTestParameters(graph, rejects_fixture)
{
	static struct bad_dir cases[] = {
		{ "graph_err_duplicate_id", MIG_EPARSE,
		    "graph_err_duplicate_id/aaaa00000001_second.up.sql: duplicate revision id 'aaaa00000001' "
		    "(also in " },
		{ "graph_err_missing_parent", MIG_ENOTFOUND,
		    "graph_err_missing_parent/f1f100000001_orphan.up.sql: down_revision 'deadbeef0000' not found" },
		{ "graph_err_missing_depends", MIG_ENOTFOUND,
		    "graph_err_missing_depends/f1f100000001_needs_gone.up.sql: depends_on 'cafe00000000' not found" },
		{ "graph_err_cycle", MIG_EPARSE,
		    "cycle between revisions 1c1c00000001, 2c2c00000002, 3c3c00000003" },
		{ "graph_err_up_without_down", MIG_EPARSE,
		    "graph_err_up_without_down/a1a100000001_lonely.up.sql: up file without its down file "
		    "'a1a100000001_lonely.down.sql'" },
		{ "graph_err_down_without_up", MIG_EPARSE,
		    "graph_err_down_without_up/a1a100000001_lonely.down.sql: down file without its up file "
		    "'a1a100000001_lonely.up.sql'" },
		{ "graph_err_malformed_header", MIG_EPARSE,
		    "graph_err_malformed_header/a1a100000001_typo.up.sql:2: unknown header key 'revison'" },
	};

	return cr_make_param_array(struct bad_dir, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_dir *c, graph, rejects_fixture, .init = setup, .fini = teardown)
{
	cr_assert(eq(int, load_fixture(c->fixture), c->code), "%s: %s", c->fixture, mig_error_msg());
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), c->message), NULL)), "%s: got '%s'", c->fixture,
	    mig_error_msg());
	cr_assert(eq(ptr, g, NULL));
}

Test(graph, duplicate_id_names_both_files)
{
	cr_assert(eq(int, load_fixture("graph_err_duplicate_id"), MIG_EPARSE));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "aaaa00000001_first.up.sql"), NULL)));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "aaaa00000001_second.up.sql"), NULL)));
}

Test(graph, cycle_is_named_even_with_a_self_loop)
{
	tmp = th_tmpdir();
	write_rev(tmp, "aaaa00000001", NULL, NULL);
	write_rev(tmp, "self00000001", "self00000001", NULL);
	cr_assert(eq(int, mig_graph_load(&g, tmp), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "cycle between revisions self00000001"));
}

Test(graph, cycle_through_depends_on)
{
	tmp = th_tmpdir();
	write_rev(tmp, "aaaa00000001", NULL, "-- mig:depends_on bbbb00000002");
	write_rev(tmp, "bbbb00000002", "aaaa00000001", NULL);
	cr_assert(eq(int, mig_graph_load(&g, tmp), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "cycle between revisions aaaa00000001, bbbb00000002"));
}

Test(graph, rejects_a_branch_label_used_twice)
{
	tmp = th_tmpdir();
	write_rev(tmp, "aaaa00000001", NULL, "-- mig:branch_labels shared");
	write_rev(tmp, "bbbb00000002", NULL, "-- mig:branch_labels shared");
	cr_assert(eq(int, mig_graph_load(&g, tmp), MIG_EPARSE));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "branch label 'shared' is already used by revision"),
	    NULL)), "%s", mig_error_msg());
}

Test(graph, reads_only_the_header)
{
	struct mig_buf b = MIG_BUF_INIT;
	int i;

	/* A body that is not valid UTF-8 nor header matters not; a huge one must not be needed. */
	tmp = th_tmpdir();
	mig_buf_puts(&b, "-- mig:revision aaaa00000001\n-- mig:message big\n\n");
	for (i = 0; i < 200000; i++)
		mig_buf_puts(&b, "INSERT INTO t VALUES (1); -- mig:bogus in the body\n");
	th_write(tmp, "aaaa00000001_big.up.sql", b.ptr);
	th_write(tmp, "aaaa00000001_big.down.sql", "-- mig:revision aaaa00000001\n");
	mig_buf_release(&b);
	load_tmp();
	cr_assert(eq(str, (char *)rev("aaaa00000001")->message, "big"));
}

Test(graph, header_may_span_several_reads)
{
	struct mig_buf b = MIG_BUF_INIT;
	int i;

	tmp = th_tmpdir();
	for (i = 0; i < 300; i++)
		mig_buf_puts(&b, "-- a long hand-written comment above the header, line after line\n");
	mig_buf_puts(&b, "-- mig:revision aaaa00000001\n-- mig:message late\nSELECT 1;\n");
	th_write(tmp, "aaaa00000001_late.up.sql", b.ptr);
	th_write(tmp, "aaaa00000001_late.down.sql", "-- mig:revision aaaa00000001");
	mig_buf_release(&b);
	load_tmp();
	cr_assert(eq(str, (char *)rev("aaaa00000001")->message, "late"));
}

/*
 * Large directories are read by several threads; the result and the error reported must not
 * depend on them.
 */
Test(graph, loads_a_large_directory_deterministically)
{
	char id[16], parent[16];
	int i;

	tmp = th_tmpdir();
	for (i = 0; i < 1200; i++) {
		snprintf(id, sizeof(id), "r%011d", i);
		/* Every tenth revision starts a side branch from a few back; every 25th merges two. */
		if (i == 0) {
			write_rev(tmp, id, NULL, NULL);
			continue;
		}
		snprintf(parent, sizeof(parent), "r%011d", i % 10 == 0 && i > 5 ? i - 5 : i - 1);
		if (i % 25 == 0) {
			char *both = mig_xasprintf("%s r%011d", parent, i - 3);

			write_rev(tmp, id, both, NULL);
			free(both);
		} else {
			write_rev(tmp, id, parent, NULL);
		}
	}
	load_tmp();
	cr_assert(eq(sz, g->nrevs, 1200));
	assert_topological();
	mig_graph_free(g);
	g = NULL;

	/* Two broken files: the one first in name order is reported, every time. */
	th_write(tmp, "r00000000700_rev.up.sql", "-- mig:revision r00000000700\n-- mig:bogus x\n");
	th_write(tmp, "r00000000900_rev.up.sql", "-- mig:revison r00000000900\n");
	for (i = 0; i < 5; i++) {
		cr_assert(eq(int, mig_graph_load(&g, tmp), MIG_EPARSE));
		cr_assert(not(eq(ptr, strstr(mig_error_msg(), "r00000000700_rev.up.sql:2"), NULL)), "%s",
		    mig_error_msg());
	}
}

/* Ghosts */

Test(graph, ghost_stands_for_a_revision_whose_files_are_gone)
{
	const char *down[] = { "3c3c00000003" };
	char *dir = fixture("graph_linear");
	struct mig_rev *gh;

	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_dir(g, dir), 0), "%s", mig_error_msg());
	free(dir);
	cr_assert(eq(int, mig_graph_add_ghost(g, "9f9f00000009", down, 1, "dropped later",
	    "DROP TABLE gone;"), 0), "%s", mig_error_msg());
	cr_assert(eq(int, mig_graph_finish(g), 0), "%s", mig_error_msg());
	gh = rev("9f9f00000009");
	cr_assert(gh->ghost);
	cr_assert(eq(ptr, (void *)gh->up_path, NULL));
	cr_assert(eq(ptr, (void *)gh->down_path, NULL));
	cr_assert(eq(str, (char *)gh->ghost_down_sql, "DROP TABLE gone;"));
	cr_assert(eq(str, (char *)gh->message, "dropped later"));
	cr_assert(eq(ptr, gh->parents[0], rev("3c3c00000003")));
	cr_assert(eq(sz, g->nheads, 1));
	cr_assert(eq(ptr, g->heads[0], gh));
	assert_topological();
}

Test(graph, files_win_over_a_ghost_with_the_same_id)
{
	char *dir = fixture("graph_linear");

	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_dir(g, dir), 0));
	free(dir);
	cr_assert(eq(int, mig_graph_add_ghost(g, "2b2b00000002", NULL, 0, "stale", "DROP x;"), 0));
	cr_assert(eq(int, mig_graph_finish(g), 0));
	cr_assert(eq(sz, g->nrevs, 3));
	cr_assert(not(rev("2b2b00000002")->ghost));
	cr_assert(eq(str, (char *)rev("2b2b00000002")->message, "add posts"));
}

Test(graph, ghost_with_a_missing_parent_is_reported)
{
	const char *down[] = { "0000gone0000" };

	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_ghost(g, "9f9f00000009", down, 1, NULL, NULL), 0));
	cr_assert(eq(int, mig_graph_finish(g), MIG_ENOTFOUND));
	cr_assert(eq(str, (char *)mig_error_msg(), "revision '9f9f00000009' (known from the database "
	    "history): down_revision '0000gone0000' not found"));
}

Test(graph, ghost_with_an_invalid_id_is_refused)
{
	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_ghost(g, "not valid", NULL, 0, NULL, NULL), MIG_EPARSE));
}

/* Ancestry */

Test(graph, is_ancestor_follows_both_edge_kinds)
{
	must_load_fixture("graph_depends");
	cr_assert(mig_graph_is_ancestor(g, rev("d0d000000000"), rev("d2d200000002")));
	cr_assert(mig_graph_is_ancestor(g, rev("d2d200000002"), rev("d2d200000002")));
	cr_assert(mig_graph_is_ancestor(g, rev("d2d200000002"), rev("e1e100000001")));
	cr_assert(mig_graph_is_ancestor(g, rev("d1d100000001"), rev("e1e100000001")));
	cr_assert(not(mig_graph_is_ancestor(g, rev("e1e100000001"), rev("d2d200000002"))));
	cr_assert(not(mig_graph_is_ancestor(g, rev("d2d200000002"), rev("d1d100000001"))));
}

Test(graph, branch_ancestry_ignores_depends_on)
{
	must_load_fixture("graph_depends");
	/* e1 depends on d2 but branches from d0: d2 is on another branch. */
	cr_assert(not(mig_graph_is_branch_ancestor(g, rev("d2d200000002"), rev("e1e100000001"))));
	cr_assert(mig_graph_is_branch_ancestor(g, rev("d0d000000000"), rev("e1e100000001")));
	cr_assert(mig_graph_is_branch_ancestor(g, rev("d1d100000001"), rev("d2d200000002")));
}

Test(graph, siblings_are_not_ancestors)
{
	must_load_fixture("graph_branched");
	cr_assert(not(mig_graph_is_ancestor(g, rev("b1b100000001"), rev("b2b200000002"))));
	cr_assert(not(mig_graph_is_ancestor(g, rev("b2b200000002"), rev("b1b100000011"))));
	cr_assert(mig_graph_is_ancestor(g, rev("b1b100000001"), rev("b1b100000011")));
}

/* Resolution */

static void
assert_resolves(const char *spec, const char *id)
{
	struct mig_rev *r = NULL;
	int rc = mig_graph_resolve(&r, g, spec);

	cr_assert(eq(int, rc, 0), "%s: %s", spec, mig_error_msg());
	cr_assert(eq(str, (char *)r->id, (char *)id), "%s", spec);
}

static void
assert_fails(const char *spec, int code, const char *message)
{
	struct mig_rev *r = (struct mig_rev *)1;

	cr_assert(eq(int, mig_graph_resolve(&r, g, spec), code), "%s: %s", spec, mig_error_msg());
	cr_assert(eq(ptr, r, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), (char *)message), "%s", spec);
}

Test(resolve, full_id_and_unique_prefix)
{
	must_load_fixture("graph_linear");
	assert_resolves("2b2b00000002", "2b2b00000002");
	assert_resolves("2b2b", "2b2b00000002");
	assert_resolves("3c3c0000", "3c3c00000003");
}

Test(resolve, prefix_shorter_than_four_is_unknown)
{
	must_load_fixture("graph_linear");
	assert_fails("2b2", MIG_ENOTFOUND, "unknown revision '2b2'");
	assert_fails("ffff", MIG_ENOTFOUND, "unknown revision 'ffff'");
	assert_fails("2b2b00000002x", MIG_ENOTFOUND, "unknown revision '2b2b00000002x'");
}

Test(resolve, short_full_id_resolves)
{
	tmp = th_tmpdir();
	write_rev(tmp, "ab", NULL, NULL);
	write_rev(tmp, "abcd1", "ab", NULL);
	load_tmp();
	assert_resolves("ab", "ab");
	assert_resolves("abcd", "abcd1");
}

Test(resolve, ambiguous_prefix_lists_candidates_sorted)
{
	tmp = th_tmpdir();
	write_rev(tmp, "ab12d00d0002", NULL, NULL);
	write_rev(tmp, "ab12c0ffee01", "ab12d00d0002", NULL);
	write_rev(tmp, "ab13aaaaaaaa", "ab12c0ffee01", NULL);
	load_tmp();
	assert_fails("ab12", MIG_EAMBIGUOUS,
	    "ambiguous revision 'ab12', could be: ab12c0ffee01, ab12d00d0002");
	assert_resolves("ab12c", "ab12c0ffee01");
	assert_resolves("ab13", "ab13aaaaaaaa");
}

Test(resolve, head_of_a_single_head_graph)
{
	must_load_fixture("graph_linear");
	assert_resolves("head", "3c3c00000003");
}

Test(resolve, head_with_two_heads_is_ambiguous)
{
	must_load_fixture("graph_branched");
	assert_fails("head", MIG_EAMBIGUOUS, "multiple heads, could be: b1b100000011, b2b200000002");
}

Test(resolve, branch_label_and_label_at_head)
{
	must_load_fixture("graph_branched");
	assert_resolves("left", "b1b100000001");
	assert_resolves("right", "b2b200000002");
	assert_resolves("left@head", "b1b100000011");
	assert_resolves("right@head", "b2b200000002");
	assert_resolves("b1b100000001@head", "b1b100000011");
	assert_fails("b0b0@head", MIG_EAMBIGUOUS,
	    "'b0b0@head' has multiple heads, could be: b1b100000011, b2b200000002");
	assert_fails("nolabel@head", MIG_ENOTFOUND, "unknown revision 'nolabel'");
}

Test(resolve, relative_steps_up_and_down)
{
	must_load_fixture("graph_linear");
	assert_resolves("1a1a00000001+1", "2b2b00000002");
	assert_resolves("1a1a+2", "3c3c00000003");
	assert_resolves("3c3c00000003-2", "1a1a00000001");
	assert_resolves("head-1", "2b2b00000002");
	assert_resolves("head-0", "3c3c00000003");
	assert_fails("1a1a+3", MIG_ENOTFOUND,
	    "cannot resolve '1a1a+3': revision '3c3c00000003' is a head, 1 step short");
	assert_fails("2b2b-4", MIG_ENOTFOUND,
	    "cannot resolve '2b2b-4': revision '1a1a00000001' is a base, 3 steps short");
}

Test(resolve, relative_steps_stop_at_forks)
{
	must_load_fixture("graph_merged");
	assert_fails("c0c0+1", MIG_EAMBIGUOUS,
	    "cannot resolve 'c0c0+1': revision 'c0c000000000' is a branch point, could be: "
	    "c1c100000001, c2c200000002");
	assert_fails("c4c4-2", MIG_EAMBIGUOUS,
	    "cannot resolve 'c4c4-2': revision 'c3c300000003' is a merge, could be: "
	    "c1c100000001, c2c200000002");
	assert_resolves("c1c1+2", "c4c400000004");
	assert_resolves("c4c4-1", "c3c300000003");
}

Test(resolve, label_with_relative_steps)
{
	must_load_fixture("graph_branched");
	assert_resolves("left+1", "b1b100000011");
	assert_resolves("left@head-1", "b1b100000001");
	assert_resolves("right-1", "b0b000000000");
}

Test(resolve, an_id_that_looks_relative_is_taken_as_the_id)
{
	tmp = th_tmpdir();
	write_rev(tmp, "fix", NULL, NULL);
	write_rev(tmp, "fix-2", "fix", NULL);
	write_rev(tmp, "fix-3", "fix-2", NULL);
	load_tmp();
	assert_resolves("fix-2", "fix-2");
	assert_resolves("fix-3-1", "fix-2");
	assert_resolves("fix+2", "fix-3");
}

Test(resolve, words_that_are_not_one_revision)
{
	must_load_fixture("graph_linear");
	assert_fails("base", MIG_EUSAGE, "'base' is the empty state, not a revision");
	assert_fails("heads", MIG_EUSAGE, "'heads' names every head, not one revision");
	assert_fails("+1", MIG_EUSAGE,
	    "'+1' is relative to the database's revision and cannot be used here");
	assert_fails("", MIG_ENOTFOUND, "empty revision");
}

Test(resolve, ghosts_resolve_like_revisions)
{
	const char *down[] = { "3c3c00000003" };
	char *dir = fixture("graph_linear");

	g = mig_graph_new();
	cr_assert(eq(int, mig_graph_add_dir(g, dir), 0));
	free(dir);
	cr_assert(eq(int, mig_graph_add_ghost(g, "9f9f00000009", down, 1, NULL, NULL), 0));
	cr_assert(eq(int, mig_graph_finish(g), 0));
	assert_resolves("9f9f", "9f9f00000009");
	assert_resolves("head", "9f9f00000009");
	assert_resolves("head-1", "3c3c00000003");
}

/* Down files are paired by name; their header is checked when they are read (mig_rev_check_down). */
Test(graph, checks_a_down_file_header_when_it_is_read, .init = setup, .fini = teardown)
{
	struct mig_buf text = MIG_BUF_INIT;
	struct mig_rev *r;
	char *path;

	cr_assert(eq(int, load_fixture("graph_err_down_mismatch"), 0), "%s", mig_error_msg());
	r = mig_graph_find(g, "a1a100000001");
	cr_assert(not(eq(ptr, r, NULL)));
	path = mig_xstrdup(r->down_path);
	cr_assert(eq(int, mig_file_read(&text, path, 0), 0));
	cr_assert(eq(int, mig_rev_check_down(r, text.ptr, text.len, path), MIG_EPARSE));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "'-- mig:revision a0a000000000' does not match revision "
	    "'a1a100000001'"), NULL)), "%s", mig_error_msg());
	mig_buf_release(&text);
	free(path);
}
