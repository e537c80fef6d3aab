/** Runs the CLI in-process through main() and collects its output. */
import { PassThrough } from 'node:stream';
import { main } from '../src/cli.js';

/** Runs the CLI in-process and collects its output. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await main(args, { stdout, stderr, isTTY: false, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}
