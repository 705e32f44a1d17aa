CREATE TABLE IF NOT EXISTS "My ""Schema"""."Alembic Version" (version_num VARCHAR(64) NOT NULL, CONSTRAINT "Alembic Version_pkc" PRIMARY KEY (version_num));
CREATE TABLE IF NOT EXISTS "My ""Schema"""."Alembic Version_history" (
    revision VARCHAR(64) NOT NULL,
    down_revisions TEXT NOT NULL,
    message TEXT NOT NULL,
    up_sha256 VARCHAR(64) NOT NULL,
    down_sha256 VARCHAR(64) NOT NULL,
    down_sql TEXT,
    applied_at TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    duration_ms DOUBLE PRECISION,
    mig_version VARCHAR(32) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    applied_seq INTEGER NOT NULL,
    CONSTRAINT "Alembic Version_history_pkc" PRIMARY KEY (revision)
);
CREATE INDEX IF NOT EXISTS "Alembic Version_history_seq" ON "My ""Schema"""."Alembic Version_history" (applied_seq);
-- upgrade base -> e517276bb1c2
INSERT INTO "My ""Schema"""."Alembic Version" (version_num) VALUES ('e517276bb1c2');
INSERT INTO "My ""Schema"""."Alembic Version_history" (revision, down_revisions, message, up_sha256, down_sha256, down_sql, duration_ms, mig_version, kind, applied_seq) VALUES ('e517276bb1c2', '', 'users table', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'DROP TABLE "user";
', 12.500, '9.9.9', 'upgrade', (SELECT COALESCE(MAX(applied_seq), 0) + 1 FROM "My ""Schema"""."Alembic Version_history"));
-- upgrade e517276bb1c2 -> 780739b227a7
UPDATE "My ""Schema"""."Alembic Version" SET version_num = '780739b227a7' WHERE version_num = 'e517276bb1c2';
INSERT INTO "My ""Schema"""."Alembic Version_history" (revision, down_revisions, message, up_sha256, down_sha256, down_sql, duration_ms, mig_version, kind, applied_seq) VALUES ('780739b227a7', 'e517276bb1c2', 'posts table', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', E'-- it''s gone
DROP TABLE post; -- path C:\\tmp
', NULL, '9.9.9', 'upgrade', (SELECT COALESCE(MAX(applied_seq), 0) + 1 FROM "My ""Schema"""."Alembic Version_history"));
-- merge
DELETE FROM "My ""Schema"""."Alembic Version" WHERE version_num = '1111aaaa2222';
DELETE FROM "My ""Schema"""."Alembic Version" WHERE version_num = '3333bbbb4444';
INSERT INTO "My ""Schema"""."Alembic Version" (version_num) VALUES ('5555cccc6666');
INSERT INTO "My ""Schema"""."Alembic Version_history" (revision, down_revisions, message, up_sha256, down_sha256, down_sql, duration_ms, mig_version, kind, applied_seq) VALUES ('5555cccc6666', '1111aaaa2222 3333bbbb4444', 'merge', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '', 0.000, '9.9.9', 'upgrade', (SELECT COALESCE(MAX(applied_seq), 0) + 1 FROM "My ""Schema"""."Alembic Version_history"));
-- downgrade 780739b227a7 -> e517276bb1c2
UPDATE "My ""Schema"""."Alembic Version" SET version_num = 'e517276bb1c2' WHERE version_num = '780739b227a7';
DELETE FROM "My ""Schema"""."Alembic Version_history" WHERE revision = '780739b227a7';
-- downgrade e517276bb1c2 -> base
DELETE FROM "My ""Schema"""."Alembic Version" WHERE version_num = 'e517276bb1c2';
DELETE FROM "My ""Schema"""."Alembic Version_history" WHERE revision = 'e517276bb1c2';
-- stamp
DELETE FROM "My ""Schema"""."Alembic Version";
INSERT INTO "My ""Schema"""."Alembic Version" (version_num) VALUES ('1111aaaa2222');
INSERT INTO "My ""Schema"""."Alembic Version" (version_num) VALUES ('3333bbbb4444');
INSERT INTO "My ""Schema"""."Alembic Version_history" (revision, down_revisions, message, up_sha256, down_sha256, down_sql, duration_ms, mig_version, kind, applied_seq) VALUES ('e517276bb1c2', '', 'users table', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'DROP TABLE "user";
', NULL, '9.9.9', 'stamp', (SELECT COALESCE(MAX(applied_seq), 0) + 1 FROM "My ""Schema"""."Alembic Version_history"));
DELETE FROM "My ""Schema"""."Alembic Version_history" WHERE revision = '780739b227a7';
