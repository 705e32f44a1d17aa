-- up
-- Detected added table 'account'
CREATE TABLE "account" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"team_id" INTEGER,
	"name" VARCHAR(64) NOT NULL,
	"email" VARCHAR(120),
	"bio" TEXT,
	CONSTRAINT "fk_account_team_id_team" FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE,
	CONSTRAINT "uq_account_email" UNIQUE ("email"),
	CONSTRAINT "ck_account_name_len" CHECK (length("name") > 0)
);

-- Detected added index 'ix_account_name' on '['name']'
CREATE INDEX "ix_account_name" ON "account" ("name");

-- Detected added table 'membership'
CREATE TABLE "membership" (
	"account_id" INTEGER NOT NULL,
	"team_id" INTEGER NOT NULL,
	"role" TEXT NOT NULL DEFAULT 'member',
	CONSTRAINT "pk_membership" PRIMARY KEY ("account_id"),
	CONSTRAINT "fk_membership_account_id_account" FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE
);
-- down
-- Detected removed table 'membership'
-- mig:destructive
DROP TABLE "membership";

-- Detected removed table 'account'
-- mig:destructive
DROP TABLE "account";
