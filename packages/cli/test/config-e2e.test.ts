/**
 * Settings that only a config file carries, end to end through `Cluster` and the CLI, on a real etcd 3.5 with
 * authentication on (127.0.55.1): etcd3.username/password, REST TLS through ctl.cacert (the member REST API
 * is a small real HTTPS server on 127.0.55.2 with a certificate from a throw-away CA: the etcd side is real,
 * the member is a stand-in), and `watch` across a restart of etcd.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '@patroni-kit/cluster';
import { Etcd3 } from 'etcd3';
import { main } from '../src/cli.js';
import { TestEtcd } from './dcs-etcd-helper.js';
import { captureIo, cli } from './run-cli.js';

const ETCD_BIN = '/var/cache/patroni-kit/etcd-3.5/usr/bin';
const ROOT_PW = 'r00t pw/@:x';

describe('config-only settings end to end: etcd auth, REST TLS, watch across an etcd restart', {
  timeout: 180_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-cli-config-e2e-'));
  const etcd = new TestEtcd(['127.0.55.1'], join(dir, 'etcd'), `${ETCD_BIN}/etcd`);
  let server: https.Server;
  let writes = 0;
  let ctl = '';
  let noCa = '';
  let badPw = '';
  const root = () => new Etcd3({ hosts: etcd.endpoints, auth: { username: 'root', password: ROOT_PW } });

  before(async () => {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=pk-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    );
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=member',
      '-keyout',
      'srv.key',
      '-out',
      'srv.csr',
    );
    writeFileSync(join(dir, 'srv.ext'), 'subjectAltName=IP:127.0.55.2\nextendedKeyUsage=serverAuth\n');
    run(
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'srv.ext',
      '-out',
      'srv.crt',
    );
    server = https.createServer(
      { cert: readFileSync(join(dir, 'srv.crt')), key: readFileSync(join(dir, 'srv.key')) },
      (req, res) => {
        req.resume();
        req.on('end', () => {
          if (req.method !== 'GET') {
            writes++;
            res.writeHead(202, { 'content-type': 'text/plain', connection: 'close' });
            res.end('reload scheduled');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
          res.end(
            JSON.stringify({
              state: 'running',
              role: 'primary',
              timeline: 1,
              patroni: { version: '4.0.7', scope: 'demo', name: 'n1' },
            }),
          );
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.55.2', r));
    const api = `https://127.0.55.2:${(server.address() as AddressInfo).port}/patroni`;

    await etcd.start();
    const raw = new Etcd3({ hosts: etcd.endpoints });
    await raw.put('/service/demo/initialize').value('7712147284903196905').exec();
    await raw.put('/service/demo/config').value('{"ttl":30,"loop_wait":10}').exec();
    await raw.put('/service/demo/leader').value('n1').exec();
    await raw
      .put('/service/demo/members/n1')
      .value(
        JSON.stringify({
          role: 'primary',
          state: 'running',
          timeline: 1,
          api_url: api,
          conn_url: 'postgres://127.0.55.2:5432/postgres',
        }),
      )
      .exec();
    raw.close();
    const ctlArgs = ['--endpoints', etcd.endpoints.join(',')];
    const etcdctl = (...args: string[]) =>
      execFileSync(`${ETCD_BIN}/etcdctl`, [...ctlArgs, ...args], {
        stdio: 'pipe',
        env: { ETCDCTL_API: '3' },
      });
    etcdctl('user', 'add', `root:${ROOT_PW}`);
    etcdctl('user', 'grant-role', 'root', 'root');
    etcdctl('auth', 'enable');

    const config = (opts: { ca: boolean; pw: string }) =>
      `scope: demo\nnamespace: /service/\netcd3:\n  hosts: [127.0.55.1:2379]\n  username: root\n  password: ${JSON.stringify(opts.pw)}\nctl:\n  authentication: {username: admin, password: adminpw}\n${opts.ca ? `  cacert: ${join(dir, 'ca.crt')}\n` : ''}`;
    ctl = join(dir, 'ctl.yml');
    noCa = join(dir, 'ctl-noca.yml');
    badPw = join(dir, 'ctl-badpw.yml');
    writeFileSync(ctl, config({ ca: true, pw: ROOT_PW }));
    writeFileSync(noCa, config({ ca: false, pw: ROOT_PW }));
    writeFileSync(badPw, config({ ca: true, pw: 'wrong' }));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Cluster reads etcd with the config credentials and the member over TLS with ctl.cacert', async () => {
    const cluster = await Cluster.connect({ configFile: ctl, timeouts: { dcs: 5000, member: 3000 } });
    try {
      const view = await cluster.status();
      assert.equal(view.source, 'dcs');
      assert.equal(view.leader, 'n1');
      assert.equal(view.members[0]?.live?.reachable, true, JSON.stringify(view.members[0]?.live));
      assert.equal(view.confirmedLeader, 'n1');
    } finally {
      await cluster.close();
    }
  });

  it('the CLI too: list and a TLS write (reload) with the config; without the CA the member is a TLS failure, -k accepts it', async () => {
    const list = await cli('list', '-c', ctl, '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as Array<{ Member: string }>)[0]?.Member, 'n1');
    assert.doesNotMatch(list.stderr, /unreachable/);
    const before = writes;
    const reload = await cli('reload', 'demo', '-c', ctl, '--force');
    assert.equal(reload.code, 0, reload.stdout + reload.stderr);
    assert.equal(writes, before + 1, 'one POST reached the HTTPS member');

    const cluster = await Cluster.connect({ configFile: noCa, timeouts: { member: 3000 } });
    try {
      const live = (await cluster.status()).members[0]?.live;
      assert.equal(live?.reachable, false);
      assert.equal(live?.error?.code, 'TLS', JSON.stringify(live));
    } finally {
      await cluster.close();
    }
    const insecure = await cli('list', '-c', noCa, '-k', '--json');
    assert.equal(insecure.code, 0, insecure.stderr);
    assert.doesNotMatch(insecure.stderr, /unreachable/);
  });

  it('a wrong etcd password in the config is an AUTH error (exit 1) naming the setting, without the password', async () => {
    const r = await cli('list', '-c', badPw);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /etcd3\.username and etcd3\.password|credentials/);
    assert.doesNotMatch(r.stderr + r.stdout, /r00t pw/);
  });

  it('watch (with the config credentials) keeps printing events across a restart of etcd', async () => {
    const ac = new AbortController();
    const { io, out } = captureIo(ac.signal);
    const done = main(['watch', 'demo', '-c', ctl, '--timeout', '3'], io);
    const waitFor = async (re: RegExp, what: string) => {
      for (let i = 0; i < 600 && !re.test(out.stdout); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out.stdout, re, `${what}; stderr: ${out.stderr}`);
    };
    try {
      await waitFor(/watching demo/, 'the snapshot line');
      const c1 = root();
      await c1.put('/service/demo/config').value('{"ttl":30,"loop_wait":10,"pause":true}').exec();
      c1.close();
      await waitFor(/paused/, 'the event before the restart');
      await etcd.stop();
      await new Promise((r) => setTimeout(r, 1000));
      await etcd.start();
      const c2 = root();
      await c2.put('/service/demo/config').value('{"ttl":30,"loop_wait":10}').exec();
      c2.close();
      await waitFor(/resumed/, 'the event after the restart');
    } finally {
      ac.abort();
    }
    assert.equal(await done, 0, out.stderr);
  });
});
