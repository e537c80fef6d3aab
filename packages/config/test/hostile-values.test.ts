/** Issue 13 regressions: lint time grows linearly with the number of keys; no finding quotes a secret. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatJson, formatSarif, formatText, lintText } from '../src/index.js';

/** A flat mapping of many short keys: what made the parser's own duplicate check quadratic. */
function manyKeys(size: number): string {
  let text = 'scope: demo\nname: n1\ntags:\n';
  for (let i = 0; text.length < size - 20; i++) text += `  k${i.toString(36)}: 1\n`;
  return text;
}

function medianCpuMs(run: () => void, times: number): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

describe('lint cost (issue 13)', () => {
  it('grows linearly with input size: 8x the keys take at most 24x the CPU time (medians)', () => {
    const small = manyKeys(32 * 1024);
    const large = manyKeys(256 * 1024);
    const opts = { maxBytes: 1 << 20 };
    lintText(small, opts); // warm up the JIT
    const a = medianCpuMs(() => lintText(small, opts), 5);
    const b = medianCpuMs(() => lintText(large, opts), 3);
    // A floor for the small run keeps a very fast machine's rounding out of the ratio.
    const ratio = b / Math.max(a, 5);
    assert.ok(
      ratio <= 24,
      `32 KiB: ${a.toFixed(0)} ms, 256 KiB: ${b.toFixed(0)} ms, ratio ${ratio.toFixed(1)}`,
    );
  });
});

const PW = 'Zx9/@ :%#pw';
const quoted = (s: string) => JSON.stringify(s);
function allOutputs(text: string, env?: Record<string, string>): string {
  const r = lintText(text, env ? { env } : {});
  const results = [{ file: 'patroni.yml', findings: r.findings }];
  return [formatText(results), formatJson(results), formatSarif(results), JSON.stringify(r.findings)].join(
    '\n',
  );
}
function assertNoSecret(out: string, what: string): void {
  for (const form of [PW, encodeURIComponent(PW), quoted(PW).slice(1, -1)])
    assert.ok(!out.includes(form), `${what}: the password appears in\n${out}`);
}

describe('no finding quotes a password (issue 13)', () => {
  it('etcd3.hosts with user:password@ in dcs-host-scheme and dcs-host-count', () => {
    for (const hosts of [
      `  hosts: ["http://user:${PW}@10.0.0.1:2379"]`,
      `  hosts: ["http://user:${encodeURIComponent(PW)}@10.0.0.1:2379", "http://user:${encodeURIComponent(PW)}@10.0.0.2:2379"]`,
      `  hosts: ${quoted(`http://user:${PW}@10.0.0.1:2379,http://u:${PW}@10.0.0.2:2379`)}`,
    ]) {
      const text = `scope: a\nname: n1\netcd3:\n${hosts}\n`;
      const rules = lintText(text).findings.map((f) => f.rule);
      assert.ok(rules.includes('dcs-host-scheme') || rules.includes('dcs-host-count'), rules.join(','));
      assertNoSecret(allOutputs(text), hosts);
    }
  });

  it('type-mismatch on a password-like value, and a mapping used as a key (unknown-key)', () => {
    const cases = [
      `scope: a\nname: n1\nrestapi:\n  listen: ${quoted(`http://u:${PW}@h:1`)}\n  authentication: {username: u, password: [${quoted(PW)}]}\n`,
      `scope: a\nname: n1\nloop_wait: ${quoted(PW)}\nttl: ${quoted(`postgres://u:${PW}@h/db`)}\n`,
      `scope: a\nname: n1\n? {user: u, password: ${quoted(PW)}}\n: 1\n`,
      `scope: a\nname: n1\npostgresql:\n  authentication:\n    superuser: {username: postgres, password: ${quoted(PW)}}\n  parameters:\n    unix_socket_directories: {password: ${quoted(PW)}}\n  use_unix_socket: true\n`,
    ];
    for (const text of cases) assertNoSecret(allOutputs(text), text);
  });

  it('a password from the environment (PATRONI_*_PASSWORD) is not quoted either', () => {
    const text = 'scope: a\nname: n1\netcd3:\n  hosts: [10.0.0.1:2379]\n';
    assertNoSecret(
      allOutputs(text, { PATRONI_ETCD3_PASSWORD: PW, PATRONI_RESTAPI_PASSWORD: PW, PATRONI_TTL: PW }),
      'env',
    );
  });

  it('a mapping used as a key writes no YAML warning (that would quote it on stderr)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      lintText(`scope: a\nname: n1\n? {password: ${quoted(PW)}}\n: 1\n`);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it('quotes mappings as text, never as "[object Object]" (dcs-host-count, unix-socket)', () => {
    const text =
      'scope: a\nname: n1\netcd3:\n  host: {a: 1}\npostgresql:\n  use_unix_socket: true\n  parameters:\n    unix_socket_directories: {b: 2}\n';
    const messages = lintText(text).findings.map((f) => f.message);
    assert.ok(messages.length > 0);
    for (const m of messages) assert.doesNotMatch(m, /\[object Object\]/, m);
  });
});

describe('cluster checks quote no password either (issue 13)', () => {
  it('a DCS host mismatch between members does not show the user:password@ of either file', async () => {
    const { lintCluster } = await import('../src/index.js');
    const file = (host: string) =>
      `scope: a\nname: n${host.length}\nrestapi: {listen: 0.0.0.0:8008, connect_address: 10.0.0.${host.length}:8008}\netcd3:\n  url: ${JSON.stringify(`http://root:${PW}@${host}:2379`)}\n`;
    const members = ['h1', 'host2'].map((h) => ({ file: `${h}.yml`, result: lintText(file(h)) }));
    const out = lintCluster(members);
    const findings = [...out.values()].flat();
    assert.ok(
      findings.some((f) => f.rule === 'cluster-mismatch'),
      JSON.stringify(findings.map((f) => f.rule)),
    );
    for (const f of findings) assertNoSecret(`${f.message} ${f.path}`, f.rule);
  });
});
