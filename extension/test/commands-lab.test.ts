/**
 * The operation commands against one real lab (Patroni 4.0.7 + etcd 3.5 + HAProxy, addresses 127.0.105.0/24),
 * driven through the command logic with a scripted UI: Start Local Lab adds the cluster; Switchover moves the
 * leader; a production cluster refuses a wrong typed name; Edit Dynamic Configuration changes loop_wait in the
 * DCS with compare-and-set and reports a concurrent change instead of overwriting it; the other commands run
 * and say how they ended. Every fact is confirmed by an independent read (the SDK, etcd, psql).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '@patroni-kit/cluster';
import { Lab } from '@patroni-kit/lab';
import { applyConfig, ConfigSessions, editConfig } from '../src/model/commands/config.js';
import { type LabDeps, startLab, stopLab } from '../src/model/commands/lab.js';
import { failover, switchover } from '../src/model/commands/leader.js';
import { RESTART_PENDING, reinit, reload, restart, setPaused } from '../src/model/commands/members.js';
import { openPsql, type PsqlLaunch } from '../src/model/commands/psql.js';
import { copyDsn, healthReport, history, showMemberJson } from '../src/model/commands/views.js';
import type { ClusterDefinition } from '../src/model/connections.js';
import { commandContext, memoryStore, type Script, scriptedUi } from './scripted-ui.js';

const NET = '127.0.105';

function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('operation commands on a real lab (127.0.105.x)', { timeout: 10 * 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-cmds-'));
  chmodSync(root, 0o755);
  const labDir = join(root, 'lab');
  const { store, secrets } = memoryStore();
  const labDeps: LabDeps = {
    settings: () => ({ dir: labDir, net: NET, profile: 'fast' }),
    addCluster: (input) => store.add(input),
  };
  let def: ClusterDefinition;
  let sdk: Cluster;
  /** A context whose UI follows `script`, over the store the lab was saved in. */
  const ctxFor = (script: Script = {}) => {
    const s = scriptedUi(script);
    return { ...s, ctx: commandContext(store, s.ui) };
  };
  const leader = async () => (await sdk.waitForLeader({ timeoutMs: 60_000 })).confirmedLeader;

  before(async () => {
    const { ctx, shown } = ctxFor();
    const res = await startLab(ctx, labDeps);
    assert.equal(res.outcome, 'succeeded', res.message);
    def = res.cluster!;
    assert.equal(def.name, 'lab');
    assert.ok(shown.progress[0]!.lines.length > 0, 'lab up reported progress');
    sdk = await Cluster.connect(await store.connectOptions(def.id));
    await sdk.waitForHealthy({ timeoutMs: 120_000 });
  });
  after(async () => {
    await sdk?.close();
    const { ctx, shown } = ctxFor();
    const res = await stopLab(ctx, labDeps);
    await new Lab({ dir: labDir }).down({ purge: true });
    rmSync(root, { recursive: true, force: true });
    assert.equal(res.outcome, 'succeeded', res.message);
    assert.equal(shown.confirms[0]?.button, 'Stop');
  });

  it('Start Local Lab saved the cluster once, its superuser password only in the secret store', async () => {
    assert.equal(store.list().length, 1);
    assert.equal(def.source.kind, 'config');
    assert.ok(
      !JSON.stringify(store.list()).includes(new Lab({ dir: labDir }).credentials().superuser.password),
    );
    assert.ok([...secrets.keys()].some((k) => k.endsWith('/postgres')));
    // Starting again finds the running lab and the saved cluster: no duplicate.
    const again = await startLab(ctxFor().ctx, labDeps);
    assert.equal(again.outcome, 'succeeded', again.message);
    assert.equal(again.cluster?.id, def.id);
    assert.equal(store.list().length, 1);
  });

  it('Switchover: candidates with verdicts, the plan in a modal, and the leader moves', async () => {
    const from = await leader();
    const { ctx, shown } = ctxFor({ pick: (items) => items.find((i) => i.description === 'ready')?.label });
    const res = await switchover(ctx, { clusterId: def.id });
    assert.equal(res.outcome, 'succeeded', res.message);
    const pick = shown.picks[0]!;
    assert.deepEqual(
      pick.items.map((i) => i.label).sort(),
      ['n1', 'n2', 'n3'].filter((n) => n !== from),
    );
    assert.ok(pick.items.every((i) => /passes every pre-check|refused:/.test(i.detail ?? '')));
    const chosen = pick.items.find((i) => i.description === 'ready')!.label;
    assert.equal(shown.confirms[0]!.button, 'Switchover');
    assert.match(shown.confirms[0]!.message, new RegExp(`switch over from ${from} to ${chosen} on lab\\?`));
    assert.match(shown.confirms[0]!.detail, /Plan: switchover from/);
    assert.ok(shown.progress[0]!.lines.length > 0, 'progress was reported');
    assert.match(res.message, new RegExp(`${chosen} is the new leader and runs`));
    assert.equal(await leader(), chosen, 'an independent read confirms the new leader');
    assert.ok(ctx.refreshes() >= 1);
  });

  it('a switchover cancelled after Patroni answered is unknown, with the confirming read in the message', async () => {
    await sdk.waitForHealthy({ timeoutMs: 120_000 });
    const from = await leader();
    const { ctx, shown } = ctxFor({
      pick: (items) => items.find((i) => i.description === 'ready')?.label,
      cancelOn: /Patroni answered/,
    });
    const res = await switchover(ctx, { clusterId: def.id });
    assert.equal(res.outcome, 'unknown', res.message);
    assert.match(res.message, /the write may or may not have taken effect/);
    const now = await leader();
    assert.match(res.message, new RegExp(`a read of the cluster afterwards shows leader (${now}|${from})`));
    assert.equal(shown.messages.at(-1)?.level, 'warn', 'unknown is a warning, not success or error');
  });

  it('a production-marked cluster refuses a switchover when the typed name is wrong', async () => {
    def = await store.update(def.id, { production: true });
    try {
      await sdk.waitForHealthy({ timeoutMs: 120_000 });
      const from = await leader();
      const { ctx, shown } = ctxFor({
        pick: (items) => items.find((i) => i.description === 'ready')?.label,
        input: () => 'LAB',
      });
      const res = await switchover(ctx, { clusterId: def.id });
      assert.equal(res.outcome, 'cancelled');
      assert.equal(shown.confirms.length, 0, 'no modal: the typed name is the confirmation');
      assert.match(shown.inputs[0]!.prompt, /lab is marked production\. Type its name/);
      assert.match(shown.inputs[0]!.validation ?? '', /"LAB" is not lab/);
      assert.equal(shown.progress.length, 0, 'nothing was sent');
      assert.equal(await leader(), from);
    } finally {
      def = await store.update(def.id, { production: false });
    }
  });

  it('Edit Dynamic Configuration changes loop_wait in the DCS with compare-and-set', async () => {
    const sessions = new ConfigSessions();
    const docs = new Map<string, string>();
    const { ctx, shown } = ctxFor();
    const opened = await editConfig(
      ctx,
      sessions,
      async (content) => {
        const key = `doc${docs.size + 1}`;
        docs.set(key, content);
        return key;
      },
      { clusterId: def.id },
    );
    assert.equal(opened.outcome, 'succeeded', opened.message);
    const text = docs.get(opened.doc!)!;
    const was = Number(/\nloop_wait: (\d+)\n/.exec(text)?.[1]);
    assert.ok(Number.isInteger(was), text);
    const next = was + 1;
    const res = await applyConfig(
      ctx,
      sessions,
      opened.doc!,
      text.replace(/\nloop_wait: \d+\n/, `\nloop_wait: ${next}\n`),
    );
    assert.equal(res.outcome, 'succeeded', res.message);
    assert.equal(shown.confirms[0]!.button, 'Apply');
    assert.match(shown.confirms[0]!.detail, new RegExp(`-loop_wait: ${was}\\n\\+loop_wait: ${next}`));
    const changed = shown.confirms[0]!.detail.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
    assert.equal(
      changed.length,
      2,
      `only loop_wait changes (no YAML 1.1 round-trip drift):\n${changed.join('\n')}`,
    );
    assert.match(res.message, /compare-and-set/);
    assert.equal((await sdk.showConfig()).loop_wait, next, 'the DCS holds the new loop_wait');
  });

  it('a concurrent change is reported, not overwritten; a lint error sends nothing', async () => {
    const sessions = new ConfigSessions();
    const docs = new Map<string, string>();
    const { ctx, shown } = ctxFor();
    const opened = await editConfig(
      ctx,
      sessions,
      async (content) => {
        docs.set('d', content);
        return 'd';
      },
      { clusterId: def.id },
    );
    const text = docs.get('d')!;
    // Someone else changes the configuration after the document was read.
    const other = await sdk.editConfig({ set: ['maximum_lag_on_failover=1048577'] });
    assert.equal(other.outcome, 'succeeded', other.reason);
    const res = await applyConfig(
      ctx,
      sessions,
      opened.doc!,
      text.replace(/\nloop_wait: \d+\n/, '\nloop_wait: 5\n'),
    );
    assert.equal(res.outcome, 'failed');
    assert.match(
      res.message,
      /changed by someone else since this document was read.*nothing was overwritten/,
    );
    assert.equal(shown.confirms.length, 0, 'refused before any confirmation');
    const now = await sdk.showConfig();
    assert.equal(now.maximum_lag_on_failover, 1048577, 'the other change is kept');
    assert.notEqual(now.loop_wait, 5);
    // A value Patroni cannot use is refused by the dynamic-mode lint before anything is sent.
    const lint = await applyConfig(ctx, sessions, opened.doc!, text.replace(/\nttl: \d+\n/, '\nttl: abc\n'));
    assert.equal(lint.outcome, 'failed');
    assert.match(lint.message, /ttl: .*nothing was sent/);
    assert.notEqual((await sdk.showConfig()).ttl, 'abc');
  });

  it('Restart (one member, pending only), Reload, Pause and Resume report their outcomes', async () => {
    const view = await sdk.status();
    const replica = view.members.find((m) => m.name !== view.leader)!.name;
    const one = ctxFor();
    const r1 = await restart(one.ctx, { clusterId: def.id, member: replica });
    assert.equal(r1.outcome, 'succeeded', r1.message);
    assert.equal(one.shown.confirms[0]!.button, 'Restart');
    assert.equal(one.shown.picks.length, 0);
    const pending = ctxFor({ pick: () => RESTART_PENDING });
    const r2 = await restart(pending.ctx, { clusterId: def.id });
    assert.equal(r2.outcome, 'succeeded', r2.message);
    assert.deepEqual(
      pending.shown.picks[0]!.items.slice(0, 2).map((i) => i.label),
      ['All members', RESTART_PENDING],
    );
    const rl = ctxFor();
    const r3 = await reload(rl.ctx, { clusterId: def.id });
    assert.equal(r3.outcome, 'succeeded', r3.message);
    assert.equal(rl.shown.confirms.length, 0, 'reload needs no confirmation');
    const p = ctxFor();
    const r4 = await setPaused(p.ctx, true, { clusterId: def.id });
    assert.equal(r4.outcome, 'succeeded', r4.message);
    assert.equal(p.shown.confirms[0]!.button, 'Pause');
    assert.equal((await sdk.status()).paused, true);
    const again = await setPaused(ctxFor().ctx, true, { clusterId: def.id });
    assert.equal(again.outcome, 'failed');
    assert.match(again.message, /already paused.*nothing was sent/);
    const r5 = await setPaused(ctxFor().ctx, false, { clusterId: def.id });
    assert.equal(r5.outcome, 'succeeded', r5.message);
    assert.equal((await sdk.status()).paused, false);
  });

  it('Failover to a named replica, then Reinitialize it', async () => {
    await sdk.waitForHealthy({ timeoutMs: 120_000 });
    const from = await leader();
    const f = ctxFor({ pick: (items) => items.find((i) => i.description === 'ready')?.label });
    const res = await failover(f.ctx, { clusterId: def.id });
    assert.equal(res.outcome, 'succeeded', res.message);
    assert.equal(f.shown.confirms[0]!.button, 'Failover');
    const to = await leader();
    assert.notEqual(to, from);
    await sdk.waitForHealthy({ timeoutMs: 120_000 });
    const ri = ctxFor();
    const r = await reinit(ri.ctx, { clusterId: def.id, member: from! });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.equal(ri.shown.confirms[0]!.button, 'Reinitialize');
    assert.match(r.message, /runs again/);
    const refused = await reinit(ctxFor().ctx, { clusterId: def.id, member: to! });
    assert.equal(refused.outcome, 'failed');
    assert.match(refused.message, /is the leader, can not reinitialize it.*nothing was sent/);
  });

  it('History, Health Report and Show Member JSON open documents; Copy DSN has no password', async () => {
    const h = ctxFor();
    assert.equal((await history(h.ctx, { clusterId: def.id })).outcome, 'succeeded');
    assert.match(h.shown.documents[0]!.content, /# History of lab/);
    assert.match(h.shown.documents[0]!.content, /\| 2 → 3 \|/, 'switchover and failover made two switches');
    const hr = ctxFor();
    assert.equal((await healthReport(hr.ctx, { clusterId: def.id })).outcome, 'succeeded');
    assert.match(hr.shown.documents[0]!.content, /# Health of lab: (OK|WARNING)/);
    assert.match(hr.shown.documents[0]!.content, /\| has_leader \| OK \|/);
    const j = ctxFor({ pick: (items) => items[0]?.label });
    assert.equal((await showMemberJson(j.ctx, { clusterId: def.id })).outcome, 'succeeded');
    const body = JSON.parse(j.shown.documents[0]!.content) as { patroni: { scope: string }; role: string };
    assert.equal(j.shown.documents[0]!.language, 'json');
    assert.equal(body.patroni.scope, 'lab');
    assert.match(body.role, /primary|replica/);
    const d = ctxFor();
    assert.equal((await copyDsn(d.ctx, { clusterId: def.id })).outcome, 'succeeded');
    assert.match(
      d.shown.clipboard[0]!,
      new RegExp(`^host=${NET.replace(/\./g, '\\.')}\\.1[123] port=5432 user=postgres$`),
    );
  });

  it('Open psql Terminal: the password is in a 0600 pgpass file, psql logs in with it, and it is removed', async () => {
    let launch: PsqlLaunch | undefined;
    const { ctx } = ctxFor();
    const res = await openPsql(
      ctx,
      { clusterId: def.id },
      {
        login: (id) => store.postgresLogin(id),
        psqlPath: '/usr/lib/postgresql/15/bin/psql',
        tmpRoot: root,
        openTerminal: (l) => {
          launch = l;
        },
      },
    );
    assert.equal(res.outcome, 'succeeded', res.message);
    assert.ok(launch?.pgpassFile);
    const password = new Lab({ dir: labDir }).credentials().superuser.password;
    assert.ok(!launch.shellArgs.join(' ').includes(password), 'the password is not in argv');
    assert.ok(!Object.values(launch.env).includes(password), 'nor in the environment');
    assert.equal(statSync(launch.pgpassFile).mode & 0o777, 0o600);
    // The real psql logs in with the terminal's argv and environment (no prompt: stdin is closed).
    const out = await run(
      launch.shellPath,
      [...launch.shellArgs, '-w', '-Atc', 'select pg_is_in_recovery()'],
      launch.env,
    );
    assert.equal(out.trim(), 'f', 'connected to the leader');
    launch.cleanup();
    assert.equal(existsSync(launch.pgpassFile), false);
  });
});
