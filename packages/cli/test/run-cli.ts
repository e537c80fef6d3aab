/** Runs the CLI in-process through main() and collects its output. */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli.js';
import type { CommandIO } from '../src/command.js';

/** A non-terminal CommandIO whose output collects in `out` as the command writes it. */
export function captureIo(signal: AbortSignal = new AbortController().signal): {
  io: CommandIO;
  out: { stdout: string; stderr: string };
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString();
  });
  return { io: { stdout, stderr, isTTY: false, signal }, out };
}

/** Runs the CLI in-process and collects its output. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const code = await main(args, io);
  return { code, ...out };
}

/** What a child process did. */
export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command ARGS` as a child process with stdin closed, bounded by `timeoutMs`. `env` is laid over this
 * process's environment (a key set to `undefined` is removed); PATRONICTL_CONFIG_FILE is cleared unless given.
 */
export function runFile(
  command: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<ProcessRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, PATRONICTL_CONFIG_FILE: '', ...opts.env }))
    if (v !== undefined) env[k] = v;
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20, env },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}
