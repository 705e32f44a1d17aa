/*
 * fuzz_config.c — libFuzzer target for the mig.yaml reader (lib/cfg_config.c).
 *
 * mig_config_load() has no in-memory entry point: it takes the migrations directory and reads
 * DIR/mig.yaml itself. So each input is written to mig.yaml in a private directory, made once per
 * fuzzing process and removed at exit, and loaded from there. The directory is in /dev/shm when
 * there is one: rewriting a file on a disk-backed /tmp made the target some twenty times slower.
 * A successful load must leave every setting that has a default set.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfg.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void);

static char *dir;
static char *file;

static void
cleanup(void)
{
	if (file != NULL)
		unlink(file);
	if (dir != NULL)
		rmdir(dir);
	free(file);
	free(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = mig_path_is_dir("/dev/shm") && access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm" : "/tmp";

	dir = mig_path_join(base, "mig-fuzz-config-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	file = mig_path_join(dir, "mig.yaml");
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_config *c = NULL;
	FILE *f = fopen(file, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (mig_config_load(&c, dir) == 0) {
		if (c->dir == NULL || c->path == NULL || c->manifest == NULL || c->version_table == NULL ||
		    c->naming_ix == NULL || c->naming_uq == NULL || c->naming_fk == NULL ||
		    c->naming_ck == NULL || c->naming_pk == NULL)
			abort();
		mig_config_free(c);
	}
	mig_error_clear();
	return 0;
}
