/**
 * The configured clusters. Definitions (no secrets) live in a Memento-like store (VS Code's globalState);
 * passwords and tokens only in a SecretStorage-like store (VS Code's `context.secrets`), never in settings,
 * definitions or logs. Both stores are injected, so this module needs no `vscode`.
 */
import type { ConnectOptions } from '@patroni-kit/cluster';
import { connectionFromDcsUrl } from '@patroni-kit/dcs/ctlconfig';
import { PatroniKitError, redact, registerSecret } from '@patroni-kit/errors';
import type { RequestEvent } from './request-log.js';

/** The part of `vscode.Memento` the store uses. */
export interface StateLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** The part of `vscode.SecretStorage` the store uses. */
export interface SecretsLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Where a cluster is found: the same three ways the CLI resolves one. */
export type ClusterSource =
  /** `scope` only when the file names none (a patronictl config over several clusters). */
  | { kind: 'config'; path: string; scope?: string }
  | { kind: 'dcs'; url: string; scope: string }
  | { kind: 'rest'; urls: string[] };

/** Which secret: REST Basic auth, etcd auth, PostgreSQL. */
export type SecretKind = 'rest' | 'etcd' | 'postgres';

/** A saved cluster (what is kept in globalState: never a password). */
export interface ClusterDefinition {
  id: string;
  name: string;
  source: ClusterSource;
  restUser?: string;
  etcdUser?: string;
  postgresUser?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** TLS verification off for this cluster only, on the user's explicit choice. */
  insecure?: boolean;
  production?: boolean;
  notifications?: boolean;
}

/** A cluster to add: a definition without id, plus the secrets to keep in SecretStorage. */
export interface NewCluster extends Omit<ClusterDefinition, 'id'> {
  secrets?: Partial<Record<SecretKind, string>>;
}

/** What the resolver takes from the editor's process instead of its own defaults (`process.env`, the user's home). */
export interface ResolverInputs {
  /** `PATRONI_*`, `DCS_URL`, `PATRONICTL_CONFIG_FILE`: the extension passes `{}`, so a saved cluster means the same in every window. */
  env?: Record<string, string | undefined>;
  /** Where patronictl's default config would be looked for. */
  homeDir?: string;
}

/** Options of {@link ConnectionStore}. */
export interface ConnectionStoreOptions extends ResolverInputs {
  newId?: () => string;
  /** Called for every REST/DCS request of a cluster connected with {@link ConnectionStore.connectOptions}. */
  onRequest?: (e: RequestEvent) => void;
}

const STATE_KEY = 'patroni.clusters';

function secretKey(id: string, kind: SecretKind): string {
  return `patroni.cluster/${id}/${kind}`;
}

/** Splits `scheme://user:password@host…` into the URL without userinfo and the credentials (last `@` wins). */
export function splitUserinfo(url: string): { url: string; username?: string; password?: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*@)?(.*)$/is.exec(url.trim());
  if (!m) return { url: url.trim() };
  // The userinfo may itself hold `@` or `/` in the password: take everything up to the last `@`.
  const rest = `${m[2] ?? ''}${m[3] ?? ''}`;
  const at = rest.lastIndexOf('@');
  if (at < 0) return { url: `${m[1]}${rest}` };
  const info = rest.slice(0, at);
  const colon = info.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? info : info.slice(0, colon));
  const out: { url: string; username?: string; password?: string } = { url: `${m[1]}${rest.slice(at + 1)}` };
  if (username) out.username = username;
  if (colon >= 0) out.password = decodeURIComponent(info.slice(colon + 1));
  return out;
}

function checkSource(source: ClusterSource): ClusterSource {
  switch (source.kind) {
    case 'config':
      if (!source.path.trim())
        throw new PatroniKitError('USAGE', 'no config file given', {
          hint: 'pick a patroni.yml or patronictl config',
        });
      return source.scope?.trim()
        ? { kind: 'config', path: source.path.trim(), scope: source.scope.trim() }
        : { kind: 'config', path: source.path.trim() };
    case 'dcs': {
      dcsUrlError(source.url, true);
      if (!source.scope.trim())
        throw new PatroniKitError('USAGE', 'no scope given', {
          hint: 'choose one of the scopes in the namespace',
        });
      return { kind: 'dcs', url: source.url.trim(), scope: source.scope.trim() };
    }
    case 'rest': {
      const urls = source.urls.map((u) => u.trim()).filter(Boolean);
      if (urls.length === 0)
        throw new PatroniKitError('USAGE', 'no REST URL given', {
          hint: 'give one or more http(s)://host:8008',
        });
      for (const u of urls)
        if (!/^https?:\/\/[^/]/i.test(u))
          throw new PatroniKitError('USAGE', `not a REST URL: ${splitUserinfo(u).url}`, {
            hint: 'use http://host:8008 or https://host:8008',
          });
      return { kind: 'rest', urls };
    }
  }
}

/** Text the user typed, fit for a message: whatever precedes the last `@` may be a password, URL or not. */
export function shownInput(text: string): string {
  const at = text.lastIndexOf('@');
  return (at < 0 ? redact(text) : `***@${redact(text.slice(at + 1))}`).slice(0, 200);
}

/**
 * Why `url` is not a DCS URL (patronictl's `--dcs-url` parser decides), or undefined when it is one. With
 * `raise`, throws the USAGE error instead. Used by the input box's inline validation too.
 */
export function dcsUrlError(url: string, raise = false): string | undefined {
  const text = url.trim();
  let problem: PatroniKitError | undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    problem = new PatroniKitError('USAGE', `not a DCS URL: ${shownInput(text) || '(empty)'}`, {
      hint: 'use etcd3://host:2379 (or etcd3://host:2379/namespace; https:// or etcd3s:// for TLS)',
    });
  else
    try {
      connectionFromDcsUrl(text);
    } catch (err) {
      problem =
        err instanceof PatroniKitError
          ? err
          : new PatroniKitError('USAGE', `not a DCS URL: ${shownInput(text)}`, { cause: err });
    }
  if (problem && raise) throw problem;
  return problem ? `${problem.message}${problem.hint ? ` (${problem.hint})` : ''}` : undefined;
}

/**
 * What the one resolver (`resolveTarget` in @patroni-kit/cluster, the CLI's) needs for a definition and its
 * secrets. A DCS URL is parsed by patronictl's `--dcs-url` parser and handed over as an `etcd3` section, the
 * only form that also carries the etcd CA and client certificate; the TLS paths go in as `ctl.cacert`,
 * `ctl.certfile`, `ctl.keyfile`, so the resolver reads them (asynchronously) like patronictl's.
 */
export function toConnectOptions(
  def: Omit<ClusterDefinition, 'id' | 'name'>,
  secrets: Partial<Record<SecretKind, string>>,
  resolver: ResolverInputs = {},
): ConnectOptions {
  const opts: ConnectOptions = { env: resolver.env ?? {} };
  if (resolver.homeDir !== undefined) opts.homeDir = resolver.homeDir;
  const tls = def.tls ?? {};
  const ctl: Record<string, unknown> = {};
  if (tls.caFile) ctl.cacert = tls.caFile;
  if (tls.certFile) ctl.certfile = tls.certFile;
  if (tls.keyFile) ctl.keyfile = tls.keyFile;
  const withCtl = (c: Record<string, unknown>) => (Object.keys(ctl).length > 0 ? { ...c, ctl } : c);
  const source = def.source;
  if (source.kind === 'config') {
    opts.configFile = source.path;
    if (source.scope) opts.scope = source.scope;
    if (Object.keys(ctl).length > 0) opts.config = withCtl({});
  } else if (source.kind === 'rest') {
    opts.restUrls = source.urls;
    // An explicit (empty) config: patronictl's default file in the home directory does not leak into it.
    opts.config = withCtl({});
  } else {
    const parsed = connectionFromDcsUrl(source.url);
    const etcd3: Record<string, unknown> = { hosts: parsed.connection.endpoints };
    const user = def.etcdUser ?? parsed.connection.auth?.username;
    if (user) {
      etcd3.username = user;
      etcd3.password = secrets.etcd ?? parsed.connection.auth?.password ?? '';
    }
    if (tls.caFile) etcd3.cacert = tls.caFile;
    if (tls.certFile) etcd3.cert = tls.certFile;
    if (tls.keyFile) etcd3.key = tls.keyFile;
    opts.config = withCtl({ namespace: parsed.namespace, etcd3 });
    opts.scope = source.scope;
  }
  if (def.restUser && secrets.rest !== undefined)
    opts.auth = { username: def.restUser, password: secrets.rest };
  if (def.insecure) opts.insecure = true;
  return opts;
}

/** The configured clusters, with their secrets kept apart. */
export class ConnectionStore {
  readonly #state: StateLike;
  readonly #secrets: SecretsLike;
  readonly #newId: () => string;
  readonly #options: ConnectionStoreOptions;

  constructor(state: StateLike, secrets: SecretsLike, options: ConnectionStoreOptions | (() => string) = {}) {
    this.#state = state;
    this.#secrets = secrets;
    this.#options = typeof options === 'function' ? { newId: options } : options;
    this.#newId = this.#options.newId ?? (() => crypto.randomUUID());
  }

  /** What the resolver gets instead of the process's env and home. */
  get resolverInputs(): ResolverInputs {
    const { env, homeDir } = this.#options;
    return { ...(env ? { env } : {}), ...(homeDir !== undefined ? { homeDir } : {}) };
  }

  /** Every saved cluster, in the order they were added. */
  list(): ClusterDefinition[] {
    return [...(this.#state.get<ClusterDefinition[]>(STATE_KEY) ?? [])];
  }

  get(id: string): ClusterDefinition | undefined {
    return this.list().find((d) => d.id === id);
  }

  /**
   * Saves a cluster. Credentials found in URLs (`etcd3://user:pw@host`, `http://user:pw@host`) are moved to
   * SecretStorage too, so nothing secret is ever written to the definition.
   */
  async add(input: NewCluster): Promise<ClusterDefinition> {
    const { secrets = {}, ...rest } = input;
    const name = rest.name.trim();
    if (!name)
      throw new PatroniKitError('USAGE', 'a cluster needs a name', {
        hint: 'give the name shown in the tree',
      });
    if (this.list().some((d) => d.name === name))
      throw new PatroniKitError('USAGE', `a cluster named ${name} already exists`, {
        hint: 'choose another name',
      });
    const found: Partial<Record<SecretKind, string>> = { ...secrets };
    const def: ClusterDefinition = { ...rest, name, id: this.#newId(), source: checkSource(rest.source) };
    if (def.source.kind === 'dcs') {
      const s = splitUserinfo(def.source.url);
      def.source = { ...def.source, url: s.url };
      if (s.username && !def.etcdUser) def.etcdUser = s.username;
      if (s.password !== undefined && found.etcd === undefined) found.etcd = s.password;
    } else if (def.source.kind === 'rest') {
      const split = def.source.urls.map(splitUserinfo);
      def.source = { kind: 'rest', urls: split.map((s) => s.url) };
      const withUser = split.find((s) => s.username);
      if (withUser?.username && !def.restUser) def.restUser = withUser.username;
      if (withUser?.password !== undefined && found.rest === undefined) found.rest = withUser.password;
    }
    for (const [kind, value] of Object.entries(found) as Array<[SecretKind, string | undefined]>)
      if (value !== undefined && value !== '') await this.#secrets.store(secretKey(def.id, kind), value);
    await this.#state.update(STATE_KEY, [...this.list(), def]);
    return def;
  }

  /** Changes non-secret fields (name, production mark, notifications, TLS). */
  async update(
    id: string,
    patch: Partial<Omit<ClusterDefinition, 'id' | 'source'>>,
  ): Promise<ClusterDefinition> {
    const all = this.list();
    const i = all.findIndex((d) => d.id === id);
    const cur = all[i];
    if (!cur)
      throw new PatroniKitError('NOT_FOUND', `no saved cluster ${id}`, { hint: 'refresh the Clusters view' });
    const next = { ...cur, ...patch, id: cur.id, source: cur.source };
    all[i] = next;
    await this.#state.update(STATE_KEY, all);
    return next;
  }

  /** Forgets a cluster and deletes its secrets. */
  async remove(id: string): Promise<boolean> {
    const all = this.list();
    if (!all.some((d) => d.id === id)) return false;
    for (const kind of ['rest', 'etcd', 'postgres'] as const) await this.#secrets.delete(secretKey(id, kind));
    await this.#state.update(
      STATE_KEY,
      all.filter((d) => d.id !== id),
    );
    return true;
  }

  /** Stores or replaces one secret. */
  async setSecret(id: string, kind: SecretKind, value: string): Promise<void> {
    if (!this.get(id))
      throw new PatroniKitError('NOT_FOUND', `no saved cluster ${id}`, { hint: 'add it first' });
    await this.#secrets.store(secretKey(id, kind), value);
  }

  /** Whether a secret of that kind is kept (the value itself is only read to connect). */
  async hasSecret(id: string, kind: SecretKind): Promise<boolean> {
    return (await this.#secrets.get(secretKey(id, kind))) !== undefined;
  }

  /** The PostgreSQL login of a saved cluster (user from the definition, password from SecretStorage). */
  async postgresLogin(id: string): Promise<{ user?: string; password?: string }> {
    const password = await this.#secrets.get(secretKey(id, 'postgres'));
    if (password) registerSecret(password);
    const user = this.get(id)?.postgresUser;
    return { ...(user ? { user } : {}), ...(password ? { password } : {}) };
  }

  /** The PostgreSQL user and password kept for a cluster (for psql terminals and queries). */
  async postgres(id: string): Promise<{ username?: string; password?: string }> {
    const def = this.get(id);
    const password = await this.#secrets.get(secretKey(id, 'postgres'));
    if (password) registerSecret(password);
    return {
      ...(def?.postgresUser ? { username: def.postgresUser } : {}),
      ...(password !== undefined ? { password } : {}),
    };
  }

  /** What `Cluster.connect` needs for a saved cluster: the definition plus its secrets, read now. */
  async connectOptions(id: string): Promise<ConnectOptions> {
    const def = this.get(id);
    if (!def)
      throw new PatroniKitError('NOT_FOUND', `no saved cluster ${id}`, { hint: 'refresh the Clusters view' });
    const secrets: Partial<Record<SecretKind, string>> = {};
    for (const kind of ['rest', 'etcd'] as const) {
      const value = await this.#secrets.get(secretKey(id, kind));
      // Registered so that any error message or log line that would carry them is redacted.
      if (value) registerSecret(value);
      if (value !== undefined) secrets[kind] = value;
    }
    const opts = toConnectOptions(def, secrets, this.resolverInputs);
    // TODO(lead, at merge with i8-homes' ConnectOptions.onRequest): opts.onRequest = this.#options.onRequest;
    return opts;
  }
}
