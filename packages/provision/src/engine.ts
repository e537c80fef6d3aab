/**
 * The provisioning engine: the production recipe's steps, in its order, over SSH.
 *
 * Every step is written once against {@link Ops}. In `plan` mode Ops only reads (file contents, `systemctl
 * is-active`, `dpkg-query`) and reports what apply would change; in `apply` mode it changes what differs.
 * Every change is guarded by a check of the host's real state, so a second apply changes nothing and an
 * apply after a failure continues where the last one stopped (steps already done check as done).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { unifiedDiff } from '@patroni-kit/cluster';
import { slotNameFromMember } from '@patroni-kit/config';
import { isPatroniKitError, PatroniKitError, sleep as sleepFor } from '@patroni-kit/errors';
import { type ClusterPki, ensurePki } from './pki.js';
import {
  dynamicConfig,
  dynamicConfigPatch,
  etcdClientTls,
  etcdNodes,
  etcdUrl,
  haproxyCaFile,
  haproxyFile,
  PATHS,
  type RenderedFile,
  renderNodeFiles,
  restBase,
  restCurlTls,
  USERS,
} from './render.js';
import { type ClusterSecrets, loadSecrets, secretValues, writeSecrets } from './secrets.js';
import type { ClusterSpec, NodeSpec, SshTarget } from './spec.js';
import { type ExecResult, SshHost, shq } from './ssh.js';

/** The recipe's phases, in order. */
export const PHASES = [
  { id: 'packages', title: 'install packages' },
  { id: 'drop-package-cluster', title: "drop the package's default PostgreSQL cluster" },
  { id: 'etcd', title: 'etcd on the etcd nodes, then endpoint health' },
  { id: 'patroni-first', title: 'Patroni on the first node until a leader holds the lock' },
  { id: 'replicas', title: 'replicas one at a time until each streams' },
  {
    id: 'rolling-restart',
    title: 'rolling restart to the installed Patroni: replicas, switchover, old leader',
  },
  { id: 'haproxy', title: 'HAProxy' },
  { id: 'retire', title: 'nodes no longer in the spec: stop Patroni, remove the member key and the slot' },
  { id: 'verify', title: 'a write through the writer port and a read through the reader port' },
] as const;

/** A phase id. */
export type PhaseId = (typeof PHASES)[number]['id'];

/** Progress of a plan or apply, for the CLI and the VS Code extension. */
export type ProvisionEvent =
  | { type: 'phase'; phase: PhaseId; title: string; index: number; total: number }
  | { type: 'connected'; host: string; ms: number }
  | {
      type: 'file';
      host: string;
      phase: PhaseId;
      path: string;
      status: 'unchanged' | 'changed' | 'would-change';
      diff?: string;
    }
  | {
      type: 'command';
      host: string;
      phase: PhaseId;
      step: string;
      command: string;
      status: 'ok' | 'ran' | 'would-run';
      ms?: number;
    }
  | {
      type: 'wait';
      host: string;
      phase: PhaseId;
      what: string;
      status: 'waiting' | 'done' | 'would-wait';
      detail?: string;
      ms?: number;
    }
  | {
      type: 'config';
      host: string;
      phase: PhaseId;
      status: 'unchanged' | 'changed' | 'would-change';
      changes: string[];
    }
  | { type: 'note'; host?: string; message: string };

/** Options of {@link plan} and {@link apply}. */
export interface ProvisionOptions {
  signal?: AbortSignal;
  onEvent?: (event: ProvisionEvent) => void;
  /** Longest wait for a condition (etcd health, a leader, streaming, HAProxy routing). Default 180 s. */
  waitTimeoutMs?: number;
  /** Longest run of one remote command (package installation). Default 600 s. */
  commandTimeoutMs?: number;
}

/** What a plan or apply did. */
export interface ProvisionResult {
  mode: 'plan' | 'apply';
  /** Files and commands that changed (apply) or would change (plan). */
  changes: number;
  ms: number;
  /** The cluster's leader as the last check saw it. */
  leader?: string;
  /** The secrets file was created by this run. */
  secretsCreated: boolean;
}

/** What the state file next to the spec remembers about the last apply. */
export interface ApplyState {
  at: string;
  result: 'ok' | 'failed';
  changes: number;
  ms: number;
  failure?: {
    host: string;
    phase: string;
    step: string;
    command?: string;
    stderrTail?: string;
    message: string;
  };
  /** The nodes provisioned so far (a node dropped from the spec is retired by the next apply). */
  nodes?: Array<{ name: string; address: string; etcd: boolean; ssh: SshTarget }>;
}

/** The state file of a spec. */
export function stateFile(spec: ClusterSpec): string {
  return `${spec.file.replace(/\.(ya?ml|json)$/i, '')}.state.json`;
}

interface Host {
  name: string;
  target: SshTarget;
  node?: NodeSpec;
  haproxy: boolean;
  ssh?: SshHost;
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Sleeps `ms`; an abort rejects with ABORTED. */
const sleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, signal, { rejectOnAbort: true });

class Ops {
  changes = 0;
  phase: PhaseId = 'packages';
  step = '';
  lastCommand: string | undefined;
  lastStderr: string | undefined;
  readonly mode: 'plan' | 'apply';
  readonly opts: ProvisionOptions;
  readonly secrets: string[];
  constructor(mode: 'plan' | 'apply', opts: ProvisionOptions, secrets: string[]) {
    this.mode = mode;
    this.opts = opts;
    // Longest first, so that a secret containing another is redacted whole.
    this.secrets = [...secrets].sort((a, b) => b.length - a.length);
  }

  emit(e: ProvisionEvent) {
    this.opts.onEvent?.(e);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  async exec(h: Host, command: string, stdin?: string, timeoutMs?: number): Promise<ExecResult> {
    this.lastCommand = command;
    this.lastStderr = undefined;
    try {
      const r = await h.ssh!.exec(command, {
        ...(stdin === undefined ? {} : { stdin }),
        timeoutMs: timeoutMs ?? 60_000,
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      });
      this.lastStderr = r.stderr;
      return r;
    } catch (err) {
      throw this.failure(h, err instanceof Error ? err.message : String(err), err);
    }
  }

  failure(h: Host, message: string, cause?: unknown, stderr?: string): PatroniKitError {
    const details = {
      host: h.name,
      phase: this.phase,
      step: this.step,
      command: this.lastCommand === undefined ? undefined : this.redact(this.lastCommand),
      stderrTail: stderr === undefined ? undefined : this.redact(tail(stderr)),
    };
    const code = isPatroniKitError(cause) && cause.code !== 'INTERNAL' ? cause.code : 'REMOTE';
    const ownHint =
      isPatroniKitError(cause) && cause.hint && this.step === 'connect' ? cause.hint : undefined;
    const what = this.step === 'connect' ? 'cannot connect' : `step '${this.step}' (${this.phase}) failed`;
    return new PatroniKitError(
      code,
      `${h.name}: ${what}: ${this.redact(message)}${details.command ? `\n  command: ${details.command}` : ''}${details.stderrTail ? `\n  stderr:\n${details.stderrTail.replace(/^/gm, '    ')}` : ''}`,
      {
        hint:
          ownHint ?? 'fix the cause and run `patroni-kit provision apply SPEC` again: it continues from here',
        cause,
        details,
      },
    );
  }

  /** A read-only check: true when `command` exits 0. Runs in both modes. */
  async check(h: Host, command: string): Promise<boolean> {
    return (await this.exec(h, command)).code === 0;
  }

  /** A read-only query; its stdout (or undefined when it failed). */
  async query(h: Host, command: string): Promise<string | undefined> {
    const r = await this.exec(h, command);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Runs `command` (apply) or reports it (plan); a non-zero exit fails the step. */
  async run(h: Host, step: string, command: string, timeoutMs?: number): Promise<void> {
    await this.change(h, step, command, async () => {
      const r = await this.exec(h, command, undefined, timeoutMs);
      if (r.code !== 0) throw this.failure(h, `exit code ${r.code}`, undefined, r.stderr || r.stdout);
    });
  }

  /**
   * One change: `act` runs in apply mode and the step is reported as ran (with its time); a plan reports
   * it as would-run. `shown` is what the event shows as the command (redacted).
   */
  async change(h: Host, step: string, shown: string, act: () => Promise<void>): Promise<boolean> {
    this.step = step;
    this.changes++;
    const base = {
      type: 'command',
      host: h.name,
      phase: this.phase,
      step,
      command: this.redact(shown),
    } as const;
    if (this.mode === 'plan') {
      this.emit({ ...base, status: 'would-run' });
      return false;
    }
    const t0 = Date.now();
    await act();
    this.emit({ ...base, status: 'ran', ms: Date.now() - t0 });
    return true;
  }

  /** Runs `command` unless `unless` exits 0 on the host; true when it ran (or would run). */
  async ensure(h: Host, step: string, command: string, unless: string, timeoutMs?: number): Promise<boolean> {
    this.step = step;
    if (await this.check(h, unless)) {
      this.emit({
        type: 'command',
        host: h.name,
        phase: this.phase,
        step,
        command: this.redact(command),
        status: 'ok',
      });
      return false;
    }
    await this.run(h, step, command, timeoutMs);
    return true;
  }

  /** Puts `f` on the host when its content, mode or owner differ; true when it changed. */
  async file(h: Host, f: RenderedFile, validate?: string): Promise<boolean> {
    this.step = `write ${f.path}`;
    const current = await this.exec(
      h,
      `if [ -e ${shq(f.path)} ]; then stat -c '%a %U %G' ${shq(f.path)} && cat ${shq(f.path)}; else echo __absent__; fi`,
    );
    if (current.code !== 0) throw this.failure(h, `cannot read ${f.path}`, undefined, current.stderr);
    const nl = current.stdout.indexOf('\n');
    const first = current.stdout.slice(0, nl);
    const absent = first === '__absent__';
    const before = absent ? '' : current.stdout.slice(nl + 1);
    const [mode, owner, group] = first.split(' ');
    const metaOk =
      !absent &&
      Number.parseInt(mode ?? '', 8) === Number.parseInt(f.mode, 8) &&
      owner === f.owner &&
      group === f.group;
    if (!absent && before === f.content && metaOk) {
      this.emit({ type: 'file', host: h.name, phase: this.phase, path: f.path, status: 'unchanged' });
      return false;
    }
    this.changes++;
    const lines = f.content.replace(/\n$/, '').split('\n');
    let diff = this.redact(
      absent
        ? `--- /dev/null\n+++ ${f.path}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`
        : unifiedDiff(before, f.content, f.path, f.path),
    );
    if (f.sensitive)
      diff = `${absent ? '--- /dev/null\n' : ''}+++ ${f.path}: (a private key; content not shown)\n`;
    if (!absent && !metaOk)
      diff += `mode/owner: ${mode} ${owner}:${group} -> ${f.mode.replace(/^0/, '')} ${f.owner}:${f.group}\n`;
    if (this.mode === 'plan') {
      this.emit({
        type: 'file',
        host: h.name,
        phase: this.phase,
        path: f.path,
        status: 'would-change',
        diff,
      });
      return true;
    }
    const dir = f.path.slice(0, f.path.lastIndexOf('/')) || '/';
    const tmp = `${f.path}.pk-new`;
    const script = [
      'set -e',
      // Folders it creates are 0755 like any under /etc (the service users must pass them); the file itself
      // is private until its own mode is set.
      'umask 022',
      `mkdir -p ${shq(dir)}`,
      ...(f.dir
        ? [
            `chown ${shq(`${f.dir.owner}:${f.dir.group}`)} ${shq(dir)}`,
            `chmod ${shq(f.dir.mode)} ${shq(dir)}`,
          ]
        : []),
      'umask 077',
      `cat > ${shq(tmp)}`,
      ...(validate ? [`${validate.replace(/\{\}/g, shq(tmp))} || { rm -f ${shq(tmp)}; exit 1; }`] : []),
      `chown ${shq(`${f.owner}:${f.group}`)} ${shq(tmp)}`,
      `chmod ${shq(f.mode)} ${shq(tmp)}`,
      `mv -f ${shq(tmp)} ${shq(f.path)}`,
    ].join('\n');
    const r = await this.exec(h, script, f.content);
    if (r.code !== 0) throw this.failure(h, `cannot write ${f.path} (exit ${r.code})`, undefined, r.stderr);
    this.emit({ type: 'file', host: h.name, phase: this.phase, path: f.path, status: 'changed', diff });
    return true;
  }

  /** Polls `probe` until it returns a string (the detail), bounded by the wait timeout. */
  async wait(h: Host, what: string, probe: () => Promise<string | undefined>): Promise<string | undefined> {
    this.step = `wait: ${what}`;
    if (this.mode === 'plan') {
      this.emit({ type: 'wait', host: h.name, phase: this.phase, what, status: 'would-wait' });
      return undefined;
    }
    const t0 = Date.now();
    const limit = this.opts.waitTimeoutMs ?? 180_000;
    this.emit({ type: 'wait', host: h.name, phase: this.phase, what, status: 'waiting' });
    for (let attempt = 0; ; attempt++) {
      const detail = await probe();
      if (detail !== undefined) {
        this.emit({
          type: 'wait',
          host: h.name,
          phase: this.phase,
          what,
          status: 'done',
          detail,
          ms: Date.now() - t0,
        });
        return detail;
      }
      if (Date.now() - t0 > limit) {
        throw this.failure(
          h,
          `gave up after ${Math.round((Date.now() - t0) / 1000)} s waiting for: ${what}`,
          undefined,
          this.lastStderr,
        );
      }
      await sleep(Math.min(2000, 250 * (attempt + 1)), this.opts.signal);
    }
  }
}

/** Debian packages a host needs. */
export function packagesFor(spec: ClusterSpec, h: { node?: NodeSpec; haproxy: boolean }): string[] {
  const pkgs: string[] = ['curl'];
  const major = spec.postgres.major;
  if (h.node) {
    pkgs.push(`postgresql-${major}`, `postgresql-client-${major}`);
    if (spec.patroni.source === 'debian') pkgs.push('patroni', 'python3-etcd', 'python3-psycopg2');
    if (spec.patroni.source === 'pip') pkgs.push('python3-venv', 'python3-pip');
    pkgs.push(...spec.patroni.packages);
    if (h.node.etcd && spec.etcd.source === 'debian') pkgs.push('etcd-server', 'etcd-client');
  }
  if (h.haproxy) pkgs.push('haproxy', `postgresql-client-${major}`);
  return [...new Set(pkgs)].sort();
}

function hostsOf(spec: ClusterSpec): Host[] {
  const hosts: Host[] = spec.nodes.map((n) => ({
    name: n.name,
    target: n.ssh,
    node: n,
    haproxy: spec.haproxy.placement === 'nodes',
  }));
  for (const h of spec.haproxy.placement === 'hosts' ? spec.haproxy.hosts : [])
    hosts.push({ name: h.name, target: h.ssh, haproxy: true });
  return hosts;
}

async function parallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

interface ClusterJson {
  members?: Array<{ name?: string; role?: string; state?: string }>;
}

/** A read-only REST GET on the node itself (over TLS verified against the cluster CA when on). */
const restGet = (spec: ClusterSpec, node: { address: string }, path: string) =>
  `curl -sf --max-time 3 ${restCurlTls(spec)}${shq(`${restBase(spec, node)}${path}`)}`;

async function clusterView(ops: Ops, h: Host, spec: ClusterSpec): Promise<ClusterJson | undefined> {
  const out = await ops.query(h, restGet(spec, h.node!, '/cluster'));
  if (!out) return undefined;
  try {
    return JSON.parse(out) as ClusterJson;
  } catch {
    return undefined;
  }
}

function runningLeader(view: ClusterJson | undefined): string | undefined {
  const l = view?.members?.find(
    (m) => (m.role === 'leader' || m.role === 'standby_leader') && m.state === 'running',
  );
  return l?.name;
}

const psqlLocal = (spec: ClusterSpec, sql: string) =>
  `cd / && runuser -u postgres -- psql -h /var/run/postgresql -p ${spec.postgres.port} -d postgres -tAXc ${shq(sql)}`;

const psqlVia = (port: number, sql: string) =>
  `PGPASSFILE=${PATHS.operatorPgpass} PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p ${port} -U ${USERS.superuser} -d postgres -tAXc ${shq(sql)}`;

const LABEL: Record<string, string> = { patroni: 'Patroni', haproxy: 'HAProxy' };

/** Starts and enables `unit` when it is not running; reloads it when its files changed and it already ran. */
async function startOrReload(ops: Ops, h: Host, unit: string, start: string, changed: boolean, why: string) {
  const started = await ops.ensure(
    h,
    `start ${LABEL[unit] ?? unit}`,
    `systemctl enable -q ${unit} && systemctl ${start} ${unit}`,
    `systemctl is-active -q ${unit} && systemctl is-enabled -q ${unit}`,
  );
  if (changed && !started)
    await ops.run(h, `reload ${LABEL[unit] ?? unit} (${why} changed)`, `systemctl reload ${unit}`);
}

/** Stops and disables `unit` unless it already is. */
function stopUnit(ops: Ops, h: Host, unit: string) {
  return ops.ensure(
    h,
    `stop and disable ${LABEL[unit] ?? unit}`,
    `systemctl disable -q --now ${unit}`,
    `! systemctl is-active -q ${unit} && ! systemctl is-enabled -q ${unit}`,
  );
}

async function steps(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  webhookUrl: string | undefined,
  pki: ClusterPki | undefined,
  hosts: Host[],
  retirees: Host[],
  ops: Ops,
): Promise<string | undefined> {
  const { opts } = ops;
  const nodes = hosts.filter((h) => h.node);
  const etcdHosts = nodes.filter((h) => h.node!.etcd);
  const phase = (id: PhaseId) => {
    ops.phase = id;
    const index = PHASES.findIndex((p) => p.id === id);
    ops.emit({
      type: 'phase',
      phase: id,
      title: PHASES[index]!.title,
      index: index + 1,
      total: PHASES.length,
    });
  };
  // Rendered (and linted) before anything is touched: a lint error stops the run here.
  const tlsOf = (h: Host) => {
    const pair = pki?.nodes.get(h.name);
    return pki && pair ? { ca: pki.ca, ...pair } : undefined;
  };
  const files = new Map(
    nodes.map((h) => [h.name, renderNodeFiles(spec, secrets, h.node!, webhookUrl, tlsOf(h))]),
  );
  const filesOf = (h: Host) => files.get(h.name)!;

  phase('packages');
  await parallel(hosts, async (h) => {
    const pkgs = packagesFor(spec, h);
    const list = pkgs.join(' ');
    const install = `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${list}`;
    await ops.ensure(
      h,
      'apt-get install',
      `${install} || { apt-get update -q && ${install}; }`,
      `[ "$(dpkg-query -W -f='\${Status}\\n' ${list} 2>/dev/null | grep -c 'install ok installed')" = ${pkgs.length} ]`,
      opts.commandTimeoutMs ?? 600_000,
    );
    if (h.node && spec.patroni.source === 'pip') {
      await ops.ensure(
        h,
        'Patroni virtualenv',
        "python3 -m venv /opt/patroni && /opt/patroni/bin/pip install --upgrade pip && /opt/patroni/bin/pip install 'patroni[etcd3]' 'psycopg[binary]'",
        'test -x /opt/patroni/bin/patroni',
        opts.commandTimeoutMs ?? 600_000,
      );
    }
    if (h.node && spec.patroni.source === 'installed') {
      ops.step = 'patroni present';
      if (!(await ops.check(h, `test -x ${shq(spec.patroni.bin)}`)) && ops.mode === 'apply') {
        throw ops.failure(h, `${spec.patroni.bin} is not an executable (patroni.source: installed)`);
      }
    }
  });

  phase('drop-package-cluster');
  const major = spec.postgres.major;
  await parallel(nodes, (h) =>
    ops
      .ensure(
        h,
        'pg_dropcluster',
        `pg_dropcluster --stop ${major} main`,
        `! test -e /etc/postgresql/${major}/main`,
      )
      .then(() => undefined),
  );

  phase('etcd');
  const restart: Host[] = [];
  await parallel(etcdHosts, async (h) => {
    let changed = false;
    // The certificates before the settings that name them.
    for (const f of filesOf(h).filter((x) => x.notify?.unit === 'etcd' && x.path !== PATHS.etcdEnv))
      if (await ops.file(h, f)) changed = true;
    if (await ops.file(h, filesOf(h).find((x) => x.path === PATHS.etcdEnv)!)) changed = true;
    const serving = await ops.check(
      h,
      `curl -sf -o /dev/null --max-time 2 ${etcdClientTls(spec, 'curl')}${etcdUrl(spec, h.node!.address)}/version`,
    );
    if (changed || !serving) restart.push(h);
  });
  // --no-block: a new member's start only completes once a quorum has formed, so start all, then wait.
  await parallel(restart, (h) =>
    ops.run(h, 'start etcd', 'systemctl enable -q etcd && systemctl restart --no-block etcd'),
  );
  const endpoints = etcdHosts.map((h) => etcdUrl(spec, h.node!.address)).join(',');
  await ops.wait(etcdHosts[0]!, 'etcdctl endpoint health on every member', async () => {
    const r = await ops.exec(
      etcdHosts[0]!,
      `ETCDCTL_API=3 etcdctl ${etcdClientTls(spec, 'etcdctl')}--dial-timeout=2s --command-timeout=3s --endpoints=${endpoints} endpoint health`,
    );
    return r.code === 0 ? `${etcdHosts.length} members healthy` : undefined;
  });

  const patroniNode = async (h: Host) => {
    let reload = false;
    let daemonReload = false;
    for (const f of filesOf(h).filter((x) => x.notify?.unit !== 'etcd')) {
      const changed = await ops.file(h, f);
      if (changed && f.notify?.action === 'reload') reload = true;
      if (changed && f.notify?.action === 'daemon-reload') daemonReload = true;
    }
    if (daemonReload) await ops.run(h, 'systemctl daemon-reload', 'systemctl daemon-reload');
    await startOrReload(
      ops,
      h,
      'patroni',
      'start',
      reload,
      spec.tls.restApi || spec.tls.etcd ? 'patroni.yml or its certificates' : 'patroni.yml',
    );
  };

  phase('patroni-first');
  const first = nodes[0]!;
  if (secrets.rotationPending) await rotatePasswords(spec, secrets, nodes, ops);
  await patroniNode(first);
  const leader = await ops.wait(first, 'a leader holding the lock (GET /cluster)', async () =>
    runningLeader(await clusterView(ops, first, spec)),
  );

  // bootstrap.dcs counts only when the cluster is created; afterwards the spec's dynamic settings go
  // through Patroni's PATCH /config (once: a REST write is never retried; the re-read decides).
  if (leader !== undefined || ops.mode === 'plan') await syncDynamicConfig(spec, secrets, first, ops);

  // After a switchover or failover a node may be the leader itself: that is as good as streaming.
  const waitMember = (h: Host) =>
    ops.wait(h, `${h.name} streaming from the leader (pg_stat_wal_receiver), or leading`, async () => {
      const out = await ops.query(
        h,
        psqlLocal(spec, 'select pg_is_in_recovery(), (select status from pg_stat_wal_receiver)'),
      );
      const [recovery, receiver] = (out?.trim() ?? '').split('|');
      if (recovery === 't' && receiver === 'streaming') return 'streaming';
      if (recovery === 'f' && runningLeader(await clusterView(ops, h, spec)) === h.name)
        return 'it is the leader';
      return undefined;
    });

  phase('replicas');
  for (const h of nodes.slice(1)) {
    await patroniNode(h);
    await waitMember(h);
  }

  await rollingRestart(spec, secrets, nodes, ops, waitMember);

  const proxies = hosts.filter((h) => h.haproxy);
  if (proxies.length > 0) {
    phase('haproxy');
    const cfg = haproxyFile(spec);
    for (const h of proxies) {
      // The CA first: `haproxy -c` checks that the ca-file haproxy.cfg names exists.
      const ca = pki && spec.tls.restApi ? await ops.file(h, haproxyCaFile(pki.ca)) : false;
      const changed = await ops.file(h, cfg, 'haproxy -c -q -f {}');
      await startOrReload(
        ops,
        h,
        'haproxy',
        'restart',
        changed || ca,
        spec.tls.restApi ? 'haproxy.cfg or its CA' : 'haproxy.cfg',
      );
    }
  }

  if (retirees.length > 0) {
    phase('retire');
    for (const r of retirees) await retire(spec, secrets, r, nodes, ops);
  }

  if (proxies.length > 0) {
    phase('verify');
    // Through every HAProxy: a freshly (re)started HAProxy counts its servers up until their first checks
    // fail, so for a second or two its reader port may still reach the leader. Apply ends once it does not.
    for (const via of proxies) await verifyVia(via);
  }
  return leader;

  async function verifyVia(via: Host): Promise<void> {
    ops.step = 'write through the writer port';
    await ops.wait(via, `a write through :${spec.haproxy.writerPort}`, async () => {
      const out = await ops.query(
        via,
        psqlVia(
          spec.haproxy.writerPort,
          'create table if not exists patroni_kit_provision_check (id int primary key, at timestamptz not null); insert into patroni_kit_provision_check values (1, now()) on conflict (id) do update set at = excluded.at; select host(inet_server_addr()), pg_is_in_recovery()',
        ),
      );
      const line = out?.trim().split('\n').pop();
      return line?.endsWith('|f') ? `written on ${line.split('|')[0]}` : undefined;
    });
    await ops.wait(via, `a read from a replica through :${spec.haproxy.readerPort}`, async () => {
      const out = await ops.query(
        via,
        psqlVia(
          spec.haproxy.readerPort,
          'select host(inet_server_addr()), pg_is_in_recovery(), (select count(*) from patroni_kit_provision_check)',
        ),
      );
      const line = out?.trim();
      return line?.endsWith('|t|1') ? `read on ${line.split('|')[0]}` : undefined;
    });
  }
}

/**
 * Takes a node out that is no longer in the spec (HAProxy has already stopped routing to it): stops and
 * disables Patroni there, waits until its member key is gone from etcd, and drops its replication slot
 * on the leader if Patroni kept it (4.x keeps a gone member's slot for member_slots_ttl).
 */
async function retire(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  r: Host,
  nodes: Host[],
  ops: Ops,
): Promise<void> {
  ops.step = `retire ${r.name}`;
  const etcdHost = nodes.find((h) => h.node!.etcd)!;
  if (r.node?.etcd) {
    throw ops.failure(
      r,
      `${r.name} runs an etcd member; removing etcd members is not supported by provision yet`,
      undefined,
    );
  }
  const view = await clusterView(ops, etcdHost, spec);
  const leader = runningLeader(view);
  if (leader === r.name) {
    throw new PatroniKitError('PRECHECK', `${r.name} is the leader; it cannot be retired while it leads`, {
      hint: `switch over first (patroni-kit switchover ${spec.cluster} --candidate ${nodes[0]!.name}), then apply again`,
    });
  }
  if (r.ssh) {
    await stopUnit(ops, r, 'patroni');
    if (spec.haproxy.placement === 'nodes') await stopUnit(ops, r, 'haproxy');
  } else {
    ops.emit({
      type: 'note',
      host: r.name,
      message: 'unreachable; its member key expires after ttl if it is really down',
    });
  }
  const key = `${spec.namespace}${spec.cluster}/members/${r.name}`;
  const keyQuery = `ETCDCTL_API=3 etcdctl ${etcdClientTls(spec, 'etcdctl')}--endpoints=${etcdUrl(spec, '127.0.0.1')} get --prefix --keys-only ${shq(key)}`;
  await ops.wait(etcdHost, `member key ${key} gone`, async () => {
    const out = await ops.query(etcdHost, keyQuery);
    return out !== undefined && out.trim() === '' ? 'gone' : undefined;
  });
  const leaderHost = nodes.find((h) => h.name === leader);
  if (!leaderHost) return;
  const slot = slotNameFromMember(r.name);
  const drop = psqlLocal(
    spec,
    `select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '${slot}' and not active`,
  );
  const gone = `[ -z "$(${psqlLocal(spec, `select 1 from pg_replication_slots where slot_name = '${slot}'`)})" ]`;
  if (await ops.check(leaderHost, gone)) {
    await ops.ensure(leaderHost, `drop replication slot ${slot}`, drop, gone);
    return;
  }
  if (ops.mode === 'plan') {
    await ops.ensure(leaderHost, `drop replication slot ${slot}`, drop, gone);
    return;
  }
  // Patroni 4 keeps a gone member's slot for member_slots_ttl (default 30 min) and re-creates it when it is
  // dropped by hand. For a node removed on purpose, member_slots_ttl is set to 0 until Patroni itself has
  // dropped the slot, then put back as it was.
  const version = await patroniVersion(spec, leaderHost, ops);
  const retains = version !== undefined && Number.parseInt(version, 10) >= 4;
  let previous: unknown = null;
  if (retains) {
    const config = await readConfig(spec, leaderHost, ops);
    previous = config?.member_slots_ttl ?? null;
    await patchConfigOnce(spec, secrets, leaderHost, ops, { member_slots_ttl: 0 }, (c) =>
      [0, '0', '0s', '0min'].includes(c.member_slots_ttl as number | string),
    );
  }
  try {
    // The drop skips a slot that is still active: the retired node's walsender can outlive its Patroni stop
    // for up to wal_sender_timeout. Drop again until the slot is really gone (bounded by the wait timeout).
    await ops.run(leaderHost, `drop replication slot ${slot}`, drop);
    await ops.wait(leaderHost, `replication slot ${slot} gone`, async () => {
      if (await ops.check(leaderHost, gone)) return 'gone';
      await ops.query(leaderHost, drop);
      return (await ops.check(leaderHost, gone)) ? 'gone' : undefined;
    });
  } finally {
    if (retains)
      await patchConfigOnce(spec, secrets, leaderHost, ops, { member_slots_ttl: previous }, (c) =>
        previous === null ? c.member_slots_ttl === undefined : c.member_slots_ttl === previous,
      );
  }
}

/** The Patroni version a node reports (`GET /patroni`), or undefined when it does not answer. */
async function patroniVersion(spec: ClusterSpec, h: Host, ops: Ops): Promise<string | undefined> {
  const out = await ops.query(h, restGet(spec, h.node!, '/patroni'));
  try {
    return out ? (JSON.parse(out) as { patroni?: { version?: string } }).patroni?.version : undefined;
  } catch {
    return undefined;
  }
}

/** The dynamic configuration as the node's Patroni serves it (`GET /config`). */
async function readConfig(
  spec: ClusterSpec,
  h: Host,
  ops: Ops,
): Promise<Record<string, unknown> | undefined> {
  const out = await ops.query(h, restGet(spec, h.node!, '/config'));
  try {
    return out ? (JSON.parse(out) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One PATCH /config (never retried: a REST write whose answer is lost is confirmed by reading), then
 * re-reads until `confirmed` holds (GET /config follows the DCS within a loop_wait), bounded.
 */
async function patchConfigOnce(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  h: Host,
  ops: Ops,
  patch: Record<string, unknown>,
  confirmed: (config: Record<string, unknown>) => boolean,
): Promise<void> {
  const step = `dynamic configuration: ${JSON.stringify(patch)}`;
  ops.step = step;
  const url = `${restBase(spec, h.node!)}/config`;
  const r = await ops.exec(
    h,
    'curl -s -o /dev/null -w "%{http_code}" --config -',
    curlConfig(spec, url, 'PATCH', secrets, patch),
  );
  for (let i = 0; i < 30; i++) {
    if (i > 0) await sleep(1000, ops.opts.signal);
    const after = await readConfig(spec, h, ops);
    if (after && confirmed(after)) {
      ops.emit({
        type: 'command',
        host: h.name,
        phase: ops.phase,
        step,
        command: `PATCH /config ${JSON.stringify(patch)}`,
        status: 'ran',
      });
      return;
    }
  }
  throw ops.failure(
    h,
    `PATCH /config ${JSON.stringify(patch)} answered ${r.stdout.trim() || `nothing (curl exit ${r.code})`} and the cluster does not show it`,
    undefined,
    r.stderr,
  );
}

/**
 * Sets the rotated passwords on the leader before any node's patroni.yml changes: the roles authenticate
 * over TCP with scram, so streaming replicas keep their connections, and Patroni's reload then hands the
 * new passwords to every node. Runs over the local socket (peer authentication), SQL on stdin.
 */
async function rotatePasswords(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  nodes: Host[],
  ops: Ops,
): Promise<void> {
  ops.step = 'password rotation: find the leader';
  let leader: string | undefined;
  for (const h of nodes) {
    leader = runningLeader(await clusterView(ops, h, spec));
    if (leader) break;
  }
  const on = nodes.find((h) => h.name === leader);
  if (!on) {
    if (ops.mode === 'plan') {
      ops.emit({
        type: 'note',
        message:
          'password rotation pending, but no running leader now: apply sets the passwords once one runs',
      });
      return;
    }
    throw ops.failure(
      nodes[0]!,
      'password rotation is pending but no member leads; cannot change the passwords',
      undefined,
    );
  }
  const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const sql = [
    "set password_encryption = 'scram-sha-256';",
    `alter role ${USERS.superuser} with password ${lit(secrets.superuser)};`,
    `alter role ${USERS.replication} with password ${lit(secrets.replication)};`,
    `alter role ${USERS.rewind} with password ${lit(secrets.rewind)};`,
    '',
  ].join('\n');
  const command = `cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p ${spec.postgres.port} -d postgres`;
  await ops.change(
    on,
    'alter role postgres, replicator, rewind_user (new passwords on stdin)',
    command,
    async () => {
      const r = await ops.exec(on, command, sql);
      if (r.code !== 0) throw ops.failure(on, `ALTER ROLE failed (exit ${r.code})`, undefined, r.stderr);
    },
  );
}

/** `patroni 4.0.7` → `4.0.7`. */
function versionOf(text: string | undefined): string | undefined {
  return text?.match(/(\d+\.\d+\.\d+)/)?.[1];
}

/**
 * A node whose running Patroni is not the installed one (a new package, or the spec's `patroni.bin`
 * changed) is restarted in the recipe's upgrade order: replicas first, then a switchover to an upgraded
 * replica, then the old leader. The check compares what runs (GET /patroni) with what is installed, so an
 * apply that failed half-way resumes the upgrade where it stopped.
 */
async function rollingRestart(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  nodes: Host[],
  ops: Ops,
  waitMember: (h: Host) => Promise<string | undefined>,
): Promise<void> {
  const stale: Array<{ h: Host; from: string; to: string }> = [];
  for (const h of nodes) {
    ops.step = 'running vs installed Patroni';
    const installed = versionOf(await ops.query(h, `${shq(spec.patroni.bin)} --version 2>&1`));
    const out = await ops.query(h, restGet(spec, h.node!, '/patroni'));
    let running: string | undefined;
    try {
      running = out ? (JSON.parse(out) as { patroni?: { version?: string } }).patroni?.version : undefined;
    } catch {}
    if (installed && running && installed !== running) stale.push({ h, from: running, to: installed });
  }
  if (stale.length === 0) return;
  ops.phase = 'rolling-restart';
  const index = PHASES.findIndex((p) => p.id === 'rolling-restart');
  ops.emit({
    type: 'phase',
    phase: 'rolling-restart',
    title: PHASES[index]!.title,
    index: index + 1,
    total: PHASES.length,
  });
  let leader: string | undefined;
  for (const h of nodes) {
    leader = runningLeader(await clusterView(ops, h, spec));
    if (leader) break;
  }
  const restart = async (x: { h: Host; from: string; to: string }) => {
    await ops.run(x.h, `restart Patroni ${x.from} -> ${x.to}`, 'systemctl restart patroni', 120_000);
    await waitMember(x.h);
  };
  for (const x of stale.filter((x) => x.h.name !== leader)) await restart(x);
  const old = stale.find((x) => x.h.name === leader);
  if (!old) return;
  const candidate = nodes.find((h) => h.name !== leader && !h.node!.tags.nofailover);
  if (!candidate) throw ops.failure(old.h, 'no replica can take over (every other node has nofailover)');
  const url = `${restBase(spec, old.h.node!)}/switchover`;
  const ran = await ops.change(
    old.h,
    `switchover ${old.h.name} -> ${candidate.name}`,
    `POST ${url}`,
    async () => {
      // Never retried: if the answer is lost, the wait below reads who leads.
      const r = await ops.exec(
        old.h,
        'curl -s -o /dev/null -w "%{http_code}" --config -',
        curlConfig(spec, url, 'POST', secrets, { leader: old.h.name, candidate: candidate.name }),
      );
      if (r.stdout.trim() !== '200' && r.stdout.trim() !== '') {
        throw ops.failure(old.h, `POST /switchover answered ${r.stdout.trim()}`, undefined, r.stderr);
      }
    },
  );
  if (ran) {
    await ops.wait(candidate, `${candidate.name} leads`, async () =>
      runningLeader(await clusterView(ops, candidate, spec)) === candidate.name ? candidate.name : undefined,
    );
  }
  await restart(old);
}

/** The curl config (read from stdin) for an authenticated REST request: no secret ever in argv. */
function curlConfig(
  spec: ClusterSpec,
  url: string,
  method: string,
  secrets: ClusterSecrets,
  body?: unknown,
): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const t = PATHS.patroniTls;
  return [
    `url = "${esc(url)}"`,
    // verify_client: optional asks unsafe requests for a certificate of the cluster CA.
    ...(spec.tls.restApi
      ? [`cacert = "${t}/ca.crt"`, `cert = "${t}/node.crt"`, `key = "${t}/node.key"`]
      : []),
    `request = "${method}"`,
    `user = "${esc(`${USERS.restapi}:${secrets.restapi}`)}"`,
    'header = "Content-Type: application/json"',
    ...(body === undefined ? [] : [`data = "${esc(JSON.stringify(body))}"`]),
    'max-time = 10',
    '',
  ].join('\n');
}

async function syncDynamicConfig(
  spec: ClusterSpec,
  secrets: ClusterSecrets,
  h: Host,
  ops: Ops,
): Promise<void> {
  ops.step = 'dynamic configuration (GET /config)';
  const url = `${restBase(spec, h.node!)}/config`;
  const read = () => readConfig(spec, h, ops);
  const have = await read();
  if (have === undefined) {
    // No cluster yet (plan on fresh hosts): bootstrap.dcs will create exactly what the spec says.
    ops.emit({ type: 'config', host: h.name, phase: ops.phase, status: 'unchanged', changes: [] });
    return;
  }
  const want = dynamicConfig(spec);
  const { patch, changes } = dynamicConfigPatch(want, have);
  if (changes.length === 0) {
    ops.emit({ type: 'config', host: h.name, phase: ops.phase, status: 'unchanged', changes });
    return;
  }
  ops.changes++;
  if (ops.mode === 'plan') {
    ops.emit({ type: 'config', host: h.name, phase: ops.phase, status: 'would-change', changes });
    return;
  }
  ops.step = 'dynamic configuration (PATCH /config)';
  const r = await ops.exec(
    h,
    'curl -s -o /dev/null -w "%{http_code}" --config -',
    curlConfig(spec, url, 'PATCH', secrets, patch),
  );
  // GET /config answers from Patroni's cached view of the DCS, refreshed every loop_wait: re-read until
  // it shows the change (bounded), which also confirms a PATCH whose answer was lost.
  let left = changes;
  for (let i = 0; i < 30 && left.length > 0; i++) {
    if (i > 0) await sleep(1000, ops.opts.signal);
    const after = await read();
    left = after ? dynamicConfigPatch(want, after).changes : changes;
  }
  if (left.length > 0) {
    throw ops.failure(
      h,
      `PATCH /config answered ${r.stdout.trim() || `nothing (curl exit ${r.code})`} and the cluster still differs: ${left.join('; ')}`,
      undefined,
      r.stderr,
    );
  }
  ops.emit({ type: 'config', host: h.name, phase: ops.phase, status: 'changed', changes });
  if ((patch.postgresql as { parameters?: unknown } | undefined)?.parameters)
    ops.emit({
      type: 'note',
      host: h.name,
      message:
        'parameters that need a restart show as "pending restart" in `patroni-kit list`; restart them with `patroni-kit restart`',
    });
}

async function connectAll(hosts: Host[], ops: Ops): Promise<void> {
  await parallel(hosts, async (h) => {
    const t0 = Date.now();
    try {
      h.ssh = await SshHost.connect(h.target, ops.opts.signal);
    } catch (err) {
      ops.step = 'connect';
      throw ops.failure(h, err instanceof Error ? err.message : String(err), err);
    }
    ops.emit({ type: 'connected', host: h.name, ms: Date.now() - t0 });
  });
}

async function webhookUrlOf(spec: ClusterSpec): Promise<string | undefined> {
  if (!spec.webhook) return undefined;
  let url: string;
  try {
    url = (await readFile(spec.webhook.urlFile, 'utf8')).trim();
  } catch (err) {
    throw new PatroniKitError(
      'CONFIG',
      `cannot read webhook.urlFile ${spec.webhook.urlFile}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!/^https?:\/\/[^\s"]+$/.test(url)) {
    throw new PatroniKitError('CONFIG', `${spec.webhook.urlFile} must hold one http(s) URL on one line`);
  }
  return url;
}

async function execute(
  mode: 'plan' | 'apply',
  spec: ClusterSpec,
  opts: ProvisionOptions,
): Promise<ProvisionResult> {
  const t0 = Date.now();
  const { secrets, created } = await loadSecrets(spec.secretsFile, true);
  const webhookUrl = await webhookUrlOf(spec);
  const pki = await ensurePki(spec, { create: true, ...(opts.signal ? { signal: opts.signal } : {}) });
  const keys = [...(pki?.nodes.values() ?? [])].map((p) => p.key.trim());
  const ops = new Ops(mode, opts, secretValues(secrets, [...(webhookUrl ? [webhookUrl] : []), ...keys]));
  if (created)
    ops.emit({ type: 'note', message: `generated new passwords in ${spec.secretsFile} (mode 0600)` });
  if (pki && pki.created.length > 0)
    ops.emit({
      type: 'note',
      message: `generated ${pki.created.length} certificate(s) of the cluster CA in ${spec.tls.certDir} (keys mode 0600)`,
    });
  if (pki && mode === 'apply') await writeCtlConfig(spec, pki);
  const hosts = hostsOf(spec);
  const prev = await readState(spec);
  const retirees: Host[] = (prev?.nodes ?? [])
    .filter((n) => !spec.nodes.some((s) => s.name === n.name))
    .map((n) => ({
      name: n.name,
      target: n.ssh,
      node: {
        name: n.name,
        address: n.address,
        ssh: n.ssh,
        etcd: n.etcd,
        tags: { nofailover: false, noloadbalance: false, nosync: false },
      },
      haproxy: false,
    }));
  const inventory = (retired: boolean): NonNullable<ApplyState['nodes']> => [
    ...spec.nodes.map((n) => ({ name: n.name, address: n.address, etcd: n.etcd, ssh: n.ssh })),
    ...(retired ? [] : (prev?.nodes ?? []).filter((n) => retirees.some((r) => r.name === n.name))),
  ];
  checkEtcdMembership(spec, prev);
  if (mode === 'apply') {
    if (prev?.result === 'failed' && prev.failure) {
      ops.emit({
        type: 'note',
        message: `the last apply failed on ${prev.failure.host} at '${prev.failure.step}' (${prev.failure.phase}); continuing: steps already done are checked and skipped`,
      });
    }
  }
  try {
    await connectAll(hosts, ops);
    // A node being retired may already be gone for good: that is not an error by itself.
    await Promise.all(
      retirees.map(async (r) => {
        try {
          r.ssh = await SshHost.connect(r.target, ops.opts.signal);
        } catch (err) {
          if (isPatroniKitError(err, 'HOST_KEY', 'AUTH')) throw err;
          ops.emit({
            type: 'note',
            host: r.name,
            message: `no longer in the spec and unreachable: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }),
    );
    const leader = await steps(spec, secrets, webhookUrl, pki, hosts, retirees, ops);
    const result: ProvisionResult = {
      mode,
      changes: ops.changes,
      ms: Date.now() - t0,
      secretsCreated: created,
    };
    if (leader) result.leader = leader;
    if (mode === 'apply' && secrets.rotationPending) {
      const { rotationPending: _done, ...rest } = secrets;
      await writeSecrets(spec.secretsFile, rest);
    }
    if (mode === 'apply')
      await writeState(spec, {
        at: new Date().toISOString(),
        result: 'ok',
        changes: ops.changes,
        ms: result.ms,
        nodes: inventory(true),
      });
    return result;
  } catch (err) {
    if (mode === 'apply') {
      const d = (isPatroniKitError(err) ? err.details : undefined) as ApplyState['failure'] | undefined;
      await writeState(spec, {
        at: new Date().toISOString(),
        result: 'failed',
        changes: ops.changes,
        ms: Date.now() - t0,
        failure: {
          host: d?.host ?? '?',
          phase: d?.phase ?? ops.phase,
          step: d?.step ?? ops.step,
          ...(d?.command ? { command: d.command } : {}),
          ...(d?.stderrTail ? { stderrTail: d.stderrTail } : {}),
          message: err instanceof Error ? err.message : String(err),
        },
        nodes: inventory(false),
      });
    }
    throw err;
  } finally {
    for (const h of [...hosts, ...retirees]) h.ssh?.close();
  }
}

/** The operator's patronictl config next to the spec (TLS on): `patroni-kit list -c SPEC.patronictl.yml`. */
export function ctlConfigFile(spec: ClusterSpec): string {
  return `${spec.file.replace(/\.(ya?ml|json)$/i, '')}.patronictl.yml`;
}

/**
 * Writes {@link ctlConfigFile}: the etcd endpoints and the cluster CA with the operator's client
 * certificate. No password in it (add `ctl.authentication` yourself for writes, or pass them otherwise).
 */
async function writeCtlConfig(spec: ClusterSpec, pki: ClusterPki): Promise<void> {
  const files = [pki.caFile, pki.client.certFile, pki.client.keyFile];
  const pem = (keys: string[]) => files.map((f, i) => `  ${keys[i]}: ${JSON.stringify(f)}`);
  const lines = [
    '# Generated by patroni-kit provision: the cluster for patroni-kit/patronictl -c THIS_FILE.',
    `scope: ${JSON.stringify(spec.cluster)}`,
    `namespace: ${JSON.stringify(spec.namespace)}`,
    'etcd3:',
    ...(spec.tls.etcd ? ['  protocol: https', ...pem(['cacert', 'cert', 'key'])] : []),
    '  hosts:',
    ...etcdNodes(spec).map((n) => `    - ${n.address}:${spec.etcd.clientPort}`),
    ...(spec.tls.restApi ? ['ctl:', ...pem(['cacert', 'certfile', 'keyfile'])] : []),
    '',
  ];
  await writeFile(ctlConfigFile(spec), lines.join('\n'), { mode: 0o600 });
}

/**
 * etcd stays where the cluster was created: nodes added later run Patroni only (a fourth member would not
 * survive more failures than three, and every write would wait for one more), and a change of the etcd
 * set, including removing a node that runs a member, is refused before anything is touched.
 */
function checkEtcdMembership(spec: ClusterSpec, prev: ApplyState | undefined): void {
  const was = (prev?.nodes ?? []).filter((n) => n.etcd).map((n) => n.name);
  if (was.length === 0) return;
  const now = etcdNodes(spec).map((n) => n.name);
  const gone = was.filter((n) => !now.includes(n));
  const added = now.filter((n) => !was.includes(n));
  if (gone.length === 0 && added.length === 0) return;
  const removed = gone.filter((n) => !spec.nodes.some((s) => s.name === n));
  throw new PatroniKitError(
    'PRECHECK',
    `etcd runs on ${was.join(', ')}, but the spec ${
      removed.length > 0
        ? `no longer has ${removed.join(', ')}, which run${removed.length === 1 ? 's' : ''} an etcd member`
        : `puts it on ${now.join(', ')}`
    }: provision does not change etcd membership, and nothing was changed`,
    {
      hint:
        removed.length > 0
          ? `keep ${removed.join(', ')} in the spec; an etcd member is moved by hand (etcdctl member add, start it with ETCD_INITIAL_CLUSTER_STATE=existing, then etcdctl member remove), see the provision README`
          : `set etcd.members back to [${was.join(', ')}]`,
      details: { was, now },
    },
  );
}

/** Shows every file diff and command per host without changing anything. */
export function plan(spec: ClusterSpec, opts: ProvisionOptions = {}): Promise<ProvisionResult> {
  return execute('plan', spec, opts);
}

/** Brings the hosts to the spec in the recipe's order; idempotent and resumable. */
export function apply(spec: ClusterSpec, opts: ProvisionOptions = {}): Promise<ProvisionResult> {
  return execute('apply', spec, opts);
}

/** The last apply's outcome, if any. */
export async function readState(spec: ClusterSpec): Promise<ApplyState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(spec), 'utf8')) as ApplyState;
  } catch {
    return undefined;
  }
}

async function writeState(spec: ClusterSpec, state: ApplyState): Promise<void> {
  await writeFile(stateFile(spec), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** One host's live state, for `provision status`. */
export interface HostStatus {
  name: string;
  reachable: boolean;
  error?: string;
  services: Record<string, string>;
  role?: string;
  state?: string;
}

/** Live state of every host (services, Patroni role) and the last apply's outcome. Read-only. */
export async function status(
  spec: ClusterSpec,
  opts: ProvisionOptions = {},
): Promise<{ hosts: HostStatus[]; last?: ApplyState }> {
  const hosts = hostsOf(spec);
  const out: HostStatus[] = [];
  await Promise.all(
    hosts.map(async (h, i) => {
      const s: HostStatus = { name: h.name, reachable: false, services: {} };
      out[i] = s;
      let ssh: SshHost | undefined;
      try {
        ssh = await SshHost.connect(h.target, opts.signal);
        s.reachable = true;
        const units = [
          ...(h.node?.etcd ? ['etcd'] : []),
          ...(h.node ? ['patroni'] : []),
          ...(h.haproxy ? ['haproxy'] : []),
        ];
        for (const u of units) {
          const r = await ssh.exec(`systemctl is-active ${u}`, {
            timeoutMs: 10_000,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          s.services[u] = r.stdout.trim() || 'unknown';
        }
        if (h.node) {
          const r = await ssh.exec(restGet(spec, h.node, '/patroni'), {
            timeoutMs: 10_000,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          if (r.code === 0) {
            try {
              const p = JSON.parse(r.stdout) as { role?: string; state?: string };
              if (p.role) s.role = p.role;
              if (p.state) s.state = p.state;
            } catch {}
          }
        }
      } catch (err) {
        s.error = err instanceof Error ? err.message : String(err);
      } finally {
        ssh?.close();
      }
    }),
  );
  const last = await readState(spec);
  return last ? { hosts: out, last } : { hosts: out };
}

export { etcdNodes };
