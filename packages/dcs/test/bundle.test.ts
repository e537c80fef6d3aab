/** The esbuild bundle (as the VS Code extension builds it) works against a real etcd, without files beside it. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Etcd3 } from 'etcd3';
import { etcd3ProtoPlugin } from '../src/esbuild.js';
import { EtcdCluster } from './etcd-cluster.js';
import { seedCluster } from './fixtures.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const indexJs = resolve(here, '../src/index.js');

const entry = `
const { DcsClient } = require(${JSON.stringify(indexJs)});
(async () => {
  const dcs = new DcsClient({ endpoints: [process.argv[2]], timeoutMs: 5000 });
  const s = await dcs.readCluster('bundled');
  const w = dcs.watchCluster('bundled');
  await w.start();
  const seen = new Promise((res) => w.on((e) => { if (e.type === 'paused') res(e.type); }));
  await dcs.editConfig('bundled', { pause: true });
  const ev = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no event')), 10000))]);
  const h = await dcs.health();
  await w.close();
  dcs.close();
  console.log(JSON.stringify({ leader: s.leader && s.leader.value, members: s.members.map((m) => m.name), event: ev, quorum: h.quorum.state }));
})().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
`;

describe('esbuild bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-dcs-bundle-'));
  const cluster = new EtcdCluster({ version: '3.5', hosts: ['127.0.4.61'], dir: join(dir, 'etcd') });

  before(async () => {
    await cluster.start();
    const raw = new Etcd3({ hosts: cluster.endpoints });
    await seedCluster(raw, 'service', 'bundled', '4.1');
    raw.close();
    writeFileSync(join(dir, 'entry.cjs'), entry);
  });

  after(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function bundle(name: string, plugins: Parameters<typeof build>[0]['plugins']): Promise<string> {
    // The output lives in a folder with no node_modules above it: only the bundle itself can be used.
    const out = join(dir, name, 'extension.cjs');
    mkdirSync(dirname(out), { recursive: true });
    await build({
      entryPoints: [join(dir, 'entry.cjs')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: out,
      logLevel: 'silent',
      ...(plugins ? { plugins } : {}),
    });
    return out;
  }

  test('without the plugin the bundle fails: etcd3 looks for proto/rpc.proto on disk', async () => {
    const out = await bundle('plain', []);
    const res = await run(process.execPath, [out, cluster.endpoints[0]!], { timeout: 30_000 }).then(
      () => ({ ok: true, stderr: '' }),
      (err: { stderr: string }) => ({ ok: false, stderr: err.stderr }),
    );
    assert.equal(res.ok, false);
    assert.match(res.stderr, /ENOENT.*rpc\.proto/);
  });

  test('with etcd3ProtoPlugin the single-file bundle reads, watches and checks health', async () => {
    const out = await bundle('inlined', [etcd3ProtoPlugin() as never]);
    const code = readFileSync(out, 'utf8');
    assert.doesNotMatch(code, /proto\/rpc\.proto/);
    assert.ok(statSync(out).size > 100_000, 'grpc-js and etcd3 are inside the bundle');
    const { stdout } = await run(process.execPath, [out, cluster.endpoints[0]!], {
      timeout: 60_000,
      cwd: dirname(out),
    });
    assert.deepEqual(JSON.parse(stdout.trim()), {
      leader: 'n1',
      members: ['n1', 'n2', 'n3'],
      event: 'paused',
      quorum: 'ok',
    });
  });
});
