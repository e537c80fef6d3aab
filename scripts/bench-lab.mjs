#!/usr/bin/env node
// Lab benchmarks (not a test): `lab up` cold and warm, and seconds from a leader kill to the first
// successful write through the writer port, under both timing profiles. Prints min/median/max.
//   node scripts/bench-lab.mjs [--runs N] [--patroni 4.0.7|3.0.2] [--etcd 3.5|3.4]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Lab, sql } from '@patroni-kit/lab';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    patroni: { type: 'string', default: '4.0.7' },
    etcd: { type: 'string', default: '3.5' },
  },
});
const runs = Math.max(1, Math.min(10, Number(values.runs)));
const base = {
  patroni: values.patroni,
  etcd: values.etcd,
  hosts: ['127.0.9.11', '127.0.9.12', '127.0.9.13'],
  haproxyHost: '127.0.9.1',
};

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `min ${s[0].toFixed(2)} s  median ${med.toFixed(2)} s  max ${s.at(-1).toFixed(2)} s  (n=${s.length})`;
};
const seconds = (t0) => (performance.now() - t0) / 1000;

async function writeOnce(lab) {
  const [row] = await sql(
    lab.connection('writer'),
    'insert into bench (v) values (1) returning host(inet_server_addr()) as a',
    [],
    1000,
  );
  return row.a;
}

async function failoverRun(profile) {
  const parent = mkdtempSync(join(tmpdir(), 'pk-bench-'));
  chmodSync(parent, 0o755);
  const lab = new Lab({ ...base, profile, dir: join(parent, 'lab') });
  try {
    await lab.up();
    await sql(lab.connection('writer'), 'create table if not exists bench (v int)');
    const before = await lab.status();
    const oldHost = before.members.find((m) => m.name === before.leader).host;
    await lab.waitSettled();
    const t0 = performance.now();
    await lab.kill(before.leader);
    // Bounded probe: one new connection every 100 ms for at most 120 s.
    for (let i = 0; i < 1200; i++) {
      try {
        const host = await writeOnce(lab);
        if (host !== oldHost) return seconds(t0);
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no write succeeded on a new leader within 120 s');
  } finally {
    await lab.down({ purge: true });
    rmSync(parent, { recursive: true, force: true });
  }
}

async function upRuns() {
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const parent = mkdtempSync(join(tmpdir(), 'pk-bench-'));
    chmodSync(parent, 0o755);
    const lab = new Lab({ ...base, profile: 'fast', dir: join(parent, 'lab') });
    try {
      let t0 = performance.now();
      await lab.up();
      cold.push(seconds(t0));
      await lab.down();
      t0 = performance.now();
      await lab.up();
      warm.push(seconds(t0));
    } finally {
      await lab.down({ purge: true });
      rmSync(parent, { recursive: true, force: true });
    }
  }
  return { cold, warm };
}

console.log(`lab benchmark: Patroni ${base.patroni}, etcd ${base.etcd}, ${runs} runs each`);
const { cold, warm } = await upRuns();
console.log(`lab up, cold (new cluster, fast profile):       ${stats(cold)}`);
console.log(`lab up, warm (existing data, after down):       ${stats(warm)}`);
for (const profile of ['fast', 'default']) {
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await failoverRun(profile));
  console.log(`leader kill -> first write via writer (${profile.padEnd(7)}): ${stats(xs)}`);
}
