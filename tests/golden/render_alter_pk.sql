-- up
-- Detected primary key changed on table 'membership' from '['account_id']' to '['account_id', 'team_id']'
-- SQLite cannot make these changes with ALTER TABLE: 'membership' is rebuilt, keeping every row
CREATE TABLE "_mig_new_membership" (
	"account_id" INTEGER NOT NULL,
	"team_id" INTEGER NOT NULL,
	"role" TEXT NOT NULL DEFAULT 'member',
	CONSTRAINT "pk_membership" PRIMARY KEY ("account_id", "team_id"),
	CONSTRAINT "fk_membership_account_id_account" FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE
);
INSERT INTO "_mig_new_membership" ("account_id", "team_id", "role") SELECT "account_id", "team_id", "role" FROM "membership";
DROP TABLE "membership";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_mig_new_membership" RENAME TO "membership";
PRAGMA legacy_alter_table = OFF;

-- mig:foreign_keys off
-- down
-- Detected primary key changed on table 'membership' from '['account_id', 'team_id']' to '['account_id']'
-- SQLite cannot make these changes with ALTER TABLE: 'membership' is rebuilt, keeping every row
CREATE TABLE "_mig_new_membership" (
	"account_id" INTEGER NOT NULL,
	"team_id" INTEGER NOT NULL,
	"role" TEXT NOT NULL DEFAULT 'member',
	CONSTRAINT "pk_membership" PRIMARY KEY ("account_id"),
	CONSTRAINT "fk_membership_account_id_account" FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE
);
INSERT INTO "_mig_new_membership" ("account_id", "team_id", "role") SELECT "account_id", "team_id", "role" FROM "membership";
DROP TABLE "membership";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_mig_new_membership" RENAME TO "membership";
PRAGMA legacy_alter_table = OFF;

-- mig:foreign_keys off
