/**
 * `patroni-kit`: the command-line entry point.
 *
 * Each command lives in its own module and is imported only when it runs, so that start-up stays lean
 * (`patroni-kit list` must not pay for loading the etcd client or the linter).
 */
import { describeError, isPatroniKitError } from '@patroni-kit/errors';
import { type CommandIO, type CommandModule, ExitCode } from './command.js';

const commands: Record<string, () => Promise<CommandModule>> = {
  'demote-cluster': async () => (await import('./commands/demote-cluster.js')).default,
  drill: async () => (await import('./commands/drill.js')).default,
  dsn: async () => (await import('./commands/dsn.js')).default,
  'edit-config': async () => (await import('./commands/edit-config.js')).default,
  etcd: async () => (await import('./commands/etcd.js')).default,
  failover: async () => (await import('./commands/failover.js')).default,
  flush: async () => (await import('./commands/flush.js')).default,
  health: async () => (await import('./commands/health.js')).default,
  history: async () => (await import('./commands/history.js')).default,
  lab: async () => (await import('./commands/lab.js')).default,
  lint: async () => (await import('./commands/lint.js')).default,
  list: async () => (await import('./commands/list.js')).default,
  pause: async () => (await import('./commands/pause.js')).default,
  'promote-cluster': async () => (await import('./commands/promote-cluster.js')).default,
  provision: async () => (await import('./commands/provision.js')).default,
  query: async () => (await import('./commands/query.js')).default,
  reinit: async () => (await import('./commands/reinit.js')).default,
  reload: async () => (await import('./commands/reload.js')).default,
  remove: async () => (await import('./commands/remove.js')).default,
  restart: async () => (await import('./commands/restart.js')).default,
  resume: async () => (await import('./commands/resume.js')).default,
  'show-config': async () => (await import('./commands/show-config.js')).default,
  slots: async () => (await import('./commands/slots.js')).default,
  switchover: async () => (await import('./commands/switchover.js')).default,
  topology: async () => (await import('./commands/topology.js')).default,
  version: async () => (await import('./commands/version.js')).default,
  watch: async () => (await import('./commands/watch.js')).default,
};

function mainUsage(): string {
  return [
    'Usage: patroni-kit COMMAND [options]',
    '',
    'Commands:',
    ...Object.keys(commands)
      .sort()
      .map((name) => `  ${name}`),
    '',
    "Run `patroni-kit COMMAND --help` for a command's options.",
  ].join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = [mainUsage()];
    if (name !== undefined) {
      for (const key of Object.keys(commands).sort()) {
        const mod = await commands[key]!();
        lines.push(`  ${key.padEnd(14)} ${mod.summary}`);
      }
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === 'version-cli') {
    io.stdout.write('patroni-kit 0.1.0\n');
    return ExitCode.ok;
  }
  const load = commands[name];
  if (!load) {
    io.stderr.write(`patroni-kit: unknown command '${name}'.\n${mainUsage()}\n`);
    return ExitCode.usage;
  }
  const mod = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${mod.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await mod.run(rest, io);
  } catch (err) {
    io.stderr.write(`patroni-kit ${name}: ${describeError(err)}\n`);
    if (process.env.PATRONI_KIT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return isPatroniKitError(err, 'USAGE')
      ? ExitCode.usage
      : isPatroniKitError(err, 'AMBIGUOUS_WRITE')
        ? ExitCode.unknown
        : ExitCode.failed;
  }
}
