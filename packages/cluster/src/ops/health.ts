/** The health report: the view plus etcd's health, the leader's slots and WAL, and the replication login. */
import { isPatroniKitError } from '@patroni-kit/errors';
import type { OpContext } from '../context.js';
import {
  type HealthFacts,
  type HealthOptions,
  type HealthProbeOptions,
  healthReport,
  unknownReport,
} from '../health.js';
import type { StatusOptions } from '../reader.js';
import type { ClusterView, HealthReport } from '../types.js';
import { leaderWal, withPg } from './sql.js';

/** The health report (never throws for an unreachable cluster: that is UNKNOWN). */
export async function health(
  ctx: OpContext,
  opts: HealthOptions & StatusOptions & HealthProbeOptions = {},
): Promise<HealthReport> {
  let view: ClusterView;
  try {
    view = await ctx.read(opts);
  } catch (err) {
    if (isPatroniKitError(err, 'ABORTED')) throw err;
    return unknownReport(ctx.scope, (err as Error).message);
  }
  return healthReport(view, opts, await healthFacts(ctx, view, opts));
}

/** What the health report needs beyond the view: etcd, the leader's slots and WAL, the replication login. */
async function healthFacts(
  ctx: OpContext,
  view: ClusterView,
  opts: StatusOptions & HealthProbeOptions,
): Promise<HealthFacts> {
  const facts: HealthFacts = {};
  const leader = view.members.find((m) => m.name === view.confirmedLeader);
  const signal = opts.signal ? { signal: opts.signal } : {};
  const tasks: Array<Promise<void>> = [];
  if (ctx.target.dcs && opts.etcd !== false) {
    const conn = ctx.target.dcs.connection;
    tasks.push(
      (async () => {
        try {
          const { etcdHealth } = await import('@patroni-kit/dcs');
          facts.etcd = await etcdHealth(conn, { timeoutMs: ctx.timeouts.dcs, ...signal });
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          facts.etcdError = (err as Error).message;
        }
      })(),
    );
  }
  if (leader?.host && opts.sql !== false) {
    tasks.push(
      (async () => {
        try {
          facts.leaderWal = await leaderWal(ctx, leader, opts.signal);
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          facts.sqlError = (err as Error).message;
        }
      })(),
    );
  }
  await Promise.all(tasks);
  // The replication login is worth a try only when some replica does not stream and we know it.
  const repl = ctx.target.replication;
  const someoneNotStreaming = view.members.some(
    (m) => m.name !== view.leader && m.live?.reachable && !leader?.live?.streaming?.includes(m.name),
  );
  if (leader?.host && repl?.username && someoneNotStreaming && opts.sql !== false) {
    try {
      await withPg(
        ctx,
        leader,
        {
          username: repl.username,
          ...(repl.password !== undefined ? { password: repl.password } : {}),
          replication: true,
          timeoutMs: ctx.timeouts.member * 2,
          ...signal,
        },
        (client) => client.query('IDENTIFY_SYSTEM'),
      );
      facts.replicationLogin = { ok: true, message: `user ${repl.username} logs in` };
    } catch (err) {
      if (isPatroniKitError(err, 'ABORTED')) throw err;
      if (isPatroniKitError(err, 'AUTH'))
        facts.replicationLogin = {
          ok: false,
          message: `user ${repl.username}: ${(err as Error).message.replace(/^query on [^:]+: /, '')}`,
        };
    }
  }
  return facts;
}
