-- up
-- Detected renamed index 'ix_account_name' to 'ix_account_full' on table 'account'
DROP INDEX "ix_account_name";
CREATE INDEX "ix_account_full" ON "account" ("name");
-- down
-- Detected renamed index 'ix_account_full' to 'ix_account_name' on table 'account'
DROP INDEX "ix_account_full";
CREATE INDEX "ix_account_name" ON "account" ("name");
