/*
 * util.h — the small pieces every part of libmig uses: the growable string buffer, the error
 * convention, an arena for long-lived structures, file reading and SHA-256 glue.
 *
 * Error convention (libgit2's): fallible functions return 0 or a negative MIG_E* code and record a
 * human-readable message with mig_error_set() where the fault is found. cmd/ reads it back with
 * mig_error_msg() and maps the code to an exit status. The message lives in thread-local storage,
 * the one piece of mutable state libmig keeps outside its structures (see docs/CODE_STYLE.md).
 * libmig never prints and never exits.
 */
#ifndef MIG_UTIL_H
#define MIG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mig_errcode {
	MIG_OK = 0,
	MIG_ERROR = -1,      /* generic failure of an operation (exit 1) */
	MIG_ENOTFOUND = -2,  /* a revision, file or object does not exist (exit 2) */
	MIG_EAMBIGUOUS = -3, /* a spec matches several things (exit 2) */
	MIG_EEXISTS = -4,    /* refusing to overwrite (exit 2) */
	MIG_EPARSE = -5,     /* malformed input: manifest, header, config, URL (exit 2) */
	MIG_EDB = -6,        /* the database refused or failed (exit 1) */
	MIG_EIO = -7,        /* reading or writing a file failed (exit 1) */
	MIG_EUSAGE = -8,     /* a request that makes no sense in this state (exit 2) */
	MIG_ELOCKED = -9,    /* another migrator holds the lock (exit 1) */
	MIG_ECHANGED = -10,  /* an applied revision file was edited afterwards (exit 2) */
	MIG_ENOMEM = -11,
};

#define MIG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Records the message for the error being returned; returns code so callers can `return mig_error_set(...)`. */
int mig_error_set(int code, const char *fmt, ...) MIG_PRINTF(2, 3);
/* Prepends "prefix: " to the current message (to add a file name on the way up). */
void mig_error_prefix(const char *fmt, ...) MIG_PRINTF(1, 2);
const char *mig_error_msg(void);
void mig_error_clear(void);

/* Allocation that aborts on exhaustion: a migration tool has no useful way to continue. */
void *mig_xmalloc(size_t n);
void *mig_xcalloc(size_t n, size_t size);
void *mig_xrealloc(void *p, size_t n);
char *mig_xstrdup(const char *s);
char *mig_xstrndup(const char *s, size_t n);
char *mig_xasprintf(const char *fmt, ...) MIG_PRINTF(1, 2);

/*
 * A growable byte string. Invariant: ptr is never NULL and ptr[len] == '\0' (an empty buffer
 * points at a shared static ""), so a buffer can always be used as a C string.
 * mig_buf_detach() is the only way ownership of the bytes leaves the buffer.
 */
struct mig_buf {
	char *ptr;
	size_t len;
	size_t cap;
};
#define MIG_BUF_INIT { mig_buf_empty, 0, 0 }
extern char mig_buf_empty[];

void mig_buf_init(struct mig_buf *b);
void mig_buf_release(struct mig_buf *b);
void mig_buf_grow(struct mig_buf *b, size_t extra);
void mig_buf_put(struct mig_buf *b, const void *p, size_t n);
void mig_buf_puts(struct mig_buf *b, const char *s);
void mig_buf_putc(struct mig_buf *b, char c);
void mig_buf_printf(struct mig_buf *b, const char *fmt, ...) MIG_PRINTF(2, 3);
void mig_buf_vprintf(struct mig_buf *b, const char *fmt, va_list ap);
void mig_buf_truncate(struct mig_buf *b, size_t len);
#define mig_buf_clear(b) mig_buf_truncate((b), 0)
/* Returns the malloc'd string (never NULL) and leaves b empty. */
char *mig_buf_detach(struct mig_buf *b);

/*
 * An arena: many small allocations freed together. Used by structures that live for a whole
 * command (the revision graph, schema models) so their code needs no per-node frees.
 */
struct mig_arena_block;
struct mig_arena {
	struct mig_arena_block *head;
};
void mig_arena_init(struct mig_arena *a);
void mig_arena_release(struct mig_arena *a);
void *mig_arena_alloc(struct mig_arena *a, size_t n); /* zeroed, aligned for any type */
char *mig_arena_strdup(struct mig_arena *a, const char *s);
char *mig_arena_strndup(struct mig_arena *a, const char *s, size_t n);
char *mig_arena_printf(struct mig_arena *a, const char *fmt, ...) MIG_PRINTF(2, 3);

/* Reads a whole file into out (appending). Refuses files larger than cap bytes (0: no cap). */
int mig_file_read(struct mig_buf *out, const char *path, size_t cap);
/* Writes data to path atomically (temporary file + rename); fails with MIG_EEXISTS if excl and path exists. */
int mig_file_write(const char *path, const char *data, size_t len, bool excl);
bool mig_path_exists(const char *path);
bool mig_path_is_dir(const char *path);
/* The directory part of path ("a/b" -> "a", "b" -> ".", "/b" -> "/"), trailing slashes ignored; malloc'd. */
char *mig_path_dirname(const char *path);
/* "dir/name", malloc'd. */
char *mig_path_join(const char *dir, const char *name);

/* SHA-256 of data as 64 lowercase hex characters plus NUL (OpenSSL's EVP interface). */
#define MIG_SHA256_HEX 65
void mig_sha256_hex(char out[MIG_SHA256_HEX], const void *data, size_t len);

/* Monotonic clock in milliseconds, for progress timings. */
double mig_now_ms(void);
/* Current UTC time as 2026-11-21T10:00:00Z. */
void mig_utc_now(char out[32]);

/* String helpers. */
bool mig_str_startswith(const char *s, const char *prefix);
bool mig_str_endswith(const char *s, const char *suffix);
/* Parses a non-negative decimal integer that fits an int; false on anything else. */
bool mig_parse_uint(const char *s, int *out);

/*
 * An open-addressing hash map from string keys to pointers. Keys are borrowed (they must outlive
 * the map, typically arena strings). Used for id lookups so that graph and schema work stays linear.
 */
struct mig_map {
	const char **keys;
	void **vals;
	size_t cap;
	size_t len;
};
void mig_map_init(struct mig_map *m);
void mig_map_release(struct mig_map *m);
/* Returns the previous value for key, or NULL. */
void *mig_map_put(struct mig_map *m, const char *key, void *val);
void *mig_map_get(const struct mig_map *m, const char *key);
/* Makes room for n entries, so that filling the map up to n never grows it (and rehashes every key). */
void mig_map_reserve(struct mig_map *m, size_t n);

#endif
