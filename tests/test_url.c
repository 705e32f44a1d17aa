/*
 * test_url.c — database URLs: every accepted form, the rejected ones, and redaction (a password
 * must never reach display or a message).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "cfg.h"
#include "util.h"

/*
 * Criterion runs each parameter in a fresh process, where pointers into the parent's memory mean
 * nothing: the cases hold their strings by value.
 */
struct url_case {
	char url[96];
	enum mig_dialect dialect;
	char path[32];          /* SQLite */
	char display[96];
};

ParameterizedTestParameters(url, parses)
{
	static struct url_case cases[] = {
		{ "sqlite:///app.db", MIG_SQLITE, "app.db", "sqlite:///app.db" },
		{ "sqlite:///data/app.db", MIG_SQLITE, "data/app.db", "sqlite:///data/app.db" },
		{ "sqlite:////abs/app.db", MIG_SQLITE, "/abs/app.db", "sqlite:////abs/app.db" },
		{ "sqlite://", MIG_SQLITE, ":memory:", "sqlite://" },
		{ "sqlite:///", MIG_SQLITE, ":memory:", "sqlite:///" },
		{ "sqlite:///:memory:", MIG_SQLITE, ":memory:", "sqlite:///:memory:" },
		{ "sqlite:///app.db?mode=ro&cache=shared", MIG_SQLITE, "app.db", "sqlite:///app.db?mode=ro&cache=shared" },
		{ "sqlite:///my app.db", MIG_SQLITE, "my app.db", "sqlite:///my app.db" },
		{ "SQLite:///app.db", MIG_SQLITE, "app.db", "SQLite:///app.db" },
		{ "postgresql://localhost/app", MIG_POSTGRES, "", "postgresql://localhost/app" },
		{ "postgres://u@h:5432/db", MIG_POSTGRES, "", "postgres://u@h:5432/db" },
		{ "postgresql://u:pw@h/db", MIG_POSTGRES, "", "postgresql://u:***@h/db" },
		{ "postgresql:///app?host=/tmp/sock", MIG_POSTGRES, "", "postgresql:///app?host=/tmp/sock" },
		{ "postgresql://u@h/db?sslmode=require&password=pw", MIG_POSTGRES, "",
		    "postgresql://u@h/db?sslmode=require&password=***" },
	};

	return cr_make_param_array(struct url_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct url_case *c, url, parses)
{
	struct mig_url *u = NULL;

	cr_assert(eq(int, mig_url_parse(&u, c->url), 0), "%s: %s", c->url, mig_error_msg());
	cr_assert(eq(int, u->dialect, c->dialect), "%s", c->url);
	if (c->dialect == MIG_SQLITE) {
		cr_assert(eq(str, u->path, (char *)c->path), "%s", c->url);
		cr_assert(eq(ptr, u->conninfo, NULL));
	} else {
		/* libpq gets the URL exactly as given, password included. */
		cr_assert(eq(str, u->conninfo, (char *)c->url));
		cr_assert(eq(ptr, u->path, NULL));
	}
	cr_assert(eq(str, u->display, (char *)c->display), "%s", c->url);
	mig_url_free(u);
}

struct bad_case {
	char url[64];
	char message[160];
};

ParameterizedTestParameters(url, rejects)
{
	static struct bad_case cases[] = {
		{ "mysql://u:pw@h/db", "unsupported database URL 'mysql://u:***@h/db' (expected sqlite:/// or postgresql://)" },
		{ "app.db", "unsupported database URL 'app.db' (expected sqlite:/// or postgresql://)" },
		{ "sqlite:app.db", "unsupported database URL 'sqlite:app.db' (expected sqlite:/// or postgresql://)" },
		{ "postgresql:/h/db", "unsupported database URL 'postgresql:/h/db' (expected sqlite:/// or postgresql://)" },
		{ "host=h password=pw", "unsupported database URL 'host=h password=***' (expected sqlite:/// or postgresql://)" },
		{ "sqlite://host/app.db", "unsupported database URL 'sqlite://host/app.db' (a SQLite URL has no host: "
		    "use sqlite:///relative.db or sqlite:////absolute.db)" },
	};

	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, url, rejects)
{
	struct mig_url *u = (void *)1;

	cr_assert(eq(int, mig_url_parse(&u, c->url), MIG_EPARSE), "%s", c->url);
	cr_assert(eq(ptr, u, NULL));
	cr_assert(eq(str, (char *)mig_error_msg(), (char *)c->message));
}

Test(url, empty_url_is_a_usage_error)
{
	struct mig_url *u = (void *)1;

	cr_assert(eq(int, mig_url_parse(&u, ""), MIG_EUSAGE));
	cr_assert(eq(ptr, u, NULL));
	cr_assert(eq(int, mig_url_parse(&u, NULL), MIG_EUSAGE));
}

struct redact_case {
	char in[96];
	char out[96];
};

ParameterizedTestParameters(url, redacts)
{
	static struct redact_case cases[] = {
		{ "postgresql://user:pass@host/db", "postgresql://user:***@host/db" },
		{ "postgresql://user@host/db", "postgresql://user@host/db" },
		{ "postgresql://host:5432/db", "postgresql://host:5432/db" },
		{ "postgresql://user:@host/db", "postgresql://user:***@host/db" },
		{ "postgresql://user:p@ss@host/db", "postgresql://user:***@host/db" },
		{ "postgresql://user:pa/ss@host/db", "postgresql://user:***@host/db" },
		{ "postgresql://user:pa?ss@host/db", "postgresql://user:***@host/db" },
		{ "postgresql://u:p@h/db?password=q&sslmode=require", "postgresql://u:***@h/db?password=***&sslmode=require" },
		{ "postgresql://h/db?sslmode=require&PASSWORD=q", "postgresql://h/db?sslmode=require&PASSWORD=***" },
		{ "postgresql://h/db?passwordfile=x", "postgresql://h/db?passwordfile=x" },
		{ "host=h user=u password=secret dbname=d", "host=h user=u password=*** dbname=d" },
		{ "host=h password = secret dbname=d", "host=h password = *** dbname=d" },
		{ "password='a b\\' c' host=h", "password=*** host=h" },
		{ "host=h passwordx=1", "host=h passwordx=1" },
		{ "sqlite:///app.db", "sqlite:///app.db" },
		{ "", "" },
	};

	return cr_make_param_array(struct redact_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct redact_case *c, url, redacts)
{
	char *r = mig_url_redact(c->in);

	cr_assert(eq(str, r, (char *)c->out), "%s", c->in);
	free(r);
}

/* Whatever shape the URL has, the password is in neither display nor any error message. */
Test(url, password_never_appears)
{
	static const char *const urls[] = {
		"postgresql://app:s3cr3t@db/app",
		"postgres://app:s3cr3t@db:5432/app?sslmode=require",
		"postgresql://db/app?password=s3cr3t",
		"mysql://app:s3cr3t@db/app",
		"mariadb://app:s3cr3t@db/app?password=s3cr3t",
		"sqlite://app:s3cr3t@host/app.db",
		"dbname=app password=s3cr3t",
		"dbname=app password='s3cr3t'",
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct mig_url *u = NULL;
		char *r = mig_url_redact(urls[i]);

		cr_assert(strstr(r, "s3cr3t") == NULL, "redact(%s) = %s", urls[i], r);
		free(r);
		mig_error_clear();
		if (mig_url_parse(&u, urls[i]) == 0) {
			cr_assert(strstr(u->display, "s3cr3t") == NULL, "%s", u->display);
			mig_url_free(u);
		} else {
			cr_assert(strstr(mig_error_msg(), "s3cr3t") == NULL, "%s", mig_error_msg());
		}
	}
}

Test(url, free_accepts_null)
{
	mig_url_free(NULL);
}
