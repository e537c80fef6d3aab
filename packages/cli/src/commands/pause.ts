/** `patroni-kit pause`: put the cluster in maintenance mode. */

import { commonUsage, finish, parse, progress, timeoutMs, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';

const usage = `Usage: patroni-kit pause [CLUSTER_NAME] [options]

Turns off automatic failover (maintenance mode): PATCH /config {"pause": true}.

  --wait              wait until every member reports it
  --timeout SECONDS   how long to wait (default 60)
  --json              print the result as JSON

${commonUsage}`;

const options = { wait: { type: 'boolean' } } as const;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('pause', argv, options);
  const json = Boolean(values.json);
  return withCluster(values, positionals[0], io, async (cluster) => {
    const onProgress = progress(io, json);
    const result = await cluster.pause({
      ...(values.wait ? { wait: true } : {}),
      timeoutMs: timeoutMs(values.timeout, 60),
      signal: io.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    return finish(result, io, json);
  });
}

const command: CommandModule = { summary: 'put the cluster in maintenance mode', usage, run };
export default command;
