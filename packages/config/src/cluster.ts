/** Cluster-level lint: several members' files must agree with each other. */
import { isObj, type Obj, RuleContext } from './context.js';
import type { LintResult } from './lint.js';
import type { PathSegment } from './parse.js';
import { eligibleSyncStandbys, slotNameFromMember, splitHostPort } from './rules.js';
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
  let hosts: string[] = [];
  if (Array.isArray(sec.hosts)) hosts = sec.hosts.map(String);
  else if (typeof sec.hosts === 'string') hosts = sec.hosts.split(',').map((s) => s.trim());
  else if (typeof sec.host === 'string') hosts = [sec.host];
  else if (typeof sec.url === 'string') hosts = [sec.url];
  else if (typeof sec.srv === 'string') hosts = [`srv:${sec.srv}`];
  if (name === 'kubernetes') hosts = [stable(sec.labels), String(sec.namespace ?? 'default')];
  if (name === 'raft') hosts = [];
  return { name, hosts: hosts.sort().join(',') };
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
  const report = (
    i: number,
    rule: string,
    path: PathSegment[],
    message: string,
    severity: 'error' | 'warning' | 'info' = 'error',
  ) => {
    const c = ctxs[i]!;
    c.ctx.report(rule, severity, path, message);
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
        'warning',
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
        'warning',
      );
    }
  });

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
          'warning',
        );
      }
    }
  }
  return out;
}
