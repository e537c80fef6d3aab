/**
 * The linter's findings as diagnostic-shaped objects: 0-based ranges, VS Code's severity numbers, the rule
 * id as code. The adapter only wraps them in `vscode.Diagnostic`.
 */
import type { Finding } from '@patroni-kit/config';

/** VS Code's `DiagnosticSeverity` values (Error 0, Warning 1, Information 2, Hint 3). */
export const SEVERITY = { error: 0, warning: 1, info: 2 } as const;

/** A 0-based position, as VS Code counts (UTF-16 columns). */
export interface Position0 {
  line: number;
  character: number;
}

/** What becomes one `vscode.Diagnostic`. */
export interface DiagnosticLike {
  range: { start: Position0; end: Position0 };
  severity: (typeof SEVERITY)[keyof typeof SEVERITY];
  code: string;
  message: string;
  source: 'patroni-kit';
  /** Whether the finding carries a mechanical fix (a quick fix). */
  fixable: boolean;
}

/** Maps one finding (1-based lines and columns, exclusive end) to a diagnostic (0-based, exclusive end). */
export function toDiagnostic(f: Finding): DiagnosticLike {
  const start = { line: Math.max(0, f.line - 1), character: Math.max(0, f.column - 1) };
  let end = { line: Math.max(0, f.endLine - 1), character: Math.max(0, f.endColumn - 1) };
  // A zero-width range is invisible in the editor: widen it to one character.
  if (end.line < start.line || (end.line === start.line && end.character <= start.character))
    end = { line: start.line, character: start.character + 1 };
  return {
    range: { start, end },
    severity: SEVERITY[f.severity],
    code: f.rule,
    message: f.message,
    source: 'patroni-kit',
    fixable: f.fix !== undefined,
  };
}

/** Every finding of a file as diagnostics, in the linter's order. */
export function toDiagnostics(findings: readonly Finding[]): DiagnosticLike[] {
  return findings.map(toDiagnostic);
}
