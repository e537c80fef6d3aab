/** The drill's scenarios: each injects one kind of fault on the lab, waits for the cluster's answer and heals. */
import type { Cluster } from '@patroni-kit/cluster';
import type { Lab } from '@patroni-kit/lab';
import { haproxyServers, type StreamingState } from './members.js';
import type { CheckResult, WriteRecord } from './types.js';

/** What a scenario can do and observe while the workload runs. */
export interface ScenarioContext {
  lab: Lab;
  cluster: Cluster;
  timing: { ttl: number; loop_wait: number; retry_timeout: number };
  members: string[];
  topology: 'loopback' | 'netns';
  /** HAProxy's stats page (its CSV tells which servers are UP). */
  statsUrl: string;
  /** Faults for `repeated-*` scenarios. */
  repeat: number;
  /** Findings for the report. */
  details: Record<string, unknown>;
  signal?: AbortSignal;
  event(kind: 'fault' | 'heal' | 'leader' | 'role' | 'phase' | 'note', text: string): void;
  /** Records a fault; the first one is the run's fault time. */
  fault(text: string): void;
  /** A failed expectation of the scenario. */
  problem(text: string): void;
  sleep(ms: number): Promise<void>;
  until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T>;
  /** The running leader (waits up to 2 ttl + 30 s). */
  leader(): Promise<string>;
  /** A running leader other than `old`. */
  newLeader(old: string, timeoutMs?: number): Promise<string>;
  /** The first acknowledged write started at or after `after` (on `member` when given). */
  acknowledged(after: number, member?: string, timeoutMs?: number): Promise<WriteRecord>;
  /** Waits until every member streams. */
  streaming(timeoutMs?: number): Promise<StreamingState>;
  /** Members the poller last saw writable. */
  writable(): string[];
  failedWritesSince(t: number): number;
  ackedWritesSince(t: number): number;
}

/** One drill scenario. */
export interface Scenario {
  name: string;
  description: string;
  /** Needs the netns topology (partitions, port blocks). */
  needsNetns?: boolean;
  /** Before the load starts (e.g. turn on synchronous mode). */
  setup?(ctx: ScenarioContext): Promise<void>;
  run(ctx: ScenarioContext): Promise<void>;
  /** After the final check (restore settings). */
  teardown?(ctx: ScenarioContext): Promise<void>;
  /** The scenario's own expectations, as failed-expectation lines. */
  expect?(ctx: ScenarioContext, check: CheckResult): string[];
}

const ms = (s: number) => s * 1000;

/**
 * In synchronous mode only the standby named in the DCS `sync` key may be promoted; until Patroni has written
 * it (a loop after the standby streams), a lost leader leaves the cluster without one. Faults wait for it.
 */
async function syncReady(ctx: ScenarioContext): Promise<void> {
  const cfg = (await ctx.cluster.showConfig(ctx.signal ? { signal: ctx.signal } : {})) as Record<
    string,
    unknown
  >;
  if (cfg.synchronous_mode === true) await syncStandby(ctx);
}

/** Ms from `at` until HAProxy's stats show `writer/member` DOWN (polled every 100 ms, at most 10 s), or null. */
async function haproxyMarksDown(ctx: ScenarioContext, member: string, at: number): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const servers = await haproxyServers(ctx.statsUrl, ctx.signal).catch(
      () => ({}) as Record<string, string>,
    );
    if (servers[`writer/${member}`]?.startsWith('DOWN')) return Date.now() - at;
    await ctx.sleep(100);
  }
  return null;
}

/** Waits until the lab has settled, then records and injects one fault; returns when it was injected. */
async function injectFault(
  ctx: ScenarioContext,
  text: string,
  fault: () => Promise<unknown>,
): Promise<number> {
  await ctx.lab.waitSettled(ctx.signal);
  const at = Date.now();
  ctx.fault(text);
  await fault();
  return at;
}

/** Kills the leader and waits for a new one to take writes; returns [old, new]. Restarts the old one on failure. */
async function killLeader(ctx: ScenarioContext): Promise<[string, string]> {
  await syncReady(ctx);
  const old = await ctx.leader();
  const at = await injectFault(ctx, `kill -9 ${old} (leader: Patroni and PostgreSQL)`, () =>
    ctx.lab.kill(old, ctx.signal),
  );
  try {
    const haproxyDownMs = await haproxyMarksDown(ctx, old, at);
    const next = await ctx.newLeader(old);
    ctx.event('leader', `${next} leads (${((Date.now() - at) / 1000).toFixed(1)} s after the kill)`);
    const first = await ctx.acknowledged(at, next);
    ctx.event(
      'phase',
      `writes acknowledged by ${next} (${((first.endedAt - at) / 1000).toFixed(1)} s after the kill)`,
    );
    const failovers = (ctx.details.failovers as unknown[] | undefined) ?? [];
    failovers.push({ killed: old, newLeader: next, writerBackMs: first.endedAt - at, haproxyDownMs });
    ctx.details.failovers = failovers;
    return [old, next];
  } catch (err) {
    ctx.event('heal', `start ${old} (no failover)`);
    await ctx.lab.start(old);
    throw err;
  }
}

/** Partitions the leader and waits for a new one to take writes; heals on success and on failure. */
async function partitionLeader(ctx: ScenarioContext): Promise<{ old: string; next: string; at: number }> {
  await syncReady(ctx);
  const old = await ctx.leader();
  const at = await injectFault(ctx, `partition ${old} (leader)`, () => ctx.lab.partition(old, ctx.signal));
  try {
    const wait = ms(ctx.timing.ttl * 2 + 60);
    const haproxyDownMs = await haproxyMarksDown(ctx, old, at);
    const next = await ctx.newLeader(old, wait);
    ctx.event('leader', `${next} leads (${((Date.now() - at) / 1000).toFixed(1)} s after the partition)`);
    const first = await ctx.acknowledged(at, next, wait);
    const partitions = (ctx.details.partitions as unknown[] | undefined) ?? [];
    partitions.push({ partitioned: old, newLeader: next, writerBackMs: first.endedAt - at, haproxyDownMs });
    ctx.details.partitions = partitions;
    return { old, next, at };
  } finally {
    await ctx.sleep(1000);
    ctx.event('heal', `heal ${old}`);
    await ctx.lab.heal(old);
  }
}

async function setConfig(ctx: ScenarioContext, patch: Record<string, unknown>, why: string): Promise<void> {
  const res = await ctx.cluster.editConfig({ patch, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  if (res.outcome !== 'succeeded') throw new Error(`${why}: ${res.reason}`);
  ctx.event('phase', `${why}: ${JSON.stringify(patch)}`);
}

async function syncStandby(ctx: ScenarioContext): Promise<string> {
  return ctx.until(
    'a synchronous standby',
    async () => {
      const view = await ctx.cluster.status({ ...(ctx.signal ? { signal: ctx.signal } : {}) });
      const s = view.members.find((m) => m.role === 'sync_standby' && m.state === 'streaming');
      return s?.name;
    },
    ms(ctx.timing.loop_wait * 3 + 30),
  );
}

/** Waits until the leader's failsafe key lists the members (failsafe mode is armed). */
async function failsafeArmed(ctx: ScenarioContext): Promise<void> {
  const leader = await ctx.leader();
  const url = ctx.lab.members().find((m) => m.name === leader)!.restUrl;
  await ctx.until(
    'failsafe mode to be armed (GET /failsafe on the leader)',
    async () => {
      const res = await fetch(`${url}/failsafe`, { signal: AbortSignal.timeout(1500) });
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as Record<string, unknown>;
      return Object.keys(body).length >= 3 ? true : undefined;
    },
    ms(ctx.timing.loop_wait * 3 + 30),
  );
}

/** Stops two etcd members (those on the replicas' hosts) for long enough that the leader must act. */
async function loseQuorum(ctx: ScenarioContext): Promise<void> {
  const leader = await ctx.leader();
  const lost = ctx.lab.members().filter((m) => m.name !== leader);
  const at = await injectFault(
    ctx,
    `etcd quorum lost: stop ${lost.map((m) => m.etcd).join(' and ')}`,
    async () => {
      for (const m of lost) await ctx.lab.stop(m.etcd, ctx.signal);
    },
  );
  // Long enough for the leader to give up its role: retry_timeout, then a loop, then margin.
  const hold = ms(ctx.timing.retry_timeout + ctx.timing.loop_wait * 2 + 8);
  await ctx.sleep(Math.max(0, at + hold - Date.now()));
  ctx.details.writableAtEndOfOutage = ctx.writable();
  ctx.details.failedWritesDuringOutage = ctx.failedWritesSince(at);
  ctx.details.acknowledgedDuringOutage = ctx.ackedWritesSince(at);
  ctx.event('heal', `start ${lost.map((m) => m.etcd).join(' and ')}`);
  for (const m of lost) await ctx.lab.start(m.etcd);
  const back = Date.now();
  await ctx.acknowledged(back);
}

/** Every scenario the drill knows. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'leader-kill',
    description: 'SIGKILL the leader (Patroni and PostgreSQL); a replica takes over; the old leader rejoins',
    async run(ctx) {
      const [old] = await killLeader(ctx);
      ctx.event('heal', `start ${old}`);
      await ctx.lab.start(old);
    },
  },
  {
    name: 'leader-partition',
    description:
      "cut the leader's host off the network (both directions); it demotes itself, a replica takes over",
    needsNetns: true,
    async run(ctx) {
      await syncReady(ctx);
      const old = await ctx.leader();
      const at = await injectFault(ctx, `partition ${old} (leader)`, () =>
        ctx.lab.partition(old, ctx.signal),
      );
      try {
        const wait = ms(ctx.timing.ttl * 2 + 60);
        await ctx.until(
          `${old} to demote itself`,
          async () => (ctx.writable().includes(old) ? undefined : true),
          wait,
        );
        ctx.details.demotedAfterMs = Date.now() - at;
        ctx.event('phase', `${old} is read-only (${((Date.now() - at) / 1000).toFixed(1)} s)`);
        const next = await ctx.newLeader(old, wait);
        ctx.details.newLeaderAfterMs = Date.now() - at;
        ctx.event('leader', `${next} leads (${((Date.now() - at) / 1000).toFixed(1)} s)`);
        const first = await ctx.acknowledged(at, next, wait);
        ctx.details.writerBackMs = first.endedAt - at;
        ctx.details.newLeader = next;
        await ctx.sleep(2000);
      } finally {
        ctx.event('heal', `heal ${old}`);
        await ctx.lab.heal(old);
      }
    },
  },
  {
    name: 'replica-kill',
    description: 'SIGKILL a replica; writes go on; it rejoins',
    async run(ctx) {
      const leader = await ctx.leader();
      const victim = ctx.members.find((m) => m !== leader)!;
      const at = await injectFault(ctx, `kill -9 ${victim} (replica)`, () =>
        ctx.lab.kill(victim, ctx.signal),
      );
      await ctx.sleep(ms(Math.max(10, ctx.timing.loop_wait * 2)));
      ctx.details.leaderAfter = await ctx.leader();
      ctx.details.acknowledgedWhileDown = ctx.ackedWritesSince(at);
      ctx.event('heal', `start ${victim}`);
      await ctx.lab.start(victim);
    },
    expect(ctx) {
      return ctx.details.acknowledgedWhileDown === 0
        ? ['no write was acknowledged while a replica was down']
        : [];
    },
  },
  {
    name: 'etcd-member-lost',
    description: "stop the etcd member on the leader's host; etcd keeps quorum; nothing should change",
    async run(ctx) {
      const leader = await ctx.leader();
      const etcd = ctx.lab.members().find((m) => m.name === leader)!.etcd;
      const at = await injectFault(ctx, `stop ${etcd} (etcd on the leader's host)`, () =>
        ctx.lab.stop(etcd, ctx.signal),
      );
      await ctx.sleep(ms(Math.max(15, ctx.timing.ttl)));
      ctx.details.leaderBefore = leader;
      ctx.details.leaderAfter = await ctx.leader();
      ctx.details.failedWritesWhileDown = ctx.failedWritesSince(at);
      ctx.event('heal', `start ${etcd}`);
      await ctx.lab.start(etcd);
    },
    expect(ctx) {
      return ctx.details.leaderBefore !== ctx.details.leaderAfter
        ? [
            `the leader changed (${ctx.details.leaderBefore} → ${ctx.details.leaderAfter}) although etcd kept quorum`,
          ]
        : [];
    },
  },
  {
    name: 'etcd-quorum-lost',
    description:
      'stop two etcd members with failsafe_mode off: the leader demotes itself, writes stop until etcd is back',
    async setup(ctx) {
      const cfg = (await ctx.cluster.showConfig()) as Record<string, unknown>;
      ctx.details.failsafeBefore = cfg.failsafe_mode ?? null;
      if (cfg.failsafe_mode === true) await setConfig(ctx, { failsafe_mode: false }, 'failsafe mode off');
    },
    run: loseQuorum,
    async teardown(ctx) {
      if (ctx.details.failsafeBefore === true)
        await setConfig(ctx, { failsafe_mode: true }, 'restore failsafe mode');
    },
    expect(ctx) {
      const w = ctx.details.writableAtEndOfOutage as string[];
      return w.length > 0 ? [`${w.join(', ')} still writable without etcd quorum and failsafe mode off`] : [];
    },
  },
  {
    name: 'etcd-quorum-lost-failsafe',
    description:
      'stop two etcd members with failsafe_mode on: the leader keeps running while it reaches every member',
    async setup(ctx) {
      const cfg = (await ctx.cluster.showConfig()) as Record<string, unknown>;
      ctx.details.failsafeBefore = cfg.failsafe_mode ?? null;
      if (cfg.failsafe_mode !== true) await setConfig(ctx, { failsafe_mode: true }, 'failsafe mode on');
      await failsafeArmed(ctx);
    },
    run: loseQuorum,
    async teardown(ctx) {
      if (ctx.details.failsafeBefore !== true)
        await setConfig(ctx, { failsafe_mode: ctx.details.failsafeBefore ?? null }, 'restore failsafe mode');
    },
    expect(ctx) {
      const w = ctx.details.writableAtEndOfOutage as string[];
      return w.length !== 1
        ? [`expected the leader to stay writable in failsafe mode, writable: ${w.join(', ') || 'none'}`]
        : [];
    },
  },
  {
    name: 'switchover',
    description: 'planned switchover under load (POST /switchover to a replica)',
    async run(ctx) {
      const old = await ctx.leader();
      await ctx.lab.waitSettled(ctx.signal);
      const at = Date.now();
      ctx.fault(`switchover from ${old}`);
      const res = await ctx.cluster.switchover({
        leader: old,
        timeoutMs: ms(ctx.timing.ttl * 2 + 30),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      if (res.outcome !== 'succeeded') throw new Error(`switchover ${res.outcome}: ${res.reason}`);
      const next = res.details?.newLeader ?? (await ctx.newLeader(old));
      ctx.details.commandMs = Date.now() - at;
      ctx.details.newLeader = next;
      ctx.event('leader', `${next} leads (switchover took ${((Date.now() - at) / 1000).toFixed(1)} s)`);
      await ctx.acknowledged(at, next);
    },
  },
  {
    name: 'sync-leader-kill',
    description:
      'synchronous mode on, SIGKILL the leader: the synchronous standby takes over and no acknowledged write is lost',
    async setup(ctx) {
      const cfg = (await ctx.cluster.showConfig()) as Record<string, unknown>;
      ctx.details.synchronousBefore = cfg.synchronous_mode ?? null;
      if (cfg.synchronous_mode !== true)
        await setConfig(ctx, { synchronous_mode: true }, 'synchronous mode on');
      ctx.details.syncStandby = await syncStandby(ctx);
      ctx.event('phase', `synchronous standby: ${ctx.details.syncStandby}`);
    },
    async run(ctx) {
      const [old, next] = await killLeader(ctx);
      ctx.details.newLeader = next;
      ctx.event('heal', `start ${old}`);
      await ctx.lab.start(old);
    },
    async teardown(ctx) {
      if (ctx.details.synchronousBefore !== true)
        await setConfig(
          ctx,
          { synchronous_mode: ctx.details.synchronousBefore ?? null },
          'restore synchronous mode',
        );
    },
    expect(ctx, check) {
      const out: string[] = [];
      if (ctx.details.newLeader !== ctx.details.syncStandby)
        out.push(
          `the new leader ${ctx.details.newLeader} was not the synchronous standby ${ctx.details.syncStandby}`,
        );
      if (check.writes.lost.length > 0) out.push('acknowledged writes lost in synchronous mode');
      return out;
    },
  },
  {
    name: 'recipe-drill',
    description:
      "the production recipe's drill: drop incoming 5432 and 8008 on the leader's host; Patroni keeps the lock (etcd still reachable), HAProxy marks the leader down",
    needsNetns: true,
    async run(ctx) {
      const old = await ctx.leader();
      const at = await injectFault(
        ctx,
        `iptables -A INPUT -p tcp --dport 5432/8008 -j DROP on ${old} (leader)`,
        () => ctx.lab.blockPorts(old, [5432, 8008], ctx.signal),
      );
      const hold = ms(ctx.timing.ttl + ctx.timing.loop_wait * 2 + 5);
      const haproxy: Array<{ at: number; writer: string }> = [];
      const leaderKey: string[] = [];
      while (Date.now() - at < hold) {
        const servers = await haproxyServers(ctx.statsUrl, ctx.signal).catch(
          () => ({}) as Record<string, string>,
        );
        haproxy.push({ at: Date.now() - at, writer: servers[`writer/${old}`] ?? '?' });
        const view = await ctx.cluster
          .status({ live: false, ...(ctx.signal ? { signal: ctx.signal } : {}) })
          .catch(() => undefined);
        if (view?.leader) leaderKey.push(view.leader);
        await ctx.sleep(1000);
      }
      const down = haproxy.find((h) => h.writer.startsWith('DOWN'));
      ctx.details.leaderKeyHolders = [...new Set(leaderKey)];
      ctx.details.haproxyWriterMarkedDownAfterMs = down?.at ?? null;
      ctx.details.writableAtEnd = ctx.writable();
      ctx.details.acknowledgedWhileBlocked = ctx.ackedWritesSince(at);
      ctx.details.failedWhileBlocked = ctx.failedWritesSince(at);
      ctx.event(
        'note',
        `leader key held by ${[...new Set(leaderKey)].join(', ')}; HAProxy marked writer/${old} ${down ? `DOWN after ${(down.at / 1000).toFixed(1)} s` : 'never DOWN'}; ${ctx.ackedWritesSince(at)} writes acknowledged while blocked`,
      );
      ctx.event('heal', `remove the rules on ${old}`);
      const healed = Date.now();
      await ctx.lab.heal(old);
      await ctx.acknowledged(healed);
    },
    expect(ctx) {
      const holders = ctx.details.leaderKeyHolders as string[];
      return holders.length > 1
        ? [
            `the leader key moved (${holders.join(' → ')}): the recipe's rules also block Patroni's own TCP connection to its PostgreSQL, its HA loop hangs and the key expires`,
          ]
        : [];
    },
  },
  {
    name: 'restart-after-failover',
    description:
      'kill the leader, write on the new one, then stop and start the whole lab: no write may be lost, all members stream',
    async run(ctx) {
      await killLeader(ctx);
      await ctx.sleep(2000);
      ctx.fault('lab down (whole cluster)');
      await ctx.lab.down();
      ctx.event('phase', 'lab up');
      const at = Date.now();
      await ctx.lab.up(ctx.signal);
      ctx.details.upMs = Date.now() - at;
      ctx.details.leaderAfterRestart = await ctx.leader();
      ctx.event('leader', `${ctx.details.leaderAfterRestart} leads after the restart`);
      await ctx.acknowledged(at);
    },
  },
  {
    name: 'repeated-failovers',
    description:
      'kill the leader several times in a row (--repeat), each time waiting for the old one to stream again',
    async run(ctx) {
      for (let i = 0; i < ctx.repeat; i++) {
        const [old] = await killLeader(ctx);
        ctx.event('heal', `start ${old}`);
        await ctx.lab.start(old);
        await ctx.streaming();
        ctx.event('phase', `failover ${i + 1} of ${ctx.repeat} done; all members stream`);
      }
    },
  },
  {
    name: 'repeated-partitions',
    description:
      'partition the leader several times in a row (--repeat), healing and waiting for streaming each time',
    needsNetns: true,
    async run(ctx) {
      for (let i = 0; i < ctx.repeat; i++) {
        await partitionLeader(ctx);
        await ctx.streaming();
        ctx.event('phase', `partition ${i + 1} of ${ctx.repeat} done; all members stream`);
      }
    },
  },
];

/** The scenario names, in the order `all` runs them. */
export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);
