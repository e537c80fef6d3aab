/** `patroni-kit show-config`: the dynamic configuration as YAML (or JSON). */

import { commonUsage, parse, withCluster } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit show-config [CLUSTER_NAME] [options]

Prints the dynamic configuration (the DCS config key; GET /config when the DCS cannot be read).

  --json    print JSON instead of YAML

${commonUsage}`;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('show-config', argv, {});
  return withCluster(values, positionals[0], io, async (cluster) => {
    const config = await cluster.showConfig({ signal: io.signal });
    if (values.json || values.format === 'json') io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    else {
      const YAML = await import('yaml');
      io.stdout.write(YAML.stringify(config, { sortMapEntries: true }));
    }
    return ExitCode.ok;
  });
}

const command: CommandModule = { summary: 'show the dynamic configuration', usage, run };
export default command;
