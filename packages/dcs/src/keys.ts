/** Key names of Patroni's DCS layout in etcd v3 and helpers to build prefixes. */

/** The keys Patroni writes directly under `/<namespace>/<scope>/`. */
export const PATRONI_KEYS = [
  'initialize',
  'config',
  'leader',
  'history',
  'failover',
  'sync',
  'status',
  'optime/leader',
  'failsafe',
] as const;

/** One of {@link PATRONI_KEYS}. */
export type PatroniKeyName = (typeof PATRONI_KEYS)[number];

/** What a key below a cluster's base path is. */
export type KeyKind =
  | { kind: 'fixed'; name: PatroniKeyName }
  | { kind: 'member'; name: string }
  | { kind: 'unknown'; name: string };

/** Patroni collapses repeated, leading and trailing slashes: `/service/`, `service` and `//service` are equal. */
export function normalizeNamespace(namespace: string | undefined): string {
  const parts = (namespace ?? 'service').split('/').filter((p) => p.length > 0);
  return parts.length === 0 ? 'service' : parts.join('/');
}

/** `/<namespace>/<scope>/` (with the Citus group segment when `group` is given), always ending in `/`. */
export function clusterPrefix(namespace: string, scope: string, group?: number): string {
  const base = `/${normalizeNamespace(namespace)}/${scope}/`;
  return group === undefined ? base : `${base}${group}/`;
}

/** `/<namespace>/`. */
export function namespacePrefix(namespace: string): string {
  return `/${normalizeNamespace(namespace)}/`;
}

/** The etcd `range_end` that makes a range cover every key starting with `prefix`. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All bytes 0xff: range to the end of the keyspace.
  return Buffer.from([0]);
}

/** Classifies `relative` (a key with the cluster prefix removed). */
export function classifyKey(relative: string): KeyKind {
  if ((PATRONI_KEYS as readonly string[]).includes(relative)) {
    return { kind: 'fixed', name: relative as PatroniKeyName };
  }
  if (relative.startsWith('members/')) {
    const name = relative.slice('members/'.length);
    // Patroni reads direct children of members/ only.
    if (name.length > 0 && !name.includes('/')) return { kind: 'member', name };
  }
  return { kind: 'unknown', name: relative };
}
