/**
 * The Add Cluster flow as plain TypeScript: the steps ask an injected {@link AddClusterUi} (quick picks,
 * input boxes, a file dialog, a modal warning) and reach clusters through an {@link AddClusterBackend} whose
 * real implementation ({@link sdkBackend}) is the SDK: the CLI's resolver (`resolveTarget`), the DCS client's
 * scope listing and `Cluster.connect`. Node's test runner drives every path with a scripted UI against a
 * real etcd; the VS Code adapter (adapters/connections.ts) only supplies the UI.
 */

import { readFile } from 'node:fs/promises';
import { Cluster, type ConnectOptions, resolveTarget } from '@patroni-kit/cluster';
import { DcsClient, type ConnectionOptions as DcsConnection } from '@patroni-kit/dcs';
import { isPatroniKitError, PatroniKitError, redact } from '@patroni-kit/errors';
import {
  type ClusterDefinition,
  type ConnectionStore,
  dcsUrlError,
  type NewCluster,
  type ResolverInputs,
  type SecretKind,
  shownInput,
  splitUserinfo,
  toConnectOptions,
} from './connections.js';

/** One entry of a quick pick. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

/** An input box. `validate` answers the message shown under the box, or undefined when the text is fine. */
export interface InputRequest {
  title: string;
  prompt?: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  validate?: (text: string) => string | undefined;
}

/** What the flow asks the user through; `undefined` from any of them means the user cancelled. */
export interface AddClusterUi {
  pickOne<T>(title: string, items: PickItem<T>[], placeholder?: string): Promise<T | undefined>;
  pickMany<T>(title: string, items: PickItem<T>[], placeholder?: string): Promise<T[] | undefined>;
  input(request: InputRequest): Promise<string | undefined>;
  /** A file from disk (the editor's open dialog). */
  openFile(title: string): Promise<string | undefined>;
  /** A modal warning; true when the user chose `action`. */
  warn(message: string, detail: string, action: string): Promise<boolean>;
  /** Runs network work with a progress indicator the user can cancel (the signal aborts). */
  busy<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** A scope found in a namespace, with what the pick shows about it. */
export interface ScopeInfo {
  scope: string;
  members: string[];
  leader?: string;
  initialized: boolean;
  /** Some member's REST API is https (so the TLS step is offered). */
  https: boolean;
}

/** What a config file resolves to. */
export interface ConfigSummary {
  scope?: string;
  hasDcs: boolean;
  restUrls: string[];
}

/** How the flow reaches files and clusters. */
export interface AddClusterBackend {
  /** patroni.yml / patronictl configs in the workspace (absolute paths). */
  findConfigFiles(): Promise<string[]>;
  /** Resolves a config (reads the file; contacts nothing). */
  inspectConfig(options: ConnectOptions, signal: AbortSignal): Promise<ConfigSummary>;
  /** Every scope with Patroni keys in the DCS the options resolve to. */
  listScopes(options: ConnectOptions, signal: AbortSignal): Promise<ScopeInfo[]>;
  /** The scope a member REST API reports (`GET /patroni`). */
  restScope(options: ConnectOptions, signal: AbortSignal): Promise<string>;
}

/** How the flow ended. */
export type AddClusterResult =
  | { outcome: 'added'; clusters: ClusterDefinition[] }
  | { outcome: 'cancelled' }
  | { outcome: 'failed'; error: PatroniKitError };

/** What {@link addCluster} needs. */
export interface AddClusterDeps {
  ui: AddClusterUi;
  backend: AddClusterBackend;
  store: ConnectionStore;
}

class Cancelled extends Error {}

function need<T>(v: T | undefined): T {
  if (v === undefined) throw new Cancelled();
  return v;
}

type TlsPaths = NonNullable<ClusterDefinition['tls']>;
type Draft = Omit<NewCluster, 'name' | 'secrets'> & { name?: string };

/** Why a comma-separated list of REST URLs is not usable, or undefined when every entry is `http(s)://host`. */
export function restUrlsError(text: string): string | undefined {
  const urls = text
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length === 0) return 'give at least one member REST URL, e.g. http://10.0.0.11:8008';
  for (const u of urls) {
    let url: URL | undefined;
    try {
      url = new URL(u);
    } catch {}
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
      return `${shownInput(u)} is not an http:// or https:// URL (use http://host:8008, restapi.connect_address)`;
  }
  return undefined;
}

/** Why `name` cannot name a new cluster, or undefined. */
export function nameError(name: string, taken: Iterable<string>): string | undefined {
  const n = name.trim();
  if (!n) return 'give the name shown in the tree';
  for (const t of taken) if (t === n) return `a cluster named ${n} already exists: choose another name`;
  return undefined;
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

function asError(err: unknown): PatroniKitError {
  if (err instanceof PatroniKitError) return err;
  return new PatroniKitError('INTERNAL', redact(err instanceof Error ? err.message : String(err)), {
    cause: err,
  });
}

/** The TLS step: CA (system, file, or, for REST only, no verification behind a modal) and a client certificate. */
async function askTls(
  ui: AddClusterUi,
  what: string,
  allowInsecure: boolean,
): Promise<{ tls: TlsPaths; insecure: boolean }> {
  const tls: TlsPaths = {};
  for (;;) {
    const items: PickItem<'system' | 'file' | 'insecure'>[] = [
      { label: 'Verify with the system CAs', value: 'system' },
      {
        label: 'Verify with a CA file…',
        detail: 'the PEM file of the CA that signed the servers',
        value: 'file',
      },
    ];
    if (allowInsecure)
      items.push({
        label: 'Do not verify the REST API certificates (insecure)',
        detail: 'only for a lab with self-signed certificates; etcd is verified either way',
        value: 'insecure',
      });
    const how = need(await ui.pickOne(`TLS for ${what}`, items));
    if (how === 'file') tls.caFile = need(await ui.openFile('CA certificate (PEM)'));
    if (how === 'insecure') {
      const ok = await ui.warn(
        `Turn off TLS verification for ${what}?`,
        'The REST API certificates of this cluster will not be checked: anyone on the network path can pose as its members and read the credentials sent to them. Etcd stays verified.',
        'Turn Off Verification',
      );
      if (!ok) continue;
    }
    const cert = need(
      await ui.pickOne<'none' | 'cert'>('Client certificate', [
        { label: 'No client certificate', value: 'none' },
        { label: 'Present a client certificate and key…', value: 'cert' },
      ]),
    );
    if (cert === 'cert') {
      tls.certFile = need(await ui.openFile('Client certificate (PEM)'));
      tls.keyFile = need(await ui.openFile('Client key (PEM)'));
    }
    return { tls, insecure: how === 'insecure' };
  }
}

/** A user name (optional) and, when one is given, its password (masked input). */
async function askCredentials(
  ui: AddClusterUi,
  title: string,
  prompt: string,
  fromUrl: { username?: string; password?: string } = {},
): Promise<{ username?: string; password?: string }> {
  const username = (
    fromUrl.username ?? need(await ui.input({ title, prompt, placeholder: 'empty: none' }))
  ).trim();
  if (!username) return {};
  const password =
    fromUrl.password ??
    need(
      await ui.input({
        title: `Password of ${username}`,
        prompt: 'kept in the editor’s secret storage only',
        password: true,
      }),
    );
  return { username, ...(password ? { password } : {}) };
}

function scopeItems(scopes: ScopeInfo[]): PickItem<ScopeInfo>[] {
  return scopes.map((s) => ({
    label: s.scope,
    description: s.leader ? `leader ${s.leader}` : s.initialized ? 'no leader' : 'not initialized',
    detail: s.members.length
      ? `${s.members.length} member${s.members.length === 1 ? '' : 's'}: ${s.members.join(', ')}`
      : 'no member key (all members down?)',
    picked: scopes.length === 1,
    value: s,
  }));
}

async function pickScopes(ui: AddClusterUi, scopes: ScopeInfo[], where: string): Promise<ScopeInfo[]> {
  if (scopes.length === 0)
    throw new PatroniKitError('NOT_FOUND', `no Patroni cluster in ${where}`, {
      hint: 'check the namespace (etcd3://host:2379/NAMESPACE; Patroni’s default is /service) and that Patroni runs against this etcd',
    });
  const chosen = need(await ui.pickMany(`Clusters in ${where}`, scopeItems(scopes), 'choose one or more'));
  if (chosen.length === 0) throw new Cancelled();
  return chosen;
}

async function fromConfig(deps: AddClusterDeps, resolver: ResolverInputs): Promise<Draft[]> {
  const { ui, backend } = deps;
  const files = await backend.findConfigFiles();
  const BROWSE = '\0browse';
  const path = need(
    await ui.pickOne('patroni.yml or patronictl config', [
      ...files.map((f) => ({ label: f.split(/[\\/]/).slice(-2).join('/'), description: f, value: f })),
      { label: 'Browse…', description: 'a file on disk', value: BROWSE },
    ]),
  );
  const file = path === BROWSE ? need(await ui.openFile('patroni.yml or patronictl config')) : path;
  const base: Draft = { source: { kind: 'config', path: file } };
  const summary = await ui.busy(`Reading ${file}`, (signal) =>
    deps.backend.inspectConfig(toConnectOptions(base, {}, resolver), signal),
  );
  if (summary.scope !== undefined) return [{ ...base, name: summary.scope }];
  if (summary.hasDcs) {
    const scopes = await ui.busy('Listing the clusters in the DCS', (signal) =>
      backend.listScopes(toConnectOptions(base, {}, resolver), signal),
    );
    const chosen = await pickScopes(ui, scopes, `the DCS of ${file}`);
    return chosen.map((s) => ({ name: s.scope, source: { kind: 'config', path: file, scope: s.scope } }));
  }
  const scope = await ui.busy('Asking the member for its scope', (signal) =>
    backend.restScope(toConnectOptions(base, {}, resolver), signal),
  );
  return [{ ...base, name: scope }];
}

async function fromDcs(
  deps: AddClusterDeps,
  resolver: ResolverInputs,
  secrets: Partial<Record<SecretKind, string>>,
): Promise<Draft[]> {
  const { ui, backend } = deps;
  const typed = need(
    await ui.input({
      title: 'etcd URL of the DCS',
      prompt: 'etcd3://host:2379[,host:2379…][/namespace]; https:// or etcd3s:// for TLS; user@ optional',
      value: 'etcd3://127.0.0.1:2379',
      validate: (t) => dcsUrlError(t),
    }),
  );
  dcsUrlError(typed, true);
  const split = splitUserinfo(typed);
  const etcd = await askCredentials(
    ui,
    'etcd user',
    'leave empty when etcd has no authentication',
    split.username
      ? { username: split.username, ...(split.password !== undefined ? { password: split.password } : {}) }
      : {},
  );
  if (etcd.password) secrets.etcd = etcd.password;
  const draft: Draft = {
    source: { kind: 'dcs', url: split.url, scope: '' },
    ...(etcd.username ? { etcdUser: etcd.username } : {}),
  };
  let tlsAsked = false;
  if (/^(https|etcd3s):/i.test(split.url)) {
    const { tls } = await askTls(ui, `etcd at ${split.url}`, false);
    if (Object.keys(tls).length) draft.tls = tls;
    tlsAsked = true;
  }
  const scopes = await ui.busy(`Listing the clusters at ${split.url}`, (signal) =>
    backend.listScopes(toConnectOptions(draft, secrets, resolver), signal),
  );
  const chosen = await pickScopes(ui, scopes, split.url);
  if (chosen.some((s) => s.https)) {
    const { tls, insecure } = await askTls(ui, 'the members’ REST APIs', true);
    if (!tlsAsked || Object.keys(tls).length) draft.tls = { ...draft.tls, ...tls };
    if (insecure) draft.insecure = true;
  }
  return chosen.map((s) => ({
    ...draft,
    name: s.scope,
    source: { kind: 'dcs', url: split.url, scope: s.scope },
  }));
}

async function fromRest(
  deps: AddClusterDeps,
  resolver: ResolverInputs,
  secrets: Partial<Record<SecretKind, string>>,
): Promise<Draft[]> {
  const { ui, backend } = deps;
  const typed = need(
    await ui.input({
      title: 'Member REST URLs',
      prompt: 'comma separated, e.g. http://10.0.0.11:8008, http://10.0.0.12:8008 (user@ optional)',
      value: 'http://127.0.0.1:8008',
      validate: restUrlsError,
    }),
  );
  const bad = restUrlsError(typed);
  if (bad) throw new PatroniKitError('USAGE', bad, { hint: 'give member REST APIs as http(s)://host:8008' });
  const split = typed
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map(splitUserinfo);
  const urls = split.map((s) => s.url);
  const withUser = split.find((s) => s.username);
  const draft: Draft = { source: { kind: 'rest', urls } };
  if (urls.some((u) => /^https:/i.test(u))) {
    const { tls, insecure } = await askTls(ui, 'the members’ REST APIs', true);
    if (Object.keys(tls).length) draft.tls = tls;
    if (insecure) draft.insecure = true;
  }
  const rest = await askCredentials(
    ui,
    'REST API user',
    'restapi.authentication, needed for switchover, restart and the other writes; leave empty if not set',
    withUser?.username
      ? {
          username: withUser.username,
          ...(withUser.password !== undefined ? { password: withUser.password } : {}),
        }
      : {},
  );
  if (rest.username) draft.restUser = rest.username;
  if (rest.password) secrets.rest = rest.password;
  // Each URL names its own cluster: members of several clusters can be added at once.
  const found = await ui.busy('Asking each member for its scope', (signal) =>
    Promise.all(
      urls.map(async (url) => {
        try {
          return {
            url,
            scope: await backend.restScope(
              toConnectOptions({ ...draft, source: { kind: 'rest', urls: [url] } }, secrets, resolver),
              signal,
            ),
          };
        } catch (err) {
          return { url, error: asError(err) };
        }
      }),
    ),
  );
  const failed = found.filter((f) => 'error' in f);
  if (failed.length > 0) {
    const first = failed[0] as { url: string; error: PatroniKitError };
    throw new PatroniKitError(
      first.error.code,
      `${failed.map((f) => f.url).join(', ')} did not answer as a Patroni member: ${first.error.message}`,
      {
        cause: first.error,
        hint: first.error.hint ?? 'check the URL (restapi.connect_address) and that Patroni runs there',
      },
    );
  }
  const byScope = new Map<string, string[]>();
  for (const f of found as Array<{ url: string; scope: string }>)
    byScope.set(f.scope, [...(byScope.get(f.scope) ?? []), f.url]);
  return [...byScope].map(([scope, members]) => ({
    ...draft,
    name: scope,
    source: { kind: 'rest', urls: members },
  }));
}

/**
 * Runs Add Cluster: source → (file | DCS URL + scopes | REST URLs) → TLS and credentials → names →
 * production marks → saved. Passwords go to the store's secret storage only. Never throws: a problem is
 * returned as `failed` with the SDK's typed error (message and hint), for the adapter to show.
 */
export async function addCluster(deps: AddClusterDeps): Promise<AddClusterResult> {
  const { ui, store } = deps;
  const resolver = store.resolverInputs;
  const secrets: Partial<Record<SecretKind, string>> = {};
  try {
    const kind = need(
      await ui.pickOne('Add Patroni Cluster', [
        {
          label: 'From a patroni.yml or patronictl config…',
          detail: 'a file from the workspace or the disk; its credentials and TLS settings stay in the file',
          value: 'config' as const,
        },
        {
          label: 'From a DCS URL…',
          detail: 'etcd3://host:2379: lists every cluster in the namespace to choose from',
          value: 'dcs' as const,
        },
        {
          label: 'From member REST URLs…',
          detail: 'http(s)://host:8008, comma separated; members of several clusters are grouped by scope',
          value: 'rest' as const,
        },
      ]),
    );
    const drafts =
      kind === 'config'
        ? await fromConfig(deps, resolver)
        : kind === 'dcs'
          ? await fromDcs(deps, resolver, secrets)
          : await fromRest(deps, resolver, secrets);
    if (kind !== 'config') {
      const pg = await askCredentials(
        ui,
        'PostgreSQL user',
        'for psql terminals and queries; leave empty to skip',
      );
      for (const d of drafts) if (pg.username) d.postgresUser = pg.username;
      if (pg.password) secrets.postgres = pg.password;
    }
    const taken = new Set(store.list().map((d) => d.name));
    if (drafts.length === 1) {
      const d = drafts[0]!;
      d.name = need(
        await ui.input({
          title: 'Name shown in the tree',
          value: uniqueName(d.name ?? 'cluster', taken),
          validate: (t) => nameError(t, taken),
        }),
      ).trim();
    } else
      for (const d of drafts) {
        d.name = uniqueName(d.name ?? 'cluster', taken);
        taken.add(d.name);
      }
    const production = need(
      await ui.pickMany(
        'Mark as production (dangerous commands then ask to type the cluster name)',
        drafts.map((d, i) => ({ label: d.name!, value: i })),
        'none chosen: no cluster is marked',
      ),
    );
    const added: ClusterDefinition[] = [];
    for (const [i, d] of drafts.entries()) {
      const input: NewCluster = { ...d, name: d.name!, secrets };
      if (production.includes(i)) input.production = true;
      added.push(await store.add(input));
    }
    return { outcome: 'added', clusters: added };
  } catch (err) {
    if (err instanceof Cancelled || isPatroniKitError(err, 'ABORTED')) return { outcome: 'cancelled' };
    return { outcome: 'failed', error: asError(err) };
  }
}

/** Every call bounded: the DCS read of a namespace, and each member's `GET /patroni`. */
const TIMEOUT_MS = 5000;

/**
 * The etcd TLS files read here, asynchronously: the etcd client would read `caFile`/`certFile`/`keyFile`
 * synchronously, blocking the editor's extension host.
 */
async function withPems(conn: DcsConnection): Promise<DcsConnection> {
  const t = conn.tls;
  if (!t) return conn;
  const read = async (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw new PatroniKitError(
        'CONFIG',
        `cannot read the etcd ${what} file ${file}: ${(err as Error).message}`,
        {
          cause: err,
          hint: `check the ${what} path of this cluster`,
        },
      );
    }
  };
  const tls: NonNullable<DcsConnection['tls']> = {};
  const ca = t.ca ?? (await read(t.caFile, 'CA'));
  const cert = t.cert ?? (await read(t.certFile, 'client certificate'));
  const key = t.key ?? (await read(t.keyFile, 'client key'));
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  return { ...conn, tls };
}

/** The real backend: the SDK's resolver, DCS client and facade. `findConfigFiles` comes from the editor. */
export function sdkBackend(findConfigFiles: () => Promise<string[]>): AddClusterBackend {
  return {
    findConfigFiles,
    async inspectConfig(options) {
      const t = await resolveTarget(options);
      return {
        ...(t.scope !== undefined ? { scope: t.scope } : {}),
        hasDcs: t.dcs !== undefined,
        restUrls: t.restUrls,
      };
    },
    async listScopes(options, signal) {
      const t = await resolveTarget(options);
      if (!t.dcs)
        throw new PatroniKitError('CONFIG', 'this cluster has no DCS to list', {
          hint: 'give an etcd3:// URL or a config with an etcd3 section',
        });
      const client = new DcsClient({
        ...(await withPems(t.dcs.connection)),
        namespace: t.dcs.namespace,
        timeoutMs: TIMEOUT_MS,
      });
      try {
        const scopes = await client.listScopes({ signal, timeoutMs: TIMEOUT_MS });
        // One range read per scope for the leader's name and the members' REST schemes.
        return await Promise.all(
          scopes.map(async (s): Promise<ScopeInfo> => {
            const state = await client
              .readCluster(s.scope, { signal, timeoutMs: TIMEOUT_MS, leases: false, mustExist: false })
              .catch((err: unknown) => {
                if (isPatroniKitError(err, 'ABORTED')) throw err;
                return undefined;
              });
            const leader = state?.leader?.value;
            return {
              scope: s.scope,
              members: s.members,
              initialized: s.initialized,
              ...(leader ? { leader } : {}),
              https: state?.members.some((m) => /^https:/i.test(m.value.api_url ?? '')) ?? false,
            };
          }),
        );
      } finally {
        client.close();
      }
    },
    async restScope(options, signal) {
      const cluster = await Cluster.connect({ ...options, timeouts: { member: TIMEOUT_MS } }, signal);
      try {
        return cluster.scope;
      } finally {
        await cluster.close().catch(() => undefined);
      }
    },
  };
}
