/**
 * Every check Patroni 4.0.7's `validator.py` (`patroni --validate-config`) makes, environment probes aside
 * (reachability, ports in use, binaries and directories on disk), each seeded by exactly one mutation of the
 * corpus (`validator` in mutations.json) that the linter must report as an error. scripts/bench-lint.mjs runs
 * Patroni 4.0.7's validator on the same files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintText } from '../src/index.js';

const corpus = fileURLToPath(new URL('../../../../test/corpus/config/', import.meta.url));
const VALIDATOR = '/var/cache/patroni-kit/patroni-4/usr/lib/python3/dist-packages/patroni/validator.py';

/** The checks, read off validator.py 4.0.7 (its `schema` and the validate_* helpers it calls). */
export const VALIDATOR_CHECKS = [
  'name required',
  'name is a string',
  'scope required',
  'scope is a string',
  'log.type enum',
  'log.level enum (case-sensitive)',
  'log.traceback_level enum',
  'log.format string or list',
  'log.format non-empty list',
  'log.format items',
  'log.dateformat is a string',
  'log.static_fields is a mapping',
  'log.max_queue_size is an integer',
  'log.dir is a string',
  'log.file_num is an integer',
  'log.file_size is an integer',
  'log.mode 0..511',
  'log.loggers is a mapping',
  'ctl.insecure is a boolean',
  'ctl.cacert is a string',
  'ctl.certfile is a string',
  'ctl.keyfile is a string',
  'ctl.keyfile_password is a string',
  'restapi required',
  'restapi.listen required',
  'restapi.listen host:port',
  'restapi.connect_address required',
  'restapi.connect_address host:port',
  'restapi.connect_address not a wildcard',
  'restapi.connect_address not loopback',
  'restapi.authentication.username required',
  'restapi.authentication.password required',
  'restapi.authentication.username is a string',
  'restapi.certfile is a string',
  'restapi.keyfile is a string',
  'restapi.keyfile_password is a string',
  'restapi.cafile is a string',
  'restapi.ciphers is a string',
  'restapi.verify_client enum',
  'restapi.allowlist is a list',
  'restapi.allowlist not empty',
  'restapi.allowlist items are strings',
  'restapi.allowlist_include_members is a boolean',
  'restapi.http_extra_headers is a mapping',
  'restapi.https_extra_headers is a mapping',
  'restapi.request_queue_size 0..4096',
  'restapi.request_queue_size is an integer',
  'bootstrap.dcs required',
  'bootstrap.dcs.ttl minimum',
  'bootstrap.dcs.loop_wait minimum',
  'bootstrap.dcs.retry_timeout minimum',
  'bootstrap.dcs.maximum_lag_on_failover minimum',
  'bootstrap.dcs.maximum_lag_on_syncnode minimum',
  'bootstrap.dcs.member_slots_ttl minimum',
  'bootstrap.dcs.ttl is an integer',
  'bootstrap.dcs.loop_wait is an integer',
  'bootstrap.dcs.retry_timeout is an integer',
  'bootstrap.dcs.ttl not negative',
  'bootstrap.dcs.loop_wait not negative',
  'bootstrap.dcs.postgresql.parameters.max_connections minimum',
  'bootstrap.dcs.postgresql.parameters.max_locks_per_transaction minimum',
  'bootstrap.dcs.postgresql.parameters.max_prepared_transactions minimum',
  'bootstrap.dcs.postgresql.parameters.max_replication_slots minimum',
  'bootstrap.dcs.postgresql.parameters.max_wal_senders minimum',
  'bootstrap.dcs.postgresql.parameters.max_worker_processes minimum',
  'bootstrap.dcs.postgresql.parameters.max_connections maximum',
  'bootstrap.dcs.postgresql.parameters.max_wal_senders is an integer',
  'bootstrap.dcs.postgresql.use_pg_rewind is a boolean',
  'bootstrap.dcs.postgresql.pg_hba is a list',
  'bootstrap.dcs.postgresql.pg_hba not empty',
  'bootstrap.dcs.postgresql.pg_ident is a list',
  'bootstrap.dcs.postgresql.pg_ctl_timeout minimum',
  'bootstrap.dcs.postgresql.use_slots is a boolean',
  'bootstrap.dcs.primary_start_timeout minimum',
  'bootstrap.dcs.primary_stop_timeout minimum',
  'bootstrap.dcs.standby_cluster needs host, port or restore_command',
  'bootstrap.dcs.standby_cluster.host is a string',
  'bootstrap.dcs.standby_cluster.port maximum',
  'bootstrap.dcs.standby_cluster.port is an integer',
  'bootstrap.dcs.standby_cluster.restore_command is a string',
  'bootstrap.dcs.standby_cluster.primary_slot_name is a string',
  'bootstrap.dcs.standby_cluster.create_replica_methods is a list',
  'bootstrap.dcs.standby_cluster.archive_cleanup_command is a string',
  'bootstrap.dcs.standby_cluster.recovery_min_apply_delay is a string (Patroni itself also takes an integer)',
  'bootstrap.dcs.synchronous_mode is a boolean',
  'bootstrap.dcs.synchronous_mode_strict is a boolean',
  'bootstrap.dcs.synchronous_node_count minimum',
  'bootstrap.initdb is a list',
  'bootstrap.initdb not empty',
  'bootstrap.initdb items are strings or mappings',
  'bootstrap.method is a string',
  'a DCS section is required',
  'etcd3 needs host, hosts, srv, srv_suffix, url or proxy',
  'etcd3.host host:port',
  'etcd3.hosts entries host:port (list)',
  'etcd3.hosts entries host:port (string)',
  'etcd3.hosts port range',
  'etcd3.hosts not empty',
  'etcd3.srv is a string',
  'etcd3.srv_suffix is a string',
  'etcd3.url is a string',
  'etcd3.proxy is a string',
  'etcd3.protocol is a string',
  'etcd3.username is a string',
  'etcd3.password is a string',
  'etcd3.cacert is a string',
  'etcd3.cert is a string',
  'etcd3.key is a string',
  'consul needs host or url',
  'consul.host host:port',
  'consul.url is a string',
  'consul.port maximum',
  'consul.port is an integer',
  'consul.scheme is a string',
  'consul.cacert is a string',
  'consul.cert is a string',
  'consul.key is a string',
  'consul.service_check_tls_server_name is a string',
  'consul.token is a string',
  'consul.dc is a string',
  'consul.service_check_interval is a string',
  'consul.verify is a boolean',
  'consul.checks is a list of strings',
  'consul.register_service is a boolean',
  'consul.service_tags is a list of strings',
  'consul.consistency enum',
  'exhibitor.hosts required',
  'exhibitor.hosts is a list of strings',
  'exhibitor.port required',
  'exhibitor.port maximum',
  'exhibitor.port is an integer',
  'exhibitor.poll_interval minimum',
  'raft.self_addr required',
  'raft.self_addr host:port',
  'raft.self_addr not a wildcard',
  'raft.bind_addr host:port',
  'raft.partner_addrs required',
  'raft.partner_addrs entries host:port',
  'raft.partner_addrs is a list',
  'raft.data_dir is a string',
  'raft.password is a string',
  'zookeeper.hosts required',
  'zookeeper.hosts entries host:port',
  'zookeeper.hosts string entries host:port',
  'zookeeper.use_ssl is a boolean',
  'zookeeper.cacert is a string',
  'zookeeper.cert is a string',
  'zookeeper.key is a string',
  'zookeeper.key_password is a string',
  'zookeeper.verify is a boolean',
  'zookeeper.set_acls is a mapping',
  'zookeeper.auth_data is a mapping',
  'kubernetes.labels required',
  'kubernetes.labels is a mapping',
  'kubernetes.bypass_api_service is a boolean',
  'kubernetes.namespace is a string',
  'kubernetes.scope_label is a string',
  'kubernetes.role_label is a string',
  'kubernetes.leader_label_value is a string',
  'kubernetes.follower_label_value is a string',
  'kubernetes.standby_leader_label_value is a string',
  'kubernetes.tmp_role_label is a string',
  'kubernetes.cacert is a string',
  'kubernetes.use_endpoints is a boolean',
  'kubernetes.pod_ip is an IP address',
  'kubernetes.ports is a list',
  'kubernetes.ports[].name is a string',
  'kubernetes.ports[].port maximum',
  'kubernetes.ports[].name required',
  'kubernetes.retriable_http_codes integer or list of integers',
  'citus.database required',
  'citus.database is a string',
  'citus.group required',
  'citus.group minimum',
  'citus.group is an integer',
  'postgresql.listen required',
  'postgresql.listen host:port',
  "postgresql.listen '*' alone",
  'postgresql.connect_address required',
  'postgresql.connect_address not a wildcard',
  'postgresql.proxy_address host:port',
  'postgresql.proxy_address not a wildcard',
  'postgresql.authentication required',
  'postgresql.authentication.replication required',
  'postgresql.authentication.superuser required',
  'postgresql.authentication.*.username required',
  'postgresql.authentication.*.username is a string',
  'postgresql.authentication.*.password is a string',
  'postgresql.data_dir required',
  'postgresql.data_dir not empty',
  'postgresql.bin_name.* not empty (pg_ctl, initdb, pg_controldata, pg_basebackup, postgres, pg_isready, pg_rewind)',
  'postgresql.authentication.rewind.username required',
  'postgresql.parameters.unix_socket_directories is a string',
  'postgresql.pg_hba is a list of strings',
  'postgresql.pg_ident is a list',
  'postgresql.pg_ctl_timeout minimum',
  'postgresql.use_pg_rewind is a boolean',
  'watchdog.mode enum',
  'watchdog.device is a string',
  'watchdog.safety_margin minimum',
  'watchdog.safety_margin is an integer',
  'tags: at most one of nofailover and failover_priority',
  'tags.nofailover is a boolean',
  'tags.failover_priority minimum',
  'tags.failover_priority is an integer',
  'tags.clonefrom is a boolean',
  'tags.noloadbalance is a boolean',
  'tags.replicatefrom is a string',
  'tags.nosync is a boolean',
  'tags.nostream is a boolean',
] as const;

/** Checks the policy reports below error: the finding depends on the deployment (docs/lint-rules.md). */
const POLICY_EXCEPTIONS: Record<string, string> = {
  'restapi.connect_address not loopback': 'warning',
};

interface Mutation {
  id: string;
  validator?: string;
  base: string;
  replace: Array<[string, string]>;
  expect: Array<{ rule: string; severity: string; path: string }>;
}
const mutations = (
  JSON.parse(readFileSync(join(corpus, 'mutations.json'), 'utf8')) as { mutations: Mutation[] }
).mutations.filter((m) => m.validator !== undefined);

describe("Patroni 4.0.7's validator checks", () => {
  it('each check has exactly one mutation, and every mutation names a listed check', () => {
    for (const c of VALIDATOR_CHECKS) assert.equal(mutations.filter((m) => m.validator === c).length, 1, c);
    const listed = new Set<string>(VALIDATOR_CHECKS);
    assert.deepEqual(
      mutations.filter((m) => !listed.has(m.validator!)).map((m) => m.id),
      [],
    );
  });

  for (const m of mutations) {
    it(`${m.validator}: reported as ${POLICY_EXCEPTIONS[m.validator!] ?? 'error'}`, () => {
      const base = readFileSync(join(corpus, m.base), 'utf8');
      let text = base;
      for (const [from, to] of m.replace) text = text.replace(from, to);
      const key = (f: { rule: string; path: string; severity: string }) =>
        `${f.rule} ${f.severity} ${f.path}`;
      const before = new Set(lintText(base).findings.map(key));
      const added = lintText(text).findings.filter((f) => !before.has(key(f)));
      const want = POLICY_EXCEPTIONS[m.validator!] ?? 'error';
      assert.ok(
        added.some((f) => f.severity === want),
        `${m.id}: no ${want} among ${added.map(key).join('; ') || 'nothing'}`,
      );
    });
  }

  it('every key of validator.py appears in a check (the list is complete)', () => {
    // scripts/setup.sh unpacks Patroni 4.0.7 there; without it this check would pass unseen, so it fails
    assert.ok(existsSync(VALIDATOR), `${VALIDATOR} is missing: run scripts/setup.sh`);
    const src = readFileSync(VALIDATOR, 'utf8');
    const schema = src.slice(src.indexOf('validate_etcd = {'));
    const keys = new Set<string>();
    for (const m of schema.matchAll(
      /Optional\("([a-z_]+)"|"([a-z_]+)"\s*:|(?:Or|AtMostOne)\(((?:"[a-z_]+",?\s*)+)\)/g,
    ))
      for (const k of (m[1] ?? m[2] ?? m[3] ?? '').match(/[a-z_]+/g) ?? []) keys.add(k);
    // the DCS names are the sections; bin_dir is only probed on disk (an environment check)
    for (const k of ['consul', 'etcd', 'etcd3', 'exhibitor', 'raft', 'zookeeper', 'kubernetes', 'bin_dir'])
      keys.delete(k);
    const text = VALIDATOR_CHECKS.join(' ');
    const missing = [...keys].filter((k) => !new RegExp(`\\b${k}\\b`).test(text));
    assert.deepEqual(missing, []);
  });
});
