/**
 * The live Clusters tree: one live cluster model (`watchCluster` from `@patroni-kit/cluster`) per configured
 * cluster pushes views; pushes are coalesced by the {@link Debouncer}, so a failover storm repaints once per
 * burst; every repaint rebuilds the tree (model/tree.ts), the role-change notifications (model/notifications.ts),
 * the parent index that `TreeView.reveal` needs, and carries the timestamps a benchmark needs. No `vscode`.
 */
import { type ClusterView, type HealthReport, healthReport, type LiveEvent } from '@patroni-kit/cluster';
import type { EtcdHealth } from '@patroni-kit/dcs';
import { Debouncer, type DebouncerOptions } from './debounce.js';
import { type ClusterNotification, notificationsFor } from './notifications.js';
import { type ClusterSnapshot, clusterNode, type TreeNode } from './tree.js';

/** The part of a `LiveCluster` the tree uses. */
export interface LiveSource {
  readonly view: ClusterView | undefined;
  readonly etcd: EtcdHealth | undefined;
  readonly lastError: { code: string; message: string; hint?: string | undefined } | undefined;
  on(listener: (event: LiveEvent) => void): () => void;
}

/** What the tree shows for a configured cluster (a connection store definition, or part of one). */
export interface LiveTreeCluster {
  id: string;
  name: string;
  production?: boolean;
  /** Role-change notifications for this cluster: true / false, or absent to follow the global setting. */
  notifications?: boolean;
}

/** One repaint of the tree. */
export interface LiveTreeChange {
  roots: TreeNode[];
  /** The clusters whose data changed in this repaint. */
  ids: Set<string>;
  /** Earliest `performance.now()` of the DCS watch events behind this repaint (absent for polls and errors). */
  dcsEventAt?: number;
  /** `performance.now()` when the repaint was handed to the listeners (the adapter's tree change event). */
  changedAt: number;
  /** Notifications due (already filtered by the per-cluster and global settings). */
  notifications: Array<ClusterNotification & { clusterId: string }>;
}

/** What the status bar item shows for the active cluster. */
export interface StatusBarModel {
  clusterId?: string;
  text: string;
  tooltip: string;
  /** `error` / `warning` become the status bar's error / warning background. */
  tone: 'ok' | 'warning' | 'error';
}

/** Options of {@link LiveTree}. */
export interface LiveTreeOptions extends DebouncerOptions {
  /** The global notification setting, asked at each repaint (default: on). */
  notificationsEnabled?: () => boolean;
}

interface Entry {
  def: LiveTreeCluster;
  source: LiveSource | undefined;
  off: (() => void) | undefined;
  /** Error of the connection itself (the cluster could not be set up). */
  error: { code: string; message: string; hint?: string | undefined } | undefined;
  /** The view the last notifications were computed against. */
  notifiedView: ClusterView | undefined;
}

/** Whether notifications are on for a cluster: its own choice, else the global setting. */
export function notificationsOn(def: LiveTreeCluster, globalEnabled: boolean): boolean {
  return def.notifications ?? globalEnabled;
}

/** The status bar text for one cluster's snapshot (or for none configured). */
export function statusBarFor(snapshot: ClusterSnapshot | undefined, count: number): StatusBarModel {
  if (!snapshot)
    return {
      text: '$(database) Patroni',
      tooltip: count === 0 ? 'No Patroni clusters configured' : 'Patroni clusters',
      tone: 'ok',
    };
  const node = clusterNode(snapshot);
  const v = snapshot.view;
  const leader = v ? (v.confirmedLeader ?? v.leader) : undefined;
  const text = !v
    ? `$(error) ${snapshot.name}: unreachable`
    : leader
      ? `$(database) ${snapshot.name}: ${leader}`
      : `$(error) ${snapshot.name}: no leader`;
  return {
    clusterId: snapshot.id,
    text,
    tooltip: `${snapshot.name}: ${node.description ?? ''}\nClick to show it in the Clusters view`,
    tone: node.tone === 'error' ? 'error' : node.tone === 'warning' ? 'warning' : 'ok',
  };
}

/** The live tree of every configured cluster. */
export class LiveTree {
  /** Health reports by view: a view is immutable, so its report is computed once. */
  readonly #healthOf = new WeakMap<ClusterView, HealthReport>();
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(change: LiveTreeChange) => void>();
  readonly #debouncer: Debouncer<string>;
  readonly #notificationsEnabled: () => boolean;
  readonly #eventAt = new Map<string, number>();
  #roots: TreeNode[] = [];
  #byId = new Map<string, TreeNode>();
  #parents = new Map<string, TreeNode>();

  constructor(opts: LiveTreeOptions) {
    this.#debouncer = new Debouncer((ids) => this.#repaint(ids), opts);
    this.#notificationsEnabled = opts.notificationsEnabled ?? (() => true);
  }

  /** Listens to repaints; returns the function that stops listening. */
  onDidChange(listener: (change: LiveTreeChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds (or replaces) a cluster; `source` is its live model, or absent with `error` when it could not connect. */
  set(def: LiveTreeCluster, source?: LiveSource, error?: Entry['error']): void {
    const old = this.#entries.get(def.id);
    old?.off?.();
    const entry: Entry = {
      def,
      source,
      off: undefined,
      error,
      notifiedView: old?.notifiedView,
    };
    entry.off = source?.on((e) => this.#onEvent(def.id, e));
    this.#entries.set(def.id, entry);
    this.#debouncer.push(def.id);
  }

  /** Updates a cluster's definition (name, production, notifications) without touching its live model. */
  update(def: LiveTreeCluster): void {
    const entry = this.#entries.get(def.id);
    if (!entry) return;
    entry.def = def;
    this.#debouncer.push(def.id);
  }

  /** Removes a cluster (the caller closes its live model). */
  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.off?.();
    this.#entries.delete(id);
    this.#debouncer.push(id);
  }

  /** The ids of the configured clusters, in order. */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** The tree as of the last repaint. */
  roots(): TreeNode[] {
    return this.#roots;
  }

  /** A node of the last repaint by id (e.g. `cluster/<id>/member/<name>`). */
  node(id: string): TreeNode | undefined {
    return this.#byId.get(id);
  }

  /** The parent of a node (undefined for a cluster node): what `TreeDataProvider.getParent` returns. */
  parentOf(node: TreeNode): TreeNode | undefined {
    return this.#parents.get(node.id);
  }

  /** The node "Show in Tree" reveals for a notification: the member, else the cluster. */
  revealTarget(clusterId: string, member?: string): TreeNode | undefined {
    return (
      (member ? this.#byId.get(`cluster/${clusterId}/member/${member}`) : undefined) ??
      this.#byId.get(`cluster/${clusterId}`)
    );
  }

  /** What is known about one cluster now. */
  snapshot(id: string): ClusterSnapshot | undefined {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    const view = e.source?.view;
    const health = view ? this.#health(view) : undefined;
    const error = e.error ?? (view ? undefined : e.source?.lastError);
    return {
      id,
      name: e.def.name,
      production: e.def.production === true,
      ...(view ? { view } : {}),
      ...(health ? { health } : {}),
      ...(e.source?.etcd ? { etcd: e.source.etcd } : {}),
      ...(error
        ? { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }
        : {}),
    };
  }

  /** The health summary of a view, as `patroni-kit health` computes it from the view alone (no extra I/O). */
  #health(view: ClusterView): HealthReport {
    let report = this.#healthOf.get(view);
    if (!report) {
      report = healthReport(view);
      this.#healthOf.set(view, report);
    }
    return report;
  }

  /** The status bar for `activeId` (default: the first cluster). */
  statusBar(activeId?: string): StatusBarModel {
    const id = activeId && this.#entries.has(activeId) ? activeId : this.ids()[0];
    return statusBarFor(id === undefined ? undefined : this.snapshot(id), this.#entries.size);
  }

  /** Repaints now instead of at the end of the burst. */
  flush(): void {
    this.#debouncer.flush();
  }

  /** Stops listening to every live model and drops pending repaints (closes nothing). */
  dispose(): void {
    this.#debouncer.dispose();
    for (const e of this.#entries.values()) e.off?.();
    this.#entries.clear();
    this.#listeners.clear();
  }

  #onEvent(id: string, e: LiveEvent): void {
    if (e.type === 'view') {
      if (e.dcsEventAt !== undefined && !this.#eventAt.has(id)) this.#eventAt.set(id, e.dcsEventAt);
      this.#debouncer.push(id);
    } else if (e.type === 'etcd' || e.type === 'connection-lost' || e.type === 'connection-restored')
      this.#debouncer.push(id);
  }

  #repaint(ids: Set<string>): void {
    const snapshots = this.ids().map((id) => this.snapshot(id)!);
    this.#roots = snapshots.map(clusterNode);
    this.#byId = new Map();
    this.#parents = new Map();
    const index = (node: TreeNode, parent: TreeNode | undefined) => {
      this.#byId.set(node.id, node);
      if (parent) this.#parents.set(node.id, parent);
      for (const c of node.children) index(c, node);
    };
    for (const r of this.#roots) index(r, undefined);
    const notifications: LiveTreeChange['notifications'] = [];
    const global = this.#notificationsEnabled();
    let dcsEventAt: number | undefined;
    for (const id of ids) {
      const at = this.#eventAt.get(id);
      this.#eventAt.delete(id);
      if (at !== undefined) dcsEventAt = dcsEventAt === undefined ? at : Math.min(dcsEventAt, at);
      const e = this.#entries.get(id);
      const view = e?.source?.view;
      if (!e || !view || view === e.notifiedView) continue;
      // Against the view of the last repaint: a storm coalesced into one repaint gives one set of notices.
      if (notificationsOn(e.def, global))
        for (const n of notificationsFor(e.notifiedView, view)) notifications.push({ ...n, clusterId: id });
      e.notifiedView = view;
    }
    const change: LiveTreeChange = {
      roots: this.#roots,
      ids,
      ...(dcsEventAt === undefined ? {} : { dcsEventAt }),
      changedAt: performance.now(),
      notifications,
    };
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A failing listener must not stop the repaint for the others.
      }
    }
  }
}
