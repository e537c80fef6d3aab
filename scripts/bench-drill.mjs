#!/usr/bin/env node
// Drill benchmarks (not a test): the writer's outage per scenario and timing profile, and a long run of
// leader kills and partitions in synchronous mode that must show 0 dual-primary observations and 0 lost
// acknowledged writes. Prints min/median/max and the totals; writes every drill report below --out.
//
//   node scripts/bench-drill.mjs [--runs N] [--faults N] [--minutes M] [--out DIR] [--skip-profiles] [--skip-faults]
//
// --runs     runs of each scenario per profile in part 1 (default 3)
// --faults   leader kills + partitions in part 2 (default 50; half each, partitions need root for netns)
// --minutes  no new drill starts after this many minutes (default 40); what ran is reported
// Addresses: 127.0.32.x (default profile), 127.0.33.x (fast profile), netns prefix dr, 198.18.30.0/24.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDrill, writeReport } from '@patroni-kit/drill';
import { Lab } from '@patroni-kit/lab';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    faults: { type: 'string', default: '50' },
    minutes: { type: 'string', default: '40' },
    out: { type: 'string' },
    'skip-profiles': { type: 'boolean' },
    'skip-faults': { type: 'boolean' },
  },
});
const runs = Math.max(1, Math.min(20, Number(values.runs)));
const faultsWanted = Math.max(0, Math.min(500, Number(values.faults)));
const deadline = Date.now() + Math.max(1, Number(values.minutes)) * 60_000;
const parent = mkdtempSync(join(tmpdir(), 'pk-bench-drill-'));
chmodSync(parent, 0o755);
const out = values.out ?? join(parent, 'reports');
mkdirSync(out, { recursive: true });
const started = Date.now();
const log = (line) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s] ${line}\n`);
const timeLeft = () => Date.now() < deadline;

const stats = (xs) => {
  if (xs.length === 0) return { n: 0, min: null, median: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, min: s[0], median, max: s.at(-1) };
};
const downCell = (xs) => {
  const d = stats(xs);
  return d.n ? `${sec(d.min)} / ${sec(d.median)} / ${sec(d.max)}` : '–';
};
const sec = (ms) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);

const results = { profiles: [], faults: null, startedAt: new Date(started).toISOString() };
const allRuns = [];

async function drill(lab, scenario, extra = {}) {
  const [r] = await runDrill(lab, {
    scenarios: [scenario],
    settleMs: 2000,
    onProgress: (l) => log(l),
    ...extra,
  });
  const stamp = new Date(r.history.startedAt).toISOString().replace(/[:.]/g, '-');
  const files = await writeReport(r, join(out, `${stamp}-${scenario}`));
  allRuns.push({ scenario, ok: r.ok, png: files.png, report: files.markdown });
  return r;
}

async function withLab(opts, fn) {
  const lab = new Lab({ ...opts, dir: join(parent, `lab-${opts.profile}-${opts.topology ?? 'loopback'}`) });
  try {
    await lab.up();
    return await fn(lab);
  } finally {
    await lab.down({ purge: true }).catch((err) => log(`lab down failed: ${err.message}`));
  }
}

// Part 1: outage per scenario and profile.
if (!values['skip-profiles']) {
  for (const [profile, net] of [
    ['fast', '127.0.33'],
    ['default', '127.0.32'],
  ]) {
    if (!timeLeft()) break;
    const opts = { profile, hosts: [`${net}.11`, `${net}.12`, `${net}.13`], haproxyHost: `${net}.1` };
    const row = {
      profile,
      ttl: null,
      kill: [],
      switchover: [],
      gaps: { kill: [], switchover: [] },
      failed: [],
    };
    await withLab(opts, async (lab) => {
      for (let i = 0; i < runs && timeLeft(); i++) {
        for (const scenario of ['leader-kill', 'switchover']) {
          if (!timeLeft()) break;
          const r = await drill(lab, scenario);
          row.ttl = r.timing.ttl;
          if (!r.ok) row.failed.push(`${scenario}: ${[...r.check.violations, ...r.problems].join('; ')}`);
          const key = scenario === 'leader-kill' ? 'kill' : 'switchover';
          if (r.check.outage.writerBackMs !== null) row[key].push(r.check.outage.writerBackMs);
          row.gaps[key].push(r.check.outage.maxWriteGapMs);
        }
      }
    });
    results.profiles.push(row);
  }
}

// Part 2: many leader kills and partitions in synchronous mode on a netns lab.
if (!values['skip-faults'] && faultsWanted > 0 && timeLeft()) {
  const netns = process.getuid?.() === 0;
  const f = {
    topology: netns ? 'netns' : 'loopback',
    kills: 0,
    partitions: 0,
    dualPrimaryRounds: 0,
    pollRounds: 0,
    acknowledged: 0,
    lost: 0,
    ghost: 0,
    writerBack: { kill: [], partition: [] },
    haproxyDown: { kill: [], partition: [] },
    ttl: null,
    failedRuns: [],
  };
  const opts = {
    profile: 'fast',
    sync: true,
    ...(netns
      ? { topology: 'netns', netnsPrefix: 'dr', netnsOctet: 30, haproxyHost: '127.0.34.1' }
      : { hosts: ['127.0.34.11', '127.0.34.12', '127.0.34.13'], haproxyHost: '127.0.34.1' }),
  };
  await withLab(opts, async (lab) => {
    const batch = 5;
    while (f.kills + f.partitions < faultsWanted && timeLeft()) {
      const doPartition = netns && f.partitions < f.kills;
      const scenario = doPartition ? 'repeated-partitions' : 'repeated-failovers';
      const left = faultsWanted - f.kills - f.partitions;
      let r;
      try {
        r = await drill(lab, scenario, { repeat: Math.min(batch, left) });
      } catch (err) {
        f.failedRuns.push(`${scenario}: ${err.message}`);
        log(`${scenario} stopped: ${err.message}`);
        break;
      }
      f.ttl = r.timing.ttl;
      const done = doPartition ? (r.details.partitions ?? []) : (r.details.failovers ?? []);
      if (doPartition) f.partitions += done.length;
      else f.kills += done.length;
      for (const d of done) {
        f.writerBack[doPartition ? 'partition' : 'kill'].push(d.writerBackMs);
        if (typeof d.haproxyDownMs === 'number')
          f.haproxyDown[doPartition ? 'partition' : 'kill'].push(d.haproxyDownMs);
      }
      f.dualPrimaryRounds += r.check.dualPrimary.length;
      f.pollRounds += new Set(r.history.samples.map((s) => s.round)).size;
      f.acknowledged += r.check.writes.acknowledged;
      f.lost += r.check.writes.lost.length;
      f.ghost += r.check.writes.ghost.length;
      if (!r.ok) f.failedRuns.push(`${scenario}: ${[...r.check.violations, ...r.problems].join('; ')}`);
      if (done.length === 0) {
        log(`${scenario} injected no fault that the cluster recovered from; stopping part 2`);
        break;
      }
      log(
        `faults so far: ${f.kills} kills, ${f.partitions} partitions, ${f.dualPrimaryRounds} dual, ${f.lost} lost`,
      );
    }
  });
  results.faults = f;
}

// Report.
const lines = [];
lines.push(`# Drill benchmark, ${results.startedAt}, ${((Date.now() - started) / 60000).toFixed(1)} min`, '');
if (results.profiles.length) {
  lines.push(
    '| profile | ttl | scenario | writer back after the fault: min / median / max | longest write gap: min / median / max | runs | goal |',
    '|---|---|---|---|---|---|---|',
  );
  for (const p of results.profiles) {
    for (const [key, label, goal] of [
      ['kill', 'leader kill', (ms) => ms <= (p.ttl + 1) * 1000],
      ['switchover', 'switchover', (ms) => ms <= 2000],
    ]) {
      const back = stats(p[key]);
      const gap = stats(p.gaps[key]);
      const measured = key === 'kill' ? p[key] : p.gaps[key];
      const met = measured.length ? measured.filter(goal).length : 0;
      lines.push(
        `| ${p.profile} | ${p.ttl ?? '?'} s | ${label} | ${sec(back.min)} / ${sec(back.median)} / ${sec(back.max)} | ${sec(gap.min)} / ${sec(gap.median)} / ${sec(gap.max)} | ${gap.n} | ${key === 'kill' ? `≤ ttl + 1 s: ${met} of ${measured.length}` : `gap ≤ 2 s: ${met} of ${measured.length}`} |`,
      );
    }
    for (const fl of p.failed) lines.push(`- ${p.profile}: FAILED ${fl}`);
  }
  lines.push('');
}
if (results.faults) {
  const f = results.faults;
  const k = stats(f.writerBack.kill);
  const pa = stats(f.writerBack.partition);
  lines.push(
    `Synchronous mode, fast profile (ttl ${f.ttl ?? '?'} s), ${f.topology} topology: **${f.kills} leader kills + ${f.partitions} partitions = ${f.kills + f.partitions} faults**; ${f.pollRounds} poll rounds with **${f.dualPrimaryRounds} dual-primary observations**; ${f.acknowledged} acknowledged writes, **${f.lost} lost**, ${f.ghost} ghost.`,
    '',
    '| fault | n | writer back: min / median / max | HAProxy marks the old leader DOWN: min / median / max |',
    '|---|---|---|---|',
    `| leader kill | ${k.n} | ${sec(k.min)} / ${sec(k.median)} / ${sec(k.max)} | ${downCell(f.haproxyDown.kill)} |`,
    `| leader partition | ${pa.n} | ${sec(pa.min)} / ${sec(pa.median)} / ${sec(pa.max)} | ${downCell(f.haproxyDown.partition)} |`,
    '',
  );
  for (const fl of f.failedRuns) lines.push(`- FAILED ${fl}`);
}
lines.push(
  '',
  `Reports: ${out} (${allRuns.length} drill runs, ${allRuns.filter((r) => r.ok).length} passed)`,
);
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
writeFileSync(join(out, 'bench.md'), text);
writeFileSync(join(out, 'bench.json'), `${JSON.stringify({ ...results, runs: allRuns }, null, 2)}\n`);
