/**
 * Property-based fuzzing (npm fast-check, seeded) of the REST client against a real TCP server on 127.0.50.2
 * that answers each request with an arbitrary status, content type and body, or a fault (drop, reset, hang,
 * garbage, a huge header, a short or dripping body). Properties: every call settles within its deadline;
 * nothing but a PatroniKitError escapes; a write is sent at most once; a write the server received and
 * then did not answer completely is `unknown`, never failed or thrown.
 * PATRONI_KIT_FUZZ_SCALE multiplies the runs (scripts/bench-fuzz.mjs); PATRONI_KIT_FUZZ_SEED replays a seed.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isPatroniKitError } from '@patroni-kit/errors';
import fc from 'fast-check';
import { PatroniClient, type WriteResult } from '../src/index.js';
import { type HostileServer, rawHostile, type Seen } from './hostile-servers.js';

const scale = Number(process.env.PATRONI_KIT_FUZZ_SCALE ?? 1);
const seed = Number(process.env.PATRONI_KIT_FUZZ_SEED ?? 13);
const runs = (n: number) => ({
  seed,
  numRuns: Math.max(1, Math.round(n * scale)),
  endOnFailure: true,
  includeErrorInReport: true,
});

const faults = ['answer', 'drop', 'reset', 'hang', 'garbage', 'huge-header', 'short-body', 'drip'] as const;
type Fault = (typeof faults)[number];
interface Scenario {
  fault: Fault;
  status: number;
  contentType: string;
  body: string;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  fault: fc.oneof(
    { arbitrary: fc.constant<Fault>('answer'), weight: 10 },
    { arbitrary: fc.constantFrom<Fault>('drop', 'reset', 'garbage', 'huge-header', 'short-body'), weight: 5 },
    { arbitrary: fc.constantFrom<Fault>('hang', 'drip'), weight: 1 },
  ),
  status: fc.constantFrom(200, 201, 202, 204, 301, 400, 401, 403, 404, 409, 412, 500, 502, 503, 504, 599),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'text/html',
    '',
    'application/json; charset=x',
  ),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? ''),
    fc.string({ maxLength: 300 }),
    fc.constantFrom(
      'Switchover status unknown',
      '<title>Error response</title><p>Message: x.</p>',
      JSON.stringify({ state: 'running', role: 'primary', patroni: { version: '4.0.7', scope: 'x' } }),
      JSON.stringify({ members: [null, { name: 1 }, { name: 'n1', role: {} }] }),
      JSON.stringify([[1, 2, 'r'], null]),
      '{"toString":0}',
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    ),
  ),
});

let current: Scenario = { fault: 'answer', status: 200, contentType: 'application/json', body: '{}' };
const drips = new Set<NodeJS.Timeout>();

function respond(socket: net.Socket, s: Scenario): void {
  const body = Buffer.from(s.body, 'utf8');
  const head = (length: number, extra = '') =>
    `HTTP/1.1 ${s.status} Whatever\r\n${s.contentType ? `content-type: ${s.contentType}\r\n` : ''}content-length: ${length}\r\nconnection: close\r\n${extra}\r\n`;
  switch (s.fault) {
    case 'answer':
      socket.end(Buffer.concat([Buffer.from(head(body.length)), body]));
      return;
    case 'drop':
      socket.destroy();
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'hang':
      return;
    case 'garbage':
      socket.end(Buffer.from(`\u0000\u00ff${s.body}\r\n\r\n`, 'latin1'));
      return;
    case 'huge-header':
      socket.end(head(0, `x-junk: ${'a'.repeat(70_000)}\r\n`));
      return;
    case 'short-body':
      socket.write(head(body.length + 10));
      socket.end(body);
      return;
    case 'drip': {
      socket.write(head(1_000_000));
      const timer = setInterval(() => {
        if (socket.destroyed) {
          clearInterval(timer);
          drips.delete(timer);
        } else socket.write('x');
      }, 20);
      drips.add(timer);
      return;
    }
  }
}

let server: HostileServer;
before(async () => {
  server = await rawHostile('127.0.50.2', (socket) => respond(socket, current));
});
after(async () => {
  for (const t of drips) clearInterval(t);
  await server.close();
});

const TIMEOUT = 250;
/** Generous slack over the deadline: it bounds the wait, it is not a speed claim. */
const SETTLE_BOUND = TIMEOUT + 2000;

type Op = { name: string; write: boolean; run: (c: PatroniClient) => Promise<unknown> };
const o = { timeoutMs: TIMEOUT };
const ops: Op[] = [
  { name: 'getPatroni', write: false, run: (c) => c.getPatroni(o) },
  { name: 'getCluster', write: false, run: (c) => c.getCluster(o) },
  { name: 'getHistory', write: false, run: (c) => c.getHistory(o) },
  { name: 'getConfig', write: false, run: (c) => c.getConfig(o) },
  { name: 'getFailsafe', write: false, run: (c) => c.getFailsafe(o) },
  { name: 'getMetrics', write: false, run: (c) => c.getMetrics(o) },
  { name: 'health', write: false, run: (c) => c.health('replica', { lag: 10 }, o) },
  { name: 'healthStatus', write: false, run: (c) => c.healthStatus('primary', {}, o) },
  { name: 'liveness', write: false, run: (c) => c.liveness(o) },
  { name: 'switchover', write: true, run: (c) => c.switchover({ leader: 'a', candidate: 'b' }, o) },
  { name: 'failover', write: true, run: (c) => c.failover({ candidate: 'b' }, o) },
  { name: 'restart', write: true, run: (c) => c.restart({}, o) },
  { name: 'reload', write: true, run: (c) => c.reload(o) },
  { name: 'reinitialize', write: true, run: (c) => c.reinitialize({ force: true }, o) },
  { name: 'patchConfig', write: true, run: (c) => c.patchConfig({ ttl: 30 }, o) },
  { name: 'putConfig', write: true, run: (c) => c.putConfig({ ttl: 30 }, o) },
  { name: 'cancelSwitchover', write: true, run: (c) => c.cancelSwitchover(o) },
  { name: 'postFailsafe', write: true, run: (c) => c.postFailsafe({ name: 'n1' } as never, o) },
];

describe('fuzz: REST client against a hostile server (issue 13)', () => {
  it('settles within the deadline, throws only typed errors, sends writes once, reports ambiguous writes as unknown', async (t) => {
    let calls = 0;
    let unknowns = 0;
    await fc.assert(
      fc.asyncProperty(scenario, fc.constantFrom(...ops), async (s, op) => {
        current = s;
        const client = new PatroniClient({
          url: server.url,
          timeouts: { connect: TIMEOUT },
          retryDelayMs: 10,
        });
        const seenBefore = server.seen.length;
        let bound: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          op.run(client).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
          new Promise<'late'>((resolve) => {
            bound = setTimeout(() => resolve('late'), SETTLE_BOUND);
          }),
        ]);
        clearTimeout(bound);
        await client.close();
        calls++;
        assert.notEqual(outcome, 'late', `${op.name} did not settle within ${SETTLE_BOUND} ms (${s.fault})`);
        if (outcome === 'late') return;
        const seen: Seen[] = server.seen.slice(seenBefore);
        if ('error' in outcome) {
          assert.ok(
            isPatroniKitError(outcome.error),
            `${op.name} threw an untyped ${String(outcome.error)} (${s.fault} ${s.status})`,
          );
        }
        if (!op.write) return;
        assert.ok(seen.length <= 1, `${op.name} was sent ${seen.length} times (${s.fault})`);
        const result = 'value' in outcome ? (outcome.value as WriteResult<unknown>) : undefined;
        if (result?.outcome === 'unknown') unknowns++;
        const complete = s.fault === 'answer';
        if (seen.length === 1 && !complete) {
          assert.equal(
            result?.outcome,
            'unknown',
            `${op.name} after ${s.fault}: ${JSON.stringify(result ?? outcome)}`,
          );
        }
        const patroniPage = s.body.includes('<title>Error response</title>');
        if (complete && (s.status === 502 || s.status === 504) && !patroniPage)
          assert.equal(result?.outcome, 'unknown', `${op.name} with a proxy's ${s.status}`);
        if ('error' in outcome && seen.length === 1)
          assert.ok(
            isPatroniKitError(outcome.error, 'AUTH', 'USAGE'),
            `a write that reached the server may only throw AUTH (401/403): ${String(outcome.error)}`,
          );
      }),
      runs(160),
    );
    t.diagnostic(
      `REST calls: ${calls}, unknown write outcomes: ${unknowns}, requests seen: ${server.seen.length}`,
    );
    assert.ok(unknowns > 0, 'the scenarios reached the unknown outcome');
  });
});
