/**
 * One resolver, one YAML reader: `list`, `switchover` (its plan) and `watch` find the same cluster from the
 * same inputs. A config is read as Patroni reads it (YAML 1.1: `citus.group: 010` is group 8,
 * `ctl.insecure: yes` is true, so REST skips TLS verification as asked), and `namespace: /custom/` with
 * `--dcs-url` (no path) keeps /custom/, as patronictl does. A real etcd 3.5 holds Patroni's keys; two small
 * HTTPS servers with a self-signed certificate answer as the members. Addresses: 127.0.72.0/24.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveTarget } from '@patroni-kit/cluster';
import { readYaml } from '@patroni-kit/config/yaml';
import { Etcd3 } from 'etcd3';
import { main } from '../src/cli.js';
import { connect } from '../src/cluster-args.js';
import { dcsTargetFromOptions } from '../src/commands/watch.js';
import { TestEtcd } from './dcs-etcd-helper.js';
import { captureIo, cli } from './run-cli.js';

const HOST = '127.0.72.1';
const ETCD = '127.0.72.11';

/** A member's `GET /patroni` over HTTPS with a certificate nobody trusts. */
function memberServer(key: string, cert: string, status: Record<string, unknown>): Promise<Server> {
  const server = createServer({ key, cert }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/patroni' || req.url === '/' ? status : {}));
  });
  return new Promise((resolve) => server.listen(0, HOST, () => resolve(server)));
}

describe('one resolver, one YAML reader: list, switchover and watch read the same target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-cli-yaml-'));
  const etcd = new TestEtcd([ETCD], join(dir, 'etcd'), '/var/cache/patroni-kit/etcd-3.5/usr/bin/etcd');
  const servers: Server[] = [];
  let raw: Etcd3;
  const yes = join(dir, 'yes.yml');
  const quoted = join(dir, 'quoted.yml');
  const custom = join(dir, 'custom.yml');
  const dcsUrl = `etcd3://${ETCD}:2379`;

  before(async () => {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=member'],
        ...['-addext', `subjectAltName=IP:${HOST}`, '-keyout', 'key.pem', '-out', 'cert.pem'],
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const patroni = (name: string) => ({ version: '4.0.7', scope: 'demo', name });
    const n1 = await memberServer(key, cert, {
      state: 'running',
      role: 'primary',
      server_version: 150018,
      xlog: { location: 67417104 },
      timeline: 1,
      patroni: patroni('n1'),
    });
    const n2 = await memberServer(key, cert, {
      state: 'running',
      role: 'replica',
      server_version: 150018,
      xlog: { received_location: 67417104, replayed_location: 67417104, paused: false },
      timeline: 1,
      replication_state: 'streaming',
      patroni: patroni('n2'),
    });
    servers.push(n1, n2);
    const api = (s: Server) => `https://${HOST}:${(s.address() as AddressInfo).port}/patroni`;

    await etcd.start();
    raw = new Etcd3({ hosts: etcd.endpoints });
    const seed = async (p: string) => {
      await raw.put(`${p}config`).value('{"ttl":30,"loop_wait":10,"maximum_lag_on_failover":1048576}').exec();
      await raw.put(`${p}initialize`).value('7714262745811927392').exec();
      await raw.put(`${p}leader`).value('n1').exec();
      await raw.put(`${p}status`).value('{"optime":67417104,"slots":{"n1":67417104,"n2":67417104}}').exec();
      const member = (name: string, server: Server, role: string, extra: Record<string, unknown> = {}) =>
        raw
          .put(`${p}members/${name}`)
          .value(
            JSON.stringify({
              conn_url: `postgres://${HOST}:5432/postgres`,
              api_url: api(server),
              state: 'running',
              role,
              version: '4.0.7',
              xlog_location: 67417104,
              timeline: 1,
              ...extra,
            }),
          )
          .exec();
      await member('n1', n1, 'primary');
      await member('n2', n2, 'replica', { replication_state: 'streaming' });
    };
    // Citus group 8: Patroni keeps the group's keys under /service/demo/8/.
    await seed('/service/demo/8/');
    await seed('/custom/demo/');

    const config = (insecure: string) =>
      `scope: demo\nnamespace: /service/\ncitus:\n  group: 010   # YAML 1.1 octal: 8\n  database: citus\n` +
      `ctl:\n  insecure: ${insecure}\netcd3:\n  hosts: ${ETCD}:2379\n`;
    writeFileSync(yes, config('yes'));
    writeFileSync(quoted, config('"yes"'));
    // No etcd3 section: etcd comes from --dcs-url, the namespace from the file.
    writeFileSync(custom, 'scope: demo\nnamespace: /custom/\nctl:\n  insecure: on\n');
  });
  after(async () => {
    raw?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the reader itself: yes is true, 010 is 8, "yes" stays a string', () => {
    const cfg = readYaml(readFileSync(yes), yes) as { ctl: { insecure: unknown }; citus: { group: unknown } };
    assert.equal(cfg.ctl.insecure, true);
    assert.equal(cfg.citus.group, 8);
    assert.equal(
      (readYaml(readFileSync(quoted), quoted) as { ctl: { insecure: unknown } }).ctl.insecure,
      'yes',
    );
  });

  it('list, switchover and watch resolve the same target from the file', async () => {
    const cluster = await connect({ 'config-file': yes }, undefined, captureIo().io);
    try {
      assert.equal(cluster.target.group, 8);
      assert.equal(cluster.target.tls?.rejectUnauthorized, false);
    } finally {
      await cluster.close();
    }
    const { target } = await dcsTargetFromOptions({ 'config-file': yes }, {});
    assert.equal(target.group, 8);
    assert.equal(target.scope, 'demo');
    assert.equal(target.namespace, 'service');
  });

  it('list reads group 8 and reaches the members over unverified TLS', async () => {
    const r = await cli('list', '-c', yes, '-f', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ Member: string; Role: string; State: string }>;
    assert.deepEqual(
      rows.map((m) => [m.Member, m.Role, m.State]),
      [
        ['n1', 'Leader', 'running'],
        ['n2', 'Replica', 'streaming'],
      ],
    );
    assert.doesNotMatch(r.stderr, /unreachable|certificate/i);
    // The control: quoted "yes" is a string, so TLS is verified and the self-signed members do not answer.
    const strict = await cli('list', '-c', quoted, '-f', 'json');
    assert.equal(strict.code, 0, strict.stderr);
    assert.match(strict.stderr, /certificate|TLS/i);
  });

  it("switchover's plan reads the same cluster and passes, then asks for a confirmation it cannot get", async () => {
    const r = await cli('switchover', '-c', yes, '--candidate', 'n2');
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /refusing to switchover without --force: stdin is not a terminal/);
  });

  it("watch reads group 8's keys", async () => {
    const ac = new AbortController();
    const { io: streams, out } = captureIo(ac.signal);
    const done = main(['watch', '-c', yes, '--json'], streams);
    const deadline = Date.now() + 20_000;
    while (!out.stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    assert.equal(await done, 0, out.stderr);
    const snapshot = JSON.parse(out.stdout.split('\n')[0]!) as {
      type: string;
      state: { leader?: { value: string }; members: Array<{ name: string }> };
    };
    assert.equal(snapshot.type, 'snapshot');
    assert.equal(snapshot.state.leader?.value, 'n1');
    assert.deepEqual(snapshot.state.members.map((m) => m.name).sort(), ['n1', 'n2']);
  });

  it('namespace: /custom/ with --dcs-url: the same target for list, switchover and watch', async () => {
    const cluster = await connect({ 'config-file': custom, 'dcs-url': dcsUrl }, undefined, captureIo().io);
    try {
      assert.equal(cluster.target.namespace, 'custom');
      assert.equal(cluster.target.scope, 'demo');
    } finally {
      await cluster.close();
    }
    const { target } = await dcsTargetFromOptions({ 'config-file': custom, 'dcs-url': dcsUrl }, {});
    assert.equal(target.namespace, 'custom');
    assert.equal(target.scope, 'demo');

    const list = await cli('list', '-c', custom, '--dcs-url', dcsUrl, '-f', 'json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ Member: string; Role: string }>).map((m) => [m.Member, m.Role]),
      [
        ['n1', 'Leader'],
        ['n2', 'Replica'],
      ],
    );
    const sw = await cli('switchover', '-c', custom, '--dcs-url', dcsUrl, '--candidate', 'n2');
    assert.equal(sw.code, 2, `${sw.stdout}\n${sw.stderr}`);
    assert.match(sw.stderr, /refusing to switchover without --force/);

    const ac = new AbortController();
    const { io: streams, out } = captureIo(ac.signal);
    const done = main(['watch', '-c', custom, '--dcs-url', dcsUrl, '--json'], streams);
    const deadline = Date.now() + 20_000;
    while (!out.stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    assert.equal(await done, 0, out.stderr);
    const snapshot = JSON.parse(out.stdout.split('\n')[0]!) as { state: { leader?: { value: string } } };
    assert.equal(snapshot.state.leader?.value, 'n1');
  });

  it("the resolver takes its environment and home directory as inputs, with patronictl's precedence", async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'patroni'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'patroni', 'patronictl.yaml'),
      `scope: demo\nnamespace: /custom/\netcd3:\n  hosts: ${ETCD}:2379\n`,
    );
    // ~/.config/patroni/patronictl.yaml of the given home, not of the user running the test.
    const fromHome = await resolveTarget({ env: {}, homeDir: home });
    assert.equal(fromHome.configFile, join(home, '.config', 'patroni', 'patronictl.yaml'));
    assert.equal(fromHome.namespace, 'custom');
    // $PATRONICTL_CONFIG_FILE beats the home file; -c beats both.
    const fromEnv = await resolveTarget({ env: { PATRONICTL_CONFIG_FILE: yes }, homeDir: home });
    assert.equal(fromEnv.group, 8);
    assert.equal(fromEnv.namespace, 'service');
    assert.equal(
      (
        await resolveTarget({
          env: { PATRONICTL_CONFIG_FILE: yes },
          homeDir: home,
          configFile: custom,
          dcsUrl,
        })
      ).namespace,
      'custom',
    );
    // $DCS_URL acts as --dcs-url; a path in the URL beats the file's namespace, PATRONI_NAMESPACE beats the file.
    const url = await resolveTarget({ env: { DCS_URL: `${dcsUrl}/elsewhere` }, homeDir: home });
    assert.equal(url.namespace, 'elsewhere');
    assert.deepEqual(url.dcs?.connection.endpoints, [`http://${ETCD}:2379`]);
    assert.equal(
      (await resolveTarget({ env: { PATRONI_NAMESPACE: '/ns2/' }, homeDir: home, dcsUrl })).namespace,
      'ns2',
    );
    // The same inputs give watch the same target.
    const { target } = await dcsTargetFromOptions({}, { DCS_URL: `${dcsUrl}/elsewhere` }, home);
    assert.equal(target.namespace, 'elsewhere');
    assert.equal(target.scope, 'demo');
  });
});
