/**
 * The cluster as a graph for the Show Topology webview: who streams from whom (pg_stat_replication rows the
 * members reported, else the `replicatefrom` tag, else the leader), sync standbys, lag on the edges,
 * unreachable members; a layered layout (leader on top, cascades below their upstream) and the SVG/HTML the
 * webview shows. Plain TypeScript: the adapter only hands the HTML to a webview.
 */
import type { ClusterView, MemberRole, MemberView } from '@patroni-kit/cluster';
import { formatBytes, memberDown } from './tree.js';

/** One member in the graph, with its place in the layout (top-left corner, px). */
export interface TopologyNode {
  name: string;
  role: MemberRole;
  state: string;
  timeline?: number;
  address?: string;
  lag?: number | 'unknown';
  unreachable: boolean;
  down: boolean;
  pendingRestart: boolean;
  /** Tags worth a badge: nofailover, nosync, noloadbalance, nostream, clonefrom, replicatefrom. */
  flags: string[];
  depth: number;
  x: number;
  y: number;
}

/** One replication stream, upstream → member. */
export interface TopologyEdge {
  from: string;
  to: string;
  /** Bytes the member is behind the leader. */
  lag?: number | 'unknown';
  sync: boolean;
  /** Whether the upstream reported the stream (pg_stat_replication state `streaming`). */
  confirmed: boolean;
  /** From the member's `replicatefrom` tag, not the leader. */
  cascade: boolean;
}

/** The graph and its layout. */
export interface TopologyGraph {
  scope: string;
  leader: string | null;
  synchronousMode: ClusterView['synchronousMode'];
  paused: boolean;
  source: ClusterView['source'];
  at: string;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  /** Members no stream reaches (no leader, or a replicatefrom cycle): drawn in a row of their own. */
  detached: string[];
  width: number;
  height: number;
  warnings: string[];
}

/** Node box size and gaps of the layout, px. */
export const LAYOUT = { nodeWidth: 220, nodeHeight: 92, gapX: 36, gapY: 86, margin: 24 } as const;

const ROLE_LABEL: Record<MemberRole, string> = {
  leader: 'Leader',
  standby_leader: 'Standby leader',
  sync_standby: 'Sync standby',
  quorum_standby: 'Quorum standby',
  replica: 'Replica',
};

const FLAG_TAGS = ['nofailover', 'nosync', 'noloadbalance', 'nostream'] as const;

function flagsOf(m: MemberView): string[] {
  const out: string[] = FLAG_TAGS.filter((t) => m.tags[t] === true || m.tags[t] === 'true');
  if (m.tags.clonefrom === true) out.push('clonefrom');
  if (typeof m.tags.replicatefrom === 'string') out.push(`replicatefrom ${m.tags.replicatefrom}`);
  return out;
}

/** Which member each non-leader streams from, and whether the upstream confirmed it. */
function upstreams(view: ClusterView): Map<string, { from: string; confirmed: boolean; cascade: boolean }> {
  const names = new Set(view.members.map((m) => m.name));
  const reportedBy = new Map<string, string>();
  for (const m of view.members)
    for (const r of m.live?.streaming ?? []) if (names.has(r) && r !== m.name) reportedBy.set(r, m.name);
  const out = new Map<string, { from: string; confirmed: boolean; cascade: boolean }>();
  for (const m of view.members) {
    if (m.name === view.leader) continue;
    const seen = reportedBy.get(m.name);
    const tag = typeof m.tags.replicatefrom === 'string' ? m.tags.replicatefrom : undefined;
    if (seen) out.set(m.name, { from: seen, confirmed: true, cascade: seen !== view.leader });
    else if (tag && tag !== m.name && names.has(tag))
      out.set(m.name, { from: tag, confirmed: false, cascade: tag !== view.leader });
    else if (view.leader && names.has(view.leader))
      out.set(m.name, { from: view.leader, confirmed: false, cascade: false });
  }
  return out;
}

/** Builds the graph and its layered layout from one cluster view. */
export function buildTopology(view: ClusterView): TopologyGraph {
  const ups = upstreams(view);
  const children = new Map<string, string[]>();
  for (const [to, { from }] of ups) children.set(from, [...(children.get(from) ?? []), to]);
  for (const list of children.values()) list.sort();
  const byName = new Map(view.members.map((m) => [m.name, m]));
  const sync = new Set(view.syncStandbys);

  // depth-first from the leader: leaves take consecutive slots, parents sit over the middle of their children
  const depth = new Map<string, number>();
  const slot = new Map<string, number>();
  let next = 0;
  const place = (name: string, d: number) => {
    depth.set(name, d);
    const kids = (children.get(name) ?? []).filter((k) => !depth.has(k));
    for (const k of kids) place(k, d + 1);
    if (kids.length === 0) slot.set(name, next++);
    else slot.set(name, ((slot.get(kids[0]!) ?? 0) + (slot.get(kids[kids.length - 1]!) ?? 0)) / 2);
  };
  const root = view.leader && byName.has(view.leader) ? view.leader : undefined;
  if (root) place(root, 0);
  const detached = view.members
    .map((m) => m.name)
    .filter((n) => !depth.has(n))
    .sort();
  const maxDepth = Math.max(-1, ...depth.values());
  const detachedRow = maxDepth + 1;
  detached.forEach((n, i) => {
    depth.set(n, detachedRow);
    slot.set(n, i);
  });
  const slots = Math.max(1, next, detached.length);
  const rows = detached.length > 0 ? detachedRow + 1 : maxDepth + 1;
  const { nodeWidth, nodeHeight, gapX, gapY, margin } = LAYOUT;
  const width = margin * 2 + slots * nodeWidth + (slots - 1) * gapX;
  const height = margin * 2 + Math.max(1, rows) * nodeHeight + Math.max(0, rows - 1) * gapY;

  const nodes: TopologyNode[] = view.members.map((m) => {
    const d = depth.get(m.name) ?? 0;
    let s = slot.get(m.name) ?? 0;
    // the detached row is centred on its own
    if (detached.includes(m.name)) s += (slots - detached.length) / 2;
    const address = m.host ? `${m.host}${m.port ? `:${m.port}` : ''}` : undefined;
    return {
      name: m.name,
      role: m.role,
      state: m.state,
      ...(m.timeline !== undefined ? { timeline: m.timeline } : {}),
      ...(address ? { address } : {}),
      ...(m.lag !== undefined ? { lag: m.lag } : {}),
      unreachable: m.live?.reachable === false,
      down: memberDown(m),
      pendingRestart: m.pendingRestart,
      flags: flagsOf(m),
      depth: d,
      x: margin + s * (nodeWidth + gapX),
      y: margin + d * (nodeHeight + gapY),
    };
  });
  const edges: TopologyEdge[] = [...ups]
    .filter(([to]) => !detached.includes(to))
    .map(([to, u]) => {
      const m = byName.get(to);
      return {
        from: u.from,
        to,
        ...(m?.lag !== undefined ? { lag: m.lag } : {}),
        sync: sync.has(to) || m?.role === 'sync_standby',
        confirmed: u.confirmed,
        cascade: u.cascade,
      };
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const warnings = [...view.warnings];
  if (!root) warnings.unshift('The cluster has no leader: no member holds the leader lock.');
  return {
    scope: view.scope,
    leader: view.leader,
    synchronousMode: view.synchronousMode,
    paused: view.paused,
    source: view.source,
    at: view.at,
    nodes,
    edges,
    detached: root ? detached : [],
    width,
    height,
    warnings,
  };
}

// ------------------------------------------------------------------------------------------ rendering

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function lagText(lag: number | 'unknown' | undefined): string {
  if (lag === undefined) return '';
  return lag === 'unknown' ? 'lag ?' : formatBytes(lag);
}

function roleClass(n: TopologyNode): string {
  return `pk-role-${n.role.replace('_', '-')}`;
}

function nodeSvg(n: TopologyNode): string {
  const { nodeWidth: w, nodeHeight: h } = LAYOUT;
  const cls = ['pk-node', roleClass(n), n.unreachable ? 'pk-unreachable' : '', n.down ? 'pk-down' : '']
    .filter(Boolean)
    .join(' ');
  const status = [n.state, n.timeline !== undefined ? `TL ${n.timeline}` : ''].filter(Boolean).join(' · ');
  const badge = n.unreachable ? 'unreachable' : ROLE_LABEL[n.role];
  const flags = [...(n.pendingRestart ? ['pending restart'] : []), ...n.flags].join(' · ');
  const name = n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name;
  return [
    `<g class="${cls}" data-member="${escapeXml(n.name)}" data-role="${n.role}"${n.unreachable ? ' data-unreachable="true"' : ''} transform="translate(${n.x} ${n.y})">`,
    `<title>${escapeXml(`${n.name}: ${ROLE_LABEL[n.role]}, ${status}${n.address ? `, ${n.address}` : ''}${n.unreachable ? ', REST API unreachable' : ''}`)}</title>`,
    `<rect class="pk-box" width="${w}" height="${h}" rx="10" ry="10"/>`,
    `<rect class="pk-stripe" width="6" height="${h}" rx="3" ry="3"/>`,
    `<text class="pk-name" x="18" y="26">${escapeXml(name)}</text>`,
    `<text class="pk-badge" x="${w - 12}" y="26" text-anchor="end">${escapeXml(badge)}</text>`,
    `<text class="pk-status" x="18" y="47">${escapeXml(status)}</text>`,
    `<text class="pk-addr" x="18" y="66">${escapeXml(n.address ?? '')}</text>`,
    flags
      ? `<text class="pk-flags" x="18" y="83">${escapeXml(flags.length > 34 ? `${flags.slice(0, 33)}…` : flags)}</text>`
      : '',
    '</g>',
  ].join('');
}

function edgeSvg(e: TopologyEdge, byName: Map<string, TopologyNode>): string {
  const a = byName.get(e.from);
  const b = byName.get(e.to);
  if (!a || !b) return '';
  const { nodeWidth: w, nodeHeight: h } = LAYOUT;
  const x1 = a.x + w / 2;
  const y1 = a.y + h;
  const x2 = b.x + w / 2;
  const y2 = b.y;
  const my = (y1 + y2) / 2;
  const cls = [
    'pk-edge',
    e.sync ? 'pk-sync' : '',
    e.confirmed ? 'pk-confirmed' : 'pk-assumed',
    e.cascade ? 'pk-cascade' : '',
    b.unreachable ? 'pk-to-unreachable' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const label = [e.sync ? 'sync' : '', lagText(e.lag)].filter(Boolean).join(' · ');
  const lw = Math.max(34, label.length * 7 + 14);
  const lx = (x1 + x2) / 2;
  return [
    `<g class="${cls}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}">`,
    `<path d="M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2 - 6}" marker-end="url(#pk-arrow${e.sync ? '-sync' : ''})"/>`,
    label
      ? `<rect class="pk-lag-bg" x="${lx - lw / 2}" y="${my - 11}" width="${lw}" height="22" rx="11" ry="11"/><text class="pk-lag" x="${lx}" y="${my + 4}" text-anchor="middle">${escapeXml(label)}</text>`
      : '',
    '</g>',
  ].join('');
}

/** The graph as one standalone SVG element (id `topology-graph`), styled by the classes of {@link TOPOLOGY_CSS}. */
export function renderTopologySvg(g: TopologyGraph): string {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const defs =
    '<defs>' +
    '<marker id="pk-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path class="pk-arrowhead" d="M 0 0 L 10 5 L 0 10 z"/></marker>' +
    '<marker id="pk-arrow-sync" viewBox="0 0 10 10" refX="8" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path class="pk-arrowhead-sync" d="M 0 0 L 10 5 L 0 10 z"/></marker>' +
    '</defs>';
  return (
    `<svg id="topology-graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(`Topology of ${g.scope}`)}" width="${g.width}" height="${g.height}" viewBox="0 0 ${g.width} ${g.height}">` +
    defs +
    g.edges.map((e) => edgeSvg(e, byName)).join('') +
    g.nodes.map(nodeSvg).join('') +
    '</svg>'
  );
}

/** The styles of the panel; VS Code theme variables with fallbacks so the graph reads in any theme. */
export const TOPOLOGY_CSS = `
:root { color-scheme: light dark; }
body { margin: 0; padding: 20px 24px; font-family: var(--vscode-font-family, system-ui, sans-serif);
  color: var(--vscode-foreground, #ccc); background: var(--vscode-editor-background, #1e1e1e); }
#topology header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 6px; }
#topology-title { font-size: 1.35em; font-weight: 600; margin: 0; }
#topology-summary { opacity: .85; }
.pk-chip { display: inline-block; padding: 1px 9px; border-radius: 10px; margin-right: 6px; font-size: .85em;
  background: var(--vscode-badge-background, #4d4d4d); color: var(--vscode-badge-foreground, #fff); }
.pk-chip.pk-warn { background: var(--vscode-inputValidation-warningBackground, #5a4a00); }
.pk-chip.pk-bad { background: var(--vscode-inputValidation-errorBackground, #5a1d1d); }
#topology-canvas { overflow: auto; margin-top: 14px; }
#topology-warnings { margin: 8px 0 0; padding-left: 18px; color: var(--vscode-editorWarning-foreground, #cca700); }
#topology-error { padding: 12px 14px; border-radius: 6px; border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100);
  background: var(--vscode-inputValidation-errorBackground, #5a1d1d); }
#topology-error code { font-family: var(--vscode-editor-font-family, monospace); }
#topology-legend { display: flex; gap: 18px; flex-wrap: wrap; margin-top: 14px; font-size: .85em; opacity: .9; }
#topology-legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 3px;
  margin-right: 6px; vertical-align: -1px; background: currentColor; }
.pk-l-leader { color: #3fb950; } .pk-l-sync { color: #58a6ff; } .pk-l-quorum { color: #bc8cff; }
.pk-l-replica { color: #8b949e; } .pk-l-down { color: #f85149; }
#topology-updated { margin-top: 8px; font-size: .8em; opacity: .65; }
svg text { font-family: var(--vscode-font-family, system-ui, sans-serif); fill: var(--vscode-foreground, #ccc); }
.pk-box { fill: var(--vscode-sideBar-background, #252526); stroke: var(--vscode-panel-border, #444); stroke-width: 1.5; }
.pk-stripe { fill: #8b949e; }
.pk-name { font-size: 14px; font-weight: 600; }
.pk-badge { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.pk-status, .pk-addr, .pk-flags { font-size: 11.5px; opacity: .8; }
.pk-flags { fill: var(--vscode-editorWarning-foreground, #cca700); opacity: 1; }
.pk-role-leader .pk-box, .pk-role-standby-leader .pk-box { stroke: #3fb950; stroke-width: 2.5; }
.pk-role-leader .pk-stripe, .pk-role-standby-leader .pk-stripe { fill: #3fb950; }
.pk-role-leader .pk-badge, .pk-role-standby-leader .pk-badge { fill: #3fb950; }
.pk-role-sync-standby .pk-box { stroke: #58a6ff; } .pk-role-sync-standby .pk-stripe, .pk-role-sync-standby .pk-badge { fill: #58a6ff; }
.pk-role-quorum-standby .pk-box { stroke: #bc8cff; } .pk-role-quorum-standby .pk-stripe, .pk-role-quorum-standby .pk-badge { fill: #bc8cff; }
.pk-role-replica .pk-badge { fill: #8b949e; }
.pk-down .pk-box { stroke: #f85149; stroke-dasharray: 6 4; } .pk-down .pk-stripe, .pk-down .pk-badge { fill: #f85149; }
.pk-unreachable .pk-name, .pk-unreachable .pk-status { opacity: .6; }
.pk-edge path { fill: none; stroke: #8b949e; stroke-width: 2; }
.pk-edge.pk-assumed path { stroke-dasharray: 5 5; }
.pk-edge.pk-sync path { stroke: #58a6ff; stroke-width: 3; }
.pk-edge.pk-to-unreachable path { stroke: #f85149; }
.pk-arrowhead { fill: #8b949e; } .pk-arrowhead-sync { fill: #58a6ff; }
.pk-lag-bg { fill: var(--vscode-editor-background, #1e1e1e); stroke: var(--vscode-panel-border, #444); }
.pk-lag { font-size: 11px; }
.pk-sync .pk-lag { fill: #58a6ff; font-weight: 600; }
`;

/** What the panel shows: a graph, or why the cluster could not be read. */
export type TopologyContent =
  | { kind: 'graph'; graph: TopologyGraph }
  | { kind: 'error'; title: string; code: string; message: string; hint?: string }
  | { kind: 'loading'; title: string };

/** The inner HTML of `#topology` (the webview swaps it on each update without reloading). */
export function renderTopologyBody(c: TopologyContent): string {
  if (c.kind === 'loading')
    return `<header><h1 id="topology-title">${escapeXml(c.title)}</h1><span id="topology-summary">reading the cluster…</span></header>`;
  if (c.kind === 'error')
    return [
      `<header><h1 id="topology-title">${escapeXml(c.title)}</h1><span id="topology-summary"><span class="pk-chip pk-bad">unreachable</span></span></header>`,
      `<div id="topology-error"><strong>${escapeXml(c.code)}</strong>: ${escapeXml(c.message)}${c.hint ? `<br/>Hint: ${escapeXml(c.hint)}` : ''}</div>`,
    ].join('');
  const g = c.graph;
  const down = g.nodes.filter((n) => n.down).length;
  const chips = [
    g.leader
      ? `<span class="pk-chip">leader ${escapeXml(g.leader)}</span>`
      : '<span class="pk-chip pk-bad">no leader</span>',
    `<span class="pk-chip">${g.nodes.length} member${g.nodes.length === 1 ? '' : 's'}</span>`,
    `<span class="pk-chip">synchronous_mode ${g.synchronousMode}</span>`,
    g.paused ? '<span class="pk-chip pk-warn">paused</span>' : '',
    down > 0 ? `<span class="pk-chip pk-bad">${down} down</span>` : '',
    `<span class="pk-chip">from ${g.source === 'dcs' ? 'DCS' : 'REST'}</span>`,
  ].join('');
  const warnings =
    g.warnings.length > 0
      ? `<ul id="topology-warnings">${g.warnings.map((w) => `<li>${escapeXml(w)}</li>`).join('')}</ul>`
      : '';
  return [
    `<header><h1 id="topology-title">${escapeXml(g.scope)}</h1><span id="topology-summary">${chips}</span></header>`,
    warnings,
    `<div id="topology-canvas">${renderTopologySvg(g)}</div>`,
    '<div id="topology-legend"><span class="pk-l-leader">leader</span><span class="pk-l-sync">sync standby (thick edge)</span><span class="pk-l-quorum">quorum standby</span><span class="pk-l-replica">replica (dashed edge: not confirmed by the upstream)</span><span class="pk-l-down">down or unreachable</span></div>',
    `<div id="topology-updated">read at ${escapeXml(g.at)}</div>`,
  ].join('');
}

/**
 * The whole webview document: a strict CSP (nothing remote; the one script and style carry the nonce), the
 * body, and a script that swaps `#topology`'s content on `{ type: 'update', state, body }` messages.
 */
export function renderTopologyHtml(c: TopologyContent, opts: { nonce: string }): string {
  // nothing is loaded at all: the graph is inline SVG, the style and the script inline with the nonce
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${opts.nonce}'`,
    `script-src 'nonce-${opts.nonce}'`,
  ].join('; ');
  const title = c.kind === 'graph' ? c.graph.scope : c.title;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta http-equiv="Content-Security-Policy" content="${csp}"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Topology: ${escapeXml(title)}</title>
<style nonce="${opts.nonce}">${TOPOLOGY_CSS}</style>
</head>
<body>
<div id="topology" data-state="${topologyState(c)}">${renderTopologyBody(c)}</div>
<script nonce="${opts.nonce}">
(function () {
  var root = document.getElementById('topology');
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  window.addEventListener('message', function (event) {
    var m = event.data;
    if (!m || m.type !== 'update' || typeof m.body !== 'string') return;
    root.innerHTML = m.body;
    root.setAttribute('data-state', String(m.state));
  });
  if (vscode) vscode.postMessage({ type: 'ready' });
})();
</script>
</body>
</html>`;
}

/** `ok`, `error` or `loading`: the `data-state` of `#topology`. */
export function topologyState(c: TopologyContent): 'ok' | 'error' | 'loading' {
  return c.kind === 'graph' ? 'ok' : c.kind;
}
