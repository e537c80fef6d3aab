/**
 * The `patroni-kit` launcher moves NODE_EXTRA_CA_CERTS out of Node's start-up (it costs ~50 ms per run) and the
 * TLS paths load those CAs when they connect: a member whose certificate comes from a private CA given only
 * through NODE_EXTRA_CA_CERTS is still trusted by `patroni-kit list --rest-url https://…`, and refused without
 * it. A small real HTTPS server (this suite's own 127.0.102.22) answers the two reads `list` makes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runFile } from './run-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const LAUNCHER = join(here, '../../bin/patroni-kit');
const PLAIN = join(here, '../src/main.js');
const HOST = '127.0.102.22';

/** Runs FILE without any extra-CA variable of this environment, plus `env`. */
const run = (file: string, args: string[], env: Record<string, string>) =>
  runFile(file, args, {
    env: { NODE_EXTRA_CA_CERTS: undefined, PATRONI_KIT_EXTRA_CA_CERTS: undefined, DCS_URL: '', ...env },
    timeoutMs: 60_000,
  });

describe('extra CAs from NODE_EXTRA_CA_CERTS, loaded only when TLS is used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-extra-ca-'));
  let server: https.Server;
  let url = '';

  before(async () => {
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=IP:${HOST}\n`);
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=pk-test-private-ca',
    );
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'srv.key',
      '-out',
      'srv.csr',
      '-subj',
      `/CN=${HOST}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'srv.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    server = https.createServer(
      { key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.crt')) },
      (req, res) => {
        const status = {
          state: 'running',
          role: 'primary',
          server_version: 150018,
          xlog: { location: 67109000 },
          timeline: 1,
          patroni: { version: '4.0.7', scope: 'ca-demo', name: 'n1' },
        };
        const cluster = {
          members: [
            {
              name: 'n1',
              role: 'leader',
              state: 'running',
              api_url: `${url}/patroni`,
              host: HOST,
              port: 5432,
              timeline: 1,
            },
          ],
        };
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(req.url === '/cluster' ? cluster : status));
      },
    );
    await new Promise<void>((r) => server.listen(0, HOST, r));
    url = `https://${HOST}:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const list = ['list', '--rest-url', () => url, '-f', 'json'] as const;
  const args = () => list.map((a) => (typeof a === 'function' ? a() : a));

  test('the launcher with NODE_EXTRA_CA_CERTS trusts the private CA', async () => {
    const r = await run(LAUNCHER, args(), { NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt'), HOME: dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ Member: string; Role: string }>;
    assert.deepEqual(
      rows.map((m) => [m.Member, m.Role]),
      [['n1', 'Leader']],
    );
  });

  test('the deferred variable alone (Node never saw the CA) is enough', async () => {
    const r = await run(process.execPath, [PLAIN, ...args()], {
      PATRONI_KIT_EXTRA_CA_CERTS: join(dir, 'ca.crt'),
      HOME: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"n1"/);
  });

  test('without it the certificate is refused with a TLS error naming real options', async () => {
    const r = await run(LAUNCHER, args(), { HOME: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /TLS|certificate/i);
    assert.match(r.stderr, /ctl\.cacert|--insecure/);
    assert.doesNotMatch(r.stdout, /"n1"/);
  });
});
