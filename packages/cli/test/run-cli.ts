/** Runs the CLI in-process through main() and collects its output. */
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
