// Prisma CLI configuration for the sqlite schema (`prisma generate --config prisma.sqlite.config.mjs`).
// `prisma migrate deploy` can use it too where Prisma's native engine is installed:
// set DATABASE_URL (see docs/database.md).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../../prisma/sqlite',
  migrations: { path: '../../prisma/sqlite/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
