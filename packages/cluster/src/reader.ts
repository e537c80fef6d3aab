/**
 * The view reader: one cluster read is one DCS range read (like patronictl) plus each member's own
 * `GET /patroni`, falling back to `GET /cluster` on a member when the DCS cannot be read. It holds the lean
 * read path (built-in HTTP and etcd's JSON gateway, so that `list` does not load undici or etcd3).
 */

import type { ClusterState } from '@patroni-kit/dcs';
import { buildClusterState } from '@patroni-kit/dcs/decode';
import { GatewayTransport } from '@patroni-kit/dcs/gateway';
import { clusterPrefix } from '@patroni-kit/dcs/keys';
import { errorInfo, isPatroniKitError, PatroniKitError, redactUrl } from '@patroni-kit/errors';
import type { ClusterStatus, NodeStatus } from '@patroni-kit/rest';
import { leanRequest, parseJsonBody } from '@patroni-kit/rest/lean';
import type { ResolvedTarget } from './config.js';
import { type ClockOffset, clockOffsetBounds } from './explain.js';
import type { ConnectionTimeouts } from './timeouts.js';
import type { ClusterView, MemberLive } from './types.js';
import { liveFromStatus, viewFromDcs, viewFromRest } from './view.js';

/** Options of one cluster read. */
export interface StatusOptions {
  signal?: AbortSignal;
  /** Ask each member's `GET /patroni` (default true). */
  live?: boolean;
}

/** Reads {@link ClusterView}s of one cluster; remembers member URLs and clock offsets between reads. */
export class ViewReader {
  readonly #target: ResolvedTarget;
  readonly #timeouts: ConnectionTimeouts;
  readonly #scope: () => string;
  readonly #gateway: GatewayTransport | undefined;
  readonly #apiUrls = new Map<string, string>();
  /** Clock offset bounds of the last answer from each REST origin. */
  readonly #clockOffsets = new Map<string, ClockOffset>();
  /** How many cluster reads and member GETs this reader made (for hop counts in tests and benchmarks). */
  readonly counts = { reads: 0, requests: 0 };

  constructor(target: ResolvedTarget, timeouts: ConnectionTimeouts, scope: () => string) {
    this.#target = target;
    this.#timeouts = timeouts;
    this.#scope = scope;
    if (target.dcs) this.#gateway = new GatewayTransport(target.dcs.connection);
  }

  /** Reads the DCS like patronictl (one range read), falling back to `GET /cluster`, then asks each member. */
  async read(opts: StatusOptions = {}): Promise<ClusterView> {
    const { signal } = opts;
    this.counts.reads++;
    let state: ClusterState | undefined;
    let dcsError: unknown;
    if (this.#gateway) {
      try {
        state = await this.#readState(signal);
      } catch (err) {
        if (isPatroniKitError(err, 'ABORTED', 'NOT_FOUND', 'AUTH') && this.#target.restUrls.length === 0)
          throw err;
        dcsError = err;
      }
    }
    let view: ClusterView;
    if (state) {
      const live =
        opts.live === false
          ? new Map<string, MemberLive>()
          : await this.#probeAll(
              state.members.map((m) => [m.name, m.value.api_url]),
              signal,
            );
      view = viewFromDcs(state, live);
    } else {
      const seeds = [...new Set([...this.#target.restUrls, ...this.#apiUrls.values()])];
      if (seeds.length === 0) throw dcsError;
      let status: ClusterStatus | undefined;
      let seedError: unknown;
      let used = '';
      for (const seed of seeds) {
        try {
          status = await this.cluster(seed, { signal });
          used = seed;
          break;
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          seedError = err;
        }
      }
      if (!status) {
        const parts = [dcsError, seedError].filter(Boolean).map((e) => (e as Error).message);
        throw new PatroniKitError('CONNECT', `cannot read cluster ${this.#scope()}: ${parts.join('; ')}`, {
          hint: 'neither etcd nor any member REST API answered: check the config, --dcs-url or --rest-url',
          cause: dcsError ?? seedError,
        });
      }
      const live =
        opts.live === false
          ? new Map<string, MemberLive>()
          : await this.#probeAll(
              status.members.map((m) => [m.name, m.api_url ?? undefined]),
              signal,
            );
      view = viewFromRest(this.#scope(), status, live);
      if (dcsError)
        view.warnings.unshift(
          `the DCS could not be read (${(dcsError as Error).message}); this view comes from GET /cluster on ${used}, which can be stale while etcd has no quorum`,
        );
    }
    for (const m of view.members) if (m.apiUrl) this.#apiUrls.set(m.name, m.apiUrl);
    return view;
  }

  /** `GET /patroni` of one member URL, checked to be a Patroni node status. */
  async member(url: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<NodeStatus> {
    const body = (await this.#getJson(url, '/patroni', opts.signal)) as NodeStatus;
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof body.state !== 'string' ||
      typeof body.patroni?.version !== 'string'
    )
      throw new PatroniKitError(
        'DECODE',
        `GET ${originOf(url)}/patroni: the answer is JSON but not a Patroni node status`,
        {
          hint: 'this is not a Patroni REST API; check the URL and port (restapi.listen, 8008 by default)',
        },
      );
    return body;
  }

  /** `GET /cluster` of one member URL, checked to be a Patroni cluster status. */
  async cluster(url: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<ClusterStatus> {
    const body = (await this.#getJson(url, '/cluster', opts.signal)) as ClusterStatus;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.members))
      throw new PatroniKitError('DECODE', `GET ${originOf(url)}/cluster: not a Patroni cluster status`, {
        hint: 'this is not a Patroni REST API; check the URL and port',
      });
    return body;
  }

  async #readState(signal?: AbortSignal): Promise<ClusterState> {
    const ns = this.#target.namespace;
    const scope = this.#scope();
    const prefix = clusterPrefix(ns, scope, this.#target.group);
    this.counts.requests++;
    const res = await this.#gateway!.range(prefix, {
      prefix: true,
      timeoutMs: this.#timeouts.dcs,
      ...(signal ? { signal } : {}),
    });
    if (res.kvs.length === 0)
      throw new PatroniKitError(
        'NOT_FOUND',
        `no Patroni cluster '${scope}' in namespace /${ns}/ of etcd ${res.endpoint}`,
        {
          hint: 'check scope and namespace in the config (or the cluster name you gave)',
        },
      );
    return buildClusterState(res.kvs, { namespace: ns, scope, prefix, revision: res.revision });
  }

  async #probeAll(
    members: Array<[string, string | undefined]>,
    signal?: AbortSignal,
  ): Promise<Map<string, MemberLive>> {
    const out = new Map<string, MemberLive>();
    await Promise.all(
      members.map(async ([name, url]) => {
        if (!url) {
          out.set(name, {
            reachable: false,
            error: { code: 'CONFIG', message: 'the member published no api_url' },
          });
          return;
        }
        try {
          const live = liveFromStatus(await this.member(url, { signal }));
          const offset = this.#clockOffsets.get(originOf(url));
          if (offset) live.clockOffset = offset;
          out.set(name, live);
        } catch (err) {
          if (isPatroniKitError(err, 'ABORTED')) throw err;
          const { code, message } = errorInfo(err);
          out.set(name, { reachable: false, error: { code, message } });
        }
      }),
    );
    return out;
  }

  async #getJson(url: string, path: string, signal?: AbortSignal): Promise<unknown> {
    const full = `${originOf(url)}${path}`;
    const sentAt = Date.now();
    this.counts.requests++;
    const res = await leanRequest({
      url: full,
      timeoutMs: this.#timeouts.member,
      signal,
      tls: this.#target.tls,
      onRequest: this.#target.onRequest,
    });
    const date = res.headers.date;
    const offset = clockOffsetBounds(sentAt, Date.now(), typeof date === 'string' ? date : undefined);
    if (offset) this.#clockOffsets.set(originOf(url), offset);
    if (res.status !== 200)
      throw new PatroniKitError('HTTP_STATUS', `GET ${full}: HTTP ${res.status}`, {
        status: res.status,
        hint: 'this does not look like a Patroni REST API; check the URL',
      });
    return parseJsonBody(res, `GET ${full}`);
  }
}

/** `http(s)://host:port` of a member URL; a URL that does not parse (a hostile `api_url`) is a CONFIG error. */
export function originOf(url: string): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new PatroniKitError(
      'CONFIG',
      `the member URL ${redactUrl(String(url)).slice(0, 200)} is not a URL`,
      {
        hint: 'check restapi.connect_address of that member (it publishes it as api_url)',
      },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new PatroniKitError(
      'CONFIG',
      `the member URL ${redactUrl(u.origin)} is neither http:// nor https://`,
      {
        hint: 'check restapi.connect_address of that member',
      },
    );
  return u.origin;
}
