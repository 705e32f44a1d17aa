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

/* The placeholders, each with its length: the loader renders a name for every shorthand. */
enum { PH_TABLE, PH_COLUMNS, PH_COLUMN, PH_REFERRED, PH_NAME };
static const struct {
	const char *text;
	size_t len;
} placeholders[] = {
	[PH_TABLE] = { "%(table)s", 9 },
	[PH_COLUMNS] = { "%(columns)s", 11 },
	[PH_COLUMN] = { "%(column)s", 10 },
	[PH_REFERRED] = { "%(referred_table)s", 18 },
	[PH_NAME] = { "%(name)s", 8 },
};

void
mig_naming_apply(struct mig_buf *out, const char *pattern, const char *table,
    const char *const *columns, size_t ncolumns, const char *referred_table, const char *name)
{
	const char *p = pattern, *q;
	size_t i, k;

	while ((q = strchr(p, '%')) != NULL) {
		mig_buf_put(out, p, (size_t)(q - p));
		for (k = 0; k < sizeof(placeholders) / sizeof(placeholders[0]); k++)
			if (strncmp(q, placeholders[k].text, placeholders[k].len) == 0)
				break;
		switch (k) {
		case PH_TABLE:
			mig_buf_puts(out, table);
			break;
		case PH_COLUMNS:
			for (i = 0; i < ncolumns; i++) {
				if (i)
					mig_buf_putc(out, '_');
				mig_buf_puts(out, columns[i]);
			}
			break;
		case PH_COLUMN:
			if (ncolumns > 0)
				mig_buf_puts(out, columns[0]);
			break;
		case PH_REFERRED:
			if (referred_table != NULL)
				mig_buf_puts(out, referred_table);
			break;
		case PH_NAME:
			if (name != NULL)
				mig_buf_puts(out, name);
			break;
		default:
			/* Not a placeholder we know: keep the text, so the name shows what was written. */
			mig_buf_putc(out, '%');
			p = q + 1;
			continue;
		}
		p = q + placeholders[k].len;
	}
	mig_buf_puts(out, p);
}
