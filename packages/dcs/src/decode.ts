/** Decoders for every Patroni key in etcd v3, following the parsing rules Patroni applies itself. */
import { isObject, normalizeRole as normalizeNodeRole, PatroniKitError } from '@patroni-kit/errors';
import { classifyKey } from './keys.js';
import type {
  ClusterState,
  DcsProblem,
  DynamicConfig,
  Entry,
  FailoverValue,
  HistoryEntry,
  KeyMeta,
  MemberEntry,
  MemberValue,
  StatusValue,
  SyncValue,
} from './types.js';

/** One key as read from etcd, transport independent. */
export interface RawKv extends KeyMeta {
  value: Buffer;
}

type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

/** Deeper JSON than this is refused: no Patroni key nests beyond a few levels, and recursive walkers (diffs, hashes, renderers) must not overflow the stack on a hostile value. */
export const MAX_JSON_DEPTH = 64;

function parseJson(raw: string): Decoded<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, message: `not valid JSON (${(err as Error).message})` };
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH)
    return { ok: false, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
  return { ok: true, value };
}

/** Nesting depth of a parsed JSON value, without recursion. */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

/** A JSON scalar as text; `undefined` for objects and arrays (whose `String()` may even throw). */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number.parseInt(v, 10);
  return undefined;
}

/** `initialize`: `""` while bootstrapping, then the system identifier. */
export function decodeInitialize(raw: string): Decoded<string> {
  return { ok: true, value: raw.trim() };
}

/** `config`: a JSON object. */
export function decodeConfig(raw: string): Decoded<DynamicConfig> {
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, message: 'is not a JSON object' };
  return { ok: true, value: parsed.value as DynamicConfig };
}

/** `leader`: the plain member name. */
export function decodeLeader(raw: string): Decoded<string> {
  const name = raw.trim();
  return name.length === 0 ? { ok: false, message: 'is empty' } : { ok: true, value: name };
}

/**
 * `members/<name>`: JSON object. Like Patroni, a legacy `postgres://...?application_name=<api_url>` value is
 * accepted and `state` defaults to `unknown`; unlike Patroni, a broken value is also reported as a problem.
 */
export function decodeMember(raw: string): Decoded<MemberValue> {
  if (raw.startsWith('postgres')) {
    try {
      const url = new URL(raw);
      const apiUrl = url.searchParams.get('application_name') ?? undefined;
      url.search = '';
      return {
        ok: true,
        value: {
          conn_url: url.toString(),
          ...(apiUrl === undefined ? {} : { api_url: apiUrl }),
          state: 'unknown',
        },
      };
    } catch {
      return { ok: false, message: 'legacy connection URL does not parse' };
    }
  }
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, message: 'is not a JSON object' };
  const v = parsed.value;
  const value: MemberValue = { ...v, state: typeof v.state === 'string' ? v.state : 'unknown' };
  // Fields with the wrong type are dropped, so every reader can trust the types (a role that is an object
  // once made the list renderer throw).
  for (const field of ['role', 'api_url', 'conn_url', 'version', 'replication_state'] as const)
    if (field in v && typeof v[field] !== 'string') delete value[field];
  if ('pending_restart' in v && typeof v.pending_restart !== 'boolean') delete value.pending_restart;
  for (const field of ['tags', 'scheduled_restart'] as const)
    if (field in v && !isObject(v[field])) delete value[field];
  if ('pending_restart_reason' in v) {
    const reasons = v.pending_restart_reason;
    const clean: Record<string, { old_value: string; new_value: string }> = {};
    if (isObject(reasons))
      for (const [name, r] of Object.entries(reasons)) {
        if (!isObject(r)) continue;
        clean[name] = { old_value: scalarText(r.old_value) ?? '', new_value: scalarText(r.new_value) ?? '' };
      }
    if (Object.keys(clean).length > 0) value.pending_restart_reason = clean;
    else delete value.pending_restart_reason;
  }
  for (const field of ['xlog_location', 'receive_lsn', 'replay_lsn', 'timeline'] as const) {
    if (field in v) {
      const n = toInt(v[field]);
      if (n === undefined) delete value[field];
      else value[field] = n;
    }
  }
  return { ok: true, value };
}

/** `history`: JSON array of `[timeline, lsn, reason, timestamp?, new_leader?]`. */
export function decodeHistory(raw: string): Decoded<HistoryEntry[]> {
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) return { ok: false, message: 'is not a JSON array' };
  const out: HistoryEntry[] = [];
  for (const [i, row] of parsed.value.entries()) {
    if (!Array.isArray(row) || row.length < 3)
      return { ok: false, message: `row ${i} is not [tl, lsn, reason, ...]` };
    const timeline = toInt(row[0]);
    const lsn = toInt(row[1]);
    if (timeline === undefined || lsn === undefined)
      return { ok: false, message: `row ${i} has no numeric tl/lsn` };
    const entry: HistoryEntry = { timeline, lsn, reason: scalarText(row[2]) ?? JSON.stringify(row[2]) ?? '' };
    if (typeof row[3] === 'string') entry.timestamp = row[3];
    if (typeof row[4] === 'string') entry.newLeader = row[4];
    out.push(entry);
  }
  return { ok: true, value: out };
}

/** `failover`: `{leader?, member?, scheduled_at?}`; `{}` or empty = cleared; legacy `leader:member` text. */
export function decodeFailover(raw: string): Decoded<FailoverValue> {
  if (raw.trim().length === 0) return { ok: true, value: {} };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    const [leader, member] = raw.split(':').map((s) => s.trim());
    return {
      ok: true,
      value: { ...(leader ? { leader } : {}), ...(member ? { member } : {}) },
    };
  }
  if (!isObject(data)) return { ok: true, value: {} };
  const value: FailoverValue = {};
  if (typeof data.leader === 'string' && data.leader) value.leader = data.leader;
  if (typeof data.member === 'string' && data.member) value.member = data.member;
  if (typeof data.scheduled_at === 'string' && data.scheduled_at) value.scheduled_at = data.scheduled_at;
  return { ok: true, value };
}

/** `sync`: `{leader, sync_standby: "a,b"|null, quorum?}`. */
export function decodeSync(raw: string): Decoded<SyncValue> {
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, message: 'is not a JSON object' };
  const v = parsed.value;
  const standby = typeof v.sync_standby === 'string' ? v.sync_standby : null;
  const value: SyncValue = {
    sync_standby: standby,
    syncStandbys: standby
      ? standby
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  };
  if (typeof v.leader === 'string') value.leader = v.leader;
  const quorum = toInt(v.quorum);
  if (quorum !== undefined) value.quorum = quorum;
  return { ok: true, value };
}

/** `status`: `{optime, slots?, retain_slots?}`. Patroni also accepts a bare integer here. */
export function decodeStatus(raw: string): Decoded<StatusValue> {
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  const n = toInt(parsed.value);
  if (n !== undefined) return { ok: true, value: { optime: n } };
  if (!isObject(parsed.value)) return { ok: false, message: 'is not a JSON object' };
  const v = parsed.value;
  const value: StatusValue = {};
  const optime = toInt(v.optime);
  if (optime !== undefined) value.optime = optime;
  if (isObject(v.slots)) {
    value.slots = {};
    for (const [k, s] of Object.entries(v.slots)) {
      const pos = toInt(s);
      if (pos !== undefined) value.slots[k] = pos;
    }
  }
  if (Array.isArray(v.retain_slots))
    value.retain_slots = v.retain_slots.map(scalarText).filter((x): x is string => x !== undefined);
  return { ok: true, value };
}

/** `optime/leader`: a plain integer (legacy, Patroni < 2.1 members present). */
export function decodeOptimeLeader(raw: string): Decoded<number> {
  const n = toInt(raw);
  return n === undefined ? { ok: false, message: 'is not an integer' } : { ok: true, value: n };
}

/** `failsafe`: `{member: api_url}`. */
export function decodeFailsafe(raw: string): Decoded<Record<string, string>> {
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, message: 'is not a JSON object' };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.value)) {
    const url = scalarText(v);
    if (url === undefined)
      return { ok: false, message: `names ${JSON.stringify(k)} with a non-text api_url` };
    out[k] = url;
  }
  return { ok: true, value: out };
}

/** `primary` for Patroni 3.x `master` and 4.x `primary`. */
export function normalizeRole(role: string | undefined): string {
  return normalizeNodeRole(role) ?? 'unknown';
}

function hostPort(connUrl: string | undefined): { host?: string; port?: number } {
  if (!connUrl) return {};
  try {
    const url = new URL(connUrl);
    const out: { host?: string; port?: number } = {};
    if (url.hostname) out.host = url.hostname.replace(/^\[|\]$/g, '');
    out.port = url.port ? Number(url.port) : 5432;
    return out;
  } catch {
    return {};
  }
}

function entry<T>(kv: RawKv, raw: string, value: T): Entry<T> {
  const e: Entry<T> = {
    key: kv.key,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    value,
    raw,
  };
  if (kv.leaseId !== undefined) e.leaseId = kv.leaseId;
  return e;
}

/** Options for {@link buildClusterState}. */
export interface BuildOptions {
  namespace: string;
  scope: string;
  prefix: string;
  revision: string;
}

/** Builds the typed cluster state from every key under the cluster prefix. */
export function buildClusterState(kvs: Iterable<RawKv>, opts: BuildOptions): ClusterState {
  const state: ClusterState = {
    namespace: opts.namespace,
    scope: opts.scope,
    prefix: opts.prefix,
    revision: opts.revision,
    initialized: false,
    members: [],
    paused: false,
    unknownKeys: [],
    problems: [],
  };
  const problems: DcsProblem[] = state.problems;
  const memberKvs: Array<[string, RawKv, string]> = [];
  for (const kv of kvs) {
    if (!kv.key.startsWith(opts.prefix)) continue;
    const relative = kv.key.slice(opts.prefix.length);
    const kind = classifyKey(relative);
    const raw = kv.value.toString('utf8');
    const fail = (message: string) => problems.push({ key: kv.key, message: `${relative} ${message}` });
    if (kind.kind === 'unknown') {
      state.unknownKeys.push(kv.key);
      continue;
    }
    if (kind.kind === 'member') {
      memberKvs.push([kind.name, kv, raw]);
      continue;
    }
    switch (kind.name) {
      case 'initialize': {
        const d = decodeInitialize(raw);
        if (d.ok) {
          state.initialize = entry(kv, raw, d.value);
          state.initialized = true;
          if (d.value) state.systemId = d.value;
        }
        break;
      }
      case 'config': {
        const d = decodeConfig(raw);
        if (d.ok) state.config = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'leader': {
        const d = decodeLeader(raw);
        if (d.ok) state.leader = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'history': {
        const d = decodeHistory(raw);
        if (d.ok) state.history = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'failover': {
        const d = decodeFailover(raw);
        if (d.ok) state.failover = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'sync': {
        const d = decodeSync(raw);
        if (d.ok) state.sync = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'status': {
        const d = decodeStatus(raw);
        if (d.ok) state.status = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'optime/leader': {
        const d = decodeOptimeLeader(raw);
        if (d.ok) state.optimeLeader = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
      case 'failsafe': {
        const d = decodeFailsafe(raw);
        if (d.ok) state.failsafe = entry(kv, raw, d.value);
        else fail(d.message);
        break;
      }
    }
  }
  state.paused = state.config?.value.pause === true;
  const optime = state.status?.value.optime ?? state.optimeLeader?.value;
  if (optime !== undefined) state.leaderOptime = optime;
  const leaderName = state.leader?.value;
  for (const [name, kv, raw] of memberKvs) {
    const d = decodeMember(raw);
    if (!d.ok) problems.push({ key: kv.key, message: `members/${name} ${d.message}` });
    const value: MemberValue = d.ok ? d.value : { state: 'unknown' };
    const m: MemberEntry = {
      ...entry(kv, raw, value),
      name,
      role: normalizeRole(value.role),
      isLeader: name === leaderName,
      ...hostPort(value.conn_url),
    };
    if (!m.isLeader && optime !== undefined && value.xlog_location !== undefined) {
      m.lag = Math.max(0, optime - value.xlog_location);
    }
    state.members.push(m);
  }
  state.members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return state;
}

/** Throws a `DECODE` error naming the first problem (for callers that want strict reads). */
export function assertNoProblems(state: ClusterState): void {
  const first = state.problems[0];
  if (!first) return;
  throw new PatroniKitError('DECODE', `cannot decode ${first.key}: ${first.message}`, {
    hint: 'The key was written by something other than Patroni or is corrupt; fix or delete it with etcdctl.',
    details: { problems: state.problems },
  });
}
