-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Policy" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "level" TEXT NOT NULL,
    "namespace" TEXT,
    "repository" TEXT,
    "scopeKey" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "revision" INTEGER NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "scheduleCron" TEXT,
    "scheduleTimezone" TEXT,
    "scheduleDryRun" BOOLEAN NOT NULL DEFAULT false,
    "nextRunAt" DATETIME,
    "lastScheduledRunId" INTEGER
);
INSERT INTO "new_Policy" ("document", "id", "level", "namespace", "repository", "revision", "scopeKey", "updatedAt", "updatedBy") SELECT "document", "id", "level", "namespace", "repository", "revision", "scopeKey", "updatedAt", "updatedBy" FROM "Policy";
DROP TABLE "Policy";
ALTER TABLE "new_Policy" RENAME TO "Policy";
CREATE UNIQUE INDEX "Policy_scopeKey_key" ON "Policy"("scopeKey");
CREATE INDEX "Policy_nextRunAt_idx" ON "Policy"("nextRunAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
