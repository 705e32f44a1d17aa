#!/bin/sh
# Runs every criterion suite built under BUILD/tests/ (argument 1). When PostgreSQL binaries exist it
# first starts a throw-away server on a Unix socket in a temporary directory (as a non-root user) and
# exports MIG_TEST_PG for the suites that need one; the server is stopped on exit, whatever happens.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export MIG_BIN=${MIG_BIN:-$top/mig}
export MIG_TOP=$top
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgdir=""
cleanup() {
	if [ -n "$pgdir" ]; then
		run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
		rm -rf "$pgdir"
	fi
}
trap cleanup EXIT INT TERM
run_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] && [ -z "${MIG_TEST_PG:-}" ]; then
	pgdir=$(mktemp -d /tmp/mig-pg.XXXXXX)
	chmod 755 "$pgdir"
	[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
	if run_pg "$pgbin/initdb" -A trust -U postgres -D "$pgdir/data" >"$pgdir/initdb.log" 2>&1 &&
	   run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
	       -o "-k $pgdir -c listen_addresses= -c fsync=off -c max_connections=60" start >/dev/null 2>&1; then
		export MIG_TEST_PG="postgresql://postgres@/postgres?host=$pgdir"
		export MIG_TEST_PG_HOST=$pgdir
	else
		echo "run-tests: could not start PostgreSQL (see $pgdir); PostgreSQL suites will fail" >&2
		cat "$pgdir/initdb.log" "$pgdir/log" 2>/dev/null | tail -5 >&2
	fi
fi
status=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if out=$("$t" --jobs 2 2>&1); then
		printf '%s\n' "$out" | grep 'Synthesis' | tail -n 1 | sed "s/^/$name: /"
	else
		printf '%s\n' "$out" | tail -n 40
		echo "FAILED: $name" >&2
		status=1
	fi
done
exit $status
