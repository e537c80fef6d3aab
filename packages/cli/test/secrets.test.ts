/**
 * Secrets never leave patroni-kit: known passwords (with / @ space : % #) are planted in every place a user
 * can put one (patroni.yml and ctl config sections, etcd host URLs, --dcs-url, --rest-url, PATRONI_* and
 * PGPASSWORD environment, PATRONICTL_CONFIG_FILE, an --env-file credential file), and servers on 127.0.53.x
 * echo whatever credentials they receive back into their error answers. Every output format (text, --json,
 * yaml, SARIF), every error rendering (message, stack, JSON.stringify, util.inspect, PATRONI_KIT_DEBUG
 * stacks) and stderr (the CLI's log) is searched for each password, raw, percent-encoded, JSON-escaped and
 * as the base64 of user:password. Each run is a fresh process, so no secret another run registered can
 * hide a leak.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const P = (tag: string) => `Pw${tag}/@ x:%#9`;
const secrets = {
  rest: P('rest'),
  ctl: P('ctl'),
  etcd: P('etcd'),
  etcdUrl: P('etcdurl'),
  superuser: P('su'),
  replication: P('repl'),
  keyfile: P('keyfile'),
  dcsUrl: P('dcsurl'),
  restUrl: P('resturl'),
  envEtcd: P('envetcd'),
  envRest: P('envrest'),
  pgpassword: P('pgpass'),
  envFile: P('envfile'),
};
const users = ['admin', 'root', 'postgres', 'rep', ''];
function forms(pw: string): string[] {
  const out = [pw, encodeURIComponent(pw), JSON.stringify(pw).slice(1, -1)];
  for (const u of users) out.push(Buffer.from(`${u}:${pw}`).toString('base64'));
  return out;
}

const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
const probe = fileURLToPath(new URL('./secrets-probe.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'patroni-kit-secrets-'));
const servers: http.Server[] = [];
let etcdPort = 0;
let restPort = 0;
let checks = 0;
let runs = 0;

/** Basic-auth header of a request, decoded: what a careless server would echo back. */
function basic(req: http.IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  return `${h} ${Buffer.from(h.replace(/^Basic /, ''), 'base64').toString('utf8')}`;
}

async function listen(server: http.Server, host: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

before(async () => {
  // An etcd gateway that refuses every login and every read, quoting what it got.
  etcdPort = await listen(
    http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const login = req.url === '/v3/auth/authenticate';
        res.writeHead(login ? 401 : 500, { 'content-type': 'application/json', connection: 'close' });
        const echo = `echo ${req.url} ${basic(req)} ${req.headers.authorization ?? ''} ${body}`;
        res.end(
          JSON.stringify({ error: login ? `authentication failed: ${echo}` : echo, message: echo, code: 16 }),
        );
      });
    }),
    '127.0.53.1',
  );
  // A member REST API that answers reads like Patroni and every write with 500 quoting the credentials.
  restPort = await listen(
    http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const self = `http://127.0.53.2:${restPort}`;
        if (req.method === 'GET' && req.url === '/patroni') {
          res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
          res.end(
            JSON.stringify({
              state: 'running',
              role: 'primary',
              patroni: { version: '4.0.7', scope: 'a', name: 'n1' },
            }),
          );
          return;
        }
        if (req.method === 'GET' && req.url === '/cluster') {
          res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
          res.end(
            JSON.stringify({
              scope: 'a',
              members: [
                {
                  name: 'n1',
                  role: 'leader',
                  state: 'running',
                  api_url: `${self}/patroni`,
                  host: '127.0.53.2',
                  port: 1,
                },
              ],
            }),
          );
          return;
        }
        res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' });
        res.end(`echo ${req.method} ${req.url} ${basic(req)} ${body}`);
      });
    }),
    '127.0.53.2',
  );
});
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(work, { recursive: true, force: true });
});

function patroniYml(variant: 'fields' | 'url'): string {
  const q = (s: string) => JSON.stringify(s);
  const etcd =
    variant === 'fields'
      ? `etcd3:\n  hosts: [127.0.53.1:${etcdPort}]\n  username: root\n  password: ${q(secrets.etcd)}\n`
      : `etcd3:\n  hosts: [${q(`http://root:${encodeURIComponent(secrets.etcdUrl)}@127.0.53.1:${etcdPort}`)}, ${q(`http://root:${secrets.etcdUrl}@127.0.53.1:${etcdPort}`)}]\n`;
  return `scope: a
namespace: /service/
name: n1
restapi:
  listen: 127.0.53.2:${restPort}
  connect_address: 127.0.53.2:${restPort}
  authentication:
    username: admin
    password: ${q(secrets.rest)}
ctl:
  authentication: {username: admin, password: ${q(secrets.ctl)}}
  keyfile_password: ${q(secrets.keyfile)}
${etcd}postgresql:
  listen: 127.0.53.2:5432
  connect_address: 127.0.53.2:5432
  data_dir: /var/lib/postgresql/15/main
  authentication:
    superuser: {username: postgres, password: ${q(secrets.superuser)}}
    replication: {username: rep, password: ${q(secrets.replication)}}
  parameters:
    ssl: 'on'
    unix_socket_directories: ${q(`postgres://u:${secrets.superuser}@x`)}
`;
}

function run(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: work, TMPDIR: work, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      runs++;
      resolve({ code, out });
    });
  });
}

function assertClean(what: string, out: string): void {
  for (const [name, pw] of Object.entries(secrets)) {
    for (const form of forms(pw)) {
      checks++;
      assert.ok(
        !out.includes(form),
        `${what}: the ${name} password leaked as ${JSON.stringify(form)}:\n${out}`,
      );
    }
  }
}

describe('secrets never reach output, errors or logs (issue 13)', () => {
  let fieldsYml = '';
  let urlYml = '';
  let envFile = '';
  before(() => {
    fieldsYml = join(work, 'patroni-fields.yml');
    urlYml = join(work, 'patroni-url.yml');
    envFile = join(work, 'creds.env');
    writeFileSync(fieldsYml, patroniYml('fields'));
    writeFileSync(urlYml, patroniYml('url'));
    writeFileSync(
      envFile,
      `PATRONI_SUPERUSER_PASSWORD=${secrets.envFile}\nPATRONI_ETCD3_PASSWORD=${secrets.envFile}\nPATRONI_RESTAPI_PASSWORD=${secrets.envFile}\nPATRONI_TTL=${secrets.envFile}\n`,
    );
  });

  it('the CLI with passwords in patroni.yml / ctl config: every command and format', async () => {
    const debug = { PATRONI_KIT_DEBUG: '1' };
    const cases: Array<[string[], Record<string, string>?]> = [];
    for (const cfg of [fieldsYml, urlYml]) {
      cases.push(
        [['list', '-c', cfg], debug],
        [['list', '-c', cfg, '--json']],
        [['list', '-c', cfg, '-f', 'yaml']],
        [['topology', '-c', cfg]],
        [['health', '-c', cfg, '--json']],
        [['reload', '-c', cfg, '--force'], debug],
        [['reload', '-c', cfg, '--force', '--json']],
        [['restart', '-c', cfg, '--force']],
        [['dsn', '-c', cfg]],
        [['show-config', '-c', cfg]],
        [['etcd', 'status', '-c', cfg], debug],
        [['query', '-c', cfg, '-r', 'leader', 'select 1'], debug],
        [['list'], { PATRONICTL_CONFIG_FILE: cfg, ...debug }],
      );
    }
    for (const [args, env] of cases) {
      const r = await run(main, args, env ?? {});
      if (process.env.PATRONI_KIT_SECRETS_SHOW) process.stderr.write(`--- ${args.join(' ')}\n${r.out}\n`);
      assert.ok(r.out.length > 0, `${args.join(' ')} printed something`);
      assertClean(`patroni-kit ${args.join(' ')}`, r.out);
    }
  });

  it('the CLI with passwords in --dcs-url, --rest-url and the environment', async () => {
    const dcsUrl = `etcd3://root:${encodeURIComponent(secrets.dcsUrl)}@127.0.53.1:${etcdPort}/service`;
    const rawDcsUrl = `etcd3://root:${secrets.dcsUrl}@127.0.53.1:${etcdPort}`;
    const restUrl = `http://admin:${encodeURIComponent(secrets.restUrl)}@127.0.53.2:${restPort}`;
    const env = {
      PATRONI_ETCD3_HOSTS: `127.0.53.1:${etcdPort}`,
      PATRONI_ETCD3_USERNAME: 'root',
      PATRONI_ETCD3_PASSWORD: secrets.envEtcd,
      PATRONI_RESTAPI_USERNAME: 'admin',
      PATRONI_RESTAPI_PASSWORD: secrets.envRest,
      PGPASSWORD: secrets.pgpassword,
      PATRONI_KIT_DEBUG: '1',
    };
    const cases: Array<[string[], Record<string, string>?]> = [
      [['list', 'a', '--dcs-url', dcsUrl]],
      [['list', 'a', '--dcs-url', rawDcsUrl, '--json']],
      [['etcd', 'status', '--dcs-url', dcsUrl]],
      [['reload', 'a', '--dcs-url', rawDcsUrl, '--force']],
      [['list', '--rest-url', restUrl]],
      [['reload', '--rest-url', restUrl, '--force', '--json']],
      [['list', 'a', '--rest-url', `http://admin:${secrets.restUrl}@127.0.53.2:${restPort}`]],
      [['list', 'a'], env],
      [['reload', 'a', '--force'], env],
      [['query', 'a', 'select 1'], env],
      [['etcd', 'status'], env],
    ];
    for (const [args, e] of cases) {
      const r = await run(main, args, e ?? {});
      assert.ok(r.out.length > 0, `${args.join(' ')} printed something`);
      assertClean(`patroni-kit ${args.join(' ')}`, r.out);
    }
  });

  it('lint in text, JSON and SARIF, with an --env-file credential file', async () => {
    for (const cfg of [fieldsYml, urlYml]) {
      for (const extra of [
        [],
        ['--format', 'json'],
        ['--format', 'sarif'],
        ['--env-file', envFile],
        ['--env-file', envFile, '--format', 'sarif'],
      ]) {
        const r = await run(main, ['lint', ...extra, cfg]);
        assert.ok(r.out.length > 0);
        assertClean(`patroni-kit lint ${extra.join(' ')}`, r.out);
      }
    }
  });

  it('the library: error message, stack, JSON.stringify and util.inspect of every result', async (t) => {
    const cases: string[][] = [
      ['cluster-config', fieldsYml],
      ['cluster-config', urlYml],
      [
        'rest-url',
        `http://admin:${encodeURIComponent(secrets.restUrl)}@127.0.53.2:${restPort}`,
        `http://admin:${secrets.restUrl}@[bad`,
      ],
      ['dcs-url', `etcd3://root:${secrets.dcsUrl}@127.0.53.1:${etcdPort}`],
      ['dcs-url', `etcd3://root:${encodeURIComponent(secrets.dcsUrl)}@127.0.53.1:${etcdPort}/service`],
    ];
    for (const args of cases) {
      const r = await run(probe, args);
      assert.match(r.out, /== /, `${args[0]}: the probe ran: ${r.out}`);
      assertClean(`library ${args[0]}`, r.out);
    }
    const env = await run(probe, ['env'], {
      PATRONI_ETCD3_HOSTS: `http://root:${secrets.envEtcd}@127.0.53.1:${etcdPort}`,
      PATRONI_RESTAPI_USERNAME: 'admin',
      PATRONI_RESTAPI_PASSWORD: secrets.envRest,
      PGPASSWORD: secrets.pgpassword,
    });
    assert.match(env.out, /== /);
    assertClean('library env', env.out);
    t.diagnostic(`secrets: ${runs} processes, ${checks} checks`);
  });
});
