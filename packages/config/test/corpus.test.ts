/**
 * The corpus under test/corpus/config: clean files stay quiet, every mutation produces exactly its
 * expected findings, and every rule in the catalogue is exercised somewhere.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LintOptions, lintText, parseEnvFile, RULES } from '../src/index.js';

const corpus = fileURLToPath(new URL('../../../../test/corpus/config/', import.meta.url));

interface Mutation {
  id: string;
  rule: string;
  base: string | null;
  text?: string;
  replace: Array<[string, string]> | null;
  version?: '3.0' | '4.0' | '4.1';
  dcs?: boolean;
  env?: Record<string, string>;
  expect: Array<{ rule: string; severity: string; path: string }>;
}

/** Options each clean file needs (environment, DCS document, Patroni version). */
export function cleanOptions(file: string): LintOptions {
  if (file === 'kubernetes.yml')
    return { env: parseEnvFile(readFileSync(join(corpus, 'clean/kubernetes.env'), 'utf8')) };
  if (file === 'dcs-dynamic.yml') return { dynamic: true };
  if (file === 'patroni-3.0.yml') return { patroniVersion: '3.0' };
  return {};
}

const key = (f: { rule: string; severity: string; path: string }) => `${f.rule} ${f.severity} ${f.path}`;

function mutate(m: Mutation): { base: string; mutated: string } {
  if (m.text !== undefined) return { base: '', mutated: m.text };
  const base = readFileSync(join(corpus, m.base!), 'utf8');
  let mutated = base;
  for (const [from, to] of m.replace ?? []) {
    const count = mutated.split(from).length - 1;
    assert.equal(count, 1, `${m.id}: '${from.trim()}' must occur exactly once in ${m.base}`);
    mutated = mutated.replace(from, to);
  }
  return { base, mutated };
}

const mutations = (
  JSON.parse(readFileSync(join(corpus, 'mutations.json'), 'utf8')) as { mutations: Mutation[] }
).mutations;

describe('clean corpus', () => {
  const files = readdirSync(join(corpus, 'clean')).filter((f) => f.endsWith('.yml'));
  it('has files of every shape', () => {
    assert.ok(files.length >= 14, `only ${files.length} clean files`);
  });
  for (const file of files) {
    it(`${file} has no errors or warnings`, () => {
      const r = lintText(readFileSync(join(corpus, 'clean', file)), cleanOptions(file));
      const noisy = r.findings.filter((f) => f.severity !== 'info');
      assert.deepEqual(
        noisy.map((f) => `${f.line}:${f.column} ${f.rule} ${f.message}`),
        [],
      );
      assert.ok(r.data, 'the file parses to a mapping');
    });
  }
});

describe('mutations', () => {
  for (const m of mutations) {
    it(`${m.id} fires ${m.rule} and nothing else`, () => {
      const { base, mutated } = mutate(m);
      const common: LintOptions = {};
      if (m.version) common.patroniVersion = m.version;
      if (m.dcs) common.dynamic = true;
      const before = base === '' ? [] : lintText(base, common).findings;
      const after = lintText(mutated, { ...common, ...(m.env ? { env: m.env } : {}) }).findings;
      const beforeKeys = new Set(before.map(key));
      const appeared = [...new Set(after.map(key).filter((k) => !beforeKeys.has(k)))].sort();
      assert.deepEqual(appeared, [...new Set(m.expect.map(key))].sort());
      // every new finding has a position inside the text and a message that says what to do
      for (const f of after.filter((x) => !beforeKeys.has(key(x)))) {
        assert.ok(f.line >= 1 && f.column >= 1 && f.endLine >= f.line, `${f.rule}: bad position`);
        assert.ok(f.message.length > 30, `${f.rule}: message too short: ${f.message}`);
      }
    });
  }

  it('cover every single-file rule of the catalogue', () => {
    const covered = new Set(mutations.flatMap((m) => m.expect.map((e) => e.rule)));
    const special = new Set([
      'input-binary',
      'input-too-large',
      'yaml-alias-limit',
      'yaml-too-deep',
      'input-unreadable',
    ]); // hostile.test.ts, cli
    const missing = RULES.filter((r) => !r.cluster && !special.has(r.id) && !covered.has(r.id)).map(
      (r) => r.id,
    );
    assert.deepEqual(missing, []);
  });
});
