/** Library behaviour: positions, YAML 1.1 semantics, environment, versions, fixes, formats, cluster lint. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import {
  applyFixes,
  envOverlay,
  formatJson,
  formatSarif,
  formatText,
  lintCluster,
  lintFile,
  lintText,
  parseConfig,
  parseEnvFile,
  parsePatroniVersion,
  patroniDcsSchema,
  patroniSchema,
  RULES,
  slotNameFromMember,
} from '../src/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const corpus = join(root, 'test/corpus/config');
const clean = readFileSync(join(corpus, 'clean/etcd3-three-node.yml'), 'utf8');

describe('positions', () => {
  it('points at the offending value with 1-based line and column', () => {
    const text = clean.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');
    const f = lintText(text).findings.find((x) => x.rule === 'timing')!;
    const line = text.split('\n').findIndex((l) => l.includes('retry_timeout: 15')) + 1;
    assert.equal(f.line, line);
    assert.equal(f.column, '    retry_timeout: '.length + 1);
    assert.equal(f.endColumn, f.column + 2);
    assert.equal(f.path, 'bootstrap.dcs.retry_timeout');
  });

  it('points at the key for unknown keys and gives both lines for duplicates', () => {
    const text = 'scope: a\nscope: b\n';
    const dup = lintText(text).findings.find((f) => f.rule === 'yaml-duplicate-key')!;
    assert.equal(dup.line, 2);
    assert.match(dup.message, /first at line 1/);
  });
});

describe('YAML 1.1 like PyYAML', () => {
  it('reads on/off/yes/no as booleans and 0644 as octal, but y/n as strings', () => {
    const data = parseConfig('a: on\nb: no\nc: 0644\nd: y\n').data as Record<string, unknown>;
    assert.deepEqual(data, { a: true, b: false, c: 420, d: 'y' });
  });
});

describe('environment', () => {
  it('maps PATRONI_* variables to config paths like Patroni', () => {
    const env = envOverlay(
      {
        PATRONI_NAME: 'n1',
        PATRONI_ETCD3_HOSTS: "'10.0.0.1:2379','10.0.0.2:2379'",
        PATRONI_REPLICATION_PASSWORD: 'x',
        PATRONI_RESTAPI_USERNAME: 'u',
        PATRONI_KUBERNETES_LABELS: '{app: pg}',
        PATRONI_POSTGRESQL_BIN_PG_CTL: 'pg_ctl16',
        PATRONI_CITUS_GROUP: '2',
        HOME: '/root',
      },
      new Set(),
    );
    assert.deepEqual(env.overlay, {
      name: 'n1',
      etcd3: { hosts: ['10.0.0.1:2379', '10.0.0.2:2379'] },
      postgresql: { authentication: { replication: { password: 'x' } }, bin_name: { pg_ctl: 'pg_ctl16' } },
      restapi: { authentication: { username: 'u' } },
      kubernetes: { labels: { app: 'pg' } },
      citus: { group: 2 },
    });
    assert.equal(env.sources.get('etcd3.hosts'), 'PATRONI_ETCD3_HOSTS');
  });

  it('flags variables Patroni ignores', () => {
    const env = envOverlay(
      { PATRONI_CONSUL_SCHEME: 'https', PATRONI_ETCD4_HOSTS: 'h:1', PATRONI_POSTGRESQL_PORT: '5' },
      new Set(),
    );
    assert.equal(env.problems.length, 3);
  });

  it('accepts required keys that come from the environment, and checks their values', () => {
    const text = clean.replace('name: pg-billing-1\n', '');
    assert.ok(lintText(text).findings.some((f) => f.rule === 'missing-key' && f.path === 'name'));
    assert.ok(
      !lintText(text, { env: { PATRONI_NAME: 'pg-billing-1' } }).findings.some(
        (f) => f.rule === 'missing-key',
      ),
    );
    const bad = lintText(text, {
      env: { PATRONI_NAME: 'pg-billing-1', PATRONI_POSTGRESQL_CONNECT_ADDRESS: 'localhost:5432' },
    });
    const f = bad.findings.find((x) => x.rule === 'connect-address')!;
    assert.match(f.message, /PATRONI_POSTGRESQL_CONNECT_ADDRESS/);
  });

  it('parses env files', () => {
    assert.deepEqual(parseEnvFile('# c\nexport A=1\nB="two words"\n\nC=\n'), {
      A: '1',
      B: 'two words',
      C: '',
    });
  });
});

describe('kubernetes', () => {
  const k8s = readFileSync(join(corpus, 'clean/kubernetes.yml'), 'utf8');
  const env = parseEnvFile(readFileSync(join(corpus, 'clean/kubernetes.env'), 'utf8'));
  it('checks pod_ip, also when it comes from the environment', () => {
    const r = lintText(k8s, { env: { ...env, PATRONI_KUBERNETES_POD_IP: '10.244.1' } });
    const f = r.findings.find((x) => x.path === 'kubernetes.pod_ip');
    assert.equal(f?.rule, 'invalid-value');
    assert.match(f!.message, /PATRONI_KUBERNETES_POD_IP/);
  });
  it('needs pod_ip with use_endpoints', () => {
    const { PATRONI_KUBERNETES_POD_IP: _ignored, ...rest } = env;
    const r = lintText(k8s, { env: rest });
    assert.ok(r.findings.some((x) => x.rule === 'missing-key' && x.path === 'kubernetes.use_endpoints'));
  });
});

describe('files', () => {
  it('lintFile stops with ABORTED when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      lintFile(join(corpus, 'clean/tls.yml'), { signal: ac.signal }),
      (e: unknown) => (e as { code?: string }).code === 'ABORTED',
    );
  });
});

describe('suppression', () => {
  const text = clean
    .replace(
      "      password: 'Lk29vQeW81zt'\n",
      '      password: zalando   # patroni-kit: ignore[default-password]\n',
    )
    .replace('    retry_timeout: 10\n', '    # patroni-kit: ignore[timing]\n    retry_timeout: 15\n')
    .replace('    - 10.20.0.23:2379\n', '');
  it('honours ignore comments on the line and the line before', () => {
    const rules = lintText(text).findings.map((f) => f.rule);
    assert.deepEqual(rules, ['dcs-host-count']);
  });
  it('honours ignore-file comments and the ignore option', () => {
    assert.deepEqual(lintText(`# patroni-kit: ignore-file[dcs-host-count]\n${text}`).findings, []);
    assert.deepEqual(lintText(text, { ignore: ['dcs-host-count'] }).findings, []);
  });
  it('never silences unreadable input', () => {
    assert.deepEqual(
      lintText('# patroni-kit: ignore-file\na: [\n')
        .findings.map((f) => f.rule)
        .slice(0, 1),
      ['yaml-syntax'],
    );
  });
});

describe('versions', () => {
  it('accepts 3.0, 4.0, 4.1 and full releases, rejects others with a usage error', () => {
    assert.equal(parsePatroniVersion('4.0.7'), '4.0');
    assert.equal(parsePatroniVersion('v3.0'), '3.0');
    assert.throws(
      () => parsePatroniVersion('2.1'),
      (e: unknown) => (e as { code?: string }).code === 'USAGE',
    );
  });

  it('bootstrap.users is info on 3.0 and an error on 4.x (the users are not created)', () => {
    const text = clean.replace('  initdb:\n', '  users:\n    a:\n      password: "Zk2!q8Lm"\n  initdb:\n');
    const sev = (v: '3.0' | '4.1') =>
      lintText(text, { patroniVersion: v }).findings.find((f) => f.rule === 'bootstrap-users')?.severity;
    assert.equal(sev('3.0'), 'info');
    assert.equal(sev('4.1'), 'error');
  });

  it('keys newer than the target version are reported, not on newer targets', () => {
    const text = clean.replace(
      '  listen: 0.0.0.0:8008\n',
      '  listen: 0.0.0.0:8008\n  server_tokens: minimal\n',
    );
    assert.ok(
      lintText(text, { patroniVersion: '4.0' }).findings.some((f) => f.rule === 'version-unsupported-key'),
    );
    assert.ok(
      !lintText(text, { patroniVersion: '4.1' }).findings.some((f) => f.rule === 'version-unsupported-key'),
    );
  });
});

describe('fixes', () => {
  const fixAll = (text: string) => {
    let out = text;
    for (let i = 0; i < 5; i++) {
      const r = lintText(out);
      const next = applyFixes(out, r.findings);
      if (next.applied === 0) break;
      out = next.text;
    }
    return out;
  };

  it('removes the earlier duplicate, renames typos, unquotes boolean tags, strips URL schemes', () => {
    const broken = clean
      .replace('      use_slots: true\n', '      use_slots: true\n      use_slots: false\n')
      .replace('  pgpass: /var', '  pgpas: /var')
      .replace('  nofailover: false', '  nofailover: "false"')
      .replace('    - 10.20.0.21:2379', '    - https://10.20.0.21:2379')
      .replace('  mode: automatic', '  mode: AUTOMATIC');
    const fixed = fixAll(broken);
    const left = lintText(fixed).findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(
      left.map((f) => f.rule),
      [],
    );
    assert.match(fixed, /use_slots: false\n/); // the last value is the one Patroni used, so it is kept
    assert.match(fixed, / {2}pgpass: /);
    assert.match(fixed, /mode: automatic/);
  });

  it('moves top-level dynamic keys and local controlled GUCs into bootstrap.dcs', () => {
    const broken = clean
      .replace('name: pg-billing-1\n', 'name: pg-billing-1\nmaximum_lag_on_failover: 2048\n')
      .replace('    maximum_lag_on_failover: 1048576\n', '')
      .replace('    shared_buffers: 2GB\n', '    shared_buffers: 2GB\n    max_worker_processes: 16\n');
    const fixed = fixAll(broken);
    assert.deepEqual(
      lintText(fixed).findings.map((f) => f.rule),
      [],
    );
    const data = parseConfig(fixed).data as {
      bootstrap: {
        dcs: { maximum_lag_on_failover: number; postgresql: { parameters: Record<string, unknown> } };
      };
    };
    assert.equal(data.bootstrap.dcs.maximum_lag_on_failover, 2048);
    assert.equal(data.bootstrap.dcs.postgresql.parameters.max_worker_processes, 16);
  });

  it('moves a local use_slots into bootstrap.dcs.postgresql', () => {
    const text = clean
      .replace('      use_slots: true\n', '')
      .replace('  pgpass: /var', '  use_slots: false\n  pgpass: /var');
    const fixed = fixAll(text);
    const data = parseConfig(fixed).data as {
      postgresql: Record<string, unknown>;
      bootstrap: { dcs: { postgresql: Record<string, unknown> } };
    };
    assert.equal(data.postgresql.use_slots, undefined);
    assert.equal(data.bootstrap.dcs.postgresql.use_slots, false);
  });

  it('renames legacy keys with a drop-in replacement', () => {
    const text = clean.replace(
      '    maximum_lag_on_failover: 1048576\n',
      '    maximum_lag_on_failover: 1048576\n    master_start_timeout: 120\n',
    );
    const fixed = fixAll(text);
    assert.match(fixed, / {4}primary_start_timeout: 120\n/);
    assert.deepEqual(lintText(fixed).findings, []);
  });

  it('timing: lowers the value the finding points at, else raises a written ttl; aliases are left alone', () => {
    const tooLong = clean.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');
    const f = lintText(tooLong).findings.find((x) => x.rule === 'timing');
    assert.equal(
      f?.fix?.description,
      'Set retry_timeout to 10 (loop_wait + 2*retry_timeout = 10 + 2*10 = 30 <= ttl 30)',
    );
    assert.match(fixAll(tooLong), / {4}retry_timeout: 10\n/);
    assert.deepEqual(
      lintText(fixAll(tooLong)).findings.map((x) => x.rule),
      [],
    );
    // loop_wait cannot go below 1: ttl is raised instead
    const shortTtl = clean.replace('    ttl: 30\n', '    ttl: 20\n').replace('    retry_timeout: 10\n', '');
    const g = lintText(shortTtl).findings.find((x) => x.rule === 'timing');
    assert.match(g?.fix?.description ?? '', /^Set ttl to 30 /);
    assert.match(fixAll(shortTtl), / {4}ttl: 30\n/);
    const aliased = `x: &r 15\n${tooLong.replace('retry_timeout: 15', 'retry_timeout: *r')}`;
    // an alias is not edited (it may be used elsewhere): the written ttl is raised instead
    assert.match(
      lintText(aliased).findings.find((x) => x.rule === 'timing')?.fix?.description ?? '',
      /^Set ttl to 40 /,
    );
  });

  it('skips overlapping edits instead of corrupting the text', () => {
    const text = 'abcdef';
    const mk = (offset: number, length: number) => ({
      rule: 'r',
      severity: 'error' as const,
      path: '',
      message: '',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      fix: { description: '', edits: [{ offset, length, text: 'X' }] },
    });
    assert.deepEqual(applyFixes(text, [mk(1, 3), mk(2, 3), mk(5, 1)]), { text: 'aXeX', applied: 2 });
  });
});

describe('output formats', () => {
  const results = [
    {
      file: 'a.yml',
      findings: lintText(
        clean
          .replace('    maximum_lag_on_failover: 1048576\n', '    maximum_lag_on_failover: -5\n')
          .replace('    retry_timeout: 10\n', '    retry_timeout: 15\n'),
      ).findings,
    },
  ];

  it('json has exactly the documented fields', () => {
    const parsed = JSON.parse(formatJson(results)) as Array<{
      file: string;
      findings: Array<Record<string, unknown>>;
    }>;
    assert.equal(parsed[0]!.file, 'a.yml');
    assert.deepEqual(Object.keys(parsed[0]!.findings[0]!).sort(), [
      'column',
      'endColumn',
      'endLine',
      'line',
      'message',
      'path',
      'rule',
      'severity',
    ]);
  });

  it('sarif is a 2.1.0 log whose results reference declared rules', () => {
    const sarif = JSON.parse(formatSarif(results)) as {
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string; ruleIndex: number; level: string }>;
      }>;
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0]!;
    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
    assert.ok(run.results.some((r) => r.level === 'error'));
  });

  it('text ends with a summary line', () => {
    assert.match(formatText(results), /1 file checked: 1 error, 1 warning, 0 info\.\n$/);
  });
});

describe('cluster lint', () => {
  const load = (dir: string) =>
    ['node1.yml', 'node2.yml', 'node3.yml'].map((f) => {
      const file = join(corpus, dir, f);
      return { file: f, result: lintText(readFileSync(file)) };
    });

  it('is quiet on a consistent three-node cluster', () => {
    const members = load('cluster-ok');
    for (const m of members)
      assert.deepEqual(
        m.result.findings.filter((f) => f.severity !== 'info').map((f) => f.rule),
        [],
      );
    const found = lintCluster(members);
    assert.deepEqual([...found.values()].flat(), []);
  });

  it('finds disagreements, duplicates, unknown replicatefrom and unsatisfiable strict sync', () => {
    const found = lintCluster(load('cluster-bad'));
    const got = [...found.entries()]
      .flatMap(([file, fs]) => fs.map((f) => `${file} ${f.rule} ${f.path}`))
      .sort();
    assert.deepEqual(got, [
      'node1.yml sync-unsatisfiable bootstrap.dcs.synchronous_mode_strict',
      'node2.yml cluster-duplicate name',
      'node2.yml cluster-duplicate postgresql.connect_address',
      'node3.yml cluster-mismatch bootstrap.dcs.ttl',
      'node3.yml cluster-mismatch etcd3',
      'node3.yml cluster-mismatch namespace',
      'node3.yml replicatefrom-unknown tags.replicatefrom',
    ]);
  });
});

describe('cluster lint, more', () => {
  const member = (i: number, edit: (t: string) => string = (t) => t) => ({
    file: `n${i}.yml`,
    result: lintText(
      edit(
        clean
          .replace('name: pg-billing-1', `name: pg-billing-${i}`)
          .replace(/10\.20\.0\.11/g, `10.20.0.1${i}`),
      ),
    ),
  });
  const rules = (found: Map<string, import('../src/index.js').Finding[]>) =>
    [...found.entries()].flatMap(([f, fs]) => fs.map((x) => `${f} ${x.rule} ${x.severity}`)).sort();

  it('warns when only one member may become leader, errs when none may', () => {
    const nofail = (t: string) => t.replace('  nofailover: false', '  nofailover: true');
    assert.deepEqual(rules(lintCluster([member(1), member(2, nofail), member(3, nofail)])), [
      'n1.yml no-failover-candidate warning',
    ]);
    assert.deepEqual(rules(lintCluster([member(1, nofail), member(2, nofail)])), [
      'n1.yml no-failover-candidate error',
    ]);
  });

  it('finds replicatefrom cycles', () => {
    const from = (n: number) => (t: string) =>
      t.replace('  nosync: false', `  nosync: false\n  replicatefrom: pg-billing-${n}`);
    const got = rules(lintCluster([member(1), member(2, from(3)), member(3, from(2))]));
    assert.deepEqual(got, ['n2.yml replicatefrom-unknown warning', 'n3.yml replicatefrom-unknown warning']);
  });

  it('checks slots and WAL senders against the number of members', () => {
    const low = (t: string) =>
      t
        .replace('        max_wal_senders: 10\n', '        max_wal_senders: 3\n')
        .replace('        max_replication_slots: 10\n', '        max_replication_slots: 4\n');
    const members = [1, 2, 3, 4, 5, 6].map((i) => member(i, low));
    const got = lintCluster(members)
      .get('n1.yml')!
      .map((f) => `${f.rule} ${f.path}`);
    assert.deepEqual(got.sort(), [
      'replication-capacity bootstrap.dcs.postgresql.parameters.max_replication_slots',
      'replication-capacity bootstrap.dcs.postgresql.parameters.max_wal_senders',
    ]);
  });
});

describe('schemas', () => {
  it('the JSON files in schemas/ are the embedded ones, with stable $id', () => {
    const onDisk = JSON.parse(readFileSync(join(root, 'schemas/patroni.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const dcs = JSON.parse(readFileSync(join(root, 'schemas/patroni-dcs.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(onDisk, patroniSchema);
    assert.deepEqual(dcs, patroniDcsSchema);
    assert.equal(onDisk.$id, 'https://patroni-kit.dev/schemas/patroni.schema.json');
    assert.equal(dcs.$id, 'https://patroni-kit.dev/schemas/patroni-dcs.schema.json');
  });

  it('the schema files work standalone with a plain draft-07 validator (as editors use them)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const local = ajv.compile(
      JSON.parse(readFileSync(join(root, 'schemas/patroni.schema.json'), 'utf8')) as object,
    );
    const dcs = ajv.compile(
      JSON.parse(readFileSync(join(root, 'schemas/patroni-dcs.schema.json'), 'utf8')) as object,
    );
    for (const f of ['etcd3-three-node.yml', 'tls.yml', 'ansible-rendered.yml', 'consul.yml', 'raft.yml']) {
      const data = parseConfig(readFileSync(join(corpus, 'clean', f), 'utf8')).data;
      assert.equal(local(data), true, `${f}: ${JSON.stringify(local.errors)}`);
    }
    assert.equal(dcs(parseConfig(readFileSync(join(corpus, 'clean/dcs-dynamic.yml'), 'utf8')).data), true);
    assert.equal(local({ name: 1 }), false);
  });

  it('documents every rule with why, fix and example', () => {
    for (const r of RULES) {
      assert.ok(r.why.length > 20 && r.fix.length > 5 && r.example.length > 3, r.id);
    }
  });

  it('generated files and docs/lint-rules.md are up to date', () => {
    execFileSync(process.execPath, [join(root, 'scripts/gen-config-schema.mjs'), '--check'], {
      stdio: 'pipe',
    });
    execFileSync(process.execPath, [join(root, 'scripts/gen-lint-rules-doc.mjs'), '--check'], {
      stdio: 'pipe',
    });
  });

  it('maps member names to slot names like Patroni', () => {
    assert.equal(slotNameFromMember('pg-node.1'), 'pg_node_1');
    assert.equal(slotNameFromMember('Node#1'), 'nodeu00351');
  });
});

describe('severity policy', () => {
  const corpus = fileURLToPath(new URL('../../../../test/corpus/config/', import.meta.url));
  const lab = readFileSync(join(corpus, 'clean/loopback-lab.yml'), 'utf8');
  const sev = (text: string, path: string) =>
    lintText(text)
      .findings.filter((f) => f.rule === 'connect-address' && f.path === path)
      .map((f) => f.severity);

  it("a loopback connect address is info on a one-host setup (Patroni's postgres0.yml: 127.0.0.1)", () => {
    const sample = lab.replace('  connect_address: 127.0.7.11:8008\n', '  connect_address: 127.0.0.1:8008\n');
    assert.deepEqual(sev(sample, 'restapi.connect_address'), ['info']);
    assert.deepEqual(sev(lab, 'restapi.connect_address'), ['info'], 'the same as any other loopback address');
  });

  it('a loopback connect address with a remote DCS is a warning, a wildcard one an error', () => {
    const remote = clean.replace(
      '  connect_address: 10.20.0.11:8008\n',
      '  connect_address: 127.0.0.1:8008\n',
    );
    assert.deepEqual(sev(remote, 'restapi.connect_address'), ['warning']);
    const wildcard = clean.replace(
      '  connect_address: 10.20.0.11:8008\n',
      '  connect_address: 0.0.0.0:8008\n',
    );
    assert.deepEqual(sev(wildcard, 'restapi.connect_address'), ['error']);
  });

  it('an ignored dynamic key is an error when its value differs, a warning when it is the value that applies', () => {
    const differs = clean.replace('scope: billing\n', 'scope: billing\nttl: 60\n');
    const same = clean.replace('scope: billing\n', 'scope: billing\nloop_wait: 10\n');
    const of = (t: string) => lintText(t).findings.filter((f) => f.rule === 'dynamic-key-in-local');
    assert.deepEqual(
      of(differs).map((f) => f.severity),
      ['error'],
    );
    assert.deepEqual(
      of(same).map((f) => f.severity),
      ['warning'],
    );
  });

  it('every variant a rule reports is documented in its meta, and unknown variants throw', () => {
    for (const r of RULES)
      for (const [name, v] of Object.entries(r.variants ?? {}))
        assert.ok(v.when.length > 10 && v.severity !== r.severity, `${r.id}/${name}`);
  });

  it('Patroni-style host lists: strings and lists, with and without ports, IPv6 in brackets', () => {
    const hosts = (value: string) =>
      lintText(
        clean.replace(
          'etcd3:\n  hosts:\n    - 10.20.0.21:2379\n    - 10.20.0.22:2379\n    - 10.20.0.23:2379\n',
          `etcd3:\n  hosts: ${value}\n`,
        ),
      ).findings.filter((f) => f.rule === 'dcs-host-port');
    assert.deepEqual(hosts("'[fd00::1]:2379,[fd00::2]:2379,[fd00::3]:2379'"), []);
    assert.deepEqual(hosts('etcd-a,etcd-b:2379,etcd-c'), [], 'entries without a port take 2379');
    assert.deepEqual(hosts('[etcd-a:2379, "[fd00::2]:2379", etcd-c]'), []);
    assert.equal(hosts('etcd-a:2379,,etcd-c:2379').length, 1, 'an empty entry');
    assert.match(hosts('etcd-a:2379,etcd-b:0,etcd-c:2379')[0]!.message, /port 0, outside 1–65535/);
    assert.match(hosts('[etcd-a:2379, etcd-b:2o79, etcd-c]')[0]!.message, /'2o79', which is not a number/);
    assert.equal(hosts('[etcd-a:2379, etcd-b:2o79, etcd-c]')[0]!.path, 'etcd3.hosts[1]');
  });
});

describe('listen addresses as Patroni reads them', () => {
  it('postgresql.listen without a port means 5432; restapi.listen needs one', () => {
    const noPort = clean.replace('  listen: 0.0.0.0:5432\n', '  listen: 0.0.0.0\n');
    assert.deepEqual(
      lintText(noPort)
        .findings.filter((f) => f.severity !== 'info')
        .map((f) => f.rule),
      [],
    );
    const rest = clean.replace('  listen: 0.0.0.0:8008\n', '  listen: 0.0.0.0\n');
    assert.ok(lintText(rest).findings.some((f) => f.path === 'restapi.listen' && f.severity === 'error'));
  });
});
