-- up
-- Detected renamed column 'account.name' to 'account.full_name'
ALTER TABLE "account" RENAME COLUMN "name" TO "full_name";

-- Detected added column 'account.is_active'
-- Detected type change from TEXT to VARCHAR(500) on 'account.bio'
-- Detected added unique constraint 'uq_account_name' on '['full_name']'
-- Detected added index 'ix_account_email' on '['email']'
-- SQLite cannot make these changes with ALTER TABLE: 'account' is rebuilt, keeping every row
CREATE TABLE "_mig_new_account" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"team_id" INTEGER,
	"full_name" VARCHAR(64) NOT NULL,
	"email" VARCHAR(120),
	"bio" VARCHAR(500),
	"is_active" BOOLEAN NOT NULL DEFAULT true,
	CONSTRAINT "fk_account_team_id_team" FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE,
	CONSTRAINT "uq_account_email" UNIQUE ("email"),
	CONSTRAINT "uq_account_name" UNIQUE ("full_name"),
	CONSTRAINT "ck_account_name_len" CHECK (length("full_name") > 0)
);
INSERT INTO "_mig_new_account" ("id", "team_id", "full_name", "email", "bio") SELECT "id", "team_id", "full_name", "email", "bio" FROM "account";
DELETE FROM sqlite_sequence WHERE name = '_mig_new_account';
INSERT INTO sqlite_sequence (name, seq) SELECT '_mig_new_account', seq FROM sqlite_sequence WHERE name = 'account';
DROP TABLE "account";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_mig_new_account" RENAME TO "account";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "ix_account_name" ON "account" ("full_name");
CREATE INDEX "ix_account_email" ON "account" ("email");

-- mig:foreign_keys off
-- down
-- Detected renamed column 'account.full_name' to 'account.name'
ALTER TABLE "account" RENAME COLUMN "full_name" TO "name";

-- Detected removed index 'ix_account_email' on '['email']'
-- Detected removed unique constraint 'uq_account_name' on '['full_name']'
-- Detected type change from VARCHAR(500) to TEXT on 'account.bio'
-- Detected removed column 'account.is_active'
-- mig:destructive
-- SQLite cannot make these changes with ALTER TABLE: 'account' is rebuilt, keeping every row
CREATE TABLE "_mig_new_account" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"team_id" INTEGER,
	"name" VARCHAR(64) NOT NULL,
	"email" VARCHAR(120),
	"bio" TEXT,
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
