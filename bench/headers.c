/*
 * headers.c — the physical floor for loading a revision graph: list a versions directory and
 * read the first 512 bytes of every up file, on one thread, doing nothing with them.
 *
 * `mig history`, `heads` and `current` cannot do less than this (a header is all they need, and
 * it fits in 512 bytes), so bench/run.sh uses it as their reference. With an argument "all" it
 * reads the down files too, which shows what checking every down file's header costs.
 *
 *     headers DIR [all]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct dirent *de;
	char buf[512];
	long files = 0, bytes = 0;
	int all = argc > 2 && strcmp(argv[2], "all") == 0;
	DIR *d;

	if (argc < 2 || (d = opendir(argv[1])) == NULL) {
		fprintf(stderr, "usage: headers DIR [all]\n");
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		ssize_t n;
		int fd;

		if (len > 7 && strcmp(de->d_name + len - 7, ".up.sql") == 0)
			;
		else if (!(all && len > 9 && strcmp(de->d_name + len - 9, ".down.sql") == 0))
			continue;
		if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC)) < 0) {
			perror(de->d_name);
			return 1;
		}
		if ((n = read(fd, buf, sizeof(buf))) > 0)
			bytes += n;
		close(fd);
		files++;
	}
	closedir(d);
	printf("%ld files, %ld bytes\n", files, bytes);
	return 0;
}
