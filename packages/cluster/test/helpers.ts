/** Helpers of the cluster tests: run the CLI and the examples as child processes, make lab folders. */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled CLI. */
export const CLI = join(here, '../../../cli/dist/src/main.js');
/** The examples folder. */
export const EXAMPLES = join(here, '../../../../examples');

/** What a child process did. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node FILE ARGS` (bounded by `timeoutMs`); stdin is not a terminal. */
export function runNode(
  file: string,
  args: string[],
  timeoutMs = 180_000,
  env: Record<string, string> = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [file, ...args],
      {
        timeout: timeoutMs,
        maxBuffer: 16 << 20,
        env: { ...process.env, PATRONICTL_CONFIG_FILE: '', ...env },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Runs `patroni-kit ARGS`. */
export function runCli(args: string[], timeoutMs?: number, env?: Record<string, string>): Promise<RunResult> {
  return runNode(CLI, args, timeoutMs, env);
}

/** A fresh folder PostgreSQL (running as postgres) can traverse. */
export function labDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pk-cluster-${name}-`));
  chmodSync(dir, 0o755);
  return join(dir, 'lab');
}

/**
 * Awaits `promise`, failing the test if it has not settled after `boundMs`: a bounded wait that turns a hang
 * into a failure, not a claim about how fast it is (the bound is far above any normal run).
 */
export async function settles<T>(promise: Promise<T>, boundMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${boundMs} ms`)), boundMs);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `fn` every second until it returns a value (errors count as "not yet"), failing after `timeoutMs`
 * with `what` and the last error: a bounded wait for a cluster to reach a state.
 */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
}
