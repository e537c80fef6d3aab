/**
 * Property-based fuzzing (npm fast-check, seeded) of every DCS decoder and the whole-state builder: garbage in
 * gives a value or a problem, never an exception, and the values have the types the readers rely on.
 * PATRONI_KIT_FUZZ_SCALE multiplies the runs (scripts/bench-fuzz.mjs runs it long); PATRONI_KIT_FUZZ_SEED
 * replays another seed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildClusterState,
  decodeConfig,
  decodeFailover,
  decodeFailsafe,
  decodeHistory,
  decodeInitialize,
  decodeLeader,
  decodeMember,
  decodeOptimeLeader,
  decodeStatus,
  decodeSync,
  diffStates,
  PATRONI_KEYS,
  type RawKv,
} from '../src/index.js';

const scale = Number(process.env.PATRONI_KIT_FUZZ_SCALE ?? 1);
const seed = Number(process.env.PATRONI_KIT_FUZZ_SEED ?? 13);
const runs = (n: number) => ({
  seed,
  numRuns: Math.max(1, Math.round(n * scale)),
  endOnFailure: true,
  includeErrorInReport: true,
});

/** Objects whose String() throws, prototype-looking keys, deep nesting: what broke decoders before. */
const nasty = fc.constantFrom(
  '{"toString":0}',
  '{"valueOf":{},"toString":{}}',
  '{"__proto__":{"role":"primary"}}',
  '{"constructor":1}',
  'null',
  '[]',
  '"x"',
  '1e400',
  '-0',
);
const field = fc.constantFrom(
  'role',
  'state',
  'api_url',
  'conn_url',
  'xlog_location',
  'timeline',
  'tags',
  'pending_restart',
  'pending_restart_reason',
  'scheduled_restart',
  'version',
  'replication_state',
  'leader',
  'member',
  'scheduled_at',
  'sync_standby',
  'quorum',
  'optime',
  'slots',
  'retain_slots',
  'toString',
  '__proto__',
);
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  nasty.map((s) => JSON.parse(s) as unknown),
  fc.dictionary(
    field,
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      nasty.map((s) => JSON.parse(s) as unknown),
    ),
    {
      maxKeys: 8,
    },
  ),
);
/** Deeper than any stack-recursive walker survives (JSON.parse itself copes). */
const deep = fc.constantFrom(
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  `{"state":"running","role":"replica","tags":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
);
const rawText = fc.oneof(
  { arbitrary: deep, weight: 1 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 4 },
  { arbitrary: nasty, weight: 4 },
  { arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null'), weight: 12 },
  fc.constantFrom(
    'postgres://u:p@h:5432/db?application_name=http://h:8008/patroni',
    'postgres://[bad',
    'a:b',
  ),
);

const decoders = {
  decodeInitialize,
  decodeConfig,
  decodeLeader,
  decodeMember,
  decodeHistory,
  decodeFailover,
  decodeSync,
  decodeStatus,
  decodeOptimeLeader,
  decodeFailsafe,
};

// Patroni's own keys first (the same order as before, so a seed replays the same cases), then odd ones.
const keyName = fc.constantFrom(
  ...PATRONI_KEYS,
  'members/n1',
  'members/n2',
  'members/',
  'members/a/b',
  'unknown',
  '',
  'leader/x',
);
const kv = fc.record({
  key: fc.oneof(
    keyName.map((k) => `/service/a/${k}`),
    fc.string({ maxLength: 30 }),
  ),
  value: rawText.map((s) => Buffer.from(s, 'utf8')),
  createRevision: fc.constantFrom('0', '1', '99'),
  modRevision: fc.constantFrom('0', '2', 'x'),
  version: fc.constantFrom('1', ''),
});
const opts = { namespace: 'service', scope: 'a', prefix: '/service/a/', revision: '5' };

function checkState(kvs: RawKv[]): ReturnType<typeof buildClusterState> {
  const state = buildClusterState(kvs, opts);
  for (const m of state.members) {
    assert.equal(typeof m.name, 'string');
    assert.equal(typeof m.role, 'string');
    assert.equal(typeof m.value.state, 'string');
    for (const f of ['api_url', 'conn_url', 'version', 'replication_state'] as const)
      assert.ok(
        m.value[f] === undefined || typeof m.value[f] === 'string',
        `${f}: ${String(typeof m.value[f])}`,
      );
    for (const r of Object.values(m.value.pending_restart_reason ?? {})) {
      assert.equal(typeof r.old_value, 'string');
      assert.equal(typeof r.new_value, 'string');
    }
  }
  for (const u of Object.values(state.failsafe?.value ?? {})) assert.equal(typeof u, 'string');
  for (const s of state.status?.value.retain_slots ?? []) assert.equal(typeof s, 'string');
  for (const h of state.history?.value ?? []) assert.equal(typeof h.reason, 'string');
  // What readers do with a state: serialise it, hash it, diff it.
  JSON.stringify(state);
  return state;
}

describe('fuzz: DCS decoders and the state builder (issue 13)', () => {
  it('every decoder answers ok or a problem message on any text, never throws', (t) => {
    let calls = 0;
    fc.assert(
      fc.property(rawText, (raw) => {
        for (const [name, decode] of Object.entries(decoders)) {
          calls++;
          const d = decode(raw) as { ok: boolean; message?: string };
          assert.equal(typeof d.ok, 'boolean', name);
          if (!d.ok) assert.equal(typeof d.message, 'string', name);
        }
      }),
      runs(3000),
    );
    t.diagnostic(`decoder calls: ${calls}`);
    assert.ok(calls > 0);
  });

  it('buildClusterState and diffStates take any set of keys without throwing; types hold', (t) => {
    let states = 0;
    fc.assert(
      fc.property(fc.array(kv, { maxLength: 12 }), fc.array(kv, { maxLength: 12 }), (a, b) => {
        const sa = checkState(a);
        const sb = checkState(b);
        states += 2;
        const events = diffStates(sa, sb);
        assert.ok(Array.isArray(events));
        JSON.stringify(events);
      }),
      runs(1500),
    );
    t.diagnostic(`states built: ${states}`);
  });
});
