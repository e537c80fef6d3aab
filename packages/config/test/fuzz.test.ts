/**
 * Property-based fuzzing (npm fast-check, seeded) of the linter: YAML generated from arbitrary values with
 * Patroni's keys, corpus files with mutated bytes, deep nesting, anchors and aliases, and other encodings.
 * Properties: lintText never throws; findings point inside the text; every output format renders (JSON and
 * SARIF parse); `--fix` settles (a second round finds nothing left to fix); lint time grows linearly.
 * PATRONI_KIT_FUZZ_SCALE multiplies the runs (scripts/bench-fuzz.mjs); PATRONI_KIT_FUZZ_SEED replays a seed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { applyFixes, formatJson, formatSarif, formatText, lintText } from '../src/index.js';

const scale = Number(process.env.PATRONI_KIT_FUZZ_SCALE ?? 1);
const seed = Number(process.env.PATRONI_KIT_FUZZ_SEED ?? 13);
const runs = (n: number) => ({
  seed,
  numRuns: Math.max(1, Math.round(n * scale)),
  endOnFailure: true,
  includeErrorInReport: true,
});

const corpusDir = fileURLToPath(new URL('../../../../test/corpus/config/clean/', import.meta.url));
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join(corpusDir, f), 'utf8'));

const patroniKey = fc.constantFrom(
  'scope',
  'name',
  'namespace',
  'restapi',
  'listen',
  'connect_address',
  'authentication',
  'username',
  'password',
  'etcd3',
  'hosts',
  'host',
  'protocol',
  'bootstrap',
  'dcs',
  'ttl',
  'loop_wait',
  'retry_timeout',
  'postgresql',
  'parameters',
  'data_dir',
  'pg_hba',
  'use_unix_socket',
  'unix_socket_directories',
  'tags',
  'nofailover',
  'watchdog',
  'mode',
  'synchronous_mode',
  'ctl',
  'certfile',
  'citus',
  'group',
  'log',
);
const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '127.0.0.1:2379',
    'http://u:p@h:2379',
    'on',
    'yes',
    '0o17',
    '1_000',
    '~',
    '*',
    '&a',
    '!!binary x',
  ),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(fc.oneof(patroniKey, fc.string({ maxLength: 12 })), tie('node'), { maxKeys: 6 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).node;

const special = [
  '\n',
  ' ',
  ':',
  '-',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '\t',
  '%',
  '@',
  '`',
  '?',
  '\u0000',
  '\u00a0',
  '\ufeff',
  '\\',
];
const mutation = fc.record({
  at: fc.nat(),
  del: fc.nat({ max: 8 }),
  ins: fc
    .array(fc.oneof(fc.constantFrom(...special), fc.string({ maxLength: 4 })), { maxLength: 4 })
    .map((a) => a.join('')),
});
function mutate(text: string, ms: Array<{ at: number; del: number; ins: string }>): string {
  let out = text;
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    out = out.slice(0, at) + m.ins + out.slice(at + m.del);
  }
  return out;
}

const shapes = fc.oneof(
  // depth: block and flow nesting
  fc.nat({ max: 400 }).map((n) => `scope: a\nx: ${'['.repeat(n)}${']'.repeat(n)}\n`),
  fc
    .nat({ max: 200 })
    .map((n) => `scope: a\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`),
  // aliases, also chained ones (a small "billion laughs")
  fc.nat({ max: 12 }).map((n) => {
    let text = 'a0: &a0 [x, x, x, x]\n';
    for (let i = 1; i <= n; i++) text += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
    return `${text}scope: *a${n}\n`;
  }),
  fc.constantFrom(
    'scope: *missing\n',
    'a: &x 1\nb: &x 2\nc: *x\n',
    '<<: *x\n',
    'restapi: &r {listen: 1}\nctl: *r\n',
  ),
);

type Input = string | Uint8Array;
const encodings = (text: string): fc.Arbitrary<Input> =>
  fc.constantFrom<Input>(
    text,
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
    Buffer.from(text, 'latin1'),
    Buffer.from(text, 'utf16le'),
  );

const inputs: fc.Arbitrary<Input> = fc.oneof(
  value.map((v) => stringify(v, { version: '1.1' })),
  fc
    .tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([t, ms]) => mutate(t, ms)),
  shapes,
  fc.constantFrom(...corpus).chain(encodings),
  fc.uint8Array({ maxLength: 300 }),
);

function lineCount(input: Input): number {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  return text.split('\n').length + 1;
}

describe('fuzz: the linter on generated and mutated YAML (issue 13)', () => {
  it('never throws; findings point inside the text; text, JSON and SARIF render; --fix settles', (t) => {
    let files = 0;
    let findings = 0;
    let fixed = 0;
    fc.assert(
      fc.property(inputs, (input) => {
        const r = lintText(input);
        files++;
        findings += r.findings.length;
        const lines = lineCount(input);
        for (const f of r.findings) {
          assert.ok(f.line >= 1 && f.line <= lines && f.column >= 1, `${f.rule} at ${f.line}:${f.column}`);
          assert.ok(f.endLine >= f.line, `${f.rule}: end before start`);
          assert.equal(typeof f.message, 'string');
          assert.doesNotMatch(f.message, /\[object Object\]|undefined'|NaN ms/, f.message);
        }
        const results = [{ file: 'f.yml', findings: r.findings }];
        assert.equal(typeof formatText(results), 'string');
        JSON.parse(formatJson(results));
        JSON.parse(formatSarif(results));
        if (typeof input === 'string' && r.findings.some((f) => f.fix)) {
          // patroni-kit lint --fix applies one round; a second round must have nothing left to do, and
          // a bounded number of rounds must reach a fixed point.
          let text = input;
          let rounds = 0;
          for (; rounds < 4; rounds++) {
            const out = applyFixes(text, lintText(text).findings);
            if (out.applied === 0) break;
            text = out.text;
          }
          fixed++;
          assert.ok(rounds < 4, `--fix did not settle after ${rounds} rounds`);
        }
      }),
      runs(600),
    );
    t.diagnostic(`files linted: ${files}, findings: ${findings}, fix chains: ${fixed}`);
  });

  it('lint time grows linearly: 4x the generated document takes at most 12x the CPU time (medians)', (t) => {
    const sample = fc.sample(value, { seed, numRuns: 40 });
    const unit = sample.map((v, i) => stringify({ [`section_${i}`]: v }, { version: '1.1' })).join('');
    const build = (bytes: number) => {
      let text = 'scope: a\nname: n1\n';
      for (let copy = 0; text.length < bytes; copy++) text += unit.replace(/^section_/gm, `s${copy}_`);
      return text.slice(0, text.lastIndexOf('\n', bytes) + 1);
    };
    const median = (text: string, n: number) => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = process.cpuUsage();
        lintText(text, { maxBytes: 1 << 20 });
        const used = process.cpuUsage(start);
        samples.push((used.user + used.system) / 1000);
      }
      return samples.sort((a, b) => a - b)[Math.floor(n / 2)]!;
    };
    const small = build(64 * 1024);
    const large = build(256 * 1024);
    median(small, 1);
    const a = median(small, 5);
    const b = median(large, 3);
    const ratio = b / Math.max(a, 5);
    t.diagnostic(`64 KiB: ${a.toFixed(0)} ms, 256 KiB: ${b.toFixed(0)} ms CPU, ratio ${ratio.toFixed(1)}`);
    assert.ok(ratio <= 12, `ratio ${ratio.toFixed(1)}`);
  });
});
