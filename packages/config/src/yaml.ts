/**
 * The one YAML reader for configurations, for programs that need the value rather than findings: the
 * resolver (`-c patronictl.yml`), the CLI and `edit-config` values. It is {@link parseConfig}, so it reads as
 * Patroni (PyYAML, YAML 1.1) reads: `yes`/`on` are true, `0755` is 493, and hostile input is refused with a
 * clear error instead of a hang.
 *
 * Import it as `@patroni-kit/config/yaml`: that loads the YAML parser only, not the schemas or the linter.
 */
import { PatroniKitError } from '@patroni-kit/errors';
import { parseConfig } from './parse.js';

/**
 * Reads YAML text (or bytes) with Patroni's semantics and returns its value (`null` for an empty document).
 * `where` names the input in the error (a file name, "the edited configuration"). Duplicate keys are
 * accepted, the last one winning as in PyYAML (`patroni-kit lint` reports them); anything Patroni could not
 * load is a `CONFIG` error with the line and column.
 */
export function readYaml(input: string | Uint8Array, where: string): unknown {
  const parsed = parseConfig(input);
  const problem = parsed.findings.find((f) => f.severity === 'error' && f.rule !== 'yaml-duplicate-key');
  if (problem) {
    throw new PatroniKitError('CONFIG', `${where}:${problem.line}:${problem.column}: ${problem.message}`, {
      hint: `run \`patroni-kit lint ${where.includes(' ') ? 'FILE' : where}\` for every problem of the file`,
    });
  }
  return parsed.data ?? null;
}
