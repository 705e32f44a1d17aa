/*
 * fuzz_url.c — libFuzzer target for database URL parsing and password redaction (lib/cfg_url.c).
 *
 * URLs come from the command line, DATABASE_URL and mig.yaml, and their redacted form is the only
 * one ever printed, so besides surviving any bytes the redactor must really hide the password.
 * An input whose first byte is 1 to 4 selects a check: the rest of the input is put, as a password,
 * into a URL or a libpq conninfo string of a known shape (one per mode), and the target checks
 * that the redacted text is exactly that shape with "***" in the password's place: a password
 * shown, even in part, aborts. Bytes the shape cannot hold unescaped (an '@' in URL userinfo, a
 * blank in an unquoted conninfo value) are dropped, since a password cannot contain them there.
 * Any other input is parsed and redacted as it is, so plain URLs work as seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, const char *want);
static void secret(struct mig_buf *b, const uint8_t *data, size_t size, const char *drop,
    bool escape);

/* Parses and redacts s; when want is not NULL, the redacted form must be exactly want. */
static void
check(const char *s, const char *want)
{
	struct mig_url *u = NULL;
	char *shown = mig_url_redact(s);

	if (want != NULL && strcmp(shown, want) != 0)
		abort();
	if (mig_url_parse(&u, s) == 0) {
		if (u->display == NULL || strcmp(u->display, shown) != 0)
			abort();
		if (u->dialect == MIG_SQLITE ? u->path == NULL : u->conninfo == NULL)
			abort();
		mig_url_free(u);
	}
	mig_error_clear();
	free(shown);
}

/* Appends the input bytes less NUL and those in drop; escape backslash-escapes ' and \. */
static void
secret(struct mig_buf *b, const uint8_t *data, size_t size, const char *drop, bool escape)
{
	size_t i;

	for (i = 0; i < size; i++) {
		char c = (char)data[i];

		if (c == '\0' || strchr(drop, c) != NULL)
			continue;
		if (escape && (c == '\'' || c == '\\'))
			mig_buf_putc(b, '\\');
		mig_buf_putc(b, c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_buf s = MIG_BUF_INIT;
	const char *want = NULL;
	unsigned mode;

	mode = size > 0 && data[0] >= 1 && data[0] <= 4 ? data[0] : 0;
	if (mode != 0) {
		data++;
		size--;
	}
	switch (mode) {
	case 0:
		mig_buf_put(&s, (const char *)data, size);
		break;
	case 1:
		mig_buf_puts(&s, "postgresql://app:");
		secret(&s, data, size, "@?#", false);
		mig_buf_puts(&s, "@db.example.com:5432/app?sslmode=require");
		want = "postgresql://app:***@db.example.com:5432/app?sslmode=require";
		break;
	case 2:
		/* An empty value would make libpq take the next key=value as the password. */
		mig_buf_puts(&s, "host=db user=app password=");
		secret(&s, data, size, " \t\n\v\f\r'", false);
		if (s.len == strlen("host=db user=app password="))
			mig_buf_putc(&s, 'x');
		mig_buf_puts(&s, " dbname=app");
		want = "host=db user=app password=*** dbname=app";
		break;
	case 3:
		mig_buf_puts(&s, "host=db password = '");
		secret(&s, data, size, "", true);
		mig_buf_puts(&s, "' dbname=app");
		want = "host=db password = *** dbname=app";
		break;
	case 4:
		mig_buf_puts(&s, "postgres://app@db/app?sslmode=require&password=");
		secret(&s, data, size, "&#", false);
		mig_buf_puts(&s, "&application_name=mig");
		want = "postgres://app@db/app?sslmode=require&password=***&application_name=mig";
		break;
	}
	check(s.ptr, want);
	mig_buf_release(&s);
	return 0;
}
