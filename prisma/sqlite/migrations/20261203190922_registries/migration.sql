-- AlterTable
ALTER TABLE "Namespace" ADD COLUMN "upstreamCheckedAt" DATETIME;
ALTER TABLE "Namespace" ADD COLUMN "upstreamError" TEXT;
ALTER TABLE "Namespace" ADD COLUMN "upstreamStatus" TEXT;

-- CreateTable
CREATE TABLE "Registry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'distribution',
    "url" TEXT NOT NULL,
    "authKind" TEXT NOT NULL,
    "username" TEXT,
    "secret" TEXT,
    "namespaces" JSONB NOT NULL,
    "tls" JSONB NOT NULL,
    "concurrency" INTEGER NOT NULL DEFAULT 8,
    "requestsPerSecond" INTEGER,
    "timeoutMs" INTEGER NOT NULL DEFAULT 30000,
    "deleteImmediately" BOOLEAN NOT NULL DEFAULT false,
    "syncCron" TEXT,
    "syncTimezone" TEXT,
    "nextSyncAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RegistrySync" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "registryId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL,
    "triggeredBy" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "repositoriesTotal" INTEGER NOT NULL DEFAULT 0,
    "repositoriesDone" INTEGER NOT NULL DEFAULT 0,
    "repositoriesFailed" INTEGER NOT NULL DEFAULT 0,
    "tags" INTEGER NOT NULL DEFAULT 0,
    "manifestsFetched" INTEGER NOT NULL DEFAULT 0,
    "manifestsUnchanged" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT,
    CONSTRAINT "RegistrySync_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RegistryDeletion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "registryId" INTEGER NOT NULL,
    "runId" INTEGER,
    "repositoryPath" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "tags" JSONB NOT NULL,
    "outcome" TEXT NOT NULL,
    "message" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "RegistryDeletion_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RegistryEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "action" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL
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
    "upstreamCheckedAt" DATETIME,
    "upstreamStale" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "Tag_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Tag_expiredByRunId_fkey" FOREIGN KEY ("expiredByRunId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Tag" ("digest", "expiredByRunId", "id", "immutable", "labels", "lastPulledAt", "lifetimeEnd", "name", "pushedAt", "repositoryId") SELECT "digest", "expiredByRunId", "id", "immutable", "labels", "lastPulledAt", "lifetimeEnd", "name", "pushedAt", "repositoryId" FROM "Tag";
DROP TABLE "Tag";
ALTER TABLE "new_Tag" RENAME TO "Tag";
CREATE INDEX "Tag_repositoryId_digest_idx" ON "Tag"("repositoryId", "digest");
CREATE INDEX "Tag_lifetimeEnd_idx" ON "Tag"("lifetimeEnd");
CREATE INDEX "Tag_expiredByRunId_idx" ON "Tag"("expiredByRunId");
CREATE UNIQUE INDEX "Tag_repositoryId_name_key" ON "Tag"("repositoryId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Registry_name_key" ON "Registry"("name");

-- CreateIndex
CREATE INDEX "Registry_nextSyncAt_idx" ON "Registry"("nextSyncAt");

-- CreateIndex
CREATE INDEX "RegistrySync_registryId_id_idx" ON "RegistrySync"("registryId", "id");

-- CreateIndex
CREATE INDEX "RegistrySync_status_id_idx" ON "RegistrySync"("status", "id");

-- CreateIndex
CREATE INDEX "RegistryDeletion_runId_idx" ON "RegistryDeletion"("runId");

-- CreateIndex
CREATE INDEX "RegistryDeletion_registryId_at_idx" ON "RegistryDeletion"("registryId", "at");

-- CreateIndex
CREATE INDEX "RegistryEvent_receivedAt_idx" ON "RegistryEvent"("receivedAt");
