/**
 * Writes hand-written, Patroni-shaped keys into a real etcd, modelled on what Patroni 3.0.2 and 4.x write
 * (keys written by a real Patroni are decoded in patroni-lab.test.ts).
 */
import type { Etcd3 } from 'etcd3';

/** Patroni generation whose key formats to write. */
export type Style = '3.0' | '4.1';

/** Member values as written by `style`. */
export function memberValue(
  style: Style,
  name: string,
  host: string,
  role: 'leader' | 'replica',
  xlog: number,
): string {
  const v: Record<string, unknown> = {
    conn_url: `postgres://${host}:5432/postgres`,
    api_url: `http://${host}:8008/patroni`,
    state: 'running',
    role: role === 'leader' ? (style === '3.0' ? 'master' : 'primary') : 'replica',
    version: style === '3.0' ? '3.0.2' : '4.1.4',
    xlog_location: xlog,
    timeline: 2,
  };
  if (style === '4.1' && role === 'replica') {
    v.replication_state = 'streaming';
    v.receive_lsn = xlog;
    v.replay_lsn = xlog;
  }
  if (name === 'n3') v.tags = { nofailover: true, mytag: 'abc' };
  return JSON.stringify(v);
}

/** Seeds a three-member cluster `scope` (leader n1) and returns the etcd3 client and lease IDs used. */
export async function seedCluster(
  client: Etcd3,
  namespace: string,
  scope: string,
  style: Style,
): Promise<{ leases: Record<string, string>; prefix: string }> {
  const prefix = `/${namespace}/${scope}/`;
  const leases: Record<string, string> = {};
  for (const n of ['n1', 'n2', 'n3']) {
    // Long TTL: the test controls when member keys disappear.
    leases[n] = (await client.leaseClient.leaseGrant({ TTL: 600 })).ID;
  }
  const put = (key: string, value: string, lease?: string) =>
    client.kv.put({ key: Buffer.from(prefix + key), value: Buffer.from(value), ...(lease ? { lease } : {}) });
  await put('initialize', '7712147284903196905');
  await put(
    'config',
    JSON.stringify({
      ttl: 30,
      loop_wait: 10,
      retry_timeout: 10,
      maximum_lag_on_failover: 1048576,
      postgresql: { use_pg_rewind: true, use_slots: true, parameters: { max_connections: 100 } },
      ...(style === '4.1' ? { synchronous_mode: 'quorum' } : { synchronous_mode: true }),
    }),
  );
  await put('members/n1', memberValue(style, 'n1', '127.0.5.11', 'leader', 67110248), leases.n1);
  await put('members/n2', memberValue(style, 'n2', '127.0.5.12', 'replica', 67110000), leases.n2);
  await put(
    'members/n3',
    memberValue(style, 'n3', '127.0.5.13', 'replica', 67110248 - 3 * 1048576),
    leases.n3,
  );
  await put('leader', 'n1', leases.n1);
  await put(
    'history',
    JSON.stringify([[1, 67109256, 'no recovery target specified', '2026-11-25T16:32:00.954145+00:00', 'n1']]),
  );
  await put('failover', '{}');
  await put(
    'sync',
    JSON.stringify(
      style === '4.1'
        ? { leader: 'n1', quorum: 1, sync_standby: 'n2' }
        : { leader: 'n1', sync_standby: 'n2' },
    ),
  );
  await put(
    'status',
    JSON.stringify(
      style === '4.1'
        ? { optime: 67110248, slots: { n2: 67110248 }, retain_slots: ['n1', 'n2', 'n3'] }
        : { optime: 67110248 },
    ),
  );
  if (style === '3.0') await put('optime/leader', '67110248');
  await put(
    'failsafe',
    JSON.stringify({ n1: 'http://127.0.5.11:8008/patroni', n2: 'http://127.0.5.12:8008/patroni' }),
  );
  return { leases, prefix };
}
