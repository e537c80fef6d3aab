/**
 * The VS Code adapter: wires the plain-TypeScript model (tree, connection store, notifications, production
 * guard, diagnostics) to the `vscode` API. Only files under `src/adapters/` import `vscode`.
 */
import { lintText, type PatroniVersion } from '@patroni-kit/config';
import * as vscode from 'vscode';
import type { ConnectionStore } from '../model/connections.js';
import { toDiagnostics } from '../model/diagnostics.js';
import type { TreeNode } from '../model/tree.js';
import { registerCommands } from './commands.js';
import { type ConnectionsApi, connectionStore, registerConnections } from './connections.js';
import { registerLive } from './live.js';

const PATRONI_FILE = /(^|[\\/])patroni(\.ya?ml|[\\/][^\\/]+\.ya?ml)$/i;

function lintDocument(doc: vscode.TextDocument, collection: vscode.DiagnosticCollection): void {
  if (doc.languageId !== 'yaml' || !PATRONI_FILE.test(doc.fileName)) return;
  const version = vscode.workspace.getConfiguration('patroni').get<PatroniVersion>('patroniVersion', '4.1');
  const { findings } = lintText(doc.getText(), { patroniVersion: version });
  collection.set(
    doc.uri,
    toDiagnostics(findings).map((d) => {
      const diag = new vscode.Diagnostic(
        new vscode.Range(
          d.range.start.line,
          d.range.start.character,
          d.range.end.line,
          d.range.end.character,
        ),
        d.message,
        d.severity as vscode.DiagnosticSeverity,
      );
      diag.code = d.code;
      diag.source = d.source;
      return diag;
    }),
  );
}

/** What `activate` returns: the store and the tree, for extension-host tests and other extensions. */
export interface PatroniExtensionApi {
  store: ConnectionStore;
  connections: ConnectionsApi;
  refresh(): Promise<void>;
  roots(): TreeNode[];
  treeItem(node: TreeNode): vscode.TreeItem;
}

/** Entry point: VS Code calls it on the contributed views, commands and patroni.yml workspaces. */
export function activate(context: vscode.ExtensionContext): PatroniExtensionApi {
  const log = vscode.window.createOutputChannel('Patroni', { log: true });
  const store = connectionStore(context, log);
  const provider = registerLive(context, { store, log });
  const diagnostics = vscode.languages.createDiagnosticCollection('patroni');
  context.subscriptions.push(log, diagnostics);

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
  // Contributed so the palette and menus are complete; their SDK wiring comes in a later change.
  for (const id of ['patroni.showTopology'])
    reg(id, () =>
      vscode.window.showWarningMessage(
        `Patroni: ${id.slice('patroni.'.length)} is not implemented in this build yet.`,
      ),
    );

  for (const doc of vscode.workspace.textDocuments) lintDocument(doc, diagnostics);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => lintDocument(d, diagnostics)),
    vscode.workspace.onDidChangeTextDocument((e) => lintDocument(e.document, diagnostics)),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)),
  );
  void provider.refresh();
  return {
    store,
    connections,
    refresh: () => provider.refresh(),
    roots: () => provider.roots(),
    treeItem: (node) => provider.treeItem(node),
  };
}

export function deactivate(): void {}
