/**
 * UI end-to-end tests: the packaged extension in a real code-server 4.100.3, driven by Debian's Chromium
 * (playwright-core), against a real lab (Patroni 4.0.7, etcd 3.5, PostgreSQL 15, HAProxy) that the suite
 * starts itself. Addresses: the 127.0.107.0/24 block: lab members 127.0.107.11-13, HAProxy 127.0.107.1,
 * code-server 127.0.107.2. Screenshots go to extension/media/screenshots (README.md shows them).
 * The tests run in order and share one workbench and one lab, as a user's session would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addClusterFromConfig } from './flows.js';
import { packageVsix, REPO, renderedText, Tally, type TreeRow, until, Workbench } from './harness.js';
import { UiLab } from './lab.js';

const NET = '127.0.107';
const CODE_SERVER_HOST = `${NET}.2`;

/** A patroni.yml with a timing mistake: loop_wait + 2*retry_timeout = 10 + 2*15 > ttl 30. */
const clean = readFileSync(join(REPO, 'test/corpus/config/clean/etcd3-three-node.yml'), 'utf8');
const TIMING_MISTAKE = clean.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');
/** The quick fix's title (the linter's fix description), as i9-editor's notes give it. */
const TIMING_FIX = 'Set retry_timeout to 10 (loop_wait + 2*retry_timeout = 10 + 2*10 = 30 <= ttl 30)';

const tally = new Tally();
let wb: Workbench | undefined;
const lab = new UiLab(NET);
let vsixDir = '';

function members(rows: TreeRow[]): TreeRow[] {
  return rows.filter((r) => r.level === 2 && /^n[123]$/.test(r.label));
}
function leaderRow(rows: TreeRow[]): TreeRow | undefined {
  return members(rows).find((r) => /^Leader\b/.test(r.description));
}

describe('extension UI in code-server against a real lab', { timeout: 360_000 }, () => {
  before(async () => {
    assert.notEqual(TIMING_MISTAKE, clean);
    vsixDir = mkdtempSync(join(tmpdir(), 'pk-ui-vsix-'));
    // The lab (CPU-bound for ~10 s) and the package + code-server start overlap.
    const [, started] = await Promise.all([
      lab.up(),
      packageVsix(vsixDir).then((vsix) =>
        Workbench.start({ host: CODE_SERVER_HOST, vsix, files: { 'patroni.yml': TIMING_MISTAKE } }),
      ),
    ]);
    wb = started;
  });

  after(async () => {
    const failed = tally.failed > 0;
    if (wb && failed) console.log(`UI run dir kept for inspection: ${wb.dir}`);
    await wb?.close({ keep: failed });
    await lab.down();
    if (vsixDir) rmSync(vsixDir, { recursive: true, force: true });
    console.log(tally.line());
  });

  it(
    'a patroni.yml with a timing mistake shows a Problems row, and its quick fix applies',
    tally.wrap(
      'problems',
      () => wb,
      async () => {
        assert.ok(wb);
        await wb.openFile('patroni.yml');
        const row = await wb.waitForProblem(
          /loop_wait \+ 2\*retry_timeout = 10 \+ 2\*15 = 40 exceeds ttl 30/,
        );
        assert.match(row, /Ln 30, Col 20/, `the row points at retry_timeout: ${row}`);
        // A click on the row reveals line 30 in the editor, where the value has a warning squiggle.
        await wb.problemRow(/exceeds ttl 30/).click();
        await wb.page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'visible' });
        await wb.screenshot('problems');
        // The quick fix (the linter's mechanical fix), from the editor's Quick Fix menu (Ctrl+.).
        await wb.page
          .locator('.editor-instance .monaco-editor .view-line', { hasText: 'retry_timeout: 15' })
          .click();
        await wb.page.keyboard.press('Control+.');
        const fix = wb.page.locator('.context-view', { hasText: TIMING_FIX }).getByText(TIMING_FIX).first();
        await fix.waitFor({ state: 'visible' });
        await wb.screenshot('quick-fix');
        // The menu's pointer block swallows clicks; the fix is the selected (preferred) entry: Enter applies it.
        await wb.page.keyboard.press('Enter');
        await until(
          'the Problems row gone',
          async () => !(await wb!.problems()).some((r) => /exceeds ttl/.test(r)),
        );
        await wb.page.keyboard.press('Control+S');
        await until('the fix saved to disk', () =>
          /^ {4}retry_timeout: 10$/m.test(readFileSync(join(wb!.workspace, 'patroni.yml'), 'utf8')),
        );
      },
    ),
  );

  it(
    'after lab up, Add Cluster (its patronictl config) shows the three members with the right roles',
    tally.wrap(
      'tree',
      () => wb,
      async () => {
        assert.ok(wb);
        const ctl = await lab.patronictl();
        assert.equal(ctl.length, 3, JSON.stringify(ctl));
        await wb.openPatroniView();
        await addClusterFromConfig(wb, lab.ctlConfig, 'lab');
        const rows = await wb.waitForTree(
          'the lab cluster with three members',
          (r) => members(r).length === 3,
        );
        const cluster = rows.find((r) => r.level === 1 && r.label === 'lab');
        assert.ok(cluster, `a cluster row "lab": ${JSON.stringify(rows)}`);
        for (const m of ctl) {
          const row = members(rows).find((r) => r.label === m.Member);
          assert.ok(row, `a row for ${m.Member}`);
          const role = m.Role === 'Leader' ? 'Leader' : 'Replica';
          assert.match(
            row.description,
            new RegExp(`^${role} · ${m.State}`),
            `${m.Member}: ${row.description}`,
          );
        }
        assert.equal(leaderRow(rows)?.label, await lab.ctlLeader());
        await wb.screenshot('tree', wb.page.locator('.part.sidebar'), 260);
        await wb.screenshot('workbench');
      },
    ),
  );

  it(
    'Switchover from the palette moves the leader (confirmed by patronictl and the CLI)',
    tally.wrap(
      'switchover',
      () => wb,
      async () => {
        assert.ok(wb);
        const before = await lab.ctlLeader();
        assert.ok(before, 'a leader before');
        const candidate = (await lab.patronictl()).find((m) => m.Role !== 'Leader')!.Member;
        await wb.clearNotifications();
        await switchover(wb, candidate);
        const message = await wb.waitForModal(/switch over from/i);
        assert.match(message, new RegExp(`switch over from ${before} to ${candidate} on lab`), message);
        await wb.modalButton('Switchover');
        const done = await wb.waitForNotification(/Switchover on lab (succeeded|failed|unknown)/, 120_000);
        const text = await renderedText(done);
        assert.match(text, new RegExp(`Switchover on lab succeeded: ${candidate} is the new leader`), text);
        await wb.screenshot('notification', done);
        assert.equal(await lab.ctlLeader(), candidate, 'patronictl list names the candidate as leader');
        const cli = await lab.list();
        assert.equal(cli.find((m) => m.Role === 'Leader')?.Member, candidate, 'patroni-kit list agrees');
        const rows = await wb.waitForTree(
          `${candidate} as the leader in the tree`,
          (r) => leaderRow(r)?.label === candidate,
        );
        assert.ok(members(rows).some((r) => r.label === before && /^Replica/.test(r.description)));
        await lab.settled();
      },
    ),
  );

  it(
    'a production-marked cluster refuses a switchover until its name is typed',
    tally.wrap(
      'production',
      () => wb,
      async () => {
        assert.ok(wb);
        await wb.runCommand('Patroni: Mark as Production');
        await wb.waitForTree('the cluster marked production', (r) =>
          r.some((x) => x.level === 1 && x.label === 'lab' && /production/i.test(x.description)),
        );
        const before = (await lab.settled()).find((m) => m.Role === 'Leader')!.Member;
        const candidate = (await lab.patronictl()).find((m) => m.Role !== 'Leader')!.Member;
        await switchover(wb, candidate);
        // No modal: an input box that wants the cluster's name.
        await wb.waitForQuickPick(/production/i).catch(() => undefined);
        const title = await wb.quickInputTitle();
        assert.match(title, /Switchover on lab \(production\)/, title);
        assert.equal(await wb.modal.isVisible(), false, 'no plain modal for a production cluster');
        await wb.quickInputBox.fill('lab-typo');
        const refusal = await until(
          'the validation message',
          async () => {
            const m = await wb!.quickInputMessage();
            return /is not lab/.test(m) ? m : undefined;
          },
          10_000,
        );
        await wb.page.keyboard.press('Enter'); // refused: the box stays open
        await wb.page.waitForTimeout(1500);
        assert.equal(await wb.quickInput.isVisible(), true, 'the box stays open on a wrong name');
        await wb.screenshot('production-guard');
        assert.equal(await lab.ctlLeader(), before, `nothing was sent (${refusal})`);
        await wb.quickInputBox.fill('lab');
        await wb.page.keyboard.press('Enter');
        const done = await wb.waitForNotification(/Switchover on lab (succeeded|failed|unknown)/, 120_000);
        assert.match(await renderedText(done), /succeeded/);
        assert.equal(await lab.ctlLeader(), candidate, 'after the typed name the switchover ran');
        await lab.settled();
        await wb.runCommand('Patroni: Mark as Production'); // back to a plain cluster: that wants the name too
        await wb.answerInput(/Type its name to remove the mark/, 'lab');
        await wb.waitForTree('the production mark gone', (r) =>
          r.some((x) => x.level === 1 && x.label === 'lab' && !/production/i.test(x.description)),
        );
      },
    ),
  );

  it(
    'Edit Dynamic Configuration changes loop_wait in the DCS',
    tally.wrap(
      'edit-config',
      () => wb,
      async () => {
        assert.ok(wb);
        const before = await lab.dcsConfig();
        assert.equal(before.loop_wait, 2, 'the fast profile writes loop_wait 2');
        await wb.runCommand('Patroni: Edit Dynamic Configuration');
        await wb.page.locator('.tabs-container .tab.active', { hasText: 'config.yaml' }).waitFor();
        await wb.page.locator('.editor-instance .view-line', { hasText: 'loop_wait: 2' }).first().waitFor();
        await wb.replaceInEditor('loop_wait: 2', 'loop_wait: 3');
        await wb.page.locator('.editor-instance .view-line', { hasText: 'loop_wait: 3' }).first().waitFor();
        await wb.page.keyboard.press('Control+S');
        const message = await wb.waitForModal(/lab/);
        assert.match(message, /loop_wait/, `the confirmation shows the change: ${message}`);
        await wb.screenshot('edit-config');
        await wb.modalButton('Apply');
        const done = await wb.waitForNotification(/Apply on lab (succeeded|failed|unknown)/, 60_000);
        assert.match(await renderedText(done), /succeeded/);
        const after = await until(
          'loop_wait 3 in the DCS',
          async () => {
            const c = await lab.dcsConfig();
            return c.loop_wait === 3 ? c : undefined;
          },
          15_000,
        );
        // Nothing else changed (PostgreSQL booleans compared as Patroni reads them: true is 'on').
        assert.deepEqual(normalise({ ...after, loop_wait: 2 }), normalise(before), 'only loop_wait changed');
      },
    ),
  );

  it(
    'Show Topology draws the three members with the leader patronictl names',
    tally.wrap(
      'topology',
      () => wb,
      async () => {
        assert.ok(wb);
        const leader = (await lab.settled()).find((m) => m.Role === 'Leader')!.Member;
        await wb.runCommand('Patroni: Show Topology');
        await wb.page.locator('.tabs-container .tab.active', { hasText: 'Topology: lab' }).waitFor();
        const view = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
        await view.locator('#topology[data-state="ok"]').waitFor({ timeout: 30_000 });
        const nodes = view.locator('g.pk-node');
        await until('three member nodes', async () => (await nodes.count()) === 3 || undefined, 15_000);
        const drawn = await until(`${leader} drawn as the leader`, async () => {
          const roles = await nodes.evaluateAll((els) =>
            els.map((e) => [e.getAttribute('data-member'), e.getAttribute('data-role')]),
          );
          return roles.some(([m, r]) => m === leader && r === 'leader') ? roles : undefined;
        });
        assert.equal(drawn.filter(([, r]) => r === 'leader').length, 1, JSON.stringify(drawn));
        await wb.screenshot('topology');
        await wb.page.keyboard.press('Control+W'); // close the panel
      },
    ),
  );

  it(
    'lab kill of the leader shows the new leader in the tree with no refresh, and notifies with Show in Tree',
    tally.wrap(
      'kill',
      () => wb,
      async () => {
        assert.ok(wb);
        const old = (await lab.settled()).find((m) => m.Role === 'Leader')!.Member;
        await wb.clearNotifications();
        await wb.openPatroniView();
        await lab.kill(old);
        // Nothing is clicked or run in the workbench: the DCS watch pushes the change.
        const newLeader = await until(
          'a new leader by patronictl',
          async () => {
            const l = await lab.ctlLeader().catch(() => undefined);
            return l && l !== old ? l : undefined;
          },
          90_000,
          1000,
        );
        const rows = await wb.waitForTree(
          `${newLeader} as the leader in the tree`,
          (r) => leaderRow(r)?.label === newLeader,
          60_000,
        );
        const oldRow = members(rows).find((r) => r.label === old);
        assert.ok(!oldRow || !/^Leader/.test(oldRow.description), `${old} is no longer shown as leader`);
        // Each repaint reports its change: the leader gone (`no leader (was …)`) and/or the new one.
        const toast = await wb.waitForNotification(
          new RegExp(
            `lab: (failover, ${newLeader} is the new leader|leader changed from \\S+ to ${newLeader}|no leader \\(was ${old}\\))`,
          ),
          30_000,
        );
        const about = await renderedText(toast.locator('.notification-list-item-message'));
        await wb.screenshot('tree-after-failover', wb.page.locator('.part.sidebar'), 260);
        await wb.screenshot('failover-notification');
        await toast.locator('.monaco-button', { hasText: 'Show in Tree' }).click();
        // Show in Tree reveals the member the notification is about (the new leader), else the cluster.
        const target = about.includes(newLeader) ? newLeader : 'lab';
        await until(`${target} selected in the tree`, async () => {
          const selected = await wb!.clustersPane
            .locator('.monaco-list-row.selected .label-name, .monaco-list-row.focused .label-name')
            .allInnerTexts();
          return selected.map((t) => t.trim()).includes(target) || undefined;
        });
        await lab.start(old); // leave a whole cluster for the lab's own shutdown
      },
    ),
  );
});

/** A config with PostgreSQL's boolean spellings folded (Patroni writes true as 'on'). */
function normalise(v: unknown): unknown {
  if (v === true || v === 'true') return 'on';
  if (v === false || v === 'false') return 'off';
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

/** Palette → Switchover… → the candidate's row (its verdict must say ready). */
async function switchover(w: Workbench, candidate: string): Promise<void> {
  await w.runCommand('Patroni: Switchover…');
  const rows = await w.waitForQuickPick(/Switchover on lab/);
  const row = rows.find((r) => r.startsWith(candidate));
  assert.ok(row && /ready/.test(row), `${candidate} is offered as ready: ${JSON.stringify(rows)}`);
  await w.pickLabel(candidate);
}
