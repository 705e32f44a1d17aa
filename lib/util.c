/*
 * util.c — buffers, errors, the arena, the string map, file and clock helpers (see util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

char mig_buf_empty[1];

/* The last error's message: libgit2's thread-local convention, the only mutable state in libmig. */
static _Thread_local char err_msg[4096];

int
mig_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	return code;
}

void
mig_error_prefix(const char *fmt, ...)
{
	char prefix[1024], old[sizeof(err_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err_msg, sizeof(old));
	/* Truncation is acceptable for a message; build it with explicit bounds. */
	{
		size_t n = strlen(prefix);

		if (n > sizeof(err_msg) - 3)
			n = sizeof(err_msg) - 3;
		memcpy(err_msg, prefix, n);
		memcpy(err_msg + n, ": ", 2);
		n += 2;
		strncpy(err_msg + n, old, sizeof(err_msg) - n - 1);
		err_msg[sizeof(err_msg) - 1] = '\0';
	}
}

const char *
mig_error_msg(void)
{
	return err_msg[0] ? err_msg : "unknown error";
}

void
mig_error_clear(void)
{
	err_msg[0] = '\0';
}

static void
oom(void)
{
	fputs("mig: error: out of memory\n", stderr);
	abort();
}

void *
mig_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
mig_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
mig_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
mig_xstrdup(const char *s)
{
	return mig_xstrndup(s, strlen(s));
}

char *
mig_xstrndup(const char *s, size_t n)
{
	char *p = mig_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mig_xasprintf(const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return mig_buf_detach(&b);
}

void
mig_buf_init(struct mig_buf *b)
{
	b->ptr = mig_buf_empty;
	b->len = b->cap = 0;
}

void
mig_buf_release(struct mig_buf *b)
{
	if (b->cap)
		free(b->ptr);
	mig_buf_init(b);
}

void
mig_buf_grow(struct mig_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1, cap;

	if (want <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	if (b->cap) {
		b->ptr = mig_xrealloc(b->ptr, cap);
	} else {
		b->ptr = mig_xmalloc(cap);
		b->ptr[0] = '\0';
	}
	b->cap = cap;
}

void
mig_buf_put(struct mig_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	mig_buf_grow(b, n);
	memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void
mig_buf_puts(struct mig_buf *b, const char *s)
{
	mig_buf_put(b, s, strlen(s));
}

void
mig_buf_putc(struct mig_buf *b, char c)
{
	mig_buf_put(b, &c, 1);
}

void
mig_buf_vprintf(struct mig_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	mig_buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
mig_buf_printf(struct mig_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mig_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
mig_buf_truncate(struct mig_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

char *
mig_buf_detach(struct mig_buf *b)
{
	char *p = b->cap ? b->ptr : mig_xstrdup("");

	mig_buf_init(b);
	return p;
}

/*
 * Arena blocks are chained. The first block is small and each new one doubles, up to
 * ARENA_BLOCK_MAX: a schema holds thousands of small arenas (one per parsed CREATE TABLE) and a
 * graph one big one, and both should cost what they hold. Big requests get a block of their own.
 */
struct mig_arena_block {
	struct mig_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_BLOCK_MIN 1024
#define ARENA_BLOCK_MAX (64 * 1024)

void
mig_arena_init(struct mig_arena *a)
{
	a->head = NULL;
}

void
mig_arena_release(struct mig_arena *a)
{
	struct mig_arena_block *b, *next;

	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

/*
 * n bytes from the current block at a multiple of align (a power of two), starting a new block
 * when they do not fit. Strings are packed byte to byte (align 1): a model holds hundreds of
 * thousands of short names, and rounding each to 16 bytes would double their memory.
 */
static void *
arena_take(struct mig_arena *a, size_t n, size_t align)
{
	struct mig_arena_block *b = a->head;
	size_t at = b == NULL ? 0 : (b->used + align - 1) & ~(align - 1);
	void *p;

	if (b == NULL || at > b->size || b->size - at < n) {
		size_t next = b == NULL ? ARENA_BLOCK_MIN : b->size < ARENA_BLOCK_MAX ? b->size * 2 : ARENA_BLOCK_MAX;
		bool own = n > next / 4;
		size_t size = own ? n : next;

		b = mig_xmalloc(sizeof(*b) + size);
		b->used = 0;
		b->size = size;
		/* A big private block goes second so the current block keeps filling up. */
		if (own && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		at = 0;
	}
	p = (char *)b->data + at;
	b->used = at + n;
	return p;
}

void *
mig_arena_alloc(struct mig_arena *a, size_t n)
{
	void *p = arena_take(a, n ? n : 1, sizeof(max_align_t));

	memset(p, 0, n ? n : 1);
	return p;
}

char *
mig_arena_strndup(struct mig_arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mig_arena_strdup(struct mig_arena *a, const char *s)
{
	return s ? mig_arena_strndup(a, s, strlen(s)) : NULL;
}

char *
mig_arena_printf(struct mig_arena *a, const char *fmt, ...)
{
	struct mig_buf b = MIG_BUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	mig_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p = mig_arena_strndup(a, b.ptr, b.len);
	mig_buf_release(&b);
	return p;
}

int
mig_file_read(struct mig_buf *out, const char *path, size_t cap)
{
	char chunk[65536];
	size_t n, total = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return mig_error_set(errno == ENOENT ? MIG_ENOTFOUND : MIG_EIO,
		    "%s: cannot read: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		total += n;
		if (cap && total > cap) {
			fclose(f);
			return mig_error_set(MIG_EPARSE, "%s: file is larger than %zu bytes", path, cap);
		}
		mig_buf_put(out, chunk, n);
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		return mig_error_set(MIG_EIO, "%s: read error: %s", path, strerror(e));
	}
	fclose(f);
	return 0;
}

int
mig_file_write(const char *path, const char *data, size_t len, bool excl)
{
	char *tmp;
	FILE *f;
	int rc = 0;
	bool bad;

	if (excl && mig_path_exists(path))
		return mig_error_set(MIG_EEXISTS, "%s: already exists", path);
	tmp = mig_xasprintf("%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (f == NULL) {
		rc = mig_error_set(MIG_EIO, "%s: cannot write: %s", path, strerror(errno));
		goto cleanup;
	}
	bad = len && fwrite(data, 1, len, f) != len;
	bad = fflush(f) != 0 || bad;
	bad = fsync(fileno(f)) != 0 || bad;
	if (bad) {
		rc = mig_error_set(MIG_EIO, "%s: write error: %s", path, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto cleanup;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		rc = mig_error_set(MIG_EIO, "%s: write error: %s", path, strerror(errno));
		unlink(tmp);
	}
cleanup:
	free(tmp);
	return rc;
}

bool
mig_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool
mig_path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
mig_path_dirname(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return mig_xstrdup(".");
	while (n > 1 && path[n - 1] == '/')
		n--;
	return mig_xstrndup(path, n);
}

char *
mig_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n == 0 || name[0] == '/')
		return mig_xstrdup(name);
	return mig_xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

void
mig_sha256_hex(char out[MIG_SHA256_HEX], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		abort(); /* SHA-256 cannot fail short of a broken libcrypto */
	for (i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

double
mig_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
mig_utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool
mig_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
mig_str_endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool
mig_parse_uint(const char *s, int *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 1000000000L)
			return false;
	}
	*out = (int)v;
	return true;
}

/* FNV-1a: short keys, good enough spread, no dependency. */
static size_t
map_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

void
mig_map_init(struct mig_map *m)
{
	memset(m, 0, sizeof(*m));
}

void
mig_map_release(struct mig_map *m)
{
	free(m->keys);
	free(m->vals);
	mig_map_init(m);
}

static void
map_resize(struct mig_map *m, size_t cap)
{
	struct mig_map n = { mig_xcalloc(cap, sizeof(char *)), mig_xcalloc(cap, sizeof(void *)), cap, 0 };
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			mig_map_put(&n, m->keys[i], m->vals[i]);
	mig_map_release(m);
	*m = n;
}

void
mig_map_reserve(struct mig_map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;

	if (n == 0)
		return;
	/* mig_map_put() grows once the map would be more than half full. */
	while (cap < 2 * n)
		cap *= 2;
	if (cap > m->cap)
		map_resize(m, cap);
}

void *
mig_map_put(struct mig_map *m, const char *key, void *val)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		map_resize(m, m->cap ? m->cap * 2 : 16);
	for (i = map_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == NULL) {
			m->keys[i] = key;
			m->vals[i] = val;
			m->len++;
			return NULL;
		}
		if (strcmp(m->keys[i], key) == 0) {
			void *old = m->vals[i];

			m->vals[i] = val;
			return old;
		}
	}
}

void *
mig_map_get(const struct mig_map *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = map_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}
