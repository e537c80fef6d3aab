#!/usr/bin/env node
// Rolling restart: each replica in turn (waiting until the cluster is healthy again), then the leader
// through a switchover to a healthy replica and a restart of the old leader, which is a replica by then.
//   node examples/rolling-restart.mjs /etc/patroni/patronictl.yml [--pending]
import { Cluster } from '@patroni-kit/cluster';

const args = process.argv.slice(2);
const pending = args.includes('--pending');
const configFile = args.find((a) => !a.startsWith('--')) ?? process.env.PATRONICTL_CONFIG_FILE;
const cluster = await Cluster.connect({ configFile });
const log = (p) => console.log(`  ${p.message}`);
const stop = (result) => {
  console.error(`${result.action} ${result.outcome}: ${result.reason}`);
  process.exit(result.outcome === 'unknown' ? 3 : 1);
};
try {
  await cluster.waitForHealthy({ timeoutMs: 120_000, onProgress: log });
  const view = await cluster.list();
  const replicas = view.members.filter((m) => m.name !== view.leader).map((m) => m.name);
  for (const name of replicas) {
    console.log(`restarting replica ${name}`);
    const result = await cluster.restart({ members: [name], pending, onProgress: log });
    if (result.outcome !== 'succeeded') stop(result);
    await cluster.waitForHealthy({ timeoutMs: 120_000, onProgress: log });
  }
  const oldLeader = view.leader;
  console.log(`moving the leader away from ${oldLeader}`);
  const switched = await cluster.switchover({ leader: oldLeader, onProgress: log });
  if (switched.outcome !== 'succeeded') stop(switched);
  await cluster.waitForHealthy({ timeoutMs: 120_000, onProgress: log });
  console.log(`restarting the old leader ${oldLeader}`);
  const last = await cluster.restart({ members: [oldLeader], pending, onProgress: log });
  if (last.outcome !== 'succeeded') stop(last);
  const report = await cluster.waitForHealthy({ timeoutMs: 120_000, onProgress: log });
  console.log(`done: ${report.summary}`);
} finally {
  await cluster.close();
}
