/** `patroni-kit etcd status` end to end on a real three-member etcd 3.4: healthy, then quorum lost. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEtcd } from './dcs-etcd-helper.js';
import { cli } from './run-cli.js';

describe('patroni-kit etcd status', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-cli-etcd-'));
  const etcd = new TestEtcd(['127.0.4.81', '127.0.4.82', '127.0.4.83'], join(dir, 'etcd'));

  before(() => etcd.start());
  after(async () => {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the quorum verdict and a row per endpoint (config file with etcd3.hosts)', async () => {
    const cfg = join(dir, 'patroni.yml');
    writeFileSync(cfg, `scope: demo\netcd3:\n  hosts:\n    - 127.0.4.81:2379\n    - 127.0.4.82:2379\n`);
    const r = await cli('etcd', 'status', '-c', cfg);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^etcd: quorum ok: 3 of 3 members healthy, etcd leader e[123]\n/);
    assert.match(r.stdout, /http:\/\/127\.0\.4\.81:2379\s+e1\s.*3\.4\.23\s+healthy/);
    assert.match(r.stdout, /alarms: none/);
  });

  it('--json gives the health object', async () => {
    const r = await cli('etcd', 'status', '--dcs-url', 'etcd3://127.0.4.81:2379', '--json');
    assert.equal(r.code, 0, r.stderr);
    const h = JSON.parse(r.stdout);
    assert.equal(h.quorum.state, 'ok');
    assert.equal(h.members.length, 3);
    assert.equal(h.endpoints.length, 3, 'members found through the member list are probed too');
  });

  it('quorum lost: exit 1 and the verdict in words', async () => {
    await Promise.all([etcd.stopMember(1), etcd.stopMember(2)]);
    const r = await cli('etcd', 'status', '-d', 'etcd3://127.0.4.81:2379', '--timeout', '1.5');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^etcd: quorum lost: 1 of 3 members healthy, Patroni cannot elect a leader\n/);
    assert.match(r.stdout, /Restore etcd quorum/);
    assert.match(r.stdout, /127\.0\.4\.82:2379\s+e2\s+CONNECT/);
  });

  it('bad usage: exit 2 with a hint', async () => {
    assert.equal((await cli('etcd', 'bogus', '-d', 'etcd3://127.0.4.81:2379')).code, 2);
    const r = await cli('etcd', 'status');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /-c patroni\.yml|--dcs-url/);
    const m = await cli('etcd', 'status', '-c', join(dir, 'missing.yml'));
    assert.equal(m.code, 1);
    assert.match(m.stderr, /cannot read the config .*missing\.yml/);
  });
});
