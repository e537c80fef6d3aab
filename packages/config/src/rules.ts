/**
 * Semantic rules: what the schema cannot express. Facts: shared/reference/patroni.md §4.2, §4.6 and §5.
 */
import { isIP } from 'node:net';
import { isScalar } from 'yaml';
import { isObj, type Obj, pgBool, type RuleContext, toInt } from './context.js';
import { locate, type PathSegment } from './parse.js';
import { moveFix } from './schema-findings.js';
import { shownValue } from './secrets.js';
import type { Fix } from './types.js';

/** GUCs Patroni controls (passed on the postmaster command line or managed), with its runtime minimums. */
export const CONTROLLED_GUCS: Record<string, { min?: number; fallback: string }> = {
  max_connections: { min: 25, fallback: '100' },
  max_wal_senders: { min: 3, fallback: '10' },
  max_prepared_transactions: { min: 0, fallback: '0' },
  max_locks_per_transaction: { min: 32, fallback: '64' },
  max_replication_slots: { min: 4, fallback: '10' },
  max_worker_processes: { min: 2, fallback: '8' },
  wal_level: { fallback: 'replica' },
  hot_standby: { fallback: 'on' },
  track_commit_timestamp: { fallback: 'off' },
  wal_log_hints: { fallback: 'on' },
  wal_keep_segments: { min: 1, fallback: '8' },
  wal_keep_size: { fallback: '128MB' },
};
const NEVER_SETTABLE = ['listen_addresses', 'port', 'cluster_name'];
const DCS_NAMES = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'];
const FORBIDDEN_CONNECT_HOSTS = ['127.0.0.1', '0.0.0.0', '*', '::1', 'localhost'];
const SAMPLE_PASSWORDS = new Set([
  'zalando',
  'rep-pass',
  'rewind_password',
  'rewind-pass',
  'admin',
  'admin%',
  'postgres',
  'password',
  'secret',
  'changeme',
  'change_me',
  'patroni',
  'replicator',
  'rep_pass',
  'pass',
  '123456',
  'qwerty',
  'letmein',
  'standby',
]);
const INITDB_FORBIDDEN = ['pgdata', 'nosync', 'pwfile', 'sync-only', 'version'];
const BASEBACKUP_FORBIDDEN = [
  'pgdata',
  'format',
  'wal-method',
  'xlog-method',
  'gzip',
  'version',
  'dbname',
  'host',
  'port',
  'username',
  'password',
];
const STRICT_SYNC_PLACEHOLDER = '__patroni_strict_sync_replica_placeholder__';

/** Splits `host:port`, `[v6]:port`, `h1,h2:port`; undefined when no numeric port. */
export function splitHostPort(value: unknown): { host: string; port: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(.*):(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  let host = m[1]!;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number.parseInt(m[2]!, 10) };
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '0:0:0:0:0:0:0:1';
}

/** Slot name Patroni derives from a member name (patroni.md §5 rule 31). */
export function slotNameFromMember(name: string): string {
  let out = '';
  for (const ch of name.toLowerCase()) {
    if (/[a-z0-9_]/.test(ch)) out += ch;
    else if (ch === '-' || ch === '.') out += '_';
    else out += `u${String(ch.codePointAt(0)).padStart(4, '0')}`;
  }
  return out.slice(0, 63);
}

/** Runs every single-file semantic rule. */
export function semanticRules(ctx: RuleContext): void {
  placeholders(ctx);
  if (!ctx.dynamicDoc) {
    dcsSections(ctx);
    addresses(ctx);
    names(ctx);
    kubernetes(ctx);
    tags(ctx);
    restapi(ctx);
    bootstrap(ctx);
    replicaMethods(ctx);
    localParameters(ctx);
    passwords(ctx);
    unixSocket(ctx);
    watchdog(ctx);
  }
  timing(ctx);
  dynamicParameters(ctx);
  rewind(ctx);
  hba(ctx);
  sync(ctx);
  slots(ctx);
}

// ---------------------------------------------------------------------------------------------------

function walkStrings(
  value: unknown,
  path: PathSegment[],
  visit: (s: string, path: PathSegment[]) => void,
  budget = { n: 0 },
): void {
  if (budget.n++ > 50_000) return;
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walkStrings(value[i], [...path, i], visit, budget);
  } else if (isObj(value))
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit, budget);
}

const COMMAND_KEY = /(command|^on_|pre_promote|post_bootstrap|post_init|before_stop|callbacks|_cmd$)/;

function placeholders(ctx: RuleContext): void {
  const seenKeys = new Set<string>();
  walkStrings(ctx.data, [], (s, path) => {
    const commandish =
      path.some((p) => typeof p === 'string' && COMMAND_KEY.test(p)) || path.includes('recovery_conf');
    const patterns: Array<[RegExp, string]> = [
      [/\{\{.{0,200}?\}\}|\{%.{0,200}?%\}/, 'a Jinja/Helm/Go template placeholder'],
      [/@[A-Z][A-Z_]{0,64}@/, 'a Debian template placeholder'],
      [/__[A-Z][A-Z0-9_]{0,64}__/, 'a sed-style __PLACEHOLDER__'],
      [/%\{[^}]{0,200}\}/, 'a Terraform template directive'],
    ];
    if (!commandish) {
      patterns.push([/\$\{[A-Za-z_][A-Za-z0-9_]{0,100}\}/, 'an envsubst/shell placeholder']);
      patterns.push([/<[A-Za-z][A-Za-z0-9_ .-]{0,64}>/, 'a <placeholder>']);
    }
    for (const [re, what] of patterns) {
      const m = re.exec(s.length > 4096 ? s.slice(0, 4096) : s); // no real value is longer; bounds the scan
      if (m) {
        ctx.report(
          'template-placeholder',
          'error',
          path,
          `${path.join('.')} contains ${what} '${m[0]}': the template was not rendered, and Patroni would use it literally. Render the template or fill in the value.`,
        );
        return;
      }
    }
  });
  // placeholders used as keys (e.g. `{{ name }}:` or `@HOSTNAME@:`)
  const stack: Array<[unknown, PathSegment[]]> = [[ctx.data, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (!isObj(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      if (k.length < 1000 && /\{\{.*\}\}|@[A-Z][A-Z_]*@|^\$\{.*\}$/.test(k) && !seenKeys.has(k)) {
        seenKeys.add(k);
        ctx.report(
          'template-placeholder',
          'error',
          [...path, k],
          `Key '${k}' is an unrendered template placeholder. Render the template.`,
          { anchor: 'key' },
        );
      }
      stack.push([child, [...path, k]]);
    }
  }
}

function dcsSections(ctx: RuleContext): void {
  const present = DCS_NAMES.filter((n) => ctx.data[n] !== undefined);
  if (present.length > 1) {
    for (const n of present.slice(1)) {
      ctx.report(
        'multiple-dcs',
        'warning',
        [n],
        `More than one DCS section (${present.join(', ')}): Patroni uses only '${present[0]}' (the first it can import) and ignores '${n}'. Keep exactly one.`,
        { anchor: 'key' },
      );
    }
  }
  if (present.length === 0 && !ctx.dynamicDoc) {
    ctx.report(
      'missing-key',
      'error',
      [],
      `No DCS section: add exactly one of ${DCS_NAMES.join(', ')} (or set it with PATRONI_<DCS>_HOSTS-style environment variables).`,
    );
  }
  if (ctx.data.raft !== undefined) {
    ctx.report(
      'raft-deprecated',
      'info',
      ['raft'],
      'The built-in Raft DCS is deprecated since Patroni 3.0.0; plan a move to etcd3, Consul, ZooKeeper or Kubernetes.',
      {
        anchor: 'key',
      },
    );
  }
  for (const name of ['etcd', 'etcd3', 'zookeeper']) {
    const sec = ctx.data[name];
    if (!isObj(sec)) continue;
    const hostsValue = sec.hosts;
    const hosts: Array<[string, PathSegment[]]> = [];
    if (Array.isArray(hostsValue)) {
      for (let i = 0; i < hostsValue.length; i++) {
        const h = hostsValue[i];
        if (typeof h === 'string') hosts.push([h, [name, 'hosts', i]]);
      }
    } else if (typeof hostsValue === 'string')
      for (const h of hostsValue.split(',')) hosts.push([h.trim(), [name, 'hosts']]);
    if (typeof sec.host === 'string' && name !== 'zookeeper') hosts.push([sec.host, [name, 'host']]);
    for (const [h, p] of hosts) {
      const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(h);
      if (!m) continue;
      const https = m[1]!.toLowerCase() === 'https';
      const loc = locate(ctx.parsed.doc, p);
      let fix: Fix | undefined;
      if (
        loc.depth === p.length &&
        loc.value &&
        isScalar(loc.value) &&
        loc.value.range &&
        typeof loc.value.value === 'string'
      ) {
        const src = ctx.parsed.text.slice(loc.value.range[0], loc.value.range[1]);
        const idx = src.indexOf(m[0]);
        if (idx >= 0)
          fix = {
            description: `Remove '${m[0]}'`,
            edits: [{ offset: loc.value.range[0] + idx, length: m[0].length, text: '' }],
          };
      }
      const protoHint = https && sec.protocol !== 'https' ? ` and add \`protocol: https\`` : '';
      ctx.report(
        'dcs-host-scheme',
        'error',
        p,
        `${name}.${p[1]} entries are host:port without a URL scheme, but '${h}' starts with '${m[0]}': Patroni turns it into the unusable URL '${brokenUrl(h, String(sec.protocol ?? 'http'), toInt(sec.port) ?? 2379)}' and cannot connect. Remove the scheme${protoHint}, or use ${name}.url for a single URL.`,
        fix ? { fix } : {},
      );
    }
    const count = Array.isArray(hostsValue)
      ? hostsValue.length
      : typeof hostsValue === 'string'
        ? hostsValue.split(',').filter((s) => s.trim()).length
        : 0;
    const usesDiscovery = sec.srv !== undefined || sec.url !== undefined || sec.proxy !== undefined;
    if (usesDiscovery) continue;
    if (count > 0 && count % 2 === 0) {
      ctx.report(
        'dcs-host-count',
        'warning',
        [name, 'hosts'],
        `${name}.hosts lists ${count} endpoints. An even-sized ${name === 'zookeeper' ? 'ensemble' : 'etcd cluster'} tolerates no more failures than one member fewer; run and list an odd number (3 or 5).`,
      );
    } else if (count === 1 || (count === 0 && typeof sec.host === 'string')) {
      const single = count === 1 ? (Array.isArray(hostsValue) ? hostsValue[0] : hostsValue) : sec.host;
      const hostName = shownValue(single).replace(/:\d+$/, '');
      const byName = isIP(hostName.replace(/^\[|\]$/g, '')) === 0;
      ctx.report(
        'dcs-host-count',
        byName ? 'info' : 'warning',
        count === 1 ? [name, 'hosts'] : [name, 'host'],
        byName
          ? `Only one ${name} endpoint name is configured: fine if '${hostName}' resolves to every member (Patroni uses all its addresses); otherwise list all members (an odd number, 3 or 5) in ${name}.hosts.`
          : `Only one ${name} endpoint is configured: if it is down when Patroni starts, Patroni cannot reach the DCS. List all members (an odd number, 3 or 5) in ${name}.hosts.`,
      );
    }
  }
}

/** The URL Patroni builds from a hosts entry (its split_host_port + uri), to show what goes wrong. */
function brokenUrl(entry: string, protocol: string, defaultPort: number): string {
  const hp = splitHostPort(entry);
  const host = hp ? hp.host : entry;
  const port = hp ? hp.port : defaultPort;
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function addresses(ctx: RuleContext): void {
  const check = (path: PathSegment[], what: string) => {
    const v = ctx.get(path);
    if (v === undefined) return;
    const hp = splitHostPort(v);
    if (!hp) {
      if (typeof v === 'string')
        ctx.report(
          'listen-address',
          'error',
          path,
          `${path.join('.')} '${v}' is not host:port (for example 10.0.0.11:${path[0] === 'restapi' ? 8008 : 5432}).`,
        );
      return;
    }
    if (hp.port < 1 || hp.port > 65535) {
      ctx.report('listen-address', 'error', path, `${path.join('.')} has port ${hp.port}, outside 1–65535.`);
    }
    const host = hp.host.toLowerCase();
    if (FORBIDDEN_CONNECT_HOSTS.includes(host) || host === '' || host === '::') {
      ctx.report(
        'connect-address',
        'error',
        path,
        `${path.join('.')} is '${String(v)}': ${what} is published in the DCS for other members and clients, and '${hp.host || '(empty)'}' does not reach this node from another host. Use the address other nodes reach this node on (Patroni's validator rejects 127.0.0.1, 0.0.0.0, *, ::1, localhost).`,
      );
    } else if (isLoopback(host)) {
      ctx.report(
        'connect-address',
        'info',
        path,
        `${path.join('.')} is a loopback address (${hp.host}): only processes on this host can use it. That is fine when every member runs on one host (a lab); otherwise use the node's network address.`,
      );
    }
  };
  check(['restapi', 'connect_address'], 'restapi.connect_address (api_url)');
  check(['postgresql', 'connect_address'], 'postgresql.connect_address (conn_url)');
  check(['postgresql', 'proxy_address'], 'postgresql.proxy_address (proxy_url)');
  check(['raft', 'self_addr'], 'raft.self_addr');

  const listenCheck = (path: PathSegment[], multi: boolean) => {
    const v = ctx.get(path);
    if (typeof v !== 'string') return undefined;
    const hp = splitHostPort(v);
    if (!hp) {
      ctx.report(
        'listen-address',
        'error',
        path,
        `${path.join('.')} '${v}' must be ${multi ? 'host[,host...]:port' : 'host:port'}.`,
      );
      return undefined;
    }
    const hosts = hp.host.split(',').map((h) => h.trim());
    if (!multi && hosts.length > 1) {
      ctx.report(
        'listen-address',
        'error',
        path,
        `${path.join('.')} takes a single host:port; '${v}' lists ${hosts.length} hosts. Use 0.0.0.0 (or '*') to listen on all addresses.`,
      );
    }
    if (hosts.includes('*') && hosts.length > 1) {
      ctx.report(
        'listen-address',
        'error',
        path,
        `${path.join('.')}: '*' must be alone (it already means all addresses); remove the other hosts.`,
      );
    }
    if (hp.port < 1 || hp.port > 65535)
      ctx.report('listen-address', 'error', path, `${path.join('.')} has port ${hp.port}, outside 1–65535.`);
    return { hosts, port: hp.port };
  };
  for (const [section, multi] of [
    ['restapi', false],
    ['postgresql', true],
  ] as const) {
    const listen = listenCheck([section, 'listen'], multi);
    const connect = splitHostPort(ctx.get([section, 'connect_address']));
    if (!listen || !connect) continue;
    if (listen.port !== connect.port) {
      ctx.report(
        'listen-connect-mismatch',
        'warning',
        [section, 'connect_address'],
        `${section}.connect_address uses port ${connect.port} but ${section}.listen uses ${listen.port}: other members will connect where nothing listens (unless a proxy or NAT forwards it). Use the same port.`,
      );
    }
    const wildcard = listen.hosts.some((h) => ['', '*', '0.0.0.0', '::', '[::]'].includes(h));
    const ipLike = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h);
    if (
      !wildcard &&
      ipLike(connect.host) &&
      listen.hosts.every(ipLike) &&
      !listen.hosts.includes(connect.host)
    ) {
      ctx.report(
        'listen-connect-mismatch',
        'warning',
        [section, 'connect_address'],
        `${section}.connect_address host ${connect.host} is not among the listen addresses (${listen.hosts.join(', ')}): nothing listens there (unless NAT forwards it). Listen on ${connect.host} too, or on 0.0.0.0.`,
      );
    }
  }
}

function kubernetes(ctx: RuleContext): void {
  const k = ctx.get(['kubernetes']);
  if (!isObj(k)) return;
  if (typeof k.pod_ip === 'string' && isIP(k.pod_ip) === 0) {
    ctx.report(
      'invalid-value',
      'error',
      ['kubernetes', 'pod_ip'],
      `kubernetes.pod_ip '${k.pod_ip}' is not an IPv4 or IPv6 address; Patroni writes it into the leader Endpoints. Use the pod's IP (status.podIP).`,
    );
  }
  if (k.use_endpoints === true && k.pod_ip === undefined) {
    ctx.report(
      'missing-key',
      'error',
      ['kubernetes', 'use_endpoints'],
      'kubernetes.use_endpoints needs kubernetes.pod_ip (or PATRONI_KUBERNETES_POD_IP): without it the leader Endpoints cannot point at the primary.',
    );
  }
}

function names(ctx: RuleContext): void {
  const name = ctx.data.name;
  if (typeof name === 'string' && !/\{\{|\$\{|@[A-Z_]+@|<[A-Za-z]|__[A-Z][A-Z0-9_]*__/.test(name)) {
    if (name === '')
      ctx.report(
        'member-name',
        'error',
        ['name'],
        'The member name is empty; give every member a unique name.',
      );
    else if (name === STRICT_SYNC_PLACEHOLDER)
      ctx.report(
        'member-name',
        'error',
        ['name'],
        `'${name}' is reserved by Patroni for strict synchronous mode; choose another name.`,
      );
    else if (name.includes('/'))
      ctx.report(
        'member-name',
        'error',
        ['name'],
        `Member name '${name}' contains '/': it becomes a DCS key component (members/<name>) and Patroni's slot name. Use letters, digits, '-' and '_'.`,
      );
    else {
      const slot = slotNameFromMember(name);
      if (slot !== name && !/^[a-z0-9_.-]+$/.test(name)) {
        ctx.report(
          'member-name',
          'warning',
          ['name'],
          `Member name '${name}' becomes replication slot '${slot}' (slot names allow only [a-z0-9_], max 63); different names can collide after this rewrite. Prefer lower-case letters, digits and '_'.`,
        );
      } else if (name.length > 63) {
        ctx.report(
          'member-name',
          'warning',
          ['name'],
          `Member name is ${name.length} characters; its slot name is cut to 63, so names sharing the first 63 characters collide.`,
        );
      }
    }
  }
  const scope = ctx.data.scope;
  if (typeof scope === 'string') {
    if (scope.includes('/'))
      ctx.report(
        'scope-name',
        'warning',
        ['scope'],
        `scope '${scope}' contains '/', which creates nested DCS paths (Patroni does not normalise it). Use '-' or '_' instead.`,
      );
    else if (scope === '')
      ctx.report('scope-name', 'warning', ['scope'], 'scope is empty; every cluster needs a name.');
    else if (/\s/.test(scope))
      ctx.report(
        'scope-name',
        'warning',
        ['scope'],
        `scope '${scope}' contains whitespace; it is a DCS path component and cluster_name. Use '-' or '_'.`,
      );
  }
}

function tags(ctx: RuleContext): void {
  const t = ctx.get(['tags']);
  if (!isObj(t)) return;
  if (t.nofailover !== undefined && t.failover_priority !== undefined) {
    ctx.report(
      'tag-type',
      'error',
      ['tags', 'failover_priority'],
      'tags.nofailover and tags.failover_priority are both set; Patroni accepts only one of them (nofailover wins at run time). Keep one.',
      {
        anchor: 'key',
      },
    );
  }
  if (t.nosync !== undefined && t.sync_priority !== undefined) {
    ctx.report(
      'tag-type',
      'error',
      ['tags', 'sync_priority'],
      'tags.nosync and tags.sync_priority are both set; Patroni accepts only one of them. Keep one.',
      {
        anchor: 'key',
      },
    );
  }
  if (typeof t.replicatefrom === 'string' && t.replicatefrom === ctx.data.name) {
    ctx.report(
      'replicatefrom-unknown',
      'warning',
      ['tags', 'replicatefrom'],
      'tags.replicatefrom names this member itself; it then streams from the leader. Name another member.',
    );
  }
}

function restapi(ctx: RuleContext): void {
  const r = ctx.get(['restapi']);
  if (!isObj(r)) return;
  const auth = isObj(r.authentication) || typeof r.auth === 'string';
  const allow = Array.isArray(r.allowlist) && r.allowlist.length > 0;
  const certs = r.verify_client === 'required' || r.verify_client === 'optional';
  if (!auth && !allow && !certs && !r.allowlist_include_members) {
    ctx.report(
      'restapi-no-auth',
      'warning',
      ['restapi'],
      'The REST API has no authentication, allowlist or client-certificate check: anyone who reaches the port can restart PostgreSQL, switch over, reinitialise or change the configuration. Set restapi.authentication (and ctl.authentication) or an allowlist.',
      { anchor: 'key' },
    );
  }
  if (certs && !r.cafile) {
    ctx.report(
      'restapi-tls',
      'error',
      ['restapi', 'verify_client'],
      `restapi.verify_client is '${String(r.verify_client)}' but restapi.cafile is not set: Patroni cannot verify client certificates. Set cafile to the CA that signed the client certificates.`,
    );
  }
  if (certs && !r.certfile) {
    ctx.report(
      'restapi-tls',
      'error',
      ['restapi', 'verify_client'],
      `restapi.verify_client needs HTTPS, but restapi.certfile is not set. Set certfile and keyfile.`,
    );
  }
  if (!r.certfile && (r.keyfile || r.cafile || r.ciphers)) {
    const which = ['keyfile', 'cafile', 'ciphers'].find((k) => r[k]) ?? 'keyfile';
    ctx.report(
      'restapi-tls',
      'error',
      ['restapi', which],
      `restapi.${which} is set but restapi.certfile is not, so the REST API serves plain HTTP and ${which} has no effect. Set certfile.`,
      {
        anchor: 'key',
      },
    );
  }
  const ctl = ctx.get(['ctl']);
  if (r.verify_client === 'required' && !(isObj(ctl) && ctl.certfile)) {
    ctx.report(
      'restapi-tls',
      'warning',
      ['restapi', 'verify_client'],
      'restapi.verify_client is required but ctl.certfile/ctl.keyfile are not set: patronictl on this host cannot call the REST API. Set them.',
    );
  }
}

function bootstrap(ctx: RuleContext): void {
  const b = ctx.get(['bootstrap']);
  if (!isObj(b)) return;
  const method = b.method;
  if (typeof method === 'string' && method !== 'initdb') {
    const section = b[method];
    if (!isObj(section)) {
      ctx.report(
        'bootstrap-method',
        'error',
        ['bootstrap', 'method'],
        `bootstrap.method is '${method}' but there is no bootstrap.${method} section: Patroni cannot create the cluster that way. Add bootstrap.${method} with a command, or use 'initdb'.`,
      );
    } else if (typeof section.command !== 'string' || section.command.trim() === '') {
      ctx.report(
        'bootstrap-method',
        'error',
        ['bootstrap', method],
        `bootstrap.${method} has no command; a custom bootstrap method needs one.`,
        { anchor: 'key' },
      );
    }
  }
  if (b.users !== undefined) {
    if (ctx.atLeast('4.0.0')) {
      ctx.report(
        'bootstrap-users',
        'warning',
        ['bootstrap', 'users'],
        'bootstrap.users is ignored since Patroni 4.0 (only an error is logged): these users are not created. Create them in a bootstrap.post_bootstrap script.',
        {
          anchor: 'key',
        },
      );
    } else {
      ctx.report(
        'bootstrap-users',
        'info',
        ['bootstrap', 'users'],
        'bootstrap.users is deprecated since Patroni 3.2 and removed in 4.0; create users in a bootstrap.post_bootstrap script instead.',
        {
          anchor: 'key',
        },
      );
    }
  }
  if (Array.isArray(b.initdb)) {
    b.initdb.forEach((opt, i) => {
      const name = typeof opt === 'string' ? opt : isObj(opt) ? Object.keys(opt)[0] : undefined;
      const clean = name?.replace(/^--?/, '').split('=')[0];
      if (clean && INITDB_FORBIDDEN.includes(clean)) {
        ctx.report(
          'forbidden-option',
          'error',
          ['bootstrap', 'initdb', i],
          `initdb option '${clean}' is set by Patroni itself and rejected; remove it.`,
        );
      } else if (name?.startsWith('-')) {
        ctx.report(
          'forbidden-option',
          'error',
          ['bootstrap', 'initdb', i],
          `initdb options are written without leading dashes ('${name.replace(/^--?/, '')}'); Patroni adds '--' itself.`,
        );
      }
    });
  }
}

function replicaMethods(ctx: RuleContext): void {
  const pg = ctx.get(['postgresql']);
  if (!isObj(pg)) return;
  const key = Array.isArray(pg.create_replica_methods)
    ? 'create_replica_methods'
    : Array.isArray(pg.create_replica_method)
      ? 'create_replica_method'
      : undefined;
  if (key) {
    (pg[key] as unknown[]).forEach((m, i) => {
      if (typeof m !== 'string' || m === 'basebackup') return;
      const section = pg[m];
      if (!isObj(section)) {
        ctx.report(
          'replica-method',
          'error',
          ['postgresql', key, i],
          `Replica method '${m}' has no postgresql.${m} section: Patroni skips it. Add postgresql.${m} with a command, or remove it from ${key}.`,
        );
      } else if (typeof section.command !== 'string' || section.command.trim() === '') {
        ctx.report(
          'replica-method',
          'error',
          ['postgresql', m],
          `postgresql.${m} has no command; Patroni cannot run this replica method.`,
          { anchor: 'key' },
        );
      }
    });
  }
  const bb = pg.basebackup;
  const opts: Array<[string, PathSegment[]]> = [];
  if (Array.isArray(bb)) {
    bb.forEach((o, i) => {
      const name = typeof o === 'string' ? o : isObj(o) ? Object.keys(o)[0] : undefined;
      if (name) opts.push([name, ['postgresql', 'basebackup', i]]);
    });
  } else if (isObj(bb)) for (const k of Object.keys(bb)) opts.push([k, ['postgresql', 'basebackup', k]]);
  for (const [name, p] of opts) {
    const clean = name.replace(/^--?/, '').split('=')[0]!;
    if (BASEBACKUP_FORBIDDEN.includes(clean)) {
      ctx.report(
        'forbidden-option',
        'error',
        p,
        `pg_basebackup option '${clean}' is set by Patroni itself and rejected; remove it.`,
        { anchor: typeof p[2] === 'string' ? 'key' : 'value' },
      );
    }
  }
}

function localParameters(ctx: RuleContext): void {
  const params = ctx.get(['postgresql', 'parameters']);
  if (!isObj(params)) return;
  const dynParams = ctx.get([...ctx.dynPath, 'postgresql', 'parameters']);
  const canMove = isObj(dynParams) && ctx.inFile([...ctx.dynPath, 'postgresql', 'parameters']);
  for (const k of Object.keys(params)) {
    const path = ['postgresql', 'parameters', k];
    if (NEVER_SETTABLE.includes(k)) {
      const loc = locate(ctx.parsed.doc, path);
      const removal = loc.pair ? pairEdit(ctx, loc.pair) : undefined;
      ctx.report(
        'never-settable-parameter',
        'warning',
        path,
        `${k} is always derived by Patroni (${k === 'cluster_name' ? 'from scope' : 'from postgresql.listen'}) and this value is ignored. Remove it${k === 'cluster_name' ? '' : ' and set postgresql.listen'}.`,
        { anchor: 'key', ...(removal ? { fix: { description: `Remove ${k}`, edits: [removal] } } : {}) },
      );
    } else if (CONTROLLED_GUCS[k]) {
      const dynValue = isObj(dynParams) ? dynParams[k] : undefined;
      const fix =
        canMove && dynValue === undefined
          ? moveFix(ctx, path, [...ctx.dynPath, 'postgresql', 'parameters']).fix
          : undefined;
      ctx.report(
        'controlled-parameter-local',
        'warning',
        path,
        `${k} is controlled by Patroni and must be the same on all members: a value in local postgresql.parameters is dropped${dynValue !== undefined ? ` (the dynamic value ${JSON.stringify(dynValue)} applies)` : ''}. Set it in bootstrap.dcs.postgresql.parameters or with \`patronictl edit-config\`.`,
        { anchor: 'key', ...(fix ? { fix } : {}) },
      );
    }
  }
  if (ctx.get(['postgresql', 'use_slots']) !== undefined) {
    ctx.report(
      'use-slots-local',
      'warning',
      ['postgresql', 'use_slots'],
      'postgresql.use_slots is only read from the dynamic configuration; this local value is ignored. Set bootstrap.dcs.postgresql.use_slots or use `patronictl edit-config`.',
      {
        anchor: 'key',
        ...(ctx.get([...ctx.dynPath, 'postgresql', 'use_slots']) === undefined &&
        isObj(ctx.get([...ctx.dynPath, 'postgresql']))
          ? moveFix(ctx, ['postgresql', 'use_slots'], [...ctx.dynPath, 'postgresql'])
          : {}),
      },
    );
  }
}

function pairEdit(ctx: RuleContext, pair: import('yaml').Pair) {
  const k = pair.key as { range?: [number, number, number] } | null;
  const v = pair.value as { range?: [number, number, number] } | null;
  if (!k?.range) return undefined;
  const text = ctx.parsed.text;
  const start = text.lastIndexOf('\n', k.range[0] - 1) + 1;
  if (text.slice(start, k.range[0]).trim() !== '') return undefined;
  const last = Math.max(k.range[1], v?.range?.[1] ?? 0);
  const nl = text.indexOf('\n', Math.max(last - 1, k.range[0]));
  return { offset: start, length: (nl < 0 ? text.length : nl + 1) - start, text: '' };
}

/** The parameters mappings that are effective for Patroni: dynamic ones always, local non-controlled ones. */
function effectiveParam(ctx: RuleContext, name: string): { value: unknown; path: PathSegment[] } | undefined {
  const dynPath = [...ctx.dynPath, 'postgresql', 'parameters', name];
  const dv = ctx.get(dynPath);
  if (CONTROLLED_GUCS[name]) return dv === undefined ? undefined : { value: dv, path: dynPath };
  if (!ctx.dynamicDoc) {
    const lp = ['postgresql', 'parameters', name];
    const lv = ctx.get(lp);
    if (lv !== undefined) return { value: lv, path: lp };
  }
  return dv === undefined ? undefined : { value: dv, path: dynPath };
}

function dynamicParameters(ctx: RuleContext): void {
  const params = ctx.get([...ctx.dynPath, 'postgresql', 'parameters']);
  if (!isObj(params)) return;
  const base = [...ctx.dynPath, 'postgresql', 'parameters'];
  const wl = params.wal_level;
  if (typeof wl === 'string' && ['minimal', 'archive'].includes(wl.toLowerCase()) === true) {
    ctx.report(
      'replication-disabled',
      wl.toLowerCase() === 'minimal' ? 'error' : 'warning',
      [...base, 'wal_level'],
      wl.toLowerCase() === 'minimal'
        ? "wal_level 'minimal' makes streaming replication impossible; Patroni rejects it and silently runs with 'replica'. Use replica (or logical)."
        : "wal_level 'archive' no longer exists (PostgreSQL 9.6+); Patroni rejects it and uses 'replica'. Write replica.",
    );
  }
  const senders = toInt(params.max_wal_senders);
  if (senders !== undefined && senders < 3) {
    ctx.report(
      'replication-disabled',
      'error',
      [...base, 'max_wal_senders'],
      `max_wal_senders ${senders} ${senders === 0 ? 'disables replication' : 'leaves no room for replicas and pg_basebackup'}; Patroni rejects values below 3 and silently uses 10. Set at least one per replica plus two spare (>= 3).`,
    );
  }
  if (params.hot_standby !== undefined && pgBool(params.hot_standby) === false) {
    ctx.report(
      'replication-disabled',
      'error',
      [...base, 'hot_standby'],
      "hot_standby off is not accepted by Patroni (replicas must run as hot standbys); it is replaced by 'on'. Remove it.",
    );
  }
  for (const [name, info] of Object.entries(CONTROLLED_GUCS)) {
    if (name === 'max_wal_senders' || info.min === undefined) continue;
    const v = toInt(params[name]);
    if (v !== undefined && v < info.min) {
      ctx.report(
        'parameter-minimum',
        'warning',
        [...base, name],
        `${name} ${v} is below ${info.min}, the minimum Patroni accepts: it is replaced by ${info.fallback} with only a log line. Use ${info.min} or more.`,
      );
    }
  }
  if (typeof params.wal_keep_size === 'string' || typeof params.wal_keep_size === 'number') {
    const mb = sizeInMb(params.wal_keep_size);
    if (mb !== undefined && mb < 16) {
      ctx.report(
        'parameter-minimum',
        'warning',
        [...base, 'wal_keep_size'],
        `wal_keep_size is below 16MB, the minimum Patroni accepts: it is replaced by 128MB. Use 16MB or more.`,
      );
    }
  }
}

function sizeInMb(v: unknown): number | undefined {
  if (typeof v === 'number') return v; // plain number = MB for wal_keep_size
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 10);
  const unit = m[2] ?? 'MB';
  return unit === 'kB' ? n / 1024 : unit === 'MB' ? n : unit === 'GB' ? n * 1024 : n * 1024 * 1024;
}

function rewind(ctx: RuleContext): void {
  const local = ctx.dynamicDoc ? undefined : ctx.get(['postgresql', 'use_pg_rewind']);
  const dyn = ctx.get([...ctx.dynPath, 'postgresql', 'use_pg_rewind']);
  const enabled = local ?? dyn;
  if (enabled !== true) return;
  const where: PathSegment[] =
    local !== undefined ? ['postgresql', 'use_pg_rewind'] : [...ctx.dynPath, 'postgresql', 'use_pg_rewind'];
  const hints = effectiveParam(ctx, 'wal_log_hints');
  if (!hints || pgBool(hints.value) !== false) return; // Patroni's default is on
  if (!ctx.atLeast('4.0.0')) return; // Patroni 3.x forces wal_log_hints on
  const initdb = ctx.get(['bootstrap', 'initdb']);
  const method = ctx.get(['bootstrap', 'method']);
  const checksums =
    Array.isArray(initdb) &&
    initdb.some(
      (o) =>
        (typeof o === 'string' && /^(--)?(data-checksums|k)$/.test(o)) ||
        (isObj(o) && ('data-checksums' in o || 'k' in o)),
    );
  if (checksums) return;
  const custom = typeof method === 'string' && method !== 'initdb';
  ctx.report(
    'pg-rewind-prerequisites',
    custom || ctx.dynamicDoc ? 'warning' : 'error',
    where,
    `use_pg_rewind is on, but wal_log_hints is off and ${custom || ctx.dynamicDoc ? 'nothing here shows that data checksums are on' : 'bootstrap.initdb does not enable data checksums'}: pg_rewind will refuse to run and a former primary cannot rejoin. Keep wal_log_hints on, or initialise with '- data-checksums'.`,
  );
}

interface HbaLine {
  type: string;
  database: string;
  user: string;
  address: string;
  method: string;
  path: PathSegment[];
}

function parseHba(value: unknown, base: PathSegment[]): HbaLine[] {
  if (!Array.isArray(value)) return [];
  const out: HbaLine[] = [];
  value.forEach((line, i) => {
    if (typeof line !== 'string') return;
    const body = line.replace(/#.*$/, '').trim();
    if (!body) return;
    const f = body.split(/\s+/);
    const type = f[0]!.toLowerCase();
    if (type === 'local')
      out.push({
        type,
        database: f[1] ?? '',
        user: f[2] ?? '',
        address: '',
        method: (f[3] ?? '').toLowerCase(),
        path: [...base, i],
      });
    else {
      let address = f[3] ?? '';
      let methodIdx = 4;
      if (f[4] && /^\d+\.\d+\.\d+\.\d+$/.test(f[4])) {
        address = `${address}/${f[4]}`;
        methodIdx = 5;
      }
      out.push({
        type,
        database: f[1] ?? '',
        user: f[2] ?? '',
        address,
        method: (f[methodIdx] ?? '').toLowerCase(),
        path: [...base, i],
      });
    }
  });
  return out;
}

function hba(ctx: RuleContext): void {
  const sources: Array<[PathSegment[], unknown]> = [];
  for (const p of [
    ...(ctx.dynamicDoc
      ? []
      : [
          ['postgresql', 'pg_hba'],
          ['bootstrap', 'pg_hba'],
        ]),
    [...ctx.dynPath, 'postgresql', 'pg_hba'],
  ]) {
    const v = ctx.get(p);
    if (Array.isArray(v)) sources.push([p, v]);
  }
  if (sources.length === 0) return;
  const hbaFile = effectiveParam(ctx, 'hba_file');
  if (hbaFile && !ctx.dynamicDoc) {
    ctx.report(
      'hba-file-override',
      'warning',
      hbaFile.path,
      `hba_file is set, so Patroni ignores ${sources.map(([p]) => p.join('.')).join(' and ')}: the lines there are never written. Remove one of the two.`,
    );
  }
  const replUser = ctx.get(['postgresql', 'authentication', 'replication', 'username']);
  // local postgresql.pg_hba wins over the dynamic one; bootstrap.pg_hba is appended after initdb only
  const primary = sources[0]!;
  const lines = parseHba(primary[1], primary[0]);
  const bootstrapLines = sources
    .filter(([p]) => p.join('.') === 'bootstrap.pg_hba')
    .flatMap(([p, v]) => parseHba(v, p));
  const all = [...lines, ...(primary[0].join('.') === 'bootstrap.pg_hba' ? [] : bootstrapLines)];
  const userMatches = (u: string) =>
    u
      .split(',')
      .some(
        (x) =>
          x === 'all' ||
          x === replUser ||
          x.startsWith('+') ||
          x.startsWith('@') ||
          (typeof replUser !== 'string' && x !== ''),
      );
  const replEntries = all.filter(
    (l) =>
      l.type !== 'local' &&
      l.database.split(',').includes('replication') &&
      userMatches(l.user) &&
      l.method !== 'reject',
  );
  if (!ctx.dynamicDoc || replUser !== undefined) {
    const onlyLoopback =
      !loopbackCluster(ctx) &&
      replEntries.length > 0 &&
      replEntries.every((l) => /^(127\.|::1|localhost)/.test(l.address));
    if (replEntries.length === 0) {
      ctx.report(
        'pg-hba-no-replication',
        'error',
        primary[0],
        `${primary[0].join('.')} has no line that lets the replication user${typeof replUser === 'string' ? ` '${replUser}'` : ''} connect for replication over TCP: replicas cannot clone or stream. Add e.g. \`host replication ${typeof replUser === 'string' ? replUser : '<replication user>'} <member network>/24 scram-sha-256\`.`,
      );
    } else if (onlyLoopback) {
      ctx.report(
        'pg-hba-no-replication',
        'warning',
        replEntries[0]!.path,
        `The only replication entries in ${primary[0].join('.')} allow loopback addresses; replicas on other hosts cannot connect. Add the network of the other members.`,
      );
    }
  }
  rewindAccess(ctx, all, primary[0]);
  const scram = effectiveParam(ctx, 'password_encryption');
  const scramConfigured = scram
    ? String(scram.value).toLowerCase() === 'scram-sha-256'
    : pgMajorFromPaths(ctx) >= 14;
  for (const l of [...all]) {
    if (l.method === 'trust' && l.type !== 'local' && !/^(127\.0\.0\.1\/32|::1\/128)$/.test(l.address)) {
      ctx.report(
        'pg-hba-trust',
        'warning',
        l.path,
        `pg_hba line allows ${l.database === 'replication' ? 'replication' : 'connections'} from ${l.address || 'the network'} with trust (no password). Use scram-sha-256 or cert.`,
      );
    } else if (l.method === 'password') {
      ctx.report(
        'pg-hba-md5',
        'warning',
        l.path,
        "pg_hba line uses 'password', which sends passwords in clear text. Use scram-sha-256.",
        { fix: hbaMethodFix(ctx, l, 'password') },
      );
    } else if (l.method === 'md5' && scramConfigured) {
      ctx.report(
        'pg-hba-md5',
        'warning',
        l.path,
        `pg_hba line uses md5 while passwords are stored as scram-sha-256${scram ? '' : ' (the PostgreSQL 14+ default)'}: use scram-sha-256 so the weaker md5 exchange is never offered.`,
        { fix: hbaMethodFix(ctx, l, 'md5') },
      );
    }
  }
}

/** True when this member advertises a loopback address: every member runs on one host (a lab). */
function loopbackCluster(ctx: RuleContext): boolean {
  const hp = splitHostPort(ctx.get(['postgresql', 'connect_address']));
  return hp !== undefined && isLoopback(hp.host);
}

/** pg_rewind connects as the rewind user (or the superuser) to database postgres from the new primary. */
function rewindAccess(ctx: RuleContext, lines: HbaLine[], where: PathSegment[]): void {
  if (ctx.dynamicDoc) return;
  const local = ctx.get(['postgresql', 'use_pg_rewind']);
  const enabled = local ?? ctx.get([...ctx.dynPath, 'postgresql', 'use_pg_rewind']);
  if (enabled !== true) return;
  const rewindUser = ctx.get(['postgresql', 'authentication', 'rewind', 'username']);
  const superUser = ctx.get(['postgresql', 'authentication', 'superuser', 'username']);
  const user =
    typeof rewindUser === 'string' ? rewindUser : typeof superUser === 'string' ? superUser : undefined;
  if (user === undefined) return;
  const ok = lines.some(
    (l) =>
      l.type !== 'local' &&
      l.method !== 'reject' &&
      l.database.split(',').some((d) => d === 'all' || d === 'postgres' || d.startsWith('@')) &&
      l.user.split(',').some((u) => u === 'all' || u === user || u.startsWith('+') || u.startsWith('@')) &&
      (loopbackCluster(ctx) || !/^(127\.|::1|localhost)/.test(l.address)),
  );
  if (!ok) {
    ctx.report(
      'pg-rewind-prerequisites',
      'warning',
      where,
      `use_pg_rewind is on, but ${where.join('.')} has no line letting '${user}' (the ${typeof rewindUser === 'string' ? 'rewind user' : 'superuser, used for rewind'}) connect to database postgres from the other members: pg_rewind will fail and the former primary must be re-cloned. Add e.g. \`host postgres ${user} <member network>/24 scram-sha-256\`.`,
    );
  }
}

function hbaMethodFix(ctx: RuleContext, l: HbaLine, method: string): Fix {
  const loc = locate(ctx.parsed.doc, l.path);
  const node = loc.value;
  if (!node || !isScalar(node) || !node.range) return { description: 'Use scram-sha-256', edits: [] };
  const src = ctx.parsed.text.slice(node.range[0], node.range[1]);
  const re = new RegExp(`(\\s)${method}(\\s|$|["'])`, 'i');
  const m = re.exec(src);
  if (!m) return { description: 'Use scram-sha-256', edits: [] };
  return {
    description: `Replace ${method} by scram-sha-256`,
    edits: [{ offset: node.range[0] + m.index + m[1]!.length, length: method.length, text: 'scram-sha-256' }],
  };
}

/** PostgreSQL major version guessed from bin_dir/data_dir paths like /usr/lib/postgresql/16/bin; 0 when unknown. */
function pgMajorFromPaths(ctx: RuleContext): number {
  for (const p of [
    ['postgresql', 'bin_dir'],
    ['postgresql', 'data_dir'],
  ]) {
    const v = ctx.get(p);
    if (typeof v !== 'string') continue;
    const m = /postgres(?:ql)?[-/]?(\d{2})(?:\/|$)|\/pgsql-(\d{2})\//.exec(v);
    if (m) return Number.parseInt(m[1] ?? m[2]!, 10);
  }
  return 0;
}

function passwords(ctx: RuleContext): void {
  const unixSocket = ctx.get(['postgresql', 'use_unix_socket']) === true;
  const check = (path: PathSegment[], what: string, present: boolean) => {
    if (!present) return;
    const v = ctx.get(path);
    if (v === null || v === undefined || v === '') {
      if (v === undefined && !ctx.inFile(path.slice(0, -1))) return;
      if (v === undefined && path[0] === 'postgresql') {
        // no password key at all: peer/cert auth intended; only note it for the replication user
        if (path[2] !== 'replication') return;
        ctx.report(
          'empty-password',
          'info',
          path.slice(0, -1),
          `${what} has no password: replicas must then authenticate by certificate or another password-less method allowed in pg_hba.`,
          {
            anchor: 'key',
          },
        );
        return;
      }
      const superSocket = path[2] === 'superuser' && unixSocket;
      ctx.report(
        'empty-password',
        superSocket ? 'info' : 'warning',
        path,
        superSocket
          ? `${what} has an empty password: fine with use_unix_socket and peer authentication, but pg_rewind and remote tools then need a separate rewind user or certificates.`
          : `${what} has an empty password. Set one (or use PATRONI_*_PASSWORD variables), unless pg_hba deliberately uses peer/cert for this user.`,
        { anchor: v === undefined ? 'key' : 'value' },
      );
      return;
    }
    if (typeof v === 'string' && SAMPLE_PASSWORDS.has(v.toLowerCase())) {
      ctx.report(
        'default-password',
        'warning',
        path,
        `${what} uses '${v}', a password from Patroni's samples or a well-known default. Generate a random one.`,
      );
    }
  };
  for (const role of ['superuser', 'replication', 'rewind']) {
    const sec = ctx.get(['postgresql', 'authentication', role]);
    check(['postgresql', 'authentication', role, 'password'], `The ${role} role`, isObj(sec));
  }
  check(
    ['restapi', 'authentication', 'password'],
    'restapi.authentication',
    isObj(ctx.get(['restapi', 'authentication'])),
  );
  check(
    ['ctl', 'authentication', 'password'],
    'ctl.authentication',
    isObj(ctx.get(['ctl', 'authentication'])),
  );
  for (const dcs of ['etcd', 'etcd3']) {
    if (isObj(ctx.get([dcs])) && ctx.get([dcs, 'username']) !== undefined)
      check([dcs, 'password'], `${dcs} authentication`, true);
  }
}

function unixSocket(ctx: RuleContext): void {
  if (ctx.get(['postgresql', 'use_unix_socket']) !== true) return;
  const dirs = effectiveParam(ctx, 'unix_socket_directories');
  const first = typeof dirs?.value === 'string' ? dirs.value.split(',').map((s) => s.trim()) : [];
  if (!first.some((d) => d.startsWith('/'))) {
    ctx.report(
      'unix-socket',
      'warning',
      ['postgresql', 'use_unix_socket'],
      `use_unix_socket is on but unix_socket_directories ${dirs ? `('${shownValue(dirs.value)}') has no absolute directory` : 'is not set'}: Patroni falls back to TCP or to libpq's default socket. Set postgresql.parameters.unix_socket_directories to an absolute path.`,
    );
  }
}

function watchdog(ctx: RuleContext): void {
  const w = ctx.get(['watchdog']);
  if (!isObj(w) || w.mode === 'off' || w.mode === false) return;
  const dyn = ctx.dyn;
  const ttl = toInt(dyn?.ttl) ?? 30;
  const loopWait = toInt(dyn?.loop_wait) ?? 10;
  const margin = toInt(w.safety_margin) ?? 5;
  const timeout = margin === -1 ? Math.floor(ttl / 2) : ttl - margin;
  if (timeout < loopWait) {
    ctx.report(
      'watchdog-timing',
      w.mode === 'required' ? 'error' : 'warning',
      ['watchdog', 'safety_margin'],
      `The watchdog timeout would be ${timeout}s (ttl ${ttl} − safety_margin ${margin}), shorter than loop_wait ${loopWait}s: Patroni treats the watchdog as unusable${w.mode === 'required' ? ' and, with mode required, this node can never become leader' : ''}. Lower safety_margin or loop_wait.`,
      { anchor: ctx.inFile(['watchdog', 'safety_margin']) ? 'value' : 'key' },
    );
  }
}

function timing(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const ttl = toInt(dyn.ttl);
  const loopWait = toInt(dyn.loop_wait);
  const retry = toInt(dyn.retry_timeout);
  if (ttl === undefined && loopWait === undefined && retry === undefined) return;
  // 3.2+ first raises values below the minimums (reported by the schema check), then enforces the sum
  const raise = ctx.atLeast('3.2.0');
  const t = raise ? Math.max(ttl ?? 30, 20) : (ttl ?? 30);
  const l = raise ? Math.max(loopWait ?? 10, 1) : (loopWait ?? 10);
  const r = raise ? Math.max(retry ?? 10, 3) : (retry ?? 10);
  if (l + 2 * r > t) {
    const target: PathSegment[] = [
      ...base,
      retry !== undefined ? 'retry_timeout' : loopWait !== undefined ? 'loop_wait' : 'ttl',
    ];
    const adjusted =
      1 + 2 * r > t ? `loop_wait=1 and retry_timeout=${Math.floor((t - 1) / 2)}` : `loop_wait=${t - 2 * r}`;
    ctx.report(
      'timing',
      ctx.atLeast('3.2.0') ? 'warning' : 'error',
      target,
      `loop_wait + 2*retry_timeout = ${l} + 2*${r} = ${l + 2 * r} exceeds ttl ${t}: the leader lock can expire before the primary notices a DCS problem (split-brain risk). ${ctx.atLeast('3.2.0') ? `Patroni ${ctx.release} silently runs with ${adjusted} instead.` : `Patroni ${ctx.release} uses these values as written.`} Keep loop_wait + 2*retry_timeout <= ttl (defaults 10 + 2*10 <= 30).`,
    );
  }
}

/** Synchronous standbys guaranteed available among members with these tags, whichever member leads. */
export function eligibleSyncStandbys(memberTags: Obj[]): number {
  const eligible = memberTags.filter(
    (t) =>
      t.nosync !== true &&
      t.nostream !== true &&
      !(toInt(t.sync_priority) !== undefined && toInt(t.sync_priority)! <= 0),
  ).length;
  // worst case the leader is one of the eligible members
  return Math.max(0, eligible - 1);
}

function sync(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const mode = dyn.synchronous_mode;
  const on = mode === true || mode === 'quorum' || mode === 'on';
  if (mode === 'quorum' && !ctx.atLeast('4.0.0')) {
    ctx.report(
      'sync-mode-version',
      'error',
      [...base, 'synchronous_mode'],
      `synchronous_mode 'quorum' needs Patroni 4.0 or later on every member; Patroni ${ctx.release} does not know it. Use true, or upgrade.`,
    );
  }
  const tagsObj = ctx.get(['tags']);
  if (!ctx.dynamicDoc && isObj(tagsObj)) {
    if (mode === 'quorum' && tagsObj.failover_priority !== undefined) {
      ctx.report(
        'sync-mode-version',
        'warning',
        ['tags', 'failover_priority'],
        'tags.failover_priority is not honoured in quorum synchronous mode; the quorum decides. Remove it or use synchronous_mode: true.',
        { anchor: 'key' },
      );
    }
    if (tagsObj.sync_priority !== undefined && mode !== true && mode !== 'on') {
      ctx.report(
        'sync-mode-version',
        'info',
        ['tags', 'sync_priority'],
        'tags.sync_priority only applies with synchronous_mode: true.',
        { anchor: 'key' },
      );
    }
  }
  const names = effectiveParam(ctx, 'synchronous_standby_names');
  if (on && names) {
    ctx.report(
      'sync-standby-names',
      'warning',
      names.path,
      'synchronous_standby_names is managed by Patroni while synchronous_mode is on; this value is overwritten. Remove it; use synchronous_node_count and the nosync/sync_priority tags.',
    );
  }
  if (!on) {
    if (dyn.synchronous_mode_strict === true)
      ctx.report(
        'sync-unsatisfiable',
        'warning',
        [...base, 'synchronous_mode_strict'],
        'synchronous_mode_strict has no effect while synchronous_mode is off. Turn synchronous_mode on or remove it.',
        { anchor: 'key' },
      );
    return;
  }
  if (isObj(dyn.standby_cluster)) {
    ctx.report(
      'sync-unsatisfiable',
      'warning',
      [...base, 'synchronous_mode'],
      'synchronous_mode is ignored in a standby cluster (Patroni 3.2+).',
    );
  }
  // with raft, the partner list tells how many members there are
  const partners = ctx.get(['raft', 'partner_addrs']);
  if (!ctx.dynamicDoc && Array.isArray(partners)) {
    const members = partners.length + 1;
    const count = toInt(dyn.synchronous_node_count) ?? 1;
    const standbys = members - 1;
    if (dyn.synchronous_mode_strict === true && standbys < count) {
      ctx.report(
        'sync-unsatisfiable',
        'error',
        [...base, 'synchronous_mode_strict'],
        `Strict synchronous mode needs ${count} synchronous standby(s) but the cluster has ${members} member(s) (raft.partner_addrs): writes would block. Add members or lower synchronous_node_count.`,
      );
    } else if (standbys < count) {
      ctx.report(
        'sync-unsatisfiable',
        'warning',
        [...base, 'synchronous_node_count'],
        `synchronous_node_count ${count} exceeds the ${standbys} possible standby(s) of a ${members}-member cluster; Patroni silently uses fewer.`,
      );
    }
  }
  const lag = toInt(dyn.maximum_lag_on_syncnode);
  if (lag !== undefined && lag > 0 && lag < 1024 * 1024) {
    ctx.report(
      'sync-unsatisfiable',
      'info',
      [...base, 'maximum_lag_on_syncnode'],
      `maximum_lag_on_syncnode ${lag} bytes is tiny: synchronous standbys will be swapped constantly. Use several MB, or -1 to disable.`,
    );
  }
}

function slots(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const key = ['slots', 'permanent_slots', 'permanent_replication_slots'].find((k) => dyn[k] !== undefined);
  if (!key) return;
  const slotsObj = dyn[key];
  if (!isObj(slotsObj)) return;
  const useSlots = ctx.get([...base, 'postgresql', 'use_slots']);
  if (useSlots === false && Object.keys(slotsObj).length > 0) {
    ctx.report(
      'slot-name',
      'error',
      [...base, key],
      'Permanent slots need postgresql.use_slots, which is false here: Patroni does not create them. Enable use_slots or remove the slots.',
      { anchor: 'key' },
    );
  }
  for (const [name, def] of Object.entries(slotsObj)) {
    const p = [...base, key, name];
    if (!/^[a-z0-9_]{1,63}$/.test(name)) {
      ctx.report(
        'slot-name',
        'error',
        p,
        `Slot name '${name}' is invalid: replication slot names must match ^[a-z0-9_]{1,63}$ (Patroni skips it with an error). Suggested: '${slotNameFromMember(name)}'.`,
        { anchor: 'key' },
      );
    }
    if (isObj(def)) {
      const logical =
        def.type === 'logical' ||
        (def.type === undefined && (def.database !== undefined || def.plugin !== undefined));
      if (logical && (typeof def.database !== 'string' || typeof def.plugin !== 'string')) {
        const missing = ['database', 'plugin'].filter((k) => typeof def[k] !== 'string');
        ctx.report(
          'slot-name',
          'error',
          p,
          `Logical slot '${name}' needs ${missing.join(' and ')}; Patroni skips it. Add ${missing.join(' and ')}.`,
          { anchor: 'key' },
        );
      }
      if (def.type === 'physical' && (def.database !== undefined || def.plugin !== undefined)) {
        ctx.report(
          'slot-name',
          'warning',
          p,
          `Physical slot '${name}' has database/plugin, which only logical slots use.`,
          { anchor: 'key' },
        );
      }
    }
  }
  if (
    !ctx.dynamicDoc &&
    typeof ctx.data.name === 'string' &&
    slotsObj[slotNameFromMember(ctx.data.name)] !== undefined
  ) {
    ctx.report(
      'slot-name',
      'info',
      [...base, key, slotNameFromMember(ctx.data.name)],
      `Permanent slot '${slotNameFromMember(ctx.data.name)}' has the slot name of member '${ctx.data.name}': it is kept even when that member is gone, retaining WAL on the primary.`,
      { anchor: 'key' },
    );
  }
}
