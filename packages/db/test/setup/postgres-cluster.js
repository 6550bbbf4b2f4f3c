// A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the test run (docs/database.md, "Tests").
const { execFileSync, spawnSync } = require('node:child_process');
const { chownSync, existsSync, mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const BIN = process.env.WINNOW_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL tool, as the postgres user when we are root (initdb refuses root). */
function pgTool(tool, args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args]]
    : [path.join(BIN, tool), args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh machine may lack the server: as root with apt (CI, the project's machines), install
 * it, as the environment guide says; anywhere else say what to do.
 */
function ensurePostgres() {
  if (existsSync(path.join(BIN, 'initdb'))) return;
  const canInstall =
    process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !process.env.WINNOW_PG_BIN;
  if (canInstall) {
    process.stderr.write('PostgreSQL 15 is not installed: installing it with apt-get (once)\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const argv of [
      ['update'],
      ['install', '-y', '--no-install-recommends', 'postgresql-15'],
    ]) {
      const result = spawnSync('apt-get', argv, { encoding: 'utf8', env });
      if (result.status !== 0)
        throw new Error(`apt-get ${argv.join(' ')} failed: ${result.stderr}`);
    }
  }
  if (!existsSync(path.join(BIN, 'initdb'))) {
    throw new Error(
      `PostgreSQL 15 not found in ${BIN}: apt-get install -y postgresql-15 (or set WINNOW_PG_BIN)`,
    );
  }
}

/**
 * Starts a cluster on a free port. Tests run it without durability (`fsync=off`, no synchronous
 * commit); `{ durable: true }` keeps PostgreSQL's defaults, as a production server has them
 * (the benchmarks).
 */
async function startCluster({ durable = false } = {}) {
  ensurePostgres();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'winnow-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  pgTool('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const port = await freePort();
  const fast = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${fast}`;
  pgTool('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', options, 'start']);
  return { dir, data, url: `postgresql://postgres@127.0.0.1:${port}` };
}

function stopCluster(cluster) {
  try {
    pgTool('pg_ctl', ['-D', cluster.data, '-m', 'immediate', 'stop']);
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true });
  }
}

module.exports = { startCluster, stopCluster };
