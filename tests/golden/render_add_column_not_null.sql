-- Detected added column 'account.code'
-- SQLite cannot make these changes with ALTER TABLE: 'account' is rebuilt, keeping every row
-- new column 'code' is NOT NULL without a default: the copy fails if 'account' has rows
CREATE TABLE "_mig_new_account" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"team_id" INTEGER,
	"name" VARCHAR(64) NOT NULL,
	"email" VARCHAR(120),
	"bio" TEXT,
	"code" VARCHAR(8) NOT NULL,
	CONSTRAINT "fk_account_team_id_team" FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE,
	CONSTRAINT "uq_account_email" UNIQUE ("email"),
	CONSTRAINT "ck_account_name_len" CHECK (length("name") > 0)
);
INSERT INTO "_mig_new_account" ("id", "team_id", "name", "email", "bio") SELECT "id", "team_id", "name", "email", "bio" FROM "account";
DELETE FROM sqlite_sequence WHERE name = '_mig_new_account';
INSERT INTO sqlite_sequence (name, seq) SELECT '_mig_new_account', seq FROM sqlite_sequence WHERE name = 'account';
DROP TABLE "account";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_mig_new_account" RENAME TO "account";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_account_name" ON "account" ("name");

-- mig:foreign_keys off
