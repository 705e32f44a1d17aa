/*
 * cfg_url.c — database URLs: which dialect, what the driver needs, and a printable form.
 *
 * SQLite URLs follow SQLAlchemy: three slashes then a path relative to the working directory, four
 * slashes for an absolute path, nothing (or :memory:) for an in-memory database; query parameters
 * are accepted and ignored. PostgreSQL URLs are handed to libpq untouched, so everything libpq
 * understands (host=/path sockets, sslmode, service, PG* variables) keeps working.
 *
 * Passwords must never reach a message or a log line, so every printable form goes through
 * mig_url_redact(), which errs on the side of masking too much rather than too little.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "util.h"

static bool has_scheme(const char *s, const char *scheme);
static bool is_url(const char *s);
static int sqlite_path(char **out, const char *rest, const char *url);
static void redact_userinfo(struct mig_buf *b, const char *s);
static void redact_params(struct mig_buf *b, const char *s, bool url);

static bool
has_scheme(const char *s, const char *scheme)
{
	return strncasecmp(s, scheme, strlen(scheme)) == 0;
}

/* scheme "://" with an RFC 3986 scheme name; anything else is taken as a libpq conninfo string. */
static bool
is_url(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0;
}

/* rest is what follows "sqlite://". */
static int
sqlite_path(char **out, const char *rest, const char *url)
{
	size_t n;

	if (rest[0] == '\0') {
		*out = mig_xstrdup(":memory:");
		return 0;
	}
	if (rest[0] != '/') {
		char *shown = mig_url_redact(url);
		int rc = mig_error_set(MIG_EPARSE, "unsupported database URL '%s' (a SQLite URL has no "
		    "host: use sqlite:///relative.db or sqlite:////absolute.db)", shown);

		free(shown);
		return rc;
	}
	rest++;
	n = strcspn(rest, "?");
	if (n == 0 || (n == 8 && memcmp(rest, ":memory:", 8) == 0))
		*out = mig_xstrdup(":memory:");
	else
		*out = mig_xstrndup(rest, n);
	return 0;
}

int
mig_url_parse(struct mig_url **out, const char *s)
{
	struct mig_url *u;
	char *shown;
	int rc;

	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return mig_error_set(MIG_EUSAGE, "no database URL (use --url, DATABASE_URL or 'url:' in mig.yaml)");
	u = mig_xcalloc(1, sizeof(*u));
	if (has_scheme(s, "sqlite://")) {
		u->dialect = MIG_SQLITE;
		if ((rc = sqlite_path(&u->path, s + strlen("sqlite://"), s)) != 0) {
			mig_url_free(u);
			return rc;
		}
	} else if (has_scheme(s, "postgresql://") || has_scheme(s, "postgres://")) {
		u->dialect = MIG_POSTGRES;
		u->conninfo = mig_xstrdup(s);
	} else {
		shown = mig_url_redact(s);
		rc = mig_error_set(MIG_EPARSE, "unsupported database URL '%s' (expected sqlite:/// or postgresql://)",
		    shown);
		free(shown);
		mig_url_free(u);
		return rc;
	}
	u->display = mig_url_redact(s);
	*out = u;
	return 0;
}

void
mig_url_free(struct mig_url *u)
{
	if (u == NULL)
		return;
	free(u->path);
	free(u->conninfo);
	free(u->display);
	free(u);
}

/*
 * scheme://user:PASSWORD@host/... : the password runs from the first ':' of the userinfo to its
 * last '@'. A password with a raw '/', '?' or '@' in it is not valid URL syntax but people write
 * it anyway, so the userinfo is taken to end at the last '@' before the query, or failing that at
 * the last '@' anywhere: a host or path wrongly masked is harmless, a password shown is not.
 */
static void
redact_userinfo(struct mig_buf *b, const char *s)
{
	const char *auth = strstr(s, "://") + 3;
	const char *query = auth + strcspn(auth, "?#");
	const char *at = NULL, *colon, *p;

	for (p = auth; p < query; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		at = strrchr(auth, '@');
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon == NULL) {
		mig_buf_puts(b, s);
		return;
	}
	mig_buf_put(b, s, (size_t)(colon + 1 - s));
	mig_buf_puts(b, "***");
	mig_buf_puts(b, at);
}

/*
 * Masks the value of every password parameter: `password=x&...` in a URL's query, and libpq's
 * `password = 'x y'` / `password=x` in a key=value conninfo string.
 */
static void
redact_params(struct mig_buf *b, const char *s, bool url)
{
	static const char key[] = "password";
	const char *p = s, *v;

	while (*p) {
		bool at_start = p == s || (url ? (p[-1] == '?' || p[-1] == '&' || p[-1] == ';') :
		    isspace((unsigned char)p[-1]));

		if (!at_start || strncasecmp(p, key, sizeof(key) - 1) != 0) {
			mig_buf_putc(b, *p++);
			continue;
		}
		v = p + sizeof(key) - 1;
		while (!url && (*v == ' ' || *v == '\t'))
			v++;
		if (*v != '=') {
			mig_buf_putc(b, *p++);
			continue;
		}
		v++;
		while (!url && (*v == ' ' || *v == '\t'))
			v++;
		mig_buf_put(b, p, (size_t)(v - p));
		mig_buf_puts(b, "***");
		if (url) {
			v += strcspn(v, "&#");
		} else if (*v == '\'') {
			/* A quoted conninfo value: backslash escapes the next character. */
			for (v++; *v && *v != '\''; v++)
				if (*v == '\\' && v[1])
					v++;
			if (*v == '\'')
				v++;
		} else {
			while (*v && !isspace((unsigned char)*v))
				v++;
		}
		p = v;
	}
}

char *
mig_url_redact(const char *s)
{
	struct mig_buf users = MIG_BUF_INIT, out = MIG_BUF_INIT;
	bool url;

	if (s == NULL)
		return mig_xstrdup("");
	url = is_url(s);
	if (url) {
		redact_userinfo(&users, s);
		redact_params(&out, users.ptr, true);
	} else {
		redact_params(&out, s, false);
	}
	mig_buf_release(&users);
	return mig_buf_detach(&out);
}
