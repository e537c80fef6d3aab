/**
 * Three real "hosts" for the provisioning tests: systemd-nspawn containers booting Debian bookworm's
 * systemd inside the network namespaces of the lab's netns topology (by default prefix `pv`, 198.18.10.0/24;
 * each test file passes its own).
 * Each host is an overlay over one shared base image (scripts/build-host-image.sh, cached under
 * /var/cache/patroni-kit), with its own sshd host key, authorized key and (host 3) a sudo-only user.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  attachNamespace,
  createNetwork,
  deleteNetwork,
  detachNamespace,
  type NetnsPlan,
  netnsPlan,
  sql,
} from '@patroni-kit/lab';
import { SshHost } from '../src/ssh.js';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built CLI (packages/cli), which the end-to-end suites run as a user would. */
export const CLI = join(repo, 'packages/cli/dist/src/main.js');
const CACHE = process.env.PATRONI_KIT_CACHE ?? '/var/cache/patroni-kit';
const IMAGE = join(CACHE, 'nspawn/bookworm');
/** Patroni 4.0.7 unpacked by scripts/setup.sh; bound read-only into every host for the upgrade test. */
const PATRONI4 = join(CACHE, 'patroni-4');
/** The wrapper each host gets: Patroni "already installed" by other means than apt (patroni.source: installed). */
export const PATRONI4_BIN = '/usr/local/bin/patroni-4.0.7';

/** One booted host. */
export interface TestHost {
  index: number;
  name: string;
  address: string;
  namespace: string;
  root: string;
  /** OpenSSH fingerprint of its host key. */
  fingerprint: string;
  /** known_hosts line of its host key. */
  knownHosts: string;
  user: string;
  pid: number;
  proc: ChildProcess;
}

/** The booted hosts and the files a spec needs. */
export interface TestHosts {
  dir: string;
  plan: NetnsPlan;
  hosts: TestHost[];
  clientKey: string;
  knownHostsFile: string;
  /** Boots one more host (N = 4, 5, ...: namespace PREFIX-nN at 198.18.OCTET.1N) and adds it to known_hosts. */
  add(): Promise<TestHost>;
  /** Stops host `h` (a SIGTERM halts the container cleanly). */
  stop(h: TestHost): Promise<void>;
  down(): Promise<void>;
}

/** Whether the hosts have Patroni 4.0.7 at {@link PATRONI4_BIN}. */
export function hasPatroni4(): boolean {
  return existsSync(join(PATRONI4, '.complete-patroni'));
}

/** Why these tests cannot run here, or undefined. */
export function cannotRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, overlay mounts, systemd-nspawn)';
  return undefined;
}

async function ensureImage(): Promise<void> {
  if (existsSync(join(IMAGE, '.patroni-kit-image-v1'))) return;
  await run('bash', [join(repo, 'scripts/build-host-image.sh'), IMAGE], { timeout: 600_000 });
}

async function sshKeygen(file: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patroni-kit-test', '-f', file], {
    timeout: 10_000,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const running = (h: TestHost) => h.proc.exitCode === null && h.proc.signalCode === null;

/** Halts a host: SIGTERM (the container shuts down cleanly), bounded wait, then SIGKILL if `force`. */
async function halt(h: TestHost, force: boolean): Promise<void> {
  try {
    process.kill(h.pid, 'SIGTERM');
  } catch {}
  for (let i = 0; i < 100 && running(h); i++) await sleep(200);
  if (force && running(h)) {
    try {
      process.kill(h.pid, 'SIGKILL');
    } catch {}
    await sleep(500);
  }
}

/** The network of a test file: a netns prefix and the third octet of its 198.18.X.0/24. */
export interface HostsNet {
  prefix: string;
  octet: number;
}

/**
 * Boots `count` hosts in the lab's netns plan (default `pv`, 198.18.10.11-13); `add()` boots more on the
 * same subnet.
 */
export async function bootHosts(
  dir: string,
  count = 3,
  net: HostsNet = { prefix: 'pv', octet: 10 },
): Promise<TestHosts> {
  await ensureImage();
  const plan = netnsPlan(net.prefix, net.octet);
  await createNetwork(plan);
  await mkdir(dir, { recursive: true });
  const clientKey = join(dir, 'id_ed25519');
  if (!existsSync(clientKey)) await sshKeygen(clientKey);
  const pub = await readFile(`${clientKey}.pub`, 'utf8');
  const hosts: TestHost[] = [];
  const mounted: string[] = [];
  const down = async () => {
    await Promise.all(hosts.map((h) => halt(h, true)));
    for (const m of mounted)
      await run('umount', [m], { timeout: 20_000 }).catch(() => run('umount', ['-l', m]).catch(() => {}));
    for (let n = 4; n <= hosts.length; n++) await detachNamespace(plan, n);
    await deleteNetwork(plan);
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  // Ready when a verified SSH login works (bounded: 90 s per host).
  const ready = async (h: TestHost, knownHostsFile: string) => {
    const t0 = Date.now();
    for (;;) {
      if (h.proc.exitCode !== null)
        throw new Error(
          `nspawn for ${h.name} exited (${h.proc.exitCode}); see ${dirname(h.root)}/console.log`,
        );
      try {
        const s = await SshHost.connect({
          host: h.address,
          port: 22,
          user: h.user,
          privateKey: clientKey,
          agent: false,
          knownHosts: knownHostsFile,
          connectTimeoutMs: 3000,
        });
        const r = await s.exec('systemctl is-system-running --wait', { timeoutMs: 60_000 });
        s.close();
        if (r.stdout.trim() === 'running' || r.stdout.trim() === 'degraded') return;
      } catch {}
      if (Date.now() - t0 > 90_000)
        throw new Error(`${h.name} did not accept SSH within 90 s; see ${dirname(h.root)}/console.log`);
      await sleep(500);
    }
  };
  const bootOne = async (i: number): Promise<TestHost> => {
    const base = join(dir, `host${i + 1}`);
    const root = join(base, 'root');
    await mkdir(join(base, 'up'), { recursive: true });
    await mkdir(join(base, 'work'), { recursive: true });
    await mkdir(root, { recursive: true });
    await run(
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${IMAGE},upperdir=${base}/up,workdir=${base}/work`, root],
      { timeout: 10_000 },
    );
    mounted.push(root);
    const name = `pg-${i + 1}`;
    await sshKeygen(join(root, 'etc/ssh/ssh_host_ed25519_key'));
    await writeFile(join(root, 'etc/hostname'), `${name}\n`);
    const extraArgs: string[] = [];
    if (existsSync(join(PATRONI4, '.complete-patroni'))) {
      extraArgs.push(`--bind-ro=${PATRONI4}:/opt/patroni-4`);
      await writeFile(
        join(root, PATRONI4_BIN),
        '#!/bin/sh\n# Patroni 4.0.7 (Debian trixie, unpacked on the test machine, bound read-only here)\nPYTHONPATH=/opt/patroni-4/usr/lib/python3/dist-packages exec /usr/bin/python3 -m patroni "$@"\n',
        { mode: 0o755 },
      );
    }
    // Host 3 is logged into as an ordinary user with passwordless sudo, like most cloud images.
    const user = i === 2 ? 'ops' : 'root';
    if (user === 'ops') {
      await run('chroot', [root, 'useradd', '-m', '-s', '/bin/bash', 'ops'], { timeout: 20_000 });
      await writeFile(join(root, 'etc/sudoers.d/ops'), 'ops ALL=(ALL) NOPASSWD: ALL\n', { mode: 0o440 });
    }
    const home = user === 'root' ? join(root, 'root') : join(root, 'home', user);
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh/authorized_keys'), pub);
    await chmod(join(home, '.ssh'), 0o700);
    if (user !== 'root') await run('chroot', [root, 'chown', '-R', `${user}:${user}`, `/home/${user}/.ssh`]);
    const keyPub = (await readFile(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8'))
      .trim()
      .split(/\s+/);
    const fp = (
      await run('ssh-keygen', ['-lf', join(root, 'etc/ssh/ssh_host_ed25519_key.pub')])
    ).stdout.split(/\s+/)[1]!;
    const address = i < 3 ? plan.hosts[i]! : `198.18.${net.octet}.1${i + 1}`;
    const namespace = i < 3 ? plan.namespaces[i]! : await attachNamespace(plan, i + 1, address);
    const log = openSync(join(base, 'console.log'), 'a');
    const proc = spawn(
      'systemd-nspawn',
      [
        '-q',
        '-D',
        root,
        '--register=no',
        '--keep-unit',
        '--boot',
        `--network-namespace-path=/run/netns/${namespace}`,
        `--machine=${net.prefix}${i + 1}`,
        `--hostname=${name}`,
        ...extraArgs,
      ],
      { stdio: ['ignore', log, log], detached: false },
    );
    const h: TestHost = {
      index: i,
      name,
      address,
      namespace,
      root,
      fingerprint: fp,
      knownHosts: `${address} ${keyPub[0]} ${keyPub[1]}`,
      user,
      pid: proc.pid!,
      proc,
    };
    hosts.push(h);
    return h;
  };
  try {
    for (let i = 0; i < count; i++) await bootOne(i);
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(knownHostsFile, `${hosts.map((h) => h.knownHosts).join('\n')}\n`);
    await Promise.all(hosts.map((h) => ready(h, knownHostsFile)));
    const add = async () => {
      const h = await bootOne(hosts.length);
      await writeFile(knownHostsFile, `${hosts.map((x) => x.knownHosts).join('\n')}\n`);
      await ready(h, knownHostsFile);
      return h;
    };
    const stop = (h: TestHost) => halt(h, false);
    return { dir, plan, hosts, clientKey, knownHostsFile, add, stop, down };
  } catch (err) {
    await down();
    throw err;
  }
}

async function dropRule(h: TestHost, op: '-A' | '-D'): Promise<void> {
  for (const [chain, dir] of [
    ['INPUT', '-i'],
    ['OUTPUT', '-o'],
  ] as const) {
    const args = ['netns', 'exec', h.namespace, 'iptables', op, chain, dir, 'eth0', '-j', 'DROP'];
    await run('ip', [...args, '-m', 'comment', '--comment', 'pk-cut']);
  }
}

/** Drops every packet on the host's eth0 (inside its namespace): the host becomes unreachable. */
export function cut(h: TestHost): Promise<void> {
  return dropRule(h, '-A');
}

/** Undoes {@link cut}. */
export function heal(h: TestHost): Promise<void> {
  return dropRule(h, '-D').catch(() => {});
}

/** Runs `command` on host `i` over verified SSH; `CODE|STDOUT` (stdout trimmed). */
export async function onHost(t: TestHosts, i: number, command: string): Promise<string> {
  const h = t.hosts[i]!;
  const s = await SshHost.connect({
    host: h.address,
    port: 22,
    user: h.user,
    privateKey: t.clientKey,
    agent: false,
    knownHosts: t.knownHostsFile,
    connectTimeoutMs: 5000,
  });
  try {
    const r = await s.exec(command, { timeoutMs: 30_000 });
    return `${r.code}|${r.stdout.trim()}`;
  } finally {
    s.close();
  }
}

/** Writes a copy of the known_hosts file without the line of `h` into `file`. */
export async function knownHostsWithout(t: TestHosts, h: TestHost, file: string): Promise<void> {
  const lines = (await readFile(t.knownHostsFile, 'utf8')).split('\n');
  await writeFile(file, `${lines.filter((l) => !l.startsWith(`${h.address} `)).join('\n')}\n`);
}

/** Asserts that on every host HAProxy's writer port reaches the leader and its reader port a replica. */
export async function assertRoutes(t: TestHosts, password: string): Promise<void> {
  for (const h of t.hosts) {
    const target = { host: h.address, user: 'postgres', password };
    const w = await sql<{ r: boolean }>({ ...target, port: 5000 }, 'select pg_is_in_recovery() as r');
    assert.equal(w[0]?.r, false, `${h.name}:5000 reaches the leader`);
    const rd = await sql<{ r: boolean }>({ ...target, port: 5001 }, 'select pg_is_in_recovery() as r');
    assert.equal(rd[0]?.r, true, `${h.name}:5001 reaches a replica`);
  }
}

/** A spec for the booted hosts. */
export function specYaml(
  t: TestHosts,
  extra = '',
  pins = false,
  hosts = t.hosts,
  cluster = 'pv-cluster',
): string {
  return `cluster: ${cluster}
ssh:
  privateKey: ${t.clientKey}
  knownHosts: ${t.knownHostsFile}
  connectTimeoutMs: 5000
nodes:
${hosts.map((h) => `  - name: ${h.name}\n    address: ${h.address}\n    ssh: { user: ${h.user}${pins ? `, hostKey: '${h.fingerprint}'` : ''} }`).join('\n')}
timing: fast
${extra}`;
}
