/**
 * Where a cluster is and how to talk to it, from a patronictl-style config (a ctl config or a node's
 * patroni.yml), `--dcs-url`, or member REST URLs — resolved the way patronictl resolves them. The one
 * resolver: every CLI command (`watch` and `etcd` included) and the facade use it.
 */
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readYaml } from '@patroni-kit/config/yaml';
import { connectionFromPatroniConfig, type DcsTarget, resolveDcsTarget } from '@patroni-kit/dcs/ctlconfig';
import {
  deepMerge,
  hideSecrets,
  isObject,
  PatroniKitError,
  type RequestListener,
  redactUrl,
  registerSecret,
} from '@patroni-kit/errors';

/** Credentials for Patroni's unsafe REST methods (`restapi.authentication`). */
export interface BasicAuth {
  username: string;
  password: string;
}

/** TLS for the REST API (patronictl's `ctl.cacert`, `ctl.certfile`, `ctl.keyfile`, `ctl.keyfile_password`). */
export interface RestTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /** `false` only on purpose (`ctl.insecure`, `-k`). */
  rejectUnauthorized?: boolean;
}

/** Timeouts in milliseconds. */
export interface ClusterTimeouts {
  /** One DCS read (all endpoints together). Default 4000. */
  dcs?: number;
  /** One member `GET` (e.g. `/patroni`); an unreachable member is marked after this. Default 2000. */
  member?: number;
  /** A non-blocking REST write. Default 10000. */
  write?: number;
}

/** How to reach a cluster: give a config (file or object), a `dcsUrl`, or `restUrls` (at least one). */
export interface ConnectOptions {
  /** A patronictl config or a node's patroni.yml (a file, or a directory of YAML files like Patroni reads). */
  configFile?: string;
  /** An already parsed config (same keys as the file). */
  config?: Record<string, unknown>;
  /**
   * patronictl's `--dcs-url` (default `$DCS_URL`), e.g. `etcd3://127.0.0.1:2379/service`: replaces the
   * config's DCS section; its path, when it has one, wins over the config's `namespace`.
   */
  dcsUrl?: string;
  /** Member REST APIs (`http://host:8008`); without a DCS, discovery goes through `GET /cluster`. */
  restUrls?: string[];
  /** Cluster name; defaults to the config's `scope` (or, REST only, what the members report). */
  scope?: string;
  /** Citus group. */
  group?: number;
  /** REST credentials; default `ctl.authentication`, then `restapi.authentication`. */
  auth?: BasicAuth;
  /** REST TLS; default from `ctl.*` and `restapi.cafile`. */
  tls?: RestTls;
  /** Skip TLS verification of the REST API (patronictl `-k`). */
  insecure?: boolean;
  timeouts?: ClusterTimeouts;
  /** Environment for `PATRONI_*`, `PATRONICTL_CONFIG_FILE` and `DCS_URL` (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Home directory holding `.config/patroni/patronictl.yaml`, patronictl's default config (default the user's). */
  homeDir?: string;
  /** Told about every REST and etcd request (a request log); events never hold credentials. */
  onRequest?: RequestListener;
}

/** The resolved target. */
export interface ResolvedTarget {
  scope?: string;
  namespace: string;
  group?: number;
  dcs?: DcsTarget;
  restUrls: string[];
  auth?: BasicAuth;
  tls?: RestTls;
  /** PostgreSQL superuser from a patroni.yml (`postgresql.authentication.superuser`), for `query`. */
  postgres?: { username?: string; password?: string };
  /** The replication user from a patroni.yml, to test the login a replica makes when it does not stream. */
  replication?: { username?: string; password?: string };
  configFile?: string;
  warnings: string[];
  /** {@link ConnectOptions.onRequest}, for the REST clients (the DCS connection holds it too). */
  onRequest?: RequestListener;
}

/** Parses YAML text as Patroni does (YAML 1.1: `yes` is true, `0755` is 493), with `@patroni-kit/config`'s reader. */
export async function parseYaml(text: string | Uint8Array, where: string): Promise<unknown> {
  return readYaml(text, where);
}

/** Reads a config file, or every `*.yml`/`*.yaml` of a directory merged in name order (as Patroni does). */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory()
      ? (await readdir(path))
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch (err) {
    throw new PatroniKitError('CONFIG', `cannot read the config ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: 'give a patronictl config or patroni.yml with -c FILE',
    });
  }
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    let text: Buffer;
    try {
      text = await readFile(file);
    } catch (err) {
      throw new PatroniKitError('CONFIG', `cannot read the config ${file}: ${(err as Error).message}`, {
        cause: err,
        hint: 'check the path and its permissions',
      });
    }
    const parsed = await parseYaml(text, file);
    if (parsed === null || parsed === undefined) continue;
    if (!isObject(parsed))
      throw new PatroniKitError('CONFIG', `${file} is not a YAML mapping`, {
        hint: 'a patronictl config starts with keys such as scope:, namespace:, etcd3:',
      });
    merged = deepMerge(merged, parsed);
  }
  return merged;
}

async function readPem(path: unknown, setting: string): Promise<Buffer | undefined> {
  if (typeof path !== 'string' || path === '') return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw new PatroniKitError('CONFIG', `cannot read ${setting} ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: `check ${setting} in the config`,
    });
  }
}

function authFrom(section: unknown): BasicAuth | undefined {
  if (!isObject(section)) return undefined;
  const a = section.authentication;
  if (!isObject(a) || a.username === undefined) return undefined;
  return { username: String(a.username), password: String(a.password ?? '') };
}

/** `http(s)://host:port` from a `restapi.connect_address` or `listen`. */
function restUrlFrom(restapi: Record<string, unknown>): string | undefined {
  const address = restapi.connect_address ?? restapi.listen;
  if (typeof address !== 'string' || address === '') return undefined;
  const scheme = restapi.certfile ? 'https' : 'http';
  const hostPort = address.replace(/^(\*|0\.0\.0\.0|::)(?=:)/, '127.0.0.1');
  return `${scheme}://${hostPort}`;
}

/** A `--rest-url` / `restUrls` entry as `http(s)://host:port`; anything else is a USAGE error. */
function restUrlOption(input: string): string {
  let url: URL | undefined;
  try {
    url = new URL(String(input));
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    const at = String(input).lastIndexOf('@');
    const shown = at < 0 ? redactUrl(String(input)) : `***@${String(input).slice(at + 1)}`;
    throw new PatroniKitError(
      'USAGE',
      `--rest-url '${shown.slice(0, 200)}' is not an http:// or https:// URL`,
      {
        hint: 'give a member REST API as http://host:8008 or https://host:8008 (restapi.connect_address)',
      },
    );
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  return String(input);
}

/** Resolves `options` into one target (reads files; contacts nothing). */
export async function resolveTarget(options: ConnectOptions): Promise<ResolvedTarget> {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  let configFile = options.configFile;
  if (configFile === undefined && options.config === undefined && env.PATRONICTL_CONFIG_FILE)
    configFile = env.PATRONICTL_CONFIG_FILE;
  // patronictl reads its default file when it exists, with or without --dcs-url (scope, ctl settings).
  if (configFile === undefined && options.config === undefined) {
    const fallback = join(options.homeDir ?? homedir(), '.config', 'patroni', 'patronictl.yaml');
    if (
      await access(fallback).then(
        () => true,
        () => false,
      )
    )
      configFile = fallback;
  }
  const dcsUrl = options.dcsUrl ?? (env.DCS_URL || undefined);
  let config: Record<string, unknown> = options.config ?? {};
  if (configFile !== undefined) config = deepMerge(config, await loadConfigFile(configFile));

  const target: ResolvedTarget = {
    namespace: 'service',
    restUrls: (options.restUrls ?? []).map(restUrlOption),
    warnings,
  };
  if (configFile !== undefined) target.configFile = configFile;
  if (dcsUrl !== undefined) {
    target.dcs = resolveDcsTarget(config, dcsUrl, env);
  } else if ('etcd3' in config || 'etcd' in config || env.PATRONI_ETCD3_HOSTS || env.PATRONI_ETCD3_HOST) {
    target.dcs = connectionFromPatroniConfig(config, env);
  } else {
    const other = ['consul', 'zookeeper', 'kubernetes', 'raft', 'exhibitor'].find((k) => k in config);
    if (other)
      throw new PatroniKitError(
        'CONFIG',
        `the config uses the ${other} DCS; patroni-kit reads etcd v3 only`,
        {
          hint: 'give member REST URLs instead (--rest-url http://host:8008), or an etcd3 section',
        },
      );
  }
  if (options.onRequest) {
    target.onRequest = options.onRequest;
    if (target.dcs) target.dcs.connection.onRequest = options.onRequest;
  }
  if (target.dcs) {
    const dcsAuth = target.dcs.connection.auth;
    if (dcsAuth)
      target.dcs.connection.auth = hideSecrets(
        { username: dcsAuth.username, password: dcsAuth.password },
        'password',
      );
    warnings.push(...target.dcs.warnings);
    target.namespace = target.dcs.namespace;
  } else if (typeof config.namespace === 'string') {
    target.namespace = config.namespace.replace(/^\/+|\/+$/g, '') || 'service';
  }
  const scope =
    options.scope ??
    target.dcs?.scope ??
    env.PATRONI_SCOPE ??
    (typeof config.scope === 'string' ? config.scope : undefined);
  if (scope !== undefined) target.scope = String(scope);
  const citus =
    isObject(config.citus) && typeof config.citus.group === 'number' ? config.citus.group : undefined;
  const group = options.group ?? target.dcs?.group ?? citus;
  if (group !== undefined) target.group = group;

  const ctl = isObject(config.ctl) ? config.ctl : {};
  const restapi = isObject(config.restapi) ? config.restapi : {};
  const auth =
    options.auth ??
    authFrom(ctl) ??
    authFrom(restapi) ??
    (env.PATRONI_RESTAPI_USERNAME
      ? { username: env.PATRONI_RESTAPI_USERNAME, password: env.PATRONI_RESTAPI_PASSWORD ?? '' }
      : undefined);
  // Passwords stay readable but are not enumerable: printing or serialising `Cluster.target` shows none.
  if (auth) target.auth = hideSecrets({ username: auth.username, password: auth.password }, 'password');

  const tls: RestTls = { ...(options.tls ?? {}) };
  if (tls.ca === undefined) {
    const ca = await readPem(ctl.cacert ?? restapi.cafile, ctl.cacert ? 'ctl.cacert' : 'restapi.cafile');
    if (ca) tls.ca = ca;
  }
  if (tls.cert === undefined) {
    const cert = await readPem(ctl.certfile, 'ctl.certfile');
    if (cert) tls.cert = cert;
  }
  if (tls.key === undefined) {
    const key = await readPem(ctl.keyfile, 'ctl.keyfile');
    if (key) tls.key = key;
  }
  if (tls.passphrase === undefined && typeof ctl.keyfile_password === 'string')
    tls.passphrase = ctl.keyfile_password;
  hideSecrets(tls, 'passphrase');
  if (options.insecure || ctl.insecure === true) tls.rejectUnauthorized = false;
  if (Object.keys(tls).length > 0) target.tls = tls;

  // A node's patroni.yml names its own REST API: a seed when the DCS cannot be read.
  const seed = restUrlFrom(restapi);
  if (seed && !target.restUrls.includes(seed)) target.restUrls.push(seed);

  const pg = isObject(config.postgresql) ? config.postgresql : {};
  const su =
    isObject(pg.authentication) && isObject(pg.authentication.superuser)
      ? pg.authentication.superuser
      : undefined;
  if (su) {
    target.postgres = {};
    if (su.username !== undefined) target.postgres.username = String(su.username);
    if (su.password !== undefined) {
      target.postgres.password = String(su.password);
      hideSecrets(target.postgres, 'password');
    }
  }
  const repl =
    isObject(pg.authentication) && isObject(pg.authentication.replication)
      ? pg.authentication.replication
      : undefined;
  if (repl) {
    target.replication = {};
    if (repl.username !== undefined) target.replication.username = String(repl.username);
    if (repl.password !== undefined) {
      target.replication.password = String(repl.password);
      hideSecrets(target.replication, 'password');
    }
  }
  if (!target.dcs && target.restUrls.length === 0) {
    throw new PatroniKitError('USAGE', 'no cluster given: no config, no --dcs-url and no REST URL', {
      hint: 'pass -c patronictl.yml (or patroni.yml), --dcs-url etcd3://host:2379, or --rest-url http://host:8008',
    });
  }
  return target;
}
