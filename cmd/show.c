/*
 * show.c — `mig show REV`: one revision's header and both of its scripts.
 */
#include <stdlib.h>

#include "cmd.h"

static int
print_file(struct mig_ctx *ctx, const char *path)
{
	struct mig_buf b = MIG_BUF_INIT;
	int rc = mig_file_read(&b, path, 64u << 20);

	if (rc == 0) {
		fprintf(ctx->out, "==> %s <==\n", path);
		fputs(b.ptr, ctx->out);
		if (b.len && b.ptr[b.len - 1] != '\n')
			fputc('\n', ctx->out);
		fputc('\n', ctx->out);
	}
	mig_buf_release(&b);
	return rc;
}

static int
show_run(struct mig_ctx *ctx)
{
	struct mig_rev *r = NULL;
	int rc;

	if (ctx->args.npos != 1)
		return mig_usage_error(&cmd_show, "expected one revision");
	rc = mig_graph_resolve(&r, ctx->graph, ctx->args.pos[0]);
	if (rc)
		return mig_fail(rc);
	mig_print_rev_verbose(ctx->out, ctx->graph, r, NULL);
	rc = print_file(ctx, r->up_path);
	if (rc == 0)
		rc = print_file(ctx, r->down_path);
	return rc ? mig_fail(rc) : 0;
}

const struct mig_cmd cmd_show = {
	.name = "show",
	.usage = "REV",
	.summary = "show a revision's header and SQL",
	.needs = MIG_NEED_DIR | MIG_NEED_GRAPH,
	.run = show_run,
};
