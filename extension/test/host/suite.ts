/**
 * Runs inside code-server's real extension host (the payload route, see test/host.test.ts): activation,
 * contributed commands, the tree's items for a cluster the SDK cannot reach, SecretStorage, diagnostics.
 * Bundled by scripts/bundle.mjs --host-test into dist/host-test/suite.cjs (the host loads CommonJS).
 */
import assert from 'node:assert/strict';
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
  ];
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of cases) {
    try {
      await fn();
      passed++;
      console.log(`EXTHOST-PASS ${name}`);
    } catch (err) {
      failed++;
      console.log(`EXTHOST-FAIL ${name}: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  console.log(`EXTHOST-RESULT ${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}
