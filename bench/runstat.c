/*
 * runstat.c — run one command several times and report its wall time and peak memory.
 *
 * The benchmark scripts need two numbers per run that the shell cannot give portably: the wall
 * time of the command alone (not of a shell around it) and its maximum resident set size.
 * /usr/bin/time -v is often missing, so this helper forks, execs the command, and collects the
 * child's own rusage with wait4(). A preparation command (run by /bin/sh, untimed) can precede
 * each repetition, so that a benchmark which consumes its input (an upgrade empties nothing but
 * fills a database) starts every repetition from the same state.
 *
 *     runstat [-r REPS] [-p PREP] [-i IN] [-o OUT] [-e ERR] [-x] -- COMMAND [ARG...]
 *
 * prints one line: "MIN_MS MEDIAN_MS MAXRSS_KB CPU_MS" — the best and the median wall time over
 * the repetitions in milliseconds, the largest ru_maxrss seen, and the smallest CPU time (user +
 * system) of the command itself: on a loaded machine the wall time includes waiting for a CPU,
 * the CPU time mostly does not. The child's stdin comes from IN
 * (default /dev/null), its stdout goes to OUT and its stderr to ERR (default /dev/null for both).
 * Exit status: 0 when every repetition exited 0 (or, with -x, with any status below 128, for
 * commands such as `mig check` whose exit 1 is an answer), 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPS_MAX 100

static int run_once(char **argv, const char *in, const char *out, const char *err, int allow_fail,
    double *ms, double *cpu_ms, long *rss_kb);
static int run_prep(const char *prep);
static int redirect(int fd, const char *path, int flags);
static int cmp_double(const void *a, const void *b);
static void usage(void);

static void
usage(void)
{
	fprintf(stderr, "usage: runstat [-r REPS] [-p PREP] [-i IN] [-o OUT] [-e ERR] [-x] -- "
	    "COMMAND [ARG...]\n");
	exit(2);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags, 0644);

	if (f < 0) {
		fprintf(stderr, "runstat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (f != fd) {
		dup2(f, fd);
		close(f);
	}
	return 0;
}

/* The preparation is not timed; it runs through the shell so that scripts can pass pipelines. */
static int
run_prep(const char *prep)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", prep, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "runstat: preparation failed: %s\n", prep);
		return -1;
	}
	return 0;
}

static int
run_once(char **argv, const char *in, const char *out, const char *err, int allow_fail,
    double *ms, double *cpu_ms, long *rss_kb)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return -1;
	}
	if (pid == 0) {
		if (redirect(0, in, O_RDONLY) || redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC) ||
		    redirect(2, err, O_WRONLY | O_CREAT | O_TRUNC))
			_exit(127);
		execvp(argv[0], argv);
		/* stderr is the error file now; say why there is no output in it. */
		fprintf(stderr, "runstat: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("runstat: wait4");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	*rss_kb = ru.ru_maxrss;
	*cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (!WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) == 0)
		return 0;
	return allow_fail && WEXITSTATUS(status) < 128 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *prep = NULL, *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	double ms[REPS_MAX], cpu, cpu_min = -1;
	long reps = 3, rss, rss_max = 0;
	int allow_fail = 0, c, i;
	char *end;

	while ((c = getopt(argc, argv, "+r:p:i:o:e:x")) != -1) {
		switch (c) {
		case 'r':
			reps = strtol(optarg, &end, 10);
			if (*end || reps < 1 || reps > REPS_MAX)
				usage();
			break;
		case 'p':
			prep = optarg;
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			err = optarg;
			break;
		case 'x':
			allow_fail = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	for (i = 0; i < reps; i++) {
		if (prep && run_prep(prep))
			return 1;
		if (run_once(argv + optind, in, out, err, allow_fail, &ms[i], &cpu, &rss)) {
			fprintf(stderr, "runstat: '%s' failed (see %s)\n", argv[optind], err);
			return 1;
		}
		if (rss > rss_max)
			rss_max = rss;
		if (cpu_min < 0 || cpu < cpu_min)
			cpu_min = cpu;
	}
	qsort(ms, (size_t)reps, sizeof(ms[0]), cmp_double);
	/* The median of an even count is the lower middle: a real measurement, not an average. */
	printf("%.3f %.3f %ld %.3f\n", ms[0], ms[(reps - 1) / 2], rss_max, cpu_min);
	return 0;
}
