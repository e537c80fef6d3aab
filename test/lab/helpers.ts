/** Shared helpers for the lab's integration tests: run the CLI, write and read through HAProxy. */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab, sql, waitFor } from '@patroni-kit/lab';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled CLI entry point. */
export const CLI = join(here, '../../../packages/cli/dist/src/main.js');

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `patroni-kit ARGS` in a child process (bounded by `timeoutMs`). */
export function runCli(
  args: string[],
  opts: { timeoutMs?: number; runAs?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const argv = opts.runAs
    ? [
        'setpriv',
        '--reuid',
        opts.runAs,
        '--regid',
        opts.runAs,
        '--init-groups',
        process.execPath,
        CLI,
        ...args,
      ]
    : [process.execPath, CLI, ...args];
  // setpriv keeps the environment: give the user its own HOME, as a login would.
  const home = opts.runAs
    ? { HOME: execFileSync('getent', ['passwd', opts.runAs], { encoding: 'utf8' }).split(':')[5] ?? '/' }
    : {};
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      {
        timeout: opts.timeoutMs ?? 300_000,
        env: { ...process.env, ...home, ...opts.env },
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh folder for one test file (mode 0700, as mkdtemp makes it; see {@link openDir}). */
export function tempLabDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pk-${name}-`));
}

/** Lets the postgres user enter `dir` (labs below it run PostgreSQL as postgres when we are root). */
export function openDir(dir: string): string {
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * A fast-profile Patroni 4.0.7 lab for one suite at `net`.11-13 (HAProxy at `net`.1), started before the
 * suite's tests with the probe table in place and purged after them. Call it inside `describe`.
 */
export function probeLab(name: string, net: string): { lab: Lab; dir: string; ctl: string } {
  const dir = openDir(tempLabDir(name));
  const lab = new Lab({
    dir,
    profile: 'fast',
    patroni: '4.0.7',
    hosts: [`${net}.11`, `${net}.12`, `${net}.13`],
    haproxyHost: `${net}.1`,
  });
  before(async () => {
    await lab.up();
    await createProbeTable(lab);
  });
  after(async () => {
    await lab.down({ purge: true });
  });
  return { lab, dir, ctl: `${dir}/patronictl.yml` };
}

/** Creates the probe table through the writer port. */
export async function createProbeTable(lab: Lab): Promise<void> {
  await waitFor(
    'a writable leader',
    async () => {
      await sql(
        lab.connection('writer'),
        'create table if not exists probe (id bigserial primary key, note text, at timestamptz default now())',
      );
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** Inserts one row through the writer port; returns its id and the server address that took it. */
export async function writeRow(
  lab: Lab,
  note: string,
  timeoutMs = 2000,
): Promise<{ id: number; server: string }> {
  const [row] = await sql<{ id: string; server: string }>(
    lab.connection('writer'),
    'insert into probe (note) values ($1) returning id, host(inet_server_addr()) as server',
    [note],
    timeoutMs,
  );
  return { id: Number(row!.id), server: row!.server };
}

/** Waits until the reader port returns the row with `id` from a server in recovery. */
export async function readBack(
  lab: Lab,
  id: number,
): Promise<{ note: string; server: string; inRecovery: boolean }> {
  return waitFor(
    `row ${id} through the reader port`,
    async () => {
      const [row] = await sql<{ note: string; server: string; r: boolean }>(
        lab.connection('reader'),
        'select note, host(inet_server_addr()) as server, pg_is_in_recovery() as r from probe where id = $1',
        [id],
        2000,
      );
      return row ? { note: row.note, server: row.server, inRecovery: row.r } : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** Listening TCP sockets on any of `hosts` (from /proc/net/tcp, no tools needed). */
export async function listeningOn(hosts: string[]): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const hex = (ip: string) =>
    ip
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase())
      .reverse()
      .join('');
  const wanted = new Map(hosts.map((h) => [hex(h), h]));
  const out: string[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== '0A') continue; // LISTEN
    const [ipHex, portHex] = (cols[1] ?? '').split(':');
    const host = wanted.get(ipHex ?? '');
    if (host) out.push(`${host}:${Number.parseInt(portHex ?? '0', 16)}`);
  }
  return out;
}
