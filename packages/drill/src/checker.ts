/**
 * The checker: sorts a drill's writes the way Jepsen's set checkers do and proves there was at most one
 * writable primary. Pure: it reads a {@link DrillHistory} and nothing else, so a constructed history tests it.
 */

import { isLeaderRole } from '@patroni-kit/errors';
import type { CheckResult, DrillHistory } from './types.js';

/** Parses a PostgreSQL LSN (`16/B374D848`) into a byte position. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!m) throw new TypeError(`not an LSN: '${lsn}'`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/**
 * WAL bytes written on the old timeline after the point where the next timeline forked: what a failover
 * threw away. Zero when no lost write has a position or the fork point is unknown.
 */
function lostWal(history: DrillHistory, lost: Set<number>): number {
  let worst = 0n;
  for (const w of history.writes) {
    if (!lost.has(w.id) || !w.lsn || w.timeline === undefined) continue;
    // The timeline that replaced w's: the first history entry naming w's timeline as the parent.
    const fork = history.timelineHistory.find(([tl]) => tl === w.timeline);
    if (!fork) continue;
    const past = parseLsn(w.lsn) - BigInt(fork[1]);
    if (past > worst) worst = past;
  }
  return Number(worst);
}

/** Checks a drill history: lost, ghost and unexpected writes, dual primaries, the writer's outage. */
export function check(history: DrillHistory): CheckResult {
  const violations: string[] = [];
  const writes = [...history.writes].sort((a, b) => a.startedAt - b.startedAt);
  const attemptedIds = new Set(writes.map((w) => w.id));
  const final = history.finalIds === null ? null : new Set(history.finalIds);
  const acked = writes.filter((w) => w.outcome === 'ok');
  const notAcked = writes.filter((w) => w.outcome !== 'ok');

  const lost = final === null ? [] : acked.filter((w) => !final.has(w.id)).map((w) => w.id);
  const ghost = final === null ? [] : notAcked.filter((w) => final.has(w.id));
  const definiteGhost = ghost.filter((w) => w.definite).map((w) => w.id);
  const unexpected =
    final === null ? [] : [...final].filter((id) => !attemptedIds.has(id)).sort((a, b) => a - b);
  const lostSet = new Set(lost);
  const lostBytes = acked.filter((w) => lostSet.has(w.id)).reduce((n, w) => n + w.bytes, 0);
  const lostWalBytes = lostWal(history, lostSet);

  if (final === null) violations.push('the final state could not be read: lost and ghost writes are unknown');
  if (lost.length > 0) {
    if (history.synchronous)
      violations.push(`${lost.length} acknowledged write(s) lost in synchronous mode (ids ${preview(lost)})`);
    else if (lostWalBytes > history.maximumLagOnFailover)
      violations.push(
        `${lost.length} acknowledged write(s) lost, ${lostWalBytes} WAL bytes past the fork: more than maximum_lag_on_failover (${history.maximumLagOnFailover})`,
      );
  }
  if (definiteGhost.length > 0)
    violations.push(
      `${definiteGhost.length} write(s) refused before commit are present (ids ${preview(definiteGhost)})`,
    );
  if (unexpected.length > 0)
    violations.push(
      `${unexpected.length} row(s) present that this run never wrote (ids ${preview(unexpected)})`,
    );

  // Dual primary: two members writable within one poll round.
  const rounds = new Map<number, { at: number; members: string[] }>();
  for (const s of history.samples) {
    if (s.writable !== true) continue;
    const r = rounds.get(s.round) ?? { at: s.at, members: [] };
    r.members.push(s.member);
    r.at = Math.min(r.at, s.at);
    rounds.set(s.round, r);
  }
  const dualPrimary = [...rounds.entries()]
    .filter(([, r]) => r.members.length > 1)
    .map(([round, r]) => ({ round, at: r.at, members: r.members.sort() }));
  // The same from the members' REST roles (reported, not judged: a demoting leader still says primary).
  const restRounds = new Map<number, number>();
  for (const s of history.samples) {
    if (isLeaderRole(s.restRole)) restRounds.set(s.round, (restRounds.get(s.round) ?? 0) + 1);
  }
  const restDualPrimaryRounds = [...restRounds.values()].filter((n) => n > 1).length;
  if (dualPrimary.length > 0)
    violations.push(
      `${dualPrimary.length} poll round(s) saw more than one writable primary (first: ${dualPrimary[0]!.members.join(' and ')})`,
    );

  // Outage through the writer port.
  let maxWriteGapMs = 0;
  let gapFrom: number | null = null;
  let gapTo: number | null = null;
  const ackEnds = acked.map((w) => w.endedAt).sort((a, b) => a - b);
  for (let i = 1; i < ackEnds.length; i++) {
    const gap = ackEnds[i]! - ackEnds[i - 1]!;
    if (gap > maxWriteGapMs) {
      maxWriteGapMs = gap;
      gapFrom = ackEnds[i - 1]!;
      gapTo = ackEnds[i]!;
    }
  }
  // Writer back: the end of the longest gap that ends after the fault (for a kill, the first write on the
  // new leader; for a switchover, the first write after the handover).
  let writerBackMs: number | null = null;
  if (history.faultAt !== null) {
    const fault = history.faultAt;
    let best = -1;
    let end: number | undefined;
    for (let i = 1; i < ackEnds.length; i++) {
      if (ackEnds[i]! < fault) continue;
      const gap = ackEnds[i]! - Math.max(ackEnds[i - 1]!, fault);
      if (gap > best) {
        best = gap;
        end = ackEnds[i]!;
      }
    }
    if (end === undefined) end = ackEnds.find((t) => t >= fault);
    // A writer that never paused for a second was never out: 0, not the end of some short gap.
    writerBackMs = end === undefined ? null : best >= 0 && best < 1000 ? 0 : end - fault;
  }

  const byMemberMap = new Map<string, { member: string; timeline: number | null; acknowledged: number }>();
  for (const w of acked) {
    const key = `${w.member ?? '?'}/${w.timeline ?? '?'}`;
    const e = byMemberMap.get(key) ?? {
      member: w.member ?? '?',
      timeline: w.timeline ?? null,
      acknowledged: 0,
    };
    e.acknowledged++;
    byMemberMap.set(key, e);
  }

  return {
    writes: {
      attempted: writes.length,
      acknowledged: acked.length,
      failed: writes.filter((w) => w.outcome === 'failed').length,
      timedOut: writes.filter((w) => w.outcome === 'timeout').length,
      acknowledgedPresent: acked.length - lost.length,
      lost,
      lostBytes,
      lostWalBytes,
      ghost: ghost.map((w) => w.id),
      definiteGhost,
      unexpected,
    },
    dualPrimary,
    restDualPrimaryRounds,
    byMember: [...byMemberMap.values()].sort(
      (a, b) => a.member.localeCompare(b.member) || (a.timeline ?? 0) - (b.timeline ?? 0),
    ),
    outage: { maxWriteGapMs, gapFrom, gapTo, writerBackMs },
    reads: {
      attempted: history.reads.length,
      ok: history.reads.filter((r) => r.ok).length,
      onPrimary: history.reads.filter((r) => r.ok && r.inRecovery === false).length,
    },
    violations,
    ok: violations.length === 0,
  };
}

function preview(ids: number[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, … ${ids.length - 5} more`;
}
