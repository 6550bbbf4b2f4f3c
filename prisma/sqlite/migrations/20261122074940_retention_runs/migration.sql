-- CreateTable
CREATE TABLE "Run" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "level" TEXT NOT NULL,
    "namespace" TEXT,
    "repository" TEXT,
    "dryRun" BOOLEAN NOT NULL,
    "trigger" TEXT NOT NULL,
    "triggeredBy" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "now" DATETIME NOT NULL,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
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
    "untagged" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "RunTask" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "repositoryId" INTEGER,
    "repositoryPath" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "heartbeatAt" DATETIME,
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
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "RunTask_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RunTask_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "repositoryId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "pushedAt" DATETIME,
    "lastPulledAt" DATETIME,
    "immutable" BOOLEAN NOT NULL DEFAULT false,
    "labels" JSONB NOT NULL,
    "lifetimeEnd" DATETIME,
    "expiredByRunId" INTEGER,
    CONSTRAINT "Tag_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Tag_expiredByRunId_fkey" FOREIGN KEY ("expiredByRunId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Tag" ("digest", "id", "immutable", "labels", "lastPulledAt", "lifetimeEnd", "name", "pushedAt", "repositoryId") SELECT "digest", "id", "immutable", "labels", "lastPulledAt", "lifetimeEnd", "name", "pushedAt", "repositoryId" FROM "Tag";
DROP TABLE "Tag";
ALTER TABLE "new_Tag" RENAME TO "Tag";
CREATE INDEX "Tag_repositoryId_digest_idx" ON "Tag"("repositoryId", "digest");
CREATE INDEX "Tag_lifetimeEnd_idx" ON "Tag"("lifetimeEnd");
CREATE INDEX "Tag_expiredByRunId_idx" ON "Tag"("expiredByRunId");
CREATE UNIQUE INDEX "Tag_repositoryId_name_key" ON "Tag"("repositoryId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
