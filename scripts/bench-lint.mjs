#!/usr/bin/env node
/**
 * Benchmark (not a test): `patroni-kit lint` against Patroni's own `patroni --validate-config`
 * (3.0.2 from Debian 12 and 4.0.7 from the Debian 13 extract) on test/corpus/config.
 *
 *   node scripts/bench-lint.mjs [--runs N] [--no-patroni] [--json FILE]
 *
 * For every mutation of the corpus it reports which tool catches the defect, for every clean file
 * whether a tool raises a false alarm, and the time per file (min/median/max) with ratios.
 *
 * Patroni's validator connects to the DCS hosts and ports it checks; to keep every probe on this
 * machine it runs in a fresh network namespace (`unshare -n`, needs root) where only a down loopback
 * exists, so probes fail at once. Lines that only report such probes (unreachable hosts, ports in use,
 * missing binaries or directories) are environment findings and are not counted as defects.
 *
 * Needs a build: npx tsc -b packages/config packages/cli
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, 'test/corpus/config');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 20;
const withPatroni = !args.includes('--no-patroni');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

const { lintText, parseEnvFile } = await import(join(root, 'packages/config/dist/src/index.js'));
const cli = join(root, 'packages/cli/dist/src/main.js');

const P4_PATH = '/var/cache/patroni-kit/patroni-4/usr/lib/python3/dist-packages';
const tools = {
  'patroni-3.0.2': { cmd: ['/usr/bin/patroni'], env: {} },
  'patroni-4.0.7': { cmd: ['/usr/bin/python3', '-m', 'patroni'], env: { PYTHONPATH: P4_PATH } },
};
const ENV_PROBE =
  /is not reachable|already in use|does not exist|does not contain|doesn't look like a valid data directory|is not a directory|Name or service not known|Temporary failure in name resolution|gaierror|\[Errno -?\d+\]|postgres --version|data dir for the cluster/i;

// ---------------------------------------------------------------------------------------------------
// Corpus

const work = mkdtempSync(join(tmpdir(), 'bench-lint-'));
const kubeEnv = parseEnvFile(readFileSync(join(corpus, 'clean/kubernetes.env'), 'utf8'));
const cleanFiles = readdirSync(join(corpus, 'clean')).filter((f) => f.endsWith('.yml'));
const optionsFor = (file) =>
  file === 'kubernetes.yml'
    ? { env: kubeEnv }
    : file === 'dcs-dynamic.yml'
      ? { dynamic: true }
      : file === 'patroni-3.0.yml'
        ? { patroniVersion: '3.0' }
        : {};

const cases = [];
for (const f of cleanFiles) {
  cases.push({
    id: `clean/${f}`,
    kind: 'clean',
    text: readFileSync(join(corpus, 'clean', f), 'utf8'),
    options: optionsFor(f),
  });
}
const { mutations } = JSON.parse(readFileSync(join(corpus, 'mutations.json'), 'utf8'));
for (const m of mutations) {
  let text = m.text;
  let baseText = '';
  if (text === undefined) {
    baseText = readFileSync(join(corpus, m.base), 'utf8');
    text = baseText;
    for (const [from, to] of m.replace ?? []) text = text.replace(from, to);
  }
  const options = {
    ...(m.version ? { patroniVersion: m.version } : {}),
    ...(m.dcs ? { dynamic: true } : {}),
  };
  cases.push({
    id: m.id,
    kind: 'mutation',
    rule: m.rule,
    text,
    baseText,
    base: m.base,
    options,
    env: m.env,
    expect: m.expect,
    validator: m.validator,
  });
}
for (const f of ['alias-bomb.yml', 'deep-nesting.yml', 'binary.yml', 'tabs.yml']) {
  cases.push({
    id: `hostile/${f}`,
    kind: 'hostile',
    bytes: readFileSync(join(corpus, 'hostile', f)),
    options: {},
  });
}

/** Runs a command; returns output, wall ms and CPU ms (user+sys, from /usr/bin/time: robust on a busy host). */
function timed(cmd, argv, opts = {}) {
  const timeFile = join(work, `t-${Math.random().toString(36).slice(2)}`);
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...opts,
  });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  let cpu = Number.NaN;
  try {
    const [u, sy] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = (u + sy) * 1000;
  } catch {}
  rmSync(timeFile, { force: true });
  return { ...r, wall, cpu };
}

// ---------------------------------------------------------------------------------------------------
// Our linter

const key = (f) => `${f.rule} ${f.severity} ${f.path}`;
for (const c of cases) {
  const input = c.bytes ?? c.text;
  const opts = { ...c.options, ...(c.env ? { env: c.env } : {}) };
  const findings = lintText(input, opts).findings;
  if (c.kind === 'mutation') {
    const before = new Set(c.baseText ? lintText(c.baseText, c.options).findings.map(key) : []);
    const appeared = new Set(findings.map(key).filter((k) => !before.has(k)));
    c.ours = c.expect.every((e) => appeared.has(key(e))) ? 'caught' : 'missed';
  } else if (c.kind === 'clean') {
    const noisy = findings.filter((f) => f.severity !== 'info');
    c.ours = noisy.length === 0 ? 'quiet' : `FALSE ALARM (${noisy.map((f) => f.rule).join(', ')})`;
  } else {
    c.ours = findings.length > 0 ? `finding: ${findings[0].rule}` : 'nothing';
  }
  // warm timing in-process
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const u = process.cpuUsage();
    lintText(input, opts);
    const d = process.cpuUsage(u);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    cpu.push((d.user + d.system) / 1000);
  }
  c.oursMs = times;
  c.oursCpu = cpu;
}

// the CLI, one process per file and one process for the whole clean corpus
const cliTimes = [];
const cliCpu = [];
for (const f of cleanFiles.slice(0, 8)) {
  const r = timed(process.execPath, [cli, 'lint', join(corpus, 'clean', f)]);
  cliTimes.push(r.wall);
  cliCpu.push(r.cpu);
}
const many = [];
for (const c of cases.filter((x) => x.kind !== 'hostile')) {
  const file = join(work, `${c.id.replace(/[/]/g, '_')}.yml`);
  writeFileSync(file, c.text);
  many.push(file);
}
const batch = timed(process.execPath, [cli, 'lint', '--format', 'json', ...many]);
const cliBatchPerFile = batch.wall / many.length;
const cliBatchCpuPerFile = batch.cpu / many.length;

// ---------------------------------------------------------------------------------------------------
// Patroni

function runPatroni(tool, text, bytes, env) {
  const file = join(work, `p-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, bytes ?? text);
  const envArgs = Object.entries({ ...tool.env, ...(env ?? {}) }).map(([k, v]) => `${k}=${v}`);
  // /usr/bin/time runs inside the namespace so that it measures Patroni, not unshare
  const r = timed('unshare', ['-n', '--', 'env', ...envArgs, ...tool.cmd, '--validate-config', file], {
    timeout: 120_000,
  });
  r.stderr = (r.stderr ?? '').replace(/^Command exited with non-zero status \d+\n?/m, '');
  const ms = r.wall;
  rmSync(file, { force: true });
  const out = `${r.stderr ?? ''}${r.stdout ?? ''}`.replaceAll(file, 'FILE');
  const lines = out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const traceback = lines.some((l) => l.startsWith('Traceback'));
  const defects = traceback ? ['(traceback)'] : lines.filter((l) => !ENV_PROBE.test(l));
  return { ms, cpu: r.cpu, status: r.status, defects, lines, timedOut: r.error?.code === 'ETIMEDOUT' };
}

let patroniAvailable = withPatroni;
if (withPatroni) {
  try {
    execFileSync('unshare', ['-n', 'true']);
  } catch {
    console.error(
      'unshare -n is not available (needs root): skipping Patroni (its validator would contact the hosts in the corpus).',
    );
    patroniAvailable = false;
  }
}
if (patroniAvailable) {
  const baseCache = new Map();
  for (const [name, tool] of Object.entries(tools)) {
    for (const c of cases) {
      if (c.options.dynamic) {
        c[name] = 'n/a (no DCS validator)';
        continue;
      }
      const env = c.id === 'clean/kubernetes.yml' ? kubeEnv : c.env;
      const r = runPatroni(tool, c.text, c.bytes, env);
      c[`${name}Ms`] = r.ms;
      c[`${name}Cpu`] = r.cpu;
      if (c.kind === 'clean') {
        c[name] = r.defects.length === 0 ? 'quiet' : `FALSE ALARM: ${r.defects.join(' | ').slice(0, 160)}`;
      } else if (c.kind === 'hostile') {
        c[name] = r.timedOut
          ? 'TIMEOUT'
          : r.defects[0] === '(traceback)'
            ? 'traceback'
            : r.defects.length
              ? 'finding'
              : 'nothing';
      } else {
        const baseKey = `${name}|${c.base}`;
        if (c.baseText && !baseCache.has(baseKey))
          baseCache.set(baseKey, new Set(runPatroni(tool, c.baseText, undefined, undefined).defects));
        const before = c.baseText ? baseCache.get(baseKey) : new Set();
        const appeared = r.defects.filter((d) => !before.has(d));
        c[name] =
          appeared.length === 0 ? 'missed' : appeared[0] === '(traceback)' ? 'caught (traceback)' : 'caught';
        c[`${name}Detail`] = appeared.join(' | ');
      }
    }
  }
}
// ---------------------------------------------------------------------------------------------------
// Report

const stats = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { min: NaN, median: NaN, max: NaN };
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (n) =>
  Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2)) : '-';
const names = patroniAvailable ? Object.keys(tools) : [];

console.log('\n## Defects (one mutation per rule)\n');
console.log(`| mutation | rule | patroni-kit | ${names.join(' | ')} |`);
console.log(`|---|---|---|${names.map(() => '---|').join('')}`);
for (const c of cases.filter((x) => x.kind === 'mutation')) {
  console.log(`| ${c.id} | ${c.rule} | ${c.ours} | ${names.map((n) => c[n]).join(' | ')} |`);
}
console.log('\n## Clean files (false alarms; environment probes excluded)\n');
console.log(`| file | patroni-kit | ${names.join(' | ')} |`);
console.log(`|---|---|${names.map(() => '---|').join('')}`);
for (const c of cases.filter((x) => x.kind === 'clean'))
  console.log(`| ${c.id} | ${c.ours} | ${names.map((n) => c[n]).join(' | ')} |`);
console.log('\n## Hostile input\n');
console.log(`| file | patroni-kit | ${names.join(' | ')} |`);
console.log(`|---|---|${names.map(() => '---|').join('')}`);
for (const c of cases.filter((x) => x.kind === 'hostile'))
  console.log(`| ${c.id} | ${c.ours} | ${names.map((n) => c[n]).join(' | ')} |`);

const mutationCases = cases.filter((x) => x.kind === 'mutation');
const count = (n) => mutationCases.filter((c) => String(c[n]).startsWith('caught')).length;
const alarms = (n) => cases.filter((c) => c.kind === 'clean' && String(c[n]).startsWith('FALSE')).length;
console.log('\n## Summary\n');
console.log(
  `| tool | defects caught (of ${mutationCases.length}) | false alarms on ${cleanFiles.length} clean files |`,
);
console.log('|---|---|---|');
console.log(
  `| patroni-kit | ${mutationCases.filter((c) => c.ours === 'caught').length} | ${cases.filter((c) => c.kind === 'clean' && c.ours !== 'quiet').length} |`,
);
for (const n of names) console.log(`| ${n} | ${count(n)} | ${alarms(n)} |`);
const seeded = mutationCases.filter((c) => c.validator !== undefined);
if (seeded.length > 0) {
  const asError = seeded.filter(
    (c) => c.ours === 'caught' && c.expect.some((e) => e.severity === 'error'),
  ).length;
  console.log(
    `\nChecks of Patroni 4.0.7's validator.py, one mutation each (${seeded.length}): patroni-kit ${seeded.filter((c) => c.ours === 'caught').length} (${asError} as error; the rest below error by the severity policy: ${seeded
      .filter((c) => !c.expect.some((e) => e.severity === 'error'))
      .map((c) => c.id)
      .join(
        ', ',
      )})${names.map((n) => `, ${n} ${seeded.filter((c) => String(c[n]).startsWith('caught')).length}`).join('')}`,
  );
}
const caughtByPatroniOnly = mutationCases.filter(
  (c) => c.ours !== 'caught' && names.some((n) => String(c[n]).startsWith('caught')),
);
// caught, but not as an error while Patroni rejects the file: said apart, never hidden
const belowError = mutationCases.filter(
  (c) =>
    c.ours === 'caught' &&
    !c.expect.some((e) => e.severity === 'error') &&
    names.some((n) => String(c[n]).startsWith('caught')),
);
console.log(
  `Defects Patroni rejects that patroni-kit reports below error (by the policy): ${belowError.length ? belowError.map((c) => `${c.id} (${c.expect.map((e) => e.severity).join('/')})`).join(', ') : 'none'}`,
);
console.log(
  `\nDefects Patroni catches that patroni-kit misses: ${caughtByPatroniOnly.length ? caughtByPatroniOnly.map((c) => c.id).join(', ') : 'none'}`,
);

const oursMedian = stats(cases.map((c) => stats(c.oursMs).median));
const oursCpu = stats(cases.map((c) => stats(c.oursCpu).median));
const cli1 = stats(cliTimes);
const cli1Cpu = stats(cliCpu);
const row = (label, w, c) =>
  console.log(
    `| ${label} | ${fmt(w.min)} / ${fmt(w.median)} / ${fmt(w.max)} | ${fmt(c.min)} / ${fmt(c.median)} / ${fmt(c.max)} |`,
  );
const one = (x) => ({ min: x, median: x, max: x });
console.log(
  `\n## Time per file in ms: min / median / max (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)\n`,
);
console.log('| measurement | wall | CPU (user+sys) |');
console.log('|---|---|---|');
row(`patroni-kit, in process (median of ${runs} runs per file, ${cases.length} files)`, oursMedian, oursCpu);
row('patroni-kit CLI, one process per file', cli1, cli1Cpu);
row(
  `patroni-kit CLI, one process for ${many.length} files, per file`,
  one(cliBatchPerFile),
  one(cliBatchCpuPerFile),
);
const pStats = {};
for (const n of names) {
  pStats[n] = { wall: stats(cases.map((c) => c[`${n}Ms`])), cpu: stats(cases.map((c) => c[`${n}Cpu`])) };
  row(`${n} --validate-config, one process per file`, pStats[n].wall, pStats[n].cpu);
}
if (names.length > 0) {
  console.log('\n## Ratios (Patroni median / patroni-kit median, CPU time)\n');
  for (const n of names) {
    const p = pStats[n].cpu.median;
    console.log(
      `- ${n}: ${fmt(p / oursCpu.median)}x in process; ${fmt(p / cliBatchCpuPerFile)}x with one CLI run over the corpus; ${fmt(p / cli1Cpu.median)}x with one CLI process per file`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify(
      cases.map(({ text, baseText, bytes, ...rest }) => rest),
      null,
      2,
    ),
  );
}
