/*
 * test_cli_pg.c — end-to-end on a real PostgreSQL 15: the built ./mig driven through story 3 (users,
 * profiles with an enum, an array and JSON, a one-to-one foreign key, posts deleted with their user,
 * comments), enum evolution, the autogenerate round trip, failing revisions, offline --sql and
 * password hiding. Every step is checked against the server's own catalog (pg_class, pg_type,
 * pg_enum, pg_constraint, information_schema) and the version table, read through a separate libpq
 * connection, never through mig.
 *
 * The server comes from MIG_TEST_PG (tools/run-tests.sh starts one and also exports
 * MIG_TEST_PG_HOST, its socket directory). Each test creates its own database and drops it at the
 * end, so the suite runs in parallel with itself and with the other PostgreSQL suites.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "helpers.h"
#include "util.h"

static char *new_database(void);
static void drop_database(const char *name);
static void assert_q(const char *sql, const char *want);
static struct th_run run(int want, ...);
static char *generated_id(const char *err);
static char *rev_file(const char *id, const char *suffix);
static size_t count_lines(const char *path);
static void append(const char *path, const char *text);

static char *dir;       /* the project: migrations/ and models.yaml */
static char *dbname;    /* this test's database */
static char *dbname2;   /* a second one, for tests that need two */
static char *url;       /* dbname's URL, as mig gets it */
static char env_url[2048];
static const char *env[] = { env_url, NULL };

static void
assert_q(const char *sql, const char *want)
{
	char *got = th_pg_q(url, sql);

	cr_assert_str_eq(got, want, "%s\n got: %s\nwant: %s", sql, got, want);
	free(got);
}

static char *
new_database(void)
{
	static int n;
	struct timespec ts;
	char *name, *sql;

	clock_gettime(CLOCK_REALTIME, &ts);
	name = mig_xasprintf("t_%ld_%ld_%d", (long)getpid(), (long)(ts.tv_nsec % 1000000), n++);
	sql = mig_xasprintf("CREATE DATABASE %s", name);
	th_pg_exec(th_pg_server_url(), sql);
	free(sql);
	return name;
}

static void
drop_database(const char *name)
{
	PGconn *c;
	char *sql;

	if (name == NULL || (c = PQconnectdb(getenv("MIG_TEST_PG"))) == NULL)
		return;
	/* FORCE: a test that failed half-way may have left a connection open. */
	sql = mig_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	PQsetNoticeProcessor(c, th_pg_quiet, NULL);
	PQclear(PQexec(c, sql));
	free(sql);
	PQfinish(c);
}

static void
setup(void)
{
	struct th_run r;

	dir = th_tmpdir();
	dbname = new_database();
	url = th_pg_db_url(dbname);
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=%s", url);
	env[0] = env_url;
	r = th_mig(dir, env, "init", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_free(&r);
}

static void
teardown(void)
{
	drop_database(dbname);
	drop_database(dbname2);
	th_rmtree(dir);
	free(dir);
	free(dbname);
	free(dbname2);
	free(url);
	dir = dbname = dbname2 = url = NULL;
}

/* Runs mig in the project with the arguments (NULL-ended) and asserts its exit status. */
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

/* The revision id from "Generating .../versions/<id>_slug.up.sql ... done". */
static char *
generated_id(const char *err)
{
	const char *p = strstr(err, "versions/");

	cr_assert(p != NULL, "no revision generated: %s", err);
	return mig_xstrndup(p + 9, 12);
}

/* dir/migrations/versions/<id>_*<suffix>, the one file that matches. */
static char *
rev_file(const char *id, const char *suffix)
{
	char *cmd = mig_xasprintf("ls %s/migrations/versions/%s_*%s", dir, id, suffix);
	FILE *p = popen(cmd, "r");
	char buf[4096] = "";

	cr_assert(p != NULL);
	cr_assert(fgets(buf, sizeof(buf), p) != NULL, "no file %s_*%s", id, suffix);
	pclose(p);
	free(cmd);
	buf[strcspn(buf, "\n")] = '\0';
	return mig_xstrdup(buf);
}

static size_t
count_lines(const char *path)
{
	char *s = th_read(path), *p;
	size_t n = 0;

	cr_assert(s != NULL, "cannot read %s", path);
	for (p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static void
append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	cr_assert(f != NULL, "cannot append to %s", path);
	fputs(text, f);
	fclose(f);
}

TestSuite(cli_pg, .init = setup, .fini = teardown, .timeout = 60);

/* ---- story 3 ---- */

#define S3_ENUMS \
	"enums:\n" \
	"  genderenum: [MALE, FEMALE, UNDEFINED]\n"
#define S3_USERS \
	"tables:\n" \
	"  users:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      username: {type: string, nullable: false, unique: true}\n" \
	"      email: {type: string, nullable: false, unique: true}\n" \
	"      password: {type: string, nullable: false}\n" \
	"      phone: {type: string}\n"
#define S3_PROFILES \
	"  profiles:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      name: {type: string}\n" \
	"      surname: {type: string}\n" \
	"      age: {type: integer}\n" \
	"      gender: {type: enum(genderenum), nullable: false, default: \"'UNDEFINED'\"}\n" \
	"      interests: {type: \"string(50)[]\"}\n" \
	"      contacts: {type: json}\n" \
	"      user_id: {type: integer, unique: true, references: users.id}\n"
#define S3_POSTS \
	"  posts:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      title: {type: string(200), nullable: false}\n" \
	"      content: {type: text, nullable: false}\n" \
	"      user_id: {type: integer, nullable: false, references: users.id, on_delete: cascade}\n"
#define S3_COMMENTS \
	"  comments:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      body: {type: text, nullable: false}\n" \
	"      post_id: {type: integer, nullable: false, references: posts.id}\n"

/* The application tables of the public schema, sorted, comma-separated. */
#define TABLES_SQL \
	"SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c " \
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' " \
	"AND c.relname NOT LIKE 'mig_version%'"
#define VERSION_SQL \
	"SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM mig_version"
#define LABELS_SQL(type) \
	"SELECT coalesce(string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder), '') FROM pg_enum e " \
	"JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = '" type "'"
#define ENUM_TYPES_SQL \
	"SELECT coalesce(string_agg(typname, ',' ORDER BY typname), '') FROM pg_type WHERE typtype = 'e'"

Test(cli_pg, story3_tutorial_with_enum_array_json_and_one_to_one)
{
	struct th_run r;
	char *id, *yaml, *s;

	/* The URL in mig.yaml this time, as a developer would keep it; no DATABASE_URL. */
	yaml = mig_xasprintf("url: %s\n", url);
	th_write(dir, "migrations/mig.yaml", yaml);
	free(yaml);
	env[0] = NULL;
	th_write(dir, "models.yaml", S3_ENUMS S3_USERS S3_PROFILES S3_POSTS S3_COMMENTS);
	r = run(0, "migrate", "-m", "initial", NULL);
	cr_assert(strstr(r.err, "Detected added enum type 'genderenum' ['MALE', 'FEMALE', 'UNDEFINED']") != NULL,
	    "%s", r.err);
	cr_assert(strstr(r.err, "Detected added table 'profiles'") != NULL, "%s", r.err);
	id = generated_id(r.err);
	th_run_free(&r);
	/* migrate never touches the database: not even the version table. */
	assert_q("SELECT count(*) FROM pg_class WHERE relname LIKE 'mig_version%'", "0");

	r = run(0, "upgrade", NULL);
	s = mig_xasprintf("Running upgrade  -> %s, initial\n", id);
	cr_assert_str_eq(r.err, s);
	free(s);
	th_run_free(&r);
	assert_q(TABLES_SQL, "comments,posts,profiles,users");
	assert_q(VERSION_SQL, id);
	/* The enum: one type, labels in the order written, and the column's server default. */
	assert_q(ENUM_TYPES_SQL, "genderenum");
	assert_q(LABELS_SQL("genderenum"), "MALE,FEMALE,UNDEFINED");
	assert_q("SELECT column_default, is_nullable, data_type, udt_name FROM information_schema.columns "
	    "WHERE table_name = 'profiles' AND column_name = 'gender'",
	    "'UNDEFINED'::genderenum|NO|USER-DEFINED|genderenum");
	/* The array of string(50) and the JSON column, as the catalog spells them. */
	assert_q("SELECT a.attname || ':' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
	    "WHERE a.attrelid = 'profiles'::regclass AND a.attname IN ('interests', 'contacts') ORDER BY a.attnum",
	    "interests:character varying(50)[]\ncontacts:json");
	assert_q("SELECT data_type, udt_name FROM information_schema.columns WHERE table_name = 'profiles' "
	    "AND column_name = 'interests'", "ARRAY|_varchar");
	/* One-to-one: a foreign key plus a unique constraint on profiles.user_id. */
	assert_q("SELECT conname || ':' || contype::text || ':' || pg_get_constraintdef(oid) FROM pg_constraint "
	    "WHERE conrelid = 'profiles'::regclass ORDER BY conname",
	    "fk_profiles_user_id_users:f:FOREIGN KEY (user_id) REFERENCES users(id)\n"
	    "profiles_pkey:p:PRIMARY KEY (id)\n"
	    "uq_profiles_user_id:u:UNIQUE (user_id)");
	/* posts go with their user; comments keep the default NO ACTION. */
	assert_q("SELECT conrelid::regclass::text || ':' || confdeltype::text FROM pg_constraint WHERE contype = 'f' "
	    "AND conrelid IN ('posts'::regclass, 'comments'::regclass) ORDER BY 1", "comments:a\nposts:c");
	assert_q("SELECT table_name || '.' || column_name || ':' || is_nullable FROM information_schema.columns "
	    "WHERE table_name = 'users' ORDER BY ordinal_position",
	    "users.id:NO\nusers.username:NO\nusers.email:NO\nusers.password:NO\nusers.phone:YES");
	/* And they behave so: the default fills in, the cascade deletes, the one-to-one refuses a second. */
	th_pg_exec(url, "INSERT INTO users (username, email, password) VALUES ('ada', 'ada@x', 'pw');"
	    "INSERT INTO profiles (user_id, interests, contacts) VALUES (1, '{chess,go}', '{\"tel\": 1}');"
	    "INSERT INTO posts (title, content, user_id) VALUES ('hi', 'first', 1);");
	assert_q("SELECT gender || '|' || interests[2] || '|' || (contacts->>'tel') FROM profiles", "UNDEFINED|go|1");
	{
		PGconn *c = th_pg_connect(url);
		PGresult *res = PQexec(c, "INSERT INTO profiles (user_id) VALUES (1)");

		cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23505", "a second profile is refused");
		PQclear(res);
		PQfinish(c);
	}
	th_pg_exec(url, "DELETE FROM profiles; DELETE FROM users");
	assert_q("SELECT count(*) FROM posts", "0");

	/* In sync: check exits 0 and says so. */
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* downgrade base: no table, and no enum type left behind (Alembic's trap). */
	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "");
	assert_q("SELECT count(*) FROM pg_type WHERE typname IN ('genderenum', '_genderenum')", "0");
	assert_q(VERSION_SQL, "");

	/* upgrade again: no "type genderenum already exists". */
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "comments,posts,profiles,users");
	assert_q(LABELS_SQL("genderenum"), "MALE,FEMALE,UNDEFINED");
	assert_q(VERSION_SQL, id);
	r = run(0, "current", NULL);
	s = mig_xasprintf("%s (head)\n", id);
	cr_assert_str_eq(r.out, s);
	free(s);
	th_run_free(&r);
	free(id);
}

Test(cli_pg, story3_targets_head_id_minus_one_and_id)
{
	struct th_run r;
	char *a, *b, *c;

	/* Three revisions: users + profiles (with the enum), posts, comments. */
	th_write(dir, "models.yaml", S3_ENUMS S3_USERS S3_PROFILES);
	r = run(0, "migrate", "-m", "users and profiles", NULL);
	a = generated_id(r.err);
	th_run_free(&r);
	r = run(0, "upgrade", "head", NULL);
	th_run_free(&r);
	th_write(dir, "models.yaml", S3_ENUMS S3_USERS S3_PROFILES S3_POSTS);
	r = run(0, "migrate", "-m", "posts", NULL);
	b = generated_id(r.err);
	th_run_free(&r);
	r = run(0, "upgrade", "head", NULL);
	th_run_free(&r);
	th_write(dir, "models.yaml", S3_ENUMS S3_USERS S3_PROFILES S3_POSTS S3_COMMENTS);
	r = run(0, "migrate", "-m", "comments", NULL);
	c = generated_id(r.err);
	th_run_free(&r);

	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "");
	assert_q(ENUM_TYPES_SQL, "");

	/* upgrade <id>: only the first revision. */
	r = run(0, "upgrade", a, NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "profiles,users");
	assert_q(ENUM_TYPES_SQL, "genderenum");
	assert_q(VERSION_SQL, a);

	/* upgrade head: the other two. */
	r = run(0, "upgrade", "head", NULL);
	cr_assert(strstr(r.err, "Running upgrade ") != NULL && strstr(r.err, ", posts\n") != NULL &&
	    strstr(r.err, ", comments\n") != NULL, "%s", r.err);
	th_run_free(&r);
	assert_q(TABLES_SQL, "comments,posts,profiles,users");
	assert_q(VERSION_SQL, c);
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* downgrade -1: comments go. */
	r = run(0, "downgrade", "-1", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "posts,profiles,users");
	assert_q(VERSION_SQL, b);

	/* downgrade <id>: back to the first revision; the enum stays, a table still uses it. */
	r = run(0, "downgrade", a, NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "profiles,users");
	assert_q(VERSION_SQL, a);
	assert_q(LABELS_SQL("genderenum"), "MALE,FEMALE,UNDEFINED");

	/* And the first revision's down script takes the type with it. */
	r = run(0, "downgrade", "-1", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "");
	assert_q(ENUM_TYPES_SQL, "");
	assert_q(VERSION_SQL, "");
	free(a);
	free(b);
	free(c);
}

/* ---- enum evolution ---- */

#define MOOD_TABLES \
	"tables:\n" \
	"  person:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      name: {type: text, nullable: false}\n" \
	"      mood: {type: enum(mood), nullable: false, default: \"'sad'\", index: true}\n" \
	"  pet:\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      mood: {type: enum(mood)}\n"
#define ROWS_SQL \
	"SELECT string_agg(name || '=' || mood, ',' ORDER BY id) FROM person"

Test(cli_pg, enum_label_added_in_the_middle_with_add_value_keeping_rows)
{
	struct th_run r;
	char *up, *oid, *s;

	th_write(dir, "models.yaml", "enums:\n  mood: [sad, happy]\n" MOOD_TABLES);
	r = run(0, "migrate", "-m", "moods", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	th_pg_exec(url, "INSERT INTO person (name, mood) VALUES ('a', 'happy'), ('b', DEFAULT);"
	    "INSERT INTO pet (mood) VALUES ('happy'), (NULL)");
	oid = th_pg_q(url, "SELECT oid FROM pg_type WHERE typname = 'mood'");

	th_write(dir, "models.yaml", "enums:\n  mood: [sad, ok, happy]\n" MOOD_TABLES);
	r = run(1, "check", NULL);
	cr_assert(strstr(r.err, "Detected changed enum type 'mood' from ['sad', 'happy'] to ['sad', 'ok', 'happy']")
	    != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "migrate", "-m", "ok mood", NULL);
	s = generated_id(r.err);
	up = rev_file(s, ".up.sql");
	free(s);
	th_run_free(&r);
	s = th_read(up);
	cr_assert(strstr(s, "ADD VALUE 'ok'") != NULL, "a new label is added in place, not by a rebuild:\n%s", s);
	cr_assert(strstr(s, "RENAME") == NULL, "%s", s);
	free(s);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,ok,happy");
	/* The same type (ADD VALUE keeps its oid), the same rows, the default untouched. */
	s = th_pg_q(url, "SELECT oid FROM pg_type WHERE typname = 'mood'");
	cr_assert_str_eq(s, oid);
	free(s);
	assert_q(ROWS_SQL, "a=happy,b=sad");
	assert_q("SELECT count(*) FROM pet WHERE mood = 'happy'", "1");
	assert_q("SELECT column_default FROM information_schema.columns WHERE table_name = 'person' "
	    "AND column_name = 'mood'", "'sad'::mood");
	/* The new label sorts where it was written. */
	th_pg_exec(url, "INSERT INTO person (name, mood) VALUES ('c', 'ok')");
	assert_q("SELECT string_agg(name, ',' ORDER BY mood) FROM person", "b,c,a");
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* downgrade restores the old labels; rows holding them are kept. */
	th_pg_exec(url, "DELETE FROM person WHERE name = 'c'");
	r = run(0, "downgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,happy");
	assert_q(ROWS_SQL, "a=happy,b=sad");
	assert_q("SELECT count(*) FROM pet WHERE mood = 'happy'", "1");
	assert_q("SELECT column_default FROM information_schema.columns WHERE table_name = 'person' "
	    "AND column_name = 'mood'", "'sad'::mood");
	assert_q("SELECT count(*) FROM pg_type WHERE typname LIKE '%mood%'", "2");
	free(oid);
	free(up);
}

Test(cli_pg, enum_label_removed_rebuilds_the_type_keeping_rows)
{
	struct th_run r;

	th_write(dir, "models.yaml", "enums:\n  mood: [sad, ok, happy]\n" MOOD_TABLES);
	r = run(0, "migrate", "-m", "moods", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	th_pg_exec(url, "INSERT INTO person (name, mood) VALUES ('a', 'happy'), ('b', DEFAULT), ('c', 'happy');"
	    "INSERT INTO pet (mood) VALUES ('sad'), (NULL)");

	/* 'ok' goes: the rows hold only labels that stay. */
	th_write(dir, "models.yaml", "enums:\n  mood: [sad, happy]\n" MOOD_TABLES);
	r = run(0, "migrate", "-m", "no ok", NULL);
	cr_assert(strstr(r.err, "Detected changed enum type 'mood'") != NULL, "%s", r.err);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,happy");
	assert_q(ROWS_SQL, "a=happy,b=sad,c=happy");
	assert_q("SELECT string_agg(coalesce(mood::text, '-'), ',' ORDER BY id) FROM pet", "sad,-");
	/* No leftover of the rebuild; the default and the index are back on the new type. */
	assert_q("SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type WHERE typname LIKE '%mood%'",
	    "_mood,mood");
	assert_q("SELECT column_default FROM information_schema.columns WHERE table_name = 'person' "
	    "AND column_name = 'mood'", "'sad'::mood");
	assert_q("SELECT indexname FROM pg_indexes WHERE tablename = 'person' AND indexname LIKE 'ix_%'",
	    "ix_person_mood");
	assert_q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'pet'::regclass "
	    "AND attname = 'mood'", "mood");
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* downgrade: 'ok' is back between the two, the rows are kept. */
	r = run(0, "downgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,ok,happy");
	assert_q(ROWS_SQL, "a=happy,b=sad,c=happy");
	assert_q("SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type WHERE typname LIKE '%mood%'",
	    "_mood,mood");
}

Test(cli_pg, enum_label_removed_with_a_row_still_using_it_rolls_back)
{
	struct th_run r;

	th_write(dir, "models.yaml", "enums:\n  mood: [sad, ok, happy]\n" MOOD_TABLES);
	r = run(0, "migrate", "-m", "moods", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	th_pg_exec(url, "INSERT INTO person (name, mood) VALUES ('a', 'ok')");
	th_write(dir, "models.yaml", "enums:\n  mood: [sad, happy]\n" MOOD_TABLES);
	r = run(0, "migrate", "-m", "no ok", NULL);
	th_run_free(&r);
	/* The cast fails on the row: nothing is lost, nothing half-done. */
	r = run(1, "upgrade", NULL);
	cr_assert(strstr(r.err, "invalid input value for enum mood: \"ok\"") != NULL, "%s", r.err);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,ok,happy");
	assert_q(ROWS_SQL, "a=ok");
	assert_q("SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type WHERE typname LIKE '%mood%'",
	    "_mood,mood");
}

Test(cli_pg, enum_label_removed_converts_enum_array_columns)
{
	struct th_run r;

	th_write(dir, "models.yaml", "enums:\n  mood: [sad, ok, happy]\n" MOOD_TABLES
	    "  diary:\n    columns:\n      id: {type: integer, primary_key: true}\n"
	    "      moods: {type: \"enum(mood)[]\"}\n");
	r = run(0, "migrate", "-m", "moods", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	th_pg_exec(url, "INSERT INTO diary (moods) VALUES ('{sad,happy}'), (NULL), ('{}')");
	th_write(dir, "models.yaml", "enums:\n  mood: [sad, happy]\n" MOOD_TABLES
	    "  diary:\n    columns:\n      id: {type: integer, primary_key: true}\n"
	    "      moods: {type: \"enum(mood)[]\"}\n");
	r = run(0, "migrate", "-m", "no ok", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,happy");
	assert_q("SELECT string_agg(coalesce(moods::text, '-'), ';' ORDER BY id) FROM diary", "{sad,happy};-;{}");
	assert_q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'diary'::regclass "
	    "AND attname = 'moods'", "mood[]");
	r = run(0, "check", NULL);
	th_run_free(&r);
	r = run(0, "downgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,ok,happy");
	assert_q("SELECT string_agg(coalesce(moods::text, '-'), ';' ORDER BY id) FROM diary", "{sad,happy};-;{}");
}

/* ---- the round trip ---- */

#define VARIED \
	"enums:\n" \
	"  status: [draft, published, archived]\n" \
	"  mood: [sad, ok, happy]\n" \
	"tables:\n" \
	"  account:\n" \
	"    comment: People who can log in.\n" \
	"    columns:\n" \
	"      id: {type: integer, primary_key: true}\n" \
	"      uid: {type: uuid, nullable: false, unique: true}\n" \
	"      email: {type: string(120), nullable: false, comment: \"Login address, lowercased.\"}\n" \
	"      tenant_id: {type: integer, nullable: false}\n" \
	"      slug: {type: string(40), nullable: false}\n" \
	"      active: {type: boolean, nullable: false, default: true}\n" \
	"      balance: {type: \"numeric(10,2)\", nullable: false, default: 0}\n" \
	"      created_at: {type: timestamptz, nullable: false, default: now()}\n" \
	"      tags: {type: \"text[]\"}\n" \
	"      moods: {type: \"enum(mood)[]\"}\n" \
	"      settings: {type: JSONB, nullable: false, default: \"'{}'\"}\n" \
	"      extra: {type: json}\n" \
	"    indexes:\n" \
	"      ix_account_active_email:\n" \
	"        columns: [email]\n" \
	"        unique: true\n" \
	"        where: active\n" \
	"      ix_account_lower_slug:\n" \
	"        columns: [{expression: lower(slug)}]\n" \
	"      ix_account_tenant: [tenant_id]\n" \
	"    unique:\n" \
	"      uq_account_tenant_slug: [tenant_id, slug]\n" \
	"    checks:\n" \
	"      ck_account_balance_positive: \"balance >= 0\"\n" \
	"  membership:\n" \
	"    columns:\n" \
	"      account_id: {type: integer}\n" \
	"      tenant_id: {type: integer}\n" \
	"      role: {type: string(20), nullable: false, default: \"'member'\"}\n" \
	"      status: {type: enum(status), nullable: false, default: \"'draft'\"}\n" \
	"      joined: {type: date}\n" \
	"    primary_key: [account_id, tenant_id]\n" \
	"    foreign_keys:\n" \
	"      fk_membership_account:\n" \
	"        columns: [account_id]\n" \
	"        references: account\n" \
	"        ref_columns: [id]\n" \
	"        on_delete: CASCADE\n" \
	"        deferrable: true\n" \
	"  note:\n" \
	"    columns:\n" \
	"      id: {type: bigint, primary_key: true}\n" \
	"      account_id: {type: integer, references: account.id, on_delete: set null, index: true}\n" \
	"      body: {type: text, nullable: false, comment: Markdown.}\n" \
	"      score: {type: double, check: score >= 0}\n" \
	"      data: {type: bytes}\n" \
	"      at: {type: time}\n" \
	"      day: {type: datetime}\n"

Test(cli_pg, round_trip_migrate_upgrade_check_then_inspect_check)
{
	struct th_run r;
	char *url2, *s;

	th_write(dir, "models.yaml", VARIED);
	r = run(0, "migrate", "-m", "everything", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	/* What was built is what was asked for. */
	assert_q(TABLES_SQL, "account,membership,note");
	assert_q(ENUM_TYPES_SQL, "mood,status");
	assert_q("SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum) "
	    "FROM pg_attribute a WHERE a.attrelid = 'account'::regclass AND a.attnum > 0",
	    "id:integer,uid:uuid,email:character varying(120),tenant_id:integer,slug:character varying(40),"
	    "active:boolean,balance:numeric(10,2),created_at:timestamp with time zone,tags:text[],moods:mood[],"
	    "settings:jsonb,extra:json");
	assert_q("SELECT attidentity FROM pg_attribute WHERE attrelid = 'account'::regclass AND attname = 'id'", "d");
	assert_q("SELECT pg_get_indexdef('ix_account_active_email'::regclass)",
	    "CREATE UNIQUE INDEX ix_account_active_email ON public.account USING btree (email) WHERE active");
	assert_q("SELECT pg_get_indexdef('ix_account_lower_slug'::regclass)",
	    "CREATE INDEX ix_account_lower_slug ON public.account USING btree (lower((slug)::text))");
	assert_q("SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint "
	    "WHERE conrelid = 'account'::regclass AND contype IN ('u', 'c') ORDER BY conname",
	    "ck_account_balance_positive:CHECK ((balance >= (0)::numeric))\n"
	    "uq_account_tenant_slug:UNIQUE (tenant_id, slug)\n"
	    "uq_account_uid:UNIQUE (uid)");
	assert_q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'membership'::regclass "
	    "ORDER BY contype DESC",
	    "PRIMARY KEY (account_id, tenant_id)\n"
	    "FOREIGN KEY (account_id) REFERENCES account(id) ON DELETE CASCADE DEFERRABLE");
	assert_q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'note'::regclass "
	    "AND contype = 'f'", "FOREIGN KEY (account_id) REFERENCES account(id) ON DELETE SET NULL");
	assert_q("SELECT obj_description('account'::regclass, 'pg_class') || '|' || "
	    "col_description('account'::regclass, 3) || '|' || col_description('note'::regclass, 3)",
	    "People who can log in.|Login address, lowercased.|Markdown.");

	/* Untouched: check finds nothing, and neither does a second migrate. */
	r = run(0, "check", NULL);
	th_run_free(&r);
	r = run(0, "migrate", "-m", "nothing", NULL);
	cr_assert(strstr(r.err, "No changes in schema detected.") != NULL, "%s", r.err);
	th_run_free(&r);

	/* inspect writes the database as a manifest, and that manifest is in sync too. */
	r = run(0, "inspect", "-o", "models2.yaml", NULL);
	th_run_free(&r);
	/* Enum columns come back as enums, not as opaque database types. */
	s = mig_path_join(dir, "models2.yaml");
	{
		char *m = th_read(s);

		cr_assert(m != NULL && strstr(m, "enum(status)") != NULL && strstr(m, "enum(mood)[]") != NULL, "%s", m);
		free(m);
	}
	free(s);
	th_write(dir, "migrations/mig.yaml", "manifest: models2.yaml\n");
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* And it builds the same schema from nothing: a second database, migrated from it alone. */
	dbname2 = new_database();
	url2 = th_pg_db_url(dbname2);
	snprintf(env_url, sizeof(env_url), "DATABASE_URL=%s", url2);
	s = mig_xasprintf("rm -r %s/migrations/versions && mkdir %s/migrations/versions", dir, dir);
	cr_assert_eq(system(s), 0);
	free(s);
	r = run(0, "migrate", "-m", "from inspect", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	th_write(dir, "migrations/mig.yaml", "manifest: models.yaml\n");
	r = run(0, "check", NULL);
	th_run_free(&r);
	s = th_pg_q(url2, "SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' "
	    "ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = 'account'::regclass AND a.attnum > 0");
	cr_assert_str_eq(s, "id:integer,uid:uuid,email:character varying(120),tenant_id:integer,"
	    "slug:character varying(40),active:boolean,balance:numeric(10,2),created_at:timestamp with time zone,"
	    "tags:text[],moods:mood[],settings:jsonb,extra:json");
	free(s);
	free(url2);
}

Test(cli_pg, inspect_of_a_hand_made_database_then_check_reports_no_change)
{
	struct th_run r;

	/* What PostgreSQL rewrites: varchar, 'x'::text defaults, serial's nextval, CURRENT_TIMESTAMP. */
	th_pg_exec(url, "CREATE TYPE color AS ENUM ('red', 'green');"
	    "CREATE TABLE item (id serial PRIMARY KEY, code varchar(10) NOT NULL DEFAULT 'x',"
	    "  label text DEFAULT 'none'::text, made timestamp DEFAULT CURRENT_TIMESTAMP,"
	    "  color color DEFAULT 'red', sizes int[], meta jsonb, price numeric(8,3) CHECK (price > 0));"
	    "CREATE TABLE part (item_id int REFERENCES item ON DELETE CASCADE, n int,"
	    "  big bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (item_id, n));"
	    "CREATE INDEX part_n ON part (n) WHERE n > 0;"
	    "COMMENT ON TABLE item IS 'Things.';");
	r = run(0, "inspect", "-o", "models.yaml", NULL);
	th_run_free(&r);
	r = run(0, "check", NULL);
	th_run_free(&r);
	r = run(0, "migrate", "-m", "adopt", NULL);
	cr_assert(strstr(r.err, "No changes in schema detected.") != NULL, "%s", r.err);
	th_run_free(&r);
}

Test(cli_pg, schema_option_puts_tables_enums_and_version_table_in_another_schema)
{
	struct th_run r;

	/* A table of the same name in public, which must stay untouched. */
	th_pg_exec(url, "CREATE SCHEMA app; CREATE TABLE public.person (x int); INSERT INTO public.person VALUES (7)");
	th_write(dir, "migrations/mig.yaml", "schema: app\n");
	th_write(dir, "models.yaml", "enums:\n  mood: [sad, ok, happy]\n"
	    "tables:\n  person:\n    columns:\n"
	    "      id: {type: integer, primary_key: true}\n"
	    "      mood: {type: enum(mood), nullable: false, default: \"'ok'\"}\n"
	    "      moods: {type: \"enum(mood)[]\"}\n"
	    "      name: {type: string(20), index: true}\n"
	    "  pet:\n    columns:\n"
	    "      id: {type: integer, primary_key: true}\n"
	    "      owner_id: {type: integer, references: person.id, on_delete: cascade}\n");
	r = run(0, "migrate", "-m", "in app", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
#define APP_OBJECTS_SQL \
	"SELECT coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' " \
	"ORDER BY n.nspname || '.' || c.relname), '') " \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('app', 'public') " \
	"AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE '%pkey%' AND c.relname NOT LIKE '%pkc'"
	assert_q(APP_OBJECTS_SQL, "app.ix_person_name:i,app.mig_version:r,app.mig_version_history:r,app.mig_version_history_seq:i,app.person:r,"
	    "app.pet:r,public.person:r");
	assert_q("SELECT n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
	    "WHERE t.typtype = 'e'", "app.mood");
	assert_q("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'app.pet'::regclass "
	    "AND contype = 'f'", "FOREIGN KEY (owner_id) REFERENCES app.person(id) ON DELETE CASCADE");
	assert_q("SELECT count(*) FROM app.mig_version", "1");
	r = run(0, "check", NULL);
	th_run_free(&r);
	r = run(0, "inspect", "-o", "models2.yaml", NULL);
	th_run_free(&r);
	th_write(dir, "migrations/mig.yaml", "schema: app\nmanifest: models2.yaml\n");
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* A label removed: the enum and the array of it are rebuilt in app, rows kept. */
	th_pg_exec(url, "INSERT INTO app.person (name, mood, moods) VALUES ('a', 'sad', '{sad,ok}')");
	th_write(dir, "migrations/mig.yaml", "schema: app\n");
	{
		char *path = mig_path_join(dir, "models.yaml"), *m = th_read(path), *p = strstr(m, "[sad, ok, happy]");

		/* [sad, ok, happy] -> [sad, ok] */
		cr_assert(p != NULL);
		memmove(p + 8, p + 15, strlen(p + 15) + 1);
		p[8] = ']';
		th_write(dir, "models.yaml", m);
		free(m);
		free(path);
	}
	r = run(0, "migrate", "-m", "no happy", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(LABELS_SQL("mood"), "sad,ok");
	assert_q("SELECT name || '|' || mood || '|' || moods::text FROM app.person", "a|sad|{sad,ok}");
	r = run(0, "check", NULL);
	th_run_free(&r);

	/* downgrade base empties app, and public.person still has its row. */
	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	assert_q(APP_OBJECTS_SQL, "app.mig_version:r,app.mig_version_history:r,app.mig_version_history_seq:i,public.person:r");
	assert_q(ENUM_TYPES_SQL, "");
	assert_q("SELECT x FROM public.person", "7");
#undef APP_OBJECTS_SQL
}

/* ---- a failing revision ---- */

/* Three revisions, the second failing on its second statement; returns that statement's line. */
static size_t
three_with_a_failing_middle(void)
{
	struct th_run r;
	char *f;
	size_t line;

	r = run(0, "revision", "-m", "one", "--rev-id", "aaaaaaaaaaa1", NULL);
	th_run_free(&r);
	r = run(0, "revision", "-m", "two", "--rev-id", "aaaaaaaaaaa2", NULL);
	th_run_free(&r);
	r = run(0, "revision", "-m", "three", "--rev-id", "aaaaaaaaaaa3", NULL);
	th_run_free(&r);
	f = rev_file("aaaaaaaaaaa1", ".up.sql");
	append(f, "CREATE TYPE color AS ENUM ('red');\nCREATE TABLE t1 (x color);\nINSERT INTO t1 VALUES ('red');\n");
	free(f);
	f = rev_file("aaaaaaaaaaa2", ".up.sql");
	line = count_lines(f) + 2;
	append(f, "CREATE TABLE t2 (x int);\nINSERT INTO no_such_table VALUES (1);\n");
	free(f);
	f = rev_file("aaaaaaaaaaa3", ".up.sql");
	append(f, "CREATE TABLE t3 (x int);\n");
	free(f);
	return line;
}

Test(cli_pg, failing_revision_rolls_back_the_whole_run)
{
	struct th_run r;
	size_t line;
	char *s;

	line = three_with_a_failing_middle();
	r = run(1, "upgrade", NULL);
	cr_assert(strstr(r.err, "aaaaaaaaaaa2") != NULL, "the error names the revision: %s", r.err);
	s = mig_xasprintf("aaaaaaaaaaa2_two.up.sql:%zu:", line);
	cr_assert(strstr(r.err, s) != NULL, "the error names %s: %s", s, r.err);
	free(s);
	cr_assert(strstr(r.err, "relation \"no_such_table\" does not exist") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "INSERT INTO no_such_table VALUES (1);") != NULL, "the statement: %s", r.err);
	cr_assert(strstr(r.err, "Running upgrade  -> aaaaaaaaaaa1, one") != NULL, "%s", r.err);
	th_run_free(&r);
	/* Where it started: no table or type of the first revision, no version row. */
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('t1', 't2', 't3')", "0");
	assert_q(ENUM_TYPES_SQL, "");
	s = th_pg_q(url, "SELECT to_regclass('mig_version') IS NOT NULL");
	if (strcmp(s, "t") == 0)
		assert_q("SELECT count(*) FROM mig_version", "0");
	free(s);
	r = run(0, "current", NULL);
	cr_assert(strstr(r.out, "aaaaaaaaaaa") == NULL, "%s", r.out);
	th_run_free(&r);
}

Test(cli_pg, failing_revision_per_revision_mode_keeps_the_last_good_one)
{
	struct th_run r;
	size_t line;
	char *s;

	line = three_with_a_failing_middle();
	r = run(1, "upgrade", "--transaction-per-revision", NULL);
	s = mig_xasprintf("aaaaaaaaaaa2_two.up.sql:%zu:", line);
	cr_assert(strstr(r.err, s) != NULL, "the error names %s: %s", s, r.err);
	free(s);
	cr_assert(strstr(r.err, "INSERT INTO no_such_table VALUES (1);") != NULL, "%s", r.err);
	th_run_free(&r);
	assert_q(VERSION_SQL, "aaaaaaaaaaa1");
	assert_q("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('t1', 't2', 't3')",
	    "t1");
	assert_q("SELECT x FROM t1", "red");
	assert_q("SELECT count(*) FROM mig_version_history WHERE revision = 'aaaaaaaaaaa1'", "1");
	assert_q("SELECT count(*) FROM mig_version_history WHERE revision <> 'aaaaaaaaaaa1'", "0");
	/* Fixed, the next upgrade carries on from there. */
	s = rev_file("aaaaaaaaaaa2", ".up.sql");
	{
		char *text = th_read(s), *bad = strstr(text, "INSERT INTO no_such_table VALUES (1);\n");

		cr_assert(bad != NULL);
		*bad = '\0';
		th_write("/", s, text);
		free(text);
	}
	free(s);
	r = run(0, "upgrade", NULL);
	cr_assert(strstr(r.err, "Running upgrade  -> aaaaaaaaaaa1") == NULL, "%s", r.err);
	th_run_free(&r);
	assert_q(VERSION_SQL, "aaaaaaaaaaa3");
	assert_q("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('t1', 't2', 't3')",
	    "t1,t2,t3");
}

/* ---- scripts PostgreSQL splits itself, and revisions outside a transaction ---- */

#define FUNC_UP \
	"CREATE TABLE item (id int PRIMARY KEY, note text DEFAULT 'a;b');\n" \
	"CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$\n" \
	"BEGIN\n" \
	"  NEW.note := NEW.note || ';bumped';\n" \
	"  RETURN NEW;\n" \
	"END;\n" \
	"$$;\n" \
	"CREATE TRIGGER item_bump BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION bump();\n" \
	"DO $do$ BEGIN INSERT INTO item (id) VALUES (1); END $do$;\n" \
	"INSERT INTO item VALUES (2, 'it''s; fine -- not a comment');\n"
#define FUNC_DOWN "DROP TABLE item;\nDROP FUNCTION bump();\n"

/* Three revisions: the function and trigger, a non-transactional one with concurrent_sql, a table. */
static void
three_with_a_non_transactional_middle(const char *concurrent_sql)
{
	struct th_run r;
	char *f, *text, *p;

	r = run(0, "revision", "-m", "one", "--rev-id", "bbbbbbbbbbb1", NULL);
	th_run_free(&r);
	r = run(0, "revision", "-m", "two", "--rev-id", "bbbbbbbbbbb2", NULL);
	th_run_free(&r);
	r = run(0, "revision", "-m", "three", "--rev-id", "bbbbbbbbbbb3", NULL);
	th_run_free(&r);
	f = rev_file("bbbbbbbbbbb1", ".up.sql");
	append(f, FUNC_UP);
	free(f);
	f = rev_file("bbbbbbbbbbb1", ".down.sql");
	append(f, FUNC_DOWN);
	free(f);
	/* The header line goes right after the message line. */
	f = rev_file("bbbbbbbbbbb2", ".up.sql");
	text = th_read(f);
	p = strstr(text, "-- mig:message two\n");
	cr_assert(p != NULL, "%s", text);
	p += strlen("-- mig:message two\n");
	{
		char *with = mig_xasprintf("%.*s-- mig:transactional false\n%s%s", (int)(p - text), text, p,
		    concurrent_sql);

		th_write("/", f, with);
		free(with);
	}
	free(text);
	free(f);
	f = rev_file("bbbbbbbbbbb2", ".down.sql");
	append(f, "DROP INDEX CONCURRENTLY IF EXISTS ix_item_note;\n");
	free(f);
	f = rev_file("bbbbbbbbbbb3", ".up.sql");
	append(f, "CREATE TABLE three (x int);\n");
	free(f);
	f = rev_file("bbbbbbbbbbb3", ".down.sql");
	append(f, "DROP TABLE three;\n");
	free(f);
}

Test(cli_pg, dollar_quotes_do_blocks_and_a_concurrent_index_outside_a_transaction)
{
	struct th_run r;

	three_with_a_non_transactional_middle("CREATE INDEX CONCURRENTLY ix_item_note ON item (note);\n");
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	/* The function body and the DO block ran whole; the ';' in strings split nothing. */
	assert_q("SELECT string_agg(id || '=' || note, ',' ORDER BY id) FROM item",
	    "1=a;b;bumped,2=it's; fine -- not a comment;bumped");
	assert_q("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_item_note'::regclass", "t");
	assert_q(VERSION_SQL, "bbbbbbbbbbb3");
	assert_q("SELECT string_agg(revision || ':' || kind, ',' ORDER BY applied_seq) FROM mig_version_history",
	    "bbbbbbbbbbb1:upgrade,bbbbbbbbbbb2:upgrade,bbbbbbbbbbb3:upgrade");
	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('item', 'three', 'ix_item_note')", "0");
	assert_q("SELECT count(*) FROM pg_proc WHERE proname = 'bump'", "0");
	assert_q(VERSION_SQL, "");
}

Test(cli_pg, failed_non_transactional_revision_needs_attention)
{
	struct th_run r;
	char *f, *text, *bad;

	three_with_a_non_transactional_middle("CREATE INDEX CONCURRENTLY ix_item_note ON item (note);\n"
	    "CREATE UNIQUE INDEX CONCURRENTLY ux_item_bad ON item ((1));\n");
	r = run(1, "upgrade", NULL);
	cr_assert(strstr(r.err, "bbbbbbbbbbb2") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "CREATE UNIQUE INDEX CONCURRENTLY ux_item_bad") != NULL, "%s", r.err);
	th_run_free(&r);
	/* The revisions before it stay; what it did before failing stays too, invalid index included. */
	assert_q(VERSION_SQL, "bbbbbbbbbbb1");
	assert_q("SELECT string_agg(indexrelid::regclass::text || ':' || indisvalid::text, ',' "
	    "ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'item'::regclass",
	    "item_pkey:true,ix_item_note:true,ux_item_bad:false");
	assert_q("SELECT count(*) FROM pg_class WHERE relname = 'three'", "0");
	/* current says so, and upgrade refuses to guess: never retried, never skipped. */
	r = run(0, "current", NULL);
	cr_assert(strstr(r.out, "bbbbbbbbbbb2") != NULL && strstr(r.out, "FAILED") != NULL, "%s", r.out);
	th_run_free(&r);
	r = run(1, "upgrade", NULL);
	cr_assert(strstr(r.err, "bbbbbbbbbbb2") != NULL && strstr(r.err, "stamp") != NULL, "%s", r.err);
	th_run_free(&r);
	assert_q(VERSION_SQL, "bbbbbbbbbbb1");
	assert_q("SELECT count(*) FROM pg_class WHERE relname = 'three'", "0");

	/* Repaired by hand and stamped back to the last good revision, the fixed script runs. */
	th_pg_exec(url, "DROP INDEX ux_item_bad; DROP INDEX ix_item_note");
	f = rev_file("bbbbbbbbbbb2", ".up.sql");
	text = th_read(f);
	bad = strstr(text, "CREATE UNIQUE INDEX CONCURRENTLY ux_item_bad");
	cr_assert(bad != NULL);
	*bad = '\0';
	th_write("/", f, text);
	free(text);
	free(f);
	r = run(0, "stamp", "bbbbbbbbbbb1", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(VERSION_SQL, "bbbbbbbbbbb3");
	assert_q("SELECT string_agg(indexrelid::regclass::text || ':' || indisvalid::text, ',' "
	    "ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'item'::regclass",
	    "item_pkey:true,ix_item_note:true");
	r = run(0, "current", NULL);
	cr_assert(strstr(r.out, "FAILED") == NULL, "%s", r.out);
	th_run_free(&r);
}

/* ---- offline and secrets ---- */

/*
 * A revision whose files are gone (another git branch) is still shown by the reading commands,
 * from the ids and rows the history table keeps, and is undone by the down SQL stored there.
 */
Test(cli_pg, reading_commands_show_a_revision_whose_files_are_gone)
{
	struct th_run r = run(0, "revision", "-m", "one", "--rev-id", "aaaa00000001", NULL);
	char *f, *cmd;

	th_run_free(&r);
	r = run(0, "revision", "-m", "two", "--rev-id", "bbbb00000002", NULL);
	th_run_free(&r);
	f = rev_file("bbbb00000002", ".up.sql");
	append(f, "CREATE TABLE two (x int);\n");
	free(f);
	f = rev_file("bbbb00000002", ".down.sql");
	append(f, "DROP TABLE two;\n");
	free(f);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "two");
	cmd = mig_xasprintf("rm %s/migrations/versions/bbbb00000002_*", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = run(0, "history", NULL);
	cr_assert_str_eq(r.out, "aaaa00000001 -> bbbb00000002 (head) (current) (files missing), two\n"
	    "<base> -> aaaa00000001, one\n");
	th_run_free(&r);
	r = run(0, "heads", NULL);
	cr_assert_str_eq(r.out, "bbbb00000002 (head) (current)\n");
	th_run_free(&r);
	r = run(0, "current", NULL);
	cr_assert_str_eq(r.out, "bbbb00000002 (head) (files missing)\n");
	th_run_free(&r);
	r = run(0, "current", "-v", NULL);
	cr_assert(strstr(r.out, "Path: (files missing; down SQL kept in the database)\nApplied: ") != NULL, "%s",
	    r.out);
	th_run_free(&r);
	r = run(0, "downgrade", NULL);
	th_run_free(&r);
	assert_q(TABLES_SQL, "");
	assert_q(VERSION_SQL, "aaaa00000001");
}

Test(cli_pg, sql_mode_renders_without_connecting)
{
	struct th_run r;
	const char *off_env[] = { "DATABASE_URL=postgresql://postgres@/nodb?host=/nonexistent/mig-no-socket", NULL };
	const char *argv[] = { "upgrade", "--sql", NULL };
	const char *argv_down[] = { "downgrade", "--sql", "head:base", NULL };
	char *id, *s;
	double t0;

	th_write(dir, "models.yaml", S3_ENUMS S3_USERS S3_PROFILES S3_POSTS S3_COMMENTS);
	r = run(0, "migrate", "-m", "initial", NULL);
	id = generated_id(r.err);
	th_run_free(&r);

	t0 = mig_now_ms();
	r = th_migv(dir, off_env, argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(mig_now_ms() - t0 < 5000, "offline mode must not try to connect");
	cr_assert(strstr(r.out, "BEGIN;") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TYPE \"genderenum\" AS ENUM ('MALE', 'FEMALE', 'UNDEFINED');") != NULL,
	    "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TABLE \"profiles\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TABLE IF NOT EXISTS \"mig_version\"") != NULL, "%s", r.out);
	s = mig_xasprintf("INSERT INTO \"mig_version\"");
	cr_assert(strstr(r.out, s) != NULL, "%s", r.out);
	free(s);
	cr_assert(strstr(r.out, id) != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "COMMIT;") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "CREATE TYPE") < strstr(r.out, "CREATE TABLE \"profiles\""));
	/* The printed script is real PostgreSQL: run it ourselves and the database is at head. */
	th_pg_exec(url, r.out);
	th_run_free(&r);
	assert_q(TABLES_SQL, "comments,posts,profiles,users");
	assert_q(VERSION_SQL, id);
	r = run(0, "check", NULL);
	th_run_free(&r);

	r = th_migv(dir, off_env, argv_down);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "DROP TABLE \"profiles\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "DROP TYPE \"genderenum\"") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "DELETE FROM \"mig_version\"") != NULL, "%s", r.out);
	th_pg_exec(url, r.out);
	th_run_free(&r);
	assert_q(TABLES_SQL, "");
	assert_q(ENUM_TYPES_SQL, "");
	assert_q(VERSION_SQL, "");
	free(id);
}

/* A URL with a password in it, for the database "nodb" that does not exist. */
static char *
url_with_password(const char *password)
{
	const char *host = getenv("MIG_TEST_PG_HOST");
	const char *base = th_pg_server_url(), *at;

	if (host != NULL && *host != '\0')
		return mig_xasprintf("postgresql://postgres:%s@/nodb?host=%s", password, host);
	/* postgresql://user@... -> postgresql://user:PASSWORD@...; else a password= parameter. */
	at = strchr(base, '@');
	if (at != NULL && strstr(base, "://") != NULL && strstr(base, "://") < at)
		return mig_xasprintf("%.*s:%s%s%sdbname=nodb", (int)(at - base), base, password, at,
		    strchr(base, '?') ? "&" : "?");
	return mig_xasprintf("%s%spassword=%s&dbname=nodb", base, strchr(base, '?') ? "&" : "?", password);
}

Test(cli_pg, password_never_appears)
{
	struct th_run r;
	char *u, *u2, *e1, *e2;
	const char *bad_env[] = { NULL, NULL };
	const char *up[] = { "upgrade", NULL }, *cur[] = { "current", "-v", NULL };
	const char *chk[] = { "-v", "check", NULL };

	r = run(0, "revision", "-m", "first", NULL);
	th_run_free(&r);
	th_write(dir, "models.yaml", S3_ENUMS S3_USERS);
	u = url_with_password("s3cr3tpw");
	e1 = mig_xasprintf("DATABASE_URL=%s", u);
	bad_env[0] = e1;
	r = th_migv(dir, bad_env, up);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "nodb") != NULL, "the error says what failed: %s", r.err);
	cr_assert(strstr(r.err, "s3cr3tpw") == NULL && strstr(r.out, "s3cr3tpw") == NULL, "%s", r.err);
	th_run_free(&r);
	r = th_migv(dir, bad_env, cur);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "s3cr3tpw") == NULL && strstr(r.out, "s3cr3tpw") == NULL, "%s", r.err);
	th_run_free(&r);
	r = th_migv(dir, bad_env, chk);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "s3cr3tpw") == NULL && strstr(r.out, "s3cr3tpw") == NULL, "%s", r.err);
	th_run_free(&r);

	/* The same password as a URL parameter, and in mig.yaml instead of the environment. */
	e2 = th_pg_db_url("nodb");
	u2 = mig_xasprintf("%s%spassword=pArAm5ecret", e2, strchr(e2, '?') ? "&" : "?");
	free(e2);
	e2 = mig_xasprintf("url: \"%s\"\n", u2);
	th_write(dir, "migrations/mig.yaml", e2);
	r = th_migv(dir, NULL, up);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "nodb") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "pArAm5ecret") == NULL && strstr(r.out, "pArAm5ecret") == NULL, "%s", r.err);
	th_run_free(&r);
	free(u);
	free(u2);
	free(e1);
	free(e2);
}

Test(cli_pg, tables_that_reference_each_other_are_created_and_dropped_in_one_revision)
{
	struct th_run r;

	th_write(dir, "models.yaml",
	    "tables:\n"
	    "  a:\n    columns:\n      id: { type: integer, primary_key: true }\n"
	    "      b_id: { type: integer, references: b.id }\n"
	    "  b:\n    columns:\n      id: { type: integer, primary_key: true }\n"
	    "      a_id: { type: integer, references: a.id }\n"
	    "      parent_id: { type: integer, references: b.id }\n");
	r = run(0, "migrate", "-m", "cycle", NULL);
	th_run_free(&r);
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
	assert_q("SELECT string_agg(conrelid::regclass || '->' || confrelid::regclass, ',' ORDER BY conrelid::regclass::text, confrelid::regclass::text) "
	    "FROM pg_constraint WHERE contype = 'f'", "a->b,b->a,b->b");
	r = run(0, "check", NULL);
	th_run_free(&r);
	r = run(0, "downgrade", "base", NULL);
	th_run_free(&r);
	assert_q("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')", "0");
	r = run(0, "upgrade", NULL);
	th_run_free(&r);
}
