// moved to @patroni-kit/dcs; the lead removes this shim at merge
/** etcd's JSON gateway now lives in `@patroni-kit/dcs/gateway` ({@link GatewayTransport}); the old names here. */
import type { ConnectionOptions, RawKv } from '@patroni-kit/dcs';
import { GatewayTransport } from '@patroni-kit/dcs/gateway';

/** How to reach etcd: `@patroni-kit/dcs`'s ConnectionOptions. */
export type GatewayConnection = ConnectionOptions;

/** Result of a range read. */
export interface GatewayRange {
  revision: string;
  kvs: RawKv[];
  endpoint: string;
}

/** The old facade over {@link GatewayTransport}: range reads and lease TTLs. */
export class EtcdGateway {
  readonly endpoints: string[];
  readonly #transport: GatewayTransport;

  constructor(conn: GatewayConnection) {
    this.#transport = new GatewayTransport(conn);
    this.endpoints = [...this.#transport.endpoints];
  }

  /** One linearizable range read of `prefix` (or of the single key when `prefix` is false). */
  async range(
    key: string,
    opts: { prefix?: boolean; timeoutMs: number; signal?: AbortSignal | undefined; serializable?: boolean },
  ): Promise<GatewayRange> {
    const { revision, kvs, endpoint } = await this.#transport.range(key, {
      timeoutMs: opts.timeoutMs,
      ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      ...(opts.serializable === undefined ? {} : { serializable: opts.serializable }),
    });
    return { revision, kvs, endpoint };
  }

  /** Remaining seconds of a lease (`-1` when it expired). */
  async leaseTtl(id: string, opts: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<number> {
    return (
      await this.#transport.leaseTimeToLive(id, {
        timeoutMs: opts.timeoutMs,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      })
    ).ttl;
  }
}
