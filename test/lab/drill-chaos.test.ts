/**
 * The chaos suite: a short subset of `patroni-kit drill` on a real lab (fast timing, 127.0.31.x):
 * leader kill (through the CLI, with its JSON and report files), synchronous mode plus leader kill, and a
 * full restart after a failover. Each asserts no dual primary, no lost acknowledged write where none may be
 * lost, and every member streaming at the end. The long runs live in scripts/bench-drill.mjs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDrill, type ScenarioResult, writeReport } from '@patroni-kit/drill';
import { Lab } from '@patroni-kit/lab';
import { openDir, runCli, tempLabDir } from './helpers.js';

const NET = '127.0.31';

function assertSound(r: ScenarioResult, opts: { synchronous: boolean }): void {
  const why = [...r.check.violations, ...r.problems].join('; ');
  assert.ok(r.check.writes.acknowledged > 0, `writes were acknowledged (${why})`);
  assert.deepEqual(r.check.dualPrimary, [], 'never more than one writable primary');
  assert.ok(new Set(r.history.samples.map((s) => s.round)).size > 10, 'the poller sampled the members');
  assert.equal(r.streaming.ok, true, `every member streams at the end: ${r.streaming.problems.join('; ')}`);
  assert.equal(r.history.synchronous, opts.synchronous);
  if (opts.synchronous)
    assert.deepEqual(r.check.writes.lost, [], 'no acknowledged write lost in synchronous mode');
  assert.deepEqual(r.check.writes.definiteGhost, [], 'no write refused before commit is present');
  assert.equal(r.ok, true, why);
}

describe('drill chaos subset', { timeout: 900_000 }, () => {
  const dir = join(openDir(tempLabDir('drill')), 'lab');
  const lab = new Lab({
    dir,
    profile: 'fast',
    hosts: [`${NET}.11`, `${NET}.12`, `${NET}.13`],
    haproxyHost: `${NET}.1`,
  });

  before(async () => {
    await lab.up();
  });
  after(async () => {
    await lab.down({ purge: true });
  });

  test('leader kill through the CLI: a new leader, no dual primary, report files with a PNG timeline', async () => {
    const out = join(dir, 'reports');
    const res = await runCli(
      ['drill', 'leader-kill', '--dir', dir, '--out', out, '--json', '--settle', '2'],
      {
        timeoutMs: 400_000,
      },
    );
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    const [r] = JSON.parse(res.stdout) as Array<{
      scenario: string;
      ok: boolean;
      dualPrimaryRounds: number;
      writes: { acknowledged: number; lost: number };
      outage: { writerBackMs: number | null };
      streaming: { ok: boolean };
      details: { failovers: Array<{ killed: string; newLeader: string }> };
      report: { markdown: string; png: string; json: string };
    }>;
    assert.equal(r!.scenario, 'leader-kill');
    assert.equal(r!.ok, true);
    assert.equal(r!.dualPrimaryRounds, 0);
    assert.equal(r!.streaming.ok, true);
    assert.notEqual(r!.details.failovers[0]!.newLeader, r!.details.failovers[0]!.killed);
    assert.ok(r!.outage.writerBackMs !== null, 'the writer came back');
    const png = readFileSync(r!.report.png);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.match(readFileSync(r!.report.markdown, 'utf8'), /# Drill: leader-kill — PASS/);
    assert.equal(JSON.parse(readFileSync(r!.report.json, 'utf8')).writes.lost, r!.writes.lost);
  });

  test('synchronous mode plus leader kill: the synchronous standby takes over and nothing acknowledged is lost', async () => {
    const [r] = await runDrill(lab, { scenarios: ['sync-leader-kill'], settleMs: 2000 });
    assertSound(r!, { synchronous: true });
    assert.equal(r!.details.newLeader, r!.details.syncStandby);
    // The drill restores the setting it changed.
    const cfg = await runCli(['show-config', '-c', join(dir, 'patronictl.yml')]);
    assert.equal(cfg.code, 0, cfg.stderr);
    assert.doesNotMatch(cfg.stdout, /synchronous_mode: true/);
  });

  test('full restart after a failover: the write acknowledged by the new leader survives, all members stream', async () => {
    const [r] = await runDrill(lab, { scenarios: ['restart-after-failover'], settleMs: 2000 });
    const files = await writeReport(r!, join(dir, 'reports', 'restart'));
    assert.ok(existsSync(files.png));
    // Writes acknowledged by the new leader before `lab down` are the ones the reported bug lost. (Writes
    // acknowledged by the killed leader may be lost in asynchronous mode, within maximum_lag_on_failover.)
    const newLeader = (r!.details.failovers as Array<{ newLeader: string }>)[0]!.newLeader;
    const down = r!.history.events.find((e) => e.kind === 'fault' && e.text.startsWith('lab down'));
    assert.ok(down, 'the whole lab was stopped');
    const onNewLeader = r!.history.writes.filter(
      (w) => w.outcome === 'ok' && w.member === newLeader && w.endedAt < down.at,
    );
    assert.ok(onNewLeader.length > 0, 'writes were acknowledged by the new leader before the restart');
    const lost = new Set(r!.check.writes.lost);
    assert.deepEqual(
      onNewLeader.filter((w) => lost.has(w.id)).map((w) => w.id),
      [],
      'no write acknowledged by the new leader is lost across the restart',
    );
    assertSound(r!, { synchronous: false });
  });
});
