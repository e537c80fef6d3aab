/** Issue 13 regressions through main(): hostile options and hostile DCS answers give typed errors and exit codes. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from './run-cli.js';

const servers: http.Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** An etcd JSON gateway on `host` that answers every range read with `kvs` (key → value text). */
async function fakeEtcd(host: string, kvs: Record<string, string>): Promise<string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({
          header: { revision: '9' },
          kvs: Object.entries(kvs).map(([k, v]) => ({ key: b64(k), value: b64(v), mod_revision: '9' })),
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `etcd3://${host}:${(server.address() as AddressInfo).port}`;
}

const untyped =
  /TypeError|RangeError|Cannot read prop|is not a function|Maximum call stack|\[object Object\]/;

describe('CLI against hostile input (issue 13)', () => {
  for (const url of ['not-a-url', 'ftp://127.0.52.1:21', 'http://']) {
    it(`--rest-url ${url} is a usage error (exit 2)`, async () => {
      const r = await cli('list', 'a', '--rest-url', url);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--rest-url/);
    });
  }

  it('--timeout above 2^31-1 ms is a usage error (exit 2)', async () => {
    const r = await cli(
      'reload',
      'a',
      '--rest-url',
      'http://127.0.52.1:9',
      '--force',
      '--timeout',
      '3000000',
    );
    assert.equal(r.code, 2, r.stderr);
    for (const args of [
      ['watch', 'a'],
      ['etcd', 'status'],
    ]) {
      const w = await cli(...args, '--dcs-url', 'etcd3://127.0.52.1:9', '--timeout', '3000000');
      assert.equal(w.code, 2, `${args.join(' ')}: ${w.stderr}`);
    }
  });

  it('a DCS client with a timeout above 2^31-1 ms is a USAGE error', async () => {
    const { DcsClient } = await import('@patroni-kit/dcs');
    assert.throws(
      () => new DcsClient({ endpoints: ['http://127.0.52.1:9'], timeoutMs: 2 ** 31 }),
      (e: unknown) => (e as { code?: string }).code === 'USAGE',
    );
  });

  it('edit-config --dry-run of a value lint refuses prints the diff and the finding once (exit 1)', async () => {
    const dcs = await fakeEtcd('127.0.52.4', {
      '/service/a/initialize': '1',
      '/service/a/leader': 'n1',
      '/service/a/config': JSON.stringify({ ttl: 30, loop_wait: 10, retry_timeout: 10 }),
      '/service/a/members/n1': JSON.stringify({
        state: 'running',
        role: 'primary',
        api_url: 'http://127.0.52.4:9/patroni',
      }),
    });
    const r = await cli('edit-config', 'a', '--dcs-url', dcs, '-s', 'ttl=abc', '--dry-run', '--timeout', '3');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stdout.split('+ttl: abc').length - 1, 1, r.stdout);
    assert.equal(r.stdout.split('[type-mismatch]').length - 1, 1, r.stdout);
    assert.match(r.stdout, /nothing was sent/);
  });

  it('edit-config --apply with a broken or missing file names the file, not the option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-cli-apply-'));
    try {
      const bad = join(dir, 'patch.yml');
      writeFileSync(bad, 'ttl: [1,\n');
      const broken = await cli('edit-config', 'a', '--rest-url', 'http://127.0.52.1:9', '--apply', bad);
      assert.notEqual(broken.code, 0);
      assert.match(broken.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:\\d+:\\d+: YAML syntax error`));
      assert.match(broken.stderr, new RegExp(`patroni-kit lint ${bad.replace(/[.]/g, '\\.')}`));
      const missing = await cli(
        'edit-config',
        'a',
        '--rest-url',
        'http://127.0.52.1:9',
        '--apply',
        join(dir, 'nope.yml'),
      );
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /--apply: cannot read .*nope\.yml/);
      assert.doesNotMatch(missing.stderr, untyped);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('list renders a DCS with non-string roles, odd restart reasons, {"toString":0} and a 20,000-level config', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const dcs = await fakeEtcd('127.0.52.2', {
      '/service/a/initialize': '1',
      '/service/a/leader': 'n1',
      '/service/a/config': deep,
      '/service/a/failsafe': '{"n1":{"toString":0}}',
      '/service/a/status': '{"optime":{"toString":0},"retain_slots":[{"toString":0}]}',
      '/service/a/history': '[[1, 2, {"toString":0}]]',
      '/service/a/members/n1': JSON.stringify({
        state: 'running',
        role: { x: 1 },
        pending_restart_reason: { x: null },
      }),
      '/service/a/members/n2': JSON.stringify({ state: ['x'], role: 7, tags: 'x', api_url: 5 }),
    });
    for (const format of ['pretty', 'json', 'yaml', 'tsv']) {
      const r = await cli('list', 'a', '--dcs-url', dcs, '-f', format);
      assert.ok(r.code === 0 || r.code === 1, `${format}: exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, untyped, `${format}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /n1/);
    }
  });
});
