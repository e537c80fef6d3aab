/** Cluster-level lint: several members' files must agree with each other. */

import type { RuleId } from './catalog.js';
import { isObj, type Obj, RuleContext } from './context.js';
import type { LintResult } from './lint.js';
import type { PathSegment } from './parse.js';
import { dcsHostEntries, eligibleSyncStandbys, slotNameFromMember, splitHostPort } from './rules/util.js';
import { collectSecrets, redactFindings } from './secrets.js';
import type { Finding, PatroniVersion } from './types.js';

/** One member for {@link lintCluster}: its file name and the result of linting it alone. */
export interface ClusterMember {
  file: string;
  result: LintResult;
}

const DCS_NAMES = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'];

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

function normNamespace(v: unknown): string {
  const s = typeof v === 'string' ? v : '/service/';
  return `/${s.split('/').filter(Boolean).join('/')}`;
}

function dcsFingerprint(data: Obj): { name: string; hosts: string } | undefined {
  const name = DCS_NAMES.find((n) => data[n] !== undefined);
  if (!name) return undefined;
  const sec = data[name];
  if (!isObj(sec)) return { name, hosts: '' };
  // parsed like Patroni (`10.0.0.1` and `10.0.0.1:2379` are the same etcd endpoint), with `url` and `srv`
  let hosts = dcsEndpoints(data).map((e) => e.replace(/^[a-z0-9]+ /, ''));
  if (name === 'kubernetes') hosts = [stable(sec.labels), String(sec.namespace ?? 'default')];
  if (name === 'raft') hosts = [];
  return { name, hosts: [...new Set(hosts)].sort().join(',') };
}

/** The DCS endpoints a member file names, as `section host:port` (host lower-cased), deduplicated. */
function dcsEndpoints(data: Obj): string[] {
  const name = DCS_NAMES.find((n) => data[n] !== undefined);
  const out = dcsHostEntries(data)
    .filter((e) => e.section === name && !e.problem)
    .map((e) => `${e.section} ${e.host.toLowerCase()}:${e.port}`);
  const sec = name ? data[name] : undefined;
  if (isObj(sec)) {
    if (typeof sec.url === 'string') out.push(`${name} url ${sec.url}`);
    if (typeof sec.srv === 'string') out.push(`${name} srv ${sec.srv}`);
  }
  return [...new Set(out)];
}

/**
 * Groups member files into clusters: the same scope and namespace, and DCS endpoints that overlap (files
 * whose endpoints are disjoint are different deployments that happen to share a scope name; files sharing
 * only some endpoints stay together, so lintCluster reports the difference as cluster-mismatch). Files that
 * name no endpoints (Kubernetes, environment-only) stay with their scope. Each split is reported once, as info.
 */
export function clusterGroups(
  members: ClusterMember[],
  version: PatroniVersion = '4.1',
): { groups: ClusterMember[][]; findings: Map<string, Finding[]> } {
  const findings = new Map<string, Finding[]>();
  const byScope = new Map<string, ClusterMember[]>();
  for (const m of members) {
    const d = m.result.data;
    if (!d) continue;
    const key = `${normNamespace(d.namespace)}|${String(d.scope)}`;
    byScope.set(key, [...(byScope.get(key) ?? []), m]);
  }
  const groups: ClusterMember[][] = [];
  for (const same of byScope.values()) {
    const ends = same.map((m) => new Set(dcsEndpoints(m.result.data!)));
    // union-find over "shares an endpoint" (or names none)
    const parent = same.map((_, i) => i);
    const find = (i: number): number => {
      let r = i;
      while (parent[r] !== r) r = parent[r]!;
      return r;
    };
    for (let i = 0; i < same.length; i++)
      for (let j = i + 1; j < same.length; j++) {
        const a = ends[i]!;
        const b = ends[j]!;
        if (a.size === 0 || b.size === 0 || [...a].some((e) => b.has(e))) parent[find(i)] = find(j);
      }
    const parts = new Map<number, ClusterMember[]>();
    same.forEach((m, i) => {
      parts.set(find(i), [...(parts.get(find(i)) ?? []), m]);
    });
    const split = [...parts.values()];
    groups.push(...split);
    if (split.length > 1) {
      const first = split[0]![0]!;
      const ctx = new RuleContext(first.result.parsed, first.result.data!, version, new Map(), false);
      const name = DCS_NAMES.find((n) => first.result.data![n] !== undefined);
      ctx.report(
        'cluster-separate',
        name ? [name] : ['scope'],
        `Files with scope '${String(first.result.data!.scope)}' fall into ${split.length} groups without a DCS endpoint in common, so they are checked as separate clusters: ${split.map((g) => g.map((m) => m.file).join(' + ')).join('; ')}. If they are one cluster, give them the same DCS endpoints.`,
        { anchor: 'key' },
      );
      findings.set(first.file, ctx.findings);
    }
  }
  return { groups, findings };
}

function bootstrapDcs(datas: Obj[]): Obj | undefined {
  for (const d of datas) if (isObj(d.bootstrap) && isObj(d.bootstrap.dcs)) return d.bootstrap.dcs;
  return undefined;
}

/**
 * Checks that members agree (scope, namespace, DCS, bootstrap.dcs, citus database) and are unique (names,
 * slot names, connect addresses); also synchronous-mode feasibility and replicatefrom targets.
 * Returns findings per file (in the same order as `members`).
 */
export function lintCluster(
  members: ClusterMember[],
  version: PatroniVersion = '4.1',
): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>(members.map((m) => [m.file, []]));
  const usable = members.filter((m) => m.result.data !== undefined);
  if (usable.length < 2) return out;
  const ctxs = usable.map((m) => ({
    file: m.file,
    data: m.result.data!,
    ctx: new RuleContext(m.result.parsed, m.result.data!, version, new Map(), false),
  }));
  const report = (i: number, rule: RuleId, path: PathSegment[], message: string, variant?: string) => {
    const c = ctxs[i]!;
    c.ctx.report(rule, path, message, variant === undefined ? {} : { variant });
    out.get(c.file)!.push(c.ctx.findings.pop()!);
  };
  const majority = <T>(values: T[]): T => {
    const counts = new Map<string, { v: T; n: number }>();
    for (const v of values) {
      const k = stable(v);
      const e = counts.get(k) ?? { v, n: 0 };
      e.n++;
      counts.set(k, e);
    }
    return [...counts.values()].sort((a, b) => b.n - a.n)[0]!.v;
  };
  const agree = (
    label: string,
    path: PathSegment[],
    get: (d: Obj) => unknown,
    show: (v: unknown) => string = (v) => JSON.stringify(v),
  ) => {
    const values = ctxs.map((c) => get(c.data));
    const keys = values.map(stable);
    const common = majority(values);
    const commonKey = stable(common);
    values.forEach((v, i) => {
      if (keys[i] !== commonKey) {
        const others = ctxs.filter((_, j) => keys[j] === commonKey).map((c) => c.file);
        report(
          i,
          'cluster-mismatch',
          path,
          `${label} is ${show(v)} here but ${show(common)} in ${others.slice(0, 3).join(', ')}: members must agree or they form different clusters.`,
        );
      }
    });
  };
  agree('scope', ['scope'], (d) => d.scope);
  agree(
    'namespace',
    ['namespace'],
    (d) => normNamespace(d.namespace),
    (v) => String(v),
  );
  agree(
    'The DCS',
    [DCS_NAMES.find((n) => ctxs[0]!.data[n] !== undefined) ?? 'etcd3'],
    (d) => dcsFingerprint(d),
    (v) => (isObj(v) ? `${String(v.name)}${v.hosts ? ` (${String(v.hosts)})` : ''}` : 'missing'),
  );
  const citus = ctxs.filter((c) => isObj(c.data.citus));
  if (citus.length > 0)
    agree('citus.database', ['citus', 'database'], (d) => (isObj(d.citus) ? d.citus.database : undefined));

  // bootstrap.dcs: compare only among members that have one
  const withBootstrap = ctxs
    .map((c, i) => [i, isObj(c.data.bootstrap) ? c.data.bootstrap.dcs : undefined] as const)
    .filter(([, v]) => v !== undefined);
  if (withBootstrap.length >= 2) {
    const common = majority(withBootstrap.map(([, v]) => v));
    const commonKey = stable(common);
    for (const [i, v] of withBootstrap) {
      if (stable(v) === commonKey) continue;
      const keys = new Set([...Object.keys(isObj(v) ? v : {}), ...Object.keys(isObj(common) ? common : {})]);
      const differing = [...keys].filter(
        (k) => stable(isObj(v) ? v[k] : undefined) !== stable(isObj(common) ? common[k] : undefined),
      );
      report(
        i,
        'cluster-mismatch',
        ['bootstrap', 'dcs', ...(differing.length === 1 ? [differing[0]!] : [])],
        `bootstrap.dcs differs from the other members (${differing.join(', ')}): the cluster's settings would depend on which node happens to initialise it. Make bootstrap.dcs identical on every member.`,
        'bootstrap-dcs',
      );
    }
  }

  // uniqueness
  const unique = (label: string, path: PathSegment[], get: (d: Obj) => string | undefined) => {
    const seen = new Map<string, number>();
    ctxs.forEach((c, i) => {
      const v = get(c.data);
      if (v === undefined) return;
      const first = seen.get(v);
      if (first === undefined) seen.set(v, i);
      else
        report(
          i,
          'cluster-duplicate',
          path,
          `${label} '${v}' is also used by ${ctxs[first]!.file}; every member needs its own.`,
        );
    });
  };
  const groupOf = (d: Obj) => (isObj(d.citus) ? `${String(d.citus.group)}/` : '');
  unique('Member name', ['name'], (d) => (typeof d.name === 'string' ? `${groupOf(d)}${d.name}` : undefined));
  const slotSeen = new Map<string, number>();
  ctxs.forEach((c, i) => {
    if (typeof c.data.name !== 'string') return;
    const slot = `${groupOf(c.data)}${slotNameFromMember(c.data.name)}`;
    const first = slotSeen.get(slot);
    if (first !== undefined && ctxs[first]!.data.name !== c.data.name) {
      report(
        i,
        'cluster-duplicate',
        ['name'],
        `Member names '${String(ctxs[first]!.data.name)}' (${ctxs[first]!.file}) and '${c.data.name}' map to the same replication slot '${slotNameFromMember(c.data.name)}'. Rename one.`,
      );
    } else if (first === undefined) slotSeen.set(slot, i);
  });
  for (const section of ['restapi', 'postgresql'] as const) {
    unique(`${section}.connect_address`, [section, 'connect_address'], (d) => {
      const v = isObj(d[section]) ? (d[section] as Obj).connect_address : undefined;
      const hp = splitHostPort(v);
      return hp ? `${hp.host}:${hp.port}` : undefined;
    });
  }

  // replicatefrom must name another member
  const names = new Set(ctxs.map((c) => c.data.name).filter((n): n is string => typeof n === 'string'));
  ctxs.forEach((c, i) => {
    const t = c.data.tags;
    if (isObj(t) && typeof t.replicatefrom === 'string' && !names.has(t.replicatefrom)) {
      report(
        i,
        'replicatefrom-unknown',
        ['tags', 'replicatefrom'],
        `tags.replicatefrom '${t.replicatefrom}' is not a member of this cluster (${[...names].join(', ')}); this member will stream from the leader instead.`,
      );
    }
  });

  // replicatefrom cycles: Patroni breaks them, but then members stream from the leader unexpectedly
  const byName = new Map(ctxs.map((c, i) => [c.data.name, i] as const));
  const replFrom = (i: number): string | undefined => {
    const t = ctxs[i]!.data.tags;
    return isObj(t) && typeof t.replicatefrom === 'string' ? t.replicatefrom : undefined;
  };
  const inCycle = new Set<number>();
  ctxs.forEach((_, start) => {
    const seen = new Set<number>([start]);
    let cur = byName.get(replFrom(start));
    for (let steps = 0; cur !== undefined && steps < ctxs.length; steps++) {
      if (cur === start) {
        for (const i of seen) inCycle.add(i);
        break;
      }
      seen.add(cur);
      cur = byName.get(replFrom(cur));
    }
  });
  for (const i of [...inCycle].sort((a, b) => a - b)) {
    report(
      i,
      'replicatefrom-unknown',
      ['tags', 'replicatefrom'],
      `tags.replicatefrom forms a cycle (${[...inCycle].map((j) => String(ctxs[j]!.data.name)).join(' → ')}): Patroni breaks it and these members stream from the leader. Let one of them replicate from the leader.`,
    );
  }

  // someone must be able to take over
  const candidates = ctxs.filter((c) => {
    const t = isObj(c.data.tags) ? c.data.tags : {};
    const prio = typeof t.failover_priority === 'number' ? t.failover_priority : undefined;
    return t.nofailover !== true && !(prio !== undefined && prio <= 0 && t.nofailover === undefined);
  }).length;
  if (candidates < 2) {
    report(
      0,
      'no-failover-candidate',
      ['tags'],
      `Only ${candidates} of ${ctxs.length} members may become leader (the others have nofailover or failover_priority 0): ${candidates === 0 ? 'no member can ever be leader' : 'if it fails, nobody takes over'}. Allow failover on at least two members.`,
      candidates === 0 ? 'none' : undefined,
    );
  }

  // every member keeps a slot and a WAL sender for each other member (Patroni 3.2+), plus permanent slots
  const dcsOf = bootstrapDcs(ctxs.map((c) => c.data));
  if (dcsOf) {
    const params =
      isObj(dcsOf.postgresql) && isObj(dcsOf.postgresql.parameters) ? dcsOf.postgresql.parameters : {};
    const slotsObj = isObj(dcsOf.slots) ? dcsOf.slots : {};
    const permanent = Object.keys(slotsObj).length;
    const peers = ctxs.length - 1;
    const num = (v: unknown, d: number) =>
      typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : d;
    // Patroni replaces values below its minimums (4 slots, 3 senders) by 10
    const rawSlots = num(params.max_replication_slots, 10);
    const rawSenders = num(params.max_wal_senders, 10);
    const slots = rawSlots < 4 ? 10 : rawSlots;
    const senders = rawSenders < 3 ? 10 : rawSenders;
    const idx = ctxs.findIndex((c) => isObj(c.data.bootstrap) && isObj(c.data.bootstrap.dcs));
    if (slots < peers + permanent) {
      report(
        idx,
        'replication-capacity',
        ['bootstrap', 'dcs', 'postgresql', 'parameters', 'max_replication_slots'],
        `max_replication_slots ${slots} is less than the ${peers} member slots plus ${permanent} permanent slot(s) this ${ctxs.length}-member cluster needs; some replicas get no slot and cannot stream. Raise it to at least ${peers + permanent + 2}.`,
        'insufficient',
      );
    }
    if (senders < peers + 1) {
      report(
        idx,
        'replication-capacity',
        ['bootstrap', 'dcs', 'postgresql', 'parameters', 'max_wal_senders'],
        senders < peers
          ? `max_wal_senders ${senders} is less than the ${peers} replicas of this ${ctxs.length}-member cluster: some cannot stream. Raise it to at least ${peers + 2}.`
          : `max_wal_senders ${senders} cannot serve ${peers} replicas plus a pg_basebackup; raise it to at least ${peers + 2}.`,
        senders < peers ? 'insufficient' : undefined,
      );
    }
  }

  // synchronous mode vs the members we know
  const bootstrapIdx = ctxs.findIndex((c) => isObj(c.data.bootstrap) && isObj(c.data.bootstrap.dcs));
  if (bootstrapIdx >= 0) {
    const dcs = (ctxs[bootstrapIdx]!.data.bootstrap as Obj).dcs as Obj;
    const mode = dcs.synchronous_mode;
    if (mode === true || mode === 'quorum' || mode === 'on') {
      const tagsList = ctxs.map((c) => (isObj(c.data.tags) ? c.data.tags : {}));
      const eligible = eligibleSyncStandbys(tagsList);
      const count = typeof dcs.synchronous_node_count === 'number' ? dcs.synchronous_node_count : 1;
      if (dcs.synchronous_mode_strict === true && eligible < count) {
        report(
          bootstrapIdx,
          'sync-unsatisfiable',
          ['bootstrap', 'dcs', 'synchronous_mode_strict'],
          `Strict synchronous mode needs ${count} synchronous standby(s), but of ${ctxs.length} members at most ${eligible} can be one (the leader cannot, nor members tagged nosync/nostream/sync_priority <= 0): writes on the primary would block. Add members, drop those tags, or lower synchronous_node_count.`,
        );
      } else if (eligible < count) {
        report(
          bootstrapIdx,
          'sync-unsatisfiable',
          ['bootstrap', 'dcs', 'synchronous_node_count'],
          `synchronous_node_count ${count} exceeds the ${eligible} member(s) that can be synchronous standbys; Patroni silently uses ${eligible}.`,
          'reduced',
        );
      }
    }
  }
  // Members quote each other's values (DCS hosts may hold user:password@): no secret of any file is shown.
  const secrets = new Set(members.flatMap((m) => [...collectSecrets(m.result.parsed)]));
  for (const [file, findings] of out) out.set(file, redactFindings(findings, secrets));
  return out;
}
