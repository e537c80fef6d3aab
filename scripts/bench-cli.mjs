#!/usr/bin/env node
// Benchmark (not a test): `patroni-kit list` against `patronictl list` as whole processes on the same lab in
// the same run (the command users run, the bin/patroni-kit launcher, which loads the esbuild bundle, and the plain tsc
// output dist/src/main.js beside it), and in-process `Cluster.list()` against the raw round trips it makes (one etcd range read
// through the JSON gateway, then GET /patroni on every member in parallel). Prints min/median/max and ratios.
//
//   node scripts/bench-cli.mjs [--runs 15] [--inproc-runs 100] [--dir LABDIR] [--net 127.A.B]
//
// Without --dir it starts its own lab (Patroni 4.0.7, etcd 3.5, 127.0.12.31-33, or with --net 127.A.B
// members at 127.A.B.11-13 and HAProxy at 127.A.B.1) and removes it afterwards;
// with --dir it uses that running lab (e.g. the demo's) and leaves it alone. Runs are interleaved so that
// load on the machine hits both sides alike.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cluster } from '@patroni-kit/cluster';
import { Lab } from '@patroni-kit/lab';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'packages/cli/bin/patroni-kit');
const unbundled = join(root, 'packages/cli/dist/src/main.js');
if (!existsSync(join(root, 'packages/cli/dist/bundle/patroni-kit.mjs'))) {
  console.error('bench-cli: no bundle at packages/cli/dist/bundle; run `npm run build` first');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'inproc-runs': { type: 'string', default: '100' },
    dir: { type: 'string' },
    patroni: { type: 'string', default: '4.0.7' },
    net: { type: 'string' },
  },
});
const runs = Number(values.runs);
const inprocRuns = Number(values['inproc-runs']);
if (values.net !== undefined && !/^127\.\d{1,3}\.\d{1,3}$/.test(values.net)) {
  console.error(
    `bench-cli: --net takes the first three octets of a loopback /24, e.g. 127.0.70, not '${values.net}'`,
  );
  process.exit(2);
}
const hosts = values.net
  ? [`${values.net}.11`, `${values.net}.12`, `${values.net}.13`]
  : ['127.0.12.31', '127.0.12.32', '127.0.12.33'];
const haproxyHost = values.net ? `${values.net}.1` : '127.0.12.3';

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}
const fmt = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
const line = (name, st) =>
  console.log(
    `  ${name.padEnd(34)} min ${fmt(st.min).padStart(9)}  median ${fmt(st.median).padStart(9)}  max ${fmt(st.max).padStart(9)}`,
  );

function timeProcess(file, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(file, args, { timeout: 60_000, env }, (err, stdout) => {
      if (err) reject(err);
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

function rawPost(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
function rawGet(url) {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
}

let lab;
let ownDir;
if (values.dir) lab = new Lab({ dir: values.dir });
else {
  ownDir = mkdtempSync(join(tmpdir(), 'pk-bench-cli-'));
  chmodSync(ownDir, 0o755);
  lab = new Lab({
    dir: join(ownDir, 'lab'),
    patroni: values.patroni,
    etcd: values.patroni.startsWith('3.') ? '3.4' : '3.5',
    profile: 'fast',
    hosts,
    haproxyHost,
    onProgress: (l) => console.error(`  lab: ${l}`),
  });
}
try {
  const status = values.dir ? await lab.status() : await lab.up();
  const ctl = status.ctlConfig;
  console.log(
    `Lab: Patroni ${status.versions.patroni}, etcd ${status.versions.etcd}, leader ${status.leader}`,
  );
  // The floor for any Node client: read the config, one etcd range read, GET /patroni on each member.
  const floorFile = join(mkdtempSync(join(tmpdir(), 'pk-bench-floor-')), 'floor.mjs');
  const pre = await lab.status();
  writeFileSync(
    floorFile,
    `import { request } from 'node:http';
import { readFileSync } from 'node:fs';
readFileSync(${JSON.stringify(ctl)}, 'utf8');
const call = (url, body) => new Promise((res, rej) => {
  const r = request(url, { method: body ? 'POST' : 'GET', agent: false }, (m) => {
    const c = []; m.on('data', (d) => c.push(d)); m.on('end', () => res(JSON.parse(Buffer.concat(c).toString())));
  });
  r.on('error', rej); r.end(body);
});
const p = Buffer.from(${JSON.stringify(`/${pre.namespace}/${pre.scope}/`)}); const e = Buffer.from(p); e[e.length - 1]++;
await call(${JSON.stringify(`${pre.etcdEndpoints[0]}/v3/kv/range`)}, JSON.stringify({ key: p.toString('base64'), range_end: e.toString('base64') }));
await Promise.all(${JSON.stringify(pre.restUrls)}.map((u) => call(u + '/patroni')));
`,
  );
  // Node reads NODE_EXTRA_CA_CERTS (a whole CA bundle) at every start, before any of our code runs; where the
  // environment sets it, both figures are printed.
  const envs = [['as this environment runs Node', process.env]];
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const { NODE_EXTRA_CA_CERTS: _, ...rest } = process.env;
    envs[0][0] = `with NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`;
    envs.push(['without NODE_EXTRA_CA_CERTS', rest]);
  }
  // The launcher is a shell script that execs Node (it defers NODE_EXTRA_CA_CERTS); run it as users do.
  const ours = async (file, env) => {
    const r =
      file === launcher
        ? await timeProcess(launcher, ['list', '-c', ctl], env)
        : await timeProcess(process.execPath, [file, 'list', '-c', ctl], env);
    if (!r.stdout.includes('Leader')) throw new Error(`patroni-kit list printed no leader:\n${r.stdout}`);
    return r.ms;
  };
  for (const [label, env] of envs) {
    console.log(`Whole process, ${runs} runs each (interleaved), ${label}:`);
    const pk = [];
    const pkPlain = [];
    const ctlRuns = [];
    const bare = [];
    const floor = [];
    await ours(launcher, env); // warm the page cache for every side
    await ours(unbundled, env);
    await lab.patronictl(['list']);
    for (let i = 0; i < runs; i++) {
      bare.push((await timeProcess(process.execPath, ['-e', '0'], env)).ms);
      floor.push((await timeProcess(process.execPath, [floorFile], env)).ms);
      pk.push(await ours(launcher, env));
      pkPlain.push(await ours(unbundled, env));
      const started = performance.now();
      const theirs = await lab.patronictl(['list']);
      ctlRuns.push(performance.now() - started);
      if (!theirs.includes('Leader')) throw new Error('patronictl list printed no leader');
    }
    const sPk = stats(pk);
    const sPlain = stats(pkPlain);
    const sCtl = stats(ctlRuns);
    const sBare = stats(bare);
    const sFloor = stats(floor);
    line('node -e 0', sBare);
    line('floor: 1 range + 3 GET, bare node', sFloor);
    line('patroni-kit list (bin launcher)', sPk);
    line('patroni-kit list (unbundled tsc)', sPlain);
    line(`patronictl list (${status.versions.patroni})`, sCtl);
    console.log(
      `  ratio patronictl / patroni-kit (bin launcher): median ${(sCtl.median / sPk.median).toFixed(1)}x, min ${(sCtl.min / sPk.min).toFixed(1)}x (goal >= 5x)`,
    );
    console.log(
      `  ratio patronictl / patroni-kit (unbundled): median ${(sCtl.median / sPlain.median).toFixed(1)}x, min ${(sCtl.min / sPlain.min).toFixed(1)}x`,
    );
    console.log(
      `  patroni-kit (bin launcher) above a bare node: median ${fmt(sPk.median - sBare.median)}; above the floor: ${fmt(sPk.median - sFloor.median)}`,
    );
    console.log(
      `  best possible ratio here (patronictl / floor): ${(sCtl.median / sFloor.median).toFixed(1)}x`,
    );
  }
  rmSync(dirname(floorFile), { recursive: true, force: true });

  console.log(`In process, ${inprocRuns} runs each (interleaved):`);
  const cluster = await Cluster.connect({ configFile: ctl });
  const view = await cluster.list();
  const apiUrls = view.members.map((m) => m.apiUrl);
  const etcd = status.etcdEndpoints[0];
  const prefix = Buffer.from(`/${status.namespace}/${status.scope}/`);
  const end = Buffer.from(prefix);
  end[end.length - 1] += 1;
  const rangeBody = JSON.stringify({ key: prefix.toString('base64'), range_end: end.toString('base64') });
  const listMs = [];
  const rawMs = [];
  for (let i = 0; i < 5; i++) await cluster.list();
  for (let i = 0; i < inprocRuns; i++) {
    let t = performance.now();
    await cluster.list();
    listMs.push(performance.now() - t);
    t = performance.now();
    JSON.parse(await rawPost(`${etcd}/v3/kv/range`, rangeBody));
    await Promise.all(apiUrls.map(async (u) => JSON.parse(await rawGet(u))));
    rawMs.push(performance.now() - t);
  }
  await cluster.close();
  const sList = stats(listMs);
  const sRaw = stats(rawMs);
  line('Cluster.list()', sList);
  line(`raw: 1 etcd range + ${apiUrls.length} GET /patroni`, sRaw);
  console.log(
    `  ratio list() / raw round trips: median ${(sList.median / sRaw.median).toFixed(2)}x (goal <= 2x)`,
  );
} finally {
  if (ownDir) {
    await lab.down({ purge: true });
    rmSync(ownDir, { recursive: true, force: true });
  }
}
