/**
 * Extension-host tests in a real code-server 4.100.3 (VS Code 1.100.3) driven by Debian's Chromium through
 * playwright-core: the payload route (`extensionDevelopmentPath` + `extensionTestsPath`) loads the bundled,
 * unpackaged extension and runs test/host/suite.ts in the host, which answers through
 * `window.codeAutomationExit`. code-server, its profile, HOME and the workspace live in a temp dir; its
 * process group is killed at the end. Addresses (block PATRONI_KIT_EXT_HOST_NET, default 127.0.80, so a
 * manual run can use the engineer's own block): .1 code-server, .2 nothing listens, .3 a real etcd 3.5 with
 * authentication and synthetic Patroni keys (for Add Cluster from a DCS URL). code-server comes from
 * scripts/setup.sh (cache) or PATRONI_KIT_CODE_SERVER.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { TestEtcd } from './etcd.js';

const ext = join(dirname(fileURLToPath(import.meta.url)), '../..');
const repo = join(ext, '..');
const NET = process.env.PATRONI_KIT_EXT_HOST_NET ?? '127.0.80';
assert.match(
  NET,
  /^127\.\d{1,3}\.\d{1,3}$/,
  'PATRONI_KIT_EXT_HOST_NET is the first three octets of a loopback /24',
);
const HOST = `${NET}.1`;
const ETCD_PW = 'host-etcd-pw/4@x';
const cache = process.env.PATRONI_KIT_CACHE ?? '/var/cache/patroni-kit';
const codeServer =
  process.env.PATRONI_KIT_CODE_SERVER ?? join(cache, 'code-server-4.100.3/node_modules/.bin/code-server');
const browserPath = process.env.PATRONI_KIT_CHROMIUM ?? '/usr/bin/chromium';

/** Runs in the page: every IndexedDB store and localStorage as [key, text] rows (bytes decoded as UTF-8). */
const DUMP_BROWSER_STORAGE = `(async () => {
  const text = (v) => v instanceof Uint8Array || v instanceof ArrayBuffer ? new TextDecoder().decode(v)
    : typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  const out = { localStorage: Object.entries(localStorage) };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open(info.name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    for (const name of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(name, 'readonly');
      const keys = tx.objectStore(name).getAllKeys();
      const values = tx.objectStore(name).getAll();
      await new Promise((ok) => (tx.oncomplete = ok));
      out[info.name + '/' + name] = keys.result.map((k, i) => [String(k), text(values.result[i])]);
    }
    db.close();
  }
  return out;
})()`;

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

describe('extension host (code-server 4.100.3)', { timeout: 240_000 }, () => {
  let dir = '';
  let server: ChildProcess | undefined;
  let base = '';
  let serverLog = '';
  let etcd: TestEtcd | undefined;

  before(async () => {
    assert.ok(existsSync(codeServer), `code-server not found at ${codeServer}: run scripts/setup.sh`);
    assert.ok(existsSync(browserPath), `${browserPath} not found: run scripts/setup.sh (Debian chromium)`);
    execFileSync(process.execPath, [join(ext, 'scripts/bundle.mjs')], { stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'pk-ext-host-'));
    const user = join(dir, 'user');
    mkdirSync(join(user, 'User'), { recursive: true });
    writeFileSync(
      join(user, 'User/settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'security.workspace.trust.enabled': false,
      }),
    );
    const ws = join(dir, 'workspace');
    mkdirSync(ws);
    const clean = readFileSync(join(repo, 'test/corpus/config/clean/etcd3-three-node.yml'), 'utf8');
    const mistake = clean.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');
    assert.notEqual(mistake, clean);
    writeFileSync(join(ws, 'patroni.yml'), mistake);
    etcd = new TestEtcd(`${NET}.3`, join(dir, 'etcd'));
    await etcd.start();
    await etcd.seed(
      'service',
      'hostdemo',
      [
        { name: 'hd1', api: `http://${NET}.2:9` },
        { name: 'hd2', api: `http://${NET}.2:9` },
      ],
      'hd1',
    );
    await etcd.enableAuth(ETCD_PW);
    // What the suite inside the host needs to know (it cannot see this process's variables).
    writeFileSync(
      join(ws, 'host-test.json'),
      JSON.stringify({ net: NET, etcdUrl: `etcd3://root@${NET}.3:2379`, etcdPassword: ETCD_PW }),
    );
    // two members of another cluster that share a member name: the cluster rules run across the files
    for (const [dir, file] of [
      ['a', 'node1.yml'],
      ['b', 'node2.yml'],
    ] as const) {
      mkdirSync(join(ws, 'ledger', dir), { recursive: true });
      const member = readFileSync(join(repo, 'test/corpus/config/cluster-bad', file), 'utf8');
      assert.match(member, /^scope: billing$/m);
      writeFileSync(
        join(ws, 'ledger', dir, 'patroni.yml'),
        member.replace(/^scope: billing$/m, 'scope: ledger'),
      );
    }
    const port = await freePort();
    base = `http://${HOST}:${port}`;
    const home = join(dir, 'home');
    mkdirSync(home);
    server = spawn(
      codeServer,
      [
        '--bind-addr',
        `${HOST}:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir',
        user,
        '--extensions-dir',
        join(dir, 'extensions'),
        ws,
      ],
      {
        detached: true, // its own process group, killed as a whole in after()
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          XDG_DATA_HOME: join(home, '.local/share'),
          XDG_CACHE_HOME: join(home, '.cache'),
        },
      },
    );
    server.stdout?.on('data', (b) => (serverLog += b));
    server.stderr?.on('data', (b) => (serverLog += b));
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i >= 300 || server.exitCode !== null)
        assert.fail(`code-server did not answer /healthz within 30 s:\n${serverLog}`);
      await sleep(100);
    }
  });

  after(async () => {
    if (server?.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 50 && server.exitCode === null; i++) await sleep(100);
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('activation, commands, tree items, SecretStorage and diagnostics pass in the real host', async () => {
    const browser = await chromium.launch({
      executablePath: browserPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      env: { ...process.env, HOME: join(dir, 'home') },
    });
    try {
      const page = await browser.newPage();
      const lines: string[] = [];
      let exitCode: number | undefined;
      const exited = new Promise<void>((resolve) =>
        page.exposeFunction('codeAutomationExit', (code: number) => {
          exitCode = code;
          resolve();
        }),
      );
      page.on('console', (m) => {
        const text = m.text();
        const hit = /EXTHOST-(PASS|FAIL|RESULT) [\s\S]*/.exec(text);
        if (hit) lines.push(hit[0]);
        else if (/Cannot activate|Activating extension .* failed|extensionTestsPath|Error/.test(text))
          lines.push(text.slice(0, 500));
      });
      const host = new URL(base).host;
      const payload = JSON.stringify([
        ['extensionDevelopmentPath', `vscode-remote://${host}${ext}`],
        ['extensionTestsPath', `vscode-remote://${host}${join(ext, 'dist/host-test/suite.cjs')}`],
      ]);
      await page.goto(
        `${base}/?folder=${encodeURIComponent(join(dir, 'workspace'))}&payload=${encodeURIComponent(payload)}`,
      );
      // The timer is cancelled once the host answers, so it does not hold the process for 150 s.
      const waiting = new AbortController();
      const timedOut = await Promise.race([
        exited.then(() => false),
        sleep(150_000, undefined, { signal: waiting.signal }).then(
          () => true,
          () => false,
        ),
      ]);
      waiting.abort();
      console.log(lines.join('\n'));
      assert.equal(
        timedOut,
        false,
        `the extension host gave no exit code within 150 s:\n${lines.join('\n')}`,
      );
      const result = lines.find((l) => l.startsWith('EXTHOST-RESULT'));
      // every case of the suite passed (it has at least the 10 of this file's history), none failed
      const m = /^EXTHOST-RESULT (\d+) passed, 0 failed$/.exec(result ?? '');
      assert.ok(m, lines.join('\n'));
      assert.ok(Number(m[1]) >= 10, result);
      assert.equal(Number(m[1]), lines.filter((l) => l.startsWith('EXTHOST-PASS')).length);
      assert.equal(exitCode, 0);
      // The etcd password went to SecretStorage only: not in settings, not in globalState, not in any log.
      const user = join(dir, 'user');
      const files = listFiles(user);
      const settings = files.filter((f) => f.endsWith('settings.json'));
      assert.ok(settings.length > 0, 'a settings.json');
      // code-server keeps globalState and SecretStorage in the browser (IndexedDB, localStorage): read them all.
      const browserStores = (await page.evaluate(DUMP_BROWSER_STORAGE)) as Record<
        string,
        Array<[string, string]>
      >;
      const global = Object.entries(browserStores)
        .filter(([db]) => /state-db-global/.test(db))
        .flatMap(([, rows]) => rows);
      const defs = global.find(([key]) => key === 'patroni-kit.patroni-kit')?.[1];
      assert.ok(defs, `globalState holds the extension's state (${Object.keys(browserStores).join(', ')})`);
      assert.ok(
        defs.includes('hostdemo') && defs.includes('patroni.clusters'),
        'the added cluster is in globalState',
      );
      // SecretStorage is code-server's encrypted `secrets.provider` entry: the password is in no store as text.
      assert.ok(
        browserStores.localStorage?.some(([k]) => k === 'secrets.provider'),
        'SecretStorage was used',
      );
      for (const secret of [ETCD_PW, encodeURIComponent(ETCD_PW)]) {
        assert.ok(!JSON.stringify(global).includes(secret), 'the etcd password is not in globalState');
        assert.ok(
          !JSON.stringify(browserStores).includes(secret),
          'the etcd password is in no browser store',
        );
      }
      const logs = files.filter((f) => /[\\/]logs[\\/].*\.log$/.test(f));
      const channel = logs.find((f) => /Patroni\.log$/.test(f));
      assert.ok(channel, `the Patroni output channel's log among ${logs.length} logs`);
      assert.match(readFileSync(channel, 'utf8'), /patroni\.addCluster on hostdemo: succeeded/);
      for (const f of [...settings, ...logs, join(dir, 'workspace/.vscode/settings.json')]) {
        if (!existsSync(f)) continue;
        const text = readFileSync(f);
        for (const secret of [ETCD_PW, encodeURIComponent(ETCD_PW)])
          assert.ok(!text.includes(secret), `the etcd password is in ${f}`);
      }
    } finally {
      await browser.close();
    }
  });
});
