#!/usr/bin/env node
// A deploy-pipeline gate: waits (polling with backoff) until the cluster has a running leader, every
// replica streaming within the lag limit and every member running; exits 1 if that does not happen in time.
//   node examples/wait-until-healthy.mjs /etc/patroni/patronictl.yml [TIMEOUT_SECONDS]
import { Cluster } from '@patroni-kit/cluster';

const [configFile = process.env.PATRONICTL_CONFIG_FILE, seconds = '300'] = process.argv.slice(2);
const cluster = await Cluster.connect({ configFile });
try {
  const report = await cluster.waitForHealthy({
    timeoutMs: Number(seconds) * 1000,
    onProgress: (p) => console.error(p.message),
  });
  const core = report.checks.filter((c) => ['has_leader', 'has_replicas', 'node_count'].includes(c.name));
  console.log(`healthy: ${core.map((c) => c.message).join('; ')}`);
  // Warnings that do not block a deploy (maintenance mode, advisories, pending restart) are still shown.
  for (const c of report.checks.filter((x) => x.state !== 'OK'))
    console.log(`  ${c.state}: ${c.name}: ${c.message}`);
} catch (err) {
  console.error(`not healthy: ${err.message}`);
  process.exitCode = 1;
} finally {
  await cluster.close();
}
