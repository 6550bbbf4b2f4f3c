-- AlterTable
ALTER TABLE "Policy" ADD COLUMN     "lastScheduledRunId" INTEGER,
ADD COLUMN     "nextRunAt" TIMESTAMP(3),
ADD COLUMN     "scheduleCron" TEXT,
ADD COLUMN     "scheduleDryRun" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "scheduleTimezone" TEXT;

-- CreateIndex
CREATE INDEX "Policy_nextRunAt_idx" ON "Policy"("nextRunAt");
