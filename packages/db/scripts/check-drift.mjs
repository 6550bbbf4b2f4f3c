// Exits 0 when the (migrated) database at <url> has exactly the schema of prisma/models.prisma,
// and 2 printing the SQL that would fix it otherwise: proof that the committed migrations and the
// models agree. Usage: node scripts/check-drift.mjs <url>
import { providerOf, sqlToModels } from './schema-engine.mjs';

const url = process.argv[2] ?? process.env.DATABASE_URL ?? '';
const provider = providerOf(url);
const script = await sqlToModels(provider, url);
if (script === '') {
  console.log(`${provider}: no drift`);
  process.exit(0);
}
console.log(script);
process.exit(2);
