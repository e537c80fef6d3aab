/**
 * Provision Cluster from Spec, driven through the command logic with a scripted UI and the real SDK
 * (`@patroni-kit/provision`): a spec with a mistake fails naming the field; a spec whose hosts have no SSH
 * listening (127.0.111.9-11, this suite's block) fails naming host and step, quickly; a plan the user
 * declines at the confirmation applies nothing, and the same plan confirmed does start the apply (which then
 * fails at connect, recorded in the spec's state file). Real SSH hosts are the provision package's own
 * nspawn suite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSpec, stateFile } from '@patroni-kit/provision';
import {
  applyReviewed,
  eventLine,
  planSummary,
  provisionCluster,
  provisionedCluster,
} from '../src/model/commands/provision.js';
import { commandContext, memoryStore, scriptedUi } from './scripted-ui.js';

const NET = '127.0.111';

describe('Provision Cluster from Spec (scripted UI, real SDK)', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-provision-cmd-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const key = join(root, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pk-test', '-f', key]);
  writeFileSync(join(root, 'known_hosts'), '');

  function writeSpec(name: string, body: string): string {
    const file = join(root, `${name}.cluster.yml`);
    writeFileSync(file, body);
    return file;
  }
  const goodSpec = (name: string) =>
    writeSpec(
      name,
      [
        `cluster: ${name}`,
        'ssh:',
        '  user: root',
        `  privateKey: ${key}`,
        '  knownHosts: ./known_hosts',
        '  connectTimeoutMs: 5000',
        'nodes:',
        `  - { name: pg-1, address: ${NET}.9 }`,
        `  - { name: pg-2, address: ${NET}.10 }`,
        `  - { name: pg-3, address: ${NET}.11 }`,
        '',
      ].join('\n'),
    );

  it('a spec with a mistake: failed, naming the field; nothing planned or applied', async () => {
    const file = writeSpec(
      'bad',
      ['cluster: bad', 'nodes:', '  - { name: pg-1, address: not-an-ip, user: root }', ''].join('\n'),
    );
    const { store } = memoryStore();
    const { ui, shown } = scriptedUi();
    const ctx = commandContext(store, ui);
    const res = await provisionCluster(ctx, { pickSpec: async () => file, addCluster: (c) => store.add(c) });
    assert.equal(res.outcome, 'failed');
    assert.equal(res.applied, false);
    assert.match(res.message, /nodes\[0\]\.address/);
    assert.match(res.message, /nodes\[0\]\.user/);
    assert.match(res.message, /Nothing was changed on any host/);
    assert.equal(shown.progress.length, 0, 'no plan was run');
    assert.equal(shown.confirms.length, 0);
    assert.equal(shown.messages.at(-1)?.level, 'error');
    assert.equal(existsSync(join(root, 'bad.state.json')), false, 'no apply state');
    assert.equal(store.list().length, 0);
  });

  // Bounded by the test's timeout (connection refused on loopback; the spec's connect timeout is 5 s).
  it('hosts with nothing listening on SSH: failed naming host and step, no confirmation, nothing applied', {
    timeout: 60_000,
  }, async () => {
    const file = goodSpec('unreachable');
    const { store } = memoryStore();
    const { ui, shown } = scriptedUi();
    const ctx = commandContext(store, ui);
    const res = await provisionCluster(ctx, { pickSpec: async () => file, addCluster: (c) => store.add(c) });
    assert.equal(res.outcome, 'failed', res.message);
    assert.equal(res.applied, false);
    assert.match(res.failure?.host ?? '', /^pg-[123]$/);
    assert.equal(res.failure?.step, 'connect');
    assert.match(res.message, /on pg-[123] at step 'connect'/);
    assert.match(res.message, new RegExp(`${NET.replaceAll('.', '\\.')}\\.(9|10|11)`));
    assert.equal(shown.progress.length, 1, 'the plan ran under progress');
    assert.equal(shown.confirms.length, 0, 'a failed plan asks nothing');
    assert.equal(existsSync(stateFile(await loadSpec(file))), false, 'apply never started');
    // The generated passwords never reach the user.
    const spec = await loadSpec(file);
    const secrets = JSON.parse(readFileSync(spec.secretsFile, 'utf8')) as Record<string, unknown>;
    const everything = JSON.stringify(shown);
    for (const v of Object.values(secrets))
      if (typeof v === 'string') assert.equal(everything.includes(v), false, 'a password was shown');
    assert.equal(store.list().length, 0);
  });

  it('cancelled during the plan (at its first progress line): cancelled, no confirmation, nothing applied', async () => {
    const file = goodSpec('cancelplan');
    const { store } = memoryStore();
    // The first plan of a spec says it generated the passwords before it connects: cancel there.
    const { ui, shown } = scriptedUi({ cancelOn: /generated new passwords/ });
    const res = await provisionCluster(commandContext(store, ui), {
      pickSpec: async () => file,
      addCluster: (c) => store.add(c),
    });
    assert.equal(res.outcome, 'cancelled', res.message);
    assert.equal(res.applied, false);
    assert.match(res.message, /nothing was changed on any host/);
    assert.equal(shown.confirms.length, 0);
    assert.equal(existsSync(stateFile(await loadSpec(file))), false);
  });

  it('declined at the confirmation: nothing applied; confirmed: the apply starts (and fails at connect)', async () => {
    const file = goodSpec('confirm');
    const spec = await loadSpec(file);
    // A plan result as the SDK returns it for these hosts had they answered (no sshd here: see the header).
    const review = {
      spec,
      result: { mode: 'plan' as const, changes: 12, ms: 1, secretsCreated: true },
      events: [
        {
          type: 'file' as const,
          host: 'pg-1',
          phase: 'etcd' as const,
          path: '/etc/default/etcd',
          status: 'would-change' as const,
        },
      ],
    };
    const { store } = memoryStore();
    const declined = scriptedUi({ confirm: () => false });
    const res = await applyReviewed(
      commandContext(store, declined.ui),
      { addCluster: (c) => store.add(c), pickSpec: async () => file },
      review,
    );
    assert.equal(res.outcome, 'cancelled');
    assert.equal(res.applied, false);
    assert.equal(declined.shown.confirms.length, 1);
    assert.equal(declined.shown.confirms[0]?.button, 'Apply');
    assert.match(declined.shown.confirms[0]?.message ?? '', /confirm to 3 host\(s\)/);
    assert.equal(declined.shown.progress.length, 0);
    assert.equal(existsSync(stateFile(spec)), false, 'no apply happened');

    const accepted = scriptedUi({ confirm: () => true });
    const res2 = await applyReviewed(
      commandContext(store, accepted.ui),
      { addCluster: (c) => store.add(c), pickSpec: async () => file },
      review,
    );
    assert.equal(res2.outcome, 'failed');
    assert.equal(res2.applied, true);
    assert.equal(res2.failure?.step, 'connect');
    assert.match(res2.message, /continues from where it stopped/);
    const state = JSON.parse(readFileSync(stateFile(spec), 'utf8')) as {
      result: string;
      failure?: { host: string };
    };
    assert.equal(state.result, 'failed');
    assert.match(state.failure?.host ?? '', /^pg-[123]$/);
    assert.equal(store.list().length, 0, 'a failed apply saves no cluster');
  });

  it('the plan summary lists files and commands per host; the saved cluster keeps passwords out of its definition', async () => {
    const file = goodSpec('summary');
    const spec = await loadSpec(file);
    const text = planSummary({
      spec,
      result: { mode: 'plan', changes: 2, ms: 1, secretsCreated: false },
      events: [
        { type: 'phase', phase: 'etcd', title: 'etcd', index: 3, total: 9 },
        { type: 'file', host: 'pg-2', phase: 'etcd', path: '/etc/default/etcd', status: 'would-change' },
        { type: 'file', host: 'pg-2', phase: 'etcd', path: '/etc/x', status: 'unchanged' },
        {
          type: 'command',
          host: 'pg-3',
          phase: 'etcd',
          step: 'start etcd',
          command: 'systemctl start etcd',
          status: 'would-run',
        },
      ],
    });
    assert.match(text, /## pg-2\n\nFiles changed \(1\):\n\n- `\/etc\/default\/etcd`/);
    assert.doesNotMatch(text, /\/etc\/x/);
    assert.match(text, /## pg-3[\s\S]*Commands \(1\):\n\n- start etcd: `systemctl start etcd`/);
    assert.equal(eventLine({ type: 'connected', host: 'pg-1', ms: 3 }), 'pg-1: connected (3 ms)');
    // The secrets file exists after a plan; the cluster to save points at etcd, passwords only as secrets.
    const { store, secrets, state } = memoryStore();
    const { ui } = scriptedUi();
    await provisionCluster(commandContext(store, ui), {
      pickSpec: async () => file,
      addCluster: (c) => store.add(c),
    });
    const input = await provisionedCluster(spec);
    assert.deepEqual(input.source, {
      kind: 'dcs',
      url: `etcd3://${NET}.9:2379,${NET}.10:2379,${NET}.11:2379${spec.namespace.replace(/\/+$/, '')}`,
      scope: 'summary',
    });
    const def = await store.add(input);
    const pw = JSON.parse(readFileSync(spec.secretsFile, 'utf8')) as { restapi: string; superuser: string };
    assert.equal(JSON.stringify(state.get('patroni.clusters')).includes(pw.restapi), false);
    assert.equal(secrets.get(`patroni.cluster/${def.id}/rest`), pw.restapi);
    assert.equal(secrets.get(`patroni.cluster/${def.id}/postgres`), pw.superuser);
  });
});
