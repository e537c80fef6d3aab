/** Starting the lab's programs detached, and ending them again by recorded PID only. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { PatroniKitError, sleep } from '@patroni-kit/errors';

/** A started process as recorded in lab.json. */
export interface ProcessRecord {
  pid: number;
  /** A string that must appear in /proc/PID/cmdline for the PID to still be ours. */
  marker: string;
  log: string;
}

/** Options for {@link startDetached}. */
export interface StartOptions {
  command: string;
  args: string[];
  env?: Record<string, string>;
  log: string;
  marker: string;
  cwd?: string;
  /** Run as this user through `setpriv` (which execs, so the PID stays the program's). */
  runAs?: string;
  /** Run inside this network namespace through `ip netns exec` (which execs too). */
  netns?: string;
}

/** Starts a program in its own session with output appended to `log`; returns its record. */
export function startDetached(opts: StartOptions): Promise<ProcessRecord> {
  let argv = [opts.command, ...opts.args];
  if (opts.runAs) argv = ['setpriv', '--reuid', opts.runAs, '--regid', opts.runAs, '--init-groups', ...argv];
  // `ip netns exec` must come first: setpriv drops the rights it needs.
  if (opts.netns) argv = ['ip', 'netns', 'exec', opts.netns, ...argv];
  const fd = openSync(opts.log, 'a', 0o640);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd ?? '/',
    });
    child.once('error', (err) => {
      closeSync(fd);
      reject(new PatroniKitError('LAB', `could not start ${opts.command}: ${err.message}`, { cause: err }));
    });
    child.once('spawn', () => {
      closeSync(fd);
      child.unref();
      resolve({ pid: child.pid!, marker: opts.marker, log: opts.log });
    });
  });
}

/** True when PID is alive (not a zombie) and still runs the recorded program. */
export function isRunning(rec: ProcessRecord | undefined): boolean {
  if (!rec) return false;
  try {
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    // State is the field after the parenthesised command name.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    // An empty command line is a process in the middle of exec (setpriv and ip netns exec exec the program).
    return cmdline === '' || cmdline.includes(rec.marker);
  } catch {
    return false;
  }
}

/** Sends `signal` to the recorded process if it is still ours; returns whether it was sent. */
export function signalProcess(rec: ProcessRecord | undefined, signal: NodeJS.Signals): boolean {
  if (!rec || !isRunning(rec)) return false;
  try {
    process.kill(rec.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `timeoutMs` for the process to exit; returns whether it did. */
export async function waitForExit(rec: ProcessRecord | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(rec)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM, wait, then SIGKILL: ends the recorded process and returns once it is gone. */
export async function stopProcess(rec: ProcessRecord | undefined, graceMs: number): Promise<void> {
  if (!signalProcess(rec, 'SIGTERM')) return;
  if (await waitForExit(rec, graceMs)) return;
  signalProcess(rec, 'SIGKILL');
  await waitForExit(rec, 5000);
}

/** The postmaster PID from `data/postmaster.pid`, if the file names a live postgres process. */
export function postmasterRecord(dataDir: string): ProcessRecord | undefined {
  try {
    const pid = Number.parseInt(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0] ?? '', 10);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const rec = { pid, marker: dataDir, log: '' };
    return isRunning(rec) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Live processes whose command line names a path inside `dir`: the lab's own programs (their configs,
 * data folders and logs live there), found without lab.json when that file is lost or corrupt.
 */
export function processesUnder(dir: string): ProcessRecord[] {
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  const found: ProcessRecord[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of pids) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(prefix)) continue;
      const rec = { pid, marker: prefix, log: '' };
      if (isRunning(rec)) found.push(rec);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The command line of PID with spaces between arguments, or '' when it is gone. */
export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function tailLog(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}
