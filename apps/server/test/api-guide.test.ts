/**
 * docs/api-guide.md is a shell session: this test runs its `sh` blocks, in order, with bash,
 * curl and jq, against a real server (API and worker listening on loopback, on a fresh SQLite
 * database) and a real registry, so that every request in the guide keeps working. Blocks after
 * `<!-- api-guide:skip -->` (starting the server) are not run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openDatabase } from '@winnow/db';
import { migratedDatabase } from '@winnow/db/testing';
import { DistributionClient } from '@winnow/registry';
import { collect, pushImage, startRegistry, type TestRegistry } from '@winnow/registry/testing';

import { ensureAdminToken } from '../src/auth/bootstrap';
import { readConfig } from '../src/config';
import { buildService } from '../src/service';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '../../..');
const GUIDE = join(ROOT, 'docs/api-guide.md');
const SERVER_LINE = 'WINNOW=http://localhost:8080';
const REGISTRY_LINE = 'REGISTRY=http://localhost:5000';
const TOKEN_LINE = 'export WINNOW_TOKEN=paste-the-token-printed-at-start';
const TOKEN = 'the-api-guide-administrator-token-0123456789';

/** The guide's `sh` blocks, in order, without the skipped ones. */
function guideBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /(<!-- api-guide:skip -->\s*)?```sh\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(fence)) {
    if (match[1] === undefined) blocks.push(match[2] ?? '');
  }
  return blocks;
}

function run(script: string, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('docs/api-guide.md', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    // The guide's tools; CI machines start without jq.
    const missing = ['curl', 'jq'].filter(
      (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
    );
    if (missing.length > 0) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
        stdio: 'ignore',
        env,
      });
    }
    registry = await startRegistry();
    const client = new DistributionClient({ url: registry.url });
    const images = [
      ['1.0', '2026-09-01T00:00:00Z'],
      ['1.1', '2026-10-01T00:00:00Z'],
      ['1.2', '2026-10-20T00:00:00Z'],
    ] as const;
    for (const [tag, created] of images) {
      await pushImage(client, 'shop/web', { tag, label: tag, created });
    }
    await pushImage(client, 'shop/web', { tag: 'latest', label: '1.2', created: images[2][1] });
  });

  afterAll(async () => {
    await registry.stop();
  });

  it('splits into blocks, the server start left out', () => {
    const markdown = readFileSync(GUIDE, 'utf8');
    const blocks = guideBlocks(markdown);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.some((block) => block.includes('pnpm start'))).toBe(false);
    expect(blocks.join('\n')).toContain(SERVER_LINE);
    expect(blocks.join('\n')).toContain(REGISTRY_LINE);
    expect(blocks.join('\n')).toContain(TOKEN_LINE);
  });

  it('runs every request of the guide against a real server and registry', async () => {
    const created = await migratedDatabase('sqlite');
    const database = openDatabase(created.url);
    const config = readConfig({ WINNOW_ADMIN_TOKEN: TOKEN, WINNOW_WORKER_INTERVAL: '200ms' });
    await ensureAdminToken(database, config.auth);
    const service = await buildService({ config, database, logger: false });
    try {
      await service.app.listen({ host: '127.0.0.1', port: 0 });
      service.start();
      const { port } = service.app.server.address() as AddressInfo;
      const script = guideBlocks(readFileSync(GUIDE, 'utf8'))
        .join('\n')
        .replace(SERVER_LINE, `WINNOW=http://127.0.0.1:${port}`)
        .replace(REGISTRY_LINE, `REGISTRY=${registry.url}`)
        .replace(TOKEN_LINE, `export WINNOW_TOKEN=${TOKEN}`);
      const { code, out } = await run(script, ROOT);
      expect({ code, out }).toEqual({ code: 0, out: expect.any(String) as string });
      // What the guide promises along the way.
      expect(out).toContain('{"status":"ready"}');
      expect(out).toMatch(/"pointer": "\/rules\/0\/match\/newest"/);
      expect(out).toMatch(/\tacme\/web\/api:expire-old-builds\tolder than 30d by pushed/);
      expect(out).toMatch(/\tkeep\tits digest is a platform of kept index/);
      expect(out).toMatch(/^restoring \S+$/m);
      expect(out).toMatch(/"ok": true/);
      expect(out).toMatch(/"status": "succeeded"/);
      expect(out).toMatch(/^shop\/web\tsha256:[0-9a-f]{64}\tdeleted$/m);
      const remaining = await collect(
        new DistributionClient({ url: registry.url }).tags('shop/web'),
      );
      expect([...remaining].sort()).toEqual(['1.1', '1.2', 'latest']);
    } finally {
      await service.stop();
      await database.close();
      await created.drop();
    }
  });
});
