#!/usr/bin/env node
// Cluster health report with monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
//   node examples/health-report.mjs /etc/patroni/patronictl.yml
// Copy it, then adapt the thresholds; `patroni-kit health` does the same from the command line.
import { Cluster } from '@patroni-kit/cluster';

const configFile = process.argv[2] ?? process.env.PATRONICTL_CONFIG_FILE;
const cluster = await Cluster.connect({ configFile });
try {
  const report = await cluster.health({ minReplicas: 1 });
  console.log(`${report.scope}: ${report.state} - ${report.summary}`);
  for (const check of report.checks)
    console.log(`  ${check.state.padEnd(8)} ${check.name}: ${check.message}`);
  // Why each unhealthy replica does not stream, and what fixes it.
  for (const r of report.replicas ?? [])
    if (!r.healthy) console.log(`  ${r.member}: ${r.cause}${r.fix ? ` (fix: ${r.fix})` : ''}`);
  const view = await cluster.list();
  for (const advisory of view.advisories)
    console.log(`  advisory: ${advisory.message}\n    fix: ${advisory.fix}`);
  process.exitCode = report.exitCode;
} finally {
  await cluster.close();
}
