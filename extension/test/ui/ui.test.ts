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
import { addClusterFromDcs } from './flows.js';
import { packageVsix, REPO, Tally, type TreeRow, Workbench } from './harness.js';
import { UiLab } from './lab.js';

const NET = '127.0.107';
const CODE_SERVER_HOST = `${NET}.2`;

/** A patroni.yml with a timing mistake: loop_wait + 2*retry_timeout = 10 + 2*15 > ttl 30. */
const clean = readFileSync(join(REPO, 'test/corpus/config/clean/etcd3-three-node.yml'), 'utf8');
const TIMING_MISTAKE = clean.replace('    retry_timeout: 10\n', '    retry_timeout: 15\n');

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

describe('extension UI in code-server against a real lab', { timeout: 330_000 }, () => {
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
    'a patroni.yml with a timing mistake shows a Problems row',
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
      },
    ),
  );

  it(
    'after lab up, Add Cluster (etcd URL) shows the three members with the right roles',
    tally.wrap(
      'tree',
      () => wb,
      async () => {
        assert.ok(wb);
        const ctl = await lab.patronictl();
        assert.equal(ctl.length, 3, JSON.stringify(ctl));
        await wb.openPatroniView();
        await addClusterFromDcs(wb, lab.dcsUrl, 'lab');
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
});
