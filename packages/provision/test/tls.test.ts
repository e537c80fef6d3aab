/**
 * End to end with TLS on three real hosts (systemd-nspawn in network namespaces `pt`, 198.18.20.0/24),
 * host 3 reached through host 1 as a jump host: a cold apply generates the cluster CA and certificates and
 * provisions the REST API and etcd over TLS; `patroni-kit list` verifies with the CA (and is refused
 * without it); unsafe REST calls need a client certificate; `etcdctl endpoint health` over TLS; HAProxy
 * checks over TLS and routes 5000/5001; a re-apply changes nothing; a jump host with an unknown key is
 * refused; the pip source's steps show in the plan. Root only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  apply,
  type ClusterSecrets,
  ctlConfigFile,
  loadSpec,
  type ProvisionEvent,
  plan,
} from '../src/index.js';
import {
  assertRoutes,
  bootHosts,
  CLI,
  cannotRun,
  knownHostsWithout,
  onHost as onHostOf,
  specYaml,
  type TestHosts,
} from './hosts.js';

const run = promisify(execFile);
const skip = cannotRun();
const NET = { prefix: 'pt', octet: 20 };
const TLS = 'tls: { restApi: { enabled: true }, etcd: { enabled: true } }\n';
let t: TestHosts | undefined;
let dir = '';
let specFile = '';
const timings: Record<string, number> = {};

/** The spec: TLS on, host 3 through host 1 (`ssh -J`). */
function tlsSpec(extra = TLS): string {
  const h1 = t!.hosts[0]!;
  const h3 = t!.hosts[2]!;
  const text = specYaml(t!, extra, false, t!.hosts, 'pt-cluster').replace(
    `address: ${h3.address}\n    ssh: { user: ${h3.user} }`,
    `address: ${h3.address}\n    ssh: { user: ${h3.user}, jump: { host: ${h1.address}, user: root } }`,
  );
  assert.match(text, /jump: \{ host: 198\.18\.20\.11/);
  return text;
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'pk-provision-tls-'));
  const t0 = Date.now();
  t = await bootHosts(join(dir, 'hosts'), 3, NET);
  timings.boot = Date.now() - t0;
  specFile = join(dir, 'cluster.yml');
  await writeFile(specFile, tlsSpec());
});

after(async () => {
  await t?.down();
  if (Object.keys(timings).length)
    console.log(`# provision TLS e2e timings (ms): ${JSON.stringify(timings)}`);
});

const onHost = (i: number, command: string) => onHostOf(t!, i, command);

/** One HTTPS request with node:https (bounded), TLS options as given. */
function https(
  url: string,
  opts: { ca?: string; cert?: string; key?: string; method?: string; auth?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        timeout: 10_000,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}),
        ...(opts.auth ? { auth: opts.auth } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

test('cold apply with TLS, host 3 through a jump host: certificates generated, never shown; files on the hosts', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const events: ProvisionEvent[] = [];
  const t0 = Date.now();
  const r = await apply(spec, { onEvent: (e) => events.push(e) });
  timings.coldApply = Date.now() - t0;
  timings.coldChanges = r.changes;
  assert.ok(r.leader, 'a leader');
  assert.ok(
    events.some((e) => e.type === 'note' && /generated 5 certificate\(s\) of the cluster CA/.test(e.message)),
  );
  assert.ok(events.some((e) => e.type === 'connected' && e.host === 'pg-3'));
  const keys = await Promise.all(
    (await readdir(spec.tls.certDir))
      .filter((f) => f.endsWith('.key'))
      .map(async (f) => (await readFile(join(spec.tls.certDir, f), 'utf8')).split('\n')[1]!),
  );
  assert.equal(keys.length, 5, 'ca, three nodes, operator');
  const text = JSON.stringify(events);
  for (const k of keys) assert.ok(!text.includes(k), 'no key material in any event');
  assert.ok(text.includes('(a private key; content not shown)'));
  assert.equal(
    await onHost(
      0,
      'stat -c "%a %U" /etc/patroni/tls/node.key /etc/etcd/tls/node.key /etc/haproxy/patroni-ca.crt',
    ),
    '0|600 postgres\n600 etcd\n644 root',
  );
  // The operator's pgpass is as without TLS.
  assert.match(await onHost(2, 'stat -c "%a %U" /root/.pgpass'), /^0\|600 root$/);
});

test('REST over HTTPS: verified with the CA, refused without it; unsafe calls need a client certificate', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const ca = await readFile(spec.tls.caFile, 'utf8');
  const h2 = t!.hosts[1]!;
  const ok = await https(`https://${h2.address}:8008/patroni`, { ca });
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.body) as { state: string }).state, 'running');
  await assert.rejects(https(`https://${h2.address}:8008/patroni`), /self[- ]signed certificate/i);
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  const auth = `patroni:${secrets.restapi}`;
  const noCert = await https(`https://${h2.address}:8008/reload`, { ca, method: 'POST', auth });
  assert.equal(noCert.status, 403, noCert.body);
  assert.match(noCert.body, /client certificate required/);
  const cert = await readFile(join(spec.tls.certDir, 'operator.crt'), 'utf8');
  const key = await readFile(join(spec.tls.certDir, 'operator.key'), 'utf8');
  const withCert = await https(`https://${h2.address}:8008/reload`, { ca, cert, key, method: 'POST', auth });
  assert.ok([200, 202].includes(withCert.status), `${withCert.status} ${withCert.body}`);
});

test('patroni-kit list over TLS with the generated config; without the CA a clear refusal', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const ctl = ctlConfigFile(spec);
  const out = await run('node', [CLI, 'list', '-c', ctl, '-f', 'json'], { timeout: 60_000 });
  const members = JSON.parse(out.stdout) as Array<{ Member: string; Role: string; State: string }>;
  assert.deepEqual(members.map((m) => m.Member).sort(), ['pg-1', 'pg-2', 'pg-3']);
  assert.equal(members.filter((m) => m.Role === 'Leader').length, 1);
  assert.equal(members.filter((m) => ['running', 'streaming'].includes(m.State)).length, 3);
  const noCa = join(dir, 'no-ca.patronictl.yml');
  await writeFile(noCa, (await readFile(ctl, 'utf8')).replace(/^ {2}cacert: .*\n/gm, ''));
  const err = await run('node', [CLI, 'list', '-c', noCa, '-f', 'json', '--timeout', '10'], {
    timeout: 60_000,
  }).then(
    () => undefined,
    (e: { code?: number; stderr?: string }) => e,
  );
  assert.ok(err, 'list without the CA must fail');
  assert.notEqual(err.code, 0);
  assert.match(err.stderr ?? '', /certificate/i, err.stderr);
  assert.doesNotMatch(err.stderr ?? '', /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
});

test('etcdctl endpoint health over TLS; plain HTTP and a client without a certificate are refused', {
  skip,
}, async () => {
  const eps = t!.hosts.map((h) => `https://${h.address}:2379`).join(',');
  const tls = '--cacert=/etc/etcd/tls/ca.crt --cert=/etc/etcd/tls/node.crt --key=/etc/etcd/tls/node.key';
  const ok = await onHost(0, `ETCDCTL_API=3 etcdctl ${tls} --endpoints=${eps} endpoint health 2>&1`);
  assert.match(ok, /^0\|/);
  assert.equal((ok.match(/is healthy/g) ?? []).length, 3, ok);
  const noCert = await onHost(
    0,
    `ETCDCTL_API=3 etcdctl --cacert=/etc/etcd/tls/ca.crt --dial-timeout=2s --command-timeout=3s --endpoints=https://${t!.hosts[1]!.address}:2379 endpoint health 2>&1`,
  );
  assert.doesNotMatch(noCert, /^0\|/, noCert);
  const plain = await onHost(
    0,
    `ETCDCTL_API=3 etcdctl --dial-timeout=2s --command-timeout=3s --endpoints=http://${t!.hosts[1]!.address}:2379 endpoint health 2>&1`,
  );
  assert.doesNotMatch(plain, /^0\|/, plain);
});

test('HAProxy checks the REST API over TLS and routes 5000 to the leader, 5001 to a replica', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  assert.match(
    await onHost(
      1,
      'grep -c "check-ssl verify required ca-file /etc/haproxy/patroni-ca.crt" /etc/haproxy/haproxy.cfg',
    ),
    /^0\|6$/,
  );
  await assertRoutes(t!, secrets.superuser);
});

test('re-apply with TLS changes nothing and says so', { skip }, async () => {
  const t0 = Date.now();
  const out = await run('node', [CLI, 'provision', 'apply', specFile], { timeout: 300_000 });
  timings.reapply = Date.now() - t0;
  assert.match(out.stdout, /apply: nothing to change; the hosts match the spec/);
  assert.doesNotMatch(out.stdout, /\b(changed|ran)\b/);
  assert.doesNotMatch(out.stdout + out.stderr, /generated .* certificate/);
});

test('a jump host whose key is unknown is refused before anything runs', { skip }, async () => {
  const h1 = t!.hosts[0]!;
  const kh = join(dir, 'kh.no-jump');
  await knownHostsWithout(t!, h1, kh);
  // pg-1 itself is pinned (so it connects); the hop to pg-3 checks the jump host against known_hosts.
  const bad = tlsSpec()
    .replace(`knownHosts: ${t!.knownHostsFile}`, `knownHosts: ${kh}`)
    .replace(
      `address: ${h1.address}\n    ssh: { user: root }`,
      `address: ${h1.address}\n    ssh: { user: root, hostKey: '${h1.fingerprint}' }`,
    )
    .replace('cluster: pt-cluster', `cluster: pt-cluster\nsecretsFile: ${join(dir, 'cluster.secrets.json')}`)
    .replace(
      TLS,
      `tls: { restApi: { enabled: true, certDir: ${join(dir, 'cluster.tls')} }, etcd: { enabled: true } }\n`,
    );
  const f = join(dir, 'badjump.yml');
  await writeFile(f, bad);
  await assert.rejects(apply(await loadSpec(f)), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'HOST_KEY');
    assert.match(err.message, /^pg-3: cannot connect: host key of 198\.18\.20\.11:22 is unknown/);
    assert.ok(err.message.includes(h1.fingerprint), 'the jump host fingerprint is shown');
    return true;
  });
});

test('the pip virtualenv source (no PyPI here): the plan shows its packages, venv and unit', {
  skip,
}, async () => {
  const f = join(dir, 'pip.yml');
  await writeFile(
    f,
    tlsSpec(
      `patroni: { source: pip }\nsecretsFile: ${join(dir, 'cluster.secrets.json')}\ntls: { restApi: { enabled: true, certDir: ${join(dir, 'cluster.tls')} }, etcd: { enabled: true } }\n`,
    ),
  );
  const events: ProvisionEvent[] = [];
  await plan(await loadSpec(f), { onEvent: (e) => events.push(e) });
  const venv = events.filter(
    (e) => e.type === 'command' && e.status === 'would-run' && e.step === 'Patroni virtualenv',
  );
  assert.equal(venv.length, 3, 'on every node');
  assert.match(
    venv[0]!.type === 'command' ? venv[0]!.command : '',
    /^python3 -m venv \/opt\/patroni && \/opt\/patroni\/bin\/pip install --upgrade pip && \/opt\/patroni\/bin\/pip install 'patroni\[etcd3\]' 'psycopg\[binary\]'$/,
  );
  assert.ok(
    events.some(
      (e) =>
        e.type === 'command' &&
        e.status === 'would-run' &&
        e.step === 'apt-get install' &&
        /python3-venv/.test(e.command),
    ),
  );
  assert.ok(
    events.some(
      (e) =>
        e.type === 'file' &&
        e.path === '/etc/systemd/system/patroni.service' &&
        e.diff?.includes('+ExecStart=/opt/patroni/bin/patroni /etc/patroni/patroni.yml'),
    ),
  );
  assert.match(await onHost(0, 'test -e /opt/patroni; echo $?'), /\|1$/, 'the plan changed nothing');
});
