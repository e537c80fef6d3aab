/**
 * The VS Code adapter: wires the plain-TypeScript model (tree, connection store, notifications, production
 * guard, diagnostics) to the `vscode` API. Only files under `src/adapters/` import `vscode`.
 */
import * as vscode from 'vscode';
import type { ConnectionStore } from '../model/connections.js';
import type { TreeNode } from '../model/tree.js';
import { registerCommands } from './commands.js';
import { type ConnectionsApi, connectionStore, registerConnections } from './connections.js';
import { registerEditor } from './editor.js';
import { registerLive } from './live.js';
import { registerTopology, type TopologyApi } from './topology.js';

/** What `activate` returns: the store and the tree, for extension-host tests and other extensions. */
export interface PatroniExtensionApi {
  store: ConnectionStore;
  connections: ConnectionsApi;
  refresh(): Promise<void>;
  roots(): TreeNode[];
  treeItem(node: TreeNode): vscode.TreeItem;
  topology: TopologyApi;
}

/** Entry point: VS Code calls it on the contributed views, commands and patroni.yml workspaces. */
export function activate(context: vscode.ExtensionContext): PatroniExtensionApi {
  const log = vscode.window.createOutputChannel('Patroni', { log: true });
  const store = connectionStore(context, log);
  const provider = registerLive(context, { store, log });
  context.subscriptions.push(log);
  // TODO(i8-live): pass `connectedPatroniVersion` from the live model (for patroni.patroniVersion "auto").
  registerEditor(context, {});
  const topology = registerTopology(context, { store, clusterIdOf: (n) => provider.clusterIdOf(n) });

  const reg = (id: string, fn: (node?: TreeNode) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('patroni.refresh', () => provider.refresh());
  const connections = registerConnections(context, {
    store,
    log,
    refresh: () => provider.refresh(),
    clusterIdOf: (node) => provider.clusterIdOf(node),
  });
  registerCommands(context, {
    store,
    refresh: () => provider.refresh(),
    postgresLogin: (id) => store.postgresLogin(id),
  });
  void provider.refresh();
  return {
    store,
    connections,
    refresh: () => provider.refresh(),
    roots: () => provider.roots(),
    treeItem: (node) => provider.treeItem(node),
    topology,
  };
}

export function deactivate(): void {}
