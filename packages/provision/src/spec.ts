/** Loading a cluster spec: YAML or JSON, schema validation with one clear error per field, defaults. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readYaml } from '@patroni-kit/config/yaml';
import { PatroniKitError } from '@patroni-kit/errors';
import { Ajv, type ErrorObject } from 'ajv';
import { clusterSpecSchema } from './spec-schema.js';

/** SSH settings of one host after defaults were applied. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKey?: string;
  passphraseEnv?: string;
  agent: boolean;
  passwordEnv?: string;
  knownHosts: string;
  hostKey?: string;
  jump?: { host: string; port: number; user: string; hostKey?: string };
  connectTimeoutMs: number;
}

/** One node of a resolved spec. */
export interface NodeSpec {
  name: string;
  address: string;
  ssh: SshTarget;
  /** Whether this node runs an etcd member (`etcd.members`; by default the first three nodes). */
  etcd: boolean;
  tags: { nofailover: boolean; noloadbalance: boolean; nosync: boolean };
}

/** A host that runs HAProxy only. */
export interface HaproxyHost {
  name: string;
  address: string;
  ssh: SshTarget;
}

/** A validated spec with every default filled in and every path absolute. */
export interface ClusterSpec {
  cluster: string;
  namespace: string;
  nodes: NodeSpec[];
  network: { allow: string[] };
  postgres: { major: number; port: number; parameters: Record<string, string | number | boolean> };
  patroni: {
    source: 'debian' | 'pip' | 'installed';
    bin: string;
    version: '3.0' | '4.0' | '4.1';
    restApiPort: number;
    packages: string[];
  };
  etcd: { source: 'debian' | 'installed'; clientPort: number; peerPort: number };
  synchronous: { mode: boolean; strict: boolean; nodeCount: number };
  timing: 'default' | 'fast';
  haproxy: {
    placement: 'nodes' | 'hosts' | 'none';
    hosts: HaproxyHost[];
    writerPort: number;
    readerPort: number;
    statsPort: number;
  };
  webhook?: { urlFile: string };
  /** TLS for the REST API and etcd: one cluster CA, certificates in `certDir` (generated when missing). */
  tls: { restApi: boolean; etcd: boolean; certDir: string; caFile: string };
  secretsFile: string;
  /** The spec file, absolute. */
  file: string;
}

/** One problem found in a spec. */
export interface SpecProblem {
  /** JSON path of the field, e.g. `nodes[1].address`. */
  path: string;
  message: string;
}

type RawSsh = Partial<Omit<SshTarget, 'host' | 'jump' | 'agent'>> & {
  agent?: boolean;
  jump?: { host: string; port?: number; user?: string; hostKey?: string };
};
interface RawHost {
  name: string;
  address: string;
  ssh?: RawSsh;
  tags?: Partial<NodeSpec['tags']>;
}
interface RawSpec {
  cluster: string;
  namespace?: string;
  nodes: RawHost[];
  ssh?: RawSsh;
  network?: { allow?: string[] };
  postgres?: Partial<ClusterSpec['postgres']>;
  patroni?: Partial<ClusterSpec['patroni']>;
  etcd?: Partial<ClusterSpec['etcd']> & { members?: string[] };
  synchronous?: Partial<ClusterSpec['synchronous']>;
  timing?: ClusterSpec['timing'];
  haproxy?: Partial<Omit<ClusterSpec['haproxy'], 'hosts'>> & { hosts?: RawHost[] };
  webhook?: { urlFile: string };
  tls?: {
    restApi?: { enabled: boolean; caFile?: string; certDir?: string };
    etcd?: { enabled: boolean; caFile?: string; certDir?: string };
  };
  secretsFile?: string;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(clusterSpecSchema);

function jsonPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describeAjv(e: ErrorObject): SpecProblem {
  const at = jsonPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const inSsh = key in clusterSpecSchema.properties.ssh.properties && !at.endsWith('ssh');
      return {
        path: at ? `${at}.${key}` : key,
        message: `unknown field '${key}'${inSsh ? ` (did you mean ${at ? `${at}.` : ''}ssh.${key}?)` : ''}`,
      };
    }
    case 'required': {
      const key = String(p.missingProperty);
      return { path: at ? `${at}.${key}` : key, message: `'${key}' is required` };
    }
    case 'minItems':
      return { path: at, message: `needs at least ${String(p.limit)} item(s)` };
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'pattern': {
      const node = ajvSchemaAt(e.schemaPath);
      return {
        path: at,
        message: `has the wrong form${node ? `: ${node}` : ` (pattern ${String(p.pattern)})`}`,
      };
    }
    default:
      return { path: at, message: e.message ?? e.keyword };
  }
}

/** The description of the schema node a pattern error came from, for a readable message. */
function ajvSchemaAt(schemaPath: string): string | undefined {
  let node: unknown = clusterSpecSchema;
  for (const part of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  const d = (node as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
}

/** Validates parsed spec data against the schema and the rules a schema cannot say. */
export function checkSpec(data: unknown): SpecProblem[] {
  if (!validate(data)) {
    const seen = new Set<string>();
    return (validate.errors ?? []).map(describeAjv).filter((p) => {
      const key = `${p.path}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const spec = data as RawSpec;
  const problems: SpecProblem[] = [];
  const names = new Map<string, string>();
  const addrs = new Map<string, string>();
  const hosts = [
    ...spec.nodes.map((n, i) => ({ n, at: `nodes[${i}]` })),
    ...(spec.haproxy?.hosts ?? []).map((n, i) => ({ n, at: `haproxy.hosts[${i}]` })),
  ];
  for (const { n, at } of hosts) {
    const dupName = names.get(n.name);
    if (dupName) problems.push({ path: `${at}.name`, message: `'${n.name}' is also the name of ${dupName}` });
    else names.set(n.name, at);
    const dupAddr = addrs.get(n.address);
    if (dupAddr) {
      problems.push({ path: `${at}.address`, message: `${n.address} is also the address of ${dupAddr}` });
    } else addrs.set(n.address, at);
  }
  if (spec.nodes.length < 3) {
    problems.push({
      path: 'nodes',
      message: `${spec.nodes.length} node(s): etcd needs three members for a quorum that survives one loss, so give at least three nodes`,
    });
  }
  const members = spec.etcd?.members;
  if (members) {
    members.forEach((m, i) => {
      if (!spec.nodes.some((n) => n.name === m))
        problems.push({ path: `etcd.members[${i}]`, message: `'${m}' is not the name of a node` });
    });
    if (members.length % 2 === 0)
      problems.push({
        path: 'etcd.members',
        message: `${members.length} members: an even count tolerates no more failures than one fewer, so give 3 or 5`,
      });
  }
  const placement = spec.haproxy?.placement ?? 'nodes';
  if (placement === 'hosts' && (spec.haproxy?.hosts ?? []).length === 0) {
    problems.push({ path: 'haproxy.hosts', message: "placement 'hosts' needs at least one host here" });
  }
  if (placement !== 'hosts' && (spec.haproxy?.hosts ?? []).length > 0) {
    problems.push({
      path: 'haproxy.hosts',
      message: `hosts are only used with placement 'hosts', not '${placement}'`,
    });
  }
  if (spec.patroni?.source === 'installed' && !spec.patroni.bin) {
    problems.push({
      path: 'patroni.bin',
      message: "source 'installed' needs the path of the patroni executable",
    });
  }
  if (spec.synchronous?.strict && !spec.synchronous.mode) {
    problems.push({
      path: 'synchronous.strict',
      message: 'strict synchronous mode needs synchronous.mode: true',
    });
  }
  const nodeCount = spec.synchronous?.nodeCount ?? 1;
  if (spec.synchronous?.mode && nodeCount > spec.nodes.length - 1) {
    problems.push({
      path: 'synchronous.nodeCount',
      message: `${nodeCount} synchronous standbys need at least ${nodeCount + 1} nodes`,
    });
  }
  for (const key of ['certDir', 'caFile'] as const) {
    const a = spec.tls?.restApi?.[key];
    const b = spec.tls?.etcd?.[key];
    if (a !== undefined && b !== undefined && a !== b) {
      problems.push({
        path: `tls.etcd.${key}`,
        message: `differs from tls.restApi.${key}: one cluster CA serves the REST API and etcd, so give the same ${key} (or set it once)`,
      });
    }
  }
  const pg = spec.postgres ?? {};
  const ports = [
    ['postgres.port', pg.port ?? 5432],
    ['patroni.restApiPort', spec.patroni?.restApiPort ?? 8008],
    ['etcd.clientPort', spec.etcd?.clientPort ?? 2379],
    ['etcd.peerPort', spec.etcd?.peerPort ?? 2380],
    ...(placement === 'nodes'
      ? [
          ['haproxy.writerPort', spec.haproxy?.writerPort ?? 5000],
          ['haproxy.readerPort', spec.haproxy?.readerPort ?? 5001],
          ['haproxy.statsPort', spec.haproxy?.statsPort ?? 7000],
        ]
      : []),
  ] as Array<[string, number]>;
  const byPort = new Map<number, string>();
  for (const [path, p] of ports) {
    const other = byPort.get(p);
    if (other) problems.push({ path, message: `port ${p} is also used by ${other}` });
    else byPort.set(p, path);
  }
  return problems;
}

function resolvePath(base: string, p: string): string {
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

function sshTarget(
  base: string,
  host: string,
  defaults: RawSsh | undefined,
  own: RawSsh | undefined,
): SshTarget {
  const m: RawSsh = { ...defaults, ...own };
  const t: SshTarget = {
    host,
    port: m.port ?? 22,
    user: m.user ?? 'root',
    agent: m.agent ?? m.privateKey === undefined,
    knownHosts: resolvePath(base, m.knownHosts ?? '~/.ssh/known_hosts'),
    connectTimeoutMs: m.connectTimeoutMs ?? 15_000,
  };
  if (m.privateKey) t.privateKey = resolvePath(base, m.privateKey);
  if (m.passphraseEnv) t.passphraseEnv = m.passphraseEnv;
  if (m.passwordEnv) t.passwordEnv = m.passwordEnv;
  if (own?.hostKey) t.hostKey = own.hostKey; // a pin belongs to one host, never a default
  if (m.jump) {
    t.jump = { host: m.jump.host, port: m.jump.port ?? 22, user: m.jump.user ?? t.user };
    if (m.jump.hostKey) t.jump.hostKey = m.jump.hostKey;
  }
  return t;
}

function defaultAllow(nodes: RawHost[]): string[] {
  return [...new Set(nodes.map((n) => `${n.address.split('.').slice(0, 3).join('.')}.0/24`))];
}

/** Builds the resolved spec from data that passed {@link checkSpec}. */
export function resolveSpec(data: unknown, file: string): ClusterSpec {
  const raw = data as RawSpec;
  const base = dirname(file);
  const source = raw.patroni?.source ?? 'debian';
  const bin = raw.patroni?.bin ?? (source === 'pip' ? '/opt/patroni/bin/patroni' : '/usr/bin/patroni');
  const spec: ClusterSpec = {
    cluster: raw.cluster,
    namespace: raw.namespace ?? '/service/',
    nodes: raw.nodes.map((n, i) => ({
      name: n.name,
      address: n.address,
      ssh: sshTarget(base, n.address, raw.ssh, n.ssh),
      etcd: raw.etcd?.members ? raw.etcd.members.includes(n.name) : i < 3,
      tags: { nofailover: false, noloadbalance: false, nosync: false, ...n.tags },
    })),
    network: { allow: raw.network?.allow ?? defaultAllow([...raw.nodes, ...(raw.haproxy?.hosts ?? [])]) },
    postgres: {
      major: raw.postgres?.major ?? 15,
      port: raw.postgres?.port ?? 5432,
      parameters: raw.postgres?.parameters ?? {},
    },
    patroni: {
      source,
      bin,
      version: raw.patroni?.version ?? (source === 'debian' ? '3.0' : '4.0'),
      restApiPort: raw.patroni?.restApiPort ?? 8008,
      packages: raw.patroni?.packages ?? [],
    },
    etcd: {
      source: raw.etcd?.source ?? 'debian',
      clientPort: raw.etcd?.clientPort ?? 2379,
      peerPort: raw.etcd?.peerPort ?? 2380,
    },
    synchronous: {
      mode: raw.synchronous?.mode ?? false,
      strict: raw.synchronous?.strict ?? false,
      nodeCount: raw.synchronous?.nodeCount ?? 1,
    },
    timing: raw.timing ?? 'default',
    haproxy: {
      placement: raw.haproxy?.placement ?? 'nodes',
      hosts: (raw.haproxy?.hosts ?? []).map((h) => ({
        name: h.name,
        address: h.address,
        ssh: sshTarget(base, h.address, raw.ssh, h.ssh),
      })),
      writerPort: raw.haproxy?.writerPort ?? 5000,
      readerPort: raw.haproxy?.readerPort ?? 5001,
      statsPort: raw.haproxy?.statsPort ?? 7000,
    },
    tls: { restApi: false, etcd: false, certDir: '', caFile: '' },
    secretsFile: resolvePath(base, raw.secretsFile ?? `${file.replace(/\.(ya?ml|json)$/i, '')}.secrets.json`),
    file,
  };
  const certDir = resolvePath(
    base,
    raw.tls?.restApi?.certDir ?? raw.tls?.etcd?.certDir ?? `${file.replace(/\.(ya?ml|json)$/i, '')}.tls`,
  );
  const caFile = raw.tls?.restApi?.caFile ?? raw.tls?.etcd?.caFile;
  spec.tls = {
    restApi: raw.tls?.restApi?.enabled ?? false,
    etcd: raw.tls?.etcd?.enabled ?? false,
    certDir,
    caFile: caFile ? resolvePath(base, caFile) : join(certDir, 'ca.crt'),
  };
  if (raw.webhook) spec.webhook = { urlFile: resolvePath(base, raw.webhook.urlFile) };
  return spec;
}

/** Parses spec text (YAML or JSON) and validates it; throws one CONFIG error listing every problem. */
export function parseSpec(text: string, file: string): ClusterSpec {
  let data: unknown;
  try {
    data = readYaml(text, file);
  } catch (err) {
    throw new PatroniKitError('CONFIG', `not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PatroniKitError('CONFIG', `${file}: a cluster spec is a mapping (cluster, nodes, ...)`, {
      hint: 'see docs/provision-spec.md for the fields',
    });
  }
  const problems = checkSpec(data);
  if (problems.length > 0) {
    throw new PatroniKitError(
      'CONFIG',
      `${file}: ${problems.length} problem(s) in the cluster spec:\n${problems
        .map((p) => `  ${p.path || '(top level)'}: ${p.message}`)
        .join('\n')}`,
      { hint: 'see docs/provision-spec.md for every field', details: { problems } },
    );
  }
  return resolveSpec(data, file);
}

/** Reads and validates a spec file. */
export async function loadSpec(file: string, signal?: AbortSignal): Promise<ClusterSpec> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, { encoding: 'utf8', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new PatroniKitError('NOT_FOUND', `cannot read the cluster spec ${abs}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseSpec(text, abs);
}
