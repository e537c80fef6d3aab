/** Starts a small real etcd for the `watch` and `etcd` command tests (addresses in 127.0.4.0/24). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

/** A test etcd cluster; members are stopped by PID. */
export class TestEtcd {
  readonly hosts: string[];
  readonly dir: string;
  readonly bin: string;
  private procs: Array<ChildProcess | undefined> = [];

  constructor(hosts: string[], dir: string, bin = '/usr/bin/etcd') {
    this.hosts = hosts;
    this.dir = dir;
    this.bin = bin;
  }

  get endpoints(): string[] {
    return this.hosts.map((h) => `http://${h}:2379`);
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const cluster = this.hosts.map((h, i) => `e${i + 1}=http://${h}:2380`).join(',');
    this.procs = this.hosts.map((h, i) => {
      const log = openSync(join(this.dir, `e${i + 1}.log`), 'a');
      const p = spawn(
        this.bin,
        [
          ...['--name', `e${i + 1}`, '--data-dir', join(this.dir, `e${i + 1}`)],
          ...['--listen-client-urls', `http://${h}:2379`, '--advertise-client-urls', `http://${h}:2379`],
          ...['--listen-peer-urls', `http://${h}:2380`, '--initial-advertise-peer-urls', `http://${h}:2380`],
          ...['--listen-metrics-urls', `http://${h}:2381`, '--initial-cluster', cluster],
          ...[
            '--initial-cluster-token',
            `pk-cli-${this.hosts[0]}`,
            '--heartbeat-interval',
            '50',
            '--election-timeout',
            '500',
          ],
        ],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', log, log] },
      );
      p.on('error', () => {});
      return p;
    });
    const deadline = Date.now() + 30_000;
    for (const h of this.hosts) {
      while (true) {
        const ok = await fetch(`http://${h}:2381/health`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.text())
          .then((t) => /"health":\s*"true"/.test(t))
          .catch(() => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`etcd on ${h} not healthy`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async stopMember(i: number): Promise<void> {
    const p = this.procs[i];
    this.procs[i] = undefined;
    if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    process.kill(p.pid, 'SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((_, i) => this.stopMember(i)));
  }
}
