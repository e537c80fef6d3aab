/** patronictl's watch options (-W, -w SECONDS) shared by `list` and `topology`: redraw until interrupted. */
import { PatroniKitError, sleep } from '@patroni-kit/errors';
import type { CommandIO } from './command.js';

/** parseArgs options for refreshing output. */
export const refreshOptions = {
  timestamp: { type: 'boolean', short: 't' },
  W: { type: 'boolean', short: 'W' },
  watch: { type: 'string', short: 'w' },
  count: { type: 'string' },
} as const;

/** Help lines for {@link refreshOptions}. */
export const refreshUsage = `  -t, --timestamp       print the time before each listing
  -W                    refresh every 2 seconds until interrupted
  -w, --watch SECONDS   refresh every SECONDS seconds
  --count N             stop watching after N refreshes`;

/** Runs `once` a single time, or every -W/-w interval until Ctrl-C or --count; clears a terminal in between. */
export async function refreshLoop(
  values: { timestamp?: boolean; W?: boolean; watch?: string; count?: string },
  io: CommandIO,
  clearScreen: boolean,
  once: () => Promise<unknown>,
): Promise<void> {
  const interval = values.W ? 2 : values.watch !== undefined ? Number(values.watch) : 0;
  if (!Number.isFinite(interval) || interval < 0)
    throw new PatroniKitError('USAGE', `--watch takes seconds, not '${values.watch}'`, {
      hint: 'for example -w 5, or -W for every 2 seconds',
    });
  const count =
    values.count === undefined ? (interval > 0 ? Number.POSITIVE_INFINITY : 1) : Number(values.count);
  if (!Number.isInteger(count) && count !== Number.POSITIVE_INFINITY)
    throw new PatroniKitError('USAGE', `--count takes a whole number, not '${values.count}'`);
  for (let i = 0; i < Math.max(1, count) && !io.signal.aborted; i++) {
    if (i > 0) await sleep(interval * 1000, io.signal);
    if (io.signal.aborted) break;
    if (interval > 0 && io.isTTY && clearScreen) io.stdout.write('\x1b[2J\x1b[H');
    if (values.timestamp) io.stdout.write(`${new Date().toISOString().replace('T', ' ').slice(0, 19)}\n`);
    await once();
  }
}
