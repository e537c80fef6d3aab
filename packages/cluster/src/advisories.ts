/** Known problems of the Patroni versions members run, shown by `list`, `topology` and `health`. */
import type { Advisory, ClusterView } from './types.js';

/** Parses `X.Y.Z` (extra suffixes ignored); undefined when it is not a version. */
export function parseVersion(v: string | undefined): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** -1, 0 or 1 like a comparator; unparsable versions sort first. */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  const x = parseVersion(a) ?? [-1, 0, 0];
  const y = parseVersion(b) ?? [-1, 0, 0];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** Advisories for the members of `view` (patroni-kit reads etcd v3, so every cluster here uses etcd3). */
export function advisoriesFor(view: ClusterView): Advisory[] {
  const out: Advisory[] = [];
  const leaderOverwrite = view.members
    .filter((m) => {
      const v = m.live?.patroniVersion ?? m.version;
      return v !== undefined && compareVersions(v, '3.0.0') >= 0 && compareVersions(v, '3.0.3') < 0;
    })
    .map((m) => m.name);
  if (leaderOverwrite.length > 0) {
    out.push({
      id: 'patroni-3.0.0-3.0.2-etcd3-leader-overwrite',
      severity: 'warning',
      members: leaderOverwrite,
      message: `Patroni 3.0.0-3.0.2 with etcd3 (on ${leaderOverwrite.join(', ')}): after a network partition heals, the old leader can overwrite the leader key unconditionally and writes acknowledged by the new leader are lost`,
      fix: 'upgrade Patroni to 3.0.3 or later (fixed by "Make sure the leader key isn\'t unconditionally overwritten"); until then prefer the default ttl 30 and avoid partition tests',
    });
  }
  const versions = new Set(
    view.members.map((m) => m.live?.patroniVersion ?? m.version).filter((v): v is string => v !== undefined),
  );
  if (versions.size > 1) {
    out.push({
      id: 'mixed-patroni-versions',
      severity: 'warning',
      members: view.members.map((m) => m.name),
      message: `members run different Patroni versions (${[...versions].sort().join(', ')})`,
      fix: 'finish the rolling upgrade: mixed 3.x/4.x clusters see both master and primary roles',
    });
  }
  return out;
}
