/*
 * inspect.c — `mig inspect [-o FILE]`: the live database's schema written as a manifest, to adopt
 * an existing database (then `mig stamp head` on it, and `check` reports no change).
 */
#include <stdlib.h>

#include "cmd.h"
#include "introspect.h"
#include "man.h"

static const struct mig_opt inspect_opts[] = {
	{ 'o', "output", true, "write the manifest to FILE instead of standard output" },
	{ 0, NULL, false, NULL },
};

static int
inspect_run(struct mig_ctx *ctx)
{
	const char *outpath = mig_args_get(&ctx->args, 'o');
	struct mig_db *db = NULL;
	struct mig_schema *s = NULL;
	struct mig_buf b = MIG_BUF_INIT;
	int rc;

	rc = mig_ctx_open_db(ctx, &db, false);
	if (rc == 0 && db == NULL)
		rc = mig_error_set(MIG_ENOTFOUND, "database '%s' does not exist", ctx->url->display);
	if (rc == 0)
		rc = mig_db_introspect(&s, db, ctx->cfg->version_table);
	if (rc == 0) {
		/* Written as a person would: `integer`, `string(64)` where they render back the same. */
		mig_schema_portable_types(s, mig_db_dialect(db));
		rc = mig_manifest_write(&b, s);
	}
	if (rc == 0) {
		if (outpath) {
			rc = mig_file_write(outpath, b.ptr, b.len, false);
			if (rc == 0)
				mig_info(ctx, "Generating %s ... done", outpath);
		} else {
			fputs(b.ptr, ctx->out);
		}
	}
	mig_buf_release(&b);
	mig_schema_free(s);
	mig_db_close(db);
	return rc ? mig_fail(rc) : 0;
}

const struct mig_cmd cmd_inspect = {
	.name = "inspect",
	.usage = "[-o FILE]",
	.summary = "write the database's schema as a manifest",
	.opts = inspect_opts,
	.needs = MIG_NEED_DIR | MIG_NEED_URL,
	.run = inspect_run,
};
