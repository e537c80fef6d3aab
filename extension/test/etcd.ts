/**
 * Test helper: one real etcd 3.5 member on a loopback address (the caller's block), Patroni-shaped keys
 * written with etcdctl, stopped by PID. The keys are synthetic, shaped like Patroni 4.0.7's.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = process.env.PATRONI_KIT_ETCD_DIR ?? '/var/cache/patroni-kit/etcd-3.5/usr/bin';

/** A single-member etcd started by a test. */
export class TestEtcd {
  readonly host: string;
  readonly dir: string;
  #proc: ChildProcess | undefined;
  #user: string | undefined;
  readonly tls: { cert: string; key: string } | undefined;

  /** With `tls`, clients are served over https with that certificate (its own CA when self-signed). */
  constructor(host: string, dir: string, tls?: { cert: string; key: string }) {
    this.host = host;
    this.dir = dir;
    this.tls = tls;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:2379`;
  }

  /** Starts etcd and waits (bounded) until /health says true. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const log = openSync(join(this.dir, 'etcd.log'), 'a');
    const h = this.host;
    this.#proc = spawn(
      join(bin, 'etcd'),
      [
        ...['--name', 'e1', '--data-dir', join(this.dir, 'data')],
        ...['--listen-client-urls', this.url, '--advertise-client-urls', this.url],
        ...(this.tls ? ['--cert-file', this.tls.cert, '--key-file', this.tls.key] : []),
        ...['--listen-peer-urls', `http://${h}:2380`, '--initial-advertise-peer-urls', `http://${h}:2380`],
        ...['--listen-metrics-urls', `http://${h}:2381`, '--initial-cluster', `e1=http://${h}:2380`],
        ...[
          '--initial-cluster-token',
          `pk-ext-${h}`,
          '--heartbeat-interval',
          '50',
          '--election-timeout',
          '500',
        ],
      ],
      // A clean environment: etcd reads every ETCD_* variable as a flag.
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', log, log] },
    );
    this.#proc.on('error', () => {});
    let last = '';
    for (let i = 0; i < 300; i++) {
      if (this.#proc.exitCode !== null) throw new Error(`etcd on ${h} exited (see ${this.dir}/etcd.log)`);
      try {
        const res = await fetch(`http://${h}:2381/health`, { signal: AbortSignal.timeout(1000) });
        last = await res.text();
        if (res.ok && /"health":\s*"true"/.test(last)) return;
      } catch (err) {
        last = String(err);
      }
      await sleep(100);
    }
    throw new Error(`etcd on ${h} not healthy after 30 s: ${last}`);
  }

  /** Runs etcdctl against this member (as the user set by {@link enableAuth}). */
  async ctl(...args: string[]): Promise<string> {
    const flags = [`--endpoints=${this.url}`, '--dial-timeout=3s', '--command-timeout=5s'];
    if (this.#user) flags.push(`--user=${this.#user}`);
    if (this.tls) flags.push(`--cacert=${this.tls.cert}`);
    const { stdout } = await run(join(bin, 'etcdctl'), [...flags, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCDCTL_API: '3' },
      timeout: 20_000,
    });
    return stdout;
  }

  /** Adds `root:password` and turns authentication on; later `ctl` calls log in as root. */
  async enableAuth(password: string): Promise<void> {
    await this.ctl('user', 'add', `root:${password}`);
    await this.ctl('user', 'grant-role', 'root', 'root');
    await this.ctl('auth', 'enable');
    this.#user = `root:${password}`;
  }

  /** Writes a Patroni-shaped cluster: `initialize`, `config`, members, and `leader` when given. */
  async seed(
    namespace: string,
    scope: string,
    members: Array<{ name: string; api: string }>,
    leader?: string,
  ): Promise<void> {
    const p = `/${namespace}/${scope}/`;
    await this.ctl('put', `${p}initialize`, '7712147284903196905');
    await this.ctl('put', `${p}config`, JSON.stringify({ ttl: 30, loop_wait: 10, retry_timeout: 10 }));
    for (const m of members)
      await this.ctl(
        'put',
        `${p}members/${m.name}`,
        JSON.stringify({
          conn_url: `postgres://${new URL(m.api).hostname}:5432/postgres`,
          api_url: `${m.api}/patroni`,
          state: 'running',
          role: m.name === leader ? 'primary' : 'replica',
          version: '4.0.7',
          xlog_location: 50331648,
          timeline: 1,
        }),
      );
    if (leader) await this.ctl('put', `${p}leader`, leader);
  }

  /** Stops etcd (SIGTERM, SIGKILL after 10 s) and waits for it. */
  async stop(): Promise<void> {
    const p = this.#proc;
    this.#proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
