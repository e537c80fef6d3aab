/** The shared helpers: the one sleep, the one poller, deepMerge/isObject, the role normaliser. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deepMerge,
  isLeaderRole,
  isObject,
  isPatroniKitError,
  normalizeRole,
  PatroniKitError,
  pollUntil,
  sleep,
} from '@patroni-kit/errors';

describe('shared helpers', () => {
  it('sleep ends early on abort: resolving by default, rejecting with ABORTED when asked', async () => {
    const ac = new AbortController();
    const resolved = sleep(60_000, ac.signal);
    const rejected = sleep(60_000, ac.signal, { rejectOnAbort: true });
    ac.abort(new Error('stop'));
    await resolved;
    await assert.rejects(rejected, (err) => isPatroniKitError(err, 'ABORTED'));
    await assert.rejects(sleep(1, ac.signal, { rejectOnAbort: true }), { code: 'ABORTED' });
  });

  it('pollUntil: done value, TIMEOUT naming what was missing, fatal errors rethrown at once', async () => {
    let n = 0;
    const seen: string[] = [];
    const v = await pollUntil(
      'three checks',
      async () => (++n >= 3 ? { done: true, value: n } : { done: false, waitingFor: `only ${n}` }),
      { timeoutMs: 10_000, intervalMs: 1, onWaiting: (w) => seen.push(w) },
    );
    assert.equal(v, 3);
    assert.deepEqual(seen, ['only 1', 'only 2']);
    await assert.rejects(
      pollUntil('never', async () => ({ done: false, waitingFor: 'nothing yet' }), {
        timeoutMs: 20,
        intervalMs: 5,
      }),
      (err) => isPatroniKitError(err, 'TIMEOUT') && /never did not happen .*nothing yet/.test(err.message),
    );
    const fatal = new PatroniKitError('LAB', 'exited');
    let calls = 0;
    await assert.rejects(
      pollUntil(
        'x',
        async () => {
          calls++;
          throw fatal;
        },
        { timeoutMs: 10_000, fatal: (e) => isPatroniKitError(e, 'LAB') },
      ),
      (err) => err === fatal,
    );
    assert.equal(calls, 1);
  });

  it('deepMerge merges mappings and replaces the rest; isObject; normalizeRole', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    assert.deepEqual(deepMerge(base, { a: { c: [3] }, e: null }), { a: { b: 1, c: [3] }, d: 'x', e: null });
    assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: 'x' }, 'inputs unchanged');
    assert.deepEqual(
      [isObject({}), isObject([]), isObject(null), isObject('a')],
      [true, false, false, false],
    );
    assert.deepEqual(
      ['master', 'primary', 'replica', undefined].map((r) => normalizeRole(r)),
      ['primary', 'primary', 'replica', undefined],
    );
    assert.deepEqual(
      [
        isLeaderRole('master'),
        isLeaderRole('standby_leader'),
        isLeaderRole('standby_leader', { standby: true }),
      ],
      [true, false, true],
    );
  });
});
