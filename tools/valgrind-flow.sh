#!/bin/sh
# One valgrind memcheck pass over the end-to-end flow (story 1 on SQLite, plus branches, stamp and
# a failing revision): every mig invocation must finish with no memory error and no leak.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/mig-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
# A private copy: the binary in the tree may be relinked while this runs.
cp "$top/mig" "$work/mig.bin"
export DATABASE_URL=sqlite:///app.db
n=0
vg() {
	n=$((n + 1))
	rc=0
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --log-file="$work/vg.$n.log" "$work/mig.bin" "$@" \
	    >/dev/null 2>"$work/err.$n" || rc=$?
	if [ "$rc" = 99 ] || [ -s "$work/vg.$n.log" ]; then
		echo "valgrind: errors in 'mig $*':" >&2
		cat "$work/vg.$n.log" >&2
		exit 1
	fi
	if [ "$rc" != "${expect:-0}" ]; then
		echo "valgrind-flow: 'mig $*' exited $rc, expected ${expect:-0}" >&2
		cat "$work/err.$n" >&2
		exit 1
	fi
}
vg init
cat > models.yaml <<'YAML'
tables:
  user:
    columns:
      id: { type: integer, primary_key: true }
      username: { type: string(64), nullable: false, unique: true, index: true }
      email: { type: string(120), nullable: false, unique: true, index: true }
YAML
vg migrate -m "users table"
vg upgrade
cat >> models.yaml <<'YAML'
      is_active: { type: boolean, nullable: false, default: true }
  post:
    columns:
      id: { type: integer, primary_key: true }
      body: { type: string(140), nullable: false }
      user_id: { type: integer, nullable: false, references: user.id, index: true }
YAML
expect=1 vg check
vg migrate -m "posts table"
vg upgrade --sql
vg upgrade -v
vg history -v
vg history -r base:head
vg current -v
vg heads
vg inspect -o inspected.yaml
vg check
vg downgrade
vg revision -m "side branch" --head base --branch-label side
vg branches
vg heads
vg upgrade heads
vg merge -m "join" heads
vg upgrade
vg stamp heads
vg downgrade base
vg revision -m broken
f=$(ls migrations/versions/*_broken.up.sql)
echo "INSERT INTO nowhere VALUES (1);" >> "$f"
expect=1 vg upgrade
expect=2 vg upgrade zzzz
expect=2 vg frobnicate
echo "valgrind-flow: $n runs, no memory error, no leak"
