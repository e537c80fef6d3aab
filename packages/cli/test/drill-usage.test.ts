/** `patroni-kit drill` refuses bad input with a clear error before it touches anything. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'patroni-kit-drill-usage-'));
after(() => rmSync(work, { recursive: true, force: true }));

const drill = (...args: string[]) => cli('drill', ...args);

describe('patroni-kit drill usage', () => {
  it('names every scenario in --help', async () => {
    const r = await drill('--help');
    assert.equal(r.code, 0);
    for (const s of [
      'leader-kill',
      'leader-partition',
      'recipe-drill',
      'restart-after-failover',
      'sync-leader-kill',
    ])
      assert.match(r.stdout, new RegExp(`\\b${s}\\b`));
  });
  it('refuses a folder without a lab and says how to start one', async () => {
    const r = await drill('leader-kill', '--dir', join(work, 'none'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no lab in .*none/);
    assert.match(r.stderr, /patroni-kit lab up/);
  });
  it('refuses bad numbers with the allowed range', async () => {
    const r = await drill('--repeat', '0', '--dir', work);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--repeat must be a whole number from 1 to 100, not '0'/);
    const i = await drill('--interval', 'fast', '--dir', work);
    assert.equal(i.code, 2);
    assert.match(i.stderr, /--interval must be a whole number from 10 to 1000/);
  });
  it('refuses an unknown option', async () => {
    const r = await drill('--bogus');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bogus/);
  });
});
