/*
 * init.c — `mig init [DIR]`: creates the migrations directory from the embedded templates, and a
 * starter models.yaml beside it when there is none.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "templates.h"

static const struct mig_template *
template_named(const char *name)
{
	const struct mig_template *t;

	for (t = mig_templates; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static bool
dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

static char *
absolute(const char *path)
{
	char buf[PATH_MAX];

	return realpath(path, buf) ? mig_xstrdup(buf) : mig_xstrdup(path);
}

static int
write_template(struct mig_ctx *ctx, const char *dir, const char *name, const char *dest_name)
{
	const struct mig_template *t = template_named(name);
	char *path = mig_path_join(dir, dest_name), *abs;
	int rc;

	if (t == NULL) {
		free(path);
		return mig_error_set(MIG_ERROR, "template '%s' is missing from this build", name);
	}
	rc = mig_file_write(path, t->data, t->len, true);
	abs = absolute(path);
	if (rc == 0)
		mig_info(ctx, "Generating %s ... done", abs);
	free(abs);
	free(path);
	return rc;
}

static int
make_dir(struct mig_ctx *ctx, const char *path)
{
	char *abs;

	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return mig_error_set(MIG_EIO, "cannot create directory '%s': %s", path, strerror(errno));
	abs = absolute(path);
	mig_info(ctx, "Creating directory %s ... done", abs);
	free(abs);
	return 0;
}

static int
init_run(struct mig_ctx *ctx)
{
	const char *dir = ctx->args.npos ? ctx->args.pos[0] : ctx->dir;
	char *versions = NULL, *parent = NULL, *models = NULL;
	int rc;

	if (ctx->args.npos > 1)
		return mig_usage_error(&cmd_init, "too many arguments");
	if (mig_path_exists(dir) && !(mig_path_is_dir(dir) && dir_is_empty(dir))) {
		mig_err("directory '%s' already exists and is not empty", dir);
		return MIG_EXIT_USAGE;
	}
	rc = make_dir(ctx, dir);
	if (rc == 0) {
		versions = mig_path_join(dir, "versions");
		rc = make_dir(ctx, versions);
	}
	if (rc == 0)
		rc = write_template(ctx, dir, "mig.yaml", "mig.yaml");
	if (rc == 0)
		rc = write_template(ctx, dir, "README", "README");
	if (rc == 0)
		rc = write_template(ctx, dir, "script.sql.tmpl", "script.sql.tmpl");
	/* The starter manifest goes beside the directory, where mig.yaml's default points. */
	parent = mig_path_dirname(dir);
	models = mig_path_join(parent, "models.yaml");
	if (rc == 0 && !mig_path_exists(models) && template_named("models.yaml"))
		rc = write_template(ctx, parent, "models.yaml", "models.yaml");
	if (rc == 0) {
		char *abs = absolute(dir), *abs_models = absolute(models);

		mig_info(ctx, "Please edit the database URL in %s/mig.yaml (or set DATABASE_URL) and describe "
		    "your tables in %s before running 'mig migrate'.", abs, abs_models);
		free(abs);
		free(abs_models);
	}
	free(versions);
	free(parent);
	free(models);
	return rc ? mig_fail(rc) : 0;
}

const struct mig_cmd cmd_init = {
	.name = "init",
	.usage = "[DIR]",
	.summary = "create a migrations directory (default 'migrations') and a starter models.yaml",
	.run = init_run,
};
