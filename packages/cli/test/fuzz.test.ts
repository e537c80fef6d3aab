/**
 * Property-based fuzzing (npm fast-check, seeded) of the CLI's renderers: list rows in every format, notes,
 * titles, action results and watch events, from cluster views built out of arbitrary DCS keys and member
 * answers; then list, topology, history and health through main() against a real etcd-shaped server on
 * 127.0.52.x. Properties: nothing throws, JSON output parses, exit codes are 0-3, no JavaScript error text
 * and no "[object Object]" reaches the user.
 * PATRONI_KIT_FUZZ_SCALE multiplies the runs (scripts/bench-fuzz.mjs); PATRONI_KIT_FUZZ_SEED replays a seed.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ActionResult,
  liveFromStatus,
  type MemberLive,
  viewFromDcs,
  viewFromRest,
} from '@patroni-kit/cluster';
import { buildClusterState, diffStates, type RawKv } from '@patroni-kit/dcs';
import fc from 'fast-check';
import { describeEvent } from '../src/commands/watch.js';
import {
  clusterFooter,
  clusterTitle,
  listRows,
  renderResult,
  renderRows,
  viewNotes,
} from '../src/format/cluster.js';
import { cli } from './run-cli.js';

const scale = Number(process.env.PATRONI_KIT_FUZZ_SCALE ?? 1);
const seed = Number(process.env.PATRONI_KIT_FUZZ_SEED ?? 13);
const runs = (n: number) => ({
  seed,
  numRuns: Math.max(1, Math.round(n * scale)),
  endOnFailure: true,
  includeErrorInReport: true,
});
const untyped =
  /TypeError|RangeError|Cannot read prop|is not a function|Maximum call stack|\[object Object\]|: undefined\b|\| undefined /;

const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>({ toString: 0 }, { x: null }, [null], '', 'master', 'primary', 'replica'),
);
const memberJson = fc
  .record(
    {
      state: odd,
      role: odd,
      api_url: odd,
      conn_url: fc.oneof(odd, fc.constant('postgres://127.0.52.9:5432/postgres')),
      timeline: odd,
      xlog_location: odd,
      replication_state: odd,
      pending_restart: odd,
      pending_restart_reason: odd,
      scheduled_restart: odd,
      tags: odd,
      version: odd,
    },
    { requiredKeys: [] },
  )
  .map((v) => JSON.stringify(v));
const entry = fc.oneof(
  fc.tuple(fc.constantFrom('members/n1', 'members/n2', 'members/n3'), memberJson),
  fc.tuple(fc.constant('leader'), fc.constantFrom('n1', 'n2', 'x')),
  fc.tuple(
    fc.constantFrom('config', 'status', 'failsafe', 'history', 'sync', 'failover', 'initialize'),
    odd.map((v) => JSON.stringify(v) ?? 'null'),
  ),
);
const kvsArb = fc.array(entry, { maxLength: 9 }).map((list) =>
  list.map(
    ([k, v]): RawKv => ({
      key: `/service/a/${k}`,
      value: Buffer.from(v),
      createRevision: '1',
      modRevision: '2',
      version: '1',
    }),
  ),
);
const nodeStatus = fc.record(
  { state: odd, role: odd, timeline: odd, patroni: odd, xlog: odd, replication: odd, pending_restart: odd },
  { requiredKeys: [] },
);
const opts = { namespace: 'service', scope: 'a', prefix: '/service/a/', revision: '2' };

function renderAll(view: Parameters<typeof listRows>[0]): string {
  let out = '';
  for (const extended of [false, true]) {
    const { columns, rows } = listRows(view, { extended });
    for (const format of ['pretty', 'json', 'yaml', 'tsv'] as const) {
      const text = renderRows(columns, rows, format, clusterTitle(view), clusterFooter(view));
      if (format === 'json') JSON.parse(text);
      out += text;
    }
  }
  return out + viewNotes(view).join('\n');
}

describe('fuzz: CLI renderers (issue 13)', () => {
  it('list rows, notes, titles and watch events render any cluster view', (t) => {
    let views = 0;
    fc.assert(
      fc.property(kvsArb, kvsArb, fc.array(nodeStatus, { maxLength: 3 }), (a, b, lives) => {
        const before = buildClusterState(a, opts);
        const state = buildClusterState(b, opts);
        const live = new Map<string, MemberLive>();
        lives.forEach((s, i) => {
          try {
            live.set(`n${i + 1}`, liveFromStatus(s as never));
          } catch (err) {
            assert.fail(`liveFromStatus threw ${String(err)}`);
          }
        });
        const out = renderAll(viewFromDcs(state, live));
        views++;
        assert.doesNotMatch(out, untyped, out);
        for (const e of diffStates(before, state)) assert.doesNotMatch(describeEvent(e), untyped);
        const rest = viewFromRest(
          'a',
          { members: [...state.members.map((m) => m.value), null] } as never,
          live,
        );
        assert.doesNotMatch(renderAll(rest), untyped);
        views++;
      }),
      runs(400),
    );
    t.diagnostic(`views rendered: ${views}`);
  });

  it('action results render in text and JSON with exit codes 0, 1 or 3', () => {
    const result = fc.record({
      action: fc.string({ maxLength: 20 }),
      outcome: fc.constantFrom('succeeded', 'failed', 'unknown'),
      reason: fc.string({ maxLength: 60 }),
      sent: fc.boolean(),
      check: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      members: fc.option(
        fc.array(
          fc.record({
            member: fc.string({ maxLength: 8 }),
            outcome: fc.constantFrom('succeeded', 'failed', 'unknown'),
            reason: fc.string({ maxLength: 30 }),
          }),
          { maxLength: 3 },
        ),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(result, (r) => {
        const clean = JSON.parse(JSON.stringify(r)) as ActionResult<unknown>;
        for (const json of [false, true]) {
          const { text, code } = renderResult(clean, json);
          assert.ok([0, 1, 3].includes(code));
          if (json) JSON.parse(text);
        }
      }),
      runs(300),
    );
  });
});

describe('fuzz: CLI commands against an etcd answering arbitrary keys (issue 13)', () => {
  let kvs: RawKv[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({
          header: { revision: '2' },
          kvs: kvs.map((kv) => ({
            key: Buffer.from(kv.key).toString('base64'),
            value: kv.value.toString('base64'),
            mod_revision: '2',
          })),
        }),
      );
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.52.3', r));
    url = `etcd3://127.0.52.3:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('list, topology, history and health exit 0-3 and print no JavaScript error', async (t) => {
    let commands = 0;
    await fc.assert(
      fc.asyncProperty(
        kvsArb,
        fc.constantFrom<string[]>(
          ['list', '-e'],
          ['list', '-f', 'json'],
          ['topology'],
          ['history'],
          ['health'],
          ['list', '-f', 'tsv'],
        ),
        async (list, command) => {
          kvs = list;
          const r = await cli(...command, 'a', '--dcs-url', url);
          commands++;
          assert.ok([0, 1, 2, 3].includes(r.code), `${command.join(' ')}: exit ${r.code}`);
          assert.doesNotMatch(r.stdout + r.stderr, untyped, `${command.join(' ')}:\n${r.stdout}${r.stderr}`);
          if (command.includes('json') && r.code === 0) JSON.parse(r.stdout);
        },
      ),
      runs(60),
    );
    t.diagnostic(`CLI commands run: ${commands}`);
  });
});
