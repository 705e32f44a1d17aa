/*
 * rev_write.c — writing a new revision's pair of files from the project's template.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "rev.h"

void
mig_rev_new_id(char out[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[6];
	size_t i, got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n > 0)
			got += (size_t)n;
	}
	for (i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[12] = '\0';
}

static void
put_list(struct mig_buf *b, const char *key, const char *const *items, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	mig_buf_printf(b, "-- mig:%s", key);
	for (i = 0; i < n; i++)
		mig_buf_printf(b, " %s", items[i]);
	mig_buf_putc(b, '\n');
}

static void
render_header(struct mig_buf *b, const struct mig_rev_new *spec, const char *id, const char *created,
    bool up)
{
	mig_buf_printf(b, "-- mig:revision %s\n", id);
	if (!up)
		return;
	put_list(b, "down_revision", spec->down, spec->ndown);
	mig_buf_printf(b, "-- mig:message %s\n", spec->message);
	mig_buf_printf(b, "-- mig:created %s\n", created);
	put_list(b, "branch_labels", spec->labels, spec->nlabels);
	put_list(b, "depends_on", spec->depends, spec->ndepends);
	if (spec->non_transactional)
		mig_buf_puts(b, "-- mig:transactional false\n");
}

/* Expands the template for one direction; the header always ends up first. */
static int
expand(struct mig_buf *out, const char *tmpl, const char *tmpl_path, const struct mig_rev_new *spec,
    const char *id, const char *created, bool up)
{
	struct mig_buf hdr = MIG_BUF_INIT, downs = MIG_BUF_INIT;
	const char *p = tmpl, *body = up ? spec->up_body : spec->down_body;
	size_t line = 1, i;
	int rc = 0;

	render_header(&hdr, spec, id, created, up);
	for (i = 0; i < spec->ndown; i++)
		mig_buf_printf(&downs, "%s%s", i ? " " : "", spec->down[i]);
	if (strstr(tmpl, "${header}") == NULL)
		mig_buf_put(out, hdr.ptr, hdr.len);
	else if (strncmp(tmpl, "${header}", 9) != 0) {
		rc = mig_error_set(MIG_EPARSE, "%s: ${header} must open the template", tmpl_path);
		goto cleanup;
	}
	while (*p) {
		const char *end;
		size_t n;

		if (p[0] != '$' || p[1] != '{') {
			if (*p == '\n')
				line++;
			mig_buf_putc(out, *p++);
			continue;
		}
		end = strchr(p, '}');
		if (end == NULL) {
			rc = mig_error_set(MIG_EPARSE, "%s:%zu: unterminated placeholder", tmpl_path, line);
			goto cleanup;
		}
		n = (size_t)(end - p - 2);
#define IS(name) (n == strlen(name) && strncmp(p + 2, name, n) == 0)
		if (IS("header")) {
			/* The header already ends with a newline; swallow the template's own. */
			mig_buf_put(out, hdr.ptr, hdr.len ? hdr.len - 1 : 0);
		} else if (IS("revision")) {
			mig_buf_puts(out, id);
		} else if (IS("down_revision")) {
			mig_buf_puts(out, downs.ptr);
		} else if (IS("message")) {
			mig_buf_puts(out, spec->message);
		} else if (IS("created")) {
			mig_buf_puts(out, created);
		} else if (IS("direction")) {
			mig_buf_puts(out, up ? "Upgrade" : "Downgrade");
		} else if (IS("body")) {
			mig_buf_puts(out, body ? body : "");
		} else {
			rc = mig_error_set(MIG_EPARSE, "%s:%zu: unknown placeholder '%.*s'", tmpl_path, line,
			    (int)(n + 3), p);
			goto cleanup;
		}
#undef IS
		p = end + 1;
	}
	/* One trailing newline, however the template and body end. */
	while (out->len && out->ptr[out->len - 1] == '\n')
		mig_buf_truncate(out, out->len - 1);
	mig_buf_putc(out, '\n');
cleanup:
	mig_buf_release(&hdr);
	mig_buf_release(&downs);
	return rc;
}

int
mig_rev_write(char **up_path, char **down_path, const struct mig_rev_new *spec, const char *tmpl,
    const char *tmpl_path, const char *versions_dir)
{
	struct mig_buf up = MIG_BUF_INIT, down = MIG_BUF_INIT;
	char id_buf[13], created[32], *slug = NULL, *stem = NULL, *upp = NULL, *downp = NULL;
	const char *id = spec->id;
	int rc;

	*up_path = *down_path = NULL;
	if (id == NULL) {
		mig_rev_new_id(id_buf);
		id = id_buf;
	}
	if (!mig_rev_id_valid(id) || strcmp(id, "head") == 0 || strcmp(id, "heads") == 0 || strcmp(id, "base") == 0)
		return mig_error_set(MIG_EUSAGE, "invalid revision id '%s' (use letters, digits, '_' or '-')", id);
	for (const char *m = spec->message; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			/* A CR would end the `--` comment the message sits in, on PostgreSQL's lexer. */
			return mig_error_set(MIG_EUSAGE, "the message must be one line of printable text");
	mig_utc_now(created);
	rc = expand(&up, tmpl, tmpl_path, spec, id, created, true);
	if (rc == 0)
		rc = expand(&down, tmpl, tmpl_path, spec, id, created, false);
	/* Never write a header the loader would refuse (bad or repeated labels, repeated ids). */
	if (rc == 0) {
		struct mig_arena arena;
		struct mig_rev check;

		mig_arena_init(&arena);
		rc = mig_rev_parse_header(&check, &arena, up.ptr, up.len, "the new revision's header", NULL);
		if (rc == 0 && strcmp(check.id, id) != 0)
			rc = mig_error_set(MIG_EPARSE, "%s: the template's header does not start the file", tmpl_path);
		mig_arena_release(&arena);
		if (rc == MIG_EPARSE)
			rc = MIG_EUSAGE;
	}
	if (rc)
		goto cleanup;
	slug = mig_rev_slug(spec->message);
	stem = mig_xasprintf("%s_%s", id, slug);
	upp = mig_xasprintf("%s/%s.up.sql", versions_dir, stem);
	downp = mig_xasprintf("%s/%s.down.sql", versions_dir, stem);
	if (mig_path_exists(upp) || mig_path_exists(downp)) {
		rc = mig_error_set(MIG_EEXISTS, "'%s' already exists", upp);
		goto cleanup;
	}
	rc = mig_file_write(downp, down.ptr, down.len, true);
	if (rc == 0) {
		rc = mig_file_write(upp, up.ptr, up.len, true);
		if (rc)
			unlink(downp);
	}
	if (rc == 0) {
		*up_path = upp;
		*down_path = downp;
		upp = downp = NULL;
	}
cleanup:
	mig_buf_release(&up);
	mig_buf_release(&down);
	free(slug);
	free(stem);
	free(upp);
	free(downp);
	return rc;
}
