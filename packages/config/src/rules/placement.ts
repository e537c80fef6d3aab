/** Rule group 'placement': Settings written where Patroni does not read them. */
import type { RuleContext } from '../context.js';
import { locate } from '../parse.js';
import { isObj, pgBool } from '../values.js';
import { defineRule } from './rule.js';
import { CONTROLLED_GUCS, moveFix, NEVER_SETTABLE, pairEdit } from './util.js';

/** The rules of group 'placement'. */
export const rules = [
  defineRule({
    id: 'dynamic-key-in-local',
    group: 'placement',
    severity: 'error',
    variants: {
      'same-value': {
        severity: 'warning',
        when: "the ignored value equals the one that applies (bootstrap.dcs or Patroni's default), so nothing changes",
      },
    },
    autofix: true,
    source: 'schema',
    docs: {
      title: 'A dynamic (DCS) setting written at the top level of patroni.yml.',
      why: 'ttl, loop_wait, retry_timeout, synchronous_mode, slots, standby_cluster, … are only read from the DCS; at the top level of the file they have no effect.',
      fix: 'Move them under `bootstrap.dcs` (first start) or change them with `patronictl edit-config`. `--fix` moves them when `bootstrap.dcs` exists.',
      example: 'ttl: 30\nloop_wait: 10\n',
    },
  }),
  defineRule({
    id: 'local-key-in-dcs',
    group: 'placement',
    severity: 'warning',
    source: 'schema',
    docs: {
      title: 'A local-only setting in the dynamic configuration.',
      why: 'Patroni drops postgresql.listen, connect_address, data_dir, config_dir, pgpass, authentication and other local keys found in the DCS.',
      fix: 'Move the key to the local part of patroni.yml.',
      example: 'bootstrap:\n  dcs:\n    postgresql:\n      data_dir: /var/lib/postgresql/16/main\n',
    },
  }),
  defineRule(
    {
      id: 'controlled-parameter-local',
      group: 'placement',
      severity: 'error',
      variants: {
        'same-value': { severity: 'warning', when: 'the dropped value equals the one that applies' },
      },
      autofix: true,
      fileOnly: true,
      docs: {
        title: 'A Patroni-controlled GUC in local postgresql.parameters.',
        why: 'max_connections, max_wal_senders, max_replication_slots, wal_level, wal_log_hints, hot_standby, … must be equal on all members; Patroni drops local values and uses the dynamic ones.',
        fix: 'Set them in `bootstrap.dcs.postgresql.parameters` or with `patronictl edit-config`. `--fix` moves them when that mapping exists.',
        example: 'postgresql:\n  parameters:\n    max_connections: 500\n',
      },
    },
    localParameters,
  ),
  defineRule({
    id: 'never-settable-parameter',
    group: 'placement',
    severity: 'warning',
    autofix: true,
    docs: {
      title: 'listen_addresses, port or cluster_name in parameters.',
      why: 'Patroni always derives them (from postgresql.listen and scope) and ignores these values.',
      fix: 'Remove them; set `postgresql.listen` or `scope` instead. `--fix` removes them.',
      example: 'postgresql:\n  parameters:\n    port: 5433\n',
    },
  }),
  defineRule({
    id: 'use-slots-local',
    group: 'placement',
    severity: 'error',
    variants: {
      'same-value': { severity: 'warning', when: 'the ignored value equals the one that applies' },
    },
    autofix: true,
    docs: {
      title: 'postgresql.use_slots in the local configuration.',
      why: 'Only the dynamic value counts; the local one is ignored.',
      fix: 'Set `bootstrap.dcs.postgresql.use_slots` or use `patronictl edit-config`. `--fix` moves it when bootstrap.dcs.postgresql exists without it.',
      example: 'postgresql:\n  use_slots: false\n',
    },
  }),
] as const;

function localParameters(ctx: RuleContext): void {
  const params = ctx.get(['postgresql', 'parameters']);
  if (!isObj(params)) return;
  const dynParams = ctx.get([...ctx.dynPath, 'postgresql', 'parameters']);
  const canMove = isObj(dynParams) && ctx.inFile([...ctx.dynPath, 'postgresql', 'parameters']);
  for (const k of Object.keys(params)) {
    const path = ['postgresql', 'parameters', k];
    if (NEVER_SETTABLE.includes(k)) {
      const loc = locate(ctx.parsed.doc, path);
      const removal = loc.pair ? pairEdit(ctx, loc.pair) : undefined;
      ctx.report(
        'never-settable-parameter',
        path,
        `${k} is always derived by Patroni (${k === 'cluster_name' ? 'from scope' : 'from postgresql.listen'}) and this value is ignored. Remove it${k === 'cluster_name' ? '' : ' and set postgresql.listen'}.`,
        { anchor: 'key', ...(removal ? { fix: { description: `Remove ${k}`, edits: [removal] } } : {}) },
      );
    } else if (CONTROLLED_GUCS[k]) {
      const dynValue = isObj(dynParams) ? dynParams[k] : undefined;
      const fix =
        canMove && dynValue === undefined
          ? moveFix(ctx, path, [...ctx.dynPath, 'postgresql', 'parameters']).fix
          : undefined;
      const applies = dynValue ?? CONTROLLED_GUCS[k].fallback;
      const same = sameSetting(params[k], applies);
      ctx.report(
        'controlled-parameter-local',
        path,
        `${k} is controlled by Patroni and must be the same on all members: a value in local postgresql.parameters is dropped${dynValue !== undefined ? ` (the dynamic value ${JSON.stringify(dynValue)} applies)` : ` (Patroni's default ${applies} applies)`}${same ? ', which here is the same value' : `, so ${JSON.stringify(params[k])} does not take effect`}. Set it in bootstrap.dcs.postgresql.parameters or with \`patronictl edit-config\`.`,
        { anchor: 'key', ...(fix ? { fix } : {}), ...(same ? { variant: 'same-value' } : {}) },
      );
    }
  }
  const localSlots = ctx.get(['postgresql', 'use_slots']);
  if (localSlots !== undefined) {
    const same = sameSetting(localSlots, ctx.get([...ctx.dynPath, 'postgresql', 'use_slots']) ?? true);
    ctx.report(
      'use-slots-local',
      ['postgresql', 'use_slots'],
      `postgresql.use_slots is only read from the dynamic configuration; this local value is ignored${same ? ' (it equals the value that applies)' : ', so it does not take effect'}. Set bootstrap.dcs.postgresql.use_slots or use \`patronictl edit-config\`.`,
      {
        anchor: 'key',
        ...(same ? { variant: 'same-value' } : {}),
        ...(ctx.get([...ctx.dynPath, 'postgresql', 'use_slots']) === undefined &&
        isObj(ctx.get([...ctx.dynPath, 'postgresql']))
          ? moveFix(ctx, ['postgresql', 'use_slots'], [...ctx.dynPath, 'postgresql'])
          : {}),
      },
    );
  }
}

/** True when two settings mean the same to PostgreSQL/Patroni (booleans in any spelling, numbers as text). */
function sameSetting(a: unknown, b: unknown): boolean {
  const ba = pgBool(a);
  const bb = pgBool(b);
  if (ba !== undefined && bb !== undefined && typeof a !== 'number' && typeof b !== 'number')
    return ba === bb;
  const norm = (v: unknown) => (v === 'hot_standby' ? 'replica' : String(v).trim().toLowerCase());
  return norm(a) === norm(b);
}
