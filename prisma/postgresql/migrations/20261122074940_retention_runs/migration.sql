-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('api', 'schedule', 'cli');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "RunTaskStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "expiredByRunId" INTEGER;

-- CreateTable
CREATE TABLE "Run" (
    "id" SERIAL NOT NULL,
    "level" "ScopeLevel" NOT NULL,
    "namespace" TEXT,
    "repository" TEXT,
    "dryRun" BOOLEAN NOT NULL,
    "trigger" "RunTrigger" NOT NULL,
    "triggeredBy" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "now" TIMESTAMP(3) NOT NULL,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "repositories" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "blockedRepos" INTEGER NOT NULL DEFAULT 0,
    "evaluated" INTEGER NOT NULL DEFAULT 0,
    "kept" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "dryRunTags" INTEGER NOT NULL DEFAULT 0,
    "skippedImmutable" INTEGER NOT NULL DEFAULT 0,
    "blocked" INTEGER NOT NULL DEFAULT 0,
    "repushed" INTEGER NOT NULL DEFAULT 0,
    "missing" INTEGER NOT NULL DEFAULT 0,
    "untagged" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunTask" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "repositoryId" INTEGER,
    "repositoryPath" TEXT NOT NULL,
    "status" "RunTaskStatus" NOT NULL DEFAULT 'queued',
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "evaluated" INTEGER NOT NULL DEFAULT 0,
    "kept" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "dryRunTags" INTEGER NOT NULL DEFAULT 0,
    "skippedImmutable" INTEGER NOT NULL DEFAULT 0,
    "blocked" INTEGER NOT NULL DEFAULT 0,
    "repushed" INTEGER NOT NULL DEFAULT 0,
    "missing" INTEGER NOT NULL DEFAULT 0,
    "untagged" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "decisions" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RunTask_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Run_status_id_idx" ON "Run"("status", "id");

-- CreateIndex
CREATE INDEX "Run_trigger_id_idx" ON "Run"("trigger", "id");

-- CreateIndex
CREATE INDEX "RunTask_runId_status_idx" ON "RunTask"("runId", "status");

-- CreateIndex
CREATE INDEX "RunTask_status_id_idx" ON "RunTask"("status", "id");

-- CreateIndex
CREATE INDEX "RunTask_status_leaseExpiresAt_idx" ON "RunTask"("status", "leaseExpiresAt");

-- CreateIndex
CREATE INDEX "RunTask_repositoryId_idx" ON "RunTask"("repositoryId");

-- CreateIndex
CREATE INDEX "Tag_lifetimeEnd_idx" ON "Tag"("lifetimeEnd");

-- CreateIndex
CREATE INDEX "Tag_expiredByRunId_idx" ON "Tag"("expiredByRunId");

-- AddForeignKey
ALTER TABLE "Tag" ADD CONSTRAINT "Tag_expiredByRunId_fkey" FOREIGN KEY ("expiredByRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunTask" ADD CONSTRAINT "RunTask_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunTask" ADD CONSTRAINT "RunTask_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE SET NULL ON UPDATE CASCADE;
