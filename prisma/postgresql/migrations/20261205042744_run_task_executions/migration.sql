-- AlterTable
ALTER TABLE "RunTask" ADD COLUMN     "executingSince" TIMESTAMP(3),
ADD COLUMN     "executions" INTEGER NOT NULL DEFAULT 0;
