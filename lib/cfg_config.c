/*
 * cfg_config.c — reading migrations/mig.yaml into a struct mig_config.
 *
 * The file is a flat YAML mapping of a handful of settings plus the `naming:` mapping. It is read
 * with libyaml's event API because the shape is fixed and small: walking events keeps every
 * key's line and column at hand for the error messages, and needs no document tree. Strictness is
 * deliberate: a misspelt key is an error naming its position rather than a setting silently
 * ignored. An empty value (or ~ / null) leaves the default in place.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cfg.h"
#include "util.h"

/* mig.yaml is a few lines; anything this large is not a configuration file. */
#define CFG_MAX_BYTES (1024 * 1024)
/*
 * PostgreSQL truncates identifiers to 63 bytes; the history table's primary key is named
 * "<table>_history_pkc", so the version table's name must leave room for that suffix.
 */
#define CFG_TABLE_MAX 50

struct cfg_parser {
	yaml_parser_t yaml;
	const char *path;
};

static char *parent_dir(const char *dir);
static char *resolve_manifest(const char *dir, const char *value);
static int next_event(struct cfg_parser *p, yaml_event_t *ev);
static int at(const struct cfg_parser *p, const yaml_event_t *ev, int code, const char *fmt, ...)
    MIG_PRINTF(4, 5);
static bool is_null(const yaml_event_t *ev);
static int get_string(struct cfg_parser *p, const yaml_event_t *ev, const char *key, char **dst);
static int parse_naming(struct cfg_parser *p, struct mig_config *c);
static int parse_setting(struct cfg_parser *p, struct mig_config *c, const yaml_event_t *key,
    unsigned *seen);
static int parse_mapping(struct cfg_parser *p, struct mig_config *c);
static int parse_document(struct cfg_parser *p, struct mig_config *c);

/*
 * The directory the migrations directory lives in, as a prefix for relative paths: "" for the
 * working directory. "migrations" -> "", "/a/b/migrations" -> "/a/b", "." -> "..",
 * "/migrations" -> "/". Purely textual, so a missing or symlinked directory behaves predictably.
 */
static char *
parent_dir(const char *dir)
{
	size_t n = strlen(dir), base;

	/* Trailing slashes and "/." components name the same directory. */
	for (;;) {
		while (n > 1 && dir[n - 1] == '/')
			n--;
		if (n > 2 && dir[n - 1] == '.' && dir[n - 2] == '/')
			n -= 2;
		else
			break;
	}
	if (n == 1 && dir[0] == '.')
		return mig_xstrdup("..");
	base = n;
	while (base > 0 && dir[base - 1] != '/')
		base--;
	if ((n - base == 1 && dir[base] == '.') || (n - base == 2 && dir[base] == '.' && dir[base + 1] == '.'))
		return mig_xasprintf("%.*s/..", (int)n, dir);
	if (base == 0)
		return mig_xstrdup("");
	if (base == 1)
		return mig_xstrdup("/");
	/* "./migrations": a parent of "." is the working directory itself. */
	if (base == 2 && dir[0] == '.')
		return mig_xstrdup("");
	return mig_xstrndup(dir, base - 1);
}

static char *
resolve_manifest(const char *dir, const char *value)
{
	char *parent = parent_dir(dir), *path;

	path = mig_path_join(parent, value);
	free(parent);
	return path;
}

struct mig_config *
mig_config_default(const char *dir)
{
	struct mig_config *c = mig_xcalloc(1, sizeof(*c));

	c->dir = mig_xstrdup(dir);
	c->path = mig_path_join(dir, "mig.yaml");
	c->manifest = resolve_manifest(dir, "models.yaml");
	c->version_table = mig_xstrdup("mig_version");
	c->transaction_per_revision = false;
	c->lock_timeout_ms = 60 * 1000;
	c->naming_ix = mig_xstrdup("ix_%(table)s_%(columns)s");
	c->naming_uq = mig_xstrdup("uq_%(table)s_%(columns)s");
	c->naming_fk = mig_xstrdup("fk_%(table)s_%(columns)s_%(referred_table)s");
	c->naming_ck = mig_xstrdup("ck_%(table)s_%(name)s");
	c->naming_pk = mig_xstrdup("pk_%(table)s");
	return c;
}

void
mig_config_free(struct mig_config *c)
{
	if (c == NULL)
		return;
	free(c->dir);
	free(c->path);
	free(c->url);
	free(c->manifest);
	free(c->version_table);
	free(c->schema);
	free(c->naming_ix);
	free(c->naming_uq);
	free(c->naming_fk);
	free(c->naming_ck);
	free(c->naming_pk);
	free(c);
}

/* Records "path:line:column: message" for the event's position (libyaml counts from 0). */
static int
at(const struct cfg_parser *p, const yaml_event_t *ev, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mig_error_set(code, "%s:%zu:%zu: %s", p->path, ev->start_mark.line + 1,
	    ev->start_mark.column + 1, msg);
}

static int
next_event(struct cfg_parser *p, yaml_event_t *ev)
{
	const yaml_parser_t *y = &p->yaml;

	if (yaml_parser_parse(&p->yaml, ev))
		return 0;
	if (y->error == YAML_READER_ERROR)
		return mig_error_set(MIG_EPARSE, "%s: %s at byte %zu", p->path,
		    y->problem ? y->problem : "cannot read", y->problem_offset);
	return mig_error_set(MIG_EPARSE, "%s:%zu:%zu: %s", p->path, y->problem_mark.line + 1,
	    y->problem_mark.column + 1, y->problem ? y->problem : "invalid YAML");
}

/* An empty value, ~ or null: the setting keeps its default. */
static bool
is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (ev->type != YAML_SCALAR_EVENT)
		return false;
	if (n == 0)
		return true;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

/* Replaces *dst with the scalar's text, or leaves it alone when the value is empty. */
static int
get_string(struct cfg_parser *p, const yaml_event_t *ev, const char *key, char **dst)
{
	if (ev->type != YAML_SCALAR_EVENT)
		return at(p, ev, MIG_EPARSE, "'%s' must be a string", key);
	if (is_null(ev))
		return 0;
	if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
		return at(p, ev, MIG_EPARSE, "'%s' must not contain a NUL character", key);
	free(*dst);
	*dst = mig_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
	return 0;
}

static int
parse_naming(struct cfg_parser *p, struct mig_config *c)
{
	static const char *const keys[] = { "ix", "uq", "fk", "ck", "pk" };
	char **dsts[] = { &c->naming_ix, &c->naming_uq, &c->naming_fk, &c->naming_ck, &c->naming_pk };
	yaml_event_t key, val;
	unsigned seen = 0;
	size_t i;
	int rc;

	for (;;) {
		if ((rc = next_event(p, &key)) != 0)
			return rc;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		if (key.type != YAML_SCALAR_EVENT) {
			rc = at(p, &key, MIG_EPARSE, "expected a key in 'naming'");
			yaml_event_delete(&key);
			return rc;
		}
		for (i = 0; i < 5; i++)
			if (strcmp((const char *)key.data.scalar.value, keys[i]) == 0)
				break;
		if (i == 5)
			rc = at(p, &key, MIG_EPARSE, "unknown key '%s' in 'naming' (expected ix, uq, fk, ck or pk)",
			    (const char *)key.data.scalar.value);
		else if (seen & (1u << i))
			rc = at(p, &key, MIG_EPARSE, "duplicate key '%s' in 'naming'", keys[i]);
		else if ((rc = next_event(p, &val)) == 0) {
			char name[16];

			snprintf(name, sizeof(name), "naming.%s", keys[i]);
			rc = get_string(p, &val, name, dsts[i]);
			yaml_event_delete(&val);
		}
		yaml_event_delete(&key);
		if (rc != 0)
			return rc;
		seen |= 1u << i;
	}
}

static int
parse_setting(struct cfg_parser *p, struct mig_config *c, const yaml_event_t *key, unsigned *seen)
{
	static const char *const keys[] = {
		"url", "manifest", "version_table", "schema", "transaction_per_revision", "lock_timeout", "naming",
	};
	const char *name = (const char *)key->data.scalar.value;
	const char *v;
	yaml_event_t val;
	char *manifest = NULL;
	size_t i, nkeys = sizeof(keys) / sizeof(keys[0]);
	int rc, secs;

	for (i = 0; i < nkeys; i++)
		if (strcmp(name, keys[i]) == 0)
			break;
	if (i == nkeys)
		return at(p, key, MIG_EPARSE, "unknown key '%s'", name);
	if (*seen & (1u << i))
		return at(p, key, MIG_EPARSE, "duplicate key '%s'", name);
	*seen |= 1u << i;
	if ((rc = next_event(p, &val)) != 0)
		return rc;
	v = val.type == YAML_SCALAR_EVENT ? (const char *)val.data.scalar.value : "";
	switch (i) {
	case 0:
		rc = get_string(p, &val, name, &c->url);
		break;
	case 1:
		if ((rc = get_string(p, &val, name, &manifest)) == 0 && manifest != NULL) {
			free(c->manifest);
			c->manifest = resolve_manifest(c->dir, manifest);
		}
		free(manifest);
		break;
	case 2:
		if ((rc = get_string(p, &val, name, &c->version_table)) != 0)
			break;
		if (strlen(c->version_table) > CFG_TABLE_MAX)
			rc = at(p, &val, MIG_EPARSE, "'version_table' must be at most %d characters", CFG_TABLE_MAX);
		else if (strchr(c->version_table, '.') != NULL)
			rc = at(p, &val, MIG_EPARSE, "'version_table' must be a table name without '.' "
			    "(set 'schema' for the schema)");
		for (v = c->version_table; rc == 0 && *v; v++)
			if ((unsigned char)*v < 0x20 || *v == 0x7f)
				rc = at(p, &val, MIG_EPARSE, "'version_table' must not contain control characters");
		break;
	case 3:
		rc = get_string(p, &val, name, &c->schema);
		break;
	case 4:
		if (is_null(&val))
			break;
		if (val.type == YAML_SCALAR_EVENT && (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
		    strcasecmp(v, "on") == 0))
			c->transaction_per_revision = true;
		else if (val.type == YAML_SCALAR_EVENT && (strcasecmp(v, "false") == 0 ||
		    strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0))
			c->transaction_per_revision = false;
		else
			rc = at(p, &val, MIG_EPARSE, "'%s' must be true or false", name);
		break;
	case 5:
		if (is_null(&val))
			break;
		if (val.type != YAML_SCALAR_EVENT || !mig_parse_uint(v, &secs) || secs > INT_MAX / 1000)
			rc = at(p, &val, MIG_EPARSE, "'%s' must be a whole number of seconds", name);
		else
			c->lock_timeout_ms = secs * 1000;
		break;
	case 6:
		if (is_null(&val))
			break;
		if (val.type != YAML_MAPPING_START_EVENT)
			rc = at(p, &val, MIG_EPARSE, "'naming' must be a mapping of ix, uq, fk, ck and pk");
		else
			rc = parse_naming(p, c);
		break;
	}
	yaml_event_delete(&val);
	return rc;
}

static int
parse_mapping(struct cfg_parser *p, struct mig_config *c)
{
	yaml_event_t key;
	unsigned seen = 0;
	int rc;

	for (;;) {
		if ((rc = next_event(p, &key)) != 0)
			return rc;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		if (key.type != YAML_SCALAR_EVENT)
			rc = at(p, &key, MIG_EPARSE, "expected a setting name");
		else
			rc = parse_setting(p, c, &key, &seen);
		yaml_event_delete(&key);
		if (rc != 0)
			return rc;
	}
}

/* stream-start [document-start (mapping | empty) document-end] stream-end */
static int
parse_document(struct cfg_parser *p, struct mig_config *c)
{
	yaml_event_t ev;
	int rc, step;

	for (step = 0;; step++) {
		if ((rc = next_event(p, &ev)) != 0)
			return rc;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			if (step > 1)
				rc = at(p, &ev, MIG_EPARSE, "expected a single YAML document");
			break;
		case YAML_MAPPING_START_EVENT:
			rc = parse_mapping(p, c);
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		default:
			if (!is_null(&ev))
				rc = at(p, &ev, MIG_EPARSE, "expected a mapping of settings (key: value)");
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc;
	}
}

int
mig_config_load(struct mig_config **out, const char *dir)
{
	struct mig_buf text = MIG_BUF_INIT;
	struct cfg_parser p;
	struct mig_config *c;
	int rc;

	*out = NULL;
	if (!mig_path_is_dir(dir))
		return mig_error_set(MIG_ENOTFOUND, "migrations directory '%s' not found (run 'mig init')", dir);
	c = mig_config_default(dir);
	rc = mig_file_read(&text, c->path, CFG_MAX_BYTES);
	if (rc == MIG_ENOTFOUND) {
		mig_error_clear();
		mig_buf_release(&text);
		*out = c;
		return 0;
	}
	if (rc == 0) {
		p.path = c->path;
		if (!yaml_parser_initialize(&p.yaml))
			abort(); /* libyaml fails here only when out of memory */
		yaml_parser_set_input_string(&p.yaml, (const unsigned char *)text.ptr, text.len);
		rc = parse_document(&p, c);
		yaml_parser_delete(&p.yaml);
	}
	mig_buf_release(&text);
	if (rc != 0) {
		mig_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}
