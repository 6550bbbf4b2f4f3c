import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, openDatabase } from '@winnow/db';
import { ConfigError, readConfig, redactUrl } from './config';
import { ensureAdminToken, printGeneratedToken } from './auth/bootstrap';
import { seedDemo } from './demo';
import { redactText } from './redact';
import { buildService } from './service';

/**
 * Starts the API and the worker: reads the environment, migrates and opens the database, seeds
 * the examples with `--demo`, listens, and stops cleanly on SIGTERM or SIGINT: the worker stops
 * claiming, finishes the repository in hand and releases its other claims, in-flight requests
 * finish, the database closes; all within WINNOW_SHUTDOWN_TIMEOUT, or the process exits anyway.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`winnow-server: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.databaseUrl.startsWith('file:')) {
    mkdirSync(dirname(config.databaseUrl.slice('file:'.length)), { recursive: true });
  }
  const applied = await migrate(config.databaseUrl);
  const database = openDatabase(config.databaseUrl, {
    postgresTimeouts: config.databaseTimeouts,
    // A run in progress read through the API shows progress up to WINNOW_RUN_PROGRESS_MAX_AGE
    // old: summing a run of 10,000 repositories on every GET /runs was a fifth of a core at 60
    // reads/s.
    runTotalsMaxAgeMs: config.runProgressMaxAgeMs,
  });
  const service = await buildService({ config, database });
  const { app } = service;
  const generated = await ensureAdminToken(database, config.auth);
  if (generated !== undefined) {
    printGeneratedToken(generated, (text) => process.stderr.write(text));
  }
  if (process.argv.includes('--demo')) {
    const seeded = await seedDemo(database);
    app.log.info(seeded, 'demo: example inventories and policies seeded');
  }
  app.log.info(
    { database: redactUrl(config.databaseUrl), migrationsApplied: applied },
    'database ready',
  );
  // What this process runs with, secrets only as set or not.
  app.log.info(
    {
      host: config.host,
      port: config.port,
      logLevel: config.logLevel,
      worker: config.worker,
      databaseTimeouts: config.databaseTimeouts,
      restoreWindowMs: config.restoreWindowMs,
      maxDeleteRatio: config.maxDeleteRatio ?? 'off',
      secretKeySet: config.secretKey !== undefined,
      eventsSecretSet: config.eventsSecret !== undefined,
      auth: config.auth.enabled ? 'on' : 'off',
      adminTokenSet: config.auth.adminToken !== undefined,
      metricsAuth: config.auth.metrics,
    },
    'configuration',
  );
  const stop = (signal: string): void => {
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    service
      .stop()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ host: config.host, port: config.port });
  service.start();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `winnow-server: failed to start: ${redactText(error instanceof Error ? error.message : String(error))}\n`,
  );
  process.exit(1);
});
