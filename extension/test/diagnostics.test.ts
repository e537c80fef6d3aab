/** The linter's findings on the real corpus (test/corpus/config) as editor diagnostics. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintText } from '@patroni-kit/config';
import { type DiagnosticLike, toDiagnostics } from '../src/model/diagnostics.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '../../../test/corpus/config');
const read = (f: string) => readFileSync(join(corpus, f), 'utf8');

/** The text a diagnostic's range covers (single-line ranges), counted like VS Code (UTF-16, 0-based). */
function covered(text: string, d: DiagnosticLike): string {
  const lines = text.split('\n');
  assert.equal(d.range.start.line, d.range.end.line, 'single-line range');
  return (lines[d.range.start.line] ?? '').slice(d.range.start.character, d.range.end.character);
}

interface Mutation {
  id: string;
  base?: string;
  text?: string;
  replace?: Array<[string, string]>;
  version?: '3.0' | '4.0' | '4.1';
  dcs?: boolean;
}

describe('diagnostics from the linter', () => {
  it('the timing mistake of the corpus points at retry_timeout, as a warning with the rule as code', () => {
    const text = read('clean/etcd3-three-node.yml').replace(
      '    retry_timeout: 10\n',
      '    retry_timeout: 15\n',
    );
    const diags = toDiagnostics(lintText(text).findings);
    const timing = diags.filter((d) => d.code === 'timing');
    assert.equal(timing.length, 1);
    const [d] = timing;
    assert.ok(d);
    assert.equal(d.severity, 1); // vscode.DiagnosticSeverity.Warning
    assert.equal(d.source, 'patroni-kit');
    assert.equal(covered(text, d), '15'); // the value to change
    assert.equal(text.split('\n')[d.range.start.line], '    retry_timeout: 15');
    assert.match(d.message, /loop_wait|ttl/);
  });

  it('clean files: the known findings keep their place; fixable ones say so', () => {
    const ansible = read('clean/ansible-rendered.yml');
    const [dep] = toDiagnostics(lintText(ansible).findings);
    assert.ok(dep);
    assert.deepEqual([dep.code, dep.severity, dep.fixable], ['deprecated-key', 2, true]);
    assert.equal(dep.range.start.line, 35);
    assert.equal(dep.range.start.character, 4);
    assert.ok(covered(ansible, dep).length > 0);
    for (const f of ['clean/etcd3-three-node.yml', 'clean/tls.yml', 'clean/citus-worker.yml'])
      assert.deepEqual(toDiagnostics(lintText(read(f)).findings), [], f);
  });

  it('a zero-width finding (empty password) gets a one-character range so the squiggle shows', () => {
    const text = read('clean/debian-pg-createconfig.yml');
    const empty = toDiagnostics(lintText(text).findings).find((d) => d.code === 'empty-password');
    assert.ok(empty);
    assert.deepEqual(empty.range, { start: { line: 62, character: 15 }, end: { line: 62, character: 16 } });
  });

  it('every mutation of the corpus (one per rule) gives in-document, non-empty ranges with known severities', () => {
    const { mutations } = JSON.parse(read('mutations.json')) as { mutations: Mutation[] };
    assert.ok(mutations.length >= 200);
    let checked = 0;
    for (const m of mutations) {
      let text = m.text ?? read(m.base ?? '');
      for (const [from, to] of m.replace ?? []) text = text.replace(from, to);
      const findings = lintText(text, {
        ...(m.version ? { patroniVersion: m.version } : {}),
        dynamic: m.dcs === true,
      }).findings;
      const lines = text.split('\n');
      for (const d of toDiagnostics(findings)) {
        const { start, end } = d.range;
        assert.ok([0, 1, 2].includes(d.severity), `${m.id}: severity`);
        assert.ok(start.line >= 0 && start.character >= 0, `${m.id}: start`);
        assert.ok(
          end.line > start.line || end.character > start.character,
          `${m.id}: non-empty ${JSON.stringify(d.range)}`,
        );
        // Lines may be one past the text for a finding at the end of a file without a final newline.
        assert.ok(start.line <= lines.length, `${m.id}: line ${start.line} of ${lines.length}`);
        assert.ok(d.code.length > 0 && d.message.length > 0, m.id);
        checked++;
      }
    }
    assert.ok(checked >= mutations.length, `${checked} diagnostics`);
  });
});
