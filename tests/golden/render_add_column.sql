-- up
-- Detected added column 'account.is_active'
ALTER TABLE "account" ADD COLUMN "is_active" BOOLEAN NOT NULL DEFAULT true;
-- down
-- Detected removed column 'account.is_active'
-- mig:destructive
ALTER TABLE "account" DROP COLUMN "is_active";
