/** Hostile and broken input: always a clear finding, never an exception or a hang. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintText } from '../src/index.js';

const hostile = fileURLToPath(new URL('../../../../test/corpus/config/hostile/', import.meta.url));
const rulesOf = (input: string | Uint8Array) => lintText(input).findings.map((f) => f.rule);

describe('hostile input', () => {
  for (const [file, rule] of [
    ['alias-bomb.yml', 'yaml-alias-limit'],
    ['binary.yml', 'input-binary'],
    ['invalid-utf8.yml', 'input-binary'],
    ['deep-nesting.yml', 'yaml-too-deep'],
    ['deep-block.yml', 'yaml-too-deep'],
    ['empty.yml', 'not-a-mapping'],
    ['scalar.yml', 'not-a-mapping'],
    ['tabs.yml', 'yaml-syntax'],
  ] as const) {
    it(`${file} gives exactly one kind of finding: ${rule}`, () => {
      const findings = lintText(readFileSync(join(hostile, file))).findings;
      assert.ok(findings.length >= 1);
      assert.deepEqual([...new Set(findings.map((f) => f.rule))], [rule]);
      for (const f of findings) {
        assert.equal(f.severity, 'error');
        assert.ok(f.line >= 1 && f.column >= 1, `position ${f.line}:${f.column}`);
      }
    });
  }

  it('rejects input above maxBytes before parsing it', () => {
    const big = new Uint8Array(2 * 1024 * 1024).fill(0x61);
    assert.deepEqual(rulesOf(big), ['input-too-large']);
    assert.deepEqual(
      lintText('a: 1\n'.repeat(100), { maxBytes: 100 }).findings.map((f) => f.rule),
      ['input-too-large'],
    );
  });

  it('scans pathological long strings and keys without backtracking blow-ups', () => {
    for (const text of [
      `scope: "${'<a'.repeat(60_000)}"\n`,
      `scope: "${'{{'.repeat(60_000)}"\n`,
      `${'{{'.repeat(60_000)}: 1\n`,
      `postgresql:\n  pg_hba:\n    - "${'host '.repeat(40_000)}"\n`,
    ]) {
      const r = lintText(text);
      assert.ok(r.findings.length > 0);
    }
  });

  it('treats NUL characters in a string as binary', () => {
    assert.deepEqual(rulesOf('scope: a\u0000b\n'), ['input-binary']);
  });

  it('survives a long flat document of many keys', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `key${i}: ${i}`).join('\n');
    const r = lintText(text);
    assert.ok(r.findings.some((f) => f.rule === 'unknown-key'));
  });

  it('reports aliases used within limits normally (YAML anchors are legal)', () => {
    const text =
      'x-common: &auth\n  username: u\n  password: "Zq8!vL2mKx"\nrestapi:\n  listen: 0.0.0.0:8008\n  connect_address: 10.0.0.1:8008\n  authentication: *auth\n';
    const r = lintText(text);
    assert.ok(!r.findings.some((f) => f.rule === 'yaml-alias-limit'));
    assert.ok(r.findings.some((f) => f.rule === 'unknown-key' && f.path === 'x-common'));
  });
});
