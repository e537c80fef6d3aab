/** Rule group 'parameters': PostgreSQL parameters Patroni checks or depends on. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { shownValue } from '../secrets.js';
import { isObj, pgBool, toInt } from '../values.js';
import { defineRule } from './rule.js';
import { CONTROLLED_GUCS, effectiveParam, sizeInMb } from './util.js';

/** The rules of group 'parameters'. */
export const rules = [
  defineRule(
    {
      id: 'replication-disabled',
      group: 'parameters',
      severity: 'warning',
      docs: {
        title: 'wal_level minimal, max_wal_senders below 3, or hot_standby off.',
        why: "These values would make streaming replicas impossible; Patroni does not use them but silently runs with its defaults (wal_level replica, max_wal_senders 10, hot_standby on), so the configuration does not say what runs. A warning by the policy (silently rewritten); values below the validator's own minimums (e.g. max_wal_senders -1) are invalid-value errors.",
        fix: 'Use wal_level replica (or logical), max_wal_senders >= 3 (one per replica plus spares), hot_standby on.',
        example:
          'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        wal_level: minimal\n        max_wal_senders: 0\n',
      },
    },
    dynamicParameters,
  ),
  defineRule({
    id: 'parameter-minimum',
    group: 'parameters',
    severity: 'warning',
    docs: {
      title: 'A Patroni-controlled GUC below the minimum Patroni accepts.',
      why: 'Patroni replaces it by its default (max_connections < 25 → 100, max_replication_slots < 4 → 10, …) with only a log line.',
      fix: 'Use a value at or above the minimum in the message.',
      example: 'bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 20\n',
    },
  }),
  defineRule(
    {
      id: 'pg-rewind-prerequisites',
      group: 'parameters',
      severity: 'error',
      variants: {
        'unknown-checksums': {
          severity: 'warning',
          when: 'a custom bootstrap or a DCS document cannot show whether data checksums are on',
        },
        hba: {
          severity: 'warning',
          when: 'no pg_hba line lets the rewind user connect (the former primary needs a re-clone instead)',
        },
      },
      docs: {
        title:
          'use_pg_rewind without wal_log_hints or data checksums, or without pg_hba access for the rewind user.',
        why: 'pg_rewind refuses to run without hint-bit logging, or cannot connect (it logs in as the rewind user, or the superuser, to database postgres on the new primary): a former primary cannot rejoin and must be re-cloned.',
        fix: "Keep `wal_log_hints: on` (Patroni's default) or initialise with `data-checksums`; allow the rewind user in pg_hba (`host postgres rewind_user <network> scram-sha-256`).",
        example:
          'bootstrap:\n  dcs:\n    postgresql:\n      use_pg_rewind: true\n      parameters:\n        wal_log_hints: off\n',
      },
    },
    rewind,
  ),
  defineRule(
    {
      id: 'unix-socket',
      group: 'parameters',
      severity: 'warning',
      fileOnly: true,
      docs: {
        title: 'use_unix_socket without an absolute unix_socket_directories.',
        why: "Patroni falls back to TCP (or to libpq's default socket), which may not match pg_hba.",
        fix: 'Set `postgresql.parameters.unix_socket_directories` to an absolute directory.',
        example: 'postgresql:\n  use_unix_socket: true\n',
      },
    },
    unixSocket,
  ),
] as const;

function dynamicParameters(ctx: RuleContext): void {
  const params = ctx.get([...ctx.dynPath, 'postgresql', 'parameters']);
  if (!isObj(params)) return;
  const base = [...ctx.dynPath, 'postgresql', 'parameters'];
  const wl = params.wal_level;
  if (typeof wl === 'string' && ['minimal', 'archive'].includes(wl.toLowerCase()) === true) {
    ctx.report(
      'replication-disabled',
      [...base, 'wal_level'],
      wl.toLowerCase() === 'minimal'
        ? "wal_level 'minimal' makes streaming replication impossible; Patroni rejects it and silently runs with 'replica'. Use replica (or logical)."
        : "wal_level 'archive' no longer exists (PostgreSQL 9.6+); Patroni rejects it and uses 'replica'. Write replica.",
    );
  }
  const senders = toInt(params.max_wal_senders);
  if (senders !== undefined && senders < 3) {
    ctx.report(
      'replication-disabled',
      [...base, 'max_wal_senders'],
      `max_wal_senders ${senders} ${senders === 0 ? 'disables replication' : 'leaves no room for replicas and pg_basebackup'}; Patroni rejects values below 3 and silently uses 10. Set at least one per replica plus two spare (>= 3).`,
    );
  }
  if (params.hot_standby !== undefined && pgBool(params.hot_standby) === false) {
    ctx.report(
      'replication-disabled',
      [...base, 'hot_standby'],
      "hot_standby off is not accepted by Patroni (replicas must run as hot standbys); it is replaced by 'on'. Remove it.",
    );
  }
  for (const [name, info] of Object.entries(CONTROLLED_GUCS)) {
    if (name === 'max_wal_senders' || info.min === undefined) continue;
    const v = toInt(params[name]);
    if (v !== undefined && v < info.min) {
      ctx.report(
        'parameter-minimum',
        [...base, name],
        `${name} ${v} is below ${info.min}, the minimum Patroni accepts: it is replaced by ${info.fallback} with only a log line. Use ${info.min} or more.`,
      );
    }
  }
  if (typeof params.wal_keep_size === 'string' || typeof params.wal_keep_size === 'number') {
    const mb = sizeInMb(params.wal_keep_size);
    if (mb !== undefined && mb < 16) {
      ctx.report(
        'parameter-minimum',
        [...base, 'wal_keep_size'],
        `wal_keep_size is below 16MB, the minimum Patroni accepts: it is replaced by 128MB. Use 16MB or more.`,
      );
    }
  }
}

function rewind(ctx: RuleContext): void {
  const local = ctx.dynamicDoc ? undefined : ctx.get(['postgresql', 'use_pg_rewind']);
  const dyn = ctx.get([...ctx.dynPath, 'postgresql', 'use_pg_rewind']);
  const enabled = local ?? dyn;
  if (enabled !== true) return;
  const where: PathSegment[] =
    local !== undefined ? ['postgresql', 'use_pg_rewind'] : [...ctx.dynPath, 'postgresql', 'use_pg_rewind'];
  const hints = effectiveParam(ctx, 'wal_log_hints');
  if (!hints || pgBool(hints.value) !== false) return; // Patroni's default is on
  if (!ctx.atLeast('4.0.0')) return; // Patroni 3.x forces wal_log_hints on
  const initdb = ctx.get(['bootstrap', 'initdb']);
  const method = ctx.get(['bootstrap', 'method']);
  const checksums =
    Array.isArray(initdb) &&
    initdb.some(
      (o) =>
        (typeof o === 'string' && /^(--)?(data-checksums|k)$/.test(o)) ||
        (isObj(o) && ('data-checksums' in o || 'k' in o)),
    );
  if (checksums) return;
  const custom = typeof method === 'string' && method !== 'initdb';
  ctx.report(
    'pg-rewind-prerequisites',
    where,
    `use_pg_rewind is on, but wal_log_hints is off and ${custom || ctx.dynamicDoc ? 'nothing here shows that data checksums are on' : 'bootstrap.initdb does not enable data checksums'}: pg_rewind will refuse to run and a former primary cannot rejoin. Keep wal_log_hints on, or initialise with '- data-checksums'.`,
    custom || ctx.dynamicDoc ? { variant: 'unknown-checksums' } : {},
  );
}

function unixSocket(ctx: RuleContext): void {
  if (ctx.get(['postgresql', 'use_unix_socket']) !== true) return;
  const dirs = effectiveParam(ctx, 'unix_socket_directories');
  const first = typeof dirs?.value === 'string' ? dirs.value.split(',').map((s) => s.trim()) : [];
  if (!first.some((d) => d.startsWith('/'))) {
    ctx.report(
      'unix-socket',
      ['postgresql', 'use_unix_socket'],
      `use_unix_socket is on but unix_socket_directories ${dirs ? `('${shownValue(dirs.value)}') has no absolute directory` : 'is not set'}: Patroni falls back to TCP or to libpq's default socket. Set postgresql.parameters.unix_socket_directories to an absolute path.`,
    );
  }
}
