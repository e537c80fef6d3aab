/** Rule group 'sync': Synchronous replication. */
import type { RuleContext } from '../context.js';
import { isObj, toInt } from '../values.js';
import { defineRule } from './rule.js';
import { effectiveParam } from './util.js';

/** The rules of group 'sync'. */
export const rules = [
  defineRule({
    id: 'sync-standby-names',
    group: 'sync',
    severity: 'warning',
    docs: {
      title: 'synchronous_standby_names set while synchronous_mode is on.',
      why: 'Patroni owns synchronous_standby_names in synchronous mode and overwrites the value.',
      fix: 'Remove it; use synchronous_node_count and tags (nosync, sync_priority) instead.',
      example:
        'bootstrap:\n  dcs:\n    synchronous_mode: true\n    postgresql:\n      parameters:\n        synchronous_standby_names: "*"\n',
    },
  }),
  defineRule(
    {
      id: 'sync-unsatisfiable',
      group: 'sync',
      severity: 'error',
      variants: {
        reduced: {
          severity: 'warning',
          when: 'Patroni silently runs with fewer synchronous standbys, or the setting has no effect',
        },
        'tiny-lag': { severity: 'info', when: 'maximum_lag_on_syncnode is tiny' },
      },
      docs: {
        title: 'Synchronous replication the known members cannot satisfy.',
        why: 'With synchronous_mode_strict and too few eligible standbys writes block on the primary; a synchronous_node_count above the eligible standbys is silently reduced.',
        fix: 'Add members, remove nosync/nostream tags, lower synchronous_node_count or turn strict mode off.',
        example:
          'bootstrap:\n  dcs:\n    synchronous_mode: true\n    synchronous_mode_strict: true\n    synchronous_node_count: 3\n',
      },
    },
    sync,
  ),
  defineRule({
    id: 'sync-mode-version',
    group: 'sync',
    severity: 'error',
    variants: {
      'failover-priority': { severity: 'warning', when: 'failover_priority is ignored in quorum mode' },
      'sync-priority': { severity: 'info', when: 'sync_priority only applies to synchronous_mode: true' },
    },
    docs: {
      title:
        'synchronous_mode: quorum on a Patroni version without quorum mode, or priority tags that do not apply.',
      why: 'quorum needs Patroni 4.0+ on all nodes; failover_priority is ignored in quorum mode and sync_priority only applies to synchronous_mode on.',
      fix: 'Upgrade Patroni, or use synchronous_mode: true.',
      example: 'bootstrap:\n  dcs:\n    synchronous_mode: quorum   # with --patroni-version 3.0\n',
    },
  }),
] as const;

function sync(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const mode = dyn.synchronous_mode;
  const on = mode === true || mode === 'quorum' || mode === 'on';
  if (mode === 'quorum' && !ctx.atLeast('4.0.0')) {
    ctx.report(
      'sync-mode-version',
      [...base, 'synchronous_mode'],
      `synchronous_mode 'quorum' needs Patroni 4.0 or later on every member; Patroni ${ctx.release} does not know it. Use true, or upgrade.`,
    );
  }
  const tagsObj = ctx.get(['tags']);
  if (!ctx.dynamicDoc && isObj(tagsObj)) {
    if (mode === 'quorum' && tagsObj.failover_priority !== undefined) {
      ctx.report(
        'sync-mode-version',
        ['tags', 'failover_priority'],
        'tags.failover_priority is not honoured in quorum synchronous mode; the quorum decides. Remove it or use synchronous_mode: true.',
        { variant: 'failover-priority', anchor: 'key' },
      );
    }
    if (tagsObj.sync_priority !== undefined && mode !== true && mode !== 'on') {
      ctx.report(
        'sync-mode-version',
        ['tags', 'sync_priority'],
        'tags.sync_priority only applies with synchronous_mode: true.',
        { variant: 'sync-priority', anchor: 'key' },
      );
    }
  }
  const names = effectiveParam(ctx, 'synchronous_standby_names');
  if (on && names) {
    ctx.report(
      'sync-standby-names',
      names.path,
      'synchronous_standby_names is managed by Patroni while synchronous_mode is on; this value is overwritten. Remove it; use synchronous_node_count and the nosync/sync_priority tags.',
    );
  }
  if (!on) {
    if (dyn.synchronous_mode_strict === true)
      ctx.report(
        'sync-unsatisfiable',
        [...base, 'synchronous_mode_strict'],
        'synchronous_mode_strict has no effect while synchronous_mode is off. Turn synchronous_mode on or remove it.',
        { variant: 'reduced', anchor: 'key' },
      );
    return;
  }
  if (isObj(dyn.standby_cluster)) {
    ctx.report(
      'sync-unsatisfiable',
      [...base, 'synchronous_mode'],
      'synchronous_mode is ignored in a standby cluster (Patroni 3.2+).',
      { variant: 'reduced' },
    );
  }
  // with raft, the partner list tells how many members there are
  const partners = ctx.get(['raft', 'partner_addrs']);
  if (!ctx.dynamicDoc && Array.isArray(partners)) {
    const members = partners.length + 1;
    const count = toInt(dyn.synchronous_node_count) ?? 1;
    const standbys = members - 1;
    if (dyn.synchronous_mode_strict === true && standbys < count) {
      ctx.report(
        'sync-unsatisfiable',
        [...base, 'synchronous_mode_strict'],
        `Strict synchronous mode needs ${count} synchronous standby(s) but the cluster has ${members} member(s) (raft.partner_addrs): writes would block. Add members or lower synchronous_node_count.`,
      );
    } else if (standbys < count) {
      ctx.report(
        'sync-unsatisfiable',
        [...base, 'synchronous_node_count'],
        `synchronous_node_count ${count} exceeds the ${standbys} possible standby(s) of a ${members}-member cluster; Patroni silently uses fewer.`,
        { variant: 'reduced' },
      );
    }
  }
  const lag = toInt(dyn.maximum_lag_on_syncnode);
  if (lag !== undefined && lag > 0 && lag < 1024 * 1024) {
    ctx.report(
      'sync-unsatisfiable',
      [...base, 'maximum_lag_on_syncnode'],
      `maximum_lag_on_syncnode ${lag} bytes is tiny: synchronous standbys will be swapped constantly. Use several MB, or -1 to disable.`,
      { variant: 'tiny-lag' },
    );
  }
}
