-- AlterTable
ALTER TABLE "LogPosition" ADD COLUMN     "pendingSize" BIGINT;
