/** Rule group 'bootstrap': Bootstrap and replica creation methods. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';
import { BASEBACKUP_FORBIDDEN, INITDB_FORBIDDEN } from './util.js';

/** The rules of group 'bootstrap'. */
export const rules = [
  defineRule(
    {
      id: 'bootstrap-method',
      group: 'bootstrap',
      severity: 'error',
      fileOnly: true,
      docs: {
        title: 'bootstrap.method names no defined method, or the method has no command.',
        why: 'Patroni cannot initialise a new cluster with an undefined method.',
        fix: 'Add a `bootstrap.<method>` section with `command`, or use `method: initdb`.',
        example: 'bootstrap:\n  method: pgbackrest\n',
      },
    },
    bootstrap,
  ),
  defineRule({
    id: 'bootstrap-users',
    group: 'bootstrap',
    severity: 'error',
    variants: {
      legacy: { severity: 'info', when: 'Patroni before 4.0 still creates them (deprecated since 3.2)' },
    },
    docs: {
      title: 'bootstrap.users is ignored since Patroni 4.0.',
      why: 'Patroni 4 only logs an error; the users are not created (deprecated since 3.2).',
      fix: 'Create users in a `bootstrap.post_bootstrap` script.',
      example: 'bootstrap:\n  users:\n    admin:\n      password: secret\n',
    },
  }),
  defineRule(
    {
      id: 'replica-method',
      group: 'bootstrap',
      severity: 'error',
      fileOnly: true,
      docs: {
        title: 'A create_replica_methods entry without its section or command.',
        why: 'Patroni cannot run the method and moves on to the next one (or fails to create the replica).',
        fix: 'Add `postgresql.<method>: {command: ...}` or remove the entry.',
        example: 'postgresql:\n  create_replica_methods: [pgbackrest, basebackup]\n',
      },
    },
    replicaMethods,
  ),
  defineRule({
    id: 'forbidden-option',
    group: 'bootstrap',
    severity: 'error',
    docs: {
      title: 'An initdb or pg_basebackup option that Patroni sets itself.',
      why: 'Patroni rejects pgdata, nosync, pwfile, sync-only, version for initdb and pgdata, format, wal-method, … for pg_basebackup.',
      fix: 'Remove the option.',
      example: 'bootstrap:\n  initdb:\n    - pgdata: /data\n',
    },
  }),
] as const;

function bootstrap(ctx: RuleContext): void {
  const b = ctx.get(['bootstrap']);
  if (!isObj(b)) return;
  const method = b.method;
  if (typeof method === 'string' && method !== 'initdb') {
    const section = b[method];
    if (!isObj(section)) {
      ctx.report(
        'bootstrap-method',
        ['bootstrap', 'method'],
        `bootstrap.method is '${method}' but there is no bootstrap.${method} section: Patroni cannot create the cluster that way. Add bootstrap.${method} with a command, or use 'initdb'.`,
      );
    } else if (typeof section.command !== 'string' || section.command.trim() === '') {
      ctx.report(
        'bootstrap-method',
        ['bootstrap', method],
        `bootstrap.${method} has no command; a custom bootstrap method needs one.`,
        { anchor: 'key' },
      );
    }
  }
  if (b.users !== undefined) {
    if (ctx.atLeast('4.0.0')) {
      ctx.report(
        'bootstrap-users',
        ['bootstrap', 'users'],
        'bootstrap.users is ignored since Patroni 4.0 (only an error is logged): these users are not created. Create them in a bootstrap.post_bootstrap script.',
        {
          anchor: 'key',
        },
      );
    } else {
      ctx.report(
        'bootstrap-users',
        ['bootstrap', 'users'],
        'bootstrap.users is deprecated since Patroni 3.2 and removed in 4.0; create users in a bootstrap.post_bootstrap script instead.',
        { variant: 'legacy', anchor: 'key' },
      );
    }
  }
  if (Array.isArray(b.initdb)) {
    b.initdb.forEach((opt, i) => {
      const name = typeof opt === 'string' ? opt : isObj(opt) ? Object.keys(opt)[0] : undefined;
      const clean = name?.replace(/^--?/, '').split('=')[0];
      if (clean && INITDB_FORBIDDEN.includes(clean)) {
        ctx.report(
          'forbidden-option',
          ['bootstrap', 'initdb', i],
          `initdb option '${clean}' is set by Patroni itself and rejected; remove it.`,
        );
      } else if (name?.startsWith('-')) {
        ctx.report(
          'forbidden-option',
          ['bootstrap', 'initdb', i],
          `initdb options are written without leading dashes ('${name.replace(/^--?/, '')}'); Patroni adds '--' itself.`,
        );
      }
    });
  }
}

function replicaMethods(ctx: RuleContext): void {
  const pg = ctx.get(['postgresql']);
  if (!isObj(pg)) return;
  const key = Array.isArray(pg.create_replica_methods)
    ? 'create_replica_methods'
    : Array.isArray(pg.create_replica_method)
      ? 'create_replica_method'
      : undefined;
  if (key) {
    (pg[key] as unknown[]).forEach((m, i) => {
      if (typeof m !== 'string' || m === 'basebackup') return;
      const section = pg[m];
      if (!isObj(section)) {
        ctx.report(
          'replica-method',
          ['postgresql', key, i],
          `Replica method '${m}' has no postgresql.${m} section: Patroni skips it. Add postgresql.${m} with a command, or remove it from ${key}.`,
        );
      } else if (typeof section.command !== 'string' || section.command.trim() === '') {
        ctx.report(
          'replica-method',
          ['postgresql', m],
          `postgresql.${m} has no command; Patroni cannot run this replica method.`,
          { anchor: 'key' },
        );
      }
    });
  }
  const bb = pg.basebackup;
  const opts: Array<[string, PathSegment[]]> = [];
  if (Array.isArray(bb)) {
    bb.forEach((o, i) => {
      const name = typeof o === 'string' ? o : isObj(o) ? Object.keys(o)[0] : undefined;
      if (name) opts.push([name, ['postgresql', 'basebackup', i]]);
    });
  } else if (isObj(bb)) for (const k of Object.keys(bb)) opts.push([k, ['postgresql', 'basebackup', k]]);
  for (const [name, p] of opts) {
    const clean = name.replace(/^--?/, '').split('=')[0]!;
    if (BASEBACKUP_FORBIDDEN.includes(clean)) {
      ctx.report(
        'forbidden-option',
        p,
        `pg_basebackup option '${clean}' is set by Patroni itself and rejected; remove it.`,
        { anchor: typeof p[2] === 'string' ? 'key' : 'value' },
      );
    }
  }
}
