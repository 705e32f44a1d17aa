/*
 * rev_graph.c — loading revision files into the graph, ghosts from the database, and finishing:
 * linking ids, the topological order and validation.
 *
 * Loading must stay fast for large projects (10,000 revisions under the 50 ms `mig history`
 * budget). Each file is read only until its header ends, through openat() on the directory; files
 * are paired by a map rather than a sort; every lookup goes through the id map and nothing is
 * quadratic. What remains is mostly the kernel's cost of opening 20,000 files, so large
 * directories are read and parsed by a few threads, each into an arena of its own that the graph
 * keeps. The first fault in name order is the one reported, whatever the directory order or the
 * threads did, so messages are the same on every machine.
 *
 * The topological order is Kahn's algorithm with a priority: among the revisions whose parents and
 * dependencies are all placed, the one with the smallest (created, id) comes first (a missing
 * created sorts first). It is deterministic, does not depend on file names or directory order,
 * and follows the order in which people wrote parallel branches, so plans read chronologically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rev.h"
#include "rev_internal.h"

#define READ_FIRST 512
#define READ_CHUNK 4096
#define LOAD_BATCH 16
#define LOAD_THREADED_MIN 256 /* revisions */
#define LOAD_THREADS_MAX 8

/*
 * The arenas the loader threads filled (their revisions' strings live there) belong to the graph
 * from then on. struct mig_graph has no field for them, so the list hangs in the id map under a
 * key that can never be an id or a label key ('#' is not an id character).
 */
#define ARENAS_KEY "#arenas"
struct arena_link {
	struct mig_arena arena;
	struct arena_link *next;
};

/*
 * A revision's two files, paired by the name stem (either may be missing); a loader fills in rev
 * or the error it met.
 */
struct pair {
	const char *stem; /* the name without ".up.sql" / ".down.sql" */
	const char *up, *down;
	struct mig_rev *rev;
	int rc;
	char *msg; /* malloc'd: error messages are thread-local, so the loader keeps a copy */
};

/* Work shared by the loader threads: each takes the next batch of pairs. */
struct pool {
	struct pair *pairs;
	size_t npairs;
	const char *dir;
	int dfd;
	atomic_size_t next;
};

struct loader {
	struct pool *pool;
	struct mig_arena *arena;
};

static int collect_pairs(struct pair **out, size_t *nout, DIR *d, struct mig_arena *scratch);
static int read_header(struct mig_buf *b, int dfd, const char *name, const char *path);
static const char *join(struct mig_arena *a, const char *dir, const char *name);
static void load_pair(struct pool *pool, struct pair *p, struct mig_arena *arena,
    struct mig_arena *scratch, struct mig_buf *buf);
static void *loader_main(void *arg);
static void load_pairs(struct mig_graph *g, struct pool *pool);
static int pair_error(const struct pair *p, const char *dir, struct mig_arena *scratch);
static void push_rev(struct mig_graph *g, struct mig_rev *r);
static int link_revs(struct mig_graph *g);
static int topo_sort(struct mig_graph *g);
static int report_cycle(struct mig_graph *g, const size_t *indeg);
static bool rev_before(const struct mig_rev *a, const struct mig_rev *b);
static void heap_push(struct mig_rev **h, size_t *n, struct mig_rev *r);
static struct mig_rev *heap_pop(struct mig_rev **h, size_t *n);

struct mig_graph *
mig_graph_new(void)
{
	struct mig_graph *g = mig_xcalloc(1, sizeof(*g));

	mig_arena_init(&g->arena);
	mig_map_init(&g->by_id);
	return g;
}

void
mig_graph_free(struct mig_graph *g)
{
	struct arena_link *l;

	if (g == NULL)
		return;
	for (l = mig_map_get(&g->by_id, ARENAS_KEY); l != NULL; l = l->next)
		mig_arena_release(&l->arena);
	free(g->revs);
	mig_map_release(&g->by_id);
	mig_arena_release(&g->arena);
	free(g);
}

int
mig_graph_load(struct mig_graph **out, const char *versions_dir)
{
	struct mig_graph *g = mig_graph_new();
	int rc;

	*out = NULL;
	rc = mig_graph_add_dir(g, versions_dir);
	if (rc == 0)
		rc = mig_graph_finish(g);
	if (rc != 0) {
		mig_graph_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

struct mig_rev *
mig_graph_find(const struct mig_graph *g, const char *id)
{
	/* The map also holds "@label" and ARENAS_KEY entries, which are not revisions. */
	if (g == NULL || !mig_rev_id_valid(id))
		return NULL;
	return mig_map_get(&g->by_id, id);
}

bool
rev_label_key(char out[REV_LABEL_KEY_MAX], const char *label)
{
	size_t n = strlen(label);

	if (n == 0 || n > MIG_REV_ID_MAX)
		return false;
	out[0] = '@';
	memcpy(out + 1, label, n + 1);
	return true;
}

const char *
rev_where(struct mig_arena *a, const struct mig_rev *r)
{
	if (r->up_path)
		return r->up_path;
	return mig_arena_printf(a, "revision '%s' (known from the database history)", r->id);
}

static void
push_rev(struct mig_graph *g, struct mig_rev *r)
{
	if (g->nrevs == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->revs = mig_xrealloc(g->revs, g->cap * sizeof(*g->revs));
	}
	g->revs[g->nrevs++] = r;
	mig_map_put(&g->by_id, r->id, r);
}

/*
 * The names that are revision files, `<stem>.up.sql` and `<stem>.down.sql` with a non-empty stem,
 * paired by stem. Dotfiles, READMEs and editor backups (`x.up.sql~`, `x.up.sql.swp`) are not
 * revision files. Pairs come in directory order: a map pairs them in linear time, where sorting
 * 20,000 names cost more than all the rest of the loader's own work.
 */
static int
collect_pairs(struct pair **out, size_t *nout, DIR *d, struct mig_arena *scratch)
{
	struct pair *ps = NULL;
	size_t n = 0, cap = 0;
	struct mig_map by_stem;
	struct dirent *de;

	mig_map_init(&by_stem);
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), stemlen, idx;
		const char *name;
		char *stem;
		bool up;

		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		if (len > 7 && memcmp(de->d_name + len - 7, ".up.sql", 7) == 0) {
			stemlen = len - 7;
			up = true;
		} else if (len > 9 && memcmp(de->d_name + len - 9, ".down.sql", 9) == 0) {
			stemlen = len - 9;
			up = false;
		} else {
			continue;
		}
		name = mig_arena_strndup(scratch, de->d_name, len);
		stem = mig_arena_strndup(scratch, de->d_name, stemlen);
		/* The map holds index + 1: the array moves as it grows. */
		idx = (size_t)(uintptr_t)mig_map_get(&by_stem, stem);
		if (idx == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				ps = mig_xrealloc(ps, cap * sizeof(*ps));
			}
			memset(&ps[n], 0, sizeof(ps[n]));
			ps[n].stem = stem;
			mig_map_put(&by_stem, stem, (void *)(uintptr_t)(n + 1));
			idx = ++n;
		}
		if (up)
			ps[idx - 1].up = name;
		else
			ps[idx - 1].down = name;
		errno = 0;
	}
	mig_map_release(&by_stem);
	if (errno != 0) {
		free(ps);
		return MIG_EIO;
	}
	*out = ps;
	*nout = n;
	return 0;
}

/* Reads dfd/name into b until its header region has ended, not further. */
static int
read_header(struct mig_buf *b, int dfd, const char *name, const char *path)
{
	struct rev_scan sc = { 0, 0, false };
	int fd, rc = 0;

	mig_buf_clear(b);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mig_error_set(errno == ENOENT ? MIG_ENOTFOUND : MIG_EIO, "%s: cannot read: %s",
		    path, strerror(errno));
	while (!sc.done) {
		/* Most headers fit in a few hundred bytes: copying a whole page per file shows up. */
		size_t want = b->len ? READ_CHUNK : READ_FIRST;
		ssize_t n;

		mig_buf_grow(b, want);
		n = read(fd, b->ptr + b->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = mig_error_set(MIG_EIO, "%s: read error: %s", path, strerror(errno));
			break;
		}
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
		rev_header_scan(&sc, b->ptr, b->len, n == 0);
	}
	close(fd);
	return rc;
}

static const char *
join(struct mig_arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir), m = strlen(name);
	bool slash = n && dir[n - 1] != '/';
	char *p = mig_arena_alloc(a, n + slash + m + 1);

	memcpy(p, dir, n);
	if (slash)
		p[n] = '/';
	memcpy(p + n + slash, name, m + 1);
	return p;
}

/*
 * Reads and parses one complete pair into the loader's arena. Runs on loader threads: it touches
 * nothing shared but its own pair, and keeps a copy of its error message.
 */
static void
load_pair(struct pool *pool, struct pair *p, struct mig_arena *arena, struct mig_arena *scratch,
    struct mig_buf *buf)
{
	struct mig_rev *r = mig_arena_alloc(arena, sizeof(*r)), check;
	const char *up_path = join(arena, pool->dir, p->up);
	const char *down_path = join(arena, pool->dir, p->down);
	int rc;

	rc = read_header(buf, pool->dfd, p->up, up_path);
	if (rc == 0)
		rc = mig_rev_parse_header(r, arena, buf->ptr, buf->len, up_path, NULL);
	if (rc == 0)
		rc = read_header(buf, pool->dfd, p->down, down_path);
	if (rc == 0)
		rc = mig_rev_parse_header(&check, scratch, buf->ptr, buf->len, down_path, NULL);
	if (rc == 0 && strcmp(check.id, r->id) != 0)
		rc = mig_error_set(MIG_EPARSE,
		    "%s: '-- mig:revision %s' does not match revision '%s' of %s", down_path, check.id,
		    r->id, up_path);
	if (rc != 0) {
		p->rc = rc;
		p->msg = mig_xstrdup(mig_error_msg());
		return;
	}
	r->up_path = up_path;
	r->down_path = down_path;
	p->rev = r;
}

static void *
loader_main(void *arg)
{
	struct loader *ld = arg;
	struct pool *pool = ld->pool;
	struct mig_buf buf = MIG_BUF_INIT;
	struct mig_arena scratch;

	mig_arena_init(&scratch);
	for (;;) {
		size_t i = atomic_fetch_add(&pool->next, LOAD_BATCH), j;

		if (i >= pool->npairs)
			break;
		for (j = i; j < i + LOAD_BATCH && j < pool->npairs; j++)
			if (pool->pairs[j].up && pool->pairs[j].down)
				load_pair(pool, &pool->pairs[j], ld->arena, &scratch, &buf);
	}
	mig_buf_release(&buf);
	mig_arena_release(&scratch);
	return NULL;
}

/*
 * Loads every pair. Opening 20,000 files is mostly system-call time, so a large directory is
 * shared among a few threads (the calling one included); a small one is not worth a thread.
 */
static void
load_pairs(struct mig_graph *g, struct pool *pool)
{
	struct loader ld[LOAD_THREADS_MAX];
	pthread_t tids[LOAD_THREADS_MAX];
	struct arena_link *head = mig_map_get(&g->by_id, ARENAS_KEY);
	size_t want = 1, nstarted = 0, i;
	long ncpu;

	atomic_init(&pool->next, 0);
	if (pool->npairs >= LOAD_THREADED_MIN) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		want = ncpu > 1 ? (size_t)ncpu : 1;
		if (want > LOAD_THREADS_MAX)
			want = LOAD_THREADS_MAX;
	}
	for (i = 0; i < want; i++) {
		struct arena_link *l = mig_arena_alloc(&g->arena, sizeof(*l));

		mig_arena_init(&l->arena);
		l->next = head;
		head = l;
		ld[i].pool = pool;
		ld[i].arena = &l->arena;
	}
	mig_map_put(&g->by_id, ARENAS_KEY, head);
	/* A thread that cannot be started only means that the others (this one at least) do more. */
	for (i = 1; i < want; i++)
		if (pthread_create(&tids[nstarted], NULL, loader_main, &ld[i]) == 0)
			nstarted++;
	loader_main(&ld[0]);
	for (i = 0; i < nstarted; i++)
		pthread_join(tids[i], NULL);
}

int
mig_graph_add_dir(struct mig_graph *g, const char *versions_dir)
{
	struct mig_arena scratch;
	struct pool pool;
	const struct pair *worst = NULL;
	const char *worst_key = NULL;
	struct mig_rev *dup_of = NULL;
	size_t i;
	DIR *d;
	int rc = 0;

	if (g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is already finished");
	d = opendir(versions_dir);
	if (d == NULL)
		return mig_error_set(errno == ENOENT ? MIG_ENOTFOUND : MIG_EIO,
		    "%s: cannot open directory: %s", versions_dir, strerror(errno));
	if (g->dir == NULL)
		g->dir = mig_arena_strdup(&g->arena, versions_dir);
	mig_arena_init(&scratch);
	memset(&pool, 0, sizeof(pool));
	if (collect_pairs(&pool.pairs, &pool.npairs, d, &scratch) != 0) {
		rc = mig_error_set(MIG_EIO, "%s: cannot list directory: %s", versions_dir,
		    strerror(errno));
		goto cleanup;
	}
	pool.dir = versions_dir;
	pool.dfd = dirfd(d);
	load_pairs(g, &pool);

	/*
	 * Pairs are in directory order, which differs between file systems; of several faults the one
	 * reported is the first in name order, so that the message does not depend on the disk. A
	 * duplicate id is charged to the later of its two files.
	 */
	for (i = 0; i < pool.npairs; i++) {
		const struct pair *p = &pool.pairs[i];
		struct mig_rev *other = NULL;
		const char *key;

		if (p->up && p->down && p->rc == 0) {
			other = mig_map_get(&g->by_id, p->rev->id);
			if (other == NULL) {
				push_rev(g, p->rev);
				continue;
			}
			key = p->rev->up_path;
			if (other->up_path && strcmp(other->up_path, key) > 0)
				key = other->up_path;
		} else {
			key = join(&scratch, versions_dir, p->up ? p->up : p->down);
		}
		if (worst_key == NULL || strcmp(key, worst_key) < 0) {
			worst = p;
			worst_key = key;
			dup_of = other;
		}
	}
	if (worst != NULL && dup_of != NULL) {
		const char *a = dup_of->up_path, *b = worst->rev->up_path;

		if (a != NULL && strcmp(a, b) > 0) {
			a = b;
			b = dup_of->up_path;
		}
		rc = mig_error_set(MIG_EPARSE, "%s: duplicate revision id '%s' (also in %s)", b,
		    dup_of->id, a ? a : rev_where(&scratch, dup_of));
	} else if (worst != NULL) {
		rc = pair_error(worst, versions_dir, &scratch);
	}
cleanup:
	closedir(d);
	for (i = 0; i < pool.npairs; i++)
		free(pool.pairs[i].msg);
	free(pool.pairs);
	mig_arena_release(&scratch);
	return rc;
}

/* Sets the message for a pair that could not be loaded. */
static int
pair_error(const struct pair *p, const char *dir, struct mig_arena *scratch)
{
	if (p->up == NULL)
		return mig_error_set(MIG_EPARSE, "%s: down file without its up file '%s.up.sql'",
		    join(scratch, dir, p->down), p->stem);
	if (p->down == NULL)
		return mig_error_set(MIG_EPARSE, "%s: up file without its down file '%s.down.sql'",
		    join(scratch, dir, p->up), p->stem);
	return mig_error_set(p->rc, "%s", p->msg);
}

int
mig_graph_add_ghost(struct mig_graph *g, const char *id, const char *const *down, size_t ndown,
    const char *message, const char *down_sql)
{
	struct mig_rev *r;
	size_t i, j;

	if (g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is already finished");
	if (!mig_rev_id_valid(id))
		return mig_error_set(MIG_EPARSE, "invalid revision id '%s' in the database history",
		    id ? id : "");
	/* The files win over the history, and a revision applied twice is recorded twice. */
	if (mig_map_get(&g->by_id, id) != NULL)
		return 0;
	for (i = 0; i < ndown; i++) {
		if (!mig_rev_id_valid(down[i]))
			return mig_error_set(MIG_EPARSE,
			    "invalid down revision '%s' of '%s' in the database history",
			    down[i] ? down[i] : "", id);
		for (j = 0; j < i; j++)
			if (strcmp(down[i], down[j]) == 0)
				return mig_error_set(MIG_EPARSE,
				    "'%s' appears twice in the down revisions of '%s' in the database history",
				    down[i], id);
	}
	r = mig_arena_alloc(&g->arena, sizeof(*r));
	r->id = mig_arena_strdup(&g->arena, id);
	r->message = message ? mig_arena_strdup(&g->arena, message) : "";
	r->transactional = true;
	r->ghost = true;
	r->ghost_down_sql = mig_arena_strdup(&g->arena, down_sql ? down_sql : "");
	if (ndown) {
		r->down = mig_arena_alloc(&g->arena, ndown * sizeof(*r->down));
		for (i = 0; i < ndown; i++)
			r->down[i] = mig_arena_strdup(&g->arena, down[i]);
		r->ndown = ndown;
	}
	push_rev(g, r);
	return 0;
}

int
mig_graph_finish(struct mig_graph *g)
{
	int rc;

	if (g->finished)
		return 0;
	if ((rc = link_revs(g)) != 0)
		return rc;
	if ((rc = topo_sort(g)) != 0)
		return rc;
	g->finished = true;
	return 0;
}

/*
 * Registers branch labels and resolves parent and dependency ids. A depends_on entry may name a
 * branch label, as in Alembic; down_revision must name a revision.
 */
static int
link_revs(struct mig_graph *g)
{
	size_t i, j;

	for (i = 0; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		for (j = 0; j < r->nlabels; j++) {
			char key[REV_LABEL_KEY_MAX];
			struct mig_rev *other;

			if (!rev_label_key(key, r->labels[j]))
				continue;
			other = mig_map_get(&g->by_id, key);
			if (other == r)
				continue;
			if (other != NULL)
				return mig_error_set(MIG_EPARSE,
				    "%s: branch label '%s' is already used by revision '%s'",
				    rev_where(&g->arena, r), r->labels[j], other->id);
			mig_map_put(&g->by_id, mig_arena_strdup(&g->arena, key), r);
		}
	}
	for (i = 0; i < g->nrevs; i++) {
		struct mig_rev *r = g->revs[i];

		r->parents = r->ndown ? mig_arena_alloc(&g->arena, r->ndown * sizeof(*r->parents)) : NULL;
		for (j = 0; j < r->ndown; j++) {
			r->parents[j] = mig_graph_find(g, r->down[j]);
			if (r->parents[j] == NULL)
				return mig_error_set(MIG_ENOTFOUND, "%s: down_revision '%s' not found",
				    rev_where(&g->arena, r), r->down[j]);
		}
		r->deps = r->ndepends ? mig_arena_alloc(&g->arena, r->ndepends * sizeof(*r->deps)) : NULL;
		for (j = 0; j < r->ndepends; j++) {
			char key[REV_LABEL_KEY_MAX];

			r->deps[j] = mig_graph_find(g, r->depends[j]);
			if (r->deps[j] == NULL && rev_label_key(key, r->depends[j]))
				r->deps[j] = mig_map_get(&g->by_id, key);
			if (r->deps[j] == NULL)
				return mig_error_set(MIG_ENOTFOUND, "%s: depends_on '%s' not found",
				    rev_where(&g->arena, r), r->depends[j]);
		}
	}
	return 0;
}

/* The priority of the topological order: (created, id), a missing created first. */
static bool
rev_before(const struct mig_rev *a, const struct mig_rev *b)
{
	int c = strcmp(a->created ? a->created : "", b->created ? b->created : "");

	return c != 0 ? c < 0 : strcmp(a->id, b->id) < 0;
}

static void
heap_push(struct mig_rev **h, size_t *n, struct mig_rev *r)
{
	size_t i = (*n)++;

	while (i > 0 && rev_before(r, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = r;
}

static struct mig_rev *
heap_pop(struct mig_rev **h, size_t *n)
{
	struct mig_rev *top = h[0], *last = h[--(*n)];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && rev_before(h[c + 1], h[c]))
			c++;
		if (!rev_before(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

/*
 * Kahn's algorithm over both edge kinds, then the children lists (down_revision edges only) in
 * graph order and the heads. While sorting, rev->order holds the index in insertion order.
 */
static int
topo_sort(struct mig_graph *g)
{
	size_t n = g->nrevs, i, j, nheap = 0, nout = 0, nheads = 0;
	size_t *indeg = mig_xcalloc(n, sizeof(*indeg));
	size_t *off = mig_xcalloc(n + 1, sizeof(*off));
	size_t *fill = mig_xcalloc(n + 1, sizeof(*fill));
	struct mig_rev **succ, **heap, **sorted;
	size_t nedges = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		g->revs[i]->order = i;
	/* Successor lists in one array (CSR): off[p]..off[p+1] are the revisions that need p. */
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		indeg[i] = r->ndown + r->ndepends;
		nedges += indeg[i];
		for (j = 0; j < r->ndown; j++)
			off[r->parents[j]->order + 1]++;
		for (j = 0; j < r->ndepends; j++)
			off[r->deps[j]->order + 1]++;
	}
	for (i = 0; i < n; i++)
		off[i + 1] += off[i];
	succ = mig_xcalloc(nedges ? nedges : 1, sizeof(*succ));
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];
		size_t p;

		for (j = 0; j < r->ndown; j++) {
			p = r->parents[j]->order;
			succ[off[p] + fill[p]++] = r;
		}
		for (j = 0; j < r->ndepends; j++) {
			p = r->deps[j]->order;
			succ[off[p] + fill[p]++] = r;
		}
	}
	heap = mig_xcalloc(n ? n : 1, sizeof(*heap));
	sorted = mig_xcalloc(n ? n : 1, sizeof(*sorted));
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(heap, &nheap, g->revs[i]);
	while (nheap > 0) {
		struct mig_rev *r = heap_pop(heap, &nheap);
		size_t k = r->order;

		sorted[nout++] = r;
		for (j = off[k]; j < off[k + 1]; j++)
			if (--indeg[succ[j]->order] == 0)
				heap_push(heap, &nheap, succ[j]);
	}
	if (nout < n) {
		rc = report_cycle(g, indeg);
		goto cleanup;
	}

	if (n > 0)
		memcpy(g->revs, sorted, n * sizeof(*sorted));
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		r->order = i;
		r->nchildren = 0;
		fill[i] = 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < g->revs[i]->ndown; j++)
			g->revs[i]->parents[j]->nchildren++;
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		r->children = r->nchildren ?
		    mig_arena_alloc(&g->arena, r->nchildren * sizeof(*r->children)) : NULL;
		if (r->nchildren == 0)
			nheads++;
	}
	/* Filling in graph order leaves every children list in graph order too. */
	for (i = 0; i < n; i++) {
		struct mig_rev *r = g->revs[i];

		for (j = 0; j < r->ndown; j++) {
			struct mig_rev *p = r->parents[j];

			p->children[fill[p->order]++] = r;
		}
	}
	g->heads = nheads ? mig_arena_alloc(&g->arena, nheads * sizeof(*g->heads)) : NULL;
	g->nheads = 0;
	for (i = 0; i < n; i++)
		if (g->revs[i]->nchildren == 0)
			g->heads[g->nheads++] = g->revs[i];

cleanup:
	free(indeg);
	free(off);
	free(fill);
	free(succ);
	free(heap);
	free(sorted);
	return rc;
}

/*
 * Kahn's algorithm stopped early: every revision left has a parent or dependency that is left too,
 * so walking those edges backwards from any of them must come round to a revision already on the
 * walk. The loop found is the cycle that gets named.
 */
static int
report_cycle(struct mig_graph *g, const size_t *indeg)
{
	size_t n = g->nrevs, i, start, len = 0;
	size_t *seen_at = mig_xmalloc(n * sizeof(*seen_at));
	struct mig_rev **path = mig_xmalloc(n * sizeof(*path));
	struct mig_rev *r = NULL;
	struct mig_buf b = MIG_BUF_INIT;

	for (i = 0; i < n; i++)
		seen_at[i] = (size_t)-1;
	for (i = 0; i < n; i++) {
		if (indeg[i] > 0) {
			r = g->revs[i];
			break;
		}
	}
	while (r != NULL && seen_at[r->order] == (size_t)-1) {
		struct mig_rev *next = NULL;

		seen_at[r->order] = len;
		path[len++] = r;
		for (i = 0; next == NULL && i < r->ndown; i++)
			if (indeg[r->parents[i]->order] > 0)
				next = r->parents[i];
		for (i = 0; next == NULL && i < r->ndepends; i++)
			if (indeg[r->deps[i]->order] > 0)
				next = r->deps[i];
		r = next;
	}
	start = r ? seen_at[r->order] : 0;
	rev_list_ids(&b, path + start, len - start);
	mig_error_set(MIG_EPARSE, "cycle between revisions %s", b.ptr);
	mig_buf_release(&b);
	free(seen_at);
	free(path);
	return MIG_EPARSE;
}
