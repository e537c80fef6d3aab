/**
 * Renderers: golden files pin every byte (UPDATE_GOLDEN=1 rewrites them), our linter finds no error
 * or warning in the rendered patroni.yml, HAProxy's own checker accepts haproxy.cfg, and the webhook
 * script posts Slack-compatible JSON to a real HTTP server without the URL ever appearing in argv.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lintText } from '@patroni-kit/config';
import {
  type ClusterSecrets,
  dynamicConfig,
  dynamicConfigPatch,
  lintPatroniYml,
  parseSpec,
  renderEtcdEnv,
  renderHaproxyCfg,
  renderNodeFiles,
  renderNotifyScript,
  renderPatroniUnit,
  renderPatroniYml,
  renderPgpass,
} from '../src/index.js';

const run = promisify(execFile);
const golden = join(dirname(fileURLToPath(import.meta.url)), '../../test/golden');

const SPEC = `cluster: pg-cluster
nodes:
  - { name: pg-1, address: 10.0.0.11 }
  - { name: pg-2, address: 10.0.0.12 }
  - { name: pg-3, address: 10.0.0.13, tags: { nofailover: true } }
synchronous: { mode: true, strict: false }
webhook: { urlFile: slack-url }
postgres: { parameters: { shared_buffers: 1GB, effective_cache_size: 2GB } }
`;
const secrets: ClusterSecrets = {
  superuser: 'SUPERUSERxxxxxxxxxxxxxxxxxxxxxxx',
  replication: 'REPLICATIONxxxxxxxxxxxxxxxxxxxxx',
  rewind: 'REWINDxxxxxxxxxxxxxxxxxxxxxxxxxx',
  restapi: 'RESTAPIxxxxxxxxxxxxxxxxxxxxxxxxx',
};
const spec = parseSpec(SPEC, '/srv/spec/cluster.yml');

async function matchGolden(name: string, text: string) {
  const file = join(golden, name);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
  assert.equal(
    text,
    await readFile(file, 'utf8'),
    `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept)`,
  );
}

test('patroni.yml per node matches its golden file and has its own name and addresses', async () => {
  for (const node of spec.nodes) {
    const yml = renderPatroniYml(spec, secrets, node);
    await matchGolden(`${node.name}.patroni.yml`, yml);
    assert.match(yml, new RegExp(`name: "${node.name}"`));
    assert.match(yml, new RegExp(`connect_address: ${node.address.replace(/\./g, '\\.')}:5432`));
  }
});

test('rendered patroni.yml passes our linter with no error and no warning (check_timeline set)', () => {
  for (const version of ['3.0', '4.0'] as const) {
    spec.patroni.version = version;
    const yml = renderPatroniYml(spec, secrets, spec.nodes[0]!);
    const findings = lintPatroniYml(yml, spec).filter((f) => f.severity !== 'info');
    assert.deepEqual(findings, [], `Patroni ${version}: ${JSON.stringify(findings)}`);
    assert.match(yml, /check_timeline: true/);
  }
  spec.patroni.version = '3.0';
});

test('a lint error in the rendered patroni.yml stops the run before any file exists', () => {
  const bad = parseSpec(`${SPEC.replace('webhook: { urlFile: slack-url }\n', '')}`, '/srv/spec/cluster.yml');
  bad.postgres.parameters.max_connections = 'lots';
  const direct = lintText(renderPatroniYml(bad, secrets, bad.nodes[0]!)).findings.filter(
    (f) => f.severity === 'error',
  );
  assert.ok(direct.length > 0, 'the linter must reject max_connections: lots');
  assert.throws(
    () => renderNodeFiles(bad, secrets, bad.nodes[0]!),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG');
      assert.match(err.message, /fails the linter/);
      assert.match(err.message, /max_connections/);
      return true;
    },
  );
});

test('etcd ETCD_* settings, the systemd unit and pgpass match their golden files', async () => {
  for (const node of spec.nodes) await matchGolden(`${node.name}.etcd.env`, renderEtcdEnv(spec, node));
  await matchGolden('patroni.service', renderPatroniUnit(spec));
  await matchGolden('pgpass', renderPgpass(spec, secrets));
  assert.match(renderEtcdEnv(spec, spec.nodes[1]!), /^ETCD_NAME=etcd-2$/m);
});

test('haproxy.cfg matches its golden file and HAProxy accepts it', async () => {
  const cfg = renderHaproxyCfg(spec);
  await matchGolden('haproxy.cfg', cfg);
  assert.match(cfg, /option httpchk OPTIONS \/primary/);
  assert.match(cfg, /option httpchk OPTIONS \/replica/);
  assert.match(cfg, /inter 1s fall 2 rise 1 on-marked-down shutdown-sessions/);
  const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));
  assert.ok(haproxy, 'haproxy is installed by scripts/setup.sh');
  const dir = await mkdtemp(join(tmpdir(), 'pk-render-'));
  try {
    await writeFile(join(dir, 'haproxy.cfg'), cfg);
    await run(haproxy, ['-c', '-q', '-f', join(dir, 'haproxy.cfg')], { timeout: 10_000 });
    await writeFile(join(dir, 'broken.cfg'), cfg.replace('balance roundrobin', 'balance no-such-algorithm'));
    await assert.rejects(run(haproxy, ['-c', '-q', '-f', join(dir, 'broken.cfg')], { timeout: 10_000 }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the webhook script posts Slack JSON with role and cluster, URL read from its file and never in argv', async () => {
  const script = renderNotifyScript();
  await matchGolden('patroni-notify.sh', script);
  const bodies: Array<{ path: string; type: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.60.1', r));
  const port = (server.address() as { port: number }).port;
  const dir = await mkdtemp(join(tmpdir(), 'pk-notify-'));
  try {
    const url = `http://127.0.60.1:${port}/services/T000/B000/SECRET`;
    const urlFile = join(dir, 'notify-url');
    await writeFile(urlFile, `${url}\n`, { mode: 0o600 });
    const file = join(dir, 'notify.sh');
    await writeFile(file, script.replace('/etc/patroni/notify-url', urlFile), { mode: 0o755 });
    await run('bash', [file, 'on_role_change', 'master', 'pg-cluster"; rm -rf /'], { timeout: 15_000 });
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]!.path, '/services/T000/B000/SECRET');
    assert.equal(bodies[0]!.type, 'application/json');
    const msg = JSON.parse(bodies[0]!.body) as { text: string };
    assert.match(msg.text, /pg-clusterrm-rf -> role=master \(on_role_change\)/);
    assert.match(script, /--config -/);
    assert.doesNotMatch(
      script,
      /curl[^\n]*"\$URL"/,
      'the URL goes to curl on stdin, not on its command line',
    );
    // No URL file: the script exits 0 (a webhook problem must never fail Patroni's callback).
    await writeFile(file, script.replace('/etc/patroni/notify-url', join(dir, 'missing')), { mode: 0o755 });
    await run('bash', [file, 'on_role_change', 'replica', 'pg-cluster'], { timeout: 15_000 });
    assert.equal(bodies.length, 1);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('node files carry the webhook only when configured, with root-only modes for secrets', () => {
  const files = renderNodeFiles(spec, secrets, spec.nodes[0]!, 'https://hooks.example/x');
  const byPath = new Map(files.map((f) => [f.path, f]));
  assert.equal(byPath.get('/etc/patroni/notify-url')?.mode, '0640');
  assert.equal(byPath.get('/etc/patroni/notify-url')?.owner, 'root');
  assert.equal(byPath.get('/root/.pgpass')?.mode, '0600');
  assert.equal(byPath.get('/etc/patroni/patroni.yml')?.mode, '0640');
  assert.ok(
    !files.some((f) => f.path === '/etc/patroni/notify-url' && f.content.includes(secrets.superuser)),
  );
  const plain = parseSpec(SPEC.replace('webhook: { urlFile: slack-url }\n', ''), '/srv/spec/cluster.yml');
  const none = renderNodeFiles(plain, secrets, plain.nodes[0]!);
  assert.ok(!none.some((f) => f.path.includes('notify')));
  assert.doesNotMatch(none.find((f) => f.path.endsWith('patroni.yml'))!.content, /on_role_change/);
  // The fourth node and beyond run no etcd member.
  const four = parseSpec(
    SPEC.replace('nodes:\n', 'nodes:\n  - { name: pg-0, address: 10.0.0.10 }\n'),
    '/srv/spec/cluster.yml',
  );
  assert.ok(renderNodeFiles(four, secrets, four.nodes[2]!).some((f) => f.path === '/etc/default/etcd'));
  assert.ok(!renderNodeFiles(four, secrets, four.nodes[3]!).some((f) => f.path === '/etc/default/etcd'));
  assert.doesNotMatch(renderPatroniYml(four, secrets, four.nodes[3]!), /10\.0\.0\.13:2379/);
});

test('the DCS patch holds only what differs, compared as text, and leaves unmanaged settings alone', () => {
  const want = dynamicConfig(spec);
  const same = JSON.parse(JSON.stringify(want)) as Record<string, unknown>;
  (same as { postgresql: { parameters: Record<string, unknown> } }).postgresql.parameters.max_connections =
    '100';
  (same as { failsafe_mode?: boolean }).failsafe_mode = true;
  assert.deepEqual(dynamicConfigPatch(want, same), { patch: {}, changes: [] });
  const old = JSON.parse(JSON.stringify(same)) as {
    ttl: number;
    postgresql: { parameters: Record<string, unknown> };
  };
  old.ttl = 99;
  delete old.postgresql.parameters.wal_sender_timeout;
  const d = dynamicConfigPatch(want, old as unknown as Record<string, unknown>);
  assert.deepEqual(d.patch, { ttl: want.ttl, postgresql: { parameters: { wal_sender_timeout: '5s' } } });
  assert.deepEqual(d.changes, [
    `ttl: 99 -> ${want.ttl}`,
    'postgresql.parameters.wal_sender_timeout: (unset) -> 5s',
  ]);
});

const TLS_SPEC = `${SPEC}tls: { restApi: { enabled: true }, etcd: { enabled: true } }\n`;
const tlsSpec = parseSpec(TLS_SPEC, '/srv/spec/cluster.yml');
const tlsMaterial = { ca: 'CA PEM\n', cert: 'CERT PEM\n', key: 'KEY PEM\n' };

test('TLS on: patroni.yml, ETCD_* settings and haproxy.cfg match their golden files; lint and HAProxy accept them', async () => {
  const node = tlsSpec.nodes[0]!;
  const yml = renderPatroniYml(tlsSpec, secrets, node);
  await matchGolden('tls.pg-1.patroni.yml', yml);
  for (const version of ['3.0', '4.0'] as const) {
    tlsSpec.patroni.version = version;
    const findings = lintPatroniYml(yml, tlsSpec).filter((f) => f.severity !== 'info');
    assert.deepEqual(findings, [], `Patroni ${version}: ${JSON.stringify(findings)}`);
  }
  tlsSpec.patroni.version = '3.0';
  // The failover-safety settings stay as they are without TLS.
  assert.match(yml, /check_timeline: true/);
  assert.match(yml, /use_unix_socket: true/);
  assert.match(yml, /verify_client: optional/);
  assert.match(yml, /^etcd3:\n {2}protocol: https\n {2}cacert: \/etc\/patroni\/tls\/ca\.crt/m);
  assert.match(yml, /^ctl:\n {2}cacert: /m);
  const env = renderEtcdEnv(tlsSpec, node);
  await matchGolden('tls.pg-1.etcd.env', env);
  assert.doesNotMatch(env, /http:\/\//);
  assert.match(env, /^ETCD_CLIENT_CERT_AUTH=true$/m);
  assert.match(env, /^ETCD_PEER_CLIENT_CERT_AUTH=true$/m);
  assert.match(env, /^ETCD_INITIAL_CLUSTER="etcd-1=https:\/\/10\.0\.0\.11:2380,/m);
  const cfg = renderHaproxyCfg(tlsSpec);
  await matchGolden('tls.haproxy.cfg', cfg);
  assert.match(
    cfg,
    /server pg-2 10\.0\.0\.12:5432 check port 8008 check-ssl verify required ca-file \/etc\/haproxy\/patroni-ca\.crt verifyhost pg-2$/m,
  );
  const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p))!;
  const dir = await mkdtemp(join(tmpdir(), 'pk-render-'));
  try {
    // A real CA certificate: HAProxy loads the ca-file while it checks the config.
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-subj',
      '/CN=t',
      '-days',
      '1',
    ]);
    await writeFile(
      join(dir, 'haproxy.cfg'),
      cfg.replaceAll('/etc/haproxy/patroni-ca.crt', join(dir, 'ca.crt')),
    );
    await run(haproxy, ['-c', '-q', '-f', join(dir, 'haproxy.cfg')], { timeout: 10_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('TLS on: each node gets the CA, its certificate and its key (0600, marked sensitive); etcd its own copy', () => {
  const files = renderNodeFiles(tlsSpec, secrets, tlsSpec.nodes[0]!, undefined, tlsMaterial);
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const [dir, owner, unit] of [
    ['/etc/patroni/tls', 'postgres', 'patroni'],
    ['/etc/etcd/tls', 'etcd', 'etcd'],
  ] as const) {
    const key = byPath.get(`${dir}/node.key`);
    assert.equal(key?.mode, '0600');
    assert.equal(key?.owner, owner);
    assert.equal(key?.sensitive, true);
    assert.equal(key?.notify?.unit, unit);
    // The service user enters the folder (root's 0700 default would lock it out).
    assert.deepEqual(key?.dir, { mode: '0750', owner: 'root', group: owner });
    assert.equal(byPath.get(`${dir}/ca.crt`)?.content, 'CA PEM\n');
    assert.equal(byPath.get(`${dir}/node.crt`)?.sensitive, undefined);
  }
  // The fourth node runs no etcd member: no etcd copy.
  const four = parseSpec(
    TLS_SPEC.replace('nodes:\n', 'nodes:\n  - { name: pg-0, address: 10.0.0.10 }\n'),
    '/srv/spec/cluster.yml',
  );
  const f4 = renderNodeFiles(four, secrets, four.nodes[3]!, undefined, tlsMaterial).map((f) => f.path);
  assert.ok(f4.includes('/etc/patroni/tls/node.key'));
  assert.ok(!f4.some((p) => p.startsWith('/etc/etcd/')));
  // Without TLS nothing of it.
  assert.ok(!renderNodeFiles(spec, secrets, spec.nodes[0]!).some((f) => f.path.includes('/tls/')));
});
