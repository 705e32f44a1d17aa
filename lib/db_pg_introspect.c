/*
 * db_pg_introspect.c — one PostgreSQL schema's catalog read into the dialect-neutral schema model
 * (see introspect.h).
 *
 * pg_dump's shape: one get_<kind>() per kind of object, each a single set-based query over the
 * whole schema (never a query per table), ordered so that the rows of one table, and of one
 * constraint or index within it, arrive together; result columns are resolved once with PQfnumber
 * and rows are copied into the model as they come. Tables are found again by oid through a map,
 * so the work is linear in the size of the schema and a schema of thousands of tables is read in
 * a handful of round trips.
 *
 * Everything is spelt as PostgreSQL prints it, so that a model read from a live database and one
 * read from a scratch schema the manifest was rendered into compare like with like: types by
 * format_type() ("character varying(64)", "timestamp without time zone", "text[]"), defaults, CHECK
 * expressions and index predicates by pg_get_expr(), index expressions by pg_get_indexdef().
 * A serial column (an integer whose default is nextval() of a sequence it owns) and an identity
 * column both read as autoincrement with no default: the sequence is an implementation detail.
 *
 * Left out: partitions (they belong to their partitioned table), objects that belong to an
 * extension (pg_dump leaves them to CREATE EXTENSION too), and the version table with its
 * "_history" table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#include "pq_load.h"

struct intro {
	PGconn *conn;
	struct mig_schema *s;
	const char *schema;       /* what tables and enums carry in their schema field (NULL: default) */
	char nsp_oid[16];         /* the schema's oid, as text, the first parameter of every query */
	const char *skip[2];      /* the version table and its history table; NULL when none */
	struct mig_map by_oid;    /* table oid (text) -> struct mig_table */
	struct mig_arena scratch;
};

static int run(struct intro *in, PGresult **out, const char *what, const char *sql, int nparams);
static int fields(PGresult *r, const char *what, const char *sql, const char *const *names, int *idx,
    size_t n);
static const char *val(const PGresult *r, int row, int col);
static bool flag(const PGresult *r, int row, int col);
static const char *keep(struct intro *in, const char *s);
static int get_namespace(struct intro *in, const char *schema, bool *found);
static int get_tables(struct intro *in);
static int get_columns(struct intro *in);
static int get_constraints(struct intro *in);
static int get_indexes(struct intro *in);
static int get_enums(struct intro *in);
static const char *fk_action(char code);

/* The filter of every per-table query: ordinary and partitioned tables of the schema, no partitions. */
#define SCHEMA_TABLES "c.relnamespace = $1::pg_catalog.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition"

int
mig_pg_introspect(struct mig_schema **out, struct mig_db *db, const char *schema, const char *skip_table)
{
	struct intro in;
	bool found = false;
	int rc;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	in.conn = db ? mig_db_pg_handle(db) : NULL;
	if (in.conn == NULL)
		return mig_error_set(MIG_EUSAGE, "postgresql introspection needs an open postgresql database");
	in.s = mig_schema_new();
	in.schema = schema && *schema ? schema : NULL;
	mig_map_init(&in.by_oid);
	mig_arena_init(&in.scratch);
	if (skip_table && *skip_table) {
		in.skip[0] = skip_table;
		in.skip[1] = mig_arena_printf(&in.scratch, "%s_history", skip_table);
	}
	if (in.schema)
		in.schema = mig_arena_strdup(&in.s->arena, in.schema);

	if ((rc = get_namespace(&in, schema && *schema ? schema : NULL, &found)) < 0)
		goto cleanup;
	/* A schema that does not exist yet holds nothing: an empty model, as for an empty database. */
	if (found && ((rc = get_tables(&in)) < 0 || (rc = get_columns(&in)) < 0 ||
	    (rc = get_constraints(&in)) < 0 || (rc = get_indexes(&in)) < 0 || (rc = get_enums(&in)) < 0))
		goto cleanup;
	*out = in.s;
	in.s = NULL;
	rc = 0;
cleanup:
	mig_map_release(&in.by_oid);
	mig_arena_release(&in.scratch);
	mig_schema_free(in.s);
	return rc;
}

/*
 * Runs one catalog query with the schema's oid and the two skipped names as $1..$3 (nparams of
 * them). A failure reports the server's message and the query.
 */
static int
run(struct intro *in, PGresult **out, const char *what, const char *sql, int nparams)
{
	const char *params[3] = { in->nsp_oid, in->skip[0], in->skip[1] };
	PGresult *r = PQexecParams(in->conn, sql, nparams, NULL, params, NULL, NULL, 0);

	*out = NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		char *m = mig_xstrdup(msg ? msg : PQerrorMessage(in->conn));
		size_t n = strlen(m);
		int rc;

		while (n > 0 && m[n - 1] == '\n')
			m[--n] = '\0';
		rc = mig_error_set(MIG_EDB, "cannot read the postgresql catalog (%s): %s (query: %s)", what, m, sql);
		free(m);
		PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* Resolves the result's columns by name, once per query; a missing one is a bug in the query. */
static int
fields(PGresult *r, const char *what, const char *sql, const char *const *names, int *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((idx[i] = PQfnumber(r, names[i])) < 0) {
			PQclear(r);
			return mig_error_set(MIG_EDB, "cannot read the postgresql catalog (%s): no column '%s' "
			    "in the result (query: %s)", what, names[i], sql);
		}
	}
	return 0;
}

static const char *
val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static bool
flag(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

/* A copy in the model's arena (NULL stays NULL). */
static const char *
keep(struct intro *in, const char *s)
{
	return mig_arena_strdup(&in->s->arena, s);
}

/* The schema's oid; NULL means current_schema(), which is NULL itself when search_path names none. */
static int
get_namespace(struct intro *in, const char *schema, bool *found)
{
	static const char sql[] =
	    "SELECT n.oid FROM pg_catalog.pg_namespace n "
	    "WHERE n.nspname = COALESCE($1, pg_catalog.current_schema())";
	const char *params[1] = { schema };
	PGresult *r = PQexecParams(in->conn, sql, 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	*found = false;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

		rc = mig_error_set(MIG_EDB, "cannot read the postgresql catalog (schema): %s (query: %s)",
		    msg ? msg : "connection lost", sql);
	} else if (PQntuples(r) == 1) {
		snprintf(in->nsp_oid, sizeof(in->nsp_oid), "%s", PQgetvalue(r, 0, 0));
		*found = true;
	}
	PQclear(r);
	return rc;
}

/*
 * Tables in name order, the catalog order the model promises, each with its comment. The
 * comment is joined rather than read with obj_description(), a function that runs a query of its
 * own per row. Extension members are found through pg_depend's 'e' dependencies, as pg_dump does.
 */
static int
get_tables(struct intro *in)
{
	static const char sql[] =
	    "SELECT c.oid, c.relname, d.description "
	    "FROM pg_catalog.pg_class c "
	    "LEFT JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	    "     AND d.objoid = c.oid AND d.objsubid = 0 "
	    "WHERE " SCHEMA_TABLES " "
	    "AND c.relname IS DISTINCT FROM $2 AND c.relname IS DISTINCT FROM $3 "
	    "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e "
	    "     WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid AND e.deptype = 'e') "
	    "ORDER BY c.relname";
	static const char *const names[] = { "oid", "relname", "description" };
	int f[3], i, n, rc;
	PGresult *r;

	if ((rc = run(in, &r, "tables", sql, 3)) < 0 || (rc = fields(r, "tables", sql, names, f, 3)) < 0)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct mig_table *t = mig_schema_add_table(in->s, PQgetvalue(r, i, f[1]));

		t->schema = in->schema;
		t->comment = keep(in, val(r, i, f[2]));
		mig_map_put(&in->by_oid, mig_arena_strdup(&in->scratch, PQgetvalue(r, i, f[0])), t);
	}
	PQclear(r);
	return 0;
}

/*
 * Every column of every table of the schema in one pass, in table then attnum order, dropped
 * columns left out. Rows of tables get_tables() left out are skipped here rather than filtered
 * again in SQL. Defaults are printed with pg_get_expr(adbin, 0): a default cannot refer to a
 * column, and without a relation pg_get_expr() neither opens nor locks each table (thousands of
 * locks in one transaction would exhaust max_locks_per_transaction); the OFFSET 0 subquery keeps
 * it to one call per column. serial: the default is exactly nextval() of a sequence the column
 * owns (pg_depend 'a', what serial and OWNED BY create), compared as pg_get_expr() prints it,
 * since both sides name the sequence with the same search_path rules.
 */
static int
get_columns(struct intro *in)
{
	static const char sql[] =
	    "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, "
	    "a.attnotnull, def.expr AS default_expr, a.attidentity, a.attgenerated, d.description, "
	    "(def.expr LIKE 'nextval(%' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep "
	    "     JOIN pg_catalog.pg_class sq ON sq.oid = dep.objid AND sq.relkind = 'S' "
	    "     WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	    "     AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	    "     AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'a' "
	    "     AND def.expr = 'nextval(' || pg_catalog.quote_literal(sq.oid::pg_catalog.regclass::text) "
	    "         || '::regclass)')) AS serial "
	    "FROM pg_catalog.pg_attribute a "
	    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	    "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	    "LEFT JOIN LATERAL (SELECT CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) END "
	    "     AS expr OFFSET 0) def ON true "
	    "LEFT JOIN pg_catalog.pg_description d ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	    "     AND d.objoid = a.attrelid AND d.objsubid = a.attnum "
	    "WHERE " SCHEMA_TABLES " AND a.attnum > 0 AND NOT a.attisdropped "
	    "ORDER BY a.attrelid, a.attnum";
	static const char *const names[] = { "attrelid", "attname", "type", "attnotnull", "default_expr",
	    "attidentity", "attgenerated", "description", "serial" };
	int f[9], i, n, rc;
	PGresult *r;

	if ((rc = run(in, &r, "columns", sql, 1)) < 0 || (rc = fields(r, "columns", sql, names, f, 9)) < 0)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct mig_table *t = mig_map_get(&in->by_oid, PQgetvalue(r, i, f[0]));
		const char *identity = PQgetvalue(r, i, f[5]), *generated = PQgetvalue(r, i, f[6]);
		struct mig_column *c;

		if (t == NULL)
			continue;
		c = mig_table_add_column(in->s, t, PQgetvalue(r, i, f[1]));
		c->type = keep(in, PQgetvalue(r, i, f[2]));
		c->nullable = !flag(r, i, f[3]);
		c->autoincrement = identity[0] != '\0' || flag(r, i, f[8]);
		/* A generated column's expression is not a default; the model has no place for it yet. */
		if (!c->autoincrement && generated[0] == '\0')
			c->default_sql = keep(in, val(r, i, f[4]));
		c->comment = keep(in, val(r, i, f[7]));
	}
	PQclear(r);
	return 0;
}

static const char *
fk_action(char code)
{
	switch (code) {
	case 'r':
		return "RESTRICT";
	case 'c':
		return "CASCADE";
	case 'n':
		return "SET NULL";
	case 'd':
		return "SET DEFAULT";
	}
	return NULL; /* 'a': NO ACTION, the default */
}

/*
 * Primary keys, unique constraints, foreign keys and checks of the whole schema, one row per key
 * column: conkey and confkey are unnested side by side (ROWS FROM ... WITH ORDINALITY; confkey,
 * NULL but for foreign keys, pads with NULLs) so that the columns come in key order and each
 * pairs with the column it references. Names are looked up in pg_attribute by scalar subqueries,
 * each an index probe: as joins, the planner hashes all of pg_attribute twice. A check has no key columns here (LEFT JOIN ... ON contype)
 * and comes as one row with its expression. Constraints inherited from a parent are left to it.
 */
static int
get_constraints(struct intro *in)
{
	static const char sql[] =
	    "SELECT con.oid, con.conrelid, con.conname, con.contype, con.condeferrable, con.condeferred, "
	    "con.confupdtype, con.confdeltype, fc.relname AS ref_table, fn.nspname AS ref_schema, "
	    "fc.relnamespace = c.relnamespace AS ref_same_schema, "
	    "CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr, "
	    "(SELECT a.attname FROM pg_catalog.pg_attribute a "
	    "     WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum) AS attname, "
	    "(SELECT fa.attname FROM pg_catalog.pg_attribute fa "
	    "     WHERE fa.attrelid = con.confrelid AND fa.attnum = k.ref_attnum) AS ref_attname "
	    "FROM pg_catalog.pg_constraint con "
	    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
	    "LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid "
	    "LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
	    "LEFT JOIN LATERAL ROWS FROM (pg_catalog.unnest(con.conkey), pg_catalog.unnest(con.confkey)) "
	    "     WITH ORDINALITY AS k(attnum, ref_attnum, ord) "
	    "     ON con.contype IN ('p', 'u', 'f') "
	    "WHERE " SCHEMA_TABLES " AND con.contype IN ('p', 'u', 'f', 'c') AND con.conislocal "
	    "ORDER BY con.conrelid, con.conname, con.oid, k.ord";
	static const char *const names[] = { "oid", "conrelid", "conname", "contype", "condeferrable",
	    "condeferred", "confupdtype", "confdeltype", "ref_table", "ref_schema", "ref_same_schema",
	    "check_expr", "attname", "ref_attname" };
	const char *cur = NULL;
	struct mig_table *t = NULL;
	struct mig_unique *u = NULL;
	struct mig_fk *fk = NULL;
	char type = 0;
	int f[14], i, n, rc;
	PGresult *r;

	if ((rc = run(in, &r, "constraints", sql, 1)) < 0 ||
	    (rc = fields(r, "constraints", sql, names, f, 14)) < 0)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		const char *oid = PQgetvalue(r, i, f[0]), *col = val(r, i, f[12]);

		if (cur == NULL || strcmp(cur, oid) != 0) {
			/* The first row of a new constraint. */
			const char *name = PQgetvalue(r, i, f[2]);

			cur = mig_arena_strdup(&in->scratch, oid);
			t = mig_map_get(&in->by_oid, PQgetvalue(r, i, f[1]));
			type = PQgetvalue(r, i, f[3])[0];
			u = NULL;
			fk = NULL;
			if (t == NULL)
				continue;
			if (type == 'p') {
				t->pk_name = keep(in, name);
			} else if (type == 'u') {
				u = mig_table_add_unique(in->s, t, name);
			} else if (type == 'c') {
				struct mig_check *ck = mig_table_add_check(in->s, t, name);

				ck->expr = keep(in, val(r, i, f[11]));
			} else if (type == 'f') {
				fk = mig_table_add_fk(in->s, t, name);
				/* Another schema's table keeps its schema: "schema.table" (see introspect.h). */
				if (flag(r, i, f[10]))
					fk->ref_table = keep(in, val(r, i, f[8]));
				else
					fk->ref_table = mig_arena_printf(&in->s->arena, "%s.%s", PQgetvalue(r, i, f[9]),
					    PQgetvalue(r, i, f[8]));
				fk->on_update = fk_action(PQgetvalue(r, i, f[6])[0]);
				fk->on_delete = fk_action(PQgetvalue(r, i, f[7])[0]);
				fk->deferrable = flag(r, i, f[4]);
				fk->initially_deferred = flag(r, i, f[5]);
			}
		}
		if (t == NULL || col == NULL)
			continue;
		if (type == 'p') {
			mig_table_add_pk(in->s, t, col);
		} else if (u != NULL) {
			mig_strlist_add(in->s, &u->columns, &u->ncolumns, col);
		} else if (fk != NULL) {
			const char *ref = val(r, i, f[13]);
			size_t nref = fk->ncolumns;

			mig_strlist_add(in->s, &fk->columns, &fk->ncolumns, col);
			/* ref_columns shares ncolumns: both lists grow together. */
			mig_strlist_add(in->s, &fk->ref_columns, &nref, ref ? ref : "");
		}
	}
	PQclear(r);
	return 0;
}

/*
 * Indexes that no constraint owns (a primary key's, a unique or exclusion constraint's index
 * belongs to that constraint; a foreign key's conindid names the *referenced* index, hence the
 * conrelid condition), one row per key column in order; INCLUDE columns are not keys. An
 * expression column (attnum 0) is printed by pg_get_indexdef() for that column alone; a plain
 * column is named by pg_attribute, unquoted like every name in the model. Predicates and
 * expressions name columns, so printing them opens their table (as CHECK expressions do).
 */
static int
get_indexes(struct intro *in)
{
	static const char sql[] =
	    "SELECT i.indexrelid, i.indrelid, ic.relname AS index_name, i.indisunique, "
	    "pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate, k.attnum, "
	    "(SELECT a.attname FROM pg_catalog.pg_attribute a "
	    "     WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) AS attname, "
	    "CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true) END AS expr "
	    "FROM pg_catalog.pg_index i "
	    "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
	    "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	    "CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord) "
	    "WHERE " SCHEMA_TABLES " AND k.ord <= i.indnkeyatts "
	    "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid "
	    "     AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) "
	    "ORDER BY i.indrelid, ic.relname, k.ord";
	static const char *const names[] = { "indexrelid", "indrelid", "index_name", "indisunique", "predicate",
	    "attnum", "attname", "expr" };
	const char *cur = NULL;
	struct mig_index *x = NULL;
	int f[8], i, n, rc;
	PGresult *r;

	if ((rc = run(in, &r, "indexes", sql, 1)) < 0 || (rc = fields(r, "indexes", sql, names, f, 8)) < 0)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		const char *oid = PQgetvalue(r, i, f[0]);
		bool is_expr = strcmp(PQgetvalue(r, i, f[5]), "0") == 0;

		if (cur == NULL || strcmp(cur, oid) != 0) {
			struct mig_table *t = mig_map_get(&in->by_oid, PQgetvalue(r, i, f[1]));

			cur = mig_arena_strdup(&in->scratch, oid);
			x = NULL;
			if (t == NULL)
				continue;
			x = mig_table_add_index(in->s, t, PQgetvalue(r, i, f[2]));
			x->unique = flag(r, i, f[3]);
			x->where = keep(in, val(r, i, f[4]));
		}
		if (x == NULL)
			continue;
		/* expr stays NULL while every term is a plain column, as schema.h promises. */
		if (x->expr != NULL || is_expr) {
			bool *expr = mig_arena_alloc(&in->s->arena, (x->ncolumns + 1) * sizeof(*expr));

			if (x->expr != NULL)
				memcpy(expr, x->expr, x->ncolumns * sizeof(*expr));
			expr[x->ncolumns] = is_expr;
			x->expr = expr;
		}
		mig_strlist_add(in->s, &x->columns, &x->ncolumns,
		    is_expr ? PQgetvalue(r, i, f[7]) : PQgetvalue(r, i, f[6]));
	}
	PQclear(r);
	return 0;
}

/* Enum types of the schema with their labels in sort order (enumsortorder, not oid or label order). */
static int
get_enums(struct intro *in)
{
	static const char sql[] =
	    "SELECT t.oid, t.typname, e.enumlabel "
	    "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid "
	    "WHERE t.typnamespace = $1::pg_catalog.oid AND t.typtype = 'e' "
	    "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x "
	    "     WHERE x.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND x.objid = t.oid AND x.deptype = 'e') "
	    "ORDER BY t.typname, e.enumsortorder";
	static const char *const names[] = { "oid", "typname", "enumlabel" };
	const char *cur = NULL;
	struct mig_enum *e = NULL;
	int f[3], i, n, rc;
	PGresult *r;

	if ((rc = run(in, &r, "enums", sql, 1)) < 0 || (rc = fields(r, "enums", sql, names, f, 3)) < 0)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		const char *oid = PQgetvalue(r, i, f[0]);

		if (cur == NULL || strcmp(cur, oid) != 0) {
			cur = mig_arena_strdup(&in->scratch, oid);
			e = mig_schema_add_enum(in->s, PQgetvalue(r, i, f[1]));
			e->schema = in->schema;
		}
		mig_enum_add_label(in->s, e, PQgetvalue(r, i, f[2]));
	}
	PQclear(r);
	return 0;
}
