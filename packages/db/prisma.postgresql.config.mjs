// Prisma CLI configuration for the postgresql schema (`prisma generate --config prisma.postgresql.config.mjs`).
// `prisma migrate deploy` can use it too where Prisma's native engine is installed:
// set DATABASE_URL (see docs/database.md).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../../prisma/postgresql',
  migrations: { path: '../../prisma/postgresql/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
