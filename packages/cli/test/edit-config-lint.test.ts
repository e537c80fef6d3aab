/**
 * `patroni-kit edit-config` lints the resulting dynamic configuration before it writes, on a real lab
 * (Patroni 4.0.7 + etcd 3.5, addresses 127.0.40.0/24): an error Patroni cannot use (`ttl=abc`) is refused with
 * exit 1 and the DCS config key is unchanged; a warning (`loop_wait=25` with ttl 20) is printed with the diff.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cluster } from '@patroni-kit/cluster';
import { GatewayTransport } from '@patroni-kit/dcs/gateway';
import { Lab, type LabStatus } from '@patroni-kit/lab';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../src/main.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: 120_000, env: { ...process.env, PATRONICTL_CONFIG_FILE: '' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('edit-config lints before it writes (lab, Patroni 4.0.7)', { timeout: 10 * 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-edit-lint-'));
  chmodSync(root, 0o755);
  const lab = new Lab({
    dir: join(root, 'lab'),
    patroni: '4.0.7',
    etcd: '3.5',
    profile: 'fast',
    hosts: ['127.0.40.11', '127.0.40.12', '127.0.40.13'],
    haproxyHost: '127.0.40.1',
  });
  let status: LabStatus;
  let ctl: string;
  /** The DCS config key's value and revision: a refused edit must leave both unchanged. */
  const configKey = async () => {
    const gw = new GatewayTransport({ endpoints: status.etcdEndpoints });
    const ns = status.namespace.replace(/^\/+|\/+$/g, '');
    const res = await gw.range(`/${ns}/${status.scope}/`, { prefix: true, timeoutMs: 5000 });
    const kv = res.kvs.find((x) => x.key.endsWith(`/${status.scope}/config`));
    assert.ok(kv, `no config key among ${res.kvs.map((x) => x.key).join(', ')} (${status.namespace})`);
    return { value: kv.value.toString('utf8'), revision: kv.modRevision };
  };

  before(async () => {
    status = await lab.up();
    ctl = status.ctlConfig;
    const cluster = await Cluster.connect({ configFile: ctl });
    try {
      await cluster.waitForHealthy({ timeoutMs: 120_000 });
    } finally {
      await cluster.close();
    }
  });
  after(async () => {
    await lab.down({ purge: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('ttl=abc is refused with exit 1, names the override flag, and the DCS is unchanged', async () => {
    const was = await configKey();
    const res = await cli(['edit-config', '-c', ctl, '-s', 'ttl=abc', '--force']);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /ttl must be an integer/);
    assert.match(res.stdout, /--allow-invalid/);
    assert.match(res.stdout, /pre-check config-valid refused; nothing was sent/);
    assert.deepEqual(await configKey(), was);
    const json = await cli(['edit-config', '-c', ctl, '-s', 'ttl=abc', '--force', '--json']);
    const r = JSON.parse(json.stdout) as { check: string; details: { findings: Array<{ rule: string }> } };
    assert.equal(r.check, 'config-valid');
    assert.deepEqual(
      r.details.findings.map((f) => f.rule),
      ['type-mismatch'],
    );
  });

  it('loop_wait=25 with ttl 20 is a warning shown with the diff; without confirmation nothing is written', async () => {
    const was = await configKey();
    assert.match(was.value, /"ttl":20/, 'the fast profile runs with ttl 20');
    const dry = await cli(['edit-config', '-c', ctl, '-s', 'loop_wait=25', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /\+loop_wait: 25/);
    assert.match(
      dry.stdout,
      /warning: retry_timeout: loop_wait \+ 2\*retry_timeout = 25 \+ 2\*\d+ = \d+ exceeds ttl 20/,
    );
    // stdin is not a terminal: the confirmation cannot be given, so nothing is written
    const asked = await cli(['edit-config', '-c', ctl, '-s', 'loop_wait=25']);
    assert.notEqual(asked.code, 0);
    assert.match(asked.stdout, /warning: .*\[timing\]/);
    assert.deepEqual(await configKey(), was);
  });

  it('--allow-invalid writes what lint refuses (and reverting works)', async () => {
    const res = await cli([
      'edit-config',
      '-c',
      ctl,
      '-s',
      'max_timelines_history=abc',
      '--force',
      '--allow-invalid',
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match((await configKey()).value, /"max_timelines_history":"abc"/);
    const back = await cli(['edit-config', '-c', ctl, '-s', 'max_timelines_history=null', '--force']);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.doesNotMatch((await configKey()).value, /max_timelines_history/);
  });
});
