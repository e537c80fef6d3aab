/**
 * Runs inside code-server's real extension host (the payload route, see test/host.test.ts): activation,
 * contributed commands, the tree's items for a cluster the SDK cannot reach, SecretStorage, diagnostics.
 * Bundled by scripts/bundle.mjs --host-test into dist/host-test/suite.cjs (the host loads CommonJS).
 */
import assert from 'node:assert/strict';
import type { ClusterView } from '@patroni-kit/cluster';
import * as vscode from 'vscode';
import type { PatroniExtensionApi } from '../../src/adapters/extension.js';
import type { AddClusterUi, PickItem } from '../../src/model/add-cluster.js';

type Case = [string, () => Promise<void>];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Answers Add Cluster's steps in order, asserting each step's title; records what the picks showed. */
function scriptedUi(
  steps: Array<[RegExp, (items: PickItem<unknown>[]) => unknown]>,
  shown: Map<string, PickItem<unknown>[]>,
): AddClusterUi {
  const next = (title: string, items: PickItem<unknown>[] = []) => {
    const step = steps.shift();
    assert.ok(step, `unexpected step "${title}"`);
    assert.match(title, step[0]);
    shown.set(title, items);
    return step[1](items);
  };
  return {
    pickOne: async <T>(title: string, items: PickItem<T>[]) => next(title, items as PickItem<unknown>[]) as T,
    pickMany: async <T>(title: string, items: PickItem<T>[]) =>
      next(title, items as PickItem<unknown>[]) as T[],
    input: async (r) => {
      const text = next(r.title) as string | undefined;
      assert.equal(text === undefined ? undefined : r.validate?.(text), undefined, `"${text}" is valid`);
      return text;
    },
    openFile: async (title) => next(title) as string | undefined,
    warn: async (message) => next(message) === true,
    busy: (_title, work) => work(AbortSignal.timeout(30_000)),
  };
}

/** The title of the timing quick fix (the linter's fix description); i9-e2e's UI test uses the same. */
const TIMING_FIX = 'Set retry_timeout to 10 (loop_wait + 2*retry_timeout = 10 + 2*10 = 30 <= ttl 30)';

async function patroniYml(): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'patroni.yml'));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** A three-member view as `Cluster.status()` gives it (t3's REST API did not answer). */
function sampleView(): ClusterView {
  const member = (name: string, role: 'leader' | 'replica', reachable = true) => ({
    name,
    host: '127.0.106.2',
    port: 5432,
    role,
    state: role === 'leader' ? 'running' : 'streaming',
    timeline: 1,
    ...(role === 'leader' ? {} : { lag: 0 }),
    pendingRestart: false,
    tags: {},
    inDcs: true,
    live: reachable ? { reachable: true, streaming: role === 'leader' ? ['t2'] : [] } : { reachable: false },
  });
  return {
    scope: 'host-topology',
    source: 'dcs',
    leader: 't1',
    confirmedLeader: 't1',
    paused: false,
    members: [member('t1', 'leader'), member('t2', 'replica'), member('t3', 'replica', false)],
    synchronousMode: 'off',
    syncStandbys: [],
    disagreements: [],
    advisories: [],
    warnings: [],
    at: new Date().toISOString(),
  };
}

/** The host calls this and waits for the promise; a rejection is exit code 1. */
export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<PatroniExtensionApi>('patroni-kit.patroni-kit');
  let api: PatroniExtensionApi | undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder');
  // Written by test/host.test.ts: the address block and the etcd it started.
  const env = JSON.parse(
    new TextDecoder().decode(
      await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'host-test.json')),
    ),
  ) as { net: string; etcdUrl: string; etcdPassword: string };
  const cases: Case[] = [
    [
      'activates and registers every contributed command',
      async () => {
        assert.ok(ext, 'extension patroni-kit.patroni-kit is installed');
        api = await ext.activate();
        assert.ok(ext.isActive);
        const all = new Set(await vscode.commands.getCommands(true));
        const contributed = (ext.packageJSON.contributes.commands as Array<{ command: string }>).map(
          (c) => c.command,
        );
        assert.ok(contributed.length >= 20);
        for (const id of contributed) assert.ok(all.has(id), `${id} registered`);
      },
    ],
    [
      'a cluster that cannot be reached shows as an error node with the SDK hint; its password is in SecretStorage only',
      async () => {
        assert.ok(api);
        // NET.2:9 is in this suite's address block; nothing listens there.
        const def = await api.store.add({
          name: 'host-test',
          source: { kind: 'rest', urls: [`http://tester:host-secret-pw@${env.net}.2:9`] },
        });
        assert.equal(await api.store.hasSecret(def.id, 'rest'), true);
        assert.ok(!JSON.stringify(api.store.list()).includes('host-secret-pw'));
        await api.refresh();
        const root = api.roots().find((n) => n.label === 'host-test');
        assert.ok(root, 'cluster node');
        const item = api.treeItem(root);
        assert.equal(item.label, 'host-test');
        assert.equal(item.contextValue, 'patroni.cluster.active');
        assert.match(String(item.description), /unreachable/);
        const msg = root.children[0];
        assert.ok(msg && msg.kind === 'message', 'error message node');
        assert.match(msg.label, /^[A-Z_]+: /);
        const msgItem = api.treeItem(msg);
        assert.equal(msgItem.collapsibleState, vscode.TreeItemCollapsibleState.None);
        assert.ok(!String(msgItem.tooltip).includes('host-secret-pw'), 'no secret in the tooltip');
        await api.store.remove(def.id);
        assert.equal(await api.store.hasSecret(def.id, 'rest'), false);
      },
    ],
    [
      'Toggle Role-Change Notifications flips the per-cluster setting kept in the definition',
      async () => {
        assert.ok(api);
        const def = await api.store.add({
          name: 'host-notify',
          source: { kind: 'rest', urls: [`http://${env.net}.2:9`] },
        });
        await api.refresh();
        const root = api.roots().find((n) => n.label === 'host-notify');
        assert.ok(root, 'cluster node');
        assert.equal(api.store.get(def.id)?.notifications, undefined, 'follows the global setting at first');
        await vscode.commands.executeCommand('patroni.toggleNotifications', root);
        assert.equal(
          api.store.get(def.id)?.notifications,
          false,
          'global default on: the toggle turns it off',
        );
        await vscode.commands.executeCommand('patroni.toggleNotifications', root);
        assert.equal(api.store.get(def.id)?.notifications, true);
        await api.store.remove(def.id);
        await api.refresh();
      },
    ],
    [
      "Add Cluster from a DCS URL lists the real etcd's scopes; the etcd password lands in SecretStorage only",
      async () => {
        assert.ok(api);
        const shown = new Map<string, PickItem<unknown>[]>();
        const ui = scriptedUi(
          [
            [/^Add Patroni Cluster$/, (items) => items.find((i) => /DCS URL/.test(i.label))?.value],
            [/^etcd URL/, () => env.etcdUrl],
            [/^Password of root$/, () => env.etcdPassword],
            [/^Clusters in /, (items) => items.filter((i) => i.label === 'hostdemo').map((i) => i.value)],
            [/^PostgreSQL user$/, () => ''],
            [/^Name shown in the tree$/, () => 'hostdemo'],
            [/^Mark as production/, () => []],
          ],
          shown,
        );
        const result = await api.connections.addCluster(ui);
        assert.equal(result.outcome, 'added', JSON.stringify(result));
        const def = result.outcome === 'added' ? result.clusters[0] : undefined;
        assert.ok(def);
        const scopes = [...shown].find(([t]) => t.startsWith('Clusters in'))?.[1];
        assert.deepEqual(
          scopes?.map((i) => [i.label, i.description, i.detail]),
          [['hostdemo', 'leader hd1', '2 members: hd1, hd2']],
        );
        assert.equal(await api.store.hasSecret(def.id, 'etcd'), true);
        assert.equal(def.etcdUser, 'root');
        const everything = JSON.stringify({
          defs: api.store.list(),
          patroni: vscode.workspace.getConfiguration('patroni'),
          settings: vscode.workspace.getConfiguration().inspect('patroni'),
        });
        assert.ok(everything.includes('hostdemo'));
        assert.ok(!everything.includes(env.etcdPassword), 'no password in definitions or settings');
        // The saved cluster reads the real etcd with the password from SecretStorage: the tree shows its leader.
        await api.refresh();
        const root = api.roots().find((n) => n.label === 'hostdemo');
        assert.ok(root, 'hostdemo in the tree');
        assert.match(String(api.treeItem(root).description), /hd1/);
      },
    ],
    [
      'a patroni.yml with a timing mistake gets a warning diagnostic on the value',
      async () => {
        const uri = vscode.Uri.joinPath(folder.uri, 'patroni.yml');
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc);
        assert.equal(doc.languageId, 'yaml');
        const d = await until('the timing diagnostic', () =>
          vscode.languages.getDiagnostics(uri).find((x) => x.code === 'timing'),
        );
        assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
        assert.equal(d.source, 'patroni-kit');
        assert.equal(doc.getText(d.range), '15');
      },
    ],
    [
      'hover on a key shows the schema description, type, default and versions',
      async () => {
        const doc = await patroniYml();
        const at = doc.positionAt(doc.getText().indexOf('retry_timeout') + 3);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
          'vscode.executeHoverProvider',
          doc.uri,
          at,
        );
        const text = hovers
          .flatMap((h) => h.contents)
          .map((c) => (typeof c === 'string' ? c : c.value))
          .join('\n');
        assert.match(text, /\*\*bootstrap\.dcs\.retry_timeout\*\*/);
        assert.match(text, /retried before the primary is demoted/);
        assert.match(text, /Default: `10`/);
        assert.match(text, /Patroni: all checked releases/);
      },
    ],
    [
      'completion offers the missing keys of bootstrap.dcs and the enum values of watchdog.mode',
      async () => {
        const doc = await patroniYml();
        const lines = doc.getText().split('\n');
        const ttl = lines.indexOf('    ttl: 30');
        assert.ok(ttl > 0);
        const keys = await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          doc.uri,
          new vscode.Position(ttl, 4),
        );
        const labels = keys.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        assert.ok(labels.includes('max_timelines_history'), labels.join(' '));
        assert.ok(!labels.includes('loop_wait'), 'written keys are not offered');
        const mode = lines.indexOf('  mode: automatic');
        const values = await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          doc.uri,
          new vscode.Position(mode, '  mode: '.length),
        );
        const enumItems = values.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember);
        assert.deepEqual(
          enumItems.map((i) => i.insertText),
          ["'off'", 'automatic', 'required', 'false'],
        );
      },
    ],
    [
      'the quick fix of the timing mistake applies and the diagnostic goes away',
      async () => {
        const doc = await patroniYml();
        const d = await until('the timing diagnostic', () =>
          vscode.languages.getDiagnostics(doc.uri).find((x) => x.code === 'timing'),
        );
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
          'vscode.executeCodeActionProvider',
          doc.uri,
          d.range,
          vscode.CodeActionKind.QuickFix.value,
        );
        const fix = actions.find((a) => a.title === TIMING_FIX);
        assert.ok(fix?.edit, `quick fix "${TIMING_FIX}" in ${actions.map((a) => a.title).join(' | ')}`);
        assert.equal(fix.isPreferred, true);
        // (the command's result carries title, kind, edit and isPreferred, not the action's diagnostics)
        assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
        assert.equal(doc.lineAt(d.range.start.line).text, '    retry_timeout: 10');
        await until('the timing diagnostic to go', () =>
          vscode.languages.getDiagnostics(doc.uri).some((x) => x.code === 'timing') ? undefined : true,
        );
      },
    ],
    [
      'cluster lint: a member name used by two workspace files is reported on an unopened file, and clears on edit',
      async () => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        assert.ok(folder);
        const uris = ['a', 'b'].map((x) => vscode.Uri.joinPath(folder.uri, 'ledger', x, 'patroni.yml'));
        const dupOf = (u: vscode.Uri) =>
          vscode.languages
            .getDiagnostics(u)
            .find((x) => x.code === 'cluster-duplicate' && /Member name 'pg-billing-1'/.test(x.message));
        const [hit, other] = await until('the cluster-duplicate diagnostic', () => {
          const i = uris.findIndex((u) => dupOf(u) !== undefined);
          return i < 0 ? undefined : ([uris[i]!, uris[1 - i]!] as const);
        });
        assert.ok(
          vscode.workspace.textDocuments.every((t) => t.uri.toString() !== hit.toString()),
          'the reported file was never opened',
        );
        assert.match(
          dupOf(hit)!.message,
          new RegExp(vscode.workspace.asRelativePath(other).replace(/[.]/g, '\\.')),
        );
        // renaming the member in the (unsaved) editor clears the finding on the next lint
        const doc = await vscode.workspace.openTextDocument(hit);
        const line = doc.getText().split('\n').indexOf('name: pg-billing-1');
        const edit = new vscode.WorkspaceEdit();
        edit.replace(hit, doc.lineAt(line).range, 'name: pg-ledger-2');
        assert.equal(await vscode.workspace.applyEdit(edit), true);
        await until('the duplicate name to clear', () => ((dupOf(hit) ?? dupOf(other)) ? undefined : true));
      },
    ],
    [
      'Show Topology opens a webview panel; an unreachable cluster shows the error; update(view) draws the graph',
      async () => {
        assert.ok(api);
        // 127.0.106.2:9 is in i9-editor's address block; nothing listens there.
        const def = await api.store.add({
          name: 'host-topology',
          source: { kind: 'rest', urls: ['http://127.0.106.2:9'] },
        });
        const id = await vscode.commands.executeCommand<string | undefined>('patroni.showTopology', def.id);
        assert.equal(id, def.id);
        const panel = api.topology.panel(def.id);
        assert.ok(panel, 'the panel is open');
        const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
        // the tab model follows the workbench asynchronously
        const tab = await until('the topology tab', () =>
          tabs().find((t) => t.label === 'Topology: host-topology'),
        ).catch((err: Error) => {
          throw new Error(
            `${err.message}; tabs: ${tabs()
              .map((t) => `${t.label} (${t.input?.constructor.name})`)
              .join(', ')}`,
          );
        });
        assert.ok(
          tab.input instanceof vscode.TabInputWebview,
          `a webview tab, not ${tab.input?.constructor.name}`,
        );
        assert.match(tab.input.viewType, /patroni\.topology/);
        const failed = await until('the read to fail', () =>
          panel.current().state === 'error' ? panel.current() : undefined,
        );
        assert.match(failed.body, /id="topology-error"/);
        panel.update(sampleView());
        assert.equal(panel.current().state, 'ok');
        assert.match(panel.current().body, /data-member="t1" data-role="leader"/);
        assert.match(panel.current().body, /data-from="t1" data-to="t2"/);
        assert.match(panel.current().body, /data-member="t3" data-role="replica" data-unreachable="true"/);
        // the same panel is revealed, not a second one
        assert.equal(await vscode.commands.executeCommand('patroni.showTopology', def.id), def.id);
        assert.equal(
          vscode.window.tabGroups.all
            .flatMap((g) => g.tabs)
            .filter((t) => t.label === 'Topology: host-topology').length,
          1,
        );
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
        await until('the panel to close', () => (api?.topology.panel(def.id) ? undefined : true));
        await api.store.remove(def.id);
      },
    ],
  ];
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of cases) {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`EXTHOST-PASS ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      console.log(`EXTHOST-FAIL ${name}: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  console.log(`EXTHOST-RESULT ${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}
