/** `patroni-kit watch` end to end on a real etcd 3.5: snapshot, then events as they happen. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { main } from '../src/cli.js';
import { TestEtcd } from './dcs-etcd-helper.js';

function startCli(args: string[], signal: AbortSignal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const lines: string[] = [];
  let buf = '';
  let err = '';
  const waiters: Array<() => void> = [];
  stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const done = main(args, { stdout, stderr, isTTY: false, signal });
  const waitLines = async (n: number, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${lines.length} lines: ${lines.join('\n')} ${err}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return lines;
  };
  return { done, waitLines, stderr: () => err };
}

describe('patroni-kit watch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-cli-watch-'));
  const etcd = new TestEtcd(
    ['127.0.4.71'],
    join(dir, 'etcd'),
    '/var/cache/patroni-kit/etcd-3.5/usr/bin/etcd',
  );
  let raw: Etcd3;

  before(async () => {
    await etcd.start();
    raw = new Etcd3({ hosts: etcd.endpoints });
    await raw.put('/service/demo/config').value('{"ttl":30}').exec();
    await raw.put('/service/demo/leader').value('n1').exec();
    await raw
      .put('/service/demo/members/n1')
      .value('{"role":"primary","state":"running","timeline":1}')
      .exec();
  });
  after(async () => {
    raw?.close();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the snapshot, then each event as a line; --count ends it', async () => {
    const ac = new AbortController();
    const w = startCli(['watch', 'demo', '--dcs-url', 'etcd3://127.0.4.71:2379', '--count', '3'], ac.signal);
    const first = await w.waitLines(1);
    assert.match(
      first[0]!,
      /^watching demo \(\/service\/demo\/\) from revision \d+: leader n1; members n1 \(primary, running\)$/,
    );
    await raw.put('/service/demo/members/n2').value('{"role":"replica","state":"streaming"}').exec();
    await raw.put('/service/demo/leader').value('n2').exec();
    await raw.put('/service/demo/failover').value('{"leader":"n2","member":"n1"}').exec();
    assert.equal(await w.done, 0);
    const lines = await w.waitLines(4);
    // etcd may deliver several revisions in one response; the order inside one batch is leader first.
    const events = lines
      .slice(1, 4)
      .map((l) => l.replace(/^\S+Z /, ''))
      .sort();
    assert.deepEqual(events, [
      'leader changed: n1 -> n2',
      'member joined: n2 (replica, streaming)',
      'switchover scheduled: n2 -> n1',
    ]);
  });

  it('--json prints one JSON object per line and stops on the signal', async () => {
    const ac = new AbortController();
    const w = startCli(['watch', 'demo', '-d', 'etcd3://127.0.4.71:2379', '--json'], ac.signal);
    const first = JSON.parse((await w.waitLines(1))[0]!);
    assert.equal(first.type, 'snapshot');
    assert.equal(first.state.leader.value, 'n2');
    await raw.put('/service/demo/config').value('{"ttl":30,"pause":true}').exec();
    const ev = JSON.parse((await w.waitLines(2))[1]!);
    assert.equal(ev.type, 'paused');
    assert.equal(ev.scope, 'demo');
    ac.abort();
    assert.equal(await w.done, 0);
  });

  it('a scope that does not exist fails with the known scopes in the hint', async () => {
    const w = startCli(['watch', 'nosuch', '-d', 'etcd3://127.0.4.71:2379'], new AbortController().signal);
    assert.equal(await w.done, 1);
    assert.match(w.stderr(), /no Patroni cluster 'nosuch'[\s\S]*hint: Clusters in \/service\/: demo/);
  });

  it('unreachable etcd: a clear error, not a hang', async () => {
    const w = startCli(
      ['watch', 'demo', '-d', 'etcd3://127.0.4.79:2379', '--timeout', '2'],
      new AbortController().signal,
    );
    assert.equal(await w.done, 1);
    assert.match(w.stderr(), /cannot reach etcd at http:\/\/127\.0\.4\.79:2379/);
  });
});
