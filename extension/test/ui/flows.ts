/** User flows of the extension, as a user walks through them in the workbench (palette, quick picks, inputs). */
import type { Workbench } from './harness.js';

/**
 * Add Cluster from a DCS URL: palette → "From a DCS URL" → the URL → the scope (typed or picked from the
 * scopes found in the namespace). Returns the prompts that were seen, in order.
 */
export async function addClusterFromDcs(wb: Workbench, url: string, scope: string): Promise<string[]> {
  const seen: string[] = [];
  await wb.runCommand('Patroni: Add Cluster…');
  await wb.waitForQuickPick(/Add/i);
  seen.push(await wb.quickInputTitle());
  await wb.pick(/DCS URL/);
  await wb.answerInput(/etcd/i, url);
  seen.push('etcd URL');
  // The scope: an input box, or a quick pick of the scopes found in the namespace.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`Add Cluster: no scope prompt (seen: ${seen.join(' / ')})`);
    if (await wb.quickInput.isVisible()) {
      const title = await wb.quickInputTitle();
      if (/scope|cluster/i.test(title) && !/etcd url/i.test(title)) {
        const rows = await wb.quickPickRows();
        seen.push(title);
        if (rows.some((r) => r.split(' ')[0] === scope)) await wb.pick(new RegExp(`^${scope}\\b`));
        else {
          await wb.quickInputBox.fill(scope);
          await wb.page.keyboard.press('Enter');
        }
        break;
      }
    }
    await wb.page.waitForTimeout(200);
  }
  return seen;
}
