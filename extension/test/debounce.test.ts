import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Debouncer } from '../src/model/debounce.js';

function collector() {
  const calls: string[][] = [];
  let wake: () => void = () => {};
  const next = () => new Promise<void>((r) => (wake = r));
  const run = (keys: Set<string>) => {
    calls.push([...keys].sort());
    wake();
  };
  return { calls, run, next };
}

describe('debouncer for pushed updates', () => {
  it('a storm of 1000 pushes in one burst gives one update with every key', async () => {
    const c = collector();
    const d = new Debouncer<string>(c.run, { waitMs: 20, maxWaitMs: 200 });
    const done = c.next();
    for (let i = 0; i < 1000; i++) d.push(`cluster-${i % 3}`);
    assert.equal(c.calls.length, 0);
    assert.equal(d.pending, 3);
    await done;
    assert.deepEqual(c.calls, [['cluster-0', 'cluster-1', 'cluster-2']]);
    assert.equal(d.pending, 0);
    d.dispose();
  });

  it('a steady stream still updates within maxWaitMs (never starved)', async () => {
    const c = collector();
    const d = new Debouncer<string>(c.run, { waitMs: 50, maxWaitMs: 60 });
    const done = c.next();
    // Pushes every 5 ms for far longer than maxWaitMs: without the cap no update would run before the end.
    let pushes = 0;
    for (; pushes < 200 && c.calls.length === 0; pushes++) {
      d.push('c');
      await sleep(5);
    }
    await done;
    assert.ok(pushes < 200, `the first update ran while pushes kept coming (after ${pushes} pushes)`);
    d.dispose();
  });

  it('flush runs at once, dispose drops pending work, bad options are refused', () => {
    const c = collector();
    const d = new Debouncer<string>(c.run, { waitMs: 1000, maxWaitMs: 1000 });
    d.push('a');
    d.flush();
    assert.deepEqual(c.calls, [['a']]);
    d.flush();
    assert.equal(c.calls.length, 1);
    d.push('b');
    d.dispose();
    d.push('c');
    assert.equal(d.pending, 0);
    assert.throws(() => new Debouncer(() => {}, { waitMs: 10, maxWaitMs: 5 }), RangeError);
  });
});
