/** `patroni-kit lint` end to end through main(): exit codes, formats, --fix, cluster grouping. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli } from './run-cli.js';

const corpus = fileURLToPath(new URL('../../../../test/corpus/config/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'patroni-kit-lint-'));
after(() => rmSync(work, { recursive: true, force: true }));

const lint = (...args: string[]) => cli('lint', ...args);

describe('patroni-kit lint', () => {
  it('groups files into clusters by scope, namespace and DCS endpoints', async () => {
    const dir = join(corpus, 'cluster-separate');
    // two deployments named shop on disjoint etcd clusters, both with a member pg1: no cluster errors
    const apart = await lint('--format', 'json', join(dir, 'shop-a.yml'), join(dir, 'shop-b.yml'));
    assert.equal(apart.code, 0, apart.stdout);
    const rules = (JSON.parse(apart.stdout) as Array<{ findings: Array<{ rule: string; severity: string }> }>)
      .flatMap((r) => r.findings)
      .map((f) => `${f.rule} ${f.severity}`);
    assert.deepEqual(rules, ['cluster-separate info'], 'one info, once');
    // a member sharing two of three endpoints is the same cluster with a typo: cluster-mismatch
    const typo = await lint('--format', 'json', join(dir, 'shop-a.yml'), join(dir, 'shop-a-typo.yml'));
    assert.equal(typo.code, 1);
    const found = (JSON.parse(typo.stdout) as Array<{ findings: Array<{ rule: string; severity: string }> }>)
      .flatMap((r) => r.findings)
      .map((f) => `${f.rule} ${f.severity}`);
    assert.ok(found.includes('cluster-mismatch error'), found.join(', '));
    assert.ok(!found.includes('cluster-separate info'));
    // --cluster still treats every file as one cluster
    const forced = await lint('--cluster', join(dir, 'shop-a.yml'), join(dir, 'shop-b.yml'));
    assert.match(forced.stdout, /cluster-duplicate/);
  });

  it('exits 0 on clean files', async () => {
    const r = await lint(join(corpus, 'clean/etcd3-three-node.yml'), join(corpus, 'clean/tls.yml'));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /2 files checked: 0 errors, 0 warnings/);
  });

  it('exits 1 when a file has errors, and prints file:line:col', async () => {
    const r = await lint(join(corpus, 'hostile/binary.yml'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /binary\.yml:1:1: error \[input-binary\]/);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await lint()).code, 2);
    assert.equal((await lint('--format', 'xml', 'a.yml')).code, 2);
    assert.equal((await lint('--patroni-version', '2.1', 'a.yml')).code, 2);
    assert.equal((await lint('--nope', 'a.yml')).code, 2);
  });

  it('reports a missing file as a finding (exit 1), not a crash', async () => {
    const r = await lint('--format', 'json', join(work, 'nope.yml'));
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as Array<{ findings: Array<{ rule: string }> }>;
    assert.equal(parsed[0]!.findings[0]!.rule, 'input-unreadable');
  });

  it('does not read devices (no hang on /dev/zero)', async () => {
    const r = await lint('--format', 'json', '/dev/zero');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /input-unreadable/);
  });

  it('prints the JSON shape of the issue', async () => {
    const r = await lint('--format', 'json', join(corpus, 'examples/broken.yml'));
    assert.equal(r.code, 1, 'a file with errors exits 1');
    const parsed = JSON.parse(r.stdout) as Array<{ file: string; findings: Array<Record<string, unknown>> }>;
    assert.equal(parsed.length, 1);
    assert.ok(parsed[0]!.file.endsWith('broken.yml'));
    assert.ok(parsed[0]!.findings.length >= 3, 'the broken example has several findings');
    assert.ok(parsed[0]!.findings.some((f) => f.severity === 'error'));
    for (const f of parsed[0]!.findings) {
      assert.deepEqual(Object.keys(f), [
        'rule',
        'severity',
        'path',
        'message',
        'line',
        'column',
        'endLine',
        'endColumn',
      ]);
      assert.ok(['error', 'warning', 'info'].includes(String(f.severity)));
    }
  });

  it('prints SARIF', async () => {
    const r = await lint('--format', 'sarif', join(corpus, 'examples/broken.yml'));
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { region: { startLine: number } } }>;
        }>;
      }>;
    };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0]!;
    assert.ok(run.results.length > 0, 'the findings are results');
    const ruleIds = new Set(run.tool.driver.rules.map((x) => x.id));
    for (const res of run.results) {
      assert.ok(ruleIds.has(res.ruleId), `${res.ruleId} is described in tool.driver.rules`);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.locations[0]!.physicalLocation.region.startLine >= 1);
    }
  });

  it('--fix repairs the file in place and reports only what is left', async () => {
    const file = join(work, 'fixme.yml');
    const text = readFileSync(join(corpus, 'clean/etcd3-three-node.yml'), 'utf8')
      .replace('  nofailover: false', '  nofailover: "false"')
      .replace('    - 10.20.0.21:2379', '    - http://10.20.0.21:2379');
    writeFileSync(file, text);
    const before = await lint(file);
    assert.equal(before.code, 1);
    const r = await lint('--fix', file);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stderr, /applied 2 fixes/);
    const fixed = readFileSync(file, 'utf8');
    assert.match(fixed, / {2}nofailover: false\n/);
    assert.match(fixed, / {4}- 10\.20\.0\.21:2379\n/);
  });

  it('--fix settles: a second run applies nothing and leaves the file as the first run wrote it', async () => {
    const file = join(work, 'settle.yml');
    const text = readFileSync(join(corpus, 'clean/etcd3-three-node.yml'), 'utf8')
      .replace('  nofailover: false', '  nofailover: "false"')
      .replace('    - 10.20.0.21:2379', '    - http://10.20.0.21:2379')
      .replace('    - 10.20.0.22:2379', '    - https://10.20.0.22:2379');
    writeFileSync(file, text);
    const first = await lint('--fix', file);
    assert.match(first.stderr, /applied \d+ fix/);
    const once = readFileSync(file, 'utf8');
    assert.notEqual(once, text);
    const second = await lint('--fix', file);
    assert.doesNotMatch(second.stderr, /applied/, second.stderr);
    assert.equal(readFileSync(file, 'utf8'), once);
    assert.equal(second.code, first.code);
  });

  it('groups files by scope and runs the cluster checks', async () => {
    const files = ['node1.yml', 'node2.yml'].map((f) => join(corpus, 'cluster-bad', f));
    const r = await lint('--format', 'json', ...files);
    const parsed = JSON.parse(r.stdout) as Array<{ findings: Array<{ rule: string }> }>;
    assert.ok(parsed[1]!.findings.some((f) => f.rule === 'cluster-duplicate'));
    assert.equal(r.code, 1);
    const ok = await lint(
      ...['node1.yml', 'node2.yml', 'node3.yml'].map((f) => join(corpus, 'cluster-ok', f)),
    );
    assert.equal(ok.code, 0, ok.stdout);
  });

  it('accepts keys from an env file', async () => {
    const k8s = join(work, 'kubernetes.yml');
    copyFileSync(join(corpus, 'clean/kubernetes.yml'), k8s);
    assert.equal((await lint(k8s)).code, 1);
    const r = await lint('--env-file', join(corpus, 'clean/kubernetes.env'), k8s);
    assert.equal(r.code, 0, r.stdout);
  });

  it('--ignore silences rules and rejects unknown rule ids', async () => {
    const file = join(corpus, 'cluster-bad/node2.yml');
    const node1 = join(corpus, 'cluster-bad/node1.yml');
    assert.equal((await lint(node1, file)).code, 1);
    assert.equal(
      (await lint('--ignore', 'cluster-duplicate', '--ignore', 'sync-unsatisfiable', node1, file)).code,
      0,
    );
    assert.equal((await lint('--ignore', 'no-such-rule', file)).code, 2);
  });

  it('lints a dynamic configuration with --dcs', async () => {
    const r = await lint('--dcs', join(corpus, 'clean/dcs-dynamic.yml'));
    assert.equal(r.code, 0, r.stdout);
  });
});
