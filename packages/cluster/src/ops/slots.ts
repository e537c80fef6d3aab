/** Replication slots on the leader: listing with owners, and the guarded drop. */
import { errorInfo, isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';
import { failedWith, type OpContext, refused } from '../context.js';
import { classifySlots, type SlotFinding } from '../explain.js';
import type { StatusOptions } from '../reader.js';
import type { ActionOptions, ActionResult } from '../types.js';
import { leaderWal, withPg } from './sql.js';

/** What `dropSlot` reports besides the outcome. */
export interface DropSlotDetails {
  slot: string;
  retainedBytes?: number;
  recreated?: boolean;
}

/**
 * The replication slots on the leader, each with its owner (a member, a permanent slot, `ignore_slots`,
 * retained for a member that left, or nobody) and the WAL it retains. Needs SQL access to the leader.
 */
export async function slots(
  ctx: OpContext,
  opts: StatusOptions = {},
): Promise<{ leader: string; slots: SlotFinding[] }> {
  const view = await ctx.read(opts);
  const leader = view.members.find((m) => m.name === view.confirmedLeader);
  if (!leader?.host)
    throw new PatroniKitError('PRECHECK', `cluster ${ctx.scope} has no running leader to read slots from`, {
      hint: 'slots live on the leader; wait for one (patroni-kit list)',
    });
  const wal = await leaderWal(ctx, leader, opts.signal);
  return {
    leader: leader.name,
    slots: classifySlots(wal.slots ?? [], view, view.retainSlots ? { retained: view.retainSlots } : {}),
  };
}

/**
 * Drops a physical replication slot on the leader, only when no member in the DCS owns it, it is not a
 * permanent slot and nobody streams from it. The drop is one SQL statement; when its outcome is unknown
 * the slots are read again to tell.
 */
export async function dropSlot(
  ctx: OpContext,
  name: string,
  opts: ActionOptions = {},
): Promise<ActionResult<DropSlotDetails>> {
  const action = 'drop slot';
  const sopts = opts.signal ? { signal: opts.signal } : {};
  let listing: { leader: string; slots: SlotFinding[] };
  try {
    listing = await slots(ctx, sopts);
  } catch (err) {
    if (isPatroniKitError(err, 'ABORTED')) throw err;
    const info = errorInfo(err);
    return { ...refused(action, 'slots-readable', info.message), error: info };
  }
  const slot = listing.slots.find((s) => s.name === name);
  if (!slot)
    return refused(
      action,
      'slot-exists',
      `there is no slot '${name}' on the leader ${listing.leader} (slots: ${listing.slots.map((s) => s.name).join(', ') || 'none'})`,
    );
  if (slot.owner === 'member')
    return refused(
      action,
      'member-gone',
      `slot ${name} belongs to member ${slot.member}, which is still in the DCS: Patroni would recreate it. Stop that node and wait until its member key expires (ttl), or remove it from the cluster first`,
    );
  if (slot.owner === 'permanent')
    return refused(
      action,
      'not-permanent',
      `slot ${name} is a permanent slot (config key slots): remove it there with patroni-kit edit-config, or Patroni recreates it`,
    );
  if (slot.owner === 'retained')
    return refused(
      action,
      'not-retained',
      `slot ${name} is kept by Patroni for member_slots_ttl (30 min by default) after its member left (status.retain_slots); dropped now, Patroni creates it again on its next loop. Wait, or stop the retention with patroni-kit edit-config -s member_slots_ttl=0`,
    );
  if (slot.active)
    return refused(action, 'inactive', `slot ${name} is active: a client streams from it right now`);
  const leader = (await ctx.read({ ...sopts, live: false })).members.find((m) => m.name === listing.leader);
  if (!leader) return refused(action, 'leader-running', `the leader ${listing.leader} left the DCS`);
  const details: DropSlotDetails = { slot: name };
  if (slot.retainedBytes !== undefined) details.retainedBytes = slot.retainedBytes;
  let outcome: 'succeeded' | 'unknown' = 'succeeded';
  let reason = '';
  try {
    const res = await withPg(ctx, leader, { timeoutMs: ctx.timeouts.write, ...sopts }, (client) =>
      client.query<{ dropped: boolean }>(
        `select pg_drop_replication_slot(slot_name) is not null as dropped
           from pg_replication_slots where slot_name = $1 and not active`,
        [name],
      ),
    );
    if (res.rowCount === 0)
      return {
        action,
        outcome: 'failed',
        reason: `slot ${name} was gone or became active before the drop`,
        sent: true,
        details,
      };
  } catch (err) {
    if (isPatroniKitError(err, 'ABORTED')) throw err;
    if (isPatroniKitError(err, 'AUTH')) return failedWith(action, err, false);
    outcome = 'unknown';
    reason = `the drop may or may not have happened (${(err as Error).message}); `;
  }
  // Read back: the truth about the drop, and whether Patroni put a (fresh) slot back.
  try {
    const after = await slots(ctx, sopts);
    const again = after.slots.find((s) => s.name === name);
    if (outcome === 'unknown' && again && again.restartLsn === slot.restartLsn)
      return {
        action,
        outcome: 'failed',
        reason: `${reason}slot ${name} is still there`,
        sent: true,
        details,
      };
    if (again) details.recreated = true;
    outcome = 'succeeded';
  } catch {
    // outcome stays as it was
  }
  const freed =
    slot.retainedBytes !== undefined
      ? `, releasing ${(slot.retainedBytes / 1048576).toFixed(1)} MiB of WAL`
      : '';
  reason =
    outcome === 'unknown'
      ? `${reason}read the slots again with patroni-kit slots`
      : `dropped slot ${name} on ${listing.leader}${freed}${details.recreated ? "; Patroni created it again at the current position (it keeps a left member's slot for member_slots_ttl)" : ''}`;
  return { action, outcome, reason, sent: true, details };
}
