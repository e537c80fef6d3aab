/** Test harness: real etcd clusters (3.4.23 / 3.5.16) on loopback addresses, stopped by PID. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** etcd versions the tests cover. */
export type EtcdVersion = '3.4' | '3.5';

/** Binaries per version. */
export const ETCD: Record<EtcdVersion, { etcd: string; etcdctl: string; full: string }> = {
  '3.4': { etcd: '/usr/bin/etcd', etcdctl: '/usr/bin/etcdctl', full: '3.4.23' },
  '3.5': {
    etcd: '/var/cache/patroni-kit/etcd-3.5/usr/bin/etcd',
    etcdctl: '/var/cache/patroni-kit/etcd-3.5/usr/bin/etcdctl',
    full: '3.5.16',
  },
};

/** Options of {@link EtcdCluster}. */
export interface EtcdClusterOptions {
  version: EtcdVersion;
  /** One address per member, all in 127.0.4.0/24. */
  hosts: string[];
  dir: string;
  /** `--auth-token-ttl` in seconds (simple tokens). */
  authTokenTtl?: number;
  /** Serve clients over TLS with client-certificate verification. */
  tls?: { ca: string; cert: string; key: string };
}

/** A running etcd cluster started by a test. */
export class EtcdCluster {
  readonly opts: EtcdClusterOptions;
  readonly procs: Array<ChildProcess | undefined> = [];
  readonly names: string[];

  constructor(opts: EtcdClusterOptions) {
    this.opts = opts;
    this.names = opts.hosts.map((_, i) => `e${i + 1}`);
  }

  /** Client URLs of all members. */
  get endpoints(): string[] {
    return this.opts.hosts.map((h) => this.endpoint(h));
  }

  endpoint(host: string): string {
    return `${this.opts.tls ? 'https' : 'http'}://${host}:2379`;
  }

  private args(i: number): string[] {
    const host = this.opts.hosts[i]!;
    const scheme = this.opts.tls ? 'https' : 'http';
    const cluster = this.opts.hosts.map((h, j) => `${this.names[j]}=http://${h}:2380`).join(',');
    const args = [
      '--name',
      this.names[i]!,
      '--data-dir',
      join(this.opts.dir, this.names[i]!),
      '--listen-client-urls',
      `${scheme}://${host}:2379`,
      '--advertise-client-urls',
      `${scheme}://${host}:2379`,
      '--listen-peer-urls',
      `http://${host}:2380`,
      '--initial-advertise-peer-urls',
      `http://${host}:2380`,
      '--listen-metrics-urls',
      `http://${host}:2381`,
      '--initial-cluster',
      cluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      `pk-dcs-${this.opts.hosts[0]}`,
      '--heartbeat-interval',
      '50',
      '--election-timeout',
      '500',
    ];
    if (this.opts.authTokenTtl !== undefined) args.push('--auth-token-ttl', String(this.opts.authTokenTtl));
    if (this.opts.tls) {
      args.push(
        '--trusted-ca-file',
        this.opts.tls.ca,
        '--cert-file',
        this.opts.tls.cert,
        '--key-file',
        this.opts.tls.key,
        '--client-cert-auth',
      );
    }
    return args;
  }

  /** Starts member `i` (not waiting for health). */
  spawnMember(i: number): void {
    mkdirSync(this.opts.dir, { recursive: true });
    const log = openSync(join(this.opts.dir, `${this.names[i]}.log`), 'a');
    // A clean environment: etcd reads every ETCD_* variable as a flag.
    const child = spawn(ETCD[this.opts.version].etcd, this.args(i), {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', log, log],
    });
    child.on('error', () => {});
    this.procs[i] = child;
  }

  /** Starts all members and waits until each is healthy. */
  async start(): Promise<void> {
    for (let i = 0; i < this.opts.hosts.length; i++) this.spawnMember(i);
    await Promise.all(this.opts.hosts.map((_, i) => this.waitHealthy(i)));
  }

  /** Waits (bounded) until member `i` answers /health with true on its metrics URL. */
  async waitHealthy(i: number, timeoutMs = 30_000): Promise<void> {
    const url = `http://${this.opts.hosts[i]}:2381/health`;
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        last = await res.text();
        if (res.ok && /"health":\s*"true"/.test(last)) return;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd ${this.names[i]} not healthy after ${timeoutMs} ms: ${last}`);
  }

  /** Stops member `i` with SIGTERM (SIGKILL after 10 s) and waits for it to exit. */
  async stopMember(i: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.procs[i];
    this.procs[i] = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    process.kill(p.pid, signal);
    const timer = setTimeout(() => {
      if (p.exitCode === null && p.signalCode === null && p.pid) process.kill(p.pid, 'SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Restarts a stopped member and waits for it to rejoin. */
  async startMember(i: number): Promise<void> {
    this.spawnMember(i);
    await this.waitHealthy(i);
  }

  /** Stops every member (for `after` hooks). */
  async stop(): Promise<void> {
    await Promise.all(this.opts.hosts.map((_, i) => this.stopMember(i)));
  }

  /** Runs etcdctl against the given members (default: all). */
  async etcdctl(
    args: string[],
    opts: { user?: string; endpoints?: string[]; tls?: boolean } = {},
  ): Promise<string> {
    const flags = [
      `--endpoints=${(opts.endpoints ?? this.endpoints).join(',')}`,
      '--dial-timeout=3s',
      '--command-timeout=5s',
    ];
    if (opts.user) flags.push(`--user=${opts.user}`);
    if (this.opts.tls) {
      flags.push(
        `--cacert=${this.opts.tls.ca}`,
        `--cert=${this.opts.tls.cert}`,
        `--key=${this.opts.tls.key}`,
      );
    }
    const { stdout } = await run(ETCD[this.opts.version].etcdctl, [...flags, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCDCTL_API: '3' },
      timeout: 20_000,
    });
    return stdout;
  }
}

/** Waits (bounded) for `predicate` to return a truthy value. */
export async function waitFor<T>(
  what: string,
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await predicate();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`,
  );
}

/** Creates a CA, a server certificate for `hosts` and a client certificate with openssl. */
export async function makeCerts(
  dir: string,
  hosts: string[],
): Promise<{
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}> {
  mkdirSync(dir, { recursive: true });
  const o = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  await o([
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
    '/CN=pk-test-ca',
  ]);
  await o([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'other.key',
    '-out',
    'other.crt',
    '-days',
    '2',
    '-subj',
    '/CN=pk-other-ca',
  ]);
  const san = `subjectAltName=${hosts.map((h) => `IP:${h}`).join(',')}`;
  await o([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=etcd',
    '-addext',
    san,
  ]);
  await o([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-copy_extensions',
    'copy',
  ]);
  await o([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=patroni',
  ]);
  await o([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '2',
  ]);
  return {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    otherCa: join(dir, 'other.crt'),
  };
}
