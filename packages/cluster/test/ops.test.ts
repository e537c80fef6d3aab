/**
 * Operation modules driven through an {@link OpContext} built on real parts: the facade's view reader and
 * REST clients against small real HTTP servers on 127.0.101.0/24 that answer `GET /cluster` and
 * `GET /patroni` like three members. Corner cases only (a stale plan, the source of the lag check, the read
 * count); that the operations work on Patroni is proven by the lab suites.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Cluster, type OpContext, type Progress } from '@patroni-kit/cluster';
import { setPause } from '../src/ops/config.js';
import { planSwitchover, switchover } from '../src/ops/switchover.js';

const HOSTS = ['127.0.101.11', '127.0.101.12', '127.0.101.13'];
const PORT = 18008;
const MiB16 = 16 * 1048576;

interface MemberState {
  role: 'primary' | 'replica';
  /** WAL position the member reports on its own `GET /patroni` (undefined: none). */
  wal?: number | undefined;
  /** Lag `GET /cluster` reports for it (what the DCS member key says). */
  dcsLag?: number;
}

describe('operation modules on an OpContext over real HTTP servers', () => {
  const state: Record<string, MemberState> = {};
  const posts: string[] = [];
  const servers: Server[] = [];
  const reset = () => {
    state.n1 = { role: 'primary', wal: 50_000_000 };
    state.n2 = { role: 'replica', wal: 50_000_000, dcsLag: MiB16 };
    state.n3 = { role: 'replica', wal: 49_999_000, dcsLag: MiB16 };
    posts.length = 0;
  };
  const clusterBody = () => ({
    scope: 'demo',
    members: HOSTS.map((host, i) => {
      const name = `n${i + 1}`;
      const s = state[name]!;
      return {
        name,
        role: s.role === 'primary' ? 'leader' : 'replica',
        state: s.role === 'primary' ? 'running' : 'streaming',
        api_url: `http://${host}:${PORT}/patroni`,
        host,
        port: 5432,
        timeline: 1,
        ...(s.role === 'replica' ? { lag: s.dcsLag ?? 0 } : {}),
      };
    }),
  });

  before(async () => {
    reset();
    for (const [i, host] of HOSTS.entries()) {
      const name = `n${i + 1}`;
      const server = createServer((req, res) => {
        const s = state[name]!;
        if (req.method === 'POST') {
          posts.push(`${name} ${req.url}`);
          res.writeHead(503).end('not in this test');
          return;
        }
        const json = (body: unknown) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url === '/cluster') return json(clusterBody());
        if (req.url === '/patroni')
          return json({
            state: 'running',
            role: s.role,
            ...(s.role === 'replica' ? { replication_state: 'streaming' } : {}),
            timeline: 1,
            server_version: 150010,
            patroni: { version: '4.0.7', scope: 'demo', name },
            ...(s.wal === undefined
              ? {}
              : {
                  xlog:
                    s.role === 'primary'
                      ? { location: s.wal }
                      : { received_location: s.wal, replayed_location: s.wal },
                }),
          });
        res.writeHead(404).end();
        return undefined;
      });
      await new Promise<void>((resolve) => server.listen(PORT, host, resolve));
      servers.push(server);
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  /** The facade's own context, with every cluster read counted. */
  async function counted(): Promise<{ ctx: OpContext; reads: () => number; close: () => Promise<void> }> {
    const cluster = await Cluster.connect({
      restUrls: HOSTS.map((h) => `http://${h}:${PORT}`),
      scope: 'demo',
    });
    const base = cluster.context;
    let reads = 0;
    const ctx: OpContext = {
      ...base,
      scope: base.scope,
      read: (o) => {
        reads++;
        return base.read(o);
      },
    };
    return { ctx, reads: () => reads, close: () => cluster.close() };
  }

  it("a stale DCS lag does not refuse a candidate whose own REST answer shows it caught up; the verdict says 'rest'", async () => {
    reset();
    const { ctx, reads, close } = await counted();
    try {
      const plan = await planSwitchover(ctx, { candidate: 'n2' });
      assert.equal(plan.ok, true, plan.reason);
      assert.equal(reads(), 1);
      const n2 = plan.verdicts.find((v) => v.member === 'n2')!;
      assert.deepEqual([n2.source, n2.lag, n2.ok], ['rest', 0, true]);
      assert.equal(plan.scope, 'demo');
      assert.ok(Date.parse(plan.readAt) > 0, plan.readAt);
      // Without a WAL position on its own answer, the DCS lag is what is left, and it says so.
      state.n2!.wal = undefined;
      const stale = await planSwitchover(ctx, { candidate: 'n2' });
      assert.equal(stale.check, 'candidate-lag');
      assert.match(stale.reason, /lags 16777216 bytes behind the leader \(by its DCS member key\)/);
      assert.equal(stale.verdicts.find((v) => v.member === 'n2')!.source, 'dcs');
    } finally {
      await close();
    }
  });

  it('switchover(plan) re-validates on one read and refuses a plan whose leader changed, sending nothing', async () => {
    reset();
    const { ctx, reads, close } = await counted();
    try {
      const plan = await planSwitchover(ctx, { candidate: 'n3' });
      assert.equal(plan.ok, true, plan.reason);
      // n2 took over between the plan and its execution.
      state.n1!.role = 'replica';
      state.n2!.role = 'primary';
      const events: Progress[] = [];
      const res = await switchover(ctx, plan, { onProgress: (p) => events.push(p) });
      assert.deepEqual([res.outcome, res.check, res.sent], ['failed', 'plan-leader-changed', false]);
      assert.match(res.reason, /it was n1, now n2/);
      assert.equal(reads(), 2, 'one read to plan, one to re-validate');
      assert.deepEqual(posts, [], 'no request was sent');
      assert.deepEqual(events, []);
    } finally {
      await close();
    }
  });

  it('switchover(plan) refuses a candidate that is no longer eligible', async () => {
    reset();
    const { ctx, close } = await counted();
    try {
      const plan = await planSwitchover(ctx, { candidate: 'n3' });
      assert.equal(plan.ok, true, plan.reason);
      state.n3!.wal = 1000; // fell far behind
      const res = await switchover(ctx, plan);
      assert.deepEqual([res.check, res.sent], ['plan-candidate-ineligible', false]);
      assert.match(res.reason, /\[candidate-lag\]/);
      assert.deepEqual(posts, []);
    } finally {
      await close();
    }
  });

  it('switchover(options) reads the cluster once before its one POST, and reports structured progress', async () => {
    reset();
    const { ctx, reads, close } = await counted();
    try {
      const events: Progress[] = [];
      const res = await switchover(ctx, { candidate: 'n2', wait: false, onProgress: (p) => events.push(p) });
      assert.equal(reads(), 1);
      assert.deepEqual(posts, ['n1 /switchover']);
      // The test server answers 503 without Patroni's words: a refusal, sent, in the one error shape.
      assert.equal(res.sent, true);
      assert.equal(res.outcome, 'failed', JSON.stringify(res));
      assert.equal(res.error?.code, 'HTTP_STATUS');
      const send = events.find((e) => e.phase === 'send')!;
      assert.equal(send.member, 'n1');
      assert.match(send.message, /POST \/switchover to n1/);
      assert.equal(typeof send.elapsedMs, 'number');
    } finally {
      await close();
    }
  });

  it('pause and resume are one operation: each refuses the state it would set, without writing', async () => {
    reset();
    const { ctx, close } = await counted();
    try {
      const res = await setPause(ctx, false);
      assert.deepEqual([res.action, res.check, res.sent], ['resume', 'paused', false]);
      assert.deepEqual(posts, []);
    } finally {
      await close();
    }
  });
});
