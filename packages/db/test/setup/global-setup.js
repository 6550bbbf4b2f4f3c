// Starts one PostgreSQL cluster for the run and migrates a template database; each test file
// clones it (CREATE DATABASE ... TEMPLATE) in test/support/databases.ts.
const { Client } = require('pg');
const { migrate } = require('../../dist');
const { startCluster, stopCluster } = require('./postgres-cluster');

module.exports = async function globalSetup() {
  const cluster = await startCluster();
  try {
    const admin = new Client({ connectionString: `${cluster.url}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE winnow_template');
    await admin.end();
    await migrate(`${cluster.url}/winnow_template`);
  } catch (error) {
    // Jest skips the teardown when the setup fails: stop the cluster here.
    stopCluster(cluster);
    throw error;
  }
  globalThis.__WINNOW_PG__ = cluster;
  // Workers are started after this and inherit the environment.
  process.env.WINNOW_TEST_PG_URL = cluster.url;
  process.env.WINNOW_TEST_PG_TEMPLATE = 'winnow_template';
};
