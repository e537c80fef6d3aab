/**
 * The cluster CA and certificates, made with the real openssl binary: SANs are the node's address and
 * name, keys are 0600 in a 0700 folder, a second run reuses everything, and a node whose address changed
 * gets a new certificate (the others are kept).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ensurePki, parseSpec } from '../src/index.js';

const run = promisify(execFile);

const SPEC = `cluster: pg-cluster
nodes:
  - { name: pg-1, address: 10.0.0.11 }
  - { name: pg-2, address: 10.0.0.12 }
  - { name: pg-3, address: 10.0.0.13 }
tls: { restApi: { enabled: true }, etcd: { enabled: true } }
`;

test('ensurePki makes a CA and per-node certificates, reuses them, and reissues only what changed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pk-pki-'));
  try {
    const spec = parseSpec(SPEC, join(dir, 'cluster.yml'));
    assert.equal(spec.tls.certDir, join(dir, 'cluster.tls'));
    const first = await ensurePki(spec, { create: true });
    assert.ok(first);
    assert.deepEqual(
      first.created.map((f) => f.slice(spec.tls.certDir.length + 1)),
      ['ca.crt', 'pg-1.crt', 'pg-2.crt', 'pg-3.crt', 'operator.crt'],
    );
    assert.equal((await stat(spec.tls.certDir)).mode & 0o777, 0o700);
    for (const k of ['ca.key', 'pg-1.key', 'operator.key'])
      assert.equal((await stat(join(spec.tls.certDir, k))).mode & 0o777, 0o600, k);
    const text = (
      await run('openssl', ['x509', '-noout', '-text', '-in', join(spec.tls.certDir, 'pg-2.crt')])
    ).stdout;
    assert.match(text, /IP Address:10\.0\.0\.12/);
    assert.match(text, /DNS:pg-2/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    await run('openssl', [
      'verify',
      '-CAfile',
      spec.tls.caFile,
      join(spec.tls.certDir, 'pg-2.crt'),
      join(spec.tls.certDir, 'operator.crt'),
    ]);
    assert.match(first.nodes.get('pg-2')!.key, /BEGIN PRIVATE KEY/);

    const again = await ensurePki(spec, { create: true });
    assert.deepEqual(again?.created, [], 'a second run reuses every certificate');
    assert.equal(again?.nodes.get('pg-1')?.cert, first.nodes.get('pg-1')?.cert);

    const moved = parseSpec(SPEC.replace('10.0.0.13', '10.0.0.23'), join(dir, 'cluster.yml'));
    const third = await ensurePki(moved, { create: true });
    assert.deepEqual(
      third?.created.map((f) => f.slice(spec.tls.certDir.length + 1)),
      ['pg-3.crt'],
    );
    assert.notEqual(third?.nodes.get('pg-3')?.cert, first.nodes.get('pg-3')?.cert);
    assert.equal(third?.nodes.get('pg-1')?.cert, first.nodes.get('pg-1')?.cert);

    // A CA of one's own without its key: certificates that exist are used, a missing one is a clear error.
    const foreign = parseSpec(
      `${SPEC.replace('tls: { restApi: { enabled: true }', `tls: { restApi: { enabled: true, caFile: ${join(dir, 'elsewhere.crt')} }`)}`,
      join(dir, 'other.yml'),
    );
    await assert.rejects(ensurePki(foreign, { create: true }), /tls\.caFile .*elsewhere\.crt does not exist/);
    assert.equal(await readFile(spec.tls.caFile, 'utf8'), first.ca);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no TLS in the spec: no certificates', async () => {
  const spec = parseSpec(SPEC.replace(/^tls:.*\n/m, ''), '/nonexistent/cluster.yml');
  assert.equal(await ensurePki(spec, { create: true }), undefined);
});
