/*
 * test_cli_commands.c — the reading commands and the revision options, end to end: history ranges,
 * heads, branches, show, current, labels, depends_on, fixed ids, help and version, and the errors
 * that list candidates.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "util.h"

static char *dir;
static char *db;
static const char *env[] = { NULL, NULL };
static char env_url[512];

static struct th_run
run(int want, ...)
{
	const char *argv[16];
	struct mig_buf cmd = MIG_BUF_INIT;
	struct th_run r;
	size_t n = 0;
	va_list ap;

	va_start(ap, want);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		mig_buf_printf(&cmd, " %s", argv[n++]);
	va_end(ap);
	argv[n] = NULL;
	r = th_migv(dir, env, argv);
	cr_assert_eq(r.status, want, "mig%s: exit %d, want %d\nstdout: %s\nstderr: %s", cmd.ptr, r.status, want,
	    r.out, r.err);
	mig_buf_release(&cmd);
	return r;
}

#define RUN(want, ...) run(want, __VA_ARGS__, (const char *)NULL)

/*
 * a (base) -> b                      (head)
 *   \-> c [label feature] -> d       (head; d depends on b)
 */
static void
setup(void)
{
	struct th_run r;

	dir = th_tmpdir();
	db = mig_path_join(dir, "app.db");
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=sqlite:///%s", db);
	env[0] = env_url;
	r = RUN(0, "init");
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "a", "--rev-id", "aaaa00000001");
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "b", "--rev-id", "bbbb00000002");
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "c", "--head", "aaaa00000001", "--branch-label", "feature", "--rev-id",
	    "cccc00000003");
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "d", "--head", "feature@head", "--depends-on", "bbbb", "--rev-id",
	    "dddd00000004");
	th_run_free(&r);
}

static void
teardown(void)
{
	th_rmtree(dir);
	free(dir);
	free(db);
}

TestSuite(cli_commands, .init = setup, .fini = teardown);

Test(cli_commands, history_lists_newest_first_with_marks)
{
	struct th_run r = RUN(0, "history");

	cr_assert_str_eq(r.out,
	    "cccc00000003 -> dddd00000004 (head), d\n"
	    "aaaa00000001 -> cccc00000003 (feature), c\n"
	    "aaaa00000001 -> bbbb00000002 (head), b\n"
	    "<base> -> aaaa00000001 (branchpoint), a\n");
	th_run_free(&r);
}

Test(cli_commands, history_range_follows_the_branch)
{
	struct th_run r = RUN(0, "history", "-r", "aaaa00000001:feature@head");

	cr_assert_str_eq(r.out,
	    "cccc00000003 -> dddd00000004 (head), d\n"
	    "aaaa00000001 -> cccc00000003 (feature), c\n"
	    "<base> -> aaaa00000001 (branchpoint), a\n");
	th_run_free(&r);
	r = RUN(0, "history", "-r", "cccc:");
	cr_assert_str_eq(r.out,
	    "cccc00000003 -> dddd00000004 (head), d\n"
	    "aaaa00000001 -> cccc00000003 (feature), c\n");
	th_run_free(&r);
	r = RUN(2, "history", "-r", "nothing");
	th_run_free(&r);
}

Test(cli_commands, heads_branches_and_show)
{
	struct th_run r = RUN(0, "heads");

	cr_assert_str_eq(r.out, "bbbb00000002 (head)\ndddd00000004 (head)\n");
	th_run_free(&r);
	r = RUN(0, "branches");
	cr_assert_str_eq(r.out, "aaaa00000001 (branchpoint)\n"
	    "             -> bbbb00000002 (head), b\n"
	    "             -> cccc00000003, c\n");
	th_run_free(&r);
	r = RUN(0, "show", "dddd");
	cr_assert(strstr(r.out, "Rev: dddd00000004 (head)\n") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "Depends on: bbbb00000002\n") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "-- mig:depends_on bbbb00000002\n") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "dddd00000004_d.down.sql <==") != NULL, "%s", r.out);
	th_run_free(&r);
}

Test(cli_commands, label_head_upgrade_applies_the_dependency_first)
{
	struct th_run r = RUN(0, "upgrade", "feature@head");
	char *s;

	cr_assert_str_eq(r.err,
	    "Running upgrade  -> aaaa00000001, a\n"
	    "Running upgrade aaaa00000001 -> bbbb00000002, b\n"
	    "Running upgrade aaaa00000001 -> cccc00000003, c\n"
	    "Running upgrade cccc00000003 -> dddd00000004, d\n");
	th_run_free(&r);
	/* b is a head of its own branch: it keeps its own row. */
	s = th_sqlite(db, "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM mig_version ORDER BY 1)");
	cr_assert_str_eq(s, "bbbb00000002,dddd00000004");
	free(s);
	r = RUN(0, "current");
	cr_assert_str_eq(r.out, "bbbb00000002 (head)\ndddd00000004 (head)\n");
	th_run_free(&r);
	r = RUN(0, "current", "-v");
	cr_assert(strstr(r.out, "Applied: ") != NULL, "%s", r.out);
	th_run_free(&r);
}

/*
 * The reading commands ask the history only for what they show: ghosts (applied revisions whose
 * files are gone) and, for `current`, revisions that failed outside a transaction, whether their
 * files are there or not; with -v, every row's "Applied:" line.
 */
Test(cli_commands, reading_commands_show_ghosts_and_failed_revisions)
{
	struct th_run r = RUN(0, "upgrade", "heads");
	char *cmd, *s;

	th_run_free(&r);
	cmd = mig_xasprintf("rm %s/migrations/versions/dddd00000004_*", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	s = th_sqlite(db, "UPDATE mig_version_history SET kind = 'failed' WHERE revision = 'bbbb00000002'");
	free(s);
	s = th_sqlite(db, "INSERT INTO mig_version_history SELECT 'ffff00000006', 'aaaa00000001', 'gone', "
	    "up_sha256, down_sha256, NULL, '2026-01-02T03:04:05Z', 1.5, mig_version, 'failed', 99 "
	    "FROM mig_version_history WHERE revision = 'aaaa00000001'");
	free(s);
	r = RUN(0, "history");
	cr_assert_str_eq(r.out,
	    "cccc00000003 -> dddd00000004 (head) (current) (files missing), d\n"
	    "aaaa00000001 -> cccc00000003 (feature), c\n"
	    "aaaa00000001 -> bbbb00000002 (head) (current), b\n"
	    "aaaa00000001 -> ffff00000006 (head) (files missing), gone\n"
	    "<base> -> aaaa00000001 (branchpoint), a\n");
	th_run_free(&r);
	r = RUN(0, "heads");
	cr_assert_str_eq(r.out, "ffff00000006 (head)\nbbbb00000002 (head) (current)\ndddd00000004 (head) (current)\n");
	th_run_free(&r);
	r = RUN(0, "current");
	cr_assert(mig_str_startswith(r.out, "bbbb00000002 (head)\ndddd00000004 (head) (files missing)\n"
	    "bbbb00000002 (FAILED outside a transaction at 20"), "%s", r.out);
	cr_assert(strstr(r.out, "\nffff00000006 (FAILED outside a transaction at 2026-01-02T03:04:05Z: needs "
	    "attention, see 'mig upgrade')\n") != NULL, "%s", r.out);
	th_run_free(&r);
	r = RUN(0, "heads", "-v");
	cr_assert(strstr(r.out, "Rev: ffff00000006 (head) (files missing)\nParent: aaaa00000001\n"
	    "Path: (files missing; down SQL kept in the database)\nApplied: 2026-01-02T03:04:05Z in 1.5 ms\n") != NULL,
	    "%s", r.out);
	cr_assert(strstr(r.out, "Rev: bbbb00000002 (head) (current)\n") != NULL, "%s", r.out);
	th_run_free(&r);
	r = RUN(0, "current", "-v");
	cr_assert(strstr(r.out, "Rev: dddd00000004 (head) (current) (files missing)\n") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "Rev: bbbb00000002 (head) (current)\n") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "ffff00000006 (FAILED outside a transaction at 2026-01-02T03:04:05Z") != NULL, "%s",
	    r.out);
	th_run_free(&r);
}

Test(cli_commands, ambiguity_lists_candidates)
{
	struct th_run r = RUN(2, "upgrade");

	cr_assert(strstr(r.err, "bbbb00000002") && strstr(r.err, "dddd00000004"), "%s", r.err);
	th_run_free(&r);
	r = RUN(2, "revision", "-m", "e");
	cr_assert(strstr(r.err, "--head") != NULL, "%s", r.err);
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "e1", "--rev-id", "ab12c0ffee01", "--head", "bbbb");
	th_run_free(&r);
	r = RUN(0, "revision", "-m", "e2", "--rev-id", "ab12d00d0002", "--head", "dddd");
	th_run_free(&r);
	r = RUN(2, "show", "ab12");
	cr_assert_str_eq(r.err, "mig: error: ambiguous revision 'ab12', could be: ab12c0ffee01, ab12d00d0002\n");
	th_run_free(&r);
	r = RUN(2, "revision", "-m", "dup", "--rev-id", "ab12d00d0002", "--head", "base");
	cr_assert(strstr(r.err, "already exists") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_commands, merge_joins_heads)
{
	struct th_run r = RUN(0, "merge", "-m", "join", "--rev-id", "eeee00000005", "heads");
	char *s;

	th_run_free(&r);
	r = RUN(0, "heads");
	cr_assert_str_eq(r.out, "eeee00000005 (head)\n");
	th_run_free(&r);
	r = RUN(0, "history", "-r", "eeee:");
	cr_assert_str_eq(r.out, "bbbb00000002, dddd00000004 -> eeee00000005 (head) (mergepoint), join\n");
	th_run_free(&r);
	r = RUN(0, "upgrade");
	th_run_free(&r);
	s = th_sqlite(db, "SELECT group_concat(version_num, ',') FROM mig_version");
	cr_assert_str_eq(s, "eeee00000005");
	free(s);
	r = RUN(2, "merge", "-m", "again", "heads");
	cr_assert(strstr(r.err, "at least two") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_commands, help_version_and_usage_errors)
{
	struct th_run r = RUN(0, "--version");

	cr_assert(strncmp(r.out, "mig ", 4) == 0, "%s", r.out);
	th_run_free(&r);
	r = RUN(0, "help", "upgrade");
	cr_assert(strstr(r.out, "usage: mig upgrade") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "--sql") != NULL, "%s", r.out);
	th_run_free(&r);
	r = RUN(0, "upgrade", "--help");
	cr_assert(strstr(r.out, "usage: mig upgrade") != NULL, "%s", r.out);
	th_run_free(&r);
	r = RUN(2, "revision");
	cr_assert(strstr(r.err, "-m MESSAGE") != NULL, "%s", r.err);
	th_run_free(&r);
	r = RUN(2, "-d", "nowhere", "heads");
	cr_assert(strstr(r.err, "'nowhere'") != NULL, "%s", r.err);
	th_run_free(&r);
	/* Global options after the command work too. */
	r = RUN(0, "heads", "-q", "--directory", "migrations");
	th_run_free(&r);
}

Test(cli_commands, revision_refuses_what_the_loader_would_refuse)
{
	struct th_run r = RUN(2, "revision", "-m", "t", "--head", "bbbb", "--branch-label", "x@y");

	cr_assert(strstr(r.err, "invalid branch label 'x@y'") != NULL, "%s", r.err);
	th_run_free(&r);
	r = RUN(2, "revision", "-m", "t", "--head", "bbbb", "--depends-on", "aaaa00000001,aaaa00000001");
	th_run_free(&r);
	r = RUN(2, "revision", "-m", "x\rDROP TABLE users;", "--head", "bbbb");
	th_run_free(&r);
	/* Nothing was written: the project still loads and has its two heads. */
	r = RUN(0, "heads");
	cr_assert_str_eq(r.out, "bbbb00000002 (head)\ndddd00000004 (head)\n");
	th_run_free(&r);
	/* `heads` named twice, or with one of them, merges each head once. */
	r = RUN(0, "merge", "-m", "twice", "--rev-id", "ffff00000006", "heads", "heads", "bbbb");
	th_run_free(&r);
	r = RUN(0, "history", "-r", "ffff:");
	cr_assert_str_eq(r.out, "bbbb00000002, dddd00000004 -> ffff00000006 (head) (mergepoint), twice\n");
	th_run_free(&r);
}
