/*
 * cmd.h — what every command file sees: the command entry (tmux's cmd_entry), the context that
 * cmd/main.c prepares according to the entry's needs (git's RUN_SETUP), parsed arguments, and the
 * output helpers. This is the only layer that prints and decides exit codes.
 */
#ifndef MIG_CMD_H
#define MIG_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "cfg.h"
#include "db.h"
#include "rev.h"
#include "util.h"

/* Exit statuses (INTERFACE.md). */
enum {
	MIG_EXIT_OK = 0,
	MIG_EXIT_FAIL = 1,
	MIG_EXIT_USAGE = 2,
};

/* What a command needs prepared before it runs. */
enum {
	MIG_NEED_DIR = 1,    /* the migrations directory and its mig.yaml (ctx->cfg) */
	MIG_NEED_GRAPH = 2,  /* the revision graph from versions/ (ctx->graph), finished */
	MIG_NEED_URL = 4,    /* a database URL (ctx->url) */
};

/* Long-only option codes; short options use their character. */
enum {
	OPT_SQL = 256,
	OPT_HEAD,
	OPT_BRANCH_LABEL,
	OPT_DEPENDS_ON,
	OPT_REV_ID,
	OPT_EMPTY,
	OPT_AUTOGENERATE,
	OPT_PER_REVISION,
	OPT_ONE_TRANSACTION,
	OPT_ALLOW_EDITED,
	OPT_NO_COLOR,
	OPT_PURGE,
};

#define MIG_MAX_OPTS 16

/* Parsed arguments of one command: the last value of each option and the positionals. */
struct mig_args {
	struct {
		int code;
		const char *value; /* NULL for flags */
		int count;
	} opts[MIG_MAX_OPTS];
	size_t nopts;
	const char **pos;
	size_t npos;
};
const char *mig_args_get(const struct mig_args *a, int code);
bool mig_args_has(const struct mig_args *a, int code);

struct mig_ctx {
	const char *dir;            /* migrations directory */
	const char *url_arg;        /* -u, else $DATABASE_URL; NULL when neither */
	int verbose;
	bool quiet;
	bool color;
	struct mig_config *cfg;     /* MIG_NEED_DIR */
	struct mig_url *url;        /* MIG_NEED_URL */
	struct mig_graph *graph;    /* MIG_NEED_GRAPH */
	struct mig_args args;
	FILE *out;                  /* stdout: data (history, --sql output) */
	FILE *err;                  /* stderr: progress, warnings, errors */
};

/* One option of a command (or a global one): a short letter and/or a long name. */
struct mig_opt {
	int code;                   /* the short letter, or an OPT_* code for long-only options */
	const char *long_name;      /* NULL for short-only */
	bool has_arg;
	const char *help;
};

struct mig_cmd {
	const char *name;
	const char *usage;          /* arguments after the name */
	const char *summary;        /* one line for `mig help` */
	const struct mig_opt *opts; /* terminated by an entry with code 0 */
	int needs;
	/* Returns an exit status; on a libmig error, returns mig_exit_for(rc) after mig_error_report(). */
	int (*run)(struct mig_ctx *ctx);
};

/* Messages: "mig: error: ..." / "mig: warning: ..." on stderr; info lines muted by -q. */
void mig_err(const char *fmt, ...) MIG_PRINTF(1, 2);
void mig_warn(struct mig_ctx *ctx, const char *fmt, ...) MIG_PRINTF(2, 3);
void mig_info(struct mig_ctx *ctx, const char *fmt, ...) MIG_PRINTF(2, 3);
/* Prints libmig's last error and maps the code to an exit status. */
int mig_fail(int rc);
int mig_exit_for(int rc);
/* Usage error for the running command (exit 2). */
int mig_usage_error(const struct mig_cmd *cmd, const char *fmt, ...) MIG_PRINTF(2, 3);

/*
 * Shared steps. mig_ctx_open_db opens the database (create: SQLite file created if missing); when
 * the file is missing and create is false, *out is NULL and 0 is returned (an empty database).
 * mig_ctx_load_graph reads the version table and history and adds ghosts (applied revisions whose
 * files are gone) to a graph that is then finished; the ghosts carry their stored down SQL only
 * with with_down_sql (a downgrade).
 */
int mig_ctx_open_db(struct mig_ctx *ctx, struct mig_db **out, bool create);
int mig_ctx_load_graph(struct mig_ctx *ctx, struct mig_db *db, bool with_down_sql, char ***heads,
    size_t *nheads, struct mig_applied **hist, size_t *nhist);

/*
 * Writes a new revision (revision, migrate, merge): prints "Generating PATH ... done" for each
 * file. up/down bodies may be NULL.
 */
int mig_ctx_write_revision(struct mig_ctx *ctx, const struct mig_rev_new *spec);

/*
 * Autogenerate (cmd/autogen.c): compares the manifest with the live database and renders the
 * difference. Prints one "Detected ..." line per change; *up / *down are NULL when nothing changed.
 */
int mig_autogenerate(struct mig_ctx *ctx, char **up, char **down);
/* The same comparison without rendering, for `check`: *changes operations were printed. */
int mig_autogen_check(struct mig_ctx *ctx, size_t *changes);

/* Splits a comma- or space-separated option value into the list (strings borrowed from a copy kept in *store). */
size_t mig_split_list(const char *value, char **store, const char ***items);

/* Resolves the database URL (-u, DATABASE_URL, mig.yaml) into ctx->url if not done yet. */
int mig_ctx_need_url(struct mig_ctx *ctx);

/* `revision` and its alias `migrate` share one implementation. */
int mig_revision_run(struct mig_ctx *ctx, const struct mig_cmd *cmd, bool autogenerate);

/*
 * Refuses (MIG_ECHANGED, naming the revision and file) when an applied revision's files no longer
 * hash to what the history table recorded, unless --allow-edited was given (then it warns).
 */
int mig_ctx_verify_checksums(struct mig_ctx *ctx, const struct mig_applied *hist, size_t nhist);

/* `upgrade` and `downgrade` share one implementation (cmd/runner.c). */
int mig_ctx_migrate(struct mig_ctx *ctx, const struct mig_cmd *cmd, enum mig_direction dir);

/* Revision display shared by history, heads, current, branches and show (cmd/revfmt.c). */
struct mig_revfmt {
	const bool *current;         /* indexed by rev->order: in the version table; NULL: unknown */
	const struct mig_applied *hist; /* history rows, for -v */
	size_t nhist;
	const struct mig_map *hist_by_id; /* id -> row of hist; NULL: search hist */
};
void mig_print_rev_line(FILE *f, const struct mig_graph *g, const struct mig_rev *r, const struct mig_revfmt *fmt);
void mig_print_rev_verbose(FILE *f, const struct mig_graph *g, const struct mig_rev *r, const struct mig_revfmt *fmt);

/*
 * The database's state for the read-only commands: the graph (with ghosts) in ctx->graph, the
 * version table and the history rows the command shows: ghosts' always, failed ones with need_db
 * (`current`), all of them with -v (reading 10,000 rows a command never prints would cost more
 * than loading the graph). With need_db false a missing URL or database is not an error (have_db
 * stays false and the graph holds the files only).
 */
struct mig_state {
	bool have_db;
	char **heads;
	size_t nheads;
	struct mig_applied *hist;     /* the rows shown (see above), not necessarily every row */
	size_t nhist;
	bool *current;               /* by rev->order: the revision is a row of the version table */
	struct mig_map hist_by_id;   /* id -> history row */
};
int mig_ctx_state(struct mig_ctx *ctx, bool need_db, struct mig_state *st);
void mig_state_release(struct mig_state *st);

/*
 * While a migration runs, SIGINT/SIGTERM/SIGHUP interrupt the running statement on db and make
 * mig_signal_caught() return the signal, so the run rolls back and exits with a clear message.
 */
void mig_signals_arm(struct mig_db *db);
void mig_signals_disarm(void);
int mig_signal_caught(void);

int mig_main(int argc, char **argv);

extern const struct mig_cmd cmd_branches, cmd_check, cmd_current, cmd_downgrade, cmd_heads,
    cmd_help, cmd_history, cmd_init, cmd_inspect, cmd_merge, cmd_migrate, cmd_revision, cmd_show,
    cmd_stamp, cmd_upgrade;

extern const struct mig_cmd *const mig_commands[];

#endif
