/**
 * Contract tests against a real lab cluster: every exchange the client makes (and a few raw ones the client
 * refuses to make) is validated against the OpenAPI document, and every write endpoint is exercised for real,
 * including its refusals. Registered by contract-<version>.test.ts, one lab per Patroni version.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { isPatroniKitError, type PatroniKitError } from '@patroni-kit/errors';
import { Lab, type LabStatus, type PatroniVersion, waitFor } from '@patroni-kit/lab';
import type { Dispatcher } from 'undici';
import {
  blockingWriteTimeout,
  HEALTH_ENDPOINTS,
  type NodeStatus,
  PatroniClient,
  type WriteResult,
} from '../src/index.js';
import { ContractValidator, type Recorded, recordingAgent } from './contract-validator.js';
import { makePki } from './servers.js';

const LOOP_WAIT = 2; // the lab's fast profile
const SWITCH_TIMEOUT = blockingWriteTimeout(LOOP_WAIT, 20_000);

/** Registers the contract suite for one Patroni version on its own 127.0.<block>.0/24 addresses. */
export function contractSuite(version: PatroniVersion, block: number): void {
  const v3 = version.startsWith('3.');
  const primaryRole = v3 ? 'master' : 'primary';
  const hosts: [string, string, string] = [`127.0.${block}.11`, `127.0.${block}.12`, `127.0.${block}.13`];
  const names = ['n1', 'n2', 'n3'] as const;
  const log: Recorded[] = [];
  const validator = new ContractValidator();
  let checked = 0;
  let agent: Dispatcher;
  let lab: Lab;
  let status: LabStatus;
  const client = new Map<string, PatroniClient>(); // with credentials
  const anonymous = new Map<string, PatroniClient>(); // without credentials
  const wrongPassword = new Map<string, PatroniClient>();
  const url = (name: string) => `http://${hosts[names.indexOf(name as (typeof names)[number])]}:8008`;
  const c = (name: string) => client.get(name)!;

  /** Validates the exchanges recorded since the last call. */
  function checkExchanges(): void {
    const fresh = log.slice(checked);
    checked = log.length;
    const problems = fresh.flatMap((x) => {
      const p = validator.problems(x);
      return p.length === 0
        ? []
        : [
            `${x.method} ${x.path} → ${x.status}: ${p.join('; ')} :: ${x.body.toString('utf8').slice(0, 300)}`,
          ];
    });
    assert.deepEqual(problems, [], `exchanges that depart from the OpenAPI document (${version})`);
  }

  async function leaderName(): Promise<string> {
    return waitFor(
      'a leader in /cluster',
      async () => {
        for (const n of names) {
          const cluster = await c(n)
            .getCluster()
            .catch(() => undefined);
          const leader = cluster?.members.find((m) => m.role === 'leader');
          if (leader) return leader.name;
        }
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }

  /** Waits until `leader` is primary in its own view and the other members stream from it. */
  async function waitHealthy(leader?: string): Promise<{ leader: string; replicas: string[] }> {
    return waitFor(
      `a healthy cluster${leader ? ` led by ${leader}` : ''}`,
      async () => {
        const views = await Promise.all(
          names.map((n) =>
            c(n)
              .getPatroni()
              .catch(() => undefined),
          ),
        );
        const leaders = names.filter(
          (_, i) => views[i]?.role === primaryRole && views[i]?.state === 'running',
        );
        if (leaders.length !== 1 || (leader && leaders[0] !== leader)) return undefined;
        const replicas = names.filter(
          (_, i) => views[i]?.role === 'replica' && views[i]?.state === 'running',
        );
        if (replicas.length !== 2) return undefined;
        const cluster = await c(leaders[0]!).getCluster();
        const ok = cluster.members.every(
          (m) => m.role === 'leader' || (m.lag === 0 && m.state !== 'stopped'),
        );
        return ok && cluster.members.length === 3 ? { leader: leaders[0]!, replicas } : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  }

  /** Every read endpoint (and HEAD/OPTIONS forms) on every running member; answers are recorded. */
  async function readEverything(members: readonly string[] = names): Promise<Map<string, NodeStatus>> {
    const views = new Map<string, NodeStatus>();
    for (const n of members) {
      const m = c(n);
      views.set(n, await m.getPatroni());
      await m.getCluster();
      await m.getHistory();
      await m.getConfig();
      await m.getMetrics();
      await m.getFailsafe().catch((e: unknown) => assert.ok(isPatroniKitError(e, 'HTTP_STATUS'), String(e)));
      await m.liveness();
      await m.readiness();
      await m.readiness({ lag: '1MB', mode: 'write' });
      for (const e of HEALTH_ENDPOINTS) {
        await m.health(e);
        await m.healthStatus(e, {}, { method: 'HEAD' });
        await m.healthStatus(e, {}, { method: 'OPTIONS' });
      }
      await m.health('replica', { lag: '16MB', tags: { nofailover: 'true' } });
      await m.health('read-only', { lag: 0 });
      for (const path of [
        'patroni',
        'cluster',
        'history',
        'config',
        'metrics',
        'liveness',
        'readiness',
        'failsafe',
      ]) {
        for (const method of ['HEAD', 'OPTIONS'] as const) {
          const answer = await agent.request({ origin: url(n), path: `/${path}`, method });
          await answer.body.text();
          assert.equal(answer.statusCode, 503, `${method} /${path} is routed to the health checks`);
        }
      }
    }
    return views;
  }

  /** Sends bytes as they are (for requests the client refuses to build) and records the answer. */
  async function raw(
    name: string,
    method: string,
    path: string,
    body?: string,
    headers: string[] = [],
  ): Promise<Recorded> {
    const host = hosts[names.indexOf(name as (typeof names)[number])]!;
    const { restapi } = lab.credentials();
    const auth = Buffer.from(`${restapi.username}:${restapi.password}`).toString('base64');
    const lines = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${host}:8008`,
      `Authorization: Basic ${auth}`,
      ...headers,
    ];
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const request = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(8008, host);
      const chunks: Buffer[] = [];
      socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to raw ${method} ${path}`)));
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
      socket.end(request);
    });
    const split = answer.indexOf('\r\n\r\n');
    const head = answer.subarray(0, split).toString('latin1').split('\r\n');
    const statusCode = Number(head[0]?.split(' ')[1]);
    const recordedHeaders: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      recordedHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const recorded = {
      method,
      path,
      status: statusCode,
      headers: recordedHeaders,
      body: answer.subarray(split + 4),
    };
    log.push(recorded);
    return recorded;
  }

  function expectFailed(result: WriteResult<unknown>, status: number, message?: string | RegExp): void {
    assert.equal(result.outcome, 'failed', JSON.stringify(result));
    assert.ok(result.outcome === 'failed');
    assert.equal(result.status, status, result.reason);
    if (typeof message === 'string') assert.equal(result.message, message);
    else if (message) assert.match(result.message, message);
  }
  function expectSucceeded<T>(result: WriteResult<T>, status: number): T {
    assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
    assert.ok(result.outcome === 'succeeded');
    assert.equal(result.status, status);
    return result.body;
  }
  async function expectAuthError(promise: Promise<unknown>, text: string): Promise<PatroniKitError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(isPatroniKitError(error, 'AUTH'), String(error));
      assert.equal(error.status, 401);
      assert.match(error.message, new RegExp(text));
      assert.match(`${error.message} ${error.hint}`, /restapi\.authentication/);
      return error;
    }
    assert.fail('expected an AUTH error');
  }
  const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();
  const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

  describe(`REST contract on Patroni ${version}`, { timeout: 900_000 }, () => {
    before(async () => {
      lab = new Lab({
        dir: join(tmpdir(), `patroni-kit-rest-contract-${version}-${process.pid}`),
        patroni: version,
        etcd: v3 ? '3.4' : '3.5',
        profile: 'fast',
        hosts,
        haproxyHost: `127.0.${block}.1`,
      });
      status = await lab.up();
      agent = recordingAgent(log);
      const { restapi } = lab.credentials();
      for (const n of names) {
        client.set(n, new PatroniClient({ url: url(n), dispatcher: agent, auth: restapi }));
        anonymous.set(n, new PatroniClient({ url: url(n), dispatcher: agent }));
        wrongPassword.set(
          n,
          new PatroniClient({
            url: url(n),
            dispatcher: agent,
            auth: { username: restapi.username, password: 'wrong-pw-123' },
          }),
        );
      }
    });
    after(async () => {
      await agent?.close();
      await lab?.down({ purge: true });
    });
    afterEach(() => checkExchanges());

    it('answers every read endpoint on the leader and both replicas as documented', async () => {
      assert.equal(status.versions.patroni, version);
      const { leader, replicas } = await waitHealthy();
      const views = await readEverything();
      assert.equal(views.get(leader)?.role, primaryRole);
      for (const r of replicas) assert.equal(views.get(r)?.role, 'replica');
      assert.equal(views.get(leader)?.patroni.version, version);
      assert.equal(views.get(leader)?.patroni.name, v3 ? undefined : leader);
      assert.equal((await c(leader).health('primary')).status, 200);
      assert.equal((await c(leader).health('master')).status, 200);
      assert.equal((await c(replicas[0]!).health('primary')).status, 503);
      assert.equal((await c(replicas[0]!).health('replica')).status, 200);
      assert.equal((await c(replicas[0]!).health('replica', { tags: { nofailover: 'true' } })).status, 503);
      assert.equal((await c(leader).healthStatus('', {}, { method: 'OPTIONS' })).status, 200);
      const cluster = await c(replicas[0]!).getCluster();
      assert.deepEqual(
        cluster.members.map((m) => m.name),
        ['n1', 'n2', 'n3'],
      );
      assert.equal(cluster.scope, v3 ? undefined : 'lab');
      const metrics = await c(leader).getMetrics();
      assert.equal(/^patroni_master\{/m.test(metrics), v3);
      assert.match(metrics, /^patroni_postgres_server_version \{/m);
      assert.match(
        metrics,
        v3 ? /^patroni_primary\{scope="lab"\} 1$/m : /^patroni_primary\{scope="lab",name="n\d"\} 1$/m,
      );
      assert.deepEqual(await c(leader).liveness(), { status: 200, ok: true });
      assert.deepEqual(await c(replicas[1]!).readiness(), { status: 200, ok: true });
      const config = await c(leader).getConfig();
      assert.equal(config.loop_wait, LOOP_WAIT);
      const error = await c(leader)
        .getFailsafe()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(isPatroniKitError(error, 'HTTP_STATUS') && error.status === 502, String(error));
    });

    it('PATCH and PUT /config, with their refusals (400, 401, 411)', async () => {
      const leader = await leaderName();
      const m = c(leader);
      const patched = expectSucceeded(
        await m.patchConfig({ postgresql: { parameters: { work_mem: '8MB' } } }),
        200,
      );
      assert.equal(patched.postgresql?.parameters?.work_mem, '8MB');
      const removed = expectSucceeded(
        await m.patchConfig({ postgresql: { parameters: { work_mem: null } } }),
        200,
      );
      assert.equal(removed.postgresql?.parameters?.work_mem, undefined);
      const current = await m.getConfig();
      assert.deepEqual(expectSucceeded(await m.putConfig(current), 200), current);
      assert.equal((await raw(leader, 'PATCH', '/config')).status, 411);
      assert.equal((await raw(leader, 'PATCH', '/config', '{}')).status, 400);
      assert.equal((await raw(leader, 'PATCH', '/config', '[1]')).status, 400);
      assert.equal((await raw(leader, 'PATCH', '/config', '{"ttl": ')).status, 400);
      assert.equal((await raw(leader, 'PUT', '/config', '{}')).status, 400);
      assert.equal((await raw(leader, 'POST', '/switchover')).status, 411);
      await expectAuthError(anonymous.get(leader)!.patchConfig({ ttl: 99 }), 'no auth header received');
      const wrong = await expectAuthError(
        wrongPassword.get(leader)!.patchConfig({ ttl: 99 }),
        'not authenticated',
      );
      assert.doesNotMatch(JSON.stringify(wrong.toJSON()) + wrong.describe(), /wrong-pw-123/);
      assert.equal((await m.getConfig()).ttl, current.ttl);
    });

    it('reload, sigterm, citus, mpp; failsafe off and on', async () => {
      const { leader, replicas } = await waitHealthy();
      const r = replicas[0]!;
      assert.equal(expectSucceeded(await c(r).reload(), 202), 'reload scheduled');
      assert.equal(expectSucceeded(await c(r).sigterm(), 202), 'shutdown scheduled');
      const event = { type: 'after_promote', group: 1, leader: 'nobody', timeout: 1, cooldown: 1 };
      assert.equal(expectSucceeded(await c(r).postCitus(event), 200), 'OK');
      await expectAuthError(anonymous.get(r)!.postCitus(event), 'no auth header received');
      if (v3) expectFailed(await anonymous.get(r)!.postMpp(event), 501);
      else assert.equal(expectSucceeded(await anonymous.get(r)!.postMpp(event), 200), 'OK');
      const heartbeat = {
        name: leader,
        conn_url: `postgres://${hosts[names.indexOf(leader as 'n1')]}:5432/postgres`,
        api_url: `${url(leader)}/patroni`,
      };
      expectFailed(await c(r).postFailsafe(heartbeat), 502);
      expectSucceeded(await c(leader).patchConfig({ failsafe_mode: true }), 200);
      try {
        const topology = await waitFor(
          'the failsafe topology on a replica',
          () =>
            c(r)
              .getFailsafe()
              .catch(() => undefined),
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        assert.deepEqual(Object.keys(topology).sort(), ['n1', 'n2', 'n3']);
        const accepted = expectSucceeded(await c(r).postFailsafe(heartbeat), 200);
        assert.equal(accepted.message, 'Accepted');
        assert.equal(typeof accepted.lsn, v3 ? 'undefined' : 'number');
        expectFailed(await c(leader).postFailsafe(heartbeat), 500, 'Running as a leader');
      } finally {
        expectSucceeded(await c(leader).patchConfig({ failsafe_mode: null }), 200);
      }
    });

    it('restart: every refusal, a scheduled restart, an immediate restart of a replica', async () => {
      const { leader, replicas } = await waitHealthy();
      const l = c(leader);
      expectFailed(
        await l.restart({ role: 'bogus' as never }),
        400,
        v3
          ? 'PostgreSQL role should be either primary or replica'
          : 'PostgreSQL role should be either primary, standby_leader, or replica',
      );
      expectFailed(await l.restart({ postgres_version: '10' }), 400, /^Invalid PostgreSQL version/);
      expectFailed(await l.restart({ timeout: -1 }), 400, 'Timeout should be a positive number of seconds');
      expectFailed(
        await l.restart({ foo: 1 } as never),
        400,
        'Unknown filter for the scheduled restart: foo',
      );
      expectFailed(
        await l.restart({ schedule: '2099-01-01T00:00:00' }),
        400,
        'Timezone information is mandatory for the scheduled restart',
      );
      expectFailed(await l.restart({ schedule: anHourAgo() }), 422, 'Cannot schedule restart in the past');
      expectFailed(await l.restart({ schedule: 'not a date' }), 422, /^Unable to parse scheduled timestamp/);
      expectFailed(await l.restart({ restart_pending: true }), 503, 'restart conditions are not satisfied');
      expectFailed(await l.restart({ role: 'replica' }), 503, 'restart conditions are not satisfied');
      // `master` is a valid role filter only before 4.0; the old version makes the condition false.
      if (v3)
        expectFailed(
          await l.restart({ role: 'master', postgres_version: '9.6.0' }),
          503,
          'restart conditions are not satisfied',
        );
      else expectFailed(await l.restart({ role: 'master' }), 400, /PostgreSQL role should be/);
      expectFailed(await l.cancelRestart(), 404, 'no restarts are scheduled');
      await expectAuthError(anonymous.get(leader)!.restart({ role: 'replica' }), 'no auth header received');

      const r = c(replicas[0]!);
      assert.equal(
        expectSucceeded(await r.restart({ schedule: inOneHour(), role: 'replica' }), 202),
        'Restart scheduled',
      );
      expectFailed(await r.restart({ schedule: inOneHour() }), 409, 'Another restart is already scheduled');
      assert.equal((await r.getPatroni()).scheduled_restart?.role, 'replica');
      await waitFor(
        'the scheduled restart in /cluster',
        async () => (await l.getCluster()).members.find((m) => m.name === replicas[0])?.scheduled_restart,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      await readEverything([leader, replicas[0]!]);
      assert.equal(expectSucceeded(await r.cancelRestart(), 200), 'scheduled restart deleted');
      assert.equal((await r.getPatroni()).scheduled_restart, undefined);

      const before = (await r.getPatroni()).postmaster_start_time;
      // Poll while the blocking restart runs, so the answers of a restarting node are validated too.
      let restarting = true;
      const states = new Set<string>();
      const poller = (async () => {
        for (let i = 0; i < 1200 && restarting; i++) {
          const view = await r.getPatroni({ timeoutMs: 2_000 }).catch(() => undefined);
          if (view) states.add(view.state);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const restarted = await r.restart({}, { timeoutMs: 120_000 });
      restarting = false;
      await poller;
      assert.equal(expectSucceeded(restarted, 200), 'restarted successfully');
      assert.ok(states.size >= 1, 'the node answered GET /patroni while restarting');
      assert.notEqual((await r.getPatroni()).postmaster_start_time, before);
      await waitHealthy(leader);
    });

    it('reinitialize: refused on the leader, started on a replica', async () => {
      const { leader, replicas } = await waitHealthy();
      expectFailed(await c(leader).reinitialize(), 503, 'I am the leader, can not reinitialize');
      const r = replicas[1]!;
      assert.equal(expectSucceeded(await c(r).reinitialize({ force: true }), 200), 'reinitialize started');
      // Every intermediate /patroni answer (creating replica, starting …) is recorded and validated.
      await waitFor(
        `${r} to be re-cloned and streaming`,
        async () => {
          const view = await c(r)
            .getPatroni()
            .catch(() => undefined);
          return view?.state === 'running' && view.role === 'replica' ? true : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 300 },
      );
      await waitHealthy(leader);
    });

    it('switchover and failover refusals; a scheduled switchover and its cancellation', async () => {
      const { leader, replicas } = await waitHealthy();
      const l = c(leader);
      const [r1, r2] = replicas as [string, string];
      expectFailed(
        await l.switchover({ candidate: r1 } as never),
        400,
        'Switchover could be performed only from a specific leader',
      );
      expectFailed(await l.switchover({ leader: r1, candidate: r2 }), 412, 'leader name does not match');
      expectFailed(await l.switchover({ leader, candidate: 'nobody' }), 412, 'candidate does not exists');
      expectFailed(
        await l.switchover({ leader, candidate: r1, scheduled_at: '2099-01-01T00:00:00' }),
        400,
        'Timezone information is mandatory for the scheduled switchover',
      );
      expectFailed(
        await l.switchover({ leader, candidate: r1, scheduled_at: anHourAgo() }),
        422,
        'Cannot schedule switchover in the past',
      );
      expectFailed(
        await l.switchover({ leader, candidate: r1, scheduled_at: 'soon' }),
        422,
        /^Unable to parse scheduled timestamp/,
      );
      if (v3) {
        // 3.0.2 does not check leader == candidate: the key is written and the poll ends with 503.
        expectFailed(
          await l.switchover({ leader, candidate: leader }, { timeoutMs: SWITCH_TIMEOUT }),
          503,
          'Switchover failed',
        );
      } else {
        expectFailed(
          await l.switchover({ leader, candidate: leader }),
          400,
          'Switchover target and source are the same',
        );
      }
      expectFailed(
        await l.failover({ leader } as never),
        400,
        'Failover could be performed only to a specific candidate',
      );
      expectFailed(await l.failover({ candidate: 'nobody' }), 412, 'candidate does not exists');
      if (v3) {
        expectFailed(
          await l.failover({ candidate: r1, scheduled_at: inOneHour() }),
          400,
          'Scheduled failover is possible only from a specific leader',
        );
        assert.equal(
          expectSucceeded(await l.failover({ leader, candidate: r1, scheduled_at: inOneHour() }), 202),
          'Failover scheduled',
        );
        assert.equal(expectSucceeded(await l.cancelSwitchover(), 200), 'scheduled switchover deleted');
      } else {
        expectFailed(
          await l.failover({ candidate: r1, scheduled_at: inOneHour() }),
          400,
          "Failover can't be scheduled",
        );
      }
      expectFailed(await l.cancelSwitchover(), 404, 'no switchover is scheduled');
      await expectAuthError(anonymous.get(leader)!.cancelSwitchover(), 'no auth header received');

      const at = inOneHour();
      assert.equal(
        expectSucceeded(await c(r2).switchover({ leader, candidate: r1, scheduled_at: at }), 202),
        'Switchover scheduled',
      );
      const scheduled = await waitFor(
        'the scheduled switchover in /cluster',
        async () => (await c(r2).getCluster()).scheduled_switchover,
        { timeoutMs: 10_000, intervalMs: 300 },
      );
      assert.equal(scheduled.from, leader);
      assert.equal(scheduled.to, r1);
      assert.equal(new Date(scheduled.at).getTime(), new Date(at).getTime());
      await readEverything([leader]);
      assert.equal(expectSucceeded(await l.cancelSwitchover(), 200), 'scheduled switchover deleted');
      assert.equal((await l.getCluster()).scheduled_switchover, undefined);
      await waitHealthy(leader);
    });

    it('paused cluster: reads and refusals', async () => {
      const { leader, replicas } = await waitHealthy();
      const l = c(leader);
      const r = replicas[0]!;
      expectSucceeded(await l.patchConfig({ pause: true }), 200);
      try {
        await waitFor(
          'every member to report pause',
          async () =>
            (await Promise.all(names.map((n) => c(n).getPatroni()))).every((s) => s.pause === true)
              ? true
              : undefined,
          { timeoutMs: 30_000, intervalMs: 300 },
        );
        assert.equal((await l.getCluster()).pause, true);
        await readEverything();
        assert.deepEqual(await c(r).liveness(), { status: 200, ok: true });
        assert.equal((await l.health('primary')).status, 200);
        expectFailed(
          await l.switchover({ leader }),
          400,
          'Switchover is possible only to a specific candidate in a paused state',
        );
        expectFailed(
          await l.failover({ candidate: r, scheduled_at: inOneHour(), leader }),
          400,
          v3 ? "Can't schedule failover in the paused state" : "Failover can't be scheduled",
        );
        expectFailed(
          await l.switchover({ leader, candidate: r, scheduled_at: inOneHour() }),
          400,
          "Can't schedule switchover in the paused state",
        );
        expectFailed(
          await l.restart({ schedule: inOneHour() }),
          500,
          "Can't schedule restart in the paused state",
        );
      } finally {
        expectSucceeded(await l.patchConfig({ pause: false }), 200);
      }
      await waitFor(
        'no member to report pause',
        async () =>
          (await Promise.all(names.map((n) => c(n).getPatroni()))).some((s) => s.pause) ? undefined : true,
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      assert.equal((await l.getCluster()).pause, undefined);
    });

    it('a stopped member: the others document it, the client reports it unreachable', async () => {
      const { leader, replicas } = await waitHealthy();
      const r = replicas[1]!;
      await lab.stop(r);
      try {
        const error = await c(r)
          .getPatroni({ timeoutMs: 3_000 })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(isPatroniKitError(error, 'CONNECT'), String(error));
        assert.match((error as PatroniKitError).hint ?? '', /restapi\.connect_address/);
        const write = await c(r)
          .reload()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(
          isPatroniKitError(write, 'CONNECT'),
          'a write that never connected is an error, not unknown',
        );
        // A cleanly stopped Patroni marks its member key `stopped`; the key goes when its lease expires.
        const member = await waitFor(
          `/cluster to show ${r} stopped or gone`,
          async () => {
            const seen = (await c(leader).getCluster()).members.find((m) => m.name === r);
            return seen === undefined || seen.state === 'stopped' ? { seen } : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 300 },
        );
        assert.ok(member.seen === undefined || member.seen.state === 'stopped');
        await readEverything(names.filter((n) => n !== r));
      } finally {
        await lab.start(r);
      }
      await waitHealthy(leader);
    });

    it('synchronous mode: sync and async replicas as documented', async () => {
      const { leader } = await waitHealthy();
      const l = c(leader);
      expectSucceeded(await l.patchConfig({ synchronous_mode: true }), 200);
      try {
        const sync = await waitFor(
          'a synchronous standby',
          async () => {
            const member = (await l.getCluster()).members.find((m) => m.role === 'sync_standby');
            if (!member) return undefined;
            return (await c(member.name).getPatroni()).sync_standby ? member.name : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const async = names.find((n) => n !== leader && n !== sync)!;
        await readEverything();
        assert.equal((await c(sync).health('sync')).status, 200);
        assert.equal((await c(sync).health('async')).status, 503);
        assert.equal((await c(async).health('async')).status, 200);
        assert.equal((await c(async).health('read-only-sync')).status, 503);
        assert.equal((await c(leader).health('read-only-sync')).status, 200);
        expectFailed(
          await l.switchover({ leader, candidate: async }),
          412,
          'candidate name does not match with sync_standby',
        );
      } finally {
        expectSucceeded(await l.patchConfig({ synchronous_mode: false }), 200);
      }
      await waitFor(
        'no synchronous standby',
        async () =>
          (await l.getCluster()).members.some((m) => m.role === 'sync_standby') ? undefined : true,
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    });

    // Quorum commit exists from 4.0.0 only; the 3.x suite has no such test (rather than a skipped one).
    if (!v3) {
      it('quorum commit: quorum standbys as documented', async () => {
        const { leader } = await waitHealthy();
        const l = c(leader);
        expectSucceeded(await l.patchConfig({ synchronous_mode: 'quorum' }), 200);
        try {
          const quorum = await waitFor(
            'quorum standbys',
            async () => {
              const members = (await l.getCluster()).members.filter((m) => m.role === 'quorum_standby');
              if (members.length === 0) return undefined;
              const views = await Promise.all(members.map((m) => c(m.name).getPatroni()));
              return views.every((v) => v.quorum_standby === true) ? members.map((m) => m.name) : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 500 },
          );
          await readEverything();
          // /quorum answers from the member's own DCS view and replica state, which follow /cluster by up to
          // a loop: wait (bounded) for it, and name what the member said if it never agrees.
          await waitFor(
            `${quorum[0]} to answer /quorum with 200`,
            async () => {
              const h = await c(quorum[0]!).health('quorum');
              return h.status === 200 ? true : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 500 },
          ).catch(async (err: unknown) => {
            const view = await c(quorum[0]!).getPatroni();
            throw new Error(`${String(err)}; /patroni said ${JSON.stringify(view)}`);
          });
          assert.equal((await c(quorum[0]!).health('quorum')).status, 200);
          assert.equal((await c(quorum[0]!).health('read-only-quorum')).status, 200);
          assert.equal((await c(quorum[0]!).health('sync')).status, 503);
          assert.equal((await c(leader).health('read-only-quorum')).status, 200);
          assert.equal((await c(leader).health('quorum')).status, 503);
          assert.match(await c(quorum[0]!).getMetrics(), /^patroni_quorum_standby\{.*\} 1$/m);
        } finally {
          expectSucceeded(await l.patchConfig({ synchronous_mode: false }), 200);
        }
        await waitFor(
          'no quorum standby',
          async () =>
            (await l.getCluster()).members.some((m) => m.role === 'quorum_standby') ? undefined : true,
          { timeoutMs: 60_000, intervalMs: 500 },
        );
      });
    }

    it('an immediate switchover and failover, then every read endpoint again', async (t) => {
      const { leader, replicas } = await waitHealthy();
      const target = replicas[0]!;
      const switched = expectSucceeded(
        await c(leader).switchover({ leader, candidate: target }, { timeoutMs: SWITCH_TIMEOUT }),
        200,
      );
      assert.equal(switched, `Successfully switched over to "${target}"`);
      await waitHealthy(target);
      const views = await readEverything();
      assert.equal(views.get(target)?.role, primaryRole);
      const history = await c(target).getHistory();
      assert.ok(history.length >= 1, JSON.stringify(history));
      assert.equal(views.get(target)?.timeline, history.at(-1)![0] + 1);

      const failedOver = expectSucceeded(
        await c(target).failover({ candidate: leader }, { timeoutMs: SWITCH_TIMEOUT }),
        200,
      );
      assert.equal(failedOver, `Successfully failed over to "${leader}"`);
      await waitHealthy(leader);
      await readEverything();
      // Every method and path of the document was exercised on this version (with a documented answer).
      const exercised = new Set([...validator.covered].map((k) => k.split(' ').slice(0, 2).join(' ')));
      assert.deepEqual(
        validator.operations().filter((op) => !exercised.has(op)),
        [],
      );
      t.diagnostic(
        `Patroni ${version}: ${log.length} exchanges validated, ${exercised.size} of ${validator.operations().length} operations, ${validator.covered.size} distinct method/path/status answers`,
      );
    });

    it('restapi.allowlist: writes from other addresses get 403 Access is denied, reads still work', async () => {
      const { replicas } = await waitHealthy();
      const r = replicas[0]!;
      const yml = join(lab.dir, r, 'patroni.yml');
      const original = readFileSync(yml, 'utf8');
      const allowed = `127.0.${block}.99`;
      const allowedAgent = recordingAgent(log, { localAddress: allowed });
      const allowedClient = new PatroniClient({
        url: url(r),
        dispatcher: allowedAgent,
        auth: lab.credentials().restapi,
      });
      assert.match(original, /^restapi:\n/m);
      writeFileSync(yml, original.replace(/^restapi:\n/m, `restapi:\n  allowlist: ['${allowed}/32']\n`));
      try {
        expectSucceeded(await c(r).reload(), 202);
        const denied = await waitFor(
          'the allowlist to apply',
          async () => {
            const error = await c(r)
              .cancelRestart()
              .then(
                () => undefined,
                (e: unknown) => e,
              );
            return isPatroniKitError(error, 'AUTH') && error.status === 403 ? error : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 300 },
        );
        assert.match(denied.message, /403 Access is denied/);
        assert.match(denied.hint ?? '', /restapi\.allowlist/);
        assert.equal((await c(r).getPatroni()).state, 'running');
        expectFailed(await allowedClient.cancelRestart(), 404, 'no restarts are scheduled');
      } finally {
        writeFileSync(yml, original);
        expectSucceeded(await allowedClient.reload(), 202);
        await allowedAgent.close();
      }
      await waitFor(
        'writes to be allowed from anywhere again',
        async () =>
          (
            await c(r)
              .cancelRestart()
              .catch(() => undefined)
          )?.outcome === 'failed'
            ? true
            : undefined,
        { timeoutMs: 30_000, intervalMs: 300 },
      );
    });

    it('the README examples run against the lab', async () => {
      const { leader } = await waitHealthy();
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
      assert.equal(blocks.length, 3);
      const { restapi } = lab.credentials();
      const outputs: string[] = [];
      for (const code of blocks) {
        const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
          cwd: new URL('../../../../', import.meta.url),
          env: {
            ...process.env,
            PATRONI_URL: url(leader),
            PATRONI_USER: restapi.username,
            PATRONI_PASSWORD: restapi.password,
          },
          encoding: 'utf8',
          timeout: SWITCH_TIMEOUT + 10_000,
        });
        outputs.push(out);
      }
      assert.match(outputs[0]!, /is primary\? true/);
      // 3.x answers 'Switched over to "nX" instead of "nY"' when another member took over: still a switchover.
      assert.match(
        outputs[1]!,
        /^(Successfully switched over to "n\d"|Switched over to "n\d" instead of "n\d")$/m,
      );
      assert.match(outputs[2]!, /401 not authenticated/);
      assert.doesNotMatch(outputs.join('\n'), new RegExp(restapi.password));
      await waitHealthy();
    });

    // Last: it reconfigures a member's REST API, and nothing after it should depend on that member's state.
    it('TLS on a real member: CA verification, verify_client optional (403 without a client cert), back to HTTP', async () => {
      const { replicas } = await waitHealthy();
      const r = replicas[1]!;
      const host = hosts[names.indexOf(r as (typeof names)[number])]!;
      const auth = lab.credentials().restapi;
      const pki = makePki([host]);
      // Patroni runs as postgres: the files live in the lab folder, readable by it (a throw-away test key).
      const tlsDir = join(lab.dir, r, 'tls');
      mkdirSync(tlsDir, { recursive: true, mode: 0o755 });
      writeFileSync(join(tlsDir, 'ca.crt'), pki.ca, { mode: 0o644 });
      writeFileSync(join(tlsDir, 'server.crt'), pki.serverCert, { mode: 0o644 });
      writeFileSync(join(tlsDir, 'server.key'), pki.serverKey, { mode: 0o644 });
      const yml = join(lab.dir, r, 'patroni.yml');
      const original = readFileSync(yml, 'utf8');
      const tlsSettings = [
        `  certfile: ${tlsDir}/server.crt`,
        `  keyfile: ${tlsDir}/server.key`,
        `  cafile: ${tlsDir}/ca.crt`,
        '  verify_client: optional',
      ].join('\n');
      const httpsUrl = `https://${host}:8008`;
      const verifying = new PatroniClient({ url: httpsUrl, tls: { ca: pki.ca }, auth, retries: 0 });
      const withCert = new PatroniClient({
        url: httpsUrl,
        tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
        auth,
      });
      const systemCas = new PatroniClient({ url: httpsUrl, auth, retries: 0 });
      writeFileSync(yml, original.replace(/^restapi:\n/m, `restapi:\n${tlsSettings}\n`));
      try {
        expectSucceeded(await c(r).reload(), 202);
        const view = await waitFor(
          'the member to serve HTTPS',
          () => verifying.getPatroni().catch(() => undefined),
          {
            timeoutMs: 30_000,
            intervalMs: 300,
          },
        );
        assert.equal(view.role, 'replica');
        const untrusted = await systemCas.getPatroni().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isPatroniKitError(untrusted, 'TLS'), String(untrusted));
        assert.match(untrusted.hint ?? '', /tls\.ca/);
        const plain = await c(r)
          .getPatroni({ timeoutMs: 3_000 })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(isPatroniKitError(plain, 'CONNECT', 'DECODE'), String(plain));
        assert.match(`${plain.message} ${plain.hint}`, /https:\/\/|Patroni REST API/);
        const noCert = await verifying.cancelRestart().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(isPatroniKitError(noCert, 'AUTH') && noCert.status === 403, String(noCert));
        assert.match(noCert.message, /client certificate required/);
        assert.match(noCert.hint ?? '', /tls\.cert/);
        expectFailed(await withCert.cancelRestart(), 404, 'no restarts are scheduled');
        await waitFor(
          `/cluster to publish an https api_url for ${r}`,
          async () =>
            (await c(replicas[0]!).getCluster()).members
              .find((m) => m.name === r)
              ?.api_url?.startsWith('https://')
              ? true
              : undefined,
          { timeoutMs: 30_000, intervalMs: 300 },
        );
      } finally {
        writeFileSync(yml, original);
        // Back to plain HTTP, asked over the member's own HTTPS API with the client certificate.
        expectSucceeded(await withCert.reload(), 202);
        await Promise.all([verifying.close(), withCert.close(), systemCas.close()]);
        pki.remove();
      }
      await waitFor(
        'the member to serve HTTP again',
        () =>
          c(r)
            .getPatroni()
            .catch(() => undefined),
        {
          timeoutMs: 30_000,
          intervalMs: 300,
        },
      );
      // Until every member sees the http:// api_url again, a switchover would find this member unhealthy.
      await waitFor(
        `every member to see the http api_url of ${r}`,
        async () => {
          const views = await Promise.all(names.map((n) => c(n).getCluster()));
          const urls = views.map((v) => v.members.find((m) => m.name === r)?.api_url);
          return urls.every((u) => u === `${url(r)}/patroni`) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      await waitHealthy();
    });
  });
}
