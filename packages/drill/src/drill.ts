/**
 * Runs drill scenarios on a lab: the workload and the role poller run while the scenario injects its
 * fault; afterwards every member must stream again, the final rows are read from the leader and the
 * checker sorts the writes. Every wait is bounded by the cluster's own timing.
 */
import { randomBytes } from 'node:crypto';
import { Cluster } from '@patroni-kit/cluster';
import { PatroniKitError, pollValue, sleep as sleepFor } from '@patroni-kit/errors';
import type { Lab } from '@patroni-kit/lab';
import pg from 'pg';
import { check } from './checker.js';
import { leaderOf, memberStates, type StreamingState, streamingState, timelineHistory } from './members.js';
import { SCENARIOS, type Scenario, type ScenarioContext } from './scenarios.js';
import type { CheckResult, DrillEvent, DrillHistory } from './types.js';
import { CREATE_TABLE, DRILL_TABLE, RolePoller, type SqlEndpoint, Workload } from './workload.js';

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /** Scenario names (see {@link SCENARIOS}); run one after the other on the same lab. */
  scenarios: string[];
  /** Write every N ms (default 50) and read every N ms (default 100) through HAProxy. */
  writeIntervalMs?: number;
  readIntervalMs?: number;
  /** Load before the fault and after recovery (ms, default 3000). */
  settleMs?: number;
  /** How many faults `repeated-*` scenarios inject (default 3). */
  repeat?: number;
  /** Longest wait for every member to stream again at the end (ms, default 180 s). */
  streamTimeoutMs?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** One scenario's outcome. */
export interface ScenarioResult {
  scenario: string;
  description: string;
  /** Passed: no violation, every member streams, the scenario's own expectations held. */
  ok: boolean;
  check: CheckResult;
  streaming: StreamingState;
  /** What the scenario observed (new leader, demotion time, HAProxy's view…). */
  details: Record<string, unknown>;
  /** The scenario's own failed expectations and errors, besides the checker's. */
  problems: string[];
  timing: { ttl: number; loop_wait: number; retry_timeout: number };
  history: DrillHistory;
}

/** Sleeps `ms`; an abort ends the drill (rejects with ABORTED). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(ms, signal, { rejectOnAbort: true });
}

function aborted(signal: AbortSignal): PatroniKitError {
  return new PatroniKitError('ABORTED', 'the drill was aborted', { cause: signal.reason });
}

/** Polls `fn` until it returns a value, every 200 ms, for at most `timeoutMs` (errors count as "not yet"). */
function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  return pollValue(what, fn, { timeoutMs, signal, intervalMs: 200, maxIntervalMs: 200 });
}

async function query<T>(ep: SqlEndpoint, text: string, params: unknown[], timeoutMs: number): Promise<T[]> {
  const client = new pg.Client({ ...ep, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query(text, params)).rows as T[];
  } finally {
    client.end().catch(() => {});
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** The scenario names this lab can run (partition-like ones need `--netns`). */
export function scenariosFor(topology: 'loopback' | 'netns'): Scenario[] {
  return SCENARIOS.filter((s) => !s.needsNetns || topology === 'netns');
}

/** Runs each scenario in turn on `lab`; returns one result per scenario (a failed one does not stop the rest). */
export async function runDrill(lab: Lab, opts: DrillOptions): Promise<ScenarioResult[]> {
  const progress = opts.onProgress ?? (() => {});
  const status = await lab.status(opts.signal);
  if (!status.running)
    throw new PatroniKitError('USAGE', `the lab in ${lab.dir} is not running`, {
      hint: 'start it with `patroni-kit lab up`',
    });
  const chosen: Scenario[] = [];
  for (const name of opts.scenarios) {
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s)
      throw new PatroniKitError('USAGE', `unknown drill scenario '${name}'`, {
        hint: `use one of: ${SCENARIOS.map((x) => x.name).join(', ')}`,
      });
    if (s.needsNetns && status.topology !== 'netns')
      throw new PatroniKitError('USAGE', `scenario '${name}' needs a lab with network namespaces`, {
        hint: 'create the lab with `patroni-kit lab up --netns`',
      });
    chosen.push(s);
  }
  const results: ScenarioResult[] = [];
  for (const s of chosen) {
    if (opts.signal?.aborted) throw aborted(opts.signal);
    progress(`${s.name}: ${s.description}`);
    results.push(await runScenario(lab, s, opts, progress));
    const r = results[results.length - 1]!;
    progress(
      `${s.name}: ${r.ok ? 'PASS' : 'FAIL'}: ${r.check.writes.acknowledged} acknowledged, ${r.check.writes.lost.length} lost, ${r.check.writes.ghost.length} ghost, ${r.check.dualPrimary.length} dual-primary rounds, longest write gap ${(r.check.outage.maxWriteGapMs / 1000).toFixed(2)} s${r.ok ? '' : ` (${[...r.check.violations, ...r.problems].join('; ')})`}`,
    );
  }
  return results;
}

async function runScenario(
  lab: Lab,
  scenario: Scenario,
  opts: DrillOptions,
  progress: (line: string) => void,
): Promise<ScenarioResult> {
  const signal = opts.signal;
  const status = await lab.status(signal);
  const members = lab.members();
  const memberByHost = new Map(members.map((m) => [m.host, m.name]));
  const writer = lab.connection('writer');
  const reader = lab.connection('reader');
  const superuser = lab.credentials().superuser;
  const cluster = await Cluster.connect({ configFile: status.ctlConfig, ...(signal ? { signal } : {}) });
  const events: DrillEvent[] = [];
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  const event = (kind: DrillEvent['kind'], text: string) => {
    events.push({ at: Date.now(), kind, text });
    progress(`${scenario.name}: ${text}`);
  };
  const run = `${scenario.name}-${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  const startedAt = Date.now();
  let faultAt: number | null = null;
  let workload: Workload | undefined;
  let poller: RolePoller | undefined;
  let streaming: StreamingState = { ok: false, leader: null, members: [], problems: ['not checked'] };
  let finalIds: number[] | null = null;
  let history: Array<[number, number]> = [];
  let config: Record<string, unknown> = {};
  const cfg = await cluster.showConfig({ ...(signal ? { signal } : {}) });
  const timing = {
    ttl: Number(cfg.ttl ?? 30),
    loop_wait: Number(cfg.loop_wait ?? 10),
    retry_timeout: Number(cfg.retry_timeout ?? 10),
  };
  const streamTimeoutMs = opts.streamTimeoutMs ?? 180_000;

  const ctx: ScenarioContext = {
    lab,
    cluster,
    timing,
    members: members.map((m) => m.name),
    topology: status.topology,
    statsUrl: status.statsUrl,
    repeat: opts.repeat ?? 3,
    details,
    ...(signal ? { signal } : {}),
    event,
    problem: (text) => {
      problems.push(text);
      event('note', `problem: ${text}`);
    },
    fault: (text) => {
      faultAt ??= Date.now();
      event('fault', text);
    },
    sleep: (ms) => sleep(ms, signal),
    until: (what, fn, timeoutMs) => until(what, fn, timeoutMs, signal),
    leader: async () =>
      until(
        'a running leader',
        async () => leaderOf(await memberStates(members, signal)) ?? undefined,
        (timing.ttl * 2 + 30) * 1000,
        signal,
      ),
    newLeader: async (old, timeoutMs) =>
      until(
        `a new leader other than ${old}`,
        async () => {
          const others = members.filter((m) => m.name !== old);
          return leaderOf(await memberStates(others, signal)) ?? undefined;
        },
        timeoutMs ?? (timing.ttl * 2 + 30) * 1000,
        signal,
      ),
    acknowledged: async (after, member, timeoutMs) =>
      until(
        `an acknowledged write${member ? ` on ${member}` : ''}`,
        async () =>
          workload?.writes.find(
            (w) =>
              w.outcome === 'ok' && w.startedAt >= after && (member === undefined || w.member === member),
          ),
        timeoutMs ?? (timing.ttl * 2 + 30) * 1000,
        signal,
      ),
    streaming: async (timeoutMs) => {
      const s = await until(
        'every member streaming',
        async () => {
          const st = await streamingState(members, signal);
          return st.ok ? st : undefined;
        },
        timeoutMs ?? streamTimeoutMs,
        signal,
      );
      return s;
    },
    writable: () => {
      const latest = poller?.latest() ?? new Map();
      return [...latest.values()].filter((s) => s.writable === true).map((s) => s.member);
    },
    failedWritesSince: (t) =>
      workload?.writes.filter((w) => w.startedAt >= t && w.outcome !== 'ok').length ?? 0,
    ackedWritesSince: (t) =>
      workload?.writes.filter((w) => w.startedAt >= t && w.outcome === 'ok').length ?? 0,
  };

  try {
    // Preconditions: a healthy cluster, so that the drill measures its own fault and nothing older.
    await ctx.streaming(Math.min(streamTimeoutMs, 120_000)).catch((err) => {
      throw new PatroniKitError(
        'PRECHECK',
        `the lab is not healthy before the drill: ${(err as Error).message}`,
        {
          hint: 'run `patroni-kit lab up` (it waits until every member streams), then the drill',
        },
      );
    });
    await until(
      `the table ${DRILL_TABLE}`,
      async () => {
        await query(writer, CREATE_TABLE, [], 3000);
        return true;
      },
      30_000,
      signal,
    );
    if (scenario.setup) await scenario.setup(ctx);
    config = (await cluster.showConfig({ ...(signal ? { signal } : {}) })) as Record<string, unknown>;

    workload = new Workload({
      writer,
      reader,
      run,
      memberOf: (a) => memberByHost.get(a),
      ...(opts.writeIntervalMs ? { writeIntervalMs: opts.writeIntervalMs } : {}),
      ...(opts.readIntervalMs ? { readIntervalMs: opts.readIntervalMs } : {}),
    });
    poller = new RolePoller(
      members.map((m) => ({
        name: m.name,
        restUrl: m.restUrl,
        socket: {
          host: lab.socketDir(m.name),
          port: status.members.find((x) => x.name === m.name)?.postgres.port ?? 5432,
          user: superuser.username,
          password: superuser.password,
          database: 'postgres',
        },
      })),
    );
    poller.start();
    workload.start();
    event('phase', `load started (run ${run})`);
    await ctx.sleep(opts.settleMs ?? 3000);
    await scenario.run(ctx);
    event('phase', 'waiting for every member to stream');
    try {
      streaming = await ctx.streaming();
      event('phase', `all members stream again (leader ${streaming.leader})`);
    } catch (err) {
      streaming = await streamingState(members, signal);
      problems.push(`not every member streams again: ${streaming.problems.join('; ')}`);
      event('note', (err as Error).message);
    }
    await ctx.sleep(opts.settleMs ?? 3000);
  } catch (err) {
    if ((err as { code?: string }).code === 'PRECHECK' || signal?.aborted) {
      await poller?.stop();
      await workload?.stop();
      await cluster.close();
      throw err;
    }
    problems.push(`the scenario stopped: ${(err as Error).message}`);
    event('note', `error: ${(err as Error).message}`);
  } finally {
    await workload?.stop();
    await poller?.stop();
  }

  // The final state, from the leader itself once it runs.
  try {
    const leader = await ctx.leader();
    const ep = lab.connection(leader);
    finalIds = (
      await until(
        'the final rows',
        async () => query<{ id: string }>(ep, `select id from ${DRILL_TABLE} where run = $1`, [run], 10_000),
        60_000,
        signal,
      )
    ).map((r) => Number(r.id));
    history = await timelineHistory(members.find((m) => m.name === leader)!.restUrl, signal).catch(() => []);
    if (!streaming.ok) streaming = await streamingState(members, signal);
  } catch (err) {
    problems.push(`the final rows could not be read: ${(err as Error).message}`);
  }
  try {
    if (scenario.teardown) await scenario.teardown(ctx);
  } catch (err) {
    problems.push(`restoring the cluster's settings failed: ${(err as Error).message}`);
  }
  await cluster.close();

  const h: DrillHistory = {
    scenario: scenario.name,
    run,
    startedAt,
    endedAt: Date.now(),
    faultAt,
    members: members.map((m) => m.name),
    writes: workload?.writes ?? [],
    reads: workload?.reads ?? [],
    samples: poller?.samples ?? [],
    events,
    finalIds,
    synchronous: config.synchronous_mode === true || config.synchronous_mode === 'on',
    maximumLagOnFailover: Number(config.maximum_lag_on_failover ?? 1048576),
    timelineHistory: history,
  };
  // Changes of the writable set as the poller saw them (over each member's socket), for the report.
  let prev = '';
  const byRound = new Map<number, { at: number; writable: string[] }>();
  for (const s of h.samples) {
    const r = byRound.get(s.round) ?? { at: s.at, writable: [] };
    if (s.writable === true) r.writable.push(s.member);
    byRound.set(s.round, r);
  }
  for (const r of [...byRound.values()].sort((a, b) => a.at - b.at)) {
    const set = r.writable.sort().join(', ');
    if (set === prev) continue;
    const text =
      r.writable.length === 0
        ? 'no member writable'
        : r.writable.length === 1
          ? `${set} writable`
          : `${set} ALL writable (dual primary)`;
    events.push({ at: r.at, kind: 'role', text });
    prev = set;
  }
  events.sort((a, b) => a.at - b.at);
  const result = check(h);
  if (!streaming.ok && !problems.some((p) => p.startsWith('not every member')))
    problems.push(`not every member streams: ${streaming.problems.join('; ')}`);
  if (scenario.expect) problems.push(...scenario.expect(ctx, result));
  return {
    scenario: scenario.name,
    description: scenario.description,
    ok: result.ok && streaming.ok && problems.length === 0,
    check: result,
    streaming,
    details,
    problems,
    timing,
    history: h,
  };
}
