/**
 * The Add Cluster flow, every path, driven by a scripted UI against real parts: a real etcd 3.5 with
 * authentication and synthetic Patroni keys (127.0.104.1), a closed port (127.0.104.2), small HTTP/HTTPS
 * servers answering `GET /patroni` like a member (127.0.104.3, .4: the REST-URL path's corner cases; the
 * facade's REST discovery itself is proven against real Patroni in the cluster package), real files, the
 * SDK backend (`sdkBackend`: the CLI's resolver, DcsClient, Cluster.connect).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type AddClusterBackend,
  type AddClusterResult,
  type AddClusterUi,
  addCluster,
  type InputRequest,
  nameError,
  type PickItem,
  restUrlsError,
  sdkBackend,
} from '../src/model/add-cluster.js';
import { ConnectionStore, dcsUrlError } from '../src/model/connections.js';
import { TestEtcd } from './etcd.js';

const NET = '127.0.104';
const ETCD_PW = 'r00t/pw@x';

/** One scripted answer: the step's title must match `title`; `answer` picks from the items or types text. */
type Step =
  | { title: RegExp; pick: (items: PickItem<unknown>[]) => unknown }
  | { title: RegExp; pickMany: (items: PickItem<unknown>[]) => unknown[] | undefined }
  | { title: RegExp; type: Array<string | undefined> }
  | { title: RegExp; file: string | undefined }
  | { title: RegExp; confirm: boolean };

interface Seen {
  title: string;
  items?: PickItem<unknown>[];
  request?: InputRequest;
  rejected?: Array<{ text: string; why: string }>;
  detail?: string;
}

/** A UI that answers from a script, fails on an unexpected step, and records what it was shown. */
function scripted(steps: Step[]): { ui: AddClusterUi; seen: Seen[]; left: () => number } {
  const queue = [...steps];
  const seen: Seen[] = [];
  const next = (title: string, kind: string) => {
    const step = queue.shift();
    assert.ok(step, `unexpected step ${kind} "${title}"`);
    assert.match(title, step.title, `step "${title}" (${kind})`);
    return step;
  };
  const ui: AddClusterUi = {
    async pickOne<T>(title: string, items: PickItem<T>[]) {
      const step = next(title, 'pickOne');
      seen.push({ title, items: items as PickItem<unknown>[] });
      assert.ok('pick' in step, `"${title}" is a pick`);
      return step.pick(items as PickItem<unknown>[]) as T | undefined;
    },
    async pickMany<T>(title: string, items: PickItem<T>[]) {
      const step = next(title, 'pickMany');
      seen.push({ title, items: items as PickItem<unknown>[] });
      assert.ok('pickMany' in step, `"${title}" is a multi-pick`);
      return step.pickMany(items as PickItem<unknown>[]) as T[] | undefined;
    },
    async input(request) {
      const step = next(request.title, 'input');
      assert.ok('type' in step, `"${request.title}" is an input box`);
      const rec: Seen = { title: request.title, request, rejected: [] };
      seen.push(rec);
      // Like the real input box: text its validation refuses is not accepted; the user types again.
      for (const text of step.type) {
        if (text === undefined) return undefined;
        const why = request.validate?.(text);
        if (why === undefined) return text;
        rec.rejected!.push({ text, why });
      }
      return undefined;
    },
    async openFile(title) {
      const step = next(title, 'openFile');
      seen.push({ title });
      assert.ok('file' in step, `"${title}" is a file dialog`);
      return step.file;
    },
    async warn(message, detail) {
      const step = next(message, 'warn');
      seen.push({ title: message, detail });
      assert.ok('confirm' in step, `"${message}" is a modal`);
      return step.confirm;
    },
    busy(_title, work) {
      return work(AbortSignal.timeout(30_000));
    },
  };
  return { ui, seen, left: () => queue.length };
}

const byLabel =
  (re: RegExp) =>
  (items: PickItem<unknown>[]): unknown =>
    items.find((i) => re.test(i.label))?.value;
const src = (re: RegExp): Step => ({ title: /^Add Patroni Cluster$/, pick: byLabel(re) });
const none: Step = { title: /^Mark as production/, pickMany: () => [] };
const noPg: Step = { title: /^PostgreSQL user$/, type: [''] };

function memoryStore() {
  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  let n = 0;
  const store = new ConnectionStore(
    {
      get: <T>(k: string) => (state.has(k) ? (structuredClone(state.get(k)) as T) : undefined),
      update: async (k, v) => void state.set(k, structuredClone(v)),
    },
    {
      get: async (k) => secrets.get(k),
      store: async (k, v) => void secrets.set(k, v),
      delete: async (k) => void secrets.delete(k),
    },
    { env: {}, homeDir: '/nonexistent', newId: () => `c${++n}` },
  );
  return { state, secrets, store };
}

function added(r: AddClusterResult) {
  assert.equal(
    r.outcome,
    'added',
    r.outcome === 'failed' ? `${r.error.code}: ${r.error.message}` : r.outcome,
  );
  return r.outcome === 'added' ? r.clusters : [];
}

function failed(r: AddClusterResult) {
  assert.equal(r.outcome, 'failed');
  return r.outcome === 'failed' ? r.error : assert.fail('not failed');
}

/** Serves `GET /patroni` like a Patroni member of `scope` (http, or https with `tls`). */
async function member(host: string, scope: string, tls?: { key: Buffer; cert: Buffer }): Promise<Server> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/patroni')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          state: 'running',
          role: 'primary',
          server_version: 150010,
          timeline: 1,
          patroni: { version: '4.0.7', scope, name: `${scope}-1` },
        }),
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  };
  const server = tls ? createHttps(tls, handler) : createHttp(handler);
  await new Promise<void>((r) => server.listen(0, host, r));
  return server;
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('Add Cluster flow (scripted UI, real etcd, SDK backend)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-ext-add-'));
  const etcd = new TestEtcd(`${NET}.1`, join(dir, 'etcd'));
  let tlsEtcd: TestEtcd | undefined;
  const ws = join(dir, 'ws');
  const files: string[] = [];
  const backend: AddClusterBackend = sdkBackend(async () => files);
  const servers: Server[] = [];
  let tls: { key: Buffer; cert: Buffer; certFile: string };
  let httpA = '';
  let httpB = '';
  let httpsUrl = '';

  before(async () => {
    await etcd.start();
    await etcd.seed(
      'service',
      'demo',
      [
        { name: 'n1', api: `http://${NET}.11:8008` },
        { name: 'n2', api: `http://${NET}.12:8008` },
        { name: 'n3', api: `http://${NET}.13:8008` },
      ],
      'n1',
    );
    await etcd.seed('service', 'other', [{ name: 'o1', api: `https://${NET}.14:8008` }]);
    await etcd.ctl('put', '/empty/not-patroni', 'x');
    await etcd.enableAuth(ETCD_PW);
    execFileSync('mkdir', ['-p', ws]);
    const dcsSection = `etcd3:\n  hosts: ${NET}.1:2379\n  username: root\n  password: '${ETCD_PW}'\n`;
    writeFileSync(join(ws, 'patroni.yml'), `scope: demo\nname: n1\n${dcsSection}`);
    writeFileSync(join(ws, 'patronictl.yaml'), dcsSection);
    writeFileSync(join(ws, 'broken.yml'), 'scope: [unclosed\n');
    writeFileSync(join(ws, 'consul.yml'), 'scope: x\nconsul:\n  host: 127.0.0.1:8500\n');
    files.push(join(ws, 'patroni.yml'), join(ws, 'patronictl.yaml'));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pk-ext-member'],
        ...['-keyout', join(dir, 'member.key'), '-out', join(dir, 'member.crt')],
        ...['-addext', `subjectAltName=IP:${NET}.4`],
      ],
      { stdio: 'ignore' },
    );
    tls = {
      key: readFileSync(join(dir, 'member.key')),
      cert: readFileSync(join(dir, 'member.crt')),
      certFile: join(dir, 'member.crt'),
    };
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pk-ext-etcd'],
        ...['-keyout', join(dir, 'etcd.key'), '-out', join(dir, 'etcd.crt')],
        ...['-addext', `subjectAltName=IP:${NET}.5`],
      ],
      { stdio: 'ignore' },
    );
    tlsEtcd = new TestEtcd(`${NET}.5`, join(dir, 'etcd-tls'), {
      cert: join(dir, 'etcd.crt'),
      key: join(dir, 'etcd.key'),
    });
    await tlsEtcd.start();
    await tlsEtcd.seed('service', 'tlsdemo', [{ name: 't1', api: `http://${NET}.2:9` }], 't1');
    const a = await member(`${NET}.3`, 'alpha');
    const b = await member(`${NET}.3`, 'beta');
    const s = await member(`${NET}.4`, 'secure', tls);
    servers.push(a, b, s);
    httpA = `http://${NET}.3:${portOf(a)}`;
    httpB = `http://${NET}.3:${portOf(b)}`;
    httpsUrl = `https://${NET}.4:${portOf(s)}`;
  });

  after(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    await etcd.stop();
    await tlsEtcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DCS URL: lists every scope with leader and members; several added at once; the password only in secrets', async () => {
    const { state, secrets, store } = memoryStore();
    const { ui, seen, left } = scripted([
      src(/DCS URL/),
      {
        title: /^etcd URL/,
        type: ['redis://x', `etcd3://root:${encodeURIComponent(ETCD_PW)}@${NET}.1:2379`],
      },
      {
        title: /^Clusters in etcd3:\/\/127\.0\.104\.1:2379$/,
        pickMany: (items) => items.map((i) => i.value),
      },
      // `other`'s member has an https REST API: the TLS step is offered; declining the insecure modal asks again.
      { title: /^TLS for the members/, pick: byLabel(/insecure/) },
      { title: /^Turn off TLS verification/, confirm: false },
      { title: /^TLS for the members/, pick: byLabel(/system CAs/) },
      { title: /^Client certificate$/, pick: byLabel(/^No client/) },
      { title: /^PostgreSQL user$/, type: ['postgres'] },
      { title: /^Password of postgres$/, type: ['pg-secret-1'] },
      {
        title: /^Mark as production/,
        pickMany: (items) => items.filter((i) => i.label === 'demo').map((i) => i.value),
      },
    ]);
    const clusters = added(await addCluster({ ui, backend, store }));
    assert.equal(left(), 0);
    const urlStep = seen.find((s) => s.title.startsWith('etcd URL'));
    assert.match(urlStep?.rejected?.[0]?.why ?? '', /not supported|etcd3:\/\//);
    const pick = seen.find((s) => s.title.startsWith('Clusters in'));
    assert.deepEqual(
      pick?.items?.map((i) => [i.label, i.description, i.detail]),
      [
        ['demo', 'leader n1', '3 members: n1, n2, n3'],
        ['other', 'no leader', '1 member: o1'],
      ],
    );
    assert.deepEqual(
      clusters.map((c) => [c.name, c.source, c.etcdUser, c.postgresUser, c.production === true, c.insecure]),
      [
        [
          'demo',
          { kind: 'dcs', url: `etcd3://${NET}.1:2379`, scope: 'demo' },
          'root',
          'postgres',
          true,
          undefined,
        ],
        [
          'other',
          { kind: 'dcs', url: `etcd3://${NET}.1:2379`, scope: 'other' },
          'root',
          'postgres',
          false,
          undefined,
        ],
      ],
    );
    const saved = JSON.stringify([...state.values()]);
    for (const s of [ETCD_PW, encodeURIComponent(ETCD_PW), 'pg-secret-1']) assert.ok(!saved.includes(s), s);
    assert.equal(secrets.get('patroni.cluster/c1/etcd'), ETCD_PW);
    assert.equal(secrets.get('patroni.cluster/c2/postgres'), 'pg-secret-1');
    assert.deepEqual(await store.postgres('c1'), { username: 'postgres', password: 'pg-secret-1' });
    // The saved definition reaches the same etcd again, through the same resolver.
    const again = await backend.listScopes(await store.connectOptions('c1'), AbortSignal.timeout(10_000));
    assert.deepEqual(
      again.map((s) => s.scope),
      ['demo', 'other'],
    );
    await store.remove('c1');
    assert.equal(secrets.has('patroni.cluster/c1/etcd'), false);
    assert.equal(secrets.has('patroni.cluster/c1/postgres'), false);
  });

  it('DCS URL: a user without password in the URL is asked for it; a wrong one fails with AUTH', async () => {
    const { state, store } = memoryStore();
    const { ui, left } = scripted([
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3://root@${NET}.1:2379`] },
      { title: /^Password of root$/, type: ['wrong-pw'] },
    ]);
    const err = failed(await addCluster({ ui, backend, store }));
    assert.equal(err.code, 'AUTH');
    assert.ok(!err.message.includes('wrong-pw'));
    assert.equal(left(), 0);
    assert.equal(state.size, 0);
  });

  it('DCS URL: no scope in the namespace, unreachable etcd, bad URL', async () => {
    const { state, store } = memoryStore();
    const empty = scripted([
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3://${NET}.1:2379/empty`] },
      { title: /^etcd user$/, type: ['root'] },
      { title: /^Password of root$/, type: [ETCD_PW] },
    ]);
    const e1 = failed(await addCluster({ ui: empty.ui, backend, store }));
    assert.equal(e1.code, 'NOT_FOUND');
    assert.match(e1.message, /no Patroni cluster in etcd3:\/\/127\.0\.104\.1:2379\/empty/);
    assert.match(e1.hint ?? '', /namespace/);

    const down = scripted([
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3://${NET}.2:2379`] },
      { title: /^etcd user$/, type: [''] },
    ]);
    const e2 = failed(await addCluster({ ui: down.ui, backend, store }));
    assert.ok(['CONNECT', 'TIMEOUT', 'DCS'].includes(e2.code), e2.code);
    assert.match(e2.message, /127\.0\.104\.2/);

    for (const bad of ['127.0.104.1:2379', 'etcd3://', 'consul://h:8500', ''])
      assert.ok(dcsUrlError(bad), bad);
    assert.equal(dcsUrlError(`etcd3://${NET}.1:2379/service`), undefined);
    // A UI that lets a bad URL through still gets a USAGE error, not a crash.
    const raw: AddClusterUi = { ...scripted([]).ui };
    let asked = 0;
    raw.pickOne = async <T>(_t: string, items: PickItem<T>[]) => items[1]?.value;
    raw.input = async () => (asked++ === 0 ? 'redis://h' : undefined);
    const e3 = failed(await addCluster({ ui: raw, backend, store }));
    assert.equal(e3.code, 'USAGE');
    assert.equal(state.size, 0);
  });

  it('config from the workspace: a patroni.yml with scope; a patronictl config without one lists the scopes', async () => {
    const { state, store } = memoryStore();
    const one = scripted([
      src(/config/),
      { title: /^patroni\.yml or patronictl config$/, pick: byLabel(/ws\/patroni\.yml$/) },
      { title: /^Name shown in the tree$/, type: ['', 'demo-node'] },
      none,
    ]);
    const [c] = added(await addCluster({ ui: one.ui, backend, store }));
    assert.deepEqual(c?.source, { kind: 'config', path: join(ws, 'patroni.yml') });
    assert.equal(c?.name, 'demo-node');
    assert.match(one.seen.find((s) => s.title.startsWith('Name'))?.rejected?.[0]?.why ?? '', /give the name/);
    // The config's own password stays in the file: nothing secret was copied.
    assert.ok(!JSON.stringify([...state.values()]).includes(ETCD_PW));

    const many = scripted([
      src(/config/),
      { title: /^patroni\.yml or patronictl config$/, pick: byLabel(/patronictl\.yaml$/) },
      { title: /^Clusters in the DCS of/, pickMany: (items) => items.map((i) => i.value) },
      { title: /^Mark as production/, pickMany: (items) => items.map((i) => i.value) },
    ]);
    const both = added(await addCluster({ ui: many.ui, backend, store }));
    assert.deepEqual(
      both.map((x) => [x.name, x.source, x.production]),
      [
        ['demo', { kind: 'config', path: join(ws, 'patronictl.yaml'), scope: 'demo' }, true],
        ['other', { kind: 'config', path: join(ws, 'patronictl.yaml'), scope: 'other' }, true],
      ],
    );
    assert.equal(many.left(), 0);
  });

  it('config from disk: a broken file, a missing file and a non-etcd DCS fail with CONFIG errors', async () => {
    const { state, store } = memoryStore();
    for (const [file, re] of [
      [join(ws, 'broken.yml'), /broken\.yml/],
      [join(ws, 'missing.yml'), /cannot read the config/],
      [join(ws, 'consul.yml'), /consul/],
    ] as const) {
      const s = scripted([
        src(/config/),
        { title: /^patroni\.yml or patronictl config$/, pick: byLabel(/^Browse/) },
        { title: /^patroni\.yml or patronictl config$/, file },
      ]);
      const err = failed(await addCluster({ ui: s.ui, backend, store }));
      assert.equal(err.code, 'CONFIG', `${file}: ${err.code} ${err.message}`);
      assert.match(err.message, re);
      assert.ok(err.hint, 'a hint');
    }
    assert.equal(state.size, 0);
  });

  it('REST URLs: members of two clusters are grouped by scope; credentials in the URL go to secrets', async () => {
    const { state, secrets, store } = memoryStore();
    const { ui, seen } = scripted([
      src(/REST/),
      {
        title: /^Member REST URLs$/,
        type: [`${NET}.3:8008`, `http://admin:rest%2Fpw@${httpA.slice(7)}, ${httpB}`],
      },
      noPg,
      none,
    ]);
    const clusters = added(await addCluster({ ui, backend, store }));
    assert.match(seen[1]?.rejected?.[0]?.why ?? '', /not an http/);
    assert.deepEqual(
      clusters.map((c) => [c.name, c.source, c.restUser]),
      [
        ['alpha', { kind: 'rest', urls: [httpA] }, 'admin'],
        ['beta', { kind: 'rest', urls: [httpB] }, 'admin'],
      ],
    );
    assert.equal(secrets.get('patroni.cluster/c1/rest'), 'rest/pw');
    assert.ok(!JSON.stringify([...state.values()]).includes('rest'.concat('/pw')));
    assert.ok(!JSON.stringify([...state.values()]).includes('rest%2Fpw'));
  });

  it('REST URLs: an unreachable member fails naming it; nothing is saved', async () => {
    const { state, store } = memoryStore();
    const { ui } = scripted([
      src(/REST/),
      { title: /^Member REST URLs$/, type: [`${httpA},http://${NET}.2:9`] },
      { title: /^REST API user$/, type: [''] },
    ]);
    const err = failed(await addCluster({ ui, backend, store }));
    assert.match(err.message, /http:\/\/127\.0\.104\.2:9 did not answer as a Patroni member/);
    assert.equal(state.size, 0);
  });

  it('TLS: verified by default (the self-signed member is refused), with a CA file it connects, opting out needs the modal', async () => {
    const { store } = memoryStore();
    const steps = (tlsSteps: Step[]): Step[] => [
      src(/REST/),
      { title: /^Member REST URLs$/, type: [httpsUrl] },
      ...tlsSteps,
      { title: /^REST API user$/, type: [''] },
    ];
    const system = scripted(
      steps([
        { title: /^TLS for/, pick: byLabel(/system CAs/) },
        { title: /^Client certificate$/, pick: byLabel(/^No client/) },
      ]),
    );
    const refused = failed(await addCluster({ ui: system.ui, backend, store }));
    assert.equal(refused.code, 'TLS', `${refused.code}: ${refused.message}`);

    const withCa = scripted([
      ...steps([
        { title: /^TLS for/, pick: byLabel(/CA file/) },
        { title: /^CA certificate/, file: tls.certFile },
        { title: /^Client certificate$/, pick: byLabel(/^No client/) },
      ]),
      noPg,
      { title: /^Name shown/, type: ['secure-ca'] },
      none,
    ]);
    const [ca] = added(await addCluster({ ui: withCa.ui, backend, store }));
    assert.deepEqual(ca?.tls, { caFile: tls.certFile });
    assert.equal(ca?.insecure, undefined);

    const optOut = scripted([
      ...steps([
        { title: /^TLS for/, pick: byLabel(/insecure/) },
        { title: /^Turn off TLS verification/, confirm: true },
        { title: /^Client certificate$/, pick: byLabel(/^Present/) },
        { title: /^Client certificate \(PEM\)$/, file: tls.certFile },
        { title: /^Client key \(PEM\)$/, file: join(dir, 'member.key') },
      ]),
      noPg,
      { title: /^Name shown/, type: ['secure-ca', 'secure-k'] },
      none,
    ]);
    const [k] = added(await addCluster({ ui: optOut.ui, backend, store }));
    assert.equal(k?.insecure, true);
    assert.deepEqual(k?.tls, { certFile: tls.certFile, keyFile: join(dir, 'member.key') });
    assert.match(optOut.seen.find((s) => s.title.startsWith('Turn off'))?.detail ?? '', /credentials/);
    assert.match(
      optOut.seen.find((s) => s.title.startsWith('Name'))?.rejected?.[0]?.why ?? '',
      /already exists/,
    );
  });

  it('etcd over TLS: verified by default (an unknown CA is refused), a missing CA file is a CONFIG error, with the CA file the scopes are listed', async () => {
    const { store } = memoryStore();
    const start = (tlsSteps: Step[]): Step[] => [
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3s://${NET}.5:2379`] },
      { title: /^etcd user$/, type: [''] },
      { title: /^TLS for etcd at https?:|^TLS for etcd at etcd3s:/, pick: byLabel(/system CAs/) },
      ...tlsSteps,
    ];
    const system = scripted(start([{ title: /^Client certificate$/, pick: byLabel(/^No client/) }]));
    const refused = failed(await addCluster({ ui: system.ui, backend, store }));
    assert.equal(refused.code, 'TLS', refused.message);
    assert.match(refused.hint ?? '', /CA/);
    const tlsPick = system.seen.find((s) => s.title.startsWith('TLS for etcd'));
    assert.ok(!tlsPick?.items?.some((i) => /insecure/.test(i.label)), 'no opt-out for etcd');

    const missing = scripted([
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3s://${NET}.5:2379`] },
      { title: /^etcd user$/, type: [''] },
      { title: /^TLS for etcd/, pick: byLabel(/CA file/) },
      { title: /^CA certificate/, file: join(dir, 'no-such-ca.crt') },
      { title: /^Client certificate$/, pick: byLabel(/^No client/) },
    ]);
    const noCa = failed(await addCluster({ ui: missing.ui, backend, store }));
    assert.equal(noCa.code, 'CONFIG');
    assert.match(noCa.message, /cannot read .*no-such-ca\.crt/);

    const withCa = scripted([
      src(/DCS URL/),
      { title: /^etcd URL/, type: [`etcd3s://${NET}.5:2379`] },
      { title: /^etcd user$/, type: [''] },
      { title: /^TLS for etcd/, pick: byLabel(/CA file/) },
      { title: /^CA certificate/, file: join(dir, 'etcd.crt') },
      { title: /^Client certificate$/, pick: byLabel(/^No client/) },
      { title: /^Clusters in etcd3s:/, pickMany: (items) => items.map((i) => i.value) },
      noPg,
      { title: /^Name shown/, type: ['tlsdemo'] },
      none,
    ]);
    const [c] = added(await addCluster({ ui: withCa.ui, backend, store }));
    assert.deepEqual(c?.tls, { caFile: join(dir, 'etcd.crt') });
    assert.deepEqual(c?.source, { kind: 'dcs', url: `etcd3s://${NET}.5:2379`, scope: 'tlsdemo' });
    const again = await backend.listScopes(await store.connectOptions(c!.id), AbortSignal.timeout(10_000));
    assert.deepEqual(
      again.map((s) => [s.scope, s.leader]),
      [['tlsdemo', 't1']],
    );
  });

  it('cancelling at any step saves nothing', async () => {
    const { state, secrets, store } = memoryStore();
    const scripts: Step[][] = [
      [{ title: /^Add Patroni Cluster$/, pick: () => undefined }],
      [src(/DCS URL/), { title: /^etcd URL/, type: [undefined] }],
      [
        src(/DCS URL/),
        { title: /^etcd URL/, type: [`etcd3://${NET}.1:2379`] },
        { title: /^etcd user$/, type: [undefined] },
      ],
      [
        src(/DCS URL/),
        { title: /^etcd URL/, type: [`etcd3://root@${NET}.1:2379`] },
        { title: /^Password of root$/, type: [ETCD_PW] },
        { title: /^Clusters in/, pickMany: () => [] },
      ],
      [
        src(/config/),
        { title: /^patroni\.yml or patronictl config$/, pick: byLabel(/ws\/patroni\.yml$/) },
        { title: /^Name shown/, type: ['x'] },
        { title: /^Mark as production/, pickMany: () => undefined },
      ],
      [
        src(/config/),
        { title: /^patroni\.yml/, pick: byLabel(/^Browse/) },
        { title: /^patroni\.yml/, file: undefined },
      ],
      [
        src(/REST/),
        { title: /^Member REST URLs$/, type: [httpsUrl] },
        { title: /^TLS for/, pick: () => undefined },
      ],
    ];
    for (const steps of scripts) {
      const s = scripted(steps);
      const r = await addCluster({ ui: s.ui, backend, store });
      assert.equal(r.outcome, 'cancelled', JSON.stringify(r));
      assert.equal(s.left(), 0);
    }
    assert.equal(state.size, 0);
    assert.equal(secrets.size, 0);
  });

  it('input validation helpers', () => {
    assert.equal(restUrlsError('http://a:8008, https://b:8008'), undefined);
    assert.match(restUrlsError(' , ') ?? '', /at least one/);
    assert.match(restUrlsError('ftp://a') ?? '', /not an http/);
    assert.ok(!(restUrlsError('http//u:topsecret@h') ?? '').includes('topsecret'));
    assert.equal(nameError('a', ['b']), undefined);
    assert.match(nameError(' ', []) ?? '', /give the name/);
    assert.match(nameError('b', ['b']) ?? '', /already exists/);
  });
});
