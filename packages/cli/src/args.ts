/** Argument parsing every command shares: `node:util` parseArgs with USAGE errors that name the command. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { PatroniKitError } from '@patroni-kit/errors';

/** The option table parseArgs takes. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** A USAGE error pointing at `patroni-kit COMMAND --help`. */
export function usageError(command: string, message: string): PatroniKitError {
  return new PatroniKitError('USAGE', message, { hint: `see \`patroni-kit ${command} --help\`` });
}

/** Parses `argv` strictly (positionals allowed); a parse error is a USAGE error naming the command. */
export function parseCommand<T extends OptionTable>(
  command: string,
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(command, (err as Error).message);
  }
}

/** A whole number from `min` to `max` given as `--NAME`, or undefined when the option is absent. */
export function intOption(
  command: string,
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw usageError(command, `--${name} must be a whole number from ${min} to ${max}, not '${value}'`);
  return n;
}
