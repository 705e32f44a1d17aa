/*
 * test_config.c — reading migrations/mig.yaml: defaults, every key, and the exact messages for
 * the mistakes people make in it (position first, subject quoted).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "cfg.h"
#include "helpers.h"
#include "util.h"

static char *tmp;
static char *top; /* the repository, absolute: the tests run inside tmp */

static void
enter_tmp(void)
{
	top = realpath(th_top(), NULL);
	cr_assert(top != NULL);
	tmp = th_tmpdir();
	cr_assert(eq(int, chdir(tmp), 0));
}

static void
leave_tmp(void)
{
	th_rmtree(tmp);
	free(tmp);
	free(top);
}

/* Writes migrations/mig.yaml in the temporary directory and loads it, expecting failure code. */
static void
load_fails(const char *yaml, int code, const char *message)
{
	struct mig_config *c = (void *)1;

	th_write(tmp, "migrations/mig.yaml", yaml);
	cr_assert(eq(int, mig_config_load(&c, "migrations"), code));
	cr_assert(eq(ptr, c, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), (char *)message));
}

static struct mig_config *
load_ok(const char *yaml)
{
	struct mig_config *c = NULL;

	th_write(tmp, "migrations/mig.yaml", yaml);
	cr_assert(eq(int, mig_config_load(&c, "migrations"), 0), "%s", mig_error_msg());
	return c;
}

TestSuite(config, .init = enter_tmp, .fini = leave_tmp);

Test(config, missing_directory_says_run_init)
{
	struct mig_config *c = NULL;

	cr_assert(eq(int, mig_config_load(&c, "nowhere"), MIG_ENOTFOUND));
	cr_assert(eq(ptr, c, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), "migrations directory 'nowhere' not found (run 'mig init')"));
}

Test(config, directory_without_file_gives_defaults)
{
	struct mig_config *c = NULL;

	cr_assert(eq(int, mkdir("migrations", 0755), 0));
	cr_assert(eq(int, mig_config_load(&c, "migrations"), 0));
	cr_assert(eq(str, c->dir, "migrations"));
	cr_assert(eq(str, c->path, "migrations/mig.yaml"));
	cr_assert(eq(ptr, c->url, NULL));
	cr_assert(eq(str, c->manifest, "models.yaml"));
	cr_assert(eq(str, c->version_table, "mig_version"));
	cr_assert(eq(ptr, c->schema, NULL));
	cr_assert(not(c->transaction_per_revision));
	cr_assert(eq(int, c->lock_timeout_ms, 60000));
	cr_assert(eq(str, c->naming_ix, "ix_%(table)s_%(columns)s"));
	cr_assert(eq(str, c->naming_uq, "uq_%(table)s_%(columns)s"));
	cr_assert(eq(str, c->naming_fk, "fk_%(table)s_%(columns)s_%(referred_table)s"));
	cr_assert(eq(str, c->naming_ck, "ck_%(table)s_%(name)s"));
	cr_assert(eq(str, c->naming_pk, "pk_%(table)s"));
	mig_config_free(c);
}

Test(config, reads_every_key)
{
	char *src = mig_path_join(top, "tests/fixtures/config_full/mig.yaml");
	char *text = th_read(src);
	struct mig_config *c;

	cr_assert(text != NULL, "fixture %s missing", src);
	c = load_ok(text);
	cr_assert(eq(str, c->url, "postgresql://app:secret@db.example.com/app"));
	cr_assert(eq(str, c->manifest, "schema/models.yaml"));
	cr_assert(eq(str, c->version_table, "alembic_version"));
	cr_assert(eq(str, c->schema, "app"));
	cr_assert(c->transaction_per_revision);
	cr_assert(eq(int, c->lock_timeout_ms, 5000));
	cr_assert(eq(str, c->naming_ix, "ix_%(column)s"));
	cr_assert(eq(str, c->naming_uq, "uq_%(table)s_%(columns)s_key"));
	cr_assert(eq(str, c->naming_fk, "fk_%(table)s_%(referred_table)s"));
	cr_assert(eq(str, c->naming_ck, "ck_%(name)s"));
	cr_assert(eq(str, c->naming_pk, "%(table)s_pkey"));
	mig_config_free(c);
	free(text);
	free(src);
}

Test(config, partial_naming_keeps_other_defaults)
{
	struct mig_config *c = load_ok("naming:\n  ix: idx_%(table)s\n");

	cr_assert(eq(str, c->naming_ix, "idx_%(table)s"));
	cr_assert(eq(str, c->naming_pk, "pk_%(table)s"));
	mig_config_free(c);
}

Test(config, empty_and_null_values_mean_unset)
{
	struct mig_config *c = load_ok("url:\nmanifest: ~\nversion_table: ''\nschema: null\n"
	    "transaction_per_revision:\nlock_timeout: ~\nnaming:\n");

	cr_assert(eq(ptr, c->url, NULL));
	cr_assert(eq(str, c->manifest, "models.yaml"));
	cr_assert(eq(str, c->version_table, "mig_version"));
	cr_assert(eq(ptr, c->schema, NULL));
	cr_assert(not(c->transaction_per_revision));
	cr_assert(eq(int, c->lock_timeout_ms, 60000));
	cr_assert(eq(str, c->naming_ix, "ix_%(table)s_%(columns)s"));
	mig_config_free(c);
}

Test(config, comment_only_and_empty_files_give_defaults)
{
	struct mig_config *c = load_ok("# nothing configured yet\n\n");

	cr_assert(eq(str, c->version_table, "mig_version"));
	mig_config_free(c);
	c = load_ok("");
	cr_assert(eq(ptr, c->url, NULL));
	mig_config_free(c);
	c = load_ok("---\n");
	cr_assert(eq(int, c->lock_timeout_ms, 60000));
	mig_config_free(c);
}

Test(config, booleans_accept_true_false_yes_no)
{
	static const char *const yes[] = { "true", "True", "yes", "on" };
	static const char *const no[] = { "false", "FALSE", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		char *y = mig_xasprintf("transaction_per_revision: %s\n", yes[i]);
		char *n = mig_xasprintf("transaction_per_revision: %s\n", no[i]);
		struct mig_config *c = load_ok(y);

		cr_assert(c->transaction_per_revision, "%s", yes[i]);
		mig_config_free(c);
		c = load_ok(n);
		cr_assert(not(c->transaction_per_revision), "%s", no[i]);
		mig_config_free(c);
		free(y);
		free(n);
	}
}

Test(config, quoted_strings_keep_special_characters)
{
	struct mig_config *c = load_ok("url: \"sqlite:///my app.db\"\nversion_table: 'Mig Version'\n");

	cr_assert(eq(str, c->url, "sqlite:///my app.db"));
	cr_assert(eq(str, c->version_table, "Mig Version"));
	mig_config_free(c);
}

Test(config, unknown_key_names_line_and_column)
{
	load_fails("# config\nurl: sqlite:///app.db\nurll: sqlite:///x.db\n", MIG_EPARSE,
	    "migrations/mig.yaml:3:1: unknown key 'urll'");
}

Test(config, unknown_naming_key_is_an_error)
{
	load_fails("naming:\n  ix: a\n  idx: b\n", MIG_EPARSE,
	    "migrations/mig.yaml:3:3: unknown key 'idx' in 'naming' (expected ix, uq, fk, ck or pk)");
}

Test(config, duplicate_key_is_an_error)
{
	load_fails("url: sqlite:///a.db\nurl: sqlite:///b.db\n", MIG_EPARSE,
	    "migrations/mig.yaml:2:1: duplicate key 'url'");
}

Test(config, bad_boolean_names_the_key)
{
	load_fails("transaction_per_revision: sometimes\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:27: 'transaction_per_revision' must be true or false");
}

Test(config, bad_lock_timeout_names_the_key)
{
	load_fails("lock_timeout: 1.5\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:15: 'lock_timeout' must be a whole number of seconds");
	load_fails("lock_timeout: -3\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:15: 'lock_timeout' must be a whole number of seconds");
	load_fails("lock_timeout: 99999999\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:15: 'lock_timeout' must be a whole number of seconds");
}

Test(config, lock_timeout_zero_means_no_wait)
{
	struct mig_config *c = load_ok("lock_timeout: 0\n");

	cr_assert(eq(int, c->lock_timeout_ms, 0));
	mig_config_free(c);
}

Test(config, string_key_given_a_list_is_an_error)
{
	load_fails("url:\n  - sqlite:///a.db\n", MIG_EPARSE, "migrations/mig.yaml:2:3: 'url' must be a string");
}

Test(config, naming_must_be_a_mapping)
{
	load_fails("naming: ix_%(table)s\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:9: 'naming' must be a mapping of ix, uq, fk, ck and pk");
}

Test(config, version_table_with_a_dot_is_rejected)
{
	load_fails("version_table: app.mig_version\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:16: 'version_table' must be a table name without '.' (set 'schema' for the schema)");
}

Test(config, overlong_version_table_is_rejected)
{
	load_fails("version_table: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:16: 'version_table' must be at most 50 characters");
}

Test(config, top_level_must_be_a_mapping)
{
	load_fails("- url\n- schema\n", MIG_EPARSE,
	    "migrations/mig.yaml:1:1: expected a mapping of settings (key: value)");
}

Test(config, yaml_syntax_error_has_libyaml_problem_and_position)
{
	load_fails("url: sqlite:///app.db\nschema: \"unterminated\n", MIG_EPARSE,
	    "migrations/mig.yaml:3:1: found unexpected end of stream");
	load_fails("url: a\n  bad: b\n", MIG_EPARSE,
	    "migrations/mig.yaml:2:6: mapping values are not allowed in this context");
}

Test(config, tab_indentation_is_a_syntax_error)
{
	struct mig_config *c = NULL;

	th_write(tmp, "migrations/mig.yaml", "naming:\n\tix: a\n");
	cr_assert(eq(int, mig_config_load(&c, "migrations"), MIG_EPARSE));
	cr_assert(mig_str_startswith(mig_error_msg(), "migrations/mig.yaml:2:"), "%s", mig_error_msg());
}

Test(config, unreadable_file_is_an_io_error)
{
	struct mig_config *c = NULL;

	cr_assert(eq(int, mkdir("migrations", 0755), 0));
	cr_assert(eq(int, mkdir("migrations/mig.yaml", 0755), 0));
	cr_assert(eq(int, mig_config_load(&c, "migrations"), MIG_EIO));
	cr_assert(eq(ptr, c, NULL));
}

Test(config, default_manifest_is_beside_the_migrations_directory)
{
	static const char *const cases[][2] = {
		{ "migrations", "models.yaml" },
		{ "migrations/", "models.yaml" },
		{ "./migrations", "models.yaml" },
		{ "/a/b/migrations", "/a/b/models.yaml" },
		{ "/migrations", "/models.yaml" },
		{ "proj/db/migrations", "proj/db/models.yaml" },
		{ ".", "../models.yaml" },
		{ "..", "../../models.yaml" },
		{ "a/..", "a/../../models.yaml" },
		{ "a/b/.", "a/models.yaml" },
		{ "./", "../models.yaml" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mig_config *c = mig_config_default(cases[i][0]);

		cr_assert(eq(str, c->manifest, (char *)cases[i][1]), "dir '%s'", cases[i][0]);
		mig_config_free(c);
	}
}

Test(config, relative_manifest_resolves_against_the_parent)
{
	struct mig_config *c = NULL;

	th_write(tmp, "proj/migrations/mig.yaml", "manifest: app/models.yaml\n");
	cr_assert(eq(int, mig_config_load(&c, "proj/migrations"), 0), "%s", mig_error_msg());
	cr_assert(eq(str, c->manifest, "proj/app/models.yaml"));
	cr_assert(eq(str, c->path, "proj/migrations/mig.yaml"));
	mig_config_free(c);
}

Test(config, absolute_manifest_is_kept)
{
	struct mig_config *c = load_ok("manifest: /srv/app/models.yaml\n");

	cr_assert(eq(str, c->manifest, "/srv/app/models.yaml"));
	mig_config_free(c);
}

Test(config, dot_directory_reads_its_own_file)
{
	struct mig_config *c = NULL;

	th_write(tmp, "mig.yaml", "manifest: models.yaml\nversion_table: versions\n");
	cr_assert(eq(int, mig_config_load(&c, "."), 0), "%s", mig_error_msg());
	cr_assert(eq(str, c->path, "./mig.yaml"));
	cr_assert(eq(str, c->manifest, "../models.yaml"));
	cr_assert(eq(str, c->version_table, "versions"));
	mig_config_free(c);
}

/* The mig.yaml that `mig init` writes must load, and say what its comments promise. */
Test(config, init_template_loads)
{
	char *src = mig_path_join(top, "migrations-template/mig.yaml");
	char *text = th_read(src);
	struct mig_config *c;

	cr_assert(text != NULL, "%s missing", src);
	c = load_ok(text);
	cr_assert(eq(str, c->version_table, "mig_version"));
	cr_assert(eq(str, c->manifest, "models.yaml"));
	mig_config_free(c);
	free(text);
	free(src);
}
