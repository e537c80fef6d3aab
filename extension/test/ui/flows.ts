/** User flows of the extension, as a user walks through them in the workbench (palette, quick picks, inputs). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Workbench } from './harness.js';

/** One prompt of a multi-step flow: when `when` matches the prompt's title, `answer` answers it. */
export interface Step {
  when: RegExp;
  answer: (wb: Workbench, title: string) => Promise<void>;
  /** At most this many times (default 1). */
  times?: number;
}

/**
 * Answers prompts as they come (quick picks, input boxes, the simple file dialog) until none is open for
 * `quietMs`; each prompt must match a step. Returns the titles seen, in order.
 */
export async function answerPrompts(
  wb: Workbench,
  steps: Step[],
  opts: { timeoutMs?: number; quietMs?: number } = {},
): Promise<string[]> {
  const seen: string[] = [];
  const used = new Map<Step, number>();
  const end = Date.now() + (opts.timeoutMs ?? 60_000);
  let hiddenSince: number | undefined;
  let last = '';
  while (Date.now() < end) {
    const visible = await wb.quickInput.isVisible().catch(() => false);
    if (!visible) {
      hiddenSince ??= Date.now();
      if (seen.length > 0 && Date.now() - hiddenSince >= (opts.quietMs ?? 1500)) return seen;
      await sleep(100);
      continue;
    }
    hiddenSince = undefined;
    const title = await wb.quickInputTitle();
    // The simple file dialog has no title: it is recognised by the path in its input.
    const value = await wb.quickInputBox.inputValue().catch(() => '');
    const key = `${title} | value=${value}`;
    const id = `${title}${value.startsWith('/') ? ' [path]' : ''}`;
    if (id === last) {
      // The same prompt is still up (busy, or the answer was not taken yet).
      await sleep(150);
      continue;
    }
    const step = steps.find((s) => s.when.test(key) && (used.get(s) ?? 0) < (s.times ?? 1));
    if (!step) throw new Error(`unexpected prompt "${key}" (after: ${seen.join(' / ') || 'nothing'})`);
    used.set(step, (used.get(step) ?? 0) + 1);
    seen.push(key);
    last = id;
    await step.answer(wb, title);
    await sleep(200);
  }
  throw new Error(`prompts did not end within the time (seen: ${seen.join(' / ')})`);
}

/** Types `value` into the open quick input and presses Enter. */
export function typeAndEnter(value: string): Step['answer'] {
  return async (wb) => {
    await wb.quickInputBox.fill(value);
    await wb.page.keyboard.press('Enter');
  };
}

/** Accepts the open quick pick as it is (a multi-select with nothing checked: none). */
export const acceptPick: Step['answer'] = async (wb) => {
  await wb.page.keyboard.press('Enter');
};

/** Picks the row matching `label`. */
export function pickRow(label: RegExp): Step['answer'] {
  return async (wb) => {
    await wb.pick(label);
  };
}

/**
 * Add Cluster from a patronictl config (or patroni.yml) at `path`: the file is chosen by typing its path into
 * the file dialog (code-server's simple dialog), or picked from the workspace list when offered.
 */
export async function addClusterFromConfig(wb: Workbench, path: string, name: string): Promise<string[]> {
  await wb.runCommand('Patroni: Add Cluster…');
  return answerPrompts(wb, [
    { when: /Add (Patroni )?Cluster/i, answer: pickRow(/patroni\.yml or patronictl config/) },
    { when: /Name shown in the tree|Cluster name/i, answer: typeAndEnter(name) },
    { when: /Mark as production/i, answer: acceptPick },
    {
      // A list of config files (workspace files and Browse…), or the simple file dialog (a path in its input).
      when: /value=\/|patronictl config/i,
      times: 3,
      answer: async (w) => {
        const rows = await w.quickPickRows();
        const listed = rows.find((r) => r.includes(path));
        if (listed) await w.pick(listed);
        else if (rows.some((r) => /^Browse/.test(r))) await w.pick(/^Browse/);
        else await typeInFileDialog(w, path);
      },
    },
  ]);
}

/** The simple file dialog: type the path, let it list the folder, then accept (Enter; again if it is still up). */
async function typeInFileDialog(w: Workbench, path: string): Promise<void> {
  await w.quickInputBox.fill(path);
  for (let i = 0; i < 5; i++) {
    await sleep(700); // it lists the folder of what is typed before it accepts
    if ((await w.quickInputBox.inputValue().catch(() => '')) !== path) return;
    await w.page.keyboard.press('Enter');
    await sleep(300);
    if (!(await w.quickInput.isVisible().catch(() => false))) return;
    if ((await w.quickInputBox.inputValue().catch(() => '')) !== path) return;
  }
  throw new Error(`the file dialog did not accept ${path}`);
}

/**
 * Add Cluster from a DCS URL: palette → "From a DCS URL" → the URL → the scope (typed or picked from the
 * scopes found in the namespace).
 */
export async function addClusterFromDcs(wb: Workbench, url: string, scope: string): Promise<string[]> {
  await wb.runCommand('Patroni: Add Cluster…');
  return answerPrompts(wb, [
    { when: /Add (Patroni )?Cluster/i, answer: pickRow(/DCS URL/) },
    { when: /etcd URL/i, answer: typeAndEnter(url) },
    {
      when: /scope|cluster name/i,
      answer: async (w) => {
        const rows = await w.quickPickRows();
        if (rows.some((r) => r.split(' ')[0] === scope)) await w.pick(new RegExp(`^${scope}\\b`));
        else await typeAndEnter(scope)(w, '');
      },
    },
  ]);
}
