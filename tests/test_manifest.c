/*
 * test_manifest.c — the YAML manifest: what the story manifests load into, every refusal with its
 * exact position and message, the writer's round trip, portable types per dialect, naming
 * conventions, the starter template and the documentation's example, and robustness against
 * truncated and mutated input.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "man.h"

static struct mig_schema *load_text(const char *text);
static struct mig_schema *load_fixture(const char *name);
static char *read_top(const char *rel);
static void assert_same(const struct mig_schema *a, const struct mig_schema *b);
static void assert_round_trip(const struct mig_schema *s);
static bool streq(const char *a, const char *b);
static bool message_has_position(const char *msg);

static struct mig_schema *
load_text(const char *text)
{
	struct mig_schema *s = NULL;
	int rc = mig_manifest_load_buf(&s, text, strlen(text), "m.yaml", NULL);

	cr_assert(eq(int, rc, 0), "load failed: %s", mig_error_msg());
	cr_assert(ne(ptr, s, NULL));
	return s;
}

static struct mig_schema *
load_fixture(const char *name)
{
	struct mig_schema *s = NULL;
	char *dir = mig_path_join(th_top(), "tests/fixtures");
	char *path = mig_path_join(dir, name);
	int rc = mig_manifest_load(&s, path, NULL);

	cr_assert(eq(int, rc, 0), "%s: %s", name, mig_error_msg());
	free(path);
	free(dir);
	return s;
}

static char *
read_top(const char *rel)
{
	char *path = mig_path_join(th_top(), rel);
	char *text = th_read(path);

	cr_assert(ne(ptr, text, NULL), "cannot read %s", path);
	free(path);
	return text;
}

static bool
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_list(const char *const *a, const char *const *b, size_t n, const char *what, struct mig_buf *why)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!streq(a ? a[i] : NULL, b ? b[i] : NULL)) {
			mig_buf_printf(why, "%s[%zu]: '%s' != '%s'", what, i, a ? a[i] : "(null)",
			    b ? b[i] : "(null)");
			return false;
		}
	return true;
}

#define DIFFER(...) do { mig_buf_printf(why, __VA_ARGS__); return false; } while (0)

/*
 * Everything the manifest expresses (not line numbers, SQLite's table text or extras). A plain
 * function rather than a row of assertions: the robustness test calls it thousands of times.
 */
static bool
same_model(const struct mig_schema *a, const struct mig_schema *b, struct mig_buf *why)
{
	size_t i, j, k;

	if (a->nenums != b->nenums)
		DIFFER("%zu enums != %zu", a->nenums, b->nenums);
	for (i = 0; i < a->nenums; i++) {
		const struct mig_enum *x = a->enums[i], *y = b->enums[i];

		if (!streq(x->name, y->name) || !streq(x->schema, y->schema) || x->nlabels != y->nlabels)
			DIFFER("enum '%s' differs", x->name);
		if (!same_list(x->labels, y->labels, x->nlabels, x->name, why))
			return false;
	}
	if (a->ntables != b->ntables)
		DIFFER("%zu tables != %zu", a->ntables, b->ntables);
	for (i = 0; i < a->ntables; i++) {
		const struct mig_table *x = a->tables[i], *y = b->tables[i];

		if (!streq(x->name, y->name) || !streq(x->schema, y->schema) || !streq(x->comment, y->comment)
		    || !streq(x->renamed_from, y->renamed_from) || !streq(x->pk_name, y->pk_name)
		    || x->ncolumns != y->ncolumns || x->npk != y->npk || x->nindexes != y->nindexes
		    || x->nuniques != y->nuniques || x->nchecks != y->nchecks || x->nfks != y->nfks)
			DIFFER("table '%s' differs", x->name);
		for (j = 0; j < x->ncolumns; j++) {
			const struct mig_column *c = x->columns[j], *d = y->columns[j];

			if (!streq(c->name, d->name) || !streq(c->type, d->type) || c->nullable != d->nullable
			    || c->autoincrement != d->autoincrement || !streq(c->default_sql, d->default_sql)
			    || !streq(c->comment, d->comment) || !streq(c->renamed_from, d->renamed_from))
				DIFFER("column '%s.%s' differs: type '%s' / '%s', nullable %d / %d, "
				    "autoincrement %d / %d, default '%s' / '%s'", x->name, c->name, c->type,
				    d->type, c->nullable, d->nullable, c->autoincrement, d->autoincrement,
				    c->default_sql, d->default_sql);
		}
		if (!same_list(x->pk, y->pk, x->npk, "pk", why))
			return false;
		for (j = 0; j < x->nindexes; j++) {
			const struct mig_index *p = x->indexes[j], *q = y->indexes[j];

			if (!streq(p->name, q->name) || p->unique != q->unique || !streq(p->where, q->where)
			    || !streq(p->renamed_from, q->renamed_from) || p->ncolumns != q->ncolumns)
				DIFFER("index '%s' differs", p->name);
			if (!same_list(p->columns, q->columns, p->ncolumns, p->name, why))
				return false;
			for (k = 0; k < p->ncolumns; k++)
				if ((p->expr ? p->expr[k] : 0) != (q->expr ? q->expr[k] : 0))
					DIFFER("index '%s' expression flags differ", p->name);
		}
		for (j = 0; j < x->nuniques; j++) {
			const struct mig_unique *p = x->uniques[j], *q = y->uniques[j];

			if (!streq(p->name, q->name) || p->ncolumns != q->ncolumns)
				DIFFER("unique '%s' differs", p->name);
			if (!same_list(p->columns, q->columns, p->ncolumns, "unique", why))
				return false;
		}
		for (j = 0; j < x->nchecks; j++)
			if (!streq(x->checks[j]->name, y->checks[j]->name)
			    || !streq(x->checks[j]->expr, y->checks[j]->expr))
				DIFFER("check '%s' differs", x->checks[j]->name);
		for (j = 0; j < x->nfks; j++) {
			const struct mig_fk *p = x->fks[j], *q = y->fks[j];

			if (!streq(p->name, q->name) || !streq(p->ref_table, q->ref_table)
			    || p->ncolumns != q->ncolumns || !streq(p->on_delete, q->on_delete)
			    || !streq(p->on_update, q->on_update) || p->deferrable != q->deferrable
			    || p->initially_deferred != q->initially_deferred)
				DIFFER("foreign key '%s' differs", p->name);
			if (!same_list(p->columns, q->columns, p->ncolumns, "fk columns", why)
			    || !same_list(p->ref_columns, q->ref_columns, p->ncolumns, "fk ref_columns", why))
				return false;
		}
	}
	return true;
}

static void
assert_same(const struct mig_schema *a, const struct mig_schema *b)
{
	struct mig_buf why = MIG_BUF_INIT;
	bool same = same_model(a, b, &why);

	cr_assert(same, "%s", why.ptr);
	mig_buf_release(&why);
}

/* Writes s, loads the text back, and expects the same model. */
static void
assert_round_trip(const struct mig_schema *s)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_schema *back = NULL;
	int rc;

	cr_assert(eq(int, mig_manifest_write(&b, s), 0), "%s", mig_error_msg());
	rc = mig_manifest_load_buf(&back, b.ptr, b.len, "written.yaml", NULL);
	cr_assert(eq(int, rc, 0), "written manifest does not load: %s\n%s", mig_error_msg(), b.ptr);
	assert_same(s, back);
	mig_schema_free(back);
	mig_buf_release(&b);
}

/* "m.yaml:LINE:COL: " */
static bool
message_has_position(const char *msg)
{
	const char *p;
	int parts;

	if (strncmp(msg, "m.yaml:", 7) != 0)
		return false;
	p = msg + 7;
	for (parts = 0; parts < 2; parts++) {
		if (*p < '1' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != ':')
			return false;
	}
	return *p == ' ';
}

/* ---- the stories' manifests ---- */

Test(manifest, microblog_expands_shorthands_into_the_canonical_model)
{
	struct mig_schema *s = load_fixture("manifest_microblog.yaml");
	const struct mig_table *user, *post;
	const struct mig_index *x;
	const struct mig_fk *fk;

	cr_assert(eq(sz, s->ntables, 2));
	user = s->tables[0];
	post = s->tables[1];
	cr_assert(eq(str, (char *)user->name, "user"));
	cr_assert(eq(str, (char *)post->name, "post"));
	cr_assert(eq(sz, user->ncolumns, 4));
	cr_assert(eq(sz, user->npk, 1));
	cr_assert(eq(str, (char *)user->pk[0], "id"));
	cr_assert(eq(ptr, (void *)user->pk_name, NULL));
	/* The primary key is NOT NULL and autoincrement without saying so; others are nullable. */
	cr_assert(not(user->columns[0]->nullable));
	cr_assert(user->columns[0]->autoincrement);
	cr_assert(eq(str, (char *)user->columns[1]->type, "string(64)"));
	cr_assert(not(user->columns[1]->nullable));
	cr_assert(not(user->columns[1]->autoincrement));
	cr_assert(user->columns[3]->nullable);
	cr_assert(eq(str, (char *)user->columns[3]->type, "string(256)"));
	/* unique + index is one unique index named by the ix convention, no unique constraint. */
	cr_assert(eq(sz, user->nindexes, 2));
	cr_assert(eq(sz, user->nuniques, 0));
	x = user->indexes[0];
	cr_assert(eq(str, (char *)x->name, "ix_user_username"));
	cr_assert(x->unique);
	cr_assert(eq(sz, x->ncolumns, 1));
	cr_assert(eq(str, (char *)x->columns[0], "username"));
	cr_assert(eq(ptr, x->expr, NULL));
	cr_assert(eq(str, (char *)user->indexes[1]->name, "ix_user_email"));
	cr_assert(user->indexes[1]->unique);
	cr_assert(eq(int, user->line, 3));
	cr_assert(eq(int, user->columns[2]->line, 7));

	cr_assert(eq(sz, post->nindexes, 2));
	cr_assert(eq(str, (char *)post->indexes[0]->name, "ix_post_timestamp"));
	cr_assert(not(post->indexes[0]->unique));
	cr_assert(eq(str, (char *)post->indexes[1]->name, "ix_post_user_id"));
	cr_assert(eq(str, (char *)post->columns[2]->type, "datetime"));
	cr_assert(eq(sz, post->nfks, 1));
	fk = post->fks[0];
	cr_assert(eq(str, (char *)fk->name, "fk_post_user_id_user"));
	cr_assert(eq(sz, fk->ncolumns, 1));
	cr_assert(eq(str, (char *)fk->columns[0], "user_id"));
	cr_assert(eq(str, (char *)fk->ref_table, "user"));
	cr_assert(eq(str, (char *)fk->ref_columns[0], "id"));
	cr_assert(eq(ptr, (void *)fk->on_delete, NULL));
	cr_assert(eq(ptr, (void *)fk->on_update, NULL));
	cr_assert(not(fk->deferrable));
	mig_schema_free(s);
}

Test(manifest, story3_has_enum_array_json_one_to_one_key_and_cascade)
{
	struct mig_schema *s = load_fixture("manifest_story3.yaml");
	const struct mig_table *users, *profiles, *posts, *comments;
	const struct mig_column *gender;

	cr_assert(eq(sz, s->nenums, 1));
	cr_assert(eq(str, (char *)s->enums[0]->name, "genderenum"));
	cr_assert(eq(sz, s->enums[0]->nlabels, 3));
	cr_assert(eq(str, (char *)s->enums[0]->labels[0], "MALE"));
	cr_assert(eq(str, (char *)s->enums[0]->labels[2], "UNDEFINED"));
	cr_assert(eq(sz, s->ntables, 4));
	users = mig_schema_find_table(s, "users");
	profiles = mig_schema_find_table(s, "profiles");
	posts = mig_schema_find_table(s, "posts");
	comments = mig_schema_find_table(s, "comments");
	cr_assert(users && profiles && posts && comments);

	cr_assert(eq(sz, users->nuniques, 2));
	cr_assert(eq(str, (char *)users->uniques[0]->name, "uq_users_username"));
	cr_assert(eq(str, (char *)users->uniques[1]->name, "uq_users_email"));
	cr_assert(eq(str, (char *)mig_table_find_column(users, "email")->type, "string"));
	cr_assert(mig_table_find_column(users, "phone")->nullable);

	gender = mig_table_find_column(profiles, "gender");
	cr_assert(eq(str, (char *)gender->type, "enum(genderenum)"));
	cr_assert(eq(str, (char *)gender->default_sql, "'UNDEFINED'"));
	cr_assert(not(gender->nullable));
	cr_assert(eq(str, (char *)mig_table_find_column(profiles, "interests")->type, "string[]"));
	cr_assert(eq(str, (char *)mig_table_find_column(profiles, "contacts")->type, "json"));
	cr_assert(eq(str, (char *)profiles->comment, "One profile per user."));
	/* One-to-one: the foreign key column is also unique. */
	cr_assert(eq(sz, profiles->nuniques, 1));
	cr_assert(eq(str, (char *)profiles->uniques[0]->name, "uq_profiles_user_id"));
	cr_assert(eq(str, (char *)profiles->uniques[0]->columns[0], "user_id"));
	cr_assert(eq(sz, profiles->nfks, 1));
	cr_assert(eq(str, (char *)profiles->fks[0]->name, "fk_profiles_user_id_users"));
	cr_assert(eq(str, (char *)profiles->fks[0]->ref_table, "users"));
	cr_assert(eq(sz, profiles->nchecks, 1));
	cr_assert(eq(str, (char *)profiles->checks[0]->name, "ck_profiles_age_positive"));
	cr_assert(eq(str, (char *)profiles->checks[0]->expr, "age > 0"));

	cr_assert(eq(str, (char *)posts->fks[0]->on_delete, "CASCADE"));
	cr_assert(eq(str, (char *)mig_table_find_column(posts, "created_at")->type, "timestamptz"));
	cr_assert(eq(str, (char *)mig_table_find_column(posts, "created_at")->default_sql, "now()"));

	cr_assert(eq(sz, comments->nindexes, 1));
	cr_assert(not(comments->indexes[0]->unique));
	cr_assert(eq(str, (char *)comments->fks[0]->name, "fk_comments_post_id_posts"));
	cr_assert(eq(str, (char *)comments->fks[0]->ref_columns[0], "id"));
	cr_assert(eq(str, (char *)comments->fks[0]->on_delete, "CASCADE"));
	mig_schema_free(s);
}

Test(manifest, table_level_forms_and_options)
{
	struct mig_schema *s = load_text(
	    "tables:\n"
	    "  account:\n"
	    "    columns:\n"
	    "      tenant: integer\n"
	    "      id: bigint\n"
	    "      email: {type: \"VARCHAR(120) COLLATE NOCASE\", nullable: false}\n"
	    "      doc: {sql_type: jsonb}\n"
	    "      active: {type: Boolean, default: true}\n"
	    "      score: {type: \"numeric(10, 2)\", default: 0}\n"
	    "      age: {type: integer, check: age >= 0}\n"
	    "    primary_key: {name: account_pkey, columns: [tenant, id]}\n"
	    "    indexes:\n"
	    "      ix_account_lower_email: {columns: [{expression: lower(email)}], unique: true, where: active}\n"
	    "    unique:\n"
	    "      - [tenant, email]\n"
	    "      - {name: uq_named, columns: [email]}\n"
	    "    checks:\n"
	    "      - score >= 0\n"
	    "  member:\n"
	    "    columns:\n"
	    "      tenant: integer\n"
	    "      account_id: bigint\n"
	    "    foreign_keys:\n"
	    "      - columns: [tenant, account_id]\n"
	    "        references: account\n"
	    "        on_update: set null\n"
	    "        initially_deferred: true\n");
	const struct mig_table *a = s->tables[0], *m = s->tables[1];

	cr_assert(eq(str, (char *)a->pk_name, "account_pkey"));
	cr_assert(eq(sz, a->npk, 2));
	cr_assert(not(a->columns[0]->nullable));
	/* A composite key is not autoincrement unless it says so. */
	cr_assert(not(a->columns[1]->autoincrement));
	cr_assert(eq(str, (char *)a->columns[2]->type, "VARCHAR(120) COLLATE NOCASE"));
	cr_assert(eq(str, (char *)a->columns[3]->type, "jsonb"));
	cr_assert(eq(str, (char *)a->columns[4]->type, "boolean"));
	cr_assert(eq(str, (char *)a->columns[4]->default_sql, "true"));
	cr_assert(eq(str, (char *)a->columns[5]->type, "numeric(10,2)"));
	cr_assert(eq(str, (char *)a->columns[5]->default_sql, "0"));
	cr_assert(eq(sz, a->nindexes, 1));
	cr_assert(a->indexes[0]->unique);
	cr_assert(a->indexes[0]->expr[0]);
	cr_assert(eq(str, (char *)a->indexes[0]->columns[0], "lower(email)"));
	cr_assert(eq(str, (char *)a->indexes[0]->where, "active"));
	cr_assert(eq(sz, a->nuniques, 2));
	cr_assert(eq(ptr, (void *)a->uniques[0]->name, NULL));
	cr_assert(eq(sz, a->uniques[0]->ncolumns, 2));
	cr_assert(eq(str, (char *)a->uniques[1]->name, "uq_named"));
	cr_assert(eq(sz, a->nchecks, 2));
	cr_assert(eq(ptr, (void *)a->checks[0]->name, NULL));
	cr_assert(eq(str, (char *)a->checks[0]->expr, "score >= 0"));
	/* The column-level check is named by naming_ck with %(name)s = the column. */
	cr_assert(eq(str, (char *)a->checks[1]->name, "ck_account_age"));
	cr_assert(eq(str, (char *)a->checks[1]->expr, "age >= 0"));
	/* No ref_columns: the referred table's primary key, in key order. */
	cr_assert(eq(sz, m->nfks, 1));
	cr_assert(eq(ptr, (void *)m->fks[0]->name, NULL));
	cr_assert(eq(str, (char *)m->fks[0]->ref_columns[0], "tenant"));
	cr_assert(eq(str, (char *)m->fks[0]->ref_columns[1], "id"));
	cr_assert(eq(str, (char *)m->fks[0]->on_update, "SET NULL"));
	cr_assert(m->fks[0]->deferrable);
	cr_assert(m->fks[0]->initially_deferred);
	assert_round_trip(s);
	mig_schema_free(s);
}

Test(manifest, naming_conventions_come_from_the_config)
{
	struct mig_config cfg;
	struct mig_schema *s = NULL;
	const char *text =
	    "tables:\n"
	    "  user:\n"
	    "    columns:\n"
	    "      id: {type: integer, primary_key: true}\n"
	    "      email: {type: string(120), index: true}\n"
	    "      nick: {type: string(20), unique: true}\n"
	    "      boss: {type: integer, references: user.id, on_delete: SET NULL}\n";

	memset(&cfg, 0, sizeof(cfg));
	cfg.naming_ix = (char *)"idx_%(column)s_on_%(table)s";
	cfg.naming_uq = (char *)"%(table)s_%(columns)s_key";
	cfg.naming_fk = (char *)"%(table)s_%(column)s_fkey_%(referred_table)s";
	cr_assert(eq(int, mig_manifest_load_buf(&s, text, strlen(text), "m.yaml", &cfg), 0), "%s",
	    mig_error_msg());
	cr_assert(eq(str, (char *)s->tables[0]->indexes[0]->name, "idx_email_on_user"));
	cr_assert(eq(str, (char *)s->tables[0]->uniques[0]->name, "user_nick_key"));
	cr_assert(eq(str, (char *)s->tables[0]->fks[0]->name, "user_boss_fkey_user"));
	cr_assert(eq(str, (char *)s->tables[0]->fks[0]->on_delete, "SET NULL"));
	mig_schema_free(s);
}

Test(manifest, naming_apply_replaces_every_placeholder)
{
	struct mig_buf b = MIG_BUF_INIT;
	const char *cols[] = { "a", "b" };

	mig_naming_apply(&b, "x_%(table)s_%(columns)s_%(column)s_%(referred_table)s_%(name)s_%(other)s",
	    "t", cols, 2, "r", "n");
	cr_assert(eq(str, b.ptr, "x_t_a_b_a_r_n_%(other)s"));
	mig_buf_clear(&b);
	mig_naming_apply(&b, MIG_NAMING_FK, "post", cols, 1, "user", NULL);
	cr_assert(eq(str, b.ptr, "fk_post_a_user"));
	mig_buf_release(&b);
}

Test(manifest, empty_inputs_are_empty_schemas)
{
	const char *texts[] = { "", "# nothing yet\n", "~\n", "tables:\n", "tables: {}\nenums: {}\n" };
	struct mig_schema *s;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		s = load_text(texts[i]);
		cr_assert(eq(sz, s->ntables, 0));
		cr_assert(eq(sz, s->nenums, 0));
		mig_schema_free(s);
	}
}

/* ---- refusals, each with its position ---- */

/*
 * Parameters are copied into the test's process, which Criterion starts afresh (with other
 * addresses): they hold their text, not pointers to it.
 */
struct bad {
	char text[320];
	char msg[256];
};

static struct bad bad_cases[] = {
	{ "tables:\n\tuser: {}\n",
	  "m.yaml:2:1: invalid YAML: found character that cannot start any token (a tab: YAML is indented with spaces)" },
	{ "tables: {user: {columns: {id: integer}\n",
	  "m.yaml:2:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1)" },
	{ "tables:\n  t:\n    columns:\n      a: {type: string[]}\n",
	  "m.yaml:4:23: invalid YAML: did not find expected ',' or '}' (inside {...} quote a type with [], e.g. \"string[]\")" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n     x: y\n",
	  "m.yaml:5:6: invalid YAML: did not find expected key (while parsing a block mapping at line 3)" },
	{ "tables:\n  user:\n    columns:\n      n\xc3\x28: integer\n",
	  "m.yaml:4:9: invalid YAML: invalid trailing UTF-8 octet" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, nulable: false}\n",
	  "m.yaml:4:27: unknown key 'nulable' in column 'user.id' (did you mean 'nullable'?)" },
	{ "tables:\n  user:\n    colums:\n      id: integer\n",
	  "m.yaml:3:5: unknown key 'colums' in table 'user' (did you mean 'columns'?)" },
	{ "table:\n  user: {}\n",
	  "m.yaml:1:1: unknown key 'table' at the top level (did you mean 'tables'?)" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, zzz: 1}\n",
	  "m.yaml:4:27: unknown key 'zzz' in column 'user.id' (expected one of: type, sql_type, nullable, "
	  "primary_key, default, unique, index, references, on_delete, on_update, autoincrement, comment, "
	  "renamed_from, check)" },
	{ "tables:\n  user:\n    columns:\n      n: {type: numeric(10, 2)}\n",
	  "m.yaml:4:29: unknown key '2)' in column 'user.n' (a comma inside {...} ends the value: "
	  "quote the type, as in type: \"numeric(10,2)\")" },
	{ "tables:\n  user:\n    columns:\n      id: integr\n",
	  "m.yaml:4:11: unknown type 'integr' (did you mean 'integer'?)" },
	{ "tables:\n  user:\n    columns:\n      name: {type: strng(64)}\n",
	  "m.yaml:4:20: unknown type 'strng(64)' (did you mean 'string(64)'?)" },
	{ "tables:\n  user:\n    columns:\n      doc: jsonb\n",
	  "m.yaml:4:12: unknown type 'jsonb' (did you mean 'JSONB'?)" },
	{ "tables:\n  user:\n    columns:\n      doc: frobnicate\n",
	  "m.yaml:4:12: unknown type 'frobnicate' (write a database type in uppercase, 'FROBNICATE', or give it as sql_type)" },
	{ "tables:\n  user:\n    columns:\n      x: {type: string(0)}\n",
	  "m.yaml:4:17: invalid type 'string(0)': 'string' needs a positive length" },
	{ "tables:\n  user:\n    columns:\n      x: {type: \"text collate nocase\"}\n",
	  "m.yaml:4:17: invalid type 'text collate nocase': 'text' has unexpected text after it" },
	{ "tables:\n  user:\n    columns:\n      mood: enum(mood)\n",
	  "m.yaml:4:13: type 'enum(mood)' names undeclared enum 'mood' (declare it under 'enums:')" },
	{ "tables:\n  post:\n    columns:\n      user_id: {type: integer, references: usr.id}\n",
	  "m.yaml:4:44: foreign key 'fk_post_user_id_usr' on table 'post' references unknown table 'usr'" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, primary_key: true}\n"
	  "  post:\n    columns:\n      user_id: {type: integer, references: user.uid}\n",
	  "m.yaml:7:44: foreign key 'fk_post_user_id_user' on table 'post' references unknown column 'user.uid'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n  post:\n    columns:\n      uid: integer\n"
	  "    foreign_keys:\n      fk_p: {columns: [uid], references: user, ref_columns: [idd]}\n",
	  "m.yaml:9:62: foreign key 'fk_p' on table 'post' references unknown column 'user.idd'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n  post:\n    columns:\n      user_id: integer\n"
	  "    foreign_keys:\n      fk_post_user: {columns: [user_id], references: user}\n",
	  "m.yaml:9:54: foreign key 'fk_post_user' on table 'post' has no 'ref_columns' and table 'user' has no primary key" },
	{ "tables:\n  user:\n    columns:\n      email: string(120)\n    indexes:\n      ix_user_email: {columns: [emial]}\n",
	  "m.yaml:6:33: index 'ix_user_email' on table 'user' names unknown column 'emial'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n    unique:\n      uq_a: [idd]\n",
	  "m.yaml:6:14: unique constraint 'uq_a' on table 'user' names unknown column 'idd'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n    primary_key: [id, nope]\n",
	  "m.yaml:5:23: the primary key of table 'user' names unknown column 'nope'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n  post:\n    columns:\n      uid: integer\n"
	  "    foreign_keys:\n      fk_p: {columns: [user_id], references: user, ref_columns: [id]}\n",
	  "m.yaml:9:24: foreign key 'fk_p' on table 'post' names unknown column 'user_id'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n  user:\n    columns:\n      id: integer\n",
	  "m.yaml:5:3: duplicate table 'user' (first at line 2)" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n      id: text\n",
	  "m.yaml:5:7: duplicate column 'id' in table 'user' (first at line 4)" },
	{ "tables:\n  a:\n    columns:\n      x: integer\n    indexes:\n      ix_x: [x]\n"
	  "  b:\n    columns:\n      x: integer\n    indexes:\n      ix_x: [x]\n",
	  "m.yaml:11:7: index 'ix_x' on table 'b': the name is already used by index 'ix_x' on table 'a' (line 6)" },
	{ "tables:\n  user:\n    columns:\n      email: {type: text, index: true}\n    indexes:\n      ix_user_email: [email]\n",
	  "m.yaml:4:7: duplicate index 'ix_user_email' on table 'user' (first at line 6)" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, unique: true, index: true}\n"
	  "  ix_user_id:\n    columns:\n      id: integer\n",
	  "m.yaml:5:3: table 'ix_user_id': the name is already used by index 'ix_user_id' on table 'user' (line 4)" },
	{ "enums:\n  user: [a]\ntables:\n  user:\n    columns:\n      id: integer\n",
	  "m.yaml:4:3: table 'user': the name is already used by enum 'user' (line 2)" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, type: text}\n",
	  "m.yaml:4:27: duplicate key 'type' in column 'user.id'" },
	{ "tables:\n  user:\n    columns:\n      - id\n",
	  "m.yaml:4:7: 'columns' of table 'user' must be a mapping, not a list" },
	{ "tables:\n  - user\n",
	  "m.yaml:2:3: 'tables' must be a mapping, not a list" },
	{ "- a\n- b\n",
	  "m.yaml:1:1: the manifest must be a mapping, not a list" },
	{ "tables:\n  ? [a, b]\n  : x\n",
	  "m.yaml:2:5: mapping keys must be strings, not a list" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, nullable: maybe}\n",
	  "m.yaml:4:37: 'nullable' must be true or false, not 'maybe'" },
	{ "tables:\n  user:\n    columns: {}\n",
	  "m.yaml:2:3: table 'user' has no columns" },
	{ "tables:\n  user:\n",
	  "m.yaml:2:3: table 'user' has no columns" },
	{ "tables:\n  user: &u\n    columns:\n      id: integer\n  other: *u\n",
	  "m.yaml:2:9: anchors and aliases are not allowed" },
	{ "enums:\n  a: [b, *x]\n",
	  "m.yaml:2:10: anchors and aliases are not allowed" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, primary_key: true}\n    primary_key: [id]\n",
	  "m.yaml:4:27: column 'id' is marked primary_key but table 'user' also has 'primary_key' (line 5); use one or the other" },
	{ "tables: {}\n---\ntables: {}\n",
	  "m.yaml:2:1: only one YAML document is allowed" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, comment: \"a\\0b\"}\n",
	  "m.yaml:4:36: 'comment' contains a NUL character" },
	{ "tables:\n  user:\n    columns:\n      a234567890123456789012345678901234567890123456789012345678901234: integer\n",
	  "m.yaml:4:7: name 'a234567890123456789012345678901234567890123456789012345678901234' is longer than 63 bytes (PostgreSQL would truncate it)" },
	{ "tables:\n  a_table_with_a_rather_long_name_for_testing:\n    columns:\n"
	  "      and_a_long_column_name_too: {type: integer, index: true}\n",
	  "m.yaml:4:7: generated name 'ix_a_table_with_a_rather_long_name_for_testing_and_a_long_column_name_too' "
	  "is longer than 63 bytes (PostgreSQL would truncate it); declare it at table level with a shorter name" },
	{ "tables:\n  post:\n    columns:\n      user_id: {type: integer, references: user}\n",
	  "m.yaml:4:44: 'references' must be 'table.column', not 'user'" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, primary_key: true}\n"
	  "  post:\n    columns:\n      user_id: {type: integer, references: user.id, on_delete: explode}\n",
	  "m.yaml:7:64: 'explode' is not a foreign key action (expected CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO ACTION)" },
	{ "tables:\n  post:\n    columns:\n      user_id: {type: integer, on_delete: cascade}\n",
	  "m.yaml:4:32: 'on_delete' of column 'post.user_id' needs 'references'" },
	{ "tables:\n  post:\n    columns:\n      x: {type: integer, sql_type: INT}\n",
	  "m.yaml:4:36: column 'post.x' has both 'type' and 'sql_type'" },
	{ "tables:\n  post:\n    columns:\n      x: {nullable: false}\n",
	  "m.yaml:4:7: column 'post.x' has no type (add 'type:')" },
	{ "tables:\n  post:\n    columns:\n      x: {type: boolean, default: yes}\n",
	  "m.yaml:4:35: default 'yes' is not an SQL expression (write true or false, or quote it)" },
	{ "tables:\n  post:\n    columns:\n      x: integer\n    indexes:\n      ix_p: {columns: []}\n",
	  "m.yaml:6:23: 'columns' of index 'ix_p' is empty" },
	{ "tables:\n  post:\n    columns:\n      x: integer\n    indexes:\n      - ix_p\n",
	  "m.yaml:6:7: 'indexes' of table 'post' must be a mapping, not a list" },
	{ "tables:\n  user:\n    columns:\n      id: {type: integer, primary_key: true}\n"
	  "  post:\n    columns:\n      a: integer\n      b: integer\n    foreign_keys:\n"
	  "      fk_ab: {columns: [a, b], references: user, ref_columns: [id]}\n",
	  "m.yaml:10:64: foreign key 'fk_ab' on table 'post' has 2 columns but 1 ref_columns" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n    checks:\n      - {name: c1}\n",
	  "m.yaml:6:9: check constraint 'c1' on table 'user' has no 'expr'" },
	{ "tables:\n  user:\n    columns:\n      id: integer\n    indexes:\n      ix: {columns: [id, id]}\n",
	  "m.yaml:6:26: column 'id' appears twice in 'columns' of index 'ix'" },
	{ "tables:\n  t:\n    columns:\n      a: {type: integer, primary_key: true}\n    foreign_keys:\n"
	  "      fk_t: {columns: [a], references: t, deferrable: false, initially_deferred: true}\n",
	  "m.yaml:6:7: foreign key 'fk_t' on table 't' cannot be initially deferred without being deferrable" },
	{ "enums:\n  mood: [happy, sad, happy]\n",
	  "m.yaml:2:22: duplicate label 'happy' in enum 'mood'" },
	{ "enums:\n  mood: []\n",
	  "m.yaml:2:9: enum 'mood' has no labels" },
	{ "tables:\n  post:\n    columns:\n      x: {type: string, autoincrement: true}\n",
	  "m.yaml:4:25: autoincrement needs an integer type, not 'string'" },
};

ParameterizedTestParameters(manifest, refuses_with_position_and_message)
{
	return cr_make_param_array(struct bad, bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad *c, manifest, refuses_with_position_and_message)
{
	struct mig_schema *s = (struct mig_schema *)1;
	int rc = mig_manifest_load_buf(&s, c->text, strlen(c->text), "m.yaml", NULL);

	cr_assert(eq(int, rc, MIG_EPARSE), "accepted:\n%s", c->text);
	cr_assert(eq(ptr, s, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), c->msg));
}

Test(manifest, alias_bomb_is_refused_at_the_first_anchor)
{
	const char *bomb =
	    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
	const char *inside =
	    "enums:\n  e: &labels [A, B]\n  f: *labels\n";
	struct mig_schema *s;

	cr_assert(eq(int, mig_manifest_load_buf(&s, bomb, strlen(bomb), "m.yaml", NULL), MIG_EPARSE));
	/* The unknown top-level key comes first; what matters is that nothing was expanded. */
	cr_assert(eq(str, (char *)mig_error_msg(), "m.yaml:1:1: unknown key 'a' at the top level "
	    "(expected one of: tables, enums)"));
	cr_assert(eq(int, mig_manifest_load_buf(&s, inside, strlen(inside), "m.yaml", NULL), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "m.yaml:2:6: anchors and aliases are not allowed"));
}

Test(manifest, deep_nesting_is_refused_without_recursion)
{
	size_t n = 200000, i;
	char *text = malloc(2 * n + 16);
	struct mig_schema *s;

	memcpy(text, "tables: ", 8);
	for (i = 0; i < n; i++)
		text[8 + i] = '[';
	for (i = 0; i < n; i++)
		text[8 + n + i] = ']';
	text[8 + 2 * n] = '\0';
	cr_assert(eq(int, mig_manifest_load_buf(&s, text, strlen(text), "m.yaml", NULL), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "m.yaml:1:9: 'tables' must be a mapping, not a list"));
	free(text);
}

Test(manifest, oversized_input_is_refused)
{
	size_t n = MIG_MANIFEST_MAX_SIZE + 1;
	char *text = malloc(n);
	struct mig_schema *s;

	memset(text, ' ', n);
	cr_assert(eq(int, mig_manifest_load_buf(&s, text, n, "big.yaml", NULL), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "big.yaml: manifest is larger than 16777216 bytes"));
	free(text);
}

/* Appends n small tables f0, f1, ... (three lines each) between the lines a test cares about. */
static void
add_filler_tables(struct mig_buf *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		mig_buf_printf(b, "  f%d:\n    columns:\n      a: {type: integer, primary_key: true}\n", i);
}

/*
 * The loader frees what it read for a table once the table is complete: a message found later
 * about an earlier table (a name taken, a foreign key or an enum checked at the end of the
 * document) must still name everything as written, however many tables came between.
 */
Test(manifest, late_messages_name_what_earlier_tables_said)
{
	static const struct {
		const char *head, *tail, *msg;
	} cases[] = {
		{ "tables:\n  t0:\n    columns:\n      a: integer\n    indexes:\n      ix_shared: [a]\n",
		  "  t400:\n    columns:\n      a: integer\n    indexes:\n      ix_shared: [a]\n",
		  "m.yaml:1211:7: index 'ix_shared' on table 't400': the name is already used by index "
		  "'ix_shared' on table 't0' (line 6)" },
		{ "tables:\n  t0:\n    columns:\n      a: integer\n    foreign_keys:\n"
		  "      fk_far: {columns: [a], references: t400, ref_columns: [nope]}\n",
		  "  t400:\n    columns:\n      id: {type: integer, primary_key: true}\n",
		  "m.yaml:6:62: foreign key 'fk_far' on table 't0' references unknown column 't400.nope'" },
		{ "tables:\n  t0:\n    columns:\n      a: {type: integer, references: t400.nope}\n",
		  "  t400:\n    columns:\n      id: {type: integer, primary_key: true}\n",
		  "m.yaml:4:38: foreign key 'fk_t0_a_t400' on table 't0' references unknown column "
		  "'t400.nope'" },
		{ "tables:\n  t0:\n    columns:\n      m: {type: \"enum( Mood )\"}\n",
		  "  t400:\n    columns:\n      a: integer\n",
		  "m.yaml:4:17: type 'enum( Mood )' names undeclared enum 'Mood' (declare it under "
		  "'enums:')" },
	};
	struct mig_schema *s;
	struct mig_buf b = MIG_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mig_buf_clear(&b);
		mig_buf_puts(&b, cases[i].head);
		add_filler_tables(&b, 400);
		mig_buf_puts(&b, cases[i].tail);
		cr_assert(eq(int, mig_manifest_load_buf(&s, b.ptr, b.len, "m.yaml", NULL), MIG_EPARSE),
		    "case %zu accepted", i);
		cr_assert(eq(str, (char *)mig_error_msg(), (char *)cases[i].msg));
	}
	mig_buf_release(&b);
}

/* And what it keeps of each table is whole once the document is read. */
Test(manifest, every_table_keeps_its_names_types_and_keys)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_schema *s;
	const struct mig_table *t;
	int i;

	mig_buf_puts(&b, "tables:\n");
	for (i = 0; i < 300; i++)
		mig_buf_printf(&b, "  t%d:\n    columns:\n      id: {type: Integer, primary_key: true}\n"
		    "      code_%d: {type: \"String( 20 )\", default: \"'x'\", index: true}\n"
		    "      parent_id: {type: integer, references: t%d.id}\n"
		    "    indexes:\n      ix_t%d_pair: {columns: [code_%d, parent_id], unique: true}\n"
		    "    foreign_keys:\n      fk_t%d_self: {columns: [parent_id], references: t%d}\n",
		    i, i, i ? i - 1 : 299, i, i, i, i);
	s = load_text(b.ptr);
	cr_assert(eq(sz, s->ntables, 300));
	for (i = 0; i < 300; i += 299) {
		char name[32], code[32], prev[32];

		t = s->tables[i];
		snprintf(name, sizeof(name), "t%d", i);
		snprintf(code, sizeof(code), "code_%d", i);
		cr_assert(eq(str, (char *)t->name, name));
		cr_assert(eq(sz, t->ncolumns, 3));
		cr_assert(eq(str, (char *)t->columns[1]->name, code));
		cr_assert(eq(str, (char *)t->columns[0]->type, "integer"));
		cr_assert(eq(str, (char *)t->columns[1]->type, "string(20)"));
		cr_assert(eq(str, (char *)t->columns[1]->default_sql, "'x'"));
		cr_assert(eq(sz, t->nindexes, 2));
		cr_assert(eq(sz, t->indexes[0]->ncolumns, 2));
		cr_assert(eq(str, (char *)t->indexes[0]->columns[0], code));
		cr_assert(eq(str, (char *)t->indexes[0]->columns[1], "parent_id"));
		cr_assert(eq(str, (char *)t->indexes[1]->columns[0], code));
		/* The table-level key is read first; the shorthand's is made when the table ends. */
		snprintf(prev, sizeof(prev), "t%d", i ? i - 1 : 299);
		cr_assert(eq(sz, t->nfks, 2));
		cr_assert(eq(str, (char *)t->fks[0]->columns[0], "parent_id"));
		cr_assert(eq(str, (char *)t->fks[0]->ref_table, name));
		cr_assert(eq(str, (char *)t->fks[0]->ref_columns[0], "id"));
		cr_assert(eq(str, (char *)t->fks[1]->columns[0], "parent_id"));
		cr_assert(eq(str, (char *)t->fks[1]->ref_table, prev));
		cr_assert(eq(str, (char *)t->fks[1]->ref_columns[0], "id"));
	}
	assert_round_trip(s);
	mig_schema_free(s);
	mig_buf_release(&b);
}

Test(manifest, missing_file_is_not_found)
{
	struct mig_schema *s = (struct mig_schema *)1;

	cr_assert(eq(int, mig_manifest_load(&s, "/nonexistent/models.yaml", NULL), MIG_ENOTFOUND));
	cr_assert(eq(ptr, s, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), "manifest '/nonexistent/models.yaml' not found "
	    "(create it, or set 'manifest:' in mig.yaml)"));
}

/* ---- writing ---- */

Test(manifest, fixtures_round_trip_through_the_writer)
{
	const char *names[] = { "manifest_microblog.yaml", "manifest_story3.yaml" };
	struct mig_schema *s;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = load_fixture(names[i]);
		assert_round_trip(s);
		mig_schema_free(s);
	}
}

Test(manifest, writer_uses_the_explicit_table_level_form)
{
	struct mig_schema *s = load_fixture("manifest_microblog.yaml");
	struct mig_buf b = MIG_BUF_INIT;

	cr_assert(eq(int, mig_manifest_write(&b, s), 0));
	cr_assert(ne(ptr, strstr(b.ptr, "tables:\n  user:\n    columns:\n"
	    "      id: {type: integer, primary_key: true}\n"
	    "      username: {type: string(64), nullable: false}\n"), NULL), "%s", b.ptr);
	cr_assert(ne(ptr, strstr(b.ptr, "    indexes:\n      ix_user_username: {columns: [username], unique: true}\n"),
	    NULL), "%s", b.ptr);
	cr_assert(ne(ptr, strstr(b.ptr, "      fk_post_user_id_user: {columns: [user_id], references: user, "
	    "ref_columns: [id]}\n"), NULL), "%s", b.ptr);
	mig_buf_release(&b);
	mig_schema_free(s);
}

/* A model as introspection builds it: catalog type spellings, unnamed constraints, odd text. */
Test(manifest, catalog_model_round_trips_exactly)
{
	struct mig_schema *s = mig_schema_new(), *empty = mig_schema_new();
	struct mig_table *t, *u;
	struct mig_column *c;
	struct mig_index *x;
	struct mig_unique *q;
	struct mig_check *ck;
	struct mig_fk *fk;
	struct mig_enum *e;
	size_t n;

	assert_round_trip(empty);
	mig_schema_free(empty);

	e = mig_schema_add_enum(s, "mood");
	e->schema = "public";
	mig_enum_add_label(s, e, "null");
	mig_enum_add_label(s, e, "it's");
	mig_enum_add_label(s, e, "- dash");

	t = mig_schema_add_table(s, "true");
	t->comment = "line one\nline two: ünïcode";
	c = mig_table_add_column(s, t, "id");
	c->type = "INTEGER";
	c->nullable = true;                  /* SQLite allows NULL in a primary key */
	c->autoincrement = false;
	c = mig_table_add_column(s, t, "name");
	c->type = "character varying(64)";   /* lowercase catalog spelling: needs sql_type */
	c->nullable = false;
	c->default_sql = "'it''s'";
	c = mig_table_add_column(s, t, "flag");
	c->type = "boolean";
	c->default_sql = "NULL";
	c = mig_table_add_column(s, t, "seq");
	c->type = "text";
	c->autoincrement = true;             /* not expressible with type: text */
	c = mig_table_add_column(s, t, "stamp");
	c->type = "DATETIME";
	c->autoincrement = true;             /* a database type is not checked */
	c = mig_table_add_column(s, t, "#weird: name");
	c->type = "VARCHAR(10) COLLATE NOCASE";
	c->default_sql = "yes";
	c->comment = "~";
	mig_table_add_pk(s, t, "id");
	x = mig_table_add_index(s, t, "ix_expr");
	mig_strlist_add(s, &x->columns, &x->ncolumns, "lower(name)");
	mig_strlist_add(s, &x->columns, &x->ncolumns, "flag");
	x->expr = mig_arena_alloc(&s->arena, 2 * sizeof(bool));
	x->expr[0] = true;
	x->where = "flag IS NOT NULL";
	q = mig_table_add_unique(s, t, NULL);
	mig_strlist_add(s, &q->columns, &q->ncolumns, "name");
	q = mig_table_add_unique(s, t, "uq_named");
	mig_strlist_add(s, &q->columns, &q->ncolumns, "flag");
	ck = mig_table_add_check(s, t, NULL);
	ck->expr = "length(name) > 0";

	u = mig_schema_add_table(s, "child");
	u->schema = "app";
	c = mig_table_add_column(s, u, "a");
	c->type = "INTEGER";
	c->nullable = false;
	c = mig_table_add_column(s, u, "b");
	c->type = "enum(mood)";
	c->nullable = false;
	mig_table_add_pk(s, u, "a");
	mig_table_add_pk(s, u, "b");
	u->pk_name = "child_pkey";
	fk = mig_table_add_fk(s, u, NULL);
	mig_strlist_add(s, &fk->columns, &fk->ncolumns, "a");
	fk->ref_table = "true";
	n = 0;
	mig_strlist_add(s, &fk->ref_columns, &n, "id");
	fk->on_delete = "SET DEFAULT";
	fk->deferrable = true;
	ck = mig_table_add_check(s, u, "ck_b");
	ck->expr = "b <> 'x'";

	assert_round_trip(s);
	mig_schema_free(s);
}

Test(manifest, writer_refuses_what_the_format_cannot_hold)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_table *t = mig_schema_add_table(s, "t");
	struct mig_column *c = mig_table_add_column(s, t, "c");
	struct mig_buf b = MIG_BUF_INIT;

	mig_buf_puts(&b, "keep");
	c->type = "BLOB\xff";
	cr_assert(eq(int, mig_manifest_write(&b, s), MIG_EUSAGE));
	cr_assert(eq(str, b.ptr, "keep"));
	c->type = NULL;
	cr_assert(eq(int, mig_manifest_write(&b, s), MIG_EUSAGE));
	cr_assert(eq(str, (char *)mig_error_msg(), "cannot write a column without a name or type in table 't'"));
	mig_buf_release(&b);
	mig_schema_free(s);
}

/* ---- portable types ---- */

struct type_case {
	char type[40];
	char sqlite[40];
	char postgres[40];
};

static struct type_case type_cases[] = {
	{ "integer", "INTEGER", "integer" },
	{ "bigint", "BIGINT", "bigint" },
	{ "smallint", "SMALLINT", "smallint" },
	{ "string(64)", "VARCHAR(64)", "varchar(64)" },
	{ "string", "VARCHAR", "varchar" },
	{ "text", "TEXT", "text" },
	{ "boolean", "BOOLEAN", "boolean" },
	{ "float", "REAL", "real" },
	{ "double", "DOUBLE PRECISION", "double precision" },
	{ "numeric(10,2)", "NUMERIC(10,2)", "numeric(10,2)" },
	{ "numeric(10)", "NUMERIC(10)", "numeric(10)" },
	{ "numeric", "NUMERIC", "numeric" },
	{ "date", "DATE", "date" },
	{ "datetime", "DATETIME", "timestamp without time zone" },
	{ "timestamptz", "DATETIME", "timestamp with time zone" },
	{ "time", "TIME", "time without time zone" },
	{ "json", "JSON", "json" },
	{ "uuid", "CHAR(36)", "uuid" },
	{ "bytes", "BLOB", "bytea" },
	{ "enum(genderenum)", "VARCHAR(9)", "\"genderenum\"" },
	{ "enum(Mood)", "VARCHAR(3)", "\"app\".\"Mood\"" },
	{ "string(64)[]", "JSON", "varchar(64)[]" },
	{ "text[]", "JSON", "text[]" },
	{ "enum(genderenum)[]", "JSON", "\"genderenum\"[]" },
	/* Database types pass through unchanged, whatever their case. */
	{ "VARCHAR(10) COLLATE NOCASE", "VARCHAR(10) COLLATE NOCASE", "VARCHAR(10) COLLATE NOCASE" },
	{ "jsonb", "jsonb", "jsonb" },
	{ "INTEGER", "INTEGER", "INTEGER" },
	{ "character varying(64)", "character varying(64)", "character varying(64)" },
};

ParameterizedTestParameters(types, render_per_dialect)
{
	return cr_make_param_array(struct type_case, type_cases, sizeof(type_cases) / sizeof(type_cases[0]));
}

ParameterizedTest(struct type_case *c, types, render_per_dialect)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_enum *e = mig_schema_add_enum(s, "genderenum");
	struct mig_buf b = MIG_BUF_INIT;

	mig_enum_add_label(s, e, "MALE");
	mig_enum_add_label(s, e, "FEMALE");
	mig_enum_add_label(s, e, "UNDEFINED");
	e = mig_schema_add_enum(s, "Mood");
	e->schema = "app";
	mig_enum_add_label(s, e, "sad");
	cr_assert(eq(int, mig_type_render(&b, MIG_SQLITE, c->type, s), 0));
	cr_assert(eq(str, b.ptr, c->sqlite));
	mig_buf_clear(&b);
	cr_assert(eq(int, mig_type_render(&b, MIG_POSTGRES, c->type, s), 0));
	cr_assert(eq(str, b.ptr, c->postgres));
	mig_buf_release(&b);
	mig_schema_free(s);
}

Test(types, undeclared_enum_does_not_render)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_schema *s = mig_schema_new();

	cr_assert(eq(int, mig_type_render(&b, MIG_SQLITE, "enum(x)", s), MIG_ENOTFOUND));
	cr_assert(eq(str, (char *)mig_error_msg(), "unknown enum 'x'"));
	cr_assert(eq(int, mig_type_render(&b, MIG_POSTGRES, "enum(x)", s), MIG_ENOTFOUND));
	cr_assert(eq(int, mig_type_render(&b, MIG_POSTGRES, "enum(x)", NULL), 0));
	cr_assert(eq(str, b.ptr, "\"x\""));
	mig_buf_release(&b);
	mig_schema_free(s);
}

Test(types, sqlite_enum_gets_an_in_check)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_enum *e = mig_schema_add_enum(s, "genderenum");
	struct mig_buf b = MIG_BUF_INIT;

	mig_enum_add_label(s, e, "MALE");
	mig_enum_add_label(s, e, "O'NEIL");
	cr_assert(eq(int, mig_type_render_check(&b, MIG_SQLITE, "gender", "enum(genderenum)", s), 1));
	cr_assert(eq(str, b.ptr, "\"gender\" IN ('MALE', 'O''NEIL')"));
	mig_buf_clear(&b);
	cr_assert(eq(int, mig_type_render_check(&b, MIG_POSTGRES, "gender", "enum(genderenum)", s), 0));
	cr_assert(eq(int, mig_type_render_check(&b, MIG_SQLITE, "g", "enum(genderenum)[]", s), 0));
	cr_assert(eq(int, mig_type_render_check(&b, MIG_SQLITE, "g", "text", s), 0));
	cr_assert(eq(str, b.ptr, ""));
	cr_assert(eq(int, mig_type_render_check(&b, MIG_SQLITE, "g", "enum(nope)", s), MIG_ENOTFOUND));
	mig_buf_release(&b);
	mig_schema_free(s);
}

struct parse_case {
	char text[40];
	char canon[40];         /* "": an error */
	char msg[128];
};

static struct parse_case parse_cases[] = {
	{ "String(64)", "string(64)", "" },
	{ " numeric( 10 , 2 ) ", "numeric(10,2)", "" },
	{ "INTEGER", "integer", "" },
	{ "Text []", "text[]", "" },
	{ "enum(GenderEnum)", "enum(GenderEnum)", "" },
	{ "ENUM( x )", "enum(x)", "" },
	{ "timestamptz", "timestamptz", "" },
	{ "VARCHAR(10) COLLATE NOCASE", "VARCHAR(10) COLLATE NOCASE", "" },
	{ "JSONB", "JSONB", "" },
	{ "DOUBLE PRECISION", "DOUBLE PRECISION", "" },
	{ "TIME(3)", "TIME(3)", "" },
	{ "integr", "", "unknown type 'integr' (did you mean 'integer'?)" },
	{ "int", "", "unknown type 'int' (did you mean 'integer'?)" },
	{ "varchar(20)", "", "unknown type 'varchar(20)' (did you mean 'string(20)'?)" },
	{ "bool", "", "unknown type 'bool' (did you mean 'boolean'?)" },
	{ "timestamp", "", "unknown type 'timestamp' (did you mean 'datetime'?)" },
	{ "Inet", "", "unknown type 'Inet' (write a database type in uppercase, 'INET', or give it as sql_type)" },
	{ "enum", "", "invalid type 'enum': 'enum' needs the name of an enum declared under 'enums:'" },
	{ "enum()", "", "invalid type 'enum()': 'enum' needs the name of an enum declared under 'enums:'" },
	{ "time(3)", "", "invalid type 'time(3)': 'time' takes no arguments" },
	{ "numeric(2,5)", "", "invalid type 'numeric(2,5)': 'numeric' needs a scale between 0 and the precision" },
	{ "string(99999999999)", "", "invalid type 'string(99999999999)': 'string' needs a positive length" },
	{ "string[", "", "invalid type 'string[': 'string' has a malformed array suffix (write T[])" },
	{ "", "", "unknown type '' (write a database type in uppercase, '', or give it as sql_type)" },
};

ParameterizedTestParameters(types, parse_normalises_or_explains)
{
	return cr_make_param_array(struct parse_case, parse_cases, sizeof(parse_cases) / sizeof(parse_cases[0]));
}

ParameterizedTest(struct parse_case *c, types, parse_normalises_or_explains)
{
	struct mig_buf b = MIG_BUF_INIT;
	struct mig_type t;
	int rc = mig_type_parse(&t, &b, c->text);

	if (c->canon[0] != '\0') {
		cr_assert(eq(int, rc, 0), "%s: %s", c->text, mig_error_msg());
		cr_assert(eq(str, b.ptr, c->canon));
		cr_assert(eq(int, mig_type_is_portable(b.ptr), t.kind != MIG_TYPE_SQL));
	} else {
		cr_assert(eq(int, rc, MIG_EPARSE), "accepted '%s'", c->text);
		cr_assert(eq(str, (char *)mig_error_msg(), c->msg));
	}
	mig_buf_release(&b);
}

struct from_case {
	enum mig_dialect d;
	char sql[40];
	char portable[40];      /* "": no portable equivalent */
};

static struct from_case from_cases[] = {
	{ MIG_SQLITE, "VARCHAR(64)", "string(64)" },
	{ MIG_SQLITE, "varchar(64)", "string(64)" },
	{ MIG_SQLITE, "INTEGER", "integer" },
	{ MIG_SQLITE, "NUMERIC(10, 2)", "numeric(10,2)" },
	{ MIG_SQLITE, "DATETIME", "datetime" },
	{ MIG_SQLITE, "BLOB", "bytes" },
	{ MIG_SQLITE, "DOUBLE PRECISION", "double" },
	{ MIG_SQLITE, "CHAR(36)", "" },
	{ MIG_SQLITE, "VARCHAR(10) COLLATE NOCASE", "" },
	{ MIG_SQLITE, "INTEGER(5)", "" },
	{ MIG_SQLITE, "text[]", "" },
	{ MIG_POSTGRES, "character varying(120)", "string(120)" },
	{ MIG_POSTGRES, "character varying", "string" },
	{ MIG_POSTGRES, "timestamp with time zone", "timestamptz" },
	{ MIG_POSTGRES, "timestamp without time zone", "datetime" },
	{ MIG_POSTGRES, "text[]", "text[]" },
	{ MIG_POSTGRES, "genderenum", "enum(genderenum)" },
	{ MIG_POSTGRES, "genderenum[]", "enum(genderenum)[]" },
	{ MIG_POSTGRES, "\"GenderEnum\"", "enum(GenderEnum)" },
	{ MIG_POSTGRES, "jsonb", "" },
	{ MIG_POSTGRES, "integer(5)", "" },
	{ MIG_POSTGRES, "", "" },
};

ParameterizedTestParameters(types, from_catalog_spelling)
{
	return cr_make_param_array(struct from_case, from_cases, sizeof(from_cases) / sizeof(from_cases[0]));
}

ParameterizedTest(struct from_case *c, types, from_catalog_spelling)
{
	struct mig_schema *s = mig_schema_new();
	struct mig_buf b = MIG_BUF_INIT;

	mig_enum_add_label(s, mig_schema_add_enum(s, "genderenum"), "A");
	mig_enum_add_label(s, mig_schema_add_enum(s, "GenderEnum"), "A");
	mig_buf_puts(&b, ">");
	cr_assert(eq(int, mig_type_from_sql(&b, c->d, c->sql, s), c->portable[0] != '\0'), "%s", c->sql);
	if (c->portable[0] != '\0')
		cr_assert(eq(str, b.ptr + 1, c->portable));
	else
		cr_assert(eq(str, b.ptr, ">"));
	mig_buf_release(&b);
	mig_schema_free(s);
}

Test(types, rendering_then_reading_the_catalog_spelling_gives_the_type_back)
{
	/* SQLite stores fewer types: timestamptz, uuid, enums and arrays come back as something else. */
	static const struct {
		const char *type;
		bool pg_only;
	} types[] = {
		{ "integer", false }, { "bigint", false }, { "smallint", false }, { "string(64)", false },
		{ "string", false }, { "text", false }, { "boolean", false }, { "float", false },
		{ "double", false }, { "numeric(10,2)", false }, { "numeric", false }, { "date", false },
		{ "datetime", false }, { "time", false }, { "json", false }, { "bytes", false },
		{ "timestamptz", true }, { "uuid", true }, { "text[]", true }, { "string(8)[]", true },
		{ "enum(genderenum)", true }, { "enum(genderenum)[]", true },
	};
	struct mig_schema *s = mig_schema_new();
	struct mig_buf sql = MIG_BUF_INIT, back = MIG_BUF_INIT;
	enum mig_dialect d;
	const char *catalog;
	size_t i;

	mig_enum_add_label(s, mig_schema_add_enum(s, "genderenum"), "A");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (d = MIG_SQLITE; d <= MIG_POSTGRES; d++) {
			if (d == MIG_SQLITE && types[i].pg_only)
				continue;
			mig_buf_clear(&sql);
			mig_buf_clear(&back);
			cr_assert(eq(int, mig_type_render(&sql, d, types[i].type, s), 0));
			/* format_type() prints an enum's name unquoted when it needs no quotes. */
			catalog = mig_str_startswith(types[i].type, "enum(")
			    ? (strchr(types[i].type, '[') ? "genderenum[]" : "genderenum") : sql.ptr;
			cr_assert(mig_type_from_sql(&back, d, catalog, s), "%s", catalog);
			cr_assert(eq(str, back.ptr, (char *)types[i].type), "dialect %d: %s -> %s -> %s", d,
			    types[i].type, catalog, back.ptr);
		}
	}
	mig_buf_release(&sql);
	mig_buf_release(&back);
	mig_schema_free(s);
}

Test(types, inspected_schema_gets_portable_types_where_they_render_back_the_same)
{
	static const char *const sqlite[][2] = {
		{ "INTEGER", "integer" }, { "VARCHAR(64)", "string(64)" }, { "varchar", "string" },
		{ "DATETIME", "datetime" }, { "FLOAT", "FLOAT" }, { "VARCHAR(10) COLLATE NOCASE",
		"VARCHAR(10) COLLATE NOCASE" }, { "CHAR(36)", "CHAR(36)" }, { "JSON", "json" },
	};
	static const char *const pg[][2] = {
		{ "integer", "integer" }, { "character varying(64)", "string(64)" },
		{ "timestamp with time zone", "timestamptz" }, { "jsonb", "jsonb" },
		{ "mood", "enum(mood)" }, { "text[]", "text[]" }, { "inet", "inet" },
	};
	struct mig_schema *s;
	struct mig_table *t;
	size_t i;

	s = mig_schema_new();
	t = mig_schema_add_table(s, "t");
	for (i = 0; i < sizeof(sqlite) / sizeof(sqlite[0]); i++)
		mig_table_add_column(s, t, sqlite[i][0])->type = sqlite[i][0];
	cr_assert(eq(sz, mig_schema_portable_types(s, MIG_SQLITE), 5));
	for (i = 0; i < sizeof(sqlite) / sizeof(sqlite[0]); i++)
		cr_assert(eq(str, (char *)t->columns[i]->type, (char *)sqlite[i][1]));
	mig_schema_free(s);

	s = mig_schema_new();
	mig_enum_add_label(s, mig_schema_add_enum(s, "mood"), "ok");
	t = mig_schema_add_table(s, "t");
	for (i = 0; i < sizeof(pg) / sizeof(pg[0]); i++)
		mig_table_add_column(s, t, pg[i][0])->type = pg[i][0];
	cr_assert(eq(sz, mig_schema_portable_types(s, MIG_POSTGRES), 3));
	for (i = 0; i < sizeof(pg) / sizeof(pg[0]); i++)
		cr_assert(eq(str, (char *)t->columns[i]->type, (char *)pg[i][1]));
	assert_round_trip(s);
	mig_schema_free(s);
}

/* ---- the starter template and the documentation ---- */

Test(manifest, starter_template_loads_and_its_example_too)
{
	char *text = read_top("migrations-template/models.yaml");
	struct mig_buf example = MIG_BUF_INIT;
	struct mig_schema *s = load_text(text);
	const char *p, *eol;
	bool in = false;

	cr_assert(eq(sz, s->ntables, 0));
	mig_schema_free(s);
	/* Uncomment the example block ("# tables:" up to the next bare "#") and load it. */
	for (p = text; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (!in && strncmp(p, "# tables:", 9) == 0)
			in = true;
		else if (in && eol - p == 1 && p[0] == '#')
			break;
		if (in && eol - p >= 2) {
			mig_buf_put(&example, p + 2, (size_t)(eol - p - 2));
			mig_buf_putc(&example, '\n');
		}
	}
	s = load_text(example.ptr);
	cr_assert(eq(sz, s->ntables, 2));
	cr_assert(eq(str, (char *)s->tables[1]->fks[0]->name, "fk_post_user_id_user"));
	mig_schema_free(s);
	mig_buf_release(&example);
	free(text);
}

/* Every ```yaml block of docs/manifest.md that does not start with "# invalid" must load. */
Test(manifest, documentation_examples_load)
{
	char *doc = read_top("docs/manifest.md");
	const char *p = doc, *end;
	struct mig_schema *s;
	int blocks = 0;
	char *block;

	while ((p = strstr(p, "```yaml\n")) != NULL) {
		p += 8;
		end = strstr(p, "```\n");
		cr_assert(ne(ptr, (void *)end, NULL));
		block = mig_xstrndup(p, (size_t)(end - p));
		if (strncmp(block, "# invalid", 9) != 0) {
			int rc = mig_manifest_load_buf(&s, block, strlen(block), "docs/manifest.md", NULL);

			cr_assert(eq(int, rc, 0), "%s\n%s", mig_error_msg(), block);
			if (strstr(block, "profiles:") != NULL)
				cr_assert(ne(ptr, mig_schema_find_table(s, "profiles"), NULL));
			mig_schema_free(s);
			blocks++;
		}
		free(block);
		p = end + 4;
	}
	cr_assert(ge(int, blocks, 3));
	free(doc);
}

/* ---- robustness ---- */

static void
load_any(const char *text, size_t len)
{
	struct mig_schema *s = NULL;
	int rc = mig_manifest_load_buf(&s, text, len, "m.yaml", NULL);

	if (rc == 0) {
		cr_assert(ne(ptr, s, NULL));
		assert_round_trip(s);
		mig_schema_free(s);
		return;
	}
	cr_assert(eq(ptr, s, NULL));
	cr_assert(eq(int, rc, MIG_EPARSE), "rc %d: %s", rc, mig_error_msg());
	cr_assert(message_has_position(mig_error_msg()), "no position: %s", mig_error_msg());
}

Test(manifest, truncated_and_mutated_input_fails_cleanly_or_round_trips)
{
	const char *names[] = { "manifest_microblog.yaml", "manifest_story3.yaml" };
	const char repl[] = { '\0', ':', '-', '[', '{', '&', '*', '\t', '\n', '"', '\'', ' ', '#', 'x', '\xff' };
	unsigned long seed = 12345;
	size_t f, i, len, pos;
	char *path, *text, saved;

	for (f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
		path = mig_xasprintf("%s/tests/fixtures/%s", th_top(), names[f]);
		text = th_read(path);
		cr_assert(ne(ptr, text, NULL));
		len = strlen(text);
		for (i = 0; i <= len; i++)
			load_any(text, i);
		/* A fixed pseudo-random sample of one-byte mutations, so a failure reproduces. */
		for (i = 0; i < 1500; i++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			pos = (size_t)(seed >> 33) % len;
			saved = text[pos];
			text[pos] = repl[(seed >> 20) % sizeof(repl)];
			load_any(text, len);
			text[pos] = saved;
		}
		free(text);
		free(path);
	}
}
