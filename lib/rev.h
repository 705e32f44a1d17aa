/*
 * rev.h — revisions, the revision graph, target resolution and upgrade/downgrade plans.
 *
 * A revision is a pair of files versions/<id>_<slug>.up.sql / .down.sql whose up file starts with a
 * header of `-- mig:key value` lines (INTERFACE.md). The graph is a DAG: edges go from a revision to
 * its down_revision(s) (its parents; several for a merge) and, separately, to its depends_on
 * revisions (ordering constraints across branches that do not make a revision a child).
 *
 * Ownership: the graph owns every struct mig_rev and every string in it (one arena); plans borrow
 * revisions from the graph and must be released before it. Everything here is pure: no database,
 * no printing. The state a plan starts from is the list of ids in the version table.
 */
#ifndef MIG_REV_H
#define MIG_REV_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define MIG_REV_ID_MAX 64

struct mig_rev {
	const char *id;
	const char *message;      /* "" when absent */
	const char *created;      /* NULL when absent */
	const char **down;        /* parent ids (down_revision), ndown == 0 for a base */
	size_t ndown;
	const char **depends;     /* depends_on ids */
	size_t ndepends;
	const char **labels;      /* branch labels */
	size_t nlabels;
	bool transactional;       /* false when `-- mig:transactional false` */
	const char *up_path;      /* NULL for a ghost */
	const char *down_path;    /* NULL for a ghost */
	bool ghost;               /* known only from the database's history table (files gone) */
	const char *ghost_down_sql; /* a ghost's down SQL as stored when it was applied */

	/* Links, filled by mig_graph_finish(). */
	struct mig_rev **parents;  /* resolved down, same order */
	struct mig_rev **deps;     /* resolved depends */
	struct mig_rev **children; /* revisions that name this one as down_revision */
	size_t nchildren;
	size_t order;              /* index in graph->revs (a topological order, bases first) */
};

/*
 * Parses the header at the start of an up (or down) file. text need not be NUL-terminated; path is
 * used in error messages only ("path:line: ..."). Unknown keys, a missing `revision`, a bad id or a
 * malformed line are MIG_EPARSE. Strings are allocated in the arena. *header_end (optional) is set
 * to the offset of the first byte after the header, where the SQL starts.
 */
int mig_rev_parse_header(struct mig_rev *out, struct mig_arena *arena, const char *text, size_t len,
    const char *path, size_t *header_end);

/* True if id is a valid revision id: 1..64 characters of [0-9a-zA-Z_-]. */
bool mig_rev_id_valid(const char *id);

/* "users table" -> "users_table": lowercased, non-alphanumerics as '_', at most 40 characters. */
char *mig_rev_slug(const char *message);

/*
 * Checks a down file's header (text of length len, read from path) against its revision: a
 * malformed header or another revision's id is MIG_EPARSE naming the file. The graph pairs down
 * files by name only; whoever reads one for a run checks it with this.
 */
int mig_rev_check_down(const struct mig_rev *rev, const char *text, size_t len, const char *path);

/* The body of a file: the text after its header. */
const char *mig_rev_body(const char *text, size_t len);

struct mig_graph {
	struct mig_arena arena;
	struct mig_rev **revs;   /* topological order: every parent and dependency before its children */
	size_t nrevs;
	struct mig_rev **heads;  /* revisions without children, in graph order */
	size_t nheads;
	/* private */
	struct mig_map by_id;
	struct rev_arena_link *loader_arenas; /* arenas the loader threads filled (rev_load.c) */
	size_t cap;
	bool finished;
	const char *dir;
};

/*
 * Building a graph: new, add files from a versions directory, add ghosts from the database, finish.
 * mig_graph_add_dir() reads only the header of each file. Errors name the file: a malformed header,
 * an up file without its down file (or the reverse), a down file whose revision differs, duplicate
 * ids (both files named). mig_graph_finish() links and validates: a missing parent or dependency, a
 * cycle (its members named). After finish the graph is read-only.
 */
struct mig_graph *mig_graph_new(void);
int mig_graph_add_dir(struct mig_graph *g, const char *versions_dir);
int mig_graph_add_ghost(struct mig_graph *g, const char *id, const char *const *down, size_t ndown,
    const char *message, const char *down_sql);
int mig_graph_finish(struct mig_graph *g);
/* new + add_dir + finish. */
int mig_graph_load(struct mig_graph **out, const char *versions_dir);
void mig_graph_free(struct mig_graph *g);

struct mig_rev *mig_graph_find(const struct mig_graph *g, const char *id);

/*
 * Resolves a spec naming one revision: a full id, a unique prefix of at least 4 characters, `head`
 * (the only head), `LABEL@head`, a branch label, or any of those followed by `+N` / `-N` (walking
 * N steps up along the only child / down along the only parent). MIG_ENOTFOUND when nothing matches,
 * MIG_EAMBIGUOUS (message: "ambiguous revision 'ab12', could be: ab12c0ffee01, ab12d00d0002" or
 * "multiple heads, could be: ...") when several do. `base` and `heads` are not single revisions
 * and are handled by the plans.
 */
int mig_graph_resolve(struct mig_rev **out, const struct mig_graph *g, const char *spec);

/* Branch points: revisions with more than one child, in graph order. Caller frees the array. */
size_t mig_graph_branch_points(const struct mig_graph *g, struct mig_rev ***out);

/* True if a is b or an ancestor of b through down_revision and depends_on edges. */
bool mig_graph_is_ancestor(const struct mig_graph *g, const struct mig_rev *a, const struct mig_rev *b);
/* The same along down_revision links only: a dependency does not put two revisions on one branch. */
bool mig_graph_is_branch_ancestor(const struct mig_graph *g, const struct mig_rev *a, const struct mig_rev *b);

enum mig_direction { MIG_UP, MIG_DOWN };

/*
 * One step of a plan: run rev's up (or down) script, then change the version table so that it holds
 * exactly heads_after. heads_del / heads_ins is the difference from the rows before the step,
 * which is what the version-table SQL renders.
 */
struct mig_step {
	struct mig_rev *rev;
	enum mig_direction dir;
	const char **heads_del;
	size_t nheads_del;
	const char **heads_ins;
	size_t nheads_ins;
};

struct mig_plan {
	struct mig_step *steps;
	size_t nsteps;
	const char **heads_before; /* the version table before the first step */
	size_t nheads_before;
	const char **heads_after;  /* the version table after the last step */
	size_t nheads_after;
	struct mig_arena arena;
};

/*
 * Plans, computed from the graph and the version table's rows (current) alone.
 *
 * Upgrade TARGET: `head` (default), `heads`, a revision spec, `LABEL@head`, `+N` (N steps up from the
 * only current head). Applies every revision that the target needs and that is not applied, parents
 * and dependencies first, ties broken in graph order. Upgrading to a merge applies every branch below it.
 *
 * Downgrade TARGET: `-N` (default -1: undo the last N applied revisions, one current head required
 * at each step), `base` (undo everything), a revision spec: undo every applied revision that
 * descends from the target, children first; revisions on sibling branches stay applied. A target
 * that is not applied is MIG_EUSAGE.
 *
 * current may name revisions that the graph does not know: MIG_ENOTFOUND ("the database is at
 * unknown revision 'x'"). An empty plan is not an error.
 */
int mig_plan_upgrade(struct mig_plan *out, const struct mig_graph *g, const char *const *current,
    size_t ncurrent, const char *target);
int mig_plan_downgrade(struct mig_plan *out, const struct mig_graph *g, const char *const *current,
    size_t ncurrent, const char *target);
/* The heads a stamp to TARGET (`base`, `heads`, or any spec) leaves: *out borrowed from the graph/plan arena. */
int mig_plan_stamp(struct mig_plan *out, const struct mig_graph *g, const char *target);
void mig_plan_release(struct mig_plan *p);

/* Every revision that current's heads imply as applied (ancestors through both edge kinds),
 * as a bool array indexed by rev->order. Caller frees. */
int mig_graph_applied(bool **out, const struct mig_graph *g, const char *const *current, size_t ncurrent);

/* ---- writing new revisions (rev_write.c) ---- */

struct mig_rev_new {
	const char *id;              /* NULL: a fresh random 12-hex-digit id */
	const char *message;
	const char *const *down;     /* parents */
	size_t ndown;
	const char *const *labels;
	size_t nlabels;
	const char *const *depends;
	size_t ndepends;
	bool non_transactional;      /* writes `-- mig:transactional false` */
	const char *up_body;         /* SQL after the header; NULL for none */
	const char *down_body;
};

/* A fresh random revision id: 12 lowercase hex digits from the kernel's random source. */
void mig_rev_new_id(char out[13]);

/*
 * Writes versions_dir/<id>_<slug>.up.sql and .down.sql from the template text (tmpl_path is for
 * messages). Placeholders: ${header} (the `-- mig:` lines; must open the file — added at the top
 * when the template lacks it), ${revision}, ${down_revision}, ${message}, ${created},
 * ${direction} ("Upgrade" / "Downgrade"), ${body}. An unknown placeholder is MIG_EPARSE naming the
 * template line. Neither file is written if either exists. *up_path / *down_path are malloc'd.
 */
int mig_rev_write(char **up_path, char **down_path, const struct mig_rev_new *spec, const char *tmpl,
    const char *tmpl_path, const char *versions_dir);

#endif
