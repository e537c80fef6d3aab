/** Helpers shared by the rule groups. */

import { isMap, isScalar } from 'yaml';
import type { RuleContext } from '../context.js';
import { locate, type PathSegment } from '../parse.js';
import type { Fix } from '../types.js';
import { isObj, type Obj, toInt } from '../values.js';

/** GUCs Patroni controls (passed on the postmaster command line or managed), with its runtime minimums. */
export const CONTROLLED_GUCS: Record<string, { min?: number; fallback: string }> = {
  max_connections: { min: 25, fallback: '100' },
  max_wal_senders: { min: 3, fallback: '10' },
  max_prepared_transactions: { min: 0, fallback: '0' },
  max_locks_per_transaction: { min: 32, fallback: '64' },
  max_replication_slots: { min: 4, fallback: '10' },
  max_worker_processes: { min: 2, fallback: '8' },
  wal_level: { fallback: 'replica' },
  hot_standby: { fallback: 'on' },
  track_commit_timestamp: { fallback: 'off' },
  wal_log_hints: { fallback: 'on' },
  wal_keep_segments: { min: 1, fallback: '8' },
  wal_keep_size: { fallback: '128MB' },
};
export const NEVER_SETTABLE = ['listen_addresses', 'port', 'cluster_name'];
export const DCS_NAMES = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'];
export const SAMPLE_PASSWORDS = new Set([
  'zalando',
  'rep-pass',
  'rewind_password',
  'rewind-pass',
  'admin',
  'admin%',
  'postgres',
  'password',
  'secret',
  'changeme',
  'change_me',
  'patroni',
  'replicator',
  'rep_pass',
  'pass',
  '123456',
  'qwerty',
  'letmein',
  'standby',
]);
export const INITDB_FORBIDDEN = ['pgdata', 'nosync', 'pwfile', 'sync-only', 'version'];
export const BASEBACKUP_FORBIDDEN = [
  'pgdata',
  'format',
  'wal-method',
  'xlog-method',
  'gzip',
  'version',
  'dbname',
  'host',
  'port',
  'username',
  'password',
];
export const STRICT_SYNC_PLACEHOLDER = '__patroni_strict_sync_replica_placeholder__';

/** Splits `host:port`, `[v6]:port`, `h1,h2:port`; undefined when no numeric port. */
export function splitHostPort(value: unknown): { host: string; port: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(.*):(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  let host = m[1]!;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number.parseInt(m[2]!, 10) };
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '0:0:0:0:0:0:0:1';
}

/** Slot name Patroni derives from a member name (patroni.md §5 rule 31). */
export function slotNameFromMember(name: string): string {
  let out = '';
  for (const ch of name.toLowerCase()) {
    if (/[a-z0-9_]/.test(ch)) out += ch;
    else if (ch === '-' || ch === '.') out += '_';
    else out += `u${String(ch.codePointAt(0)).padStart(4, '0')}`;
  }
  return out.slice(0, 63);
}

export function walkStrings(
  value: unknown,
  path: PathSegment[],
  visit: (s: string, path: PathSegment[]) => void,
  budget = { n: 0 },
): void {
  if (budget.n++ > 50_000) return;
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walkStrings(value[i], [...path, i], visit, budget);
  } else if (isObj(value))
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit, budget);
}

export const COMMAND_KEY = /(command|^on_|pre_promote|post_bootstrap|post_init|before_stop|callbacks|_cmd$)/;

/** The URL Patroni builds from a hosts entry (its split_host_port + uri), to show what goes wrong. */
export function brokenUrl(entry: string, protocol: string, defaultPort: number): string {
  const hp = splitHostPort(entry);
  const host = hp ? hp.host : entry;
  const port = hp ? hp.port : defaultPort;
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function pairEdit(ctx: RuleContext, pair: import('yaml').Pair) {
  const k = pair.key as { range?: [number, number, number] } | null;
  const v = pair.value as { range?: [number, number, number] } | null;
  if (!k?.range) return undefined;
  const text = ctx.parsed.text;
  const start = text.lastIndexOf('\n', k.range[0] - 1) + 1;
  if (text.slice(start, k.range[0]).trim() !== '') return undefined;
  const last = Math.max(k.range[1], v?.range?.[1] ?? 0);
  const nl = text.indexOf('\n', Math.max(last - 1, k.range[0]));
  return { offset: start, length: (nl < 0 ? text.length : nl + 1) - start, text: '' };
}

/** The parameters mappings that are effective for Patroni: dynamic ones always, local non-controlled ones. */
export function effectiveParam(
  ctx: RuleContext,
  name: string,
): { value: unknown; path: PathSegment[] } | undefined {
  const dynPath = [...ctx.dynPath, 'postgresql', 'parameters', name];
  const dv = ctx.get(dynPath);
  if (CONTROLLED_GUCS[name]) return dv === undefined ? undefined : { value: dv, path: dynPath };
  if (!ctx.dynamicDoc) {
    const lp = ['postgresql', 'parameters', name];
    const lv = ctx.get(lp);
    if (lv !== undefined) return { value: lv, path: lp };
  }
  return dv === undefined ? undefined : { value: dv, path: dynPath };
}

export function sizeInMb(v: unknown): number | undefined {
  if (typeof v === 'number') return v; // plain number = MB for wal_keep_size
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 10);
  const unit = m[2] ?? 'MB';
  return unit === 'kB' ? n / 1024 : unit === 'MB' ? n : unit === 'GB' ? n * 1024 : n * 1024 * 1024;
}

export interface HbaLine {
  type: string;
  database: string;
  user: string;
  address: string;
  method: string;
  path: PathSegment[];
}

export function parseHba(value: unknown, base: PathSegment[]): HbaLine[] {
  if (!Array.isArray(value)) return [];
  const out: HbaLine[] = [];
  value.forEach((line, i) => {
    if (typeof line !== 'string') return;
    const body = line.replace(/#.*$/, '').trim();
    if (!body) return;
    const f = body.split(/\s+/);
    const type = f[0]!.toLowerCase();
    if (type === 'local')
      out.push({
        type,
        database: f[1] ?? '',
        user: f[2] ?? '',
        address: '',
        method: (f[3] ?? '').toLowerCase(),
        path: [...base, i],
      });
    else {
      let address = f[3] ?? '';
      let methodIdx = 4;
      if (f[4] && /^\d+\.\d+\.\d+\.\d+$/.test(f[4])) {
        address = `${address}/${f[4]}`;
        methodIdx = 5;
      }
      out.push({
        type,
        database: f[1] ?? '',
        user: f[2] ?? '',
        address,
        method: (f[methodIdx] ?? '').toLowerCase(),
        path: [...base, i],
      });
    }
  });
  return out;
}

/** True when this member advertises a loopback address: every member runs on one host (a lab). */
export function loopbackCluster(ctx: RuleContext): boolean {
  const hp = splitHostPort(ctx.get(['postgresql', 'connect_address']));
  return hp !== undefined && isLoopback(hp.host);
}

export function hbaMethodFix(ctx: RuleContext, l: HbaLine, method: string): Fix {
  const loc = locate(ctx.parsed.doc, l.path);
  const node = loc.value;
  if (!node || !isScalar(node) || !node.range) return { description: 'Use scram-sha-256', edits: [] };
  const src = ctx.parsed.text.slice(node.range[0], node.range[1]);
  const re = new RegExp(`(\\s)${method}(\\s|$|["'])`, 'i');
  const m = re.exec(src);
  if (!m) return { description: 'Use scram-sha-256', edits: [] };
  return {
    description: `Replace ${method} by scram-sha-256`,
    edits: [{ offset: node.range[0] + m.index + m[1]!.length, length: method.length, text: 'scram-sha-256' }],
  };
}

/** PostgreSQL major version guessed from bin_dir/data_dir paths like /usr/lib/postgresql/16/bin; 0 when unknown. */
export function pgMajorFromPaths(ctx: RuleContext): number {
  for (const p of [
    ['postgresql', 'bin_dir'],
    ['postgresql', 'data_dir'],
  ]) {
    const v = ctx.get(p);
    if (typeof v !== 'string') continue;
    const m = /postgres(?:ql)?[-/]?(\d{2})(?:\/|$)|\/pgsql-(\d{2})\//.exec(v);
    if (m) return Number.parseInt(m[1] ?? m[2]!, 10);
  }
  return 0;
}

/** Synchronous standbys guaranteed available among members with these tags, whichever member leads. */
export function eligibleSyncStandbys(memberTags: Obj[]): number {
  const eligible = memberTags.filter(
    (t) =>
      t.nosync !== true &&
      t.nostream !== true &&
      !(toInt(t.sync_priority) !== undefined && toInt(t.sync_priority)! <= 0),
  ).length;
  // worst case the leader is one of the eligible members
  return Math.max(0, eligible - 1);
}

/** A move of a top-level pair into an existing block mapping, as text edits. */
export function moveFix(ctx: RuleContext, from: PathSegment[], to: PathSegment[]): { fix?: Fix } {
  const text = ctx.parsed.text;
  const src = locate(ctx.parsed.doc, from);
  const dst = locate(ctx.parsed.doc, to);
  if (src.depth !== from.length || dst.depth !== to.length || !src.key?.range || !isMap(dst.value)) return {};
  const value = src.value;
  if (value && !isScalar(value)) return {};
  const dstMap = dst.value;
  const first = dstMap.items[0]?.key as { range?: [number, number, number] } | undefined;
  if (!first?.range || dstMap.flow) return {};
  const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const indent = text.slice(lineStart, first.range[0]);
  if (indent.trim() !== '') return {};
  const srcStart = text.lastIndexOf('\n', src.key.range[0] - 1) + 1;
  if (text.slice(srcStart, src.key.range[0]).trim() !== '') return {};
  const end = value?.range ? value.range[1] : src.key.range[1];
  const nl = text.indexOf('\n', end);
  const srcEnd = nl < 0 ? text.length : nl + 1;
  const pairText = text.slice(src.key.range[0], nl < 0 ? text.length : nl).trimEnd();
  const insertion = `${indent}${pairText}\n`;
  const removal = { offset: srcStart, length: srcEnd - srcStart, text: '' };
  const insert = { offset: lineStart, length: 0, text: insertion };
  return {
    fix: {
      description: `Move '${from.join('.')}' to ${to.join('.')}`,
      edits: srcStart < lineStart ? [removal, insert] : [insert, removal],
    },
  };
}

/** One DCS endpoint as Patroni reads it from a host list. */
export interface DcsHostEntry {
  /** The DCS section: etcd, etcd3, consul, zookeeper, exhibitor, raft. */
  section: string;
  /** Where the entry is (a list item, or the whole comma-separated string). */
  path: PathSegment[];
  /** The entry as written, trimmed. */
  text: string;
  host: string;
  /** The port, or the section's default when the entry has none. */
  port: number;
  /** Why Patroni cannot use the entry, when it cannot. */
  problem?: string;
}

const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/**
 * Splits one host list entry like Patroni's `split_host_port`: the port is after the last `:`; when the host
 * part still has a `:` it is IPv6 and brackets are stripped; without a `:` the default port applies.
 */
export function patroniHostPort(
  entry: string,
  defaultPort: number,
): { host: string; port: number; problem?: string } {
  const text = entry.trim();
  if (text === '') return { host: '', port: defaultPort, problem: 'is empty' };
  const i = text.lastIndexOf(':');
  if (i < 0) return { host: text, port: defaultPort };
  let host = text.slice(0, i);
  const portText = text.slice(i + 1);
  if (host.includes(':'))
    host = host
      .split(',')
      .map((h) => h.trim().replace(/^[[\]]+|[[\]]+$/g, ''))
      .join(',');
  if (!PY_INT.test(portText))
    return { host, port: Number.NaN, problem: `has port '${portText}', which is not a number` };
  const port = Number.parseInt(portText.replace(/_/g, ''), 10);
  if (port < 1 || port > 65535) return { host, port, problem: `has port ${port}, outside 1–65535` };
  if (host === '') return { host, port, problem: 'has no host' };
  return { host, port };
}

const DEFAULT_PORTS: Record<string, number> = { etcd: 2379, etcd3: 2379, consul: 8500, zookeeper: 2181 };

/** Every DCS endpoint the file lists (etcd/etcd3 host and hosts, consul host, zookeeper hosts, raft partners). */
export function dcsHostEntries(data: Obj): DcsHostEntry[] {
  const out: DcsHostEntry[] = [];
  const push = (section: string, path: PathSegment[], text: string, defaultPort: number) => {
    const hp = patroniHostPort(text, defaultPort);
    out.push({
      section,
      path,
      text: text.trim(),
      host: hp.host,
      port: hp.port,
      ...(hp.problem ? { problem: hp.problem } : {}),
    });
  };
  const list = (section: string, key: string, value: unknown, defaultPort: number) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (typeof v === 'string') push(section, [section, key, i], v, defaultPort);
      });
    } else if (typeof value === 'string') {
      for (const part of value.split(',')) push(section, [section, key], part, defaultPort);
    }
  };
  for (const section of ['etcd', 'etcd3', 'zookeeper', 'consul']) {
    const sec = data[section];
    if (!isObj(sec)) continue;
    const def = DEFAULT_PORTS[section]!;
    if (section !== 'consul') list(section, 'hosts', sec.hosts, def);
    if (typeof sec.host === 'string' && section !== 'zookeeper')
      push(section, [section, 'host'], sec.host, def);
  }
  const raft = data.raft;
  if (isObj(raft)) list('raft', 'partner_addrs', raft.partner_addrs, 1);
  return out;
}
