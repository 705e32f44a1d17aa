/*
 * test_rev_header.c — the `-- mig:` header of revision files (every key, every error with its
 * exact message and line), revision ids, slugs and the body that follows the header.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "rev.h"
#include "util.h"

static struct mig_arena arena;
static struct mig_rev rev;

static void
setup(void)
{
	mig_arena_init(&arena);
	memset(&rev, 0, sizeof(rev));
	mig_error_clear();
}

static void
teardown(void)
{
	mig_arena_release(&arena);
}

static int
parse(const char *text, size_t *end)
{
	return mig_rev_parse_header(&rev, &arena, text, strlen(text), "versions/x.up.sql", end);
}

TestSuite(header, .init = setup, .fini = teardown);

Test(header, parses_every_key)
{
	const char *text =
	    "-- mig:revision 780739b227a7\n"
	    "-- mig:down_revision e517276bb1c2\n"
	    "-- mig:message posts table\n"
	    "-- mig:created 2026-11-21T10:00:00Z\n"
	    "-- mig:branch_labels blog drafts\n"
	    "-- mig:depends_on 1111aaaa2222 3333bbbb4444\n"
	    "-- mig:transactional false\n"
	    "\n"
	    "CREATE TABLE posts (id integer);\n";
	size_t end = 0;

	cr_assert(eq(int, parse(text, &end), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.id, "780739b227a7"));
	cr_assert(eq(sz, rev.ndown, 1));
	cr_assert(eq(str, (char *)rev.down[0], "e517276bb1c2"));
	cr_assert(eq(str, (char *)rev.message, "posts table"));
	cr_assert(eq(str, (char *)rev.created, "2026-11-21T10:00:00Z"));
	cr_assert(eq(sz, rev.nlabels, 2));
	cr_assert(eq(str, (char *)rev.labels[0], "blog"));
	cr_assert(eq(str, (char *)rev.labels[1], "drafts"));
	cr_assert(eq(sz, rev.ndepends, 2));
	cr_assert(eq(str, (char *)rev.depends[0], "1111aaaa2222"));
	cr_assert(eq(str, (char *)rev.depends[1], "3333bbbb4444"));
	cr_assert(not(rev.transactional));
	/* The SQL starts right after the last header line; the blank line belongs to the body. */
	cr_assert(eq(str, (char *)text + end, "\nCREATE TABLE posts (id integer);\n"));
	cr_assert(eq(ptr, (void *)rev.up_path, NULL));
	cr_assert(not(rev.ghost));
}

Test(header, defaults_when_keys_are_absent)
{
	cr_assert(eq(int, parse("-- mig:revision abc123\nSELECT 1;\n", NULL), 0));
	cr_assert(eq(str, (char *)rev.id, "abc123"));
	cr_assert(eq(sz, rev.ndown, 0));
	cr_assert(eq(ptr, (void *)rev.down, NULL));
	cr_assert(eq(str, (char *)rev.message, ""));
	cr_assert(eq(ptr, (void *)rev.created, NULL));
	cr_assert(eq(sz, rev.nlabels, 0));
	cr_assert(eq(sz, rev.ndepends, 0));
	cr_assert(rev.transactional);
}

Test(header, empty_down_revision_is_a_base)
{
	cr_assert(eq(int, parse("-- mig:revision abc123\n-- mig:down_revision\n", NULL), 0));
	cr_assert(eq(sz, rev.ndown, 0));
	cr_assert(eq(int, parse("-- mig:revision abc123\n-- mig:down_revision    \n", NULL), 0));
	cr_assert(eq(sz, rev.ndown, 0));
}

Test(header, merge_lists_several_down_revisions)
{
	cr_assert(eq(int, parse("-- mig:revision m1\n-- mig:down_revision aaaa1111  bbbb2222\tcccc3333\n",
	    NULL), 0), "%s", mig_error_msg());
	cr_assert(eq(sz, rev.ndown, 3));
	cr_assert(eq(str, (char *)rev.down[0], "aaaa1111"));
	cr_assert(eq(str, (char *)rev.down[1], "bbbb2222"));
	cr_assert(eq(str, (char *)rev.down[2], "cccc3333"));
}

Test(header, tolerates_commas_between_ids)
{
	cr_assert(eq(int, parse("-- mig:revision m1\n-- mig:down_revision aaaa1111, bbbb2222\n", NULL), 0));
	cr_assert(eq(sz, rev.ndown, 2));
	cr_assert(eq(str, (char *)rev.down[1], "bbbb2222"));
}

Test(header, transactional_true_and_false)
{
	cr_assert(eq(int, parse("-- mig:revision a1\n-- mig:transactional true\n", NULL), 0));
	cr_assert(rev.transactional);
	cr_assert(eq(int, parse("-- mig:revision a1\n-- mig:transactional false\n", NULL), 0));
	cr_assert(not(rev.transactional));
}

Test(header, skips_notes_before_the_header_and_ends_at_the_first_other_line)
{
	const char *text =
	    "-- A note written by hand above the header.\n"
	    "\n"
	    "-- mig:revision abc123\n"
	    "-- mig:message kept\n"
	    "-- users table\n"
	    "\n"
	    "-- mig:foreign_keys off\n"
	    "CREATE TABLE t (x int);\n";
	size_t end = 0;

	cr_assert(eq(int, parse(text, &end), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.message, "kept"));
	/* A body marker after the template's comments is SQL, not an unknown header key. */
	cr_assert(eq(str, (char *)text + end,
	    "-- users table\n\n-- mig:foreign_keys off\nCREATE TABLE t (x int);\n"));
}

Test(header, tolerates_blank_and_comment_lines_between_header_lines)
{
	const char *text =
	    "-- mig:revision abc123\n"
	    "--\n"
	    "   \n"
	    "-- a hand-written note inside the header\n"
	    "-- mig:message kept\n"
	    "\n"
	    "-- mig:down_revision p1\n"
	    "CREATE TABLE t (x int);\n";
	size_t end = 0;

	cr_assert(eq(int, parse(text, &end), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.message, "kept"));
	cr_assert(eq(sz, rev.ndown, 1));
	cr_assert(eq(str, (char *)rev.down[0], "p1"));
	cr_assert(eq(str, (char *)text + end, "CREATE TABLE t (x int);\n"));
	/* A header key after a gap is still header: repeating one is still an error, on its line. */
	cr_assert(eq(int, parse("-- mig:revision a1\n\n-- mig:revision a1\n", NULL), MIG_EPARSE));
	cr_assert(eq(str, (char *)mig_error_msg(), "versions/x.up.sql:3: duplicate header key 'revision'"));
}

Test(header, accepts_the_destructive_marker)
{
	cr_assert(eq(int, parse("-- mig:revision a1\n-- mig:destructive\n-- mig:message m\n", NULL), 0),
	    "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.message, "m"));
	/* Twice is still one marker. */
	cr_assert(eq(int, parse("-- mig:revision a1\n-- mig:destructive\n-- mig:destructive\n", NULL), 0));
	/* In the body it is SQL comment text, not header. */
	cr_assert(eq(int, parse("-- mig:revision a1\nDROP TABLE t;\n-- mig:destructive\n", NULL), 0));
}

Test(header, a_marker_after_a_gap_opens_the_body)
{
	/* What `mig migrate` writes for a SQLite table rebuild: template comments, then the body. */
	const char *text =
	    "-- mig:revision abc123\n"
	    "-- mig:message rebuild users\n"
	    "-- rebuild users\n"
	    "--\n"
	    "-- Upgrade migration.\n"
	    "\n"
	    "-- mig:foreign_keys off\n"
	    "-- Detected dropped column 'users.age'\n"
	    "-- mig:destructive\n"
	    "CREATE TABLE users_new (id integer);\n";
	size_t end = 0;

	cr_assert(eq(int, parse(text, &end), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.message, "rebuild users"));
	cr_assert(mig_str_startswith(text + end, "-- rebuild users\n"));
	cr_assert(not(eq(ptr, strstr(mig_rev_body(text, strlen(text)), "-- mig:foreign_keys off"), NULL)));
}

Test(header, destructive_after_a_gap_belongs_to_the_body)
{
	const char *text = "-- mig:revision a1\n-- Detected dropped table 't'\n-- mig:destructive\nDROP TABLE t;\n";

	cr_assert(eq(str, (char *)mig_rev_body(text, strlen(text)),
	    "-- Detected dropped table 't'\n-- mig:destructive\nDROP TABLE t;\n"));
}

Test(header, unknown_key_after_a_gap_is_body_not_an_error)
{
	size_t end = 0;
	const char *text = "-- mig:revision a1\n\n-- mig:some_marker on\n-- mig:message not header\nSELECT 1;\n";

	cr_assert(eq(int, parse(text, &end), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.message, ""));
	cr_assert(eq(str, (char *)text + end, "\n-- mig:some_marker on\n-- mig:message not header\nSELECT 1;\n"));
}

Test(header, handles_crlf_trailing_spaces_and_a_byte_order_mark)
{
	const char *text = "\xEF\xBB\xBF-- mig:revision abc123  \r\n-- mig:message hello world \r\nSELECT 1;\r\n";

	cr_assert(eq(int, parse(text, NULL), 0), "%s", mig_error_msg());
	cr_assert(eq(str, (char *)rev.id, "abc123"));
	cr_assert(eq(str, (char *)rev.message, "hello world"));
}

Test(header, header_without_trailing_newline)
{
	size_t end = 0;

	cr_assert(eq(int, parse("-- mig:revision abc123", &end), 0));
	cr_assert(eq(str, (char *)rev.id, "abc123"));
	cr_assert(eq(sz, end, strlen("-- mig:revision abc123")));
}

Test(header, never_reads_past_len)
{
	/* The header's first line is cut at len; the rest of the buffer must not count. */
	const char *text = "-- mig:revision abc123\n-- mig:bogus key\n";
	size_t len = strlen("-- mig:revision abc123\n");
	char *copy = mig_xmalloc(len);

	memcpy(copy, text, len); /* no NUL: ASan catches an overread */
	cr_assert(eq(int, mig_rev_parse_header(&rev, &arena, copy, len, "x", NULL), 0), "%s",
	    mig_error_msg());
	cr_assert(eq(str, (char *)rev.id, "abc123"));
	free(copy);
}

struct bad_header {
	char text[160];
	char message[160];
};

ParameterizedTestParameters(header, rejects)
{
	static struct bad_header cases[] = {
		{ "-- mig:revision a1\n-- mig:revison b2\n",
		    "versions/x.up.sql:2: unknown header key 'revison'" },
		{ "-- mig:revision a1\n-- mig:\n", "versions/x.up.sql:2: malformed header line" },
		{ "-- mig:revision a1\n-- mig:message: hi\n", "versions/x.up.sql:2: malformed header line" },
		{ "\n-- note\n-- mig:revision=a1\n", "versions/x.up.sql:3: malformed header line" },
		{ "-- mig: revision a1\n", "versions/x.up.sql:1: malformed header line" },
		{ "--mig:revison a1\n", "versions/x.up.sql:1: unknown header key 'revison'" },
		{ "-- mig:revision a1\n-- mig:message a\0b\n", "versions/x.up.sql:2: malformed header line" },
		{ "-- mig:message no id\nSELECT 1;\n", "versions/x.up.sql: missing '-- mig:revision' header" },
		{ "", "versions/x.up.sql: missing '-- mig:revision' header" },
		{ "SELECT 1;\n-- mig:revision a1\n", "versions/x.up.sql: missing '-- mig:revision' header" },
		{ "-- mig:revision x y\n", "versions/x.up.sql:1: invalid revision id 'x y'" },
		{ "-- mig:revision a1\n-- mig:down_revision ok1 b@d\n",
		    "versions/x.up.sql:2: invalid revision id 'b@d'" },
		{ "-- mig:revision a1\n-- mig:depends_on d;1\n",
		    "versions/x.up.sql:2: invalid revision id 'd;1'" },
		{ "-- mig:revision\n", "versions/x.up.sql:1: missing value for header key 'revision'" },
		{ "-- mig:revision a1\n-- mig:message one\n-- mig:message two\n",
		    "versions/x.up.sql:3: duplicate header key 'message'" },
		{ "-- mig:revision a1\n-- mig:revision a1\n",
		    "versions/x.up.sql:2: duplicate header key 'revision'" },
		{ "-- mig:revision a1\n-- mig:transactional maybe\n",
		    "versions/x.up.sql:2: invalid value 'maybe' for 'transactional' (expected true or false)" },
		{ "-- mig:revision a1\n-- mig:down_revision b2 b2\n",
		    "versions/x.up.sql:2: 'b2' appears twice in down_revision" },
		{ "-- mig:revision a1\n-- mig:branch_labels head\n",
		    "versions/x.up.sql:2: invalid branch label 'head'" },
		{ "-- mig:revision a1\n-- mig:branch_labels my@label\n",
		    "versions/x.up.sql:2: invalid branch label 'my@label'" },
	};

	return cr_make_param_array(struct bad_header, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_header *c, header, rejects, .init = setup, .fini = teardown)
{
	/* One case holds a NUL byte: measure the text up to its last newline, not to the first NUL. */
	size_t len = sizeof(c->text);

	while (len > 0 && c->text[len - 1] != '\n')
		len--;
	if (len == 0)
		len = strlen(c->text);
	cr_assert(eq(int, mig_rev_parse_header(&rev, &arena, c->text, len, "versions/x.up.sql", NULL),
	    MIG_EPARSE), "%s", c->text);
	cr_assert(eq(str, (char *)mig_error_msg(), c->message));
}

Test(header, rejects_an_id_longer_than_64_characters)
{
	char text[128];

	memcpy(text, "-- mig:revision ", 16);
	memset(text + 16, 'a', 65);
	text[81] = '\0';
	cr_assert(eq(int, parse(text, NULL), MIG_EPARSE));
	cr_assert(not(eq(ptr, strstr(mig_error_msg(), "invalid revision id"), NULL)));
	text[80] = '\0'; /* 64 characters: fine */
	cr_assert(eq(int, parse(text, NULL), 0), "%s", mig_error_msg());
}

Test(header, many_ids_on_one_line_stay_linear)
{
	struct mig_buf b = MIG_BUF_INIT;
	int i;

	mig_buf_puts(&b, "-- mig:revision top\n-- mig:down_revision");
	for (i = 0; i < 20000; i++)
		mig_buf_printf(&b, " r%d", i);
	mig_buf_puts(&b, "\n");
	cr_assert(eq(int, mig_rev_parse_header(&rev, &arena, b.ptr, b.len, "x", NULL), 0));
	cr_assert(eq(sz, rev.ndown, 20000));
	cr_assert(eq(str, (char *)rev.down[19999], "r19999"));
	mig_buf_release(&b);
}

Test(header, down_file_header_parses_alone)
{
	cr_assert(eq(int, parse("-- mig:revision 780739b227a7\n\nDROP TABLE posts;\n", NULL), 0));
	cr_assert(eq(str, (char *)rev.id, "780739b227a7"));
}

Test(rev_id, validity)
{
	char long_id[70];

	cr_assert(mig_rev_id_valid("780739b227a7"));
	cr_assert(mig_rev_id_valid("A_b-9"));
	cr_assert(mig_rev_id_valid("x"));
	cr_assert(not(mig_rev_id_valid("")));
	cr_assert(not(mig_rev_id_valid(NULL)));
	cr_assert(not(mig_rev_id_valid("a b")));
	cr_assert(not(mig_rev_id_valid("a@head")));
	cr_assert(not(mig_rev_id_valid("a+1")));
	cr_assert(not(mig_rev_id_valid("é")));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	cr_assert(mig_rev_id_valid(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	cr_assert(not(mig_rev_id_valid(long_id)));
}

struct slug_case {
	char message[96];
	char slug[48];
};

ParameterizedTestParameters(slug, from_message)
{
	static struct slug_case cases[] = {
		{ "users table", "users_table" },
		{ "Add Users", "add_users" },
		{ "posts: add  title!", "posts__add__title_" },
		{ "already_snake_case", "already_snake_case" },
		{ "v2 API", "v2_api" },
		{ "naïve", "na__ve" },
		{ "", "revision" },
		{ "0123456789012345678901234567890123456789XYZ", "0123456789012345678901234567890123456789" },
		{ "A long message that certainly goes beyond forty chars", "a_long_message_that_certainly_goes_beyon" },
		{ "---", "___" },
	};

	return cr_make_param_array(struct slug_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct slug_case *c, slug, from_message)
{
	char *s = mig_rev_slug(c->message);

	cr_assert(eq(str, s, c->slug));
	cr_assert(le(sz, strlen(s), 40));
	free(s);
}

Test(slug, null_message_is_revision)
{
	char *s = mig_rev_slug(NULL);

	cr_assert(eq(str, s, "revision"));
	free(s);
}

Test(body, is_the_text_after_the_header)
{
	const char *text = "-- mig:revision a1\n-- mig:message m\n\nCREATE TABLE t (x int);\n";

	cr_assert(eq(str, (char *)mig_rev_body(text, strlen(text)), "\nCREATE TABLE t (x int);\n"));
}

Test(body, keeps_comments_after_the_header)
{
	const char *text = "-- mig:revision a1\n-- Detected added table 't'\nCREATE TABLE t (x int);\n";

	cr_assert(eq(str, (char *)mig_rev_body(text, strlen(text)),
	    "-- Detected added table 't'\nCREATE TABLE t (x int);\n"));
}

Test(body, of_a_file_without_header_is_everything)
{
	const char *text = "CREATE TABLE t (x int);\n";

	cr_assert(eq(ptr, (void *)mig_rev_body(text, strlen(text)), (void *)text));
}

Test(body, of_a_header_only_file_is_empty)
{
	const char *text = "-- mig:revision a1\n";

	cr_assert(eq(str, (char *)mig_rev_body(text, strlen(text)), ""));
}
