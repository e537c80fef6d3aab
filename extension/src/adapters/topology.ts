/**
 * Show Topology (VS Code glue of model/topology.ts): one webview panel per cluster drawing its replication
 * graph. `update(view)` repaints a panel without reloading it (a message swaps the graph).
 */
import { randomBytes } from 'node:crypto';
import { Cluster, type ClusterView } from '@patroni-kit/cluster';
import { describeError, isPatroniKitError } from '@patroni-kit/errors';
import * as vscode from 'vscode';
import type { ConnectionStore } from '../model/connections.js';
import {
  buildTopology,
  renderTopologyBody,
  renderTopologyHtml,
  type TopologyContent,
  topologyState,
} from '../model/topology.js';
import type { TreeNode } from '../model/tree.js';

/** How often an open, visible panel reads the cluster until the live model pushes views (ms). */
const POLL_MS = 5_000;
const READ_TIMEOUT_MS = 10_000;

/** What Show Topology needs from the rest of the extension. */
export interface TopologyDeps {
  store: ConnectionStore;
  /** The saved cluster a tree node belongs to (or the only saved cluster). */
  clusterIdOf(node: TreeNode | undefined): string | undefined;
}

/** One open topology panel. */
export interface TopologyPanel {
  readonly clusterId: string;
  /** Repaints the graph from a new view (the live model calls this on every change). */
  update(view: ClusterView): void;
  /** What the panel shows now: `ok`, `error` or `loading`, and the body HTML (for tests). */
  current(): { state: 'ok' | 'error' | 'loading'; body: string };
}

/** What {@link registerTopology} gives back. */
export interface TopologyApi {
  /** Opens (or reveals) the panel of a saved cluster. */
  show(clusterId: string): Promise<TopologyPanel | undefined>;
  /** The open panel of a cluster, if any. */
  panel(clusterId: string): TopologyPanel | undefined;
  /** Sends a new view to the cluster's panel when one is open. */
  update(clusterId: string, view: ClusterView): void;
}

class Panel implements TopologyPanel {
  readonly clusterId: string;
  readonly #panel: vscode.WebviewPanel;
  readonly #title: string;
  readonly #deps: TopologyDeps;
  #content: TopologyContent;
  #timer: ReturnType<typeof setInterval> | undefined;
  #cluster: Promise<Cluster> | undefined;
  #reading = false;
  #disposed = false;
  /** Whether the webview's script runs and takes messages (a message sent before that is lost). */
  #ready = false;

  constructor(panel: vscode.WebviewPanel, clusterId: string, title: string, deps: TopologyDeps) {
    this.#panel = panel;
    this.clusterId = clusterId;
    this.#title = title;
    this.#deps = deps;
    this.#content = { kind: 'loading', title };
    this.#repaintAll();
    panel.webview.onDidReceiveMessage((m: { type?: string }) => {
      if (m?.type === 'ready') this.#ready = true;
    });
    panel.onDidChangeViewState(() => {
      // a hidden webview loses its document: a full repaint brings back the latest graph
      if (panel.visible) this.#repaintAll();
      this.#schedule();
    });
    this.#schedule();
    void this.#read();
  }

  update(view: ClusterView): void {
    this.#show({ kind: 'graph', graph: buildTopology(view) });
  }

  current(): { state: 'ok' | 'error' | 'loading'; body: string } {
    return { state: topologyState(this.#content), body: renderTopologyBody(this.#content) };
  }

  reveal(): void {
    this.#panel.reveal();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    void this.#cluster?.then((c) => c.close()).catch(() => undefined);
  }

  #show(content: TopologyContent): void {
    if (this.#disposed) return;
    this.#content = content;
    if (!this.#ready) {
      this.#repaintAll();
      return;
    }
    void this.#panel.webview.postMessage({
      type: 'update',
      state: topologyState(content),
      body: renderTopologyBody(content),
    });
  }

  #repaintAll(): void {
    this.#ready = false;
    const nonce = randomBytes(16).toString('base64');
    this.#panel.webview.html = renderTopologyHtml(this.#content, { nonce });
  }

  // TODO(lead / i8-live): replace this timer by the live model's pushed views (call update(view));
  // until then the panel reads `Cluster.status()` every POLL_MS, and only while it is visible.
  #schedule(): void {
    const want = this.#panel.visible && !this.#disposed;
    if (want && !this.#timer) this.#timer = setInterval(() => void this.#read(), POLL_MS);
    if (!want && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  async #read(): Promise<void> {
    if (this.#reading || this.#disposed) return;
    this.#reading = true;
    try {
      this.#cluster ??= this.#deps.store.connectOptions(this.clusterId).then((o) => Cluster.connect(o));
      const cluster = await this.#cluster;
      const view = await cluster.status({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
      this.update(view);
    } catch (err) {
      // reconnect on the next tick (the address, the DCS or the credentials may have changed)
      const failed = this.#cluster;
      this.#cluster = undefined;
      void failed?.then((c) => c.close()).catch(() => undefined);
      this.#show({
        kind: 'error',
        title: this.#title,
        code: isPatroniKitError(err) ? err.code : 'ERROR',
        message: isPatroniKitError(err) ? err.message : describeError(err),
        ...(isPatroniKitError(err) && err.hint ? { hint: err.hint } : {}),
      });
    } finally {
      this.#reading = false;
    }
  }
}

/** Registers `patroni.showTopology` and returns the panels' API. */
export function registerTopology(context: vscode.ExtensionContext, deps: TopologyDeps): TopologyApi {
  const panels = new Map<string, Panel>();
  const show = async (clusterId: string): Promise<TopologyPanel | undefined> => {
    const def = deps.store.get(clusterId);
    if (!def) return undefined;
    const open = panels.get(clusterId);
    if (open) {
      open.reveal();
      return open;
    }
    const webview = vscode.window.createWebviewPanel(
      'patroni.topology',
      `Topology: ${def.name}`,
      vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [] },
    );
    const panel = new Panel(webview, clusterId, def.name, deps);
    panels.set(clusterId, panel);
    webview.onDidDispose(() => {
      panel.dispose();
      panels.delete(clusterId);
    });
    return panel;
  };
  context.subscriptions.push(
    {
      dispose: () => {
        for (const p of panels.values()) p.dispose();
      },
    },
    vscode.commands.registerCommand('patroni.showTopology', async (arg?: TreeNode | string) => {
      let id = typeof arg === 'string' ? arg : deps.clusterIdOf(arg);
      if (!id) {
        const defs = deps.store.list();
        if (defs.length === 0) {
          void vscode.window.showInformationMessage('Patroni: add a cluster first (Patroni: Add Cluster…).');
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          defs.map((d) => ({ label: d.name, id: d.id })),
          { title: 'Show Topology' },
        );
        id = picked?.id;
      }
      return id ? (await show(id))?.clusterId : undefined;
    }),
  );
  return {
    show,
    panel: (id) => panels.get(id),
    update: (id, view) => panels.get(id)?.update(view),
  };
}
