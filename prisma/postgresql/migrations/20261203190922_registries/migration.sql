-- CreateEnum
CREATE TYPE "RegistrySyncStatus" AS ENUM ('queued', 'running', 'succeeded', 'partial', 'failed');

-- AlterTable
ALTER TABLE "Namespace" ADD COLUMN     "upstreamCheckedAt" TIMESTAMP(3),
ADD COLUMN     "upstreamError" TEXT,
ADD COLUMN     "upstreamStatus" TEXT;

-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "upstreamCheckedAt" TIMESTAMP(3),
ADD COLUMN     "upstreamStale" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Registry" (
    "id" SERIAL NOT NULL,
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
    "nextSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Registry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistrySync" (
    "id" SERIAL NOT NULL,
    "registryId" INTEGER NOT NULL,
    "status" "RegistrySyncStatus" NOT NULL DEFAULT 'queued',
    "trigger" "RunTrigger" NOT NULL,
    "triggeredBy" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "repositoriesTotal" INTEGER NOT NULL DEFAULT 0,
    "repositoriesDone" INTEGER NOT NULL DEFAULT 0,
    "repositoriesFailed" INTEGER NOT NULL DEFAULT 0,
    "tags" INTEGER NOT NULL DEFAULT 0,
    "manifestsFetched" INTEGER NOT NULL DEFAULT 0,
    "manifestsUnchanged" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT,

    CONSTRAINT "RegistrySync_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryDeletion" (
    "id" SERIAL NOT NULL,
    "registryId" INTEGER NOT NULL,
    "runId" INTEGER,
    "repositoryPath" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "tags" JSONB NOT NULL,
    "outcome" TEXT NOT NULL,
    "message" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RegistryDeletion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryEvent" (
    "id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RegistryEvent_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "RegistrySync" ADD CONSTRAINT "RegistrySync_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegistryDeletion" ADD CONSTRAINT "RegistryDeletion_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
