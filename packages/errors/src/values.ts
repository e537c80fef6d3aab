/** Plain-object helpers shared by every package that reads JSON or YAML documents. */

/** True for a plain mapping (an object that is neither null nor an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges `over` into a copy of `base`: mappings merge key by key, anything else in `over` replaces what is in
 * `base` (arrays are replaced whole, as Patroni merges its configuration). Neither input is changed.
 */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}
