/*
 * db_pg.c — the PostgreSQL driver through libpq: connecting, running scripts, transactions and the
 * migration lock. libpq is loaded when the first connection is opened (pq_load.h), so that
 * commands that never touch PostgreSQL do not pay for it.
 *
 * A script is sent whole with the simple-query protocol, so the server splits it: dollar-quoted
 * function bodies, DO blocks, BEGIN ATOMIC bodies and ';' inside strings need no parser of ours to
 * run. The server runs a multi-statement string as one implicit transaction (or inside the caller's
 * BEGIN), and answers with one result per statement. A scanner of our own is still needed for one
 * thing: telling the user *which* statement failed. It cuts the script where psql would, and the
 * failing statement is the one holding the error's position (PG_DIAG_STATEMENT_POSITION counts
 * characters in the whole string) or, for errors raised while executing, the one after the last
 * statement that completed. Unlike SQLite, a script that fails outside the caller's transaction
 * leaves nothing behind: its implicit transaction rolls back the statements before the failure.
 *
 * Some statements refuse to run inside a transaction block, and a multi-statement string is one
 * (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM...). They belong in revisions marked
 * `-- mig:transactional false`, which run outside any transaction: when such a script fails that
 * way, the implicit block rolled everything back, and the script is run again one statement at a
 * time, as psql would, each committing on its own. That retry happens only when nothing of the
 * script could have committed: the connection was idle and the script has no transaction control.
 *
 * The connection: libpq gets the URL as given (PG* environment variables apply), with defaults
 * that the URL and the environment override: application_name "mig" (so the lock's holder can be
 * recognised in pg_stat_activity), client_encoding UTF8 (revision files are UTF-8 text) and a
 * connect timeout, so that an unreachable host fails in seconds rather than minutes. Notices are
 * swallowed: libmig never prints, and CREATE TABLE IF NOT EXISTS would otherwise chatter.
 *
 * The lock is a session-level advisory lock on one fixed 64-bit key (MIG_PG_LOCK_KEY). Advisory
 * locks are per database, so this serialises every mig that migrates the same database, whatever
 * its version table: two projects sharing one database wait for each other, which is harmless, and
 * a fixed key lets an operator find the holder with one query on pg_locks. The lock is released by
 * unlock(), by closing the connection, or by the server when the session dies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db_driver.h"
#include "pq_load.h"
#include "sql.h"

/*
 * The advisory lock key: "mig\0" then "lock" in ASCII. pg_locks shows a bigint key as classid
 * (high 32 bits) and objid (low 32 bits) with objsubid 1.
 */
#define MIG_PG_LOCK_KEY INT64_C(0x6D6967006C6F636B)
/* How often a waiting migrator retries the advisory lock. */
#define LOCK_POLL_MS 100
/* connect_timeout unless the URL or PGCONNECT_TIMEOUT says otherwise, in seconds. */
#define CONNECT_TIMEOUT "10"
/* SQLSTATE active_sql_transaction: "... cannot run inside a transaction block". */
#define SQLSTATE_IN_TRANSACTION "25001"

struct pg_drv {
	PGconn *conn;
	PGcancel *cancel;  /* prepared at connect time: PQcancel() is then signal-safe */
	bool locked;
};

/* One statement of a script: bytes [start, end), end just past its ';' or at the end of the text. */
struct pg_stmt {
	size_t start, end;
};

/* What running a script told us. */
struct pg_outcome {
	PGresult *error;     /* the first error result, or NULL */
	size_t completed;    /* statements that completed before the error */
	char *client_error;  /* an error libpq found without a result (connection lost); malloc'd */
};

static int pg_open(struct mig_db *db, const struct mig_url *url, bool create);
static void pg_close(struct mig_db *db);
static void pg_interrupt(struct mig_db *db);
static int pg_exec(struct mig_db *db, const char *sql, struct mig_db_error *err);
static int pg_query(struct mig_db *db, const char *sql, mig_db_row_fn fn, void *ctx);
static bool pg_in_transaction(const struct mig_db *db);
static int pg_table_exists(struct mig_db *db, const char *schema, const char *table, bool *out);
static int pg_lock(struct mig_db *db, int timeout_ms);
static void pg_unlock(struct mig_db *db);
static void swallow_notice(void *arg, const char *message);
static char *scrub_secret(const char *message, const char *conninfo);
static void replace_all(struct mig_buf *out, const char *s, const char *needle, const char *with);
static char *uri_password(const char *conninfo);
static char *trimmed_message(const char *s);
static char *result_message(const PGresult *r);
static size_t split_script(const char *sql, bool std_strings, struct pg_stmt **out);
static bool is_ident_start(unsigned char c);
static bool is_ident_char(unsigned char c);
static size_t dollar_tag_len(const char *s);
static bool std_strings(PGconn *conn);
static void run_script(PGconn *conn, const char *sql, struct pg_outcome *o);
static void outcome_release(struct pg_outcome *o);
static size_t char_to_byte(PGconn *conn, const char *sql, long chars);
static int report_failure(PGconn *conn, const char *sql, const struct pg_stmt *st, size_t nst,
    const struct pg_outcome *o, struct mig_db_error *err);
static bool has_transaction_control(const char *sql, const struct pg_stmt *st, size_t nst);
static int exec_each(PGconn *conn, const char *sql, const struct pg_stmt *st, size_t nst,
    struct mig_db_error *err);
static int try_lock(struct pg_drv *d, bool *got);
static void describe_holder(struct mig_buf *b, PGconn *conn);
static void sleep_ms(double ms);

const struct mig_db_ops mig_db_pg_ops = {
	.name = "postgresql",
	.dialect = MIG_POSTGRES,
	.begin_sql = "BEGIN",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.in_transaction = pg_in_transaction,
	.table_exists = pg_table_exists,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.interrupt = pg_interrupt,
};

/*
 * libpq documents PQcancel() as safe to call from a signal handler, given a PGcancel made earlier.
 * Calling it through mig_pq is safe too: d->cancel exists only after pg_open() loaded the table,
 * which never changes afterwards.
 */
static void
pg_interrupt(struct mig_db *db)
{
	struct pg_drv *d = db->drv;
	char errbuf[256];

	if (d && d->cancel)
		PQcancel(d->cancel, errbuf, sizeof(errbuf));
}

/* The libpq connection behind db, for introspection (db_pg_introspect.c); NULL for other drivers. */
PGconn *
mig_db_pg_handle(const struct mig_db *db)
{
	if (db == NULL || db->ops != &mig_db_pg_ops || db->drv == NULL)
		return NULL;
	return ((const struct pg_drv *)db->drv)->conn;
}

static void
swallow_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- messages without secrets ---- */

static void
replace_all(struct mig_buf *out, const char *s, const char *needle, const char *with)
{
	size_t n = strlen(needle);
	const char *q;

	if (n == 0) {
		mig_buf_puts(out, s);
		return;
	}
	while ((q = strstr(s, needle)) != NULL) {
		mig_buf_put(out, s, (size_t)(q - s));
		mig_buf_puts(out, with);
		s = q + n;
	}
	mig_buf_puts(out, s);
}

/* The password of scheme://user:PASSWORD@host as written (percent-encoded); NULL when none. */
static char *
uri_password(const char *conninfo)
{
	const char *auth = strstr(conninfo, "://"), *end, *at = NULL, *colon, *p;

	if (auth == NULL)
		return NULL;
	auth += 3;
	end = auth + strcspn(auth, "?#");
	/* As mig_url_redact(): the userinfo ends at the last '@' before the query. */
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return NULL;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon == NULL || colon + 1 == at)
		return NULL;
	return mig_xstrndup(colon + 1, (size_t)(at - colon - 1));
}

/*
 * libpq's connection errors do not contain the password, except in a few URL syntax errors that
 * quote the URL or one of its percent-encoded parts ("invalid percent-encoded token: ..."). So:
 * the URL as given is replaced by its redacted form, then every remaining occurrence of the
 * password, raw or as libpq decoded it, by "***". Very short passwords are replaced only where
 * quoted whole, so that a password of "e" does not mangle every word of the message.
 */
static char *
scrub_secret(const char *message, const char *conninfo)
{
	struct mig_buf a = MIG_BUF_INIT, b = MIG_BUF_INIT;
	char *shown = mig_url_redact(conninfo), *secrets[2] = { NULL, NULL }, *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err), *o;
	size_t i;

	replace_all(&a, message, conninfo, shown);
	secrets[0] = uri_password(conninfo);
	for (o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			secrets[1] = mig_xstrdup(o->val);
	for (i = 0; i < 2; i++) {
		char *quoted;

		if (secrets[i] == NULL)
			continue;
		quoted = mig_xasprintf("\"%s\"", secrets[i]);
		mig_buf_clear(&b);
		replace_all(&b, a.ptr, quoted, "\"***\"");
		free(quoted);
		mig_buf_clear(&a);
		if (strlen(secrets[i]) >= 4)
			replace_all(&a, b.ptr, secrets[i], "***");
		else
			mig_buf_puts(&a, b.ptr);
	}
	PQconninfoFree(opts);
	PQfreemem(err);
	free(secrets[0]);
	free(secrets[1]);
	free(shown);
	mig_buf_release(&b);
	return mig_buf_detach(&a);
}

/* s without trailing newlines and spaces (libpq's messages end with "\n"); malloc'd. */
static char *
trimmed_message(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return mig_xstrdup("unknown error");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	return mig_xstrndup(s, n);
}

/*
 * The server's message, then its DETAIL and HINT when it gave them, without the "ERROR:  "
 * severity prefix that PQresultErrorMessage() adds; malloc'd.
 */
static char *
result_message(const PGresult *r)
{
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
	struct mig_buf b = MIG_BUF_INIT;
	char *s;

	if (primary == NULL)
		return trimmed_message(PQresultErrorMessage(r));
	mig_buf_puts(&b, primary);
	if (detail != NULL && *detail != '\0')
		mig_buf_printf(&b, "\n  detail: %s", detail);
	if (hint != NULL && *hint != '\0')
		mig_buf_printf(&b, "\n  hint: %s", hint);
	s = trimmed_message(b.ptr);
	mig_buf_release(&b);
	return s;
}

/* ---- connecting ---- */

static int
pg_open(struct mig_db *db, const struct mig_url *url, bool create)
{
	/*
	 * Keywords before "dbname" are defaults: the expanded URL overrides them. A default is left
	 * out when its PG* variable is set, since explicit keywords would override the environment.
	 */
	const char *keys[6], *vals[6];
	struct pg_drv *d;
	PGresult *r;
	char *msg;
	int n = 0, rc;

	(void)create; /* the database must exist: creating one is not a migration's business */
	/* libpq is loaded here, on the first PostgreSQL URL, not at start-up (pq_load.h). */
	if ((rc = mig_pq_load()) != 0)
		return rc;
	keys[n] = "fallback_application_name";
	vals[n++] = "mig";
	if (getenv("PGCLIENTENCODING") == NULL) {
		keys[n] = "client_encoding";
		vals[n++] = "UTF8";
	}
	if (getenv("PGCONNECT_TIMEOUT") == NULL) {
		keys[n] = "connect_timeout";
		vals[n++] = CONNECT_TIMEOUT;
	}
	keys[n] = "dbname";
	vals[n++] = url->conninfo;
	keys[n] = NULL;
	vals[n] = NULL;

	d = mig_xcalloc(1, sizeof(*d));
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (d->conn == NULL) {
		free(d);
		return mig_error_set(MIG_ENOMEM, "cannot connect to '%s': out of memory", db->display);
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		char *reason = trimmed_message(PQerrorMessage(d->conn));

		msg = scrub_secret(reason, url->conninfo);
		rc = mig_error_set(MIG_EDB, "cannot connect to '%s': %s", db->display, msg);
		free(msg);
		free(reason);
		goto fail;
	}
	PQsetNoticeProcessor(d->conn, swallow_notice, NULL);
	r = PQexec(d->conn, "SET client_min_messages = warning");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		msg = result_message(r);
		rc = mig_error_set(MIG_EDB, "cannot set up the connection to '%s': %s", db->display, msg);
		free(msg);
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	d->cancel = PQgetCancel(d->conn);
	db->drv = d;
	return 0;
fail:
	PQfinish(d->conn);
	free(d);
	return rc;
}

static void
pg_close(struct mig_db *db)
{
	struct pg_drv *d = db->drv;

	if (d == NULL)
		return;
	/* PQfinish() ends the session, which releases the advisory lock with it. */
	if (d->cancel)
		PQfreeCancel(d->cancel);
	PQfinish(d->conn);
	free(d);
	db->drv = NULL;
}

/* ---- splitting a script, as psql does ---- */

static bool
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* The length of a dollar-quote delimiter ($$ or $tag$) at s, or 0 when s does not start one. */
static size_t
dollar_tag_len(const char *s)
{
	size_t i = 1;

	if (s[0] != '$')
		return 0;
	if (s[1] == '$')
		return 2;
	if (!is_ident_start((unsigned char)s[1]))
		return 0;
	while (is_ident_char((unsigned char)s[i]) && s[i] != '$')
		i++;
	return s[i] == '$' ? i + 1 : 0;
}

/*
 * Cuts sql into statements where psql would: at a ';' outside quotes, dollar quotes, comments,
 * parentheses and the BEGIN ... END body of a CREATE FUNCTION/PROCEDURE (psql's heuristic:
 * BEGIN and CASE open, END closes, once the statement started with CREATE [OR REPLACE]
 * FUNCTION|PROCEDURE). Statements holding only whitespace and comments are left out, as the
 * server leaves them out. std_strings: '' strings take backslashes literally. Returns the count.
 */
static size_t
split_script(const char *sql, bool std, struct pg_stmt **out)
{
	struct pg_stmt *v = NULL;
	size_t n = 0, cap = 0, i = 0, start = 0;
	int paren = 0, begin_depth = 0, nidents = 0;
	char idents[4];
	bool content = false;

	memset(idents, 0, sizeof(idents));
	for (;;) {
		unsigned char c = (unsigned char)sql[i];

		if (c == '\0' || (c == ';' && paren == 0 && begin_depth == 0)) {
			if (c == ';')
				i++;
			if (content) {
				if (n == cap) {
					cap = cap ? 2 * cap : 16;
					v = mig_xrealloc(v, cap * sizeof(*v));
				}
				v[n].start = start;
				v[n].end = i;
				n++;
			}
			if (c == '\0')
				break;
			start = i;
			content = false;
			paren = begin_depth = nidents = 0;
			memset(idents, 0, sizeof(idents));
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '-' && sql[i + 1] == '-') {
			i += strcspn(sql + i, "\n");
			continue;
		}
		if (c == '/' && sql[i + 1] == '*') {
			int depth = 1; /* PostgreSQL's block comments nest */

			for (i += 2; sql[i] != '\0' && depth > 0; i++) {
				if (sql[i] == '/' && sql[i + 1] == '*') {
					depth++;
					i++;
				} else if (sql[i] == '*' && sql[i + 1] == '/') {
					depth--;
					i++;
				}
			}
			continue;
		}
		content = true;
		if (c == '\'' || c == '"') {
			/* E'...' was recognised with its identifier below; here backslash is literal (std). */
			bool backslash = c == '\'' && !std;

			for (i++; sql[i] != '\0'; i++) {
				if (backslash && sql[i] == '\\' && sql[i + 1] != '\0') {
					i++;
				} else if ((unsigned char)sql[i] == c) {
					if ((unsigned char)sql[i + 1] != c)
						break;
					i++;
				}
			}
			if (sql[i] != '\0')
				i++;
			continue;
		}
		if (c == '$') {
			size_t tl = dollar_tag_len(sql + i);
			const char *close;

			if (tl == 0) {
				i++;
				continue;
			}
			{
				char *tag = mig_xstrndup(sql + i, tl);

				close = strstr(sql + i + tl, tag);
				free(tag);
			}
			i = close ? (size_t)(close - sql) + tl : i + strlen(sql + i);
			continue;
		}
		if (c >= '0' && c <= '9') {
			/* Numbers, including 1e5 and 0x1F: never followed by a quote that matters. */
			while (is_ident_char((unsigned char)sql[i]) || sql[i] == '.')
				i++;
			continue;
		}
		if (is_ident_start(c)) {
			size_t s = i, len;

			while (is_ident_char((unsigned char)sql[i]))
				i++;
			len = i - s;
			if (len == 1 && (c == 'e' || c == 'E') && sql[i] == '\'') {
				/* An escape string: backslash escapes, '' too. */
				for (i++; sql[i] != '\0'; i++) {
					if (sql[i] == '\\' && sql[i + 1] != '\0')
						i++;
					else if (sql[i] == '\'' && sql[i + 1] == '\'')
						i++;
					else if (sql[i] == '\'')
						break;
				}
				if (sql[i] != '\0')
					i++;
				continue;
			}
			/* psql's heuristic for BEGIN ATOMIC ... END bodies (psqlscan.l). */
			if (nidents < 4) {
				static const char *const words[] = { "create", "function", "procedure", "or", "replace" };
				size_t w;

				for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
					if (len == strlen(words[w]) && strncasecmp(sql + s, words[w], len) == 0)
						idents[nidents] = words[w][0];
			}
			nidents++;
			if (paren == 0 && idents[0] == 'c' && (idents[1] == 'f' || idents[1] == 'p' ||
			    (idents[1] == 'o' && idents[2] == 'r' && (idents[3] == 'f' || idents[3] == 'p')))) {
				if (len == 5 && strncasecmp(sql + s, "begin", 5) == 0)
					begin_depth++;
				else if (len == 4 && strncasecmp(sql + s, "case", 4) == 0 && begin_depth > 0)
					begin_depth++;
				else if (len == 3 && strncasecmp(sql + s, "end", 3) == 0 && begin_depth > 0)
					begin_depth--;
			}
			continue;
		}
		if (c == '(')
			paren++;
		else if (c == ')' && paren > 0)
			paren--;
		i++;
	}
	*out = v;
	return n;
}

static bool
std_strings(PGconn *conn)
{
	const char *v = PQparameterStatus(conn, "standard_conforming_strings");

	return v == NULL || strcmp(v, "off") != 0;
}

/* ---- running scripts ---- */

/*
 * Sends sql whole and reads one result per statement, counting those that completed, until the
 * server is done. COPY ... FROM STDIN has no data to read in a script and is ended with an error;
 * COPY ... TO STDOUT output is discarded.
 */
static void
run_script(PGconn *conn, const char *sql, struct pg_outcome *o)
{
	PGresult *r;

	memset(o, 0, sizeof(*o));
	if (!PQsendQuery(conn, sql)) {
		o->client_error = trimmed_message(PQerrorMessage(conn));
		return;
	}
	while ((r = PQgetResult(conn)) != NULL) {
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			if (o->error == NULL)
				o->completed++;
			break;
		case PGRES_COPY_IN:
			/* The server answers with the error result that names the statement. */
			PQputCopyEnd(conn, "a migration script has no data to send to COPY FROM STDIN");
			break;
		case PGRES_COPY_OUT: {
			char *buf;

			/* The COPY's own completion follows as a COMMAND_OK result, counted there. */
			while (PQgetCopyData(conn, &buf, 0) > 0)
				PQfreemem(buf);
			break;
		}
		case PGRES_EMPTY_QUERY:
			break;
		default:
			if (o->error == NULL) {
				o->error = r;
				continue; /* kept: the rest are drained */
			}
			break;
		}
		PQclear(r);
	}
	if (o->error == NULL && PQstatus(conn) != CONNECTION_OK)
		o->client_error = trimmed_message(PQerrorMessage(conn));
}

static void
outcome_release(struct pg_outcome *o)
{
	PQclear(o->error);
	free(o->client_error);
	memset(o, 0, sizeof(*o));
}

/* The byte offset of the 1-based character position chars in sql, in the connection's encoding. */
static size_t
char_to_byte(PGconn *conn, const char *sql, long chars)
{
	int enc = PQclientEncoding(conn);
	size_t off = 0;
	long k;

	for (k = 1; k < chars && sql[off] != '\0'; k++) {
		int len = PQmblen(sql + off, enc);

		while (len-- > 0 && sql[off] != '\0')
			off++;
	}
	return off;
}

/*
 * Fills err for a failed script: the statement holding the error position, else the one after the
 * last that completed; a message alone when neither is known. Returns MIG_EDB.
 */
static int
report_failure(PGconn *conn, const char *sql, const struct pg_stmt *st, size_t nst,
    const struct pg_outcome *o, struct mig_db_error *err)
{
	const char *pos = o->error ? PQresultErrorField(o->error, PG_DIAG_STATEMENT_POSITION) : NULL;
	char *msg = o->error ? result_message(o->error) : trimmed_message(o->client_error);
	size_t which = nst;
	int rc;

	if (pos != NULL && nst > 0) {
		long chars = strtol(pos, NULL, 10);
		size_t off = char_to_byte(conn, sql, chars);

		for (which = 0; which + 1 < nst && st[which + 1].start <= off; which++)
			;
	} else if (o->error != NULL && o->completed < nst) {
		which = o->completed;
	}
	if (which < nst) {
		mig_db_error_fill(err, sql, st[which].start, st[which].end, msg);
	} else if (err != NULL) {
		mig_db_error_release(err);
		err->message = mig_xstrdup(msg);
	}
	if (err != NULL && o->error != NULL && PQresultErrorField(o->error, PG_DIAG_SQLSTATE) != NULL)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", PQresultErrorField(o->error, PG_DIAG_SQLSTATE));
	rc = mig_error_set(MIG_EDB, "%s", msg);
	free(msg);
	return rc;
}

/* Whether a statement controls the transaction itself, so that part of the script may have committed. */
static bool
has_transaction_control(const char *sql, const struct pg_stmt *st, size_t nst)
{
	static const char *const words[] = { "begin", "start", "commit", "end", "rollback", "abort",
	    "savepoint", "release", "prepare" };
	size_t i, w, len;

	for (i = 0; i < nst; i++) {
		const char *s = mig_db_skip_space(sql + st[i].start);

		for (len = 0; is_ident_char((unsigned char)s[len]); len++)
			;
		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (len == strlen(words[w]) && strncasecmp(s, words[w], len) == 0)
				return true;
	}
	return false;
}

/*
 * psql's way, for statements that refuse a transaction block: one statement per round trip, each
 * committing on its own. A failure stops the run; the statements before it stay.
 */
static int
exec_each(PGconn *conn, const char *sql, const struct pg_stmt *st, size_t nst, struct mig_db_error *err)
{
	struct pg_outcome o;
	size_t i;
	int rc = 0;

	for (i = 0; i < nst && rc == 0; i++) {
		char *text = mig_xstrndup(sql + st[i].start, st[i].end - st[i].start);

		run_script(conn, text, &o);
		if (o.error != NULL || o.client_error != NULL) {
			char *msg = o.error ? result_message(o.error) : trimmed_message(o.client_error);

			mig_db_error_fill(err, sql, st[i].start, st[i].end, msg);
			rc = mig_error_set(MIG_EDB, "%s", msg);
			free(msg);
		}
		outcome_release(&o);
		free(text);
	}
	return rc;
}

static int
pg_exec(struct mig_db *db, const char *sql, struct mig_db_error *err)
{
	struct pg_drv *d = db->drv;
	bool was_idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
	struct pg_stmt *st = NULL;
	struct pg_outcome o;
	size_t nst;
	int rc = 0;

	run_script(d->conn, sql, &o);
	if (o.error == NULL && o.client_error == NULL)
		goto done;
	nst = split_script(sql, std_strings(d->conn), &st);
	if (o.error != NULL && was_idle && nst > 1 && PQtransactionStatus(d->conn) == PQTRANS_IDLE &&
	    strcmp(PQresultErrorField(o.error, PG_DIAG_SQLSTATE) ? PQresultErrorField(o.error,
	    PG_DIAG_SQLSTATE) : "", SQLSTATE_IN_TRANSACTION) == 0 && !has_transaction_control(sql, st, nst))
		rc = exec_each(d->conn, sql, st, nst, err);
	else
		rc = report_failure(d->conn, sql, st, nst, &o, err);
	free(st);
done:
	outcome_release(&o);
	return rc;
}

static int
pg_query(struct mig_db *db, const char *sql, mig_db_row_fn fn, void *ctx)
{
	struct pg_drv *d = db->drv;
	PGresult *r = PQexec(d->conn, sql);
	const char **vals = NULL;
	int i, j, nrows, ncols, rc = 0;

	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
		break;
	case PGRES_COMMAND_OK:
		PQclear(r);
		return 0;
	default: {
		char *msg = r ? result_message(r) : trimmed_message(PQerrorMessage(d->conn));

		rc = mig_error_set(MIG_EDB, "%s", msg);
		free(msg);
		PQclear(r);
		return rc;
	}
	}
	nrows = PQntuples(r);
	ncols = PQnfields(r);
	vals = mig_xcalloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*vals));
	for (i = 0; i < nrows && rc == 0; i++) {
		for (j = 0; j < ncols; j++)
			vals[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
		rc = fn(ctx, vals, (size_t)ncols);
	}
	free(vals);
	PQclear(r);
	return rc;
}

/* An aborted transaction (INERROR) is still one: it needs a ROLLBACK. */
static bool
pg_in_transaction(const struct mig_db *db)
{
	const struct pg_drv *d = db->drv;
	PGTransactionStatusType s = PQtransactionStatus(d->conn);

	return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

/*
 * A schema of NULL means current_schema(): where an unqualified CREATE TABLE puts the table, so
 * the version table mig creates is the one it finds. Names are compared exactly, since mig
 * always quotes them. Views and other relations are not tables.
 */
static int
pg_table_exists(struct mig_db *db, const char *schema, const char *table, bool *out)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema()) "
	    "AND c.relkind IN ('r', 'p'))";
	struct pg_drv *d = db->drv;
	const char *params[2] = { table, schema && *schema ? schema : NULL };
	PGresult *r;
	int rc = 0;

	*out = false;
	r = PQexecParams(d->conn, sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*out = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	} else {
		char *msg = r ? result_message(r) : trimmed_message(PQerrorMessage(d->conn));

		rc = mig_error_set(MIG_EDB, "%s", msg);
		free(msg);
	}
	PQclear(r);
	return rc;
}

/* ---- the migration lock ---- */

static int
try_lock(struct pg_drv *d, bool *got)
{
	char key[32];
	const char *params[1] = { key };
	PGresult *r;
	int rc = 0;

	snprintf(key, sizeof(key), "%lld", (long long)MIG_PG_LOCK_KEY);
	r = PQexecParams(d->conn, "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", 1, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		*got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	} else {
		char *msg = r ? result_message(r) : trimmed_message(PQerrorMessage(d->conn));

		rc = mig_error_set(MIG_EDB, "cannot take the migration lock: %s", msg);
		free(msg);
	}
	PQclear(r);
	return rc;
}

/*
 * Who holds the lock, from pg_locks joined with pg_stat_activity. PostgreSQL does not record when
 * a lock was granted, so "since" is the holder's connection time and the start of its current
 * state. Another role's session details are hidden unless we may read all statistics.
 */
static void
describe_holder(struct mig_buf *b, PGconn *conn)
{
	static const char sql[] =
	    "SELECT l.pid, a.application_name, a.usename, "
	    "CASE WHEN a.client_port = -1 THEN 'local socket' "
	    "     WHEN a.client_addr IS NOT NULL THEN host(a.client_addr) || ':' || a.client_port END, "
	    "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.state, "
	    "to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	    "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
	    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
	    "AND l.classid = $1::oid AND l.objid = $2::oid "
	    "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) "
	    "LIMIT 1";
	char hi[16], lo[16];
	const char *params[2] = { hi, lo };
	PGresult *r;

	snprintf(hi, sizeof(hi), "%lu", (unsigned long)(((uint64_t)MIG_PG_LOCK_KEY >> 32) & 0xffffffffu));
	snprintf(lo, sizeof(lo), "%lu", (unsigned long)((uint64_t)MIG_PG_LOCK_KEY & 0xffffffffu));
	r = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0) {
		mig_buf_puts(b, "held by another session");
	} else if (PQgetisnull(r, 0, 4)) {
		mig_buf_printf(b, "held by pid %s (its details are hidden from this role)", PQgetvalue(r, 0, 0));
	} else {
		mig_buf_printf(b, "held by pid %s (application_name '%s'", PQgetvalue(r, 0, 0),
		    PQgetvalue(r, 0, 1));
		if (!PQgetisnull(r, 0, 2))
			mig_buf_printf(b, ", user '%s'", PQgetvalue(r, 0, 2));
		if (!PQgetisnull(r, 0, 3))
			mig_buf_printf(b, ", client %s", PQgetvalue(r, 0, 3));
		mig_buf_printf(b, ", connected since %s", PQgetvalue(r, 0, 4));
		if (!PQgetisnull(r, 0, 5) && !PQgetisnull(r, 0, 6))
			mig_buf_printf(b, ", %s since %s", PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6));
		mig_buf_putc(b, ')');
	}
	PQclear(r);
}

static void
sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
pg_lock(struct mig_db *db, int timeout_ms)
{
	struct pg_drv *d = db->drv;
	double deadline = mig_now_ms() + timeout_ms, now;
	struct mig_buf holder = MIG_BUF_INIT;
	bool got = false;
	int rc;

	if (d->locked)
		return 0;
	for (;;) {
		if ((rc = try_lock(d, &got)) != 0)
			return rc;
		if (got) {
			d->locked = true;
			return 0;
		}
		now = mig_now_ms();
		if (now >= deadline)
			break;
		sleep_ms(deadline - now < LOCK_POLL_MS ? deadline - now : LOCK_POLL_MS);
	}
	describe_holder(&holder, d->conn);
	if (timeout_ms % 1000 == 0)
		rc = mig_error_set(MIG_ELOCKED, "another mig is migrating '%s': the advisory lock is %s; "
		    "waited %d s", db->display, holder.ptr, timeout_ms / 1000);
	else
		rc = mig_error_set(MIG_ELOCKED, "another mig is migrating '%s': the advisory lock is %s; "
		    "waited %.1f s", db->display, holder.ptr, timeout_ms / 1000.0);
	mig_buf_release(&holder);
	return rc;
}

/*
 * In an aborted transaction the unlock query fails and the lock stays until the session ends;
 * unlock has no way to report, and close() ends the session.
 */
static void
pg_unlock(struct mig_db *db)
{
	struct pg_drv *d = db->drv;
	char key[32];
	const char *params[1] = { key };
	PGresult *r;

	if (d == NULL || !d->locked)
		return;
	snprintf(key, sizeof(key), "%lld", (long long)MIG_PG_LOCK_KEY);
	r = PQexecParams(d->conn, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1, NULL, params,
	    NULL, NULL, 0);
	/* Still held when that failed: a later lock() stays a no-op, and close() releases it. */
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		d->locked = false;
	PQclear(r);
}
