/** Plain-text tables in patronictl's boxed style. */

/** Renders a boxed table with one header row. */
export function renderTable(header: string[], rows: string[][], title?: string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const sep = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out: string[] = [];
  if (title) {
    const inner = sep.length - 2;
    out.push(`+${'-'.repeat(inner)}+`, `| ${title.padEnd(inner - 2)} |`);
  }
  out.push(sep, line(header), sep, ...rows.map(line), sep);
  return out.join('\n');
}
