#!/usr/bin/env node
// Long fuzz run (not part of CI): the seeded property-based suites of issue 13 with many more cases, and
// the linter's CPU time on growing inputs with the ratio between sizes (linear growth keeps it near the size
// ratio). CI runs the same suites at scale 1 in under two minutes.
//
//   node scripts/bench-fuzz.mjs [--scale 25] [--seed N] [--only rest,dcs,config,cluster,cli]
//
// A failure prints fast-check's counterexample and seed; replay it with --seed N --scale S.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '25' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    only: { type: 'string', default: 'rest,dcs,config,cluster,cli' },
  },
});
const suites = values.only.split(',').map((s) => s.trim());
console.log(`fuzz: scale ${values.scale}, seed ${values.seed}, suites ${suites.join(', ')}`);
let failed = 0;
for (const pkg of suites) {
  const file = join(root, 'packages', pkg, 'dist/test/fuzz.test.js');
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], {
    env: { ...process.env, PATRONI_KIT_FUZZ_SCALE: values.scale, PATRONI_KIT_FUZZ_SEED: values.seed },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const counts = [...r.stdout.matchAll(/^\s*# (.+: .*)$/gm)]
    .map((m) => m[1])
    .filter(
      (l) =>
        !/^Subtest/.test(l) &&
        !/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l) &&
        /\d/.test(l),
    );
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${pkg.padEnd(8)} ${((Date.now() - started) / 1000).toFixed(1)} s  ${counts.join('; ')}`,
  );
  if (!ok)
    console.log(
      r.stdout
        .split('\n')
        .filter((l) => /not ok|Counterexample|Got |seed/.test(l))
        .slice(0, 20)
        .join('\n'),
    );
}

// Linter cost by size: CPU time medians, and the ratio to the 32 KiB run (linear: about the size ratio).
const { lintText } = await import(join(root, 'packages/config/dist/src/index.js'));
const doc = (bytes) => {
  let text = 'scope: demo\nname: n1\ntags:\n';
  for (let i = 0; text.length < bytes - 20; i++) text += `  k${i.toString(36)}: 1\n`;
  return text;
};
const median = (text, n) => {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = process.cpuUsage();
    lintText(text, { maxBytes: 1 << 21 });
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(n / 2)];
};
lintText(doc(32 * 1024));
const base = median(doc(32 * 1024), 5);
for (const kib of [32, 64, 128, 256, 1024]) {
  const ms = kib === 32 ? base : median(doc(kib * 1024), 3);
  console.log(
    `lint ${String(kib).padStart(4)} KiB of short keys: ${ms.toFixed(0).padStart(6)} ms CPU, ${(ms / base).toFixed(1)}x the 32 KiB time for ${kib / 32}x the input`,
  );
}
process.exit(failed === 0 ? 0 : 1);
