/**
 * The esbuild bundle of the CLI (what `patroni-kit` runs once `npm run build` ran) on a real lab: `list` reads
 * the same cluster as the plain tsc output, `etcd status` (etcd3 + grpc), `watch` (an etcd watch) and
 * `switchover` (REST writes through undici) work from the bundle's chunks, without the sources beside it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab } from '@patroni-kit/lab';
import { type ProcessRun, runFile } from './run-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '../../bin/patroni-kit.mjs');
const BUNDLE = join(here, '../../dist/bundle/patroni-kit.mjs');
const PLAIN = join(here, '../src/main.js');
// This suite's own addresses (127.0.71.0/24), apart from every other suite's.
const NET = '127.0.71';

type Run = ProcessRun;

const node = (file: string, args: string[], timeoutMs = 120_000): Promise<Run> =>
  runFile(process.execPath, [file, ...args], { timeoutMs });

interface ListedMember {
  name: string;
  role: string;
  host: string;
}

function members(run: Run): ListedMember[] {
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as Array<{ Member: string; Role: string; Host: string }>)
    .map((m) => ({ name: m.Member, role: m.Role, host: m.Host }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('the CLI bundle on a real lab', () => {
  const top = mkdtempSync(join(tmpdir(), 'pk-cli-bundle-'));
  chmodSync(top, 0o755);
  const lab = new Lab({
    dir: join(top, 'lab'),
    profile: 'fast',
    hosts: [`${NET}.11`, `${NET}.12`, `${NET}.13`],
    haproxyHost: `${NET}.1`,
  });
  let ctl: string;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `no bundle at ${BUNDLE}: run \`npm run build\``);
    // The bin runs `list` from this one-file build; every other command from the split bundle.
    assert.ok(existsSync(join(dirname(BUNDLE), 'list.mjs')), 'no list.mjs beside the bundle');
    ctl = (await lab.up()).ctlConfig;
  });
  after(async () => {
    await lab.down({ purge: true });
    rmSync(top, { recursive: true, force: true });
  });

  test('list from the bundle (split, and the one-file list.mjs the bin runs) shows what the unbundled CLI shows', async () => {
    const fromBundle = members(await node(BUNDLE, ['list', '-c', ctl, '-f', 'json']));
    const fromBin = members(await node(BIN, ['list', '-c', ctl, '-f', 'json']));
    const plain = members(await node(PLAIN, ['list', '-c', ctl, '-f', 'json']));
    assert.deepEqual(fromBundle, plain);
    assert.deepEqual(fromBin, plain);
    assert.deepEqual(
      plain.map((m) => m.host),
      [`${NET}.11`, `${NET}.12`, `${NET}.13`],
    );
    assert.equal(plain.filter((m) => m.role === 'Leader').length, 1);
  });

  test('etcd status from the bundle talks to etcd through etcd3 and grpc', async () => {
    const r = await node(BUNDLE, ['etcd', 'status', '-c', ctl, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { quorum: { state: string }; members: unknown[] };
    assert.equal(status.quorum.state, 'ok');
    assert.equal(status.members.length, 3);
  });

  test('watch from the bundle sees the switchover the bundle makes', async () => {
    const before = members(await node(BUNDLE, ['list', '-c', ctl, '-f', 'json']));
    const leader = before.find((m) => m.role === 'Leader')!.name;
    const candidate = before.find((m) => m.role !== 'Leader')!.name;

    const watch = spawn(process.execPath, [BUNDLE, 'watch', '-c', ctl, '--json', '--count', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    watch.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    watch.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => watch.on('exit', (code) => resolve(code)));
    const killer = setTimeout(() => watch.kill('SIGKILL'), 120_000);
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('"snapshot"') && Date.now() < deadline && watch.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /"type":"snapshot"/, `watch printed no snapshot: ${err}`);

      const sw = await node(BUNDLE, ['switchover', '-c', ctl, '--candidate', candidate, '--force', '--json']);
      assert.equal(sw.code, 0, `${sw.stdout}\n${sw.stderr}`);
      assert.equal((JSON.parse(sw.stdout) as { outcome: string }).outcome, 'succeeded');

      assert.equal(await exited, 0, err);
      const events = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string })
        .filter((e) => e.type !== 'snapshot' && e.type !== 'watch-status');
      assert.ok(events.length >= 1, `no event after the switchover: ${out}`);
    } finally {
      clearTimeout(killer);
      if (watch.exitCode === null) watch.kill('SIGKILL');
    }
    const afterwards = members(await node(BUNDLE, ['list', '-c', ctl, '-f', 'json']));
    assert.equal(afterwards.find((m) => m.role === 'Leader')?.name, candidate);
    assert.notEqual(candidate, leader);
  });
});
