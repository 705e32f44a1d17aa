/*
 * man_naming.c — naming conventions: the names the loader gives the indexes and constraints that
 * a column shorthand (`index:`, `unique:`, `references:`, `check:`) creates without a name.
 *
 * The placeholders are SQLAlchemy's in spirit (its MetaData(naming_convention=...)) but spelt the
 * way mig.yaml documents them, so a Flask project gets the names it already has in its database:
 * ix_user_email, uq_user_email, fk_post_user_id_user.
 */
#include <string.h>

#include "man.h"

void
mig_naming_apply(struct mig_buf *out, const char *pattern, const char *table,
    const char *const *columns, size_t ncolumns, const char *referred_table, const char *name)
{
	const char *p = pattern, *q;
	size_t i;

	while ((q = strstr(p, "%(")) != NULL) {
		mig_buf_put(out, p, (size_t)(q - p));
		p = q;
		if (mig_str_startswith(q, "%(table)s")) {
			mig_buf_puts(out, table);
			p += strlen("%(table)s");
		} else if (mig_str_startswith(q, "%(columns)s")) {
			for (i = 0; i < ncolumns; i++) {
				if (i)
					mig_buf_putc(out, '_');
				mig_buf_puts(out, columns[i]);
			}
			p += strlen("%(columns)s");
		} else if (mig_str_startswith(q, "%(column)s")) {
			if (ncolumns > 0)
				mig_buf_puts(out, columns[0]);
			p += strlen("%(column)s");
		} else if (mig_str_startswith(q, "%(referred_table)s")) {
			if (referred_table != NULL)
				mig_buf_puts(out, referred_table);
			p += strlen("%(referred_table)s");
		} else if (mig_str_startswith(q, "%(name)s")) {
			if (name != NULL)
				mig_buf_puts(out, name);
			p += strlen("%(name)s");
		} else {
			/* Not a placeholder we know: keep the text, so the name shows what was written. */
			mig_buf_put(out, "%(", 2);
			p += 2;
		}
	}
	mig_buf_puts(out, p);
}
