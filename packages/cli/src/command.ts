/** The contract every `patroni-kit` sub-command module fulfils. */

/** Where a command writes; tests pass their own streams. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when stdout is a terminal (colour, progress spinners). */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM; every I/O a command starts takes this signal. */
  signal: AbortSignal;
}

/** A sub-command: `run` gets the arguments after the command name and returns the exit code. */
export interface CommandModule {
  /** One line for `patroni-kit --help`. */
  summary: string;
  /** Full help text for `patroni-kit COMMAND --help`. */
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** Exit codes shared by all commands. */
export const ExitCode = {
  ok: 0,
  /** The action failed, or found errors (lint), or a check is critical. */
  failed: 1,
  /** Bad usage: unknown option, missing argument. */
  usage: 2,
  /** The outcome of a write is unknown; read the cluster to confirm. */
  unknown: 3,
} as const;
