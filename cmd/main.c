/*
 * main.c — the command table, global options, argument parsing, the setup each command declares
 * it needs, and the one place where libmig's error codes become messages and exit statuses.
 *
 * Adding a command: write cmd/NAME.c exporting `const struct mig_cmd cmd_NAME` and add one line to
 * mig_commands[] below.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "sql.h"

/* In the order `mig help` lists them: the daily loop first. */
const struct mig_cmd *const mig_commands[] = {
	&cmd_init,
	&cmd_revision,
	&cmd_migrate,
	&cmd_upgrade,
	&cmd_downgrade,
	&cmd_history,
	&cmd_current,
	&cmd_heads,
	&cmd_branches,
	&cmd_show,
	&cmd_stamp,
	&cmd_merge,
	&cmd_check,
	&cmd_inspect,
	&cmd_help,
	NULL,
};

/* Accepted before or after the command. */
static const struct mig_opt global_opts[] = {
	{ 'd', "directory", true, "migrations directory (default 'migrations'; env MIG_DIR)" },
	{ 'u', "url", true, "database URL (else env DATABASE_URL, else url: in mig.yaml)" },
	{ 'q', "quiet", false, "print only errors and requested data" },
	{ 'v', "verbose", false, "more detail (timings, full revision info)" },
	{ OPT_NO_COLOR, "no-color", false, "never colour the output" },
	{ 'h', "help", false, "show help" },
	{ 'V', "version", false, "print mig's version" },
	{ 0, NULL, false, NULL },
};

/*
 * The program's only mutable globals: whether stderr gets colour (set once per run), and the
 * signal state of a running migration (the database to interrupt, the signal that came).
 */
static bool use_color;
static struct mig_db *volatile sig_db;
static volatile sig_atomic_t sig_caught;

static const struct mig_cmd *find_command(const char *name);
static const struct mig_opt *find_opt(const struct mig_opt *table, int code, const char *long_name,
    size_t long_len);
static int parse_args(struct mig_ctx *ctx, const struct mig_cmd **cmd, int argc, char **argv,
    bool *help, bool *version);
static int run_cmd(const struct mig_cmd *cmd, struct mig_ctx *ctx);
static void print_usage(FILE *f, const struct mig_cmd *cmd);

void
mig_err(const char *fmt, ...)
{
	va_list ap;

	fputs(use_color ? "mig: \033[1;31merror:\033[0m " : "mig: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
mig_warn(struct mig_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	fputs(use_color ? "mig: \033[1;33mwarning:\033[0m " : "mig: warning: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

void
mig_info(struct mig_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

int
mig_exit_for(int rc)
{
	switch (rc) {
	case MIG_OK:
		return MIG_EXIT_OK;
	case MIG_ENOTFOUND:
	case MIG_EAMBIGUOUS:
	case MIG_EEXISTS:
	case MIG_EPARSE:
	case MIG_EUSAGE:
	case MIG_ECHANGED:
		return MIG_EXIT_USAGE;
	default:
		return MIG_EXIT_FAIL;
	}
}

int
mig_fail(int rc)
{
	mig_err("%s", mig_error_msg());
	return mig_exit_for(rc);
}

int
mig_usage_error(const struct mig_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mig_err("%s", msg);
	if (cmd)
		fprintf(stderr, "usage: mig %s %s\n", cmd->name, cmd->usage);
	return MIG_EXIT_USAGE;
}

const char *
mig_args_get(const struct mig_args *a, int code)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (a->opts[i].code == code)
			return a->opts[i].value;
	return NULL;
}

bool
mig_args_has(const struct mig_args *a, int code)
{
	size_t i;

	for (i = 0; i < a->nopts; i++)
		if (a->opts[i].code == code)
			return true;
	return false;
}

static const struct mig_cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; mig_commands[i]; i++)
		if (strcmp(mig_commands[i]->name, name) == 0)
			return mig_commands[i];
	return NULL;
}

static const struct mig_opt *
find_opt(const struct mig_opt *table, int code, const char *long_name, size_t long_len)
{
	for (; table && table->code; table++) {
		if (long_name) {
			if (table->long_name && strlen(table->long_name) == long_len &&
			    strncmp(table->long_name, long_name, long_len) == 0)
				return table;
		} else if (table->code == code && code < 256) {
			return table;
		}
	}
	return NULL;
}

/* A negative number ("-1", "-3") is a relative revision, not an option. */
static bool
is_relative_rev(const char *s)
{
	int n;

	return s[0] == '-' && mig_parse_uint(s + 1, &n);
}

static void
record(struct mig_ctx *ctx, const struct mig_opt *o, const char *value)
{
	struct mig_args *a = &ctx->args;
	size_t i;

	switch (o->code) {
	case 'd': ctx->dir = value; return;
	case 'u': ctx->url_arg = value; return;
	case 'q': ctx->quiet = true; return;
	case 'v': ctx->verbose++; return;
	case OPT_NO_COLOR: ctx->color = false; return;
	}
	for (i = 0; i < a->nopts; i++)
		if (a->opts[i].code == o->code)
			break;
	if (i == a->nopts) {
		if (a->nopts == MIG_MAX_OPTS)
			return;
		a->nopts++;
	}
	a->opts[i].code = o->code;
	a->opts[i].value = value;
	a->opts[i].count++;
}

/*
 * Our own small parser rather than getopt_long: options may come before or after the command, and
 * "-1" must stay a positional revision for `downgrade -1`, which getopt would take for an option.
 */
static int
parse_args(struct mig_ctx *ctx, const struct mig_cmd **cmd, int argc, char **argv, bool *help,
    bool *version)
{
	const struct mig_opt *cmdopts = NULL;
	int i;
	bool only_pos = false;

	ctx->args.pos = mig_xcalloc((size_t)argc + 1, sizeof(char *));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		const struct mig_opt *o = NULL;

		if (only_pos || arg[0] != '-' || arg[1] == '\0' || is_relative_rev(arg)) {
			if (*cmd == NULL) {
				*cmd = find_command(arg);
				if (*cmd == NULL)
					return mig_usage_error(NULL, "unknown command '%s' (see 'mig help')", arg);
				cmdopts = (*cmd)->opts;
				continue;
			}
			ctx->args.pos[ctx->args.npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_opt(global_opts, 0, name, len);
			if (o == NULL)
				o = find_opt(cmdopts, 0, name, len);
			if (o == NULL)
				return mig_usage_error(*cmd, "unknown option '--%.*s'", (int)len, name);
			if (o->has_arg) {
				if (eq)
					value = eq + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return mig_usage_error(*cmd, "option '--%s' needs a value", o->long_name);
			} else if (eq) {
				return mig_usage_error(*cmd, "option '--%s' takes no value", o->long_name);
			}
			if (o->code == 'h')
				*help = true;
			else if (o->code == 'V')
				*version = true;
			else
				record(ctx, o, value);
			continue;
		}
		/* A cluster of short options: -qv, -mMESSAGE, -m MESSAGE. */
		for (const char *p = arg + 1; *p; p++) {
			o = find_opt(global_opts, (unsigned char)*p, NULL, 0);
			if (o == NULL)
				o = find_opt(cmdopts, (unsigned char)*p, NULL, 0);
			if (o == NULL)
				return mig_usage_error(*cmd, "unknown option '-%c'", *p);
			value = NULL;
			if (o->has_arg) {
				if (p[1])
					value = p + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return mig_usage_error(*cmd, "option '-%c' needs a value", *p);
			}
			if (o->code == 'h')
				*help = true;
			else if (o->code == 'V')
				*version = true;
			else
				record(ctx, o, value);
			if (value)
				break;
		}
	}
	return 0;
}

static void
print_opts(FILE *f, const struct mig_opt *o)
{
	for (; o && o->code; o++) {
		char left[64];

		if (o->code < 256 && o->long_name)
			snprintf(left, sizeof(left), "-%c, --%s%s", o->code, o->long_name, o->has_arg ? " ARG" : "");
		else if (o->code < 256)
			snprintf(left, sizeof(left), "-%c%s", o->code, o->has_arg ? " ARG" : "");
		else
			snprintf(left, sizeof(left), "    --%s%s", o->long_name, o->has_arg ? " ARG" : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

static void
print_usage(FILE *f, const struct mig_cmd *cmd)
{
	size_t i;

	if (cmd) {
		fprintf(f, "usage: mig %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
		if (cmd->opts && cmd->opts->code) {
			fputs("\noptions:\n", f);
			print_opts(f, cmd->opts);
		}
		fputs("\nglobal options:\n", f);
		print_opts(f, global_opts);
		return;
	}
	fputs("usage: mig [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
	    "mig moves a database along a graph of SQL revisions and writes new ones from a YAML\n"
	    "model manifest. Databases: sqlite:///path.db, postgresql://user@host/db\n\ncommands:\n", f);
	for (i = 0; mig_commands[i]; i++)
		fprintf(f, "  %-10s %s\n", mig_commands[i]->name, mig_commands[i]->summary);
	fputs("\nglobal options:\n", f);
	print_opts(f, global_opts);
	fputs("\n'mig help COMMAND' shows a command's options.\n", f);
}

static int
help_run(struct mig_ctx *ctx)
{
	const struct mig_cmd *cmd = NULL;

	if (ctx->args.npos > 0) {
		cmd = find_command(ctx->args.pos[0]);
		if (cmd == NULL)
			return mig_usage_error(NULL, "unknown command '%s'", ctx->args.pos[0]);
	}
	print_usage(ctx->out, cmd);
	return 0;
}

const struct mig_cmd cmd_help = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "show the commands, or one command's options",
	.run = help_run,
};

static void
on_signal(int sig)
{
	sig_caught = sig;
	if (sig_db)
		mig_db_interrupt(sig_db);
}

void
mig_signals_arm(struct mig_db *db)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait (lock polling, a query) should notice the signal. */
	sig_caught = 0;
	sig_db = db;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void
mig_signals_disarm(void)
{
	sig_db = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

int
mig_signal_caught(void)
{
	return sig_caught;
}

int
mig_ctx_need_url(struct mig_ctx *ctx)
{
	const char *url;

	if (ctx->url)
		return 0;
	url = ctx->url_arg ? ctx->url_arg : ctx->cfg->url;
	if (url == NULL || *url == '\0')
		return mig_error_set(MIG_EUSAGE, "no database URL: pass -u URL, set DATABASE_URL or put url: in %s",
		    ctx->cfg->path);
	return mig_url_parse(&ctx->url, url);
}

int
mig_ctx_open_db(struct mig_ctx *ctx, struct mig_db **out, bool create)
{
	int rc;

	*out = NULL;
	rc = mig_db_open(out, ctx->url, create);
	if (rc == MIG_ENOTFOUND && !create) {
		mig_error_clear();
		return 0;
	}
	if (rc == 0 && ctx->cfg && ctx->cfg->schema && mig_db_dialect(*out) == MIG_POSTGRES) {
		struct mig_buf sql = MIG_BUF_INIT;

		/* Scripts name the target schema's types and tables unqualified: make them resolve there. */
		mig_sql_search_path(&sql, ctx->cfg->schema);
		rc = mig_db_exec(*out, sql.ptr, NULL);
		mig_buf_release(&sql);
		if (rc) {
			mig_db_close(*out);
			*out = NULL;
		}
	}
	return rc;
}

int
mig_ctx_load_graph(struct mig_ctx *ctx, struct mig_db *db, bool with_down_sql, char ***heads,
    size_t *nheads, struct mig_applied **hist, size_t *nhist)
{
	struct mig_graph *g = NULL;
	char *versions = NULL;
	size_t i;
	int rc;

	*heads = NULL;
	*nheads = 0;
	*hist = NULL;
	*nhist = 0;
	if (db) {
		rc = mig_db_read_heads(db, ctx->cfg->schema, ctx->cfg->version_table, heads, nheads);
		if (rc == 0)
			rc = mig_db_read_history_ex(db, ctx->cfg->schema, ctx->cfg->version_table, with_down_sql,
			    hist, nhist);
		if (rc)
			return rc;
	}
	g = mig_graph_new();
	versions = mig_path_join(ctx->cfg->dir, "versions");
	rc = mig_graph_add_dir(g, versions);
	/* Applied revisions whose files are gone stay downgradable from what the database kept. */
	for (i = 0; rc == 0 && i < *nhist; i++) {
		const struct mig_applied *h = &(*hist)[i];

		rc = mig_graph_add_ghost(g, h->id, (const char *const *)h->down, h->ndown, h->message,
		    h->down_sql);
	}
	if (rc == 0)
		rc = mig_graph_finish(g);
	free(versions);
	if (rc) {
		mig_graph_free(g);
		return rc;
	}
	mig_graph_free(ctx->graph);
	ctx->graph = g;
	return 0;
}

static int
run_cmd(const struct mig_cmd *cmd, struct mig_ctx *ctx)
{
	int rc;

	if (cmd->needs & (MIG_NEED_DIR | MIG_NEED_GRAPH | MIG_NEED_URL)) {
		rc = mig_config_load(&ctx->cfg, ctx->dir);
		if (rc)
			return mig_fail(rc);
	}
	if (cmd->needs & MIG_NEED_URL) {
		rc = mig_ctx_need_url(ctx);
		if (rc)
			return mig_fail(rc);
	}
	if (cmd->needs & MIG_NEED_GRAPH) {
		char *versions = mig_path_join(ctx->cfg->dir, "versions");

		rc = mig_graph_load(&ctx->graph, versions);
		free(versions);
		if (rc)
			return mig_fail(rc);
	}
	return cmd->run(ctx);
}

int
mig_main(int argc, char **argv)
{
	struct mig_ctx ctx;
	const struct mig_cmd *cmd = NULL;
	bool help = false, version = false;
	const char *env;
	int status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = stdout;
	ctx.err = stderr;
	env = getenv("MIG_DIR");
	ctx.dir = env && *env ? env : "migrations";
	env = getenv("DATABASE_URL");
	ctx.url_arg = env && *env ? env : NULL;
	env = getenv("NO_COLOR");
	ctx.color = isatty(2) && (env == NULL || *env == '\0');
	use_color = false;
	mig_error_clear();

	status = parse_args(&ctx, &cmd, argc, argv, &help, &version);
	use_color = ctx.color;
	if (status != 0)
		goto done;
	if (version) {
		printf("mig %s\n", MIG_VERSION);
	} else if (help || cmd == NULL) {
		print_usage(cmd == NULL && !help ? stderr : stdout, cmd);
		status = cmd == NULL && !help ? MIG_EXIT_USAGE : 0;
	} else {
		status = run_cmd(cmd, &ctx);
	}
	/* git's rule: data written to a full disk or a closed pipe is a failure, not a success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (status == 0)
			mig_err("cannot write to standard output: %s", strerror(errno));
		status = status ? status : MIG_EXIT_FAIL;
	}
done:
	mig_graph_free(ctx.graph);
	mig_url_free(ctx.url);
	mig_config_free(ctx.cfg);
	free(ctx.args.pos);
	return status;
}
