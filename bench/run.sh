#!/bin/sh
# `make bench`: measures mig against the physical limit — the database running the same SQL — and
# prints one table of figures, each a ratio to a reference measured in the same run, interleaved
# with it (mig, reference, mig, reference, ...) so that a noisy machine slows both alike. The
# workloads are generated (bench/gen.c), timings and peak memory come from bench/runstat.c, and a
# throw-away PostgreSQL server is started when its binaries exist. See bench/README.md.
#
# Environment: BENCH_REPS (repetitions, default 5), BENCH_BIG_REPS (for the largest sizes,
# default 1), BENCH_QUICK=1 (small sizes: a smoke test of this script), BENCH_TMP (where the
# workloads go, default /dev/shm), BENCH_KEEP=1 (keep them), BENCH_PG=0 (skip PostgreSQL),
# MIG_BIN (the mig to measure, default ./mig).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
mig=${MIG_BIN:-$top/mig}
reps=${BENCH_REPS:-5}
big_reps=${BENCH_BIG_REPS:-1}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	lin_sizes="50 100" each_sizes="50" graph_n=1000 schema_sizes="50 200"
	lin_target=100 schema_target=200
else
	lin_sizes="100 500 2000" each_sizes="100 500" graph_n=10000 schema_sizes="100 1000 5000"
	lin_target=500 schema_target=1000
fi
lin_max=${lin_sizes##* }
schema_max=${schema_sizes##* }
rss_limit_mb=50

tmpbase=${BENCH_TMP:-/dev/shm}
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
B=$(mktemp -d "$tmpbase/mig-bench.XXXXXX") || exit 1
chmod 755 "$B"
R=$B/runstat
log=$B/last.err
misses=0
failures=0
pgdir=""
t_start=$(date +%s)

cleanup() {
	if [ -n "$pgdir" ]; then
		as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "workloads kept in $B"
	else
		rm -rf "$B"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

die() {
	echo "bench: $*" >&2
	exit 1
}

# --- tools ----------------------------------------------------------------------------------------

[ -x "$mig" ] || die "no mig binary at $mig (run 'make mig')"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install sqlite3)"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$R" "$top/bench/runstat.c" || die "cannot build runstat"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$B/gen" "$top/bench/gen.c" || die "cannot build gen"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$B/headers" "$top/bench/headers.c" || die "cannot build headers"
# The differ alone links libmig (built by `make all`); without it those rows are skipped.
difftime=""
if [ -f "$top/build/libmig.a" ] && cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -I"$top/lib" \
    -o "$B/difftime" "$top/bench/difftime.c" "$top/build/libmig.a" \
    $(pkg-config --cflags --libs sqlite3 libpq yaml-0.1 libcrypto) -lpthread 2>"$B/difftime.log"; then
	difftime=$B/difftime
fi

# A throw-away server on a Unix socket in the work directory, as tools/run-tests.sh starts one.
# fsync is off (the figures compare CPU work, not the disk); autovacuum is off so that no
# background work after one benchmark's DDL lands in the next one's timings. max_locks_per_transaction
# is raised for the references and the set-up: psql running 2,000 revisions' DDL in one transaction
# exceeds a default server's lock table ("out of shared memory"). mig's `check` no longer needs
# it (finding 7).
pg=0
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "${BENCH_PG:-1}" != 0 ] && [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
	pgdir=$B/pg
	mkdir "$pgdir" && chmod 755 "$pgdir"
	[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
	if as_pg "$pgbin/initdb" -A trust -U postgres -D "$pgdir/data" >"$pgdir/initdb.log" 2>&1 &&
	    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-k $pgdir -c listen_addresses= \
	    -c fsync=off -c full_page_writes=off -c autovacuum=off -c max_connections=20 \
	    -c max_locks_per_transaction=1024" \
	    start >/dev/null 2>&1; then
		pg=1
		export PGHOST="$pgdir" PGUSER=postgres
		psql="$pgbin/psql -X -q -v ON_ERROR_STOP=1"
	else
		echo "bench: could not start PostgreSQL; its rows are skipped" >&2
		tail -n 5 "$pgdir/initdb.log" "$pgdir/log" >&2 2>/dev/null
		pgdir=""
	fi
fi
pg_url() {
	echo "postgresql://postgres@/$1?host=$pgdir"
}
# pg_fresh DB [TEMPLATE]: an empty database, or a copy of TEMPLATE (a file copy: fast).
pg_fresh_cmd() {
	echo "$psql -d postgres -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS $1' -c 'CREATE DATABASE $1${2:+ TEMPLATE $2}'"
}

# --- measuring ------------------------------------------------------------------------------------

# one FILE PREP IN CMD...: one timed run of CMD (after the untimed shell command PREP, with stdin
# from IN); appends "MS MEDIAN RSS_KB CPU_MS" to FILE. xflag=-x lets an exit status 1 pass.
xflag=""
one() {
	_f=$1 _p=$2 _i=$3
	shift 3
	"$R" -r 1 -p "$_p" -i "$_i" -e "$log" $xflag -- "$@" >>"$_f" && return 0
	echo "bench: failed: $*" >&2
	tail -n 3 "$log" >&2
	return 1
}

# pair REPS: runs the functions run_b (the reference) and run_a (mig) alternately REPS times and
# sets a_ms/b_ms (best wall time), a_rss/b_rss (largest max RSS, kB), a_cpu/b_cpu (least CPU ms).
# mig runs last, so that what it leaves behind (a database at head) can serve the next benchmark.
pair() {
	: >"$B/a.t"
	: >"$B/b.t"
	_k=0
	while [ "$_k" -lt "$1" ]; do
		run_b "$B/b.t" || return 1
		run_a "$B/a.t" || return 1
		_k=$((_k + 1))
	done
	set -- $(summary "$B/a.t")
	a_ms=$1 a_rss=$2 a_cpu=$3
	set -- $(summary "$B/b.t")
	b_ms=$1 b_rss=$2 b_cpu=$3
}
summary() {
	awk 'NR == 1 || $1 < m { m = $1 } $3 > r { r = $3 } NR == 1 || $4 < c { c = $4 }
	    END { printf "%.3f %d %.3f\n", m, r, c }' "$1"
}
reps_for() {
	if [ "$1" = "$2" ]; then echo "$big_reps"; else echo "$reps"; fi
}

fmt="%-34s %6s %9s %9s %6s  %-11s %7s  %s\n"
heading() {
	printf '\n%s\n' "$1"
	[ -n "${2:-}" ] && printf '  reference: %s\n' "$2"
	printf "$fmt" "benchmark" "size" "mig ms" "ref ms" "ratio" "target" "RSS MB" "notes"
}
# row NAME SIZE RATIO_LIMIT ABS_LIMIT_MS RSS_CHECK NOTE: prints a row from a_* and b_*, checking
# mig/ref <= RATIO_LIMIT ("" for none; a leading '<' means strictly below), mig ms below
# ABS_LIMIT_MS ("" for none) and, when RSS_CHECK is 1, the peak memory against rss_limit_mb.
row() {
	_out=$(awk -v name="$1" -v size="$2" -v rl="$3" -v al="$4" -v rc="$5" -v note="$6" \
	    -v a="$a_ms" -v b="$b_ms" -v rss="$a_rss" -v lim="$rss_limit_mb" -v fmt="$fmt" 'BEGIN {
		ratio = b > 0 ? a / b : 0; miss = 0; target = ""
		if (rl != "") {
			strict = substr(rl, 1, 1) == "<"; r = strict ? substr(rl, 2) + 0 : rl + 0
			bad = strict ? ratio >= r : ratio > r
			target = sprintf("%s%gx %s", strict ? "<" : "<=", r, bad ? "MISS" : "ok"); miss += bad
		}
		if (al != "") {
			bad = a >= al + 0
			target = sprintf("<%gms %s", al, bad ? "MISS" : "ok"); miss += bad
		}
		mb = rss / 1024
		mbs = rss > 0 ? sprintf("%.1f", mb) : "-"
		if (rc == 1 && mb >= lim) { note = note (note == "" ? "" : "; ") "RSS over " lim " MB: MISS"; miss++ }
		printf fmt, name, size, sprintf("%.1f", a), sprintf("%.1f", b), sprintf("%.2f", ratio),
		    target, mbs, note
		printf "MISSES %d\n", miss
	}')
	printf '%s\n' "$_out" | sed '$d'
	misses=$((misses + $(printf '%s\n' "$_out" | sed -n '$s/MISSES //p')))
}
failrow() {
	printf "$fmt" "$1" "$2" "-" "-" "-" "FAILED" "-" "$3"
	failures=$((failures + 1))
}
narow() {
	printf "$fmt" "$1" "$2" "n/a" "-" "-" "-" "-" "$3"
}
# extra N sqlite|postgresql: sets _extra to mig's own time per revision against the 1 ms target. On SQLite all the
# work happens in the measured process and the files are in memory, so CPU time is the work and
# the rest of the wall time is waiting for a CPU: the overhead is (mig CPU - sqlite3 CPU) / N, and
# the CPU ratio is shown beside the wall-time ratio. On PostgreSQL the server does the work on
# behalf of both clients: the overhead is (mig wall - psql wall) / N, and mig's CPU per revision
# is its client-side share of it.
extra() {
	_extra=$(awk -v a="$a_ms" -v b="$b_ms" -v ac="$a_cpu" -v bc="$b_cpu" -v n="$1" -v d="$2" 'BEGIN {
		if (d == "sqlite") {
			e = (ac - bc) / n
			printf "extra %.3f ms/rev %s; cpu ratio %.2f", e, (e < 1 ? "ok" : "MISS"), (bc > 0 ? ac / bc : 0)
		} else {
			e = (a - b) / n
			printf "extra %.3f ms/rev %s; mig cpu %.3f ms/rev", e, (e < 1 ? "ok" : "MISS"), ac / n
		}
		exit e < 1 ? 0 : 1
	}') || misses=$((misses + 1))
}

# --- the machine ----------------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "mig benchmarks: each figure is mig's best wall time over the reference's best, the two run"
echo "alternately ($reps times; $big_reps at the largest sizes) in the same run."
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, ${mem:-? GiB} RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$("$mig" --version 2>/dev/null | head -n 1) (git $rev), sqlite3 $(sqlite3 --version | cut -d' ' -f1)$(
    [ "$pg" = 1 ] && echo ", PostgreSQL $("$pgbin/postgres" --version | awk '{ print $3 }')"), workloads in $tmpbase"

# --- upgrade and downgrade over linear revisions --------------------------------------------------

sqlite_linear() { # N EACH(0|1)
	_n=$1 _d=$B/lin-sqlite-$1 _db=$B/lin-sqlite-$1/a.db
	_u=sqlite:///$_db
	_r=$(reps_for "$_n" "$lin_max")
	[ -d "$_d" ] || "$B/gen" linear "$_n" sqlite "$_d" || return 1
	_lim=""
	if [ "$2" = 0 ]; then
		_flag=--one-transaction _sfx="" _name=""
	else
		_flag=--transaction-per-revision _sfx=-each _name=" per-rev"
	fi
	[ "$_n" = "$lin_target" ] && _lim=1.5
	run_a() { one "$1" "rm -f $_db" /dev/null "$mig" -q -d "$_d/migrations" -u "$_u" upgrade $_flag; }
	run_b() { one "$1" "rm -f $_db" "$_d/ref/up$_sfx.sql" sqlite3 -batch -bail "$_db"; }
	if pair "$_r"; then
		extra "$_n" sqlite
		row "sqlite upgrade$_name" "$_n" "$_lim" "" "$([ "$_n" = "$lin_max" ] && echo 1)" "$_extra"
		# mig's last upgrade left the database at head, version tables included: the starting
		# point of every downgrade run.
		cp "$_db" "$_d/head.db"
	else
		failrow "sqlite upgrade$_name" "$_n" "see above"
		failrow "sqlite downgrade$_name" "$_n" "no database at head"
		return 1
	fi
	run_a() { one "$1" "cp $_d/head.db $_db" /dev/null "$mig" -q -d "$_d/migrations" -u "$_u" downgrade base $_flag; }
	run_b() { one "$1" "cp $_d/head.db $_db" "$_d/ref/down$_sfx.sql" sqlite3 -batch -bail "$_db"; }
	if pair "$_r"; then
		extra "$_n" sqlite
		row "sqlite downgrade base$_name" "$_n" "$_lim" "" "$([ "$_n" = "$lin_max" ] && echo 1)" "$_extra"
	else
		failrow "sqlite downgrade base$_name" "$_n" "see above"
	fi
}

pg_linear() { # N EACH(0|1)
	_n=$1 _d=$B/lin-pg-$1
	_r=$(reps_for "$_n" "$lin_max")
	[ -d "$_d" ] || "$B/gen" linear "$_n" postgresql "$_d" || return 1
	_lim=""
	if [ "$2" = 0 ]; then
		_flag=--one-transaction _sfx="" _name=""
	else
		_flag=--transaction-per-revision _sfx=-each _name=" per-rev"
	fi
	[ "$_n" = "$lin_target" ] && _lim=1.5
	run_a() { one "$1" "$(pg_fresh_cmd bench_a)" /dev/null "$mig" -q -d "$_d/migrations" -u "$(pg_url bench_a)" upgrade $_flag; }
	run_b() { one "$1" "$(pg_fresh_cmd bench_a)" /dev/null $psql -d bench_a -f "$_d/ref/up$_sfx.sql"; }
	if pair "$_r"; then
		extra "$_n" postgresql
		row "postgresql upgrade$_name" "$_n" "$_lim" "" "$([ "$_n" = "$lin_max" ] && echo 1)" "$_extra"
	else
		failrow "postgresql upgrade$_name" "$_n" "see above"
		failrow "postgresql downgrade$_name" "$_n" "no database at head"
		return 1
	fi
	# As on SQLite, mig's last upgrade is the starting point of the downgrades: a template.
	$psql -d postgres -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS bench_head' \
	    -c 'ALTER DATABASE bench_a RENAME TO bench_head' >"$log" 2>&1 ||
	    { failrow "postgresql downgrade$_name" "$_n" "$(head -n 1 "$log")"; return 1; }
	run_a() { one "$1" "$(pg_fresh_cmd bench_a bench_head)" /dev/null "$mig" -q -d "$_d/migrations" -u "$(pg_url bench_a)" downgrade base $_flag; }
	run_b() { one "$1" "$(pg_fresh_cmd bench_a bench_head)" /dev/null $psql -d bench_a -f "$_d/ref/down$_sfx.sql"; }
	if pair "$_r"; then
		extra "$_n" postgresql
		row "postgresql downgrade base$_name" "$_n" "$_lim" "" "$([ "$_n" = "$lin_max" ] && echo 1)" "$_extra"
	else
		failrow "postgresql downgrade base$_name" "$_n" "see above"
	fi
}

heading "Upgrade from empty to head and downgrade to base, N linear revisions, one transaction" \
    "the same SQL run by sqlite3 / psql in one go (one transaction); target at N=$lin_target"
for n in $lin_sizes; do sqlite_linear "$n" 0; done
if [ "$pg" = 1 ]; then
	for n in $lin_sizes; do pg_linear "$n" 0; done
else
	narow "postgresql upgrade/downgrade" "-" "no PostgreSQL server"
fi

heading "The same in per-revision mode (--transaction-per-revision)" \
    "the same SQL with one commit per revision, run by sqlite3 / psql; target at N=$lin_target"
for n in $each_sizes; do sqlite_linear "$n" 1; done
if [ "$pg" = 1 ]; then
	for n in $each_sizes; do pg_linear "$n" 1; done
fi

# --- the revision graph ---------------------------------------------------------------------------

g=$B/graph
shape=$("$B/gen" graph "$graph_n" "$g") || die "cannot generate the graph"
"$mig" -q -d "$g/migrations" -u "sqlite:///$g/g.db" stamp head >"$log" 2>&1 || { cat "$log"; die "stamp failed"; }
heading "History, heads and current over a graph of $shape" \
    "bench/headers.c: list the directory, read 512 bytes of every up file, one thread; target: under 50 ms"
graph_cmd() { # NAME ARGS...
	_name=$1
	shift
	run_a() { one "$1" : /dev/null "$mig" -d "$g/migrations" -u "sqlite:///$g/g.db" $graph_args; }
	graph_args="$*"
	run_b() { one "$1" : /dev/null "$B/headers" "$g/migrations/versions"; }
	if pair "$reps"; then
		row "$_name" "$graph_n" "" 50 1 "mig cpu $(printf '%.1f' "$a_cpu") ms (all threads)"
	else
		failrow "$_name" "$graph_n" "see above"
	fi
}
graph_cmd history history
graph_cmd heads heads
graph_cmd current current

# --- inspect, check and migrate on large schemas --------------------------------------------------

# schema_rows DIALECT N URL REF_NAME: inspect, check and migrate against a database built from
# $B/schema-DIALECT-N/schema.sql; run_b (the reference) is set by the caller.
schema_rows() {
	_dl=$1 _n=$2 _u=$3 _d=$B/schema-$1-$2
	_r=$(reps_for "$_n" "$schema_max")
	_lim="" _big=""
	if [ "$_n" = "$schema_target" ]; then
		if [ "$_dl" = sqlite ]; then _lim=3; else _lim="<1"; fi
	fi
	[ "$_n" = "$schema_max" ] && _big=1
	# migrate is check plus rendering and writing one revision: measured at the target size only,
	# which keeps the whole run within about ten minutes.
	_cmds="inspect check"
	[ "$_n" = "$schema_target" ] && _cmds="inspect check migrate"
	for _cmd in $_cmds; do
		_args=$_cmd _dir=$_d/migrations xflag=""
		case $_cmd in
		check) xflag=-x ;;
		migrate) _args="migrate -m bench" _dir=$_d/plus/migrations ;;
		esac
		# A probe run says whether the command exists for this dialect and what it answers.
		rm -f "$_d/plus/migrations/versions/"*
		"$mig" -d "$_dir" -u "$_u" $_args >"$B/probe.out" 2>"$B/probe.err"
		_rc=$?
		_note=""
		if grep -q "not available" "$B/probe.err"; then
			narow "$_dl $_cmd" "$_n" "$(sed -n '1s/^mig: error: //p' "$B/probe.err")"
			continue
		fi
		if [ "$_cmd" = check ] && [ "$_rc" = 1 ]; then
			_note="found drift: $(cat "$B/probe.out" "$B/probe.err" | grep -c '^Detected') change(s)"
		elif [ "$_rc" != 0 ]; then
			failrow "$_dl $_cmd" "$_n" "$(head -n 1 "$B/probe.err")"
			continue
		fi
		[ "$_cmd" = migrate ] && _note="one table added"
		run_a() { one "$1" "rm -f $_d/plus/migrations/versions/*" /dev/null "$mig" -q -d "$_dir" -u "$_u" $_args; }
		if pair "$_r"; then
			_per=$(awk -v a="$a_ms" -v n="$_n" 'BEGIN { printf "%.0f us/table", a * 1000 / n }')
			eval "_prev=\${prev_${_dl}_${_cmd}:-}"
			if [ -n "$_prev" ]; then
				_per="$_per, x$(awk -v a="$a_ms" -v p="${_prev#* }" -v n="$_n" -v pn="${_prev% *}" \
				    'BEGIN { printf "%.1f for x%g tables", a / p, n / pn }')"
			fi
			eval "prev_${_dl}_${_cmd}=\"$_n $a_ms\""
			row "$_dl $_cmd" "$_n" "$_lim" "" "$_big" "$_per${_note:+; $_note}"
		else
			failrow "$_dl $_cmd" "$_n" "see above"
		fi
		xflag=""
	done
}

heading "Inspect, check and migrate on schemas of N tables (10 columns, 2 indexes, 1 foreign key)" \
    "sqlite3 DB .schema and pg_dump --schema-only; targets at N=$schema_target: <=3x on SQLite, <1x on PostgreSQL"
for n in $schema_sizes; do
	d=$B/schema-sqlite-$n
	"$B/gen" schema "$n" sqlite "$d" && sqlite3 -batch -bail "$d/s.db" <"$d/schema.sql" ||
	    { failrow "sqlite schema" "$n" "cannot create the database"; continue; }
	run_b() { one "$1" : /dev/null sqlite3 -batch "$d/s.db" .schema; }
	schema_rows sqlite "$n" "sqlite:///$d/s.db"
	# The differ alone (the in-sync case: everything compared, nothing found), against one
	# introspection of the same database, both timed inside one process.
	if [ -n "$difftime" ] && set -- $("$difftime" "$d/s.db" "$reps") && [ $# = 3 ]; then
		b_ms=$1 a_ms=$2 a_rss=0
		row "sqlite differ alone" "$n" "" "" "" "$(awk -v a="$a_ms" -v n="$n" \
		    'BEGIN { printf "%.1f us/table; reference: introspecting the database", a * 1000 / n }')"
	fi
done
if [ "$pg" = 1 ]; then
	for n in $schema_sizes; do
		d=$B/schema-postgresql-$n
		"$B/gen" schema "$n" postgresql "$d" && sh -c "$(pg_fresh_cmd bench_s)" &&
		    $psql -d bench_s -f "$d/schema.sql" >"$log" 2>&1 ||
		    { failrow "postgresql schema" "$n" "cannot create the database"; continue; }
		run_b() { one "$1" : /dev/null "$pgbin/pg_dump" --schema-only -d bench_s; }
		schema_rows postgresql "$n" "$(pg_url bench_s)"
	done
else
	narow "postgresql inspect/check/migrate" "-" "no PostgreSQL server"
fi

echo
echo "$misses target(s) missed, $failures failure(s); $(($(date +%s) - t_start)) s;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$failures" = 0 ]
