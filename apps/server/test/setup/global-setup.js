// The data layer's PostgreSQL cluster (packages/db/test/setup), and Prometheus for
// test/dashboard.test.ts: installed here, once, before Jest starts its workers, so that its
// apt-get never races another test file's for the dpkg lock.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const databaseSetup = require('../../../../packages/db/test/setup/global-setup');

function installPrometheus() {
  if (existsSync('/usr/bin/prometheus') && existsSync('/usr/bin/promtool')) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return; // the test says why
  process.stderr.write('Prometheus is not installed: installing it with apt-get (once)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  for (const argv of [
    [...lock, 'update'],
    [...lock, 'install', '-y', '--no-install-recommends', 'prometheus'],
  ]) {
    const result = spawnSync('apt-get', argv, { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`apt-get ${argv.join(' ')} failed: ${result.stderr}`);
  }
}

module.exports = async function globalSetup() {
  installPrometheus();
  await databaseSetup();
};
