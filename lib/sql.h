/*
 * sql.h — rendering SQL text per dialect. Every identifier that reaches SQL goes through
 * mig_sql_ident(); every string literal through mig_sql_literal(). The version- and history-table
 * statements are rendered here too, so `--sql` prints exactly what a live run executes.
 */
#ifndef MIG_SQL_H
#define MIG_SQL_H

#include "cfg.h"
#include "db.h"
#include "rev.h"
#include "util.h"

/* Appends name as a quoted identifier ("name", inner quotes doubled), on every dialect. */
void mig_sql_ident(struct mig_buf *b, enum mig_dialect d, const char *name);
/* Appends schema.name, or just name when schema is NULL or empty. */
void mig_sql_qualified(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *name);
/* Appends s as a string literal ('it''s'); NULL renders as NULL. PostgreSQL uses E'' only when needed. */
void mig_sql_literal(struct mig_buf *b, enum mig_dialect d, const char *s);

/* CREATE TABLE IF NOT EXISTS for the version table and its history table, each statement ending ";\n". */
void mig_sql_version_create(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table);

/*
 * The statements that record one step in the version table (UPDATE when one head replaces one,
 * else DELETE / INSERT) and in the history table (INSERT the row on upgrade, DELETE it on
 * downgrade). row describes the applied revision for an upgrade step (ignored for a downgrade).
 */
void mig_sql_version_step(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_step *step, const struct mig_applied *row);

/* Statements that make the version table hold exactly heads (for `stamp`): DELETE all, INSERT each. */
void mig_sql_version_set(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const char *const *heads, size_t nheads);
/* History-table statements for stamp: insert one row / delete one revision's row. */
void mig_sql_history_insert(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const struct mig_applied *row);
void mig_sql_history_delete(struct mig_buf *b, enum mig_dialect d, const char *schema, const char *table,
    const char *id);

/* PostgreSQL: `SET search_path TO "schema", public;` for a project whose mig.yaml names a schema. */
void mig_sql_search_path(struct mig_buf *b, const char *schema);

#endif
