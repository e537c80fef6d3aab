/**
 * `list` output against what patronictl 4.0.7 printed for the same cluster on the lab (pretty, json, yaml,
 * tsv), and the exit codes of action results.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MemberLive, viewFromDcs } from '@patroni-kit/cluster';
import { buildClusterState, type RawKv } from '@patroni-kit/dcs';
import { clusterFooter, clusterTitle, listRows, renderResult, renderRows } from '../src/format/cluster.js';

const prefix = '/service/lab/';
const kv = (key: string, value: unknown): RawKv => ({
  key: `${prefix}${key}`,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  createRevision: '2',
  modRevision: '3',
  version: '1',
});
const member = (n: number, role: string, extra: Record<string, unknown> = {}) =>
  kv(`members/n${n}`, {
    conn_url: `postgres://127.0.10.1${n}:5432/postgres`,
    api_url: `http://127.0.10.1${n}:8008/patroni`,
    state: 'running',
    role,
    version: '4.0.7',
    xlog_location: 67108960,
    timeline: 1,
    ...extra,
  });

function view(extra: RawKv[] = [], n1: Record<string, unknown> = {}) {
  const state = buildClusterState(
    [
      kv('initialize', '7712164557215530966'),
      kv('config', { loop_wait: 2 }),
      kv('leader', 'n2'),
      kv('status', { optime: 67108960 }),
      member(1, 'replica', { replication_state: 'streaming', ...n1 }),
      member(2, 'primary'),
      member(3, 'replica', { replication_state: 'streaming' }),
      ...extra,
    ],
    { namespace: 'service', scope: 'lab', prefix, revision: '40' },
  );
  const live = new Map<string, MemberLive>([['n2', { reachable: true, role: 'primary', state: 'running' }]]);
  return viewFromDcs(state, live);
}

function render(format: 'pretty' | 'json' | 'yaml' | 'tsv', v = view()) {
  const { columns, rows } = listRows(v);
  return renderRows(columns, rows, format, clusterTitle(v), clusterFooter(v));
}

describe('list output matches patronictl 4.0.7', () => {
  it('pretty', () => {
    assert.equal(
      render('pretty'),
      `+ Cluster: lab (7712164557215530966) --------+----+-----------+
| Member | Host        | Role    | State     | TL | Lag in MB |
+--------+-------------+---------+-----------+----+-----------+
| n1     | 127.0.10.11 | Replica | streaming |  1 |         0 |
| n2     | 127.0.10.12 | Leader  | running   |  1 |           |
| n3     | 127.0.10.13 | Replica | streaming |  1 |         0 |
+--------+-------------+---------+-----------+----+-----------+
`,
    );
  });

  it('json, yaml and tsv', () => {
    const theirs =
      '[{"Cluster": "lab", "Member": "n1", "Host": "127.0.10.11", "Role": "Replica", "State": "streaming", "TL": 1, "Lag in MB": 0}, {"Cluster": "lab", "Member": "n2", "Host": "127.0.10.12", "Role": "Leader", "State": "running", "TL": 1}, {"Cluster": "lab", "Member": "n3", "Host": "127.0.10.13", "Role": "Replica", "State": "streaming", "TL": 1, "Lag in MB": 0}]';
    assert.deepEqual(JSON.parse(render('json')), JSON.parse(theirs));
    assert.equal(
      render('tsv'),
      'Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\nlab\tn1\t127.0.10.11\tReplica\tstreaming\t1\t0\nlab\tn2\t127.0.10.12\tLeader\trunning\t1\t\nlab\tn3\t127.0.10.13\tReplica\tstreaming\t1\t0\n',
    );
    assert.equal(
      render('yaml').split('\n').slice(0, 8).join('\n'),
      '- Cluster: lab\n  Host: 127.0.10.11\n  Lag in MB: 0\n  Member: n1\n  Role: Replica\n  State: streaming\n  TL: 1\n- Cluster: lab',
    );
  });

  it('optional columns, multi-line tags, footer', () => {
    const v = view([kv('config', { pause: true })], {
      pending_restart: true,
      tags: { nofailover: true, zone: 'a' },
    });
    const out = render('pretty', v);
    assert.match(out, /\| Pending restart \| Tags +\|/);
    assert.match(out, /\| n1 +\|.*\| \* +\| nofailover: true \|\n\| +\| +\|.*\| zone: a +\|/);
    assert.match(out, /\n Maintenance mode: on\n$/);
  });

  it('action results: exit 0 succeeded, 1 failed (with the refusing check), 3 unknown', () => {
    assert.equal(
      renderResult({ action: 'x', outcome: 'succeeded', reason: 'ok', sent: true }, false).code,
      0,
    );
    const failed = renderResult(
      { action: 'switchover', outcome: 'failed', reason: 'no', sent: false, check: 'leader-matches' },
      false,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.text, /pre-check leader-matches refused; nothing was sent/);
    const unknown = renderResult(
      { action: 'switchover', outcome: 'unknown', reason: 'timeout', sent: true },
      false,
    );
    assert.equal(unknown.code, 3);
    assert.match(unknown.text, /read the cluster/);
  });
});
