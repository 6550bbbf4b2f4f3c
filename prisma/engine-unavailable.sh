#!/bin/sh
# Stands in for Prisma's native schema engine, which no reachable registry ships.
# `prisma generate` only checks that this file exists; anything that executes it
# (prisma migrate, prisma db) must use the Wasm engine or a real binary instead.
echo "winnow: Prisma's native schema engine is not installed here. Migrations are applied by" >&2
echo "@winnow/db (migrate) and created with 'pnpm --filter @winnow/db migration:create'; see docs/database.md." >&2
exit 1
