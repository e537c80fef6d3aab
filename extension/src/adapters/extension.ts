/**
 * The VS Code adapter: wires the plain-TypeScript model (tree, connection store, notifications, production
 * guard, diagnostics) to the `vscode` API. Only files under `src/adapters/` import `vscode`.
 */
import { describeError } from '@patroni-kit/errors';
import * as vscode from 'vscode';
import { type ClusterDefinition, ConnectionStore } from '../model/connections.js';
import { checkTypedName, confirmationFor } from '../model/production.js';
import type { TreeNode } from '../model/tree.js';
import { registerCommands } from './commands.js';
import { registerEditor } from './editor.js';
import { registerLive } from './live.js';
import { registerTopology, type TopologyApi } from './topology.js';

async function addCluster(store: ConnectionStore): Promise<ClusterDefinition | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: 'From a patroni.yml or patronictl config…', kind2: 'config' as const },
      { label: 'From a DCS URL (etcd3://host:2379)…', kind2: 'dcs' as const },
      { label: 'From member REST URLs…', kind2: 'rest' as const },
    ],
    { title: 'Add Patroni Cluster' },
  );
  if (!how) return undefined;
  if (how.kind2 === 'config') {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { YAML: ['yml', 'yaml'] },
    });
    const path = picked?.[0]?.fsPath;
    if (!path) return undefined;
    const name = await vscode.window.showInputBox({
      title: 'Cluster name (shown in the tree)',
      value: path.split(/[\\/]/).slice(-2, -1)[0] ?? 'cluster',
    });
    return name ? store.add({ name, source: { kind: 'config', path } }) : undefined;
  }
  if (how.kind2 === 'dcs') {
    const url = await vscode.window.showInputBox({ title: 'etcd URL', value: 'etcd3://127.0.0.1:2379' });
    const scope = url
      ? await vscode.window.showInputBox({ title: 'Scope (cluster name in the DCS)' })
      : undefined;
    return url && scope ? store.add({ name: scope, source: { kind: 'dcs', url, scope } }) : undefined;
  }
  const urls = await vscode.window.showInputBox({
    title: 'Member REST URLs (comma separated)',
    value: 'http://127.0.0.1:8008',
  });
  const name = urls
    ? await vscode.window.showInputBox({ title: 'Cluster name (shown in the tree)' })
    : undefined;
  return urls && name ? store.add({ name, source: { kind: 'rest', urls: urls.split(',') } }) : undefined;
}

/** What `activate` returns: the store and the tree, for extension-host tests and other extensions. */
export interface PatroniExtensionApi {
  store: ConnectionStore;
  refresh(): Promise<void>;
  roots(): TreeNode[];
  treeItem(node: TreeNode): vscode.TreeItem;
  topology: TopologyApi;
}

/** Entry point: VS Code calls it on the contributed views, commands and patroni.yml workspaces. */
export function activate(context: vscode.ExtensionContext): PatroniExtensionApi {
  const log = vscode.window.createOutputChannel('Patroni', { log: true });
  const store = new ConnectionStore(context.globalState, context.secrets);
  const provider = registerLive(context, { store, log });
  context.subscriptions.push(log);
  // TODO(i8-live): pass `connectedPatroniVersion` from the live model (for patroni.patroniVersion "auto").
  registerEditor(context, {});
  const topology = registerTopology(context, { store, clusterIdOf: (n) => provider.clusterIdOf(n) });

  const reg = (id: string, fn: (node?: TreeNode) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('patroni.refresh', () => provider.refresh());
  reg('patroni.addCluster', async () => {
    try {
      if (await addCluster(store)) await provider.refresh();
    } catch (err) {
      void vscode.window.showErrorMessage(`Add Cluster: ${describeError(err)}`);
    }
  });
  reg('patroni.removeCluster', async (node) => {
    const id = provider.clusterIdOf(node);
    const def = id ? store.get(id) : undefined;
    if (!def) return;
    const c = confirmationFor('patroni.removeCluster', def, `forget ${def.name} and its stored secrets`);
    if (c.kind === 'typed-name') {
      const typed = await vscode.window.showInputBox({
        prompt: c.prompt,
        validateInput: (t) => checkTypedName(c.expected, t),
      });
      if (checkTypedName(c.expected, typed) !== undefined) return;
    } else if (c.kind === 'modal') {
      if ((await vscode.window.showWarningMessage(c.message, { modal: true }, 'Remove')) !== 'Remove') return;
    }
    await store.remove(def.id);
    await provider.refresh();
  });
  reg('patroni.markProduction', async (node) => {
    const id = provider.clusterIdOf(node);
    const def = id ? store.get(id) : undefined;
    if (!def) return;
    await store.update(def.id, { production: !def.production });
    await provider.refresh();
  });
  registerCommands(context, {
    store,
    refresh: () => provider.refresh(),
    postgresLogin: (id) => store.postgresLogin(id),
  });
  void provider.refresh();
  return {
    store,
    refresh: () => provider.refresh(),
    roots: () => provider.roots(),
    treeItem: (node) => provider.treeItem(node),
    topology,
  };
}

export function deactivate(): void {}
