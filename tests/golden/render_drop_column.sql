-- up
-- Detected removed column 'account.bio'
-- mig:destructive
ALTER TABLE "account" DROP COLUMN "bio";
-- down
-- Detected added column 'account.bio'
ALTER TABLE "account" ADD COLUMN "bio" TEXT;
