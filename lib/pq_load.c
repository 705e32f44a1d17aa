/*
 * pq_load.c — loads libpq on the first PostgreSQL connection and fills the table of its functions
 * that lib/db_pg*.c call through (see pq_load.h for why mig does not link libpq).
 *
 * The library is opened RTLD_NOW, so that a libpq too old for one of our functions fails here,
 * with its name, rather than in the middle of a migration, and RTLD_LOCAL, so that its symbols
 * (and those of the libraries it pulls in) stay out of the global namespace. The table is filled
 * into a local copy and published whole only when every function resolved: mig_pq is either all
 * NULL or complete. The library is never closed: libpq and OpenSSL register exit handlers, and a
 * process that connected once may connect again.
 *
 * pthread_once() makes the load happen once even when threads open databases at the same time;
 * its outcome is kept, so that every later caller gets the same answer, with the message set in
 * its own thread (the error message is thread-local).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MIG_PQ_LOADER
#include "pq_load.h"
#include "util.h"

/* libpq's soname since PostgreSQL 8.2: its ABI only grows. */
#define LIBPQ_SONAME "libpq.so.5"

struct mig_pq_funcs mig_pq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool load_failed;
static bool load_from_env;      /* the name came from MIG_LIBPQ */
static char load_error[1024];   /* what the dynamic loader said, when load_failed */

static void load(void);
static void fail(const char *name);

static void
load(void)
{
	struct mig_pq_funcs t;
	const char *name = getenv("MIG_LIBPQ");
	void *h;

	load_from_env = name != NULL && *name != '\0';
	if (!load_from_env)
		name = LIBPQ_SONAME;
	if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fail(name);
		return;
	}
	/* dlsym() returns void *; POSIX guarantees that it converts to a function pointer. */
#define MIG_PQ_RESOLVE(f) \
	if ((t.f = (__typeof__(t.f))dlsym(h, #f)) == NULL) { \
		fail(name); \
		dlclose(h); \
		return; \
	}
	MIG_PQ_FUNCS(MIG_PQ_RESOLVE)
#undef MIG_PQ_RESOLVE
	mig_pq = t;
}

/* Keeps the loader's message (it names the file, or the missing symbol) for every later caller. */
static void
fail(const char *name)
{
	const char *why = dlerror();

	load_failed = true;
	snprintf(load_error, sizeof(load_error), "%s", why ? why : name);
}

int
mig_pq_load(void)
{
	pthread_once(&load_once, load);
	if (!load_failed)
		return 0;
	if (load_from_env)
		return mig_error_set(MIG_EDB, "cannot load libpq named by MIG_LIBPQ: %s", load_error);
	return mig_error_set(MIG_EDB, "cannot load libpq: %s; install libpq5 to use PostgreSQL URLs",
	    load_error);
}
