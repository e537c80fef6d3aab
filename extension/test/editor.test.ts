/** patroni.yml editing on the real corpus (test/corpus/config): hover, completion, quick fixes, cluster lint. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyFixes, lintText, parseConfig, schemaAt } from '@patroni-kit/config';
import { isMap, isScalar, type Node } from 'yaml';
import {
  codeActions,
  completionsAt,
  type EditLike,
  hoverAt,
  lintWorkspace,
  pathAt,
  resolvePatroniVersion,
} from '../src/model/editor.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = join(repo, 'test/corpus/config');
const read = (f: string) => readFileSync(join(corpus, f), 'utf8');
const base = read('clean/etcd3-three-node.yml');
const timingMistake = base.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');

/** The text with `edits` applied, counting positions like VS Code (0-based lines, UTF-16 columns). */
function applyEdits(text: string, edits: readonly EditLike[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (p: { line: number; character: number }) => (starts[p.line] ?? text.length) + p.character;
  return [...edits]
    .map((e) => ({ a: off(e.start), b: off(e.end), t: e.newText }))
    .sort((x, y) => y.a - x.a)
    .reduce((s, e) => s.slice(0, e.a) + e.t + s.slice(e.b), text);
}

/** Inserts a line after the first line equal to `after` and returns the text and the offset at its end. */
function withLine(text: string, after: string, line: string): { text: string; offset: number } {
  const at = text.indexOf(`${after}\n`);
  assert.ok(at >= 0, after);
  const start = at + after.length + 1;
  return { text: `${text.slice(0, start)}${line}\n${text.slice(start)}`, offset: start + line.length };
}

describe('hover from the schema', () => {
  it('a dynamic key: description, type, default, versions and where it lives', () => {
    const h = hoverAt(timingMistake, timingMistake.indexOf('retry_timeout') + 2);
    assert.ok(h);
    assert.equal(timingMistake.slice(h.range.start, h.range.end), 'retry_timeout');
    const desc = schemaAt(['bootstrap', 'dcs', 'retry_timeout'])?.description?.split('\n')[0];
    assert.ok(desc && h.markdown.includes(desc), h.markdown);
    assert.match(h.markdown, /^\*\*bootstrap\.dcs\.retry_timeout\*\*/);
    assert.match(h.markdown, /Type: `integer`/);
    assert.match(h.markdown, /Default: `10`/);
    assert.match(h.markdown, /all checked releases \(3\.0\.2, 4\.0\.7, 4\.1\.4\)/);
    assert.match(h.markdown, /Dynamic setting/);
  });

  it('an enum value lists the allowed values; a key newer than the checked release says so', () => {
    const h = hoverAt(base, base.indexOf('mode: automatic') + 'mode: '.length + 2);
    assert.ok(h);
    assert.match(h.markdown, /\*\*watchdog\.mode\*\*/);
    assert.match(h.markdown, /Allowed: `"off"`, `"automatic"`, `"required"`/);
    const text = base.replace('tags:\n', 'tags:\n  sync_priority: 1\n');
    const at = text.indexOf('sync_priority');
    assert.match(hoverAt(text, at, '4.1')?.markdown ?? '', /since 4\.1\.0; applies to 4\.1\.4/);
    assert.doesNotMatch(hoverAt(text, at, '4.1')?.markdown ?? '', /Not in Patroni/);
    assert.match(hoverAt(text, at, '4.0')?.markdown ?? '', /Not in Patroni 4\.0\.7/);
  });

  it('no hover in comments, on unknown keys or past the end', () => {
    assert.equal(hoverAt('# scope: x\nscope: a\n', 3), undefined);
    assert.equal(hoverAt('bogus_key: 1\n', 2), undefined);
    assert.equal(hoverAt('scope: a\n', 100), undefined);
    // a pg_hba line has no text of its own in the schema: no hover rather than a bare type
    const hba = 'postgresql:\n  pg_hba:\n    - host all all 0.0.0.0/0 md5\n';
    assert.equal(hoverAt(hba, hba.indexOf('host') + 2), undefined);
    assert.match(hoverAt(hba, hba.indexOf('pg_hba') + 2)?.markdown ?? '', /^\*\*postgresql\.pg_hba\*\*/);
  });

  it('every key of every clean corpus file maps back to its own path', () => {
    let keys = 0;
    for (const f of readdirSync(join(corpus, 'clean')).filter((x) => x.endsWith('.yml'))) {
      const text = read(`clean/${f}`);
      const parsed = parseConfig(text);
      const stack: Array<[unknown, Array<string | number>]> = [[parsed.doc?.contents, []]];
      while (stack.length > 0) {
        const [node, path] = stack.pop()!;
        if (!isMap(node)) continue;
        for (const pair of node.items) {
          const k = pair.key as Node;
          if (!isScalar(k) || !k.range) continue;
          const p = [...path, String(k.value)];
          const at = pathAt(parsed, k.range[0]);
          assert.deepEqual(at?.path, p, `${f}: ${p.join('.')}`);
          assert.equal(at?.on, 'key');
          if (schemaAt(p)?.description)
            assert.ok(hoverAt(text, k.range[0])?.markdown.startsWith(`**${p.join('.')}**`), p.join('.'));
          keys++;
          stack.push([pair.value, p]);
        }
      }
    }
    assert.ok(keys > 500, `${keys} keys`);
  });
});

describe('completion', () => {
  it('keys of bootstrap.dcs not written yet, for the checked release, even on a half-typed line', () => {
    const { text, offset } = withLine(base, '    loop_wait: 10', '    max');
    const c = completionsAt(text, offset, '4.1');
    assert.equal(text.slice(c.replace.start, c.replace.end), 'max');
    const labels = c.items.map((i) => i.label);
    assert.ok(labels.includes('max_timelines_history'), labels.join(' '));
    assert.ok(labels.includes('member_slots_ttl'));
    for (const written of ['ttl', 'loop_wait', 'retry_timeout', 'postgresql'])
      assert.ok(!labels.includes(written));
    assert.ok(!completionsAt(text, offset, '3.0').items.some((i) => i.label === 'member_slots_ttl'));
    const sync = c.items.find((i) => i.label === 'synchronous_mode');
    assert.equal(sync?.insertText, 'synchronous_mode: ');
    assert.equal(sync?.retrigger, true);
  });

  it('top level and nested objects: object keys open a block, the parent comes from indentation', () => {
    const top = completionsAt(`${base}wa`, base.length + 2);
    assert.ok(!top.items.some((i) => i.label === 'watchdog'), 'watchdog is already written');
    assert.ok(top.items.some((i) => i.label === 'log'));
    const empty = completionsAt('', 0).items.map((i) => i.label);
    for (const k of ['name', 'scope', 'restapi', 'postgresql', 'etcd3', 'bootstrap'])
      assert.ok(empty.includes(k), k);
    assert.equal(completionsAt('', 0).items.find((i) => i.label === 'restapi')?.insertText, 'restapi:\n  ');
    const { text, offset } = withLine(base, 'watchdog:', '  ');
    const w = completionsAt(text, offset).items.map((i) => i.label);
    assert.ok(w.includes('driver') && !w.includes('mode') && !w.includes('scope'), w.join(' '));
  });

  it('enum values after `key: ` (YAML 1.1 booleans quoted), booleans for boolean keys', () => {
    const t = base.replace('  mode: automatic', '  mode: ');
    const at = t.indexOf('  mode: ') + '  mode: '.length;
    assert.deepEqual(
      completionsAt(t, at).items.map((i) => i.insertText),
      ["'off'", 'automatic', 'required', 'false'],
    );
    const { text, offset } = withLine(base, '    loop_wait: 10', '    failsafe_mode: t');
    const c = completionsAt(text, offset);
    assert.deepEqual(
      c.items.map((i) => i.label),
      ['true', 'false'],
    );
    assert.equal(text.slice(c.replace.start, c.replace.end), 't');
    // inside a written key, the item replaces the whole word
    const mid = completionsAt(text, offset - 6);
    assert.equal(text.slice(mid.replace.start, mid.replace.end), 'failsafe_mode');
    assert.deepEqual(completionsAt('scope: a\n  # note\n', 17).items, [], 'not in a comment');
  });
});

describe('quick fixes from the linter', () => {
  it('the timing mistake: one preferred quick fix that sets retry_timeout to 10 and clears the finding', () => {
    const at = timingMistake.indexOf('retry_timeout: 15') + 'retry_timeout: '.length;
    const actions = codeActions(timingMistake, { start: at, end: at + 2 });
    assert.equal(actions.length, 1);
    const [a] = actions;
    assert.ok(a);
    assert.equal(a.title, 'Set retry_timeout to 10 (loop_wait + 2*retry_timeout = 10 + 2*10 = 30 <= ttl 30)');
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.isPreferred, true);
    assert.equal(a.finding?.rule, 'timing');
    const fixed = applyEdits(timingMistake, a.edits);
    assert.equal(fixed, base);
    assert.deepEqual(lintText(fixed).findings, []);
    assert.deepEqual(codeActions(timingMistake, { start: 0, end: 5 }), [], 'nothing on the first line');
  });

  it('every mechanical fix of the mutation corpus maps to edits that give the same text as applyFixes', () => {
    const { mutations } = JSON.parse(read('mutations.json')) as {
      mutations: Array<{ id: string; base?: string; text?: string; replace?: Array<[string, string]> }>;
    };
    let checked = 0;
    for (const m of mutations) {
      let text = m.text ?? read(m.base ?? '');
      for (const [from, to] of m.replace ?? []) text = text.replace(from, to);
      const result = lintText(text);
      for (const a of codeActions(text, { start: 0, end: text.length }, '4.1', result)) {
        if (a.kind !== 'quickfix' || !a.finding) continue;
        assert.equal(applyEdits(text, a.edits), applyFixes(text, [a.finding]).text, `${m.id}: ${a.title}`);
        checked++;
      }
    }
    assert.ok(checked >= 20, `${checked} fixes`);
  });

  it('a file with several fixable findings also gets fix-all, equal to applyFixes', () => {
    const text = timingMistake
      .replace('  nofailover: false', '  nofailover: "false"')
      .replace('    - 10.20.0.21:2379', '    - http://10.20.0.21:2379');
    const all = codeActions(text, { start: 0, end: text.length }).find((a) => a.kind === 'source.fixAll');
    assert.ok(all);
    const fixed = applyEdits(text, all.edits);
    assert.equal(fixed, applyFixes(text, lintText(text).findings).text);
    assert.deepEqual(lintText(fixed).findings, []);
  });
});

describe('cluster lint across the workspace files', () => {
  const files = (dir: string) =>
    readdirSync(join(corpus, dir))
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .map((f) => ({ id: `file:///${dir}/${f}`, name: join(corpus, dir, f), text: read(`${dir}/${f}`) }));

  for (const dir of ['cluster-bad', 'cluster-ok', 'cluster-separate'])
    it(`${dir}: the same findings on each file as \`patroni-kit lint\` of the files together`, () => {
      const ws = files(dir);
      const out = lintWorkspace(ws);
      const cli = spawnSync(
        process.execPath,
        [join(repo, 'packages/cli/dist/src/main.js'), 'lint', '--format', 'json', ...ws.map((f) => f.name)],
        { encoding: 'utf8', timeout: 60_000 },
      );
      const expected = JSON.parse(cli.stdout) as Array<{ file: string; findings: unknown[] }>;
      assert.equal(expected.length, ws.length, cli.stderr);
      for (const [i, f] of ws.entries()) {
        const pick = (x: unknown) => {
          const { rule, line, column, message } = x as Record<string, unknown>;
          return { rule, line, column, message };
        };
        assert.deepEqual((out.get(f.id) ?? []).map(pick), expected[i]!.findings.map(pick), f.id);
      }
      if (dir === 'cluster-bad')
        assert.ok((out.get(ws[1]!.id) ?? []).some((f) => f.rule === 'cluster-duplicate'));
      if (dir === 'cluster-separate')
        assert.ok([...out.values()].flat().some((f) => f.rule === 'cluster-separate'));
    });

  it('cluster-ok has no cluster findings; one file alone has none', () => {
    const ok = lintWorkspace(files('cluster-ok'));
    for (const [id, f] of ok)
      assert.deepEqual(f, lintText(files('cluster-ok').find((x) => x.id === id)!.text).findings);
    const [one] = files('cluster-bad');
    assert.deepEqual(lintWorkspace([one!]).get(one!.id), lintText(one!.text).findings);
  });
});

describe('the Patroni version to lint for', () => {
  it('the setting wins; auto follows the connected cluster; unknown means 4.1', () => {
    assert.equal(resolvePatroniVersion('3.0', '4.0.7'), '3.0');
    assert.equal(resolvePatroniVersion('auto', '4.0.7'), '4.0');
    assert.equal(resolvePatroniVersion('auto', '3.0.2'), '3.0');
    assert.equal(resolvePatroniVersion('auto', '3.3.1'), '3.0');
    assert.equal(resolvePatroniVersion('auto', '5.0.0'), '4.1');
    assert.equal(resolvePatroniVersion('auto', undefined), '4.1');
    assert.equal(resolvePatroniVersion('auto', 'garbage'), '4.1');
    assert.equal(resolvePatroniVersion(undefined, undefined), '4.1');
  });
});
