/** What the drill asks of the members directly: who leads, who streams, the timeline history. */
import { isLeaderRole } from '@patroni-kit/errors';

/** What one member's `GET /patroni` says, or null fields when it does not answer. */
export interface MemberState {
  name: string;
  reachable: boolean;
  role: string | null;
  state: string | null;
  timeline: number | null;
  replicationState: string | null;
  /** On the leader: the replication connections it sees. */
  replication: Array<{ application_name?: string; state?: string }>;
}

/** The streaming check's answer. */
export interface StreamingState {
  ok: boolean;
  leader: string | null;
  members: MemberState[];
  /** Why it is not ok, one line per member. */
  problems: string[];
}

async function getJson(url: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (signal) signals.push(signal);
  const res = await fetch(url, { signal: AbortSignal.any(signals) });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Each member's `GET /patroni` (bounded to 1.5 s each). */
export async function memberStates(
  members: Array<{ name: string; restUrl: string }>,
  signal?: AbortSignal,
): Promise<MemberState[]> {
  return Promise.all(
    members.map(async (m): Promise<MemberState> => {
      try {
        const b = (await getJson(`${m.restUrl}/patroni`, 1500, signal)) as Record<string, unknown>;
        return {
          name: m.name,
          reachable: true,
          role: typeof b.role === 'string' ? b.role : null,
          state: typeof b.state === 'string' ? b.state : null,
          timeline: typeof b.timeline === 'number' ? b.timeline : null,
          replicationState: typeof b.replication_state === 'string' ? b.replication_state : null,
          replication: Array.isArray(b.replication) ? (b.replication as MemberState['replication']) : [],
        };
      } catch {
        return {
          name: m.name,
          reachable: false,
          role: null,
          state: null,
          timeline: null,
          replicationState: null,
          replication: [],
        };
      }
    }),
  );
}

/** The running leader's name, or null. */
export function leaderOf(states: MemberState[]): string | null {
  return states.find((s) => isLeaderRole(s.role) && s.state === 'running')?.name ?? null;
}

/**
 * Whether every member streams: one running leader that sees a streaming connection from each other
 * member, and each other member running as a replica on the leader's timeline.
 */
export async function streamingState(
  members: Array<{ name: string; restUrl: string }>,
  signal?: AbortSignal,
): Promise<StreamingState> {
  const states = await memberStates(members, signal);
  const leader = leaderOf(states);
  const problems: string[] = [];
  if (!leader) problems.push('no running leader');
  const l = states.find((s) => s.name === leader);
  for (const s of states) {
    if (s.name === leader) continue;
    if (!s.reachable) {
      problems.push(`${s.name}: REST API does not answer`);
      continue;
    }
    if (s.state !== 'running') problems.push(`${s.name}: state ${s.state}`);
    else if (s.replicationState !== null && s.replicationState !== 'streaming')
      problems.push(`${s.name}: ${s.replicationState}, not streaming`);
    if (l && !l.replication.some((r) => r.application_name === s.name && r.state === 'streaming'))
      problems.push(`${s.name}: the leader sees no streaming connection from it`);
    if (l && s.timeline !== null && l.timeline !== null && s.timeline !== l.timeline)
      problems.push(`${s.name}: on timeline ${s.timeline}, the leader on ${l.timeline}`);
  }
  return { ok: problems.length === 0, leader, members: states, problems };
}

/** The leader's timeline history from `GET /history`: [timeline, byte position where it ended]. */
export async function timelineHistory(
  restUrl: string,
  signal?: AbortSignal,
): Promise<Array<[number, number]>> {
  const body = await getJson(`${restUrl}/history`, 2000, signal);
  if (!Array.isArray(body)) return [];
  return body
    .filter((e): e is unknown[] => Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'number')
    .map((e) => [e[0] as number, e[1] as number]);
}

/** HAProxy's view of each server from its stats CSV: `listen/server` → status (`UP`, `DOWN`, …). */
export async function haproxyServers(
  statsUrl: string,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const signals = [AbortSignal.timeout(1500)];
  if (signal) signals.push(signal);
  const res = await fetch(`${statsUrl.replace(/\/$/, '')}/;csv`, { signal: AbortSignal.any(signals) });
  const out: Record<string, string> = {};
  for (const line of (await res.text()).split('\n')) {
    const f = line.split(',');
    if (f.length < 18 || line.startsWith('#') || f[1] === 'FRONTEND' || f[1] === 'BACKEND') continue;
    out[`${f[0]}/${f[1]}`] = f[17] ?? '';
  }
  return out;
}
