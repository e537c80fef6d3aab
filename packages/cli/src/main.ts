#!/usr/bin/env node
// The `patroni-kit` binary: wires process signals and streams to the CLI.
import { describeError } from '@patroni-kit/errors';
import { main } from './cli.js';
import { ExitCode } from './command.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    controller.abort(new Error(`interrupted by ${sig}`));
    process.exitCode = 130;
  });
}
// `patroni-kit list | head` closes stdout early: that ends the output, it is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});
main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`patroni-kit: ${describeError(err)}\n`);
    process.exitCode = ExitCode.failed;
  },
);
