/*
 * cfg.h — the project configuration (migrations/mig.yaml) and database URLs.
 *
 * The configuration is read once per command by cmd/ and then only borrowed. URLs are parsed into
 * a dialect and what the driver needs; `display` is the only form ever printed (password masked).
 */
#ifndef MIG_CFG_H
#define MIG_CFG_H

#include <stdbool.h>

enum mig_dialect {
	MIG_SQLITE,
	MIG_POSTGRES,
};

struct mig_config {
	char *dir;            /* the migrations directory as given */
	char *path;           /* dir/mig.yaml */
	char *url;            /* `url:`; NULL when absent */
	char *manifest;       /* `manifest:` resolved against the directory's parent; default <parent>/models.yaml */
	char *version_table;  /* `version_table:`; default "mig_version" */
	char *schema;         /* `schema:` (PostgreSQL target schema); NULL: the connection's search_path */
	bool transaction_per_revision; /* `transaction_per_revision:`; default false */
	int lock_timeout_ms;  /* `lock_timeout:` in seconds in the file; default 60 s */
	/* `naming:` conventions for generated constraint names; %(table)s / %(columns)s / %(column)s. */
	char *naming_ix;      /* default "ix_%(table)s_%(columns)s" */
	char *naming_uq;      /* default "uq_%(table)s_%(columns)s" */
	char *naming_fk;      /* default "fk_%(table)s_%(columns)s_%(referred_table)s" */
	char *naming_ck;      /* default "ck_%(table)s_%(name)s" */
	char *naming_pk;      /* default "pk_%(table)s" */
};

/*
 * Reads DIR/mig.yaml. A missing directory is MIG_ENOTFOUND ("migrations directory 'x' not found
 * (run 'mig init')"); a missing mig.yaml in an existing directory gives the defaults. Unknown keys,
 * wrong value types and YAML syntax errors are MIG_EPARSE naming "path:line:column".
 */
int mig_config_load(struct mig_config **out, const char *dir);
/* The defaults, for a directory without mig.yaml. */
struct mig_config *mig_config_default(const char *dir);
void mig_config_free(struct mig_config *c);

struct mig_url {
	enum mig_dialect dialect;
	char *path;       /* SQLite: file path ("app.db", "/abs/app.db") or ":memory:" */
	char *conninfo;   /* PostgreSQL: the URL exactly as given, for libpq */
	char *display;    /* printable: any password replaced by "***" */
};

/*
 * sqlite:///relative.db, sqlite:////absolute.db, sqlite:// (memory), postgresql:// and postgres://.
 * Anything else is MIG_EPARSE, with the URL redacted in the message.
 */
int mig_url_parse(struct mig_url **out, const char *s);
void mig_url_free(struct mig_url *u);
/* A copy of s with the password of a URL (user:PASS@) or conninfo (password=PASS) masked. */
char *mig_url_redact(const char *s);

#endif
