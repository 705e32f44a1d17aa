#!/bin/sh
# `make demo`: the microblog's first day (USER-STORIES.md, story 1) in a scratch directory, on
# SQLite, printing each command and what it did. Nothing outside the scratch directory is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mig="$top/mig"
work=$(mktemp -d /tmp/mig-demo.XXXXXX)
cd "$work"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; sh -c "$*"; }

echo "mig demo in $work (SQLite: sqlite:///app.db)"
step "$mig" init

cat > models.yaml <<'YAML'
# The microblog's models (Flask mega-tutorial, chapter 4).
tables:
  user:
    columns:
      id:            { type: integer, primary_key: true }
      username:      { type: string(64), nullable: false, unique: true, index: true }
      email:         { type: string(120), nullable: false, unique: true, index: true }
      password_hash: { type: string(256) }
YAML
show "cat models.yaml"
step "$mig" migrate -m "users table"
step "$mig" upgrade
show "sqlite3 app.db '.schema user'"

cat >> models.yaml <<'YAML'
  post:
    columns:
      id:        { type: integer, primary_key: true }
      body:      { type: string(140), nullable: false }
      timestamp: { type: datetime, nullable: false, index: true }
      user_id:   { type: integer, nullable: false, references: user.id, index: true }
YAML
show "tail -7 models.yaml"
step "$mig" migrate -m "posts table"
show "cat migrations/versions/*_posts_table.up.sql"
step "$mig" upgrade
step "$mig" history
step "$mig" current
show "sqlite3 app.db \"INSERT INTO user (username, email) VALUES ('susan', 'susan@example.com')\""
step "$mig" downgrade
step "$mig" current
step "$mig" downgrade base
show "sqlite3 app.db .tables"
step "$mig" upgrade
step "$mig" check
printf '\nThe demo directory is %s (remove it when done).\n' "$work"
