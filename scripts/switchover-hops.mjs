#!/usr/bin/env node
// Counts the HTTP requests from a switchover's start to its REST write (POST /switchover), in order, with
// Node's diagnostics channels (node:http for the lean read path, undici for the REST client):
//   node scripts/switchover-hops.mjs CTL_CONFIG           # `patroni-kit switchover --force`, in-process
//   node scripts/switchover-hops.mjs CTL_CONFIG --plan    # SDK: planSwitchover(), then switchover(plan)
// It switches the cluster over (a lab: `patroni-kit lab up --net 127.0.101 --dir DIR`).
import dc from 'node:diagnostics_channel';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [ctl, mode] = process.argv.slice(2);
if (!ctl) {
  console.error('usage: node scripts/switchover-hops.mjs CTL_CONFIG [--plan]');
  process.exit(2);
}
const hops = [];
dc.subscribe('http.client.request.start', ({ request }) =>
  hops.push(`${request.method} ${request.host}${request.path}`),
);
dc.subscribe('undici:request:create', ({ request }) =>
  hops.push(`${request.method} ${request.origin}${request.path}`),
);
let outcome;
if (mode === '--plan') {
  const { Cluster } = await import(join(root, 'packages/cluster/dist/src/index.js'));
  const cluster = await Cluster.connect({ configFile: ctl });
  try {
    const plan = await cluster.planSwitchover({});
    outcome = (await cluster.switchover(plan)).outcome;
  } finally {
    await cluster.close();
  }
} else {
  const { main } = await import(join(root, 'packages/cli/dist/src/cli.js'));
  const io = {
    stdout: { write() {} },
    stderr: { write() {} },
    isTTY: false,
    signal: new AbortController().signal,
  };
  outcome = (await main(['switchover', '-c', ctl, '--force'], io)) === 0 ? 'succeeded' : 'not succeeded';
}
const write = hops.findIndex((h) => /^POST .*\/switchover$/.test(h));
console.log(`${outcome}; requests before the write: ${write < 0 ? 'no write' : write}`);
for (const h of hops.slice(0, write + 1)) console.log(`  ${h}`);
