/** Rule group 'cluster': Cluster-level rules over several member files (cluster.ts). */
import { defineRule } from './rule.js';

/** The rules of group 'cluster'. */
export const rules = [
  defineRule({
    id: 'cluster-mismatch',
    group: 'cluster',
    severity: 'error',
    variants: {
      'bootstrap-dcs': {
        severity: 'warning',
        when: 'only bootstrap.dcs differs: the settings depend on which member initialises the cluster',
      },
    },
    source: 'cluster',
    docs: {
      title: 'Members disagree on scope, namespace, DCS or bootstrap.dcs.',
      why: "Members with different scope/namespace/DCS form different clusters; different bootstrap.dcs means the cluster's settings depend on which node happened to initialise it.",
      fix: 'Make these settings identical on every member.',
      example: '# node1: scope: main   node2: scope: mian',
    },
  }),
  defineRule({
    id: 'cluster-duplicate',
    group: 'cluster',
    severity: 'error',
    source: 'cluster',
    docs: {
      title: 'Two members share a name, a replication slot name or a connect address.',
      why: 'Patroni 3.0.4+ refuses to start a second member with the same name; slot names that collide break replication; shared connect addresses route traffic to the wrong node.',
      fix: 'Give every member a unique name and its own addresses.',
      example: '# node1: name: pg-1   node2: name: pg_1   (both map to slot pg_1)',
    },
  }),
  defineRule({
    id: 'no-failover-candidate',
    group: 'cluster',
    severity: 'warning',
    variants: {
      none: { severity: 'error', when: 'no member at all may become leader' },
    },
    source: 'cluster',
    docs: {
      title: 'Fewer than two members may become leader.',
      why: 'With nofailover (or failover_priority 0) on all other members, nobody takes over when the leader fails; with none, the cluster never gets a leader.',
      fix: 'Allow failover on at least two members.',
      example: '# node2 and node3: tags: {nofailover: true}',
    },
  }),
  defineRule({
    id: 'replication-capacity',
    group: 'cluster',
    severity: 'warning',
    variants: {
      insufficient: {
        severity: 'error',
        when: 'fewer slots or WAL senders than the members need: replicas cannot stream',
      },
    },
    source: 'cluster',
    docs: {
      title: 'max_replication_slots or max_wal_senders too low for the number of members.',
      why: 'Since Patroni 3.2 every failover-capable member keeps a slot for each other member, plus the permanent slots; each replica and each pg_basebackup needs a WAL sender.',
      fix: 'Raise max_replication_slots to members − 1 + permanent slots + spare, max_wal_senders to members + 1.',
      example:
        'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_replication_slots: 4   # with 5 members and 2 permanent slots\n',
    },
  }),
  defineRule({
    id: 'replicatefrom-unknown',
    group: 'cluster',
    severity: 'warning',
    source: 'cluster',
    docs: {
      title: 'tags.replicatefrom names a member that does not exist (or itself), or forms a cycle.',
      why: 'The member then streams from the leader instead; cycles are broken arbitrarily.',
      fix: 'Name an existing member.',
      example: 'tags:\n  replicatefrom: pg-9\n',
    },
  }),
  defineRule({
    id: 'cluster-separate',
    group: 'cluster',
    severity: 'info',
    source: 'cluster',
    docs: {
      title:
        'Files share a scope (and namespace) but no DCS endpoint: they are checked as separate clusters.',
      why: 'A cluster is scope + namespace + DCS. Two deployments may use the same scope name (`shop`) on disjoint etcd clusters; they do not interfere, so their member names and settings are not compared. Files that share some endpoints but not all stay one cluster and get cluster-mismatch (the typo case).',
      fix: 'Nothing, if they are separate deployments; otherwise give every member the same DCS endpoints.',
      example:
        '# a/pg1.yml: scope: shop, etcd3.hosts: [10.1.0.1:2379]   b/pg1.yml: scope: shop, etcd3.hosts: [10.2.0.1:2379]',
    },
  }),
] as const;
