/**
 * The live model's `close()` aborts what is in flight and leaves nothing behind (no lab): a child process
 * closes the model during a pending REST read (a member on 127.0.103.2 that never answers) and during a
 * pending reconnect (an etcd address on 127.0.103.3 that refuses connections), then must exit on its own.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/live-close.js');

interface ChildResult {
  closeMs: number;
  mode: string;
  ready: string;
  events: string[];
}

/** Runs the child; rejects when it does not exit by itself within `boundMs` (then it is killed). */
function runChild(args: string[], onSpawn: (stdin: NodeJS.WritableStream) => void, boundMs = 30_000) {
  return new Promise<ChildResult>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CHILD, ...args],
      { timeout: boundMs },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`child did not exit cleanly (${err.message}): ${stderr}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
        } catch {
          reject(new Error(`child printed no result: ${stdout} ${stderr}`));
        }
      },
    );
    onSpawn(child.stdin!);
  });
}

describe('live model close()', { timeout: 120_000 }, () => {
  it('during a pending REST read: resolves promptly, ready() rejects ABORTED, the process exits', async () => {
    let requests = 0;
    let stdin: NodeJS.WritableStream | undefined;
    const server = http.createServer(() => {
      // Never answers: the member's read stays pending until the client aborts it.
      requests++;
      stdin?.write('go\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.103.2', r));
    const url = `http://127.0.103.2:${(server.address() as AddressInfo).port}`;
    try {
      const res = await runChild(['rest', url], (s) => {
        stdin = s;
      });
      assert.ok(requests >= 1, 'the member got the read');
      assert.equal(res.mode, 'closed');
      assert.equal(res.ready, 'rejected ABORTED');
      assert.ok(!res.events.includes('view'), `no view from a member that never answered: ${res.events}`);
      // Far below the 60 s member timeout the read would otherwise wait for.
      assert.ok(res.closeMs < 5000, `close took ${res.closeMs} ms`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('during a pending DCS reconnect (60 s backoff): resolves promptly, the process exits', async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.103.3', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const res = await runChild([`dcs`, `etcd3://127.0.103.3:${port}`], () => undefined);
    assert.equal(res.mode, 'closed');
    assert.ok(res.events.includes('connection-lost'), `events: ${res.events}`);
    assert.equal(res.ready, 'rejected ABORTED');
    assert.ok(res.closeMs < 5000, `close took ${res.closeMs} ms`);
  });
});
