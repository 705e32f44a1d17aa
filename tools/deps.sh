#!/bin/sh
# Makes sure the Debian packages that mig's build and tests need are installed.
# As root it installs what is missing with apt-get; otherwise it prints the exact command and fails,
# so a fresh machine gets one clear instruction instead of a compiler error.
set -u
need="gcc make pkg-config libsqlite3-dev libpq-dev libyaml-dev libssl-dev libcriterion-dev sqlite3 postgresql clang libclang-rt-14-dev valgrind"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $missing >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; } || {
		echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run: sudo apt-get install -y$missing" >&2
exit 1
