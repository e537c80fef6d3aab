/** Output formats of `patroni-kit lint`: text for people, JSON for scripts, SARIF 2.1.0 for code scanning. */
import { RULES, ruleInfo } from './catalog.js';
import type { FileResult } from './types.js';

/** `file:line:col: severity [rule] message` lines plus a summary line. */
export function formatText(results: readonly FileResult[], opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const r of results) {
    for (const f of r.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
      const sev =
        f.severity === 'error'
          ? paint('31', 'error')
          : f.severity === 'warning'
            ? paint('33', 'warning')
            : paint('36', 'info');
      const path = f.path ? ` ${paint('2', `(${f.path})`)}` : '';
      const fixable = f.fix ? paint('2', ' [fixable]') : '';
      lines.push(`${r.file}:${f.line}:${f.column}: ${sev} [${f.rule}] ${f.message}${path}${fixable}`);
    }
  }
  const files = results.length;
  lines.push(
    `${files} file${files === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} info.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The JSON shape of issue 5: one `{file, findings}` object per file (fixes left out). */
export function formatJson(results: readonly FileResult[]): string {
  const plain = results.map((r) => ({
    file: r.file,
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      path: f.path,
      message: f.message,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
    })),
  }));
  return `${JSON.stringify(plain, null, 2)}\n`;
}

/** SARIF 2.1.0 log with one run; rules carry their documentation. */
export function formatSarif(results: readonly FileResult[], toolVersion = '0.1.0'): string {
  const used = new Set(results.flatMap((r) => r.findings.map((f) => f.rule)));
  const rules = RULES.filter((r) => used.has(r.id));
  for (const id of used)
    if (!ruleInfo(id)) rules.push({ id, severity: 'error', title: id, why: '', fix: '', example: '' });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'patroni-kit lint',
            version: toolVersion,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.why} ${r.fix}`.trim() },
              help: { text: r.fix, markdown: `${r.why}\n\n**Fix:** ${r.fix}` },
              defaultConfiguration: { level: r.severity === 'info' ? 'note' : r.severity },
            })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.rule,
            ruleIndex: index.get(f.rule) ?? 0,
            level: f.severity === 'info' ? 'note' : f.severity,
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: r.file.replace(/\\/g, '/') },
                  region: {
                    startLine: f.line,
                    startColumn: f.column,
                    endLine: f.endLine,
                    endColumn: Math.max(f.endColumn, 1),
                  },
                },
                ...(f.path ? { logicalLocations: [{ fullyQualifiedName: f.path, kind: 'member' }] } : {}),
              },
            ],
          })),
        ),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
