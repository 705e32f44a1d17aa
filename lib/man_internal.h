/*
 * man_internal.h — helpers shared by the manifest's source files (man_*.c) and nobody else.
 */
#ifndef MIG_MAN_INTERNAL_H
#define MIG_MAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

/* Levenshtein distance ignoring case, for "did you mean" hints; 99 for words over 32 bytes. */
size_t mig_man_edit_distance(const char *a, size_t na, const char *b, size_t nb);

/*
 * Whether a column is autoincrement when the manifest does not say: SQLAlchemy's "auto", the
 * single integer column of a primary key. The writer omits `autoincrement:` when this agrees.
 */
bool mig_man_default_autoincrement(const struct mig_table *t, const struct mig_column *c);

#endif
