/** Plain-value helpers shared by the rules: mappings, versions, Patroni's integer and PostgreSQL's boolean parsing. */
import { isObject } from '@patroni-kit/errors';

/** A YAML mapping as plain data. */
export type Obj = Record<string, unknown>;

/** True for a plain mapping (not null, not a list): the shared `isObject`. */
export const isObj: (v: unknown) => v is Obj = isObject;

/** Compares dotted numeric versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Parses an integer the way Patroni's parse_int does for plain numbers; undefined otherwise. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

/** PostgreSQL boolean parsing (on/off/true/false/yes/no/1/0, any prefix case). */
export function pgBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return true;
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(s)) return false;
  return undefined;
}
