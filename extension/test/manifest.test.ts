/** The extension manifest: activation, contributions and their handlers agree. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ext = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
// Commands are registered across the adapters (extension.ts, commands.ts, …).
const adapter = readdirSync(join(ext, 'src/adapters'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(ext, 'src/adapters', f), 'utf8'))
  .join('\n');

describe('extension manifest', () => {
  it('never activates on *; engines and types stay within code-server 4.100.3', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.ok(pkg.activationEvents.every((e: string) => e.startsWith('workspaceContains:')));
    assert.equal(pkg.engines.vscode, '^1.100.0');
    assert.equal(pkg.devDependencies['@types/vscode'], '~1.100.0');
    assert.match(pkg.devDependencies['@vscode/vsce'], /^~3\.9\./);
    assert.equal(pkg.extensionDependencies, undefined);
  });

  it('every contributed command has a handler, and every menu entry a contributed command', () => {
    const ids = pkg.contributes.commands.map((c: { command: string }) => c.command) as string[];
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(adapter.includes(`'${id}'`), `${id} is registered`);
    const menus = Object.values(pkg.contributes.menus).flat() as Array<{ command: string }>;
    for (const m of menus) assert.ok(ids.includes(m.command), m.command);
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Patroni');
  });

  it('the view container, Clusters view, welcome links and yamlValidation', () => {
    assert.deepEqual(pkg.contributes.viewsContainers.activitybar[0].id, 'patroni');
    assert.deepEqual(pkg.contributes.views.patroni[0].id, 'patroni.clusters');
    const welcome = pkg.contributes.viewsWelcome[0].contents as string;
    assert.match(welcome, /\[Add Cluster…\]\(command:patroni\.addCluster\)/);
    assert.match(welcome, /\[Start Local Lab\]\(command:patroni\.startLab\)/);
    const [yv] = pkg.contributes.yamlValidation;
    assert.ok(yv.fileMatch.includes('patroni.yml'));
    assert.equal(yv.url, './dist/schemas/patroni.schema.json');
    assert.ok(existsSync(join(ext, 'media/patroni.svg')));
  });

  it('only adapters import vscode', () => {
    const model = join(ext, 'dist/src/model');
    for (const f of [
      'tree.js',
      'debounce.js',
      'notifications.js',
      'connections.js',
      'production.js',
      'diagnostics.js',
      'add-cluster.js',
      'request-log.js',
    ])
      assert.doesNotMatch(readFileSync(join(model, f), 'utf8'), /from 'vscode'|require\('vscode'\)/, f);
  });
});
