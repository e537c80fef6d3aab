/**
 * VS Code glue of the live tree: one live cluster model per saved cluster feeds the Clusters view (pushed,
 * debounced updates; REST polling inside the model when no DCS is reachable), the status bar item with the
 * active cluster's leader, and role-change notifications with "Show in Tree".
 */
import { Cluster, type LiveCluster, watchCluster } from '@patroni-kit/cluster';
import { describeError, isPatroniKitError } from '@patroni-kit/errors';
import * as vscode from 'vscode';
import type { ClusterDefinition, ConnectionStore } from '../model/connections.js';
import { LiveTree } from '../model/live.js';
import type { TreeNode } from '../model/tree.js';

/** What the live tree needs from the rest of the extension. */
export interface LiveDeps {
  store: ConnectionStore;
  log: vscode.LogOutputChannel;
}

/** What `registerLive` hands back to `activate`. */
export interface LiveRegistration {
  view: vscode.TreeView<TreeNode>;
  tree: LiveTree;
  /** Connects new clusters, drops removed ones, re-reads every cluster; resolves when each read settled. */
  refresh(): Promise<void>;
  roots(): TreeNode[];
  treeItem(node: TreeNode): vscode.TreeItem;
  /** The cluster a node belongs to (or the only cluster). */
  clusterIdOf(node: TreeNode | undefined): string | undefined;
}

const RETRY_MS = 15_000;

interface Connection {
  key: string;
  cluster?: Cluster;
  live?: LiveCluster;
  retry?: NodeJS.Timeout;
}

function errorOf(err: unknown): { code: string; message: string; hint?: string } {
  return isPatroniKitError(err)
    ? { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
    : { code: 'ERROR', message: describeError(err) };
}

function treeItem(node: TreeNode): vscode.TreeItem {
  const state =
    node.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : node.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(node.label, state);
  item.id = node.id;
  if (node.description !== undefined) item.description = node.description;
  if (node.tooltip !== undefined) item.tooltip = node.tooltip;
  item.contextValue = node.contextValue;
  const colour =
    node.tone === 'error'
      ? new vscode.ThemeColor('errorForeground')
      : node.tone === 'warning'
        ? new vscode.ThemeColor('editorWarning.foreground')
        : undefined;
  item.iconPath = new vscode.ThemeIcon(node.icon, colour);
  return item;
}

/** Registers the Clusters view, the status bar item and the notifications; disposed with the extension. */
export function registerLive(context: vscode.ExtensionContext, deps: LiveDeps): LiveRegistration {
  const { store, log } = deps;
  const settings = () => vscode.workspace.getConfiguration('patroni');
  const tree = new LiveTree({
    // Short enough to keep DCS event -> tree within the 100 ms goal, long enough to merge a storm's reads.
    waitMs: 30,
    maxWaitMs: 250,
    notificationsEnabled: () => settings().get<boolean>('notifications.enabled', true),
  });
  const changed = new vscode.EventEmitter<TreeNode | undefined>();
  const provider: vscode.TreeDataProvider<TreeNode> = {
    onDidChangeTreeData: changed.event,
    getTreeItem: treeItem,
    getChildren: (node) => (node ? node.children : tree.roots()),
    getParent: (node) => tree.parentOf(node),
  };
  const view = vscode.window.createTreeView('patroni.clusters', {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = 'patroni.revealCluster';
  const connections = new Map<string, Connection>();
  let active: string | undefined;
  let disposed = false;

  const clusterIdOf = (node: TreeNode | undefined): string | undefined => {
    const m = node ? /^cluster\/([^/]+)/.exec(node.id) : undefined;
    return m?.[1] ?? (store.list().length === 1 ? store.list()[0]?.id : undefined);
  };

  const paintStatus = () => {
    const s = tree.statusBar(active);
    status.text = s.text;
    status.tooltip = s.tooltip;
    status.backgroundColor =
      s.tone === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : s.tone === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    if (tree.ids().length > 0) status.show();
    else status.hide();
  };

  const reveal = async (clusterId: string | undefined, member?: string) => {
    const node = clusterId ? tree.revealTarget(clusterId, member) : undefined;
    if (node) await view.reveal(node, { select: true, focus: true, expand: true });
  };

  tree.onDidChange((change) => {
    changed.fire(undefined);
    paintStatus();
    for (const n of change.notifications) {
      log.info(`notification: ${n.message}`);
      const show =
        n.severity === 'error'
          ? vscode.window.showErrorMessage
          : n.severity === 'warning'
            ? vscode.window.showWarningMessage
            : vscode.window.showInformationMessage;
      void show(n.message, 'Show in Tree').then((pick) => {
        if (pick === 'Show in Tree') void reveal(n.clusterId, n.member);
      });
    }
  });

  const close = async (c: Connection | undefined) => {
    if (!c) return;
    clearTimeout(c.retry);
    await c.live?.close().catch(() => undefined);
    await c.cluster?.close().catch(() => undefined);
  };

  const connect = async (def: ClusterDefinition, key: string): Promise<void> => {
    const conn: Connection = { key };
    connections.set(def.id, conn);
    try {
      const cluster = await Cluster.connect(await store.connectOptions(def.id));
      if (disposed || connections.get(def.id) !== conn) {
        await cluster.close();
        return;
      }
      conn.cluster = cluster;
      conn.live = watchCluster(cluster);
      conn.live.on((e) => {
        if (e.type === 'connection-lost')
          log.warn(`${def.name}: ${e.source} connection lost: ${e.error.message}`);
        else if (e.type === 'connection-restored') log.info(`${def.name}: ${e.source} connection restored`);
        else if (e.type === 'leader-changed')
          log.info(`${def.name}: leader ${e.from ?? 'none'} -> ${e.to ?? 'none'}`);
      });
      tree.set(def, conn.live);
      await conn.live.refresh().catch(() => undefined);
    } catch (err) {
      if (disposed || connections.get(def.id) !== conn) return;
      log.warn(`${def.name}: ${describeError(err)}`);
      tree.set(def, undefined, errorOf(err));
      // The config file may appear or the member come up later: try again, not in a tight loop.
      conn.retry = setTimeout(() => {
        if (connections.get(def.id) === conn) void connect(def, key);
      }, RETRY_MS);
    }
  };

  const refresh = async (): Promise<void> => {
    const defs = store.list();
    const wanted = new Set(defs.map((d) => d.id));
    for (const [id, c] of connections)
      if (!wanted.has(id)) {
        connections.delete(id);
        tree.delete(id);
        await close(c);
      }
    await Promise.all(
      defs.map(async (def) => {
        const key = JSON.stringify([def.source, def.tls, def.insecure, def.restUser, def.etcdUser]);
        const c = connections.get(def.id);
        if (c && c.key === key && c.live) {
          tree.update(def);
          await c.live.refresh().catch(() => undefined);
          return;
        }
        connections.delete(def.id);
        await close(c);
        await connect(def, key);
      }),
    );
    tree.flush();
  };

  context.subscriptions.push(
    view,
    status,
    changed,
    view.onDidChangeSelection((e) => {
      const id = clusterIdOf(e.selection[0]);
      if (id && id !== active) {
        active = id;
        paintStatus();
      }
    }),
    vscode.commands.registerCommand('patroni.revealCluster', (id?: string) =>
      reveal(id ?? tree.statusBar(active).clusterId),
    ),
    {
      dispose: () => {
        disposed = true;
        tree.dispose();
        for (const c of connections.values()) void close(c);
        connections.clear();
      },
    },
  );
  return { view, tree, refresh, roots: () => tree.roots(), treeItem, clusterIdOf };
}
