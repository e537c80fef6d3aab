/** `patroni-kit resume`: leave maintenance mode. */

import { commonUsage, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit resume [CLUSTER_NAME] [options]

Turns automatic failover back on: PATCH /config {"pause": null}.

  --wait              wait until every member reports it
  --timeout SECONDS   how long to wait (default 60)
  --json              print the result as JSON

${commonUsage}`;

const options = { wait: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('resume', argv, options);
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const onProgress = progress(io, json);
    const result = await cluster.resume({
      ...(values.wait ? { wait: true } : {}),
      timeoutMs: timeoutMs(values.timeout, 60),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'leave maintenance mode', usage, run };
export default command;
