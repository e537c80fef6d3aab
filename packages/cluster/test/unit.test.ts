/**
 * Pure logic (views, pre-checks, health, YAML 1.1 configs, edits) on DCS keys built like Patroni writes them, and
 * bad input against real servers on 127.0.12.0/24 that are not Patroni (HTML, malformed JSON, TLS mismatch).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Cluster,
  diffToPatch,
  evaluateCandidate,
  healthReport,
  lagInMb,
  type MemberLive,
  parseYaml as parseConfigYaml,
  planSwitchover,
  resolveTarget,
  roundHalfEven,
  settingsToPatch,
  unifiedDiff,
  viewFromDcs,
} from '@patroni-kit/cluster';
import { buildClusterState, type RawKv } from '@patroni-kit/dcs';
import { parse as parseYaml } from 'yaml';
import { settles } from './helpers.js';

const prefix = '/service/demo/';
function kv(key: string, value: unknown): RawKv {
  return {
    key: `${prefix}${key}`,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    createRevision: '2',
    modRevision: '7',
    version: '1',
  };
}

function member(name: string, role: string, extra: Record<string, unknown> = {}) {
  const i = name.slice(1);
  return kv(`members/${name}`, {
    conn_url: `postgres://127.0.0.1${i}:5432/postgres`,
    api_url: `http://127.0.0.1${i}:8008/patroni`,
    state: 'running',
    role,
    version: '4.0.7',
    xlog_location: 1000,
    timeline: 2,
    ...extra,
  });
}

function state(
  extra: RawKv[] = [],
  config: Record<string, unknown> = { loop_wait: 10 },
  leader = true,
  members: Record<string, Record<string, unknown>> = {},
) {
  return buildClusterState(
    [
      kv('initialize', '7712'),
      kv('config', config),
      ...(leader ? [kv('leader', 'n1')] : []),
      kv('status', { optime: 1000 }),
      member('n1', 'primary', members.n1),
      member('n2', 'replica', { replication_state: 'streaming', ...members.n2 }),
      member('n3', 'replica', { replication_state: 'streaming', xlog_location: 500, ...members.n3 }),
      ...extra,
    ],
    { namespace: 'service', scope: 'demo', prefix, revision: '9' },
  );
}

const up = (role: string, extra: Partial<MemberLive> = {}): MemberLive => ({
  reachable: true,
  role,
  state: 'running',
  timeline: 2,
  patroniVersion: '4.0.7',
  ...extra,
});

function live(overrides: Record<string, MemberLive> = {}) {
  return new Map<string, MemberLive>(
    Object.entries({ n1: up('primary'), n2: up('replica'), n3: up('replica'), ...overrides }),
  );
}

describe('views and disagreements', () => {
  it('computes roles, states and lag like patronictl, and confirms the leader', () => {
    const v = viewFromDcs(state(), live());
    assert.equal(v.leader, 'n1');
    assert.equal(v.confirmedLeader, 'n1');
    assert.deepEqual(
      v.members.map((m) => [m.name, m.role, m.state, m.lag]),
      [
        ['n1', 'leader', 'running', undefined],
        ['n2', 'replica', 'streaming', 0],
        ['n3', 'replica', 'streaming', 500],
      ],
    );
    assert.deepEqual(v.disagreements, []);
  });

  it('names a leader that demoted itself while the DCS still shows it (3.0.2 without quorum)', () => {
    const v = viewFromDcs(state(), live({ n1: up('replica') }));
    assert.equal(v.confirmedLeader, null);
    assert.equal(v.disagreements.length, 1);
    assert.match(v.disagreements[0]!.message, /n1 itself reports role replica: it has demoted itself/);
    const report = healthReport(v);
    assert.equal(report.state, 'CRITICAL');
    assert.equal(report.exitCode, 2);
    assert.equal(planSwitchover(v, {}).check, 'leader-confirmed');
  });

  it('sync standbys and 3.0.2 advisories', () => {
    const s = state([kv('sync', { leader: 'n1', sync_standby: 'n3' })], { synchronous_mode: true });
    const v = viewFromDcs(s, live({ n2: up('replica', { patroniVersion: '3.0.2' }) }));
    assert.equal(v.members.find((m) => m.name === 'n3')!.role, 'sync_standby');
    assert.ok(v.advisories.some((a) => a.id === 'patroni-3.0.0-3.0.2-etcd3-leader-overwrite'));
    assert.ok(v.advisories.some((a) => a.id === 'mixed-patroni-versions'));
  });
});

describe('switchover and failover pre-checks', () => {
  it('picks the replica with the least lag, and refuses what patronictl refuses', () => {
    const v = viewFromDcs(state(), live());
    const plan = planSwitchover(v, {});
    assert.equal(plan.ok, true);
    assert.equal(plan.candidate, 'n2');
    assert.equal(planSwitchover(v, { leader: 'n2' }).check, 'leader-matches');
    assert.equal(planSwitchover(v, { candidate: 'n9' }).check, 'candidate-exists');
    assert.equal(planSwitchover(v, { candidate: 'n1' }).check, 'candidate-not-leader');
  });

  it('is stricter than patronictl: lag, nofailover, reachability, sync standby', () => {
    const lagging = viewFromDcs(state([], { maximum_lag_on_failover: 100 }), live());
    assert.deepEqual(evaluateCandidate(lagging, 'n3', 'switchover').failed, ['candidate-lag']);
    const tagged = viewFromDcs(state([], undefined, true, { n2: { tags: { nofailover: true } } }), live());
    assert.ok(evaluateCandidate(tagged, 'n2', 'switchover').failed.includes('candidate-failover-allowed'));
    const down = viewFromDcs(
      state(),
      live({ n2: { reachable: false, error: { code: 'CONNECT', message: 'refused' } } }),
    );
    assert.deepEqual(evaluateCandidate(down, 'n2', 'switchover').failed, ['candidate-reachable']);
    const sync = viewFromDcs(
      state([kv('sync', { leader: 'n1', sync_standby: 'n3' })], { synchronous_mode: true }),
      live(),
    );
    assert.deepEqual(evaluateCandidate(sync, 'n2', 'switchover').failed, ['candidate-sync-standby']);
    assert.equal(planSwitchover(sync, {}).candidate, 'n3');
    const noneLeft = viewFromDcs(
      state([], { maximum_lag_on_failover: 0 }),
      live({ n2: up('replica', { state: 'starting' }) }),
    );
    assert.equal(planSwitchover(noneLeft, {}).check, 'candidate-available');
  });

  it('paused and scheduled states', () => {
    const paused = viewFromDcs(state([], { pause: true }), live());
    assert.equal(planSwitchover(paused, {}).check, 'candidate-given');
    assert.equal(
      planSwitchover(paused, { candidate: 'n2', scheduledAt: '2030-01-01T00:00:00Z' }).check,
      'not-paused',
    );
    const scheduled = viewFromDcs(
      state([kv('failover', { leader: 'n1', scheduled_at: '2030-01-01T00:00:00+00:00' })]),
      live(),
    );
    assert.equal(planSwitchover(scheduled, {}).check, 'none-scheduled');
  });
});

describe('health report', () => {
  it('OK, WARNING on pause and pending restart, timeline and config changes from memory', () => {
    const ok = healthReport(viewFromDcs(state(), live()));
    assert.equal(ok.state, 'OK');
    assert.equal(ok.exitCode, 0);
    const paused = healthReport(
      viewFromDcs(state([], { pause: true }, true, { n2: { pending_restart: true } }), live()),
    );
    assert.equal(paused.state, 'WARNING');
    assert.deepEqual(
      paused.checks.filter((c) => c.state === 'WARNING').map((c) => c.name),
      ['maintenance_mode', 'pending_restart'],
    );
    const changed = healthReport(viewFromDcs(state(), live()), { memory: { timeline: 1, configHash: 'x' } });
    assert.deepEqual(
      changed.checks.filter((c) => c.state === 'WARNING').map((c) => c.name),
      ['timeline', 'config'],
    );
    const noLeader = healthReport(viewFromDcs(state([], {}, false), live()));
    assert.equal(noLeader.exitCode, 2);
  });
});

describe('formats and edits', () => {
  it("rounds lag like Python's round", () => {
    assert.equal(roundHalfEven(2.5), 2);
    assert.equal(roundHalfEven(3.5), 4);
    assert.equal(lagInMb(1048576 * 1.5), 2);
    assert.equal(lagInMb('unknown'), 'unknown');
  });

  it('reads configs as Patroni does (YAML 1.1), refusing what Patroni could not load', async () => {
    const text =
      '# comment\nctl:\n  insecure: yes\n  certfile: off\nmode: 0755\nnumber: 0o17\nkeep: y\nq: "yes"\n' +
      'list: [on, No, 010]\ndup: 1\ndup: 2\n';
    assert.deepEqual(await parseConfigYaml(text, 'ctl.yml'), {
      ctl: { insecure: true, certfile: false },
      mode: 493,
      number: '0o17',
      keep: 'y',
      q: 'yes',
      list: [true, false, 8],
      dup: 2,
    });
    assert.equal(await parseConfigYaml('', 'empty.yml'), null);
    await assert.rejects(parseConfigYaml('a: [1, 2\nb: 3\n', 'broken.yml'), {
      code: 'CONFIG',
      message: /^broken\.yml:\d+:\d+: YAML syntax error/,
    });
    await assert.rejects(parseConfigYaml(new Uint8Array([0x61, 0x3a, 0x00, 0x31]), 'binary.yml'), {
      code: 'CONFIG',
      message: /^binary\.yml:1:1: The file is not UTF-8 text/,
    });
  });

  it('edit-config settings, patches and diffs', () => {
    const patch = settingsToPatch(['loop_wait=5', 'postgresql.parameters.log.min=1'], (t) => parseYaml(t), [
      'work_mem=8MB',
    ]);
    assert.deepEqual(patch, { loop_wait: 5, postgresql: { parameters: { 'log.min': 1, work_mem: '8MB' } } });
    assert.deepEqual(diffToPatch({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 4 } }), {
      b: { d: null, c: 4 },
    });
    const diff = unifiedDiff('a: 1\nb: 2\nc: 3\n', 'a: 1\nb: 5\nc: 3\n');
    assert.match(diff, /^-b: 2$/m);
    assert.match(diff, /^\+b: 5$/m);
    assert.equal(unifiedDiff('x\n', 'x\n'), '');
  });
});

describe('configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-cluster-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a patronictl config: scope, namespace, etcd3 hosts, ctl auth before restapi auth', async () => {
    const file = join(dir, 'ctl.yml');
    writeFileSync(
      file,
      'scope: demo\nnamespace: /pg/\netcd3:\n  hosts: 127.0.12.1:2379,127.0.12.2:2379\nctl:\n  authentication:\n    username: ctl\n    password: s3cret\nrestapi:\n  authentication:\n    username: api\n    password: other\n',
    );
    const t = await resolveTarget({ configFile: file, env: {} });
    assert.equal(t.scope, 'demo');
    assert.equal(t.namespace, 'pg');
    assert.deepEqual(t.dcs?.connection.endpoints, ['http://127.0.12.1:2379', 'http://127.0.12.2:2379']);
    assert.deepEqual(t.auth, { username: 'ctl', password: 's3cret' });
  });

  it("a node's patroni.yml: its REST API is a seed; unsupported DCS and missing targets are clear errors", async () => {
    const file = join(dir, 'patroni.yml');
    writeFileSync(
      file,
      'scope: demo\nrestapi:\n  connect_address: 127.0.12.5:8008\netcd3:\n  host: 127.0.12.1:2379\n',
    );
    const t = await resolveTarget({ configFile: file, env: {} });
    assert.deepEqual(t.restUrls, ['http://127.0.12.5:8008']);
    writeFileSync(file, 'scope: demo\nconsul:\n  host: 127.0.12.1:8500\n');
    await assert.rejects(resolveTarget({ configFile: file, env: {} }), { code: 'CONFIG', message: /consul/ });
    await assert.rejects(resolveTarget({ env: {}, config: {} }), { code: 'USAGE' });
    await assert.rejects(resolveTarget({ configFile: join(dir, 'missing.yml'), env: {} }), {
      code: 'CONFIG',
    });
  });
});

describe('bad input: servers that are not Patroni', () => {
  const servers: Server[] = [];
  let dir = '';
  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve) => {
      servers.push(server);
      server.listen(port, '127.0.12.10', resolve);
    });
  before(async () => {
    await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>hello</html>');
      }),
      18081,
    );
    await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"state": "running", ');
      }),
      18082,
    );
    await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"hello": "world"}');
      }),
      18083,
    );
    dir = mkdtempSync(join(tmpdir(), 'pk-cluster-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.12.10',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const tls = createTlsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('{}'),
    );
    await listen(tls as unknown as Server, 18443);
  });
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('HTML, malformed JSON and foreign JSON are DECODE errors saying it is not Patroni', async () => {
    await assert.rejects(Cluster.connect({ restUrls: ['http://127.0.12.10:18081'] }), {
      code: 'DECODE',
      message: /not JSON/,
    });
    await assert.rejects(Cluster.connect({ restUrls: ['http://127.0.12.10:18082'] }), { code: 'DECODE' });
    await assert.rejects(Cluster.connect({ restUrls: ['http://127.0.12.10:18083'] }), {
      code: 'DECODE',
      message: /not a Patroni node status/,
    });
  });

  it('TLS: an unknown CA is refused, and http to a TLS port is named', async () => {
    await assert.rejects(Cluster.connect({ restUrls: ['https://127.0.12.10:18443'] }), {
      code: 'TLS',
      message: /certificate/,
    });
    await assert.rejects(
      Cluster.connect({ restUrls: ['https://127.0.12.10:18081'] }),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, 'TLS');
        assert.match(err.hint ?? '', /does not speak TLS/);
        return true;
      },
    );
    await assert.rejects(Cluster.connect({ restUrls: ['http://127.0.12.10:18443'] }), { code: 'CONNECT' });
  });

  it('an unreachable etcd with no REST seed is a CONNECT/DCS/QUORUM error (the call settles)', async () => {
    const c = await Cluster.connect({
      dcsUrl: 'etcd3://127.0.12.250:2379',
      scope: 'demo',
      timeouts: { dcs: 1000 },
    });
    // The outcome is a typed error, and the call settles (bounded wait; a hang fails the test).
    await assert.rejects(
      settles(c.status(), 30_000, 'status() against an unreachable etcd'),
      (err: Error & { code?: string }) => ['DCS', 'QUORUM', 'CONNECT'].includes(err.code ?? ''),
    );
    await c.close();
  });
});
