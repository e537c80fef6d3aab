/** Applying mechanical fixes to configuration text. */
import type { Finding, TextEdit } from './types.js';

/**
 * Applies the fixes of `findings` to `text`. Overlapping edits are skipped (the next lint run reports
 * what is left), so the result is always well-formed text. Returns the new text and how many fixes applied.
 */
export function applyFixes(text: string, findings: readonly Finding[]): { text: string; applied: number } {
  const fixes = findings.filter((f) => f.fix && f.fix.edits.length > 0).map((f) => f.fix!);
  const taken: Array<[number, number]> = [];
  const chosen: TextEdit[] = [];
  let applied = 0;
  for (const fix of fixes) {
    const ranges = fix.edits.map((e) => [e.offset, e.offset + e.length] as [number, number]);
    const overlaps = ranges.some(([a, b]) =>
      taken.some(
        ([c, d]) =>
          (a < d && c < b) ||
          (a === b && a > c && a < d) ||
          (c === d && c > a && c < b) ||
          (a === c && (a === b || c === d)),
      ),
    );
    if (overlaps) continue;
    taken.push(...ranges);
    chosen.push(...fix.edits);
    applied++;
  }
  // apply from the end so earlier offsets stay valid; inserts at the same offset keep their order
  const sorted = chosen.map((e, i) => ({ e, i })).sort((x, y) => y.e.offset - x.e.offset || y.i - x.i);
  let out = text;
  for (const { e } of sorted) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return { text: out, applied };
}
