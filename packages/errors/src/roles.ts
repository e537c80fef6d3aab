/** Patroni's role names across versions: 3.x says `master` where 4.x says `primary`. */

/** `primary` for both 3.x `master` and 4.x `primary`; other roles unchanged (undefined stays undefined). */
export function normalizeRole<T extends string | null | undefined>(role: T): T | 'primary' {
  return role === 'master' ? 'primary' : role;
}

/** True for a role that leads: `primary`/`master`, and `standby_leader` when `standby` is set. */
export function isLeaderRole(role: string | null | undefined, opts: { standby?: boolean } = {}): boolean {
  const r = normalizeRole(role);
  return r === 'primary' || (opts.standby === true && r === 'standby_leader');
}
