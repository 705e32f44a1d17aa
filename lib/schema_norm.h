/*
 * schema_norm.h — the comparison forms the differ uses for text a database may spell in several
 * ways: type names, default expressions, CHECK expressions and index predicates.
 *
 * Both sides of a diff come from the same catalog code, so these forms only need to absorb what
 * catalogs and hand-written DDL vary in: letter case of keywords and unquoted names, whitespace,
 * comments, quoting of plain names and redundant parentheses around the whole expression. They
 * never make different values equal: '0' and 0, 1 and 1.0, INT and INTEGER (not the same thing to
 * SQLite, which makes only INTEGER PRIMARY KEY the rowid) all stay distinct.
 */
#ifndef MIG_SCHEMA_NORM_H
#define MIG_SCHEMA_NORM_H

#include <stdbool.h>

#include "util.h"

/*
 * Appends the comparison form of an SQL expression: tokens separated by one space (none after
 * '(', before ')' or ',', around '.', between a name and its '(' or between operator characters,
 * so "f(a) <> 0" stays readable), comments dropped, words and plain quoted names in
 * upper case, string literals verbatim, outer parentheses that enclose the whole expression
 * removed. renames, when not NULL, maps a column's old name in upper case to its new name; every
 * name token found there is replaced, so that expressions survive a column rename unchanged.
 * expr NULL appends nothing.
 */
void mig_norm_expr(struct mig_buf *out, const char *expr, const struct mig_map *renames);

/* Appends a type name in upper case with whitespace collapsed and none around '(' ',' ')'. */
void mig_norm_type(struct mig_buf *out, const char *type);

/* Equality under the forms above; NULL equals only NULL. */
bool mig_norm_expr_eq(const char *a, const char *b);
bool mig_norm_type_eq(const char *a, const char *b);

/* Appends name in upper case (ASCII), the key form mig_norm_expr() expects in renames. */
void mig_norm_name(struct mig_buf *out, const char *name);

#endif
