/**
 * Source of `schemas/patroni.schema.json` and `schemas/patroni-dcs.schema.json`.
 *
 * The JSON files are generated from this module by `scripts/gen-config-schema.mjs` (run it after every
 * edit; CI runs it with `--check`). Writing the schema through small helpers keeps every key's type,
 * default, since-version and hover text in one place, and lets the DCS schema and `bootstrap.dcs` share
 * one definition. Facts come from shared/reference/patroni-config-keys.tsv and patroni.md §4–6.
 *
 * Custom annotations (ignored by JSON Schema validators, read by @patroni-kit/config):
 * - `x-patroni-since`: first Patroni version that reads the key.
 * - `x-patroni-removed`: first Patroni version that ignores the key again.
 * - `x-patroni-where`: `local` (patroni.yml/env only), `dynamic` (DCS only), `both`.
 * - `x-patroni-env`: the PATRONI_* variable that can set the key.
 */

export const SCHEMA_ID = 'https://patroni-kit.dev/schemas/patroni.schema.json';
export const DCS_SCHEMA_ID = 'https://patroni-kit.dev/schemas/patroni-dcs.schema.json';

/** Adds description, markdownDescription, default and annotations to a schema node. */
function meta(node, desc, opts = {}) {
  const out = { ...node };
  let text = desc;
  if (opts.default !== undefined) out.default = opts.default;
  const notes = [];
  if (opts.defaultText) notes.push(`Default: ${opts.defaultText}.`);
  else if (opts.default !== undefined) notes.push(`Default: \`${JSON.stringify(opts.default)}\`.`);
  if (opts.since) {
    out['x-patroni-since'] = opts.since;
    notes.push(`Since Patroni ${opts.since}.`);
  }
  if (opts.removed) {
    out['x-patroni-removed'] = opts.removed;
    notes.push(`Ignored since Patroni ${opts.removed}.`);
  }
  if (opts.where) out['x-patroni-where'] = opts.where;
  if (opts.env) {
    out['x-patroni-env'] = opts.env;
    notes.push(`Environment: \`${opts.env}\`.`);
  }
  if (opts.deprecated) {
    out.deprecated = true;
    out.deprecationMessage = opts.deprecated;
    notes.push(`Deprecated: ${opts.deprecated}`);
  }
  if (opts.examples) out.examples = opts.examples;
  if (notes.length > 0) text = `${desc}\n\n${notes.join(' ')}`;
  out.description = text;
  out.markdownDescription = text;
  return out;
}

const str = (desc, opts) => meta({ type: 'string' }, desc, opts);
const path = (desc, opts) => meta({ type: 'string', minLength: 1 }, desc, opts);
const bool = (desc, opts) => meta({ type: 'boolean' }, desc, opts);
/** Strict integer (Patroni's validator checks the Python type). */
const int = (desc, opts = {}) =>
  meta(
    {
      type: 'integer',
      ...(opts.min === undefined ? {} : { minimum: opts.min }),
      ...(opts.max === undefined ? {} : { maximum: opts.max }),
    },
    desc,
    opts,
  );
/** Integer that Patroni also accepts as a numeric string (parsed with its parse_int helper). */
const intish = (desc, opts = {}) =>
  meta(
    {
      type: ['integer', 'string'],
      pattern: opts.units ? '^\\s*-?\\d+\\s*(us|ms|s|min|h|d)?\\s*$' : '^\\s*-?\\d+\\s*$',
      ...(opts.min === undefined ? {} : { minimum: opts.min }),
      ...(opts.max === undefined ? {} : { maximum: opts.max }),
    },
    desc,
    opts,
  );
const en = (values, desc, opts) => meta({ enum: values }, desc, opts);
/** A list; `nonEmpty` where Patroni's validator rejects an empty list ("is an empty list"). */
const list = (items, desc, opts = {}) =>
  meta({ type: 'array', items, ...(opts.nonEmpty ? { minItems: 1 } : {}) }, desc, opts);
const strList = (desc, opts) => list({ type: 'string' }, desc, opts);
const map = (desc, opts) => meta({ type: 'object' }, desc, opts);
/** Closed object: only the listed keys are valid. */
const obj = (properties, desc, opts = {}) =>
  meta(
    {
      type: 'object',
      properties,
      ...(opts.required ? { required: opts.required } : {}),
      additionalProperties: opts.additional ?? false,
      ...(opts.extra ?? {}),
    },
    desc,
    opts,
  );
/** A `host:port` string. */
const hostPort = (desc, opts) =>
  meta({ type: 'string', pattern: '^.*:\\d{1,5}$' }, desc, { examples: ['10.0.0.11:8008'], ...opts });
/** Host list: YAML list or comma-separated string. */
const hostList = (desc, opts) =>
  meta(
    {
      anyOf: [
        { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
        { type: 'string', minLength: 1 },
      ],
    },
    desc,
    opts,
  );

// ---------------------------------------------------------------------------------------------------
// Shared pieces

const LIBPQ_SSLMODE = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

function userAttributes(role, desc) {
  const P = `PATRONI_${role.toUpperCase()}_`;
  return obj(
    {
      username: str('Role name Patroni connects as.', { env: `${P}USERNAME` }),
      password: meta(
        { type: ['string', 'null'] },
        'Password of the role. Leave out only when peer/cert authentication is used (Patroni then writes no password into its pgpass file).',
        { env: `${P}PASSWORD` },
      ),
      sslmode: en(LIBPQ_SSLMODE, "libpq `sslmode` for this role's connections.", { env: `${P}SSLMODE` }),
      sslkey: path('libpq `sslkey`: client private key file.', { env: `${P}SSLKEY` }),
      sslpassword: str('libpq `sslpassword`: password of `sslkey`.', { env: `${P}SSLPASSWORD` }),
      sslcert: path('libpq `sslcert`: client certificate file.', { env: `${P}SSLCERT` }),
      sslrootcert: path('libpq `sslrootcert`: CA file used to verify the server.', {
        env: `${P}SSLROOTCERT`,
      }),
      sslcrl: path('libpq `sslcrl`: certificate revocation list file.', { env: `${P}SSLCRL` }),
      sslcrldir: path('libpq `sslcrldir`: certificate revocation list directory.', { env: `${P}SSLCRLDIR` }),
      sslnegotiation: en(['postgres', 'direct'], 'libpq `sslnegotiation` (PostgreSQL 17+ clients).', {
        since: '4.0.3',
        env: `${P}SSLNEGOTIATION`,
      }),
      gssencmode: en(['disable', 'prefer', 'require'], 'libpq `gssencmode`.', { env: `${P}GSSENCMODE` }),
      channel_binding: en(['disable', 'prefer', 'require'], 'libpq `channel_binding`.', {
        env: `${P}CHANNEL_BINDING`,
      }),
    },
    desc,
    { required: ['username'] },
  );
}

/** PostgreSQL GUCs: open, with Patroni-controlled ones described and range-checked. */
function parameters(where) {
  const guc = (desc, opts) => meta({ type: ['string', 'number', 'boolean'] }, desc, opts);
  const controlled =
    where === 'local'
      ? ' Patroni controls this GUC: a value here is dropped; set it in `bootstrap.dcs.postgresql.parameters` or with `patronictl edit-config`.'
      : '';
  return meta(
    {
      type: ['object', 'null'],
      properties: {
        max_connections: intish(
          `Maximum concurrent connections (Patroni requires >= 25, else uses 100).${controlled}`,
          {
            min: 1,
            max: 262143,
            default: 100,
          },
        ),
        max_locks_per_transaction: intish(
          `Shared lock table size per transaction (Patroni requires >= 32).${controlled}`,
          {
            min: 10,
            max: 2147483647,
            default: 64,
          },
        ),
        max_prepared_transactions: intish(`Maximum prepared transactions.${controlled}`, {
          min: 0,
          max: 262143,
          default: 0,
        }),
        max_replication_slots: intish(
          `Maximum replication slots (Patroni requires >= 4); cover one slot per member plus permanent slots.${controlled}`,
          { min: 0, max: 262143, default: 10 },
        ),
        max_wal_senders: intish(
          `Maximum WAL sender processes (Patroni requires >= 3); 0 disables replication.${controlled}`,
          { min: 0, max: 262143, default: 10 },
        ),
        max_worker_processes: intish(`Maximum background workers (Patroni requires >= 2).${controlled}`, {
          min: 0,
          max: 262143,
          default: 8,
        }),
        wal_level: en(
          ['hot_standby', 'replica', 'logical', 'minimal', 'archive'],
          `WAL detail level; Patroni accepts only hot_standby/replica/logical (minimal disables replication).${controlled}`,
          { default: 'replica' },
        ),
        hot_standby: guc(`Allow queries on replicas; Patroni only accepts \`on\`.${controlled}`, {
          default: 'on',
        }),
        wal_log_hints: guc(
          `Write full pages on hint-bit changes; needed by pg_rewind unless data checksums are on (Patroni 3.x forces it on).${controlled}`,
          { default: 'on' },
        ),
        track_commit_timestamp: guc(`Record commit timestamps.${controlled}`, { default: 'off' }),
        wal_keep_segments: intish(
          `WAL segments kept for replicas (PostgreSQL < 13; Patroni requires >= 1).${controlled}`,
          {
            default: 8,
          },
        ),
        wal_keep_size: guc(`WAL kept for replicas (PostgreSQL 13+; Patroni requires >= 16MB).${controlled}`, {
          default: '128MB',
        }),
        listen_addresses: guc('Never settable: Patroni derives it from `postgresql.listen`.'),
        port: guc('Never settable: Patroni derives it from `postgresql.listen`.'),
        cluster_name: guc('Never settable: Patroni sets it to `scope`.'),
        unix_socket_directories: meta(
          { type: 'string', minLength: 1 },
          'Socket directories; the first absolute one is used when `use_unix_socket` is on.',
        ),
        synchronous_standby_names: guc(
          'Owned by Patroni while `synchronous_mode` is on; your value is used only when it is off (3.3.2+).',
        ),
        hba_file: str('Non-default path makes Patroni ignore `postgresql.pg_hba`.'),
        ident_file: str('Non-default path makes Patroni ignore `postgresql.pg_ident`.'),
        password_encryption: en(['scram-sha-256', 'md5', 'on', 'off'], 'Hash used for new passwords.'),
      },
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    where === 'local'
      ? 'PostgreSQL GUCs (any name). Patroni-controlled GUCs (max_connections, max_wal_senders, wal_level, …) are dropped here: put them in the dynamic configuration.'
      : 'PostgreSQL GUCs applied on every member; the only place for Patroni-controlled GUCs (max_connections, max_wal_senders, wal_level, max_replication_slots, …).',
    { where },
  );
}

const pgHba = (where) =>
  strList(
    'pg_hba.conf lines written by Patroni. Must let the replication user connect (`host replication <user> <network> <method>`) from every other member.',
    {
      where,
      nonEmpty: true,
      examples: [['local all all peer', 'host replication replicator 10.0.0.0/24 scram-sha-256']],
    },
  );

const recoveryConf = map(
  'Extra recovery settings for replicas (restore_command, recovery_min_apply_delay, …); written as GUCs on PostgreSQL 12+.',
  { where: 'both' },
);

// ---------------------------------------------------------------------------------------------------
// Dynamic configuration (DCS /config, seeded from bootstrap.dcs)

function slotDefinition() {
  return meta(
    {
      type: ['object', 'null'],
      properties: {
        type: en(
          ['physical', 'logical'],
          'Slot type; logical when database and plugin are given, else physical.',
        ),
        database: str('Database of a logical slot (required for logical slots).'),
        plugin: str('Output plugin of a logical slot (required for logical slots).'),
        cluster_type: en(
          ['primary', 'standby'],
          "Create this physical slot only in primary or only in standby clusters (upstream 4.1.0; Debian's 4.0.7 has it too).",
          { since: '4.0.7' },
        ),
      },
      additionalProperties: false,
    },
    'A permanent replication slot. An empty value means a physical slot.',
  );
}

const dynamicPostgresql = obj(
  {
    use_pg_rewind: bool(
      'Rewind a former primary with pg_rewind instead of re-cloning it. Needs data checksums or `wal_log_hints`.',
      {
        default: false,
        where: 'both',
      },
    ),
    use_slots: bool('Use a physical replication slot for each member. Only the dynamic value counts.', {
      default: true,
      where: 'dynamic',
    }),
    recovery_conf: recoveryConf,
    parameters: parameters('dynamic'),
    pg_hba: pgHba('both'),
    pg_ident: strList('pg_ident.conf lines written by Patroni.', { where: 'both', nonEmpty: true }),
    pg_ctl_timeout: intish('Seconds to wait for pg_ctl start/stop/restart.', {
      min: 0,
      default: 60,
      where: 'both',
    }),
    remove_data_directory_on_rewind_failure: bool('Wipe and re-clone when pg_rewind fails.', {
      default: false,
    }),
    remove_data_directory_on_diverged_timelines: bool(
      'Wipe and re-clone when timelines diverged and rewind is impossible.',
      {
        default: false,
      },
    ),
    use_unix_socket: bool('Connect to the local PostgreSQL over the unix socket.', { default: false }),
    use_unix_socket_repl: bool('Replication connections to the local node over the unix socket.', {
      default: false,
    }),
    create_replica_methods: strList('Ordered replica creation methods.'),
    basebackup: meta({ type: ['array', 'object'] }, 'pg_basebackup options (long names without `--`).'),
    callbacks: map('Callback scripts.'),
  },
  'Cluster-wide PostgreSQL settings. Local `postgresql.*` values override these, except `use_slots` and Patroni-controlled GUCs.',
  { where: 'both' },
);

function dynamicProperties() {
  return {
    ttl: intish('Leader lock TTL in seconds. `loop_wait + 2*retry_timeout` must not exceed it.', {
      min: 20,
      default: 30,
      where: 'dynamic',
    }),
    loop_wait: intish('Seconds between HA loop iterations.', { min: 1, default: 10, where: 'dynamic' }),
    retry_timeout: intish(
      'Seconds DCS and PostgreSQL operations are retried before the primary is demoted.',
      {
        min: 3,
        default: 10,
        where: 'dynamic',
      },
    ),
    maximum_lag_on_failover: intish('Maximum replica lag in bytes that still allows promotion.', {
      min: 0,
      default: 1048576,
      where: 'dynamic',
    }),
    maximum_lag_on_syncnode: intish(
      'Lag in bytes after which a sync standby is replaced; <= 0 disables the swap.',
      {
        min: -1,
        default: -1,
        where: 'dynamic',
      },
    ),
    max_timelines_history: intish('Entries kept in the DCS history key; 0 keeps all.', {
      min: 0,
      default: 0,
    }),
    primary_start_timeout: intish('Seconds a crashed primary may spend recovering before failover.', {
      min: 0,
      default: 300,
      where: 'dynamic',
    }),
    primary_stop_timeout: intish(
      'With synchronous mode: SIGKILL the postmaster if stopping takes longer; 0 = off.',
      {
        min: 0,
        default: 0,
        where: 'dynamic',
      },
    ),
    master_start_timeout: intish('Legacy name of `primary_start_timeout`.', {
      deprecated: 'use primary_start_timeout.',
      where: 'dynamic',
    }),
    master_stop_timeout: intish('Legacy name of `primary_stop_timeout`.', {
      deprecated: 'use primary_stop_timeout.',
      where: 'dynamic',
    }),
    check_timeline: bool('Refuse to promote a node on an older timeline than the cluster.', {
      default: false,
    }),
    synchronous_mode: meta(
      { anyOf: [{ type: 'boolean' }, { const: 'quorum' }, { enum: ['on', 'off'] }] },
      'Patroni-managed synchronous replication: `true`, or `quorum` (Patroni 4.0+, PostgreSQL 10+: `ANY n (...)`).',
      { default: false, where: 'dynamic' },
    ),
    synchronous_mode_strict: bool(
      'Never fall back to asynchronous replication: writes block without a sync standby.',
      {
        default: false,
        where: 'dynamic',
      },
    ),
    synchronous_node_count: intish(
      'Number of synchronous standbys (reduced automatically when fewer are eligible).',
      {
        min: 1,
        default: 1,
        where: 'dynamic',
      },
    ),
    failsafe_mode: bool(
      'Keep the primary running during a DCS outage if every member confirms it over the REST API.',
      {
        default: false,
      },
    ),
    pause: bool('Maintenance mode flag set by `patronictl pause`; not meant for bootstrap.'),
    member_slots_ttl: intish(
      'How long slots of absent members are kept (PostgreSQL 11+); 0 drops them at once.',
      {
        min: 0,
        units: true,
        defaultText: '`30min`',
        since: '4.0.0',
      },
    ),
    slots: meta(
      {
        type: ['object', 'null'],
        propertyNames: { pattern: '^[a-z0-9_]{1,63}$' },
        additionalProperties: slotDefinition(),
      },
      'Permanent replication slots by name (names: `^[a-z0-9_]{1,63}$`). Requires `postgresql.use_slots`.',
    ),
    permanent_slots: meta({ type: ['object', 'null'] }, 'Legacy alias of `slots`.', {
      deprecated: 'use slots.',
    }),
    permanent_replication_slots: meta({ type: ['object', 'null'] }, 'Legacy alias of `slots`.', {
      deprecated: 'use slots.',
    }),
    ignore_slots: list(
      obj(
        {
          name: str('Slot name to match.'),
          type: en(['physical', 'logical'], 'Slot type to match.'),
          database: str('Database to match.'),
          plugin: str('Plugin to match.'),
        },
        'Slots matching all given properties are left alone.',
      ),
      'Replication slots Patroni must not drop or touch.',
    ),
    standby_cluster: obj(
      {
        host: str('Host of the remote primary (comma-separated list allowed).'),
        port: int('Port of the remote primary.', { min: 1, max: 65535 }),
        primary_slot_name: str('Slot on the remote primary used by the standby leader.'),
        create_replica_methods: strList('Methods for cloning the standby leader from the remote side.', {
          nonEmpty: true,
        }),
        restore_command: str('restore_command of the standby leader.'),
        archive_cleanup_command: str('archive_cleanup_command of the standby leader.'),
        recovery_min_apply_delay: meta({ type: ['string', 'integer'] }, 'Apply delay on the standby leader.'),
      },
      'Run this cluster as a standby of a remote primary. Needs at least one of host, port, restore_command.',
      {
        where: 'dynamic',
        extra: { anyOf: [{ required: ['host'] }, { required: ['port'] }, { required: ['restore_command'] }] },
      },
    ),
    postgresql: dynamicPostgresql,
  };
}

// ---------------------------------------------------------------------------------------------------
// DCS sections

function etcdSection(v3) {
  const S = v3 ? 'PATRONI_ETCD3_' : 'PATRONI_ETCD_';
  return obj(
    {
      host: meta(
        { type: 'string', minLength: 1 },
        'Single etcd endpoint `host[:port]` (port 2379 by default); a hostname resolves to all its addresses.',
        { env: `${S}HOST`, examples: ['10.0.0.21:2379'] },
      ),
      hosts: hostList(
        'etcd endpoints `host:port` (list or comma-separated string), without a URL scheme: set `protocol` instead.',
        {
          env: `${S}HOSTS`,
        },
      ),
      url: str('`http(s)://[user:pass@]host:port` of one endpoint.', { env: `${S}URL` }),
      proxy: str('Proxy URL; disables topology discovery.', { env: `${S}PROXY` }),
      srv: str('DNS domain for SRV discovery.', { env: `${S}SRV` }),
      srv_suffix: str('Suffix of the SRV service names (with `srv`).', { env: `${S}SRV_SUFFIX` }),
      discovery_srv: str('Legacy spelling of `srv`.', { deprecated: 'use srv.' }),
      srv_domain: str('Legacy spelling of `srv`.', { deprecated: 'use srv.' }),
      use_proxies: bool('Treat `hosts` as fixed proxies; no member discovery.', {
        default: false,
        env: `${S}USE_PROXIES`,
      }),
      port: intish('Default port for hosts given without one.', { default: 2379, env: `${S}PORT` }),
      protocol: en(['http', 'https'], 'Scheme for host/hosts.', { default: 'http', env: `${S}PROTOCOL` }),
      username: str('etcd user.', { env: `${S}USERNAME` }),
      password: str('etcd password.', { env: `${S}PASSWORD` }),
      cacert: path('CA bundle; enables server certificate verification.', { env: `${S}CACERT` }),
      cert: path('Client certificate.', { env: `${S}CERT` }),
      key: path('Client key (may be inside `cert`).', { env: `${S}KEY` }),
    },
    v3
      ? 'etcd v3 API (gRPC gateway). Keys written through `etcd` (v2) are invisible here.'
      : 'etcd v2 API. Keys written through `etcd3` are invisible here; prefer `etcd3`.',
    {
      where: 'local',
      extra: {
        anyOf: ['host', 'hosts', 'srv', 'srv_suffix', 'url', 'proxy', 'discovery_srv', 'srv_domain'].map(
          (k) => ({
            required: [k],
          }),
        ),
      },
    },
  );
}

const dcsSections = {
  etcd3: etcdSection(true),
  etcd: etcdSection(false),
  consul: obj(
    {
      host: meta({ type: 'string', minLength: 1 }, 'Local Consul agent `host[:port]`.', {
        defaultText: '`127.0.0.1:8500`',
        env: 'PATRONI_CONSUL_HOST',
      }),
      url: str('`http(s)://host:port` of the agent.', { env: 'PATRONI_CONSUL_URL' }),
      port: int('Agent port.', { max: 65535, default: 8500, env: 'PATRONI_CONSUL_PORT' }),
      scheme: en(['http', 'https'], 'Scheme (the documented PATRONI_CONSUL_SCHEME is not read).', {
        default: 'http',
      }),
      token: str('ACL token.', { env: 'PATRONI_CONSUL_TOKEN' }),
      verify: bool('Verify HTTPS certificates.', { env: 'PATRONI_CONSUL_VERIFY' }),
      cacert: path('CA bundle.', { env: 'PATRONI_CONSUL_CACERT' }),
      cert: path('Client certificate.', { env: 'PATRONI_CONSUL_CERT' }),
      key: path('Client key.', { env: 'PATRONI_CONSUL_KEY' }),
      dc: str('Datacenter.', { env: 'PATRONI_CONSUL_DC' }),
      consistency: en(['default', 'consistent', 'stale'], 'Read consistency mode.', {
        default: 'default',
        env: 'PATRONI_CONSUL_CONSISTENCY',
      }),
      checks: strList('Health checks attached to the session.', {
        env: 'PATRONI_CONSUL_CHECKS',
        nonEmpty: true,
      }),
      register_service: bool('Register a service named after `scope` with a role tag.', {
        default: false,
        env: 'PATRONI_CONSUL_REGISTER_SERVICE',
      }),
      service_tags: strList('Extra static service tags.', {
        env: 'PATRONI_CONSUL_SERVICE_TAGS',
        nonEmpty: true,
      }),
      service_check_interval: str('Service health-check interval.', {
        default: '5s',
        env: 'PATRONI_CONSUL_SERVICE_CHECK_INTERVAL',
      }),
      service_check_tls_server_name: str('SNI override for the service check.', {
        env: 'PATRONI_CONSUL_SERVICE_CHECK_TLS_SERVER_NAME',
      }),
    },
    'Consul as DCS.',
    { where: 'local', extra: { anyOf: [{ required: ['host'] }, { required: ['url'] }] } },
  ),
  zookeeper: obj(
    {
      hosts: hostList('ZooKeeper ensemble `host:port` entries.', { env: 'PATRONI_ZOOKEEPER_HOSTS' }),
      use_ssl: bool('Enable TLS (kazoo >= 2.6).', { default: false, env: 'PATRONI_ZOOKEEPER_USE_SSL' }),
      cacert: path('CA certificate.', { env: 'PATRONI_ZOOKEEPER_CACERT' }),
      cert: path('Client certificate.', { env: 'PATRONI_ZOOKEEPER_CERT' }),
      key: path('Client key.', { env: 'PATRONI_ZOOKEEPER_KEY' }),
      key_password: str('Client key password.', { env: 'PATRONI_ZOOKEEPER_KEY_PASSWORD' }),
      verify: bool('Verify the server certificate.', { default: true, env: 'PATRONI_ZOOKEEPER_VERIFY' }),
      set_acls: map('x509 ACLs applied to created znodes: principal -> permissions.', {
        env: 'PATRONI_ZOOKEEPER_SET_ACLS',
      }),
      auth_data: map('Authentication data for the connection: scheme -> credential.', {
        since: '3.3.0',
        env: 'PATRONI_ZOOKEEPER_AUTH_DATA',
      }),
      exhibitor: map('Legacy place of the `exhibitor` section.', {
        deprecated: 'move it to the top-level exhibitor section.',
      }),
    },
    'ZooKeeper as DCS.',
    { where: 'local', required: ['hosts'] },
  ),
  exhibitor: obj(
    {
      hosts: strList('Initial Exhibitor nodes.', { env: 'PATRONI_EXHIBITOR_HOSTS', nonEmpty: true }),
      port: int('Exhibitor port.', { max: 65535, env: 'PATRONI_EXHIBITOR_PORT' }),
      poll_interval: int('Seconds between refreshes of the node list.', { min: 1, default: 300 }),
    },
    'Exhibitor-managed ZooKeeper as DCS.',
    { where: 'local', required: ['hosts', 'port'] },
  ),
  kubernetes: obj(
    {
      labels: map("Labels that identify and mark the cluster's Kubernetes objects.", {
        env: 'PATRONI_KUBERNETES_LABELS',
      }),
      namespace: str('Kubernetes namespace.', { default: 'default', env: 'PATRONI_KUBERNETES_NAMESPACE' }),
      bypass_api_service: bool('Talk to the API server endpoints directly.', {
        default: false,
        env: 'PATRONI_KUBERNETES_BYPASS_API_SERVICE',
      }),
      scope_label: str('Label holding the cluster name.', {
        default: 'cluster-name',
        env: 'PATRONI_KUBERNETES_SCOPE_LABEL',
      }),
      role_label: str('Pod label holding the role.', {
        default: 'role',
        env: 'PATRONI_KUBERNETES_ROLE_LABEL',
      }),
      leader_label_value: str('Role label value of the primary (`master` before 4.0).', {
        defaultText: '`primary`',
        since: '3.1.0',
        env: 'PATRONI_KUBERNETES_LEADER_LABEL_VALUE',
      }),
      follower_label_value: str('Role label value of replicas.', {
        default: 'replica',
        since: '3.1.0',
        env: 'PATRONI_KUBERNETES_FOLLOWER_LABEL_VALUE',
      }),
      standby_leader_label_value: str('Role label value of a standby leader.', {
        defaultText: '`primary`',
        since: '3.1.0',
        env: 'PATRONI_KUBERNETES_STANDBY_LEADER_LABEL_VALUE',
      }),
      tmp_role_label: str('Extra label that always carries the default role values (migration aid).', {
        since: '3.1.0',
        env: 'PATRONI_KUBERNETES_TMP_ROLE_LABEL',
      }),
      use_endpoints: bool('Use Endpoints instead of ConfigMaps for leader election (needs `pod_ip`).', {
        default: false,
        env: 'PATRONI_KUBERNETES_USE_ENDPOINTS',
      }),
      pod_ip: str('Pod IP written to the leader Endpoints.', { env: 'PATRONI_KUBERNETES_POD_IP' }),
      ports: list(
        obj({ name: str('Port name.'), port: int('Port number.', { min: 1, max: 65535 }) }, 'A named port.', {
          required: ['name', 'port'],
        }),
        'Named ports of the leader Endpoints.',
        { env: 'PATRONI_KUBERNETES_PORTS' },
      ),
      cacert: path('CA of the Kubernetes API.', { env: 'PATRONI_KUBERNETES_CACERT' }),
      retriable_http_codes: meta(
        { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }] },
        'Additional API status codes to retry (500, 503, 504 always are).',
        { env: 'PATRONI_KUBERNETES_RETRIABLE_HTTP_CODES' },
      ),
      bootstrap_labels: map('Labels set on the pod while it bootstraps or creates a replica.', {
        since: '4.1.0',
        env: 'PATRONI_KUBERNETES_BOOTSTRAP_LABELS',
      }),
      context: str('kubeconfig context used outside a cluster.', { env: 'PATRONI_KUBERNETES_CONTEXT' }),
    },
    'Kubernetes API as DCS.',
    { where: 'local', required: ['labels'] },
  ),
  raft: obj(
    {
      self_addr: hostPort('Address other nodes use to reach this Raft node (not loopback or wildcard).', {
        env: 'PATRONI_RAFT_SELF_ADDR',
      }),
      bind_addr: hostPort('Raft listen address.', {
        defaultText: 'self_addr',
        env: 'PATRONI_RAFT_BIND_ADDR',
      }),
      partner_addrs: list({ type: 'string' }, 'The other Raft members `host:port`.', {
        nonEmpty: true,
        env: 'PATRONI_RAFT_PARTNER_ADDRS',
      }),
      data_dir: path('Raft log and snapshot directory.', { env: 'PATRONI_RAFT_DATA_DIR' }),
      password: str('Encrypts Raft traffic.', { env: 'PATRONI_RAFT_PASSWORD' }),
    },
    'Built-in Raft DCS (deprecated since Patroni 3.0.0; use etcd).',
    {
      where: 'local',
      required: ['self_addr', 'partner_addrs'],
      deprecated: 'the Raft DCS is deprecated since 3.0.0.',
    },
  ),
};

// ---------------------------------------------------------------------------------------------------
// Local configuration

const replicaMethod = meta(
  {
    type: 'object',
    properties: {
      command: str('Replica creation command; gets --scope --datadir --role --connstring unless no_params.'),
      keep_data: bool('Do not wipe PGDATA before running the method.', { default: false }),
      no_params: bool('Do not pass the standard arguments.', { default: false }),
      no_leader: bool('Allow running without a running leader.', { default: false }),
      no_master: bool('Old name of no_leader.', { removed: '4.0.0', deprecated: 'use no_leader.' }),
    },
    additionalProperties: true,
  },
  'A custom replica creation method named in `create_replica_methods`; extra keys are passed as `--key=value`.',
);

const bootstrapMethod = meta(
  {
    type: 'object',
    properties: {
      command: str('Custom bootstrap command; gets --scope and --datadir unless no_params.'),
      no_params: bool('Do not append --scope/--datadir.', { default: false }),
      keep_existing_recovery_conf: bool('Keep recovery settings produced by the tool (e.g. pgBackRest).', {
        default: false,
      }),
      recovery_conf: map('Recovery settings applied before the first start (PITR).'),
    },
    additionalProperties: true,
  },
  'A custom bootstrap method named by `bootstrap.method`; extra keys are passed as `--key=value` (3.2.0+).',
);

const bin = (name) =>
  path(`Binary name used instead of \`${name}\`.`, {
    default: name,
    since: '3.0.3',
    env: `PATRONI_POSTGRESQL_BIN_${name.toUpperCase()}`,
  });

const callback = (what) =>
  str(
    `Command run asynchronously ${what}; gets \`<action> <role> <scope>\` appended (role \`master\` in 3.x, \`primary\` in 4.x).`,
  );

const localPostgresql = meta(
  {
    type: 'object',
    properties: {
      listen: meta(
        { type: 'string', pattern: '^(?:[^:]*|.*:\\d{1,5})$' },
        'Addresses PostgreSQL listens on: `host[,host...]:port` (`*` alone for all; without a port, 5432). Sets listen_addresses and port.',
        {
          where: 'local',
          env: 'PATRONI_POSTGRESQL_LISTEN',
          examples: ['*:5432', '10.0.0.11,127.0.0.1:5432'],
        },
      ),
      connect_address: hostPort(
        'Address other members and clients use (`host:port`); published as conn_url. Must not be loopback or wildcard.',
        { where: 'local', env: 'PATRONI_POSTGRESQL_CONNECT_ADDRESS', examples: ['10.0.0.11:5432'] },
      ),
      proxy_address: hostPort('Connection pooler address published as proxy_url.', {
        where: 'local',
        env: 'PATRONI_POSTGRESQL_PROXY_ADDRESS',
      }),
      data_dir: path('PGDATA.', { where: 'local', env: 'PATRONI_POSTGRESQL_DATA_DIR' }),
      config_dir: path('Where postgresql.conf, pg_hba.conf and pg_ident.conf are written.', {
        defaultText: 'data_dir',
        where: 'local',
        env: 'PATRONI_POSTGRESQL_CONFIG_DIR',
      }),
      bin_dir: meta({ type: ['string', 'null'] }, 'Directory of the PostgreSQL binaries; empty = $PATH.', {
        where: 'local',
        env: 'PATRONI_POSTGRESQL_BIN_DIR',
      }),
      bin_name: obj(
        {
          pg_ctl: bin('pg_ctl'),
          initdb: bin('initdb'),
          pg_controldata: bin('pg_controldata'),
          pg_basebackup: bin('pg_basebackup'),
          postgres: bin('postgres'),
          pg_isready: bin('pg_isready'),
          pg_rewind: bin('pg_rewind'),
        },
        'Custom names of the PostgreSQL binaries.',
        { since: '3.0.3' },
      ),
      pgpass: path('Password file Patroni writes for its own connections.', {
        defaultText: '`~/pgpass`',
        env: 'PATRONI_POSTGRESQL_PGPASS',
      }),
      authentication: obj(
        {
          superuser: userAttributes('superuser', 'Superuser Patroni uses locally; created at bootstrap.'),
          replication: userAttributes(
            'replication',
            'Replication role used by replicas and pg_basebackup; created at bootstrap.',
          ),
          rewind: userAttributes(
            'rewind',
            'pg_rewind role (PostgreSQL 11+); the superuser is used when absent.',
          ),
        },
        'Credentials Patroni uses.',
        { required: ['superuser', 'replication'], where: 'local' },
      ),
      callbacks: obj(
        {
          on_start: callback('after PostgreSQL starts'),
          on_stop: callback('after PostgreSQL stops'),
          on_restart: callback('after a restart without role change'),
          on_reload: callback('after a configuration reload'),
          on_role_change: callback('on promotion or demotion'),
        },
        'Scripts run on PostgreSQL state changes.',
      ),
      create_replica_methods: strList(
        'Ordered replica creation methods; each non-`basebackup` entry needs a `postgresql.<method>` section with `command`.',
        {
          defaultText: '`[basebackup]`',
        },
      ),
      create_replica_method: strList('Legacy singular spelling of `create_replica_methods`.', {
        deprecated: 'use create_replica_methods.',
      }),
      basebackup: meta(
        {
          anyOf: [
            {
              type: 'array',
              items: { anyOf: [{ type: 'string' }, { type: 'object', minProperties: 1, maxProperties: 1 }] },
            },
            { type: 'object' },
          ],
        },
        'pg_basebackup long options without `--`, as strings or one-key mappings (e.g. `- max-rate: 100M`).',
      ),
      use_unix_socket: bool(
        'Superuser connections over the first absolute `unix_socket_directories` entry.',
        { default: false },
      ),
      use_unix_socket_repl: bool('Replication connections to the local node over the unix socket.', {
        default: false,
      }),
      recovery_conf: recoveryConf,
      custom_conf: path('Use this file instead of postgresql.base.conf as the included base config.'),
      parameters: parameters('local'),
      pg_hba: pgHba('both'),
      pg_ident: strList('pg_ident.conf lines written by Patroni.', { where: 'both', nonEmpty: true }),
      pg_ctl_timeout: intish('Seconds to wait for pg_ctl start/stop/restart.', {
        min: 0,
        default: 60,
        where: 'both',
      }),
      use_pg_rewind: bool(
        'Rewind a former primary with pg_rewind. Needs data checksums or `wal_log_hints`.',
        {
          default: false,
          where: 'both',
        },
      ),
      use_slots: bool(
        'Has no effect here: only the dynamic value (bootstrap.dcs.postgresql.use_slots) counts.',
        {
          where: 'dynamic',
        },
      ),
      remove_data_directory_on_rewind_failure: bool('Wipe and re-clone when pg_rewind fails.', {
        default: false,
      }),
      remove_data_directory_on_diverged_timelines: bool(
        'Wipe and re-clone when timelines diverged and rewind is impossible.',
        {
          default: false,
        },
      ),
      pre_promote: str('Fencing script run before promotion; a non-zero exit aborts the promotion.'),
      before_stop: str('Script run before `pg_ctl stop`; exit code ignored.', { since: '3.0.3' }),
      config_base_name: str('Base name of the generated config files.', { default: 'postgresql' }),
      krbsrvname: str('Kerberos service name for connections.'),
      database: str('Database used for local connections and conn_url.', { default: 'postgres' }),
      superuser: map('Legacy place of authentication.superuser.', {
        deprecated: 'use postgresql.authentication.superuser.',
      }),
      replication: map('Legacy place of authentication.replication.', {
        deprecated: 'use postgresql.authentication.replication.',
      }),
      pg_rewind: map('Legacy place of authentication.rewind.', {
        deprecated: 'use postgresql.authentication.rewind.',
      }),
      name: str('Legacy member name.', { deprecated: 'use the top-level name.' }),
    },
    required: ['listen', 'connect_address', 'data_dir', 'authentication'],
    additionalProperties: replicaMethod,
  },
  'PostgreSQL settings of this member. Other keys are custom replica creation methods (see `create_replica_methods`).',
  { where: 'local' },
);

const restapi = obj(
  {
    listen: hostPort('Address the REST API binds to (`host:port`; empty host or `*` = all).', {
      env: 'PATRONI_RESTAPI_LISTEN',
      examples: ['0.0.0.0:8008'],
    }),
    connect_address: hostPort(
      'Address other members and tools use; published as api_url. Must not be loopback or wildcard.',
      {
        env: 'PATRONI_RESTAPI_CONNECT_ADDRESS',
      },
    ),
    authentication: obj(
      {
        username: str('Basic-auth user.', { env: 'PATRONI_RESTAPI_USERNAME' }),
        password: str('Basic-auth password.', { env: 'PATRONI_RESTAPI_PASSWORD' }),
      },
      'Basic-auth credentials required by unsafe endpoints (restart, switchover, config changes…).',
      { required: ['username', 'password'] },
    ),
    auth: str('Legacy `user:password` credentials.', { deprecated: 'use restapi.authentication.' }),
    certfile: path('PEM certificate; enables HTTPS.', { env: 'PATRONI_RESTAPI_CERTFILE' }),
    keyfile: path('PEM private key of certfile.', { env: 'PATRONI_RESTAPI_KEYFILE' }),
    keyfile_password: str('Password of the private key.', { env: 'PATRONI_RESTAPI_KEYFILE_PASSWORD' }),
    cafile: path('CA bundle used to verify client certificates.', { env: 'PATRONI_RESTAPI_CAFILE' }),
    ciphers: str('Allowed TLS ciphers (OpenSSL syntax).', { env: 'PATRONI_RESTAPI_CIPHERS' }),
    verify_client: en(
      ['none', 'optional', 'required'],
      'Client certificates: optional = required on unsafe endpoints, required = always. Needs cafile.',
      {
        default: 'none',
        env: 'PATRONI_RESTAPI_VERIFY_CLIENT',
      },
    ),
    allowlist: strList('Hosts, IPs or CIDRs allowed to call unsafe endpoints.', {
      nonEmpty: true,
      env: 'PATRONI_RESTAPI_ALLOWLIST',
    }),
    allowlist_include_members: bool("Also allow the hosts of all members' api_url.", {
      default: false,
      env: 'PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS',
    }),
    http_extra_headers: map('Extra response headers.', { env: 'PATRONI_RESTAPI_HTTP_EXTRA_HEADERS' }),
    https_extra_headers: map('Extra response headers when HTTPS is on.', {
      env: 'PATRONI_RESTAPI_HTTPS_EXTRA_HEADERS',
    }),
    request_queue_size: int('Listen backlog of the REST socket.', {
      min: 0,
      max: 4096,
      default: 5,
      since: '3.0.3',
      env: 'PATRONI_RESTAPI_REQUEST_QUEUE_SIZE',
    }),
    server_tokens: meta(
      {
        enum: [
          'original',
          'productonly',
          'minimal',
          'ORIGINAL',
          'PRODUCTONLY',
          'MINIMAL',
          'Original',
          'ProductOnly',
          'Minimal',
        ],
      },
      'Content of the Server response header: original, productonly or minimal.',
      { default: 'original', since: '4.1.0', env: 'PATRONI_RESTAPI_SERVER_TOKENS' },
    ),
    thread_pool_size: int('Worker threads serving REST requests.', { min: 5, default: 5, since: '4.1.1' }),
  },
  'REST API server of this member.',
  { required: ['listen', 'connect_address'], where: 'local' },
);

const ctl = obj(
  {
    authentication: obj(
      {
        username: str('User patronictl sends.', { env: 'PATRONI_CTL_USERNAME' }),
        password: str('Password patronictl sends.', { env: 'PATRONI_CTL_PASSWORD' }),
      },
      'Basic-auth credentials for patronictl (default: restapi.authentication).',
    ),
    auth: str('Legacy `user:password` credentials.', { deprecated: 'use ctl.authentication.' }),
    insecure: bool('Skip REST API certificate verification (like `patronictl -k`).', {
      default: false,
      env: 'PATRONI_CTL_INSECURE',
    }),
    cacert: path('CA used to verify the REST API certificate.', {
      defaultText: 'restapi.cafile',
      env: 'PATRONI_CTL_CACERT',
    }),
    certfile: path('Client certificate of patronictl (needed with verify_client optional/required).', {
      env: 'PATRONI_CTL_CERTFILE',
    }),
    keyfile: path('Client key of patronictl.', { env: 'PATRONI_CTL_KEYFILE' }),
    keyfile_password: str('Password of ctl.keyfile.', { env: 'PATRONI_CTL_KEYFILE_PASSWORD' }),
  },
  'patronictl-only settings.',
  { where: 'local' },
);

const log = obj(
  {
    type: en(['plain', 'json'], 'Log record format; json needs python-json-logger.', {
      default: 'plain',
      since: '3.3.0',
      env: 'PATRONI_LOG_TYPE',
    }),
    level: en(
      ['DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL'],
      'Root log level (upper case).',
      {
        default: 'INFO',
        env: 'PATRONI_LOG_LEVEL',
      },
    ),
    traceback_level: en(
      ['DEBUG', 'ERROR', 'debug', 'error'],
      'Level at which exception tracebacks are logged.',
      {
        default: 'ERROR',
        env: 'PATRONI_LOG_TRACEBACK_LEVEL',
      },
    ),
    format: meta(
      {
        anyOf: [
          { type: 'string' },
          {
            type: 'array',
            minItems: 1,
            items: {
              anyOf: [
                { type: 'string' },
                {
                  type: 'object',
                  minProperties: 1,
                  maxProperties: 1,
                  additionalProperties: { type: 'string' },
                },
              ],
            },
          },
        ],
      },
      'Python logging format; with json, a list of fields or one-key {field: alias} mappings.',
      { defaultText: '`%(asctime)s %(levelname)s: %(message)s`', env: 'PATRONI_LOG_FORMAT' },
    ),
    dateformat: str('strftime format of %(asctime)s.', { env: 'PATRONI_LOG_DATEFORMAT' }),
    static_fields: map('Constant fields added to every json log record.', {
      since: '3.3.0',
      env: 'PATRONI_LOG_STATIC_FIELDS',
    }),
    max_queue_size: int('Capacity of the in-memory log queue.', {
      default: 1000,
      env: 'PATRONI_LOG_MAX_QUEUE_SIZE',
    }),
    dir: path('Directory for rotating patroni.log files (must exist); unset = stderr.', {
      env: 'PATRONI_LOG_DIR',
    }),
    mode: int('File mode of log files (write it as octal, e.g. 0640).', {
      min: 0,
      max: 511,
      since: '4.0.0',
      env: 'PATRONI_LOG_MODE',
    }),
    file_num: int('Number of rotated log files kept.', { default: 4, env: 'PATRONI_LOG_FILE_NUM' }),
    file_size: int('Size in bytes that triggers rotation.', {
      default: 25000000,
      env: 'PATRONI_LOG_FILE_SIZE',
    }),
    loggers: meta(
      { type: 'object', additionalProperties: { type: 'string' } },
      'Per-Python-module log levels, e.g. `patroni.postmaster: WARNING`.',
      { env: 'PATRONI_LOG_LOGGERS' },
    ),
    deduplicate_heartbeat_logs: bool('Suppress repeated identical HA-loop log lines.', {
      default: false,
      since: '4.1.0',
      env: 'PATRONI_LOG_DEDUPLICATE_HEARTBEAT_LOGS',
    }),
  },
  "Patroni's own logging.",
  { where: 'local' },
);

const bootstrap = meta(
  {
    type: 'object',
    properties: {
      dcs: { $ref: '#/definitions/dynamic' },
      method: str('Bootstrap method: `initdb` or the name of a custom method section in `bootstrap`.', {
        default: 'initdb',
      }),
      initdb: list(
        { anyOf: [{ type: 'string' }, { type: 'object', minProperties: 1, maxProperties: 1 }] },
        'initdb options as strings or one-key mappings, e.g. `- encoding: UTF8`, `- data-checksums`.',
        { nonEmpty: true },
      ),
      post_bootstrap: str('Script run once after initialisation with a superuser connection URL.'),
      post_init: str('Alias of post_bootstrap.'),
      pg_hba: strList('Legacy: lines appended to pg_hba.conf after initdb; prefer postgresql.pg_hba.', {
        deprecated: 'use postgresql.pg_hba.',
      }),
      users: meta({ type: ['object', 'null'] }, 'Users created after bootstrap.', {
        removed: '4.0.0',
        deprecated: 'removed in Patroni 4.0; create users in a post_bootstrap script.',
      }),
    },
    required: ['dcs'],
    additionalProperties: bootstrapMethod,
  },
  'Used only by the member that initialises a new cluster. Other keys are custom bootstrap method sections.',
  { where: 'local' },
);

const tags = meta(
  {
    type: 'object',
    properties: {
      nofailover: bool('Never become leader (same as failover_priority 0).', { default: false }),
      failover_priority: int(
        'Preference among equally advanced candidates; <= 0 = never. Not with nofailover.',
        {
          min: 0,
          default: 1,
          since: '3.2.0',
        },
      ),
      clonefrom: bool('Preferred source for cloning new replicas.', { default: false }),
      noloadbalance: bool('Make /replica and /read-only answer 503 on this member.', { default: false }),
      replicatefrom: str('Name of the member to cascade from.'),
      nosync: bool('Never become a synchronous standby.', { default: false }),
      sync_priority: int('Preference for synchronous standby selection; <= 0 = never. Not with nosync.', {
        min: 0,
        default: 1,
        since: '4.1.0',
      }),
      nostream: bool('Do not stream WAL: archive recovery only.', { default: false, since: '3.3.0' }),
    },
    additionalProperties: {
      type: ['string', 'number', 'boolean', 'null'],
      description: 'Custom tag, matched by `?tag_<name>=<value>` health-check filters.',
    },
  },
  'Per-member tags published in the member key. Custom tags take scalar values.',
  { where: 'local' },
);

export function buildLocalSchema() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'Patroni configuration (patroni.yml), Patroni 3.0–4.1',
    description:
      'Local configuration of one Patroni member. Generated by patroni-kit from schema-src/patroni-schema.mjs; do not edit by hand.',
    type: 'object',
    definitions: { dynamic: dynamicDefinition() },
    properties: {
      name: str(
        'Member name, unique within the scope; also its replication slot name (lower-cased, `-`/`.` become `_`).',
        {
          env: 'PATRONI_NAME',
          where: 'local',
        },
      ),
      scope: str(
        'Cluster name: second DCS path component and PostgreSQL cluster_name. Same on every member.',
        {
          env: 'PATRONI_SCOPE',
          where: 'local',
        },
      ),
      namespace: str('DCS path prefix. Same on every member.', {
        default: '/service/',
        env: 'PATRONI_NAMESPACE',
        where: 'local',
      }),
      thread_pool_size: int('Size of the pool running async tasks and member REST calls.', {
        min: 5,
        default: 5,
        since: '4.1.1',
        env: 'PATRONI_THREAD_POOL_SIZE',
      }),
      thread_stack_size: meta(
        { type: ['integer', 'string'] },
        'Stack size of Patroni threads in bytes, or a size with unit (e.g. `512kB`).',
        { defaultText: '`524288`', since: '4.1.1', env: 'PATRONI_THREAD_STACK_SIZE' },
      ),
      log,
      restapi,
      ctl,
      bootstrap,
      citus: obj(
        {
          group: int('0 = coordinator, > 0 = worker group.', { min: 0, env: 'PATRONI_CITUS_GROUP' }),
          database: str('Database holding the citus extension (same on all nodes).', {
            env: 'PATRONI_CITUS_DATABASE',
          }),
        },
        'Citus integration; DCS keys get a /<group>/ segment.',
        { required: ['group', 'database'], where: 'local' },
      ),
      ...dcsSections,
      postgresql: localPostgresql,
      watchdog: obj(
        {
          mode: meta(
            { anyOf: [{ enum: ['off', 'automatic', 'required'] }, { const: false }] },
            'off, automatic or required (never become leader without an active watchdog).',
            { default: 'automatic' },
          ),
          device: path('Watchdog device.', { default: '/dev/watchdog' }),
          safety_margin: int('Seconds between watchdog expiry and leader-lock expiry; -1 = ttl // 2.', {
            min: -1,
            default: 5,
          }),
          driver: str('Watchdog implementation.', { default: 'default' }),
        },
        'Linux watchdog (local only).',
        { where: 'local' },
      ),
      tags,
    },
    required: ['name', 'scope', 'restapi', 'postgresql'],
    additionalProperties: false,
  };
}

function dynamicDefinition() {
  return obj(
    dynamicProperties(),
    'Dynamic (cluster-wide) configuration. Written to the DCS /config key when the cluster is initialised and ignored afterwards: change it later with `patronictl edit-config`.',
    { where: 'dynamic' },
  );
}

export function buildDcsSchema() {
  const def = dynamicDefinition();
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: DCS_SCHEMA_ID,
    title: 'Patroni dynamic configuration (DCS /config, patronictl edit-config)',
    ...def,
    description: `${def.description}\n\nGenerated by patroni-kit; do not edit by hand.`,
    markdownDescription: `${def.markdownDescription}\n\nGenerated by patroni-kit; do not edit by hand.`,
  };
}
