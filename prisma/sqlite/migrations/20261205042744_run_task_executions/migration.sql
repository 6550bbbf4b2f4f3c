-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RunTask" (
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
    "executingSince" DATETIME,
    "executions" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "RunTask_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RunTask_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_RunTask" ("attempts", "blocked", "decisions", "dryRunTags", "errorCode", "errorMessage", "evaluated", "expired", "finishedAt", "heartbeatAt", "id", "kept", "leaseExpiresAt", "leaseOwner", "missing", "repositoryId", "repositoryPath", "repushed", "runId", "skippedImmutable", "startedAt", "status", "untagged") SELECT "attempts", "blocked", "decisions", "dryRunTags", "errorCode", "errorMessage", "evaluated", "expired", "finishedAt", "heartbeatAt", "id", "kept", "leaseExpiresAt", "leaseOwner", "missing", "repositoryId", "repositoryPath", "repushed", "runId", "skippedImmutable", "startedAt", "status", "untagged" FROM "RunTask";
DROP TABLE "RunTask";
ALTER TABLE "new_RunTask" RENAME TO "RunTask";
CREATE INDEX "RunTask_runId_status_idx" ON "RunTask"("runId", "status");
CREATE INDEX "RunTask_status_id_idx" ON "RunTask"("status", "id");
CREATE INDEX "RunTask_status_leaseExpiresAt_idx" ON "RunTask"("status", "leaseExpiresAt");
CREATE INDEX "RunTask_repositoryId_idx" ON "RunTask"("repositoryId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
