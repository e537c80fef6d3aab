/**
 * Every rule the linter has: id, default severity, and the text for docs/lint-rules.md and SARIF.
 * `docs/lint-rules.md` is generated from this list (scripts/gen-lint-rules-doc.mjs), so the two never drift.
 */
import type { Severity } from './types.js';

/** Documentation of one rule. */
export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One line: what the rule finds. */
  title: string;
  /** Why it matters: what Patroni does with such a configuration. */
  why: string;
  /** How to fix it. */
  fix: string;
  /** A configuration excerpt that triggers the rule. */
  example: string;
  /** True when `--fix` can repair it mechanically (at least in the common case). */
  autofix?: boolean;
  /** Only reported by the cluster-level lint (several member files). */
  cluster?: boolean;
}

/** All rules, grouped: input, schema, placement, timing, parameters, pg_hba, credentials, DCS, addresses, names, tags, REST API, bootstrap, replication, environment, cluster. */
export const RULES: readonly RuleInfo[] = [
  // ---- input and YAML
  {
    id: 'input-binary',
    severity: 'error',
    title: 'The file is binary or not UTF-8.',
    why: 'Patroni would fail to load it with a decoding traceback.',
    fix: 'Point the linter (and Patroni) at the real YAML file; re-save it as UTF-8.',
    example: '(a gzip file, a PNG, a file with NUL bytes)',
  },
  {
    id: 'input-too-large',
    severity: 'error',
    title: 'The input is larger than the accepted limit (256 KiB by default).',
    why: 'A Patroni configuration is a few kB; a huge file is the wrong file or hostile input.',
    fix: 'Check the file name. The limit can be raised with the `maxBytes` option of the library.',
    example: '(a 50 MB log file passed by mistake)',
  },
  {
    id: 'input-unreadable',
    severity: 'error',
    title: 'The file does not exist, is a directory, or cannot be read.',
    why: 'Patroni given a wrong path silently falls back to the environment-only configuration.',
    fix: 'Check the path and the permissions.',
    example: '(patroni-kit lint /etc/patroni/patorni.yml)',
  },
  {
    id: 'yaml-syntax',
    severity: 'error',
    title: 'The YAML cannot be parsed.',
    why: 'Patroni exits at start-up with a PyYAML traceback.',
    fix: 'Fix the syntax at the reported position (indentation, unclosed quotes or brackets, tabs).',
    example: 'postgresql:\n  listen: "*:5432\n',
  },
  {
    id: 'yaml-duplicate-key',
    severity: 'error',
    title: 'A key appears twice in the same mapping.',
    why: 'PyYAML keeps the last value without a warning; the earlier setting is silently lost.',
    fix: 'Keep one of them. `--fix` removes the earlier one (the one Patroni ignores).',
    example: 'postgresql:\n  use_pg_rewind: true\n  use_pg_rewind: false\n',
    autofix: true,
  },
  {
    id: 'yaml-alias-limit',
    severity: 'error',
    title: 'The file expands YAML aliases excessively (alias bomb).',
    why: 'Expanding it would take huge memory and time.',
    fix: 'Replace the aliases (`*name`) by plain values.',
    example: 'a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\n# ...',
  },
  {
    id: 'yaml-too-deep',
    severity: 'error',
    title: 'Mappings or lists nested more than 64 levels deep.',
    why: 'No Patroni setting is that deep; the file is corrupt or hostile.',
    fix: 'Flatten the structure.',
    example: 'a: [[[[[[[[ ... ]]]]]]]]',
  },
  {
    id: 'not-a-mapping',
    severity: 'error',
    title: 'The document is empty or not a mapping.',
    why: 'Patroni requires a mapping at the top (4.0.5+: "does not contain a dict").',
    fix: 'Write `key: value` settings at the top level.',
    example: '- name: pg1\n',
  },
  // ---- schema
  {
    id: 'missing-key',
    severity: 'error',
    title: 'A required key is missing.',
    why: 'Patroni refuses to start (or the section is ignored) without it: name, scope, restapi.listen, restapi.connect_address, postgresql.listen/connect_address/data_dir, the superuser and replication user names, one DCS section, `command` of custom methods, …',
    fix: 'Add the key, or provide it through the PATRONI_* environment variable (then lint with `--env-file`/`--use-env`).',
    example: 'restapi:\n  listen: 0.0.0.0:8008\n',
  },
  {
    id: 'unknown-key',
    severity: 'warning',
    title: 'A key Patroni does not know. Error when it looks like a misspelling of a known key.',
    why: 'Patroni ignores unknown keys without a word, so a misspelled setting simply does not apply.',
    fix: 'Correct the spelling (`--fix` renames when there is exactly one close match) or remove the key.',
    example: 'postgresql:\n  use_pg_rewnd: true\n',
    autofix: true,
  },
  {
    id: 'wrong-level',
    severity: 'warning',
    title: 'A known key written at the wrong nesting level.',
    why: 'Patroni only reads keys where it expects them; elsewhere they are ignored.',
    fix: 'Move the key to the place named in the message.',
    example: 'bootstrap:\n  dcs:\n    use_pg_rewind: true   # belongs under bootstrap.dcs.postgresql\n',
  },
  {
    id: 'type-mismatch',
    severity: 'error',
    title: 'A value has the wrong type.',
    why: 'Patroni either rejects it (`--validate-config`) or misbehaves at run time (e.g. a string "false" is true in Python).',
    fix: 'Write the value with the type named in the message (unquote booleans and numbers).',
    example: 'restapi:\n  allowlist: 10.0.0.0/8   # must be a list\n',
  },
  {
    id: 'invalid-value',
    severity: 'error',
    title: 'A value outside the allowed set or range.',
    why: 'Patroni rejects it or replaces it with its default.',
    fix: 'Use one of the allowed values from the message. `--fix` corrects the letter case of enum values.',
    example: 'bootstrap:\n  dcs:\n    ttl: 5\n',
    autofix: true,
  },
  {
    id: 'version-unsupported-key',
    severity: 'warning',
    title: 'The key is not read by the Patroni version you check for.',
    why: 'Older Patroni versions ignore keys they do not know; newer ones ignore removed keys.',
    fix: 'Remove it, or upgrade Patroni (choose the version with `--patroni-version`).',
    example: 'log:\n  deduplicate_heartbeat_logs: true   # 4.1.0+\n',
  },
  {
    id: 'deprecated-key',
    severity: 'info',
    title: 'A legacy spelling or a deprecated feature.',
    why: 'Still honoured, but may go away; newer spellings take precedence when both are set.',
    fix: 'Use the replacement named in the message; `--fix` renames drop-in replacements (master_*_timeout, create_replica_method, permanent_slots, discovery_srv, no_master).',
    example: 'postgresql:\n  create_replica_method: [basebackup]\n',
    autofix: true,
  },
  // ---- placement
  {
    id: 'dynamic-key-in-local',
    severity: 'warning',
    title: 'A dynamic (DCS) setting written at the top level of patroni.yml.',
    why: 'ttl, loop_wait, retry_timeout, synchronous_mode, slots, standby_cluster, … are only read from the DCS; at the top level of the file they have no effect.',
    fix: 'Move them under `bootstrap.dcs` (first start) or change them with `patronictl edit-config`. `--fix` moves them when `bootstrap.dcs` exists.',
    example: 'ttl: 30\nloop_wait: 10\n',
    autofix: true,
  },
  {
    id: 'local-key-in-dcs',
    severity: 'warning',
    title: 'A local-only setting in the dynamic configuration.',
    why: 'Patroni drops postgresql.listen, connect_address, data_dir, config_dir, pgpass, authentication and other local keys found in the DCS.',
    fix: 'Move the key to the local part of patroni.yml.',
    example: 'bootstrap:\n  dcs:\n    postgresql:\n      data_dir: /var/lib/postgresql/16/main\n',
  },
  {
    id: 'controlled-parameter-local',
    severity: 'warning',
    title: 'A Patroni-controlled GUC in local postgresql.parameters.',
    why: 'max_connections, max_wal_senders, max_replication_slots, wal_level, wal_log_hints, hot_standby, … must be equal on all members; Patroni drops local values and uses the dynamic ones.',
    fix: 'Set them in `bootstrap.dcs.postgresql.parameters` or with `patronictl edit-config`. `--fix` moves them when that mapping exists.',
    example: 'postgresql:\n  parameters:\n    max_connections: 500\n',
    autofix: true,
  },
  {
    id: 'never-settable-parameter',
    severity: 'warning',
    title: 'listen_addresses, port or cluster_name in parameters.',
    why: 'Patroni always derives them (from postgresql.listen and scope) and ignores these values.',
    fix: 'Remove them; set `postgresql.listen` or `scope` instead. `--fix` removes them.',
    example: 'postgresql:\n  parameters:\n    port: 5433\n',
    autofix: true,
  },
  {
    id: 'use-slots-local',
    severity: 'warning',
    title: 'postgresql.use_slots in the local configuration.',
    why: 'Only the dynamic value counts; the local one is ignored.',
    fix: 'Set `bootstrap.dcs.postgresql.use_slots` or use `patronictl edit-config`. `--fix` moves it when bootstrap.dcs.postgresql exists without it.',
    autofix: true,
    example: 'postgresql:\n  use_slots: false\n',
  },
  // ---- timing
  {
    id: 'timing',
    severity: 'warning',
    title: 'loop_wait + 2 × retry_timeout is larger than ttl.',
    why: 'The leader lock could expire before the primary notices a DCS problem: split-brain risk. Patroni 3.2+ silently lowers loop_wait/retry_timeout; 3.0 uses the values as written (error).',
    fix: 'Keep `loop_wait + 2*retry_timeout <= ttl` (defaults 10 + 2×10 <= 30).',
    example: 'bootstrap:\n  dcs:\n    ttl: 30\n    loop_wait: 10\n    retry_timeout: 15\n',
  },
  {
    id: 'watchdog-timing',
    severity: 'warning',
    title: 'The watchdog timeout (ttl − safety_margin) is shorter than loop_wait.',
    why: 'Patroni then treats the watchdog as unusable; with `mode: required` the node can never become leader.',
    fix: 'Lower safety_margin or loop_wait, or raise ttl.',
    example: 'watchdog:\n  mode: required\n  safety_margin: 25\n',
  },
  // ---- PostgreSQL parameters
  {
    id: 'replication-disabled',
    severity: 'error',
    title: 'wal_level minimal, max_wal_senders below 3, or hot_standby off.',
    why: 'These values make streaming replicas impossible; Patroni rejects them and silently uses its defaults instead, so the configuration does not say what runs.',
    fix: 'Use wal_level replica (or logical), max_wal_senders >= 3 (one per replica plus spares), hot_standby on.',
    example:
      'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        wal_level: minimal\n        max_wal_senders: 0\n',
  },
  {
    id: 'parameter-minimum',
    severity: 'warning',
    title: 'A Patroni-controlled GUC below the minimum Patroni accepts.',
    why: 'Patroni replaces it by its default (max_connections < 25 → 100, max_replication_slots < 4 → 10, …) with only a log line.',
    fix: 'Use a value at or above the minimum in the message.',
    example: 'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 20\n',
  },
  {
    id: 'pg-rewind-prerequisites',
    severity: 'error',
    title:
      'use_pg_rewind without wal_log_hints or data checksums, or without pg_hba access for the rewind user.',
    why: 'pg_rewind refuses to run without hint-bit logging, or cannot connect (it logs in as the rewind user, or the superuser, to database postgres on the new primary): a former primary cannot rejoin and must be re-cloned.',
    fix: "Keep `wal_log_hints: on` (Patroni's default) or initialise with `data-checksums`; allow the rewind user in pg_hba (`host postgres rewind_user <network> scram-sha-256`).",
    example:
      'bootstrap:\n  dcs:\n    postgresql:\n      use_pg_rewind: true\n      parameters:\n        wal_log_hints: off\n',
  },
  {
    id: 'sync-standby-names',
    severity: 'warning',
    title: 'synchronous_standby_names set while synchronous_mode is on.',
    why: 'Patroni owns synchronous_standby_names in synchronous mode and overwrites the value.',
    fix: 'Remove it; use synchronous_node_count and tags (nosync, sync_priority) instead.',
    example:
      'bootstrap:\n  dcs:\n    synchronous_mode: true\n    postgresql:\n      parameters:\n        synchronous_standby_names: "*"\n',
  },
  {
    id: 'hba-file-override',
    severity: 'warning',
    title: 'hba_file/ident_file set together with pg_hba/pg_ident.',
    why: 'With a non-default hba_file or ident_file Patroni ignores postgresql.pg_hba / pg_ident.',
    fix: 'Remove one of the two.',
    example: 'postgresql:\n  parameters:\n    hba_file: /etc/pg/hba.conf\n  pg_hba: [...]\n',
  },
  {
    id: 'unix-socket',
    severity: 'warning',
    title: 'use_unix_socket without an absolute unix_socket_directories.',
    why: "Patroni falls back to TCP (or to libpq's default socket), which may not match pg_hba.",
    fix: 'Set `postgresql.parameters.unix_socket_directories` to an absolute directory.',
    example: 'postgresql:\n  use_unix_socket: true\n',
  },
  // ---- pg_hba
  {
    id: 'pg-hba-no-replication',
    severity: 'error',
    title: 'pg_hba has no replication entry for the replication user over TCP.',
    why: 'Replicas cannot clone (pg_basebackup) or stream from the primary.',
    fix: 'Add `host replication <replication user> <member network> scram-sha-256` (or hostssl).',
    example: 'postgresql:\n  pg_hba:\n    - host all all 10.0.0.0/24 scram-sha-256\n',
  },
  {
    id: 'pg-hba-trust',
    severity: 'warning',
    title: 'pg_hba uses trust for network connections.',
    why: 'Anyone who reaches the port connects without a password, replication included.',
    fix: 'Use scram-sha-256 (or cert) for host lines; keep trust at most for local socket lines.',
    example: 'postgresql:\n  pg_hba:\n    - host replication replicator 0.0.0.0/0 trust\n',
  },
  {
    id: 'pg-hba-md5',
    severity: 'warning',
    title: 'pg_hba uses md5 or password while passwords are scram-sha-256.',
    why: 'md5 lines keep the weak MD5 challenge available and `password` sends cleartext passwords.',
    fix: 'Use scram-sha-256 in pg_hba (PostgreSQL 10+).',
    example:
      'postgresql:\n  parameters:\n    password_encryption: scram-sha-256\n  pg_hba:\n    - host all all 10.0.0.0/24 md5\n',
    autofix: true,
  },
  // ---- credentials
  {
    id: 'default-password',
    severity: 'warning',
    title: "A password from Patroni's samples or a well-known default.",
    why: 'Sample passwords (zalando, rep-pass, rewind_password, admin, postgres, …) are the first ones attackers try.',
    fix: 'Generate a random password (and keep it out of the file with PATRONI_*_PASSWORD variables).',
    example:
      'postgresql:\n  authentication:\n    superuser:\n      username: postgres\n      password: zalando\n',
  },
  {
    id: 'empty-password',
    severity: 'warning',
    title: 'An empty password.',
    why: 'Patroni connects without a password; unless pg_hba uses peer/cert for that user, connections fail or are open.',
    fix: 'Set a password, or document that peer/cert authentication is intended.',
    example:
      'postgresql:\n  authentication:\n    replication:\n      username: replicator\n      password: ""\n',
  },
  // ---- DCS
  {
    id: 'multiple-dcs',
    severity: 'warning',
    title: 'More than one DCS section.',
    why: 'Patroni uses only the first one it can import (consul, etcd, etcd3, exhibitor, kubernetes, raft, zookeeper) and ignores the others: members may end up in different DCSs.',
    fix: 'Keep exactly one DCS section.',
    example: 'etcd3:\n  hosts: [10.0.0.1:2379]\nconsul:\n  host: 127.0.0.1:8500\n',
  },
  {
    id: 'dcs-host-count',
    severity: 'warning',
    title: 'An even number of etcd/ZooKeeper hosts, or a single one.',
    why: 'A quorum of 2n members tolerates no more failures than 2n−1; a single endpoint is a single point of failure at start-up.',
    fix: 'List an odd number (3 or 5) of endpoints.',
    example: 'etcd3:\n  hosts: [10.0.0.1:2379, 10.0.0.2:2379]\n',
  },
  {
    id: 'dcs-host-scheme',
    severity: 'error',
    title: 'A URL scheme inside etcd host/hosts.',
    why: 'host/hosts take `host:port`; from `http://10.0.0.1:2379` Patroni builds the URL `http://[http://10.0.0.1]:2379` and cannot connect.',
    fix: 'Remove the scheme (`--fix` does) and set `protocol: https` when needed, or use `url`.',
    example: 'etcd3:\n  hosts:\n    - https://10.0.0.1:2379\n',
    autofix: true,
  },
  {
    id: 'raft-deprecated',
    severity: 'info',
    title: 'The built-in Raft DCS is deprecated.',
    why: 'Deprecated since Patroni 3.0.0 and no longer developed.',
    fix: 'Migrate to etcd (etcd3), Consul, ZooKeeper or Kubernetes.',
    example: 'raft:\n  self_addr: 10.0.0.1:2222\n',
  },
  // ---- addresses
  {
    id: 'connect-address',
    severity: 'error',
    title: 'A connect address other members cannot use (wildcard or loopback).',
    why: "connect_address is published in the DCS; replicas and patronictl on other hosts would connect to themselves. Patroni's validator rejects 127.0.0.1, 0.0.0.0, *, ::1 and localhost. Other 127.x addresses only work when every member runs on one host (info).",
    fix: 'Use the address other members reach this node on.',
    example: 'postgresql:\n  connect_address: 0.0.0.0:5432\n',
  },
  {
    id: 'listen-address',
    severity: 'error',
    title: 'A malformed listen address.',
    why: 'Patroni fails to bind: `*` must be alone, restapi.listen takes one host, ports must be 1–65535.',
    fix: 'Write `host:port`, or `host1,host2:port` for postgresql.listen.',
    example: 'postgresql:\n  listen: "*,10.0.0.1:5432"\n',
  },
  {
    id: 'listen-connect-mismatch',
    severity: 'warning',
    title: 'connect_address does not match listen (port or host).',
    why: 'Other members connect to an address nothing listens on, unless a proxy or NAT sits between.',
    fix: 'Make the connect port equal the listen port, and listen on the connect host (or on all addresses).',
    example: 'postgresql:\n  listen: 10.0.0.11:5432\n  connect_address: 10.0.0.11:5433\n',
  },
  // ---- names
  {
    id: 'member-name',
    severity: 'warning',
    title: 'A member name Patroni has to rewrite for its replication slot, or a name it rejects.',
    why: 'Slot names allow only [a-z0-9_] and 63 characters: Patroni lower-cases, maps `-`/`.` to `_` and encodes other characters, so different names can collide.',
    fix: 'Use lower-case letters, digits and underscores (hyphens are accepted but rewritten).',
    example: 'name: DB Node #1\n',
  },
  {
    id: 'slot-name',
    severity: 'error',
    title: 'An invalid permanent replication slot.',
    why: 'Names must match ^[a-z0-9_]{1,63}$; logical slots need database and plugin; slots need use_slots. Patroni skips bad slots with an error in its log.',
    fix: 'Rename the slot, add database and plugin, or enable use_slots.',
    example: 'bootstrap:\n  dcs:\n    slots:\n      Debezium-Slot:\n        type: logical\n',
  },
  {
    id: 'scope-name',
    severity: 'warning',
    title: 'A scope with `/` or unusual characters.',
    why: 'The scope is a DCS path component and PostgreSQL cluster_name; `/` creates nested DCS paths.',
    fix: 'Use letters, digits, `-` and `_`.',
    example: 'scope: prod/main\n',
  },
  // ---- tags
  {
    id: 'tag-type',
    severity: 'error',
    title: 'A tag with a value of the wrong type, or contradictory tags.',
    why: 'Patroni reads "false" (a string) as true for boolean tags; nofailover with failover_priority (or nosync with sync_priority) is rejected by the validator; custom tags must be scalars.',
    fix: 'Write booleans unquoted; keep one of each pair; use scalar values for custom tags. `--fix` unquotes booleans.',
    example: 'tags:\n  nofailover: "true"\n',
    autofix: true,
  },
  // ---- REST API
  {
    id: 'restapi-no-auth',
    severity: 'warning',
    title: 'The REST API accepts unsafe requests from anyone.',
    why: 'Without authentication, allowlist or client certificates, anyone who can reach the port can restart, switch over, reinitialise or change the configuration.',
    fix: 'Set `restapi.authentication` (and `ctl.authentication`), an `allowlist`, or `verify_client: required`.',
    example: 'restapi:\n  listen: 0.0.0.0:8008\n  connect_address: 10.0.0.11:8008\n',
  },
  {
    id: 'restapi-tls',
    severity: 'error',
    title: 'Client certificate verification without a CA, or TLS options without a certificate.',
    why: 'verify_client optional/required needs cafile (and certfile for HTTPS) or Patroni cannot verify clients; keyfile/cafile alone do nothing.',
    fix: 'Set restapi.cafile and restapi.certfile/keyfile; give patronictl ctl.certfile/keyfile.',
    example: 'restapi:\n  certfile: /etc/patroni/rest.crt\n  verify_client: required\n',
  },
  // ---- bootstrap / replicas
  {
    id: 'bootstrap-method',
    severity: 'error',
    title: 'bootstrap.method names no defined method, or the method has no command.',
    why: 'Patroni cannot initialise a new cluster with an undefined method.',
    fix: 'Add a `bootstrap.<method>` section with `command`, or use `method: initdb`.',
    example: 'bootstrap:\n  method: pgbackrest\n',
  },
  {
    id: 'bootstrap-users',
    severity: 'warning',
    title: 'bootstrap.users is ignored since Patroni 4.0.',
    why: 'Patroni 4 only logs an error; the users are not created (deprecated since 3.2).',
    fix: 'Create users in a `bootstrap.post_bootstrap` script.',
    example: 'bootstrap:\n  users:\n    admin:\n      password: secret\n',
  },
  {
    id: 'replica-method',
    severity: 'error',
    title: 'A create_replica_methods entry without its section or command.',
    why: 'Patroni cannot run the method and moves on to the next one (or fails to create the replica).',
    fix: 'Add `postgresql.<method>: {command: ...}` or remove the entry.',
    example: 'postgresql:\n  create_replica_methods: [pgbackrest, basebackup]\n',
  },
  {
    id: 'forbidden-option',
    severity: 'error',
    title: 'An initdb or pg_basebackup option that Patroni sets itself.',
    why: 'Patroni rejects pgdata, nosync, pwfile, sync-only, version for initdb and pgdata, format, wal-method, … for pg_basebackup.',
    fix: 'Remove the option.',
    example: 'bootstrap:\n  initdb:\n    - pgdata: /data\n',
  },
  {
    id: 'template-placeholder',
    severity: 'error',
    title: 'An unrendered template placeholder ({{ }}, $' + '{ }, <...>, @VAR@, __VAR__, %{ }).',
    why: 'A Jinja/Helm/envsubst/Debian/sed/Terraform template was not rendered; Patroni would use the placeholder literally (or the YAML does not even parse).',
    fix: 'Render the template (or fill in the value).',
    example: 'name: "{{ inventory_hostname }}"\n',
  },
  // ---- replication modes
  {
    id: 'sync-unsatisfiable',
    severity: 'error',
    title: 'Synchronous replication the known members cannot satisfy.',
    why: 'With synchronous_mode_strict and too few eligible standbys writes block on the primary; a synchronous_node_count above the eligible standbys is silently reduced.',
    fix: 'Add members, remove nosync/nostream tags, lower synchronous_node_count or turn strict mode off.',
    example:
      'bootstrap:\n  dcs:\n    synchronous_mode: true\n    synchronous_mode_strict: true\n    synchronous_node_count: 3\n',
  },
  {
    id: 'sync-mode-version',
    severity: 'error',
    title:
      'synchronous_mode: quorum on a Patroni version without quorum mode, or priority tags that do not apply.',
    why: 'quorum needs Patroni 4.0+ on all nodes; failover_priority is ignored in quorum mode and sync_priority only applies to synchronous_mode on.',
    fix: 'Upgrade Patroni, or use synchronous_mode: true.',
    example: 'bootstrap:\n  dcs:\n    synchronous_mode: quorum   # with --patroni-version 3.0\n',
  },
  // ---- environment
  {
    id: 'env-variable',
    severity: 'warning',
    title: 'A PATRONI_* environment variable Patroni does not read, or reads differently than expected.',
    why: 'Misspelled variables are ignored; a stray PATRONI_<X>_HOST creates a section "x".',
    fix: 'Correct the variable name.',
    example: 'PATRONI_CONSUL_SCHEME=https   # documented, but not parsed',
  },
  // ---- cluster
  {
    id: 'cluster-mismatch',
    severity: 'error',
    title: 'Members disagree on scope, namespace, DCS or bootstrap.dcs.',
    why: "Members with different scope/namespace/DCS form different clusters; different bootstrap.dcs means the cluster's settings depend on which node happened to initialise it.",
    fix: 'Make these settings identical on every member.',
    example: '# node1: scope: main   node2: scope: mian',
    cluster: true,
  },
  {
    id: 'cluster-duplicate',
    severity: 'error',
    title: 'Two members share a name, a replication slot name or a connect address.',
    why: 'Patroni 3.0.4+ refuses to start a second member with the same name; slot names that collide break replication; shared connect addresses route traffic to the wrong node.',
    fix: 'Give every member a unique name and its own addresses.',
    example: '# node1: name: pg-1   node2: name: pg_1   (both map to slot pg_1)',
    cluster: true,
  },
  {
    id: 'no-failover-candidate',
    severity: 'warning',
    title: 'Fewer than two members may become leader.',
    why: 'With nofailover (or failover_priority 0) on all other members, nobody takes over when the leader fails; with none, the cluster never gets a leader.',
    fix: 'Allow failover on at least two members.',
    example: '# node2 and node3: tags: {nofailover: true}',
    cluster: true,
  },
  {
    id: 'replication-capacity',
    severity: 'warning',
    title: 'max_replication_slots or max_wal_senders too low for the number of members.',
    why: 'Since Patroni 3.2 every failover-capable member keeps a slot for each other member, plus the permanent slots; each replica and each pg_basebackup needs a WAL sender.',
    fix: 'Raise max_replication_slots to members − 1 + permanent slots + spare, max_wal_senders to members + 1.',
    example:
      'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_replication_slots: 4   # with 5 members and 2 permanent slots\n',
    cluster: true,
  },
  {
    id: 'replicatefrom-unknown',
    severity: 'warning',
    title: 'tags.replicatefrom names a member that does not exist (or itself), or forms a cycle.',
    why: 'The member then streams from the leader instead; cycles are broken arbitrarily.',
    fix: 'Name an existing member.',
    example: 'tags:\n  replicatefrom: pg-9\n',
    cluster: true,
  },
];

const byId = new Map(RULES.map((r) => [r.id, r]));

/** The documentation of rule `id`. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}
