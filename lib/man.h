/*
 * man.h — the YAML model manifest (models.yaml): loading it into the schema model, writing a
 * schema model back as a manifest, and the portable column types it uses.
 *
 * The format is documented in docs/manifest.md. The loader expands every shorthand (column
 * `primary_key:`, `unique:`, `index:`, `references:`, `check:`) into the canonical table-level
 * lists of schema.h, so the differ and the renderers never see a shorthand. Portable types are
 * stored in struct mig_column.type in their canonical lowercase spelling ("string(64)",
 * "enum(genderenum)", "text[]"); any other type is a database type, stored exactly as written,
 * which mig_type_render() passes through unchanged.
 *
 * Ownership: a loaded schema belongs to the caller (mig_schema_free()); the loader borrows the
 * configuration only while it runs.
 */
#ifndef MIG_MAN_H
#define MIG_MAN_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "schema.h"
#include "util.h"

/* A manifest larger than this is refused (MIG_EPARSE), as is nesting deeper than MIG_MANIFEST_MAX_DEPTH. */
#define MIG_MANIFEST_MAX_SIZE (16u * 1024 * 1024)
#define MIG_MANIFEST_MAX_DEPTH 32
/* PostgreSQL truncates longer identifiers silently, so the loader refuses them on every dialect. */
#define MIG_NAME_MAX 63

/* The naming conventions used when cfg is NULL or leaves one unset (the same as cfg.h's defaults). */
#define MIG_NAMING_IX "ix_%(table)s_%(columns)s"
#define MIG_NAMING_UQ "uq_%(table)s_%(columns)s"
#define MIG_NAMING_FK "fk_%(table)s_%(columns)s_%(referred_table)s"
#define MIG_NAMING_CK "ck_%(table)s_%(name)s"
#define MIG_NAMING_PK "pk_%(table)s"

/*
 * Loads the manifest at path. cfg supplies the naming conventions; NULL means the defaults.
 * A missing file is MIG_ENOTFOUND; anything wrong with the content is MIG_EPARSE with the message
 * "path:line:column: what" (1-based). On error *out is NULL and nothing is leaked.
 */
int mig_manifest_load(struct mig_schema **out, const char *path, const struct mig_config *cfg);
/* The same from memory (text need not be NUL-terminated); path is only used in messages. */
int mig_manifest_load_buf(struct mig_schema **out, const char *text, size_t len, const char *path,
    const struct mig_config *cfg);

/*
 * Appends s as a manifest that mig_manifest_load_buf() reads back into the same model (names,
 * types, keys, indexes, constraints, defaults, comments, renamed_from; not the catalog-only
 * struct mig_table.sql and struct mig_extra, nor the manifest line numbers). Everything is
 * written in the explicit table-level form, so the result does not depend on naming conventions.
 * Returns 0, or MIG_EUSAGE when the model cannot be expressed (a missing name or type, text
 * that is not UTF-8); out is then left as it was.
 */
int mig_manifest_write(struct mig_buf *out, const struct mig_schema *s);

/*
 * Appends the name a naming convention gives: %(table)s, %(columns)s (the columns joined with
 * '_'), %(column)s (the first column), %(referred_table)s and %(name)s are replaced; any other
 * text, including an unknown placeholder, is copied as is. referred_table and name may be NULL.
 */
void mig_naming_apply(struct mig_buf *out, const char *pattern, const char *table,
    const char *const *columns, size_t ncolumns, const char *referred_table, const char *name);

/* ---- portable types (man_types.c) ---- */

enum mig_type_kind {
	MIG_TYPE_SQL,         /* not portable: a database type, passed through unchanged */
	MIG_TYPE_INTEGER,
	MIG_TYPE_BIGINT,
	MIG_TYPE_SMALLINT,
	MIG_TYPE_STRING,
	MIG_TYPE_TEXT,
	MIG_TYPE_BOOLEAN,
	MIG_TYPE_FLOAT,
	MIG_TYPE_DOUBLE,
	MIG_TYPE_NUMERIC,
	MIG_TYPE_DATE,
	MIG_TYPE_DATETIME,
	MIG_TYPE_TIMESTAMPTZ,
	MIG_TYPE_TIME,
	MIG_TYPE_JSON,
	MIG_TYPE_UUID,
	MIG_TYPE_BYTES,
	MIG_TYPE_ENUM,
};

struct mig_type {
	enum mig_type_kind kind;
	bool array;             /* T[] */
	int length;             /* string(n); -1 when none */
	int precision, scale;   /* numeric(p) / numeric(p,s); -1 when none */
	char enum_name[MIG_NAME_MAX + 1]; /* enum(NAME) */
};

/*
 * Parses a type as written in a manifest's `type:`. Portable names are matched without regard to
 * case or blanks ("String( 64 )"); then out->kind is portable and canon (when not NULL) receives
 * the canonical spelling ("string(64)"). A type that is not portable passes through (kind
 * MIG_TYPE_SQL, canon = text unchanged) only when its first word has no lowercase letter
 * ("VARCHAR(10) COLLATE NOCASE", "JSONB"), so that a misspelt portable name ("integr") is caught:
 * that is MIG_EPARSE "unknown type 'integr' (did you mean 'integer'?)", without a location.
 */
int mig_type_parse(struct mig_type *out, struct mig_buf *canon, const char *text);

/*
 * True when type (as stored in a model) is a portable type in canonical spelling. Everything else
 * (catalog spellings, sql_type: values) is a database type.
 */
bool mig_type_is_portable(const char *type);

/*
 * Appends the SQL type for a column type on dialect d: a portable type is mapped (see the table in
 * docs/manifest.md), a database type is appended unchanged. s supplies enum declarations: an enum
 * on SQLite becomes VARCHAR(longest label), on PostgreSQL the quoted (schema-qualified) type name.
 * Returns 0, or MIG_ENOTFOUND when an enum is not declared in s (s may be NULL when no enum is used).
 */
int mig_type_render(struct mig_buf *out, enum mig_dialect d, const char *portable,
    const struct mig_schema *s);

/*
 * SQLite has no enum type: appends the CHECK expression that stands in for one,
 * "column" IN ('A', 'B'), and returns 1; returns 0 having appended nothing when the column needs
 * no such check (any other type, an array, or PostgreSQL); MIG_ENOTFOUND for an undeclared enum.
 */
int mig_type_render_check(struct mig_buf *out, enum mig_dialect d, const char *column,
    const char *type, const struct mig_schema *s);

/*
 * The portable spelling of a type as a catalog prints it ("VARCHAR(64)" on SQLite,
 * "character varying(64)" or "timestamp with time zone" on PostgreSQL), appended to out; returns
 * false (appending nothing) when the catalog type has no portable equivalent. A PostgreSQL type
 * named like an enum declared in s (may be NULL) becomes enum(NAME). Meant for `mig inspect`.
 */
bool mig_type_from_sql(struct mig_buf *out, enum mig_dialect d, const char *sqltype,
    const struct mig_schema *s);

/*
 * Rewrites in place every column type of s that a catalog of dialect d printed and that has a
 * portable equivalent rendering back to the same type (on SQLite the very same spelling, since
 * SQLite keeps declared types as written; on PostgreSQL any spelling, since its catalog
 * normalises them). For `mig inspect`, so that its manifest reads like a hand-written one.
 * Returns the number of columns changed.
 */
size_t mig_schema_portable_types(struct mig_schema *s, enum mig_dialect d);

#endif
