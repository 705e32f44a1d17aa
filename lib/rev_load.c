/*
 * rev_load.c — reading a versions directory into the graph.
 *
 * Loading must stay fast for large projects: 10,000 revisions within the 50 ms budget of
 * `mig history`. Each up file is read only until its header ends, through openat() on the
 * directory; a down file is paired by name and not opened (mig_rev_check_down() checks it when a
 * run reads it). Past that, the cost is the kernel's: listing the directory and opening 10,000
 * files. So the work is spread: while the calling thread lists the directory, loader threads
 * (once the directory proves big enough to be worth them) open, read and parse the up files it
 * has listed so far, each into an arena of its own that the graph then keeps.
 *
 * The listing does as little as it can per entry, since the loaders wait on it: one allocation
 * (the file's path, which the graph keeps as up_path or down_path, its name being the path's
 * tail) and one probe of a table of name stems that pairs the two files of a revision, never
 * sorting. Memory is kept small too: every fresh page costs a page fault. Directory order
 * differs between file systems and threads finish in any order, so of several faults the one
 * reported is the first in name order: messages are the same on every machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rev.h"
#include "rev_internal.h"

#define READ_FIRST 512     /* most headers fit: copying a whole page per file shows up */
#define READ_CHUNK 4096
#define BATCH 64           /* up files per unit of work */
#define THREADED_MIN 256   /* up files listed before helper threads are worth starting */
#define LOADERS_MAX 8      /* the calling thread included */
#define STEMS_MIN 256      /* sizes of the stem table before it grows (powers of two) */
#define STEMS_MAX 65536

/*
 * The two files of a revision, by the stem of their names. The lister fills the paths; one
 * loader then fills rev, rc and msg from the up file, while the lister may still be setting
 * down_path (another field: no race).
 */
struct pair {
	struct pair *next;     /* listing order */
	const char *stem;      /* the name of the first file listed, stemlen bytes of it */
	size_t stemlen;
	const char *up_path;   /* NULL: not listed */
	const char *down_path;
	struct mig_rev *rev;   /* the up file's header */
	int rc;
	char *msg;             /* malloc'd: error messages are thread-local, the loader keeps a copy */
};

/*
 * Open addressing over pairs, by stem. A slot keeps the hash beside the pair, so that probing and
 * growing touch the slots only: pairs are scattered over the arena, and fetching one per probe
 * costs a cache miss each.
 */
struct slot {
	uint64_t hash;
	struct pair *pair;
};
struct stems {
	struct slot *slots;
	size_t cap, len;
};

struct batch {
	struct batch *next;    /* in the queue */
	size_t n;
	struct pair *pairs[BATCH];
};

/* The directory reader appends batches while loaders take them. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct batch *head, *tail;
	bool closed;
	int dfd;
	size_t name_off;      /* where a file's name starts in its path */
};

struct loader {
	struct queue *q;
	struct mig_arena *arena;
	pthread_t tid;
};

enum fault { FAULT_NONE, FAULT_NO_DOWN, FAULT_NO_UP, FAULT_FILE, FAULT_DUPLICATE };

/* The fault to report: the first in name order. */
struct worst {
	enum fault kind;
	const char *key;
	const struct pair *pair;
	const struct mig_rev *other;
};

static uint64_t stem_hash(const char *s, size_t n);
static void stems_init(struct stems *t, int dfd);
static struct pair *stem_pair(struct stems *t, struct mig_arena *scratch, const char *stem, size_t n,
    struct pair ***tail);
static int read_header(struct mig_buf *b, size_t *end, int dfd, const char *name, const char *path);
static void load_pair(struct queue *q, struct pair *p, struct mig_arena *arena, struct mig_buf *buf);
static void *loader_main(void *arg);
static void queue_push(struct queue *q, struct batch *b);
static size_t start_loaders(struct mig_graph *g, struct queue *q, struct loader *ld);
static void note_fault(struct worst *w, enum fault kind, const char *key, const struct pair *p,
    const struct mig_rev *other);
static int report_fault(const struct worst *w, struct mig_arena *scratch);
static int check_pairs(struct mig_graph *g, struct pair *pairs, size_t n, struct mig_arena *scratch);

/* Eight bytes at a time: stems are 20 to 60 bytes, and this runs twice per revision on one thread. */
static uint64_t
stem_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/*
 * Sizes the table for the directory, two entries (up and down) per pair: on tmpfs a directory's
 * size is 20 bytes per entry, elsewhere it counts the blocks, which hold an entry per 20 bytes or
 * more. A good guess saves growing the table, and a bad one costs little.
 */
static void
stems_init(struct stems *t, int dfd)
{
	struct stat st;
	size_t want = STEMS_MIN;

	if (fstat(dfd, &st) == 0 && st.st_size > 0)
		while (want < STEMS_MAX && want * 40 < (size_t)st.st_size)
			want *= 2;
	t->slots = mig_xcalloc(want, sizeof(*t->slots));
	t->cap = want;
	t->len = 0;
}

/* The pair of stem, added (at *tail, in listing order) when it is new. */
static struct pair *
stem_pair(struct stems *t, struct mig_arena *scratch, const char *stem, size_t n, struct pair ***tail)
{
	uint64_t h = stem_hash(stem, n);
	struct slot *sl;
	struct pair *p;
	size_t i, mask;

	/* At most three quarters full: the hash spreads well, and the table stays small. */
	if ((t->len + 1) * 4 > t->cap * 3) {
		size_t cap = t->cap * 2, j;
		struct slot *slots = mig_xcalloc(cap, sizeof(*slots));

		for (j = 0; j < t->cap; j++) {
			if (t->slots[j].pair == NULL)
				continue;
			for (i = t->slots[j].hash & (cap - 1); slots[i].pair; i = (i + 1) & (cap - 1))
				;
			slots[i] = t->slots[j];
		}
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	mask = t->cap - 1;
	for (i = h & mask; (sl = &t->slots[i])->pair != NULL; i = (i + 1) & mask) {
		p = sl->pair;
		if (sl->hash == h && p->stemlen == n && memcmp(p->stem, stem, n) == 0)
			return p;
	}
	p = mig_arena_alloc(scratch, sizeof(*p));
	p->stem = stem;
	p->stemlen = n;
	sl->hash = h;
	sl->pair = p;
	t->len++;
	**tail = p;
	*tail = &p->next;
	return p;
}

/*
 * Reads dfd/name into b until its header region has ended, not further; *end is where the header
 * ends (after its last `-- mig:` line), as rev_header_scan() found it.
 */
static int
read_header(struct mig_buf *b, size_t *end, int dfd, const char *name, const char *path)
{
	struct rev_scan sc = { 0, 0, false, false };
	int fd, rc = 0;

	mig_buf_clear(b);
	*end = 0;
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
	*end = sc.end;
	return rc;
}

/* Runs on loader threads: touches nothing shared but its own pair's results and arena. */
static void
load_pair(struct queue *q, struct pair *p, struct mig_arena *arena, struct mig_buf *buf)
{
	struct mig_rev *r;
	size_t end;
	int rc;

	rc = read_header(buf, &end, q->dfd, p->up_path + q->name_off, p->up_path);
	if (rc == 0) {
		/*
		 * The parser is given the header alone: the scan has applied its rules already,
		 * and the lines after it (a comment, the first statement) need not be seen twice.
		 */
		r = mig_arena_alloc(arena, sizeof(*r));
		rc = mig_rev_parse_header(r, arena, buf->ptr, end, p->up_path, NULL);
		if (rc == 0) {
			r->up_path = p->up_path;
			p->rev = r;
		}
	}
	if (rc != 0) {
		p->rc = rc;
		p->msg = mig_xstrdup(mig_error_msg());
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
			load_pair(q, b->pairs[i], ld->arena, &buf);
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
	cpu_set_t set;
	long ncpu;
	size_t want, n = 0, i;

	/* The processors this process may run on (taskset, a container's quota), not the machine's. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		ncpu = CPU_COUNT(&set);
	else
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	want = ncpu > 1 ? (size_t)ncpu : 1;

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
	struct mig_arena scratch, *paths;
	struct stems stems;
	struct mig_buf pathbuf = MIG_BUF_INIT;
	struct pair *pairs = NULL, **tail = &pairs;
	struct queue q;
	struct batch *cur;
	size_t nup = 0, nhelpers = 0, dirlen, name_off, i;
	bool started = false, slash;
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
	dirlen = strlen(versions_dir);
	slash = dirlen > 0 && versions_dir[dirlen - 1] != '/';
	name_off = dirlen + slash;
	mig_buf_put(&pathbuf, versions_dir, dirlen);
	if (slash)
		mig_buf_putc(&pathbuf, '/');
	mig_arena_init(&scratch);
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.more, NULL);
	q.dfd = dirfd(d);
	q.name_off = name_off;
	ld[0].q = &q;
	ld[0].arena = paths = rev_graph_new_arena(g);
	stems_init(&stems, q.dfd);

	cur = mig_arena_alloc(&scratch, sizeof(*cur));
	for (;;) {
		size_t len, stemlen;
		struct pair *p;
		char *path;
		bool up;

		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		len = strlen(de->d_name);
		if (len > 7 && memcmp(de->d_name + len - 7, ".up.sql", 7) == 0) {
			stemlen = len - 7;
			up = true;
		} else if (len > 9 && memcmp(de->d_name + len - 9, ".down.sql", 9) == 0) {
			stemlen = len - 9;
			up = false;
		} else {
			continue;
		}
		/*
		 * The path the graph keeps, whose tail is the name (readdir's buffer is reused),
		 * packed in the arena as strings are.
		 */
		mig_buf_truncate(&pathbuf, name_off);
		mig_buf_put(&pathbuf, de->d_name, len);
		path = mig_arena_strndup(paths, pathbuf.ptr, pathbuf.len);
		p = stem_pair(&stems, &scratch, path + name_off, stemlen, &tail);
		if (!up) {
			p->down_path = path;
			continue;
		}
		p->up_path = path;
		cur->pairs[cur->n++] = p;
		if (cur->n == BATCH) {
			queue_push(&q, cur);
			cur = mig_arena_alloc(&scratch, sizeof(*cur));
		}
		if (!started && ++nup >= THREADED_MIN) {
			nhelpers = start_loaders(g, &q, ld);
			started = true;
		}
	}
	list_errno = errno;
	if (cur->n > 0)
		queue_push(&q, cur);
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
		rc = check_pairs(g, pairs, stems.len, &scratch);

	closedir(d);
	for (; pairs != NULL; pairs = pairs->next)
		free(pairs->msg);
	free(stems.slots);
	mig_buf_release(&pathbuf);
	pthread_mutex_destroy(&q.lock);
	pthread_cond_destroy(&q.more);
	mig_arena_release(&scratch);
	return rc;
}

static void
note_fault(struct worst *w, enum fault kind, const char *key, const struct pair *p,
    const struct mig_rev *other)
{
	if (w->kind != FAULT_NONE && strcmp(key, w->key) >= 0)
		return;
	w->kind = kind;
	w->key = key;
	w->pair = p;
	w->other = other;
}

/* Adds every sound pair's revision to the graph (n of them at most); reports the first fault in name order. */
static int
check_pairs(struct mig_graph *g, struct pair *pairs, size_t n, struct mig_arena *scratch)
{
	struct worst w = { FAULT_NONE, NULL, NULL, NULL };
	struct pair *p;

	mig_map_reserve(&g->by_id, g->by_id.len + n);
	for (p = pairs; p != NULL; p = p->next) {
		struct mig_rev *other;

		if (p->down_path == NULL) {
			note_fault(&w, FAULT_NO_DOWN, p->up_path, p, NULL);
		} else if (p->up_path == NULL) {
			note_fault(&w, FAULT_NO_UP, p->down_path, p, NULL);
		} else if (p->rc != 0) {
			note_fault(&w, FAULT_FILE, p->up_path, p, NULL);
		} else {
			p->rev->down_path = p->down_path;
			if ((other = rev_graph_push(g, p->rev)) != NULL) {
				/* A duplicate is charged to the later of the two files. */
				const char *key = p->up_path;

				if (other->up_path && strcmp(other->up_path, key) > 0)
					key = other->up_path;
				note_fault(&w, FAULT_DUPLICATE, key, p, other);
			}
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
		return mig_error_set(MIG_EPARSE, "%s: up file without its down file '%.*s.down.sql'",
		    w->key, (int)p->stemlen, p->stem);
	case FAULT_NO_UP:
		return mig_error_set(MIG_EPARSE, "%s: down file without its up file '%.*s.up.sql'",
		    w->key, (int)p->stemlen, p->stem);
	case FAULT_FILE:
		return mig_error_set(p->rc, "%s", p->msg);
	case FAULT_DUPLICATE:
		a = w->other->up_path;
		b = p->up_path;
		if (a != NULL && strcmp(a, b) > 0) {
			a = b;
			b = w->other->up_path;
		}
		return mig_error_set(MIG_EPARSE, "%s: duplicate revision id '%s' (also in %s)", b,
		    w->other->id, a ? a : rev_where(scratch, w->other));
	}
	return 0;
}
