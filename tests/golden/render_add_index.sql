-- up
-- Detected added index 'ix_account_name' on '['name']'
CREATE INDEX "ix_account_name" ON "account" ("name");

-- Detected added index 'ix_account_email' on '['email']'
CREATE INDEX "ix_account_email" ON "account" ("email");
-- down
-- Detected removed index 'ix_account_email' on '['email']'
DROP INDEX "ix_account_email";

-- Detected removed index 'ix_account_name' on '['name']'
DROP INDEX "ix_account_name";
