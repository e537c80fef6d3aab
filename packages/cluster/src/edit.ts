/** Dynamic-configuration edits like `patronictl edit-config`: `-s path=value`, `-p guc=value`, patches, diffs. */
import { isObject, PatroniKitError } from '@patroni-kit/errors';

type Obj = Record<string, unknown>;

/** Merges `patch` into `base` (`null` deletes, objects merge, the rest replaces), like Patroni's `patch_config`. */
export function applyPatch(base: Obj, patch: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = applyPatch(out[k] as Obj, v);
    else out[k] = v;
  }
  return out;
}

/**
 * Turns `path=value` settings into a patch. Paths are dotted; below `postgresql.parameters` the rest of the
 * path is one GUC name (dots allowed), as in patronictl. `parseValue` turns the text into a value (YAML).
 */
export function settingsToPatch(
  settings: string[],
  parseValue: (text: string) => unknown,
  pg: string[] = [],
): Obj {
  const patch: Obj = {};
  const all = [...settings, ...pg.map((p) => `postgresql.parameters.${p}`)];
  for (const setting of all) {
    const eq = setting.indexOf('=');
    if (eq <= 0)
      throw new PatroniKitError('USAGE', `'${setting}' is not PATH=VALUE`, {
        hint: 'e.g. -s loop_wait=5, -s postgresql.parameters.work_mem=8MB or -p work_mem=8MB',
      });
    const path = setting.slice(0, eq).trim();
    const text = setting.slice(eq + 1);
    let parts = path.split('.');
    if (parts[0] === 'postgresql' && parts[1] === 'parameters' && parts.length > 3)
      parts = ['postgresql', 'parameters', parts.slice(2).join('.')];
    if (parts.some((p) => p === ''))
      throw new PatroniKitError('USAGE', `'${path}' is not a valid path`, {
        hint: 'use dotted keys, e.g. postgresql.use_slots',
      });
    let node = patch;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Obj;
    }
    node[parts[parts.length - 1]!] = parseValue(text);
  }
  return patch;
}

/** The merge patch that turns `from` into `to` (`null` for removed keys), for `PATCH /config`. */
export function diffToPatch(from: Obj, to: Obj): Obj {
  const patch: Obj = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    const old = from[k];
    if (isObject(v) && isObject(old)) {
      const sub = diffToPatch(old, v);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (JSON.stringify(old) !== JSON.stringify(v)) patch[k] = v;
  }
  return patch;
}

/** A unified diff of two texts (line based, whole-file hunks with 3 lines of context). */
export function unifiedDiff(before: string, after: string, fromName = 'before', toName = 'after'): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (before === after) return '';
  // LCS table; configs are small, so O(n*m) is fine.
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<{ t: ' ' | '-' | '+'; line: string; ai: number; bi: number }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ t: ' ', line: a[i++]!, ai: i, bi: ++j });
    else if (j < m && (i >= n || lcs[i]![j + 1]! > lcs[i + 1]![j]!))
      ops.push({ t: '+', line: b[j++]!, ai: i, bi: j });
    else ops.push({ t: '-', line: a[i++]!, ai: i, bi: j });
  }
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  const ctx = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === ' ') {
      k++;
      continue;
    }
    let start = Math.max(0, k - ctx);
    let end = k;
    while (end < ops.length) {
      if (ops[end]!.t !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.t === ' ') run++;
      if (end + run >= ops.length || run > 2 * ctx) {
        end = Math.min(ops.length, end + ctx);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.filter((o) => o.t !== '+').length
      ? ops.slice(0, start).filter((o) => o.t !== '+').length + 1
      : 0;
    const bStart = hunk.filter((o) => o.t !== '-').length
      ? ops.slice(0, start).filter((o) => o.t !== '-').length + 1
      : 0;
    out.push(
      `@@ -${aStart},${hunk.filter((o) => o.t !== '+').length} +${bStart},${hunk.filter((o) => o.t !== '-').length} @@`,
    );
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    k = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}
