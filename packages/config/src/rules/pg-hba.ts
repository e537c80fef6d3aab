/** Rule group 'pg-hba': pg_hba: replication access and weak methods. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { defineRule } from './rule.js';
import {
  effectiveParam,
  type HbaLine,
  hbaMethodFix,
  loopbackCluster,
  parseHba,
  pgMajorFromPaths,
} from './util.js';

/** The rules of group 'pg-hba'. */
export const rules = [
  defineRule(
    {
      id: 'pg-hba-no-replication',
      group: 'pg-hba',
      severity: 'error',
      variants: {
        loopback: {
          severity: 'warning',
          when: 'the only replication lines allow loopback addresses, which suits only a one-host setup',
        },
      },
      docs: {
        title: 'pg_hba has no replication entry for the replication user over TCP.',
        why: 'Replicas cannot clone (pg_basebackup) or stream from the primary.',
        fix: 'Add `host replication <replication user> <member network> scram-sha-256` (or hostssl).',
        example: 'postgresql:\n  pg_hba:\n    - host all all 10.0.0.0/24 scram-sha-256\n',
      },
    },
    hba,
  ),
  defineRule({
    id: 'pg-hba-trust',
    group: 'pg-hba',
    severity: 'warning',
    docs: {
      title: 'pg_hba uses trust for network connections.',
      why: 'Anyone who reaches the port connects without a password, replication included.',
      fix: 'Use scram-sha-256 (or cert) for host lines; keep trust at most for local socket lines.',
      example: 'postgresql:\n  pg_hba:\n    - host replication replicator 0.0.0.0/0 trust\n',
    },
  }),
  defineRule({
    id: 'pg-hba-md5',
    group: 'pg-hba',
    severity: 'warning',
    autofix: true,
    docs: {
      title: 'pg_hba uses md5 or password while passwords are scram-sha-256.',
      why: 'md5 lines keep the weak MD5 challenge available and `password` sends cleartext passwords.',
      fix: 'Use scram-sha-256 in pg_hba (PostgreSQL 10+).',
      example:
        'postgresql:\n  parameters:\n    password_encryption: scram-sha-256\n  pg_hba:\n    - host all all 10.0.0.0/24 md5\n',
    },
  }),
  defineRule({
    id: 'hba-file-override',
    group: 'pg-hba',
    severity: 'warning',
    docs: {
      title: 'hba_file/ident_file set together with pg_hba/pg_ident.',
      why: 'With a non-default hba_file or ident_file Patroni ignores postgresql.pg_hba / pg_ident.',
      fix: 'Remove one of the two.',
      example: 'postgresql:\n  parameters:\n    hba_file: /etc/pg/hba.conf\n  pg_hba: [...]\n',
    },
  }),
] as const;

function hba(ctx: RuleContext): void {
  const sources: Array<[PathSegment[], unknown]> = [];
  for (const p of [
    ...(ctx.dynamicDoc
      ? []
      : [
          ['postgresql', 'pg_hba'],
          ['bootstrap', 'pg_hba'],
        ]),
    [...ctx.dynPath, 'postgresql', 'pg_hba'],
  ]) {
    const v = ctx.get(p);
    if (Array.isArray(v)) sources.push([p, v]);
  }
  if (sources.length === 0) return;
  const hbaFile = effectiveParam(ctx, 'hba_file');
  if (hbaFile && !ctx.dynamicDoc) {
    ctx.report(
      'hba-file-override',
      hbaFile.path,
      `hba_file is set, so Patroni ignores ${sources.map(([p]) => p.join('.')).join(' and ')}: the lines there are never written. Remove one of the two.`,
    );
  }
  const replUser = ctx.get(['postgresql', 'authentication', 'replication', 'username']);
  // local postgresql.pg_hba wins over the dynamic one; bootstrap.pg_hba is appended after initdb only
  const primary = sources[0]!;
  const lines = parseHba(primary[1], primary[0]);
  const bootstrapLines = sources
    .filter(([p]) => p.join('.') === 'bootstrap.pg_hba')
    .flatMap(([p, v]) => parseHba(v, p));
  const all = [...lines, ...(primary[0].join('.') === 'bootstrap.pg_hba' ? [] : bootstrapLines)];
  const userMatches = (u: string) =>
    u
      .split(',')
      .some(
        (x) =>
          x === 'all' ||
          x === replUser ||
          x.startsWith('+') ||
          x.startsWith('@') ||
          (typeof replUser !== 'string' && x !== ''),
      );
  const replEntries = all.filter(
    (l) =>
      l.type !== 'local' &&
      l.database.split(',').includes('replication') &&
      userMatches(l.user) &&
      l.method !== 'reject',
  );
  if (!ctx.dynamicDoc || replUser !== undefined) {
    const onlyLoopback =
      !loopbackCluster(ctx) &&
      replEntries.length > 0 &&
      replEntries.every((l) => /^(127\.|::1|localhost)/.test(l.address));
    if (replEntries.length === 0) {
      ctx.report(
        'pg-hba-no-replication',
        primary[0],
        `${primary[0].join('.')} has no line that lets the replication user${typeof replUser === 'string' ? ` '${replUser}'` : ''} connect for replication over TCP: replicas cannot clone or stream. Add e.g. \`host replication ${typeof replUser === 'string' ? replUser : '<replication user>'} <member network>/24 scram-sha-256\`.`,
      );
    } else if (onlyLoopback) {
      ctx.report(
        'pg-hba-no-replication',
        replEntries[0]!.path,
        `The only replication entries in ${primary[0].join('.')} allow loopback addresses; replicas on other hosts cannot connect. Add the network of the other members.`,
        { variant: 'loopback' },
      );
    }
  }
  rewindAccess(ctx, all, primary[0]);
  const scram = effectiveParam(ctx, 'password_encryption');
  const scramConfigured = scram
    ? String(scram.value).toLowerCase() === 'scram-sha-256'
    : pgMajorFromPaths(ctx) >= 14;
  for (const l of [...all]) {
    if (l.method === 'trust' && l.type !== 'local' && !/^(127\.0\.0\.1\/32|::1\/128)$/.test(l.address)) {
      ctx.report(
        'pg-hba-trust',
        l.path,
        `pg_hba line allows ${l.database === 'replication' ? 'replication' : 'connections'} from ${l.address || 'the network'} with trust (no password). Use scram-sha-256 or cert.`,
      );
    } else if (l.method === 'password') {
      ctx.report(
        'pg-hba-md5',
        l.path,
        "pg_hba line uses 'password', which sends passwords in clear text. Use scram-sha-256.",
        { fix: hbaMethodFix(ctx, l, 'password') },
      );
    } else if (l.method === 'md5' && scramConfigured) {
      ctx.report(
        'pg-hba-md5',
        l.path,
        `pg_hba line uses md5 while passwords are stored as scram-sha-256${scram ? '' : ' (the PostgreSQL 14+ default)'}: use scram-sha-256 so the weaker md5 exchange is never offered.`,
        { fix: hbaMethodFix(ctx, l, 'md5') },
      );
    }
  }
}

/** pg_rewind connects as the rewind user (or the superuser) to database postgres from the new primary. */
function rewindAccess(ctx: RuleContext, lines: HbaLine[], where: PathSegment[]): void {
  if (ctx.dynamicDoc) return;
  const local = ctx.get(['postgresql', 'use_pg_rewind']);
  const enabled = local ?? ctx.get([...ctx.dynPath, 'postgresql', 'use_pg_rewind']);
  if (enabled !== true) return;
  const rewindUser = ctx.get(['postgresql', 'authentication', 'rewind', 'username']);
  const superUser = ctx.get(['postgresql', 'authentication', 'superuser', 'username']);
  const user =
    typeof rewindUser === 'string' ? rewindUser : typeof superUser === 'string' ? superUser : undefined;
  if (user === undefined) return;
  const ok = lines.some(
    (l) =>
      l.type !== 'local' &&
      l.method !== 'reject' &&
      l.database.split(',').some((d) => d === 'all' || d === 'postgres' || d.startsWith('@')) &&
      l.user.split(',').some((u) => u === 'all' || u === user || u.startsWith('+') || u.startsWith('@')) &&
      (loopbackCluster(ctx) || !/^(127\.|::1|localhost)/.test(l.address)),
  );
  if (!ok) {
    ctx.report(
      'pg-rewind-prerequisites',
      where,
      `use_pg_rewind is on, but ${where.join('.')} has no line letting '${user}' (the ${typeof rewindUser === 'string' ? 'rewind user' : 'superuser, used for rewind'}) connect to database postgres from the other members: pg_rewind will fail and the former primary must be re-cloned. Add e.g. \`host postgres ${user} <member network>/24 scram-sha-256\`.`,
      { variant: 'hba' },
    );
  }
}
