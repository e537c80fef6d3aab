/** Connection settings from a patroni.yml / patronictl config (`-c`) and from `--dcs-url`, like patronictl. */
import { hideSecrets, isObject, PatroniKitError, registerSecret } from '@patroni-kit/errors';
import { normalizeNamespace } from './keys.js';
import type { ConnectionOptions } from './transport.js';

/** Where a cluster's DCS is: connection, namespace and (when the config names it) scope. */
export interface DcsTarget {
  connection: ConnectionOptions;
  namespace: string;
  scope?: string;
  /** Citus group from `citus.group`. */
  group?: number;
  warnings: string[];
}

/** A config scalar as text; a mapping or list (a typo in YAML) is not turned into "[object Object]". */
function scalarText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    throw new PatroniKitError(
      'CONFIG',
      'etcd3.username and etcd3.password must be plain values, not mappings or lists',
      {
        hint: 'quote the value in the YAML if it holds characters such as : { [ # or @',
      },
    );
  }
  return String(v);
}

function hostList(v: unknown): string[] {
  if (Array.isArray(v))
    return v
      .filter((h) => typeof h === 'string' || typeof h === 'number')
      .map(String)
      .filter(Boolean);
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}

/**
 * An endpoint URL without credentials: `http://user:pw@host:2379` gives `http://host:2379` plus the
 * credentials (the password may hold `@`, `/`, `:`, so the userinfo ends at the last `@` of the authority).
 */
export function splitEndpoint(input: string): {
  endpoint: string;
  auth?: { username: string; password: string };
} {
  const text = String(input).trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(withScheme)![0];
  let rest = withScheme.slice(scheme.length);
  let auth: { username: string; password: string } | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    auth = {
      username: decode(colon < 0 ? userinfo : userinfo.slice(0, colon)),
      password: decode(colon < 0 ? '' : userinfo.slice(colon + 1)),
    };
    registerSecret(auth.password);
    registerSecret(colon < 0 ? '' : userinfo.slice(colon + 1));
  }
  let url: URL;
  try {
    url = new URL(`${scheme}${rest}`);
  } catch {
    throw new PatroniKitError(
      'CONFIG',
      `the etcd endpoint ${scheme}${at >= 0 ? '***@' : ''}${rest.slice(0, 100)} is not a URL`,
      {
        hint: 'give etcd endpoints as host:port or http(s)://host:port (etcd3.hosts, --dcs-url)',
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PatroniKitError(
      'CONFIG',
      `the etcd endpoint ${url.origin === 'null' ? url.protocol : url.origin} is neither http:// nor https://`,
      {
        hint: 'etcd3.protocol is http or https',
      },
    );
  return { endpoint: `${url.protocol}//${url.host}`, ...(auth ? { auth } : {}) };
}

function withScheme(host: string, protocol: string): string {
  return /^[a-z]+:\/\//i.test(host) ? host : `${protocol}://${host}`;
}

/**
 * Reads the `etcd3` (or, read through the v3 API, `etcd`) section, `namespace`, `scope` and `citus.group` of
 * a parsed patroni.yml or patronictl config. `env` supplies PATRONI_* overrides like Patroni does.
 */
export function connectionFromPatroniConfig(
  config: unknown,
  env: Record<string, string | undefined> = {},
): DcsTarget {
  const cfg = isObject(config) ? config : {};
  const warnings: string[] = [];
  let section: Record<string, unknown> | undefined;
  if (isObject(cfg.etcd3)) section = { ...cfg.etcd3 };
  else if (isObject(cfg.etcd)) {
    section = { ...cfg.etcd };
    warnings.push('the config has an etcd (v2) section; reading the same hosts through the etcd v3 API');
  }
  const envMap: Array<[string, string]> = [
    ['PATRONI_ETCD3_HOSTS', 'hosts'],
    ['PATRONI_ETCD3_HOST', 'host'],
    ['PATRONI_ETCD3_URL', 'url'],
    ['PATRONI_ETCD3_PROTOCOL', 'protocol'],
    ['PATRONI_ETCD3_USERNAME', 'username'],
    ['PATRONI_ETCD3_PASSWORD', 'password'],
    ['PATRONI_ETCD3_CACERT', 'cacert'],
    ['PATRONI_ETCD3_CERT', 'cert'],
    ['PATRONI_ETCD3_KEY', 'key'],
  ];
  for (const [name, field] of envMap) {
    const v = env[name];
    if (v !== undefined) section = { ...(section ?? {}), [field]: v };
  }
  if (!section) {
    const other = ['consul', 'zookeeper', 'kubernetes', 'raft', 'exhibitor'].find((k) => k in cfg);
    throw new PatroniKitError(
      'CONFIG',
      other
        ? `the config uses the ${other} DCS; only etcd v3 is supported`
        : 'the config has no etcd3 section',
      {
        hint: 'Add an etcd3: {hosts: [...]} section or pass --dcs-url etcd3://host:2379.',
      },
    );
  }
  if (section.srv || section.srv_suffix || section.discovery_srv) {
    warnings.push('etcd3.srv (DNS discovery) is not supported; using host/hosts/url only');
  }
  const protocol = String(section.protocol ?? 'http');
  const endpoints: string[] = [];
  if (typeof section.url === 'string') endpoints.push(section.url);
  if (typeof section.proxy === 'string') endpoints.push(section.proxy);
  endpoints.push(...hostList(section.hosts).map((h) => withScheme(h, protocol)));
  if (typeof section.host === 'string') endpoints.push(withScheme(section.host, protocol));
  if (endpoints.length === 0) {
    throw new PatroniKitError('CONFIG', 'the etcd3 section names no endpoint', {
      hint: 'Set etcd3.hosts (list of host:port), etcd3.host or etcd3.url.',
    });
  }
  // Credentials in a host URL (`http://user:pw@host:2379`) move to `auth`: endpoints never hold them, so
  // they cannot reach messages, error details or `Cluster.target`.
  let urlAuth: { username: string; password: string } | undefined;
  const clean = endpoints.map((e) => {
    const split = splitEndpoint(e);
    urlAuth ??= split.auth;
    return split.endpoint;
  });
  const connection: ConnectionOptions = { endpoints: [...new Set(clean)] };
  if (section.username !== undefined || section.password !== undefined) {
    connection.auth = { username: scalarText(section.username), password: scalarText(section.password) };
  } else if (urlAuth) connection.auth = urlAuth;
  // The password stays readable (and is copied by a spread); JSON.stringify and util.inspect show `***`.
  if (connection.auth) hideSecrets(connection.auth, 'password');
  const tls: NonNullable<ConnectionOptions['tls']> = {};
  if (typeof section.cacert === 'string') tls.caFile = section.cacert;
  if (typeof section.cert === 'string') tls.certFile = section.cert;
  if (typeof section.key === 'string') tls.keyFile = section.key;
  if (Object.keys(tls).length > 0) connection.tls = tls;
  const scope = env.PATRONI_SCOPE ?? (typeof cfg.scope === 'string' ? cfg.scope : undefined);
  const target: DcsTarget = {
    connection,
    namespace: normalizeNamespace(
      env.PATRONI_NAMESPACE ?? (typeof cfg.namespace === 'string' ? cfg.namespace : undefined),
    ),
    warnings,
  };
  if (scope !== undefined) target.scope = String(scope);
  if (isObject(cfg.citus) && typeof cfg.citus.group === 'number') target.group = cfg.citus.group;
  return target;
}

/**
 * Parses patronictl's `--dcs-url`: `DCS://[user:password@]HOST[:PORT][,HOST[:PORT]...][/NAMESPACE]` with DCS
 * `etcd3` or `etcd` (both read through the v3 API); `https://` / `http://` name the protocol directly.
 */
export function connectionFromDcsUrl(url: string): DcsTarget {
  // The userinfo ends at the last `@` (a password may hold `@`, `/`, `:`, spaces); the hosts hold none.
  const text = String(url).trim();
  const schemeMatch = /^([a-z0-9]+):\/\//i.exec(text);
  const afterScheme = schemeMatch ? text.slice(schemeMatch[0].length) : text;
  const at = afterScheme.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : afterScheme.slice(0, at);
  const hostsAndPath = at < 0 ? afterScheme : afterScheme.slice(at + 1);
  const hp = /^([^/]*)(\/.*)?$/s.exec(hostsAndPath);
  const m = hp ? [text, schemeMatch?.[1], userinfo, hp[1], hp[2]] : undefined;
  if (userinfo !== undefined) {
    const pw = userinfo.slice(userinfo.indexOf(':') + 1);
    registerSecret(pw);
    try {
      registerSecret(decodeURIComponent(pw));
    } catch {}
  }
  if (!m?.[3]) {
    const shown = schemeMatch ? `${schemeMatch[0]}${at < 0 ? '' : '***@'}${hostsAndPath}` : hostsAndPath;
    throw new PatroniKitError('USAGE', `cannot parse --dcs-url '${shown}'`, {
      hint: 'Use etcd3://host:2379[/namespace], e.g. etcd3://127.0.0.1:2379/service.',
    });
  }
  const scheme = (m[1] ?? 'etcd').toLowerCase();
  const warnings: string[] = [];
  let protocol = 'http';
  if (scheme === 'https' || scheme === 'etcd3s') protocol = 'https';
  else if (scheme === 'etcd') warnings.push('--dcs-url etcd:// names the v2 API; reading through etcd v3');
  else if (scheme !== 'etcd3' && scheme !== 'http') {
    throw new PatroniKitError('USAGE', `--dcs-url scheme '${scheme}' is not supported`, {
      hint: 'Only etcd v3 is supported: use etcd3://host:2379.',
    });
  }
  const endpoints = m[3].split(',').map((h) => {
    const hostPort = h.trim() || 'localhost';
    const withPort = /(^[^:]+|\]):\d+$/.test(hostPort) ? hostPort : `${hostPort}:2379`;
    return `${protocol}://${withPort}`;
  });
  const connection: ConnectionOptions = { endpoints };
  if (m[2]) {
    const [user, ...pw] = m[2].split(':');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    connection.auth = hideSecrets(
      { username: decode(user ?? ''), password: decode(pw.join(':')) },
      'password',
    );
  }
  const ns = m[4] && m[4] !== '/' ? m[4] : undefined;
  return { connection, namespace: normalizeNamespace(ns), warnings };
}

/**
 * Combines a parsed config file and `--dcs-url` the way patronictl does: the URL replaces the config's DCS
 * section; its namespace part, when present, wins over the config's `namespace`; `scope` comes from the config.
 */
export function resolveDcsTarget(
  config: unknown,
  dcsUrl: string | undefined,
  env: Record<string, string | undefined> = {},
): DcsTarget {
  if (dcsUrl === undefined) {
    if (config === undefined) {
      throw new PatroniKitError('USAGE', 'no etcd to talk to', {
        hint: 'Pass -c patroni.yml (with an etcd3 section) or --dcs-url etcd3://host:2379.',
      });
    }
    return connectionFromPatroniConfig(config, env);
  }
  const fromUrl = connectionFromDcsUrl(dcsUrl);
  const cfg = isObject(config) ? config : {};
  // The scheme first, then the userinfo (up to the last `@`: a password may hold `/` or `@`).
  const afterAuth = dcsUrl
    .trim()
    .replace(/^[a-z0-9+.-]+:\/\//i, '')
    .replace(/^.*@/s, '');
  const urlHasNamespace = /^[^/]*\/[^/]/.test(afterAuth);
  const target: DcsTarget = {
    ...fromUrl,
    namespace: urlHasNamespace
      ? fromUrl.namespace
      : normalizeNamespace(
          env.PATRONI_NAMESPACE ?? (typeof cfg.namespace === 'string' ? cfg.namespace : undefined),
        ),
  };
  const scope = env.PATRONI_SCOPE ?? (typeof cfg.scope === 'string' ? cfg.scope : undefined);
  if (scope !== undefined) target.scope = scope;
  return target;
}
