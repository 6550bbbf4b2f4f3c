const { stopCluster } = require('./postgres-cluster');

module.exports = async function globalTeardown() {
  const cluster = globalThis.__WINNOW_PG__;
  if (cluster !== undefined) stopCluster(cluster);
};
