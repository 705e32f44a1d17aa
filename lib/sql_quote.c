/*
 * sql_quote.c — the one place where identifiers and string literals become SQL text.
 *
 * Identifiers are always double-quoted, on every dialect, so that reserved words, mixed case, spaces
 * and unicode in user-chosen names can never change the meaning of a statement; a name is rendered
 * exactly as given (PostgreSQL will not fold a quoted name to lower case). String literals use the
 * standard '' form; on PostgreSQL a literal that contains a backslash is written as E'' with the
 * backslash doubled, which reads the same whether or not standard_conforming_strings is on.
 */
#include <string.h>

#include "sql.h"

void
mig_sql_ident(struct mig_buf *b, enum mig_dialect d, const char *name)
{
	const char *p, *q;

	(void)d; /* both dialects quote identifiers with "" and double inner quotes */
	mig_buf_putc(b, '"');
	for (p = name; (q = strchr(p, '"')) != NULL; p = q + 1) {
		mig_buf_put(b, p, (size_t)(q - p) + 1);
		mig_buf_putc(b, '"');
	}
	mig_buf_puts(b, p);
	mig_buf_putc(b, '"');
}

void
mig_sql_qualified(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *name)
{
	if (schema != NULL && schema[0] != '\0') {
		mig_sql_ident(b, d, schema);
		mig_buf_putc(b, '.');
	}
	mig_sql_ident(b, d, name);
}

void
mig_sql_literal(struct mig_buf *b, enum mig_dialect d, const char *s)
{
	bool escape;
	const char *p;

	if (s == NULL) {
		mig_buf_puts(b, "NULL");
		return;
	}
	/*
	 * With standard_conforming_strings off (a legacy setting) a backslash in '' escapes the next
	 * character; E'' with doubled backslashes means the same text under either setting.
	 */
	escape = d == MIG_POSTGRES && strchr(s, '\\') != NULL;
	if (escape)
		mig_buf_putc(b, 'E');
	mig_buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'' || (escape && *p == '\\'))
			mig_buf_putc(b, *p);
		mig_buf_putc(b, *p);
	}
	mig_buf_putc(b, '\'');
}
