/** The topology graph, its layout and the webview HTML, from cluster views the SDK builds from DCS keys. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildTopology,
  LAYOUT,
  renderTopologyBody,
  renderTopologyHtml,
  renderTopologySvg,
  type TopologyGraph,
} from '../src/model/topology.js';
import { clusterView, healthy } from './views.js';

const node = (g: TopologyGraph, name: string) => {
  const n = g.nodes.find((x) => x.name === name);
  assert.ok(n, name);
  return n;
};
const edge = (g: TopologyGraph, to: string) => g.edges.find((e) => e.to === to);

/** Start tags of one element name minus its end tags (0 for balanced markup). */
function unbalanced(markup: string, tag: string): number {
  return (
    (markup.match(new RegExp(`<${tag}[\\s>]`, 'g')) ?? []).length -
    (markup.match(new RegExp(`</${tag}>`, 'g')) ?? []).length
  );
}

describe('topology graph', () => {
  it('a healthy three-node cluster: the leader on top, both replicas one row below, streams from the leader', () => {
    const g = buildTopology(healthy('n2'));
    assert.equal(g.leader, 'n2');
    assert.equal(node(g, 'n2').depth, 0);
    assert.equal(node(g, 'n1').depth, 1);
    assert.equal(node(g, 'n3').depth, 1);
    assert.deepEqual(
      g.edges.map((e) => `${e.from}->${e.to}`),
      ['n2->n1', 'n2->n3'],
    );
    // no member reported its streams: the edges are assumed, not confirmed
    assert.ok(g.edges.every((e) => !e.confirmed && !e.cascade && !e.sync));
    // the leader sits centred over its two replicas, in one row per depth
    const [a, b, l] = [node(g, 'n1'), node(g, 'n3'), node(g, 'n2')];
    assert.equal(l.x, (a.x + b.x) / 2);
    assert.equal(a.y, b.y);
    assert.equal(a.y - l.y, LAYOUT.nodeHeight + LAYOUT.gapY);
    assert.equal(b.x - a.x, LAYOUT.nodeWidth + LAYOUT.gapX);
    assert.equal(g.width, 2 * LAYOUT.margin + 2 * LAYOUT.nodeWidth + LAYOUT.gapX);
    assert.deepEqual(g.detached, []);
  });

  it('cascading replicas: replicatefrom puts n3 under n2; the upstream streaming list confirms an edge', () => {
    const view = clusterView({
      leader: 'n1',
      members: [
        { name: 'n1', streaming: ['n2'] },
        { name: 'n2', replicationState: 'streaming', lagBytes: 4096, streaming: ['n3'] },
        { name: 'n3', replicationState: 'streaming', lagBytes: 16 * 1048576, tags: { replicatefrom: 'n2' } },
      ],
    });
    const g = buildTopology(view);
    assert.deepEqual(edge(g, 'n2'), {
      from: 'n1',
      to: 'n2',
      lag: 4096,
      sync: false,
      confirmed: true,
      cascade: false,
    });
    assert.deepEqual(edge(g, 'n3'), {
      from: 'n2',
      to: 'n3',
      lag: 16 * 1048576,
      sync: false,
      confirmed: true,
      cascade: true,
    });
    assert.deepEqual([node(g, 'n1').depth, node(g, 'n2').depth, node(g, 'n3').depth], [0, 1, 2]);
    assert.equal(node(g, 'n3').x, node(g, 'n2').x, 'an only child sits under its upstream');
    assert.ok(node(g, 'n3').flags.includes('replicatefrom n2'));
    const svg = renderTopologySvg(g);
    assert.match(svg, /<g class="pk-edge pk-confirmed pk-cascade" data-from="n2" data-to="n3">/);
    assert.match(svg, /<text class="pk-lag"[^>]*>16\.0 MiB<\/text>/);
  });

  it('a replicatefrom tag without a stream report is drawn as an assumed cascade', () => {
    const g = buildTopology(healthy('n1', { n3: { tags: { replicatefrom: 'n2' } } }));
    assert.deepEqual(
      [edge(g, 'n3')?.from, edge(g, 'n3')?.confirmed, edge(g, 'n3')?.cascade],
      ['n2', false, true],
    );
  });

  it('sync standby: role and a sync edge, from the sync key Patroni writes', () => {
    const view = clusterView({
      leader: 'n1',
      config: { synchronous_mode: true },
      sync: { leader: 'n1', sync_standby: 'n3' },
      members: ['n1', 'n2', 'n3'].map((name) => ({
        name,
        ...(name === 'n1' ? {} : { replicationState: 'streaming' }),
      })),
    });
    const g = buildTopology(view);
    assert.equal(g.synchronousMode, 'on');
    assert.equal(node(g, 'n3').role, 'sync_standby');
    assert.equal(edge(g, 'n3')?.sync, true);
    assert.equal(edge(g, 'n2')?.sync, false);
    const svg = renderTopologySvg(g);
    assert.match(svg, /data-member="n3" data-role="sync_standby"/);
    assert.match(svg, /class="pk-edge pk-sync pk-assumed" data-from="n1" data-to="n3"/);
    assert.match(svg, />sync · 0 B</);
  });

  it('an unreachable member is marked; its edge is drawn to it in the down style', () => {
    const g = buildTopology(healthy('n1', { n2: { reachable: false, state: 'stopped' } }));
    const n2 = node(g, 'n2');
    assert.equal(n2.unreachable, true);
    assert.equal(n2.down, true);
    assert.equal(node(g, 'n3').down, false);
    const svg = renderTopologySvg(g);
    assert.match(
      svg,
      /<g class="pk-node pk-role-replica pk-unreachable pk-down" data-member="n2" data-role="replica" data-unreachable="true"/,
    );
    assert.match(svg, /class="pk-edge pk-assumed pk-to-unreachable" data-from="n1" data-to="n2"/);
    assert.match(renderTopologyBody({ kind: 'graph', graph: g }), /1 down/);
  });

  it('no leader: every member in one detached row, no edges, and a warning', () => {
    const g = buildTopology(clusterView({ leader: null, members: [{ name: 'n1' }, { name: 'n2' }] }));
    assert.deepEqual(g.edges, []);
    assert.ok(g.nodes.every((n) => n.depth === 0));
    assert.match(g.warnings[0] ?? '', /no leader/);
    assert.match(renderTopologyBody({ kind: 'graph', graph: g }), /pk-chip pk-bad">no leader/);
  });

  it('a replicatefrom cycle cannot reach the leader: its members go to the detached row', () => {
    const g = buildTopology(
      healthy('n1', { n2: { tags: { replicatefrom: 'n3' } }, n3: { tags: { replicatefrom: 'n2' } } }),
    );
    assert.deepEqual(g.detached, ['n2', 'n3']);
    assert.deepEqual(g.edges, []);
    assert.equal(node(g, 'n2').depth, 1);
  });

  it('names are escaped in the SVG and the page', () => {
    const g = buildTopology(healthy('n1', {}));
    g.nodes[1]!.name = '<img src=x onerror=alert(1)>';
    g.scope = '"><script>x</script>';
    const svg = renderTopologySvg(g);
    assert.ok(!svg.includes('<img') && !svg.includes('<script'));
    assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/);
    const html = renderTopologyHtml({ kind: 'graph', graph: g }, { nonce: 'N0nce' });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });
});

describe('topology webview page', () => {
  const html = renderTopologyHtml(
    { kind: 'graph', graph: buildTopology(healthy('n1')) },
    { nonce: 'abc123' },
  );

  it('a strict CSP: nothing by default, the script and the style only with the nonce, nothing remote', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(csp);
    assert.equal(csp, "default-src 'none'; style-src 'nonce-abc123'; script-src 'nonce-abc123'");
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.match(csp, /style-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(html, /<script nonce="abc123">/);
    assert.match(html, /<style nonce="abc123">/);
    // no remote resource: the only URL is the SVG namespace
    assert.deepEqual(html.match(/https?:\/\/[^\s"')]+/g), ['http://www.w3.org/2000/svg']);
    assert.doesNotMatch(html, /\ssrc=|<link|style="/);
  });

  it('the landmarks the UI tests wait for, balanced markup', () => {
    for (const id of [
      'topology',
      'topology-title',
      'topology-summary',
      'topology-graph',
      'topology-legend',
      'topology-updated',
    ])
      assert.match(html, new RegExp(`id="${id}"`), id);
    assert.match(html, /<div id="topology" data-state="ok">/);
    assert.match(html, /<title>Topology: demo<\/title>/);
    for (const tag of ['g', 'svg', 'text', 'div', 'header', 'marker', 'defs'])
      assert.equal(unbalanced(html, tag), 0, tag);
    assert.equal((html.match(/class="pk-node /g) ?? []).length, 3);
    assert.equal((html.match(/class="pk-edge /g) ?? []).length, 2);
  });

  it('error and loading states', () => {
    const err = renderTopologyHtml(
      {
        kind: 'error',
        title: 'prod',
        code: 'CONNECT',
        message: 'connection refused <127.0.106.2:9>',
        hint: 'check the URL',
      },
      { nonce: 'n' },
    );
    assert.match(err, /data-state="error"/);
    assert.match(
      err,
      /<div id="topology-error"><strong>CONNECT<\/strong>: connection refused &lt;127\.0\.106\.2:9&gt;<br\/>Hint: check the URL<\/div>/,
    );
    assert.match(
      renderTopologyHtml({ kind: 'loading', title: 'prod' }, { nonce: 'n' }),
      /data-state="loading"/,
    );
  });
});
