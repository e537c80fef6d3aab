/**
 * Property-based fuzzing (npm fast-check, seeded) of the Cluster facade against real local servers on
 * 127.0.51.x: an etcd JSON gateway answering arbitrary Patroni keys, and a member REST API answering arbitrary
 * shapes and faults. Properties: status, health and reload settle within their deadlines; nothing but a
 * PatroniKitError escapes; each member gets a reload at most once; a reload the member received but did not
 * answer completely is reported as unknown.
 * PATRONI_KIT_FUZZ_SCALE multiplies the runs (scripts/bench-fuzz.mjs); PATRONI_KIT_FUZZ_SEED replays a seed.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isPatroniKitError } from '@patroni-kit/errors';
import fc from 'fast-check';
import { Cluster, healthReport } from '../src/index.js';
import { settles } from './helpers.js';

const scale = Number(process.env.PATRONI_KIT_FUZZ_SCALE ?? 1);
const seed = Number(process.env.PATRONI_KIT_FUZZ_SEED ?? 13);
const runs = (n: number) => ({
  seed,
  numRuns: Math.max(1, Math.round(n * scale)),
  endOnFailure: true,
  includeErrorInReport: true,
});

type Fault = 'answer' | 'drop' | 'hang' | 'garbage' | 'short-body';
interface MemberScenario {
  fault: Fault;
  status: number;
  body: string;
}
let member: MemberScenario = { fault: 'answer', status: 200, body: '{}' };
let kvs: Array<{ key: string; value: string }> = [];
const writes: string[] = [];
const sockets = new Set<net.Socket>();

const memberServer = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  let buf = '';
  socket.on('data', (c: Buffer) => {
    buf += c.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const [method = '', path = ''] = (buf.split('\r\n')[0] ?? '').split(' ');
    buf = '\u0000'.repeat(1e6); // handled: ignore the rest of this connection's bytes
    if (method !== 'GET') writes.push(`${method} ${path}`);
    const s = member;
    const body = Buffer.from(s.body);
    const head = (n: number) =>
      `HTTP/1.1 ${s.status} X\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\nconnection: close\r\n\r\n`;
    if (s.fault === 'answer') socket.end(Buffer.concat([Buffer.from(head(body.length)), body]));
    else if (s.fault === 'drop') socket.destroy();
    else if (s.fault === 'garbage') socket.end('\u0000garbage\r\n\r\n');
    else if (s.fault === 'short-body') {
      socket.write(head(body.length + 5));
      socket.end(body);
    }
  });
});
const etcdServer = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    res.end(
      JSON.stringify({
        header: { revision: '5' },
        kvs: kvs.map((kv) => ({ key: b64(kv.key), value: b64(kv.value), mod_revision: '5' })),
      }),
    );
  });
});
let memberUrl = '';
let etcdUrl = '';
before(async () => {
  await new Promise<void>((r) => memberServer.listen(0, '127.0.51.20', r));
  await new Promise<void>((r) => etcdServer.listen(0, '127.0.51.21', r));
  memberUrl = `http://127.0.51.20:${(memberServer.address() as net.AddressInfo).port}`;
  etcdUrl = `etcd3://127.0.51.21:${(etcdServer.address() as net.AddressInfo).port}`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  etcdServer.closeAllConnections();
  await Promise.all([new Promise((r) => memberServer.close(r)), new Promise((r) => etcdServer.close(r))]);
});

const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
const memberValue = fc
  .record(
    {
      state: fc.oneof(fc.constantFrom('running', 'streaming', 'stopped'), fc.jsonValue({ maxDepth: 1 })),
      role: fc.oneof(
        fc.constantFrom('primary', 'master', 'replica', 'standby_leader'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      api_url: fc.oneof(fc.constant('MEMBER'), fc.constantFrom('http://[bad', 'ftp://x', ''), fc.integer()),
      conn_url: fc.constantFrom('postgres://127.0.51.20:5432/postgres', 'junk', 5),
      timeline: fc.oneof(fc.integer(), fc.string()),
      xlog_location: fc.oneof(fc.integer(), fc.constant('{"toString":0}')),
      pending_restart: fc.oneof(fc.boolean(), fc.string()),
      pending_restart_reason: fc.oneof(fc.constant({ x: null }), fc.jsonValue({ maxDepth: 2 })),
      tags: fc.oneof(fc.constant({ nofailover: true }), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  )
  .map((v) => JSON.stringify(v).replace('"MEMBER"', JSON.stringify('MEMBER_URL')));
const keyValue = fc.oneof(
  fc.tuple(fc.constantFrom('members/n1', 'members/n2', 'members/n3'), memberValue),
  fc.tuple(fc.constant('leader'), fc.constantFrom('n1', 'n2', '', 'zz')),
  fc.tuple(
    fc.constantFrom(
      'config',
      'status',
      'failsafe',
      'history',
      'sync',
      'failover',
      'initialize',
      'optime/leader',
    ),
    fc.oneof(json, fc.constantFrom('{"toString":0}', '{"loop_wait":{"toString":0},"pause":"yes"}')),
  ),
);
const scenario = fc.record({
  member: fc.record({
    fault: fc.constantFrom<Fault>('answer', 'answer', 'answer', 'drop', 'garbage', 'short-body', 'hang'),
    status: fc.constantFrom(200, 202, 401, 500, 502, 503),
    body: fc.oneof(
      json,
      fc.constant(
        JSON.stringify({ state: 'running', role: 'primary', patroni: { version: '4.0.7', scope: 'a' } }),
      ),
      fc.constant(
        JSON.stringify({
          state: 'running',
          role: { x: 1 },
          patroni: { version: '4.0.7' },
          replication: [null],
          xlog: 5,
        }),
      ),
    ),
  }),
  keys: fc.array(keyValue, { maxLength: 8 }),
  op: fc.constantFrom('status', 'health', 'reload'),
});

/** Generous slack over the deadlines: it bounds the wait, it is not a speed claim. */
const SETTLE_BOUND = 10_000;

describe('fuzz: Cluster facade against a hostile etcd and member (issue 13)', () => {
  it('status, health and reload settle, throw only typed errors, reload each member at most once', async (t) => {
    let calls = 0;
    let unknowns = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        member = s.member;
        kvs = s.keys.map(([k, v]) => ({ key: `/service/a/${k}`, value: v.replace('MEMBER_URL', memberUrl) }));
        writes.length = 0;
        const cluster = await Cluster.connect({
          dcsUrl: etcdUrl,
          scope: 'a',
          timeouts: { dcs: 500, member: 300, write: 500 },
        });
        const run = async () => {
          if (s.op === 'status') return cluster.status();
          if (s.op === 'health') return healthReport(await cluster.status());
          return cluster.reload({});
        };
        let outcome: { value: unknown } | { error: unknown };
        try {
          outcome = await settles(
            run().then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            ),
            SETTLE_BOUND,
            s.op,
          );
        } finally {
          await cluster.close();
        }
        calls++;
        if ('error' in outcome)
          assert.ok(isPatroniKitError(outcome.error), `${s.op} threw an untyped ${String(outcome.error)}`);
        else JSON.stringify(outcome.value);
        if (s.op !== 'reload' || 'error' in outcome) return;
        const result = outcome.value as { members?: Array<{ member: string; outcome: string }> };
        // Every member with the reachable api_url shares one server: one POST per member selected.
        const selected = (result.members ?? []).length;
        assert.ok(writes.length <= selected, `${writes.length} writes for ${selected} members`);
        for (const m of result.members ?? []) if (m.outcome === 'unknown') unknowns++;
        if (writes.length > 0 && s.member.fault !== 'answer')
          assert.ok(
            (result.members ?? []).some((m) => m.outcome === 'unknown'),
            `a reload that reached the member and got ${s.member.fault} must be unknown: ${JSON.stringify(result)}`,
          );
      }),
      runs(80),
    );
    t.diagnostic(`facade calls: ${calls}, unknown member outcomes: ${unknowns}`);
  });
});
