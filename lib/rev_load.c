/*
 * rev_load.c — reading a versions directory into the graph.
 *
 * Loading must stay fast for large projects: 10,000 revisions within the 50 ms budget of
 * `mig history`. Each file is read only until its header ends, through openat() on the directory.
 * Past that, the cost is the kernel's: listing the directory and opening 20,000 files. So the
 * work is spread: while the calling thread lists the directory, loader threads (once the directory
 * proves big enough to be worth them) open, read and parse the files it has listed so far, each
 * into an arena of its own that the graph then keeps. Files are paired by a map on their name
 * stem, never by sorting. Directory order differs between file systems and threads finish in any
 * order, so of several faults the one reported is the first in name order: messages are the same
 * on every machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rev.h"
#include "rev_internal.h"

#define READ_FIRST 512     /* most headers fit: copying a whole page per file shows up */
#define READ_CHUNK 4096
#define BATCH 64           /* files per unit of work */
#define THREADED_MIN 512   /* files listed before helper threads are worth starting */
#define LOADERS_MAX 8      /* the calling thread included */

/* One revision file: named by the directory reader, then loaded by one loader. */
struct file {
	const char *name;
	bool up;
	const char *path;     /* the loader's result from here on, in its arena */
	struct mig_rev *rev;  /* up file: its header */
	const char *id;       /* down file: the revision it names */
	int rc;
	char *msg;            /* malloc'd: error messages are thread-local, the loader keeps a copy */
};

struct batch {
	struct batch *next;   /* in the queue */
	size_t n;
	struct file files[BATCH];
};

/* The directory reader appends batches while loaders take them. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct batch *head, *tail;
	bool closed;
	const char *dir;
	int dfd;
};

struct loader {
	struct queue *q;
	struct mig_arena *arena;
	pthread_t tid;
};

/* The two files of a revision, by the stem of their names. */
struct pair {
	const char *stem;
	struct file *up, *down;
};

enum fault { FAULT_NONE, FAULT_NO_DOWN, FAULT_NO_UP, FAULT_FILE, FAULT_MISMATCH, FAULT_DUPLICATE };

/* The fault to report: the first in name order. */
struct worst {
	enum fault kind;
	const char *key;
	const struct pair *pair;
	const struct file *file;
	const struct mig_rev *other;
};

static int read_header(struct mig_buf *b, int dfd, const char *name, const char *path);
static const char *join(struct mig_arena *a, const char *dir, const char *name);
static void load_file(struct queue *q, struct file *f, struct mig_arena *arena, struct mig_buf *buf);
static void *loader_main(void *arg);
static void queue_push(struct queue *q, struct batch *b);
static size_t start_loaders(struct mig_graph *g, struct queue *q, struct loader *ld);
static void note_fault(struct worst *w, enum fault kind, const char *key, const struct pair *p,
    const struct file *f, const struct mig_rev *other);
static int report_fault(const struct worst *w, struct mig_arena *scratch);
static int check_pairs(struct mig_graph *g, const char *dir, const struct pair *pairs, size_t n,
    struct mig_arena *scratch);

/* Reads dfd/name into b until its header region has ended, not further. */
static int
read_header(struct mig_buf *b, int dfd, const char *name, const char *path)
{
	struct rev_scan sc = { 0, 0, false, false };
	int fd, rc = 0;

	mig_buf_clear(b);
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mig_error_set(errno == ENOENT ? MIG_ENOTFOUND : MIG_EIO, "%s: cannot read: %s",
		    path, strerror(errno));
	while (!sc.done) {
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

/* Runs on loader threads: touches nothing shared but its own file and arena. */
static void
load_file(struct queue *q, struct file *f, struct mig_arena *arena, struct mig_buf *buf)
{
	struct mig_rev check, *r;
	int rc;

	f->path = join(arena, q->dir, f->name);
	/*
	 * A down file is paired by name only: its `-- mig:revision` line is checked when it is read
	 * for a run (mig_rev_check_down), which halves the files `history` or `heads` open.
	 */
	if (!f->up)
		return;
	rc = read_header(buf, q->dfd, f->name, f->path);
	if (rc == 0 && f->up) {
		r = mig_arena_alloc(arena, sizeof(*r));
		rc = mig_rev_parse_header(r, arena, buf->ptr, buf->len, f->path, NULL);
		if (rc == 0) {
			r->up_path = f->path;
			f->rev = r;
		}
	} else if (rc == 0) {
		rc = mig_rev_parse_header(&check, arena, buf->ptr, buf->len, f->path, NULL);
		if (rc == 0)
			f->id = check.id;
	}
	if (rc != 0) {
		f->rc = rc;
		f->msg = mig_xstrdup(mig_error_msg());
	}
}

static void *
loader_main(void *arg)
{
	struct loader *ld = arg;
	struct queue *q = ld->q;
	struct mig_buf buf = MIG_BUF_INIT;

	for (;;) {
		struct batch *b;
		size_t i;

		pthread_mutex_lock(&q->lock);
		while (q->head == NULL && !q->closed)
			pthread_cond_wait(&q->more, &q->lock);
		b = q->head;
		if (b != NULL && (q->head = b->next) == NULL)
			q->tail = NULL;
		pthread_mutex_unlock(&q->lock);
		if (b == NULL)
			break;
		for (i = 0; i < b->n; i++)
			load_file(q, &b->files[i], ld->arena, &buf);
	}
	mig_buf_release(&buf);
	return NULL;
}

static void
queue_push(struct queue *q, struct batch *b)
{
	pthread_mutex_lock(&q->lock);
	b->next = NULL;
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

/*
 * Starts helper loaders (one per processor, the calling thread being one of them) and returns
 * how many started. A thread that cannot be started only leaves more work to the others.
 */
static size_t
start_loaders(struct mig_graph *g, struct queue *q, struct loader *ld)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = ncpu > 1 ? (size_t)ncpu : 1, n = 0, i;

	if (want > LOADERS_MAX)
		want = LOADERS_MAX;
	for (i = 1; i < want; i++) {
		ld[n + 1].q = q;
		ld[n + 1].arena = rev_graph_new_arena(g);
		if (pthread_create(&ld[n + 1].tid, NULL, loader_main, &ld[n + 1]) == 0)
			n++;
	}
	return n;
}

int
mig_graph_add_dir(struct mig_graph *g, const char *versions_dir)
{
	struct loader ld[LOADERS_MAX];
	struct mig_arena scratch;
	struct mig_map by_stem;
	struct queue q;
	struct batch **all = NULL, *cur;
	struct pair *pairs = NULL;
	size_t nall = 0, capall = 0, npairs = 0, cappairs = 0, nfiles = 0, nhelpers = 0, i, j;
	bool started = false;
	struct dirent *de;
	DIR *d;
	int rc = 0, list_errno;

	if (g->finished)
		return mig_error_set(MIG_EUSAGE, "the revision graph is already finished");
	d = opendir(versions_dir);
	if (d == NULL)
		return mig_error_set(errno == ENOENT ? MIG_ENOTFOUND : MIG_EIO,
		    "%s: cannot open directory: %s", versions_dir, strerror(errno));
	if (g->dir == NULL)
		g->dir = mig_arena_strdup(&g->arena, versions_dir);
	mig_arena_init(&scratch);
	mig_map_init(&by_stem);
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.more, NULL);
	q.dir = versions_dir;
	q.dfd = dirfd(d);
	ld[0].q = &q;
	ld[0].arena = rev_graph_new_arena(g);

	cur = mig_xmalloc(sizeof(*cur));
	cur->n = 0;
	for (;;) {
		size_t len, stemlen, idx;
		struct file *f;
		char *stem;
		bool up;

		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		len = strlen(de->d_name);
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
		f = &cur->files[cur->n++];
		memset(f, 0, sizeof(*f));
		f->name = mig_arena_strndup(&scratch, de->d_name, len);
		f->up = up;

		/* The map holds index + 1 into pairs, which moves as it grows. */
		stem = mig_arena_strndup(&scratch, de->d_name, stemlen);
		idx = (size_t)(uintptr_t)mig_map_get(&by_stem, stem);
		if (idx == 0) {
			if (npairs == cappairs) {
				cappairs = cappairs ? cappairs * 2 : 256;
				pairs = mig_xrealloc(pairs, cappairs * sizeof(*pairs));
			}
			memset(&pairs[npairs], 0, sizeof(*pairs));
			pairs[npairs].stem = stem;
			mig_map_put(&by_stem, stem, (void *)(uintptr_t)(npairs + 1));
			idx = ++npairs;
		}
		if (up)
			pairs[idx - 1].up = f;
		else
			pairs[idx - 1].down = f;

		if (cur->n == BATCH) {
			if (nall == capall) {
				capall = capall ? capall * 2 : 64;
				all = mig_xrealloc(all, capall * sizeof(*all));
			}
			all[nall++] = cur;
			queue_push(&q, cur);
			cur = mig_xmalloc(sizeof(*cur));
			cur->n = 0;
		}
		if (!started && ++nfiles >= THREADED_MIN) {
			nhelpers = start_loaders(g, &q, ld);
			started = true;
		}
	}
	list_errno = errno;
	if (cur->n > 0) {
		if (nall == capall) {
			capall = capall ? capall * 2 : 64;
			all = mig_xrealloc(all, capall * sizeof(*all));
		}
		all[nall++] = cur;
		queue_push(&q, cur);
	} else {
		free(cur);
	}
	pthread_mutex_lock(&q.lock);
	q.closed = true;
	pthread_cond_broadcast(&q.more);
	pthread_mutex_unlock(&q.lock);
	loader_main(&ld[0]);
	for (i = 0; i < nhelpers; i++)
		pthread_join(ld[i + 1].tid, NULL);

	if (list_errno != 0)
		rc = mig_error_set(MIG_EIO, "%s: cannot list directory: %s", versions_dir,
		    strerror(list_errno));
	else
		rc = check_pairs(g, versions_dir, pairs, npairs, &scratch);

	closedir(d);
	for (i = 0; i < nall; i++) {
		for (j = 0; j < all[i]->n; j++)
			free(all[i]->files[j].msg);
		free(all[i]);
	}
	free(all);
	free(pairs);
	mig_map_release(&by_stem);
	pthread_mutex_destroy(&q.lock);
	pthread_cond_destroy(&q.more);
	mig_arena_release(&scratch);
	return rc;
}

static void
note_fault(struct worst *w, enum fault kind, const char *key, const struct pair *p,
    const struct file *f, const struct mig_rev *other)
{
	if (w->kind != FAULT_NONE && strcmp(key, w->key) >= 0)
		return;
	w->kind = kind;
	w->key = key;
	w->pair = p;
	w->file = f;
	w->other = other;
}

/* Adds every sound pair's revision to the graph; reports the first fault in name order. */
static int
check_pairs(struct mig_graph *g, const char *dir, const struct pair *pairs, size_t n,
    struct mig_arena *scratch)
{
	struct worst w = { FAULT_NONE, NULL, NULL, NULL, NULL };
	size_t i;

	for (i = 0; i < n; i++) {
		const struct pair *p = &pairs[i];
		struct mig_rev *other;

		if (p->down == NULL) {
			note_fault(&w, FAULT_NO_DOWN, join(scratch, dir, p->up->name), p, p->up, NULL);
		} else if (p->up == NULL) {
			note_fault(&w, FAULT_NO_UP, join(scratch, dir, p->down->name), p, p->down, NULL);
		} else if (p->up->rc != 0) {
			note_fault(&w, FAULT_FILE, p->up->path, p, p->up, NULL);
		} else if (p->down->rc != 0) {
			note_fault(&w, FAULT_FILE, p->down->path, p, p->down, NULL);
		} else if (p->down->id != NULL && strcmp(p->down->id, p->up->rev->id) != 0) {
			note_fault(&w, FAULT_MISMATCH, p->down->path, p, p->down, NULL);
		} else if ((other = mig_map_get(&g->by_id, p->up->rev->id)) != NULL) {
			/* A duplicate is charged to the later of the two files. */
			const char *key = p->up->path;

			if (other->up_path && strcmp(other->up_path, key) > 0)
				key = other->up_path;
			note_fault(&w, FAULT_DUPLICATE, key, p, p->up, other);
		} else {
			p->up->rev->down_path = p->down->path;
			rev_graph_push(g, p->up->rev);
		}
	}
	return report_fault(&w, scratch);
}

static int
report_fault(const struct worst *w, struct mig_arena *scratch)
{
	const struct pair *p = w->pair;
	const char *a, *b;

	switch (w->kind) {
	case FAULT_NONE:
		return 0;
	case FAULT_NO_DOWN:
		return mig_error_set(MIG_EPARSE, "%s: up file without its down file '%s.down.sql'",
		    w->key, p->stem);
	case FAULT_NO_UP:
		return mig_error_set(MIG_EPARSE, "%s: down file without its up file '%s.up.sql'",
		    w->key, p->stem);
	case FAULT_FILE:
		return mig_error_set(w->file->rc, "%s", w->file->msg);
	case FAULT_MISMATCH:
		return mig_error_set(MIG_EPARSE,
		    "%s: '-- mig:revision %s' does not match revision '%s' of %s", p->down->path,
		    p->down->id, p->up->rev->id, p->up->path);
	case FAULT_DUPLICATE:
		a = w->other->up_path;
		b = p->up->path;
		if (a != NULL && strcmp(a, b) > 0) {
			a = b;
			b = w->other->up_path;
		}
		return mig_error_set(MIG_EPARSE, "%s: duplicate revision id '%s' (also in %s)", b,
		    w->other->id, a ? a : rev_where(scratch, w->other));
	}
	return 0;
}
