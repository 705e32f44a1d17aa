#!/bin/sh
# Runs libFuzzer targets for a bounded time each: tools/fuzz.sh BUILD_DIR SECONDS TARGET...
#
# Each target fuzz/NAME.c, built as BUILD_DIR/NAME, starts from its seed corpus fuzz/corpus/NAME/
# (read only: the repository is never written) plus what earlier runs found, kept in
# BUILD_DIR/corpus/NAME/, and uses fuzz/dict/NAME.dict when there is one. A crash, a leak, a
# sanitizer report or a slow input leaves its input in BUILD_DIR/artifacts/ and fails the run.
# SECONDS = 0 only replays the corpus, a quick regression check. One summary line per target;
# the full output is in BUILD_DIR/logs/NAME.log. Exits 1 when any target failed.
set -u
build=${1:?usage: tools/fuzz.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:?usage: tools/fuzz.sh BUILD_DIR SECONDS TARGET...}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts" "$build/logs"
failed=0
# Leaks count as failures (libFuzzer's -detect_leaks is on by default); UBSan reports abort
# because the targets are built with -fno-sanitize-recover=undefined.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for bin in "$@"; do
	name=$(basename "$bin")
	seeds=$top/fuzz/corpus/$name
	work=$build/corpus/$name
	log=$build/logs/$name.log
	mkdir -p "$work"
	set -- -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/artifacts/$name-"
	[ -f "$top/fuzz/dict/$name.dict" ] && set -- "$@" -dict="$top/fuzz/dict/$name.dict"
	if [ "$seconds" -gt 0 ]; then
		set -- "$@" -max_total_time="$seconds"
	else
		set -- "$@" -runs=0
	fi
	[ -d "$seeds" ] || seeds=
	"$bin" "$@" "$work" ${seeds:+"$seeds"} >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ "$rc" -eq 0 ]; then
		printf '%-18s ok      %ss, %s runs, %s exec/s, cov %s, ft %s, corpus %s\n' "$name" \
		    "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
	else
		failed=1
		printf '%-18s FAILED  exit %s after %s runs; see %s\n' "$name" "$rc" "${runs:-?}" "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY: [A-Z]|.*runtime error:|artifact_prefix)' "$log" |
		    awk '!seen[$0]++' | head -n 4 | sed 's/^/    /'
	fi
done
exit $failed
