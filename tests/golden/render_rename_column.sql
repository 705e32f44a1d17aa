-- up
-- Detected renamed column 'account.name' to 'account.full_name'
ALTER TABLE "account" RENAME COLUMN "name" TO "full_name";
-- down
-- Detected renamed column 'account.full_name' to 'account.name'
ALTER TABLE "account" RENAME COLUMN "full_name" TO "name";
