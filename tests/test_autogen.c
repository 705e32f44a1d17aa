/*
 * test_autogen.c — the predicted manifest side of autogenerate against the exact one.
 *
 * `check` and `migrate` predict how the catalog would print the manifest (autogen_predict.c) and
 * send only the tables the prediction is unsure of, or finds changed, through a scratch database.
 * These tests pin the two promises that make this safe, on SQLite and on a real PostgreSQL:
 * - a table the prediction is sure of is exactly what the scratch database prints for it;
 * - for every pair of schema generations (the database at one, the manifest at another), the
 *   predicted path finds the very operations, notes and scripts the all-scratch path finds.
 * The generations cover every feature of the manifest and hostile names.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "autogen.h"
#include "cfg.h"
#include "db.h"
#include "helpers.h"
#include "man.h"
#include "schema.h"
#include "sql_render.h"

static const char *const generations[] = {
	/* 0: nothing yet */
	"tables: {}\n",

	/* 1: the microblog */
	"tables:\n"
	"  user:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      username: {type: string(64), nullable: false, unique: true, index: true}\n"
	"      email: {type: string(120), nullable: false, unique: true, index: true}\n"
	"      password_hash: {type: string(256)}\n"
	"  post:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      body: {type: string(140), nullable: false}\n"
	"      timestamp: {type: datetime, nullable: false, index: true}\n"
	"      user_id: {type: integer, nullable: false, index: true, references: user.id}\n",

	/* 2: every feature */
	"enums:\n"
	"  mood: [happy, sad, \"it's ok\"]\n"
	"tables:\n"
	"  user:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      username: {type: string(64), nullable: false, unique: true, index: true}\n"
	"      email: {type: string(120), nullable: false, unique: true, index: true}\n"
	"      password_hash: {type: string(256)}\n"
	"  post:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      body: {type: text, nullable: false}\n"
	"      timestamp: {type: datetime, nullable: false, index: true}\n"
	"      user_id: {type: integer, nullable: false, index: true, references: user.id, on_delete: CASCADE}\n"
	"  account:\n"
	"    comment: accounts of people\n"
	"    columns:\n"
	"      id: {type: bigint, primary_key: true, autoincrement: true}\n"
	"      email: {type: string(200), nullable: false, unique: true}\n"
	"      handle: {type: string, index: true}\n"
	"      mood: {type: enum(mood), default: \"'happy'\"}\n"
	"      tags: {type: \"text[]\"}\n"
	"      settings: {type: json}\n"
	"      uid: {type: uuid}\n"
	"      pic: {type: bytes}\n"
	"      born: {type: date, default: CURRENT_DATE}\n"
	"      at: {type: timestamptz, default: CURRENT_TIMESTAMP}\n"
	"      seen: {type: timestamptz, default: now()}\n"
	"      t: {type: time}\n"
	"      ratio: {type: double, default: \"1.5\"}\n"
	"      score: {type: float, check: \"score >= 0\"}\n"
	"      price: {type: \"numeric(10)\", default: \"-1\"}\n"
	"      total: {type: \"numeric(12,2)\", nullable: false, default: \"0\"}\n"
	"      flag: {type: boolean, nullable: false, default: \"false\", comment: a flag}\n"
	"      title: {type: text, default: \"'it''s'\"}\n"
	"      code: {type: string(8), default: \"'x'\"}\n"
	"      raw: {sql_type: VARCHAR(10)}\n"
	"      small: {type: smallint, default: \"(1 + 2)\"}\n"
	"      big: {type: bigint, default: \"42\"}\n"
	"    indexes:\n"
	"      ix_lower_email: {columns: [{expression: lower(email)}], unique: true}\n"
	"      ix_part: {columns: [handle, born], where: \"handle IS NOT NULL\"}\n"
	"    unique:\n"
	"      uq_handle_born: [handle, born]\n"
	"    checks:\n"
	"      ck_price_pos: \"price > -10\"\n"
	"  membership:\n"
	"    primary_key: {name: pk_membership, columns: [account_id, team]}\n"
	"    columns:\n"
	"      account_id: {type: bigint, references: account.id, on_delete: CASCADE}\n"
	"      team: {type: string(20)}\n"
	"      since: {type: datetime, nullable: false}\n"
	"      parent_account: {type: bigint}\n"
	"      parent_team: {type: string(20)}\n"
	"    foreign_keys:\n"
	"      fk_parent:\n"
	"        columns: [parent_account, parent_team]\n"
	"        references: membership\n"
	"        ref_columns: [account_id, team]\n"
	"        on_update: SET NULL\n"
	"        deferrable: true\n"
	"        initially_deferred: true\n"
	"  plain:\n"
	"    comment: plain numbers\n"
	"    columns:\n"
	"      n: {type: integer, autoincrement: false, primary_key: true}\n"
	"      x: {type: integer, nullable: false, default: \"7\", comment: the x}\n"
	/* tables that differ from generation 3 in one field only */
	"  notes:\n"
	"    comment: notes table\n"
	"    columns: {id: {type: integer, primary_key: true}, body: {type: text}}\n"
	"  labels:\n"
	"    columns: {id: {type: integer, primary_key: true}, name: {type: string(10), comment: the label}}\n"
	"  d_null:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer, nullable: false}}\n"
	"  d_default:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer, default: \"1\"}}\n"
	"  d_type:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: string(10)}}\n"
	"  d_fk:\n"
	"    columns: {id: {type: integer, primary_key: true}, n: {type: integer, references: notes.id, on_delete: CASCADE}}\n"
	"  d_unique:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer, unique: true}}\n",

	/* 3: generation 2 evolved: renames, type and key changes, an enum label, drops and adds */
	"enums:\n"
	"  mood: [happy, meh, sad, \"it's ok\"]\n"
	"tables:\n"
	"  users:\n"
	"    renamed_from: user\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      login: {type: string(64), nullable: false, unique: true, index: true, renamed_from: username}\n"
	"      email: {type: string(200), nullable: false, unique: true, index: true}\n"
	"      password_hash: {type: string(256), nullable: false, default: \"''\"}\n"
	"      joined: {type: datetime}\n"
	"  post:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      body: {type: text, nullable: false}\n"
	"      timestamp: {type: datetime, nullable: false}\n"
	"      user_id: {type: integer, nullable: false, index: true, references: users.id, on_delete: SET NULL}\n"
	"  account:\n"
	"    comment: accounts\n"
	"    columns:\n"
	"      id: {type: bigint, primary_key: true, autoincrement: true}\n"
	"      email: {type: string(200), nullable: false, unique: true}\n"
	"      handle: {type: string(30)}\n"
	"      mood: {type: enum(mood), default: \"'meh'\"}\n"
	"      settings: {type: json}\n"
	"      uid: {type: uuid}\n"
	"      born: {type: date}\n"
	"      at: {type: timestamptz, default: CURRENT_TIMESTAMP}\n"
	"      ratio: {type: double, default: \"2.5\"}\n"
	"      score: {type: float, check: \"score > 0\"}\n"
	"      price: {type: \"numeric(10)\", default: \"-1\"}\n"
	"      total: {type: \"numeric(14,2)\", nullable: false, default: \"0\"}\n"
	"      flag: {type: boolean, nullable: false, default: \"true\", comment: the flag}\n"
	"      small: {type: smallint}\n"
	"    indexes:\n"
	"      ix_part: {columns: [handle], where: \"handle IS NOT NULL\"}\n"
	"    checks:\n"
	"      ck_price_pos: \"price > -10\"\n"
	"  plain:\n"
	"    comment: just numbers\n"
	"    columns:\n"
	"      n: {type: integer, autoincrement: false, primary_key: true, comment: the n}\n"
	"      x: {type: integer, nullable: false, default: \"8\"}\n"
	"      y: {type: string(5), default: \"'y'\"}\n"
	"  tag:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true, autoincrement: true}\n"
	"      name: {type: string(50), nullable: false}\n"
	"      post_id: {type: integer, references: post.id}\n"
	"  notes:\n"
	"    columns: {id: {type: integer, primary_key: true}, body: {type: text}}\n"
	"  labels:\n"
	"    columns: {id: {type: integer, primary_key: true}, name: {type: string(10)}}\n"
	"  d_null:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer}}\n"
	"  d_default:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer, default: \"2\"}}\n"
	"  d_type:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: string(11)}}\n"
	"  d_fk:\n"
	"    columns: {id: {type: integer, primary_key: true}, n: {type: integer, references: notes.id}}\n"
	"  d_unique:\n"
	"    columns: {id: {type: integer, primary_key: true}, x: {type: integer}}\n",

	/* 4: hostile names, upper case, unicode, keywords */
	"enums:\n"
	"  Mood Type: [\"A b\", \"c'd\"]\n"
	"tables:\n"
	"  Order Items:\n"
	"    columns:\n"
	"      select: {type: integer, primary_key: true}\n"
	"      \"we\\\"ird\": {type: string(10), default: \"'q'\"}\n"
	"      café: {type: text, index: true}\n"
	"      feel: {type: enum(Mood Type)}\n"
	"  CamelCase:\n"
	"    columns:\n"
	"      Id: {type: integer, primary_key: true}\n"
	"      order_ref: {type: integer, references: Order Items.select}\n"
	"  user:\n"
	"    columns:\n"
	"      id: {type: integer, primary_key: true}\n"
	"      email: {type: string(120), nullable: false, unique: true, index: true}\n",
};
#define NGEN (sizeof(generations) / sizeof(generations[0]))

/* Tables every dialect predicts for sure in these generations (the fast path must be used). */
static const char *const sure_everywhere[][2] = {
	{ "1", "user" }, { "1", "post" }, { "2", "membership" }, { "2", "plain" }, { "3", "tag" },
	{ "3", "plain" }, { "4", "CamelCase" }, { "2", "notes" }, { "2", "labels" }, { "2", "d_null" },
	{ "2", "d_default" }, { "2", "d_type" }, { "2", "d_fk" }, { "2", "d_unique" }, { "3", "notes" },
	{ "3", "d_fk" },
};

static char *dir;

static void
setup(void)
{
	dir = th_tmpdir();
}

static void
teardown(void)
{
	th_rmtree(dir);
	free(dir);
}

static struct mig_config *
config_for(size_t gen)
{
	struct mig_config *cfg = mig_config_default(dir);
	char name[32];

	snprintf(name, sizeof(name), "gen%zu.yaml", gen);
	th_write(dir, name, generations[gen]);
	free(cfg->manifest);
	cfg->manifest = mig_xasprintf("%s/%s", dir, name);
	return cfg;
}

static struct mig_schema *
load(size_t gen)
{
	struct mig_config *cfg = config_for(gen);
	struct mig_schema *m = NULL;

	cr_assert(eq(int, mig_manifest_load(&m, cfg->manifest, cfg), 0), "generation %zu: %s", gen,
	    mig_error_msg());
	mig_config_free(cfg);
	return m;
}

static char *
dump_table(const struct mig_table *t)
{
	struct mig_buf b = MIG_BUF_INIT;

	mig_table_dump(&b, t, false);
	return mig_buf_detach(&b);
}

/*
 * Every table the prediction is sure of dumps exactly like the scratch database's; returns how
 * many tables were sure. scratch is the whole manifest through the scratch database.
 */
static size_t
assert_sure_tables_exact(size_t gen, const struct mig_schema *pred, const bool *unsure,
    const struct mig_schema *scratch)
{
	size_t i, sure = 0;

	cr_assert(eq(sz, pred->ntables, scratch->ntables), "generation %zu", gen);
	for (i = 0; i < pred->ntables; i++) {
		const struct mig_table *t = pred->tables[i];
		const struct mig_table *s = scratch->tables[i];
		char *a, *b;

		cr_assert(eq(str, (char *)t->name, (char *)s->name), "generation %zu: table order", gen);
		if (unsure[i])
			continue;
		sure++;
		a = dump_table(t);
		b = dump_table(s);
		cr_expect(eq(str, a, b), "generation %zu, table '%s': predicted\n%s\nscratch\n%s", gen,
		    t->name, a, b);
		free(a);
		free(b);
	}
	for (i = 0; i < pred->nenums; i++) {
		cr_assert(lt(sz, i, scratch->nenums));
		cr_expect(eq(str, (char *)pred->enums[i]->name, (char *)scratch->enums[i]->name));
	}
	cr_expect(eq(sz, pred->nenums, scratch->nenums), "generation %zu: enums", gen);
	return sure;
}

static void
assert_sure_where_expected(size_t gen, const struct mig_schema *pred, const bool *unsure)
{
	size_t i, k;

	for (k = 0; k < sizeof(sure_everywhere) / sizeof(sure_everywhere[0]); k++) {
		if ((size_t)atoi(sure_everywhere[k][0]) != gen)
			continue;
		for (i = 0; i < pred->ntables && strcmp(pred->tables[i]->name, sure_everywhere[k][1]); i++)
			;
		cr_assert(lt(sz, i, pred->ntables));
		cr_expect(not(unsure[i]), "generation %zu: table '%s' should be predicted for sure", gen,
		    sure_everywhere[k][1]);
	}
}

/* The operations, notes and both scripts of one comparison, as one text. */
static char *
outcome(struct mig_db *db, enum mig_dialect d, struct mig_config *cfg, bool exact)
{
	struct mig_autogen ag;
	struct mig_buf out = MIG_BUF_INIT, up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	size_t i;

	memset(&ag, 0, sizeof(ag));
	ag.exact = exact;
	cr_assert(eq(int, mig_autogen_compare(&ag, db, d, cfg), 0), "%s", mig_error_msg());
	for (i = 0; i < ag.diff.nops; i++) {
		mig_op_describe(&out, &ag.diff.ops[i]);
		mig_buf_putc(&out, '\n');
	}
	for (i = 0; i < ag.diff.nnotes; i++)
		mig_buf_printf(&out, "note: %s\n", ag.diff.notes[i]);
	if (ag.diff.nops) {
		cr_assert(eq(int, mig_autogen_render(&ag, d, &up, &down), 0), "%s", mig_error_msg());
		mig_buf_printf(&out, "-- up\n%s-- down\n%s", up.ptr, down.ptr);
	}
	mig_buf_release(&up);
	mig_buf_release(&down);
	mig_autogen_release(&ag);
	return mig_buf_detach(&out);
}

static void
assert_same_outcome(struct mig_db *db, enum mig_dialect d, size_t at, size_t gen)
{
	struct mig_config *cfg = config_for(gen);
	char *fast = outcome(db, d, cfg, false);
	char *exact = outcome(db, d, cfg, true);

	cr_expect(eq(str, fast, exact), "database at generation %zu, manifest at %zu:\npredicted:\n%s\n"
	    "exact:\n%s", at, gen, fast, exact);
	if (at == gen)
		cr_expect(eq(str, fast, ""), "generation %zu against itself:\n%s", gen, fast);
	free(fast);
	free(exact);
	mig_config_free(cfg);
}

/* ---- SQLite ---- */

TestSuite(autogen_sqlite, .init = setup, .fini = teardown);

Test(autogen_sqlite, sure_tables_are_exactly_what_the_scratch_database_prints)
{
	size_t gen;

	for (gen = 0; gen < NGEN; gen++) {
		struct mig_schema *m = load(gen), *pred = NULL, *scratch = NULL;
		bool *unsure = NULL;

		cr_assert(eq(int, mig_autogen_predict(&pred, &unsure, m, MIG_SQLITE, NULL), 0));
		cr_assert(eq(int, mig_sqlite_scratch(&scratch, m), 0), "%s", mig_error_msg());
		/* SQLite keeps declared text: every table of these generations is predictable. */
		cr_expect(eq(sz, assert_sure_tables_exact(gen, pred, unsure, scratch), pred->ntables),
		    "generation %zu", gen);
		assert_sure_where_expected(gen, pred, unsure);
		free(unsure);
		mig_schema_free(pred);
		mig_schema_free(scratch);
		mig_schema_free(m);
	}
}

Test(autogen_sqlite, unsure_of_types_sqlite_would_cut)
{
	struct mig_schema *m = NULL, *pred = NULL, *scratch = NULL;
	struct mig_config *cfg = mig_config_default(dir);
	const char *yaml =
	    "tables:\n"
	    "  t:\n"
	    "    columns:\n"
	    "      id: {type: integer, primary_key: true}\n"
	    "      a: {sql_type: VARCHAR(10) COLLATE NOCASE}\n";
	bool *unsure = NULL;

	cr_assert(eq(int, mig_manifest_load_buf(&m, yaml, strlen(yaml), "t.yaml", cfg), 0), "%s",
	    mig_error_msg());
	cr_assert(eq(int, mig_autogen_predict(&pred, &unsure, m, MIG_SQLITE, NULL), 0));
	cr_assert(eq(int, mig_sqlite_scratch(&scratch, m), 0));
	/* The catalog prints VARCHAR(10): a prediction would have been wrong, so it must not be sure. */
	cr_expect(eq(str, (char *)scratch->tables[0]->columns[1]->type, "VARCHAR(10)"));
	cr_expect(unsure[0]);
	free(unsure);
	mig_schema_free(pred);
	mig_schema_free(scratch);
	mig_schema_free(m);
	mig_config_free(cfg);
}

static struct mig_db *
sqlite_at(size_t gen, char **path)
{
	struct mig_schema *m = load(gen);
	struct mig_buf ddl = MIG_BUF_INIT;
	struct mig_url *u = NULL;
	struct mig_db *db = NULL;
	sqlite3 *h = NULL;
	char *url;

	*path = mig_xasprintf("%s/at%zu.db", dir, gen);
	unlink(*path);
	cr_assert(eq(int, mig_sql_create_schema(&ddl, MIG_SQLITE, m, true), 0));
	cr_assert(eq(int, sqlite3_open(*path, &h), SQLITE_OK));
	cr_assert(eq(int, sqlite3_exec(h, ddl.ptr, NULL, NULL, NULL), SQLITE_OK), "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	url = mig_xasprintf("sqlite:///%s", *path);
	cr_assert(eq(int, mig_url_parse(&u, url), 0));
	cr_assert(eq(int, mig_db_open(&db, u, false), 0), "%s", mig_error_msg());
	mig_url_free(u);
	free(url);
	mig_buf_release(&ddl);
	mig_schema_free(m);
	return db;
}

Test(autogen_sqlite, predicted_and_exact_paths_agree_between_every_pair_of_generations)
{
	size_t at, gen;

	for (at = 0; at < NGEN; at++) {
		char *path = NULL;
		struct mig_db *db = sqlite_at(at, &path);

		for (gen = 0; gen < NGEN; gen++)
			assert_same_outcome(db, MIG_SQLITE, at, gen);
		mig_db_close(db);
		free(path);
	}
	/* And with no database yet: everything is new. */
	for (gen = 0; gen < NGEN; gen++)
		assert_same_outcome(NULL, MIG_SQLITE, 0, gen);
}

/* ---- PostgreSQL ---- */

static char *pg_url;
static char *pg_name;

static void
pg_setup(void)
{
	struct timespec ts;
	char *sql;

	setup();
	clock_gettime(CLOCK_REALTIME, &ts);
	pg_name = mig_xasprintf("mig_ag_%ld_%ld", (long)getpid(), (long)(ts.tv_nsec % 1000000));
	sql = mig_xasprintf("CREATE DATABASE %s", pg_name);
	th_pg_exec(th_pg_server_url(), sql);
	free(sql);
	pg_url = th_pg_db_url(pg_name);
}

static void
pg_teardown(void)
{
	char *sql = mig_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);

	th_pg_exec(th_pg_server_url(), sql);
	free(sql);
	free(pg_url);
	free(pg_name);
	teardown();
}

static struct mig_db *
pg_open(void)
{
	struct mig_url *u = NULL;
	struct mig_db *db = NULL;

	cr_assert(eq(int, mig_url_parse(&u, pg_url), 0));
	cr_assert(eq(int, mig_db_open(&db, u, false), 0), "%s", mig_error_msg());
	mig_url_free(u);
	return db;
}

/* Resets the test database's public schema to generation gen. */
static void
pg_reset_to(struct mig_db *db, size_t gen)
{
	struct mig_schema *m = load(gen);
	struct mig_buf ddl = MIG_BUF_INIT;
	struct mig_db_error err = { NULL, 0, NULL, "" };

	mig_buf_puts(&ddl, "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n");
	cr_assert(eq(int, mig_sql_create_schema(&ddl, MIG_POSTGRES, m, true), 0));
	cr_assert(eq(int, mig_db_exec(db, ddl.ptr, &err), 0), "%s\n%s", err.message ? err.message :
	    mig_error_msg(), ddl.ptr);
	mig_db_error_release(&err);
	mig_buf_release(&ddl);
	mig_schema_free(m);
}

TestSuite(autogen_pg, .init = pg_setup, .fini = pg_teardown);

Test(autogen_pg, sure_tables_are_exactly_what_the_scratch_schema_prints)
{
	struct mig_db *db = pg_open();
	size_t gen, sure = 0, total = 0;

	for (gen = 0; gen < NGEN; gen++) {
		struct mig_schema *m = load(gen), *pred = NULL, *scratch = NULL;
		bool *unsure = NULL;

		cr_assert(eq(int, mig_autogen_predict(&pred, &unsure, m, MIG_POSTGRES, NULL), 0));
		cr_assert(eq(int, mig_pg_scratch(&scratch, db, m, NULL), 0), "%s", mig_error_msg());
		sure += assert_sure_tables_exact(gen, pred, unsure, scratch);
		total += pred->ntables;
		assert_sure_where_expected(gen, pred, unsure);
		free(unsure);
		mig_schema_free(pred);
		mig_schema_free(scratch);
		mig_schema_free(m);
	}
	/* Expressions PostgreSQL rewrites make some tables unsure, but most are predicted. */
	cr_expect(gt(sz, sure * 2, total), "%zu of %zu tables predicted", sure, total);
	mig_db_close(db);
}

Test(autogen_pg, predicted_and_exact_paths_agree_between_every_pair_of_generations)
{
	struct mig_db *db = pg_open();
	size_t at, gen;

	for (at = 0; at < NGEN; at++) {
		pg_reset_to(db, at);
		for (gen = 0; gen < NGEN; gen++)
			assert_same_outcome(db, MIG_POSTGRES, at, gen);
	}
	mig_db_close(db);
}
