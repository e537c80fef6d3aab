/**
 * Open psql Terminal: psql on a member (default the leader) with the password in a private pgpass file
 * (mode 0600 in a 0700 folder) named by PGPASSFILE in the terminal's environment; never in argv or in the
 * command line the terminal shows. The file is removed when the terminal closes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandTarget,
  cancelled,
  pickCluster,
  withCluster,
} from './ui.js';

/** A PostgreSQL login (from SecretStorage, or the cluster's patroni.yml). */
export interface PgLogin {
  user?: string;
  password?: string;
}

/** What the adapter needs to create the terminal. */
export interface PsqlLaunch {
  name: string;
  shellPath: string;
  /** libpq keywords only: host, port, user, dbname. Never a password. */
  shellArgs: string[];
  env: Record<string, string>;
  /** The pgpass file, when a password was known. */
  pgpassFile?: string;
  /** Removes the pgpass file and its folder (idempotent). */
  cleanup(): void;
}

/** Escapes one pgpass field (`:` and `\` are escaped with a backslash, as libpq reads them). */
export function pgpassField(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

/** Parses `host=H port=P` (what the SDK's dsn gives). */
export function parseDsn(dsn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of dsn.split(/\s+/)) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Builds the launch: a private pgpass file for the password, libpq keywords in argv. */
export function psqlLaunch(opts: {
  cluster: string;
  member: string;
  dsn: string;
  login: PgLogin;
  psqlPath?: string;
  tmpRoot?: string;
  dbname?: string;
}): PsqlLaunch {
  const kv = parseDsn(opts.dsn);
  const host = kv.host ?? '127.0.0.1';
  const port = kv.port ?? '5432';
  const user = opts.login.user ?? 'postgres';
  const args = [`host=${host} port=${port} user=${user} dbname=${opts.dbname ?? 'postgres'}`];
  const env: Record<string, string> = { PGAPPNAME: 'patroni-kit-vscode' };
  let dir: string | undefined;
  let file: string | undefined;
  if (opts.login.password !== undefined && opts.login.password !== '') {
    dir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'patroni-kit-psql-'));
    file = join(dir, 'pgpass');
    writeFileSync(file, `${[host, port, '*', user, opts.login.password].map(pgpassField).join(':')}\n`, {
      mode: 0o600,
    });
    env.PGPASSFILE = file;
  }
  return {
    name: `psql ${opts.cluster}/${opts.member}`,
    shellPath: opts.psqlPath ?? 'psql',
    shellArgs: args,
    env,
    ...(file ? { pgpassFile: file } : {}),
    cleanup: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `patroni.openPsql`: resolves the member's address and login, then hands the launch to `openTerminal`. */
export async function openPsql(
  ctx: CommandContext,
  target: CommandTarget,
  deps: {
    login(clusterId: string): Promise<PgLogin>;
    openTerminal(launch: PsqlLaunch): Promise<void> | void;
    psqlPath?: string;
    tmpRoot?: string;
  },
): Promise<CommandOutcome & { launch?: PsqlLaunch }> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  let launch: PsqlLaunch | undefined;
  const res = await withCluster(ctx, def, 'Open psql Terminal', async (ops) => {
    const view = await ops.status();
    const member = target.member ?? view.leader ?? undefined;
    if (!member) {
      const message = `Open psql Terminal on ${def.name} failed: no member given and the cluster has no leader`;
      ctx.ui.error(message);
      return { outcome: 'failed', message };
    }
    const dsn = await ops.dsn(member);
    const stored = await deps.login(def.id);
    const fromConfig = ops.postgresLogin();
    const login: PgLogin = {};
    const user = stored.user ?? def.postgresUser ?? fromConfig?.username;
    const password = stored.password ?? fromConfig?.password;
    if (user !== undefined) login.user = user;
    if (password !== undefined) login.password = password;
    launch = psqlLaunch({
      cluster: def.name,
      member,
      dsn,
      login,
      ...(deps.psqlPath ? { psqlPath: deps.psqlPath } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
    await deps.openTerminal(launch);
    return {
      outcome: 'succeeded',
      message: `psql on ${member} (${dsn})${launch.pgpassFile ? ' with a private pgpass file' : '; psql asks for the password'}`,
    };
  });
  return launch ? { ...res, launch } : res;
}
