#!/usr/bin/env node
// A switchover that only happens when every pre-check passes, then waits until the new leader runs.
//   node examples/safe-switchover.mjs /etc/patroni/patronictl.yml [CANDIDATE]
// Exit code 0 done, 1 refused or failed, 3 outcome unknown (read the cluster before retrying).
import { Cluster } from '@patroni-kit/cluster';

const [configFile = process.env.PATRONICTL_CONFIG_FILE, candidate] = process.argv.slice(2);
const cluster = await Cluster.connect({ configFile });
try {
  // 1. Dry run: every check patronictl makes, and the stricter ones, without writing anything.
  const plan = await cluster.planSwitchover(candidate ? { candidate } : {});
  for (const v of plan.verdicts)
    console.log(`  candidate ${v.member} (${v.source}): ${v.ok ? 'ok' : v.reasons.join('; ')}`);
  if (!plan.ok) {
    console.error(`refused (${plan.check}): ${plan.reason}`);
    process.exit(1);
  }
  console.log(`plan: ${plan.reason}`);
  // 2. Execute exactly that plan: re-validated on one read (refused if the leader changed or the candidate is
  //    no longer eligible), one POST /switchover (never retried), then a wait for the new leader.
  const result = await cluster.switchover(plan, {
    timeoutMs: 120_000,
    onProgress: (p) => console.log(`  [${(p.elapsedMs / 1000).toFixed(1)}s] ${p.message}`),
  });
  console.log(`${result.outcome}: ${result.reason}`);
  process.exitCode = result.outcome === 'succeeded' ? 0 : result.outcome === 'failed' ? 1 : 3;
} finally {
  await cluster.close();
}
