-- up
-- Detected renamed table 'account' to 'member'
ALTER TABLE "account" RENAME TO "member";
-- down
-- Detected renamed table 'member' to 'account'
ALTER TABLE "member" RENAME TO "account";
