-- AlterTable
ALTER TABLE "Run" ADD COLUMN "policies" TEXT;
