-- AlterTable
ALTER TABLE "EmailAddress" ADD COLUMN     "bouncedAt" TIMESTAMP(3),
ADD COLUMN     "bounceReason" TEXT;
