/**
 * End to end on three real hosts: systemd-nspawn containers booting systemd in network namespaces
 * (prefix `pv`, 198.18.10.0/24). From scratch: plan changes nothing; apply, with host 3 cut off half-way,
 * fails naming host, step and cause; the next apply continues and finishes; `patroni-kit list` shows three
 * members and HAProxy routes 5000/5001; a switchover fires the webhook; a re-apply changes nothing; an
 * unknown or changed host key is refused, a pinned one accepted. Root only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from '@patroni-kit/lab';
import {
  apply,
  type ClusterSecrets,
  loadSpec,
  type ProvisionEvent,
  plan,
  readState,
  status,
} from '../src/index.js';
import {
  assertRoutes,
  bootHosts,
  CLI,
  cannotRun,
  cut,
  hasPatroni4,
  heal,
  knownHostsWithout,
  onHost as onHostOf,
  PATRONI4_BIN,
  specYaml,
  type TestHosts,
} from './hosts.js';

const run = promisify(execFile);
const skip = cannotRun();
let t: TestHosts | undefined;
let dir = '';
let specFile = '';
const hooks: string[] = [];
const hookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    hooks.push(body);
    res.end('ok');
  });
});
const timings: Record<string, number> = {};
const WEBHOOK = 'webhook: { urlFile: slack-url }\n';
const CHANGED = `${WEBHOOK}postgres: { parameters: { work_mem: 8MB } }\n`;
/** The spec's extra fields as the tests so far left them (the upgrade test adds the Patroni 4 source). */
let current = CHANGED;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'pk-provision-'));
  const t0 = Date.now();
  t = await bootHosts(join(dir, 'hosts'));
  timings.boot = Date.now() - t0;
  // The webhook receiver listens on the bridge address, which the hosts reach.
  await new Promise<void>((r) => hookServer.listen(0, t!.plan.bridgeAddress, r));
  const port = (hookServer.address() as { port: number }).port;
  await writeFile(join(dir, 'slack-url'), `http://${t.plan.bridgeAddress}:${port}/services/T0/B0/SECRET\n`, {
    mode: 0o600,
  });
  specFile = join(dir, 'cluster.yml');
  await writeFile(specFile, specYaml(t, WEBHOOK));
});

after(async () => {
  hookServer.close();
  await t?.down();
  if (Object.keys(timings).length) console.log(`# provision e2e timings (ms): ${JSON.stringify(timings)}`);
});

const onHost = (i: number, command: string) => onHostOf(t!, i, command);

test('plan on fresh hosts shows diffs and commands, changes nothing, and never prints a secret', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const events: ProvisionEvent[] = [];
  const r = await plan(spec, { onEvent: (e) => events.push(e) });
  assert.equal(r.mode, 'plan');
  timings.planChangesFresh = r.changes;
  assert.ok(r.changes > 10, `a fresh cluster needs many changes, plan found ${r.changes}`);
  const yml = events.find(
    (e) => e.type === 'file' && e.host === 'pg-2' && e.path === '/etc/patroni/patroni.yml',
  );
  assert.ok(
    yml && yml.type === 'file' && yml.status === 'would-change' && yml.diff?.includes('+name: "pg-2"'),
  );
  assert.ok(
    events.some(
      (e) => e.type === 'command' && e.status === 'would-run' && e.command.includes('apt-get install'),
    ),
  );
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  const text = JSON.stringify(events);
  for (const s of [secrets.superuser, secrets.replication, secrets.rewind, secrets.restapi, 'SECRET'])
    assert.ok(!text.includes(s), 'a secret leaked into the plan');
  assert.ok(text.includes('password: \\"***\\"'));
  assert.equal(await onHost(0, 'test -e /etc/patroni/patroni.yml'), '1|');
  assert.match(await onHost(2, 'dpkg -s postgresql-15 2>&1; exit 0'), /is not installed/);
});

test('apply from scratch: host 3 cut off half-way fails clearly; the next apply continues and finishes', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  let cutAt = 0;
  const t0 = Date.now();
  await assert.rejects(
    apply(spec, {
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'replicas' && cutAt === 0) {
          cutAt = Date.now();
          void cut(t!.hosts[2]!);
        }
      },
    }),
    (err: Error & { code?: string; details?: Record<string, string> }) => {
      assert.ok(cutAt > 0, `failed before the cut: ${err.message}`);
      assert.equal(err.details?.host, 'pg-3', err.message);
      assert.equal(err.details?.phase, 'replicas', err.message);
      assert.ok(err.details?.step, 'the failing step is named');
      assert.match(err.message, /^pg-3: step '.+' \(replicas\) failed: /);
      assert.match(err.message, /command: /);
      assert.ok(['CONNECT', 'TIMEOUT'].includes(err.code ?? ''), `${err.code}: ${err.message}`);
      return true;
    },
  );
  timings.applyUntilCut = cutAt - t0;
  timings.failureDetected = Date.now() - cutAt;
  const state = await readState(spec);
  assert.equal(state?.result, 'failed');
  assert.equal(state?.failure?.host, 'pg-3');
  await heal(t!.hosts[2]!);

  const events: ProvisionEvent[] = [];
  const t1 = Date.now();
  const r = await apply(spec, { onEvent: (e) => events.push(e) });
  timings.resume = Date.now() - t1;
  assert.ok(events.some((e) => e.type === 'note' && /last apply failed on pg-3/.test(e.message)));
  assert.ok(r.changes > 0, 'pg-3 and HAProxy were still to do');
  // What the first apply did is not done again.
  const redone = events.filter(
    (e) => (e.type === 'file' && e.status === 'changed') || (e.type === 'command' && e.status === 'ran'),
  );
  assert.ok(
    !redone.some(
      (e) => 'host' in e && e.host === 'pg-1' && e.type === 'command' && e.step === 'apt-get install',
    ),
  );
  assert.ok(
    !redone.some(
      (e) =>
        'host' in e &&
        (e.host === 'pg-1' || e.host === 'pg-2') &&
        e.type === 'file' &&
        e.path === '/etc/patroni/patroni.yml',
    ),
  );
  assert.ok(
    redone.some((e) => 'host' in e && e.host === 'pg-3'),
    'pg-3 gets its Patroni now',
  );
  assert.ok(events.some((e) => e.type === 'wait' && e.status === 'done' && /pg-3 streaming/.test(e.what)));
  assert.ok(
    events.some((e) => e.type === 'wait' && e.status === 'done' && /write through :5000/.test(e.what)),
  );
  assert.equal((await readState(spec))?.result, 'ok');
});

test('patroni-kit list shows three members; HAProxy routes 5000 to the leader and 5001 to a replica', {
  skip,
}, async () => {
  const out = await run(
    'node',
    [CLI, 'list', 'pv-cluster', '--dcs-url', `etcd3://${t!.hosts[0]!.address}:2379`, '-f', 'json'],
    { timeout: 30_000 },
  );
  const members = JSON.parse(out.stdout) as Array<{ Member: string; Role: string; State: string }>;
  assert.deepEqual(members.map((m) => m.Member).sort(), ['pg-1', 'pg-2', 'pg-3']);
  assert.equal(members.filter((m) => m.Role === 'Leader').length, 1);
  assert.equal(
    members.filter((m) => m.Role === 'Replica' && ['running', 'streaming'].includes(m.State)).length,
    2,
  );
  const spec = await loadSpec(specFile);
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  await assertRoutes(t!, secrets.superuser);
  // sudo path: host 3 is provisioned through the ordinary user `ops`; its files are root's all the same.
  assert.equal(
    await onHost(2, 'stat -c "%a %U %G" /etc/patroni/patroni.yml /etc/patroni/notify-url /root/.pgpass'),
    '0|640 postgres postgres\n640 root postgres\n600 root root',
  );
  assert.equal(await onHost(2, 'systemctl is-enabled patroni etcd haproxy | sort -u'), '0|enabled');
});

test('a switchover fires the on_role_change webhook with Slack JSON', { skip }, async () => {
  const spec = await loadSpec(specFile);
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  const before = hooks.length;
  const res = await fetch(`http://${t!.hosts[0]!.address}:8008/switchover`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`patroni:${secrets.restapi}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ leader: 'pg-1', candidate: 'pg-2' }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, await res.text());
  for (
    let i = 0;
    i < 60 && !hooks.slice(before).some((h) => h.includes('role=master') || h.includes('role=primary'));
    i++
  )
    await new Promise((r) => setTimeout(r, 500));
  const promoted = hooks
    .slice(before)
    .map((h) => JSON.parse(h) as { text: string })
    .find((m) => /role=(master|primary)/.test(m.text));
  assert.ok(promoted, `no promotion webhook in ${JSON.stringify(hooks)}`);
  assert.match(promoted.text, /Patroni: pv-cluster -> role=(master|primary) \(on_role_change\) on pg-2/);
});

test('re-apply changes nothing and says so (after the switchover too)', { skip }, async () => {
  // The replicas must stream again after the switchover before the re-apply's checks pass at once.
  const t0 = Date.now();
  const out = await run('node', [CLI, 'provision', 'apply', specFile], { timeout: 300_000 });
  timings.reapply = Date.now() - t0;
  assert.match(out.stdout, /apply: nothing to change; the hosts match the spec/);
  assert.doesNotMatch(out.stdout, /\b(changed|ran)\b/);
  const st = await status(await loadSpec(specFile));
  assert.deepEqual(
    st.hosts.map((h) => h.services.patroni),
    ['active', 'active', 'active'],
  );
  assert.equal(st.hosts.filter((h) => h.role === 'master' || h.role === 'primary').length, 1);
  assert.equal(st.last?.changes, 0);
});

test('a spec change: plan shows the diff and the DCS change; apply reloads and patches; then nothing to change', {
  skip,
}, async () => {
  await writeFile(specFile, specYaml(t!, CHANGED));
  const spec = await loadSpec(specFile);
  const planned: ProvisionEvent[] = [];
  const p = await plan(spec, { onEvent: (e) => planned.push(e) });
  assert.equal(
    p.changes,
    7, // three patroni.yml, three reloads, one DCS patch
    JSON.stringify(planned.filter((e) => 'status' in e && e.status.startsWith('would'))),
  );
  assert.equal(
    planned.filter(
      (e) => e.type === 'file' && e.status === 'would-change' && e.diff?.includes('+        work_mem: "8MB"'),
    ).length,
    3,
  );
  const cfg = planned.find((e) => e.type === 'config');
  assert.deepEqual(cfg?.type === 'config' && cfg.changes, ['postgresql.parameters.work_mem: (unset) -> 8MB']);
  const events: ProvisionEvent[] = [];
  await apply(spec, { onEvent: (e) => events.push(e) });
  assert.equal(
    events.filter((e) => e.type === 'command' && e.status === 'ran' && /reload Patroni/.test(e.step)).length,
    3,
  );
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  let shown = '';
  for (let i = 0; i < 40 && shown !== '8MB'; i++) {
    const rows = await sql<{ work_mem: string }>(
      { host: t!.hosts[0]!.address, port: 5000, user: 'postgres', password: secrets.superuser },
      'show work_mem',
    );
    shown = rows[0]?.work_mem ?? '';
    if (shown !== '8MB') await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(shown, '8MB', 'the leader runs with the new work_mem');
  assert.equal((await plan(spec)).changes, 0);
});

test('password rotation: new passwords work, old ones are refused, replicas keep streaming', {
  skip,
}, async () => {
  const spec = await loadSpec(specFile);
  const old = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  const out = await run('node', [CLI, 'provision', 'rotate-passwords', specFile], { timeout: 30_000 });
  assert.match(out.stdout, /new passwords written/);
  const planned: ProvisionEvent[] = [];
  await plan(spec, { onEvent: (e) => planned.push(e) });
  assert.ok(
    planned.some((e) => e.type === 'command' && e.status === 'would-run' && e.step.startsWith('alter role')),
  );
  assert.ok(!JSON.stringify(planned).includes(old.superuser), 'neither old nor new passwords are shown');
  const t0 = Date.now();
  const events: ProvisionEvent[] = [];
  await apply(spec, { onEvent: (e) => events.push(e) });
  timings.rotate = Date.now() - t0;
  const now = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  assert.notEqual(now.superuser, old.superuser);
  assert.equal(now.rotationPending, undefined, 'a successful apply clears the pending rotation');
  const target = { host: t!.hosts[0]!.address, port: 5000, user: 'postgres' };
  assert.equal(
    (await sql<{ one: number }>({ ...target, password: now.superuser }, 'select 1 as one'))[0]?.one,
    1,
  );
  await assert.rejects(
    sql({ ...target, password: old.superuser }, 'select 1'),
    /password authentication failed/,
  );
  // Replicas stream with the new replication password (each checked by the apply, and here once more).
  for (const i of [0, 1, 2]) {
    const r = await onHost(
      i,
      "cd / && runuser -u postgres -- psql -tAXc 'select coalesce((select status from pg_stat_wal_receiver), pg_is_in_recovery()::text)'",
    );
    assert.match(r, /^0\|(streaming|false)$/, `pg-${i + 1}: ${r}`);
  }
  const auth = (pw: string) => ({
    authorization: `Basic ${Buffer.from(`patroni:${pw}`).toString('base64')}`,
    'content-type': 'application/json',
  });
  const reload = (pw: string) =>
    fetch(`http://${t!.hosts[1]!.address}:8008/reload`, {
      method: 'POST',
      headers: auth(pw),
      signal: AbortSignal.timeout(10_000),
    });
  assert.equal((await reload(old.restapi)).status, 401);
  assert.ok([200, 202].includes((await reload(now.restapi)).status), 'the new REST password is accepted');
  assert.equal((await apply(spec)).changes, 0);
});

test('rolling upgrade Patroni 3.0.2 -> 4.0.7: replicas, switchover, old leader; writes go on except in the switchover (gap measured), none lost', {
  skip: skip ?? (hasPatroni4() ? undefined : 'needs Patroni 4.0.7 from scripts/setup.sh'),
}, async () => {
  const spec0 = await loadSpec(specFile);
  const secrets = JSON.parse(await readFile(spec0.secretsFile, 'utf8')) as ClusterSecrets;
  const target = { host: t!.hosts[0]!.address, port: 5000, user: 'postgres', password: secrets.superuser };
  await sql(
    target,
    'create table if not exists upgrade_probe (id bigserial primary key, at timestamptz default now())',
  );
  const acked: number[] = [];
  const okAt: number[] = [];
  let stop = false;
  // Bounded: one new connection every 100 ms, at most 6000 attempts (10 minutes).
  const writer = (async () => {
    for (let i = 0; i < 6000 && !stop; i++) {
      try {
        const rows = await sql<{ id: string }>(
          target,
          'insert into upgrade_probe default values returning id',
          [],
          1000,
        );
        acked.push(Number(rows[0]!.id));
        okAt.push(Date.now());
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // The Debian package stays for the Python modules 4.0.7 imports (and a new node gets them too).
  const upgraded = `${CHANGED}patroni: { source: installed, bin: ${PATRONI4_BIN}, version: '4.0', packages: [patroni] }\n`;
  await writeFile(specFile, specYaml(t!, upgraded));
  current = upgraded;
  const spec = await loadSpec(specFile);
  const events: ProvisionEvent[] = [];
  const t0 = Date.now();
  let sw = 0;
  try {
    await apply(spec, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'command' && e.status === 'ran' && e.step.startsWith('switchover')) sw = Date.now();
      },
    });
  } finally {
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await writer;
  }
  timings.upgrade = Date.now() - t0;
  const restarts = events.filter(
    (e) => e.type === 'command' && e.status === 'ran' && /^(restart Patroni|switchover)/.test(e.step),
  );
  const order = restarts.map((e) => (e.type === 'command' ? `${e.host}:${e.step.split(' ')[0]}` : ''));
  // Replicas first, then the switchover on the old leader, then the old leader itself.
  assert.equal(order.length, 4, order.join(', '));
  assert.match(order[2]!, /:switchover$/);
  assert.equal(order[3]!.split(':')[0], order[2]!.split(':')[0]);
  assert.notEqual(order[0]!.split(':')[0], order[2]!.split(':')[0]);
  for (const h of t!.hosts.slice(0, 3)) {
    const p = (await (
      await fetch(`http://${h.address}:8008/patroni`, { signal: AbortSignal.timeout(5000) })
    ).json()) as { patroni: { version: string } };
    assert.equal(p.patroni.version, '4.0.7', h.name);
  }
  let gap = 0;
  for (let i = 1; i < okAt.length; i++) gap = Math.max(gap, okAt[i]! - okAt[i - 1]!);
  timings.upgradeWriteGap = gap;
  timings.upgradeWrites = acked.length;
  assert.ok(sw > 0 && acked.length > 20, `writes went on during the upgrade (${acked.length})`);
  const present = await sql<{ n: string }>(
    { ...target, password: secrets.superuser },
    'select count(*) as n from upgrade_probe where id = any($1::bigint[])',
    [acked],
  );
  assert.equal(Number(present[0]!.n), acked.length, 'every acknowledged write is on the new leader');
  assert.equal((await apply(spec)).changes, 0);
});

test('an unknown host key and a changed one are refused with the fingerprint; a pinned one is accepted', {
  skip,
}, async () => {
  const h2 = t!.hosts[1]!;
  const lines = (await readFile(t!.knownHostsFile, 'utf8')).trim().split('\n');
  const without = join(dir, 'known_hosts.without-pg-2');
  await writeFile(without, `${lines.filter((l) => !l.startsWith(`${h2.address} `)).join('\n')}\n`);
  const specOf = async (name: string, text: string) => {
    const f = join(dir, `${name}.yml`);
    await writeFile(f, text);
    await writeFile(join(dir, `${name}.secrets.json`), await readFile(join(dir, 'cluster.secrets.json')), {
      mode: 0o600,
    });
    return loadSpec(f);
  };
  const base = specYaml(t!, current);
  const unknown = await specOf('unknown', base.replace(t!.knownHostsFile, without));
  await assert.rejects(plan(unknown), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'HOST_KEY');
    assert.match(err.message, /pg-2: cannot connect: host key of 198\.18\.10\.12:22 is unknown/);
    assert.ok(err.message.includes(h2.fingerprint), 'the fingerprint is shown');
    return true;
  });
  const other = lines.find((l) => l.startsWith(`${t!.hosts[0]!.address} `))!.split(' ')[2]!;
  const changedFile = join(dir, 'known_hosts.changed');
  await writeFile(
    changedFile,
    `${lines.map((l) => (l.startsWith(`${h2.address} `) ? `${h2.address} ssh-ed25519 ${other}` : l)).join('\n')}\n`,
  );
  const changed = await specOf('changed', base.replace(t!.knownHostsFile, changedFile));
  await assert.rejects(plan(changed), /host key of 198\.18\.10\.12:22 has CHANGED/);
  // Pins instead of known_hosts: an empty known_hosts file, each node's fingerprint in ssh.hostKey.
  const empty = join(dir, 'known_hosts.empty');
  await writeFile(empty, '');
  const pinned = specYaml(t!, current, true).replace(t!.knownHostsFile, empty);
  const r = await plan(await specOf('pinned', pinned));
  assert.equal(r.changes, 0, 'the pinned plan sees the provisioned cluster: nothing to change');
});

test('through a jump host (ssh -J): both host keys verified, the plan sees the cluster as provisioned', {
  skip,
}, async () => {
  const jumpFile = join(dir, 'jump.yml');
  const h1 = t!.hosts[0]!;
  let text = specYaml(t!, current);
  for (const h of t!.hosts.slice(1, 3)) {
    text = text.replace(
      `address: ${h.address}\n    ssh: { user: ${h.user} }`,
      `address: ${h.address}\n    ssh: { user: ${h.user}, jump: { host: ${h1.address}, user: root } }`,
    );
  }
  assert.equal((text.match(/jump:/g) ?? []).length, 2);
  await writeFile(jumpFile, text);
  await writeFile(join(dir, 'jump.secrets.json'), await readFile(join(dir, 'cluster.secrets.json')), {
    mode: 0o600,
  });
  const events: ProvisionEvent[] = [];
  const r = await plan(await loadSpec(jumpFile), { onEvent: (e) => events.push(e) });
  assert.equal(r.changes, 0);
  assert.deepEqual(
    events
      .filter((e) => e.type === 'connected')
      .map((e) => (e.type === 'connected' ? e.host : ''))
      .sort(),
    ['pg-1', 'pg-2', 'pg-3'],
  );
  // A jump host with an unknown key is refused like any host: pg-1 itself is pinned (so it connects), but
  // known_hosts lacks it, which is what the jumps to pg-2 and pg-3 check.
  await knownHostsWithout(t!, h1, join(dir, 'kh.no-jump'));
  const bad = text
    .replace(`knownHosts: ${t!.knownHostsFile}`, `knownHosts: ${join(dir, 'kh.no-jump')}`)
    .replace(
      `address: ${h1.address}\n    ssh: { user: root }`,
      `address: ${h1.address}\n    ssh: { user: root, hostKey: '${h1.fingerprint}' }`,
    );
  await writeFile(jumpFile, bad);
  await assert.rejects(plan(await loadSpec(jumpFile)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'HOST_KEY');
    assert.match(err.message, /^pg-[23]: cannot connect: host key of 198\.18\.10\.11:22 is unknown/);
    return true;
  });
});

test('day 2: a fourth node joins as a replica; removed from the spec, it is stopped and its member key and slot are gone', {
  skip,
}, async () => {
  const h4 = await t!.add();
  await writeFile(specFile, specYaml(t!, current));
  let spec = await loadSpec(specFile);
  const added: ProvisionEvent[] = [];
  const t0 = Date.now();
  await apply(spec, { onEvent: (e) => added.push(e) });
  timings.addNode = Date.now() - t0;
  assert.ok(
    added.some((e) => e.type === 'wait' && e.status === 'done' && e.what.startsWith('pg-4 streaming')),
  );
  assert.equal(
    added.filter((e) => e.type === 'file' && e.status === 'changed' && e.path === '/etc/haproxy/haproxy.cfg')
      .length,
    4,
  );
  // The fourth node runs no etcd member; the first three keep theirs untouched.
  assert.ok(
    !added.some((e) => e.type === 'file' && e.path === '/etc/default/etcd' && e.status !== 'unchanged'),
  );
  assert.equal(
    await onHost(
      3,
      'test -e /etc/default/etcd && grep -c ETCD_NAME /etc/default/etcd; systemctl is-active patroni',
    ),
    '0|active',
  );
  const clusterOf = async () =>
    (await (
      await fetch(`http://${t!.hosts[0]!.address}:8008/cluster`, { signal: AbortSignal.timeout(5000) })
    ).json()) as {
      members: Array<{ name: string }>;
    };
  assert.deepEqual((await clusterOf()).members.map((m) => m.name).sort(), ['pg-1', 'pg-2', 'pg-3', 'pg-4']);
  const secrets = JSON.parse(await readFile(spec.secretsFile, 'utf8')) as ClusterSecrets;
  const slots = async () =>
    (
      await sql<{ slot_name: string }>(
        { host: t!.hosts[0]!.address, port: 5000, user: 'postgres', password: secrets.superuser },
        'select slot_name from pg_replication_slots order by 1',
      )
    ).map((r) => r.slot_name);
  assert.ok((await slots()).includes('pg_4'), 'the leader holds a slot for pg-4');

  // etcd stays on the first three: moving it to pg-4, or dropping pg-3 (an etcd member), is refused up front.
  const refused = async (text: string, re: RegExp) => {
    await writeFile(specFile, text);
    await assert.rejects(plan(await loadSpec(specFile)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PRECHECK');
      assert.match(err.message, re);
      return true;
    });
  };
  await refused(
    specYaml(t!, `${current}etcd: { members: [pg-1, pg-2, pg-4] }\n`),
    /^etcd runs on pg-1, pg-2, pg-3, but the spec puts it on pg-1, pg-2, pg-4: provision does not change etcd membership/,
  );
  await refused(
    specYaml(t!, current, false, [t!.hosts[0]!, t!.hosts[1]!, t!.hosts[3]!]),
    /but the spec no longer has pg-3, which runs an etcd member/,
  );
  assert.equal(await onHost(2, 'systemctl is-active etcd patroni | sort -u'), '0|active');

  await writeFile(specFile, specYaml(t!, current, false, t!.hosts.slice(0, 3)));
  spec = await loadSpec(specFile);
  const planned: ProvisionEvent[] = [];
  await plan(spec, { onEvent: (e) => planned.push(e) });
  assert.ok(
    planned.some(
      (e) =>
        e.type === 'command' &&
        e.host === 'pg-4' &&
        e.status === 'would-run' &&
        e.step === 'stop and disable Patroni',
    ),
    JSON.stringify(
      planned.filter((e) => e.type === 'note' || e.type === 'phase' || ('host' in e && e.host === 'pg-4')),
    ),
  );
  assert.equal(await onHost(3, 'systemctl is-active patroni'), '0|active', 'plan changed nothing');
  const removed: ProvisionEvent[] = [];
  const t1 = Date.now();
  await apply(spec, { onEvent: (e) => removed.push(e) });
  timings.removeNode = Date.now() - t1;
  assert.ok(
    removed.some((e) => e.type === 'wait' && e.status === 'done' && /members\/pg-4 gone/.test(e.what)),
  );
  assert.match(
    await onHost(3, 'systemctl is-active patroni; systemctl is-enabled patroni'),
    /inactive\ndisabled/,
  );
  assert.deepEqual((await clusterOf()).members.map((m) => m.name).sort(), ['pg-1', 'pg-2', 'pg-3']);
  assert.ok(!(await slots()).includes('pg_4'), 'the slot of pg-4 is gone');
  // Patroni 4 re-creates a retained member slot on its next HA loop unless the retention was cleared: look
  // again after more than one loop_wait.
  await new Promise((r) => setTimeout(r, 15_000));
  assert.ok(!(await slots()).includes('pg_4'), 'the slot of pg-4 stays gone after the next HA loops');
  const config = (await (
    await fetch(`http://${t!.hosts[0]!.address}:8008/config`, { signal: AbortSignal.timeout(5000) })
  ).json()) as Record<string, unknown>;
  assert.equal(config.member_slots_ttl, undefined, 'member_slots_ttl is back to its default');
  assert.doesNotMatch(await onHost(0, 'cat /etc/haproxy/haproxy.cfg'), /pg-4/);
  assert.equal((await readState(spec))?.nodes?.map((n) => n.name).join(','), 'pg-1,pg-2,pg-3');
  const again = await apply(spec);
  assert.equal(again.changes, 0);
  await t!.stop(h4);
});
