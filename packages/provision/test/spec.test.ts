/** Cluster spec validation (one clear error per field), defaults, and the 0600 secrets file. */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkKnownHosts,
  checkSpec,
  fingerprint,
  knownHostsLine,
  loadSecrets,
  loadSpec,
  parseSpec,
} from '../src/index.js';

const MIN = `cluster: pg-cluster
nodes:
  - { name: pg-1, address: 10.0.0.11 }
  - { name: pg-2, address: 10.0.0.12 }
  - { name: pg-3, address: 10.0.0.13 }
`;

function problems(yaml: string) {
  try {
    parseSpec(yaml, '/x/c.yml');
  } catch (err) {
    return (
      (err as { details?: { problems?: Array<{ path: string; message: string }> } }).details?.problems ?? []
    ).map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

test('a minimal spec gets the recipe defaults', () => {
  const s = parseSpec(MIN, '/srv/c.yml');
  assert.equal(s.namespace, '/service/');
  assert.equal(s.postgres.major, 15);
  assert.equal(s.patroni.source, 'debian');
  assert.equal(s.patroni.bin, '/usr/bin/patroni');
  assert.equal(s.patroni.version, '3.0');
  assert.deepEqual(s.network.allow, ['10.0.0.0/24']);
  assert.deepEqual(
    s.nodes.map((n) => n.etcd),
    [true, true, true],
  );
  assert.equal(s.nodes[0]!.ssh.user, 'root');
  assert.equal(s.nodes[0]!.ssh.agent, true);
  assert.equal(s.secretsFile, '/srv/c.secrets.json');
  assert.equal(s.haproxy.writerPort, 5000);
  assert.equal(s.haproxy.readerPort, 5001);
});

test('every bad field gets its own error naming the field', () => {
  const bad = `cluster: Pg_Cluster
nodes:
  - { name: pg-1, address: 10.0.0.300 }
  - { name: pg-1, address: 10.0.0.12, colour: red }
  - { address: 10.0.0.13 }
timing: turbo
ssh: { port: 70000, hostKey: 'md5:aa' }
`;
  const p = problems(bad);
  const has = (re: RegExp) =>
    assert.ok(
      p.some((x) => re.test(x)),
      `expected ${re} in:\n${p.join('\n')}`,
    );
  has(/^cluster: has the wrong form/);
  has(/^nodes\[0\]\.address: has the wrong form: IPv4/);
  has(/^nodes\[1\]\.colour: unknown field 'colour'/);
  has(/^nodes\[2\]\.name: 'name' is required/);
  has(/^timing: must be one of "default", "fast"/);
  has(/^ssh\.port: must be <= 65535/);
  has(/^ssh\.hostKey: has the wrong form/);
});

test('rules a schema cannot say: duplicates, quorum, placement, sync, ports, TLS', () => {
  assert.deepEqual(problems(MIN), []);
  const dup = problems(MIN.replace('pg-2, address: 10.0.0.12', 'pg-1, address: 10.0.0.11'));
  assert.ok(dup.includes("nodes[1].name: 'pg-1' is also the name of nodes[0]"), dup.join('\n'));
  assert.ok(dup.includes('nodes[1].address: 10.0.0.11 is also the address of nodes[0]'), dup.join('\n'));
  const two = problems(MIN.replace('  - { name: pg-3, address: 10.0.0.13 }\n', ''));
  assert.match(two.join('\n'), /^nodes: 2 node\(s\): etcd needs three members/);
  assert.match(
    problems(`${MIN}haproxy: { placement: hosts }\n`).join('\n'),
    /^haproxy\.hosts: placement 'hosts' needs/,
  );
  assert.match(
    problems(`${MIN}synchronous: { strict: true }\n`).join('\n'),
    /^synchronous\.strict: strict synchronous mode needs/,
  );
  assert.match(
    problems(`${MIN}synchronous: { mode: true, nodeCount: 3 }\n`).join('\n'),
    /^synchronous\.nodeCount: 3 synchronous standbys need at least 4 nodes/,
  );
  assert.match(
    problems(`${MIN}patroni: { restApiPort: 5000 }\n`).join('\n'),
    /^haproxy\.writerPort: port 5000 is also used by patroni\.restApiPort/,
  );
  assert.match(
    problems(`${MIN}patroni: { source: installed }\n`).join('\n'),
    /^patroni\.bin: source 'installed' needs/,
  );
  assert.match(
    problems(
      `${MIN}tls: { etcd: { enabled: true, certDir: a }, restApi: { enabled: true, certDir: b } }\n`,
    ).join('\n'),
    /^tls\.etcd\.certDir: differs from tls\.restApi\.certDir: one cluster CA/,
  );
  assert.deepEqual(problems(`${MIN}tls: { etcd: { enabled: true }, restApi: { enabled: true } }\n`), []);
  assert.match(
    problems(`${MIN}etcd: { members: [pg-1, pg-2, pg-9] }\n`).join('\n'),
    /^etcd\.members\[2\]: 'pg-9' is not the name of a node/,
  );
});

test('the error message lists every problem, and bad YAML or a non-mapping is a clear CONFIG error', async () => {
  assert.throws(() => parseSpec('cluster: x\nnodes: [', '/x/c.yml'), /not valid YAML/);
  assert.throws(() => parseSpec('- a\n- b\n', '/x/c.yml'), /a cluster spec is a mapping/);
  assert.throws(
    () => parseSpec(`${MIN}bogus: 1\ntiming: x\n`, '/x/c.yml'),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG');
      assert.match(err.message, /2 problem\(s\)/);
      assert.match(err.message, /bogus: unknown field/);
      assert.match(err.message, /timing: must be one of/);
      return true;
    },
  );
  await assert.rejects(
    loadSpec('/nonexistent/spec.yml'),
    (err: Error & { code?: string }) => err.code === 'NOT_FOUND',
  );
});

test('passwords are generated once into a 0600 file, reused, and a readable file is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pk-secrets-'));
  try {
    const file = join(dir, 'c.secrets.json');
    await assert.rejects(loadSecrets(file, false), /no secrets file/);
    const a = await loadSecrets(file, true);
    assert.equal(a.created, true);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    for (const v of [a.secrets.superuser, a.secrets.replication, a.secrets.rewind, a.secrets.restapi]) {
      assert.match(v, /^[A-Za-z0-9_-]{32}$/);
      assert.notEqual(v, 'change-me');
    }
    assert.equal(
      new Set([a.secrets.superuser, a.secrets.replication, a.secrets.rewind, a.secrets.restapi]).size,
      4,
    );
    const b = await loadSecrets(file, true);
    assert.equal(b.created, false);
    assert.deepEqual(b.secrets, a.secrets);
    await chmod(file, 0o644);
    await assert.rejects(loadSecrets(file, true), /readable by others.*chmod 600|readable by others/s);
    await chmod(file, 0o600);
    await writeFile(file, '{"superuser":"short"}');
    await assert.rejects(loadSecrets(file, true), /lacks one of/);
    assert.equal(await readFile(file, 'utf8'), '{"superuser":"short"}', 'a broken file is never overwritten');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('known_hosts: plain, [host]:port, hashed, globs, changed and revoked keys', () => {
  const key = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    randomBytes(32),
  ]);
  const other = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    randomBytes(32),
  ]);
  const b64 = key.toString('base64');
  assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.equal(knownHostsLine('10.0.0.1', 22, key), `10.0.0.1 ssh-ed25519 ${b64}`);
  assert.equal(checkKnownHosts(`10.0.0.1 ssh-ed25519 ${b64}\n`, '10.0.0.1', 22, key), 'known');
  assert.equal(checkKnownHosts(`10.0.0.1 ssh-ed25519 ${b64}\n`, '10.0.0.2', 22, key), 'unknown');
  assert.equal(checkKnownHosts(`10.0.0.1 ssh-ed25519 ${b64}\n`, '10.0.0.1', 2222, key), 'unknown');
  assert.equal(checkKnownHosts(`[10.0.0.1]:2222 ssh-ed25519 ${b64}\n`, '10.0.0.1', 2222, key), 'known');
  assert.equal(
    checkKnownHosts(`10.0.0.1 ssh-ed25519 ${other.toString('base64')}\n`, '10.0.0.1', 22, key),
    'changed',
  );
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update('db1.example').digest('base64');
  assert.equal(
    checkKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}\n`, 'db1.example', 22, key),
    'known',
  );
  assert.equal(
    checkKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}\n`, 'db2.example', 22, key),
    'unknown',
  );
  assert.equal(
    checkKnownHosts(`*.example,!bad.example ssh-ed25519 ${b64}\n`, 'db1.example', 22, key),
    'known',
  );
  assert.equal(
    checkKnownHosts(`*.example,!bad.example ssh-ed25519 ${b64}\n`, 'bad.example', 22, key),
    'unknown',
  );
  assert.equal(
    checkKnownHosts(`@revoked * ssh-ed25519 ${b64}\n10.0.0.1 ssh-ed25519 ${b64}\n`, '10.0.0.1', 22, key),
    'revoked',
  );
  assert.equal(
    checkKnownHosts(`# comment\n\n@cert-authority * ssh-ed25519 ${b64}\n`, '10.0.0.1', 22, key),
    'unknown',
  );
});

test('the schema itself rejects a non-object spec and an empty node list', () => {
  assert.ok(checkSpec({ cluster: 'x', nodes: [] }).some((p) => p.path === 'nodes'));
  assert.ok(checkSpec({ nodes: [] }).some((p) => p.path === 'cluster'));
});
