-- up
-- Detected removed index 'ix_account_bio' on '['bio']'
DROP INDEX "ix_account_bio";

-- Detected removed column 'account.bio'
-- mig:destructive
ALTER TABLE "account" DROP COLUMN "bio";
-- down
-- Detected added column 'account.bio'
ALTER TABLE "account" ADD COLUMN "bio" TEXT;

-- Detected added index 'ix_account_bio' on '['bio']'
CREATE INDEX "ix_account_bio" ON "account" ("bio");
